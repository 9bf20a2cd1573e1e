"""Shortest road routes for the marching units.

The road graph never changes during a run; only the places a side must avoid (where
the enemy stands) do. :class:`Routes` answers "the shortest route from here to there,
avoiding these places" with one Dijkstra tree per destination (and per set of avoided
places), cached. One tree serves every unit marching on the same destination.

A tree is searched in pure Python (:func:`shortest_tree`) on maps of fewer than
``SCIPY_FROM_PLACES`` places -- every historical theatre -- and with
:func:`scipy.sparse.csgraph.dijkstra` on larger (synthetic) ones, where its compiled
search repays the ~0.2 s that importing scipy costs. Both give the same tree, ties
included (a test checks it): places are settled in order of distance, at equal
distance the one with the higher index first, and a place keeps the first predecessor
that reached it at its final distance -- the order of scipy's binary-heap search
(scipy >= 1.16).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

    from campaign.geo.roads import RoadGraph

#: How many trees with avoided places are kept; the oldest are dropped first. The
#: cache only saves time: results never depend on it.
AVOIDING_TREES_KEPT = 512
#: A search for a way round the enemy first looks this far from the destination:
#: DETOUR_REACH times the open-road distance plus DETOUR_REACH_KM. It only saves
#: time: a unit beyond that reach gets a full search.
DETOUR_REACH = 2.0
DETOUR_REACH_KM = 30.0
#: Maps with at least this many places are searched with scipy (same trees, see the
#: module docstring): a search on 2,500 places takes ~3 ms in Python, ~0.4 ms in scipy,
#: while on the 77-place gazetteer Python is as fast and needs no import.
SCIPY_FROM_PLACES = 250
#: Predecessor of a place no route reaches (and of the destination itself), as scipy.
NO_PLACE = -9999

Search = Literal["python", "scipy"]


def shortest_tree(
    adjacent: list[list[tuple[int, float]]],
    end: int,
    closed: list[bool] | None = None,
    limit: float = math.inf,
) -> tuple[list[float], list[int]]:
    """Dijkstra's search outwards from place ``end`` over links of non-negative length.

    ``adjacent[i]`` lists ``(neighbour, km)`` of place ``i``. Returns the distance in km
    of every place (``inf`` if not reached) and its predecessor, the next place on the
    way to ``end`` (:data:`NO_PLACE` for ``end`` and places not reached). Links into a
    ``closed`` place are not taken; places farther than ``limit`` km are not reached.
    Ties are broken as :func:`scipy.sparse.csgraph.dijkstra` breaks them (module
    docstring): the heap holds (distance, -index).
    """
    distance = [math.inf] * len(adjacent)
    previous = [NO_PLACE] * len(adjacent)
    distance[end] = 0.0
    heap = [(0.0, -end)]
    while heap:
        here_km, negative = heappop(heap)
        here = -negative
        if distance[here] < here_km:
            continue  # settled already, by a shorter way
        for there, km in adjacent[here]:
            total = here_km + km
            if total <= limit and distance[there] > total and not (closed and closed[there]):
                distance[there] = total
                previous[there] = here
                heappush(heap, (total, -there))
    return distance, previous


@dataclass(frozen=True, slots=True)
class Route:
    """Places from a start to a destination, inclusive."""

    places: list[str]
    #: True for the shortest route on the open road; False for a detour round the enemy.
    open: bool


class PlaceTally:
    """How many units (of some kind) stand at each place, kept up to date one arrival
    or departure at a time.

    Besides the counts it keeps a boolean mask over :attr:`Routes.index` and a
    version that changes whenever a place enters or leaves the tally, so the routes
    that avoid those places can be searched and cached without rebuilding sets.
    """

    def __init__(self, index: dict[str, int]) -> None:
        self.counts: dict[str, int] = {}
        self.version = 0
        self._index = index
        self.mask = np.zeros(len(index), dtype=bool)

    def __contains__(self, place: object) -> bool:
        return place in self.counts

    def __len__(self) -> int:
        return len(self.counts)

    def add(self, place: str) -> None:
        count = self.counts.get(place, 0)
        self.counts[place] = count + 1
        if not count:
            self.version += 1
            i = self._index.get(place)
            if i is not None:
                self.mask[i] = True

    def remove(self, place: str) -> None:
        left = self.counts[place] - 1
        if left:
            self.counts[place] = left
            return
        del self.counts[place]
        self.version += 1
        i = self._index.get(place)
        if i is not None:
            self.mask[i] = False


class Routes:
    """Shortest routes by ``weight`` (km) on an undirected road graph."""

    def __init__(
        self, graph: RoadGraph, weight: str = "length_km", search: Search | None = None
    ) -> None:
        """Compile ``graph`` (lengths in km under ``weight``). ``search`` chooses how trees
        are searched; by default by the size of the map (:data:`SCIPY_FROM_PLACES`)."""
        self.places: list[str] = list(graph.places)
        self.index: dict[str, int] = {p: i for i, p in enumerate(self.places)}
        n = len(self.places)
        self._pairs = [
            (self.index[a], self.index[b], float(d[weight])) for a, b, d in graph.links() if a != b
        ]
        self._adjacent: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        for a, b, km in self._pairs:
            self._adjacent[a].append((b, km))
            self._adjacent[b].append((a, km))
        self.search: Search = search or ("scipy" if n >= SCIPY_FROM_PLACES else "python")
        self._matrix: csr_matrix | None = None  # compiled on the first scipy search
        self._link_km = {(a, b): float(d[weight]) for a, b, d in graph.links()}
        self._link_km.update({(b, a): km for (a, b), km in self._link_km.items()})
        self._route_km: dict[tuple[str, str], float | None] = {}
        self._open: dict[int, list[int]] = {}
        self._open_km: dict[int, list[float]] = {}
        self._avoiding: OrderedDict[tuple, list[int]] = OrderedDict()
        self._reach: OrderedDict[tuple, list[float]] = OrderedDict()

    # ------------------------------------------------------------------ queries
    def tally(self) -> PlaceTally:
        """An empty :class:`PlaceTally` over this road graph's places."""
        return PlaceTally(self.index)

    def path(
        self,
        source: str,
        target: str,
        avoid: PlaceTally | None = None,
        detour: list[str] | None = None,
    ) -> list[str] | None:
        """Places from ``source`` to ``target`` inclusive, or None if no route exists.

        The route passes through none of the places in ``avoid`` (its two ends
        excepted). The shortest open route is the answer when it meets none of them;
        otherwise ``detour`` (a route found earlier, from ``source`` to ``target``) if
        it still meets none; otherwise the shortest route around them.
        """
        previous = Route(detour, False) if detour else None
        route = self.plan(source, target, avoid, previous)
        return route.places if route is not None else None

    def plan(
        self,
        source: str,
        target: str,
        avoid: PlaceTally | None = None,
        previous: Route | None = None,
    ) -> Route | None:
        """The route :meth:`path` describes, with whether it is the open road.

        ``previous`` is the route planned at the last place (or at this one): a unit
        that has marched one link along it passes it back, and its remainder is
        reused -- as the open road, whose remainder is the open road from here, or
        as a detour kept while it stays clear.
        """
        if source == target:
            return Route([target], True)
        start, end = self.index.get(source), self.index.get(target)
        if start is None or end is None:
            return None
        rest = None
        if previous is not None:
            rest = previous.places
            if rest[0] != source:
                rest = rest[1:]  # one link marched since it was planned
            if not rest or rest[0] != source or rest[-1] != target:
                rest = None
        if rest is not None and previous.open:
            places = rest  # a route along the tree: its remainder is the open road from here
        else:
            places = self._walk(self._open_tree(end), start, end)
        if places is None or not avoid:
            return Route(places, True) if places is not None else None
        closed = avoid.counts.keys()
        if closed.isdisjoint(places[1:-1]):
            return Route(places, True)
        if rest is not None and not previous.open and closed.isdisjoint(rest[1:-1]):
            return Route(rest, False)
        around = self._walk(self._avoiding_tree(end, avoid, source), start, end)
        return Route(around, False) if around is not None else None

    def open_km(self, source: str, target: str) -> float | None:
        """Length in km of the shortest open route from ``source`` to ``target`` (the
        links' lengths added up from the source on), 0 from a place to itself, or None
        when there is no route."""
        key = (source, target)
        if key not in self._route_km:
            places = self.path(source, target)
            link_km = self._link_km
            self._route_km[key] = (
                None
                if places is None
                else sum(link_km[(a, b)] for a, b in zip(places, places[1:], strict=False))
            )
        return self._route_km[key]

    def km_avoiding(self, source: str, place: str, avoid: PlaceTally) -> float | None:
        """Km of the shortest route from ``source`` to ``place`` that enters no place in
        ``avoid`` (``place`` itself may be one), as :meth:`plan` would route a move;
        None when there is none. One search from ``source`` serves every ``place``
        until ``avoid`` changes."""
        start, end = self.index.get(source), self.index.get(place)
        if start is None or end is None:
            return None
        if start == end:
            return 0.0
        key = (start, avoid, avoid.version)
        distances = self._reach.get(key)
        if distances is None:
            closed = avoid.mask.copy()
            closed[start] = False
            distances, _ = self._search(start, closed)
            self._reach[key] = distances
            if len(self._reach) > AVOIDING_TREES_KEPT:
                self._reach.popitem(last=False)
        km = distances[end]
        if math.isfinite(km):
            return km
        # ``place`` itself avoided: reached through a neighbour that is not.
        best = min(
            (distances[n] + k for n, k in self._adjacent[end] if math.isfinite(distances[n])),
            default=math.inf,
        )
        return best if math.isfinite(best) else None

    def next_place(self, source: str, target: str) -> str | None:
        """The first place after ``source`` on the shortest open route to ``target``."""
        start, end = self.index.get(source), self.index.get(target)
        if start is None or end is None or start == end:
            return None
        step = self._open_tree(end)[start]
        return self.places[step] if step >= 0 else None

    # ------------------------------------------------------------------ trees
    def _walk(self, tree: list[int], start: int, end: int) -> list[str] | None:
        places = self.places
        route = [places[start]]
        i = start
        while i != end:
            i = tree[i]
            if i < 0:
                return None
            route.append(places[i])
        return route

    def _open_tree(self, end: int) -> list[int]:
        """Predecessors towards place ``end``: entry i is the next place on the way from i."""
        tree = self._open.get(end)
        if tree is None:
            self._open_km[end], tree = self._search(end)
            self._open[end] = tree
        return tree

    def _avoiding_tree(self, end: int, avoid: PlaceTally, source: str) -> list[int]:
        # A unit may stand on an avoided place itself (it is fighting there); it can
        # still leave it, so that place stays open for its own search.
        leaving = source if source in avoid.counts else None
        key = (end, avoid, avoid.version, leaving)
        start = self.index[source]
        cached = self._avoiding.get(key)
        if cached is not None and cached[start] >= 0:
            self._avoiding.move_to_end(key)
            return cached
        closed = avoid.mask.copy()
        closed[end] = False
        if leaving is not None:
            closed[self.index[leaving]] = False
        # Search only as far as a plausible detour reaches; the search is exact for
        # every place within that distance, and is run in full if this unit lies beyond.
        reach = DETOUR_REACH * self._open_km[end][start] + DETOUR_REACH_KM
        _, tree = self._search(end, closed, limit=reach)
        if tree[start] < 0:
            _, tree = self._search(end, closed)
        self._avoiding[key] = tree
        if len(self._avoiding) > AVOIDING_TREES_KEPT:
            self._avoiding.popitem(last=False)
        return tree

    def _search(
        self, end: int, closed: np.ndarray | None = None, limit: float = math.inf
    ) -> tuple[list[float], list[int]]:
        """Distances and predecessors towards ``end`` (see :func:`shortest_tree`); links
        into the places flagged in ``closed`` are cut."""
        if self.search == "python":
            return shortest_tree(
                self._adjacent, end, closed.tolist() if closed is not None else None, limit
            )
        from scipy.sparse.csgraph import dijkstra

        matrix = self._compiled()
        if closed is not None:
            # A link into a closed place is cut (the search runs outwards from ``end``,
            # so the links out of a closed place are never reached). One scratch matrix
            # is reused: building a sparse matrix costs more than the search.
            np.copyto(self._scratch.data, matrix.data)
            self._scratch.data[closed[matrix.indices]] = np.inf
            matrix = self._scratch
        distances, predecessors = dijkstra(
            matrix, directed=True, indices=end, return_predecessors=True, limit=limit
        )
        return distances.tolist(), predecessors.tolist()

    def _compiled(self) -> csr_matrix:
        """The graph as a sparse matrix of link lengths, both directions stored (so each
        tree is a plain directed search), and a scratch copy to cut links in."""
        if self._matrix is None:
            from scipy.sparse import csr_matrix

            n = len(self.places)
            a = np.array([p[0] for p in self._pairs], dtype=np.int32)
            b = np.array([p[1] for p in self._pairs], dtype=np.int32)
            km = np.array([p[2] for p in self._pairs], dtype=float)
            matrix = csr_matrix(
                (np.concatenate([km, km]), (np.concatenate([a, b]), np.concatenate([b, a]))),
                shape=(n, n),
            )
            matrix.sort_indices()
            self._scratch = csr_matrix(
                (matrix.data.copy(), matrix.indices, matrix.indptr), shape=(n, n)
            )
            self._matrix = matrix
        return self._matrix
