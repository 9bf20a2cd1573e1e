"""A scenario's demarcation line can follow one of the packaged reference lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from campaign.command.relations import crossing_links
from campaign.scenario import load_scenario
from campaign.scenario.checks import check_references
from campaign.scenario.schema import DemarcationLine
from campaign.simulate import build_world

ROOT = Path(__file__).resolve().parents[2]
CITE = {"ref": "lsw"}


def test_the_june_1919_line_keeps_the_railway_through_turmantas_polish():
    scenario = load_scenario(ROOT / "scenarios" / "northeast_1919.yaml")
    world = build_world(scenario, seed=1, daily_log=False)
    line = next(x for x in scenario.lines if x.reference == "polish_lithuanian_1919_06")
    closed = crossing_links(world, line)
    assert ("zarasai", "turmantas") in closed and ("turmantas", "zarasai") in closed
    assert ("dukstas", "turmantas") not in closed  # the railway itself stays open


def test_a_line_needs_places_or_a_reference_but_not_both():
    with pytest.raises(ValidationError):
        DemarcationLine(id="x", name="X", closed_to=["poland"], source=CITE)
    with pytest.raises(ValidationError):
        DemarcationLine(
            id="x",
            name="X",
            places=["a", "b"],
            reference="foch_line_1919",
            closed_to=["poland"],
            source=CITE,
        )


def test_an_unknown_reference_line_is_a_located_error():
    scenario = load_scenario(ROOT / "scenarios" / "northeast_1919.yaml")
    bad = scenario.model_copy(
        update={"lines": [scenario.lines[0].model_copy(update={"reference": "foch_lien_1919"})]}
    )
    problems = check_references(bad, {p for p in scenario.control})
    located = [msg for loc, msg in problems if loc[:3] == ("lines", 0, "reference")]
    assert located and "foch_line_1919" in located[0]
