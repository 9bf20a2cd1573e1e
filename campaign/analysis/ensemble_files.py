"""An ensemble folder: where its runs go, its tables, and reading it back.

* :func:`prepare_folder` checks ``--out`` before any run and says where ``runs.jsonl``
  is written: in the folder itself (new, or ``--resume``), or, with ``--force`` over
  an earlier ensemble, in a sibling folder that replaces it whole when the ensemble is
  finished (:func:`finish_folder`); until then, and if the ensemble is interrupted or
  fails, the earlier ensemble stays as it was.
* :func:`write_outputs` writes the tables and ``manifest.json``; ``runs.csv`` (a row
  per run and town) is streamed from ``runs.jsonl``, so no table is held whole.
* :func:`load_ensemble` counts a folder's ``runs.jsonl`` again, line by line.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from campaign.analysis.ensemble_log import (
    RunFailure,
    RunRecord,
    RunsIndex,
    dumps,
    index_runs_log,
    iter_entries,
)
from campaign.analysis.ensemble_result import EnsembleResult, EnsembleTally
from campaign.bounded_read import read_bounded
from campaign.errors import OutputError, ReplayError
from campaign.replay.atomic import (
    atomic_open,
    atomic_write_text,
    replace_folder,
    staging_folder,
    stale_staging,
)
from campaign.replay.manifest import MANIFEST, write_manifest

LOG = "runs.jsonl"
#: Files an ensemble folder holds.
OUTPUT_FILES = (
    LOG,
    "runs.csv",
    "control_probability.csv",
    "objectives.csv",
    "losses.csv",
    "failures.csv",
    "ensemble.json",
    MANIFEST,
)
#: Largest ``ensemble.json`` or table read, bytes.
MAX_TABLE_BYTES = 200_000_000


# ----------------------------------------------------------------------------- the folder
def _leftover(name: str) -> bool:
    """A temporary file of ours that a killed write left behind (``.runs.csv.x1y2.tmp``)."""
    return (
        name.startswith(".")
        and name.endswith(".tmp")
        and any(name.startswith(f".{n}.") for n in OUTPUT_FILES)
    )


def folder_state(out: Path) -> str:
    """'empty' (missing, empty or only our leftovers), 'ensemble' (holds a ``runs.jsonl``,
    finished or not) or 'other' (files that are not an ensemble's)."""
    try:
        names = [p.name for p in out.iterdir()] if out.is_dir() else []
    except OSError as exc:
        raise OutputError(f"{out}: cannot list ({exc.strerror or exc})") from None
    if LOG in names:
        # A folder that also holds a kind of file campaign does not write (a user's)
        # is not ours to replace.
        from campaign.replay.writer import foreign_files

        return "other" if foreign_files(names) else "ensemble"
    return "empty" if all(_leftover(n) for n in names) else "other"


@dataclass(frozen=True)
class EnsembleFolder:
    """Where an ensemble is written: ``work`` is ``out`` itself, or a sibling that takes
    the place of ``out`` when the ensemble is finished (``replacing``). ``fresh``: the
    log was started by this ensemble (not resumed); ``made``: the folders it created
    for ``out``, deepest first."""

    out: Path
    work: Path
    replacing: bool = False
    fresh: bool = False
    made: tuple[Path, ...] = ()

    @property
    def log(self) -> Path:
        return self.work / LOG


def _remove_leftovers(folder: Path) -> None:
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            if _leftover(path.name):
                path.unlink(missing_ok=True)
    for stale in stale_staging(folder):
        shutil.rmtree(stale, ignore_errors=True)


def prepare_folder(
    out: Path, header: dict[str, Any], resume: bool, force: bool
) -> tuple[EnsembleFolder, RunsIndex | None]:
    """Check ``out`` and make it ready, before any run; returns the folder and, when
    resuming, the index of the runs already in its log (raises :class:`OutputError`).

    A non-empty folder that holds no ensemble is refused even with ``force`` (replacing
    it would delete files that are not ours); one holding an ensemble needs ``resume``
    (same scenario, overrides and seed) or ``force``.
    """
    if out.is_symlink() and not out.exists():
        raise OutputError(f"{out}: is a symbolic link to a missing target ({os.readlink(out)})")
    out = out.resolve() if out.is_symlink() else out  # a link to a folder stays a link
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    state = folder_state(out)
    if state == "other":
        raise OutputError(
            f"{out}: folder is not empty and holds no ensemble; choose another "
            "--out (--force replaces only an ensemble folder)"
        )
    try:
        for stale in stale_staging(out):  # a --force ensemble killed before it finished
            shutil.rmtree(stale, ignore_errors=True)
        if state == "ensemble" and resume:
            return EnsembleFolder(out, out), _resume(out, header)
        if state == "ensemble" and not force:
            raise OutputError(
                f"{out}: folder is not empty; use --resume to continue it or --force to start again"
            )
        if state == "ensemble":
            folder = EnsembleFolder(out, staging_folder(out), replacing=True)
        else:
            made = _missing_folders(out)
            out.mkdir(parents=True, exist_ok=True)
            _remove_leftovers(out)
            folder = EnsembleFolder(out, out, fresh=True, made=made)
        atomic_write_text(folder.log, dumps(header) + "\n")
    except OSError as exc:
        raise OutputError(f"{out}: cannot write here ({exc.strerror or exc})") from None
    return folder, None


def _missing_folders(out: Path) -> tuple[Path, ...]:
    """``out`` and those of its parents that do not exist yet, deepest first."""
    missing = []
    for folder in (out, *out.parents):
        if folder.exists() or folder.is_symlink():
            break
        missing.append(folder)
    return tuple(missing)


def _resume(out: Path, header: dict[str, Any]) -> RunsIndex:
    log = out / LOG
    index = index_runs_log(log)
    old = index.header
    mismatch = [k for k in ("scenario_hash", "base_seed") if old.get(k) != header[k]]
    if mismatch:
        raise OutputError(
            f"{log}: was made with another {' and '.join(mismatch)} (scenario "
            f"{old.get('scenario_id')}, seed {old.get('base_seed')}); "
            f"use the same scenario, overrides and --seed, or another --out"
        )
    # The manifest goes when runs.jsonl grows again (Appender's before_first), not
    # now: a resume that fails before any run leaves the folder as it was.
    _remove_leftovers(out)
    if index.partial_tail:  # drop the run cut short; its seed is run again
        os.truncate(log, index.complete_bytes)
    return index


def finish_folder(folder: EnsembleFolder) -> None:
    """Put a finished ensemble in place (a no-op unless it replaces an earlier one)."""
    if folder.replacing:
        try:
            replace_folder(folder.work, folder.out)
        except OSError as exc:
            raise OutputError(
                f"{folder.out}: cannot replace the folder ({exc.strerror or exc})"
            ) from None


def abandon_folder(folder: EnsembleFolder, finished: int = 0) -> None:
    """After an error or an interrupt: a replacement folder is removed, ``out`` kept.
    A new ensemble in which no run had ``finished`` leaves nothing behind: its files
    are removed, and the folders it created if nothing else was put in them (a log of
    no run would pass for an ensemble). A resumed one keeps its log."""
    if folder.replacing:
        shutil.rmtree(folder.work, ignore_errors=True)
    elif folder.fresh and finished == 0:
        with contextlib.suppress(OSError):
            for path in folder.work.iterdir():
                if path.name in OUTPUT_FILES or _leftover(path.name):
                    path.unlink(missing_ok=True)
        for made in folder.made:
            try:
                made.rmdir()
            except OSError:  # not empty: someone else's files, kept
                break


# ----------------------------------------------------------------------------- tables
def _csv_file(path: Path, columns: tuple[str, ...], rows: Any) -> None:
    with atomic_open(path, newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=columns, lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)


RUNS_COLUMNS = ("run", "seed", "town", "final_side", "capture_dates")


def _write_runs_csv(result: EnsembleResult, folder: Path, index: RunsIndex) -> None:
    """``runs.csv``: a row per run and town, read from the log in seed order."""
    base = result.header["base_seed"]
    keep = index.is_record & np.isin(index.seeds, np.asarray(result.seeds, dtype=np.int64))
    towns = [(town, result.initial(town)) for town in result.towns]
    with atomic_open(folder / "runs.csv", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(RUNS_COLUMNS)
        for record in iter_entries(folder / LOG, index, keep):
            assert isinstance(record, RunRecord)
            final, captures = record.final, record.captures
            writer.writerows(
                (
                    record.seed - base,
                    record.seed,
                    town,
                    final.get(town, initial),
                    ";".join(f"{d}:{s}" for d, s in captures[town]) if town in captures else "",
                )
                for town, initial in towns
            )


OBJECTIVE_COLUMNS = (
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
)


def write_outputs(result: EnsembleResult, out: Path) -> None:
    """Write the tables and ``ensemble.json`` to ``out`` (each file atomically), then
    ``manifest.json``; ``out/runs.jsonl`` must hold the result's runs."""
    index = index_runs_log(out / LOG)
    _write_runs_csv(result, out, index)
    _csv_file(
        out / "control_probability.csv",
        ("date", "town", "side", "probability"),
        result.control_probability,
    )
    _csv_file(out / "objectives.csv", OBJECTIVE_COLUMNS, result.objectives)
    _csv_file(out / "losses.csv", ("side", "measure", "mean", "median", "p5", "p95"), result.losses)
    _csv_file(
        out / "failures.csv", ("seed", "attempts", "error"), (f.to_json() for f in result.failures)
    )
    atomic_write_text(
        out / "ensemble.json", json.dumps(result.info(), ensure_ascii=False, indent=2) + "\n"
    )
    write_manifest(
        out,
        [n for n in OUTPUT_FILES if n != MANIFEST and (out / n).is_file()],
        known={LOG: index.entry},
    )


# ----------------------------------------------------------------------------- reading
def _requested_runs(folder: Path) -> int | None:
    """Runs the last ensemble in ``folder`` asked for, from ``ensemble.json`` if readable."""
    with contextlib.suppress(ValueError, TypeError, KeyError, ReplayError):
        data = read_bounded(folder / "ensemble.json", MAX_TABLE_BYTES, ReplayError)
        return int(json.loads(data)["runs"])
    return None


def count_runs(
    path: Path,
    index: RunsIndex,
    keep: np.ndarray | None,
    tally: EnsembleTally,
    failures: list[RunFailure] | None = None,
) -> None:
    """Add the kept runs of the log ``path`` to ``tally`` (and its failures to ``failures``)."""
    for item in iter_entries(path, index, keep):
        if isinstance(item, RunRecord):
            tally.add(item)
        elif failures is not None:
            failures.append(item)


def load_ensemble(folder: str | Path) -> EnsembleResult:
    """An ensemble counted again from ``folder/runs.jsonl`` (raises :class:`ReplayError`)."""
    folder = Path(folder)
    log = folder / LOG
    if not log.is_file():
        raise ReplayError(f"{folder}: no runs.jsonl; not an ensemble folder")
    index = index_runs_log(log)
    runs = _requested_runs(folder)
    keep = None
    if runs is not None:  # a resumed ensemble may have asked for fewer seeds than the log holds
        base = int(index.header["base_seed"])
        keep = (index.seeds >= base) & (index.seeds < base + runs)
    tally, failures = EnsembleTally(index.header), []
    try:
        count_runs(log, index, keep, tally, failures)
    except (ValueError, KeyError, TypeError) as exc:  # the log changed since it was indexed
        raise ReplayError(f"{log}: unreadable ({exc})") from None
    requested = runs if runs is not None else len(index.seeds)
    return EnsembleResult(index.header, tally, failures, requested, folder)


def load_counted_ensemble(folder: str | Path) -> EnsembleResult:
    """:func:`load_ensemble`, refused (:class:`ReplayError`) when no run of it finished:
    such a folder has nothing to compare or report."""
    result = load_ensemble(folder)
    if result.completed == 0:
        failed = f"{len(result.failures)} failed, " if result.failures else ""
        raise ReplayError(
            f"{folder}: no run of this ensemble finished ({failed}none counted); run it "
            "again with 'campaign ensemble --force', or continue it with --resume"
        )
    return result


def rebuild_outputs(folder: str | Path) -> EnsembleResult:
    """Write the tables of ``folder`` again from its ``runs.jsonl`` alone."""
    result = load_ensemble(folder)
    write_outputs(result, Path(folder))
    return result
