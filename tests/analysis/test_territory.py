"""Territories, front lines and their GeoJSON export, on tiny synthetic runs."""

from __future__ import annotations

import datetime as dt
import json
import time

import numpy as np
import pytest
from shapely.geometry import Point, shape
from toy import toy

from campaign.analysis.frontline import front_lines, hostility
from campaign.analysis.geojson_export import export_geojson
from campaign.analysis.territory import chaikin, territories, territories_from, theatre_clip
from campaign.replay.header import PlaceInfo, ReplayHeader, SideInfo
from campaign.replay.reader import read_replay
from campaign.replay.writer import write_run
from campaign.simulate import simulate

LINE = [("a", 24.0), ("b", 24.3), ("c", 24.6), ("d", 24.9)]


def header(control_sides=("blue", "red"), places=None, days=3, **side_changes) -> ReplayHeader:
    sides = {
        "blue": SideInfo(id="blue", name="Blue", colour="#1f77b4"),
        "red": SideInfo(id="red", name="Red", colour="#d62728"),
        "green": SideInfo(id="green", name="Green", colour="#2ca02c"),
    }
    for sid, changes in side_changes.items():
        sides[sid] = sides[sid].model_copy(update=changes)
    places = places or [PlaceInfo(id=p, name=p.upper(), lat=55.0, lon=lon) for p, lon in LINE]
    end = dt.date(1919, 1, 1) + dt.timedelta(days=days - 1)
    return ReplayHeader(
        engine_version="test",
        scenario_id="synthetic",
        scenario_title="Synthetic",
        scenario_hash="0",
        seed=0,
        start="1919-01-01",
        end=end.isoformat(),
        combat_model="dupuy",
        sides=list(sides.values()),
        places=places,
    )


def events(control, units=(), day_units=None):
    out = [
        {
            "type": "initial",
            "t": 0,
            "date": "1919-01-01",
            "control": dict(control),
            "units": [{"id": u, "name": u, "side": s} for u, s in units],
        }
    ]
    if day_units is not None:
        out.append({"type": "day", "t": 0.99, "date": "1919-01-01", "units": day_units})
    return out


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("toy") / "run"
    write_run(simulate(toy(), seed=1), folder)
    return read_replay(folder)


def test_every_date_has_valid_disjoint_territories_inside_the_clip(toy_run):
    terr = territories(toy_run)
    clip = theatre_clip(toy_run.header)
    assert list(terr) == [f"1919-01-{d:02d}" for d in range(1, 11)]
    for held in terr.values():
        assert set(held) == {"blue", "red"}
        for geom in held.values():
            assert geom.is_valid and geom.geom_type in ("Polygon", "MultiPolygon")
            assert geom.difference(clip.buffer(1e-6)).area < 1e-9
        assert held["blue"].intersection(held["red"]).area < 1e-6
        # together they fill the clip: no slivers between neighbours
        assert abs(held["blue"].union(held["red"]).area - clip.area) < 1e-3 * clip.area


def test_capturing_a_town_moves_territory_and_the_front(toy_run):
    terr = territories(toy_run)
    first, last = terr["1919-01-01"], terr["1919-01-10"]
    c = Point(24.6, 55.0)
    assert first["red"].contains(c) and last["blue"].contains(c)
    fronts = front_lines(terr, hostility(toy_run.header))
    x_first = np.mean([x for x, _ in fronts["1919-01-01"][0][2].geoms[0].coords])
    x_last = np.mean([x for x, _ in fronts["1919-01-10"][0][2].geoms[0].coords])
    assert x_first == pytest.approx(24.45, abs=0.02)  # between b and c
    assert x_last == pytest.approx(24.75, abs=0.02)  # between c and d


def test_front_runs_exactly_along_the_shared_boundary():
    h = header()
    terr = territories_from(h, events({"a": "blue", "b": "blue", "c": "red", "d": "red"}))
    day = terr["1919-01-01"]
    ((a, b, line),) = front_lines(terr, hostility(h))["1919-01-01"]
    assert (a, b) == ("blue", "red")
    assert line.length > 0.4  # crosses the whole 0.6 degree-wide strip, minus rounded ends
    assert day["blue"].distance(line) < 1e-6 and day["red"].distance(line) < 1e-6
    # never along the outer edge of the theatre
    assert line.difference(theatre_clip(h).exterior.buffer(1e-4)).length > 0.99 * line.length


@pytest.mark.parametrize(
    "control",
    [
        {"a": "blue", "b": "blue", "c": "blue", "d": "blue"},  # one side holds everything
        {"a": "blue", "b": "none", "c": "none", "d": "red"},  # no-man's land between them
    ],
)
def test_no_front_where_hostile_territories_do_not_touch(control):
    h = header()
    terr = territories_from(h, events(control))
    assert front_lines(terr, hostility(h))["1919-01-01"] == []


def test_allies_share_no_front_and_controls_for_merges_territory():
    control = {"a": "blue", "b": "blue", "c": "green", "d": "green"}
    allied = header(green={"allies": ["blue"]})
    terr = territories_from(allied, events(control))
    assert set(terr["1919-01-01"]) == {"blue", "green"}
    assert front_lines(terr, hostility(allied))["1919-01-01"] == []
    serving = header(green={"controls_for": "blue"})
    terr = territories_from(serving, events(control))
    assert set(terr["1919-01-01"]) == {"blue"}
    hostile = header()
    terr = territories_from(hostile, events(control))
    assert len(front_lines(terr, hostility(hostile))["1919-01-01"]) == 1


def test_unit_on_the_road_claims_ground_for_its_side():
    h = header(days=1)
    control = {"a": "blue", "b": "blue", "c": "red", "d": "red"}
    still = territories_from(h, events(control))["1919-01-01"]
    marching = territories_from(
        h, events(control, units=[("u", "blue")], day_units={"u": [500.0, "b>c"]})
    )["1919-01-01"]
    assert marching["blue"].area > still["blue"].area * 1.05
    assert marching["blue"].contains(Point(24.45, 55.0))


def test_custom_places_clip_to_their_buffered_hull():
    minx, miny, maxx, maxy = theatre_clip(header()).bounds
    assert (minx, miny, maxx, maxy) == pytest.approx((23.7, 54.7, 25.2, 55.3), abs=1e-3)


def test_chaikin_keeps_ends_and_closed_rings():
    line = chaikin([(0, 0), (1, 0), (1, 1)], 3)
    assert tuple(line[0]) == (0, 0) and tuple(line[-1]) == (1, 1) and len(line) > 3
    ring = chaikin([(0, 0), (1, 0), (1, 1), (0, 0)], 2, closed=True)
    assert tuple(ring[0]) == tuple(ring[-1])


def test_120_days_of_60_places_is_fast():
    rng = np.random.default_rng(3)
    lons, lats = rng.uniform(22, 26, 60), rng.uniform(54, 56, 60)
    places = [
        PlaceInfo(id=f"p{i}", name=f"P{i}", lat=float(lats[i]), lon=float(lons[i]))
        for i in range(60)
    ]
    h = header(places=places, days=120)
    control = {p.id: "blue" if p.lon < 24 else "red" for p in places}
    evs = events(control)
    order = np.argsort(lons)
    for d in range(1, 120):
        day = (dt.date(1919, 1, 1) + dt.timedelta(days=d)).isoformat()
        evs.append(
            {
                "type": "control_change",
                "t": d,
                "date": day,
                "place": f"p{order[30 + d // 5]}",
                "old": "red",
                "new": "blue",
                "cause": "test",
            }
        )
    started = time.perf_counter()
    terr = territories_from(h, evs)
    front_lines(terr, hostility(h))
    assert len(terr) == 120
    assert time.perf_counter() - started < 10.0


# ----------------------------------------------------------------------------- GeoJSON
def _rings(geometry):
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for poly in geometry["coordinates"] for ring in poly]


def test_geojson_export_is_valid_wgs84(toy_run):
    paths = export_geojson(toy_run.folder)
    assert [p.name for p in paths][:2] == ["territory.geojson", "frontlines.geojson"]
    minx, miny, maxx, maxy = theatre_clip(toy_run.header).bounds
    territory = json.loads(paths[0].read_text())
    assert territory["type"] == "FeatureCollection"
    assert {(f["properties"]["date"], f["properties"]["side"]) for f in territory["features"]} == {
        (f"1919-01-{d:02d}", s) for d in range(1, 11) for s in ("blue", "red")
    }
    for feature in territory["features"]:
        assert feature["properties"]["colour"].startswith("#")
        for ring in _rings(feature["geometry"]):
            assert ring[0] == ring[-1] and len(ring) >= 4
            for lon, lat in ring:
                assert minx - 1e-4 <= lon <= maxx + 1e-4 and miny - 1e-4 <= lat <= maxy + 1e-4
                assert round(lon, 5) == lon and round(lat, 5) == lat
        assert shape(feature["geometry"]).is_valid
    fronts = json.loads(paths[1].read_text())
    assert len(fronts["features"]) == 10  # one hostile pair, a front every day
    for feature in fronts["features"]:
        assert feature["geometry"]["type"] == "MultiLineString"
        assert feature["properties"]["sides"] == ["blue", "red"]
        line = shape(feature["geometry"])
        assert line.is_valid and not line.is_empty
        assert line.bounds[1] > 55.0 - 0.31 and line.bounds[3] < 55.0 + 0.31
