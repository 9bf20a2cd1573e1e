"""Calibration: Lanchester coefficients from strength series, multipliers from the record."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from toy import toy_dict

from campaign.analysis.calibrate import (
    calibrate_multipliers,
    fit_lanchester,
    fit_lanchester_run,
    parse_parameter,
    square_law_series,
    strength_series,
)
from campaign.cli import main
from campaign.errors import CampaignError
from campaign.scenario.schema import Scenario
from campaign.simulate import simulate

# Engel (1954): Iwo Jima, aimed fire, coefficients per day.
A_JAPANESE_ON_US = 0.0544
B_US_ON_JAPANESE = 0.0106
LANDINGS = {0: 54_000, 2: 6_000, 5: 13_000}  # day -> US men landed
JAPANESE = 21_500
DAYS = 36


def iwo_jima(a: float = A_JAPANESE_ON_US, b: float = B_US_ON_JAPANESE) -> Scenario:
    cite = {"ref": "engel"}
    units = [
        {
            "id": "garrison",
            "name": "Japanese garrison",
            "side": "japan",
            "kind": "army",
            "strength_men": JAPANESE,
            "quality": "regular",
            "location": "iwo",
            "source": cite,
        }
    ]
    units += [
        {
            "id": f"us_{day}",
            "name": f"US landing day {day + 1}",
            "side": "usa",
            "kind": "division",
            "strength_men": men,
            "quality": "regular",
            "location": "iwo",
            "arrives": f"1945-02-{19 + day}",
            "source": cite,
        }
        for day, men in LANDINGS.items()
    ]
    return Scenario.model_validate(
        {
            "id": "iwo",
            "title": "Iwo Jima",
            "start": "1945-02-19",
            "end": "1945-03-26",
            "sources": [{"id": "engel", "file": "Engel 1954"}],
            "map": {
                "gazetteer": "none",
                "places": [{"id": "iwo", "name": "Iwo Jima", "lat": 24.78, "lon": 141.32}],
            },
            "combat": {
                "model": "lanchester_square",
                "break_points": False,
                "position_depth_km": 0,
                "variation": 0,
                "coefficients": {"japan": a, "usa": b},
            },
            "sides": [
                {"id": "usa", "name": "USA", "colour": "#1f4e9c"},
                {"id": "japan", "name": "Japan", "colour": "#b22222"},
            ],
            "control": {"iwo": "japan"},
            "units": units,
        }
    )


def test_engine_series_has_the_landings_as_reinforcements():
    series = strength_series(simulate(iwo_jima(), seed=0))
    assert series.strength["usa"][0] == 54_000 and series.strength["japan"][0] == JAPANESE
    assert series.reinforcements["usa"][2] == 6_000 and series.reinforcements["usa"][5] == 13_000
    assert series.reinforcements["japan"].sum() == 0
    assert series.strength["japan"][DAYS - 1] < 0.1 * JAPANESE


def test_fit_recovers_engels_coefficients_from_an_engine_run_within_two_percent():
    fit = fit_lanchester_run(simulate(iwo_jima(), seed=0), "usa", "japan")
    assert fit.success
    assert fit.a == pytest.approx(A_JAPANESE_ON_US, rel=0.02)
    assert fit.b == pytest.approx(B_US_ON_JAPANESE, rel=0.02)
    assert fit.rms_relative_error < 1e-3


def test_fit_recovers_other_coefficients_from_noisy_series():
    rng = np.random.default_rng(7)
    reinforcements = np.zeros(DAYS + 1)
    reinforcements[[2, 5]] = [6_000, 13_000]
    us, jp = square_law_series(0.03, 0.015, 54_000, JAPANESE, reinforcements, np.zeros(DAYS + 1))
    noisy_us = us * (1 + 0.002 * rng.standard_normal(us.shape))
    fit = fit_lanchester(noisy_us, jp, reinforcements, np.zeros(DAYS + 1))
    assert fit.a == pytest.approx(0.03, rel=0.02) and fit.b == pytest.approx(0.015, rel=0.02)


def test_unknown_multiplier_is_refused_with_a_suggestion():
    with pytest.raises(CampaignError, match="did you mean 'quality.volunteer'"):
        parse_parameter("quality.volunter", {})
    p = parse_parameter("posture.prepared=1.2:1.8", {})
    assert (p.low, p.high, p.current) == (1.2, 1.8, 1.5)


def _toy_with_history(tmp_path: Path) -> Path:
    data = toy_dict()
    data["units"][0]["strength_men"] = 500
    data["units"][0]["strength_range"] = [300, 700]
    data["units"][1]["strength_range"] = [250, 600]
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    history = {
        "scenario": "toy",
        "sources": [{"id": "toy", "file": "synthetic"}],
        "checkpoints": [
            {"place": "c", "date": "1919-01-05", "side": "blue", "source": {"ref": "toy"}},
            {"place": "c", "date": "1919-01-10", "side": "blue", "source": {"ref": "toy"}},
        ],
    }
    (tmp_path / "toy.history.yaml").write_text(yaml.safe_dump(history), encoding="utf-8")
    return path


def test_multiplier_calibration_finds_a_better_match_than_the_default(tmp_path: Path):
    path = _toy_with_history(tmp_path)
    result = calibrate_multipliers(path, ["quality.regular=0.8:2.0"], runs=4)
    assert result.current["share"] < 1.0  # blue takes C in only some runs at the default
    assert result.best["share"] > result.current["share"]
    assert result.best["quality.regular"] > 1.0  # better blue regulars take C more often
    assert result.overrides()[0].startswith("--set combat.multipliers.quality.regular=")
    assert len(result.points) >= 10


def test_cli_calibrate_prints_the_table(tmp_path: Path, capsys):
    path = _toy_with_history(tmp_path)
    assert (
        main(["calibrate", str(path), "--param", "base_daily_loss", "--runs", "2", "--quiet"]) == 0
    )
    assert "base_daily_loss" in capsys.readouterr().out
    assert main(["calibrate", str(path), "--param", "a", "--param", "b", "--param", "c"]) == 2


def test_a_flat_response_recommends_no_change():
    # Every point matches as much as the current value: nothing to recommend (the
    # report used to name the nearest grid point as "best" with its --set flag).
    from campaign.analysis.calibrate import CalibrationResult, Parameter

    result = CalibrationResult("toy", [Parameter("surprise", 0.5, 1.5, 1.0)], runs=2, base_seed=0)
    result.points = [{"surprise": v, "share": 0.5} for v in (0.5, 0.75, 1.0, 1.25, 1.5)]
    text = result.text()
    assert "no point tried does better: keep the current values" in text
    assert "--set" not in text


def test_calibrate_refuses_a_multiplier_the_law_does_not_read():
    from campaign.analysis.calibrate import parse_parameter
    from campaign.errors import CampaignError

    with pytest.raises(CampaignError, match="tndm law does not read 'posture.hasty'"):
        parse_parameter("posture.hasty", {}, "tndm")
    assert parse_parameter("posture.hasty", {}, "dupuy").name == "posture.hasty"
    assert parse_parameter("quality.trained", {}, "tndm").name == "quality.trained"
