"""Routes: the Dijkstra trees agree with networkx, avoid what they must, the pure-Python
and scipy searches give the same trees (ties included), and the presence tallies the
routes avoid stay equal to a count made from scratch."""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from campaign.engine.routes import Routes
from campaign.geo.roads import RoadGraph
from campaign.simulate import simulate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from synthetic import synthetic_scenario  # noqa: E402


def _random_road_graph(seed: int, n: int = 60) -> nx.Graph:
    rng = np.random.default_rng(seed)
    graph = nx.connected_watts_strogatz_graph(n, 4, 0.3, seed=seed)
    graph = nx.relabel_nodes(graph, {i: f"p{i}" for i in graph.nodes})
    for a, b in graph.edges:
        graph.edges[a, b]["length_km"] = float(rng.uniform(5, 40))
    return graph


def _routes(graph: nx.Graph, search: str | None = None) -> Routes:
    return Routes(RoadGraph.from_networkx(graph), search=search)


def _length(graph: nx.Graph, path: list[str]) -> float:
    return sum(graph.edges[a, b]["length_km"] for a, b in zip(path, path[1:], strict=False))


@pytest.mark.parametrize("seed", range(5))
def test_open_routes_are_shortest_paths(seed):
    graph = _random_road_graph(seed)
    routes = _routes(graph)
    rng = np.random.default_rng(seed)
    for _ in range(40):
        a, b = (str(x) for x in rng.choice(list(graph.nodes), 2, replace=False))
        path = routes.path(a, b)
        assert path[0] == a and path[-1] == b
        assert all(graph.has_edge(x, y) for x, y in zip(path, path[1:], strict=False))
        expected = nx.shortest_path_length(graph, a, b, weight="length_km")
        assert _length(graph, path) == pytest.approx(expected)
        assert routes.next_place(a, b) == path[1]


@pytest.mark.parametrize("seed", range(5))
def test_routes_round_the_enemy_are_shortest_among_those_avoiding_it(seed):
    graph = _random_road_graph(seed)
    routes = _routes(graph)
    rng = np.random.default_rng(100 + seed)
    for _ in range(30):
        enemy = routes.tally()
        held = {str(p) for p in rng.choice(list(graph.nodes), 12, replace=False)}
        for p in held:
            enemy.add(p)
        a, b = (str(x) for x in rng.choice(list(graph.nodes), 2, replace=False))
        path = routes.path(a, b, avoid=enemy)
        closed = held - {a, b}
        view = nx.restricted_view(graph, closed, [])
        if not nx.has_path(view, a, b):
            assert path is None
            continue
        assert not closed.intersection(path)
        expected = nx.shortest_path_length(view, a, b, weight="length_km")
        assert _length(graph, path) == pytest.approx(expected)


def test_a_detour_is_kept_while_clear_and_dropped_when_the_open_road_clears():
    # a - b - c is the short road; a - d - e - c the long way round.
    graph = nx.Graph()
    for x, y, km in [
        ("a", "b", 10),
        ("b", "c", 10),
        ("a", "d", 12),
        ("d", "e", 12),
        ("e", "c", 12),
        ("a", "f", 15),
        ("f", "c", 15),
    ]:
        graph.add_edge(x, y, length_km=float(km))
    routes = _routes(graph)
    enemy = routes.tally()
    enemy.add("b")
    assert routes.path("a", "c", avoid=enemy) == ["a", "f", "c"]
    # A detour found earlier is kept while it is clear, though a shorter one exists.
    assert routes.path("a", "c", avoid=enemy, detour=["a", "d", "e", "c"]) == ["a", "d", "e", "c"]
    enemy.add("e")
    assert routes.path("a", "c", avoid=enemy, detour=["a", "d", "e", "c"]) == ["a", "f", "c"]
    enemy.remove("b")
    assert routes.path("a", "c", avoid=enemy, detour=["a", "f", "c"]) == ["a", "b", "c"]


@pytest.mark.parametrize("seed", range(4))
def test_python_and_scipy_searches_give_the_same_trees_ties_included(seed):
    # Lengths of whole and half km make many routes of equal length: the two searches
    # must break those ties alike, or a run would change with the size of its map.
    rng = np.random.default_rng(300 + seed)
    graph = nx.connected_watts_strogatz_graph(40, 4, 0.4, seed=seed)
    graph = nx.relabel_nodes(graph, {i: f"p{i}" for i in graph.nodes})
    for a, b in graph.edges:
        graph.edges[a, b]["length_km"] = float(rng.choice([0.5, 1.0, 1.0, 2.0, 3.0]))
    python, scipy = _routes(graph, "python"), _routes(graph, "scipy")
    places = list(graph.nodes)
    for end in range(len(places)):
        assert python._search(end) == scipy._search(end)
    for _ in range(40):
        enemy_python, enemy_scipy = python.tally(), scipy.tally()
        for p in rng.choice(places, 8, replace=False):
            enemy_python.add(str(p))
            enemy_scipy.add(str(p))
        a, b = (str(x) for x in rng.choice(places, 2, replace=False))
        assert python.path(a, b, avoid=enemy_python) == scipy.path(a, b, avoid=enemy_scipy)
        closed = enemy_python.mask.copy()
        limit = float(rng.choice([1.0, 2.5, 4.0, np.inf]))
        end = int(rng.integers(len(places)))
        assert python._search(end, closed, limit) == scipy._search(end, closed, limit)


def test_tally_counts_and_mask_follow_arrivals_and_departures():
    graph = _random_road_graph(0, n=10)
    routes = _routes(graph)
    tally = routes.tally()
    tally.add("p3")
    tally.add("p3")
    version = tally.version
    tally.remove("p3")
    assert "p3" in tally and tally.version == version  # one unit still there
    assert tally.mask[routes.index["p3"]]
    tally.remove("p3")
    assert "p3" not in tally and not tally.mask.any() and tally.version > version


@pytest.mark.parametrize("units", [40, 200])
def test_enemy_presence_tally_matches_a_fresh_count(units):
    result = simulate(synthetic_scenario(units, days=12), seed=3, daily_log=False)
    world = result.world
    for side in world.holder_of:
        fresh: dict[str, int] = {}
        for u in world.units.values():
            if (
                world.hostile(u.side, side)
                and u.status == "present"
                and u.retreat_to is None
                and u.men >= 0.5
            ):
                fresh[u.location] = fresh.get(u.location, 0) + 1
        assert world.enemy_presence[side].counts == fresh
        mask = world.enemy_presence[side].mask
        assert {world.routes.places[i] for i in np.flatnonzero(mask)} == set(fresh)


@pytest.mark.parametrize("seed", range(3))
def test_a_plan_carried_one_link_on_equals_a_fresh_plan(seed):
    """Reusing the remainder of the last plan gives the route a fresh search would."""
    graph = _random_road_graph(seed)
    routes = _routes(graph)
    rng = np.random.default_rng(200 + seed)
    for _ in range(30):
        enemy = routes.tally()
        for p in rng.choice(list(graph.nodes), 6, replace=False):
            enemy.add(str(p))
        a, b = (str(x) for x in rng.choice(list(graph.nodes), 2, replace=False))
        first = routes.plan(a, b, avoid=enemy)
        if first is None or len(first.places) < 3 or not first.open:
            continue
        here = first.places[1]
        carried = routes.plan(here, b, avoid=enemy, previous=first)
        assert carried.places == routes.path(here, b, avoid=enemy)


def test_a_detour_beyond_the_first_search_reach_is_still_found():
    # The open road a-b-c is 20 km; the only way round b is 300 km, far beyond the
    # first, bounded search (2 x 20 + 30 km), so the full search must find it.
    graph = nx.Graph()
    for x, y, km in [
        ("a", "b", 10),
        ("b", "c", 10),
        ("a", "d", 100),
        ("d", "e", 100),
        ("e", "c", 100),
    ]:
        graph.add_edge(x, y, length_km=float(km))
    routes = _routes(graph)
    enemy = routes.tally()
    enemy.add("b")
    assert routes.path("a", "c", avoid=enemy) == ["a", "d", "e", "c"]
    assert routes.path("d", "c", avoid=enemy) == ["d", "e", "c"]
