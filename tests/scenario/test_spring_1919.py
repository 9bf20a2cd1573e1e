"""The spring 1919 counter-attacks scenario: it validates, its record loads, a short
run works, and nothing in it is timed from a recorded outcome."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from campaign.scenario.history import history_path_for, load_history
from campaign.scenario.loader import load_scenario
from campaign.simulate import simulate

ROOT = Path(__file__).resolve().parents[2]
SPRING = ROOT / "scenarios" / "spring_1919.yaml"

#: Phrases that would time an order, intent, arrival or departure from the record.
OUTCOME_TIMED = re.compile(
    r"day before the (capture|attack|fall)|so (that )?the (attack|town|capture) falls on"
    r"|the day (the|it) .* (fell|was taken)|ordered the day before|day after the Soviets left"
    r"|before (it|the town|the city) (fell|was taken)|in time for the (capture|fall)",
    re.IGNORECASE,
)


def test_spring_scenario_validates_and_its_record_covers_only_known_places():
    scenario = load_scenario(SPRING)
    history = load_history(history_path_for(SPRING))
    assert history.scenario == scenario.id
    places = {p.id for p in scenario.map.places} | set(scenario.control)
    assert {cp.place for cp in history.checkpoints} <= places
    # Every implied checkpoint says so; every one cites the seed file.
    for cp in history.checkpoints:
        assert cp.event, cp
        assert scenario.start <= cp.date <= scenario.end, cp


def test_spring_scenario_has_no_timetable_and_no_outcome_timed_notes():
    scenario = load_scenario(SPRING)
    assert not [o for o in scenario.orders if o.when is None]
    for item in (*scenario.orders, *scenario.intents, *scenario.relations):
        assert not OUTCOME_TIMED.search(item.note), item.note
    for unit in scenario.units:
        assert not OUTCOME_TIMED.search(unit.reasoning), unit.id
        if unit.estimated:
            assert unit.reasoning.strip(), unit.id


def test_spring_scenario_runs_its_first_ten_days():
    scenario = load_scenario(SPRING)
    short = scenario.model_copy(update={"end": scenario.start + dt.timedelta(days=10)})
    result = simulate(short, seed=1, daily_log=False)
    assert any(e.type == "control_change" for e in result.events)
    # The Skuodas partisans go for Seda, their first objective, from the first day.
    assert result.world.control["seda"] == "lithuania"
