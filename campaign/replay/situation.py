"""Rebuild the situation on a date from a replay log alone, and verify a log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campaign.bounded_read import read_bounded
from campaign.errors import ReplayError
from campaign.replay.manifest import check_folder
from campaign.replay.reader import MAX_LOG_BYTES, read_replay
from campaign.replay.sources import recorded_scenario
from campaign.replay.tables import control_by_day


def situation(folder: Path, date: str) -> dict[str, Any]:
    """The situation at the end of ``date``: control by side, units by side (name, men,
    where; a marching unit's place is "from → to") and the day's events in words."""
    from campaign.analysis.narrative import build_account

    replay = read_replay(folder)
    header = replay.header
    table = control_by_day(header, replay.events)
    if date not in table:
        raise ReplayError(f"--at {date}: not a date of this run ({header.start} to {header.end})")
    account = build_account(folder, with_record=False)
    names = account.place_names
    side_of = {f.unit: f.side for f in account.fates}
    unit_names = {f.unit: f.name for f in account.fates}
    day = next((e for e in replay.events if e["type"] == "day" and e["date"] == date), None)
    control: dict[str, list[str]] = {}
    for place, side in table[date].items():
        if side != "none":
            control.setdefault(side, []).append(names.get(place, place))
    units: dict[str, list[dict[str, Any]]] = {}
    for unit, (men, where) in (day["units"] if day else {}).items():
        place = " → ".join(names.get(p, p) for p in str(where).split(">"))
        units.setdefault(side_of.get(unit, "?"), []).append(
            {
                "id": unit,
                "name": unit_names.get(unit, unit),
                "men": round(men),
                "where": place,
                "marching": ">" in str(where),
            }
        )
    return {
        "scenario": header.scenario_id,
        "title": header.scenario_title,
        "date": date,
        "overrides": list(header.overrides),
        "sides": {s.id: s.name for s in header.sides},
        "control": {side: sorted(places) for side, places in sorted(control.items())},
        "units": units,
        "events": [line.text for line in account.days().get(date, [])],
    }


def situation_text(folder: Path, date: str) -> str:
    """:func:`situation` as text: control and a table of units for each side, then events."""
    s = situation(folder, date)
    what_if = f" (what-if: {' '.join(s['overrides'])})" if s["overrides"] else ""
    lines = [f"{s['title']}: situation at the end of {date}{what_if}", "", "Control:"]
    for side, places in s["control"].items():
        lines.append(f"  {s['sides'].get(side, side)}: {', '.join(places)}")
    for side, rows in s["units"].items():
        total = sum(r["men"] for r in rows)
        lines += [
            "",
            f"{s['sides'].get(side, side)}: {len(rows)} unit{'' if len(rows) == 1 else 's'}, "
            f"{total:,} men",
        ]
        width = max(len(r["name"]) for r in rows)
        ids = max(len(r["id"]) for r in rows)
        lines.append(f"  {'unit':<{width}}  {'id':<{ids}}  {'men':>7}  where")
        for r in rows:
            lines.append(f"  {r['name']:<{width}}  {r['id']:<{ids}}  {r['men']:>7,}  {r['where']}")
    lines += ["", "Events:"]
    lines += [f"  - {text}" for text in s["events"]] or ["  (none)"]
    return "\n".join(lines)


def verify_replay(folder: Path, scenario_file: str | Path | None = None) -> tuple[bool, str]:
    """Check the folder against its manifest, then re-run the scenario named in the header
    (or ``scenario_file``) and compare the log byte for byte."""
    from campaign.replay.writer import events_jsonl, make_header
    from campaign.scenario.loader import load_scenario, scenario_hash
    from campaign.scenario.overrides import Overrides
    from campaign.simulate import simulate

    replay = read_replay(folder)
    checked = check_folder(folder)
    header = replay.header
    if scenario_file is None and not header.scenario_path:
        raise ReplayError(
            f"{folder}/events.jsonl:1: header names no scenario file to re-run; "
            "give it with --scenario FILE"
        )
    path = Path(scenario_file) if scenario_file else recorded_scenario(folder, header.scenario_path)
    overrides = Overrides.from_flags(header.overrides)
    scenario = load_scenario(path, overrides)
    if scenario.id != header.scenario_id:
        return False, (
            f"{path} is scenario '{scenario.id}'; the log is a run of '{header.scenario_id}'"
        )
    if scenario_hash(scenario) != header.scenario_hash:
        return False, (
            f"scenario {path} has changed since the run "
            f"(hash {scenario_hash(scenario)[:12]} != {header.scenario_hash[:12]})"
        )
    result = simulate(scenario, seed=header.seed)
    fresh = events_jsonl(
        make_header(result, header.scenario_path, header.overrides),
        [e.to_dict() for e in result.events],
    )
    recorded = read_bounded(folder / "events.jsonl", MAX_LOG_BYTES, ReplayError).decode("utf-8")
    if fresh == recorded:
        listed = f" and {len(checked)} files match manifest.json" if checked else ""
        return True, f"verified: {folder}/events.jsonl is identical to a fresh run{listed}"
    for number, (a, b) in enumerate(
        zip(fresh.splitlines(), recorded.splitlines(), strict=False), 1
    ):
        if a != b:
            return False, f"differs from a fresh run at line {number}"
    return False, "differs from a fresh run in length"
