"""What a what-if run changed: two accounts of the same scenario side by side.

:func:`differences` compares a run (usually a what-if, with overrides in its header) with
a baseline run and returns sentences: overrides, places that end in other hands, captures
that came earlier, later or not at all, fights that happened in only one run or ended
otherwise, losses per side and objectives met or missed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from campaign.analysis.narrative import LOSS_KINDS, Account, Fight, men


@dataclass
class Differences:
    baseline: str  # folder of the baseline run
    overrides: list[str]  # of the what-if run
    baseline_overrides: list[str]
    control: list[str] = field(default_factory=list)
    captures: list[str] = field(default_factory=list)
    fights: list[str] = field(default_factory=list)
    losses: list[tuple[str, str, float, float]] = field(
        default_factory=list
    )  # side, kind, base, run
    objectives: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return not (
            self.control
            or self.captures
            or self.fights
            or self.objectives
            or any(b != r for _, _, b, r in self.losses)
        )


def _fight_key(f: Fight) -> tuple[str, tuple[str, ...]]:
    return f.place, tuple(sorted(f.attacker_sides))


def differences(run: Account, base: Account) -> Differences:
    """Differences of the run told by ``run`` from the one told by ``base``; both must
    be runs of one scenario (:class:`~campaign.errors.ReplayError` otherwise)."""
    if run.scenario_id != base.scenario_id:
        from campaign.errors import ReplayError

        raise ReplayError(
            f"{base.folder}: a run of scenario '{base.scenario_id}', not of "
            f"'{run.scenario_id}': the baseline must be a run of the same scenario"
        )
    d = Differences(str(base.folder), run.overrides, base.overrides)
    name = run.place_names.get
    for place in sorted(set(run.final_control) | set(base.final_control)):
        a, b = base.final_control.get(place, "none"), run.final_control.get(place, "none")
        if a != b:
            d.control.append(
                f"{name(place, place)} ends with {run.side_name(b)} "
                f"(baseline: {base.side_name(a)})."
            )
    first_base = _first_changes(base.changes)
    first_run = _first_changes(run.changes)
    for key in sorted(set(first_base) | set(first_run)):
        place, side = key
        a, b = first_base.get(key), first_run.get(key)
        where, who = name(place, place), run.side_name(side)
        if a == b:
            continue
        if a is None:
            d.captures.append(f"{where} passed to {who} on {b} (never in the baseline).")
        elif b is None:
            d.captures.append(f"{where} never passed to {who} (baseline: {a}).")
        else:
            days = (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days
            d.captures.append(
                f"{where} passed to {who} on {b}, {abs(days)} day{'' if abs(days) == 1 else 's'} "
                f"{'later' if days > 0 else 'earlier'} than in the baseline ({a})."
            )
    base_fights = {}
    for f in base.fights:
        base_fights.setdefault(_fight_key(f), []).append(f)
    run_fights = {}
    for f in run.fights:
        run_fights.setdefault(_fight_key(f), []).append(f)
    for key in sorted(set(base_fights) | set(run_fights)):
        a, b = base_fights.get(key, []), run_fights.get(key, [])
        attackers = " and ".join(run.side_name(s) for s in key[1])
        where = name(key[0], key[0])
        if not a:
            d.fights.append(
                f"{attackers} attacked {where} {len(b)}× (first on {b[0].start}); "
                f"not in the baseline."
            )
        elif not b:
            d.fights.append(
                f"{attackers} never attacked {where} (baseline: {len(a)}×, first on {a[0].start})."
            )
        elif [f.winner for f in a] != [f.winner for f in b]:
            d.fights.append(
                f"{attackers} at {where}: {', '.join(f.start + ' ' + f.result for f in b)}"
                f" (baseline: {', '.join(f.start + ' ' + f.result for f in a)})."
            )
    for side in sorted(set(run.losses) | set(base.losses)):
        for kind in LOSS_KINDS:
            d.losses.append(
                (
                    side,
                    kind,
                    base.losses.get(side, {}).get(kind, 0.0),
                    run.losses.get(side, {}).get(kind, 0.0),
                )
            )
    base_obj = {(o.side, o.place, o.kind, o.by): o.met for o in base.objectives}
    for o in run.objectives:
        was = base_obj.get((o.side, o.place, o.kind, o.by))
        if was is not None and was != o.met:
            d.objectives.append(
                f"{run.side_name(o.side)} {o.kind} {name(o.place, o.place)} by "
                f"{o.by}: {'met' if o.met else 'missed'} (baseline: "
                f"{'met' if was else 'missed'})."
            )
    return d


def _first_changes(changes: list[dict]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for e in changes:
        out.setdefault((e["place"], e["new"]), e["date"])
    return out


def loss_sentence(side: str, kind: str, base: float, run: float) -> str:
    return f"{side} {kind}: {men(run)} (baseline {men(base)}, {run - base:+,.0f})"
