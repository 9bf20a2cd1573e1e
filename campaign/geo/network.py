"""Road and railway network of the theatre as a :class:`~campaign.geo.roads.RoadGraph`.

Nodes are gazetteer place ids; an edge joins two neighbouring places that a road and/or a
railway connected in 1919 (``campaign/geo/data/links.yaml``).  Edge attributes:

``length_km``
    travel length in kilometres: great-circle distance times a winding factor of
    1.15 (main road), 1.25 (secondary road), 1.35 (track) or 1.1 (railway only).
``great_circle_km``
    straight-line distance in kilometres.
``road``
    ``"main"``, ``"secondary"``, ``"track"`` or ``None``.
``rail``
    ``True`` when a railway joins the two places.
``river``
    name of the river the straight segment between the places crosses (the largest one if
    several; ``None`` if none), found by intersecting the segment with ``rivers.geojson``.
``rivers``
    names of all rivers crossed, in order from ``a`` to ``b``.
``lakes``
    ``True`` if the straight segment passes within 3 km of a lake polygon.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaign.geo.gazetteer import (
    Place,
    great_circle_km,
    load_data_yaml,
    load_gazetteer,
    read_data_text,
)
from campaign.geo.roads import RoadGraph

if TYPE_CHECKING:
    import networkx as nx
    from shapely.geometry import LineString, Polygon

__all__ = [
    "LAKE_PROXIMITY_KM",
    "RAIL_WINDING",
    "RIVER_LINE_KM",
    "ROAD_WINDING",
    "Link",
    "TheatreMap",
    "build_theatre",
    "load_theatre",
    "parse_links",
]

#: Winding factor (travel length / great-circle length) per road class.
ROAD_WINDING: dict[str, float] = {"main": 1.15, "secondary": 1.25, "track": 1.35}
#: Winding factor of a link served by a railway only.
RAIL_WINDING = 1.1
#: A link "passes the lakes" when its straight segment comes within this many km of a lake.
LAKE_PROXIMITY_KM = 3.0
#: A place lies on a river (its defenders hold the river line) when the river passes
#: within this distance of it, km.
RIVER_LINE_KM = 4.0

_LINKS_FILE = "links.yaml"
_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON_EQUATOR = 111.320


@dataclass(frozen=True)
class Link:
    """One road/rail connection between two places (``road`` is a class name or ``None``)."""

    a: str
    b: str
    road: str | None
    rail: bool


def parse_links(doc: Any, place_ids: Iterable[str], origin: str = _LINKS_FILE) -> list[Link]:
    """Validate a parsed ``links.yaml`` document against the known place ids.

    Raises :class:`ValueError` for an unknown place id, a self-link, a duplicate pair, an
    unknown road class, a non-boolean ``rail`` or a link with neither road nor rail.
    """
    known = set(place_ids)
    if not isinstance(doc, Mapping):
        raise ValueError(f"{origin}: expected a mapping at the top level")
    entries = doc.get("links")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{origin}: 'links' must be a non-empty list")
    links: list[Link] = []
    seen: set[frozenset[str]] = set()
    for index, entry in enumerate(entries):
        where = f"{origin}: links[{index}]"
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where}: expected a mapping")
        a, b = entry.get("a"), entry.get("b")
        for end in (a, b):
            if end not in known:
                raise ValueError(f"{where}: unknown place id {end!r}")
        if a == b:
            raise ValueError(f"{where}: link from {a!r} to itself")
        pair = frozenset((a, b))
        if pair in seen:
            raise ValueError(f"{where}: duplicate link {a!r}-{b!r}")
        seen.add(pair)
        road = entry.get("road")
        if road is not None and road not in ROAD_WINDING:
            raise ValueError(f"{where}: road {road!r} is not one of {sorted(ROAD_WINDING)} or null")
        rail = entry.get("rail", False)
        if not isinstance(rail, bool):
            raise ValueError(f"{where}: rail must be true or false, got {rail!r}")
        if road is None and not rail:
            raise ValueError(f"{where}: link {a!r}-{b!r} has neither road nor rail")
        links.append(Link(a=a, b=b, road=road, rail=rail))
    return links


def _local_km_projection(lat0: float) -> list[float]:
    """Affine matrix (shapely order) mapping lon/lat degrees to local km (equirectangular)."""
    kx = _KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat0))
    return [kx, 0.0, 0.0, _KM_PER_DEG_LAT, 0.0, 0.0]


def _crossed_rivers(segment: LineString, rivers: Sequence[tuple[str, LineString]]) -> list[str]:
    """Names of the rivers the segment crosses, ordered along the segment from its start."""
    from shapely.geometry import Point

    hits: list[tuple[float, str]] = []
    for name, line in rivers:
        if not segment.intersects(line):
            continue
        inter = segment.intersection(line)
        points = [inter] if not hasattr(inter, "geoms") else list(inter.geoms)
        first = min(segment.project(Point(p.coords[0])) for p in points if not p.is_empty)
        hits.append((first, name))
    ordered: list[str] = []
    for _, name in sorted(hits):
        if name not in ordered:
            ordered.append(name)
    return ordered


def build_theatre(
    places: Mapping[str, Place],
    links: Iterable[Link],
    rivers: Sequence[tuple[str, LineString]] = (),
    lakes: Sequence[tuple[str, Polygon]] = (),
) -> TheatreMap:
    """Build a :class:`TheatreMap` from places, links and lon/lat river lines / lake polygons.

    ``rivers`` must be ordered from the largest river to the smallest: an edge's ``river``
    attribute is the first (largest) of the rivers its segment crosses.
    """
    links = list(links)
    return assemble_theatre(places, links, geometry_facts(places, links, rivers, lakes))


def geometry_facts(
    places: Mapping[str, Place],
    links: Iterable[Link],
    rivers: Sequence[tuple[str, LineString]] = (),
    lakes: Sequence[tuple[str, Polygon]] = (),
) -> dict[str, Any]:
    """What the river and lake geometry says about the places and links (shapely):
    ``{"places": {id: [rivers it lies on]}, "links": {"a|b": {"river", "rivers", "lakes"}}}``."""
    from shapely.affinity import affine_transform
    from shapely.geometry import LineString, Point

    rank = {name: i for i, (name, _) in enumerate(rivers)}
    lat0 = sum(p.lat for p in places.values()) / max(1, len(places))
    matrix = _local_km_projection(lat0)
    lakes_km = [affine_transform(poly, matrix) for _, poly in lakes]
    rivers_km = [(name, affine_transform(line, matrix)) for name, line in rivers]
    facts: dict[str, Any] = {"places": {}, "links": {}}
    for pid, place in places.items():
        here = affine_transform(Point(place.lon, place.lat), matrix)
        facts["places"][pid] = sorted(
            {name for name, line in rivers_km if line.distance(here) <= RIVER_LINE_KM}
        )
    for link in links:
        pa, pb = places[link.a], places[link.b]
        segment = LineString([(pa.lon, pa.lat), (pb.lon, pb.lat)])
        crossed = _crossed_rivers(segment, rivers)
        segment_km = affine_transform(segment, matrix)
        facts["links"][f"{link.a}|{link.b}"] = {
            "river": min(crossed, key=rank.__getitem__) if crossed else None,
            "rivers": crossed,
            "lakes": any(segment_km.distance(lake) <= LAKE_PROXIMITY_KM for lake in lakes_km),
        }
    return facts


def assemble_theatre(
    places: Mapping[str, Place], links: Iterable[Link], facts: Mapping[str, Any]
) -> TheatreMap:
    """The theatre graph from places, links and their geometry facts (no shapely)."""
    graph = RoadGraph()
    for pid, place in places.items():
        graph.add_place(
            pid, name=place.name, lat=place.lat, lon=place.lon, rivers=tuple(facts["places"][pid])
        )
    for link in links:
        pa, pb = places[link.a], places[link.b]
        gc = great_circle_km(pa.lat, pa.lon, pb.lat, pb.lon)
        factor = ROAD_WINDING[link.road] if link.road is not None else RAIL_WINDING
        fact = facts["links"][f"{link.a}|{link.b}"]
        graph.add_link(
            link.a,
            link.b,
            length_km=gc * factor,
            great_circle_km=gc,
            road=link.road,
            rail=link.rail,
            river=fact["river"],
            rivers=tuple(fact["rivers"]),
            lakes=fact["lakes"],
        )
    return TheatreMap(places=dict(places), roads=graph)


@dataclass
class TheatreMap:
    """Places of the theatre and the road/rail graph joining them.

    ``roads`` nodes are place ids; see the module docstring for the link attributes.  Every
    method raises :class:`KeyError` naming the id when given an unknown place id.
    """

    places: dict[str, Place]
    roads: RoadGraph

    @cached_property
    def graph(self) -> nx.Graph:
        """The road graph as a frozen :class:`networkx.Graph` (built on first use: the
        engine needs only :attr:`roads`). Copy it (``nx.Graph(theatre.graph)``) to modify."""
        import networkx as nx

        return nx.freeze(self.roads.to_networkx())

    def place(self, place_id: str) -> Place:
        """The :class:`Place` with this id."""
        try:
            return self.places[place_id]
        except KeyError:
            raise KeyError(f"unknown place id {place_id!r}") from None

    def distance_km(self, a: str, b: str) -> float:
        """Great-circle distance in km between places ``a`` and ``b``."""
        pa, pb = self.place(a), self.place(b)
        return great_circle_km(pa.lat, pa.lon, pb.lat, pb.lon)

    def neighbours(self, place_id: str) -> list[str]:
        """Ids of the places directly linked to ``place_id``, sorted."""
        self.place(place_id)
        return sorted(self.roads.neighbours(place_id))

    def link(self, a: str, b: str) -> dict[str, Any]:
        """Edge attributes of the link ``a``-``b`` (a copy); :class:`ValueError` if not linked."""
        self.place(a)
        self.place(b)
        if not self.roads.has_link(a, b):
            raise ValueError(f"places {a!r} and {b!r} are not directly linked")
        return dict(self.roads.link(a, b))

    def shortest_path(self, a: str, b: str, weight: str = "length_km") -> list[str]:
        """Place ids of the shortest path from ``a`` to ``b`` (inclusive) by edge ``weight``.

        Raises :class:`ValueError` if no path exists.
        """
        import networkx as nx

        self.place(a)
        self.place(b)
        try:
            return list(nx.shortest_path(self.graph, a, b, weight=weight))
        except nx.NetworkXNoPath:
            raise ValueError(f"no path from {a!r} to {b!r}") from None

    def path_length_km(self, path: Sequence[str]) -> float:
        """Sum of ``length_km`` (km) along consecutive places of ``path``; 0.0 for < 2 places.

        Raises :class:`ValueError` if two consecutive places are not directly linked.
        """
        for pid in path:
            self.place(pid)
        total = 0.0
        for a, b in zip(path, path[1:], strict=False):
            if not self.roads.has_link(a, b):
                raise ValueError(f"places {a!r} and {b!r} are not directly linked")
            total += float(self.roads.link(a, b)["length_km"])
        return total


@lru_cache(maxsize=1)
def load_theatre() -> TheatreMap:
    """The packaged theatre: gazetteer places, links, river crossings and lake proximity.

    Built once and cached: the same object is shared by every caller, so treat it as
    read-only (its :attr:`~TheatreMap.graph` is frozen, :func:`networkx.freeze`).
    Raises :class:`ValueError` if a data file is invalid.
    """
    places = load_gazetteer()
    links = parse_links(load_data_yaml(_LINKS_FILE), places)
    facts = json.loads(read_data_text(GEOMETRY_FACTS_FILE))
    if set(facts["places"]) != set(places) or len(facts["links"]) != len(links):
        facts = theatre_geometry_facts(places, links)  # the data changed: work it out again
    return assemble_theatre(places, links, facts)


#: The packaged theatre's river and lake facts, derived once from the vendored Natural
#: Earth geometry (``python -m campaign.geo.network`` rewrites it; a test checks it is
#: current), so that loading the map needs no geometry library.
GEOMETRY_FACTS_FILE = "theatre_geometry.json"


def theatre_geometry_facts(places: Mapping[str, Place], links: Iterable[Link]) -> dict[str, Any]:
    """The geometry facts of the packaged theatre, worked out from the geometry files."""
    from campaign.geo.basemap import lake_geometries, river_geometries

    return geometry_facts(places, list(links), river_geometries(), lake_geometries())


def write_geometry_facts() -> Path:
    """Rewrite ``data/theatre_geometry.json`` from the geometry; returns its path."""
    places = load_gazetteer()
    links = parse_links(load_data_yaml(_LINKS_FILE), places)
    facts = theatre_geometry_facts(places, links)
    path = Path(__file__).parent / "data" / GEOMETRY_FACTS_FILE
    path.write_text(
        json.dumps(facts, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return path


if __name__ == "__main__":
    print(f"wrote {write_geometry_facts()}")
