"""The quantified engagements of 1919 as a second test of the combat laws.

The table is ``campaign/battles/data/engagements_1919.yaml`` (every entry cites the
seed file and section it comes from, and says which numbers are estimates). Each
engagement runs through the same runner as the CDB90 battles
(:func:`campaign.battles.runner.run_engagement`), with the engine's quality factors,
and is checked the same way: the winner, and the losses within a factor of 2 where
the source gives them (killed plus captured, a lower bound on the losses).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from campaign.battles.runner import run_engagement
from campaign.engine import combat
from campaign.errors import ScenarioError

TABLE = Path(__file__).resolve().parent / "data" / "engagements_1919.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Force(_Strict):
    """One side of an engagement (men, guns and machine guns are counts)."""

    side: str
    units: str
    men: float = Field(gt=0)
    guns: float = Field(0, ge=0)
    machine_guns: float = Field(0, ge=0)
    quality: str
    estimate: str = ""


#: Loss categories in the order of the runner's splits (killed, wounded, captured).
CATEGORIES = ("killed", "wounded", "captured")


class Losses(_Strict):
    """Losses the source gives (men); a category left out is not given."""

    killed: float | None = Field(None, ge=0)
    wounded: float | None = Field(None, ge=0)
    captured: float | None = Field(None, ge=0)

    @property
    def given(self) -> tuple[str, ...]:
        """The categories the source gives, e.g. ``("killed", "captured")``."""
        return tuple(c for c in CATEGORIES if getattr(self, c) is not None)

    @property
    def total(self) -> float:
        """Men lost in the categories given."""
        return sum(getattr(self, c) for c in self.given)


class Source(_Strict):
    file: str
    section: str


class Engagement(_Strict):
    """One engagement of 1919 with its recorded outcome."""

    id: str
    name: str
    start: dt.date
    end: dt.date
    attacker: Force
    defender: Force
    posture: str = "hasty"
    terrain: str = "open"
    surprise: int = Field(0, ge=-3, le=3)
    winner: str
    attacker_losses: Losses | None = None
    defender_losses: Losses | None = None
    source: Source

    @property
    def duration_days(self) -> float:
        return float((self.end - self.start).days + 1)


class Table(_Strict):
    engagements: list[Engagement]


def load_engagements(path: Path = TABLE) -> list[Engagement]:
    """The engagements of ``path``; a bad file raises :class:`ScenarioError`."""
    try:
        return Table.model_validate(yaml.safe_load(Path(path).read_text("utf-8"))).engagements
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ScenarioError(f"{path}: {exc}") from exc


def _camp(force: Force, role: str) -> combat.Camp:
    # Sides are named by role: the fitted Lanchester coefficients are keyed that way.
    return combat.Camp(
        men=np.array([force.men]),
        guns=np.array([force.guns]),
        machine_guns=np.array([force.machine_guns]),
        quality=np.array([combat.QUALITY[force.quality]]),
        morale=np.ones(1),
        sides=[role],
    )


def _season(day: dt.date) -> str:
    return {
        12: "winter",
        1: "winter",
        2: "winter",
        3: "spring",
        4: "spring",
        5: "spring",
        6: "summer",
        7: "summer",
        8: "summer",
    }.get(day.month, "autumn")


@dataclass(frozen=True)
class Check:
    """Predicted against recorded for one engagement (fractions of initial men).

    Losses are compared like with like: where the source gives only some categories
    (killed and captured at Jieznas, captured at Ukmergė) the prediction counts the
    same categories (``*_counted``); ``*_predicted_total`` is every casualty. For the
    defender, ``defender_if_routed`` is the prediction should it be routed, an
    outcome with probability ``rout_odds`` (``tndm`` only).
    """

    id: str
    name: str
    recorded_winner: str
    predicted_winner: str
    attacker_recorded: float
    attacker_predicted: float
    defender_recorded: float
    defender_predicted: float
    attacker_counted: tuple[str, ...] = CATEGORIES
    defender_counted: tuple[str, ...] = CATEGORIES
    attacker_predicted_total: float = math.nan
    defender_predicted_total: float = math.nan
    defender_if_routed: float = math.nan
    rout_odds: float = math.nan

    @property
    def winner_right(self) -> bool:
        return self.recorded_winner == self.predicted_winner

    def within_2x(self, side: str, routed: bool = False) -> bool | None:
        """True/False when the source gives ``side``'s losses, else None (``routed``:
        the defender's prediction should it be routed)."""
        recorded = getattr(self, f"{side}_recorded")
        if math.isnan(recorded):
            return None
        predicted = self.defender_if_routed if routed else getattr(self, f"{side}_predicted")
        if math.isnan(predicted):
            return None
        return 0.5 <= predicted / recorded <= 2.0


def _counted(split: tuple[float, float, float], categories: tuple[str, ...]) -> float:
    return sum(split[CATEGORIES.index(c)] for c in categories)


def check_engagements(model: combat.CombatModel, engagements: list[Engagement]) -> list[Check]:
    """Run every engagement with ``model`` and compare it with the record."""
    checks = []
    for e in engagements:
        situation = combat.Situation(
            posture=e.posture,
            terrain=e.terrain,
            surprise=e.surprise,
            season=_season(e.start),
            era="1900-1945",
            elapsed_days=0.0,
        )
        p = run_engagement(
            model,
            _camp(e.attacker, "attacker"),
            _camp(e.defender, "defender"),
            situation,
            e.duration_days,
        )
        values = {}
        for side, losses, force, split in (
            ("attacker", e.attacker_losses, e.attacker, p.attacker_split),
            ("defender", e.defender_losses, e.defender, p.defender_split),
        ):
            counted = losses.given if losses else CATEGORIES
            values[f"{side}_recorded"] = losses.total / force.men if losses else math.nan
            values[f"{side}_predicted"] = _counted(split, counted)
            values[f"{side}_counted"] = counted
        values["attacker_predicted_total"] = p.attacker_casualty_fraction
        values["defender_predicted_total"] = p.defender_casualty_fraction
        values["defender_if_routed"] = _counted(
            p.defender_split_if_routed, values["defender_counted"]
        )
        checks.append(Check(e.id, e.name, e.winner, p.winner, rout_odds=p.rout_odds, **values))
    return checks
