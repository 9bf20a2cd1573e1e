"""What-if tempo (issue 15): capture probability and day per strength factor, and the
check that the response is monotone within sampling error."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from toy import toy_dict  # noqa: E402

from campaign.analysis.tempo import (  # noqa: E402
    MIN_CAPTURES_FOR_DAYS,
    PlaceTempo,
    capture_tempo,
    reversal_report,
    reversals,
)
from campaign.scenario.loader import load_scenario  # noqa: E402
from campaign.scenario.overrides import Overrides  # noqa: E402


def _tempo(captured: int, days: list[int] | None = None, runs: int = 40) -> PlaceTempo:
    return PlaceTempo("c", runs, captured, days if days is not None else [10] * captured)


def _attack_on_c(tmp_path: Path) -> Path:
    """The toy line as a file: blue attacks red's C on the second day."""
    import yaml

    data = toy_dict(objectives=[])  # its one order: blue_1 attacks C on 1919-01-02
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_clear_reversal_is_significant_and_a_one_run_difference_is_not():
    # The opponent grows and the counted side takes C more often: 5 runs in 40 -> 30.
    clear = {0.5: {"c": _tempo(5)}, 1.0: {"c": _tempo(30)}}
    found, compared = reversals(clear, rises=False)
    assert [(r.measure, r.significant) for r in found] == [("P(taken)", True)]
    assert "Not monotone" in reversal_report(found, compared, rises=False)
    # A setting in which nothing was taken still counts its 40 runs.
    found, _ = reversals({0.5: {}, 1.0: {"c": _tempo(30)}}, rises=False)
    assert found[0].significant and found[0].p_value < 1e-6
    # 0 runs against 1 in 40 is sampling noise.
    noise = {0.5: {}, 1.0: {"c": _tempo(1)}}
    found, compared = reversals(noise, rises=False)
    assert len(found) == 1 and not found[0].significant and found[0].p_value > 0.4
    assert "within sampling error" in reversal_report(found, compared, rises=False)


def test_the_expected_direction_follows_whose_captures_are_counted():
    fewer = {1.0: {"c": _tempo(30)}, 2.0: {"c": _tempo(5)}}
    assert reversals(fewer, rises=False)[0] == []  # the opponent grew: fewer captures
    assert reversals(fewer, rises=True)[0][0].significant  # own side grew: a reversal


def test_capture_days_are_compared_only_with_enough_captures_on_both_sides():
    few = MIN_CAPTURES_FOR_DAYS - 1
    late = {1.0: {"c": _tempo(40, [10] * 40)}, 2.0: {"c": _tempo(few, [30] * few)}}
    found, compared = reversals(late, rises=True)
    assert [r.measure for r in found] == ["P(taken)"] and compared == 1
    later = {1.0: {"c": _tempo(40, [10] * 40)}, 2.0: {"c": _tempo(40, [30] * 40)}}
    found, compared = reversals(later, rises=True)
    assert [(r.measure, r.significant) for r in found] == [("mean day", True)]
    assert compared == 2


def test_a_stronger_defender_is_taken_less_often(tmp_path):
    path = _attack_on_c(tmp_path)
    by_factor = {
        f: capture_tempo(load_scenario(path, Overrides(scales=[f"red={f}"])), "blue", 4)
        for f in (0.5, 8.0)
    }
    weak, strong = (by_factor[f].get("c") for f in (0.5, 8.0))
    assert weak is not None and weak.probability == 1.0
    assert strong is None or strong.probability < weak.probability
    assert not [r for r in reversals(by_factor, rises=False)[0] if r.significant]


def test_the_command_prints_the_table_and_the_verdict(tmp_path, capsys):
    import yaml

    from campaign.cli import main

    data = toy_dict()
    data["objectives"] = []
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    argv = ["tempo", str(path), "--side", "red", "--count", "blue", "--factors", "0.5,2"]
    assert main([*argv, "--runs", "2"]) == 0
    out = capsys.readouterr().out
    assert "P(taken)" in out
    assert "Expected as the force grows: captures less often and later." in out


def test_no_capture_at_any_setting_is_said_so():
    found, compared = reversals({1.0: {}, 2.0: {}}, rises=True)
    assert (found, compared) == ([], 0)
    assert "Nothing to compare" in reversal_report(found, compared, rises=True)


def test_the_command_gives_the_table_as_data(tmp_path, capsys):
    import json

    from campaign.cli import main

    path = _attack_on_c(tmp_path)
    argv = ["tempo", str(path), "--side", "red", "--count", "blue", "--factors", "0.5,8"]
    assert main([*argv, "--runs", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    weak = out["places"]["c"]["x0.5"]
    assert weak["taken"] == weak["runs"] == 3 and len(weak["days"]) == 3
    low, high = weak["interval"]
    assert 0 < low < weak["probability"] == high == 1.0
    assert out["expected"] == "less often and later"
    assert out["verdict"] in ("monotone", "monotone within sampling error")


def test_the_api_gives_the_same_tempo_as_the_command(tmp_path):
    from campaign import api

    path = _attack_on_c(tmp_path)
    tempo = api.tempo(path, "red", (0.5, 8), runs=3, count="blue")
    assert tempo.by_factor[0.5]["c"].captured == 3
    assert not tempo.rises
    assert tempo.as_data()["places"]["c"]["x0.5"]["taken"] == 3
    assert "Captures by blue, red at strength factors x0.5, x8" in tempo.as_text()


def test_runs_on_worker_processes_give_the_same_tempo(tmp_path):
    scenario = load_scenario(_attack_on_c(tmp_path), Overrides(scales=["red=2"]))
    alone = capture_tempo(scenario, "blue", 4)
    pooled = capture_tempo(scenario, "blue", 4, workers=2)
    assert {p: (t.captured, t.days) for p, t in alone.items()} == {
        p: (t.captured, t.days) for p, t in pooled.items()
    }


def test_the_command_takes_what_if_flags_and_names_the_sides_it_knows(tmp_path, capsys):
    from campaign.cli import main

    path = _attack_on_c(tmp_path)
    argv = ["tempo", str(path), "--count", "blue", "--factors", "1", "--runs", "2", "--json"]
    assert main([*argv, "--side", "red"]) == 0
    assert json.loads(capsys.readouterr().out)["places"]["c"]["x1"]["taken"] == 2
    # Blue arrives too late to attack: a what-if flag, and nothing is taken.
    assert main([*argv, "--side", "red", "--delay", "blue_1=9"]) == 0
    assert "c" not in json.loads(capsys.readouterr().out)["places"]
    assert main([*argv, "--side", "nobody"]) == 2
    assert "--side: no side 'nobody' in" in (err := capsys.readouterr().err)
    assert "(its sides: blue, red)" in err


def test_a_place_retaken_after_losing_it_counts_under_its_own_row(tmp_path):
    # Red's C is taken by blue on the second day; red's 3,000 men at D retake it on
    # the sixth. Counting red, C is "c (retaken)" (tempo used to skip every place the
    # counted side held at the start, so a counter-attack had no tempo at all).
    import yaml

    data = toy_dict(objectives=[])
    data["units"][1].update(location="d", strength_men=3000)
    data["orders"].append(
        {
            "unit": "red_1",
            "date": "1919-01-06",
            "action": "attack",
            "target": "c",
            "source": {"ref": "toy"},
        }
    )
    path = tmp_path / "retake.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    tempo = capture_tempo(load_scenario(path), "red", 2)
    assert set(tempo) == {"c (retaken)"}
    assert tempo["c (retaken)"].captured == 2
    assert all(day >= 5 for day in tempo["c (retaken)"].days)
    assert set(capture_tempo(load_scenario(path), "blue", 2)) == {"c"}
