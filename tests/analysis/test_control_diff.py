"""Periods in which two control tables disagree."""

from campaign.analysis.control_diff import ControlDifference, control_differences


def test_a_place_that_changes_hands_later_in_one_run_gives_one_period():
    a = {"1919-05-01": {"k": "lt"}, "1919-05-02": {"k": "lt"}, "1919-05-03": {"k": "lt"}}
    b = {"1919-05-01": {"k": "lt"}, "1919-05-02": {"k": "sov"}, "1919-05-03": {"k": "sov"}}
    assert control_differences(a, b) == [
        ControlDifference("k", "1919-05-02", "1919-05-03", "lt", "sov")
    ]
    assert control_differences(a, b, until="1919-05-01") == []


def test_a_place_missing_from_one_table_is_held_by_nobody():
    a = {"1919-05-01": {"k": "lt"}}
    assert control_differences(a, {"1919-05-01": {}}) == [
        ControlDifference("k", "1919-05-01", "1919-05-01", "lt", "none")
    ]
