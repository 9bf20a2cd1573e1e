"""Relations between sides over time, and demarcation lines.

Two sides start allied when either lists the other among its ``allies`` and hostile
otherwise. A ``relations`` entry sets their stance (hostile, neutral or allied) from
its date, or from when its condition holds, up to its ``until`` date; later entries
in the file win over earlier ones for the same pair. Only hostile sides fight or
take each other's towns; neutral and allied sides pass each other by.

A demarcation line runs through the places it lists, in order; while it is in force
the sides it is closed to may not march along a road that crosses it.
"""

from __future__ import annotations

import itertools
from typing import Any

from campaign.command.conditions import Facts, describe, holds
from campaign.engine import log as ev
from campaign.engine.processes import start_clashes
from campaign.engine.world import order_time
from campaign.scenario.schema import DemarcationLine, Scenario


def initial_stances(scenario: Scenario) -> dict[frozenset[str], str]:
    """Every pair's standing stance (all pairs: for small scenarios and tests)."""
    stances = {}
    for a, b in itertools.combinations([s.id for s in scenario.sides], 2):
        stances[frozenset((a, b))] = "hostile" if scenario.hostile(a, b) else "allied"
    return stances


class Stances(dict):
    """Pair of side ids -> stance now. Only pairs a relation has set are stored; any
    other pair has its standing stance, worked out when asked for, so thousands of sides
    do not make millions of pairs (3,000 sides took hours).

    Until the first :func:`update_relations` has finished, ``get`` finds only what is
    stored (as the table of every pair, filled at the end of that first call, did).
    """

    def __init__(self, scenario: Scenario):
        super().__init__()
        self.scenario = scenario
        self.started = False
        self._sides = {s.id for s in scenario.sides}

    def standing(self, pair: frozenset[str]) -> str:
        a, b = sorted(pair)
        return "hostile" if self.scenario.hostile(a, b) else "allied"

    def get(self, pair: Any, default: Any = None) -> Any:
        if dict.__contains__(self, pair):
            return dict.__getitem__(self, pair)
        if self.started and len(pair) == 2 and set(pair) <= self._sides:
            return self.standing(pair)
        return default


def _in_force(world: Any, date, until, when, facts: Facts) -> bool:
    now = world.env.now
    if date is not None and now < order_time(world.start, date) - 0.25 - 1e-9:
        return False
    if until is not None and now >= order_time(world.start, until) + 0.75 - 1e-9:
        return False
    return when is None or holds(when, world, facts)


def update_relations(world: Any, facts: Facts, fired: set[int]) -> None:
    """Apply the relations in force now; log each change.

    Only the pairs a relation sets now or set before are looked at: every other pair
    keeps its standing stance, which the world works out when it needs it.
    """
    scenario = world.scenario
    if not isinstance(facts.stance, Stances):
        facts.stance = Stances(scenario)
    stances: Stances = facts.stance
    wanted: dict[frozenset[str], str] = {}
    reason: dict[frozenset[str], str] = {}
    in_force = [
        (i, rel)
        for i, rel in enumerate(scenario.relations)
        if _in_force(world, rel.date, rel.until, rel.when, facts)
    ]
    for i, rel in in_force:
        pair = frozenset(rel.sides)
        wanted[pair] = rel.stance.value
        reason[pair] = rel.note or f"relation {i}"
        if rel.when is not None and i not in fired:
            fired.add(i)
            world.log(
                ev.TriggerFired,
                what=f"relation {'/'.join(rel.sides)}",
                condition=describe(rel.when),
            )
    believed: dict[tuple[str, str], str] = {}
    for _, rel in in_force:
        for who, stance in rel.believed.items():
            other = rel.sides[1] if rel.sides[0] == who else rel.sides[0]
            believed[(who, other)] = stance.value
    for side_id, picture in facts.pictures.items():
        picture.discounted = {
            other
            for (who, other), stance in believed.items()
            if who == side_id and stance != "hostile"
        }
    first = not stances.started
    pairs = set(wanted) | set(stances)
    for pair in sorted(pairs, key=sorted):
        stance = wanted.get(pair) or stances.standing(pair)
        old = None if first else stances.get(pair)
        if old == stance:
            continue
        if stance == stances.standing(pair):
            stances.pop(pair, None)  # back to standing: nothing to remember
        else:
            stances[pair] = stance
        a, b = sorted(pair)
        world.set_hostile(a, b, stance == "hostile")
        if stance == "neutral":
            world.neutral_pairs |= {(a, b), (b, a)}
        else:
            world.neutral_pairs -= {(a, b), (b, a)}
        if old is not None:
            world.log(
                ev.RelationChange,
                sides=[a, b],
                old=old,
                new=stance,
                reason=reason.get(pair, "back to the scenario's standing relation"),
            )
            if stance == "hostile":
                start_clashes(world)
    stances.started = True


#: (id of a road-link table, id of a line) -> (that table, that line, the links crossing
#: it): runs of a scenario on one map (an ensemble, a benchmark) work a line out once.
#: The objects are kept, so their ids are not reused while they are here.
_CROSSINGS: dict[tuple[int, int], tuple[Any, DemarcationLine, frozenset[tuple[str, str]]]] = {}
_CROSSINGS_KEPT = 64


def crossing_links(world: Any, line: DemarcationLine) -> frozenset[tuple[str, str]]:
    """Road links whose straight course crosses the line (both directions)."""
    key = (id(world.links), id(line))
    known = _CROSSINGS.get(key)
    if known is not None and known[0] is world.links and known[1] is line:
        return known[2]
    found = frozenset(_crossing_links(world, line))
    if len(_CROSSINGS) >= _CROSSINGS_KEPT:
        _CROSSINGS.clear()
    _CROSSINGS[key] = (world.links, line, found)
    return found


def _crossing_links(world: Any, line: DemarcationLine) -> set[tuple[str, str]]:
    if line.reference is not None:
        from campaign.geo.reference_lines import load_reference_lines

        pts = list(load_reference_lines()[line.reference].points)  # (lon, lat) vertices
    else:
        pts = [(world.places[p]["lon"], world.places[p]["lat"]) for p in line.places]
    on_line = set(line.places)
    found: set[tuple[str, str]] = set()
    for a, neighbours in world.links.items():
        for b in neighbours:
            if a >= b or a in on_line or b in on_line:
                continue
            pa = (world.places[a]["lon"], world.places[a]["lat"])
            pb = (world.places[b]["lon"], world.places[b]["lat"])
            if any(_segments_cross(pa, pb, p, q) for p, q in zip(pts, pts[1:], strict=False)):
                found.update({(a, b), (b, a)})
    # Links from a place on the line reach across it when they pass to the far side
    # of a neighbouring segment: those are left open (the place itself is the line).
    return found


def _segments_cross(p1, p2, p3, p4) -> bool:
    def orient(a, b, c) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = orient(p3, p4, p1), orient(p3, p4, p2)
    d3, d4 = orient(p1, p2, p3), orient(p1, p2, p4)
    return d1 * d2 < 0 and d3 * d4 < 0


def update_lines(
    world: Any, facts: Facts, crossings: dict[str, frozenset[tuple[str, str]]]
) -> None:
    """Close the links of every line in force to the sides it binds."""
    closed: dict[str, set[tuple[str, str]]] = {}
    for line in world.scenario.lines:
        if _in_force(world, line.date, line.until, None, facts):
            for side in line.closed_to:
                closed.setdefault(side, set()).update(crossings[line.id])
    world.closed_links = closed
