"""Combat laws against their closed-form solutions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from toy import toy

from campaign.engine import combat
from campaign.simulate import simulate


def _camp(men: float, side: str) -> combat.Camp:
    one = np.array([1.0])
    return combat.Camp(
        men=np.array([men]),
        guns=0 * one,
        machine_guns=0 * one,
        quality=one,
        morale=one,
        sides=[side],
    )


def test_square_law_step_is_exact_solution():
    law = combat.LanchesterSquare({"blue": 0.04, "red": 0.09})
    a0, b0, t = 1000.0, 600.0, 3.0
    out = law.step(_camp(a0, "blue"), _camp(b0, "red"), combat.Situation(), t, None)
    alpha, beta = 0.09, 0.04
    w = math.sqrt(alpha * beta)
    a = a0 * math.cosh(w * t) - math.sqrt(alpha / beta) * b0 * math.sinh(w * t)
    b = b0 * math.cosh(w * t) - math.sqrt(beta / alpha) * a0 * math.sinh(w * t)
    assert math.isclose(a0 - out.attacker[0], a, rel_tol=1e-9)
    assert math.isclose(b0 - out.defender[0], b, rel_tol=1e-9)


def test_linear_law_conserves_its_invariant():
    law = combat.LanchesterLinear({"blue": 0.0002, "red": 0.0003})
    out = law.step(_camp(1000, "blue"), _camp(800, "red"), combat.Situation(), 2.0, None)
    a1, b1 = 1000 - out.attacker[0], 800 - out.defender[0]
    # beta*A - alpha*B is constant along the linear law's trajectories.
    assert math.isclose(0.0002 * a1 - 0.0003 * b1, 0.0002 * 1000 - 0.0003 * 800, abs_tol=1e-9)


def test_two_force_duel_in_the_engine_matches_closed_form_within_one_percent():
    scenario = toy(
        combat={
            "model": "lanchester_square",
            "coefficients": {"blue": 0.05, "red": 0.08},
            "break_points": False,
        },
        orders=[],
        units=[
            {
                "id": "blue_1",
                "name": "Blue",
                "side": "blue",
                "kind": "regiment",
                "strength_men": 2000,
                "quality": "regular",
                "location": "c",
                "arrives": "1919-01-02",
                "source": {"ref": "toy"},
            },
            {
                "id": "red_1",
                "name": "Red",
                "side": "red",
                "kind": "regiment",
                "strength_men": 1500,
                "quality": "regular",
                "location": "c",
                "source": {"ref": "toy"},
            },
        ],
    )
    result = simulate(scenario, seed=3)
    steps = [e for e in result.events if e.type == "engagement_step"]
    lost = {"blue_1": 0.0, "red_1": 0.0}
    for e in steps:
        for unit, (k, w, c) in e.losses.items():
            lost[unit] += k + w + c
    t = len(steps) * 0.25  # blue arrives on day 1, the fight runs to the scenario end
    alpha, beta = 0.08, 0.05  # red fire on blue, blue fire on red
    w_ = math.sqrt(alpha * beta)
    blue = 2000 * math.cosh(w_ * t) - math.sqrt(alpha / beta) * 1500 * math.sinh(w_ * t)
    red = 1500 * math.cosh(w_ * t) - math.sqrt(beta / alpha) * 2000 * math.sinh(w_ * t)
    assert abs((2000 - lost["blue_1"]) - blue) / blue < 0.01
    assert abs((1500 - lost["red_1"]) - red) / red < 0.01


def test_dupuy_defaults_are_the_documented_ones():
    assert combat.POSTURE["prepared"] == 1.5
    assert combat.POSTURE["hasty"] == 1.3
    assert (
        combat.defender_multiplier(combat.Situation(posture="prepared", river="Neris"), {})
        == 1.5 * 1.0 * 1.5
    )


def test_stronger_attacker_takes_heavier_toll_on_defender():
    model = combat.DupuyModel(variation=0.0)
    weak = model.step(
        _camp(500, "blue"), _camp(500, "red"), combat.Situation(), 1.0, np.random.default_rng(0)
    )
    strong = model.step(
        _camp(1500, "blue"), _camp(500, "red"), combat.Situation(), 1.0, np.random.default_rng(0)
    )
    assert strong.defender[0] > weak.defender[0]
    assert strong.attacker[0] / 1500 < weak.attacker[0] / 500


def _tndm_duel(blue_men: float, red_men: float, seed: int = 1):
    scenario = toy(
        combat={"model": "tndm"},
        orders=[],
        units=[
            {
                "id": "blue_1",
                "name": "Blue",
                "side": "blue",
                "kind": "regiment",
                "strength_men": blue_men,
                "quality": "regular",
                "location": "c",
                "arrives": "1919-01-02",
                "source": {"ref": "toy"},
            },
            {
                "id": "red_1",
                "name": "Red",
                "side": "red",
                "kind": "regiment",
                "strength_men": red_men,
                "quality": "regular",
                "location": "c",
                "source": {"ref": "toy"},
            },
        ],
    )
    return simulate(scenario, seed=seed).events


def test_tndm_needs_no_coefficients_and_decides_a_small_fight_in_its_active_hours():
    events = _tndm_duel(3000, 1000)
    start = next(e for e in events if e.type == "engagement_start")
    end = next(e for e in events if e.type == "engagement_end")
    # CDB90: fights of under 10,000 men last about 9 hours (0.39 days): decided at the
    # end of the second 6-hour step.
    assert end.t - start.t == pytest.approx(0.5)
    assert end.winner == "attacker"  # 3:1 in the open: the defender gives way
    retreat = next(e for e in events if e.type == "retreat")
    assert retreat.unit == "red_1" and ("gave way" in retreat.reason or "routed" in retreat.reason)


def test_tndm_repulses_an_attack_at_poor_odds_and_the_attacker_loses_more():
    events = _tndm_duel(800, 1600)
    end = next(e for e in events if e.type == "engagement_end")
    assert end.winner == "defender"
    share = {
        side: (v["killed"] + v["wounded"] + v["captured"]) / v["men"]
        for side, v in end.losses.items()
    }
    assert share["blue"] > share["red"]


def test_tndm_rout_is_drawn_from_the_seed_and_costs_the_defender_more():
    lost, reasons = {}, set()
    for seed in range(12):
        events = _tndm_duel(3000, 1000, seed)
        end = next(e for e in events if e.type == "engagement_end")
        red = end.losses["red"]
        reason = next(e for e in events if e.type == "retreat").reason
        kind = "routed" if reason.startswith("routed") else "gave way"
        reasons.add(kind)
        lost.setdefault(kind, []).append(red["killed"] + red["wounded"] + red["captured"])
    assert reasons == {"routed", "gave way"}
    assert min(lost["routed"]) > max(lost["gave way"])
    assert _tndm_duel(3000, 1000, 5) == _tndm_duel(3000, 1000, 5)
