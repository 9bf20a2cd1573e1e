"""The shipped scenarios keep their match with the record (issues 15 and 16): at least
85 % of the recorded checkpoints on the seeded run, and for the Kaunas and
northeastern campaigns a pace of advance within a factor of 1.5 of the recorded one.
A change to the engine or the commanders that breaks a campaign fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.analysis.fidelity import fidelity_report
from campaign.scenario.history import load_history
from campaign.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
TARGET_SHARE = 0.85
PACE_FACTOR = 1.5


def _report(name: str) -> dict:
    path = SCENARIOS / f"{name}.yaml"
    return fidelity_report(load_scenario(path), load_history(path.with_suffix(".history.yaml")), 1)


@pytest.mark.parametrize("name", ["kaunas_1919", "northeast_1919", "spring_1919", "winter_1918"])
def test_the_seeded_run_matches_the_record(name: str):
    report = _report(name)
    assert report["share"] >= TARGET_SHARE, (report["matched"], report["total"])


@pytest.mark.parametrize("name", ["kaunas_1919", "northeast_1919"])
def test_the_pace_of_advance_is_the_recorded_one_within_a_factor(name: str):
    for side, pace in _report(name)["pace"].items():
        simulated, recorded = pace["simulated_km_per_day"], pace["recorded_km_per_day"]
        assert simulated is not None, side
        assert recorded / PACE_FACTOR <= simulated <= recorded * PACE_FACTOR, (side, pace)
