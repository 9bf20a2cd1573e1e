"""An intent set off by news from the front acts a staff's day later (issue 15/16:
tempo): a triggered attack waits ``DECISION_DELAY_DAYS``, a withdrawal or a dated
decision does not, and a scenario can set the delay."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from toy import CITE, toy_dict  # noqa: E402

from campaign.command.doctrine import DECISION_DELAY_DAYS  # noqa: E402
from campaign.scenario.schema import Scenario  # noqa: E402
from campaign.simulate import simulate  # noqa: E402


def _scenario(objectives: list[dict], **command) -> Scenario:
    """Red marches on A at once; Blue's reserve at D reacts once A is lost."""
    data = toy_dict()
    data["map"]["places"] = [
        {"id": p, "name": p.upper(), "lat": 55.0, "lon": 24.0 + 0.3 * i}
        for i, p in enumerate("abcd")
    ]
    data["map"]["links"] = [
        {"a": a, "b": b, "road": "main"} for a, b in [("a", "b"), ("b", "c"), ("c", "d")]
    ]
    data["control"] = {"a": "blue", "b": "blue", "c": "blue", "d": "blue"}
    unit = {"kind": "regiment", "quality": "regular", "source": CITE}
    data["units"] = [
        {
            **unit,
            "id": "red_1",
            "name": "Red 1",
            "side": "red",
            "strength_men": 900,
            "location": "b",
        },
        {
            **unit,
            "id": "blue_1",
            "name": "Blue 1",
            "side": "blue",
            "strength_men": 100,
            "location": "a",
        },
        {
            **unit,
            "id": "blue_2",
            "name": "Blue 2",
            "side": "blue",
            "strength_men": 600,
            "location": "d",
        },
    ]
    data["orders"] = []
    data["objectives"] = []
    data["intents"] = [
        {
            "id": "red_push",
            "side": "red",
            "units": ["red_1"],
            "objectives": [{"take": "a"}],
            "source": CITE,
        },
        {
            "id": "blue_reaction",
            "side": "blue",
            "units": ["blue_2"],
            "when": {"taken": {"place": "a", "by": "red"}},
            "objectives": objectives,
            "source": CITE,
        },
    ]
    if command:
        data["command"] = command
    return Scenario.model_validate(data)


def _trigger_and_start(result) -> tuple[float, float]:
    fired = next(e.t for e in result.events if e.type == "trigger" and "blue_reaction" in e.what)
    start = next(
        e.t
        for e in result.events
        if e.type == "decision" and e.intent == "blue_reaction" and e.action == "start"
    )
    return fired, start


def test_a_triggered_attack_starts_a_staff_day_after_the_news():
    fired, start = _trigger_and_start(simulate(_scenario([{"take": "a"}]), seed=1))
    assert start - fired >= DECISION_DELAY_DAYS - 1e-9


def test_a_triggered_withdrawal_starts_at_once():
    fired, start = _trigger_and_start(simulate(_scenario([{"withdraw_to": "d"}]), seed=1))
    assert start == fired


def test_a_scenario_can_set_the_delay():
    result = simulate(_scenario([{"take": "a"}], decision_delay_days=0), seed=1)
    fired, start = _trigger_and_start(result)
    assert start == fired
