"""Opposed rates of advance (campaign.engine.advance) and their use in engagements."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from toy import toy_dict  # noqa: E402

from campaign.engine.advance import BASE_KM_PER_DAY, RATIO_CAP, opposed_rate  # noqa: E402
from campaign.scenario.schema import Scenario  # noqa: E402
from campaign.simulate import simulate  # noqa: E402


def test_no_advance_at_parity_and_faster_with_superiority():
    assert opposed_rate(1.0, "hasty") == 0.0
    assert opposed_rate(0.5, "hasty") == 0.0
    assert opposed_rate(2.0, "hasty") == BASE_KM_PER_DAY["hasty"]
    assert opposed_rate(3.0, "hasty") > opposed_rate(2.0, "hasty")
    assert opposed_rate(RATIO_CAP + 5, "hasty") == opposed_rate(RATIO_CAP, "hasty")


def test_stronger_postures_ground_and_going_slow_the_advance():
    rates = [opposed_rate(2.0, p) for p in ("withdrawing", "hasty", "prepared", "fortified")]
    assert rates == sorted(rates, reverse=True)
    assert opposed_rate(2.0, "hasty", ground_factor=1.4) < opposed_rate(2.0, "hasty")
    assert opposed_rate(2.0, "hasty", going=0.5) < opposed_rate(2.0, "hasty")


def _fight(depth: float | None) -> list:
    """3,000 against 1,000 at C with break points off: only the advance ends it."""
    data = toy_dict()
    data["units"][0]["strength_men"] = 3000
    data["units"][1]["strength_men"] = 1000
    data["combat"] = {"model": "dupuy", "break_points": False}
    if depth is not None:
        data["combat"]["position_depth_km"] = depth
    return simulate(Scenario.model_validate(data), seed=1).events


def test_attackers_through_the_position_drive_the_defenders_out():
    events = _fight(None)
    driven = [e for e in events if e.type == "retreat" and e.reason.startswith("driven out")]
    assert driven and driven[0].unit == "red_1"
    taken = [e for e in events if e.type == "control_change" and e.place == "c"]
    assert taken and taken[0].new == "blue"


def test_a_deeper_position_holds_longer_and_depth_zero_turns_it_off():
    def end_of_fight(events) -> float:
        return min(e.t for e in events if e.type == "engagement_end")

    assert end_of_fight(_fight(6.0)) > end_of_fight(_fight(1.0))
    assert not [e for e in _fight(0.0) if e.type == "retreat" and e.reason.startswith("driven out")]


def test_the_scenario_default_depth_is_the_documented_one():
    from campaign.engine.advance import POSITION_DEPTH_KM
    from campaign.scenario.schema import CombatSpec

    assert CombatSpec().position_depth_km == POSITION_DEPTH_KM
