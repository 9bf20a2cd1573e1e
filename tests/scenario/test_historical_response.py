"""The shipped scenarios' outcomes respond to the forces in them (nothing is scripted)."""

from __future__ import annotations

from pathlib import Path

from campaign.scenario import load_scenario
from campaign.scenario.overrides import Overrides
from campaign.simulate import simulate

ROOT = Path(__file__).resolve().parents[2]
KAUNAS = ROOT / "scenarios" / "kaunas_1919.yaml"
CONTESTED = ("kedainiai", "seta", "jieznas", "alytus")
RUNS = 12


def _share(overrides: Overrides, side: str, places=CONTESTED) -> float:
    scenario = load_scenario(KAUNAS, overrides)
    held = 0
    for seed in range(RUNS):
        control = simulate(
            scenario, seed=seed, daily_log=False, sample_strengths=True
        ).world.control
        held += sum(control[p] == side for p in places)
    return held / (RUNS * len(places))


def test_doubling_the_soviets_makes_soviet_control_more_likely():
    base = _share(Overrides(), "soviet")
    doubled = _share(Overrides(scales=["soviet=2"]), "soviet")
    assert doubled > base


def test_removing_the_saxon_volunteers_changes_the_outcome_around_alytus():
    around_alytus = ("alytus", "jieznas")
    base = _share(Overrides(), "lithuania", around_alytus)
    without = _share(Overrides(scales=["germany=0"]), "lithuania", around_alytus)
    assert without < base


def test_named_forces_appear_in_the_scenarios():
    kaunas = KAUNAS.read_text(encoding="utf-8")
    northeast = (ROOT / "scenarios" / "northeast_1919.yaml").read_text(encoding="utf-8")
    assert "Pskov Division" in kaunas and "Saxon" in kaunas
    assert "Panevėžys Group" in northeast and "18th Saxon Regiment" in northeast
