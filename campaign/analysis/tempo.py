"""What-if tempo: how a side's captures move when a force changes.

For each setting (a strength factor for a side, or any what-if overrides) an
ensemble of runs on the same seeds gives, per place another side holds at the start,
the probability that the side takes it and the mean day on which it first does (over
the runs in which it does); and per place the side holds at the start, under
"PLACE (retaken)", the same for taking it back after losing it. A model whose tempo emerges answers "more
Soviets" with earlier or more frequent Soviet captures and "fewer" with later or
rarer ones; a timetable answers with the same dates.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaign.scenario.schema import Scenario

if TYPE_CHECKING:
    from campaign.scenario.overrides import Overrides


@dataclass
class PlaceTempo:
    place: str
    runs: int
    captured: int = 0
    days: list[int] = field(default_factory=list)

    @property
    def probability(self) -> float:
        return self.captured / self.runs if self.runs else 0.0

    @property
    def mean_day(self) -> float | None:
        return sum(self.days) / len(self.days) if self.days else None


def capture_tempo(
    scenario: Scenario,
    side: str,
    runs: int,
    seed: int = 0,
    workers: int = 1,
    scheduler: str | None = None,
    dask_local: bool = False,
) -> dict[str, PlaceTempo]:
    """Per place held on day 0 by another side (not by no one): how often and when
    ``side`` first takes it, over ``runs`` runs with seeds ``seed``..``seed+runs-1``;
    per place ``side`` held on day 0, as "PLACE (retaken)": how often and when it first
    takes it back after losing it.

    The runs are an ensemble's (:func:`campaign.analysis.ensemble.run_ensemble`, with
    its strengths drawn from their ranges): ``workers`` processes, or a Dask cluster
    (``scheduler``, ``dask_local``). A run that fails raises
    :class:`~campaign.errors.CampaignError`."""
    from campaign.analysis.ensemble import run_ensemble
    from campaign.errors import CampaignError

    holder = {s.id: s.controls_for or s.id for s in scenario.sides}
    mine = holder.get(side, side)
    start = dt.date.fromisoformat(str(scenario.start))
    out: dict[str, PlaceTempo] = {}

    def tally(record: Any) -> None:
        for place, changes in record.captures.items():
            owner = holder.get(scenario.control.get(place, "none"), "none")
            if owner == "none":
                continue  # no one's land is occupied, not captured
            # A place of the side's at the start counts when it retakes it after losing
            # it (a counter-attack's tempo), under its own row.
            key = f"{place} (retaken)" if owner == mine else place
            first = None
            for day, new in changes:
                new = holder.get(new, new)
                if new == mine and owner != mine:
                    first = day
                    break
                owner = new
            if first is None:
                continue
            tempo = out.setdefault(key, PlaceTempo(key, runs))
            tempo.captured += 1
            tempo.days.append((dt.date.fromisoformat(first) - start).days)

    result = run_ensemble(
        scenario,
        runs,
        workers=workers,
        scheduler=scheduler,
        dask_local=dask_local,
        base_seed=seed,
        progress=False,
        on_record=tally,
    )
    if result.failures:
        failed = ", ".join(f"seed {f.seed}: {f.error}" for f in result.failures[:3])
        raise CampaignError(f"{len(result.failures)} of {runs} runs failed ({failed})")
    for tempo in out.values():
        tempo.days.sort()  # the runs come back in any order
    return out


@dataclass
class WhatIfTempo:
    """Captures by ``count`` with ``side`` at each strength factor (``by_factor``), and
    whether they should rise with the factor (``count`` is ``side`` or controls for it)."""

    scenario: str
    side: str
    count: str
    runs: int
    seed: int
    by_factor: dict[float, dict[str, PlaceTempo]]
    rises: bool

    def as_data(self) -> dict[str, Any]:
        """Plain data (``campaign tempo --json``): see :func:`tempo_data`."""
        return {
            "scenario": self.scenario,
            "side": self.side,
            "count": self.count,
            "runs": self.runs,
            "seeds": [self.seed, self.seed + self.runs - 1],
            **tempo_data(self.by_factor, self.rises),
        }

    def as_text(self) -> str:
        """The table and the monotonicity verdict, as ``campaign tempo`` prints them."""
        labels = {f"x{f:g}": t for f, t in sorted(self.by_factor.items())}
        lines = [
            f"Captures by {self.count}, {self.side} at strength factors {', '.join(labels)} "
            f"({self.runs} runs each, seeds {self.seed}..{self.seed + self.runs - 1})",
            tempo_table(labels),
        ]
        if len(self.by_factor) > 1:
            lines.append(reversal_report(*reversals(self.by_factor, self.rises), self.rises))
        return "\n".join(lines)


def what_if_tempo(
    path: str | Path,
    side: str,
    factors: list[float],
    runs: int = 40,
    count: str | None = None,
    seed: int = 0,
    workers: int = 1,
    scheduler: str | None = None,
    dask_local: bool = False,
    overrides: Overrides | None = None,
) -> WhatIfTempo:
    """Run ``runs`` seeds of the scenario at ``path`` (with the what-if ``overrides``, if
    any) with ``side`` scaled by each factor and gather the captures by ``count``
    (default: ``side``), on ``workers`` processes or a Dask cluster (see
    :func:`capture_tempo`). Bad factors, run counts or side names raise
    :class:`~campaign.errors.CampaignError`."""
    from campaign.errors import CampaignError
    from campaign.scenario.loader import load_scenario
    from campaign.scenario.overrides import Overrides

    if not factors:
        raise CampaignError("--factors: give at least one factor, e.g. 0.5,1,2")
    if any(not 0 <= f <= 100 for f in factors):
        raise CampaignError("--factors: each factor must be between 0 and 100")
    if runs < 1:
        raise CampaignError(f"--runs: need at least 1 run, got {runs}")
    counted = count or side
    base = overrides or Overrides()
    loaded = load_scenario(path, base)
    sides = {s.id for s in loaded.sides}
    for flag, who in (("--side", side), ("--count", counted)):
        if who not in sides:
            known = ", ".join(sorted(sides))
            raise CampaignError(f"{flag}: no side '{who}' in {path} (its sides: {known})")
    if not any(u.side == side for u in loaded.units):
        raise CampaignError(f"--side {side}: the side has no units in {path}: nothing to scale")
    by_factor: dict[float, dict[str, PlaceTempo]] = {}
    rises = True
    for factor in factors:
        scaled = replace(base, scales=[*base.scales, f"{side}={factor}"])
        scenario = load_scenario(path, scaled)
        by_factor[factor] = capture_tempo(
            scenario, counted, runs, seed, workers, scheduler, dask_local
        )
        holder = {s.id: s.controls_for or s.id for s in scenario.sides}
        rises = holder.get(counted, counted) == holder.get(side, side)
    return WhatIfTempo(str(path), side, counted, runs, seed, by_factor, rises)


def tempo_table(settings: dict[str, dict[str, PlaceTempo]]) -> str:
    """A text table: one row per place, probability and mean day per setting."""
    labels = list(settings)
    places = sorted({p for table in settings.values() for p in table})
    width = max([14, *(len(p) for p in places)])
    head = f"  {'place':<{width}}" + "".join(f" {label:>18}" for label in labels)
    lines = [head, "  " + " " * width + "".join(f" {'P(taken)  mean day':>18}" for _ in labels)]
    for place in places:
        row = f"  {place:<{width}}"
        for label in labels:
            t = settings[label].get(place)
            if t is None:
                row += f" {'0.00':>9} {'-':>8}"
            else:
                day = "-" if t.mean_day is None else f"{t.mean_day:.1f}"
                row += f" {t.probability:>9.2f} {day:>8}"
        lines.append(row)
    return "\n".join(lines)


#: Capture days are compared only between settings with at least this many runs that
#: take the place: the day of a rare capture says little about tempo.
MIN_CAPTURES_FOR_DAYS = 5
#: Family-wise error rate of the monotonicity check (Holm's step-down correction over
#: every comparison made).
ALPHA = 0.05


@dataclass(frozen=True)
class Reversal:
    """A place where the response to a larger force went the wrong way between two
    neighbouring settings: ``measure`` is ``"P(taken)"`` or ``"mean day"``; the p-value
    is that of a one-sided test of no reversal (Fisher's exact test on the capture
    counts; Mann-Whitney U on the capture days of the runs that take the place)."""

    place: str
    lower: str
    higher: str
    measure: str
    lower_value: float
    higher_value: float
    p_value: float
    significant: bool = False


def reversals(
    settings: dict[float, dict[str, PlaceTempo]], rises: bool, alpha: float = ALPHA
) -> tuple[list[Reversal], int]:
    """The reversals of a monotone response across settings keyed by strength factor,
    and the number of comparisons made (per place and pair of neighbouring settings:
    the capture probability, and the capture day when both settings have at least
    ``MIN_CAPTURES_FOR_DAYS`` captures).

    With ``rises`` the counted side should take places more often and sooner as the
    factor grows (it is the side made stronger or its ally); otherwise less often and
    later. A reversal is ``significant`` when its p-value passes Holm's correction at
    ``alpha`` over all the comparisons."""
    from scipy.stats import fisher_exact, mannwhitneyu

    factors = sorted(settings)
    places = sorted({p for table in settings.values() for p in table})
    runs = _runs(settings)
    found: list[Reversal] = []
    compared = 0
    for lo, hi in itertools.pairwise(factors):
        for place in places:
            a = settings[lo].get(place) or PlaceTempo(place, runs)
            b = settings[hi].get(place) or PlaceTempo(place, runs)
            compared += 1
            wrong_way = b.probability < a.probability if rises else b.probability > a.probability
            if wrong_way:
                table = [[a.captured, a.runs - a.captured], [b.captured, b.runs - b.captured]]
                _, p = fisher_exact(table, alternative="greater" if rises else "less")
                found.append(
                    Reversal(
                        place,
                        f"x{lo:g}",
                        f"x{hi:g}",
                        "P(taken)",
                        a.probability,
                        b.probability,
                        float(p),
                    )
                )
            if min(len(a.days), len(b.days)) >= MIN_CAPTURES_FOR_DAYS:
                compared += 1
                da, db = a.mean_day, b.mean_day
                assert da is not None and db is not None
                if (db > da) if rises else (db < da):
                    _, p = mannwhitneyu(b.days, a.days, alternative="greater" if rises else "less")
                    found.append(
                        Reversal(place, f"x{lo:g}", f"x{hi:g}", "mean day", da, db, float(p))
                    )
    # Holm: the k-th smallest p-value is compared with alpha / (m - k), in order, and
    # the first that fails stops the rejections.
    ranked = sorted(range(len(found)), key=lambda i: found[i].p_value)
    for k, i in enumerate(ranked):
        if found[i].p_value > alpha / (compared - k):
            break
        found[i] = replace(found[i], significant=True)
    return found, compared


def _runs(settings: dict[float, dict[str, PlaceTempo]]) -> int:
    """The runs per setting (the same for all; a setting in which no place was taken
    has no entry to read it from)."""
    return next((t.runs for table in settings.values() for t in table.values()), 0)


def verdict(found: list[Reversal], compared: int) -> str:
    """``"nothing to compare"``, ``"monotone"``, ``"monotone within sampling error"``
    or ``"not monotone"``."""
    if compared == 0:
        return "nothing to compare"
    if not found:
        return "monotone"
    if any(r.significant for r in found):
        return "not monotone"
    return "monotone within sampling error"


def tempo_data(
    by_factor: dict[float, dict[str, PlaceTempo]], rises: bool, alpha: float = ALPHA
) -> dict[str, Any]:
    """The tempo table and its monotonicity check as plain data (``campaign tempo
    --json``): per place and setting the runs that take it, with a 95 % Wilson
    interval on the probability, the mean day and every capture day."""
    from campaign.analysis.ensemble_result import wilson_interval

    places = sorted({p for table in by_factor.values() for p in table})
    runs = _runs(by_factor)
    table: dict[str, dict[str, Any]] = {}
    for place in places:
        row = table[place] = {}
        for factor, tempos in sorted(by_factor.items()):
            t = tempos.get(place) or PlaceTempo(place, runs)
            low, high = wilson_interval(t.captured, t.runs)
            row[f"x{factor:g}"] = {
                "taken": t.captured,
                "runs": t.runs,
                "probability": round(t.probability, 4),
                "interval": [round(low, 4), round(high, 4)],
                "mean_day": None if t.mean_day is None else round(t.mean_day, 2),
                "days": sorted(t.days),
            }
    found, compared = reversals(by_factor, rises, alpha)
    return {
        "expected": _expected(rises),
        "places": table,
        "comparisons": compared,
        "reversals": [asdict(r) for r in found],
        "verdict": verdict(found, compared),
    }


def _expected(rises: bool) -> str:
    return "more often and sooner" if rises else "less often and later"


def reversal_report(found: list[Reversal], compared: int, rises: bool, alpha: float = ALPHA) -> str:
    """The monotonicity verdict under the tempo table."""
    lines = [f"Expected as the force grows: captures {_expected(rises)}."]
    kind = verdict(found, compared)
    if kind == "nothing to compare":
        lines.append("Nothing to compare: no place was taken at any setting.")
        return "\n".join(lines)
    if kind == "monotone":
        lines.append(f"Monotone: no reversal in {compared} comparisons.")
        return "\n".join(lines)
    lines.append(
        f"Reversals ({len(found)} of {compared} comparisons; one-sided tests, "
        f"* = significant at {alpha:g} after Holm's correction):"
    )
    for r in found:
        fmt = ".2f" if r.measure == "P(taken)" else ".1f"
        lines.append(
            f"  {'*' if r.significant else ' '} {r.place:<14} {r.measure:<9} "
            f"{r.lower} {r.lower_value:{fmt}}  {r.higher} {r.higher_value:{fmt}}  p={r.p_value:.2f}"
        )
    if kind == "not monotone":
        significant = sum(r.significant for r in found)
        lines.append(f"Not monotone: {significant} significant reversal(s).")
    else:
        lines.append("Monotone within sampling error: no reversal is significant.")
    return "\n".join(lines)
