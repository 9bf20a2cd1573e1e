"""The recorded replays in replays/ are exactly what the engine produces today."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from campaign.api import run
from campaign.replays_build import RECORDED_SEED, SHIPPED

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("scenario", SHIPPED)
def test_recorded_replay_is_regenerated_identically(scenario: str, tmp_path: Path):
    recorded = ROOT / "replays" / Path(scenario).stem
    cwd = os.getcwd()
    os.chdir(ROOT)  # the header records the scenario path relative to the repository
    try:
        run(scenario, seed=RECORDED_SEED, out=tmp_path / "run")
    finally:
        os.chdir(cwd)
    for name in ("events.jsonl", "control.csv", "strength.csv", "summary.json"):
        assert (tmp_path / "run" / name).read_bytes() == (recorded / name).read_bytes(), (
            f"{recorded / name} is out of date: run `make replays`"
        )


def test_replay_verify_confirms_a_recorded_log(capsys):
    from campaign.cli import main

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        assert main(["replay", "replays/kaunas_1919", "--verify"]) == 0
    finally:
        os.chdir(cwd)
    assert "verified" in capsys.readouterr().out


def test_replay_verify_against_another_scenario_exits_4_not_1(capsys):
    # A log that does not verify is an answer, not an internal error (exit 1).
    from campaign.cli import main

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        code = main(
            [
                "replay",
                "replays/kaunas_1919",
                "--verify",
                "--scenario",
                "scenarios/northeast_1919.yaml",
            ]
        )
    finally:
        os.chdir(cwd)
    assert code == 4
    assert (
        "is scenario 'northeast_1919'; the log is a run of 'kaunas_1919'" in capsys.readouterr().out
    )
