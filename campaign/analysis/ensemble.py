"""Monte Carlo ensembles: many seeded runs of one scenario, summarised as tables.

One run gives one :class:`RunRecord` (final control, capture dates, losses per
side, objectives met): small, plain and JSON-able. :func:`run_one` and
:func:`run_chunk` are top-level and take the scenario as its validated JSON dict,
so they can be shipped to a local process pool or to Dask workers.

Runs are executed

* in this process when ``workers == 1`` (tests, notebooks, debugging);
* by a :class:`concurrent.futures.ProcessPoolExecutor` (default, all cores);
* by a Dask cluster: ``scheduler="tcp://HOST:PORT"`` or ``dask_local=True``
  (a :class:`distributed.LocalCluster`). Remote workers need ``campaign`` installed.

A run that raises, or whose worker dies, is tried once more; if it fails again it is
reported (``failures.csv``, ``ensemble.json``) and the other runs are kept.

With ``out``, every finished run is appended to ``out/runs.jsonl`` at once (one
line per run, written and flushed in one go), so an interrupted ensemble can be
resumed; the tables are written atomically at the end and can be rebuilt from
``runs.jsonl`` alone (:func:`load_ensemble`, :func:`write_outputs`):

* ``runs.csv``                 run, seed, town, final_side, capture_dates
* ``control_probability.csv``  date, town, side, probability (end of that date)
* ``objectives.csv``           probability each objective is met, 95% Wilson interval;
  ``measure`` says what is counted: ``holder_at_end_of`` (a *take* objective: the side
  holds the place at the end of ``by``) or ``held_every_day_to`` (*hold*: on every day)
* ``losses.csv``               per side: mean, median, p5, p95 of killed/wounded/captured
* ``failures.csv``             seed, attempts, error
* ``ensemble.json``            scenario id and hash, runs, base seed, overrides, failures
* ``manifest.json``            size and SHA-256 of each file above, checked by every reader
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import math
import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from campaign import __version__
from campaign.analysis.pool import worker_pool
from campaign.bounded_read import read_bounded
from campaign.errors import CampaignError, OutputError, ReplayError
from campaign.replay.atomic import atomic_write_text
from campaign.replay.manifest import MANIFEST, check_file, write_manifest
from campaign.replay.summary import losses_by_side, objectives_status
from campaign.scenario.loader import load_scenario, scenario_hash
from campaign.scenario.overrides import Overrides
from campaign.scenario.schema import Scenario
from campaign.simulate import RunResult, simulate

FORMAT = "campaign-ensemble"
FORMAT_VERSION = 1
NONE = "none"
LOSS_KINDS = ("killed", "wounded", "captured")
#: What an objective counts, by its kind: *take* is met when the side holds the place at
#: the end of its date, *hold* when it holds it at the end of every day up to that date.
OBJECTIVE_MEASURE = {"take": "holder_at_end_of", "hold": "held_every_day_to"}
#: Two-sided 95% normal quantile.
Z95 = 1.959963984540054
#: Files an ensemble folder holds; ``--force`` removes only these.
OUTPUT_FILES = (
    "runs.jsonl",
    "runs.csv",
    "control_probability.csv",
    "objectives.csv",
    "losses.csv",
    "failures.csv",
    "ensemble.json",
    MANIFEST,
)
#: Largest ``runs.jsonl`` read, bytes (a Kaunas run's record is about 1 KB).
MAX_RUNS_LOG_BYTES = 500_000_000
#: Largest ``ensemble.json`` or table read, bytes.
MAX_TABLE_BYTES = 200_000_000
#: Largest number of seeds shipped to a worker in one task (a Kaunas run takes 10-30 ms,
#: so single-seed tasks would spend more time in messaging than in simulating).
MAX_CHUNK = 25


# ----------------------------------------------------------------------------- records
@dataclass(frozen=True)
class RunRecord:
    """What an ensemble keeps of one run.

    ``final``: town -> side in control at the end of the last day (towns: the
    scenario's initial control, its objectives, and every place that changed hands).
    ``captures``: town -> ((ISO date, new side), ...) in the order they happened;
    with the initial control this gives the control at the end of every day.
    ``losses``: side -> {killed, wounded, captured} in men.
    ``objectives_met``: one flag per scenario objective, in the scenario's order.
    ``score``: side -> summed weight of the objectives it met.
    """

    seed: int
    final: dict[str, str]
    captures: dict[str, tuple[tuple[str, str], ...]]
    losses: dict[str, dict[str, float]]
    objectives_met: tuple[bool, ...]
    score: dict[str, float]

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "run",
            "seed": self.seed,
            "final": self.final,
            "captures": {p: [list(c) for c in cs] for p, cs in self.captures.items()},
            "losses": self.losses,
            "objectives_met": list(self.objectives_met),
            "score": self.score,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        return cls(
            seed=int(data["seed"]),
            final=dict(data["final"]),
            captures={
                p: tuple((str(d), str(s)) for d, s in cs) for p, cs in data["captures"].items()
            },
            losses={s: {k: float(v) for k, v in row.items()} for s, row in data["losses"].items()},
            objectives_met=tuple(bool(m) for m in data["objectives_met"]),
            score={s: float(v) for s, v in data["score"].items()},
        )


@dataclass(frozen=True)
class RunFailure:
    """A seed that did not give a record: the last error and how often it was tried."""

    seed: int
    error: str
    attempts: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "failure",
            "seed": self.seed,
            "error": self.error,
            "attempts": self.attempts,
        }


def daily_control(
    initial: dict[str, str], captures: dict[str, Iterable[tuple[str, str]]], dates: list[str]
) -> dict[str, dict[str, str]]:
    """date -> {place -> side} at the end of each date, from initial control and captures."""
    control = dict(initial)
    by_date: dict[str, list[tuple[str, str]]] = {}
    for place, changes in captures.items():
        for day, side in changes:
            by_date.setdefault(day, []).append((place, side))
    table = {}
    for day in dates:
        for place, side in by_date.get(day, ()):
            control[place] = side
        table[day] = dict(control)
    return table


def scenario_dates(start: dt.date | str, end: dt.date | str) -> list[str]:
    """Every ISO date from ``start`` to ``end`` inclusive."""
    start, end = dt.date.fromisoformat(str(start)), dt.date.fromisoformat(str(end))
    return [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def record_of(result: RunResult) -> RunRecord:
    """The ensemble record of one simulated run."""
    scenario = result.scenario
    captures: dict[str, list[tuple[str, str]]] = {}
    for e in result.events:
        if e.type == "control_change":
            captures.setdefault(e.place, []).append((e.date, e.new))
    towns = set(scenario.control) | {o.place for o in scenario.objectives} | set(captures)
    final = {p: result.world.control.get(p, NONE) for p in sorted(towns)}
    table = daily_control(
        result.world.initial_control, captures, scenario_dates(scenario.start, scenario.end)
    )
    objectives = objectives_status(result, table)
    score = {s.id: 0.0 for s in scenario.sides if any(o.side == s.id for o in scenario.objectives)}
    for o in objectives:
        if o["met"]:
            score[o["side"]] += o["weight"]
    losses = {side: {k: row[k] for k in LOSS_KINDS} for side, row in losses_by_side(result).items()}
    return RunRecord(
        seed=result.seed,
        final=final,
        captures={p: tuple(cs) for p, cs in sorted(captures.items())},
        losses=losses,
        objectives_met=tuple(o["met"] for o in objectives),
        score={s: round(v, 6) for s, v in score.items()},
    )


# ----------------------------------------------------------------------------- one run
_LOADED: dict[tuple[str, tuple[str, ...]], Scenario] = {}


def _scenario_of(
    scenario: dict[str, Any] | str | Path | Scenario, overrides: Overrides | None = None
) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, dict):
        return Scenario.model_validate(scenario)
    # A path: load once per process (workers may get many seeds of the same scenario).
    key = (str(scenario), tuple((overrides or Overrides()).describe()))
    if key not in _LOADED:
        if len(_LOADED) > 8:
            _LOADED.clear()
        _LOADED[key] = load_scenario(scenario, overrides)
    return _LOADED[key]


def run_one(
    scenario: dict[str, Any] | str | Path | Scenario, seed: int,
    overrides: Overrides | None = None,
) -> RunRecord:
    """Simulate one seed with sampled strengths and return its record.

    ``scenario`` is the validated scenario (a :class:`Scenario`, or a JSON dict from
    ``Scenario.model_dump(mode="json")``, overrides already applied) or a path to a
    scenario file plus ``overrides``.
    """
    loaded = _scenario_of(scenario, overrides)
    return record_of(simulate(loaded, seed=seed, daily_log=False, sample_strengths=True))


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip()


def run_chunk(
    scenario: dict[str, Any] | Scenario, seeds: list[int]
) -> list[RunRecord | RunFailure]:
    """Run several seeds; an exception in one becomes a :class:`RunFailure` for that seed."""
    out: list[RunRecord | RunFailure] = []
    try:
        loaded = _scenario_of(scenario)  # validated once for the whole chunk
    except Exception as exc:  # noqa: BLE001 - reported per seed like any other failure
        return [RunFailure(seed, _describe(exc)) for seed in seeds]
    for seed in seeds:
        try:
            out.append(run_one(loaded, seed))
        except Exception as exc:  # noqa: BLE001 - one bad run must not lose the others
            out.append(RunFailure(seed, _describe(exc)))
    return out


# ----------------------------------------------------------------------------- executors
Report = Callable[[RunRecord | RunFailure], None]


def _chunks(seeds: list[int], slots: int) -> list[list[int]]:
    size = max(1, min(MAX_CHUNK, math.ceil(len(seeds) / max(1, 8 * slots))))
    return [seeds[i : i + size] for i in range(0, len(seeds), size)]


def _in_process(spec: dict[str, Any], seeds: list[int], report: Report) -> None:
    loaded = Scenario.model_validate(spec)
    for seed in seeds:
        item = run_chunk(loaded, [seed])[0]
        if isinstance(item, RunFailure):  # retry once
            item = run_chunk(loaded, [seed])[0]
            if isinstance(item, RunFailure):
                item = RunFailure(seed, item.error, attempts=2)
        report(item)


def _pool_pass(
    spec: dict[str, Any], batches: list[list[int]], workers: int, window: int, report: Report
) -> list[RunFailure]:
    """Run batches on process pools; returns the failures (raised or lost in a crash).

    At most ``window`` batches are in flight, so a worker crash (which breaks the
    whole pool) loses only those; the rest go on in a fresh pool.
    """
    failed: list[RunFailure] = []
    pending = deque(batches)
    while pending:
        with worker_pool(workers) as pool:
            in_flight: dict[Any, list[int]] = {}
            broken = False
            while (pending or in_flight) and not broken:
                while pending and len(in_flight) < window:
                    batch = pending.popleft()
                    in_flight[pool.submit(run_chunk, spec, batch)] = batch
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    batch = in_flight.pop(future)
                    try:
                        items = future.result()
                    except BrokenProcessPool as exc:
                        broken = True
                        failed += [
                            RunFailure(s, f"worker process died ({_describe(exc)})") for s in batch
                        ]
                        continue
                    except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
                        failed += [RunFailure(s, _describe(exc)) for s in batch]
                        continue
                    for item in items:
                        (failed.append if isinstance(item, RunFailure) else report)(item)
            for batch in in_flight.values():  # lost with the broken pool
                failed += [RunFailure(s, "worker process died (BrokenProcessPool)") for s in batch]
    return failed


def _local_pool(spec: dict[str, Any], seeds: list[int], workers: int, report: Report) -> None:
    failed = _pool_pass(spec, _chunks(seeds, workers), workers, 2 * workers, report)
    # Retry each failed seed once, alone in its pool, so a crash is pinned on its seed.
    retry = _pool_pass(spec, [[f.seed] for f in failed], 1, 1, report)
    for f in retry:
        report(RunFailure(f.seed, f.error, attempts=2))


def _dask_pass(
    client: Any, spec_future: Any, batches: list[list[int]], report: Report
) -> list[RunFailure]:
    from distributed import as_completed

    failed: list[RunFailure] = []
    futures = {client.submit(run_chunk, spec_future, batch, pure=False): batch for batch in batches}
    for future in as_completed(list(futures)):
        batch = futures[future]
        try:
            items = future.result()
        except Exception as exc:  # noqa: BLE001 - KilledWorker, lost connection, ...
            failed += [RunFailure(s, _describe(exc)) for s in batch]
            continue
        for item in items:
            (failed.append if isinstance(item, RunFailure) else report)(item)
        future.release()
    return failed


def _dask(
    spec: dict[str, Any], seeds: list[int], scheduler: str | None, workers: int, report: Report
) -> None:
    import logging

    from distributed import Client, LocalCluster

    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise CampaignError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    try:
        slots = max(1, sum(client.nthreads().values()))
        spec_future = client.scatter(spec, broadcast=True)
        failed = _dask_pass(client, spec_future, _chunks(seeds, slots), report)
        retry = _dask_pass(client, spec_future, [[f.seed] for f in failed], report)
        for f in retry:
            report(RunFailure(f.seed, f.error, attempts=2))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ----------------------------------------------------------------------------- runs.jsonl
def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


@dataclass
class RunsLog:
    """The content of a ``runs.jsonl``: header, records and failures by seed."""

    header: dict[str, Any]
    records: dict[int, RunRecord]
    failures: dict[int, RunFailure]
    partial_tail: bool
    complete_text: str


def read_runs_log(path: Path) -> RunsLog:
    """Read ``runs.jsonl``; a trailing line without its newline (a run cut short) is ignored."""
    raw = read_bounded(path, MAX_RUNS_LOG_BYTES, ReplayError)
    check_file(path.parent, path.name, raw)  # an edited runs.jsonl would flip the results
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ReplayError(f"{path}: not UTF-8 text") from None
    lines = text.split("\n")
    partial = lines[-1] != ""
    lines = lines[:-1]
    if not lines:
        raise ReplayError(f"{path}: empty; expected a header line")
    records: dict[int, RunRecord] = {}
    failures: dict[int, RunFailure] = {}
    header: dict[str, Any] = {}
    for number, line in enumerate(lines, 1):
        try:
            data = json.loads(line)
            kind = data.get("type")
            if number == 1:
                if kind != "header" or data.get("format") != FORMAT:
                    raise ReplayError(
                        f"{path}:1: not an ensemble log (expected a '{FORMAT}' header)"
                    )
                header = data
            elif kind == "run":
                record = RunRecord.from_json(data)
                records[record.seed] = record
                failures.pop(record.seed, None)
            elif kind == "failure":
                failures[int(data["seed"])] = RunFailure(
                    int(data["seed"]), str(data["error"]), int(data.get("attempts", 1))
                )
            else:
                raise ReplayError(f"{path}:{number}: unknown line type {kind!r}")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ReplayError(f"{path}:{number}: unreadable line ({_describe(exc)})") from None
    for seed in records:
        failures.pop(seed, None)
    return RunsLog(header, records, failures, partial, "\n".join(lines) + "\n")


class _Appender:
    """Appends one JSON line per finished run; each line is written and flushed at once."""

    def __init__(self, path: Path | None):
        self.handle = path.open("a", encoding="utf-8") if path is not None else None

    def write(self, obj: dict[str, Any]) -> None:
        if self.handle is not None:
            self.handle.write(_dumps(obj) + "\n")
            self.handle.flush()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()


def _prepare_out(
    out: Path, header: dict[str, Any], resume: bool, force: bool
) -> dict[int, RunRecord]:
    """Make ``out`` ready; returns the records kept from an earlier, resumed ensemble."""
    if out.is_symlink() and not out.exists():
        raise OutputError(f"{out}: is a symbolic link to a missing target")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    log = out / "runs.jsonl"
    if resume and log.exists():
        old = read_runs_log(log)
        mismatch = [k for k in ("scenario_hash", "base_seed") if old.header.get(k) != header[k]]
        if mismatch:
            raise OutputError(
                f"{log}: was made with another {' and '.join(mismatch)} (scenario "
                f"{old.header.get('scenario_id')}, seed {old.header.get('base_seed')}); "
                f"use the same scenario, overrides and --seed, or another --out"
            )
        (out / MANIFEST).unlink(missing_ok=True)  # runs.jsonl grows again: listed at the end
        if old.partial_tail:
            atomic_write_text(log, old.complete_text)
        return old.records
    if out.is_dir() and any(out.iterdir()):
        if not force:
            hint = (
                "use --resume to continue it or --force to start again"
                if log.exists()
                else "choose another --out or use --force"
            )
            raise OutputError(f"{out}: folder is not empty; {hint}")
        for name in OUTPUT_FILES:
            (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(log, _dumps(header) + "\n")
    return {}


# ----------------------------------------------------------------------------- statistics
def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (95% by default); (0, 1) for n = 0."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


# ----------------------------------------------------------------------------- result
@dataclass
class EnsembleResult:
    """An ensemble's runs and the tables derived from them (lists of dicts)."""

    header: dict[str, Any]
    records: list[RunRecord]
    failures: list[RunFailure] = field(default_factory=list)
    runs_requested: int = 0
    out: Path | None = None

    @property
    def sides(self) -> list[str]:
        """Scenario side ids and 'none', the values a town's control can take."""
        return [s["id"] for s in self.header["sides"]] + [NONE]

    @property
    def dates(self) -> list[str]:
        return scenario_dates(self.header["start"], self.header["end"])

    @cached_property
    def towns(self) -> list[str]:
        towns = set(self.header["initial_control"]) | {
            o["place"] for o in self.header["objectives"]
        }
        for r in self.records:
            towns |= set(r.final)
        return sorted(towns)

    def initial(self, town: str) -> str:
        return self.header["initial_control"].get(town, NONE)

    def final_sides(self, town: str) -> list[str]:
        """The side holding ``town`` at the end of each run, in seed order."""
        return [r.final.get(town, self.initial(town)) for r in self.records]

    @cached_property
    def final_control(self) -> dict[str, dict[str, float]]:
        """town -> side -> share of runs in which the side holds the town at the end."""
        n = len(self.records)
        out = {}
        for town in self.towns:
            finals = self.final_sides(town)
            out[town] = {s: (finals.count(s) / n if n else 0.0) for s in self.sides}
        return out

    @cached_property
    def contested(self) -> list[str]:
        """Objective places and every town whose final holder varies or differs from the start."""
        objective_places = {o["place"] for o in self.header["objectives"]}
        return [
            t
            for t in self.towns
            if t in objective_places or any(s != self.initial(t) for s in self.final_sides(t))
        ]

    @cached_property
    def runs_table(self) -> list[dict[str, Any]]:
        base = self.header["base_seed"]
        rows = []
        for r in self.records:
            for town in self.towns:
                captures = ";".join(f"{d}:{s}" for d, s in r.captures.get(town, ()))
                rows.append(
                    {
                        "run": r.seed - base,
                        "seed": r.seed,
                        "town": town,
                        "final_side": r.final.get(town, self.initial(town)),
                        "capture_dates": captures,
                    }
                )
        return rows

    @cached_property
    def control_counts(self) -> np.ndarray:
        """Runs in which each side holds each town at the end of each date: [date, town, side]."""
        dates, towns, sides = self.dates, self.towns, self.sides
        side_index = {s: i for i, s in enumerate(sides)}
        date_index = {d: i for i, d in enumerate(dates)}
        counts = np.zeros((len(dates), len(towns), len(sides)), dtype=np.int64)
        for j, town in enumerate(towns):
            start = side_index[self.initial(town)]
            changed = [r for r in self.records if town in r.captures]
            counts[:, j, start] += len(self.records) - len(changed)
            for r in changed:
                holder = np.full(len(dates), start)
                for day, side in r.captures.get(town, ()):
                    holder[date_index[day] :] = side_index[side]
                counts[np.arange(len(dates)), j, holder] += 1
        return counts

    @cached_property
    def control_probability(self) -> list[dict[str, Any]]:
        n = len(self.records)
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
    def objectives_met(self) -> np.ndarray:
        """[run, objective] booleans."""
        met = np.zeros((len(self.records), len(self.header["objectives"])), dtype=bool)
        for i, r in enumerate(self.records):
            met[i, :] = r.objectives_met
        return met

    @cached_property
    def objectives(self) -> list[dict[str, Any]]:
        n = len(self.records)
        rows = []
        for i, o in enumerate(self.header["objectives"]):
            met = int(self.objectives_met[:, i].sum())
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
        """Men ``kind`` (killed, wounded or captured) of ``side`` in each run."""
        return np.array([r.losses.get(side, {}).get(kind, 0.0) for r in self.records])

    @cached_property
    def losses(self) -> list[dict[str, Any]]:
        rows = []
        if not self.records:
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
            "completed": len(self.records),
            "failed": len(self.failures),
            "towns": self.towns,
            "failures": [
                {"seed": f.seed, "attempts": f.attempts, "error": f.error} for f in self.failures
            ],
        }


def ensemble_header(
    scenario: Scenario, scenario_path: str, overrides: Overrides, base_seed: int
) -> dict[str, Any]:
    """First line of ``runs.jsonl``: what the runs were made from."""
    return {
        "type": "header",
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "engine_version": __version__,
        "scenario_id": scenario.id,
        "scenario_title": scenario.title,
        "scenario_hash": scenario_hash(scenario),
        "scenario_path": scenario_path,
        "overrides": overrides.describe(),
        "base_seed": base_seed,
        "sample_strengths": True,
        "start": scenario.start.isoformat(),
        "end": scenario.end.isoformat(),
        "sides": [
            {"id": s.id, "name": s.name, "colour": s.colour, "controls_for": s.controls_for}
            for s in scenario.sides
        ],
        "initial_control": dict(sorted(scenario.control.items())),
        "objectives": [
            {
                "side": o.side,
                "place": o.place,
                "kind": o.kind,
                "by": o.by.isoformat(),
                "weight": o.weight,
            }
            for o in scenario.objectives
        ],
    }


# ----------------------------------------------------------------------------- files
def _csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_outputs(result: EnsembleResult, out: Path) -> None:
    """Write the tables and ``ensemble.json`` to ``out``, each file atomically."""
    texts = {
        "runs.csv": _csv(("run", "seed", "town", "final_side", "capture_dates"), result.runs_table),
        "control_probability.csv": _csv(
            ("date", "town", "side", "probability"), result.control_probability
        ),
        "objectives.csv": _csv(
            (
                "side",
                "place",
                "kind",
                "measure",
                "by",
                "weight",
                "runs",
                "met",
                "probability",
                "ci_low",
                "ci_high",
            ),
            result.objectives,
        ),
        "losses.csv": _csv(("side", "measure", "mean", "median", "p5", "p95"), result.losses),
        "failures.csv": _csv(("seed", "attempts", "error"), [f.to_json() for f in result.failures]),
        "ensemble.json": json.dumps(result.info(), ensure_ascii=False, indent=2) + "\n",
    }
    for name, text in texts.items():
        atomic_write_text(out / name, text)
    write_manifest(out, [n for n in OUTPUT_FILES if n != MANIFEST and (out / n).is_file()])


def _requested_runs(folder: Path) -> int | None:
    """Runs the last ensemble in ``folder`` asked for, from ``ensemble.json`` if readable."""
    with contextlib.suppress(ValueError, TypeError, KeyError, ReplayError):
        data = read_bounded(folder / "ensemble.json", MAX_TABLE_BYTES, ReplayError)
        return int(json.loads(data)["runs"])
    return None


def load_ensemble(folder: str | Path) -> EnsembleResult:
    """An ensemble rebuilt from ``folder/runs.jsonl`` (raises :class:`ReplayError`)."""
    folder = Path(folder)
    log = folder / "runs.jsonl"
    if not log.is_file():
        raise ReplayError(f"{folder}: no runs.jsonl; not an ensemble folder")
    content = read_runs_log(log)
    seeds = sorted(set(content.records) | set(content.failures))
    runs = _requested_runs(folder)
    if runs is not None:  # a resumed ensemble may have asked for fewer seeds than the log holds
        base = int(content.header["base_seed"])
        seeds = [s for s in seeds if base <= s < base + runs]
    records = [content.records[s] for s in seeds if s in content.records]
    failures = [content.failures[s] for s in seeds if s in content.failures]
    return EnsembleResult(content.header, records, failures, runs or len(seeds), folder)


def rebuild_outputs(folder: str | Path) -> EnsembleResult:
    """Write the tables of ``folder`` again from its ``runs.jsonl`` alone."""
    result = load_ensemble(folder)
    write_outputs(result, Path(folder))
    return result


# ----------------------------------------------------------------------------- driver
def run_ensemble(
    scenario_path: str | Path | Scenario,
    runs: int,
    workers: int | None = None,
    overrides: Overrides | None = None,
    out: str | Path | None = None,
    scheduler: str | None = None,
    dask_local: bool = False,
    resume: bool = False,
    base_seed: int = 0,
    progress: bool = True,
    force: bool = False,
) -> EnsembleResult:
    """Run seeds ``base_seed .. base_seed + runs - 1`` of a scenario and summarise them.

    ``workers``: processes (default: all cores); 1 runs in this process.
    ``scheduler``: address of a Dask scheduler, ``tcp://HOST:PORT``; ``dask_local``:
    start a local Dask cluster of ``workers`` processes instead.
    ``out``: folder for ``runs.jsonl`` and the tables; an existing non-empty folder is
    refused unless ``resume`` (skip the seeds already in its ``runs.jsonl``) or
    ``force`` (start again).
    ``scenario_path`` may also be a validated :class:`Scenario` with its changes already
    made; ``overrides`` then only describes those changes in the header.
    """
    if runs < 1:
        raise CampaignError(f"runs must be at least 1, got {runs}")
    if workers is not None and workers < 1:
        raise CampaignError(f"workers must be at least 1, got {workers}")
    overrides = overrides or Overrides()
    if isinstance(scenario_path, Scenario):
        scenario, path_text = scenario_path, ""
    else:
        scenario, path_text = load_scenario(scenario_path, overrides), str(scenario_path)
    spec = scenario.model_dump(mode="json")
    header = ensemble_header(scenario, path_text, overrides, base_seed)
    out_dir = Path(out) if out is not None else None
    done = _prepare_out(out_dir, header, resume, force) if out_dir is not None else {}
    seeds = [base_seed + i for i in range(runs)]
    todo = [s for s in seeds if s not in done]
    records = {s: done[s] for s in seeds if s in done}
    failures: dict[int, RunFailure] = {}
    appender = _Appender(out_dir / "runs.jsonl" if out_dir is not None else None)
    bar = tqdm(
        total=runs,
        initial=len(records),
        desc=scenario.id,
        unit="run",
        disable=not progress,
        leave=False,
    )

    def report(item: RunRecord | RunFailure) -> None:
        appender.write(item.to_json())
        if isinstance(item, RunRecord):
            records[item.seed] = item
        else:
            failures[item.seed] = item
        bar.update(1)

    workers = workers or os.cpu_count() or 1
    try:
        if todo and (scheduler or dask_local):
            _dask(spec, todo, scheduler, workers, report)
        elif todo and (workers == 1 or len(todo) == 1):
            _in_process(spec, todo, report)
        elif todo:
            _local_pool(spec, todo, min(workers, len(todo)), report)
    finally:
        bar.close()
        appender.close()
    result = EnsembleResult(
        header,
        [records[s] for s in sorted(records)],
        [failures[s] for s in sorted(failures)],
        runs,
        out_dir,
    )
    if out_dir is not None:
        write_outputs(result, out_dir)
    return result
