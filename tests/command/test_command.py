"""Commanders, conditions, relations and perception on small synthetic theatres."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from toy import CITE, toy_dict, toy_town, toy_unit  # noqa: E402

from campaign.command.perception import Picture  # noqa: E402
from campaign.scenario.schema import Scenario  # noqa: E402
from campaign.simulate import build_world, simulate  # noqa: E402


def _scenario(data: dict) -> Scenario:
    return Scenario.model_validate(data)


def _intent_toy(red_men: int = 400, blue_men: int = 1000, **intent) -> dict:
    data = toy_dict()
    data["orders"] = []
    data["units"][0]["strength_men"] = blue_men
    data["units"][1]["strength_men"] = red_men
    data["intents"] = [
        {
            "id": "blue_push",
            "side": "blue",
            "units": ["blue_1"],
            "objectives": [{"take": "c"}, {"take": "d"}],
            "source": CITE,
            **intent,
        }
    ]
    return data


def _events(result, kind: str) -> list:
    return [e for e in result.events if e.type == kind]


def test_commander_attacks_at_good_odds_and_exploits_to_the_next_objective():
    result = simulate(_scenario(_intent_toy()), seed=1)
    control = result.world.control
    assert control["c"] == "blue" and control["d"] == "blue"
    decisions = [e for e in _events(result, "decision") if e.action == "attack"]
    assert decisions and decisions[0].perceived_ratio >= 1.3
    assert decisions[0].true_ratio is not None  # both ratios are logged


def test_commander_waits_below_the_attack_ratio_and_gathers_before_the_objective():
    result = simulate(_scenario(_intent_toy(red_men=2000, blue_men=600)), seed=1)
    assert result.world.control["c"] == "red"
    waits = [e for e in _events(result, "decision") if e.action == "wait"]
    assert waits and all(e.perceived_ratio < 1.3 for e in waits)
    assert not _events(result, "engagement_start")
    assert result.world.units["blue_1"].location == "b"  # gathered next to the objective


def test_attack_ratio_of_the_intent_changes_the_decision():
    bold = simulate(_scenario(_intent_toy(red_men=2000, blue_men=600, attack_ratio=0.1)), seed=1)
    assert _events(bold, "engagement_start")


def test_intent_waits_for_its_date_and_condition():
    data = _intent_toy(date="1919-01-05")
    result = simulate(_scenario(data), seed=1)
    first_move = _events(result, "move_start")[0]
    assert first_move.t >= 4.25
    data = _intent_toy(when={"arrived": "blue_2"})
    data["units"].append(
        {
            "id": "blue_2",
            "name": "Blue 2nd",
            "side": "blue",
            "kind": "regiment",
            "strength_men": 100,
            "quality": "regular",
            "location": "a",
            "arrives": "1919-01-04",
            "source": CITE,
        }
    )
    result = simulate(_scenario(data), seed=1)
    fired = _events(result, "trigger")
    assert fired and fired[0].what == "intent blue_push" and fired[0].t >= 2.75


def test_conditional_order_fires_on_the_condition_not_before():
    data = toy_dict()
    data["orders"] = [
        {
            "id": "go",
            "unit": "blue_1",
            "date": "1919-01-02",
            "action": "attack",
            "target": "c",
            "source": CITE,
        },
        {
            "id": "follow",
            "unit": "red_1",
            "action": "withdraw",
            "target": "d",
            "when": {"done": "go"},
            "source": CITE,
        },
    ]
    data["units"][1]["strength_men"] = 10
    result = simulate(_scenario(data), seed=1)
    assert "go" in result.world.done_orders
    fired = [e for e in _events(result, "trigger") if e.what == "order follow"]
    assert not fired or fired[0].t >= 1.25


def test_variant_order_ids_are_unique():
    data = toy_dict()
    data["orders"] = [copy.deepcopy(data["orders"][0]) | {"id": "x"} for _ in range(2)]
    from campaign.scenario.checks import check_references

    problems = check_references(_scenario(data), {"a", "b", "c", "d"})
    assert any("duplicate id 'x'" in message for _, message in problems)


def test_neutral_sides_do_not_fight_and_a_change_of_stance_makes_them():
    data = toy_dict()
    data["relations"] = [
        {"sides": ["blue", "red"], "stance": "neutral", "until": "1919-01-05", "source": CITE}
    ]
    data["orders"][0]["date"] = "1919-01-01"
    result = simulate(_scenario(data), seed=1)
    starts = _events(result, "engagement_start")
    assert starts and starts[0].t >= 5.0
    changes = _events(result, "relation")
    assert changes and changes[0].old == "neutral" and changes[0].new == "hostile"


def _with_grey(data: dict, at: str | None = None, men: int = 500, **unit) -> None:
    """Add a grey side neutral to both blue and red, and (``at``) a grey unit there."""
    data["sides"].append({"id": "grey", "name": "Grey", "colour": "#888888"})
    data["relations"] = [
        {"sides": ["blue", "grey"], "stance": "neutral", "source": CITE},
        {"sides": ["red", "grey"], "stance": "neutral", "source": CITE},
    ]
    if at is not None:
        grey = {
            "id": "grey_1",
            "name": "Grey garrison",
            "side": "grey",
            "kind": "regiment",
            "strength_men": men,
            "quality": "trained",
            "location": at,
            "source": CITE,
        }
        data["units"].append(grey | unit)


def test_a_neutral_garrison_keeps_an_attacker_out_of_an_enemy_town_until_it_leaves():
    # Grey troops stand in red-held C; grey is neutral to blue. Blue halts before C
    # while they are there (as the Red Army entered Vilnius only once the German
    # garrison had left) and attacks red once they have gone on the 6th.
    data = toy_dict()
    _with_grey(data, at="c", departs="1919-01-06")
    data["orders"][0]["date"] = "1919-01-01"
    result = simulate(_scenario(data), seed=1)
    starts = _events(result, "engagement_start")
    assert starts and starts[0].place == "c" and starts[0].t >= 5.0
    assert "grey_1" not in starts[0].defenders
    without = toy_dict()
    without["orders"][0]["date"] = "1919-01-01"
    early = _events(simulate(_scenario(without), seed=1), "engagement_start")
    assert early and early[0].t < 5.0  # the garrison, not the road, held blue back


def test_belief_that_a_side_will_not_fight_is_dropped_for_units_it_has_fought():
    data = _intent_toy(red_men=2000, blue_men=600)
    data["relations"] = [
        {
            "sides": ["blue", "red"],
            "stance": "hostile",
            "believed": {"blue": "neutral"},
            "source": CITE,
        }
    ]
    result = simulate(_scenario(data), seed=1)
    attacks = [e for e in _events(result, "decision") if e.action == "attack"]
    assert attacks and "no enemy seen" in attacks[0].reason  # red was not counted
    assert _events(result, "engagement_start")  # ...and fought all the same


def test_perception_sees_only_within_reach_and_estimates_are_seeded():
    world = build_world(_scenario(_intent_toy()), seed=3)
    world.env.run(until=0.1)
    near = Picture(side="blue", recon_links=1, estimate_error=0.3, memory_days=3, seed=3)
    near.look(world)
    assert "c" not in near.visible_places(world)  # blue at a sees a and b only
    far = Picture(side="blue", recon_links=2, estimate_error=0.3, memory_days=3, seed=3)
    far.look(world)
    assert "red_1" in far.sightings
    again = Picture(side="blue", recon_links=2, estimate_error=0.3, memory_days=3, seed=3)
    again.look(world)
    assert again.sightings["red_1"].men == far.sightings["red_1"].men != 400


def _ring_toy(second_arrives: str | None) -> dict:
    """Red holds C; blue stands at B, and a second blue regiment at E (C's third road)
    from the start, or arriving on ``second_arrives``."""
    data = toy_dict()
    toy_town(data, "e", "Echo", 55.2, 24.6, "c")
    data["units"].append(
        {
            "id": "blue_2",
            "name": "Blue 2nd",
            "side": "blue",
            "kind": "regiment",
            "strength_men": 1000,
            "quality": "regular",
            "location": "e",
            "source": CITE,
        }
    )
    data["orders"] = []
    data["units"][0]["location"] = "b"
    data["intents"] = [
        {
            "id": "red_hold",
            "side": "red",
            "units": ["red_1"],
            "objectives": [{"hold": "c", "units": ["red_1"]}],
            "source": CITE,
        }
    ]
    if second_arrives is not None:
        data["units"][-1]["arrives"] = second_arrives
    return data


def test_garrison_nearly_surrounded_by_a_stronger_enemy_falls_back():
    # The second regiment comes up at E on the third day: the ring is closing.
    result = simulate(_scenario(_ring_toy("1919-01-03")), seed=1)
    withdrawals = [e for e in _events(result, "order") if e.action == "withdraw"]
    assert withdrawals and "nearly surrounded" in withdrawals[0].reason


def test_a_garrison_holds_against_the_front_it_took_its_stand_against():
    # Blue stood at B and E when red's commander took his stand at C: a front, not a
    # ring closing (a Lithuanian force had retaken Jieznas and left it the same day
    # for the Soviets at Alytus and Stakliskes, who had been there all along).
    result = simulate(_scenario(_ring_toy(None)), seed=1)
    assert not [e for e in _events(result, "order") if "nearly surrounded" in e.reason]


def test_conditional_arrival():
    data = toy_dict()
    data["units"].append(
        {
            "id": "red_2",
            "name": "Red 2nd",
            "side": "red",
            "kind": "regiment",
            "strength_men": 300,
            "quality": "regular",
            "location": "d",
            "arrives_when": {"lost": {"place": "c", "side": "red"}},
            "source": CITE,
        }
    )
    result = simulate(_scenario(data), seed=1)
    lost = next(e for e in _events(result, "control_change") if e.place == "c")
    arrival = next(e for e in _events(result, "arrival") if e.unit == "red_2")
    assert arrival.t >= lost.t


@pytest.mark.parametrize("season,slower", [("winter", True), ("summer", False)])
def test_winter_slows_the_march(season: str, slower: bool):
    data = toy_dict()
    data["season"] = {"calendar": [{"season": season, "start": "1919-01-01", "end": "1919-01-10"}]}
    result = simulate(_scenario(data), seed=1)
    move = _events(result, "move_start")[0]
    end = next(e for e in _events(result, "move_end") if e.unit == move.unit)
    days = end.t - move.t
    assert (days > 22.96 / 25 + 0.01) is slower


def test_variant_removes_and_replaces_intents_by_id(tmp_path):
    from campaign.errors import ScenarioError
    from campaign.scenario.loader import load_scenario
    from campaign.scenario.overrides import Overrides

    root = Path(__file__).resolve().parents[2]
    variant = tmp_path / "v.yaml"
    variant.write_text(
        "remove_intents: [pskov_alytus]\nintents:\n  - id: pskov_north\n    date: 1919-02-10\n"
    )
    scenario = load_scenario(
        root / "scenarios" / "kaunas_1919.yaml", Overrides(variants=[str(variant)])
    )
    ids = [i.id for i in scenario.intents]
    assert "pskov_alytus" not in ids and "pskov_jieznas" in ids
    north = next(i for i in scenario.intents if i.id == "pskov_north")
    assert str(north.date) == "1919-02-10" and north.objectives  # merged, not replaced
    variant.write_text("remove_intents: [nope]\n")
    with pytest.raises(ScenarioError, match="no intent with id 'nope'"):
        load_scenario(root / "scenarios" / "kaunas_1919.yaml", Overrides(variants=[str(variant)]))


def test_replacements_join_on_their_date_or_condition_and_men_are_accounted():
    from campaign.replay.summary import losses_by_side

    data = toy_dict()
    data["replacements"] = [
        {"unit": "blue_1", "men": 200, "date": "1919-01-03", "source": CITE},
        {
            "unit": "red_1",
            "men": 100,
            "when": {"lost": {"place": "c", "side": "red"}},
            "source": CITE,
        },
    ]
    result = simulate(_scenario(data), seed=1)
    joined = _events(result, "replacements")
    assert [e.unit for e in joined][:1] == ["blue_1"] and joined[0].t >= 2.25
    blue = result.world.units["blue_1"]
    accounted = blue.men + blue.killed + blue.wounded + blue.captured + blue.departed_men
    assert abs(blue.arrived_men - accounted) < 1e-6 and blue.arrived_men == 1200
    del losses_by_side


def _division_toy(kind: str) -> dict:
    data = _intent_toy(red_men=300, blue_men=3000)
    data["units"][0]["kind"] = kind
    return data


def test_a_lone_division_leaves_a_detachment_in_the_town_it_takes_and_goes_on():
    result = simulate(_scenario(_division_toy("division")), seed=1)
    detached = _events(result, "detach")
    assert [(e.parent, e.place) for e in detached] == [("blue_1", "c")]
    det = result.units[detached[0].unit]
    assert 100 <= detached[0].men <= 400 and det.side == "blue" and det.kind == "detachment"
    assert det.location == "c"  # it holds the town while the division goes on to D
    assert result.units["blue_1"].location == "d"
    # The men moved from one unit to the other: the side's totals still add up.
    blue = result.units["blue_1"]
    lost = blue.killed + blue.wounded + blue.captured + det.killed + det.wounded + det.captured
    assert abs(blue.men + det.men + lost - 3000) < 1e-6


def test_a_regiment_goes_on_whole():
    result = simulate(_scenario(_division_toy("regiment")), seed=1)
    assert not _events(result, "detach")


def test_a_detachment_is_in_the_replay_order_of_battle(tmp_path):
    from campaign.render.scene import load_scene
    from campaign.replay.reader import order_of_battle, read_replay
    from campaign.replay.writer import write_run

    result = simulate(_scenario(_division_toy("division")), seed=1)
    write_run(result, tmp_path / "run")
    units = {u["id"]: u for u in order_of_battle(read_replay(tmp_path / "run").events)}
    assert units["blue_1.d1"]["parent"] == "blue_1" and units["blue_1.d1"]["side"] == "blue"
    assert load_scene(tmp_path / "run").units["blue_1.d1"].side == "blue"


def test_a_near_condition_fires_when_the_other_side_comes_up_whatever_the_stance():
    # A grey post at C, neutral to blue, leaves when blue's column comes up next to it;
    # blue, kept out while the post stands there, goes on through C once it has gone.
    data = toy_dict()
    data["control"] = {"a": "blue", "b": "none", "c": "red", "d": "red"}
    data["units"][1]["location"] = "d"
    _with_grey(data, at="c", men=100, kind="company", name="Grey post")
    data["orders"] = [
        {
            "id": "grey_goes",
            "unit": "grey_1",
            "action": "leave",
            "when": {"near": {"side": "blue", "place": "c"}},
            "source": CITE,
        },
        {"unit": "blue_1", "date": "1919-01-01", "action": "attack", "target": "d", "source": CITE},
    ]
    result = simulate(_scenario(data), seed=1)
    fired = [e for e in _events(result, "trigger") if "grey_goes" in e.what]
    left = _events(result, "departure")
    assert fired and left and left[0].unit == "grey_1"
    blue_at_b = next(
        e for e in _events(result, "move_end") if e.unit == "blue_1" and e.place == "b"
    )
    assert fired[0].t >= blue_at_b.t - 1e-9  # not before blue stood next to the post
    blue_at_c = next(
        e for e in _events(result, "move_end") if e.unit == "blue_1" and e.place == "c"
    )
    assert blue_at_c.t >= left[0].t  # blue went on only once the post had gone


def test_a_commander_does_not_march_on_a_place_neutral_troops_stand_in():
    # Blue's intent is to take red-held D, where grey troops (neutral to blue) stand:
    # blue waits at A instead of gathering next to D.
    data = _intent_toy()
    _with_grey(data, at="d")
    data["intents"][0]["objectives"] = [{"take": "d"}]
    data["units"][1]["location"] = "d"
    data["control"] = {"a": "blue", "b": "blue", "c": "none", "d": "red"}
    result = simulate(_scenario(data), seed=1)
    waits = [e for e in _events(result, "decision") if e.action == "wait"]
    assert waits and "not at war" in waits[0].reason
    assert result.world.units["blue_1"].location == "a"
    assert not _events(result, "engagement_start")


def _reserve_toy(blue_men: int) -> dict:
    """Red holds C with a regiment and keeps a reserve company at D; blue attacks C."""
    data = toy_dict(end="1919-01-06")
    data["units"][0]["strength_men"] = blue_men
    data["units"].append(
        {
            "id": "red_reserve",
            "name": "Red reserve",
            "side": "red",
            "kind": "company",
            "strength_men": 100,
            "quality": "trained",
            "location": "d",
            "source": CITE,
        }
    )
    data["intents"] = [
        {
            "id": "red_defence",
            "side": "red",
            "units": ["red_1", "red_reserve"],
            "objectives": [{"hold": "c", "units": ["red_1"]}],
            "source": CITE,
        }
    ]
    data["orders"][0]["date"] = "1919-01-01"
    return data


def test_a_threatened_place_is_reinforced_unless_it_is_a_lost_cause():
    def reinforced(blue_men: int) -> bool:
        result = simulate(_scenario(_reserve_toy(blue_men)), seed=1)
        return any(
            e.unit == "red_reserve" and e.reason.startswith("reinforce c")
            for e in _events(result, "order")
        )

    assert reinforced(600)  # 400 + 100 against 600: worth sending the company
    assert not reinforced(6000)  # against ten times as many the company is kept


def test_units_do_not_gather_in_a_town_where_neutral_troops_stand():
    # Blue gathers before red-held C: B, next to it and nearest, holds a grey garrison
    # (neutral to blue), so blue gathers at E, C's other neighbour, instead.
    from campaign.command.staff import _staging

    data = toy_dict()
    toy_town(data, "e", "Echo", 55.3, 24.6, "a", "c")
    data["control"]["e"] = "blue"
    _with_grey(data, at="b")
    world = build_world(_scenario(data), seed=1)
    world.env.run(until=0.1)
    blue = [world.units["blue_1"]]
    assert _staging(world, "blue", blue, "c") == "e"
    world.units["grey_1"].men = 0.0  # no one stands there: B, the nearer, again
    world.recount(world.units["grey_1"])
    assert _staging(world, "blue", blue, "c") == "b"


def test_units_gather_on_the_way_in_rather_than_in_a_town_of_ours_far_round():
    # Blue at A gathers before red C. B, on the way in, is no one's; F, ours, also
    # touches C but lies some 200 km round by the north. A town of ours is worth a
    # day's march more, not any detour: blue gathers at B (it used to go to F).
    from campaign.command.staff import _staging

    data = toy_dict()
    data["control"]["b"] = "none"
    toy_town(data, "n", "November", 56.0, 24.3, "a")
    toy_town(data, "f", "Foxtrot", 55.5, 24.9, "n", "c")
    data["control"].update({"n": "blue", "f": "blue"})
    world = build_world(_scenario(data), seed=1)
    world.env.run(until=0.1)
    blue = [world.units["blue_1"]]
    assert _staging(world, "blue", blue, "c") == "b"
    world.control["b"] = "blue"  # ours as well: nearer still
    assert _staging(world, "blue", blue, "c") == "b"


def test_a_formation_that_has_assembled_goes_on_without_being_called_back():
    # Blue assembles at B, then takes C: once both units stood at B the assembly is
    # done; leaving B for C does not send them back to it.
    data = toy_dict()
    data["units"].append(toy_unit("blue_2", "blue", 600, "a"))
    data["orders"] = []
    data["intents"] = [
        {
            "id": "blue_operation",
            "side": "blue",
            "units": ["blue_1", "blue_2"],
            "date": "1919-01-02",
            "objectives": [{"assemble": "b"}, {"take": "c"}],
            "source": CITE,
        }
    ]
    result = simulate(_scenario(data), seed=1)
    back = [e for e in _events(result, "order") if e.target == "b" and e.t > 2.0]
    assert not back
    taken = [e for e in _events(result, "control_change") if e.place == "c" and e.new == "blue"]
    assert taken


def test_an_objective_behind_a_seen_enemy_is_weighed_where_the_fight_would_be():
    # Blue at B is to take D; no enemy is seen at D, but red's 2,000 men stand at C,
    # on the only road there. The odds are weighed at C (0.3:1): blue waits instead of
    # marching on D "where no enemy is seen" and running into C.
    data = _intent_toy(red_men=2000, blue_men=600)
    data["units"][0]["location"] = "b"
    data["intents"][0]["objectives"] = [{"take": "d"}]
    result = simulate(_scenario(data), seed=1)
    assert not _events(result, "engagement_start")
    waits = [e for e in _events(result, "decision") if e.action == "wait"]
    assert waits and waits[0].target == "c"
    assert waits[0].reason.startswith("take d: first c: perceived 0.")


def test_a_wait_while_no_unit_is_near_says_so_instead_of_odds_of_nought():
    # Blue's cavalry at A sees two roads ahead: red at C, two marches off.
    data = _intent_toy(red_men=2000, blue_men=600)
    data["units"][0]["kind"] = "cavalry"
    result = simulate(_scenario(data), seed=1)
    waits = [e for e in _events(result, "decision") if e.action == "wait"]
    first = waits[0]
    assert first.reason.startswith("take c: none of its units near it yet (enemy power ")
    assert first.reason.endswith("; gathering at b")
    assert first.perceived_ratio is None and first.true_ratio is None
    assert any(e.reason.startswith("take c: perceived 0.") for e in waits[1:])  # at B


def test_a_unit_next_to_the_objective_is_not_sent_far_round_the_enemy_to_gather():
    # Blue waits before red's 2,000 at C with a regiment at B and a battalion at E, on
    # the far side of C; from E to B the road round C runs 150 km by the north. The
    # battalion waits at E instead of marching round (a Soviet regiment had marched
    # 150 km round Alytus to gather at Jieznas, next door).
    data = _intent_toy(red_men=2000, blue_men=600)
    data["units"][0]["location"] = "b"
    toy_town(data, "e", "Echo", 55.1, 24.7, "c")
    toy_town(data, "n", "November", 55.9, 24.6, "e")
    data["map"]["links"].append({"a": "n", "b": "a", "road": "main"})
    data["control"].update({"e": "blue", "n": "blue"})
    data["units"].append(toy_unit("blue_bn", "blue", 400, "e"))
    data["intents"][0]["units"] = ["blue_1", "blue_bn"]
    result = simulate(_scenario(data), seed=1)
    moves = [e for e in _events(result, "move_start") if e.unit == "blue_bn"]
    assert not moves
    held = [e for e in _events(result, "order") if e.unit == "blue_bn"]
    assert held and "far round the enemy" in held[0].reason
