"""The replay event encoder: type first, then every field, exactly as dataclasses.asdict."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from campaign.engine.log import EVENT_TYPES
from campaign.scenario.loader import load_scenario
from campaign.simulate import simulate

KAUNAS = Path(__file__).resolve().parents[2] / "scenarios" / "kaunas_1919.yaml"


def test_to_dict_matches_asdict_for_every_event_of_a_run():
    result = simulate(load_scenario(KAUNAS), seed=3)
    seen = set()
    for event in result.events:
        expected = {"type": event.type, **asdict(event)}
        assert json.dumps(event.to_dict()) == json.dumps(expected)
        seen.add(event.type)
    assert {"initial", "day", "control_change", "engagement_end"} <= seen <= set(EVENT_TYPES)
