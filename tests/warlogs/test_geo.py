"""The theatres' outlines and places (data written for cablemirror)."""

from __future__ import annotations

import pytest

from cablemirror.warlogs.geo import THEATRES, UNKNOWN_REGION, theatre


@pytest.mark.parametrize("name", THEATRES)
def test_every_place_lies_inside_its_outline(name: str) -> None:
    t = theatre(name)
    assert len(t.border) >= 30 and len(t.places) >= 30
    outside = [p.name for p in t.places if not t.contains(p.lat, p.lon)]
    assert outside == []


def test_outlines_are_where_the_countries_are() -> None:
    afg, irq = theatre("afghanistan"), theatre("iraq")
    assert afg.contains(34.53, 69.17) and afg.contains(31.61, 65.71)  # Kabul, Kandahar
    assert not afg.contains(33.69, 73.05) and not afg.contains(35.69, 51.39)  # Islamabad, Tehran
    assert not afg.contains(39.65, 66.96)  # Samarkand, north of the Amu Darya
    assert irq.contains(33.31, 44.37) and not irq.contains(33.51, 36.28)  # Baghdad; Damascus
    lo_lat, hi_lat, lo_lon, hi_lon = afg.bbox
    assert 29 < lo_lat < 30 and 38 < hi_lat < 39 and 60 < lo_lon < 61 and 74.5 < hi_lon < 75.5


def test_regions() -> None:
    afg = ("RC CAPITAL", "RC EAST", "RC SOUTH", "RC WEST", "RC NORTH", UNKNOWN_REGION)
    assert theatre("afghanistan").regions == afg
    irq = {"MND-BAGHDAD", "MNF-W", "MND-N", "MND-C", "MND-SE", "MND-NE", UNKNOWN_REGION}
    assert set(theatre("iraq").regions) == irq


def test_bbox_margin() -> None:
    afg = theatre("afghanistan")
    assert afg.in_bbox(29.2, 65.0) and not afg.in_bbox(29.2, 65.0, margin=0.0)
    assert not afg.in_bbox(51.5, -0.12)


def test_unknown_theatre() -> None:
    with pytest.raises(KeyError, match="unknown theatre"):
        theatre("vietnam")
