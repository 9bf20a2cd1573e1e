"""Rebuild the situation on a date from a replay log alone, and verify a log."""

from __future__ import annotations

from pathlib import Path

from campaign.errors import ReplayError
from campaign.replay.reader import read_replay
from campaign.replay.tables import control_by_day


def situation_text(folder: Path, date: str) -> str:
    """Control of places, units with strength and place, and the day's events on ``date``."""
    replay = read_replay(folder)
    header = replay.header
    table = control_by_day(header, replay.events)
    if date not in table:
        raise ReplayError(f"--at {date}: not a date of this run ({header.start} to {header.end})")
    names = {p.id: p.name for p in header.places}
    day = next((e for e in replay.events if e["type"] == "day" and e["date"] == date), None)
    lines = [f"{header.scenario_title}: situation at the end of {date}", "", "Control:"]
    by_side: dict[str, list[str]] = {}
    for place, side in table[date].items():
        if side != "none":
            by_side.setdefault(side, []).append(names.get(place, place))
    for side, places in sorted(by_side.items()):
        lines.append(f"  {side}: {', '.join(sorted(places))}")
    lines += ["", "Units:"]
    if day is not None:
        for unit, (men, place) in day["units"].items():
            lines.append(f"  {unit:<28} {men:>8,.0f} men  {names.get(place, place)}")
    lines += ["", "Events:"]
    for e in replay.events:
        if e["date"] != date or e["type"] in ("day", "engagement_step", "move_start", "move_end"):
            continue
        detail = {k: v for k, v in e.items() if k not in ("t", "date", "type")}
        lines.append(f"  {e['type']}: {detail}")
    return "\n".join(lines)


def verify_replay(folder: Path) -> tuple[bool, str]:
    """Re-run the scenario named in the header and compare the log byte for byte."""
    from campaign.replay.writer import events_jsonl, make_header
    from campaign.scenario.loader import load_scenario, scenario_hash
    from campaign.scenario.overrides import Overrides
    from campaign.simulate import simulate

    replay = read_replay(folder)
    header = replay.header
    if not header.scenario_path:
        raise ReplayError(f"{folder}/events.jsonl:1: header names no scenario file to re-run")
    overrides = Overrides.from_flags(header.overrides)
    scenario = load_scenario(header.scenario_path, overrides)
    if scenario_hash(scenario) != header.scenario_hash:
        return False, (f"scenario {header.scenario_path} has changed since the run "
                       f"(hash {scenario_hash(scenario)[:12]} != {header.scenario_hash[:12]})")
    result = simulate(scenario, seed=header.seed)
    fresh = events_jsonl(make_header(result, header.scenario_path, header.overrides),
                         [e.to_dict() for e in result.events])
    recorded = (folder / "events.jsonl").read_text(encoding="utf-8")
    if fresh == recorded:
        return True, f"verified: {folder}/events.jsonl is identical to a fresh run"
    for number, (a, b) in enumerate(zip(fresh.splitlines(), recorded.splitlines(), strict=False), 1):
        if a != b:
            return False, f"differs from a fresh run at line {number}"
    return False, "differs from a fresh run in length"
