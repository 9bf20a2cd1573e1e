"""The reference lines of a run: the packaged ones and the scenario's own ``lines:``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from campaign.errors import CampaignError
from campaign.geo.reference_lines import ReferenceLine, from_scenario_line, load_reference_lines
from campaign.replay.reader import Replay

__all__ = ["run_lines", "scenario_lines"]


def scenario_lines(replay: Replay) -> list[Any]:
    """The scenario's ``lines:`` (demarcation lines), or [] when its file is not found.

    Found as :mod:`campaign.replay.sources` finds it (inside the replay's lookup area);
    a replay made with overrides gets the lines of the file.
    """
    from campaign.replay.sources import scenario_file_for

    path = scenario_file_for(replay)
    if path is None:
        return []
    from campaign.scenario.loader import load_scenario

    try:
        return list(load_scenario(path).lines)
    except CampaignError:
        return []


def run_lines(
    replay: Replay, places: Mapping[str, tuple[float, float]]
) -> dict[str, ReferenceLine]:
    """Packaged reference lines and the scenario's own lines (same id, or a scenario
    line that follows a packaged one (``reference``): the scenario's, drawn once)."""
    lines = load_reference_lines()
    for line in scenario_lines(replay):
        converted = from_scenario_line(line, places, replay.header.start)
        if converted is not None:
            if line.reference:
                lines.pop(line.reference, None)
            lines[converted.id] = converted
    return lines
