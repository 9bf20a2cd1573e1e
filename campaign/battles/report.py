"""The results of the battle tests as text: score tables, fitted values, the 1919 check.

Used by ``campaign battles`` to print its scores and to write ``docs/battles.md``
(``make battles``). No drawing here: the calibration plot is
:func:`campaign.render.calibration.calibration_plot`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from campaign.battles import scores
from campaign.battles.cdb90 import Battle
from campaign.battles.engagements_1919 import Check
from campaign.battles.fit import CrossValidation, parameter_table
from campaign.engine import tndm


@dataclass(frozen=True)
class Results:
    """Everything the results page shows (``cv`` per law, the first is the default)."""

    battles: list[Battle]
    cv: dict[str, CrossValidation]
    folds: int
    checks: dict[str, list[Check]]
    intervals: dict[str, tuple[float, float, float]] | None = None
    #: :func:`headline` scores of the first law for each fold split (seeds in order).
    repeats: list[dict[str, float]] | None = None


#: The figures the issue's targets are about, by name.
HEADLINE = {
    "winner accuracy, all": ("all", "winner_accuracy"),
    "winner accuracy, 1900-1945": ("1900-1945", "winner_accuracy"),
    "attacker within 2x": ("all", "attacker_within_2x"),
    "defender within 2x": ("all", "defender_within_2x"),
}


def headline(battles: list[Battle], predictions: list) -> dict[str, float]:
    """The :data:`HEADLINE` scores (fractions) of one set of out-of-fold predictions."""
    by_group = scores.score_groups(battles, predictions)
    return {name: getattr(by_group[group], field) for name, (group, field) in HEADLINE.items()}


def repeats_markdown(repeats: list[dict[str, float]]) -> str:
    """Mean, lowest and highest of each headline score over the fold splits."""
    lines = ["| score | first split | mean | lowest | highest |", "|---|---:|---:|---:|---:|"]
    for name in HEADLINE:
        values = [r[name] for r in repeats]
        lines.append(
            f"| {name} | {_pct(values[0])} | {_pct(sum(values) / len(values))} "
            f"| {_pct(min(values))} | {_pct(max(values))} |"
        )
    return "\n".join(lines)


def _pct(value: float) -> str:
    return "–" if math.isnan(value) else f"{100 * value:.1f} %"


def predictor_scores(results: Results) -> dict[str, dict[str, scores.Scores]]:
    """Scores by group for each law and the two baselines (out of fold)."""
    first = next(iter(results.cv.values()))
    usable = [b for b in results.battles if b.isqno in first.constant]
    out = {
        law: scores.score_groups(results.battles, cv.predictions) for law, cv in results.cv.items()
    }
    out["attacker always wins"] = scores.score_groups(
        results.battles, scores.attacker_always(usable, first.constant)
    )
    out["force ratio (more men wins)"] = scores.score_groups(
        results.battles, scores.force_ratio_rule(usable, first.constant)
    )
    return out


def scores_markdown(table: dict[str, dict[str, scores.Scores]], group: str) -> str:
    """A markdown table of every predictor's scores on one group of battles."""
    lines = [
        "| predictor | battles | winner accuracy | balanced accuracy | attacker within 2x "
        "| attacker median abs log error | defender within 2x | defender median abs log error |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, by_group in table.items():
        s = by_group[group]
        lines.append(
            f"| {name} | {s.battles} | {_pct(s.winner_accuracy)} | {_pct(s.balanced_accuracy)} "
            f"| {_pct(s.attacker_within_2x)} | {s.attacker_median_log_error:.2f} "
            f"| {_pct(s.defender_within_2x)} | {s.defender_median_log_error:.2f} |"
        )
    return "\n".join(lines)


def groups_markdown(by_group: dict[str, scores.Scores]) -> str:
    """One predictor's scores across every group (eras, postures)."""
    lines = [
        "| group | battles | winner accuracy | balanced accuracy | attacker within 2x "
        "| defender within 2x |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, s in by_group.items():
        lines.append(
            f"| {name} | {s.battles} | {_pct(s.winner_accuracy)} "
            f"| {_pct(s.balanced_accuracy)} | {_pct(s.attacker_within_2x)} "
            f"| {_pct(s.defender_within_2x)} |"
        )
    return "\n".join(lines)


def parameters_markdown(
    params: tndm.TndmParams, intervals: dict[str, tuple[float, float, float]] | None
) -> str:
    """The fitted TNDM values, with bootstrap 95 % intervals when given."""
    lines = ["| value | fit to all battles | 95 % interval |", "|---|---:|---:|"]
    for name, value in parameter_table(params).items():
        ci = "–"
        if intervals and name in intervals:
            ci = f"{intervals[name][1]:.3g} – {intervals[name][2]:.3g}"
        lines.append(f"| {name} | {value:.3g} | {ci} |")
    lines.append(f"| outcome sharpness | {params.sharpness:.3g} | – |")
    return "\n".join(lines)


def checks_markdown(checks: list[Check]) -> str:
    """The 1919 engagements: winner and losses, predicted against recorded (like with
    like: the categories the source gives), and the defender's losses if routed."""

    def frac(value: float) -> str:
        return "–" if math.isnan(value) else f"{100 * value:.1f} %"

    def mark(value: bool | None) -> str:
        return "" if value is None else (" ✓" if value else " ✗")

    def counted(categories: tuple[str, ...], recorded: float) -> str:
        return (
            "" if math.isnan(recorded) or len(categories) == 3 else f" ({' + '.join(categories)})"
        )

    lines = [
        "| engagement | winner (recorded / predicted) | attacker losses (recorded / "
        "predicted) | defender losses (recorded / predicted) | defender if routed "
        "(odds) |",
        "|---|---|---|---|---|",
    ]
    for c in checks:
        routed = (
            "–"
            if math.isnan(c.rout_odds)
            else (
                f"{frac(c.defender_if_routed)}{mark(c.within_2x('defender', routed=True))} "
                f"({100 * c.rout_odds:.0f} %)"
            )
        )
        lines.append(
            f"| {c.name} | {c.recorded_winner} / {c.predicted_winner}"
            f"{' ✓' if c.winner_right else ' ✗'} "
            f"| {frac(c.attacker_recorded)} / {frac(c.attacker_predicted)}"
            f"{mark(c.within_2x('attacker'))}{counted(c.attacker_counted, c.attacker_recorded)} "
            f"| {frac(c.defender_recorded)} / {frac(c.defender_predicted)}"
            f"{mark(c.within_2x('defender'))}{counted(c.defender_counted, c.defender_recorded)} "
            f"| {routed} |"
        )
    return "\n".join(lines)


def summary_text(results: Results) -> str:
    """The console summary of ``campaign battles``."""
    table = predictor_scores(results)
    out = [f"CDB90: {len(results.battles)} battles, out-of-fold scores ({results.folds} folds)"]
    for group in ("all", "pre-1900", "1900-1945"):
        out.append(f"\n{group}:")
        out.append(f"  {'predictor':<30}{'winner':>8}{'balanced':>10}{'att 2x':>8}{'def 2x':>8}")
        for name, by_group in table.items():
            s = by_group[group]
            out.append(
                f"  {name:<30}{_pct(s.winner_accuracy):>8}{_pct(s.balanced_accuracy):>10}"
                f"{_pct(s.attacker_within_2x):>8}{_pct(s.defender_within_2x):>8}"
            )
    for law, checks in results.checks.items():
        right = sum(c.winner_right for c in checks)
        losses = [c.within_2x(s) for c in checks for s in ("attacker", "defender")]
        known = [v for v in losses if v is not None]
        out.append(
            f"\n1919 engagements ({law}): winner {right}/{len(checks)}, "
            f"losses within 2x {sum(known)}/{len(known)}"
        )
    if results.repeats and len(results.repeats) > 1:
        out.append(f"\nover {len(results.repeats)} fold splits (mean, lowest, highest):")
        for name in HEADLINE:
            values = [r[name] for r in results.repeats]
            out.append(
                f"  {name:<28}{_pct(sum(values) / len(values)):>8}"
                f"{_pct(min(values)):>8}{_pct(max(values)):>8}"
            )
    return "\n".join(out)
