"""A column falling back passes through towns without taking them and does not
assault an enemy standing where it was sent."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from toy import CITE, toy_dict, toy_town  # noqa: E402

from campaign.engine.world import RALLY_DAYS  # noqa: E402
from campaign.scenario.schema import Scenario  # noqa: E402
from campaign.simulate import simulate  # noqa: E402


def _through_red_b(action: str, red_at: str = "d") -> list:
    """Blue at A sent to C along A-B-C-D; B is red-held and empty (with a red town F
    off it, so that ground behind the front does not change hands by itself)."""
    data = toy_dict()
    toy_town(data, "f", "Foxtrot", 55.3, 24.3, "b")
    data["control"] = {"a": "blue", "b": "red", "c": "red", "d": "red", "f": "red"}
    data["units"][1]["location"] = red_at
    data["objectives"] = []
    data["orders"] = [
        {"unit": "blue_1", "date": "1919-01-02", "action": action, "target": "c", "source": CITE}
    ]
    return simulate(Scenario.model_validate(data), seed=1).events


def _taken(events, place: str) -> list:
    """Changes of hands at ``place`` made by the column entering it (not the rear
    control that may follow once the column has passed)."""
    return [
        e
        for e in events
        if e.type == "control_change" and e.place == place and e.cause.startswith("occupied by")
    ]


def test_a_withdrawing_column_passes_through_enemy_towns_without_taking_them():
    assert _taken(_through_red_b("move"), "b")  # a march takes an empty enemy town
    assert not _taken(_through_red_b("withdraw"), "b")


def test_a_withdrawal_halts_before_an_enemy_at_its_destination():
    events = _through_red_b("withdraw", red_at="c")
    assert not [e for e in events if e.type == "engagement_start"]
    assert [e for e in events if e.type == "move_end" and e.unit == "blue_1" and e.place == "b"]


def test_a_withdrawal_that_has_arrived_stands_and_fights_there():
    """Blue falls back from B to A on day 1 and is attacked at A on day 4: it defends
    A instead of leaving the fight because its last order was a withdrawal."""
    data = toy_dict()
    toy_town(data, "z", "Zulu", 55.0, 23.7, "a")
    data["control"]["z"] = "blue"
    data["units"][0]["location"] = "b"
    data["units"][1]["strength_men"] = 1500
    data["objectives"] = []
    data["orders"] = [
        {
            "unit": "blue_1",
            "date": "1919-01-01",
            "action": "withdraw",
            "target": "a",
            "source": CITE,
        },
        {"unit": "red_1", "date": "1919-01-04", "action": "attack", "target": "a", "source": CITE},
    ]
    events = simulate(Scenario.model_validate(data), seed=1).events
    fight = next(e for e in events if e.type == "engagement_start" and e.place == "a")
    assert "blue_1" in fight.defenders
    assert not [
        e
        for e in events
        if e.type == "retreat" and e.unit == "blue_1" and e.reason == "ordered to withdraw"
    ]


def thrown_back_km(events) -> float:
    return next(e.km for e in events if e.type == "move_start" and e.mode == "retreat")


def _thrown_back_from_c(red_leaves: bool, then: list[dict]) -> list:
    """Blue at B, about 75 km of road west of C (three days' march), assaults C, held
    by 2,500 red, and is thrown back towards B; with ``red_leaves`` red withdraws to
    D on 7 January. ``then``: blue's further intents."""
    data = toy_dict()
    data["map"]["places"][1]["lon"] = 23.6
    data["units"][0]["location"] = "b"
    data["units"][1]["strength_men"] = 2500
    data["objectives"] = []
    data["end"] = "1919-01-20"
    data["orders"] = (
        [
            {
                "unit": "red_1",
                "date": "1919-01-07",
                "action": "withdraw",
                "target": "d",
                "source": CITE,
            }
        ]
        if red_leaves
        else []
    )
    attack = {
        "id": "blue_attack",
        "side": "blue",
        "units": ["blue_1"],
        "date": "1919-01-01",
        "objectives": [{"take": "c", "assault": True}],
        "source": CITE,
    }
    data["intents"] = [attack, *then]
    return simulate(Scenario.model_validate(data), seed=1).events


def test_a_repulsed_column_that_has_rallied_can_be_sent_forward_again():
    """Red leaves C once blue has been thrown back from it. Once blue has rallied (a
    day), its commander's renewed order turns the column round on the road instead of
    walking it back to B first."""
    events = _thrown_back_from_c(red_leaves=True, then=[])
    thrown_back = next(e for e in events if e.type == "retreat" and e.unit == "blue_1")
    after = [e for e in events if e.t > thrown_back.t and getattr(e, "unit", None) == "blue_1"]
    turned = next(e for e in after if e.type == "move_start" and e.destination == "c")
    assert turned.mode == "march"
    assert turned.t >= thrown_back.t + RALLY_DAYS - 1e-9
    assert turned.km < thrown_back_km(events) - 1.0  # turned round on the road
    assert not [e for e in after if e.type == "move_end" and e.place == "b" and e.t <= turned.t]
    taken = [e for e in events if e.type == "control_change" and e.place == "c"]
    assert taken and taken[0].new == "blue"


def test_a_rallied_column_sent_elsewhere_does_not_turn_back_into_the_enemy():
    """Blue, thrown back from red-held C, is ordered on the road to gather at D, beyond
    C. The shortest way there is back through C, where red still stands: a move does
    not walk into the enemy, so the column keeps falling back to B."""
    regroup = {
        "id": "blue_regroup",
        "side": "blue",
        "units": ["blue_1"],
        "when": {"broken": "blue_1"},
        "objectives": [{"assemble": "d"}],
        "source": CITE,
    }
    events = _thrown_back_from_c(red_leaves=False, then=[regroup])
    thrown_back = next(e for e in events if e.type == "retreat" and e.unit == "blue_1")
    ordered = next(
        e for e in events if e.type == "order" and e.unit == "blue_1" and e.target == "d"
    )
    assert ordered.t < thrown_back.t + thrown_back_km(events) / 15  # given on the road
    after = [e for e in events if e.t > thrown_back.t and getattr(e, "unit", None) == "blue_1"]
    assert not [e for e in after if e.type == "move_start" and e.destination == "c"]
    assert [e for e in after if e.type == "move_end" and e.place == "b"]
    assert len([e for e in events if e.type == "engagement_start"]) == 1
