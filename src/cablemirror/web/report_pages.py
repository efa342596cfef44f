"""The war diary's HTML pages and their stable URLs (registered by ``pages.py``):
``/reports`` (search and browse), ``/report/{ReportKey}``, ``/map``, ``/timeline``.
The data routes (``.json``, ``.raw``, ``.pdf``, exports, API) are ``reports_data.py``."""

from __future__ import annotations

from starlette.routing import Route

from .views import map as map_view
from .views import reports, timeline

_GET = ["GET", "HEAD"]

routes: list[Route] = [
    Route("/reports", reports.reports_page, methods=_GET, name="reports"),
    Route("/report/{key}", reports.report_page, methods=_GET, name="report"),
    Route("/map", map_view.map_page, methods=_GET, name="map"),
    Route("/timeline", timeline.timeline_page, methods=_GET, name="timeline"),
]
