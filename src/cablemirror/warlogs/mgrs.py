"""UTM and MGRS grid references <-> latitude/longitude (WGS84), in pure Python.

War-diary reports give a place twice: an MGRS grid reference (``42SWB1234567890``)
and a latitude/longitude.  This module converts between the two so the parser can
check that they agree, and so the generator can write references that do.

UTM is the transverse Mercator projection computed with Krüger's series in the form
published by Karney (2011), to sixth order in the third flattening: sub-millimetre
within a zone and still accurate several degrees outside one (the parser projects a
point into the zone the reference names, which may be the neighbouring zone).

MGRS is UTM plus letters: the grid zone (``42S``: UTM zone and an 8-degree latitude
band), the 100 km square (column letter from the easting, row letter from the
northing, lettered per zone set) and 0-5 digits each of easting and northing inside
the square.  A reference names the south-west corner of a cell; the cell's size
follows from the number of digits (5 digits: 1 m, 0 digits: 100 km).  Polar regions
(UPS, beyond 84N and 80S) are not supported: no war-diary record lies there.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "MGRSError",
    "GridRef",
    "latlon_to_utm",
    "utm_to_latlon",
    "utm_zone",
    "latitude_band",
    "to_mgrs",
    "parse_mgrs",
    "mgrs_to_latlon",
    "mgrs_offset",
]

K0 = 0.9996  # UTM scale on the central meridian
FALSE_EASTING = 500_000.0
FALSE_NORTHING_SOUTH = 10_000_000.0
WGS84_A = 6_378_137.0
WGS84_F = 1 / 298.257223563

BANDS = "CDEFGHJKLMNPQRSTUVWX"  # 8-degree bands from 80S; X spans 72N-84N
_COLUMN_SETS = ("ABCDEFGH", "JKLMNPQR", "STUVWXYZ")  # 100 km column letters, by (zone - 1) % 3
_ROW_LETTERS = "ABCDEFGHJKLMNPQRSTUV"  # 20 letters, I and O left out; repeats every 2,000 km


class MGRSError(ValueError):
    """A grid reference or coordinate that cannot be converted; the message says why."""


class _TransverseMercator:
    """Krüger-series transverse Mercator for one ellipsoid (the tests use a second one)."""

    def __init__(self, a: float, f: float) -> None:
        n = f / (2 - f)
        n2, n3, n4, n5, n6 = n**2, n**3, n**4, n**5, n**6
        self.e = math.sqrt(f * (2 - f))
        # Radius of the rectifying sphere: 2*pi*A is the length of a meridian circle.
        self.A = a / (1 + n) * (1 + n2 / 4 + n4 / 64 + n6 / 256)
        self.alpha = (
            n / 2 - 2 * n2 / 3 + 5 * n3 / 16 + 41 * n4 / 180 - 127 * n5 / 288 + 7891 * n6 / 37800,
            13 * n2 / 48 - 3 * n3 / 5 + 557 * n4 / 1440 + 281 * n5 / 630 - 1983433 * n6 / 1935360,
            61 * n3 / 240 - 103 * n4 / 140 + 15061 * n5 / 26880 + 167603 * n6 / 181440,
            49561 * n4 / 161280 - 179 * n5 / 168 + 6601661 * n6 / 7257600,
            34729 * n5 / 80640 - 3418889 * n6 / 1995840,
            212378941 * n6 / 319334400,
        )
        self.beta = (
            n / 2 - 2 * n2 / 3 + 37 * n3 / 96 - n4 / 360 - 81 * n5 / 512 + 96199 * n6 / 604800,
            n2 / 48 + n3 / 15 - 437 * n4 / 1440 + 46 * n5 / 105 - 1118711 * n6 / 3870720,
            17 * n3 / 480 - 37 * n4 / 840 - 209 * n5 / 4480 + 5569 * n6 / 90720,
            4397 * n4 / 161280 - 11 * n5 / 504 - 830251 * n6 / 7257600,
            4583 * n5 / 161280 - 108847 * n6 / 3991680,
            20648693 * n6 / 638668800,
        )

    def forward(self, lat: float, dlon: float, k0: float = K0) -> tuple[float, float]:
        """(x, y) in metres from the central meridian and the equator; ``dlon`` in degrees."""
        phi, lam = math.radians(lat), math.radians(dlon)
        e = self.e
        sin_phi = math.sin(phi)
        # Conformal latitude, as its tangent.
        t = math.sinh(math.atanh(sin_phi) - e * math.atanh(e * sin_phi))
        xi1 = math.atan2(t, math.cos(lam))
        eta1 = math.atanh(math.sin(lam) / math.sqrt(1 + t * t))
        xi, eta = xi1, eta1
        for j, a in enumerate(self.alpha, start=1):
            xi += a * math.sin(2 * j * xi1) * math.cosh(2 * j * eta1)
            eta += a * math.cos(2 * j * xi1) * math.sinh(2 * j * eta1)
        return k0 * self.A * eta, k0 * self.A * xi

    def inverse(self, x: float, y: float, k0: float = K0) -> tuple[float, float]:
        """(lat, dlon) in degrees from (x, y) as ``forward`` gives them."""
        xi, eta = y / (k0 * self.A), x / (k0 * self.A)
        xi1, eta1 = xi, eta
        for j, b in enumerate(self.beta, start=1):
            xi1 -= b * math.sin(2 * j * xi) * math.cosh(2 * j * eta)
            eta1 -= b * math.cos(2 * j * xi) * math.sinh(2 * j * eta)
        sinh_eta1 = math.sinh(eta1)
        cos_xi1 = math.cos(xi1)
        lam = math.atan2(sinh_eta1, cos_xi1)
        # tan of the conformal latitude, then Newton's method for tan(phi) (Karney 2011, eq. 19-21).
        tau1 = math.sin(xi1) / math.hypot(sinh_eta1, cos_xi1)
        e = self.e
        tau = tau1
        for _ in range(8):
            sigma = math.sinh(e * math.atanh(e * tau / math.sqrt(1 + tau * tau)))
            tau_i = tau * math.sqrt(1 + sigma * sigma) - sigma * math.sqrt(1 + tau * tau)
            step = (
                (tau1 - tau_i)
                / math.sqrt(1 + tau_i * tau_i)
                * (1 + (1 - e * e) * tau * tau)
                / ((1 - e * e) * math.sqrt(1 + tau * tau))
            )
            tau += step
            if abs(step) < 1e-14:
                break
        return math.degrees(math.atan(tau)), math.degrees(lam)


_WGS84 = _TransverseMercator(WGS84_A, WGS84_F)


def _check_latlon(lat: float, lon: float) -> None:
    if not (isinstance(lat, (int, float)) and isinstance(lon, (int, float))):
        raise MGRSError(f"latitude and longitude must be numbers, not {lat!r}, {lon!r}")
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise MGRSError(f"latitude/longitude not finite: {lat!r}, {lon!r}")
    if not -80.0 <= lat <= 84.0:
        raise MGRSError(f"latitude {lat} is outside UTM (80S to 84N); polar grids are not supported")
    if not -180.0 <= lon <= 180.0:
        raise MGRSError(f"longitude {lon} is outside -180..180")


def utm_zone(lat: float, lon: float) -> int:
    """The UTM zone of a point, with the Norway and Svalbard exceptions."""
    _check_latlon(lat, lon)
    zone = min(int((lon + 180) // 6) + 1, 60)
    if 56 <= lat < 64 and 3 <= lon < 12:
        return 32
    if 72 <= lat <= 84 and 0 <= lon < 42:
        if lon < 9:
            return 31
        if lon < 21:
            return 33
        if lon < 33:
            return 35
        return 37
    return zone


def latitude_band(lat: float) -> str:
    """The MGRS latitude band letter (C..X)."""
    if not -80.0 <= lat <= 84.0:
        raise MGRSError(f"latitude {lat} has no MGRS band (80S to 84N)")
    return BANDS[min(int((lat + 80) // 8), len(BANDS) - 1)]


def _central_meridian(zone: int) -> float:
    return (zone - 1) * 6 - 180 + 3


def latlon_to_utm(lat: float, lon: float, zone: int | None = None) -> tuple[int, bool, float, float]:
    """(zone, northern, easting, northing) of a point; ``zone`` forces a zone (e.g. a
    neighbour's, to compare with a reference written in it)."""
    _check_latlon(lat, lon)
    if zone is None:
        zone = utm_zone(lat, lon)
    elif not 1 <= zone <= 60:
        raise MGRSError(f"UTM zone {zone} is not 1..60")
    dlon = (lon - _central_meridian(zone) + 180) % 360 - 180
    if abs(dlon) > 30:
        raise MGRSError(f"longitude {lon} is too far from zone {zone} to project")
    x, y = _WGS84.forward(lat, dlon)
    northern = lat >= 0
    return zone, northern, FALSE_EASTING + x, y + (0.0 if northern else FALSE_NORTHING_SOUTH)


def utm_to_latlon(zone: int, northern: bool, easting: float, northing: float) -> tuple[float, float]:
    """(lat, lon) of a UTM coordinate."""
    if not 1 <= zone <= 60:
        raise MGRSError(f"UTM zone {zone} is not 1..60")
    if not (math.isfinite(easting) and math.isfinite(northing)):
        raise MGRSError("easting/northing not finite")
    y = northing if northern else northing - FALSE_NORTHING_SOUTH
    lat, dlon = _WGS84.inverse(easting - FALSE_EASTING, y)
    lon = (_central_meridian(zone) + dlon + 180) % 360 - 180
    return lat, lon


def to_mgrs(lat: float, lon: float, digits: int = 5) -> str:
    """The MGRS reference of the cell holding the point, ``digits`` (0-5) each of
    easting and northing: ``to_mgrs(34.5, 69.2)`` -> ``'42SWD...'``."""
    if not isinstance(digits, int) or not 0 <= digits <= 5:
        raise MGRSError(f"digits must be 0..5, not {digits!r}")
    zone, _northern, easting, northing = latlon_to_utm(lat, lon)
    band = latitude_band(lat)
    # Truncate (never round): a reference names the cell the point lies in.
    e_m, n_m = math.floor(easting), math.floor(northing)
    col = _COLUMN_SETS[(zone - 1) % 3][e_m // 100_000 - 1]
    row = _ROW_LETTERS[(n_m // 100_000 + (5 if zone % 2 == 0 else 0)) % 20]
    cell = 10 ** (5 - digits)
    e_in, n_in = (e_m % 100_000) // cell, (n_m % 100_000) // cell
    tail = f"{e_in:0{digits}d}{n_in:0{digits}d}" if digits else ""
    return f"{zone}{band}{col}{row}{tail}"


@dataclass(frozen=True, slots=True)
class GridRef:
    """A parsed MGRS reference: its zone and the UTM coordinates of its cell."""

    zone: int
    band: str
    square: str  # the two 100 km square letters
    easting: float  # of the cell's south-west corner
    northing: float
    cell: float  # the cell's side in metres (1, 10, 100, 1000, 10000 or 100000)

    @property
    def northern(self) -> bool:
        return self.band >= "N"

    def text(self) -> str:
        """The canonical written form (no spaces, zone without a leading zero)."""
        digits = {1.0: 5, 10.0: 4, 100.0: 3, 1000.0: 2, 10000.0: 1, 100000.0: 0}[self.cell]
        tail = ""
        if digits:
            e = int(self.easting % 100_000 // self.cell)
            n = int(self.northing % 100_000 // self.cell)
            tail = f"{e:0{digits}d}{n:0{digits}d}"
        return f"{self.zone}{self.band}{self.square}{tail}"


_MGRS_RE = re.compile(r"(\d{1,2})\s*([C-HJ-NP-X])\s*([A-HJ-NP-Z])([A-HJ-NP-V])\s*(\d*)\s*(\d*)")


@lru_cache(maxsize=None)
def _band_northings(zone: int, band: str) -> tuple[float, float, float]:
    """(floor, low, high) for a latitude band in a zone: ``floor`` is the whole 100 km
    below its lowest northing (where the 2,000 km cycle of row letters is anchored);
    a cell whose northing lies outside ``low``..``high`` (the band grown by a degree of
    latitude each way) does not belong to the band.  Parallels bend poleward, so the
    extremes lie on the central meridian or at the zone's edge."""
    south = -80 + 8 * BANDS.index(band)
    north = south + (12 if band == "X" else 8)
    # In the band's own hemisphere convention, even a degree across the equator.
    offset = 0.0 if band >= "N" else FALSE_NORTHING_SOUTH

    def northings(lat: float) -> list[float]:  # the series holds beyond 80S/84N too
        return [_WGS84.forward(lat, d)[1] + offset for d in (0.0, 3.0)]

    floor = math.floor(min(northings(south)) / 100_000) * 100_000
    return floor, min(northings(south - 1.0)), max(northings(north + 1.0))


def parse_mgrs(text: str) -> GridRef:
    """Parse an MGRS reference (spaces allowed, any case); MGRSError says what is wrong."""
    if not isinstance(text, str):
        raise MGRSError(f"an MGRS reference is text, not {type(text).__name__}")
    s = text.strip().upper()
    m = _MGRS_RE.fullmatch(s)
    if m is None:
        raise MGRSError(f"{text!r} is not an MGRS reference (like 42SWD1234567890)")
    zone, band, col, row = int(m.group(1)), m.group(2), m.group(3), m.group(4)
    digits = m.group(5) + m.group(6)
    if m.group(6) and len(m.group(5)) != len(m.group(6)):
        raise MGRSError(f"{text!r}: easting and northing have different numbers of digits")
    if not 1 <= zone <= 60:
        raise MGRSError(f"{text!r}: UTM zone {zone} is not 1..60")
    if len(digits) % 2 or len(digits) > 10:
        raise MGRSError(f"{text!r}: {len(digits)} digits; a reference has an even number, at most 10")
    cols = _COLUMN_SETS[(zone - 1) % 3]
    if col not in cols:
        raise MGRSError(f"{text!r}: column letter {col} is not used in zone {zone} (its letters are {cols})")
    half = len(digits) // 2
    cell = 10.0 ** (5 - half)
    e_in = int(digits[:half]) * cell if half else 0.0
    n_in = int(digits[half:]) * cell if half else 0.0
    easting = (cols.index(col) + 1) * 100_000 + e_in
    row_offset = 5 if zone % 2 == 0 else 0
    n_cycle = ((_ROW_LETTERS.index(row) - row_offset) % 20) * 100_000 + n_in
    # The row letters repeat every 2,000 km: the band says which repetition.
    floor, low, high = _band_northings(zone, band)
    northing = n_cycle
    while northing < floor:
        northing += 2_000_000
    # A square whose northing lies outside the band was mistyped.
    if not low <= northing + cell / 2 <= high:
        raise MGRSError(f"{text!r}: square {col}{row} does not lie in latitude band {band} of zone {zone}")
    return GridRef(zone, band, col + row, easting, northing, cell)


def mgrs_to_latlon(text: str, *, centre: bool = True) -> tuple[float, float]:
    """(lat, lon) of the cell's centre (or its south-west corner with ``centre=False``)."""
    ref = parse_mgrs(text)
    half = ref.cell / 2 if centre else 0.0
    return utm_to_latlon(ref.zone, ref.northern, ref.easting + half, ref.northing + half)


def mgrs_offset(ref: GridRef, lat: float, lon: float) -> float:
    """How far (metres, on the grid) the point lies outside the reference's cell; 0 inside.

    The point is projected into the reference's own zone, so a reference written in a
    neighbouring zone (as happens near zone edges) is compared fairly.
    """
    _, _, e, n = latlon_to_utm(lat, lon, ref.zone)
    if not ref.northern and lat >= 0:
        n += FALSE_NORTHING_SOUTH
    elif ref.northern and lat < 0:
        n -= FALSE_NORTHING_SOUTH
    de = max(ref.easting - e, 0.0, e - (ref.easting + ref.cell))
    dn = max(ref.northing - n, 0.0, n - (ref.northing + ref.cell))
    return math.hypot(de, dn)
