"""What-if overrides that name a formation or a side, not only a unit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from campaign.errors import ScenarioError
from campaign.scenario.loader import load_scenario
from campaign.scenario.overrides import Overrides

KAUNAS = Path(__file__).resolve().parents[2] / "scenarios" / "kaunas_1919.yaml"
NORTHEAST = KAUNAS.with_name("northeast_1919.yaml")


def _pskov_units(scenario) -> list:
    from campaign.scenario.schema import formations_under

    parents = {f.id: f.parent for f in scenario.formations}
    below = formations_under("pskov_division", parents)
    return [u for u in scenario.units if u.parent in below]


def test_delay_of_a_formation_moves_every_unit_of_it():
    base = load_scenario(KAUNAS)
    late = load_scenario(KAUNAS, Overrides(delays=["pskov_division=3"]))
    before = {u.id: u.arrives or base.start for u in _pskov_units(base)}
    after = {u.id: u.arrives for u in _pskov_units(late)}
    assert before and set(before) == set(after)
    for uid, day in before.items():
        assert after[uid] == min(day + dt.timedelta(days=3), late.end)
    others = {u.id: u.arrives for u in late.units if u.id not in before}
    assert others == {u.id: u.arrives for u in base.units if u.id not in before}


def test_remove_of_a_formation_removes_every_unit_of_it():
    base = load_scenario(NORTHEAST)
    gone = {u.id for u in base.units if u.parent == "south_lithuania_brigade"}
    without = load_scenario(NORTHEAST, Overrides(removes=["south_lithuania_brigade"]))
    assert gone == {"saxon_18th"} and not gone & {u.id for u in without.units}
    assert len(without.units) == len(base.units) - len(gone)
    for intent in without.intents:
        assert not gone & set(intent.units)


def test_a_condition_on_a_removed_unit_never_holds():
    # The Kaunas intents wait on the 2nd Rifle Regiment breaking (or Seta lost once it
    # has come up, or Kedainiai taken). Removed, the regiment never arrives or breaks:
    # the what-if runs (removing a unit a condition named used to be refused, at lines
    # shifted by the intents the removal dropped).
    from campaign.command.conditions import holds
    from campaign.simulate import build_world, simulate

    without = load_scenario(KAUNAS, Overrides(removes=["sov_2nd_rifle"]))
    assert "sov_2nd_rifle" not in {u.id for u in without.units}
    alytus = next(i for i in without.intents if i.id == "pskov_alytus")
    world = build_world(without, 1)
    broken = next(c for c in alytus.when.any if c.broken == "sov_2nd_rifle")
    assert holds(broken, world, None) is False
    result = simulate(without, seed=1)
    assert any(e.type == "engagement_start" for e in result.events)  # the war goes on
    load_scenario(KAUNAS, Overrides(removes=["pskov_division"]))  # the whole division


def test_an_unknown_name_is_a_clear_error():
    with pytest.raises(ScenarioError, match="no side, formation or unit 'nobody'"):
        load_scenario(KAUNAS, Overrides(delays=["nobody=3"]))
    with pytest.raises(ScenarioError, match="no side, formation or unit 'nobody'"):
        load_scenario(KAUNAS, Overrides(removes=["nobody"]))


def test_a_value_the_what_if_makes_invalid_is_blamed_on_the_what_if(tmp_path: Path):
    # A valid file whose unit a --scale takes past the cap on men: the error names the
    # flag, not only the file's (valid) line.
    import sys

    import yaml

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from toy import toy_dict

    data = toy_dict()
    data["units"][0]["strength_men"] = 150_000
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    load_scenario(path)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, Overrides(scales=["blue_1=2"]))
    messages = [p.message for p in caught.value.problems]
    assert messages == [
        "Input should be less than or equal to 200000 (got 300000); "
        "made by the what-if (--scale blue_1=2)"
    ]


def test_a_variant_adds_a_relation_and_an_objective_by_id(tmp_path: Path):
    # Relations and objectives may carry an id, so a variant can add one without
    # replacing the scenario's list (an `id` on them used to be an unknown key).
    base = load_scenario(KAUNAS)
    variant = tmp_path / "v.yaml"
    variant.write_text(
        "relations:\n"
        "  - {id: extra, sides: [germany, soviet], stance: hostile, date: 1919-02-20,\n"
        "     source: {ref: lsw}}\n"
        "objectives:\n"
        "  - {id: extra_goal, side: soviet, place: kaunas, kind: take, by: 1919-02-25}\n",
        encoding="utf-8",
    )
    patched = load_scenario(KAUNAS, Overrides(variants=[str(variant)]))
    assert patched.relations[: len(base.relations)] == base.relations
    assert [r.id for r in patched.relations[len(base.relations) :]] == ["extra"]
    assert len(patched.objectives) == len(base.objectives) + 1
    assert patched.objectives[-1].id == "extra_goal"


def test_delaying_a_departure_that_does_not_exist_is_an_error():
    with pytest.raises(ScenarioError, match="no departure to delay"):
        load_scenario(KAUNAS, Overrides(delays=["sov_2nd_rifle.departs=5"]))
    earlier = load_scenario(KAUNAS, Overrides(delays=["sov_2nd_rifle.departs=-5"]))
    unit = next(u for u in earlier.units if u.id == "sov_2nd_rifle")
    assert unit.departs == earlier.end - dt.timedelta(days=5)


def _variant_problems(tmp_path: Path, text: str, *more: str) -> list[str]:
    variant = tmp_path / "v.yaml"
    variant.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(KAUNAS, Overrides(variants=[str(variant), *more]))
    return [str(p) for p in caught.value.problems]


def test_a_bad_value_in_a_variant_is_blamed_on_the_variant_file(tmp_path: Path):
    # The error named the scenario's line of the units list (kaunas_1919.yaml:126),
    # where nothing was wrong.
    variant = tmp_path / "v.yaml"
    with pytest.warns(UserWarning, match="without ids"):
        assert _variant_problems(tmp_path, "units: [5]\n") == [
            f"{variant}:1: units[0]: Input should be a valid dictionary or instance of Unit"
        ]
    # a field of a unit of the scenario, changed by id
    problems = _variant_problems(
        tmp_path, "# pskov\nunits:\n  - id: sov_2nd_rifle\n    strength_men: lots\n"
    )
    assert problems == [
        f"{variant}:4: units.sov_2nd_rifle.strength_men: Input should be a valid integer, "
        "unable to parse string as an integer (got 'lots')"
    ]
    # a unit the variant adds: its missing fields at its line, a bad reference at its own
    problems = _variant_problems(
        tmp_path, "units:\n  - id: extra\n    side: soviet\n    location: atlantis\n"
    )
    assert problems and all(p.startswith(f"{variant}:") for p in problems)
    assert f"{variant}:2: units.extra.name: required field is missing" in problems


def test_a_reference_a_variant_gets_wrong_is_blamed_on_the_variant_file(tmp_path: Path):
    variant = tmp_path / "v.yaml"
    problems = _variant_problems(
        tmp_path,
        "objectives:\n"
        "  - {id: extra_goal, side: soviet, place: kaunas, kind: take, by: 1919-02-25}\n"
        "  - id: bad_goal\n    side: soviet\n    place: atlantis\n"
        "    kind: take\n    by: 1919-02-25\n",
    )
    assert len(problems) == 1 and problems[0].startswith(f"{variant}:5: objectives.bad_goal.place")


def test_a_value_of_the_scenario_stays_blamed_on_the_scenario(tmp_path: Path):
    # A --set of a value the variant wrote: the value is the --set's, not the variant's.
    variant = tmp_path / "v.yaml"
    variant.write_text("units:\n  - id: sov_2nd_rifle\n    strength_men: 900\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(
            KAUNAS,
            Overrides(variants=[str(variant)], sets=["units.sov_2nd_rifle.strength_men=lots"]),
        )
    (problem,) = caught.value.problems
    assert problem.file == str(KAUNAS) and "made by the what-if" in problem.message
