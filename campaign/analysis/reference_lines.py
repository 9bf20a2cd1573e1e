"""The reference lines of a run: the packaged ones and the scenario's own ``lines:``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from campaign.errors import CampaignError
from campaign.geo.reference_lines import ReferenceLine, from_scenario_line, load_reference_lines
from campaign.replay.reader import Replay

__all__ = ["run_lines", "scenario_lines"]


def scenario_lines(replay: Replay) -> list[Any]:
    """The scenario's ``lines:`` (demarcation lines), or [] when its file is not found.

    Looked for at the header's ``scenario_path`` from the working folder, the replay
    folder and its parents; a replay made with overrides gets the lines of the file.
    """
    path = replay.header.scenario_path
    if not path:
        return []
    for base in (Path("."), replay.folder, *replay.folder.resolve().parents):
        candidate = base / path
        if candidate.is_file():
            from campaign.scenario.loader import load_scenario

            try:
                return list(load_scenario(candidate).lines)
            except CampaignError:
                return []
    return []


def run_lines(replay: Replay, places: Mapping[str, tuple[float, float]]) -> dict[str, ReferenceLine]:
    """Packaged reference lines and the scenario's own lines (same id: the scenario's)."""
    lines = load_reference_lines()
    for line in scenario_lines(replay):
        converted = from_scenario_line(line, places, replay.header.start)
        if converted is not None:
            lines[converted.id] = converted
    return lines
