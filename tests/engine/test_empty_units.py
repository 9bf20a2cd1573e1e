"""A unit with no men left (or none to begin with) is an empty shell."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from toy import toy  # noqa: E402

from campaign.simulate import simulate  # noqa: E402


def test_a_unit_without_men_does_not_attack_or_take_a_town():
    # The toy's blue regiment, ordered to attack C, has no men: it walks in, but starts
    # no fight with the red regiment there and takes nothing.
    scenario = toy()
    scenario.units[0].strength_men = 0
    result = simulate(scenario, seed=1)
    assert [e for e in result.events if e.type == "move_end" and e.unit == "blue_1"]
    assert not [e for e in result.events if e.type == "engagement_start"]
    assert result.world.control["c"] == "red"
