"""Settings of a running site that an operator may change (environment variables)."""

from __future__ import annotations

import os
from dataclasses import dataclass


DEFAULT_NAME = "cablemirror"


@dataclass(frozen=True, slots=True)
class SiteConfig:
    name: str = DEFAULT_NAME
    # The public address of the site (for feeds, sitemaps and link previews), e.g.
    # "https://cables.example.org".  Empty: links are built from the request.
    base_url: str = ""
    # Privacy: what the site records about readers.  Default: nothing.  An operator
    # may turn on an access log *without* addresses (method, path, status, time).
    access_log: bool = False

    @classmethod
    def from_env(cls) -> "SiteConfig":
        return cls(
            name=os.environ.get("CABLEMIRROR_SITE_NAME") or DEFAULT_NAME,
            base_url=os.environ.get("CABLEMIRROR_BASE_URL", "").rstrip("/"),
            access_log=os.environ.get("CABLEMIRROR_ACCESS_LOG", "") in ("1", "true", "yes"),
        )
