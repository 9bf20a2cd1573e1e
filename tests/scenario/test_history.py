"""The historical record (``*.history.yaml``): what its loader accepts and how it says no."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.errors import ScenarioError
from campaign.scenario.history import load_history
from campaign.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]

RECORD = """\
scenario: x
sources:
  - {id: lsw, file: 004.txt}
checkpoints:
  - {place: kaunas, date: 1919-02-05, side: lithuania, source: {ref: lsw}}
engagements:
  - place: jieznas
    date: 1919-02-10
    sides:
      lithuania: {men: 300, killed: 18, wounded: 40, captured: 33}
      soviet: {men: 900}
    winner: soviet
    source: {ref: lsw}
"""


def _problems(tmp_path: Path, old: str = "", new: str = "") -> list[str]:
    """The problems of RECORD with ``old`` replaced by ``new`` (once), as printed."""
    assert old in RECORD
    path = tmp_path / "x.history.yaml"
    path.write_text(RECORD.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_history(path)
    return [str(p) for p in caught.value.problems]


def test_the_sample_record_is_valid(tmp_path: Path):
    path = tmp_path / "x.history.yaml"
    path.write_text(RECORD, encoding="utf-8")
    assert load_history(path).engagements[0].winner == "soviet"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # a misspelt key of a checkpoint, of an engagement's side, of the record itself:
        # the hints used to list the scenario file's keys ('sides', 'id', 'title', ...)
        ("side: lithuania, source", "sidee: lithuania, source", "(did you mean 'side'?)"),
        ("killed: 18", "kiled: 18", "(did you mean 'killed'?)"),
        ("scenario: x", "scenario: x\nfoo: 1", "allowed keys: scenario, sources, checkpoints"),
        ("winner: soviet", "winer: soviet", "(did you mean 'winner'?)"),
    ],
)
def test_an_unknown_key_is_hinted_with_the_records_own_keys(tmp_path, old, new, expected):
    (problem,) = [p for p in _problems(tmp_path, old, new) if "unknown key" in p]
    assert expected in problem
    assert "title" not in problem and "'sides'" not in problem


def test_a_citation_of_a_source_the_record_does_not_list_is_refused(tmp_path: Path):
    (problem,) = _problems(tmp_path, "source: {ref: lsw}}", "source: {ref: lws}}")
    assert problem == (
        f"{tmp_path / 'x.history.yaml'}:5: checkpoints[0].source.ref: unknown source 'lws' "
        "(did you mean 'lsw'?); the record's sources are lsw"
    )
    (problem,) = _problems(tmp_path, "    source: {ref: lsw}", "    source: {ref: nope}")
    assert ":13: engagements[0].source.ref: unknown source 'nope'" in problem


def test_a_winner_that_did_not_fight_is_refused(tmp_path: Path):
    (problem,) = _problems(tmp_path, "winner: soviet", "winner: germany")
    assert problem.endswith(
        ":12: engagements[0].winner: 'germany' is not one of the engagement's sides "
        "(lithuania, soviet)"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("killed: 18", "killed: 301", "killed 301 is more than the 300 men the side had"),
        ("captured: 33", "captured: 283", "killed 18 + captured 283 is more than the 300 men"),
        ("wounded: 40", "wounded: 290", "killed 18 + wounded 290 is more than the 300 men"),
    ],
)
def test_more_men_lost_than_the_side_had_is_refused(tmp_path, old, new, expected):
    (problem,) = _problems(tmp_path, old, new)
    assert ":10: engagements[0].sides.lithuania: " in problem and expected in problem


def test_wounded_men_may_also_be_captured(tmp_path: Path):
    # killed 18, wounded 200 and captured 200 of 300 men: the wounded may be among the
    # captured, so the record is not refused for it
    path = tmp_path / "x.history.yaml"
    text = RECORD.replace("wounded: 40, captured: 33", "wounded: 200, captured: 200")
    path.write_text(text, encoding="utf-8")
    assert load_history(path).engagements[0].sides["lithuania"].captured == 200


@pytest.mark.parametrize("record", sorted((ROOT / "scenarios").glob("*.history.yaml")))
def test_the_shipped_records_pass_every_check(record: Path):
    scenario = load_scenario(record.with_name(record.name.replace(".history", "")))
    assert load_history(record, scenario).checkpoints


def test_a_scenario_given_as_the_record_is_named_as_such(capsys):
    from campaign.cli import main

    scenario = str(Path(__file__).resolve().parents[2] / "scenarios" / "kaunas_1919.yaml")
    assert main(["fidelity", scenario, "--history", scenario]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].endswith(
        "this is a scenario file, not a historical record (a record has "
        "`scenario`, `sources` and `checkpoints`; see docs/scenario-format.md)"
    )


def test_two_holders_of_one_place_on_one_day_are_refused(tmp_path: Path):
    twice = (
        "  - {place: kaunas, date: 1919-02-05, side: lithuania, source: {ref: lsw}}\n"
        "  - {place: kaunas, date: 1919-02-05, side: soviet, source: {ref: lsw}}"
    )
    (problem,) = _problems(
        tmp_path,
        "  - {place: kaunas, date: 1919-02-05, side: lithuania, source: {ref: lsw}}",
        twice,
    )
    assert problem.endswith(
        "checkpoints[1].side: kaunas on 1919-02-05 is held by 'soviet' here and by "
        "'lithuania' in checkpoints[0]: one holder a day"
    )


def test_validate_checks_a_record_against_the_scenario_it_names(tmp_path: Path, capsys):
    # A record not named <scenario>.history.yaml was said OK unchecked; it is now
    # checked against the scenario its `scenario:` names, beside it.
    import shutil

    from campaign.cli import main

    shutil.copy(ROOT / "scenarios" / "kaunas_1919.yaml", tmp_path / "kaunas_1919.yaml")
    text = (ROOT / "scenarios" / "kaunas_1919.history.yaml").read_text(encoding="utf-8")
    (tmp_path / "record.history.yaml").write_text(text, encoding="utf-8")
    assert main(["validate", str(tmp_path / "record.history.yaml")]) == 0
    assert "checked against" in capsys.readouterr().out
    bad = text.replace("place: kaunas\n", "place: nowhere\n", 1)
    (tmp_path / "record.history.yaml").write_text(bad, encoding="utf-8")
    assert main(["validate", str(tmp_path / "record.history.yaml")]) == 2
    assert "unknown place 'nowhere'" in capsys.readouterr().err


def test_a_source_listed_twice_is_refused(tmp_path: Path):
    (problem,) = _problems(
        tmp_path,
        "  - {id: lsw, file: 004.txt}",
        "  - {id: lsw, file: 004.txt}\n  - {id: lsw, file: 005.txt}",
    )
    assert problem.endswith("sources[1].id: duplicate source id 'lsw'")
