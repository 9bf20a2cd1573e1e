"""The end-of-run summary: final control, losses per side, objectives met or missed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from campaign.scenario.schema import Scenario
    from campaign.simulate import RunResult


def losses_by_side(result: RunResult) -> dict[str, dict[str, float]]:
    """Per side: initial, arrived, present, killed, wounded, captured, departed (men).

    ``arrived`` counts every man who entered the theatre (including those present at
    the start), so ``arrived == present + killed + wounded + captured + departed``.
    """
    table: dict[str, dict[str, float]] = {}
    for side in result.scenario.sides:
        table[side.id] = dict.fromkeys(
            ("arrived", "present", "killed", "wounded", "captured", "departed"), 0.0
        )
    for u in result.units.values():
        row = table[u.side]
        row["arrived"] += u.arrived_men
        row["present"] += u.men if u.status in ("present", "moving") else 0.0
        row["killed"] += u.killed
        row["wounded"] += u.wounded
        row["captured"] += u.captured
        row["departed"] += u.departed_men
        if u.status == "destroyed":
            row["present"] += u.men  # fractional remnants of a surrendered unit
    return {s: {k: round(v, 1) for k, v in row.items()} for s, row in table.items()}


def objectives_status(
    result: RunResult, control_by_day: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """Each objective of the run's scenario with ``met`` true or false (see
    :func:`objectives_met`)."""
    return objectives_met(result.scenario, control_by_day)


def objectives_met(
    scenario: Scenario, control_by_day: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """Each objective with ``met`` true or false, from the control at the end of each day.

    *take*: the side (or the side it fights for) holds the place at the end of ``by``.
    *hold*: it holds the place at the end of every day up to ``by``.
    """
    holder = {s.id: s.controls_for or s.id for s in scenario.sides}
    out = []
    for o in scenario.objectives:
        owners = {o.side, holder[o.side]}
        by = o.by.isoformat()
        days = [d for d in control_by_day if d <= by]
        if o.kind == "take":
            met = bool(days) and control_by_day[days[-1]].get(o.place) in owners
        else:
            met = all(control_by_day[d].get(o.place) in owners for d in days)
        out.append(
            {
                "side": o.side,
                "place": o.place,
                "kind": o.kind,
                "by": by,
                "weight": o.weight,
                "met": met,
            }
        )
    return out


def build_summary(result: RunResult, control_by_day: dict[str, dict[str, str]]) -> dict[str, Any]:
    last = list(control_by_day)[-1]
    objectives = objectives_status(result, control_by_day)
    score: dict[str, float] = {}
    for o in objectives:
        total = score.setdefault(o["side"], 0.0)
        score[o["side"]] = total + (o["weight"] if o["met"] else 0.0)
    return {
        "scenario": result.scenario.id,
        "seed": result.seed,
        "final_date": last,
        "final_control": control_by_day[last],
        "losses": losses_by_side(result),
        "objectives": objectives,
        "objective_score": {k: round(v, 3) for k, v in score.items()},
        "engagements": sum(1 for e in result.events if e.type == "engagement_start"),
        "control_changes": sum(1 for e in result.events if e.type == "control_change"),
    }
