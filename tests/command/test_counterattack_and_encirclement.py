"""Counter-attacks on the commander's initiative, garrisons whose line of communication
is cut, and beaten units falling back towards their supply (issue 15/16 doctrine)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from toy import CITE, toy_dict, toy_town  # noqa: E402
from toy import toy_unit as _unit  # noqa: E402

from campaign.engine.processes import retreat_destination  # noqa: E402
from campaign.scenario.schema import Scenario  # noqa: E402
from campaign.simulate import build_world, simulate  # noqa: E402


def _star(blue_at: list[str]) -> dict:
    """Red holds C, fed from G through D; C's other roads lead to B, E and F."""
    data = toy_dict()
    places = {
        "a": (55.0, 24.0),
        "b": (55.0, 24.3),
        "c": (55.0, 24.6),
        "d": (55.0, 24.9),
        "e": (55.2, 24.6),
        "f": (54.8, 24.6),
        "g": (55.0, 25.2),
    }
    data["map"]["places"] = [
        {"id": k, "name": k.upper(), "lat": la, "lon": lo} for k, (la, lo) in places.items()
    ]
    data["map"]["links"] = [
        {"a": a, "b": b, "road": "main"}
        for a, b in [("a", "b"), ("b", "c"), ("c", "d"), ("d", "g"), ("c", "e"), ("c", "f")]
    ]
    data["control"] = {"a": "blue", "b": "blue", "c": "red", "g": "red"}
    data["supply"] = {"sources": {"red": ["g"]}}
    data["units"] = [_unit("red_1", "red", 1000, "c")] + [
        _unit(f"blue_{i}", "blue", 900, place) for i, place in enumerate(blue_at, 1)
    ]
    data["orders"] = []
    data["objectives"] = []
    data["intents"] = [
        {
            "id": "red_hold",
            "side": "red",
            "units": ["red_1"],
            "objectives": [{"hold": "c", "units": ["red_1"]}],
            "source": CITE,
        }
    ]
    return data


def _closing_in(data: dict, day: str = "1919-01-02") -> dict:
    """``data`` with the blue units coming up on ``day`` (a ring closing, not a front
    the garrison found on taking its stand)."""
    for unit in data["units"]:
        if unit["side"] == "blue":
            unit["arrives"] = day
    return data


def _withdrawals(result) -> list:
    return [e for e in result.events if e.type == "order" and e.action == "withdraw"]


def test_enemy_on_the_road_back_to_supply_threatens_encirclement():
    # Enemy on two of four roads: not enough on its own (CUT_OFF_SHARE 0.6) ...
    beside = simulate(Scenario.model_validate(_star(["b", "e"])), seed=1)
    assert not _withdrawals(beside)
    # ... but when one of them is the road back to the supply source, the garrison goes.
    behind = simulate(Scenario.model_validate(_star(["b", "d"])), seed=1)
    orders = _withdrawals(behind)
    assert orders and "nearly surrounded" in orders[0].reason


def test_a_garrison_that_left_a_nearly_surrounded_place_does_not_go_back():
    result = simulate(Scenario.model_validate(_star(["b", "d"])), seed=1)
    left = _withdrawals(result)[0].t
    back = [
        e
        for e in result.events
        if e.type == "order" and e.unit == "red_1" and e.t > left and e.target == "c"
    ]
    assert not back


def _lost_town(extra_intent: dict | None = None) -> dict:
    """Blue takes C from a small red post on the second day; a strong red regiment
    reaches F, three towns away (A-B-C-D-E-F), on the seventh, days after the loss."""
    data = toy_dict(end="1919-01-12")
    data["map"]["places"] += [
        {"id": "e", "name": "Echo", "lat": 55.0, "lon": 25.2},
        {"id": "f", "name": "Foxtrot", "lat": 55.0, "lon": 25.5},
    ]
    data["map"]["links"] += [
        {"a": "d", "b": "e", "road": "main"},
        {"a": "e", "b": "f", "road": "main"},
    ]
    data["control"].update({"e": "red", "f": "red"})
    data["units"][0].update(location="b", strength_men=1500)
    data["units"][1].update(strength_men=100)
    data["units"].append(_unit("red_2", "red", 3000, "f") | {"arrives": "1919-01-07"})
    data["orders"] = []
    data["intents"] = [
        {
            "id": "blue_take",
            "side": "blue",
            "units": ["blue_1"],
            "objectives": [{"take": "c"}],
            "source": CITE,
        },
        {
            "id": "red_line",
            "side": "red",
            "units": ["red_1", "red_2"],
            "objectives": [{"hold": "c", "units": ["red_1"]}],
            "source": CITE,
        },
    ]
    if extra_intent:
        data["intents"].append(extra_intent)
    return data


def _red_attacks_on_c(result) -> list:
    return [
        e
        for e in result.events
        if e.type == "order" and e.unit == "red_2" and e.action == "attack" and e.target == "c"
    ]


def test_no_counter_attack_on_initiative_long_after_the_loss():
    result = simulate(Scenario.model_validate(_lost_town()), seed=1)
    assert result.world.control["c"] == "blue"
    assert not _red_attacks_on_c(result)


def test_an_intent_decided_after_the_loss_retakes_the_place_with_all_its_units():
    retake = {
        "id": "red_retake",
        "side": "red",
        "units": ["red_2"],
        "when": {"lost": {"place": "c", "side": "red"}},
        "objectives": [{"hold": "c"}],
        "source": CITE,
    }
    result = simulate(Scenario.model_validate(_lost_town(retake)), seed=1)
    assert _red_attacks_on_c(result)


def test_a_beaten_unit_falls_back_towards_its_supply_not_into_a_pocket():
    # B has two red-held neighbours: C1 (nearer) leads nowhere, C2 leads to the source.
    data = toy_dict()
    data["map"]["places"] = [
        {"id": "a", "name": "A", "lat": 55.0, "lon": 24.0},
        {"id": "b", "name": "B", "lat": 55.0, "lon": 24.3},
        {"id": "c1", "name": "C1", "lat": 55.1, "lon": 24.5},
        {"id": "c2", "name": "C2", "lat": 54.8, "lon": 24.7},
        {"id": "g", "name": "G", "lat": 54.8, "lon": 25.2},
    ]
    data["map"]["links"] = [
        {"a": a, "b": b, "road": "main"}
        for a, b in [("a", "b"), ("b", "c1"), ("b", "c2"), ("c2", "g")]
    ]
    data["control"] = {"a": "blue", "b": "red", "c1": "red", "c2": "red", "g": "red"}
    data["units"][1]["location"] = "b"
    data["orders"] = []
    without = build_world(Scenario.model_validate(data), seed=1)
    assert retreat_destination(without, without.units["red_1"], "b") == "c1"
    data["supply"] = {"sources": {"red": ["g"]}}
    fed = build_world(Scenario.model_validate(data), seed=1)
    assert retreat_destination(fed, fed.units["red_1"], "b") == "c2"


def _pocket(cut: bool) -> dict:
    """Red's unit stands at E, whose only road leads to C; red is supplied from G
    through D. With ``cut`` blue holds C, so E has no supply route at all."""
    data = _star([])
    data["end"] = "1919-01-12"
    data["map"]["links"] = [
        link for link in data["map"]["links"] if {link["a"], link["b"]} != {"c", "f"}
    ]
    data["control"] = {
        "a": "blue",
        "b": "blue",
        "c": "blue" if cut else "red",
        "d": "red",
        "e": "red",
        "g": "red",
    }
    data["units"] = [_unit("red_1", "red", 500, "e"), _unit("blue_1", "blue", 300, "a")]
    data["intents"] = [
        {
            "id": "red_push",
            "side": "red",
            "units": ["red_1"],
            "objectives": [{"assemble": "e"}, {"take": "a", "when": {"date": "1919-02-01"}}],
            "source": CITE,
        }
    ]
    data["supply"] = {"sources": {"red": ["g"]}, "radius_km": 30}
    return data


def test_a_unit_cut_off_from_every_supply_route_breaks_out():
    result = simulate(Scenario.model_validate(_pocket(cut=True)), seed=1)
    orders = [
        e
        for e in result.events
        if e.type == "order" and e.unit == "red_1" and "breaks out" in e.reason
    ]
    assert orders and orders[0].action == "attack" and orders[0].target == "d"


def test_a_unit_merely_beyond_supply_range_halts_instead():
    result = simulate(Scenario.model_validate(_pocket(cut=False)), seed=1)
    reasons = [e.reason for e in result.events if e.type == "order" and e.unit == "red_1"]
    assert not [r for r in reasons if "breaks out" in r]
    assert [r for r in reasons if "the advance halts" in r]


def test_the_line_of_communication_follows_the_ground_held_now():
    # C is fed from G by D-H (short) or by E (long); once blue holds H, the road back
    # runs through E, though the campaign opened with it through D.
    from campaign.command.staff import _line_of_communication

    data = _star([])
    data["map"]["places"].append({"id": "h", "name": "H", "lat": 55.0, "lon": 25.05})
    data["map"]["links"] = [
        link for link in data["map"]["links"] if {link["a"], link["b"]} != {"d", "g"}
    ]
    data["map"]["links"] += [
        {"a": "d", "b": "h", "road": "main"},
        {"a": "h", "b": "g", "road": "main"},
        {"a": "e", "b": "g", "road": "main"},
    ]
    world = build_world(Scenario.model_validate(data), seed=1)
    assert _line_of_communication(world, "red", "c") == "d"
    world.control["h"] = "blue"
    world.control_version += 1
    assert _line_of_communication(world, "red", "c") == "e"


def test_an_enemy_only_marching_on_the_road_back_does_not_cut_it_yet():
    # Blue stands at B and sends a regiment from far beyond D (through X) to D: the
    # garrison of C falls back once it stands there, not when it sets off.
    data = _star(["b"])
    data["end"] = "1919-01-12"
    toy_town(data, "x", "X", 55.3, 24.9, "d", road="secondary")
    data["control"]["x"] = "blue"
    data["units"].append(_unit("blue_2", "blue", 900, "x"))
    data["orders"] = [
        {"unit": "blue_2", "date": "1919-01-02", "action": "move", "target": "d", "source": CITE}
    ]
    result = simulate(Scenario.model_validate(data), seed=1)
    arrived = [
        e.t for e in result.events if e.type == "move_end" and e.unit == "blue_2" and e.place == "d"
    ]
    orders = _withdrawals(result)
    assert arrived and orders
    assert orders[0].t >= arrived[0]


def _two_step_push() -> dict:
    data = _star([])
    data["end"] = "1919-01-12"
    data["control"] = {"a": "blue", "b": "blue", "c": "red", "d": "red", "g": "red"}
    data["supply"] = {}
    data["units"] = [
        _unit("blue_big", "blue", 1200, "b"),
        _unit("blue_small", "blue", 300, "b"),
        _unit("red_1", "red", 100, "g"),
    ]
    data["intents"] = [
        {
            "id": "blue_push",
            "side": "blue",
            "units": ["blue_big", "blue_small"],
            "objectives": [{"take": "c"}, {"take": "d"}],
            "source": CITE,
        }
    ]
    return data


def test_a_formation_leaves_a_detachment_in_a_place_it_took_and_goes_on():
    # Two blue regiments take C (empty), then D: the smaller stays in C as its garrison.
    result = simulate(Scenario.model_validate(_two_step_push()), seed=1)
    units = result.world.units
    assert units["blue_small"].location == "c"
    assert units["blue_big"].location == "d"
    garrison = [
        e
        for e in result.events
        if e.type == "order" and e.unit == "blue_small" and e.action == "hold" and e.target == "c"
    ]
    assert garrison and "garrison of c" in garrison[0].reason


def test_a_scenario_can_turn_the_detachment_off():
    data = _two_step_push()
    data["command"] = {"garrison_taken_places": False}
    units = simulate(Scenario.model_validate(data), seed=1).world.units
    assert units["blue_small"].location == "d" and units["blue_big"].location == "d"


def test_a_nearly_surrounded_garrison_falls_back_towards_its_supply():
    # Blue on three of C's five roads; a Red company waits at H, a dead end off C.
    # The garrison leaves along its road back to the supply source (D, towards G),
    # not into the dead end where the friends are.
    data = _star(["b", "e", "f"])
    toy_town(data, "h", "H", 55.1, 24.75, "c")
    data["units"].append(_unit("red_2", "red", 300, "h"))
    _closing_in(data)  # they come up round C: the ring is closing
    orders = _withdrawals(simulate(Scenario.model_validate(data), seed=1))
    assert orders and "nearly surrounded" in orders[0].reason
    assert orders[0].target == "d"


def _red_in_a_pocket(kind: str = "regiment") -> dict:
    """Red holds C; Blue stands in every town round it, so C has no supply route left."""
    data = _star(["b", "d", "e", "f"])
    data["end"] = "1919-01-25"
    data["control"] = {
        "a": "blue",
        "b": "blue",
        "c": "red",
        "d": "blue",
        "e": "blue",
        "f": "blue",
        "g": "red",
    }
    data["units"][0]["kind"] = kind
    if kind == "partisans":
        data["units"][0]["quality"] = "partisan"
    return data


def test_a_unit_left_in_a_pocket_capitulates_after_two_weeks():
    from campaign.engine.supply import ENCIRCLED_SURRENDER_DAYS

    result = simulate(Scenario.model_validate(_red_in_a_pocket()), seed=1)
    surrenders = [e for e in result.events if e.type == "surrender"]
    assert [e.unit for e in surrenders] == ["red_1"]
    assert "pocket" in surrenders[0].reason
    assert surrenders[0].t >= ENCIRCLED_SURRENDER_DAYS - 1
    # The town then passes to the side round it.
    changes = [e for e in result.events if e.type == "control_change" and e.place == "c"]
    assert changes and changes[-1].new == "blue"


def test_partisans_in_a_pocket_live_among_their_people():
    result = simulate(Scenario.model_validate(_red_in_a_pocket("partisans")), seed=1)
    assert not [e for e in result.events if e.type == "surrender"]


def test_a_unit_with_a_road_back_to_supply_does_not_capitulate():
    data = _red_in_a_pocket()
    data["control"]["d"] = "red"  # the road back by D stays open
    data["units"] = [u for u in data["units"] if u["location"] != "d"]
    result = simulate(Scenario.model_validate(data), seed=1)
    assert not [e for e in result.events if e.type == "surrender"]


def test_garrisons_of_two_commands_in_one_town_hold_it_together():
    # Blue (2,700 men) on three of C's four roads: more than 1.5 times one Red regiment
    # of 1,200, less than 1.5 times the two that another command also keeps there.
    alone = _closing_in(_star(["b", "e", "f"]))
    alone["units"][0]["strength_men"] = 1200
    assert _withdrawals(simulate(Scenario.model_validate(alone), seed=1))
    together = _closing_in(_star(["b", "e", "f"]))
    together["units"][0]["strength_men"] = 1200
    together["units"].append(_unit("red_2", "red", 1200, "c"))
    together["intents"].append(
        {
            "id": "red_reserve",
            "side": "red",
            "units": ["red_2"],
            "objectives": [{"hold": "c", "units": ["red_2"]}],
            "source": CITE,
        }
    )
    assert not _withdrawals(simulate(Scenario.model_validate(together), seed=1))


def test_a_strong_unit_ringed_by_a_weaker_enemy_is_not_in_a_pocket():
    # Red (5,000) at C: every town round it is blue, but blue has only 1,900 men there
    # (900 at B and D, pickets of 50 at E and F): a pocket is held shut by troops at
    # least as strong as those inside it.
    data = _red_in_a_pocket()
    data["units"][0]["strength_men"] = 5000
    for unit in data["units"]:
        if unit["location"] in ("e", "f"):
            unit["strength_men"] = 50
    result = simulate(Scenario.model_validate(data), seed=1)
    assert result.world.units["red_1"].days_encircled >= 14
    assert not [e for e in result.events if e.type == "surrender"]


def test_a_town_the_enemy_held_from_the_start_was_never_on_the_line():
    # D, on the short road from C to G, has been blue since the start: red's road back
    # runs through E; had blue taken D from red, D would be on it (the road is cut).
    from campaign.command.staff import _line_of_communication

    data = _star([])
    data["map"]["links"].append({"a": "e", "b": "g", "road": "main"})
    data["control"]["d"] = "blue"
    world = build_world(Scenario.model_validate(data), seed=1)
    assert _line_of_communication(world, "red", "c") == "e"
    world.control_before["d"] = "red"
    assert _line_of_communication(world, "red", "c") == "d"


def test_only_units_within_reach_are_sent_to_reinforce_a_threatened_place():
    # Red marches on A, held by blue's garrison; blue's reserve at D, three days off,
    # is not sent (it would arrive after the fight), one at B is.
    data = toy_dict()
    data["control"] = {"a": "blue", "b": "blue", "c": "blue", "d": "blue"}
    toy_town(data, "z", "Zulu", 55.0, 23.7, "a")
    data["control"]["z"] = "red"
    data["units"] = [
        _unit("red_1", "red", 1500, "z"),
        _unit("blue_g", "blue", 400, "a"),
        _unit("blue_near", "blue", 400, "b"),
        _unit("blue_far", "blue", 400, "d"),
    ]
    data["orders"] = [
        {"unit": "red_1", "date": "1919-01-03", "action": "attack", "target": "a", "source": CITE}
    ]
    data["intents"] = [
        {
            "id": "blue_hold",
            "side": "blue",
            "units": ["blue_g", "blue_near", "blue_far"],
            "objectives": [{"hold": "a", "units": ["blue_g"]}],
            "source": CITE,
        }
    ]
    events = simulate(Scenario.model_validate(data), seed=1).events
    sent = {e.unit for e in events if e.type == "order" and e.reason.startswith("reinforce a")}
    assert "blue_near" in sent
    assert "blue_far" not in sent
