"""A column on the road given a new order turns back when that is the shorter way,
and a march does not walk into an enemy who got there first (World.issue)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from toy import CITE, toy_dict  # noqa: E402

from campaign.scenario.schema import Action, Order, Scenario  # noqa: E402
from campaign.simulate import build_world  # noqa: E402


def _world():
    data = toy_dict()
    data["orders"] = [
        {"unit": "blue_1", "date": "1919-01-01", "action": "move", "target": "b", "source": CITE}
    ]
    data["units"][1]["location"] = "d"
    return build_world(Scenario.model_validate(data), seed=1)


def _order(action: Action, target: str) -> Order:
    return Order.model_construct(
        id=None,
        unit="blue_1",
        date=None,
        when=None,
        action=action,
        target=target,
        by_rail=False,
        surprise=False,
        source=None,
        note="test",
    )


def test_a_column_recalled_half_way_turns_back_and_takes_as_long_to_return():
    world = _world()
    unit = world.units["blue_1"]
    world.env.run(until=0.3)
    assert unit.status == "moving" and unit.moving_to == "b"
    set_off = next(e.t for e in world.events if e.type == "move_start")
    world.issue("blue_1", _order(Action.move, "a"), by="test", reason="recalled")
    world.env.run(until=3.0)
    assert unit.location == "a"
    back = [e for e in world.events if e.type == "move_start" and e.origin == "b"]
    assert back and back[0].destination == "a" and back[0].km < 20
    arrived = next(e.t for e in world.events if e.type == "move_end" and e.place == "a")
    assert abs((arrived - 0.3) - (0.3 - set_off)) < 1e-6
    assert not [e for e in world.events if e.type == "move_end" and e.place == "b"]


def test_a_new_order_the_other_way_round_keeps_the_column_going():
    world = _world()
    unit = world.units["blue_1"]
    world.env.run(until=0.3)
    eta = unit.eta
    world.issue("blue_1", _order(Action.move, "c"), by="test", reason="go on")
    world.env.run(until=eta + 1e-6)
    assert [e.t for e in world.events if e.type == "move_end"] == [round(eta, 6)]
    assert unit.moving_to == "c"  # on from B, not back


def test_a_column_turned_twice_is_tired_by_all_the_marching_it_did():
    from campaign.engine.processes import FATIGUE_PER_MARCH_DAY

    world = _world()
    unit = world.units["blue_1"]
    world.env.run(until=0.5)
    set_off = next(e.t for e in world.events if e.type == "move_start")
    world.issue("blue_1", _order(Action.move, "a"), by="test", reason="recalled")
    world.env.run(until=0.6)
    assert unit.moving_to == "a"
    world.issue("blue_1", _order(Action.move, "b"), by="test", reason="sent again")
    world.env.run(until=0.61)
    assert unit.moving_to == "b"
    arrived = unit.eta
    world.env.run(until=arrived + 1e-6)  # before the next morning's rest
    assert [e.place for e in world.events if e.type == "move_end"] == ["b"]
    assert abs(unit.fatigue - FATIGUE_PER_MARCH_DAY * (arrived - set_off)) < 1e-5
