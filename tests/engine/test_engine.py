"""Behaviour of the campaign engine on small synthetic theatres."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from toy import toy, toy_dict, toy_town, toy_unit

from campaign.replay.summary import losses_by_side
from campaign.replay.writer import write_run
from campaign.scenario.schema import Scenario
from campaign.simulate import simulate

QUALITIES = ["veteran", "regular", "trained", "volunteer", "untrained", "partisan"]


def _final_control(result) -> dict[str, str]:
    return dict(result.world.control)


def test_attacker_takes_the_town_and_control_change_has_a_cause():
    result = simulate(toy(), seed=1)
    changes = [e for e in result.events if e.type == "control_change"]
    assert any(e.place == "c" and e.new == "blue" for e in changes)
    assert all(e.cause for e in changes)


def test_weak_attacker_is_repulsed_and_retreats_the_way_it_came():
    data = toy_dict()
    data["units"][0]["strength_men"] = 150
    data["units"][0]["quality"] = "untrained"
    result = simulate(Scenario.model_validate(data), seed=1)
    assert result.world.control["c"] == "red"
    retreats = [e for e in result.events if e.type == "retreat" and e.unit == "blue_1"]
    assert retreats and retreats[0].destination == "b"


def test_same_seed_gives_identical_events_different_seed_may_differ():
    a = [e.to_dict() for e in simulate(toy(), seed=7).events]
    b = [e.to_dict() for e in simulate(toy(), seed=7).events]
    c = [e.to_dict() for e in simulate(toy(), seed=8).events]
    assert a == b
    assert a != c


def test_replay_files_identical_across_processes_and_hash_seeds(tmp_path: Path):
    script = (
        "import sys; sys.path.insert(0, 'tests'); from toy import toy;"
        "from campaign.simulate import simulate;"
        "from campaign.replay.writer import write_run;"
        "write_run(simulate(toy(), seed=5), __import__('pathlib').Path(sys.argv[1]))"
    )
    root = Path(__file__).resolve().parents[2]
    outputs = []
    for hash_seed in ("1", "987"):
        out = tmp_path / f"run{hash_seed}"
        subprocess.run(
            [sys.executable, "-c", script, str(out)],
            check=True,
            cwd=root,
            env={"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin"},
        )
        outputs.append({f.name: f.read_bytes() for f in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
    assert set(outputs[0]) == {
        "events.jsonl",
        "control.csv",
        "strength.csv",
        "summary.json",
        "manifest.json",
    }


def test_untrained_defenders_give_way_where_veterans_hold():
    def holder(quality: str) -> str:
        data = toy_dict()
        data["units"][1]["quality"] = quality
        data["units"][1]["strength_men"] = 800
        return simulate(Scenario.model_validate(data), seed=2).world.control["c"]

    assert holder("untrained") == "blue"
    assert holder("veteran") == "red"


def test_break_points_rank_by_training():
    from campaign.engine.combat import BREAK_POINT

    order = [BREAK_POINT[q] for q in QUALITIES]
    assert order == sorted(order, reverse=True)


def test_partisans_alone_do_not_hold_a_town_against_regulars():
    data = toy_dict()
    data["units"][1].update(kind="partisans", quality="partisan", strength_men=900)
    result = simulate(Scenario.model_validate(data), seed=1)
    assert result.world.control["c"] == "blue"


def test_unit_leaves_the_theatre_on_its_departure_date():
    data = toy_dict()
    data["units"][1]["departs"] = "1919-01-03"
    result = simulate(Scenario.model_validate(data), seed=1)
    dep = [e for e in result.events if e.type == "departure"]
    assert dep and dep[0].unit == "red_1" and dep[0].date == "1919-01-03"
    assert losses_by_side(result)["red"]["departed"] == 400


def test_stronger_attacker_never_does_worse_on_average():
    def capture_rate(men: int) -> float:
        data = toy_dict()
        data["units"][0]["strength_men"] = men
        data["units"][1]["strength_men"] = 700
        wins = 0
        for seed in range(20):
            result = simulate(Scenario.model_validate(data), seed=seed)
            wins += result.world.control["c"] == "blue"
        return wins / 20

    rates = [capture_rate(m) for m in (300, 600, 1200, 2400)]
    assert rates == sorted(rates)
    assert rates[-1] > rates[0]


@st.composite
def random_scenarios(draw):
    data = toy_dict()
    places = ["a", "b", "c", "d"]
    units, orders = [], []
    for i in range(draw(st.integers(2, 6))):
        side = draw(st.sampled_from(["blue", "red"]))
        uid = f"u{i}"
        arrives = draw(st.integers(1, 5))
        departs = draw(st.one_of(st.none(), st.integers(arrives, 10)))
        unit = {
            "id": uid,
            "name": f"Unit {i}",
            "side": side,
            "kind": draw(st.sampled_from(["regiment", "partisans", "battalion"])),
            "strength_men": draw(st.integers(0, 3000)),
            "quality": draw(st.sampled_from(QUALITIES)),
            "location": draw(st.sampled_from(places)),
            "arrives": f"1919-01-{arrives:02d}",
            "source": {"ref": "toy"},
        }
        if departs is not None:
            unit["departs"] = f"1919-01-{departs:02d}"
        units.append(unit)
        for _ in range(draw(st.integers(0, 3))):
            day = draw(st.integers(arrives, departs or 10))
            action = draw(st.sampled_from(["move", "attack", "hold", "withdraw", "leave"]))
            order = {
                "unit": uid,
                "date": f"1919-01-{day:02d}",
                "action": action,
                "source": {"ref": "toy"},
            }
            if action in ("move", "attack", "withdraw"):
                order["target"] = draw(st.sampled_from(places))
            orders.append(order)
    data["units"], data["orders"] = units, orders
    data["combat"] = {
        "model": draw(st.sampled_from(["dupuy", "lanchester_square", "lanchester_linear"])),
        "coefficients": {"blue": 0.05, "red": 0.0001 * 500},
    }
    return Scenario.model_validate(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_scenarios(), st.integers(0, 10_000))
def test_men_are_conserved_and_never_negative(scenario, seed):
    result = simulate(scenario, seed=seed)
    for side, row in losses_by_side(result).items():
        accounted = (
            row["present"] + row["killed"] + row["wounded"] + row["captured"] + row["departed"]
        )
        assert abs(row["arrived"] - accounted) <= 0.5, (side, row)
    for u in result.units.values():
        assert u.men >= 0
    # A unit is at one place at a time, and dates in the log never go back.
    for members in result.world.at_place.values():
        assert len(members) == len(set(members))
    seen = [u for m in result.world.at_place.values() for u in m]
    assert len(seen) == len(set(seen))
    times = [e.t for e in result.events]
    assert times == sorted(times)
    assert all(e.cause for e in result.events if e.type == "control_change")


def test_write_run_produces_all_files(tmp_path: Path):
    summary = write_run(simulate(toy(), seed=1), tmp_path / "run")
    assert (tmp_path / "run" / "control.csv").read_text().startswith("date,town,side\n")
    assert summary["objectives"][0]["met"] in (True, False)


def test_a_joint_attack_goes_in_together():
    # Blue 1st marches from A (two links, two days); the cavalry, ordered against C a
    # day later, is a few hours from it at E. They arrive within the hour.
    data = toy_dict()
    toy_town(data, "e", "Echo", 55.1, 24.6, "c", road="secondary")
    data["control"]["e"] = "blue"
    data["units"].append(
        {
            "id": "blue_cav",
            "name": "Blue cavalry",
            "side": "blue",
            "kind": "cavalry",
            "strength_men": 300,
            "quality": "regular",
            "location": "e",
            "source": {"ref": "toy"},
        }
    )
    arrivals, first = _joint_attack_on_c(data, "blue_cav", "1919-01-03")
    assert set(arrivals) == {"blue_1", "blue_cav"}
    assert abs(arrivals["blue_1"] - arrivals["blue_cav"]) <= 1 / 24 + 1e-9
    assert set(first.attackers) <= {"blue_1", "blue_cav"}


def _joint_attack_on_c(data: dict, comrade: str, date: str) -> tuple[dict[str, float], Any]:
    """Run the toy with ``comrade`` also ordered against C on ``date`` (and a second
    red place next to C, so Red 1st is not threatened with encirclement): the times
    the units arrive at C and the first fight there."""
    data["orders"].append(
        {"unit": comrade, "date": date, "action": "attack", "target": "c", "source": {"ref": "toy"}}
    )
    toy_town(data, "f", "Foxtrot", 54.75, 24.6, "c")
    data["control"]["f"] = "red"
    result = simulate(Scenario.model_validate(data), seed=1)
    arrivals = {e.unit: e.t for e in result.events if e.type == "move_end" and e.place == "c"}
    first = next(e for e in result.events if e.type == "engagement_start" and e.place == "c")
    return arrivals, first


def test_a_joint_attack_waits_for_a_comrade_on_a_long_road_in():
    # Blue 1st, at B, is hours from C; the battalion at G, also next to C, is three
    # days out by a track. Both are ordered against C on the same day. Blue 1st no
    # longer goes in alone after a day's wait: the two arrive together.
    data = toy_dict()
    data["units"][0]["location"] = "b"
    toy_town(data, "g", "Golf", 55.6, 24.6, "c", road="track")
    data["control"]["g"] = "blue"
    data["units"].append(toy_unit("blue_bn", "blue", 450, "g"))
    arrivals, first = _joint_attack_on_c(data, "blue_bn", "1919-01-02")
    assert arrivals["blue_bn"] - 0.25 > 2.0  # a long march in
    assert abs(arrivals["blue_1"] - arrivals["blue_bn"]) <= 1 / 24 + 1e-9
    assert set(first.attackers) <= {"blue_1", "blue_bn"}


def test_presence_tally_agrees_with_the_units_standing_at_every_place():
    """hostiles_present answers from the tally what hostiles_at finds by looking."""
    from campaign.simulate import build_world

    for seed in (1, 2, 3):
        world = build_world(toy(), seed)
        sides = [s.id for s in world.scenario.sides]
        while world.env.peek() < world.days:
            world.env.step()
            for place in world.links:
                for side in sides:
                    found = bool(world.hostiles_at(place, side))
                    assert world.hostiles_present(place, side) == found, (place, side)
