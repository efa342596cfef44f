"""Record JSON: the same data back, with or without orjson."""

from __future__ import annotations

import json

import pytest

from cablemirror.store import jsonio

RECORD = {"id": "09X1", "subject": "CAFÉ ÜBER ĀĒ 日本 🙂", "n": 3, "partial": False, "tags": ["A", "B"], "x": None}


@pytest.fixture(params=["orjson", "stdlib"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "stdlib":
        monkeypatch.setattr(jsonio, "_orjson", None)
    elif jsonio._orjson is None:
        pytest.skip("orjson is not installed")
    return request.param


def test_round_trip(backend: str) -> None:
    text, valid = jsonio.dumps_checked(RECORD)
    assert valid and jsonio.loads(text) == RECORD and json.loads(text) == RECORD
    text.encode("utf-8")


def test_lone_surrogates_are_replaced(backend: str) -> None:
    text, valid = jsonio.dumps_checked({"s": "A\udce9B", "l": ["\ud800"], "\udcff": 1})
    assert not valid
    assert jsonio.loads(text) == {"s": "A\ufffdB", "l": ["\ufffd"], "\ufffd": 1}
    text.encode("utf-8")


def test_non_json_data_is_a_type_error(backend: str) -> None:
    with pytest.raises(TypeError):
        jsonio.dumps({"x": object()})
