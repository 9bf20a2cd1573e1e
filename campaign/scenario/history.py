"""The historical record of a scenario, kept apart from the scenario itself.

``scenarios/<id>.history.yaml`` lists dated checkpoints (who controlled a place on
a date) and recorded engagements. The engine never reads it; only the fidelity
report compares a run against it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field, ValidationError

from campaign.errors import Problem, ScenarioError
from campaign.scenario.loader import problems_from_validation
from campaign.scenario.schema import Citation, Slug, Source, Strict
from campaign.scenario.yamlfile import load_yaml_file


class Checkpoint(Strict):
    """On ``date``, ``place`` was held by ``side`` (per the source)."""

    place: Slug
    date: dt.date
    side: Slug = Field(description="Side id in control, or 'none'")
    event: str = Field("", description="What happened, in our own words")
    source: Citation


class EngagementSide(Strict):
    men: int | None = Field(None, ge=0)
    killed: int | None = Field(None, ge=0)
    wounded: int | None = Field(None, ge=0)
    captured: int | None = Field(None, ge=0)


class RecordedEngagement(Strict):
    place: Slug
    date: dt.date
    sides: dict[Slug, EngagementSide]
    winner: Slug | None = None
    source: Citation
    note: str = ""


class History(Strict):
    scenario: Slug
    sources: list[Source] = Field(min_length=1)
    checkpoints: list[Checkpoint] = Field(min_length=1)
    engagements: list[RecordedEngagement] = Field(default_factory=list)


def history_path_for(scenario_path: Path) -> Path:
    """``scenarios/x.yaml`` -> ``scenarios/x.history.yaml``."""
    return scenario_path.with_name(scenario_path.stem + ".history.yaml")


def load_history(path: str | Path) -> History:
    """Read and validate a history file; raises :class:`ScenarioError`."""
    doc = load_yaml_file(Path(path))
    if not isinstance(doc.data, dict):
        raise ScenarioError(Problem(doc.file, 1, "", "expected a YAML mapping at top level"))
    try:
        return History.model_validate(doc.data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(doc, exc)) from None
