"""Ensemble tables say what they count and show the n of every interval."""

from __future__ import annotations

from pathlib import Path

import yaml

from campaign.analysis.ensemble import run_ensemble, wilson_interval
from campaign.analysis.ensemble_outcomes import interval_text, share
from campaign.cli import main
from tests.analysis.test_ensemble import contested_toy


def test_an_interval_shows_its_count_and_n_and_a_small_bound_is_not_zero():
    low, high = wilson_interval(0, 1000)
    assert interval_text(0, 1000, low, high) == "0/1000 [0.00, 0.004] n=1000"
    assert share(0.93) == "0.93" and share(0.9996) == "0.9996" and share(1.0) == "1.00"


def test_report_of_an_ensemble_folder_gives_outcomes_with_intervals(tmp_path: Path, capsys):
    scenario = tmp_path / "toy.yaml"
    scenario.write_text(yaml.safe_dump(contested_toy(), sort_keys=False), encoding="utf-8")
    result = run_ensemble(scenario, 6, workers=1, out=tmp_path / "ens", progress=False)
    assert main(["report", str(tmp_path / "ens"), "--html", str(tmp_path / "e.html")]) == 0
    assert main(["report", str(tmp_path / "ens")]) == 0
    text = capsys.readouterr().out
    assert "# Ensemble report" in text and "6 of 6 runs" in text
    met = result.objectives[0]["met"]
    assert f"{met} of 6 runs" in text and f"{met}/6 [" in text and "n=6" in text
    assert "holder_at_end_of" in text and "holds the place at the end of that date" in text
    assert "<table>" in (tmp_path / "e.html").read_text()
