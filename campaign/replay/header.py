"""The replay header: what produced a log, so it can be verified and re-run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from campaign.engine.log import LOG_FORMAT_VERSION


class PlaceInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class SideInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$", description="#rrggbb")
    allies: list[str] = Field(default_factory=list)
    controls_for: str | None = None


class ReplayHeader(BaseModel):
    """First line of ``events.jsonl``."""

    model_config = ConfigDict(extra="forbid")
    type: str = "header"
    format: str = "campaign-replay"
    format_version: int = LOG_FORMAT_VERSION
    engine_version: str
    scenario_id: str
    scenario_title: str
    scenario_hash: str
    scenario_path: str = ""
    seed: int
    overrides: list[str] = Field(default_factory=list)
    start: str
    end: str
    combat_model: str
    sides: list[SideInfo] = Field(min_length=1)
    places: list[PlaceInfo] = Field(min_length=1)
    extra: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _a_real_run(self) -> ReplayHeader:
        """Dates a run can have (ISO, in order, at most the ten years a scenario may
        span) and places and sides named once each."""
        try:
            start, end = dt.date.fromisoformat(self.start), dt.date.fromisoformat(self.end)
        except ValueError:
            raise ValueError(
                f"start and end must be dates (YYYY-MM-DD), got {self.start!r} and {self.end!r}"
            ) from None
        if end < start or (end - start).days > 3660:
            raise ValueError(f"start {self.start} and end {self.end} are not the dates of a run")
        for what, ids in (
            ("place", [p.id for p in self.places]),
            ("side", [s.id for s in self.sides]),
        ):
            if len(set(ids)) < len(ids):
                raise ValueError(f"a {what} is listed twice")
        return self

    def run_label(self, max_chars: int = 110) -> str:
        """'seed 1', or 'seed 1 · what-if: --scale soviet=0.5 …' for a run with overrides:
        the line every picture of the run carries, so a what-if never passes for the
        baseline. Cut at ``max_chars`` characters with '…'."""
        label = f"seed {self.seed}"
        if self.overrides:
            label += " · what-if: " + " ".join(self.overrides)
        if len(label) > max_chars:
            label = label[: max_chars - 1].rstrip() + "…"
        return label
