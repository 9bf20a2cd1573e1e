"""Territory held by each side, day by day, as shapely polygons in lon/lat degrees.

The replay only says who holds each *place*; a map needs areas.  We draw them the way a
historian would pencil them on a staff map, in six steps:

1. **Plane.**  Places are projected to a local equirectangular plane in kilometres,
   centred on their mean position, so that "nearest place" means nearest on the ground
   (a degree of longitude is only ~64 km at 55° N).
2. **Cells.**  A Voronoi tessellation (``shapely.voronoi_polygons``) gives every place the
   area closer to it than to any other place.  The tessellation is computed once per run
   and cached; each day only the assignment of cells to sides changes.
3. **Assignment.**  Each day every cell takes the side controlling its place at the end
   of that day (:func:`campaign.replay.tables.control_by_day`); cells of places held by
   nobody (``'none'``) stay unassigned.  A side that ``controls_for`` another (e.g. the
   Saxon volunteers for Lithuania) adds its ground to that side.  Units on the road between
   two places (location ``"a>b"`` in the ``day`` event) add a site at the midpoint of the
   two places that claims for the unit's side (the side with most men there, if several);
   the tessellation with such field sites is cached per distinct set of sites.
4. **Dissolve.**  The cells of each side (and of ``'none'``) are merged (``unary_union``).
5. **Smooth.**  The boundaries between the merged areas are cut into chains between
   junctions and each chain is smoothed with Chaikin's corner cutting
   (:data:`SMOOTHING_ITERATIONS` passes, end points fixed).  Both neighbours share the same
   smoothed curve, so territories neither overlap nor leave slivers between them; the faces
   of the smoothed network are given to the side whose raw area they overlap most.
6. **Clip.**  The result is clipped to the theatre: its land
   (:func:`campaign.geo.basemap.theatre_polygon`, so no territory reaches into the Baltic)
   without the pieces of country outline that hold none of the scenario's places (East
   Prussia, German in 1919, took no part), when the scenario plays on the shipped
   gazetteer; otherwise the convex hull of the scenario's places buffered by
   :data:`CUSTOM_MARGIN_DEG` (0.3°).

Dates are ISO strings (``"1919-02-05"``) as in the replay tables; geometries are shapely
``Polygon``/``MultiPolygon`` in (lon, lat) degrees, valid, and never empty (a side holding
nothing on a date is absent from that date's mapping).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
import shapely.geometry
from shapely.geometry import MultiPoint, Point, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge, polygonize, unary_union

from campaign.replay.header import ReplayHeader
from campaign.replay.reader import order_of_battle
from campaign.replay.tables import control_by_day

__all__ = [
    "CUSTOM_MARGIN_DEG",
    "NOBODY",
    "SMOOTHING_ITERATIONS",
    "LocalPlane",
    "chaikin",
    "location_lonlat",
    "place_lonlat",
    "territories",
    "territories_from",
    "territory_side",
    "theatre_clip",
    "uses_gazetteer",
]

#: Control value of a place held by nobody.
NOBODY = "none"
#: Margin in degrees around the places of a scenario without the gazetteer.
CUSTOM_MARGIN_DEG = 0.3
#: Chaikin passes applied to the boundaries between territories.
SMOOTHING_ITERATIONS = 3
#: Extra room, km, around the clip region in which the tessellation is built.
_WORK_MARGIN_KM = 300.0
_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON_EQUATOR = 111.320


# ----------------------------------------------------------------------------- geometry
@dataclass(frozen=True)
class LocalPlane:
    """Equirectangular projection to km around (``lon0``, ``lat0``) degrees."""

    lon0: float
    lat0: float

    @property
    def km_per_deg_lon(self) -> float:
        return _KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(self.lat0))

    def to_km(self, geom: BaseGeometry) -> BaseGeometry:
        """Lon/lat degrees -> km east/north of the origin."""
        kx, ky = self.km_per_deg_lon, _KM_PER_DEG_LAT
        return shapely.transform(
            geom,
            lambda c: np.column_stack(((c[:, 0] - self.lon0) * kx, (c[:, 1] - self.lat0) * ky)),
        )

    def to_lonlat(self, geom: BaseGeometry) -> BaseGeometry:
        """Km east/north of the origin -> lon/lat degrees."""
        kx, ky = self.km_per_deg_lon, _KM_PER_DEG_LAT
        return shapely.transform(
            geom, lambda c: np.column_stack((c[:, 0] / kx + self.lon0, c[:, 1] / ky + self.lat0))
        )


def chaikin(
    coords: Any, iterations: int = SMOOTHING_ITERATIONS, closed: bool = False
) -> np.ndarray:
    """Chaikin corner cutting of a polyline (array of shape (n, 2)).

    Each pass replaces every corner by two points at 1/4 and 3/4 of its segments.  An open
    line keeps its two end points; a ``closed`` ring (first point == last point) stays
    closed.  The curve never leaves the convex hull of the input.
    """
    pts = np.asarray(coords, dtype=float)
    if len(pts) < 3:
        return pts
    for _ in range(iterations):
        if closed:
            ring = pts[:-1]
            nxt = np.roll(ring, -1, axis=0)
            q, r = 0.75 * ring + 0.25 * nxt, 0.25 * ring + 0.75 * nxt
            out = np.empty((2 * len(ring) + 1, 2))
            out[0:-1:2], out[1:-1:2] = q, r
            out[-1] = out[0]
        else:
            a, b = pts[:-1], pts[1:]
            q, r = 0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b
            inner = np.empty((2 * len(a), 2))
            inner[0::2], inner[1::2] = q, r
            out = np.vstack((pts[:1], inner[1:-1], pts[-1:]))
        pts = out
    return pts


# ----------------------------------------------------------------------------- sides, places
def territory_side(header: ReplayHeader) -> dict[str, str]:
    """Side id -> the side whose territory it adds to (following ``controls_for``)."""
    direct = {s.id: s.controls_for or s.id for s in header.sides}
    result = {}
    for side in direct:
        seen, current = {side}, direct[side]
        while direct.get(current, current) != current and current not in seen:
            seen.add(current)
            current = direct[current]
        result[side] = current
    return result


def place_lonlat(header: ReplayHeader) -> dict[str, tuple[float, float]]:
    """Place id -> (lon, lat) degrees."""
    return {p.id: (p.lon, p.lat) for p in header.places}


def location_lonlat(
    location: str, places: Mapping[str, tuple[float, float]], fraction: float = 0.5
) -> tuple[float, float] | None:
    """(lon, lat) of a ``day``-event location: a place id, or ``"a>b"`` on the road.

    On the road the unit is put ``fraction`` of the way from ``a`` to ``b`` (the log does
    not say how far it got).  Unknown places and empty locations give ``None``.
    """
    if ">" in location:
        a, _, b = location.partition(">")
        if a not in places or b not in places:
            return None
        (x0, y0), (x1, y1) = places[a], places[b]
        return (x0 + (x1 - x0) * fraction, y0 + (y1 - y0) * fraction)
    return places.get(location)


def uses_gazetteer(header: ReplayHeader) -> bool:
    """True when at least half the scenario's places are places of the shipped gazetteer."""
    try:
        from campaign.geo.gazetteer import load_gazetteer

        known = load_gazetteer()
    except Exception:  # noqa: BLE001 - no gazetteer means a custom map
        return False
    ids = [p.id for p in header.places]
    return bool(ids) and sum(1 for i in ids if i in known) * 2 >= len(ids)


def theatre_clip(header: ReplayHeader) -> Polygon:
    """Area, lon/lat degrees, to which territories are clipped (see step 6 above)."""
    if uses_gazetteer(header):
        try:
            from campaign.geo.basemap import load_outline, theatre_polygon

            land = theatre_polygon()
            points = [Point(p.lon, p.lat) for p in header.places]
            for feature in load_outline()["features"]:
                geom = shapely.geometry.shape(feature["geometry"])
                for part in getattr(geom, "geoms", [geom]):
                    if not any(part.contains(pt) for pt in points):
                        land = land.difference(part)  # e.g. East Prussia: no place, no war
            return _largest_part(_polygonal(land))
        except Exception:  # noqa: BLE001 - fall back to the places' hull
            pass
    points = MultiPoint([(p.lon, p.lat) for p in header.places])
    return points.convex_hull.buffer(CUSTOM_MARGIN_DEG, quad_segs=16)


# ----------------------------------------------------------------------------- tessellation
@dataclass
class _Tessellation:
    """Voronoi cells (km plane) of unique site positions; ``owners[i]`` lists who sits there."""

    cells: list[BaseGeometry]


@dataclass
class _Sites:
    plane: LocalPlane
    work: Polygon
    place_xy: dict[str, tuple[float, float]]
    tessellations: dict[tuple, _Tessellation] = field(default_factory=dict)

    def tessellation(self, positions: tuple[tuple[float, float], ...]) -> _Tessellation:
        cached = self.tessellations.get(positions)
        if cached is None:
            cached = _voronoi(positions, self.work)
            self.tessellations[positions] = cached
        return cached


def _voronoi(positions: tuple[tuple[float, float], ...], work: Polygon) -> _Tessellation:
    if len(positions) < 2:
        return _Tessellation([work])
    points = MultiPoint(positions)
    diagram = shapely.voronoi_polygons(points, extend_to=work, ordered=True)
    cells = list(diagram.geoms)
    if len(cells) != len(positions) or not all(
        c.covers(Point(p)) for c, p in zip(cells, positions, strict=True)
    ):  # older GEOS ignores ``ordered``: match cells to sites
        tree = shapely.STRtree(cells)
        cells = [cells[int(tree.query(Point(p), predicate="covers")[0])] for p in positions]
    return _Tessellation([c.intersection(work) for c in cells])


# ----------------------------------------------------------------------------- one day
def _claims(
    control: Mapping[str, str],
    units: Mapping[str, list[Any]],
    unit_side: Mapping[str, str],
    holder: Mapping[str, str],
    sites: _Sites,
) -> dict[tuple[float, float], str]:
    """Site position (km) -> territory side (or 'none') on one day."""
    claims: dict[tuple[float, float], str] = {}
    for place, (x, y) in sites.place_xy.items():
        side = control.get(place, NOBODY)
        side = holder.get(side, side) if side != NOBODY else NOBODY
        if claims.get((x, y), NOBODY) == NOBODY:
            claims[(x, y)] = side
    field_men: dict[tuple[float, float], dict[str, float]] = {}
    for unit, (men, location) in units.items():
        if ">" not in str(location) or unit not in unit_side:
            continue
        a, _, b = str(location).partition(">")
        if a not in sites.place_xy or b not in sites.place_xy:
            continue
        (x0, y0), (x1, y1) = sites.place_xy[a], sites.place_xy[b]
        key = ((x0 + x1) / 2, (y0 + y1) / 2)
        side = holder.get(unit_side[unit], unit_side[unit])
        row = field_men.setdefault(key, {})
        row[side] = row.get(side, 0.0) + float(men)
    for key, row in sorted(field_men.items()):
        if key not in claims:  # a place there keeps its own control
            claims[key] = max(sorted(row), key=lambda s: row[s])
    return claims


def _smooth_partition(
    groups: dict[str, BaseGeometry], work: Polygon, iterations: int
) -> dict[str, BaseGeometry]:
    """Smooth the shared boundaries of a partition of ``work`` (see step 5)."""
    if len(groups) < 2 or iterations <= 0:
        return groups
    network = unary_union([g.boundary for g in groups.values()])
    merged = linemerge(network)
    chains = list(getattr(merged, "geoms", [merged]))
    x0, y0, x1, y1 = work.bounds
    smoothed = []
    for chain in chains:
        c = np.asarray(chain.coords)
        on_border = np.all(
            np.isclose(c[:, 0], x0)
            | np.isclose(c[:, 0], x1)
            | np.isclose(c[:, 1], y0)
            | np.isclose(c[:, 1], y1)
        )
        if on_border:  # the outer edge of the working box stays square
            smoothed.append(chain)
        else:
            smoothed.append(shapely.LineString(chaikin(c, iterations, closed=chain.is_ring)))
    faces = list(polygonize(unary_union(smoothed))) if smoothed else []
    parts: dict[str, list[BaseGeometry]] = {}
    keys = list(groups)
    for face in faces:
        areas = [
            face.intersection(groups[k]).area if face.intersects(groups[k]) else 0.0 for k in keys
        ]
        parts.setdefault(keys[int(np.argmax(areas))], []).append(face)
    return {k: unary_union(v) for k, v in parts.items()}


def _largest_part(geom: BaseGeometry) -> BaseGeometry:
    """The largest polygon of a MultiPolygon (slivers left by differences are dropped)."""
    parts = list(getattr(geom, "geoms", [geom]))
    return max(parts, key=lambda g: g.area) if parts else geom


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Valid geometry reduced to its polygonal parts (make_valid can add lines or points)."""
    geom = shapely.make_valid(geom)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return unary_union(polys) if polys else Polygon()


# ----------------------------------------------------------------------------- public API
def territories_from(
    header: ReplayHeader,
    events: Iterable[dict[str, Any]],
    clip: BaseGeometry | None = None,
    smoothing_iterations: int = SMOOTHING_ITERATIONS,
) -> dict[str, dict[str, BaseGeometry]]:
    """Date -> {territory side -> (Multi)Polygon in lon/lat degrees}; see the module doc.

    ``clip`` (lon/lat) overrides :func:`theatre_clip`.  Only sides that fight for
    themselves appear (allies with ``controls_for`` are merged into their side).
    """
    events = list(events)
    table = control_by_day(header, events)
    places = place_lonlat(header)
    if not places:
        return {day: {} for day in table}
    clip = theatre_clip(header) if clip is None else clip
    lons, lats = zip(*places.values(), strict=True)
    plane = LocalPlane(lon0=float(np.mean(lons)), lat0=float(np.mean(lats)))
    clip_km = plane.to_km(clip)
    cx0, cy0, cx1, cy1 = clip_km.union(plane.to_km(MultiPoint(list(places.values())))).bounds
    work = box(
        cx0 - _WORK_MARGIN_KM, cy0 - _WORK_MARGIN_KM, cx1 + _WORK_MARGIN_KM, cy1 + _WORK_MARGIN_KM
    )
    place_xy = {}
    for pid, (lon, lat) in places.items():
        pt = plane.to_km(Point(lon, lat))
        place_xy[pid] = (round(pt.x, 6), round(pt.y, 6))
    sites = _Sites(plane=plane, work=work, place_xy=place_xy)

    holder = territory_side(header)
    unit_side = {u["id"]: u["side"] for u in order_of_battle(events)}
    day_units = {e["date"]: e["units"] for e in events if e["type"] == "day"}
    side_order = [s.id for s in header.sides if holder[s.id] == s.id]

    results: dict[tuple, dict[str, BaseGeometry]] = {}
    out: dict[str, dict[str, BaseGeometry]] = {}
    for day, control in table.items():
        claims = _claims(control, day_units.get(day, {}), unit_side, holder, sites)
        positions = tuple(sorted(claims))
        key = (positions, tuple(claims[p] for p in positions))
        if key not in results:
            tess = sites.tessellation(positions)
            groups: dict[str, list[BaseGeometry]] = {}
            for pos, cell in zip(positions, tess.cells, strict=True):
                groups.setdefault(claims[pos], []).append(cell)
            merged = {k: unary_union(v) for k, v in groups.items()}
            smooth = _smooth_partition(merged, work, smoothing_iterations)
            day_result = {}
            for side in side_order:
                if side not in smooth:
                    continue
                geom = _polygonal(plane.to_lonlat(smooth[side].intersection(clip_km)))
                if not geom.is_empty:
                    day_result[side] = geom
            results[key] = day_result
        out[day] = results[key]
    return out


def territories(
    replay: Any, clip: BaseGeometry | None = None, smoothing_iterations: int = SMOOTHING_ITERATIONS
) -> dict[str, dict[str, BaseGeometry]]:
    """Territories of a :class:`campaign.replay.reader.Replay`, date by date.

    Returns ``{iso_date: {side_id: (Multi)Polygon (lon, lat degrees)}}`` for every date of
    the run; see :func:`territories_from`.  About 10-40 ms per distinct day for 80 places;
    days whose control and field units did not change are computed once.
    """
    return territories_from(
        replay.header, replay.events, clip=clip, smoothing_iterations=smoothing_iterations
    )
