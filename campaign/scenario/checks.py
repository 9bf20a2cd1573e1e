"""Cross-reference checks of a scenario against itself and the theatre map.

Pydantic checks each field; these checks look across fields: unknown places,
sides and units, duplicate ids, dates outside the scenario, orders for units that
have not arrived yet or have already left.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from campaign.scenario.schema import Action, CombatModel, Scenario

Loc = tuple[str | int, ...]


def suggest(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean ...?)' hint for a misspelt id or key, or ''."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def check_references(scenario: Scenario, place_ids: set[str]) -> list[tuple[Loc, str]]:
    """Every cross-reference problem of ``scenario`` as (location, message) pairs."""
    problems: list[tuple[Loc, str]] = []
    add = problems.append
    side_ids = [s.id for s in scenario.sides]
    source_ids = {s.id for s in scenario.sources}

    def place(loc: Loc, pid: str | None) -> None:
        if pid is not None and pid not in place_ids:
            add((loc, f"unknown place '{pid}'{suggest(pid, place_ids)}"))

    def side(loc: Loc, sid: str) -> None:
        if sid not in side_ids:
            add((loc, f"unknown side '{sid}'{suggest(sid, side_ids)}; sides are {side_ids}"))

    def cite(loc: Loc, ref: str) -> None:
        if ref not in source_ids:
            add((loc, f"unknown source '{ref}'{suggest(ref, source_ids)}"))

    def in_scenario(loc: Loc, day, what: str) -> None:
        if day is not None and not scenario.start <= day <= scenario.end:
            add((loc, f"{what} {day} is outside the scenario ({scenario.start} to {scenario.end})"))

    for kind, items in (("sides", scenario.sides), ("sources", scenario.sources)):
        _duplicates(kind, [x.id for x in items], problems)
    _duplicates("formations/units", [x.id for x in (*scenario.formations, *scenario.units)],
                problems, paths=[("formations", i) for i in range(len(scenario.formations))]
                + [("units", i) for i in range(len(scenario.units))])

    for i, s in enumerate(scenario.sides):
        for j, ally in enumerate(s.allies):
            side(("sides", i, "allies", j), ally)
            if ally == s.id:
                add((("sides", i, "allies", j), "a side cannot be its own ally"))
    for i, s in enumerate(scenario.sides):
        if s.controls_for is not None:
            side(("sides", i, "controls_for"), s.controls_for)
    _duplicates("map.places", [p.id for p in scenario.map.places], problems,
                paths=[("map", "places", i) for i in range(len(scenario.map.places))])
    for i, link in enumerate(scenario.map.links):
        place(("map", "links", i, "a"), link.a)
        place(("map", "links", i, "b"), link.b)
    for i, pid in enumerate(scenario.map.fortified):
        place(("map", "fortified", i), pid)
    for pid, sid in scenario.control.items():
        place(("control", pid), pid)
        if sid != "none":
            side(("control", pid), sid)

    formation_ids = [f.id for f in scenario.formations]
    for i, f in enumerate(scenario.formations):
        side(("formations", i, "side"), f.side)
        cite(("formations", i, "source", "ref"), f.source.ref)
        if f.parent is not None and f.parent not in formation_ids:
            add((("formations", i, "parent"),
                 f"unknown formation '{f.parent}'{suggest(f.parent, formation_ids)}"))
        if f.parent == f.id:
            add((("formations", i, "parent"), "a formation cannot be its own parent"))
    for i, cycle in _formation_cycles(scenario):
        add((("formations", i, "parent"),
             f"formations form a cycle ({' -> '.join(cycle)}); each needs a parent above it"))

    units = {u.id: u for u in scenario.units}
    for i, u in enumerate(scenario.units):
        side(("units", i, "side"), u.side)
        place(("units", i, "location"), u.location)
        cite(("units", i, "source", "ref"), u.source.ref)
        in_scenario(("units", i, "arrives"), u.arrives, "arrival date")
        if u.departs is not None and u.departs < scenario.start:
            add((("units", i, "departs"), f"departure {u.departs} is before the scenario starts"))
        if u.parent is not None and u.parent not in formation_ids:
            add((("units", i, "parent"),
                 f"unknown formation '{u.parent}'{suggest(u.parent, formation_ids)}"))

    for i, o in enumerate(scenario.orders):
        cite(("orders", i, "source", "ref"), o.source.ref)
        in_scenario(("orders", i, "date"), o.date, "order date")
        place(("orders", i, "target"), o.target)
        unit = units.get(o.unit)
        if unit is None:
            add((("orders", i, "unit"), f"unknown unit '{o.unit}'{suggest(o.unit, units)}"))
            continue
        arrives = unit.arrives or scenario.start
        if o.date < arrives:
            add((("orders", i, "date"),
                 f"order dated {o.date} for unit '{o.unit}', which only arrives on {arrives}"))
        if unit.departs is not None and o.date > unit.departs and o.action != Action.leave:
            add((("orders", i, "date"),
                 f"order dated {o.date} for unit '{o.unit}', which departs on {unit.departs}"))

    for i, obj in enumerate(scenario.objectives):
        side(("objectives", i, "side"), obj.side)
        place(("objectives", i, "place"), obj.place)
        in_scenario(("objectives", i, "by"), obj.by, "objective date")

    known = known_multipliers()
    for key, value in scenario.combat.multipliers.items():
        if key not in known:
            add((("combat", "multipliers", key),
                 f"unknown multiplier '{key}'{suggest(key, known)}"))
            continue
        low, high, zero_ok = multiplier_bounds(key)
        if not (low <= value <= high and (zero_ok or value > 0)):
            least = f"{low:g}" if zero_ok else f"more than {low:g}"
            add((("combat", "multipliers", key),
                 f"multiplier '{key}' must be from {least} to {high:g}, got {value:.6g}"))
    for side_id in scenario.combat.coefficients:
        side(("combat", "coefficients", side_id), side_id)
    if scenario.combat.model != CombatModel.dupuy:
        fighting = sorted({u.side for u in scenario.units})
        missing = [s for s in fighting if s not in scenario.combat.coefficients]
        if missing:
            add((("combat", "coefficients"),
                 f"model '{scenario.combat.model.value}' needs a coefficient for every side "
                 f"with units; missing {missing}"))
    return problems


def multiplier_bounds(key: str) -> tuple[float, float, bool]:
    """(lowest, highest, whether 0 is allowed) for a ``combat.multipliers`` key.

    Factors (posture, terrain, river, quality, surprise) are ratios to a regular unit in
    the open: from just above 0 to 10. Break points and the daily loss are shares of a
    unit (0 to 1, not 0). Weapons count from 0 to 1,000 riflemen each. The ratio
    exponent stays at most 4 so that the power ratio raised to it stays a finite number.
    """
    if key.startswith("break_point.") or key == "base_daily_loss":
        return 0.0, 1.0, False
    if key in ("gun_men", "machine_gun_men"):
        return 0.0, 1000.0, True
    if key == "ratio_exponent":
        return 0.0, 4.0, False
    return 0.0, 10.0, False


def _formation_cycles(scenario: Scenario) -> list[tuple[int, list[str]]]:
    """Each cycle of formation parents, once, as (index of its first formation, ids)."""
    parent = {f.id: f.parent for f in scenario.formations}
    index = {f.id: i for i, f in enumerate(scenario.formations)}
    cycles, cleared = [], set()
    for start in parent:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parent and node not in cleared and node not in path:
            path.append(node)
            node = parent[node]
        if node is not None and node in path:
            cycle = path[path.index(node):]
            if len(cycle) > 1:  # a formation that is its own parent is reported above
                cycles.append((index[cycle[0]], [*cycle, cycle[0]]))
        cleared.update(path)
    return cycles


def known_multipliers() -> list[str]:
    """Every key ``combat.multipliers`` accepts (see campaign.engine.combat)."""
    from campaign.engine import combat

    keys = [f"posture.{k}" for k in combat.POSTURE] + [f"terrain.{k}" for k in combat.TERRAIN]
    keys += [f"river.{k}" for k in combat.RIVER] + [f"quality.{k}" for k in combat.QUALITY]
    keys += [f"break_point.{k}" for k in combat.BREAK_POINT]
    keys += ["surprise", "gun_men", "machine_gun_men", "base_daily_loss", "ratio_exponent"]
    return keys


def _duplicates(kind: str, ids: list[str], problems: list, paths: list[Loc] | None = None) -> None:
    seen: dict[str, int] = {}
    for i, ident in enumerate(ids):
        if ident in seen:
            loc = paths[i] if paths else (kind, i)
            problems.append(((*loc, "id"), f"duplicate id '{ident}' in {kind}"))
        seen.setdefault(ident, i)
