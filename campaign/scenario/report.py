"""Human-readable descriptions of a scenario: summary, order of battle, strengths by date."""

from __future__ import annotations

import datetime as dt

from campaign.scenario.schema import Scenario, formations_under


def strength_by_date(scenario: Scenario) -> list[tuple[dt.date, dict[str, int]]]:
    """Scheduled men per side on every date an arrival, a departure or a dated
    replacement changes it (conditional arrivals and replacements are left out: they
    depend on the run)."""
    dates = {scenario.start}
    for u in scenario.units:
        if u.arrives:
            dates.add(u.arrives)
        if u.departs and u.departs <= scenario.end:
            dates.add(u.departs)
    dated = [r for r in scenario.replacements if r.date is not None and r.when is None]
    dates |= {r.date for r in dated if r.date <= scenario.end}
    units = {u.id: u for u in scenario.units}
    out = []
    for day in sorted(dates):
        row = {s.id: 0 for s in scenario.sides}
        present: set[str] = set()
        for u in scenario.units:
            arrived = (u.arrives or scenario.start) <= day
            gone = u.departs is not None and u.departs <= day
            if arrived and not gone and u.arrives_when is None:
                row[u.side] += u.strength_men
                present.add(u.id)
        for r in dated:
            if r.date <= day and r.unit in present:
                row[units[r.unit].side] += r.men
        out.append((day, row))
    return out


def order_of_battle(scenario: Scenario) -> list[str]:
    """The formation -> unit tree per side, one line each, indented."""
    lines: list[str] = []
    children: dict[str | None, list] = {}
    for f in scenario.formations:
        children.setdefault(f.parent, []).append(f)
    units_of: dict[str | None, list] = {}
    for u in scenario.units:
        units_of.setdefault(u.parent, []).append(u)

    def walk(formation_id: str | None, side: str, depth: int) -> None:
        for f in children.get(formation_id, []):
            if f.side != side:
                continue
            men = _men_under(scenario, f.id)
            lines.append(f"{'  ' * depth}{f.name} [{f.kind}, id {f.id}] {men:,} men")
            walk(f.id, side, depth + 1)
        for u in units_of.get(formation_id, []):
            if u.side != side:
                continue
            est = " (estimated)" if u.estimated else ""
            when = f", arrives {u.arrives}" if u.arrives else ""
            lines.append(
                f"{'  ' * depth}- {u.name} [{u.kind}, {u.quality}, id {u.id}] "
                f"{u.strength_men:,} men{est} at {u.location}{when}"
            )

    for side in scenario.sides:
        lines.append(f"{side.name} ({side.id})")
        walk(None, side.id, 1)
    return lines


def _men_under(scenario: Scenario, formation_id: str) -> int:
    below = formations_under(formation_id, {f.id: f.parent for f in scenario.formations})
    return sum(u.strength_men for u in scenario.units if u.parent in below)


def describe(scenario: Scenario) -> str:
    """A one-screen summary of a scenario for ``campaign validate`` and ``info``."""
    lines = [
        f"{scenario.title} ({scenario.id})",
        f"  {scenario.start} to {scenario.end}, combat model {scenario.combat.model.value}",
        f"  sides: {', '.join(s.name for s in scenario.sides)}",
        f"  {len(scenario.units)} units, {len(scenario.formations)} formations, "
        f"{len(scenario.intents)} intents, {len(scenario.orders)} orders, "
        f"{len(scenario.objectives)} objectives",
        f"  sources: {', '.join(s.file for s in scenario.sources)}",
    ]
    return "\n".join(lines)


def command_lines(scenario: Scenario) -> list[str]:
    """Intents, conditional orders and relations, one line each."""
    lines = []
    for intent in scenario.intents:
        start = _span(intent.date, intent.until, intent.when is not None)
        if intent.attack_on is not None:
            start = f"attack on {intent.attack_on}" + (
                f" (decided {intent.date})" if intent.date else ""
            )
        steps = ", ".join(f"{st.kind} {st.place}" for st in intent.objectives)
        who = intent.formation or ", ".join(intent.units)
        lines.append(f"{intent.id} ({intent.side}; {who}): {start}: {steps}")
    for order in scenario.orders:
        if order.when is not None:
            lines.append(
                f"order {order.id or order.unit}: {order.action.value}"
                f"{' ' + order.target if order.target else ''}, "
                f"{_span(order.date, None, True)}"
            )
    for rel in scenario.relations:
        believed = "".join(f"; {who} believed {st.value}" for who, st in rel.believed.items())
        lines.append(
            f"relation {'/'.join(rel.sides)}: {rel.stance.value} "
            f"{_span(rel.date, rel.until, rel.when is not None)}{believed}"
        )
    for line in scenario.lines:
        through = f"reference line {line.reference}" if line.reference else "-".join(line.places)
        lines.append(
            f"line {line.id} ({line.name}, {through}): closed to {', '.join(line.closed_to)} "
            f"{_span(line.date, line.until, False)}"
        )
    return lines


def _span(date: dt.date | None, until: dt.date | None, conditional: bool) -> str:
    """When something is in force: "from the start", "from 1919-01-18 until 1919-02-01",
    "from 1919-01-18 once a condition holds"."""
    if date and conditional:
        text = f"from {date}, once a condition holds"
    elif date:
        text = f"from {date}"
    else:
        text = "once a condition holds" if conditional else "from the start"
    if until:
        text += f" until {until}"
    return text


def supply_and_season_lines(scenario: Scenario) -> list[str]:
    from campaign.engine.season import season_by_day
    from campaign.engine.supply import OUT_OF_SUPPLY_FLOOR, SUPPLY_RADIUS_KM

    lines = []
    radius = scenario.supply.radius_km or SUPPLY_RADIUS_KM
    living = {
        s: v for s, v in scenario.supply.live_off_land.items() if s not in scenario.supply.sources
    }
    if not scenario.supply.sources:
        lines.append(
            "supply: no sources given, every unit is supplied"
            + (" (except those living off the land)" if living else "")
        )
    for side, share in living.items():
        lines.append(
            f"supply {side}: no sources, lives off the land everywhere (keeps {share:.0%})"
        )
    for side, places in scenario.supply.sources.items():
        floor = scenario.supply.live_off_land.get(side, OUT_OF_SUPPLY_FLOOR)
        lines.append(
            f"supply {side}: {', '.join(places)} (reach {radius:g} km; "
            f"out of supply keeps {floor:.0%})"
        )
    days = season_by_day(scenario)
    spells: list[tuple[str, int, int]] = []
    for i, name in enumerate(days):
        if spells and spells[-1][0] == name:
            spells[-1] = (name, spells[-1][1], i)
        else:
            spells.append((name, i, i))
    import datetime as dt

    for name, a, b in spells:
        first = scenario.start + dt.timedelta(days=a)
        last = scenario.start + dt.timedelta(days=b)
        lines.append(f"season {name}: {first} to {last}")
    return lines


def info_text(scenario: Scenario) -> str:
    lines = [describe(scenario), "", "Order of battle:"]
    lines += ["  " + line for line in order_of_battle(scenario)]
    command = command_lines(scenario)
    if command:
        lines += ["", "Command (intents, conditional orders, relations):"]
        lines += ["  " + line for line in command]
    lines += ["", "Supply and season:"]
    lines += ["  " + line for line in supply_and_season_lines(scenario)]
    lines += ["", "Strength by date (men):"]
    sides = [s.id for s in scenario.sides]
    lines.append("  " + "date".ljust(12) + "".join(s.rjust(12) for s in sides))
    for day, row in strength_by_date(scenario):
        lines.append("  " + day.isoformat().ljust(12) + "".join(f"{row[s]:>12,}" for s in sides))
    waiting = [u for u in scenario.units if u.arrives_when is not None]
    if waiting:
        lines.append(
            "  not counted above, arriving when a condition holds in the run: "
            + "; ".join(f"{u.id} ({u.side}, {u.strength_men:,} men)" for u in waiting)
        )
    return "\n".join(lines)


def objectives_json(scenario: Scenario) -> list[dict]:
    """The scenario's objectives as plain JSON values (``campaign info --json`` and the
    ensemble log's header)."""
    return [
        {
            "side": o.side,
            "place": o.place,
            "kind": o.kind,
            "by": o.by.isoformat(),
            "weight": o.weight,
        }
        for o in scenario.objectives
    ]


def info_json(scenario: Scenario) -> dict:
    """What ``info`` shows, as plain data: the ids ``--remove``, ``--scale`` and variants
    name, strengths in men, dates as ISO strings."""
    return {
        "id": scenario.id,
        "title": scenario.title,
        "start": scenario.start.isoformat(),
        "end": scenario.end.isoformat(),
        "sides": [{"id": s.id, "name": s.name} for s in scenario.sides],
        "formations": [
            {
                "id": f.id,
                "name": f.name,
                "side": f.side,
                "kind": str(f.kind),
                "parent": f.parent,
                "men": _men_under(scenario, f.id),
            }
            for f in scenario.formations
        ],
        "units": [
            {
                "id": u.id,
                "name": u.name,
                "side": u.side,
                "kind": str(u.kind),
                "parent": u.parent,
                "strength_men": u.strength_men,
                "guns": u.guns,
                "location": u.location,
                "arrives": u.arrives.isoformat() if u.arrives else None,
                "arrives_when": (
                    u.arrives_when.model_dump(mode="json", exclude_none=True)
                    if u.arrives_when is not None
                    else None
                ),
                "departs": u.departs.isoformat() if u.departs else None,
            }
            for u in scenario.units
        ],
        "intents": [i.id for i in scenario.intents],
        "relations": [
            {
                "id": r.id,
                "sides": list(r.sides),
                "stance": r.stance.value,
                "from": r.date.isoformat() if r.date else None,
                "until": r.until.isoformat() if r.until else None,
                "conditional": r.when is not None,
                "believed": {s: st.value for s, st in r.believed.items()},
            }
            for r in scenario.relations
        ],
        "lines": [
            {
                "id": x.id,
                "name": x.name,
                "places": list(x.places),
                "reference": x.reference,
                "closed_to": list(x.closed_to),
                "from": x.date.isoformat() if x.date else None,
                "until": x.until.isoformat() if x.until else None,
            }
            for x in scenario.lines
        ],
        "supply": scenario.supply.model_dump(mode="json"),
        "season": scenario.season.model_dump(mode="json"),
        "orders": [o.id for o in scenario.orders if o.id],
        "objectives": objectives_json(scenario),
        "strength_by_date": [
            {"date": d.isoformat(), **row} for d, row in strength_by_date(scenario)
        ],
        # Units arriving when a condition holds: not in strength_by_date.
        "not_counted_by_date": [u.id for u in scenario.units if u.arrives_when is not None],
    }
