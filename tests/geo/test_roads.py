"""RoadGraph keeps the orders of networkx.Graph (the replays depend on them) and converts
to and from networkx without losing places, links or attributes."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from campaign.geo import load_theatre
from campaign.geo.roads import RoadGraph


def _both(seed: int) -> tuple[nx.Graph, RoadGraph]:
    """The same random sequence of additions made to a networkx graph and a RoadGraph."""
    rng = np.random.default_rng(seed)
    graph, roads = nx.Graph(), RoadGraph()
    for step in range(120):
        a, b = f"p{rng.integers(25)}", f"p{rng.integers(25)}"
        if rng.random() < 0.15:
            graph.add_node(a, step=step)
            roads.add_place(a, step=step)
        else:
            graph.add_edge(a, b, km=step)
            roads.add_link(a, b, km=step)
    return graph, roads


@pytest.mark.parametrize("seed", range(5))
def test_orders_are_those_of_networkx(seed):
    graph, roads = _both(seed)
    assert list(roads.places.items()) == list(graph.nodes(data=True))
    assert [(p, list(n.items())) for p, n in roads.adjacency.items()] == [
        (p, list(n.items())) for p, n in graph.adjacency()
    ]
    assert list(roads.links()) == list(graph.edges(data=True))
    assert roads.number_of_links() == graph.number_of_edges()


@pytest.mark.parametrize("seed", range(3))
def test_round_trip_through_networkx_keeps_every_order(seed):
    graph, roads = _both(seed)
    back = roads.to_networkx()
    assert list(back.nodes(data=True)) == list(graph.nodes(data=True))
    assert [(p, list(n.items())) for p, n in back.adjacency()] == [
        (p, list(n.items())) for p, n in graph.adjacency()
    ]
    again = RoadGraph.from_networkx(graph)
    assert list(again.places.items()) == list(roads.places.items())
    assert list(again.links()) == list(roads.links())


def test_a_link_is_one_dict_for_both_directions():
    roads = RoadGraph()
    roads.add_link("a", "b", length_km=5.0)
    roads.add_link("b", "a", road="main")
    assert roads.link("a", "b") is roads.link("b", "a")
    assert roads.link("a", "b") == {"length_km": 5.0, "road": "main"}
    assert roads.has_link("b", "a") and not roads.has_link("a", "c")
    assert roads.neighbours("a") == ["b"] and len(roads) == 2 and "a" in roads


def test_theatre_graph_matches_its_roads():
    theatre = load_theatre()
    assert list(theatre.graph.nodes) == list(theatre.roads.places)
    assert list(theatre.graph.edges(data=True)) == list(theatre.roads.links())
