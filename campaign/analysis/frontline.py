"""Front lines: where the territories of two hostile sides touch, date by date.

A front is the boundary *shared* by two hostile territories
(:func:`campaign.analysis.territory.territories`).  The coast and the edge of the theatre
are never part of it, because there only one territory ends; where a side borders ground
held by nobody, or an ally, there is no front either.  The shared boundary is merged into
continuous lines and lightly smoothed with Chaikin's corner cutting.

Geometries are shapely ``MultiLineString`` in (lon, lat) degrees.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from itertools import combinations

import shapely
from shapely.geometry import LineString, MultiLineString
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge

from campaign.analysis.territory import chaikin
from campaign.replay.header import ReplayHeader

__all__ = ["FRONT_SMOOTHING_ITERATIONS", "Front", "front_lines", "hostility", "line_length_km"]

#: Chaikin passes applied to a front line.
FRONT_SMOOTHING_ITERATIONS = 2
#: Distance, degrees, within which two boundaries count as shared (~1 cm).
_TOUCH_TOLERANCE_DEG = 1e-7
#: Shared pieces shorter than this, degrees, are corner contacts, not fronts (~10 m).
_MIN_PIECE_DEG = 1e-4

#: One front: (side_a, side_b, line), side_a before side_b in the header's order.
Front = tuple[str, str, MultiLineString]


def hostility(header: ReplayHeader) -> Callable[[str, str], bool]:
    """``hostile(a, b)``: True unless a == b, one lists the other in ``allies``, or one
    ``controls_for`` the other."""
    sides = {s.id: s for s in header.sides}

    def hostile(a: str, b: str) -> bool:
        if a == b:
            return False
        sa, sb = sides.get(a), sides.get(b)
        if sa is not None and (b in sa.allies or sa.controls_for == b):
            return False
        return not (sb is not None and (a in sb.allies or sb.controls_for == a))

    return hostile


def _hostile_test(
    hostile: Callable[[str, str], bool] | Iterable[tuple[str, str]],
) -> Callable[[str, str], bool]:
    if callable(hostile):
        return hostile
    pairs = {frozenset(p) for p in hostile}
    return lambda a, b: frozenset((a, b)) in pairs


def shared_boundary(
    a: BaseGeometry, b: BaseGeometry, iterations: int = FRONT_SMOOTHING_ITERATIONS
) -> MultiLineString:
    """The boundary two polygonal areas share, merged into lines and smoothed (may be empty)."""
    if a.is_empty or b.is_empty or a.distance(b) > _TOUCH_TOLERANCE_DEG:
        return MultiLineString()
    near_a = a.buffer(_TOUCH_TOLERANCE_DEG, quad_segs=2)
    common = b.boundary.intersection(near_a)
    pieces = [
        g
        for g in getattr(common, "geoms", [common])
        if isinstance(g, LineString) and g.length >= _MIN_PIECE_DEG
    ]
    if not pieces:
        return MultiLineString()
    merged = linemerge(pieces)
    lines = [g for g in getattr(merged, "geoms", [merged]) if g.length >= _MIN_PIECE_DEG]
    smooth = [LineString(chaikin(g.coords, iterations, closed=g.is_ring)) for g in lines]
    return MultiLineString(smooth)


def front_lines(
    territories: Mapping[str, Mapping[str, BaseGeometry]],
    hostile: Callable[[str, str], bool] | Iterable[tuple[str, str]],
    iterations: int = FRONT_SMOOTHING_ITERATIONS,
) -> dict[str, list[Front]]:
    """Date -> fronts ``[(side_a, side_b, MultiLineString)]`` between hostile territories.

    ``territories`` is the result of :func:`campaign.analysis.territory.territories`;
    ``hostile`` is a predicate such as :func:`hostility` (header) or a collection of hostile
    side pairs.  Every date of ``territories`` is present; its list is empty where no two
    hostile territories touch.  Pairs keep the order of the sides in each date's mapping.
    """
    is_hostile = _hostile_test(hostile)
    cache: dict[tuple[int, int], MultiLineString] = {}
    out: dict[str, list[Front]] = {}
    for day, sides in territories.items():
        fronts: list[Front] = []
        for a, b in combinations(list(sides), 2):
            if not is_hostile(a, b):
                continue
            key = (id(sides[a]), id(sides[b]))  # unchanged days share geometry objects
            if key not in cache:
                cache[key] = shared_boundary(sides[a], sides[b], iterations)
            line = cache[key]
            if not line.is_empty:
                fronts.append((a, b, line))
        out[day] = fronts
    return out


def line_length_km(line: BaseGeometry) -> float:
    """Length of a lon/lat line in km (equirectangular at each segment's mean latitude)."""
    total = 0.0
    for part in getattr(line, "geoms", [line]):
        coords = shapely.get_coordinates(part)
        for (x0, y0), (x1, y1) in zip(coords[:-1], coords[1:], strict=True):
            kx = 111.320 * math.cos(math.radians((y0 + y1) / 2))
            total += math.hypot((x1 - x0) * kx, (y1 - y0) * 110.574)
    return total
