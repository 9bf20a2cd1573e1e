"""Combat models behind one small interface.

An engagement is resolved in steps of ``dt_days``. At every step the engine hands
the model the two camps (attacker and defender) as numpy arrays of the men,
guns and quality of each unit, plus the situation (posture, terrain, river,
surprise), and gets back the men each unit loses in that step.

Three laws are offered, chosen per scenario (``combat.model``):

* ``lanchester_square`` -- aimed fire: dA/dt = -a_B * B, dB/dt = -b_A * A, with
  explicit per-day coefficients keyed by the side that inflicts the losses. Each
  step uses the exact hyperbolic solution, so a duel matches the closed form.
* ``lanchester_linear`` -- area fire: dA/dt = -a_B * A * B.
* ``dupuy`` -- a combat-power model after T. N. Dupuy's Quantified Judgment Model
  (*Numbers, Predictions and War*, 1979; *Understanding War*, 1987): power =
  strength x quality x morale x posture x terrain x river x surprise. The power
  ratio sets daily casualty fractions, with seeded lognormal variation.
* ``tndm`` -- a TNDM-like attrition law calibrated on the 660 battles of CDB90:
  Dupuy's daily rates by posture with force-size, era, terrain, weather, season and
  surprise factors, and an outcome rule from the power ratio and the losses against
  calibrated break points (:mod:`campaign.engine.tndm`, ``docs/battles.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from campaign.engine import tndm

# --- Documented defaults -------------------------------------------------------------
#: Defender posture multipliers (Dupuy 1979, QJM posture factors: hasty defence 1.3,
#: prepared defence 1.5, fortified defence 1.6; attack 1.0).
POSTURE = {"attack": 1.0, "hasty": 1.3, "prepared": 1.5, "fortified": 1.6, "withdrawing": 1.15}
#: Terrain multipliers for the defender (Dupuy 1979 terrain factors, simplified: rolling
#: mixed 1.2, wooded 1.3 (here 1.2), built-up 1.2-1.3, lakes/defiles treated as rugged 1.4,
#: marsh 1.3).
TERRAIN = {
    "open": 1.0,
    "forest": 1.2,
    "town": 1.25,
    "lakes": 1.4,
    "marsh": 1.3,
    "fortified": 1.4,
    "rugged": 1.4,
}
#: Defender multiplier when the attacker crosses a river (Dupuy 1979: 1.5 for a major
#: unfordable river, ~1.25 for a minor one).
RIVER = {"major": 1.5, "minor": 1.25}
MAJOR_RIVERS = ("Nemunas", "Neris", "Daugava")
#: Attacker multiplier for tactical surprise on the first day (Dupuy 1987 gives 1.5-2.0
#: for substantial surprise; we take the lower value).
SURPRISE = 1.5
#: Quality (training, leadership, cohesion) factors relative to a regular unit.
#: Engineering estimates for 1919 armies: WWI veterans with machine guns 1.3; hastily
#: raised volunteers 0.75; untrained recruits and partisans 0.6.
QUALITY = {
    "veteran": 1.3,
    "regular": 1.0,
    "trained": 0.9,
    "volunteer": 0.75,
    "untrained": 0.6,
    "partisan": 0.6,
}
#: Break points: share of its strength a unit may lose in one engagement before it
#: breaks. Helmbold's and Dupuy's studies of historical engagements put typical
#: breakpoints at 5-20% casualties for battalions; better units hold longer.
BREAK_POINT = {
    "veteran": 0.30,
    "regular": 0.25,
    "trained": 0.20,
    "volunteer": 0.15,
    "untrained": 0.10,
    "partisan": 0.08,
}
#: Men-equivalents of one gun and one machine gun in combat power (weapon effect
#: expressed as riflemen; engineering estimate after Dupuy's operational lethality
#: indices for 1918 weapons, scaled to a rifleman = 1).
GUN_MEN = 30.0
MACHINE_GUN_MEN = 8.0
#: Daily casualty fraction at a power ratio of 1:1 for small (battalion-regiment)
#: engagements, and the exponent with which the ratio scales it. Dupuy (1987) found
#: casualty rates rise steeply as units get smaller; engaged battalions lose of the
#: order of 10-20% a day, which decides a small 1919 engagement within a day or two.
BASE_DAILY_LOSS = 0.15
RATIO_EXPONENT = 0.8
#: Split of losses: killed share of hit men (Dupuy 1987: ~1 killed per 3-4 wounded)
#: and captured share of losses while in action (higher for the side being beaten).
KILLED_SHARE = 0.22
CAPTURED_SHARE_BEATEN = 0.25
CAPTURED_SHARE_WINNING = 0.03


def split_losses(men_lost: float, beaten: bool) -> tuple[float, float, float]:
    """Men lost in action as (killed, wounded, captured): a beaten side loses
    :data:`CAPTURED_SHARE_BEATEN` of them as prisoners, a winning one
    :data:`CAPTURED_SHARE_WINNING`; :data:`KILLED_SHARE` of the rest are killed."""
    captured = men_lost * (CAPTURED_SHARE_BEATEN if beaten else CAPTURED_SHARE_WINNING)
    killed = (men_lost - captured) * KILLED_SHARE
    return killed, men_lost - captured - killed, captured


@dataclass
class Camp:
    """One side of an engagement, one entry per unit (numpy arrays, aligned)."""

    men: np.ndarray
    guns: np.ndarray
    machine_guns: np.ndarray
    quality: np.ndarray
    morale: np.ndarray
    sides: list[str] = field(default_factory=list)
    #: Tanks per unit (None: none); only the ``tndm`` law counts them.
    tanks: np.ndarray | None = None

    def total(self) -> float:
        return float(self.men.sum())


@dataclass(frozen=True)
class Situation:
    """Everything about the ground and the moment that multiplies combat power.

    ``surprise`` is the attacker's degree of surprise: False/0 none, True/1 minor,
    2 substantial, 3 complete, negative when the defender surprised the attacker.
    The fields after it are read by the ``tndm`` law only: ``weather`` "dry" or
    "wet", ``season`` "spring"/"summer"/"autumn"/"winter", ``era`` as in
    :data:`campaign.engine.tndm.ERAS`, ``air`` +1 (attacker) / -1 (defender) air
    superiority, ``elapsed_days`` the time since the engagement began (None: unknown,
    losses then accrue evenly in time).
    """

    posture: str = "hasty"
    terrain: str = "open"
    river: str | None = None
    surprise: int = 0
    weather: str = "dry"
    season: str = "summer"
    era: str = "1900-1945"
    air: int = 0
    elapsed_days: float | None = None


@dataclass(frozen=True)
class StepLosses:
    """Men lost per unit in one step, for the attacker and the defender camps."""

    attacker: np.ndarray
    defender: np.ndarray
    power_ratio: float


class CombatModel(Protocol):
    """The one interface every combat law implements."""

    def step(
        self,
        attacker: Camp,
        defender: Camp,
        situation: Situation,
        dt_days: float,
        rng: np.random.Generator,
    ) -> StepLosses: ...


def _spread(total_loss: float, men: np.ndarray) -> np.ndarray:
    """Share a camp's loss among its units in proportion to their men."""
    total_men = men.sum()
    if total_men <= 0:
        return np.zeros_like(men)
    return np.minimum(men, men * (min(total_loss, total_men) / total_men))


def _ground_factors(situation: Situation, multipliers: dict[str, float]) -> tuple[float, float]:
    terrain = multipliers.get(f"terrain.{situation.terrain}", TERRAIN.get(situation.terrain, 1.0))
    river = 1.0
    if situation.river:
        kind = "major" if situation.river in MAJOR_RIVERS else "minor"
        river = multipliers.get(f"river.{kind}", RIVER[kind])
    return terrain, river


def ground_multiplier(situation: Situation, multipliers: dict[str, float]) -> float:
    """Product of the terrain and river-crossing factors for the defender."""
    terrain, river = _ground_factors(situation, multipliers)
    return terrain * river


def defender_multiplier(situation: Situation, multipliers: dict[str, float]) -> float:
    """Product of posture, terrain and river-crossing factors for the defender."""
    posture = multipliers.get(f"posture.{situation.posture}", POSTURE[situation.posture])
    terrain, river = _ground_factors(situation, multipliers)
    return posture * terrain * river


@dataclass
class DupuyModel:
    """Combat power after Dupuy's QJM, with seeded lognormal variation."""

    multipliers: dict[str, float] = field(default_factory=dict)
    variation: float = 0.2

    def power(self, camp: Camp) -> float:
        gun = self.multipliers.get("gun_men", GUN_MEN)
        mg = self.multipliers.get("machine_gun_men", MACHINE_GUN_MEN)
        # Weapons count only as long as there are men to serve them.
        crews = np.minimum(1.0, camp.men / np.maximum(1.0, 10.0 * (camp.guns + camp.machine_guns)))
        raw = camp.men + (camp.guns * gun + camp.machine_guns * mg) * crews
        return float((raw * camp.quality * camp.morale).sum())

    def step(self, attacker, defender, situation, dt_days, rng) -> StepLosses:
        surprise = self.multipliers.get("surprise", SURPRISE) if situation.surprise > 0 else 1.0
        p_att = self.power(attacker) * surprise
        p_def = self.power(defender) * defender_multiplier(situation, self.multipliers)
        if p_att <= 0 or p_def <= 0:
            zero = np.zeros_like
            return StepLosses(zero(attacker.men), zero(defender.men), math.inf if p_def <= 0 else 0)
        ratio = p_att / p_def
        base = self.multipliers.get("base_daily_loss", BASE_DAILY_LOSS)
        k = self.multipliers.get("ratio_exponent", RATIO_EXPONENT)
        noise = rng.lognormal(0.0, self.variation, size=2) if self.variation > 0 else (1.0, 1.0)
        frac_att = min(0.9, base * ratio ** (-k) * noise[0] * dt_days)
        frac_def = min(0.9, base * ratio**k * noise[1] * dt_days)
        # A small force cannot inflict more than its own weight of fire allows:
        # cap each side's loss at what the other side's men could hit in the step.
        loss_att = min(frac_att * attacker.total(), 2.0 * defender.total() * dt_days)
        loss_def = min(frac_def * defender.total(), 2.0 * attacker.total() * dt_days)
        return StepLosses(_spread(loss_att, attacker.men), _spread(loss_def, defender.men), ratio)


def _coefficient(coefficients: dict[str, float], sides: list[str], men: np.ndarray) -> float:
    """Men-weighted attrition coefficient of a camp (per day, per firer)."""
    total = men.sum()
    if total <= 0:
        return 0.0
    missing = [s for s in sides if s not in coefficients]
    if missing:
        raise KeyError(f"combat.coefficients has no entry for side(s) {sorted(set(missing))}")
    weights = np.array([coefficients[s] for s in sides])
    return float((weights * men).sum() / total)


@dataclass
class LanchesterSquare:
    """Aimed fire: dA/dt = -alpha*B, dB/dt = -beta*A, solved exactly per step."""

    coefficients: dict[str, float]

    def step(self, attacker, defender, situation, dt_days, rng) -> StepLosses:
        a0, b0 = attacker.total(), defender.total()
        alpha = _coefficient(self.coefficients, defender.sides, defender.men)  # B on A
        beta = _coefficient(self.coefficients, attacker.sides, attacker.men)  # A on B
        if alpha <= 0 or beta <= 0 or a0 <= 0 or b0 <= 0:
            a1, b1 = a0 - alpha * b0 * dt_days, b0 - beta * a0 * dt_days
        else:
            omega = math.sqrt(alpha * beta)
            c, s = math.cosh(omega * dt_days), math.sinh(omega * dt_days)
            a1 = a0 * c - math.sqrt(alpha / beta) * b0 * s
            b1 = b0 * c - math.sqrt(beta / alpha) * a0 * s
        ratio = (beta * a0 * a0) / (alpha * b0 * b0) if alpha > 0 and b0 > 0 else math.inf
        return StepLosses(
            _spread(a0 - max(a1, 0.0), attacker.men),
            _spread(b0 - max(b1, 0.0), defender.men),
            ratio,
        )


@dataclass
class LanchesterLinear:
    """Area fire: dA/dt = -alpha*A*B, dB/dt = -beta*A*B (exact per step)."""

    coefficients: dict[str, float]

    def step(self, attacker, defender, situation, dt_days, rng) -> StepLosses:
        a0, b0 = attacker.total(), defender.total()
        alpha = _coefficient(self.coefficients, defender.sides, defender.men)
        beta = _coefficient(self.coefficients, attacker.sides, attacker.men)
        # d(alpha*B - beta*A)/dt = 0 along the solution: solve the logistic form exactly.
        k = beta * a0 - alpha * b0
        t = dt_days
        if a0 <= 0 or b0 <= 0:
            a1, b1 = a0, b0
        elif abs(k) < 1e-12:
            a1 = a0 / (1 + alpha * b0 * t)
            b1 = b0 / (1 + beta * a0 * t)
        elif k > 0:
            e = math.exp(-k * t)
            # A(t) = k*a0 / (beta*a0 - alpha*b0*e^{-k t}) ... derived from A'=-alpha*A*B, B = (beta*A - k)/alpha
            a1 = k * a0 / (beta * a0 - alpha * b0 * e)
            b1 = (beta * a1 - k) / alpha if alpha > 0 else b0
        else:
            # The same solution multiplied through by e^{k t} <= 1, so that a strong
            # defender (k very negative) cannot overflow the exponential.
            e = math.exp(k * t)
            a1 = k * a0 * e / (beta * a0 * e - alpha * b0)
            b1 = (beta * a1 - k) / alpha if alpha > 0 else b0
        ratio = (beta * a0) / (alpha * b0) if alpha > 0 and b0 > 0 else math.inf
        return StepLosses(
            _spread(a0 - max(a1, 0.0), attacker.men),
            _spread(b0 - max(b1, 0.0), defender.men),
            ratio,
        )


#: Engine terrain names -> the TNDM terrain classes (a river crossing counts as rugged).
TNDM_TERRAIN = {
    "forest": "wooded",
    "town": "urban",
    "fortified": "urban",
    "lakes": "rugged",
    "marsh": "rugged",
    "rugged": "rugged",
}


def tndm_conditions(situation: Situation) -> tndm.Conditions:
    """The :class:`tndm.Conditions` of an engine situation."""
    kind = TNDM_TERRAIN.get(situation.terrain, "")
    return tndm.Conditions(
        posture=situation.posture if situation.posture in tndm.POSTURES else "hasty",
        rugged=float(kind == "rugged" or bool(situation.river)),
        wooded=float(kind == "wooded"),
        urban=float(kind == "urban"),
        wet=float(situation.weather == "wet"),
        winter=float(situation.season == "winter"),
        surprise=float(situation.surprise),
        air=float(situation.air),
        era=situation.era,
    )


@dataclass
class TndmModel:
    """The calibrated TNDM-like law (:mod:`campaign.engine.tndm`), deterministic.

    :meth:`step` gives the attrition of a step; :meth:`gives_way` says which side
    withdraws given the losses so far, and :meth:`withdrawal_loss` the extra men the
    side that gives way loses (prisoners and pursuit).
    """

    params: tndm.TndmParams = field(default_factory=lambda: tndm.CALIBRATED)

    def log_power_ratio(self, attacker: Camp, defender: Camp, situation: Situation) -> float:
        def men(camp: Camp) -> float:
            mg = camp.machine_guns * MACHINE_GUN_MEN
            return float(((camp.men + mg) * camp.quality * camp.morale).sum())

        def tanks(camp: Camp) -> float:
            return 0.0 if camp.tanks is None else float(camp.tanks.sum())

        columns = tndm.power_features(
            men(attacker),
            men(defender),
            tanks(attacker),
            tanks(defender),
            float(attacker.guns.sum()),
            float(defender.guns.sum()),
            tndm_conditions(situation),
        )
        return float(tndm.log_power_ratio(self.params, columns))

    def daily_rate(self, side: str, men: float, log_p: float, situation: Situation) -> float:
        """``side``'s hazard per day (fraction for small losses), capped after Dupuy."""
        c = tndm_conditions(situation)
        columns = tndm.rate_features(side, men, log_p, 1.0, 0.0, c)
        rate = math.exp(float(tndm.log_hazard(self.params, side, columns)))
        # Dupuy's caps hold for a division in 1900-1945; they scale like the rates.
        size = tndm.size_factor(self.params, side, men)
        era = self.params.coefficient(side, c.era) if c.era in ("pre-1900", "post-1945") else 0.0
        return min(rate, self.params.cap[side] * size * math.exp(era))

    def step(self, attacker, defender, situation, dt_days, rng) -> StepLosses:
        a0, d0 = attacker.total(), defender.total()
        if a0 <= 0 or d0 <= 0:
            zero = np.zeros_like
            return StepLosses(zero(attacker.men), zero(defender.men), math.inf if d0 <= 0 else 0)
        log_p = self.log_power_ratio(attacker, defender, situation)
        t = situation.elapsed_days
        losses = []
        for side, men in (("attacker", a0), ("defender", d0)):
            delta = self.params.coefficient(side, "log_days")
            span = dt_days if t is None else (t + dt_days) ** delta - t**delta
            hazard = self.daily_rate(side, men, log_p, situation) * span
            losses.append(men * -math.expm1(-hazard))
        return StepLosses(
            _spread(losses[0], attacker.men), _spread(losses[1], defender.men), math.exp(log_p)
        )

    def decision_days(self, men_engaged: float) -> float:
        """Days of combat after which :meth:`gives_way` decides a fight of
        ``men_engaged`` men on both sides (:func:`tndm.decision_days`)."""
        return tndm.decision_days(men_engaged)

    def battle_days_per_day(self, men_engaged: float) -> float:
        """The law's days of battle per day of combat (:func:`tndm.battle_days_per_day`):
        pass ``elapsed_days`` and ``dt_days`` to :meth:`step` in battle days."""
        return tndm.battle_days_per_day(men_engaged)

    def gives_way(self, power_ratio: float, loss_attacker: float, loss_defender: float) -> str:
        """The side that withdraws ("attacker" or "defender"), losses as fractions."""
        margin = tndm.attacker_wins_margin(
            self.params, math.log(max(power_ratio, 1e-9)), loss_attacker, loss_defender
        )
        return "defender" if margin > 0 else "attacker"

    def odds_defender_gives_way(
        self, power_ratio: float, loss_attacker: float, loss_defender: float
    ) -> float:
        """Probability (0..1) that the defender is the side that gives way."""
        margin = tndm.attacker_wins_margin(
            self.params, math.log(max(power_ratio, 1e-9)), loss_attacker, loss_defender
        )
        return 0.5 * (1.0 + math.tanh(0.5 * self.params.sharpness * margin))

    def odds_routed(self, power_ratio: float, defender_men: float, situation: Situation) -> float:
        """Probability (0..1) that a defender of ``defender_men`` men who gives way at
        ``power_ratio`` is routed (annihilated or withdraws with heavy losses)."""
        columns = tndm.rout_features(
            math.log(max(power_ratio, 1e-9)), defender_men, tndm_conditions(situation)
        )
        return float(tndm.odds_routed(self.params, columns))

    def withdrawal_loss(
        self, side: str, loss_fraction: float, chance: float = 1.0, rout_chance: float = 0.0
    ) -> float:
        """Extra fraction of its initial men that ``side`` loses when it gives way
        (``rout_chance`` 1: routed as well; only defenders are).

        With chances below 1 the expected (log-scale) extra loss of a side that gives
        way, or is routed, with those probabilities.
        """
        boost = math.exp(
            chance * self.params.coefficient(side, "gave_way")
            + rout_chance * self.params.coefficient(side, "routed")
        )
        hazard = -math.log1p(-min(loss_fraction, 0.999999))
        return -math.expm1(-boost * hazard) - loss_fraction


def make_combat_model(
    name: str, coefficients: dict[str, float], multipliers: dict[str, float], variation: float
) -> CombatModel:
    """The combat model a scenario asks for."""
    if name == "tndm":
        return TndmModel()
    if name == "dupuy":
        return DupuyModel(multipliers=dict(multipliers), variation=variation)
    if name == "lanchester_square":
        return LanchesterSquare(coefficients=dict(coefficients))
    if name == "lanchester_linear":
        return LanchesterLinear(coefficients=dict(coefficients))
    raise ValueError(f"unknown combat model '{name}'")
