"""One-at-a-time sensitivity: which input moves the outcome most?

Every side's strength is scaled to a low and a high factor (0.5x and 1.5x by
default); every unit is set to the ends of its ``strength_range`` when the scenario
gives one (other units keep drawing from their ranges), or scaled like a side
otherwise. Each setting gets a small ensemble on the same seeds as the baseline
(common random numbers), and the inputs are ranked by the swing they cause in the
outcome:

* ``objectives`` -- each side's objective score as a share of its total objective
  weight (mean over runs); the default;
* ``held`` -- each side's share of the contested places (those of the baseline
  ensemble) it holds at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from campaign.analysis.ensemble import EnsembleResult, run_ensemble
from campaign.errors import CampaignError
from campaign.scenario.loader import load_scenario
from campaign.scenario.overrides import Overrides
from campaign.scenario.schema import Scenario

METRICS = ("objectives", "held")


@dataclass(frozen=True)
class Setting:
    """One end of an input's range: a label and the overrides that make it."""

    label: str
    sets: tuple[str, ...] = ()
    scales: tuple[str, ...] = ()


@dataclass(frozen=True)
class Input:
    kind: str  # "side" | "unit"
    id: str
    name: str
    low: Setting
    high: Setting


def sensitivity_inputs(
    scenario: Scenario, factors: tuple[float, float] = (0.5, 1.5)
) -> list[Input]:
    """Every side and every unit of ``scenario`` with its low and high setting."""
    low_f, high_f = factors

    def scaled(who: str, factor: float) -> Setting:
        return Setting(f"x{factor:g}", scales=(f"{who}={factor:g}",))

    inputs = [
        Input("side", s.id, s.name, scaled(s.id, low_f), scaled(s.id, high_f))
        for s in scenario.sides
        if any(u.side == s.id for u in scenario.units)
    ]
    for u in scenario.units:
        if u.strength_range is not None and u.strength_range[0] < u.strength_range[1]:
            ends = [
                Setting(
                    f"{men:,} men",
                    sets=(
                        f"units.{u.id}.strength_men={men}",
                        f"units.{u.id}.strength_range=[{men}, {men}]",
                    ),
                )
                for men in u.strength_range
            ]
            inputs.append(Input("unit", u.id, u.name, ends[0], ends[1]))
        else:
            inputs.append(Input("unit", u.id, u.name, scaled(u.id, low_f), scaled(u.id, high_f)))
    return inputs


def outcome(ensemble: EnsembleResult, metric: str, places: list[str]) -> dict[str, float]:
    """Side -> the chosen outcome measure of one ensemble (0..1)."""
    if metric == "objectives":
        weight: dict[str, float] = {}
        for o in ensemble.header["objectives"]:
            weight[o["side"]] = weight.get(o["side"], 0.0) + o["weight"]
        return {
            side: float(np.mean(ensemble.score_samples(side)) / total)
            if ensemble.completed
            else 0.0
            for side, total in weight.items()
        }
    sides = [s["id"] for s in ensemble.header["sides"] if not s["controls_for"]]
    if not places or not ensemble.completed:
        return dict.fromkeys(sides, 0.0)
    return {
        side: float(
            np.mean(
                [
                    ensemble.final_control[p][side]
                    if p in ensemble.final_control
                    else float(ensemble.initial(p) == side)
                    for p in places
                ]
            )
        )
        for side in sides
    }


@dataclass
class SensitivityResult:
    """The baseline outcome and one row per input, ranked by swing (largest first)."""

    scenario_id: str
    metric: str
    runs: int
    base_seed: int
    baseline: dict[str, float]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def text(self) -> str:
        sides = list(self.baseline)
        other = METRICS[1 - METRICS.index(self.metric)]
        what = (
            "objective score (share of weight)"
            if self.metric == "objectives"
            else "share of contested places held at the end"
        )
        lines = [
            f"Sensitivity of {self.scenario_id}: {what}, {self.runs} runs per setting "
            f"(seeds {self.base_seed}-{self.base_seed + self.runs - 1})",
            "baseline: " + ", ".join(f"{s} {v:.0%}" for s, v in self.baseline.items()),
            "",
            f"  {'#':>2} {'input':<34} {'low':>11} {'high':>11} "
            + "".join(f"{s[:10] + ' lo/hi':>18}" for s in sides)
            + f"{'swing':>8}  {other + ' swing':>17}",
        ]
        for rank, row in enumerate(self.rows, 1):
            cells = "".join(f"{row['low'][s]:>9.0%}/{row['high'][s]:<8.0%}" for s in sides)
            lines.append(
                f"  {rank:>2} {row['kind'] + ' ' + row['id']:<34.34} "
                f"{row['low_label']:>11} {row['high_label']:>11} {cells}"
                f"{row['swing']:>8.0%}  {row['other_swing']:>17.0%}"
            )
        return "\n".join(lines)


def _largest_swing(low: dict[str, float], high: dict[str, float]) -> tuple[str, float]:
    """The side whose outcome moves most from the low to the high setting, and by how much."""
    if not low:
        return "", 0.0
    side = max(low, key=lambda s: (abs(high[s] - low[s]), s))
    return side, high[side] - low[side]


def _with(base: Overrides, setting: Setting) -> Overrides:
    return Overrides(
        sets=base.sets + list(setting.sets),
        scales=base.scales + list(setting.scales),
        removes=base.removes,
        delays=base.delays,
        variants=base.variants,
    )


def sensitivity(
    scenario_path: str | Path,
    runs: int = 20,
    factors: tuple[float, float] = (0.5, 1.5),
    metric: str = "objectives",
    overrides: Overrides | None = None,
    workers: int | None = None,
    base_seed: int = 0,
    progress: bool = True,
) -> SensitivityResult:
    """Run the baseline and the low and high setting of every input; rank by swing."""
    if metric not in METRICS:
        raise CampaignError(f"unknown metric '{metric}'; choose one of {', '.join(METRICS)}")
    if not 0 <= factors[0] < factors[1]:
        raise CampaignError(f"factors must satisfy 0 <= low < high, got {factors}")
    overrides = overrides or Overrides()
    scenario = load_scenario(scenario_path, overrides)
    if metric == "objectives" and not scenario.objectives:
        metric = "held"
    inputs = sensitivity_inputs(scenario, factors)

    def ensemble(extra: Overrides) -> EnsembleResult:
        return run_ensemble(
            scenario_path,
            runs,
            workers=workers,
            overrides=extra,
            base_seed=base_seed,
            progress=False,
        )

    bar = tqdm(
        total=1 + 2 * len(inputs),
        desc="settings",
        unit="ensemble",
        disable=not progress,
        leave=False,
    )
    other = METRICS[1 - METRICS.index(metric)]
    try:
        base = ensemble(overrides)
        bar.update(1)
        places = base.contested
        result = SensitivityResult(
            scenario.id, metric, runs, base_seed, outcome(base, metric, places)
        )
        for item in inputs:
            low, high = ensemble(_with(overrides, item.low)), ensemble(_with(overrides, item.high))
            bar.update(2)
            side, swing = _largest_swing(
                outcome(low, metric, places), outcome(high, metric, places)
            )
            _, other_swing = _largest_swing(
                outcome(low, other, places), outcome(high, other, places)
            )
            result.rows.append(
                {
                    "kind": item.kind,
                    "id": item.id,
                    "name": item.name,
                    "low_label": item.low.label,
                    "high_label": item.high.label,
                    "low": outcome(low, metric, places),
                    "high": outcome(high, metric, places),
                    "swing_side": side,
                    "swing": abs(swing),
                    "direction": float(np.sign(swing)),
                    "other_metric": other,
                    "other_swing": abs(other_swing),
                }
            )
    finally:
        bar.close()
    # Ties on the chosen measure (common when objectives are all-or-nothing) are broken
    # by the other measure.
    result.rows.sort(key=lambda r: (-round(r["swing"], 9), -round(r["other_swing"], 9), r["id"]))
    return result
