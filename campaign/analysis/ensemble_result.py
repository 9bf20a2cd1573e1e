"""What an ensemble counts, run by run, and the tables worked out from the counts.

An :class:`EnsembleTally` takes each finished run once, in any order, and keeps
counts, not runs: per town and side the runs holding it at the end, per date, town
and side the runs holding it then, per objective the runs meeting it. Only the losses
and scores stay per run (8 bytes a number), because their percentiles and bootstrap
intervals need the samples. An ensemble of 10,000 runs thus costs about as much
memory as one of 1,000; ``runs.csv``, the one table with a row per run, is written
from ``runs.jsonl`` (see :mod:`campaign.analysis.ensemble_files`).
"""

from __future__ import annotations

import array
import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from campaign.analysis.ensemble_log import LOSS_KINDS, NONE, RunFailure, RunRecord

#: What an objective counts, by its kind: *take* is met when the side holds the place at
#: the end of its date, *hold* when it holds it at the end of every day up to that date.
OBJECTIVE_MEASURE = {"take": "holder_at_end_of", "hold": "held_every_day_to"}
#: Two-sided 95% normal quantile.
Z95 = 1.959963984540054


def scenario_dates(start: dt.date | str, end: dt.date | str) -> list[str]:
    """Every ISO date from ``start`` to ``end`` inclusive."""
    start, end = dt.date.fromisoformat(str(start)), dt.date.fromisoformat(str(end))
    return [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (95% by default); (0, 1) for n = 0."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


class EnsembleTally:
    """Counts over the runs of one ensemble (see the module docstring).

    ``header`` is the ensemble's header (:func:`campaign.analysis.ensemble_log.ensemble_header`).
    Each seed must be added once; the counts do not depend on the order.
    """

    def __init__(self, header: dict[str, Any]):
        self.header = header
        self.sides = [s["id"] for s in header["sides"]] + [NONE]
        self.dates = scenario_dates(header["start"], header["end"])
        self._side_index = {s: i for i, s in enumerate(self.sides)}
        self._date_index = {d: i for i, d in enumerate(self.dates)}
        self.completed = 0
        self._sorted: tuple[int, np.ndarray] = (0, np.zeros(0, dtype=np.int64))
        self._seeds = array.array("q")
        self._losses = {(s, k): array.array("d") for s in self.sides[:-1] for k in LOSS_KINDS}
        self._scores: dict[str, array.array] = {}
        # town -> side -> runs listing the town in ``final`` whose holder is that side
        self._final: dict[str, np.ndarray] = {}
        # town -> [date, side] -> runs in which the town changed hands at least once
        self._changed: dict[str, np.ndarray] = {}
        self._changed_runs: dict[str, int] = {}
        self._met = np.zeros(len(header["objectives"]), dtype=np.int64)
        self.towns_seen = set(header["initial_control"]) | {
            o["place"] for o in header["objectives"]
        }

    def initial(self, town: str) -> str:
        return self.header["initial_control"].get(town, NONE)

    def add(self, record: RunRecord) -> None:
        """Count one run (its sides and dates must be the header's)."""
        n_sides = len(self.sides)
        for town, side in record.final.items():
            if town not in self._final:
                self._final[town] = np.zeros(n_sides, dtype=np.int64)
                self.towns_seen.add(town)
            self._final[town][self._side_index[side]] += 1
        days = np.arange(len(self.dates))
        for town, changes in record.captures.items():
            counts = self._changed.get(town)
            if counts is None:
                counts = self._changed[town] = np.zeros((len(self.dates), n_sides), np.int64)
            holder = np.full(len(self.dates), self._side_index[self.initial(town)])
            for day, side in changes:
                holder[self._date_index[day] :] = self._side_index[side]
            counts[days, holder] += 1
            self._changed_runs[town] = self._changed_runs.get(town, 0) + 1
        self._met += np.asarray(record.objectives_met, dtype=np.int64)
        self._seeds.append(record.seed)
        for (side, kind), column in self._losses.items():
            column.append(record.losses.get(side, {}).get(kind, 0.0))
        for side, value in record.score.items():
            if side not in self._scores:  # a side first scored now scored 0 before
                self._scores[side] = array.array("d", bytes(8 * self.completed))
            self._scores[side].append(value)
        for side, column in self._scores.items():
            if side not in record.score:
                column.append(0.0)
        self.completed += 1

    def _order(self) -> np.ndarray:
        if self._sorted[0] != self.completed:  # runs were added since the last sort
            seeds = np.frombuffer(self._seeds, dtype=np.int64) if self.completed else []
            self._sorted = (self.completed, np.argsort(seeds, kind="stable"))
        return self._sorted[1]

    def seeds(self) -> list[int]:
        """Seeds of the counted runs, ascending."""
        if not self.completed:
            return []
        return np.frombuffer(self._seeds, dtype=np.int64)[self._order()].tolist()

    def _samples(self, column: array.array | None) -> np.ndarray:
        if column is None or not len(column):
            return np.zeros(self.completed)
        return np.frombuffer(column, dtype=np.float64)[self._order()]

    def loss_samples(self, side: str, kind: str) -> np.ndarray:
        """Men ``kind`` (killed, wounded or captured) of ``side`` in each run, in seed order."""
        return self._samples(self._losses.get((side, kind)))

    def score_samples(self, side: str) -> np.ndarray:
        """Summed weight of the objectives ``side`` met in each run, in seed order."""
        return self._samples(self._scores.get(side))

    def final_count(self, town: str, side: str) -> int:
        """Runs in which ``side`` holds ``town`` at the end of the last day."""
        counts = self._final.get(town)
        own = listed = 0
        if counts is not None:
            listed = int(counts.sum())
            index = self._side_index.get(side)
            own = int(counts[index]) if index is not None else 0
        return own + (self.completed - listed if side == self.initial(town) else 0)

    def control_counts(self, towns: list[str]) -> np.ndarray:
        """Runs in which each side holds each town at the end of each date: [date, town, side]."""
        counts = np.zeros((len(self.dates), len(towns), len(self.sides)), dtype=np.int64)
        for j, town in enumerate(towns):
            changed = self._changed.get(town)
            if changed is not None:
                counts[:, j, :] = changed
            start = self._side_index[self.initial(town)]
            counts[:, j, start] += self.completed - self._changed_runs.get(town, 0)
        return counts

    def objectives_met(self) -> np.ndarray:
        """Runs meeting each objective, in the header's order."""
        return self._met.copy()


@dataclass
class EnsembleResult:
    """An ensemble's counts, failures and the tables derived from them (lists of dicts)."""

    header: dict[str, Any]
    tally: EnsembleTally
    failures: list[RunFailure] = field(default_factory=list)
    runs_requested: int = 0
    out: Path | None = None

    @property
    def completed(self) -> int:
        """Runs that gave a record."""
        return self.tally.completed

    @property
    def seeds(self) -> list[int]:
        """Seeds of the completed runs, ascending."""
        return self.tally.seeds()

    @property
    def sides(self) -> list[str]:
        """Scenario side ids and 'none', the values a town's control can take."""
        return self.tally.sides

    @property
    def dates(self) -> list[str]:
        return self.tally.dates

    @cached_property
    def towns(self) -> list[str]:
        return sorted(self.tally.towns_seen)

    def initial(self, town: str) -> str:
        return self.tally.initial(town)

    def final_count(self, town: str, side: str) -> int:
        """Runs in which ``side`` holds ``town`` at the end of the last day."""
        return self.tally.final_count(town, side)

    @cached_property
    def final_control(self) -> dict[str, dict[str, float]]:
        """town -> side -> share of runs in which the side holds the town at the end."""
        n = self.completed
        return {
            town: {s: (self.final_count(town, s) / n if n else 0.0) for s in self.sides}
            for town in self.towns
        }

    @cached_property
    def contested(self) -> list[str]:
        """Objective places and every town whose final holder varies or differs from the start."""
        objective_places = {o["place"] for o in self.header["objectives"]}
        return [
            t
            for t in self.towns
            if t in objective_places or self.final_count(t, self.initial(t)) != self.completed
        ]

    @cached_property
    def control_counts(self) -> np.ndarray:
        """Runs in which each side holds each town at the end of each date: [date, town, side]."""
        return self.tally.control_counts(self.towns)

    @cached_property
    def control_probability(self) -> list[dict[str, Any]]:
        n = self.completed
        if not n:
            return []
        counts = self.control_counts
        return [
            {"date": d, "town": t, "side": s, "probability": round(counts[i, j, k] / n, 6)}
            for i, d in enumerate(self.dates)
            for j, t in enumerate(self.towns)
            for k, s in enumerate(self.sides)
        ]

    @cached_property
    def objectives(self) -> list[dict[str, Any]]:
        n = self.completed
        met_counts = self.tally.objectives_met()
        rows = []
        for i, o in enumerate(self.header["objectives"]):
            met = int(met_counts[i])
            low, high = wilson_interval(met, n)
            rows.append(
                {
                    **o,
                    # What the objective counts: its kind in words ('hold' alone was
                    # read as 'holds at the end').
                    "measure": OBJECTIVE_MEASURE.get(o["kind"], o["kind"]),
                    "runs": n,
                    "met": met,
                    "probability": round(met / n, 6) if n else None,
                    "ci_low": round(low, 6),
                    "ci_high": round(high, 6),
                }
            )
        return rows

    def loss_samples(self, side: str, kind: str) -> np.ndarray:
        """Men ``kind`` (killed, wounded or captured) of ``side`` in each run, in seed order."""
        return self.tally.loss_samples(side, kind)

    def score_samples(self, side: str) -> np.ndarray:
        """Summed weight of the objectives ``side`` met in each run, in seed order."""
        return self.tally.score_samples(side)

    @cached_property
    def losses(self) -> list[dict[str, Any]]:
        rows = []
        if not self.completed:
            return rows
        for side in self.sides[:-1]:
            for kind in LOSS_KINDS:
                x = self.loss_samples(side, kind)
                p5, median, p95 = np.percentile(x, [5, 50, 95])
                rows.append(
                    {
                        "side": side,
                        "measure": kind,
                        "mean": round(float(x.mean()), 1),
                        "median": round(float(median), 1),
                        "p5": round(float(p5), 1),
                        "p95": round(float(p95), 1),
                    }
                )
        return rows

    def info(self) -> dict[str, Any]:
        """The content of ``ensemble.json``."""
        head = {k: v for k, v in self.header.items() if k != "type"}
        return {
            **head,
            "runs": self.runs_requested,
            "completed": self.completed,
            "failed": len(self.failures),
            "towns": self.towns,
            "failures": [
                {"seed": f.seed, "attempts": f.attempts, "error": f.error} for f in self.failures
            ],
        }
