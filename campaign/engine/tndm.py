"""A TNDM-like attrition law, calibrated on the 660 battles of CDB90.

After T. N. Dupuy's Tactical Numerical Deterministic Model (*Attrition: Forecasting
Battle Casualties and Equipment Losses in Modern War*, 1990; *Understanding War*,
1987). Two parts:

**Attrition.** Each side loses men at a daily *hazard* (fraction per day, for small
losses)::

    rate = base[side] x size x era x posture x terrain x weather x season
           x surprise x (power ratio against the side) ** k[side]

* ``base``: Dupuy's norms for a division-sized force (~10,000 men) in the 1900-1945
  era: about 2.8 %/day for an attacker and 1.5 %/day for a defender, capped at
  about 13 %/day and 6 %/day (:data:`DUPUY_BASE`, :data:`DUPUY_CAP`); the fitted
  bases are in :data:`CALIBRATED`.
* ``size``: ``(men / 10,000) ** s`` with one exponent below division size and another
  above it. Below, small units suffer higher rates (Dupuy 1990's strength-size
  factor: a battalion loses several times a division's daily fraction); above, the
  fit says what larger forces do (CDB90's corps and army operations lose *more* per
  day than its divisions, not less). A single power law cannot do both: fitted to
  all sizes it came out near zero and under-predicted the losses of small forces by a
  factor of about 2 (``docs/battles.md``).
* ``era``: the dispersion of forces grew with firepower, so daily rates fell from the
  black-powder battles to the Second World War and after (Dupuy 1980, *The
  Evolution of Weapons and Warfare*); one factor per era, fitted.
* posture, rugged/wooded/urban terrain, wet weather, winter, surprise: multipliers,
  fitted on CDB90 with the Dupuy values as the reading guide.
* ``elapsed ** delta``: losses are heaviest at the start of a battle; over ``t`` days
  the accumulated hazard is ``rate x t ** delta`` (``delta`` < 1).
* the side that gives way suffers an extra *withdrawal* multiplier on its hazard
  (prisoners and losses in the pursuit), applied once the outcome is known; a
  defender that is *routed* (CDB90: annihilated, or withdrew with heavy losses; 122
  of the 396 defenders who gave way) suffers a further *rout* multiplier. Attackers
  are not routed: CDB90 records 4 routs among 215 repulsed attacks, too few to fit.

**Outcome.** The defender gives way (the attacker wins) when::

    log P + lam x (log(F_d / F_a) - log(b_d / b_a)) > 0

``P`` is the combat-power ratio (men, weapons, posture, terrain, surprise, air
superiority), ``F`` the losses so far and ``b`` the break points: the side facing the
worse odds and nearer its break point gives way (``offset = lam x log(b_d / b_a)``
is what is fitted). ``sharpness`` turns the margin into the odds of that outcome,
``P(defender gives way) = 1 / (1 + exp(-sharpness x margin))``. A defender that gives
way is routed with odds from a logistic regression on the power ratio, its size, the
era and surprise (:data:`ROUT_FEATURES`): small forces at long odds are the ones
overrun and captured. Every coefficient is fitted with
k-fold cross-validation in :mod:`campaign.battles.fit`; the values below are the fit
to all 660 battles (see ``docs/battles.md`` for confidence intervals).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

SIDES = ("attacker", "defender")
#: How long a fight lasts before the law decides it: the median lengths of CDB90's 338
#: battles of 1900-1945 by the men engaged on both sides, as (bound on the men,
#: calendar days, days of actual combat). Fights of under 10,000 men were fought on
#: one calendar day (50 battles) for about 9 hours (0.39 days, the summed active
#: periods); larger ones over several days with the hours rarely recorded, so the two
#: agree or nearly. The law's rates are per *calendar* day of battle (that is what
#: CDB90's durations count), so in the engine a battle day passes in its active time.
#: Checked against the data by tests/battles/test_battles.py.
DECISION_DAYS = (
    (10_000.0, 1.0, 0.391),
    (100_000.0, 3.0, 2.0),
    (300_000.0, 4.0, 4.0),
    (math.inf, 10.5, 10.5),
)
#: Dupuy's daily casualty norms for a division-sized force, and the caps (fraction/day).
DUPUY_BASE = {"attacker": 0.028, "defender": 0.015}
DUPUY_CAP = {"attacker": 0.13, "defender": 0.06}
#: Strength at which ``size`` is 1 and the size exponent changes (a division, men).
REFERENCE_MEN = 10_000.0
#: Defender postures the law knows, as named by the engine (:mod:`campaign.engine.combat`).
POSTURES = ("hasty", "prepared", "fortified", "withdrawing")
ERAS = ("pre-1900", "1900-1945", "post-1945")
#: Break point of the attacker used to express the defender's calibrated break point.
ATTACKER_BREAK_POINT = 0.25
#: Names of the features of the attrition law, in the order of :attr:`TndmParams.rate`.
RATE_FEATURES = (
    "intercept",
    "pre-1900",
    "post-1945",
    "log_size_below",
    "log_size_above",
    "log_odds",
    "prepared",
    "fortified",
    "withdrawing",
    "rugged",
    "wooded",
    "urban",
    "wet",
    "winter",
    "surprised",
    "surprising",
    "log_days",
    "gave_way",
    "routed",
)
#: Names of the features of the odds that a defender who gives way is routed, in
#: the order of :attr:`TndmParams.rout`.
ROUT_FEATURES = (
    "intercept",
    "log_power_ratio",
    "log_size_below",
    "log_size_above",
    "pre-1900",
    "post-1945",
    "surprise",
)
#: Names of the features of the power ratio, in the order of :attr:`TndmParams.power`.
POWER_FEATURES = (
    "log_men_ratio",
    "log_tank_ratio",
    "log_gun_ratio",
    "prepared",
    "fortified",
    "withdrawing",
    "rugged",
    "wooded",
    "urban",
    "surprise",
    "air",
)


@dataclass(frozen=True)
class TndmParams:
    """Coefficients of the law (natural-log scale unless named otherwise).

    ``rate[side]`` holds one coefficient per :data:`RATE_FEATURES` entry (log-hazard
    per day); ``power`` one per :data:`POWER_FEATURES` entry (log combat power;
    ``log_men_ratio`` is 1 by definition); ``lam`` weighs the losses against the power
    ratio in the outcome and ``offset`` is ``lam x log(b_d / b_a)``; ``rout`` holds the
    log-odds coefficients of :data:`ROUT_FEATURES` (empty: defenders are never
    routed). ``cap`` is the
    daily cap on the attrition hazard at division size in 1900-1945 (scaled by the
    size and era factors).
    """

    rate: dict[str, tuple[float, ...]]
    power: tuple[float, ...]
    lam: float = 0.0
    offset: float = 0.0
    sharpness: float = 1.0
    rout: tuple[float, ...] = ()
    cap: dict[str, float] = field(default_factory=lambda: dict(DUPUY_CAP))

    def with_rate(self, side: str, values: tuple[float, ...]) -> TndmParams:
        return replace(self, rate={**self.rate, side: tuple(values)})

    def base_rate(self, side: str) -> float:
        """Fitted daily rate of ``side`` at division size, 1900-1945, hasty defence."""
        return math.exp(self.rate[side][0])

    def coefficient(self, side: str, name: str) -> float:
        """One coefficient of ``side``'s attrition law by its :data:`RATE_FEATURES` name."""
        return self.rate[side][RATE_FEATURES.index(name)]

    @property
    def defender_break_point(self) -> float:
        """Calibrated defender break point (fraction) for an attacker breaking at 25 %
        (nan when the losses carry no weight in the outcome)."""
        if self.lam <= 1e-6:
            return math.nan
        return ATTACKER_BREAK_POINT * math.exp(self.offset / self.lam)


def _prior_rate(side: str) -> tuple[float, ...]:
    values = dict.fromkeys(RATE_FEATURES, 0.0)
    values["intercept"] = math.log(DUPUY_BASE[side])
    values["log_size_below"], values["log_odds"] = -0.3, 0.5
    values["log_days"] = 1.0
    return tuple(values[n] for n in RATE_FEATURES)


def _prior_power() -> tuple[float, ...]:
    values = dict.fromkeys(POWER_FEATURES, 0.0)
    values["log_men_ratio"] = 1.0
    # Dupuy's QJM posture factors relative to a hasty defence (1.3): 1.5, 1.6, 1.15.
    values["prepared"], values["fortified"] = -math.log(1.5 / 1.3), -math.log(1.6 / 1.3)
    values["withdrawing"] = -math.log(1.15 / 1.3)
    values["surprise"] = math.log(1.5) / 2
    return tuple(values[n] for n in POWER_FEATURES)


#: Dupuy's published values where he gives them, neutral elsewhere (not fitted).
DUPUY_PRIOR = TndmParams(
    rate={s: _prior_rate(s) for s in SIDES},
    power=_prior_power(),
    lam=0.0,
)


@dataclass(frozen=True)
class Conditions:
    """What the law needs to know about an engagement (arrays allowed for many).

    Postures use the engine's names; ``surprise`` is the attacker's degree of
    surprise (1 minor, 2 substantial, 3 complete; negative when the defender surprised
    the attacker); ``air`` is +1 when the attacker had air superiority, -1 the defender.
    """

    posture: object = "hasty"
    rugged: object = 0.0
    wooded: object = 0.0
    urban: object = 0.0
    wet: object = 0.0
    winter: object = 0.0
    surprise: object = 0.0
    air: object = 0.0
    era: object = "1900-1945"


def _is(values, name) -> np.ndarray | float:
    if isinstance(values, str):
        return float(values == name)
    return (np.asarray(values) == name).astype(float)


def power_features(men_a, men_d, tanks_a, tanks_d, guns_a, guns_d, c: Conditions) -> list:
    """Feature columns of :data:`POWER_FEATURES` (scalars or aligned arrays)."""
    return [
        np.log(np.maximum(men_a, 1.0) / np.maximum(men_d, 1.0)),
        np.log((1.0 + tanks_a) / (1.0 + tanks_d)),
        np.log((1.0 + guns_a) / (1.0 + guns_d)),
        -_is(c.posture, "prepared"),
        -_is(c.posture, "fortified"),
        -_is(c.posture, "withdrawing"),
        -np.asarray(c.rugged, float),
        -np.asarray(c.wooded, float),
        -np.asarray(c.urban, float),
        np.asarray(c.surprise, float),
        np.asarray(c.air, float),
    ]


def log_power_ratio(params: TndmParams, columns: list) -> np.ndarray | float:
    """Natural log of the attacker's combat-power ratio from :func:`power_features`."""
    return sum(w * x for w, x in zip(params.power, columns, strict=True))


def log_size(men) -> tuple:
    """``log(men / REFERENCE_MEN)`` split at the reference: (below, above); each is 0
    on the other side of it."""
    x = np.log(np.maximum(np.asarray(men, float), 1.0) / REFERENCE_MEN)
    return np.minimum(x, 0.0), np.maximum(x, 0.0)


def size_factor(params: TndmParams, side: str, men: float) -> float:
    """``side``'s strength-size multiplier on its daily rate (1 at division size)."""
    below, above = log_size(men)
    return math.exp(
        params.coefficient(side, "log_size_below") * float(below)
        + params.coefficient(side, "log_size_above") * float(above)
    )


def rate_features(side: str, men, log_p, days, gave_way, c: Conditions, routed=0.0) -> list:
    """Feature columns of :data:`RATE_FEATURES` for ``side``'s log daily hazard."""
    sign = -1.0 if side == "attacker" else 1.0
    surprise = np.asarray(c.surprise, float)
    surprised = np.maximum(-surprise, 0) if side == "attacker" else np.maximum(surprise, 0)
    surprising = np.maximum(surprise, 0) if side == "attacker" else np.maximum(-surprise, 0)
    ones = np.ones_like(np.asarray(men, float))
    return [
        ones,
        _is(c.era, "pre-1900") * ones,
        _is(c.era, "post-1945") * ones,
        *log_size(men),
        sign * np.asarray(log_p, float),
        _is(c.posture, "prepared") * ones,
        _is(c.posture, "fortified") * ones,
        _is(c.posture, "withdrawing") * ones,
        np.asarray(c.rugged, float) * ones,
        np.asarray(c.wooded, float) * ones,
        np.asarray(c.urban, float) * ones,
        np.asarray(c.wet, float) * ones,
        np.asarray(c.winter, float) * ones,
        surprised * ones,
        surprising * ones,
        np.log(np.maximum(days, 1e-6)) * ones,
        np.asarray(gave_way, float) * ones,
        np.asarray(routed, float) * ones,
    ]


def log_hazard(params: TndmParams, side: str, columns: list) -> np.ndarray | float:
    """Log of ``side``'s accumulated hazard from :func:`rate_features` columns."""
    return sum(w * x for w, x in zip(params.rate[side], columns, strict=True))


def rout_features(log_p, men_d, c: Conditions) -> list:
    """Feature columns of :data:`ROUT_FEATURES` for a defender of ``men_d`` men."""
    below, above = log_size(men_d)
    ones = np.ones_like(np.asarray(log_p, float))
    return [
        ones,
        np.asarray(log_p, float) * ones,
        below * ones,
        above * ones,
        _is(c.era, "pre-1900") * ones,
        _is(c.era, "post-1945") * ones,
        np.maximum(np.asarray(c.surprise, float), 0) * ones,
    ]


def odds_routed(params: TndmParams, columns: list) -> np.ndarray | float:
    """Probability (0..1) that a defender who gives way is routed."""
    if not params.rout:
        return 0.0 * columns[0]
    z = sum(w * x for w, x in zip(params.rout, columns, strict=True))
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def decision_days(men_engaged: float) -> float:
    """Days of combat after which the outcome rule decides a fight of ``men_engaged``
    men (both sides): the active length of :data:`DECISION_DAYS`."""
    return next(active for bound, _, active in DECISION_DAYS if men_engaged < bound)


def battle_days_per_day(men_engaged: float) -> float:
    """Calendar days of battle (the law's clock) that pass in one day of combat in a
    fight of ``men_engaged`` men: calendar over active length of :data:`DECISION_DAYS`."""
    return next(days / active for bound, days, active in DECISION_DAYS if men_engaged < bound)


def attacker_wins_margin(params: TndmParams, log_p, loss_a, loss_d) -> np.ndarray | float:
    """The outcome margin; > 0 means the defender gives way (losses as fractions)."""
    la = np.log(np.clip(loss_a, 1e-6, 1.0))
    ld = np.log(np.clip(loss_d, 1e-6, 1.0))
    return log_p + params.lam * (ld - la) - params.offset


#: The fit to all runnable CDB90 battles (``campaign battles``, 10 folds, seed 0);
#: see docs/battles.md for the intervals. Refit with :func:`campaign.battles.fit.fit_tndm`.
CALIBRATED = TndmParams(
    rate={
        "attacker": (
            -3.4889,
            0.9442,
            -0.7532,
            -0.6232,
            0.1633,
            0.3429,
            -0.0345,
            0.0010,
            -0.7173,
            -0.0766,
            0.0987,
            0.1731,
            -0.2791,
            -0.0556,
            -0.0323,
            0.2665,
            0.4617,
            0.4730,
            0.0000,
        ),
        "defender": (
            -3.7617,
            1.2077,
            -0.2894,
            -0.4087,
            0.1207,
            0.1702,
            -0.1970,
            0.1603,
            -0.5653,
            -0.0789,
            0.1302,
            0.1143,
            -0.2338,
            -0.1495,
            -0.0020,
            0.0043,
            0.6584,
            0.5492,
            1.1232,
        ),
    },
    power=(
        1.0000,
        0.0610,
        -0.1232,
        -0.2356,
        0.1145,
        0.0274,
        0.0041,
        -0.0666,
        -0.0000,
        0.6582,
        0.4349,
    ),
    lam=0.0000,
    offset=0.1801,
    sharpness=0.6752,
    rout=(-1.6882, 0.1844, -0.5235, 0.1427, 0.3012, -0.1850, 0.2937),
)
