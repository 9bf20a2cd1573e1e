"""An operation the source dates (``attack_on``): the units march so as to strike at
first light that day, whatever the odds, and a unit bound for a place where no enemy
is seen keeps clear of enemy towns on the way (issue 15: intent, not a timetable)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from toy import CITE, toy_dict, toy_town, toy_unit  # noqa: E402

from campaign.engine.world import ORDER_HOUR  # noqa: E402
from campaign.scenario.checks import check_references  # noqa: E402
from campaign.scenario.schema import Scenario  # noqa: E402
from campaign.simulate import simulate  # noqa: E402

STRIKE_DAY = 5  # 1919-01-06, days after the start


def _scenario(when: dict, objectives: list[dict] | None = None) -> dict:
    """Blue at A; red holds C weakly and D empty; E lies off the road, joined to A and D."""
    data = toy_dict()
    toy_town(data, "e", "Echo", 55.2, 24.6, "a", "d")
    data["control"]["e"] = "blue"
    data["units"][1]["strength_men"] = 300
    data["units"].append(toy_unit("blue_2", "blue", 600, "a"))
    data["orders"] = []
    data["intents"] = [
        {
            "id": "blue_operation",
            "side": "blue",
            "units": ["blue_1", "blue_2"],
            **when,
            "objectives": objectives
            or [{"take": "c", "units": ["blue_1"]}, {"take": "d", "units": ["blue_2"]}],
            "source": CITE,
        }
    ]
    return data


def _events(data: dict, seed: int = 1):
    return simulate(Scenario.model_validate(data), seed=seed).events


def test_the_attack_goes_in_at_first_light_on_the_dated_day():
    events = _events(_scenario({"attack_on": "1919-01-06"}))
    strike_t = STRIKE_DAY + ORDER_HOUR
    fight = next(e for e in events if e.type == "engagement_start" and e.place == "c")
    assert "blue_1" in fight.attackers
    assert abs(fight.t - strike_t) < 0.05
    # Nobody moved before his own march required it.
    first_move = min(e.t for e in events if e.type == "move_start" and e.unit == "blue_1")
    assert first_move > 3.0


def test_a_dated_decision_moves_at_once_instead():
    events = _events(_scenario({"date": "1919-01-02"}))
    fight = next(e for e in events if e.type == "engagement_start" and e.place == "c")
    assert fight.t < STRIKE_DAY - 1.0


def test_the_dated_attack_goes_in_whatever_the_odds():
    data = _scenario({"attack_on": "1919-01-06"})
    data["units"][1]["strength_men"] = 3000  # ten times blue 1's power seen in C
    events = _events(data)
    assert any(e.type == "engagement_start" and e.place == "c" for e in events)


def test_a_unit_bound_for_an_empty_town_marches_round_the_enemy():
    data = _scenario({"attack_on": "1919-01-06"})
    data["command"] = {"recon_links": 3}  # Blue sees that D is empty
    events = _events(data)
    taken = next(
        e for e in events if e.type == "control_change" and e.place == "d" and e.new == "blue"
    )
    assert taken.t <= STRIKE_DAY + 1.0
    blue_2_places = {e.place for e in events if e.type == "move_end" and e.unit == "blue_2"}
    assert "e" in blue_2_places
    assert "b" not in blue_2_places and "c" not in blue_2_places


def test_attack_on_before_the_decision_is_refused():
    with pytest.raises(ValidationError, match="attack_on 1919-01-03 is before date"):
        Scenario.model_validate(_scenario({"date": "1919-01-04", "attack_on": "1919-01-03"}))


def test_attack_on_outside_the_scenario_is_a_located_error():
    scenario = Scenario.model_validate(_scenario({"attack_on": "1919-02-01"}))
    problems = check_references(scenario, {p.id for p in scenario.map.places})
    assert any(
        loc == ("intents", 0, "attack_on") and "outside the scenario" in msg
        for loc, msg in problems
    )


def test_info_shows_the_dated_attack():
    from campaign.scenario.report import command_lines

    lines = command_lines(Scenario.model_validate(_scenario({"attack_on": "1919-01-06"})))
    assert any("attack on 1919-01-06" in line for line in lines)
