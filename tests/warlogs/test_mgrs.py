"""UTM/MGRS conversion, checked against points computed independently.

Three independent references: published reference values (a textbook worked example and
the test points of other MGRS libraries, as numbers), Snyder's USGS power series (a
different formula for the same projection, implemented below), and the length of the
meridian arc by numerical integration.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cablemirror.warlogs import mgrs as m

A, F = m.WGS84_A, m.WGS84_F
E2 = F * (2 - F)


def snyder_forward(lat: float, dlon: float, a: float = A, e2: float = E2, k0: float = m.K0) -> tuple[float, float]:
    """Transverse Mercator by Snyder's series (Map Projections: A Working Manual, eq. 8-9, 8-10)."""
    ep2 = e2 / (1 - e2)
    phi, lam = math.radians(lat), math.radians(dlon)
    n = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    t = math.tan(phi) ** 2
    c = ep2 * math.cos(phi) ** 2
    aa = lam * math.cos(phi)
    mm = a * (
        (1 - e2 / 4 - 3 * e2**2 / 64 - 5 * e2**3 / 256) * phi
        - (3 * e2 / 8 + 3 * e2**2 / 32 + 45 * e2**3 / 1024) * math.sin(2 * phi)
        + (15 * e2**2 / 256 + 45 * e2**3 / 1024) * math.sin(4 * phi)
        - (35 * e2**3 / 3072) * math.sin(6 * phi)
    )
    x = k0 * n * (aa + (1 - t + c) * aa**3 / 6 + (5 - 18 * t + t * t + 72 * c - 58 * ep2) * aa**5 / 120)
    y = k0 * (
        mm
        + n * math.tan(phi) * (aa * aa / 2 + (5 - t + 9 * c + 4 * c * c) * aa**4 / 24
                               + (61 - 58 * t + t * t + 600 * c - 330 * ep2) * aa**6 / 720)
    )  # fmt: skip
    return x, y


def meridian_arc(lat: float, steps: int = 4000) -> float:
    """Distance from the equator along the meridian, by Simpson's rule."""
    phi = math.radians(lat)

    def radius(p: float) -> float:
        return A * (1 - E2) / (1 - E2 * math.sin(p) ** 2) ** 1.5

    h = phi / steps
    total = radius(0) + radius(phi)
    for i in range(1, steps):
        total += (4 if i % 2 else 2) * radius(i * h)
    return total * h / 3


# ---------------------------------------------------------------------------- reference values


def test_textbook_example_clarke_1866() -> None:
    # Snyder's worked example: 40.5N 73.5W on Clarke 1866, central meridian 75W, k0 0.9996.
    tm = m._TransverseMercator(6378206.4, 1 - 6356583.8 / 6378206.4)
    x, y = tm.forward(40.5, 1.5)
    assert x == pytest.approx(127106.5, abs=0.05)
    assert y == pytest.approx(4484124.4, abs=0.05)


@pytest.mark.parametrize(
    ("lat", "lon", "ref"),
    [
        (42.0, -93.0, "15TWG0000049776"),
        (48.24949, 16.4145, "33UXP0500444997"),
        (36.236123461597515, -115.08209766323476, "11SPA7234911844"),
    ],
)
def test_forward_matches_other_libraries(lat: float, lon: float, ref: str) -> None:
    assert m.to_mgrs(lat, lon) == ref


@pytest.mark.parametrize(
    ("ref", "lat", "lon"),
    [
        ("15TWG0000049776", 41.999997975127997, -93.0),
        ("42SUF1230045600", 36.537382825721096, 66.90321654622385),  # in Afghanistan
        ("11SPA7234911844", 36.236123461597515, -115.08209766323476),
    ],
)
def test_south_west_corners_match_other_libraries(ref: str, lat: float, lon: float) -> None:
    got = m.mgrs_to_latlon(ref, centre=False)
    assert got == pytest.approx((lat, lon), abs=1e-8)


def test_grid_coordinates_of_references() -> None:
    ref = m.parse_mgrs("33VVE7220287839")
    assert (ref.zone, ref.band, ref.square, ref.easting, ref.northing, ref.cell) == (33, "V", "VE", 472202, 6487839, 1)
    ref = m.parse_mgrs("24XWT783908")  # 100 m cells; centre 578350 9290850 (GeographicLib's GeoConvert)
    assert (ref.easting + ref.cell / 2, ref.northing + ref.cell / 2) == (578350, 9290850)


# ---------------------------------------------------------------------------- independent formulas


def test_agrees_with_snyder_series_within_a_zone() -> None:
    rng = random.Random(5)
    worst = 0.0
    for _ in range(3000):
        lat, dlon = rng.uniform(-80, 84), rng.uniform(-3, 3)
        x1, y1 = m._WGS84.forward(lat, dlon)
        x2, y2 = snyder_forward(lat, dlon)
        worst = max(worst, math.hypot(x1 - x2, y1 - y2))
    assert worst < 0.005  # metres


@pytest.mark.parametrize("lat", [0.5, 12.0, 29.4, 33.3, 38.5, 60.0, 83.0])
def test_northing_on_the_central_meridian_is_the_scaled_meridian_arc(lat: float) -> None:
    _, northing = m._WGS84.forward(lat, 0.0)
    assert northing == pytest.approx(m.K0 * meridian_arc(lat), abs=0.001)


def test_equator_and_central_meridian() -> None:
    zone, northern, e, n = m.latlon_to_utm(0.0, 69.0)
    assert (zone, northern) == (42, True)
    assert e == pytest.approx(500_000) and n == pytest.approx(0.0, abs=1e-6)


# ---------------------------------------------------------------------------- round trips


@settings(max_examples=300, deadline=None)
@given(st.floats(-80, 84), st.floats(-180, 180), st.integers(0, 5))
def test_point_lies_in_its_own_cell_at_every_precision(lat: float, lon: float, digits: int) -> None:
    ref = m.to_mgrs(lat, lon, digits)
    assert m.mgrs_offset(m.parse_mgrs(ref), lat, lon) == 0.0
    assert m.parse_mgrs(ref).text() == ref


@pytest.mark.parametrize(("lat", "lon"), [(83.99, -21.0), (84.0, 100.0), (-80.0, 5.0), (0.0, 0.0), (-0.001, 0.0)])
def test_cells_at_the_edges_of_the_grid(lat: float, lon: float) -> None:
    for digits in range(6):
        ref = m.to_mgrs(lat, lon, digits)
        assert m.mgrs_offset(m.parse_mgrs(ref), lat, lon) == 0.0, ref


@settings(max_examples=300, deadline=None)
@given(st.floats(-79.99, 83.99), st.floats(-179.999, 179.999))
def test_cell_corner_is_next_to_the_point(lat: float, lon: float) -> None:
    ref = m.to_mgrs(lat, lon)
    corner = m.mgrs_to_latlon(ref, centre=False)
    # The cell's corner lies within its 1 m diagonal of the point (in metres, roughly).
    north = (corner[0] - lat) * 111_320
    east = ((corner[1] - lon + 180) % 360 - 180) * 111_320 * math.cos(math.radians(lat))
    assert math.hypot(north, east) < 1.5


@settings(max_examples=300, deadline=None)
@given(st.floats(-80, 84), st.floats(-180, 180))
def test_utm_round_trip(lat: float, lon: float) -> None:
    zone, northern, e, n = m.latlon_to_utm(lat, lon)
    lat2, lon2 = m.utm_to_latlon(zone, northern, e, n)
    assert lat2 == pytest.approx(lat, abs=1e-9)
    assert (lon2 - lon + 180) % 360 - 180 == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("digits", range(6))
def test_precision(digits: int) -> None:
    ref = m.to_mgrs(34.5553, 69.2075, digits)
    assert len(ref) == 5 + 2 * digits
    assert m.parse_mgrs(ref).cell == 10 ** (5 - digits)
    assert m.mgrs_offset(m.parse_mgrs(ref), 34.5553, 69.2075) == 0.0


def test_neighbouring_zone_reference_is_compared_fairly() -> None:
    # A point just east of 66E (zone 42) written in zone 41: still inside its own cell.
    lat, lon = 32.0, 66.02
    zone, _, e, n = m.latlon_to_utm(lat, lon, 41)
    ref = m.parse_mgrs(f"41R{_square(41, e, n)}{int(e) % 100000:05d}{int(n) % 100000:05d}")
    assert m.mgrs_offset(ref, lat, lon) == 0.0
    assert m.mgrs_offset(ref, lat, lon + 0.01) > 900


def _square(zone: int, e: float, n: float) -> str:
    col = ("ABCDEFGH", "JKLMNPQR", "STUVWXYZ")[(zone - 1) % 3][int(e) // 100000 - 1]
    row = "ABCDEFGHJKLMNPQRSTUV"[(int(n) // 100000 + (5 if zone % 2 == 0 else 0)) % 20]
    return col + row


def test_zone_exceptions() -> None:
    assert m.utm_zone(60.0, 5.0) == 32  # south-west Norway
    assert m.utm_zone(78.0, 8.0) == 31 and m.utm_zone(78.0, 10.0) == 33  # Svalbard
    assert m.utm_zone(34.5, 69.2) == 42 and m.utm_zone(33.3, 44.4) == 38


def test_southern_hemisphere() -> None:
    ref = m.to_mgrs(-33.9, 18.4)
    assert ref.startswith("34H")
    lat, lon = m.mgrs_to_latlon(ref)
    assert (lat, lon) == pytest.approx((-33.9, 18.4), abs=1e-5)


def test_offset_grows_with_distance() -> None:
    ref = m.parse_mgrs(m.to_mgrs(34.5, 69.2, 5))
    zone, _, e, n = m.latlon_to_utm(34.5, 69.2)
    lat, lon = m.utm_to_latlon(zone, True, e + 500, n)
    assert m.mgrs_offset(ref, lat, lon) == pytest.approx(499, abs=2)


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "not an MGRS reference"),
        ("GRID UNKNOWN", "not an MGRS reference"),
        ("42SWD123", "even number"),
        ("42SWD12345678901", "even number"),
        ("61SWD1234", "zone 61"),
        ("42SAD12", "column letter A"),
        ("42XWD1234", "does not lie in latitude band X"),
        ("42SWZ1234", "not an MGRS reference"),  # Z is never a row letter
        ("42SWD 123 45", "different numbers of digits"),
    ],
)
def test_bad_references(text: str, says: str) -> None:
    with pytest.raises(m.MGRSError, match=says):
        m.parse_mgrs(text)


def test_spaces_and_case_are_accepted() -> None:
    assert m.parse_mgrs(" 42s wd 12345 67890 ").text() == "42SWD1234567890"
    assert m.parse_mgrs("4QFJ1234567890").text() == "4QFJ1234567890"


@pytest.mark.parametrize(
    ("lat", "lon"), [(math.nan, 1.0), (1.0, math.inf), (85.0, 1.0), (-80.5, 1.0), (1.0, 181.0), ("1", 2.0)]
)
def test_bad_coordinates(lat: float, lon: float) -> None:
    with pytest.raises(m.MGRSError):
        m.to_mgrs(lat, lon)


def test_bad_arguments() -> None:
    with pytest.raises(m.MGRSError):
        m.to_mgrs(1.0, 1.0, 6)
    with pytest.raises(m.MGRSError):
        m.latlon_to_utm(1.0, 100.0, 1)  # far outside zone 1
    with pytest.raises(m.MGRSError):
        m.utm_to_latlon(0, True, 500000, 0)
    with pytest.raises(m.MGRSError):
        m.parse_mgrs(42)  # type: ignore[arg-type]
