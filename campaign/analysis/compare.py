"""Compare two ensembles of the same scenario: a base and a what-if variant.

For every town and side: the share of runs in which the side holds the town at the
end, in each ensemble, the difference (variant - base) with a 95% Newcombe hybrid
score interval (Newcombe 1998, method 10, built on Wilson intervals) and Cohen's h
(h = 2 asin sqrt(p_variant) - 2 asin sqrt(p_base); 0.2 small, 0.5 medium, 0.8 large).
The same for each objective, and for mean losses per side a percentile bootstrap
interval of the difference of means (seeded, so the same folders give the same text).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from campaign.analysis.ensemble_files import load_counted_ensemble
from campaign.analysis.ensemble_log import LOSS_KINDS, NONE
from campaign.analysis.ensemble_result import EnsembleResult, wilson_interval

#: Bootstrap resamples for the loss differences, and the generator seed that makes
#: the interval reproducible.
BOOTSTRAP_RESAMPLES = 4000
BOOTSTRAP_SEED = 20190205


def newcombe_interval(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """95% interval of p1 - p2 (p1 = k1/n1) by Newcombe's hybrid score method."""
    p1, p2 = (k1 / n1 if n1 else 0.0), (k2 / n2 if n2 else 0.0)
    l1, u1 = wilson_interval(k1, n1)
    l2, u2 = wilson_interval(k2, n2)
    d = p1 - p2
    return (
        d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h effect size of two proportions, p1 against p2."""
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def bootstrap_mean_difference(
    x_variant: np.ndarray, x_base: np.ndarray, rng: np.random.Generator
) -> tuple[float, float]:
    """95% percentile bootstrap interval of mean(x_variant) - mean(x_base)."""
    if len(x_variant) == 0 or len(x_base) == 0:
        return math.nan, math.nan
    iv = rng.integers(0, len(x_variant), size=(BOOTSTRAP_RESAMPLES, len(x_variant)))
    ib = rng.integers(0, len(x_base), size=(BOOTSTRAP_RESAMPLES, len(x_base)))
    diffs = x_variant[iv].mean(axis=1) - x_base[ib].mean(axis=1)
    low, high = np.percentile(diffs, [2.5, 97.5])
    return float(low), float(high)


@dataclass
class Comparison:
    """Rows of the three comparison tables (lists of dicts) and the two labels."""

    base_label: str
    variant_label: str
    control: list[dict[str, Any]]
    objectives: list[dict[str, Any]]
    losses: list[dict[str, Any]]
    notes: list[str]
    #: Place id -> name (from the scenario file or the gazetteer; ids where neither has it).
    place_names: dict[str, str] = field(default_factory=dict)
    #: Side id -> {"name": ..., "colour": ...} as in the ensemble header.
    sides: dict[str, dict[str, Any]] = field(default_factory=dict)

    def gains(self) -> list[dict[str, Any]]:
        """Final-control rows in which a side (or ``none``) holds the town more often in the
        variant: each change once, from the side of the one who gains (a side's loss is
        another's gain, so the losing rows would mirror these).  Largest gain first."""
        rows = [r for r in self.control if r["difference"] > 0]
        return sorted(rows, key=lambda r: (-r["difference"], r["town"]))


def folder_scenario(folder: Path | None, header: dict[str, Any]) -> Path | None:
    """The scenario file an ensemble's header names, or None. For an ensemble read from
    ``folder`` it is looked up inside the folder's lookup area
    (:mod:`campaign.replay.sources`); one made in this process names it as it was given."""
    from campaign.replay.sources import find_recorded

    recorded = str(header.get("scenario_path") or "")
    if folder is None:
        return Path(recorded) if recorded and Path(recorded).is_file() else None
    return find_recorded(folder, recorded, str(header.get("scenario_id") or ""))[0]


def place_names_of(header: dict[str, Any], folder: Path | None) -> dict[str, str]:
    """Place id -> name for an ensemble header: the scenario's own places (its file found
    from the ensemble ``folder``), then the gazetteer's; empty when neither can be read
    (callers fall back to ids)."""
    names: dict[str, str] = {}
    try:
        from campaign.geo import load_gazetteer

        names.update({pid: place.name for pid, place in load_gazetteer().items()})
    except (ImportError, ValueError, OSError):
        pass
    path = folder_scenario(folder, header)
    if path is not None:
        from campaign.errors import CampaignError
        from campaign.scenario.loader import load_scenario

        try:
            scenario = load_scenario(path)
        except (CampaignError, OSError, ValueError):
            return names
        names.update({p.id: p.name for p in scenario.map.places})
    return names


def _share_row(k_base: int, n_base: int, k_var: int, n_var: int) -> dict[str, Any]:
    p_base = k_base / n_base if n_base else 0.0
    p_var = k_var / n_var if n_var else 0.0
    low, high = newcombe_interval(k_var, n_var, k_base, n_base)
    return {
        "p_base": p_base,
        "p_variant": p_var,
        "difference": p_var - p_base,
        "ci_low": low,
        "ci_high": high,
        "cohens_h": cohens_h(p_var, p_base),
    }


def _control_rows(base: EnsembleResult, variant: EnsembleResult) -> list[dict[str, Any]]:
    sides = [s for s in dict.fromkeys(base.sides[:-1] + variant.sides[:-1])] + [NONE]
    rows = []
    for town in sorted(set(base.towns) | set(variant.towns)):
        for side in sides:
            kb, kv = base.final_count(town, side), variant.final_count(town, side)
            if kb == 0 and kv == 0:
                continue
            rows.append(
                {
                    "town": town,
                    "side": side,
                    **_share_row(kb, base.completed, kv, variant.completed),
                }
            )
    return rows


def _objective_rows(base: EnsembleResult, variant: EnsembleResult) -> list[dict[str, Any]]:
    def key(o: dict[str, Any]) -> tuple:
        return o["side"], o["place"], o["kind"], o["by"]

    variant_rows = {key(o): o for o in variant.objectives}
    rows = []
    for o in base.objectives:
        v = variant_rows.get(key(o))
        if v is None:
            continue
        rows.append(
            {
                "side": o["side"],
                "place": o["place"],
                "kind": o["kind"],
                "by": o["by"],
                **_share_row(o["met"], o["runs"], v["met"], v["runs"]),
            }
        )
    return rows


def _loss_rows(base: EnsembleResult, variant: EnsembleResult) -> list[dict[str, Any]]:
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    rows = []
    for side in [s for s in base.sides[:-1] if s in variant.sides]:
        for kind in LOSS_KINDS:
            xb, xv = base.loss_samples(side, kind), variant.loss_samples(side, kind)
            if not len(xb) or not len(xv):
                continue
            low, high = bootstrap_mean_difference(xv, xb, rng)
            rows.append(
                {
                    "side": side,
                    "measure": kind,
                    "mean_base": float(xb.mean()),
                    "mean_variant": float(xv.mean()),
                    "difference": float(xv.mean() - xb.mean()),
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    return rows


def compare_ensembles(
    base: EnsembleResult | str | Path, variant: EnsembleResult | str | Path
) -> Comparison:
    """Compare two ensembles (results or folders holding ``runs.jsonl``)."""
    base_label = str(base) if not isinstance(base, EnsembleResult) else "base"
    variant_label = str(variant) if not isinstance(variant, EnsembleResult) else "variant"
    if not isinstance(base, EnsembleResult):
        base = load_counted_ensemble(base)
    if not isinstance(variant, EnsembleResult):
        variant = load_counted_ensemble(variant)
    notes = []
    if base.header["scenario_id"] != variant.header["scenario_id"]:
        notes.append(
            f"note: different scenarios ({base.header['scenario_id']} and "
            f"{variant.header['scenario_id']}); only shared towns and objectives compare"
        )
    for label, ens in ((base_label, base), (variant_label, variant)):
        overrides = " ".join(ens.header.get("overrides", [])) or "(no overrides)"
        notes.append(f"{label}: {ens.header['scenario_id']}, {ens.completed} runs, {overrides}")
    sides = {s["id"]: s for s in base.header["sides"]}
    sides.update({s["id"]: s for s in variant.header["sides"] if s["id"] not in sides})
    return Comparison(
        base_label,
        variant_label,
        _control_rows(base, variant),
        _objective_rows(base, variant),
        _loss_rows(base, variant),
        notes,
        place_names={
            **place_names_of(base.header, base.out),
            **place_names_of(variant.header, variant.out),
        },
        sides=sides,
    )


def _interval(row: dict[str, Any], digits: int = 2) -> str:
    return f"[{row['ci_low']:+.{digits}f}, {row['ci_high']:+.{digits}f}]"


def comparison_text(c: Comparison) -> str:
    """The comparison as a readable text table (uncontested towns left out)."""
    lines = list(c.notes)
    lines += [
        "",
        "Final control (share of runs): variant - base, 95% Newcombe interval, Cohen's h",
        f"  {'town':<16} {'side':<11} {'base':>6} {'variant':>8} "
        f"{'diff':>7}  {'95% interval':<16} {'h':>6}",
    ]
    for r in c.control:
        if r["p_base"] == r["p_variant"] == 1.0:
            continue
        lines.append(
            f"  {r['town']:<16} {r['side']:<11} {r['p_base']:>6.2f} "
            f"{r['p_variant']:>8.2f} {r['difference']:>+7.2f}  {_interval(r):<16} "
            f"{r['cohens_h']:>+6.2f}"
        )
    if c.objectives:
        lines += [
            "",
            "Objectives met (share of runs)",
            "  (take X by D: X held at the end of D; hold X by D: X held on every day to D)",
            f"  {'side':<11} {'objective':<28} {'base':>6} {'variant':>8} {'diff':>7}  "
            f"{'95% interval':<16} {'h':>6}",
        ]
        for r in c.objectives:
            what = f"{r['kind']} {r['place']} by {r['by']}"
            lines.append(
                f"  {r['side']:<11} {what:<28} {r['p_base']:>6.2f} "
                f"{r['p_variant']:>8.2f} {r['difference']:>+7.2f}  "
                f"{_interval(r):<16} {r['cohens_h']:>+6.2f}"
            )
    if c.losses:
        lines += [
            "",
            "Mean losses per run (men), 95% bootstrap interval of the difference",
            f"  {'side':<11} {'measure':<9} {'base':>9} {'variant':>9} {'diff':>9}  "
            f"{'95% interval'}",
        ]
        for r in c.losses:
            lines.append(
                f"  {r['side']:<11} {r['measure']:<9} {r['mean_base']:>9,.1f} "
                f"{r['mean_variant']:>9,.1f} {r['difference']:>+9,.1f}  "
                f"{_interval(r, 1)}"
            )
    return "\n".join(lines)
