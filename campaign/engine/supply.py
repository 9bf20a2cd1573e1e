"""Supply and fatigue: what wears an advance down and makes it stop.

**Supply.** A side with supply sources (``supply.sources``: base cities, railheads) is
in supply at places within ``SUPPLY_RADIUS_KM`` of a source it holds, by roads through
places no enemy holds; a railway in friendly hands carries supply at
``RAIL_SUPPLY_SHARE`` of its length (a railhead reaches far). Each morning a unit out of
supply counts one more day out; its supply factor falls by ``OUT_OF_SUPPLY_DECAY`` a
day down to the side's ``live_off_land`` share (default ``OUT_OF_SUPPLY_FLOOR``), and
multiplies its combat power and march rate. Back in supply it recovers at once. A
side with no sources is always supplied (the scenario says nothing about it), unless
the scenario says it lived off the land (``live_off_land`` without sources: it keeps
that share of its power and march rate everywhere, and never halts for want of
supply); partisans live among their own people.

**Fatigue.** Marching and fighting tire a unit (``FATIGUE_PER_MARCH_DAY``,
``FATIGUE_PER_COMBAT_DAY``, up to 1); rest restores it (``FATIGUE_RECOVERY_PER_DAY``).
A tired unit's combat power and march rate are multiplied by
``1 - FATIGUE_EFFECT * fatigue``.
"""

from __future__ import annotations

import heapq
import math
from typing import Any

#: Reach of supply by road from a source, km: horse-drawn columns of 1919 served units
#: two to three days' march from a railhead or depot (US FM 100-10 (1949) puts the
#: division's road supply haul at 50-80 km; we take the upper end).
SUPPLY_RADIUS_KM = 80.0
#: A railway in friendly hands counts at this share of its length for supply.
RAIL_SUPPLY_SHARE = 0.2
#: Supply factor lost per day out of supply, and the floor a side without documented
#: requisitioning keeps (TOAW's supply rules halve a unit's strength when it is out of
#: supply for long; units living off the land keep more, see ``live_off_land``).
OUT_OF_SUPPLY_DECAY = 0.1
OUT_OF_SUPPLY_FLOOR = 0.5
#: Days out of supply after which a commander halts an advance (it holds and waits).
SUPPLY_HALT_DAYS = 3
#: Mornings in a row a unit may stand in a pocket (no supply route at all, every
#: neighbouring town held or occupied by the enemy, enemy troops there at least as
#: strong as its side's in the place) before it capitulates. Units cut off
#: behind the front that could not break out did not hold a town for months: they gave
#: up or melted away once their requisitions in one district ran out. Two weeks is an
#: engineering estimate (TOAW likewise eliminates isolated units left out of supply);
#: partisans, who live among their own people, are exempt.
ENCIRCLED_SURRENDER_DAYS = 14
#: Fatigue per day of marching and per day of fighting, recovery per quiet day, and
#: the largest loss of power and march rate it causes (Dupuy's TNDM fatigue factor:
#: units in continuous combat lose effectiveness day by day, about a tenth a day,
#: to some 70-80 % after several days; rest restores them).
FATIGUE_PER_MARCH_DAY = 0.05
FATIGUE_PER_COMBAT_DAY = 0.1
FATIGUE_RECOVERY_PER_DAY = 0.1
FATIGUE_EFFECT = 0.3


def fatigue_factor(fatigue: float) -> float:
    """Share of its power and march rate a unit keeps at ``fatigue`` (0 fresh .. 1
    exhausted; values outside are clamped)."""
    worn = 0.0 if fatigue < 0.0 else 1.0 if fatigue > 1.0 else fatigue
    return 1.0 - FATIGUE_EFFECT * worn


def supply_distances(
    world: Any, side: str, sources: list[str], passable: frozenset[str] = frozenset()
) -> dict[str, float]:
    """Supply distance (km, rail counted at RAIL_SUPPLY_SHARE) from ``side``'s held
    sources to every place it reaches through places no enemy holds (and through the
    enemy-held places in ``passable``: a commander asking what taking them would give)."""
    holder = world.holder(side)
    control, hostile = world.control, world.hostile_pairs
    start = [s for s in sources if control.get(s) in (holder, side) and s in world.links]
    # Supply runs through our places and no one's, never the enemy's.
    enemy_held = {
        p
        for p, owner in control.items()
        if owner != "none" and hostile[(owner, side)] and p not in passable
    }
    best: dict[str, float] = {}
    shortest_yet = dict.fromkeys(start, 0.0)  # a place is queued only when it gets nearer
    heap = [(0.0, s) for s in start]
    heapq.heapify(heap)
    steps, push, pop = supply_link_km(world), heapq.heappush, heapq.heappop
    while heap:
        km, place = pop(heap)
        if place in best:
            continue
        best[place] = km
        for nxt, step in steps[place]:
            if nxt in enemy_held:
                continue
            # Links have no negative lengths, so a place already reached for good
            # (in ``best``) is never nearer this way.
            reach = km + step
            if reach < shortest_yet.get(nxt, math.inf):
                shortest_yet[nxt] = reach
                push(heap, (reach, nxt))
    return best


def supply_link_km(world: Any) -> dict[str, tuple[tuple[str, float], ...]]:
    """place -> (neighbour, supply km of the link: rail at RAIL_SUPPLY_SHARE), worked
    out the first time a run needs it."""
    if not world.supply_links:
        world.supply_links = {
            place: tuple(
                (nxt, data["length_km"] * (RAIL_SUPPLY_SHARE if data.get("rail") else 1.0))
                for nxt, data in neighbours.items()
            )
            for place, neighbours in world.links.items()
        }
    return world.supply_links


def supply_reach(world: Any, side: str) -> dict[str, float] | None:
    """``side``'s supply distances now (cached until a place changes hands), or None
    when the scenario gives the side no sources."""
    sources = world.scenario.supply.sources.get(side)
    if not sources:
        return None
    cache = world.supply_reach  # side -> (control version, distances)
    cached = cache.get(side)
    if cached is None or cached[0] != world.control_version:
        cached = cache[side] = (world.control_version, supply_distances(world, side, sources))
    return cached[1]


def update_supply(world: Any) -> None:
    """Each morning: every unit of a side with sources is in supply or one day further
    out of it; its supply factor follows. A side with ``live_off_land`` and no sources
    lives by requisition everywhere (its factor is that share)."""
    spec = world.scenario.supply
    radius = spec.radius_km or SUPPLY_RADIUS_KM
    # Partisans live among their own people.
    in_theatre = [
        u for u in world.units.values() if u.status in ("present", "moving") and not u.partisan
    ]
    for side in spec.sources:
        reach = supply_reach(world, side) or {}
        floor = spec.live_off_land.get(side, OUT_OF_SUPPLY_FLOOR)
        for unit in in_theatre:
            if unit.side != side:
                continue
            place = unit.location or unit.came_from
            unit.days_encircled = 0 if place is None or place in reach else unit.days_encircled + 1
            if place is not None and reach.get(place, float("inf")) <= radius:
                unit.days_unsupplied = 0
                unit.supply = 1.0
            else:
                unit.days_unsupplied += 1
                unit.supply = max(floor, 1.0 - OUT_OF_SUPPLY_DECAY * unit.days_unsupplied)
    # A side the scenario says lived off the land but gives no supply sources has no
    # supply line to fall out of: its units live by requisition wherever they are, at
    # that share of their power and march rate, and never halt for want of supply.
    for side, share in spec.live_off_land.items():
        if side in spec.sources:
            continue
        for unit in in_theatre:
            if unit.side == side:
                unit.supply = share
