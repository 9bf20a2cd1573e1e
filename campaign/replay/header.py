"""The replay header: what produced a log, so it can be verified and re-run."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from campaign.engine.log import LOG_FORMAT_VERSION


class PlaceInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    lat: float
    lon: float


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
    sides: list[SideInfo]
    places: list[PlaceInfo]
    extra: dict[str, Any] = Field(default_factory=dict)

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
