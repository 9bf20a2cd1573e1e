"""Scenario format, loading and validation."""

from campaign.scenario.loader import load_scenario, load_scenario_text, scenario_hash
from campaign.scenario.schema import Scenario, scenario_json_schema

__all__ = [
    "Scenario",
    "load_scenario",
    "load_scenario_text",
    "scenario_hash",
    "scenario_json_schema",
]
