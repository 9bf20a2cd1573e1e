"""Write a run to a replay folder: events.jsonl, control.csv, strength.csv, summary.json.

Every file is written atomically; a folder holding another run is not overwritten
unless ``force`` is given.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from campaign import __version__
from campaign.errors import OutputError
from campaign.replay.atomic import atomic_write_text
from campaign.replay.header import PlaceInfo, ReplayHeader, SideInfo
from campaign.replay.summary import build_summary
from campaign.replay.tables import control_by_day, control_rows, strength_rows
from campaign.scenario.loader import scenario_hash
from campaign.simulate import RunResult

RUN_FILES = ("events.jsonl", "control.csv", "strength.csv", "summary.json")


def dumps(obj: Any) -> str:
    """Canonical compact JSON used for every log line (same data, same bytes)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def make_header(result: RunResult, scenario_path: str = "", overrides: list[str] | None = None
                ) -> ReplayHeader:
    s = result.scenario
    places = result.world.places
    used = sorted(places)
    return ReplayHeader(
        engine_version=__version__, scenario_id=s.id, scenario_title=s.title,
        scenario_hash=scenario_hash(s), scenario_path=scenario_path, seed=result.seed,
        overrides=list(overrides or []), start=s.start.isoformat(), end=s.end.isoformat(),
        combat_model=s.combat.model.value,
        sides=[SideInfo(id=x.id, name=x.name, colour=x.colour, allies=x.allies,
                        controls_for=x.controls_for) for x in s.sides],
        places=[PlaceInfo(id=p, name=places[p]["name"], lat=places[p]["lat"],
                          lon=places[p]["lon"]) for p in used],
    )


def events_jsonl(header: ReplayHeader, events: list[dict[str, Any]]) -> str:
    """The log text: header, one event per line, then a trailer with a SHA-256 checksum."""
    lines = [dumps(header.model_dump(mode="json"))]
    lines += [dumps(e) for e in events]
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    lines.append(dumps({"type": "end", "events": len(events), "sha256": digest}))
    return "\n".join(lines) + "\n"


def check_out_dir(out: Path, force: bool) -> None:
    """Refuse to write into a folder that holds something other than our own run."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        if (out / "events.jsonl").exists():
            raise OutputError(f"{out}: already holds a run; use --force to overwrite it")
        raise OutputError(f"{out}: folder is not empty; choose another --out or use --force")


def write_run(result: RunResult, out: Path, scenario_path: str = "",
              overrides: list[str] | None = None, force: bool = False) -> dict[str, Any]:
    """Write all run files to ``out``; returns the summary."""
    out = Path(out)
    check_out_dir(out, force)
    header = make_header(result, scenario_path, overrides)
    events = [e.to_dict() for e in result.events]
    table = control_by_day(header, events)
    summary = build_summary(result, table)
    sides = {u.id: u.side for u in result.units.values()}
    texts = {
        "events.jsonl": events_jsonl(header, events),
        "control.csv": _csv(("date", "town", "side"), control_rows(header, events)),
        "strength.csv": _csv(("date", "unit", "side", "strength_men", "location"),
                             strength_rows(events, sides)),
        "summary.json": json.dumps(summary, ensure_ascii=False, indent=2) + "\n",
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        atomic_write_text(out / name, text)
    return summary


def _csv(header: tuple[str, ...], rows: list[tuple]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
