from __future__ import annotations

import pytest

from campaign.errors import ScenarioError
from campaign.geo.reference_lines import load_reference_lines, parse_reference_lines, select_lines

GAZ = {"a": (24.0, 54.0), "b": (24.5, 54.5)}


def test_packaged_lines_have_sources_and_dates() -> None:
    lines = load_reference_lines()
    assert {
        "german_soviet_1919",
        "polish_lithuanian_1919_06",
        "foch_line_1919",
        "soviet_lithuanian_treaty_1920",
    } <= set(lines)
    for line in lines.values():
        assert line.source and line.note and len(line.points) >= 2
    assert lines["german_soviet_1919"].places[:2] == ("daugai", "stakliskes")


def test_lines_are_shown_on_their_own_dates() -> None:
    lines = load_reference_lines()
    shown, always = select_lines(lines, None, "1919-02-05", "1919-02-25")
    assert [ln.id for ln in shown] == ["german_soviet_1919"] and not always
    assert lines["foch_line_1919"].in_force("1919-08-01")
    assert not lines["foch_line_1919"].in_force("1919-07-01")
    assert select_lines(lines, "none", "1919-02-05", "1919-02-25")[0] == []
    assert len(select_lines(lines, "all", "1919-02-05", "1919-02-25")[0]) == len(lines)


def test_unknown_id_is_an_error_naming_the_known_ones() -> None:
    with pytest.raises(ScenarioError, match="known: german_soviet_1919"):
        select_lines(load_reference_lines(), "nope", "1919-02-05", "1919-02-25")


def test_errors_name_the_line_and_field() -> None:
    text = (
        "lines:\n"
        "  - id: x\n"
        "    name: X\n"
        "    date: 1919-01-01\n"
        "    basis: places\n"
        "    source: s\n"
        "    points:\n"
        "      - place: a\n"
        "      - place: nowhere\n"
        "      - {lon: 24.1, lat: 54.1}\n"
    )
    with pytest.raises(ScenarioError) as err:
        parse_reference_lines(text, "lines.yaml", GAZ)
    message = str(err.value)
    assert "lines.yaml:9: lines.0.points.1.place: 'nowhere' is not a gazetteer place" in message
    assert "lines.yaml:10: lines.0.points.2:" in message and "needs a 'note'" in message
