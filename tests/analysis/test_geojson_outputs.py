"""The GIS outputs of ``campaign export`` are valid GeoJSON (structure checks)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from campaign.analysis.geojson_export import export_geojson

REPLAY = Path(__file__).resolve().parents[2] / "replays" / "kaunas_1919"
GEOMETRIES = {"Point", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}


def _check_position(pos) -> None:
    assert isinstance(pos, list) and len(pos) == 2
    lon, lat = pos
    assert -180 <= lon <= 180 and -90 <= lat <= 90


def _positions(geometry):
    kind, coords = geometry["type"], geometry["coordinates"]
    depth = {"Point": 0, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}
    stack = [(coords, depth[kind])]
    while stack:
        item, d = stack.pop()
        if d == 0:
            yield item
        else:
            assert isinstance(item, list) and item
            stack.extend((x, d - 1) for x in item)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, dict]:
    if not (REPLAY / "events.jsonl").is_file():
        pytest.skip("shipped replay missing")
    folder = tmp_path_factory.mktemp("export")
    shutil.copy(REPLAY / "events.jsonl", folder / "events.jsonl")
    return {p.name: json.loads(p.read_text()) for p in export_geojson(folder)}


def test_every_output_is_a_feature_collection_in_crs84(exported) -> None:
    assert {
        "units.geojson",
        "places.geojson",
        "reference_lines.geojson",
        "territory.geojson",
        "frontlines.geojson",
    } <= set(exported)
    for data in exported.values():
        assert data["type"] == "FeatureCollection"
        assert data["crs"]["properties"]["name"] == "urn:ogc:def:crs:OGC:1.3:CRS84"
        for feature in data["features"]:
            assert feature["type"] == "Feature" and isinstance(feature["properties"], dict)
            assert feature["geometry"]["type"] in GEOMETRIES
            for pos in _positions(feature["geometry"]):
                _check_position(pos)


def test_units_are_points_per_unit_per_day(exported) -> None:
    features = exported["units.geojson"]["features"]
    props = features[0]["properties"]
    assert {"date", "unit", "side", "kind", "men"} <= set(props)
    keys = [(f["properties"]["date"], f["properties"]["unit"]) for f in features]
    assert len(keys) == len(set(keys))
    assert len({k[0] for k in keys}) == 21  # every day of the run


def test_places_and_reference_lines(exported) -> None:
    places = {f["properties"]["id"] for f in exported["places.geojson"]["features"]}
    assert {"kaunas", "daugai"} <= places
    ids = [f["properties"]["id"] for f in exported["reference_lines.geojson"]["features"]]
    assert "german_soviet_1919" in ids
