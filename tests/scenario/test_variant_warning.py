"""A variant list without ids replaces the scenario's whole list, and says so."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from campaign.errors import VariantWarning
from campaign.scenario.loader import load_scenario
from campaign.scenario.overrides import Overrides

ROOT = Path(__file__).resolve().parents[2]
KAUNAS = ROOT / "scenarios" / "kaunas_1919.yaml"
ONE_OBJECTIVE = "objectives:\n  - {side: soviet, place: kaunas, kind: take, by: 1919-02-25}\n"


def test_a_list_without_ids_replaces_the_whole_list_with_a_warning(tmp_path):
    variant = tmp_path / "v.yaml"
    variant.write_text(ONE_OBJECTIVE)
    with pytest.warns(
        VariantWarning,
        match=r"'objectives' lists 1 item\(s\) without ids, so it "
        r"replaces all \d+ of the scenario's",
    ):
        scenario = load_scenario(KAUNAS, Overrides(variants=[str(variant)]))
    assert len(scenario.objectives) == 1


def test_a_list_merged_by_id_gives_no_warning(tmp_path):
    variant = tmp_path / "v.yaml"
    variant.write_text("intents:\n  - id: pskov_alytus\n    date: 1919-02-08\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", VariantWarning)
        load_scenario(KAUNAS, Overrides(variants=[str(variant)]))


def test_the_cli_prints_the_warning_as_one_line(tmp_path):
    variant = tmp_path / "v.yaml"
    variant.write_text(ONE_OBJECTIVE)
    done = subprocess.run(
        [sys.executable, "-m", "campaign", "info", str(KAUNAS), "--variant", str(variant)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: ") and "objectives" in lines[0]
