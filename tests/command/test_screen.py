"""Screening objectives: who screens, and what a screen does once its place is lost."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from toy import CITE, toy_dict, toy_unit  # noqa: E402

from campaign.scenario.schema import Scenario  # noqa: E402
from campaign.simulate import simulate  # noqa: E402


def _intent(iid: str, side: str, units: list[str], *objectives: dict) -> dict:
    return {"id": iid, "side": side, "units": units, "objectives": list(objectives), "source": CITE}


def _moves(result, unit: str) -> list:
    return [e for e in result.events if e.type == "move_start" and e.unit == unit]


def _red_defends(units: list[dict], *objectives: dict):
    """A run of the toy line where red, holding B to D, has ``units`` under one intent
    with ``objectives``."""
    data = toy_dict(orders=[], objectives=[])
    data["control"] = {"a": "blue", "b": "red", "c": "red", "d": "red"}
    data["units"] = units
    data["intents"] = [_intent("red_defend", "red", [u["id"] for u in units], *objectives)]
    return simulate(Scenario.model_validate(data), seed=1)


def test_garrisons_named_to_hold_are_not_sent_to_an_unnamed_screen():
    # Red holds C and D with named garrisons and screens B with "the others": there
    # are none, so the garrisons stay put (they used to march between their town and
    # the screen every day).
    result = _red_defends(
        [toy_unit("red_c", "red", 3000, "c"), toy_unit("red_d", "red", 2000, "d")],
        {"hold": "c", "units": ["red_c"]},
        {"hold": "d", "units": ["red_d"]},
        {"screen": "b"},
    )
    assert _moves(result, "red_c") == [] and _moves(result, "red_d") == []


def test_an_unnamed_screen_takes_the_units_no_hold_names():
    result = _red_defends(
        [toy_unit("red_c", "red", 3000, "c"), toy_unit("red_free", "red", 500, "d")],
        {"hold": "c", "units": ["red_c"]},
        {"screen": "b"},
    )
    assert _moves(result, "red_c") == []
    assert [e.destination for e in _moves(result, "red_free")] == ["c", "b"]


def test_a_screen_whose_place_is_lost_does_not_march_into_the_enemy():
    # Blue's screen sets off from B for C on a slow track; a strong red column takes C
    # while it is on the way. The screen is then off: the blue company turns back
    # instead of attacking 3,000 men with 100.
    data = toy_dict(orders=[], objectives=[])
    data["map"]["links"][1]["road"] = "track"
    data["control"] = {"a": "blue", "b": "blue", "c": "blue", "d": "red"}
    data["units"] = [toy_unit("blue_coy", "blue", 100, "b"), toy_unit("red_1", "red", 3000, "d")]
    data["intents"] = [
        _intent("blue_screen", "blue", ["blue_coy"], {"screen": "c"}),
        _intent("red_push", "red", ["red_1"], {"take": "c"}),
    ]
    result = simulate(Scenario.model_validate(data), seed=1)
    taken = [e for e in result.events if e.type == "control_change" and e.place == "c"]
    assert taken and taken[0].new == "red"
    attacks = [
        e for e in result.events if e.type == "engagement_start" and "blue_coy" in e.attackers
    ]
    assert attacks == []
    turned = [e for e in result.events if e.type == "order" and e.unit == "blue_coy"][-1]
    assert (turned.action, turned.target) == ("withdraw", "b")


def test_a_force_falling_back_does_not_turn_round_to_reinforce_the_place_left_held():
    # Red keeps C with red_1 and falls back to D with the rest. Blue's column on C is
    # stronger than red_1; red_2, at D already, is not sent back to C to reinforce it
    # (it used to be: the reserve rule overrode the withdrawal).
    data = toy_dict(objectives=[])
    data["units"] = [
        toy_unit("blue_1", "blue", 700, "a"),
        toy_unit("red_1", "red", 300, "c"),
        toy_unit("red_2", "red", 400, "d"),
    ]
    data["intents"] = [
        _intent(
            "red_rearguard",
            "red",
            ["red_1", "red_2"],
            {"hold": "c", "units": ["red_1"]},
            {"withdraw_to": "d"},
        )
    ]
    result = simulate(Scenario.model_validate(data), seed=1)
    orders = [e for e in result.events if e.type == "order" and e.unit == "red_2"]
    assert not [e for e in orders if e.reason.startswith("reinforce")]
    assert not _moves(result, "red_2")
