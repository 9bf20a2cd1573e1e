"""``runs.jsonl``: the log of an ensemble, one JSON line per finished run.

The first line is a header saying what the runs were made from; then each run adds a
``run`` line (a :class:`RunRecord`) or a ``failure`` line (a :class:`RunFailure`), in
the order the runs finished. A seed may appear more than once (a resumed ensemble
retries its failures): a run line wins over failure lines, a later line over an earlier.

The log is read in two passes that never hold it whole: :func:`index_runs_log` checks
every line and keeps, per seed, where its winning line starts (24 bytes a line);
:func:`iter_entries` then reads the chosen lines in seed order.
"""

from __future__ import annotations

import array
import hashlib
import json
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from campaign import __version__
from campaign.bounded_read import open_regular
from campaign.errors import ReplayError
from campaign.replay.manifest import check_entry
from campaign.scenario.loader import scenario_hash
from campaign.scenario.overrides import Overrides
from campaign.scenario.report import objectives_json
from campaign.scenario.schema import Scenario

FORMAT = "campaign-ensemble"
FORMAT_VERSION = 1
NONE = "none"
LOSS_KINDS = ("killed", "wounded", "captured")
#: Largest ``runs.jsonl`` read, bytes (a Kaunas run's record is about 1.2 KB).
MAX_RUNS_LOG_BYTES = 500_000_000
#: Largest single line read, bytes (one run of a 10,000-town theatre is well below).
MAX_LINE_BYTES = 50_000_000


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
            final={str(p): str(s) for p, s in data["final"].items()},
            captures={
                str(p): tuple((str(d), str(s)) for d, s in cs) for p, cs in data["captures"].items()
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

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunFailure:
        return cls(int(data["seed"]), str(data["error"]), int(data.get("attempts", 1)))


def dumps(obj: Any) -> str:
    """Compact JSON of one log line."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


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
        "objectives": objectives_json(scenario),
    }


def check_record(record: RunRecord, header: dict[str, Any], dates: frozenset[str]) -> None:
    """Raise ValueError when ``record`` names what its ensemble's header does not have."""
    sides = {s["id"] for s in header["sides"]} | {NONE}
    if len(record.objectives_met) != len(header["objectives"]):
        raise ValueError(
            f"{len(record.objectives_met)} objective flags for "
            f"{len(header['objectives'])} objectives"
        )
    for town, side in record.final.items():
        if side not in sides:
            raise ValueError(f"unknown side {side[:40]!r} holding {town[:40]!r}")
    for town, changes in record.captures.items():
        for day, side in changes:
            if side not in sides or day not in dates:
                raise ValueError(
                    f"capture of {town[:40]!r} by {side[:40]!r} on {day[:40]!r} "
                    "outside the ensemble's sides and dates"
                )
    for row in record.losses.values():
        if any(not math.isfinite(v) or v < 0 for v in row.values()):
            raise ValueError("a loss that is not a finite number of men >= 0")


# ----------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class RunsIndex:
    """Where the winning line of each seed starts in a ``runs.jsonl``.

    ``seeds`` (sorted), ``offsets`` (bytes from the start) and ``is_record`` are
    parallel arrays; ``complete_bytes`` is the length up to the last newline (a line
    without one was cut short and is ignored); ``entry`` is the manifest entry (size
    and SHA-256) of the file as read.
    """

    header: dict[str, Any]
    seeds: np.ndarray
    offsets: np.ndarray
    is_record: np.ndarray
    complete_bytes: int
    partial_tail: bool
    entry: dict[str, Any]

    @property
    def record_seeds(self) -> np.ndarray:
        return self.seeds[self.is_record]


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def _parse(line: bytes) -> dict[str, Any]:
    data = json.loads(line, parse_constant=_reject_constant)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def _lines(handle: BinaryIO, path: Path) -> Iterator[tuple[int, bytes]]:
    """(offset, line) of each line, the last one possibly without its newline."""
    offset = 0
    while line := handle.readline(MAX_LINE_BYTES + 1):
        if len(line) > MAX_LINE_BYTES:
            raise ReplayError(f"{path}: a line longer than {MAX_LINE_BYTES:,} bytes")
        yield offset, line
        offset += len(line)
        if offset > MAX_RUNS_LOG_BYTES:
            raise ReplayError(f"{path}: larger than the limit of {MAX_RUNS_LOG_BYTES:,} bytes")


def _header(path: Path, line: bytes) -> dict[str, Any]:
    try:
        header = _parse(line)
    except ValueError:
        header = {}
    if header.get("type") != "header" or header.get("format") != FORMAT:
        raise ReplayError(f"{path}:1: not an ensemble log (expected a '{FORMAT}' header)")
    return header


def _dates(header: dict[str, Any]) -> frozenset[str]:
    import datetime as dt

    try:
        start = dt.date.fromisoformat(str(header["start"]))
        end = dt.date.fromisoformat(str(header["end"]))
        return frozenset(
            (start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"header start/end: {exc}") from None


def index_runs_log(path: Path) -> RunsIndex:
    """Check every line of ``path`` and index the winning line of each seed.

    Raises :class:`ReplayError` naming the file and line for anything unreadable, and
    when the file differs from what the folder's ``manifest.json`` lists.
    """
    digest, seeds, offsets, kinds = hashlib.sha256(), array.array("q"), array.array("q"), []
    header: dict[str, Any] = {}
    complete, partial, dates = 0, False, frozenset()
    with open_regular(path, MAX_RUNS_LOG_BYTES, ReplayError) as handle:
        for number, (offset, line) in enumerate(_lines(handle, path), 1):
            digest.update(line)
            if not line.endswith(b"\n"):  # a run cut short while being written
                partial = True
                break
            complete = offset + len(line)
            if number == 1:
                header = _header(path, line)
                try:
                    dates = _dates(header)
                except ValueError as exc:
                    raise ReplayError(f"{path}:1: {exc}") from None
                continue
            try:
                data = _parse(line)
                kind = data.get("type")
                if kind == "run":
                    check_record(RunRecord.from_json(data), header, dates)
                elif kind == "failure":
                    RunFailure.from_json(data)
                else:
                    raise ReplayError(f"{path}:{number}: unknown line type {str(kind)[:40]!r}")
                seeds.append(int(data["seed"]))
            except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
                raise ReplayError(f"{path}:{number}: unreadable line ({describe(exc)})") from None
            offsets.append(offset)
            kinds.append(kind == "run")
        if partial:  # hash the rest too: the manifest covers the whole file
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        size = handle.tell()
    if not header:
        raise ReplayError(f"{path}: empty; expected a header line")
    entry = {"bytes": size, "sha256": digest.hexdigest()}
    check_entry(path.parent, path.name, entry)  # an edited runs.jsonl would flip the results
    seed_array = np.frombuffer(seeds, dtype=np.int64) if seeds else np.zeros(0, np.int64)
    offset_array = np.frombuffer(offsets, dtype=np.int64) if offsets else np.zeros(0, np.int64)
    is_record = np.array(kinds, dtype=bool)
    # Per seed, the last line wins, and a run line wins over failure lines.
    order = np.lexsort((offset_array, is_record, seed_array))
    last = np.ones(len(order), dtype=bool)
    if len(order):
        last[:-1] = seed_array[order][1:] != seed_array[order][:-1]
    chosen = order[last]
    return RunsIndex(
        header,
        seed_array[chosen].copy(),
        offset_array[chosen].copy(),
        is_record[chosen].copy(),
        complete,
        partial,
        entry,
    )


def iter_entries(
    path: Path, index: RunsIndex, keep: np.ndarray | None = None
) -> Iterator[RunRecord | RunFailure]:
    """The winning line of each indexed seed as a record or failure, in seed order.

    ``keep``: a boolean mask over ``index.seeds``; the others are skipped.
    """
    with open_regular(path, MAX_RUNS_LOG_BYTES, ReplayError) as handle:
        for i in range(len(index.seeds)):
            if keep is not None and not keep[i]:
                continue
            handle.seek(int(index.offsets[i]))
            data = _parse(handle.readline(MAX_LINE_BYTES + 1))
            yield RunRecord.from_json(data) if index.is_record[i] else RunFailure.from_json(data)


def read_runs_header(path: Path) -> dict[str, Any]:
    """The header of ``path``, after every line has been checked (see :func:`index_runs_log`)."""
    return index_runs_log(path).header


def describe(exc: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip()


# ----------------------------------------------------------------------------- writing
class Appender:
    """Appends one JSON line per finished run; each line is written and flushed at once."""

    def __init__(self, path: Path | None, before_first: Callable[[], None] | None = None):
        self.handle = path.open("a", encoding="utf-8") if path is not None else None
        #: Called once, before the first line is written (a resumed ensemble drops its
        #: manifest only then: a resume that fails before any run leaves it as it was).
        self.before_first = before_first

    def write(self, obj: dict[str, Any]) -> None:
        if self.handle is not None:
            if self.before_first is not None:
                self.before_first()
                self.before_first = None
            self.handle.write(dumps(obj) + "\n")
            self.handle.flush()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
