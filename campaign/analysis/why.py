"""Why a place is in whose hands: the chain of its control changes up to a date.

For every change of hands: what did it (an engagement, an occupation, a change behind
the lines), which decision sent the units, and which trigger set that decision's intent or
order going. Then what was tried and failed: fights there that left it in the same
hands, and each intent that aimed at it without taking it, with its last decision about
it. A few lines each, from the replay log alone.
"""

from __future__ import annotations

from typing import Any

from campaign.analysis.narrative import (
    _Context,
    _decision_before,
    _forces,
    condition_text,
    men,
    ratio,
)
from campaign.errors import ReplayError
from campaign.replay.reader import Replay


def _place_id(ctx: _Context, place: str) -> str:
    if place in ctx.places:
        return place
    by_name = {name.casefold(): pid for pid, name in ctx.places.items()}
    found = by_name.get(place.casefold())
    if found is None:
        # Another name the gazetteer knows for a place of the run (Kovno, Wilno, Sejny).
        from campaign.geo import load_gazetteer

        for pid, entry in load_gazetteer().items():
            if pid in ctx.places and place.casefold() in (n.casefold() for n in entry.other_names):
                found = pid
                break
    if found is None:
        raise ReplayError(
            f"place '{place}': not a place of this run (ids such as "
            f"{', '.join(sorted(ctx.places)[:4])}, or names such as "
            f"{', '.join(sorted(ctx.places.values())[:3])})"
        )
    return found


def _trigger_for(ctx: _Context, what: str, before: float) -> dict[str, Any] | None:
    best = None
    for e in ctx.events:
        if e["t"] > before:
            break
        if e["type"] == "trigger" and e["what"] == what:
            best = e
    return best


def _why_decision(ctx: _Context, decision: dict[str, Any]) -> list[str]:
    odds = ""
    if decision.get("perceived_ratio") is not None:
        odds = (
            f" (true {ratio(decision['true_ratio'])})"
            if "perceived" in decision["reason"]
            else f" (perceived {ratio(decision['perceived_ratio'])}, "
            f"true {ratio(decision['true_ratio'])})"
        )
    units = ", ".join(ctx.unit(u) for u in decision["units"])
    lines = [
        f"  decided {decision['date']} by {ctx.side(decision['side'])}, intent "
        f"{decision['intent']}: {decision['action']} with {units} — "
        f"{decision['reason']}{odds}"
    ]
    trigger = _trigger_for(ctx, f"intent {decision['intent']}", decision["t"])
    if trigger is not None:
        lines.append(
            f"  the intent was set off {trigger['date']} because "
            f"{condition_text(trigger['condition'], ctx.places, ctx.units, ctx.sides)}"
        )
    return lines


def _why_order(ctx: _Context, unit: str, place: str, before: float) -> list[str]:
    """The latest order or decision that sent ``unit`` to ``place``."""
    decision = order = None
    for e in ctx.events:
        if e["t"] > before:
            break
        if (
            e["type"] == "decision"
            and e["target"] == place
            and unit in e["units"]
            and e["action"] in ("attack", "move")
        ):
            decision = e
        elif e["type"] == "order" and e["unit"] == unit and e["target"] == place:
            order = e
    if decision is not None:
        return _why_decision(ctx, decision)
    if order is not None:
        lines = [
            f"  ordered {order['date']} ({order['by']}): {ctx.unit(unit)} to "
            f"{order['action']} {ctx.place(place)} — {order['reason']}"
        ]
        trigger = next(
            (
                e
                for e in ctx.events
                if e["type"] == "trigger"
                and e["t"] <= order["t"]
                and e["what"].endswith(f" {order.get('id', '')}")
            ),
            None,
        )
        if trigger is not None:
            lines.append(
                f"  set off {trigger['date']} because "
                f"{condition_text(trigger['condition'], ctx.places, ctx.units, ctx.sides)}"
            )
        return lines
    return []


def why_place(replay: Replay, place: str, date: str | None = None) -> str:
    """The causal chain of ``place``'s control changes up to the end of ``date``
    (default: the last day), a few lines each."""
    ctx = _Context(replay, None)
    pid = _place_id(ctx, place)
    header = replay.header
    date = date or header.end
    if not header.start <= date <= header.end:
        raise ReplayError(f"--date {date}: not a date of this run ({header.start} to {header.end})")
    name = ctx.place(pid)
    start_side = ctx.initial["control"].get(pid, "none")
    out = [f"{name}: held by {ctx.side(start_side)} at the start ({header.start})."]
    starts = {e["engagement"]: e for e in ctx.events if e["type"] == "engagement_start"}
    steps: dict[int, float] = {}
    for e in ctx.events:
        if e["type"] == "engagement_step":
            steps.setdefault(e["engagement"], e["power_ratio"])
    holder = start_side
    for e in ctx.events:
        if e["date"] > date:
            break
        if e["type"] != "control_change" or e["place"] != pid:
            continue
        holder = e["new"]
        out.append("")
        out.append(
            f"{e['date']}: {name} passed from {ctx.side(e['old'])} to "
            f"{ctx.side(e['new'])} — {e['cause']}."
        )
        end = next(
            (
                x
                for x in ctx.events
                if x["type"] == "engagement_end" and x["t"] == e["t"] and x["place"] == pid
            ),
            None,
        )
        if end is not None:
            s = starts[end["engagement"]]
            att = _camp(ctx, s["attackers"], end)
            dfn = _camp(ctx, s["defenders"], end)
            out.append(
                f"  engagement {end['engagement']} from {s['date']}: {att} attacked {dfn} "
                f"({s['posture']} defence, combat power "
                f"{ratio(steps.get(end['engagement']))}); {end['result']}"
            )
            decision = _decision_before(ctx, s)
            if decision is not None:
                out += _why_decision(ctx, decision)
            else:
                for unit in s["attackers"]:
                    out += _why_order(ctx, unit, pid, s["t"])
                    break
        else:
            arrived = next(
                (
                    x
                    for x in ctx.events
                    if x["type"] == "move_end" and x["t"] == e["t"] and x["place"] == pid
                ),
                None,
            )
            if arrived is not None:
                out += _why_order(ctx, arrived["unit"], pid, e["t"]) or [
                    f"  {ctx.unit(arrived['unit'])} was passing through; no order or decision "
                    f"named {name}"
                ]
            else:
                out.append(
                    "  no fight and no arrival there: a change behind the lines "
                    "(the cause above says which)"
                )
    if len(out) == 1:
        out.append(f"No change of hands up to {date}.")
    out += _attempts(ctx, pid, date, holder, starts)
    out.append("")
    out.append(f"At the end of {date}: held by {ctx.side(holder)}.")
    return "\n".join(out)


def _camp(ctx: _Context, units: dict[str, float], end: dict[str, Any]) -> str:
    """One camp of a fight as "Side men", with the men who had joined it by its end
    when more came up (the fight's start lists only those there at the first shot)."""
    out = []
    for f in _forces(ctx, units):
        total = end.get("losses", {}).get(f.side, {}).get("men")
        joined = f" ({men(total)} by the end)" if total is not None and total > f.men + 0.5 else ""
        out.append(f"{ctx.side(f.side)} {men(f.men)}{joined}")
    return "; ".join(out)


def _attempts(
    ctx: _Context, pid: str, date: str, holder: str, starts: dict[int, dict[str, Any]]
) -> list[str]:
    """What else was tried for ``pid`` up to ``date``: the fights there that left it
    in the same hands, and each intent of a side not holding it at the end that aimed
    at it, with its last decision about it (why it did not take it, in its own words)."""
    out: list[str] = []
    taken_at = {e["t"] for e in ctx.events if e["type"] == "control_change" and e["place"] == pid}
    for e in ctx.events:
        if e["date"] > date:
            break
        if e["type"] == "engagement_end" and e["place"] == pid and e["t"] not in taken_at:
            s = starts.get(e["engagement"])
            if s is None:
                continue
            att = _camp(ctx, s["attackers"], e)
            dfn = _camp(ctx, s["defenders"], e)
            out += ["", f"{s['date']}: {att} attacked {dfn} there — {e['result']}."]
    last: dict[str, dict[str, Any]] = {}
    for e in ctx.events:
        if e["date"] > date:
            break
        if e["type"] == "decision" and e["target"] == pid:
            last[e["intent"]] = e
    for intent, e in last.items():
        if ctx.holder.get(e["side"], e["side"]) == holder or e["action"] in ("end", "hold"):
            continue  # held by its own side (or for it): the aim met, or a place to keep
        out += ["", f"Intent {intent} ({ctx.side(e['side'])}) aimed at it; its last decision:"]
        out += _why_decision(ctx, e)
    return out
