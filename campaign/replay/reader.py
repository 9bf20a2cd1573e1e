"""Read a replay folder back, checking that the log is whole and ours."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from campaign.bounded_read import read_bounded
from campaign.engine.log import EVENT_TYPES, LOG_FORMAT_VERSION
from campaign.errors import ReplayError
from campaign.replay.header import ReplayHeader
from campaign.replay.manifest import check_file
from campaign.scenario.yamlfile import shorten

#: Largest events.jsonl read, bytes.
MAX_LOG_BYTES = 500_000_000


@dataclass
class Replay:
    folder: Path
    header: ReplayHeader
    events: list[dict[str, Any]]


_MISSING = object()
#: JSON types for the annotations used by the event records (campaign.engine.log).
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "float": (float, int),
    "int": (int,),
    "bool": (bool,),
    "dict": (dict,),
    "list": (list,),
    "tuple": (list,),
}


@cache
def _fields_of(kind: str) -> tuple[tuple[str, tuple[type, ...], bool], ...]:
    """(name, JSON types, may be null) of each field of an event type but ``type``;
    fields of any type are not checked."""
    out = []
    for f in fields(EVENT_TYPES[kind]):
        if f.name == "type":
            continue
        annotation = str(f.type).replace(" ", "")
        nullable = "|None" in annotation
        base = annotation.replace("|None", "").split("[")[0]
        if base in _JSON_TYPES:
            out.append((f.name, _JSON_TYPES[base], nullable))
    return tuple(out)


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def order_of_battle(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every unit of a run: the order of battle of the ``initial`` event (units that
    arrive later included), then each detachment split off during the run (``detach``
    events: id, name, side, kind, men, place and parent)."""
    initial = next((e for e in events if e["type"] == "initial"), None)
    units = list(initial.get("units", [])) if initial is not None else []
    for e in events:
        if e["type"] == "detach":
            units.append(
                {
                    "id": e["unit"],
                    "name": e["name"],
                    "side": e["side"],
                    "kind": e["kind"],
                    "men": e["men"],
                    "place": e["place"],
                    "parent": e["parent"],
                }
            )
    return units


def read_replay(folder: str | Path) -> Replay:
    """Read ``folder/events.jsonl``; raises :class:`ReplayError` naming the bad line."""
    folder = Path(folder)
    path = folder / "events.jsonl"
    if not folder.is_dir():
        raise ReplayError(f"{folder}: not a replay folder (no such directory)")
    if not path.exists():
        raise ReplayError(f"{path}: missing; expected the folder written by 'campaign run'")
    raw = read_bounded(path, MAX_LOG_BYTES, ReplayError)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ReplayError(f"{path}: not UTF-8 text") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise ReplayError(f"{path}:1: empty log")
    records = []
    for number, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ReplayError(f"{path}:{number}: not a JSON line ({exc.msg})") from None
        if not isinstance(record, dict) or "type" not in record:
            raise ReplayError(f"{path}:{number}: expected a JSON object with a 'type'")
        records.append(record)
    first = records[0]
    if first.get("type") != "header" or first.get("format") != "campaign-replay":
        raise ReplayError(f"{path}:1: not a campaign replay log (no campaign-replay header)")
    version = first.get("format_version")
    if version != LOG_FORMAT_VERSION:
        raise ReplayError(
            f"{path}:1: log format version {version} is not supported "
            f"(this campaign reads version {LOG_FORMAT_VERSION}); re-run the scenario"
        )
    try:
        header = ReplayHeader.model_validate(first)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        raise ReplayError(
            f"{path}:1: invalid header: {where + ': ' if where else ''}{message}"
        ) from None
    trailer = records[-1]
    if trailer.get("type") != "end":
        raise ReplayError(f"{path}:{len(lines)}: log is truncated (no end-of-log record)")
    digest = hashlib.sha256("\n".join(lines[:-1]).encode("utf-8")).hexdigest()
    if trailer.get("sha256") != digest or trailer.get("events") != len(records) - 2:
        raise ReplayError(f"{path}:{len(lines)}: checksum mismatch; the log was edited or damaged")
    events = records[1:-1]
    if not events or events[0]["type"] != "initial":
        raise ReplayError(
            f"{path}:2: expected the initial situation (an 'initial' event) after the header"
        )
    last_t = 0.0
    span = (dt.date.fromisoformat(header.end) - dt.date.fromisoformat(header.start)).days + 1
    for number, record in enumerate(events, start=2):
        kind = record["type"]
        if kind not in EVENT_TYPES:
            raise ReplayError(f"{path}:{number}: unknown event type '{kind}'")
        for name, types, nullable in _fields_of(kind):
            value = record.get(name, _MISSING)
            if value is _MISSING:
                raise ReplayError(f"{path}:{number}: {kind} event without its '{name}'")
            if (value is None and nullable) or type(value) in types:
                continue
            raise ReplayError(
                f"{path}:{number}: {kind} event: '{name}' is {shorten(repr(value))}, expected "
                f"{' or '.join(t.__name__ for t in types)}{' or null' if nullable else ''}"
            )
        date = record["date"]
        if not header.start <= date <= header.end or not _is_date(date):
            raise ReplayError(
                f"{path}:{number}: date {shorten(repr(date))} is not a date of the run "
                f"({header.start} to {header.end})"
            )
        t = record["t"]
        if not (math.isfinite(t) and last_t - 1e-9 <= t <= span + 1e-9):
            raise ReplayError(
                f"{path}:{number}: time {t} is out of order or outside the run (0 to {span} days)"
            )
        last_t = t
    # Last, so that damage is reported at its line first; this catches a log whose
    # trailer checksum was recomputed after an edit.
    check_file(folder, "events.jsonl", raw)
    return Replay(folder=folder, header=header, events=events)
