"""The road and railway graph as plain dicts: places, and the links between them.

The engine needs only places, links and their attributes, so it reads this small
structure rather than a :mod:`networkx` graph (importing networkx costs a command about
a tenth of a second). The orders are those of ``networkx.Graph``, on which the replays
were first recorded: places in the order they were added, each place's neighbours in
the order its links were added, and :meth:`RoadGraph.links` yields each link once, from
the first of its two places to have been added. :meth:`RoadGraph.to_networkx` and
:meth:`RoadGraph.from_networkx` convert for analyses that want networkx.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx


class RoadGraph:
    """An undirected graph of place ids; a link's attributes are one dict shared by its
    two directions. Lengths are in km (``length_km``)."""

    def __init__(self) -> None:
        #: place id -> attributes of the place (name, lat, lon, rivers ...).
        self.places: dict[str, dict[str, Any]] = {}
        #: place id -> neighbouring place id -> attributes of the link between them.
        self.adjacency: dict[str, dict[str, dict[str, Any]]] = {}
        #: Every link as first added, in that order (for :meth:`to_networkx`).
        self._added: list[tuple[str, str]] = []

    def __len__(self) -> int:
        return len(self.places)

    def __contains__(self, place: object) -> bool:
        return place in self.places

    def add_place(self, place: str, **attributes: Any) -> None:
        """Add ``place`` (or update its attributes if it is already there)."""
        if place not in self.places:
            self.places[place] = {}
            self.adjacency[place] = {}
        self.places[place].update(attributes)

    def add_link(self, a: str, b: str, **attributes: Any) -> None:
        """Join ``a`` and ``b`` (adding either place if new), or update their link."""
        for place in (a, b):
            if place not in self.places:
                self.add_place(place)
        data = self.adjacency[a].get(b)
        if data is None:
            data = {}
            self._added.append((a, b))
        data.update(attributes)
        self.adjacency[a][b] = data
        self.adjacency[b][a] = data

    def has_link(self, a: str, b: str) -> bool:
        """True when places ``a`` and ``b`` are directly linked."""
        return b in self.adjacency.get(a, {})

    def link(self, a: str, b: str) -> dict[str, Any]:
        """The attributes of the link ``a``-``b`` (the shared dict; KeyError if none)."""
        return self.adjacency[a][b]

    def neighbours(self, place: str) -> list[str]:
        """Ids of the places directly linked to ``place``, in the order linked."""
        return list(self.adjacency[place])

    def links(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every link once, as ``(a, b, attributes)`` (see the module docstring)."""
        seen: set[str] = set()
        for a, neighbours in self.adjacency.items():
            for b, data in neighbours.items():
                if b not in seen:
                    yield a, b, data
            seen.add(a)

    def number_of_links(self) -> int:
        """How many links join the places (a link from a place to itself counts once)."""
        return sum(1 for _ in self.links())

    @classmethod
    def from_networkx(cls, graph: nx.Graph) -> RoadGraph:
        """A road graph with the places, links and attributes of a networkx graph."""
        roads = cls()
        for place, attributes in graph.nodes(data=True):
            roads.add_place(place, **attributes)
        for a, b, data in graph.edges(data=True):
            roads.add_link(a, b, **data)
        return roads

    def to_networkx(self) -> nx.Graph:
        """The same graph as a :class:`networkx.Graph`: places, links, attributes, and
        each place's neighbours in the same order."""
        import networkx as nx

        graph = nx.Graph()
        for place, attributes in self.places.items():
            graph.add_node(place, **attributes)
        for a, b in self._added:
            graph.add_edge(a, b, **self.adjacency[a][b])
        return graph
