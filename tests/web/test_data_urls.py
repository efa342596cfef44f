"""The URL builders shared by the data routes and the pages (web/urls.py)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request

from cablemirror.web import urls
from cablemirror.web.site import SiteConfig


def test_paths():
    assert urls.cable_path("05ALMATY2985") == "/cable/05ALMATY2985"
    assert urls.cable_path("05ALMATY2985", "pdf") == "/cable/05ALMATY2985.pdf"
    assert urls.cable_path("05ALMATY2985", "raw", version=3) == "/cable/05ALMATY2985.raw?version=3"
    assert urls.search_path("tag:PGOV iran") == "/search?q=tag%3APGOV+iran"
    assert urls.search_path("x", "csv", sort="-date") == "/search.csv?q=x&sort=-date"
    assert urls.search_path(None, page=1) == "/search" and urls.search_path("", page=2) == "/search?page=2"
    assert urls.feed_path('origin:"Embassy Almaty"') == "/feed.atom?q=origin%3A%22Embassy+Almaty%22"
    assert urls.api_cable_path("05ALMATY2985", "versions", "2") == "/api/v1/cables/05ALMATY2985/versions/2"
    assert urls.api_search_path("iran", page=2) == "/api/v1/search?q=iran&page=2"


def test_ids_cannot_escape_their_segment():
    assert urls.cable_path("../../etc/passwd") == "/cable/..%2F..%2Fetc%2Fpasswd"
    assert urls.cable_path("a?b#c", "json") == "/cable/a%3Fb%23c.json"
    assert urls.api_cable_path("x/../../y") == "/api/v1/cables/x%2F..%2F..%2Fy"


def test_unknown_formats_are_errors():
    with pytest.raises(ValueError):
        urls.cable_path("X", "html")
    with pytest.raises(ValueError):
        urls.search_path("x", "xml")


def _request(config: SiteConfig, host: str = "mirror.local:8080", root_path: str = "") -> Request:
    app = Starlette()
    app.state.config = config
    scope = {
        "type": "http",
        "app": app,
        "method": "GET",
        "scheme": "http",
        "path": "/x",
        "root_path": root_path,
        "query_string": b"",
        "headers": [(b"host", host.encode())],
        "server": ("mirror.local", 8080),
    }
    return Request(scope)


def test_absolute_urls_prefer_the_configured_base():
    req = _request(SiteConfig(base_url="https://cables.example.org/"), host="attacker.example")
    assert urls.site_base(req) == "https://cables.example.org"
    assert urls.absolute(req, "/cable/X") == "https://cables.example.org/cable/X"


def test_absolute_urls_from_the_request_without_a_base():
    req = _request(SiteConfig(), root_path="/mirror")
    assert urls.site_base(req) == "http://mirror.local:8080/mirror"
    assert urls.absolute(req, "cable/X") == "http://mirror.local:8080/mirror/cable/X"
