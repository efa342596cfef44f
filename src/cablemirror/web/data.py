"""Data out: every route that gives a record or a result set away rather than a page.

- ``records``: ``/cable/{id}.json``, ``/cable/{id}.raw``, ``/cable/{id}.pdf``;
- ``exports``: ``/search.pdf``, ``/search.csv``, ``/search.jsonl`` (whole result sets, streamed);
- ``feeds``:   ``/feed.atom``, ``/sitemap.xml``, ``/sitemap-cables-N.xml``, ``/robots.txt``;
- ``api``:     ``/api/v1/...`` and its OpenAPI document (docs/api.md);
- ``reports_data``: the war diary's ``/report/{key}.json|.raw|.pdf``, ``/reports.csv|.jsonl``
  and ``/api/v1/reports...`` (before ``api``, whose last route answers every other API path).

``app.py`` mounts these before the HTML pages, so ``/cable/{id}.pdf`` is never taken
for a cable id.  URLs are built with ``urls.py`` everywhere.
"""

from __future__ import annotations

from starlette.routing import Route

from . import api, exports, feeds, records, reports_data

routes: list[Route] = [*records.routes, *exports.routes, *feeds.routes, *reports_data.routes, *api.routes]
