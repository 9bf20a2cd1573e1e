"""Write a run to a replay folder: events.jsonl, control.csv, strength.csv, summary.json
and manifest.json (their sizes and checksums).

The folder is written whole and atomically (a sibling folder that then replaces it);
a folder holding another run is not replaced unless ``force`` is given.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from json.encoder import c_make_encoder, encode_basestring
from pathlib import Path
from typing import Any

from campaign import __version__
from campaign.errors import OutputError
from campaign.replay.atomic import atomic_folder, atomic_write_text, staging_folder
from campaign.replay.header import PlaceInfo, ReplayHeader, SideInfo
from campaign.replay.manifest import MANIFEST, write_manifest
from campaign.replay.summary import build_summary
from campaign.replay.tables import control_by_day, control_rows, strength_rows
from campaign.scenario.loader import scenario_hash
from campaign.simulate import RunResult, collector_paused

RUN_FILES = ("events.jsonl", "control.csv", "strength.csv", "summary.json")


#: The encoder of every log line, made once (``json.dumps`` with these options makes a
#: new one per call, a fifth of the time of writing a large log).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
#: The same encoder's C core, called directly for the event lines: ``encode`` builds it
#: anew for every call, with a table of the containers seen (log records hold no
#: cycles). The same bytes as ``_ENCODER.encode``, a third faster on a large log.
_LINE_ENCODER = (
    c_make_encoder(None, _ENCODER.default, encode_basestring, None, ":", ",", False, False, False)
    if c_make_encoder is not None
    else None
)


def dumps(obj: Any) -> str:
    """Canonical compact JSON used for every log line (same data, same bytes)."""
    return _ENCODER.encode(obj)


def _event_lines(events: list[dict[str, Any]]) -> list[str]:
    """Each event as :func:`dumps` writes it."""
    if _LINE_ENCODER is None:
        return list(map(_ENCODER.encode, events))
    encode, join = _LINE_ENCODER, "".join
    return [join(encode(event, 0)) for event in events]


def make_header(
    result: RunResult, scenario_path: str = "", overrides: list[str] | None = None
) -> ReplayHeader:
    s = result.scenario
    places = result.world.places
    used = sorted(places)
    return ReplayHeader(
        engine_version=__version__,
        scenario_id=s.id,
        scenario_title=s.title,
        scenario_hash=scenario_hash(s),
        scenario_path=scenario_path,
        seed=result.seed,
        overrides=list(overrides or []),
        start=s.start.isoformat(),
        end=s.end.isoformat(),
        combat_model=s.combat.model.value,
        sides=[
            SideInfo(
                id=x.id, name=x.name, colour=x.colour, allies=x.allies, controls_for=x.controls_for
            )
            for x in s.sides
        ],
        places=[
            PlaceInfo(id=p, name=places[p]["name"], lat=places[p]["lat"], lon=places[p]["lon"])
            for p in used
        ],
    )


def events_jsonl(header: ReplayHeader, events: list[dict[str, Any]]) -> str:
    """The log text: header, one event per line, then a trailer with a SHA-256 checksum."""
    lines = [dumps(header.model_dump(mode="json")), *_event_lines(events)]
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    lines.append(dumps({"type": "end", "events": len(events), "sha256": digest}))
    return "\n".join(lines) + "\n"


def check_out_dir(out: Path, force: bool) -> Path:
    """Check, before any simulation, that a run can be written to ``out``.

    Returns the folder to write (a symbolic link to a folder is followed). Refuses a
    dangling link, a file, a folder holding another complete run (unless ``force``)
    and a non-empty folder that holds no run at all (even with ``force``: replacing it
    would delete files that are not ours). A half-written run (killed or out of disk
    space while writing) is replaced without ``force``. Raises :class:`OutputError`
    when the parent folder cannot be written (read-only, permission denied, /proc).
    """
    if out.is_symlink() and not out.exists():
        raise OutputError(f"{out}: is a symbolic link to a missing target ({os.readlink(out)})")
    out = out.resolve() if out.is_symlink() else out
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    state = run_folder_state(out)
    if state == "run" and not force:
        raise OutputError(f"{out}: already holds a run; use --force to replace it")
    if state == "other":
        raise OutputError(
            f"{out}: folder is not empty and holds no run; choose another --out "
            "(--force replaces only a run folder)"
        )
    try:
        probe = staging_folder(out)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write here ({exc.strerror or exc})") from None
    probe.rmdir()
    return out


#: Kinds of file the commands write into a run or ensemble folder (pictures, pages,
#: reports, tables, exports): any other file in it is the user's, and the folder is then
#: not replaced, even with --force.
OUTPUT_SUFFIXES = frozenset(
    {".png", ".svg", ".pdf", ".gif", ".mp4", ".html", ".md", ".csv", ".json", ".jsonl", ".geojson"}
)


def foreign_files(names: set[str] | list[str]) -> list[str]:
    """The names in a folder campaign would not have written there (by kind of file;
    hidden ``.tmp`` leftovers of an interrupted write are ours)."""
    return sorted(
        n
        for n in names
        if not (n.startswith(".") and n.endswith(".tmp"))
        and Path(n).suffix.lower() not in OUTPUT_SUFFIXES
    )


def run_folder_state(out: Path) -> str:
    """'empty' (or missing), 'run' (a complete run), 'partial' (a run cut short while
    being written) or 'other' (files that are not a run)."""
    try:
        names = {p.name for p in out.iterdir()} if out.is_dir() else set()
    except OSError as exc:
        raise OutputError(f"{out}: cannot list ({exc.strerror or exc})") from None
    if not names:
        return "empty"
    leftovers = [n for n in names if n.startswith(".") and n.endswith(".tmp")]
    if "runs.jsonl" in names or foreign_files(names):
        # An ensemble's folder, or a file campaign does not write (a user's): the
        # folder is not ours to replace.
        return "other"
    if "events.jsonl" not in names and not names & {*RUN_FILES, MANIFEST}:
        return "other"
    complete = MANIFEST in names or set(RUN_FILES) <= names
    if complete and not leftovers:
        return "run"
    ours = set(RUN_FILES) | {MANIFEST, *leftovers}
    return "partial" if names <= ours else "run"


def write_run(
    result: RunResult,
    out: Path,
    scenario_path: str = "",
    overrides: list[str] | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Write all run files to ``out``, replacing the whole folder at once; returns the summary.

    The files and their manifest are written to a sibling folder which then takes the
    place of ``out``: a reader sees the previous run or this one, never a mixture, and
    nothing of a previous run (maps, pages) is left behind.
    """
    out = check_out_dir(Path(out), force)
    with collector_paused():  # see collector_paused: a large run leaves no cycles to find
        texts, summary = _run_texts(result, scenario_path, overrides)
    try:
        with atomic_folder(out) as staging:
            for name, text in texts.items():
                atomic_write_text(staging / name, text)
            write_manifest(staging, list(texts))
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the run ({exc.strerror or exc})") from None
    return summary


def _run_texts(
    result: RunResult, scenario_path: str, overrides: list[str] | None
) -> tuple[dict[str, str], dict[str, Any]]:
    """The text of each run file, and the summary."""
    header = make_header(result, scenario_path, overrides)
    events = [e.to_dict() for e in result.events]
    table = control_by_day(header, events)
    summary = build_summary(result, table)
    sides = {u.id: u.side for u in result.units.values()}
    texts = {
        "events.jsonl": events_jsonl(header, events),
        "control.csv": _csv(("date", "town", "side"), control_rows(header, events)),
        "strength.csv": _csv(
            ("date", "unit", "side", "strength_men", "location"), strength_rows(events, sides)
        ),
        "summary.json": json.dumps(summary, ensure_ascii=False, indent=2) + "\n",
    }
    return texts, summary


def _csv(header: tuple[str, ...], rows: list[tuple]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
