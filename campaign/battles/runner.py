"""Each CDB90 battle as one engagement for the engine's combat laws.

:func:`engagement_of` turns a :class:`~campaign.battles.cdb90.Battle` into the
engine's two :class:`~campaign.engine.combat.Camp` objects and its
:class:`~campaign.engine.combat.Situation`; :func:`run_battle` steps any combat law
through the recorded duration, a day at a time, and decides who gave way.

Mapping of the data onto the engine:

* posture ``HD`` hasty, ``PD`` prepared, ``FD`` fortified; ``DL`` (delaying action)
  and ``WD`` (withdrawal) both read as the engine's ``withdrawing``;
* terrain: urban -> ``town``, heavily wooded -> ``forest``, rugged relief ->
  ``rugged``, marsh -> ``marsh``, anything else ``open`` (one class per battle, in
  that order of precedence);
* weather ``wet`` when light or heavy precipitation is recorded; season and era
  from the data; surprise degree -3..3 and air superiority -1..1 as recorded;
* guns (artillery pieces) and tanks where given for both sides, else none counted; every unit is
  ``regular`` (quality and morale 1), since CDB90's quality columns are judgements
  made after the event.

Laws without their own outcome rule (``dupuy``, the Lanchester laws) are judged by
the engine's rule of thumb: a defender facing :data:`OVERWHELMING_RATIO` after the
first day withdraws, an attacker below :data:`HOPELESS_RATIO` calls the attack off,
and otherwise the side further towards its break point (:data:`BREAK_POINT`) gives
way at the end. The ``tndm`` law decides with its own rule (the likelier side gives
way) and adds the withdrawal losses weighted by the odds of each side giving way,
and the rout losses by the odds of the defender being routed.
Random variation is switched off: predictions are expected values.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from campaign.battles.cdb90 import Battle
from campaign.engine import combat

#: Engine rule-of-thumb thresholds, as in campaign/engine/processes.py (Dupuy 1987:
#: defenders rarely stand at worse than 3:1).
OVERWHELMING_RATIO = 3.5
HOPELESS_RATIO = 0.3
BREAK_POINT = combat.BREAK_POINT["regular"]
POSTURE = {
    "HD": "hasty",
    "PD": "prepared",
    "FD": "fortified",
    "DL": "withdrawing",
    "WD": "withdrawing",
}


#: (killed, wounded, captured) fractions of a side's initial men.
Split = tuple[float, float, float]
_UNKNOWN: Split = (math.nan, math.nan, math.nan)


@dataclass(frozen=True)
class Prediction:
    """One battle's predicted outcome and casualty fractions (of initial strength).

    The splits divide each side's casualties into killed, wounded and captured the
    way the engine does (:func:`campaign.engine.combat.split_losses`; the extra loss
    of a side that gives way counts as captured). ``defender_split_if_routed`` is the
    defender's split should it give way and be routed, which happens with
    ``rout_odds`` (``tndm`` only; nan for the other laws).
    """

    isqno: int
    winner: str
    attacker_casualty_fraction: float
    defender_casualty_fraction: float
    power_ratio: float
    attacker_split: Split = _UNKNOWN
    defender_split: Split = _UNKNOWN
    defender_split_if_routed: Split = _UNKNOWN
    rout_odds: float = math.nan


def _split(in_action: float, extra: float, beaten: bool) -> Split:
    killed, wounded, captured = combat.split_losses(in_action, beaten)
    return killed, wounded, captured + extra


def terrain_of(battle: Battle) -> str:
    """The engine terrain class of a battle (see the module notes)."""
    if battle.special_terrain == "U":
        return "town"
    if battle.cover == "W":
        return "forest"
    if battle.relief == "G":
        return "rugged"
    if battle.special_terrain == "M":
        return "marsh"
    return "open"


def _camp(men: float, guns: float, tanks: float, side: str) -> combat.Camp:
    def one(value: float) -> np.ndarray:
        return np.array([0.0 if math.isnan(value) else value])

    return combat.Camp(
        men=one(men),
        guns=one(guns),
        machine_guns=np.zeros(1),
        quality=np.ones(1),
        morale=np.ones(1),
        sides=[side],
        tanks=one(tanks),
    )


def engagement_of(battle: Battle) -> tuple[combat.Camp, combat.Camp, combat.Situation]:
    """Attacker camp, defender camp and situation of a battle at its start."""
    # A weapon count known for one side only would make a false ratio: count neither.
    guns = (battle.attacker_guns, battle.defender_guns)
    tanks = (battle.attacker_tanks, battle.defender_tanks)
    if any(math.isnan(v) for v in guns):
        guns = (0.0, 0.0)
    if any(math.isnan(v) for v in tanks):
        tanks = (0.0, 0.0)
    attacker = _camp(battle.attacker_men, guns[0], tanks[0], "attacker")
    defender = _camp(battle.defender_men, guns[1], tanks[1], "defender")
    situation = combat.Situation(
        posture=POSTURE.get(battle.posture, "hasty"),
        terrain=terrain_of(battle),
        surprise=battle.surprise,
        weather="wet" if battle.precipitation in ("L", "H") else "dry",
        season=battle.season or "summer",
        era=battle.era,
        air=battle.air_superiority,
        elapsed_days=0.0,
    )
    return attacker, defender, situation


def runnable(battle: Battle) -> bool:
    """True when both initial strengths are known (all battles but Ardennes 1944)."""
    return battle.attacker_men > 0 and battle.defender_men > 0


def _rule_of_thumb(first_ratio: float, loss_a: float, loss_d: float) -> str:
    """The side that gives way under the engine's rule (see the module notes)."""
    if first_ratio >= OVERWHELMING_RATIO:
        return "defender"
    if first_ratio <= HOPELESS_RATIO:
        return "attacker"
    return "attacker" if loss_a >= loss_d else "defender"


def run_engagement(
    model: combat.CombatModel,
    attacker: combat.Camp,
    defender: combat.Camp,
    situation: combat.Situation,
    duration_days: float,
    isqno: int = 0,
    step_days: float = 1.0,
) -> Prediction:
    """Step ``model`` through ``duration_days`` (in steps of ``step_days``) and decide
    who gave way. The camps are changed in place (their men are the survivors)."""
    a0, d0 = attacker.total(), defender.total()
    rng = np.random.default_rng(isqno)
    elapsed, first_ratio = 0.0, None
    while elapsed < duration_days - 1e-9:
        dt = min(step_days, duration_days - elapsed)
        moment = dataclasses.replace(situation, elapsed_days=elapsed)
        result = model.step(attacker, defender, moment, dt, rng)
        first_ratio = result.power_ratio if first_ratio is None else first_ratio
        attacker.men = np.maximum(attacker.men - result.attacker, 0.0)
        defender.men = np.maximum(defender.men - result.defender, 0.0)
        elapsed += dt
        if attacker.total() < 0.5 or defender.total() < 0.5:
            break
    loss_a, loss_d = 1.0 - attacker.total() / a0, 1.0 - defender.total() / d0
    extra_a = extra_d = 0.0
    routed, p_rout = _UNKNOWN, math.nan
    if isinstance(model, combat.TndmModel):
        # The winner is the likelier outcome; the withdrawal losses are weighted by the
        # odds of each side giving way (an expected value on the log scale).
        loser = model.gives_way(first_ratio, loss_a, loss_d)
        p_d = model.odds_defender_gives_way(first_ratio, loss_a, loss_d)
        p_rout = p_d * model.odds_routed(first_ratio, d0, situation)
        extra_a = model.withdrawal_loss("attacker", loss_a, 1 - p_d)
        extra_d = model.withdrawal_loss("defender", loss_d, p_d, p_rout)
        routed = _split(loss_d, model.withdrawal_loss("defender", loss_d, 1.0, 1.0), True)
    else:
        loser = _rule_of_thumb(first_ratio, loss_a / BREAK_POINT, loss_d / BREAK_POINT)
    winner = "defender" if loser == "attacker" else "attacker"
    return Prediction(
        isqno,
        winner,
        loss_a + extra_a,
        loss_d + extra_d,
        float(first_ratio),
        attacker_split=_split(loss_a, extra_a, first_ratio < 1),
        defender_split=_split(loss_d, extra_d, first_ratio >= 1),
        defender_split_if_routed=routed,
        rout_odds=p_rout,
    )


def run_battle(model: combat.CombatModel, battle: Battle, step_days: float = 1.0) -> Prediction:
    """Step ``model`` through ``battle``'s recorded duration and decide its outcome.

    Raises ``ValueError`` for a battle without known strengths (see :func:`runnable`).
    """
    if not runnable(battle):
        raise ValueError(f"battle {battle.isqno} ({battle.name}) has no known strengths")
    attacker, defender, situation = engagement_of(battle)
    return run_engagement(
        model, attacker, defender, situation, battle.duration_days, battle.isqno, step_days
    )


def run_battles(model: combat.CombatModel, battles: list[Battle]) -> list[Prediction]:
    """:func:`run_battle` for every runnable battle, in order."""
    return [run_battle(model, b) for b in battles if runnable(b)]
