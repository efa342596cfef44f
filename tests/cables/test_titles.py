"""Title case for subject lines (lines typed for these tests)."""

import pytest

from cablemirror.cables import titlefy


@pytest.mark.parametrize("raw, expected", [
    ("SLOW START FOR THE NEW CABINET", "Slow Start for the New Cabinet"),
    ("IRAQ: PM MEETS WITH HMG ENVOY ON U.S.-UK PLAN", "Iraq: PM Meets With HMG Envoy on U.S.-UK Plan"),
    ("THE GOL'S VIEW - A SUMMARY", "The GOL's View - A Summary"),
    ("WHAT NEXT?: THE VIEW FROM (SOUTHERN) PROVINCES", "What Next?: The View From (Southern) Provinces"),
    ("\"WE'LL SEE\" SAYS MINISTER", "\"We'll See\" Says Minister"),
    ("TITLE III OF THE 55TH SESSION", "Title III of the 55th Session"),
    ("SOCIO-ECONOMIC CHANGE IN NSC-DIRECTED REVIEW", "Socio-Economic Change in NSC-Directed Review"),
    ("Already Written In Mixed Case", "Already Written In Mixed Case"),
    ("  SPACES   AROUND  ", "Spaces Around"),
])
def test_titlefy(raw, expected):
    assert titlefy(raw) == expected


def test_titlefy_odd_input():
    assert titlefy("") == ""
    assert titlefy(None) == ""  # type: ignore[arg-type]
    assert titlefy("1234 // --") == "1234 // --"
