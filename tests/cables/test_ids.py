"""Canonical ids and station names (inputs typed for these tests)."""

import pytest

from cablemirror.cables import canonical_id, make_id, release_id, station
from cablemirror.cables.ids import split_id, two_digit_year


@pytest.mark.parametrize("raw, expected", [
    ("05ALMATY2985", "05ALMATY2985"),
    ("05ALMATY002985", "05ALMATY2985"),
    ("05RIODEJAN123", "05RIODEJANEIRO123"),
    ("06PORT-OF-SPAIN77", "06PORTOFSPAIN77"),
    ("08SCTION02OF02SAOPAULO335", "08SAOPAULO335"),
    ("7575LIBREVILLE1895", "75LIBREVILLE1895"),
    ("09EFTOLONDON2468", "09LONDON2468"),
    ("09AMEMBASSYHANOI11", "09HANOI11"),
    ("07OSLO000160ZDK164", "07OSLO160"),
    ("90STATE255577TOSEC140323", "90STATE255577"),
    ("2004CARACA01540", "04CARACAS1540"),  # truncated station, four-digit year
    ("07KINHASA12", "07KINSHASA12"),  # one letter missing
    ("03WELLINGOTN4", "03WELLINGTON4"),  # two letters swapped
    ("10CARACAS187_some_suffix", "10CARACAS187"),
])
def test_canonical_id(raw, expected):
    assert canonical_id(raw) == expected


def test_canonical_id_keeps_unreadable_input_cleaned():
    assert canonical_id("no id here") == "NOIDHERE"
    assert canonical_id("") == ""
    assert canonical_id(None) == ""  # type: ignore[arg-type]


def test_station_aliases_and_spacing():
    assert station("Sao Paulo") == "SAOPAULO"
    assert station("HCMC") == "HOCHIMINHCITY"
    assert station("N'DJAMENA") == "NDJAMENA"
    assert station("0TTAWA") == "OTTAWA"  # zero read for O
    assert station("USUN NEW YORK") == "USUNNEWYORK"
    assert station("BRASILA") == "BRASILIA"
    assert station("POINTS") is None
    assert station("BRASILA", fuzzy=False) is None


def test_make_id_and_years():
    assert make_id(2005, "ALMATY", "002985") == "05ALMATY2985"
    assert make_id("94", "QUITO", 841) == "94QUITO841"
    assert make_id(2005, "NOWHERE LAND", 1) is None
    assert make_id(2005, "ALMATY", "0000") is None
    assert two_digit_year("094") == "94"
    assert two_digit_year("abc") is None


def test_split_and_release_id():
    assert split_id("05ALMATY2985") == ("05", "ALMATY", 2985)
    assert split_id("nothing") is None
    # A well-formed release id is kept as the release wrote it (TAIPEI before AITTAIPEI),
    # a malformed one is canonicalised.
    assert release_id("04TAIPEI3043") == "04TAIPEI3043"
    assert canonical_id("04TAIPEI3043") == "04AITTAIPEI3043"
    assert release_id("08SCTION02OF02SAOPAULO335") == "08SAOPAULO335"
