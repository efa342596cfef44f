"""The bundled map data is the amCharts geodata listed in its SOURCE.md, with its licence
file unchanged (the licence's condition for bundling)."""

from __future__ import annotations

import hashlib
import json
import re
from importlib import resources
from pathlib import Path

MAP_DIR = Path(str(resources.files("cablemirror.warlogs").joinpath("data", "map")))


def test_every_file_is_listed_with_its_hash():
    source = (MAP_DIR / "SOURCE.md").read_text("utf-8")
    listed = dict(re.findall(r"^\| `([^`]+)` \| .+? \| `([0-9a-f]{64})` \|$", source, flags=re.M))
    files = {p.name for p in MAP_DIR.iterdir() if p.name != "SOURCE.md" and not p.name.startswith(".")}
    assert set(listed) == files == {"afghanistanLow.json", "iraqLow.json", "LICENSE-amcharts-geodata.md"}
    for name, digest in listed.items():
        assert hashlib.sha256((MAP_DIR / name).read_bytes()).hexdigest() == digest, name
    assert "@amcharts/amcharts5-geodata" in source and "5.1.6" in source


def test_the_licence_is_amcharts_linkware():
    text = (MAP_DIR / "LICENSE-amcharts-geodata.md").read_text("utf-8")
    assert text.startswith("## Free amCharts license") and "linkware" in text


def test_the_geojson():
    for name, provinces in (("afghanistanLow.json", 34), ("iraqLow.json", 19)):
        data = json.loads((MAP_DIR / name).read_text("utf-8"))
        assert data["type"] == "FeatureCollection" and len(data["features"]) == provinces
        for f in data["features"]:
            assert f["geometry"]["type"] in ("Polygon", "MultiPolygon") and f["properties"]["name"]
