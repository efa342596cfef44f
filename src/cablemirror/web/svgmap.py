"""Maps of the war logs as SVG drawn by the server: no tiles, no script, no other site.

The provinces come from the bundled amCharts geodata (``warlogs/data/map``, see its
SOURCE.md), read once per process: projected, simplified and written as path strings
that every map of that theatre reuses.  A map is a window (``viewBox``) on that fixed
drawing, so zooming costs nothing but the circles.

Projection: equirectangular with the longitudes scaled by the cosine of the theatre's
middle latitude (true shapes near the middle; at these sizes the error is a few per
cent), ``UNIT`` SVG units per degree of latitude, y growing southward.

Bins: ``choose_step`` picks a cell width (a power of two degrees) giving about
``TARGET_COLUMNS`` cells across the view; the store counts the reports per cell
(``Store.report_bins``) and each cell becomes a circle whose area grows with its
count, linked to the search restricted to that cell (``box:S,W,N,E``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Callable, Iterable, Sequence

from markupsafe import Markup, escape

from ..store.reports import MAX_STEP, MIN_STEP, ReportBin, ReportBins

__all__ = [
    "ATTRIBUTION_TEXT",
    "ATTRIBUTION_URL",
    "THEATRES",
    "Province",
    "Projection",
    "TheatreMap",
    "theatre_map",
    "choose_step",
    "clamp_view",
    "zoom",
    "pan",
    "map_svg",
    "locator_svg",
]

ATTRIBUTION_TEXT = "Map data: amCharts geodata (linkware licence)"
ATTRIBUTION_URL = "https://www.amcharts.com/"
THEATRES = {"afghanistan": "afghanistanLow.json", "iraq": "iraqLow.json"}
THEATRE_NAMES = {"afghanistan": "Afghanistan", "iraq": "Iraq"}
UNIT = 100.0  # SVG units per degree of latitude
SIMPLIFY = 0.25  # units (~280 m): the "Low" outlines hold nothing finer worth drawing
MARGIN = 0.35  # degrees around the country in the whole-country view
TARGET_COLUMNS = 48
MIN_VIEW = 0.05  # degrees: the narrowest window (zooming stops there)


class MapDataError(ValueError):
    """A bundled map file is missing or malformed (a packaging bug)."""


@dataclass(frozen=True, slots=True)
class Province:
    name: str
    code: str
    path: str  # SVG path data in projected units


@dataclass(frozen=True, slots=True)
class Projection:
    west: float
    north: float
    kx: float  # units per degree of longitude

    def x(self, lon: float) -> float:
        return (lon - self.west) * self.kx

    def y(self, lat: float) -> float:
        return (self.north - lat) * UNIT


@dataclass(frozen=True, slots=True)
class TheatreMap:
    theatre: str
    name: str
    bounds: tuple[float, float, float, float]  # (south, west, north, east) of the provinces
    projection: Projection
    provinces: tuple[Province, ...]

    @property
    def home(self) -> tuple[float, float, float, float]:
        """The whole-country view: the provinces with a margin."""
        s, w, n, e = self.bounds
        return (s - MARGIN, w - MARGIN, n + MARGIN, e + MARGIN)


def _rings(geometry: dict) -> list[list[tuple[float, float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else None
    if not isinstance(polygons, list):
        raise MapDataError(f"unexpected geometry {kind!r}")
    return [[(float(x), float(y)) for x, y in ring] for polygon in polygons for ring in polygon]


def _simplify(points: Sequence[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker (iterative): the fewest points within ``tolerance`` of the line."""
    if len(points) < 4:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        worst, at = -1.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            d = abs(dy * (px - ax) - dx * (py - ay)) / norm if norm else math.hypot(px - ax, py - ay)
            if d > worst:
                worst, at = d, i
        if worst > tolerance:
            keep[at] = True
            stack += [(a, at), (at, b)]
    return [p for p, k in zip(points, keep) if k]


def _path(rings: Iterable[Sequence[tuple[float, float]]]) -> str:
    parts = []
    for ring in rings:
        if len(ring) < 3:
            continue
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in ring)
        parts.append(f"M{coords}Z")
    return "".join(parts)


@cache
def theatre_map(theatre: str) -> TheatreMap:
    """The drawing of a theatre's provinces (made once per process)."""
    if theatre not in THEATRES:
        raise KeyError(f"no map of {theatre!r}; maps: {', '.join(THEATRES)}")
    try:
        text = resources.files("cablemirror.warlogs").joinpath("data", "map", THEATRES[theatre]).read_text("utf-8")
        features = json.loads(text)["features"]
        shapes = [(str(f["properties"].get("name", "")), str(f["properties"].get("id", "")), _rings(f["geometry"]))
                  for f in features]  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MapDataError(f"the bundled map of {theatre} cannot be read: {exc}") from None
    lons = [x for _, _, rings in shapes for ring in rings for x, _ in ring]
    lats = [y for _, _, rings in shapes for ring in rings for _, y in ring]
    bounds = (min(lats), min(lons), max(lats), max(lons))
    middle = (bounds[0] + bounds[2]) / 2
    proj = Projection(bounds[1] - MARGIN, bounds[2] + MARGIN, UNIT * math.cos(math.radians(middle)))
    provinces = []
    for name, code, rings in sorted(shapes, key=lambda s: s[0]):
        projected = [_simplify([(proj.x(x), proj.y(y)) for x, y in ring], SIMPLIFY) for ring in rings]
        provinces.append(Province(name, code, _path(projected)))
    return TheatreMap(theatre, THEATRE_NAMES[theatre], bounds, proj, tuple(provinces))


# --------------------------------------------------------------------------- views


def clamp_view(bbox: tuple[float, float, float, float], tm: TheatreMap) -> tuple[float, float, float, float]:
    """``bbox`` kept within the theatre's neighbourhood and no narrower than MIN_VIEW."""
    s, w, n, e = bbox
    hs, hw, hn, he = tm.home
    span_lat, span_lon = hn - hs, he - hw
    lat, lon = (s + n) / 2, (w + e) / 2
    half_lat = min(max((n - s) / 2, MIN_VIEW / 2), span_lat)
    half_lon = min(max((e - w) / 2, MIN_VIEW / 2), span_lon)
    lat = min(max(lat, hs), hn)
    lon = min(max(lon, hw), he)
    return (round(lat - half_lat, 6), round(lon - half_lon, 6), round(lat + half_lat, 6), round(lon + half_lon, 6))


def zoom(bbox: tuple[float, float, float, float], factor: float) -> tuple[float, float, float, float]:
    """The view ``factor`` times narrower (2: zoom in) around the same centre."""
    s, w, n, e = bbox
    lat, lon = (s + n) / 2, (w + e) / 2
    hl, hw = (n - s) / 2 / factor, (e - w) / 2 / factor
    return (lat - hl, lon - hw, lat + hl, lon + hw)


def pan(bbox: tuple[float, float, float, float], north: float, east: float) -> tuple[float, float, float, float]:
    """The view moved by ``north``/``east`` times its own height/width."""
    s, w, n, e = bbox
    dl, dw = (n - s) * north, (e - w) * east
    return (s + dl, w + dw, n + dl, e + dw)


def choose_step(bbox: tuple[float, float, float, float], columns: int = TARGET_COLUMNS) -> float:
    """A cell width (a power of two degrees) giving about ``columns`` cells across."""
    width = max(bbox[3] - bbox[1], MIN_VIEW)
    step = 2.0 ** round(math.log2(width / columns))
    return min(max(step, MIN_STEP), MAX_STEP)


# --------------------------------------------------------------------------- drawing


def _f(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _viewbox(tm: TheatreMap, bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    s, w, n, e = bbox
    p = tm.projection
    return p.x(w), p.y(n), p.x(e) - p.x(w), p.y(s) - p.y(n)


def _base(tm: TheatreMap) -> str:
    """The provinces, defined once and drawn twice: an outline under the filled
    provinces, so only the country's outer edge keeps its thick stroke."""
    ref = f"provinces-{tm.theatre}"
    shapes = "".join(
        f'<path d="{p.path}" vector-effect="non-scaling-stroke"><title>{escape(p.name)}</title></path>'
        for p in tm.provinces
    )
    return (
        f'<defs><g id="{ref}">{shapes}</g></defs>'
        f'<use href="#{ref}" class="country"/><use href="#{ref}" class="provinces"/>'
    )


@cache
def _base_cached(theatre: str) -> str:
    return _base(theatre_map(theatre))


def map_svg(
    tm: TheatreMap,
    bbox: tuple[float, float, float, float],
    bins: ReportBins,
    link: Callable[[ReportBin], str],
    *,
    title: str,
    noun: Callable[[int], str] = lambda n: f"{n:,} report{'s' if n != 1 else ''}",
) -> Markup:
    """The map of ``bbox`` with one circle per bin, each linked with ``link(bin)``."""
    vx, vy, vw, vh = _viewbox(tm, bbox)
    p = tm.projection
    cell = bins.step * p.kx  # a cell's width in units
    peak = max((b.count for b in bins.bins), default=1)
    circles = []
    # Biggest first: small circles stay on top, every one reachable.
    for b in sorted(bins.bins, key=lambda b: (-b.count, b.row, b.col)):
        r = cell * (0.22 + 0.78 * math.sqrt(b.count / peak))
        label = f"{noun(b.count)} around {b.lat:.2f}, {b.lon:.2f}"
        circles.append(
            f'<a href="{escape(link(b))}" aria-label="{escape(label)}" class="bin">'
            f'<circle cx="{_f(p.x(b.lon))}" cy="{_f(p.y(b.lat))}" r="{_f(r)}">'
            f"<title>{escape(label)}</title></circle></a>"
        )
    return Markup(
        f'<svg class="warmap" viewBox="{_f(vx)} {_f(vy)} {_f(vw)} {_f(vh)}" preserveAspectRatio="xMidYMid meet" '
        f'role="group" aria-label="{escape(title)}">'
        f'<rect class="sea" x="{_f(vx)}" y="{_f(vy)}" width="{_f(vw)}" height="{_f(vh)}"/>'
        f"{_base_cached(tm.theatre)}"
        f'<g class="bins">{"".join(circles)}</g></svg>'
    )


def locator_svg(tm: TheatreMap, lat: float, lon: float, *, radius_deg: float = 1.2, label: str = "") -> Markup:
    """A small map around one position with a marker (the report page)."""
    bbox = (lat - radius_deg, lon - radius_deg / math.cos(math.radians(lat)) , lat + radius_deg,
            lon + radius_deg / math.cos(math.radians(lat)))  # fmt: skip
    vx, vy, vw, vh = _viewbox(tm, bbox)
    p = tm.projection
    x, y = p.x(lon), p.y(lat)
    r = vw / 40
    return Markup(
        f'<svg class="warmap locator" viewBox="{_f(vx)} {_f(vy)} {_f(vw)} {_f(vh)}" role="img" '
        f'aria-label="{escape(label or f"Map around {lat:.4f}, {lon:.4f}")}">'
        f'<rect class="sea" x="{_f(vx)}" y="{_f(vy)}" width="{_f(vw)}" height="{_f(vh)}"/>'
        f"{_base_cached(tm.theatre)}"
        f'<g class="marker"><circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r * 2.2)}" class="halo"/>'
        f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" class="dot"/>'
        f'<path d="M{_f(x - r * 3.5)},{_f(y)}H{_f(x - r * 1.4)}M{_f(x + r * 1.4)},{_f(y)}H{_f(x + r * 3.5)}'
        f'M{_f(x)},{_f(y - r * 3.5)}V{_f(y - r * 1.4)}M{_f(x)},{_f(y + r * 1.4)}V{_f(y + r * 3.5)}" '
        f'class="cross" vector-effect="non-scaling-stroke"/></g></svg>'
    )
