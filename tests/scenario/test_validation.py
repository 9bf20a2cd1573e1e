"""`campaign validate` accepts good scenarios and locates every class of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from toy import toy_dict

from campaign.cli import main
from campaign.errors import ScenarioError
from campaign.scenario import load_scenario
from campaign.scenario.schema import scenario_json_schema
from campaign.scenario.yamlfile import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*_1919.yaml"))


def _write(tmp_path: Path, data, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    text = (
        data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    )
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_validate(path: Path, capsys):
    assert main(["validate", str(path)]) == 0
    assert "OK" in capsys.readouterr().out


def test_cli_reports_file_line_field_and_exits_2(tmp_path: Path, capsys):
    data = toy_dict()
    data["units"][0]["strength_men"] = -5
    path = _write(tmp_path, data)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "-5" in t)
    assert err[0].startswith(f"{path}:{line}: units.blue_1.strength_men:")
    assert "Traceback" not in err[0]


def test_malformed_yaml_is_located(tmp_path: Path):
    path = _write(tmp_path, "id: x\ntitle: [unclosed\nstart: 1919-01-01\n")
    (problem,) = _problems(path)
    assert "malformed YAML" in problem and f"{path}:" in problem


def test_unknown_key_suggests_the_right_one(tmp_path: Path):
    data = toy_dict()
    data["units"][0]["strenght_men"] = data["units"][0].pop("strength_men")
    problems = _problems(_write(tmp_path, data))
    assert any("unknown key 'strenght_men' (did you mean 'strength_men'?)" in p for p in problems)


def test_unknown_place_side_and_unit_references(tmp_path: Path):
    data = toy_dict()
    data["units"][0]["location"] = "charly"
    data["units"][1]["side"] = "reds"
    data["orders"][0]["unit"] = "blue_2"
    problems = "\n".join(_problems(_write(tmp_path, data)))
    assert "unknown place 'charly'" in problems
    assert "unknown side 'reds' (did you mean 'red'?)" in problems
    assert "unknown unit 'blue_2' (did you mean 'blue_1'?)" in problems


def test_an_order_or_objective_no_road_leads_to_is_refused(tmp_path: Path):
    # An island with no road: the order to leave it and an intent's objective beyond
    # it could never be carried out (they were accepted and silently did nothing).
    data = toy_dict()
    data["map"]["places"].append({"id": "isle", "name": "Isle", "lat": 55.5, "lon": 24.0})
    data["units"][0]["location"] = "isle"
    data["intents"] = [
        {
            "id": "red_go",
            "side": "red",
            "units": ["red_1"],
            "objectives": [{"take": "isle"}],
            "source": {"ref": "toy"},
        }
    ]
    problems = "\n".join(_problems(_write(tmp_path, data)))
    assert "orders[0].target: no road or railway joins c to isle, where blue_1 starts" in problems
    assert "intents.red_go.objectives[0]: no road or railway joins isle to where" in problems
    data["map"]["links"].append({"a": "isle", "b": "a", "road": "track"})
    load_scenario(_write(tmp_path, data))


def test_the_packaged_map_is_one_network():
    # The reachability check above counts on every packaged place being joined to every
    # other by road or rail.
    from campaign.geo import load_theatre

    theatre = load_theatre()
    joined, rim = {next(iter(theatre.places))}, [next(iter(theatre.places))]
    links: dict[str, set[str]] = {}
    for a, b, _ in theatre.roads.links():
        links.setdefault(a, set()).add(b)
        links.setdefault(b, set()).add(a)
    while rim:
        rim = [n for p in rim for n in links.get(p, ()) if n not in joined]
        joined.update(rim)
    assert joined == set(theatre.places)


def test_duplicate_ids_and_duplicate_keys(tmp_path: Path):
    data = toy_dict()
    data["units"][1]["id"] = "blue_1"
    assert any("duplicate id 'blue_1'" in p for p in _problems(_write(tmp_path, data)))
    text = "id: a\nid: b\n"
    assert "duplicate key 'id'" in _problems(_write(tmp_path, text, "d.yaml"))[0]


@pytest.mark.parametrize("men", [-1, 10_000_000])
def test_negative_or_absurd_strength(tmp_path: Path, men: int):
    data = toy_dict()
    data["units"][0]["strength_men"] = men
    assert any("strength_men" in p for p in _problems(_write(tmp_path, data)))


def test_dates_outside_scenario_and_orders_before_arrival(tmp_path: Path):
    data = toy_dict()
    data["orders"][0]["date"] = "1919-03-01"
    data["units"][1]["arrives"] = "1919-01-05"
    data["orders"].append(
        {"unit": "red_1", "date": "1919-01-03", "action": "hold", "source": {"ref": "toy"}}
    )
    problems = "\n".join(_problems(_write(tmp_path, data)))
    assert "order date 1919-03-01 is outside the scenario" in problems
    assert "which only arrives on 1919-01-05" in problems


def test_empty_binary_and_huge_files(tmp_path: Path):
    empty = _write(tmp_path, "   \n", "empty.yaml")
    assert "empty" in _problems(empty)[0]
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\x89PNG\x00\x00garbage")
    assert "binary" in _problems(binary)[0]
    huge = tmp_path / "huge.yaml"
    huge.write_text("# " + "x" * (MAX_FILE_BYTES + 1))
    assert "limit" in _problems(huge)[0]


def test_yaml_bombs_and_python_tags_are_refused(tmp_path: Path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    assert "values" in _problems(_write(tmp_path, bomb, "bomb.yaml"))[0]
    tag = "id: !!python/object/apply:os.system ['echo hi']\n"
    assert "YAML" in _problems(_write(tmp_path, tag, "tag.yaml"))[0]


def test_missing_file_exits_2(tmp_path: Path, capsys):
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_json_schema_in_repo_is_current():
    recorded = json.loads((ROOT / "scenarios" / "scenario.schema.json").read_text("utf-8"))
    assert recorded == scenario_json_schema(), (
        "run: campaign schema > scenarios/scenario.schema.json"
    )


def test_info_prints_order_of_battle_tree(capsys):
    assert main(["info", str(ROOT / "scenarios" / "kaunas_1919.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Pskov Division" in out and "2nd Rifle Regiment" in out
    assert "Strength by date" in out


def test_info_tells_when_relations_and_lines_are_in_force(capsys):
    # Relations with an end date or a condition, and demarcation lines, are shown as
    # such (a conditional relation read "from the start"; lines were left out), and the
    # JSON carries relations, lines, supply and season too.
    import json

    from campaign.scenario.loader import load_scenario
    from campaign.scenario.report import command_lines, info_json

    scenario = load_scenario(ROOT / "scenarios" / "kaunas_1919.yaml")
    rel = scenario.relations[0].model_copy(update={"until": scenario.end, "date": None})
    cond = scenario.relations[0].model_copy(update={"when": scenario.intents[-1].when})
    text = "\n".join(command_lines(scenario.model_copy(update={"relations": [rel]})))
    assert f"from the start until {scenario.end}" in text
    if cond.when is not None:
        text = "\n".join(command_lines(scenario.model_copy(update={"relations": [cond]})))
        assert "once a condition holds" in text
    data = json.loads(json.dumps(info_json(scenario)))
    assert len(data["relations"]) == len(scenario.relations)
    assert {"lines", "supply", "season"} <= set(data)
    assert [x["id"] for x in data["lines"]] == [x.id for x in scenario.lines]


def test_a_combat_setting_the_law_does_not_read_is_a_located_warning(tmp_path: Path, capsys):
    """A multiplier or setting written for another combat law has no effect: validate
    still accepts the file (it runs) but says so, at the line, on stderr."""
    data = toy_dict()
    data["combat"] = {
        "model": "tndm",
        "multipliers": {"posture.hasty": 1.5, "quality.trained": 1.1},
        "variation": 0.3,
    }
    path = _write(tmp_path, data)
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    lines = path.read_text().splitlines()
    hasty = next(i for i, t in enumerate(lines, 1) if "posture.hasty" in t)
    assert err[0] == (
        f"warning: {path}:{hasty}: combat.multipliers.posture.hasty: has no effect: the "
        "tndm law does not read multiplier 'posture.hasty' (only dupuy does)"
    )
    assert "combat.variation: has no effect" in err[1]
    assert len(err) == 2  # quality factors count under every law
    data["combat"]["model"] = "dupuy"
    assert main(["validate", str(_write(tmp_path, data))]) == 0
    assert "warning" not in capsys.readouterr().err


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_scenarios_set_nothing_their_law_ignores(path: Path):
    from campaign.scenario.checks import unread_settings

    if path.name.endswith(".history.yaml"):
        return
    assert unread_settings(load_scenario(path)) == []


def test_an_unknown_key_is_hinted_with_the_keys_of_the_entry_it_is_in(tmp_path: Path):
    # A place of the map and a unit's condition: the hints listed the keys of `map` and
    # of the unit instead of those of a place and of a condition.
    data = toy_dict()
    data["map"]["places"][0]["lattitude"] = 55.0
    data["units"][0]["arrives_when"] = {"takn": "a"}
    problems = _problems(_write(tmp_path, data))
    assert any(
        "lattitude: unknown key 'lattitude'; allowed keys: id, name, lat," in p for p in problems
    )
    assert any(
        "arrives_when.takn: unknown key 'takn' (did you mean 'taken'?)" in p for p in problems
    )


def test_info_names_the_units_that_arrive_on_a_condition(capsys):
    # The strength table counts scheduled arrivals only; a unit arriving when a
    # condition holds is named under it instead of silently left out.
    assert main(["info", str(ROOT / "scenarios" / "northeast_1919.yaml")]) == 0
    out = capsys.readouterr().out
    assert "arriving when a condition holds in the run: sov_reinforcement_regiment (soviet," in out


def test_info_json_gives_conditional_arrivals(capsys):
    assert main(["info", str(ROOT / "scenarios" / "northeast_1919.yaml"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    unit = next(u for u in data["units"] if u["id"] == "sov_reinforcement_regiment")
    assert unit["arrives"] is None and "ratio" in unit["arrives_when"]
    assert data["not_counted_by_date"] == ["sov_reinforcement_regiment"]


def test_a_side_cannot_take_places_for_an_enemy_or_itself(tmp_path: Path):
    data = toy_dict()
    data["sides"][0]["controls_for"] = "red"
    assert any("'red' is not an ally of 'blue'" in p for p in _problems(_write(tmp_path, data)))
    data["sides"][0]["controls_for"] = "blue"
    assert any("cannot take places for itself" in p for p in _problems(_write(tmp_path, data)))


def test_a_line_that_ends_before_it_begins_is_refused(tmp_path: Path):
    data = toy_dict()
    data["lines"] = [
        {
            "id": "l",
            "name": "A line",
            "places": ["b", "c"],
            "closed_to": ["red"],
            "date": "1919-01-05",
            "until": "1919-01-03",
            "source": {"ref": "toy"},
        }
    ]
    assert any(
        "`until` 1919-01-03 is before `date` 1919-01-05" in p
        for p in _problems(_write(tmp_path, data))
    )
    data["lines"][0].update(places=["b"], until=None)
    assert any(
        "a line runs through at least two places (got 1)" in p
        for p in _problems(_write(tmp_path, data))
    )


def test_a_warning_only_a_what_if_causes_names_the_what_if(tmp_path: Path):
    import warnings

    from campaign.errors import ScenarioWarning
    from campaign.scenario.overrides import Overrides

    data = toy_dict()
    data["combat"] = {"model": "tndm", "variation": 0.3}
    path = _write(tmp_path, data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ScenarioWarning)
        load_scenario(path, Overrides(sets=["combat.multipliers.surprise=1.5"], scales=["red=2"]))
    told = [str(w.message) for w in caught]
    assert len(told) == 2
    surprise = next(t for t in told if "surprise" in t)
    assert surprise.endswith(
        "made by the what-if (--set combat.multipliers.surprise=1.5, --scale red=2)"
    )
    variation = next(t for t in told if "variation" in t)
    assert "made by the what-if" not in variation  # the file's own
