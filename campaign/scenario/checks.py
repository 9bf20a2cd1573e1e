"""Cross-reference checks of a scenario against itself and the theatre map.

Pydantic checks each field; these checks look across fields: unknown places,
sides and units, duplicate ids, dates outside the scenario, orders for units that
have not arrived yet or have already left.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from campaign.scenario.schema import Action, CombatModel, Condition, Scenario, formations_under

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
    _duplicates(
        "formations/units",
        [x.id for x in (*scenario.formations, *scenario.units)],
        problems,
        paths=[("formations", i) for i in range(len(scenario.formations))]
        + [("units", i) for i in range(len(scenario.units))],
    )

    for i, s in enumerate(scenario.sides):
        for j, ally in enumerate(s.allies):
            side(("sides", i, "allies", j), ally)
            if ally == s.id:
                add((("sides", i, "allies", j), "a side cannot be its own ally"))
    for i, s in enumerate(scenario.sides):
        if s.controls_for is not None:
            side(("sides", i, "controls_for"), s.controls_for)
            if s.controls_for == s.id:
                add((("sides", i, "controls_for"), "a side cannot take places for itself"))
            elif s.controls_for in {x.id for x in scenario.sides} and scenario.hostile(
                s.id, s.controls_for
            ):
                add(
                    (
                        ("sides", i, "controls_for"),
                        f"'{s.controls_for}' is not an ally of '{s.id}': a side takes places "
                        "only for an allied side (list it in `allies`)",
                    )
                )
    _duplicates(
        "map.places",
        [p.id for p in scenario.map.places],
        problems,
        paths=[("map", "places", i) for i in range(len(scenario.map.places))],
    )
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
            add(
                (
                    ("formations", i, "parent"),
                    f"unknown formation '{f.parent}'{suggest(f.parent, formation_ids)}",
                )
            )
        if f.parent == f.id:
            add((("formations", i, "parent"), "a formation cannot be its own parent"))
    for i, cycle in _formation_cycles(scenario):
        add(
            (
                ("formations", i, "parent"),
                f"formations form a cycle ({' -> '.join(cycle)}); each needs a parent above it",
            )
        )

    units = {u.id: u for u in scenario.units}
    for i, u in enumerate(scenario.units):
        side(("units", i, "side"), u.side)
        place(("units", i, "location"), u.location)
        cite(("units", i, "source", "ref"), u.source.ref)
        in_scenario(("units", i, "arrives"), u.arrives, "arrival date")
        if u.departs is not None and u.departs < scenario.start:
            add((("units", i, "departs"), f"departure {u.departs} is before the scenario starts"))
        if u.parent is not None and u.parent not in formation_ids:
            add(
                (
                    ("units", i, "parent"),
                    f"unknown formation '{u.parent}'{suggest(u.parent, formation_ids)}",
                )
            )

    for i, o in enumerate(scenario.orders):
        cite(("orders", i, "source", "ref"), o.source.ref)
        in_scenario(("orders", i, "date"), o.date, "order date")
        place(("orders", i, "target"), o.target)
        unit = units.get(o.unit)
        if unit is None:
            add((("orders", i, "unit"), f"unknown unit '{o.unit}'{suggest(o.unit, units)}"))
            continue
        if o.when is not None:
            _check_condition(("orders", i, "when"), o.when, scenario, place, side, problems)
        if o.date is None:
            continue
        arrives = unit.arrives or scenario.start
        if o.date < arrives:
            add(
                (
                    ("orders", i, "date"),
                    f"order dated {o.date} for unit '{o.unit}', which only arrives on {arrives}",
                )
            )
        if unit.departs is not None and o.date > unit.departs and o.action != Action.leave:
            add(
                (
                    ("orders", i, "date"),
                    f"order dated {o.date} for unit '{o.unit}', which departs on {unit.departs}",
                )
            )

    for i, obj in enumerate(scenario.objectives):
        side(("objectives", i, "side"), obj.side)
        place(("objectives", i, "place"), obj.place)
        in_scenario(("objectives", i, "by"), obj.by, "objective date")

    for kind, items in (
        ("orders", scenario.orders),
        ("relations", scenario.relations),
        ("objectives", scenario.objectives),
    ):
        named = [(i, x.id) for i, x in enumerate(items) if x.id is not None]
        _duplicates(kind, [x for _, x in named], problems, [(kind, i) for i, _ in named])
    formation_set = set(formation_ids)
    _duplicates("intents", [x.id for x in scenario.intents], problems)
    for i, intent in enumerate(scenario.intents):
        loc = ("intents", i)
        side((*loc, "side"), intent.side)
        cite((*loc, "source", "ref"), intent.source.ref)
        in_scenario((*loc, "date"), intent.date, "intent date")
        in_scenario((*loc, "attack_on"), intent.attack_on, "intent attack_on date")
        if intent.formation is not None and intent.formation not in formation_set:
            add(
                (
                    (*loc, "formation"),
                    f"unknown formation '{intent.formation}'"
                    f"{suggest(intent.formation, formation_ids)}",
                )
            )
        allotted = set(intent.units)
        if intent.formation is not None:
            under = formations_under(
                intent.formation, {f.id: f.parent for f in scenario.formations}
            )
            allotted |= {u.id for u in scenario.units if u.parent in under}
        for j, uid in enumerate(intent.units):
            if uid not in units:
                add(((*loc, "units", j), f"unknown unit '{uid}'{suggest(uid, units)}"))
            elif units[uid].side != intent.side and (
                intent.side in side_ids
                and units[uid].side in side_ids
                and scenario.hostile(units[uid].side, intent.side)
            ):
                add(
                    (
                        (*loc, "units", j),
                        f"unit '{uid}' is of side '{units[uid].side}', "
                        f"neither '{intent.side}' nor its ally",
                    )
                )
        if intent.when is not None:
            _check_condition((*loc, "when"), intent.when, scenario, place, side, problems)
        for j, step in enumerate(intent.objectives):
            place((*loc, "objectives", j, step.kind), step.place)
            for k, uid in enumerate(step.units):
                if uid not in units:
                    add(
                        (
                            (*loc, "objectives", j, "units", k),
                            f"unknown unit '{uid}'{suggest(uid, units)}",
                        )
                    )
                elif allotted and uid not in allotted:
                    add(
                        (
                            (*loc, "objectives", j, "units", k),
                            f"unit '{uid}' is not among the intent's units",
                        )
                    )
            if step.when is not None:
                _check_condition(
                    (*loc, "objectives", j, "when"), step.when, scenario, place, side, problems
                )
    for i, rel in enumerate(scenario.relations):
        for j, sid in enumerate(rel.sides):
            side(("relations", i, "sides", j), sid)
        cite(("relations", i, "source", "ref"), rel.source.ref)
        if rel.when is not None:
            _check_condition(("relations", i, "when"), rel.when, scenario, place, side, problems)
    _duplicates("lines", [x.id for x in scenario.lines], problems)
    for i, line in enumerate(scenario.lines):
        for j, pid in enumerate(line.places):
            place(("lines", i, "places", j), pid)
        if line.reference is not None and line.reference not in _reference_line_ids():
            known = _reference_line_ids()
            add(
                (
                    ("lines", i, "reference"),
                    f"unknown reference line '{line.reference}'"
                    f"{suggest(line.reference, known)}; known: {', '.join(known)}",
                )
            )
        for j, sid in enumerate(line.closed_to):
            side(("lines", i, "closed_to", j), sid)
        cite(("lines", i, "source", "ref"), line.source.ref)
    for i, draft in enumerate(scenario.replacements):
        if draft.unit not in units:
            add(
                (
                    ("replacements", i, "unit"),
                    f"unknown unit '{draft.unit}'{suggest(draft.unit, units)}",
                )
            )
        cite(("replacements", i, "source", "ref"), draft.source.ref)
        in_scenario(("replacements", i, "date"), draft.date, "replacement date")
        if draft.when is not None:
            _check_condition(
                ("replacements", i, "when"), draft.when, scenario, place, side, problems
            )
    for sid in scenario.command.attack_ratio:
        side(("command", "attack_ratio", sid), sid)
    for i, u in enumerate(scenario.units):
        if u.arrives_when is not None:
            _check_condition(
                ("units", i, "arrives_when"), u.arrives_when, scenario, place, side, problems
            )
    for sid, sources in scenario.supply.sources.items():
        side(("supply", "sources", sid), sid)
        for j, pid in enumerate(sources):
            place(("supply", "sources", sid, j), pid)
    for sid in scenario.supply.live_off_land:
        side(("supply", "live_off_land", sid), sid)
    for key, value in scenario.season.march.items():
        season_name, _, road = key.partition(".")
        if season_name not in SEASONS or road not in ROADS:
            add(
                (
                    ("season", "march", key),
                    f"expected SEASON.ROAD with SEASON one of "
                    f"{sorted(SEASONS)} and ROAD one of {sorted(ROADS)}, got '{key[:60]}'",
                )
            )
        elif not 0 < value <= 2:
            add(
                (
                    ("season", "march", key),
                    f"a march factor must be above 0 and at most 2, got {value:.6g}",
                )
            )
    ids = {o.id for o in scenario.orders if o.id} | {x.id for x in scenario.intents}
    for loc, cond in _all_conditions(scenario):
        for leaf in cond.leaves():
            if leaf.done is not None and leaf.done not in ids:
                add(
                    (
                        (*loc, "done"),
                        f"no order or intent with id '{leaf.done}'{suggest(leaf.done, ids)}",
                    )
                )

    # Only a scenario that names multipliers pays for importing the engine's tables.
    known = known_multipliers() if scenario.combat.multipliers else []
    for key, value in scenario.combat.multipliers.items():
        if key not in known:
            add(
                (("combat", "multipliers", key), f"unknown multiplier '{key}'{suggest(key, known)}")
            )
            continue
        low, high, zero_ok = multiplier_bounds(key)
        if not (low <= value <= high and (zero_ok or value > 0)):
            least = f"{low:g}" if zero_ok else f"more than {low:g}"
            add(
                (
                    ("combat", "multipliers", key),
                    f"multiplier '{key}' must be from {least} to {high:g}, got {value:.6g}",
                )
            )
    for side_id in scenario.combat.coefficients:
        side(("combat", "coefficients", side_id), side_id)
    if scenario.combat.model in (CombatModel.lanchester_square, CombatModel.lanchester_linear):
        fighting = sorted({u.side for u in scenario.units})
        missing = [s for s in fighting if s not in scenario.combat.coefficients]
        if missing:
            add(
                (
                    ("combat", "coefficients"),
                    f"model '{scenario.combat.model.value}' needs a coefficient for every side "
                    f"with units; missing {missing}",
                )
            )
    if not problems:
        problems += _out_of_reach(scenario)
    return problems


def _out_of_reach(scenario: Scenario) -> list[tuple[Loc, str]]:
    """Orders and intent objectives whose place no road or railway joins to where their
    units start: they could never be carried out. The packaged map's places are all
    joined to one another (a test checks it), so only the scenario's own places and
    links can cut a place off."""
    parent: dict[str, str] = {}  # a place joined to another, towards its group's root

    def root(p: str) -> str:
        while p in parent:
            p = parent[p]
        return p

    own = {p.id for p in scenario.map.places}
    theatre = "<the packaged map>"  # one node for all its places

    def component(place: str) -> str:
        return root(place if place in own else theatre)

    for link in scenario.map.links:
        a, b = component(link.a), component(link.b)
        if a != b:
            parent[a] = b

    start = {u.id: u.location for u in scenario.units}
    found: list[tuple[Loc, str]] = []
    for i, order in enumerate(scenario.orders):
        where = start.get(order.unit)
        if order.target and where and component(where) != component(order.target):
            found.append(
                (
                    ("orders", i, "target"),
                    f"no road or railway joins {order.target} to {where}, where "
                    f"{order.unit} starts: the order could never be carried out",
                )
            )
    parent_of = {f.id: f.parent for f in scenario.formations}
    for i, intent in enumerate(scenario.intents):
        units = list(intent.units)
        if intent.formation is not None:
            under = formations_under(intent.formation, parent_of)
            units += [u.id for u in scenario.units if u.parent in under]
        reach = {component(start[u]) for u in units if start.get(u)}
        for j, step in enumerate(intent.objectives):
            named = [start[u] for u in step.units if start.get(u)] if step.units else []
            can = {component(w) for w in named} if named else reach
            if can and component(step.place) not in can:
                found.append(
                    (
                        ("intents", i, "objectives", j),
                        f"no road or railway joins {step.place} to where the intent's units "
                        "start: the objective could never be reached",
                    )
                )
    return found


def _reference_line_ids() -> list[str]:
    from campaign.geo.reference_lines import load_reference_lines

    return sorted(load_reference_lines())


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
            cycle = path[path.index(node) :]
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


#: Names a ``season.march`` key may use (campaign.engine.season.MARCH_FACTOR).
SEASONS = frozenset({"winter", "thaw", "summer", "autumn"})
ROADS = frozenset({"main", "secondary", "track", "none"})


def _all_conditions(scenario: Scenario) -> list[tuple[Loc, Condition]]:
    found: list[tuple[Loc, Condition]] = []
    for i, u in enumerate(scenario.units):
        if u.arrives_when is not None:
            found.append((("units", i, "arrives_when"), u.arrives_when))
    for i, r in enumerate(scenario.replacements):
        if r.when is not None:
            found.append((("replacements", i, "when"), r.when))
    for i, o in enumerate(scenario.orders):
        if o.when is not None:
            found.append((("orders", i, "when"), o.when))
    for i, intent in enumerate(scenario.intents):
        if intent.when is not None:
            found.append((("intents", i, "when"), intent.when))
        for j, step in enumerate(intent.objectives):
            if step.when is not None:
                found.append((("intents", i, "objectives", j, "when"), step.when))
    for i, rel in enumerate(scenario.relations):
        if rel.when is not None:
            found.append((("relations", i, "when"), rel.when))
    return found


def _check_condition(
    loc: Loc, cond: Condition, scenario: Scenario, place, side, problems: list
) -> None:
    """Places, sides and units named in a condition exist."""
    unit_ids = {u.id for u in scenario.units}
    for leaf in cond.leaves():
        for key in ("taken", "lost"):
            pb = getattr(leaf, key)
            if pb is not None:
                place((*loc, key, "place"), pb.place)
                who = pb.by if key == "taken" else pb.side
                if who is None:
                    problems.append(
                        (
                            (*loc, key),
                            f"'{key}' needs {'`by: SIDE`' if key == 'taken' else '`side: SIDE`'}",
                        )
                    )
                else:
                    side((*loc, key), who)
        for key in ("arrived", "broken"):
            uid = getattr(leaf, key)
            if uid is not None and uid not in unit_ids:
                problems.append(((*loc, key), f"unknown unit '{uid}'{suggest(uid, unit_ids)}"))
        if leaf.below is not None and leaf.below.unit not in unit_ids:
            problems.append(((*loc, "below", "unit"), f"unknown unit '{leaf.below.unit}'"))
        if leaf.ratio is not None:
            side((*loc, "ratio", "side"), leaf.ratio.side)
            place((*loc, "ratio", "place"), leaf.ratio.place)
        if leaf.near is not None:
            side((*loc, "near", "side"), leaf.near.side)
            place((*loc, "near", "place"), leaf.near.place)
        if leaf.stance is not None:
            for sid in leaf.stance.sides:
                side((*loc, "stance", "sides"), sid)


#: The combat laws that read each kind of ``combat.multipliers`` key (by the part before
#: the dot). Quality factors count under every law: commanders weigh units with them.
#: Under ``tndm`` the law decides the outcome itself: no break points, no advance
#: through the position (so no terrain or river factor from the table).
_LAWS_READING: dict[str, tuple[str, ...]] = {
    "quality": ("dupuy", "tndm", "lanchester_square", "lanchester_linear"),
    "break_point": ("dupuy", "lanchester_square", "lanchester_linear"),
    "terrain": ("dupuy", "lanchester_square", "lanchester_linear"),
    "river": ("dupuy", "lanchester_square", "lanchester_linear"),
}
#: Settings of ``combat`` (other than the law's name) and the laws that read them.
_SETTING_READ_BY: dict[str, tuple[str, ...]] = {
    "coefficients": ("lanchester_square", "lanchester_linear"),
    "variation": ("dupuy",),
    "break_points": ("dupuy", "lanchester_square", "lanchester_linear"),
    "position_depth_km": ("dupuy", "lanchester_square", "lanchester_linear"),
}


def laws_reading(key: str) -> tuple[str, ...]:
    """The combat laws that read the ``combat.multipliers`` key ``key``."""
    return _LAWS_READING.get(key.split(".", 1)[0], ("dupuy",))


def _laws(laws: tuple[str, ...]) -> str:
    return " and ".join(", ".join(laws).rsplit(", ", 1)) if len(laws) > 1 else laws[0]


def unread_settings(scenario: Scenario) -> list[tuple[Loc, str]]:
    """Combat settings the scenario's law does not read, as (location, message): a
    multiplier, coefficient or variation written for another law has no effect, and a
    user who tunes it should be told so rather than see nothing change."""
    spec = scenario.combat
    law = spec.model.value
    found: list[tuple[Loc, str]] = []
    for key in spec.multipliers:
        laws = laws_reading(key)
        if law not in laws:
            found.append(
                (
                    ("combat", "multipliers", key),
                    f"has no effect: the {law} law does not read multiplier '{key}' "
                    f"(only {_laws(laws)} do{'es' if len(laws) == 1 else ''})",
                )
            )
    for name, laws in _SETTING_READ_BY.items():
        if name in spec.model_fields_set and law not in laws:
            value = getattr(spec, name)
            if name == "coefficients" and not value:
                continue
            found.append(
                (
                    ("combat", name),
                    f"has no effect: the {law} law does not read `{name}` "
                    f"(only {_laws(laws)} do{'es' if len(laws) == 1 else ''})",
                )
            )
    return found
