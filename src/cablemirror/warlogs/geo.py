"""The two theatres of the war logs: coarse borders, regions, and places.

``data/borders.tsv`` holds a coarse outline of Afghanistan and of Iraq (tens of
vertices, written for cablemirror); ``data/places.tsv`` a few dozen district centres
and towns with the regional command (Afghanistan) or division (Iraq) that covered
them.  The generator places reports around those places, inside the outline; the
parser uses the outline's bounding box to notice positions far outside the theatre
(or with latitude and longitude swapped).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Place", "Theatre", "THEATRES", "theatre", "GeoDataError"]

THEATRES = ("afghanistan", "iraq")
UNKNOWN_REGION = "UNKNOWN"


class GeoDataError(ValueError):
    """A data file of this package is malformed (a packaging bug, not user input)."""


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    province: str
    region: str
    lat: float
    lon: float
    weight: int


@dataclass(frozen=True, slots=True)
class Theatre:
    name: str
    border: tuple[tuple[float, float], ...]  # (lon, lat) vertices, closed implicitly
    places: tuple[Place, ...]
    regions: tuple[str, ...]  # region values, in first-seen order of the places, UNKNOWN last
    bbox: tuple[float, float, float, float]  # (min_lat, max_lat, min_lon, max_lon) of the outline

    def in_bbox(self, lat: float, lon: float, margin: float = 0.5) -> bool:
        """Inside the outline's bounding box grown by ``margin`` degrees (the outline is
        coarse, and real reports near a border may lie just across it)."""
        lo_lat, hi_lat, lo_lon, hi_lon = self.bbox
        return lo_lat - margin <= lat <= hi_lat + margin and lo_lon - margin <= lon <= hi_lon + margin

    def contains(self, lat: float, lon: float) -> bool:
        """Inside the coarse outline (even-odd ray casting)."""
        inside = False
        pts = self.border
        j = len(pts) - 1
        for i in range(len(pts)):
            xi, yi = pts[i]
            xj, yj = pts[j]
            if (yi > lat) != (yj > lat):
                x_cross = xi + (lat - yi) * (xj - xi) / (yj - yi)
                if lon < x_cross:
                    inside = not inside
            j = i
        return inside


def _rows(name: str) -> list[list[str]]:
    text = resources.files(__package__).joinpath("data", name).read_text("utf-8")
    rows = []
    header_seen = False
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            continue
        rows.append(line.split("\t"))
    return rows


@cache
def theatre(name: str) -> Theatre:
    """The theatre named ``afghanistan`` or ``iraq``."""
    if name not in THEATRES:
        raise KeyError(f"unknown theatre {name!r}; known: {', '.join(THEATRES)}")
    border = []
    for i, row in enumerate(_rows("borders.tsv")):
        if len(row) != 3:
            raise GeoDataError(f"borders.tsv row {i + 1}: expected 3 columns, got {len(row)}")
        if row[0] == name:
            border.append((float(row[1]), float(row[2])))
    places = []
    for i, row in enumerate(_rows("places.tsv")):
        if len(row) != 7:
            raise GeoDataError(f"places.tsv row {i + 1}: expected 7 columns, got {len(row)}")
        if row[0] == name:
            places.append(Place(row[1], row[2], row[3], float(row[4]), float(row[5]), int(row[6])))
    if len(border) < 3 or not places:
        raise GeoDataError(f"no outline or no places for theatre {name!r}")
    regions = (*dict.fromkeys(p.region for p in places), UNKNOWN_REGION)
    lons = [v[0] for v in border]
    lats = [v[1] for v in border]
    return Theatre(name, tuple(border), tuple(places), regions, (min(lats), max(lats), min(lons), max(lons)))
