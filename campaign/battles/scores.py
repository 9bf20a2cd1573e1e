"""Scores of predicted battles against the record, and the baselines they must beat.

* winner: accuracy and balanced accuracy (mean recall over the outcomes that occur:
  attacker, defender, draw) over battles with a known result;
* casualty fractions, per side: median absolute log-ratio error ``|ln(pred/obs)|``
  and the share of battles predicted within a factor of 2, over battles with known
  casualties (a zero prediction or record counts as outside);
* baselines: "the attacker always wins", the force-ratio rule (the side with more
  men wins), and for casualties the constant median fraction of the fitting folds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from campaign.battles.cdb90 import Battle
from campaign.battles.runner import Prediction

OUTCOMES = ("attacker", "defender", "draw")


@dataclass(frozen=True)
class Scores:
    """Scores of one predictor on one group of battles (fractions in 0..1)."""

    battles: int
    winner_accuracy: float
    balanced_accuracy: float
    attacker_median_log_error: float
    attacker_within_2x: float
    defender_median_log_error: float
    defender_within_2x: float


def _log_errors(pred: np.ndarray, obs: np.ndarray) -> np.ndarray:
    keep = np.isfinite(obs)
    pred, obs = pred[keep], obs[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        err = np.abs(np.log(pred / obs))
    return np.where(np.isfinite(err), err, math.inf)


def score(battles: list[Battle], predictions: list[Prediction]) -> Scores:
    """Scores of ``predictions`` against the record of the same ``battles``."""
    by_id = {p.isqno: p for p in predictions}
    pairs = [(b, by_id[b.isqno]) for b in battles if b.isqno in by_id]
    decided = [(b, p) for b, p in pairs if b.winner]
    hits = [b.winner == p.winner for b, p in decided]
    recalls = []
    for outcome in OUTCOMES:
        group = [b.winner == p.winner for b, p in decided if b.winner == outcome]
        if group:
            recalls.append(float(np.mean(group)))
    values = {}
    for side in ("attacker", "defender"):
        pred = np.array([getattr(p, f"{side}_casualty_fraction") for _, p in pairs])
        obs = np.array([b.casualty_fraction(side) for b, _ in pairs])
        err = _log_errors(pred, obs)
        values[side] = (
            float(np.median(err)) if len(err) else math.nan,
            float(np.mean(err <= math.log(2))) if len(err) else math.nan,
        )
    return Scores(
        battles=len(pairs),
        winner_accuracy=float(np.mean(hits)) if hits else math.nan,
        balanced_accuracy=float(np.mean(recalls)) if recalls else math.nan,
        attacker_median_log_error=values["attacker"][0],
        attacker_within_2x=values["attacker"][1],
        defender_median_log_error=values["defender"][0],
        defender_within_2x=values["defender"][1],
    )


def groups(battles: list[Battle]) -> dict[str, Callable[[Battle], bool]]:
    """Named groups the results are broken down by: all, eras, defender postures."""
    named: dict[str, Callable[[Battle], bool]] = {"all": lambda b: True}
    for era in ("pre-1900", "1900-1945", "post-1945"):
        named[era] = lambda b, era=era: b.era == era
    for posture in ("HD", "PD", "FD", "DL/WD"):
        named[f"posture {posture}"] = lambda b, p=posture: b.posture in p.split("/")
    return named


def score_groups(battles: list[Battle], predictions: list[Prediction]) -> dict[str, Scores]:
    """:func:`score` for every group of :func:`groups`."""
    return {
        name: score([b for b in battles if keep(b)], predictions)
        for name, keep in groups(battles).items()
    }


def attacker_always(
    battles: Iterable[Battle],
    fractions: dict[int, tuple[float, float]],
) -> list[Prediction]:
    """Baseline: the attacker always wins; casualties from ``fractions`` by isqno."""
    return [Prediction(b.isqno, "attacker", *fractions[b.isqno], math.nan) for b in battles]


def force_ratio_rule(
    battles: Iterable[Battle],
    fractions: dict[int, tuple[float, float]],
) -> list[Prediction]:
    """Baseline: the side with more men wins (ties to the defender)."""
    return [
        Prediction(
            b.isqno,
            "attacker" if b.attacker_men > b.defender_men else "defender",
            *fractions[b.isqno],
            b.attacker_men / b.defender_men,
        )
        for b in battles
    ]
