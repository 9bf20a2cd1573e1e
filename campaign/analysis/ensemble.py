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

Each finished run is counted at once (:class:`EnsembleTally`) and not kept, so memory
does not grow with the number of runs (bar 8 bytes per loss figure and score, for
percentiles). With ``out``, every finished run is also appended to ``out/runs.jsonl``
(one line per run, written and flushed in one go), so an interrupted ensemble can be
resumed; the tables are written at the end and can be rebuilt from ``runs.jsonl`` alone
(:func:`load_ensemble`, :func:`rebuild_outputs`):

* ``runs.csv``                 run, seed, town, final_side, capture_dates
* ``control_probability.csv``  date, town, side, probability (end of that date)
* ``objectives.csv``           probability each objective is met, 95% Wilson interval;
  ``measure`` says what is counted: ``holder_at_end_of`` (a *take* objective: the side
  holds the place at the end of ``by``) or ``held_every_day_to`` (*hold*: on every day)
* ``losses.csv``               per side: mean, median, p5, p95 of killed/wounded/captured
* ``failures.csv``             seed, attempts, error
* ``ensemble.json``            scenario id and hash, runs, base seed, overrides, failures
* ``manifest.json``            size and SHA-256 of each file above, checked by every reader

``force`` over an earlier ensemble writes the new one to a sibling folder that replaces
the old one whole when it is finished (see :mod:`campaign.analysis.ensemble_files`).
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from campaign.analysis.ensemble_files import (
    EnsembleFolder,
    abandon_folder,
    finish_folder,
    load_ensemble,
    prepare_folder,
    rebuild_outputs,
    write_outputs,
)
from campaign.analysis.ensemble_log import (
    LOSS_KINDS,
    NONE,
    Appender,
    RunFailure,
    RunRecord,
    RunsIndex,
    describe,
    ensemble_header,
    iter_entries,
    read_runs_header,
)
from campaign.analysis.ensemble_result import (
    EnsembleResult,
    EnsembleTally,
    scenario_dates,
    wilson_interval,
)
from campaign.analysis.pool import worker_pool
from campaign.errors import CampaignError
from campaign.replay.manifest import MANIFEST
from campaign.replay.summary import losses_by_side, objectives_status
from campaign.scenario.loader import load_scenario
from campaign.scenario.overrides import Overrides
from campaign.scenario.schema import Scenario
from campaign.simulate import RunResult, simulate

#: The API page documents these; the constants stay importable from their modules.
__all__ = [
    "RunRecord",
    "RunFailure",
    "daily_control",
    "record_of",
    "run_one",
    "run_chunk",
    "run_ensemble",
    "EnsembleTally",
    "EnsembleResult",
    "wilson_interval",
    "scenario_dates",
    "write_outputs",
    "load_ensemble",
    "rebuild_outputs",
    "read_runs_header",
]

#: Largest number of seeds shipped to a worker in one task (a Kaunas run takes 10-30 ms,
#: so single-seed tasks would spend more time in messaging than in simulating).
MAX_CHUNK = 25


# ----------------------------------------------------------------------------- records
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
    scenario: dict[str, Any] | str | Path | Scenario,
    seed: int,
    overrides: Overrides | None = None,
) -> RunRecord:
    """Simulate one seed with sampled strengths and return its record.

    ``scenario`` is the validated scenario (a :class:`Scenario`, or a JSON dict from
    ``Scenario.model_dump(mode="json")``, overrides already applied) or a path to a
    scenario file plus ``overrides``.
    """
    loaded = _scenario_of(scenario, overrides)
    return record_of(simulate(loaded, seed=seed, daily_log=False, sample_strengths=True))


def run_chunk(
    scenario: dict[str, Any] | Scenario, seeds: list[int]
) -> list[RunRecord | RunFailure]:
    """Run several seeds; an exception in one becomes a :class:`RunFailure` for that seed."""
    out: list[RunRecord | RunFailure] = []
    try:
        loaded = _scenario_of(scenario)  # validated once for the whole chunk
    except Exception as exc:  # noqa: BLE001 - reported per seed like any other failure
        return [RunFailure(seed, describe(exc)) for seed in seeds]
    for seed in seeds:
        try:
            out.append(run_one(loaded, seed))
        except Exception as exc:  # noqa: BLE001 - one bad run must not lose the others
            out.append(RunFailure(seed, describe(exc)))
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
                    try:
                        in_flight[pool.submit(run_chunk, spec, batch)] = batch
                    except BrokenProcessPool:
                        # A worker died since the last wait: this batch never started,
                        # so it goes to the next pool; those in flight are lost below.
                        pending.appendleft(batch)
                        broken = True
                        break
                if broken:
                    break
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    batch = in_flight.pop(future)
                    try:
                        items = future.result()
                    except BrokenProcessPool as exc:
                        broken = True
                        failed += [
                            RunFailure(s, f"worker process died ({describe(exc)})") for s in batch
                        ]
                        continue
                    except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
                        failed += [RunFailure(s, describe(exc)) for s in batch]
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
            failed += [RunFailure(s, describe(exc)) for s in batch]
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


# ----------------------------------------------------------------------------- driver
def _run_seeds(
    spec: dict[str, Any],
    todo: list[int],
    workers: int,
    scheduler: str | None,
    dask_local: bool,
    report: Report,
) -> None:
    if todo and (scheduler or dask_local):
        _dask(spec, todo, scheduler, workers, report)
    elif todo and (workers == 1 or len(todo) == 1):
        _in_process(spec, todo, report)
    elif todo:
        _local_pool(spec, todo, min(workers, len(todo)), report)


def _resume_counts(
    folder: EnsembleFolder,
    resumed: RunsIndex,
    base_seed: int,
    runs: int,
    count: Callable[[RunRecord], None],
) -> np.ndarray:
    """Count the runs an earlier, interrupted ensemble finished; returns which of the
    ``runs`` seeds they are (its failures are run again)."""
    done = np.zeros(runs, dtype=bool)
    seeds = resumed.seeds
    keep = resumed.is_record & (seeds >= base_seed) & (seeds < base_seed + runs)
    done[seeds[keep] - base_seed] = True
    for item in iter_entries(folder.log, resumed, keep):
        assert isinstance(item, RunRecord)
        count(item)
    return done


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
    on_record: Callable[[RunRecord], None] | None = None,
) -> EnsembleResult:
    """Run seeds ``base_seed .. base_seed + runs - 1`` of a scenario and summarise them.

    ``workers``: processes (default: all cores); 1 runs in this process.
    ``scheduler``: address of a Dask scheduler, ``tcp://HOST:PORT``; ``dask_local``:
    start a local Dask cluster of ``workers`` processes instead.
    ``out``: folder for ``runs.jsonl`` and the tables; an existing ensemble folder is
    refused unless ``resume`` (skip the seeds already in its ``runs.jsonl``) or
    ``force`` (start again: the new ensemble replaces the old one whole once it is
    finished; if it is interrupted or fails, the old one is left as it was).
    ``scenario_path`` may also be a validated :class:`Scenario` with its changes already
    made; ``overrides`` then only describes those changes in the header.
    ``on_record`` is called with each run's record (resumed ones too), in any order.
    """
    if runs < 1:
        raise CampaignError(f"runs must be at least 1, got {runs}")
    if not 0 <= base_seed <= 2**63 - runs:
        raise CampaignError(
            f"seeds {base_seed} to {base_seed + runs - 1}: every seed must be between 0 and "
            "2**63 - 1; give a smaller --seed"
        )
    if workers is not None and workers < 1:
        raise CampaignError(f"workers must be at least 1, got {workers}")
    overrides = overrides or Overrides()
    if isinstance(scenario_path, Scenario):
        scenario, path_text = scenario_path, ""
    else:
        scenario, path_text = load_scenario(scenario_path, overrides), str(scenario_path)
    spec = scenario.model_dump(mode="json")
    header = ensemble_header(scenario, path_text, overrides, base_seed)
    tally = EnsembleTally(header)
    failures: dict[int, RunFailure] = {}

    def count(record: RunRecord) -> None:
        tally.add(record)
        if on_record is not None:
            on_record(record)

    folder, resumed = (
        (None, None) if out is None else prepare_folder(Path(out), header, resume, force)
    )
    try:
        done = np.zeros(runs, dtype=bool)
        if folder is not None and resumed is not None:
            done = _resume_counts(folder, resumed, base_seed, runs, count)
        todo = [base_seed + i for i in range(runs) if not done[i]]
        drop_manifest = (
            (lambda: (folder.log.parent / MANIFEST).unlink(missing_ok=True))
            if folder is not None and resumed is not None
            else None
        )
        appender = Appender(folder.log if folder is not None else None, drop_manifest)
        bar = tqdm(
            total=runs,
            initial=runs - len(todo),
            desc=scenario.id,
            unit="run",
            disable=not progress,
            leave=False,
        )

        def report(item: RunRecord | RunFailure) -> None:
            appender.write(item.to_json())
            if isinstance(item, RunRecord):
                count(item)
            else:
                failures[item.seed] = item
            bar.update(1)

        try:
            _run_seeds(spec, todo, workers or os.cpu_count() or 1, scheduler, dask_local, report)
        finally:
            bar.close()
            appender.close()
        result = EnsembleResult(
            header,
            tally,
            [failures[s] for s in sorted(failures)],
            runs,
            folder.out if folder is not None else None,
        )
        if folder is not None:
            write_outputs(result, folder.work)
            finish_folder(folder)
    except BaseException:
        if folder is not None:
            abandon_folder(folder, finished=tally.completed)
        raise
    return result
