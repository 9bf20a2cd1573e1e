"""The fidelity table compares capture dates only where a capture is being compared."""

from __future__ import annotations

import datetime as dt

from campaign.analysis.fidelity import _capture_error_text, report_text, score_checkpoints
from campaign.scenario.history import Checkpoint, History

HOLDER = {"lithuania": "lithuania", "soviet": "soviet"}


def day(n: int) -> str:
    return (dt.date(1919, 3, 1) + dt.timedelta(days=n)).isoformat()


def history(*rows: tuple[int, str]) -> History:
    return History.model_construct(
        checkpoints=[
            Checkpoint.model_construct(
                place="p", date=dt.date.fromisoformat(day(n)), side=side, event=""
            )
            for n, side in rows
        ]
    )


def table(holders: list[str]) -> dict[str, dict[str, str]]:
    return {day(i): {"p": side} for i, side in enumerate(holders)}


def test_a_capture_taken_early_and_lost_before_an_agreeing_checkpoint_is_not_compared():
    # The run takes p on day 2 and loses it on day 3; the record has soviet on day 3
    # (run and record agree) and a Lithuanian capture on day 5 that the run never makes.
    rows = score_checkpoints(
        history((0, "soviet"), (3, "soviet"), (5, "lithuania"), (7, "soviet")),
        table(["soviet", "soviet", "lithuania", "soviet"] + ["soviet"] * 5),
        HOLDER,
    )
    capture, back = rows[2], rows[3]
    assert capture.capture and capture.date_error_days == -3  # the old field is kept
    assert capture.compared_capture_error_days is None
    assert _capture_error_text(capture.__dict__) == "never"
    # The record's return to soviet: the run never left soviet hands, so nothing to compare.
    assert back.capture and back.matched and _capture_error_text(back.__dict__) == ""


def test_a_late_capture_within_the_window_shows_its_error():
    rows = score_checkpoints(
        history((0, "soviet"), (2, "lithuania")), table(["soviet"] * 4 + ["lithuania"] * 2), HOLDER
    )
    assert rows[1].compared_capture_error_days == 2
    assert _capture_error_text(rows[1].__dict__) == "+2 d"
    assert _capture_error_text(rows[0].__dict__) == ""  # no capture recorded


def test_report_text_explains_the_column_and_keeps_the_json_fields():
    rows = score_checkpoints(
        history((0, "soviet"), (2, "lithuania")), table(["soviet"] * 4 + ["lithuania"] * 2), HOLDER
    )
    report = {
        "scenario": "toy",
        "seed": 0,
        "checkpoints": [r.__dict__ for r in rows],
        "matched": 1,
        "total": 2,
        "share": 0.5,
        "mean_abs_capture_error_days": 2.0,
        "mean_abs_compared_capture_error_days": 2.0,
    }
    text = report_text(report)
    assert "never: the run misses it" in text
    assert "+2 d" in text and "date_error_days" in rows[1].__dict__


def test_the_ensemble_gives_the_median_pace_of_the_runs_that_make_both_captures():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from toy import CITE, toy

    from campaign.analysis.fidelity import fidelity_report

    scenario = toy(
        orders=[
            {
                "unit": "blue_1",
                "date": "1919-01-02",
                "action": "attack",
                "target": "c",
                "source": CITE,
            },
            {
                "unit": "blue_1",
                "date": "1919-01-05",
                "action": "attack",
                "target": "d",
                "source": CITE,
            },
        ]
    )
    record = History.model_construct(
        checkpoints=[
            Checkpoint.model_construct(place=p, date=dt.date(1919, 1, d), side=side, event="")
            for p, d, side in [("c", 1, "red"), ("c", 3, "blue"), ("d", 1, "red"), ("d", 7, "blue")]
        ]
    )
    report = fidelity_report(scenario, record, seed=1, runs=3)
    pace = report["ensemble"]["pace"]["blue"]
    assert pace["runs"] == 3 and pace["median_km_per_day"] is not None
    assert "ensemble pace of advance, blue: median" in report_text(report)
