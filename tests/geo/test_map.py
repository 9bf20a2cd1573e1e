"""Tests of the theatre map package ``campaign.geo`` (gazetteer, network, base map)."""

from __future__ import annotations

import re

import networkx as nx
import pytest
import yaml
from shapely.geometry import LineString, Point

from campaign.geo import (
    Link,
    build_theatre,
    great_circle_km,
    load_gazetteer,
    load_lakes,
    load_outline,
    load_rivers,
    load_theatre,
    parse_gazetteer,
    parse_links,
    theatre_bounds,
    theatre_polygon,
)
from campaign.geo.network import RAIL_WINDING, ROAD_WINDING

BOX = (20.5, 53.4, 28.5, 57.0)  # min_lon, min_lat, max_lon, max_lat (degrees)


def _inside_box(lon: float, lat: float) -> bool:
    return BOX[0] <= lon <= BOX[2] and BOX[1] <= lat <= BOX[3]


def _coords(geometry: dict) -> list[list[float]]:
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "LineString":
        return coords
    if kind == "Polygon":
        return [pt for ring in coords for pt in ring]
    if kind == "MultiPolygon":
        return [pt for poly in coords for ring in poly for pt in ring]
    raise AssertionError(f"unexpected geometry {kind}")


# --- distances -------------------------------------------------------------------------


def test_great_circle_known_values() -> None:
    assert great_circle_km(54.0, 24.0, 54.0, 24.0) == 0.0
    # one degree of latitude on the 6371.0088 km sphere
    assert great_circle_km(54.0, 24.0, 55.0, 24.0) == pytest.approx(111.195, abs=0.01)


def test_kaunas_vilnius_distance() -> None:
    assert load_theatre().distance_km("kaunas", "vilnius") == pytest.approx(92.0, abs=3.0)


def test_kaunas_kedainiai_distance() -> None:
    # straight line between the town centres is ~44 km (the road is ~50 km)
    assert load_theatre().distance_km("kaunas", "kedainiai") == pytest.approx(44.0, abs=3.0)


def test_ukmerge_utena_distance() -> None:
    assert load_theatre().distance_km("ukmerge", "utena") == pytest.approx(60.0, abs=5.0)


def test_distance_is_symmetric() -> None:
    theatre = load_theatre()
    assert theatre.distance_km("seta", "griva") == pytest.approx(
        theatre.distance_km("griva", "seta")
    )


# --- gazetteer ---------------------------------------------------------------------------


def test_gazetteer_ids_are_slugs_and_names_set() -> None:
    places = load_gazetteer()
    assert len(places) >= 60
    for pid, place in places.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", pid), pid
        assert place.id == pid
        assert place.name.strip()
        assert place.source.strip()


def test_gazetteer_required_places_and_names() -> None:
    places = load_gazetteer()
    assert places["kedainiai"].name == "Kėdainiai"
    assert places["seta"].name == "Šėta"
    assert places["ukmerge"].name == "Ukmergė"
    assert "Wiłkomierz" in places["ukmerge"].other_names
    assert places["griva"].name == "Grīva"
    assert places["griva"].country == "LV"
    assert places["grodno"].name == "Gardinas"
    assert places["daugavpils"].name == "Daugavpils"


def test_all_place_coordinates_inside_box() -> None:
    for place in load_gazetteer().values():
        assert _inside_box(place.lon, place.lat), place.id


def test_terrain_classes() -> None:
    places = load_gazetteer()
    for pid in ("zarasai", "utena", "dukstas", "turmantas", "antaliepte", "salakas", "dusetos"):
        assert places[pid].terrain == "lakes", pid
    for pid in ("kaunas", "vilnius", "daugavpils", "grodno", "siauliai", "panevezys"):
        assert places[pid].terrain == "town", pid


def test_load_gazetteer_returns_fresh_dict() -> None:
    first = load_gazetteer()
    first.pop("kaunas")
    assert "kaunas" in load_gazetteer()


def _doc(**overrides: object) -> dict:
    place = {
        "id": "abc",
        "name": "Abc",
        "lat": 55.0,
        "lon": 24.0,
        "kind": "town",
        "terrain": "open",
        "country": "LT",
    }
    place.update(overrides)
    return {"places": [place]}


def test_parse_gazetteer_rejects_bad_entries() -> None:
    assert parse_gazetteer(_doc())["abc"].lat == 55.0
    with pytest.raises(ValueError, match="slug"):
        parse_gazetteer(_doc(id="Kaunas"))
    with pytest.raises(ValueError, match="lat"):
        parse_gazetteer(_doc(lat=95.0))
    with pytest.raises(ValueError, match="lon"):
        parse_gazetteer(_doc(lon=-200.0))
    with pytest.raises(ValueError, match="terrain"):
        parse_gazetteer(_doc(terrain="swamp"))
    doc = _doc()
    doc["places"].append(dict(doc["places"][0]))
    with pytest.raises(ValueError, match="duplicate place id 'abc'"):
        parse_gazetteer(doc)


# --- network -----------------------------------------------------------------------------


def test_graph_is_connected_and_every_place_linked() -> None:
    theatre = load_theatre()
    assert set(theatre.graph.nodes) == set(theatre.places)
    assert nx.is_connected(theatre.graph)
    for pid in theatre.places:
        assert theatre.neighbours(pid), pid


def test_link_lengths_are_plausible() -> None:
    theatre = load_theatre()
    for a, b, data in theatre.graph.edges(data=True):
        gc = theatre.distance_km(a, b)
        assert data["length_km"] >= gc, (a, b)
        assert data["length_km"] < 80.0, (a, b)
        factor = ROAD_WINDING[data["road"]] if data["road"] else RAIL_WINDING
        assert data["length_km"] == pytest.approx(gc * factor)
        assert data["road"] is not None or data["rail"], (a, b)


def test_named_railways_present() -> None:
    theatre = load_theatre()
    for a, b in [
        ("siauliai", "radviliskis"),
        ("kedainiai", "jonava"),
        ("jonava", "kaisiadorys"),
        ("kaunas", "kaisiadorys"),
        ("lentvaris", "vilnius"),
        ("dukstas", "turmantas"),
        ("rokiskis", "obeliai"),
        ("griva", "daugavpils"),
    ]:
        assert theatre.link(a, b)["rail"], (a, b)


def test_daugava_between_griva_and_daugavpils() -> None:
    theatre = load_theatre()
    assert theatre.link("griva", "daugavpils")["river"] == "Daugava"
    # Grīva lies south of Daugavpils, on the left bank
    assert theatre.places["griva"].lat < theatre.places["daugavpils"].lat
    # the road from Zarasai reaches Grīva without crossing the Daugava
    assert "Daugava" not in theatre.link("zarasai", "griva")["rivers"]


def test_neris_crossings() -> None:
    theatre = load_theatre()
    # Jonava is on the right bank of the Neris, Kaišiadorys and Kaunas on the left
    assert theatre.link("jonava", "kaisiadorys")["river"] == "Neris"
    assert "Neris" in theatre.link("kaunas", "jonava")["rivers"]


def test_lake_belt_links_flagged() -> None:
    theatre = load_theatre()
    assert theatre.link("zarasai", "salakas")["lakes"]
    assert theatre.link("salakas", "dukstas")["lakes"]
    assert not theatre.link("kaunas", "jonava")["lakes"]


def test_shortest_path_kaunas_daugavpils() -> None:
    theatre = load_theatre()
    path = theatre.shortest_path("kaunas", "daugavpils")
    assert path[0] == "kaunas" and path[-1] == "daugavpils"
    length = theatre.path_length_km(path)
    assert length == pytest.approx(
        nx.shortest_path_length(theatre.graph, "kaunas", "daugavpils", weight="length_km")
    )
    assert theatre.distance_km("kaunas", "daugavpils") < length < 300.0
    assert theatre.path_length_km(["kaunas"]) == 0.0


def test_unknown_place_raises_key_error() -> None:
    theatre = load_theatre()
    with pytest.raises(KeyError, match="atlantis"):
        theatre.neighbours("atlantis")
    with pytest.raises(KeyError, match="atlantis"):
        theatre.shortest_path("kaunas", "atlantis")
    with pytest.raises(KeyError, match="atlantis"):
        theatre.distance_km("atlantis", "kaunas")
    with pytest.raises(ValueError, match="not directly linked"):
        theatre.path_length_km(["kaunas", "daugavpils"])


def test_cached_graph_is_frozen() -> None:
    theatre = load_theatre()
    assert load_theatre() is theatre
    with pytest.raises(nx.NetworkXError):
        theatre.graph.add_edge("kaunas", "daugavpils")


def test_parse_links_validates() -> None:
    ids = ["a", "b", "c"]
    ok = parse_links({"links": [{"a": "a", "b": "b", "road": "main", "rail": False}]}, ids)
    assert ok == [Link("a", "b", "main", False)]
    with pytest.raises(ValueError, match="unknown place id 'x'"):
        parse_links({"links": [{"a": "a", "b": "x", "road": "main", "rail": False}]}, ids)
    with pytest.raises(ValueError, match="neither road nor rail"):
        parse_links({"links": [{"a": "a", "b": "b", "road": None, "rail": False}]}, ids)
    dup = [{"a": "a", "b": "b", "road": "track", "rail": False}] * 2
    with pytest.raises(ValueError, match="duplicate"):
        parse_links({"links": dup}, ids)


def test_build_theatre_river_and_lake_attributes() -> None:
    places = parse_gazetteer(
        {
            "places": [
                {"id": "w", "name": "W", "lat": 55.0, "lon": 24.0, "kind": "town",
                 "terrain": "open", "country": "LT"},
                {"id": "e", "name": "E", "lat": 55.0, "lon": 24.5, "kind": "town",
                 "terrain": "open", "country": "LT"},
            ]
        }
    )  # fmt: skip
    river = LineString([(24.25, 54.9), (24.25, 55.1)])
    lake = Point(24.25, 55.02).buffer(0.005)  # ~0.5 km radius, ~2 km north of the segment
    theatre = build_theatre(
        places, [Link("w", "e", None, True)], rivers=[("R", river)], lakes=[("L", lake)]
    )
    edge = theatre.link("w", "e")
    assert edge["river"] == "R"
    assert edge["rivers"] == ("R",)
    assert edge["lakes"] is True
    assert edge["length_km"] == pytest.approx(theatre.distance_km("w", "e") * RAIL_WINDING)


def test_links_file_is_valid_yaml_with_source() -> None:
    from campaign.geo.gazetteer import read_data_text

    doc = yaml.safe_load(read_data_text("links.yaml"))
    assert doc["source"].strip()
    assert len(doc["links"]) == load_theatre().graph.number_of_edges()


# --- base map ----------------------------------------------------------------------------


def test_outline_has_lithuania_and_neighbours() -> None:
    outline = load_outline()
    names = {f["properties"]["name"] for f in outline["features"]}
    assert {"Lithuania", "Latvia", "Belarus", "Poland", "Russia"} <= names
    for feature in outline["features"]:
        for lon, lat in _coords(feature["geometry"]):
            assert _inside_box(lon, lat)


def test_rivers_include_main_rivers_inside_box() -> None:
    rivers = load_rivers()
    names = {f["properties"]["name"] for f in rivers["features"]}
    assert {"Nemunas", "Neris", "Šventoji", "Nevėžis", "Daugava"} <= names
    for feature in rivers["features"]:
        assert feature["geometry"]["type"] == "LineString"
        assert feature["properties"]["source"]
        for lon, lat in _coords(feature["geometry"]):
            assert _inside_box(lon, lat), feature["properties"]["name"]


def test_lakes_inside_box() -> None:
    lakes = load_lakes()
    names = {f["properties"]["name"] for f in lakes["features"]}
    assert {"Drūkšiai", "Sartai", "Luodis"} <= names
    for feature in lakes["features"]:
        assert feature["geometry"]["type"] == "Polygon"
        for lon, lat in _coords(feature["geometry"]):
            assert _inside_box(lon, lat), feature["properties"]["name"]


def test_theatre_bounds_and_polygon() -> None:
    min_lon, min_lat, max_lon, max_lat = theatre_bounds()
    places = load_gazetteer().values()
    assert min_lon == pytest.approx(min(p.lon for p in places) - 0.3)
    assert max_lat == pytest.approx(max(p.lat for p in places) + 0.3)
    land = theatre_polygon()
    assert land.geom_type == "Polygon" and land.is_valid
    lb = land.bounds
    assert lb[0] >= min_lon - 1e-9 and lb[2] <= max_lon + 1e-9
    for pid in ("kaunas", "vilnius", "daugavpils", "grodno", "skuodas"):
        place = load_gazetteer()[pid]
        assert land.contains(Point(place.lon, place.lat)), pid
