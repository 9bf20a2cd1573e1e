"""The story of one run, told from its replay log: what each side decided, what fired,
who marched where, each fight, each change of hands, and the record beside it.

:func:`build_account` reads a replay folder (and, where they can be found, the scenario
for guns and objectives and ``<scenario>.history.yaml`` for the record) and returns an
:class:`Account`: plain dataclasses with the sentences already written. Rendering it as
Markdown or HTML is :mod:`campaign.render.report`'s job; nothing here draws.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from campaign.replay.reader import Replay, order_of_battle, read_replay
from campaign.replay.sources import history_file_for, scenario_file_for
from campaign.replay.tables import control_by_day

#: Event types whose every occurrence is told in the dated narrative.
LOSS_KINDS = ("killed", "wounded", "captured")


# ----------------------------------------------------------------------------- records
@dataclass
class Line:
    """One dated sentence of the narrative; ``kind`` says what it tells (for styling)."""

    date: str
    t: float  # days since the start (orders the lines of a day)
    kind: str  # decision | trigger | order | march | fight | control | arrival | departure
    #            | relation | record
    text: str


@dataclass
class Force:
    """One side's part in a fight."""

    side: str
    units: list[str]  # unit names
    men: float
    guns: int | None  # None when the scenario file was not found


@dataclass
class Fight:
    """One engagement, start to end."""

    number: int
    place: str  # place id
    place_name: str
    start: str  # ISO date
    end: str | None  # None: still going at the end of the run
    attackers: list[Force]
    defenders: list[Force]
    posture: str
    terrain: str
    river: str | None
    combat_ratio: float | None  # attacker/defender combat power in the first step
    perceived_ratio: float | None  # as the attacking commander saw it when deciding
    true_ratio: float | None  # the true ratio at that decision
    why: str  # the decision or order that sent the attackers in
    winner: str  # attacker | defender | none
    result: str
    losses: dict[str, dict[str, float]]  # side -> men, killed, wounded, captured
    broke: list[str]  # sentences: who broke or withdrew, where to
    control: str | None  # the change of hands that followed, a sentence
    recorded: str | None  # the record's account of a fight there near that date

    @property
    def attacker_sides(self) -> list[str]:
        return [f.side for f in self.attackers]

    @property
    def defender_sides(self) -> list[str]:
        return [f.side for f in self.defenders]


@dataclass
class Fate:
    """What became of one unit by the end of the run."""

    unit: str
    name: str
    side: str
    men_start: float
    men_end: float
    place: str  # place name, or "A → B" while marching
    status: str  # e.g. "never thrown back", "routed once, thrown back twice", "destroyed",
    # "surrendered at Alytus", "left the theatre"


@dataclass
class RecordNote:
    """One checkpoint of the historical record beside the run."""

    date: str
    place: str  # place name
    recorded: str  # side name
    simulated: str
    agree: bool
    event: str


@dataclass
class ObjectiveResult:
    side: str
    place: str
    kind: str  # take | hold
    by: str
    weight: float
    met: bool


@dataclass
class Account:
    """Everything a report says about one run."""

    folder: Path
    title: str
    scenario_id: str
    seed: int
    start: str
    end: str
    overrides: list[str]
    sides: dict[str, str]  # id -> short name
    lines: list[Line]
    fights: list[Fight]
    fates: list[Fate]
    objectives: list[ObjectiveResult]
    record: list[RecordNote]
    record_file: str | None
    losses: dict[str, dict[str, float]]  # side -> killed, wounded, captured (in fights)
    final_control: dict[str, str]  # place id -> side
    place_names: dict[str, str]
    changes: list[dict[str, Any]]  # the control_change events, in order
    notes: list[str] = field(default_factory=list)  # what could not be found

    def days(self) -> dict[str, list[Line]]:
        """The narrative by date, each day's lines in the order they happened."""
        out: dict[str, list[Line]] = defaultdict(list)
        for line in sorted(self.lines, key=lambda x: (x.date, x.t)):
            out[line.date].append(line)
        return dict(out)

    def side_name(self, side: str) -> str:
        return "no side" if side == "none" else self.sides.get(side, side)


# ----------------------------------------------------------------------------- words
def short_side_name(name: str) -> str:
    """'Soviet Russia (Lithuanian SSR)' -> 'Soviet Russia'."""
    return name.split(" (")[0].strip() or name


def men(x: float) -> str:
    return f"{x:,.0f}"


def men_count(x: float) -> str:
    """``x`` men as words: "1 man", "0 men", "1,200 men" (rounded as :func:`men`)."""
    return f"{men(x)} {'man' if men(x) == '1' else 'men'}"


def ratio(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}:1"


def long_date(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B %Y')}"


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def condition_text(
    condition: str,
    place_names: dict[str, str],
    unit_names: dict[str, str],
    side_names: dict[str, str],
) -> str:
    """A trigger's condition (as logged, a Python literal) in words."""
    try:
        cond = ast.literal_eval(condition)
    except (ValueError, SyntaxError):
        return condition
    return _condition_words(cond, place_names, unit_names, side_names)


def _condition_words(cond: Any, places, units, sides) -> str:
    if not isinstance(cond, dict) or len(cond) != 1:
        return str(cond)
    ((key, value),) = cond.items()

    def place(p: str) -> str:
        return places.get(p, p)

    if key in ("any", "all"):
        parts = [_condition_words(c, places, units, sides) for c in value]
        return (" or " if key == "any" else " and ").join(parts)
    if key == "taken":
        return f"{place(value['place'])} taken by {sides.get(value.get('by'), value.get('by'))}"
    if key == "lost":
        return f"{place(value['place'])} lost by {sides.get(value.get('side'), value.get('side'))}"
    if key == "broken":
        return f"{units.get(value, value)} broken"
    if key == "arrived":
        return f"{units.get(value, value)} arrived"
    if key == "below":
        return f"{units.get(value['unit'], value['unit'])} below {men_count(value['men'])}"
    if key == "ratio":
        bound = (
            f"at least {value['at_least']}"
            if value.get("at_least") is not None
            else f"at most {value['at_most']}"
        )
        return f"{sides.get(value['side'], value['side'])}'s power ratio near {place(value['place'])} {bound}"
    if key == "done":
        return f"{value} done"
    if key == "date":
        return f"{value} has come"
    if key == "stance":
        a, b = value["sides"]
        return f"{sides.get(a, a)} and {sides.get(b, b)} {value['stance']}"
    return f"{key} {value}"


# ----------------------------------------------------------------------------- building
class _Context:
    """Names and look-ups shared by the builders."""

    def __init__(self, replay: Replay, scenario: Any | None):
        header = replay.header
        self.replay = replay
        self.events = replay.events
        self.places = {p.id: p.name for p in header.places}
        self.sides = {s.id: short_side_name(s.name) for s in header.sides}
        self.holder = {s.id: s.controls_for or s.id for s in header.sides}
        initial = next((e for e in self.events if e["type"] == "initial"), None)
        self.initial = initial or {"control": {}, "units": []}
        #: Every unit: the initial order of battle and the detachments split off later.
        self.order_of_battle = order_of_battle(self.events)
        self.units = {u["id"]: u.get("name", u["id"]) for u in self.order_of_battle}
        self.unit_side = {u["id"]: u["side"] for u in self.order_of_battle}
        for e in self.events:  # units that arrive later are in the initial list too,
            if e["type"] in ("arrival", "departure"):  # but keep any the list lacks
                self.unit_side.setdefault(e["unit"], e["side"])
                self.units.setdefault(e["unit"], e["unit"])
        self.guns: dict[str, int] | None = None
        if scenario is not None:
            self.guns = {u.id: u.guns for u in scenario.units}

    def place(self, place_id: str | None) -> str:
        if not place_id:
            return ""
        if ">" in place_id:
            a, b = place_id.split(">", 1)
            return f"{self.place(a)} → {self.place(b)}"
        return self.places.get(place_id, place_id)

    def unit(self, unit_id: str) -> str:
        return self.units.get(unit_id, unit_id)

    def side(self, side_id: str) -> str:
        return self.sides.get(side_id, side_id)


def _forces(ctx: _Context, units: dict[str, float]) -> list[Force]:
    by_side: dict[str, Force] = {}
    for unit, n in units.items():
        side = ctx.unit_side.get(unit, "?")
        force = by_side.setdefault(side, Force(side, [], 0.0, None if ctx.guns is None else 0))
        force.units.append(ctx.unit(unit))
        force.men += n
        if ctx.guns is not None:
            force.guns = (force.guns or 0) + ctx.guns.get(unit, 0)
    return list(by_side.values())


def _latest_attack_before(
    ctx: _Context,
    start: dict[str, Any],
    kind: str,
    sent: Callable[[dict[str, Any], set[str]], bool],
) -> dict[str, Any] | None:
    """The latest ``kind`` event to attack the fight's place, up to its start, that
    ``sent`` one of its attackers."""
    attackers = set(start["attackers"])
    best = None
    for e in ctx.events:
        if e["t"] > start["t"]:
            break
        if (
            e["type"] == kind
            and e["action"] == "attack"
            and e["target"] == start["place"]
            and sent(e, attackers)
        ):
            best = e
    return best


def _decision_before(ctx: _Context, start: dict[str, Any]) -> dict[str, Any] | None:
    """The latest decision to attack the fight's place that sent one of its attackers."""
    return _latest_attack_before(
        ctx, start, "decision", lambda e, attackers: bool(attackers & set(e["units"]))
    )


def _order_before(ctx: _Context, start: dict[str, Any]) -> dict[str, Any] | None:
    """The latest attack order on the fight's place given to one of its attackers."""
    return _latest_attack_before(ctx, start, "order", lambda e, attackers: e["unit"] in attackers)


def _match_records(
    history: Any, starts: dict[int, dict[str, Any]], ends: dict[int, dict[str, Any]], ctx: _Context
) -> dict[int, Any]:
    """Engagement number -> the recorded fight it stands for (each record used once):
    at the same place within three days, preferring a fight whose winner took or kept the
    place for the record's winner, then the nearest date."""
    if history is None:
        return {}
    out: dict[int, Any] = {}
    for r in history.engagements:
        best = None
        for number, s in starts.items():
            days = abs((dt.date.fromisoformat(s["date"]) - r.date).days)
            if s["place"] != r.place or days > 3 or number in out:
                continue
            end = ends.get(number)
            won = None
            if end is not None and end["winner"] in ("attacker", "defender"):
                units = s["attackers"] if end["winner"] == "attacker" else s["defenders"]
                won = {ctx.holder.get(ctx.unit_side.get(u), "") for u in units}
            agrees = r.winner is not None and won is not None and ctx.holder.get(r.winner) in won
            key = (not agrees, days, number)
            if best is None or key < best[0]:
                best = (key, number)
        if best is not None:
            out[best[1]] = r
    return out


def _recorded_text(r: Any, ctx: _Context) -> str:
    parts = []
    for side, s in r.sides.items():
        bits = [men_count(s.men) if s.men is not None else ""]
        bits += [f"{getattr(s, k):,} {k}" for k in LOSS_KINDS if getattr(s, k) is not None]
        bits = [b for b in bits if b]
        parts.append(f"{ctx.side(side)}" + (f" ({', '.join(bits)})" if bits else ""))
    won = f"; won by {ctx.side(r.winner)}" if r.winner else ""
    note = f" {r.note}" if r.note else ""
    return f"recorded on {r.date.isoformat()}: {_join(parts)}{won}.{note}"


def _fights(ctx: _Context, history: Any) -> list[Fight]:
    starts = {e["engagement"]: e for e in ctx.events if e["type"] == "engagement_start"}
    ends = {e["engagement"]: e for e in ctx.events if e["type"] == "engagement_end"}
    first_step = {}
    for e in ctx.events:
        if e["type"] == "engagement_step":
            first_step.setdefault(e["engagement"], e)
    records = _match_records(history, starts, ends, ctx)
    fights = []
    for number, s in sorted(starts.items()):
        end = ends.get(number)
        decision = _decision_before(ctx, s)
        if decision is not None:
            why = f"{ctx.side(decision['side'])} ({decision['intent']}): {decision['reason']}"
        else:
            order = _order_before(ctx, s)
            why = (
                f"order to {ctx.unit(order['unit'])} ({order['by']}): {order['reason']}"
                if order
                else ""
            )
            why = why.rstrip(": ")
        broke, control = [], None
        if end is not None:
            for e in ctx.events:
                if e["t"] != end["t"]:
                    continue
                if e["type"] == "retreat" and e["origin"] == s["place"]:
                    broke.append(
                        f"{ctx.unit(e['unit'])} {e['reason']}, fell back to "
                        f"{ctx.place(e['destination'])}"
                    )
                elif e["type"] == "surrender" and e["place"] == s["place"]:
                    broke.append(
                        f"{ctx.unit(e['unit'])} surrendered with {men_count(e['men'])} "
                        f"({e['reason']})"
                    )
            change = next(
                (
                    e
                    for e in ctx.events
                    if e["type"] == "control_change"
                    and e["place"] == s["place"]
                    and e["t"] == end["t"]
                ),
                None,
            )
            if change is not None:
                control = (
                    f"{ctx.place(change['place'])} passed from {ctx.side(change['old'])} to "
                    f"{ctx.side(change['new'])} ({change['cause']})"
                )
        fights.append(
            Fight(
                number=number,
                place=s["place"],
                place_name=ctx.place(s["place"]),
                start=s["date"],
                end=end["date"] if end else None,
                attackers=_forces(ctx, s["attackers"]),
                defenders=_forces(ctx, s["defenders"]),
                posture=s["posture"],
                terrain=s["terrain"],
                river=s.get("river"),
                combat_ratio=first_step[number]["power_ratio"] if number in first_step else None,
                perceived_ratio=decision["perceived_ratio"] if decision else None,
                true_ratio=decision["true_ratio"] if decision else None,
                why=why,
                winner=end["winner"] if end else "none",
                result=end["result"] if end else "still going at the end of the run",
                losses=end["losses"] if end else {},
                broke=broke,
                control=control,
                recorded=_recorded_text(records[number], ctx) if number in records else None,
            )
        )
    return fights


def fight_text(f: Fight, sides: dict[str, str]) -> str:
    """One paragraph telling a fight: who, how many, odds, ground, losses, outcome."""

    def force(forces: list[Force]) -> str:
        out = []
        for x in forces:
            guns = "" if x.guns is None else f", {x.guns} guns"
            out.append(f"{sides.get(x.side, x.side)} ({_join(x.units)}; {men_count(x.men)}{guns})")
        return _join(out)

    river = f", across the {f.river}" if f.river else ""
    odds = [f"combat power {ratio(f.combat_ratio)}"]
    if f.perceived_ratio is not None:
        true = "" if f.true_ratio is None else f", true {ratio(f.true_ratio)}"
        odds.insert(0, f"perceived {ratio(f.perceived_ratio)}{true} when the attack was decided")
    text = (
        f"**{f.place_name}** (engagement {f.number}, {f.start}"
        f"{'' if f.end in (None, f.start) else ' to ' + f.end}): {force(f.attackers)} "
        f"attacked {force(f.defenders)}; {f.posture} defence, {f.terrain} ground{river}; "
        f"odds {'; '.join(odds)}."
    )
    if f.why:
        text += f" Why: {f.why}."
    if f.losses:
        parts = [
            f"{sides.get(side, side)} {men(row.get('killed', 0))} killed, "
            f"{men(row.get('wounded', 0))} wounded, {men(row.get('captured', 0))} captured"
            for side, row in f.losses.items()
        ]
        text += f" Losses: {'; '.join(parts)}."
    text += f" Result: {f.result}"
    text += f" ({'the ' + f.winner + ' won' if f.winner != 'none' else 'undecided'})."
    if f.broke:
        text += " " + "; ".join(f.broke) + "."
    if f.control:
        text += f" {f.control}."
    if f.recorded:
        text += f" The record: {f.recorded}"
    return text


_ACTION_WORDS = {
    "end": "end",
    "done": "done",
    "attack": "attack",
    "move": "move to",
    "hold": "hold",
    "withdraw": "withdraw to",
    "wait": "wait before",
}


def _decision_lines(ctx: _Context) -> list[Line]:
    """Commanders' decisions, merged per moment; a repeated wait is told once."""
    lines: list[Line] = []
    last_wait: dict[str, tuple] = {}
    merged: dict[tuple, dict[str, Any]] = {}
    order: list[tuple] = []
    for e in ctx.events:
        if e["type"] != "decision":
            continue
        if e["action"] == "wait":
            # "perceived 0.86:1 < 1.30:1; gathering at X": told again only when it changes
            what = (e["target"], e["reason"].split(":")[0], e["reason"].rsplit(";", 1)[-1])
            if last_wait.get(e["intent"]) == what:
                continue
            last_wait[e["intent"]] = what
        else:
            last_wait.pop(e["intent"], None)
        key = (e["t"], e["intent"], e["action"], e["target"], e["reason"])
        if key in merged:
            merged[key]["units"] = merged[key]["units"] + e["units"]
            continue
        merged[key] = dict(e)
        order.append(key)
    for key in order:
        e = merged[key]
        who = _join([ctx.unit(u) for u in e["units"]])
        odds = ""
        if e["perceived_ratio"] is not None:
            odds = (
                f" (true {ratio(e['true_ratio'])})"
                if "perceived" in e["reason"]
                else f" (perceived {ratio(e['perceived_ratio'])}, true {ratio(e['true_ratio'])})"
            )
        target = f" {ctx.place(e['target'])}" if e["target"] else ""
        text = (
            f"{ctx.side(e['side'])}, intent *{e['intent']}*: "
            f"{_ACTION_WORDS.get(e['action'], e['action'])}{target}"
            f"{' with ' + who if who else ''} — {e['reason']}{odds}."
        )
        if e["action"] == "start":
            text = (
                f"{ctx.side(e['side'])}, intent *{e['intent']}* in force: "
                f"{who or 'none of its units is in the theatre'}."
            )
        lines.append(Line(e["date"], e["t"], "decision", text))
    return lines


def _march_lines(ctx: _Context) -> list[Line]:
    """One line a day naming every march and rail move begun that day."""
    by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in ctx.events:
        if e["type"] == "move_start" and e["mode"] != "retreat":
            by_day[e["date"]].append(e)
    lines = []
    for day, moves in by_day.items():
        parts = [
            f"{ctx.unit(m['unit'])} ({ctx.place(m['origin'])} → {ctx.place(m['destination'])}, "
            f"{m['km']:.0f} km{' by rail' if m['mode'] == 'rail' else ''})"
            for m in moves
        ]
        lines.append(Line(day, moves[0]["t"], "march", "Marches: " + "; ".join(parts) + "."))
    return lines


def _event_lines(ctx: _Context, fights: list[Fight]) -> list[Line]:
    lines: list[Line] = []
    fight_ends = {(f.place, f.end) for f in fights if f.end}
    fight_t = {e["t"] for e in ctx.events if e["type"] == "engagement_end"}
    by_number = {f.number: f for f in fights}
    for e in ctx.events:
        kind, day, t = e["type"], e["date"], e["t"]
        if kind == "trigger":
            cond = condition_text(e["condition"], ctx.places, ctx.units, ctx.sides)
            lines.append(
                Line(day, t, "trigger", f"Trigger: *{e['what']}* set off, because {cond}.")
            )
        elif kind == "order" and e["by"] == "scenario":
            target = f" {ctx.place(e['target'])}" if e["target"] else ""
            lines.append(
                Line(
                    day,
                    t,
                    "order",
                    f"Order (scenario timetable): {ctx.unit(e['unit'])} to {e['action']}{target}.",
                )
            )
        elif kind == "engagement_start":
            f = by_number[e["engagement"]]
            if f.end != f.start:
                lines.append(
                    Line(
                        day,
                        t,
                        "fight",
                        f"Fighting begins at **{f.place_name}** "
                        f"(engagement {f.number}); see {f.end or 'the end of the run'}.",
                    )
                )
        elif kind == "engagement_end":
            lines.append(Line(day, t, "fight", fight_text(by_number[e["engagement"]], ctx.sides)))
        elif kind == "control_change" and not (t in fight_t and (e["place"], day) in fight_ends):
            lines.append(
                Line(
                    day,
                    t,
                    "control",
                    f"{ctx.place(e['place'])} passed from "
                    f"{ctx.side(e['old'])} to {ctx.side(e['new'])}: {e['cause']}.",
                )
            )
        elif kind == "retreat" and t not in fight_t:
            lines.append(
                Line(
                    day,
                    t,
                    "control",
                    f"{ctx.unit(e['unit'])} fell back from "
                    f"{ctx.place(e['origin'])} to {ctx.place(e['destination'])}: "
                    f"{e['reason']}.",
                )
            )
        elif kind == "surrender" and t not in fight_t:
            lines.append(
                Line(
                    day,
                    t,
                    "control",
                    f"{ctx.unit(e['unit'])} surrendered at "
                    f"{ctx.place(e['place'])} with {men_count(e['men'])}: {e['reason']}.",
                )
            )
        elif kind == "arrival" and t > 0:
            lines.append(
                Line(
                    day,
                    t,
                    "arrival",
                    f"{ctx.unit(e['unit'])} arrived at "
                    f"{ctx.place(e['place'])} with {men_count(e['men'])}.",
                )
            )
        elif kind == "detach":
            lines.append(
                Line(
                    day,
                    t,
                    "arrival",
                    f"{ctx.unit(e['parent'])} left {ctx.unit(e['unit'])}, "
                    f"{men_count(e['men'])}, in {ctx.place(e['place'])}: {e['reason']}.",
                )
            )
        elif kind == "departure":
            lines.append(
                Line(
                    day,
                    t,
                    "departure",
                    f"{ctx.unit(e['unit'])} left the theatre from "
                    f"{ctx.place(e['place'])} with {men_count(e['men'])}.",
                )
            )
        elif kind == "relation":
            a, b = (ctx.side(s) for s in e["sides"])
            lines.append(
                Line(day, t, "relation", f"{a} and {b}: {e['old']} → {e['new']} ({e['reason']}).")
            )
    return lines


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _fates(ctx: _Context) -> list[Fate]:
    days = [e for e in ctx.events if e["type"] == "day"]
    last = days[-1]["units"] if days else {}
    routed: dict[str, int] = defaultdict(int)
    thrown_back: dict[str, int] = defaultdict(int)
    surrendered: dict[str, str] = {}
    departed: dict[str, float] = {}  # unit -> men it left with
    for e in ctx.events:
        if e["type"] == "retreat" and e["reason"].startswith(("broke", "routed")):
            routed[e["unit"]] += 1
        elif e["type"] == "retreat" and e["reason"].startswith(("gave way", "driven out")):
            thrown_back[e["unit"]] += 1
        elif e["type"] == "surrender":
            surrendered[e["unit"]] = ctx.place(e["place"])
        elif e["type"] == "departure":
            departed[e["unit"]] = float(e["men"])
    fates = []
    for u in ctx.order_of_battle:
        unit = u["id"]
        end_men, where = (last.get(unit) or [departed.get(unit, 0.0), ""])[:2]
        setbacks = ", ".join(
            f"{what} {_times(n)}"
            for what, n in (("routed", routed[unit]), ("thrown back", thrown_back[unit]))
            if n
        )
        if unit in surrendered:
            status = f"surrendered at {surrendered[unit]}"
        elif unit not in last and unit not in departed:
            status = "never arrived"
        elif float(end_men) < 0.5:
            status = f"destroyed ({setbacks})" if setbacks else "destroyed"
        elif unit in departed:
            status = f"left the theatre ({setbacks})" if setbacks else "left the theatre"
        else:
            status = setbacks or "never thrown back"
        fates.append(
            Fate(
                unit,
                ctx.unit(unit),
                u["side"],
                float(u.get("men", 0.0)),
                float(end_men),
                ctx.place(str(where)),
                status,
            )
        )
    return fates


def _objectives(
    ctx: _Context, scenario: Any | None, table: dict[str, dict[str, str]], folder: Path
) -> list[ObjectiveResult]:
    summary = folder / "summary.json"
    if summary.is_file():
        try:
            rows = json.loads(summary.read_text(encoding="utf-8")).get("objectives", [])
            return [
                ObjectiveResult(r["side"], r["place"], r["kind"], r["by"], r["weight"], r["met"])
                for r in rows
            ]
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # a damaged summary: work them out from the scenario below
    if scenario is None:
        return []
    from campaign.replay.summary import objectives_met

    return [
        ObjectiveResult(r["side"], r["place"], r["kind"], r["by"], r["weight"], r["met"])
        for r in objectives_met(scenario, table)
    ]


def _record(ctx: _Context, history: Any, table: dict[str, dict[str, str]]) -> list[RecordNote]:
    if history is None:
        return []
    notes = []
    for cp in sorted(history.checkpoints, key=lambda c: (c.date, c.place)):
        day = cp.date.isoformat()
        if day not in table:
            continue
        simulated = table[day].get(cp.place, "none")
        agree = ctx.holder.get(simulated, simulated) == ctx.holder.get(cp.side, cp.side)
        notes.append(
            RecordNote(
                day, ctx.place(cp.place), ctx.side(cp.side), ctx.side(simulated), agree, cp.event
            )
        )
    return notes


def _record_lines(notes: list[RecordNote]) -> list[Line]:
    by_day: dict[str, list[RecordNote]] = defaultdict(list)
    for n in notes:
        by_day[n.date].append(n)
    lines = []
    for day, group in by_day.items():
        for n in group:
            verdict = "agrees" if n.agree else f"DIFFERS (the run has {n.simulated})"
            lines.append(
                Line(
                    day,
                    1e9,
                    "record",
                    f"The record: {n.place} held by {n.recorded} — the run {verdict}. “{n.event}”",
                )
            )
    return lines


def _load_scenario(replay: Replay, notes: list[str]) -> Any | None:
    from campaign.errors import CampaignError

    path = scenario_file_for(replay)
    if path is None:
        recorded = replay.header.scenario_path
        if recorded and Path(recorded).is_absolute() and Path(recorded).is_file():
            from campaign.replay.sources import lookup_roots

            notes.append(
                f"scenario file {recorded} not read: it lies outside "
                f"{lookup_roots(replay.folder)[-1]}, the folders a run's header may name "
                "files in (run from under them, or copy the scenario beside the run): guns "
                "and objectives are left out"
            )
        else:
            notes.append(
                f"scenario file {recorded or replay.header.scenario_id} "
                "not found: guns and objectives are left out"
            )
        return None
    try:
        from campaign.scenario.loader import load_scenario
        from campaign.scenario.overrides import Overrides

        return load_scenario(path, Overrides.from_flags(replay.header.overrides))
    except CampaignError as exc:
        notes.append(
            f"{path}: could not be read again ({str(exc).splitlines()[0]}); guns are left out"
        )
        return None


def _load_history(replay: Replay, notes: list[str]) -> tuple[Any | None, str | None]:
    from campaign.errors import CampaignError
    from campaign.scenario.history import load_history

    path, first = history_file_for(replay)
    if path is None:
        notes.append(f"no historical record found (looked for {first})")
        return None, None
    try:
        return load_history(path), str(path)
    except CampaignError as exc:
        notes.append(f"{path}: {str(exc).splitlines()[0]}")
        return None, None


def build_account(folder: str | Path, with_record: bool = True) -> Account:
    """Read a replay folder and tell its story (raises ReplayError for a bad log)."""
    replay = read_replay(folder)
    header = replay.header
    notes: list[str] = []
    scenario = _load_scenario(replay, notes)
    history, record_file = _load_history(replay, notes) if with_record else (None, None)
    ctx = _Context(replay, scenario)
    table = control_by_day(header, replay.events)
    fights = _fights(ctx, history)
    record = _record(ctx, history, table)
    lines = (
        _decision_lines(ctx) + _march_lines(ctx) + _event_lines(ctx, fights) + _record_lines(record)
    )
    losses: dict[str, dict[str, float]] = {}
    for f in fights:
        for side, row in f.losses.items():
            total = losses.setdefault(side, dict.fromkeys(LOSS_KINDS, 0.0))
            for k in LOSS_KINDS:
                total[k] += row.get(k, 0.0)
    return Account(
        folder=Path(folder),
        title=header.scenario_title,
        scenario_id=header.scenario_id,
        seed=header.seed,
        start=header.start,
        end=header.end,
        overrides=list(header.overrides),
        sides=ctx.sides,
        lines=lines,
        fights=fights,
        fates=_fates(ctx),
        objectives=_objectives(ctx, scenario, table, Path(folder)),
        record=record,
        record_file=record_file,
        losses=losses,
        final_control=table[header.end] if table else {},
        place_names=ctx.places,
        notes=notes,
        changes=[e for e in replay.events if e["type"] == "control_change"],
    )
