"""Rebuild the situation on a date from a replay log alone, and verify a log."""

from __future__ import annotations

from pathlib import Path

from campaign.bounded_read import read_bounded
from campaign.errors import ReplayError
from campaign.replay.manifest import check_folder
from campaign.replay.reader import MAX_LOG_BYTES, read_replay
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


#: How far above a replay folder its recorded scenario may lie: the folder's parent's
#: parent (``replays/kaunas_1919`` -> the repository holding ``scenarios/``).
SCENARIO_ROOT_LEVELS = 2


def recorded_scenario(folder: Path, recorded: str) -> Path:
    """The scenario file a header names, found from the replay folder, not the working one.

    A relative path is looked up in the folder and in each folder above it, up to
    :data:`SCENARIO_ROOT_LEVELS` levels; an absolute one is accepted only inside that
    area. Either way it must be a ``.yaml``/``.yml`` file, so a crafted header cannot
    make ``replay --verify`` read an arbitrary file (``--scenario FILE`` overrides).
    """
    base = folder.resolve()
    roots = [base, *base.parents][: SCENARIO_ROOT_LEVELS + 1]
    area = roots[-1]
    given = Path(recorded)
    hint = "; give the scenario with --scenario FILE"
    if given.suffix not in (".yaml", ".yml") or ".." in given.parts:
        raise ReplayError(f"{folder}/events.jsonl:1: header scenario path {recorded[:80]!r} "
                          f"is not a .yaml file inside the replay's folders{hint}")
    candidates = [given] if given.is_absolute() else [root / given for root in roots]
    for candidate in candidates:
        if candidate.is_file() and candidate.resolve().is_relative_to(area):
            return candidate
    if given.is_absolute() and given.is_file():
        raise ReplayError(f"{recorded[:80]}: lies outside {area}, the area a replay's header "
                          f"may name a scenario in{hint}")
    raise ReplayError(f"{recorded[:80]}: not found in {folder} or the folders above it up to "
                      f"{area}{hint}")


def verify_replay(folder: Path, scenario_file: str | Path | None = None) -> tuple[bool, str]:
    """Check the folder against its manifest, then re-run the scenario named in the header
    (or ``scenario_file``) and compare the log byte for byte."""
    from campaign.engine.simulate import simulate
    from campaign.replay.writer import events_jsonl, make_header
    from campaign.scenario.loader import load_scenario, scenario_hash
    from campaign.scenario.overrides import Overrides

    replay = read_replay(folder)
    checked = check_folder(folder)
    header = replay.header
    if scenario_file is None and not header.scenario_path:
        raise ReplayError(f"{folder}/events.jsonl:1: header names no scenario file to re-run; "
                          "give it with --scenario FILE")
    path = Path(scenario_file) if scenario_file else recorded_scenario(folder, header.scenario_path)
    overrides = Overrides.from_flags(header.overrides)
    scenario = load_scenario(path, overrides)
    if scenario_hash(scenario) != header.scenario_hash:
        return False, (f"scenario {path} has changed since the run "
                       f"(hash {scenario_hash(scenario)[:12]} != {header.scenario_hash[:12]})")
    result = simulate(scenario, seed=header.seed)
    fresh = events_jsonl(make_header(result, header.scenario_path, header.overrides),
                         [e.to_dict() for e in result.events])
    recorded = read_bounded(folder / "events.jsonl", MAX_LOG_BYTES, ReplayError).decode("utf-8")
    if fresh == recorded:
        listed = f" and {len(checked)} files match manifest.json" if checked else ""
        return True, f"verified: {folder}/events.jsonl is identical to a fresh run{listed}"
    for number, (a, b) in enumerate(zip(fresh.splitlines(), recorded.splitlines(), strict=False), 1):
        if a != b:
            return False, f"differs from a fresh run at line {number}"
    return False, "differs from a fresh run in length"
