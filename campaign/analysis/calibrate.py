"""Fit combat parameters to data.

* :func:`fit_lanchester` -- aimed-fire (square-law) coefficients ``a`` (B's fire on A)
  and ``b`` (A's fire on B), per day, from daily strengths of two forces with known
  reinforcements, by least squares (``scipy.optimize.least_squares``). The model
  series is produced with the engine's own :class:`~campaign.engine.combat.LanchesterSquare`
  step, so a fit recovers the coefficients of a run exactly. The starting guess is
  Engel's (1954) estimate: a side's total losses over the summed strength-days of the
  enemy.
* :func:`calibrate_multipliers` -- up to two Dupuy multipliers (keys of
  ``combat.multipliers`` such as ``quality.volunteer``, ``posture.prepared`` or
  ``base_daily_loss``) chosen to match the most checkpoints of
  ``scenarios/<id>.history.yaml``, averaged over a few seeds, by a coarse grid and
  one finer grid around its best point (the score is a step function of the
  parameters, so gradient methods stall on its plateaus).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from campaign.analysis.ensemble import RunRecord, daily_control, run_ensemble, scenario_dates
from campaign.engine import combat
from campaign.errors import CampaignError
from campaign.scenario.checks import laws_reading, suggest
from campaign.scenario.history import History, history_path_for, load_history
from campaign.scenario.loader import load_scenario
from campaign.scenario.overrides import Overrides
from campaign.scenario.schema import Scenario
from campaign.simulate import RunResult

# ----------------------------------------------------------------------------- Lanchester


@dataclass(frozen=True)
class StrengthSeries:
    """Men of each side at time t = day (after that day's arrivals), day 0..N.

    ``reinforcements[side][day]`` is the men arriving at t = day, minus those leaving;
    day 0's arrivals are part of the starting strength.
    """

    strength: dict[str, np.ndarray]
    reinforcements: dict[str, np.ndarray]


def strength_series(result: RunResult) -> StrengthSeries:
    """Daily strengths per side from a run's events (arrivals, departures, losses in action).

    Exact for runs of pure attrition (``combat.break_points: false`` and
    ``combat.position_depth_km: 0``), where every loss is logged in an engagement step
    and no fight ends before the last man.
    """
    days = (result.scenario.end - result.scenario.start).days + 1
    sides = [s.id for s in result.scenario.sides]
    side_of = {u.id: u.side for u in result.units.values()}
    gained = {s: np.zeros(days + 1) for s in sides}
    lost = {s: np.zeros(days + 1) for s in sides}
    for e in result.events:
        index = min(days, int(math.ceil(e.t - 1e-9)))
        if e.type == "arrival":
            gained[e.side][index] += e.men
        elif e.type == "departure":
            gained[e.side][index] -= e.men
        elif e.type == "engagement_step":
            for unit, parts in e.losses.items():
                lost[side_of[unit]][index] += sum(parts)
        elif e.type == "surrender":
            lost[side_of[e.unit]][index] += e.men
    strength = {s: np.cumsum(gained[s]) - np.cumsum(lost[s]) for s in sides}
    reinforcements = {s: np.where(np.arange(days + 1) == 0, 0.0, gained[s]) for s in sides}
    return StrengthSeries(strength, reinforcements)


def square_law_series(
    a: float,
    b: float,
    a0: float,
    b0: float,
    reinforcements_a: np.ndarray,
    reinforcements_b: np.ndarray,
    step_days: float = 0.25,
) -> tuple[np.ndarray, np.ndarray]:
    """Strengths of A and B at t = 0..N under dA/dt = -a B, dB/dt = -b A (engine steps)."""
    model = combat.LanchesterSquare({"b_side": a, "a_side": b})  # keyed by who fires
    situation = combat.Situation()
    steps = max(1, round(1.0 / step_days))
    n = len(reinforcements_a)
    out_a, out_b = np.zeros(n), np.zeros(n)
    men_a, men_b = float(a0), float(b0)
    out_a[0], out_b[0] = men_a, men_b
    zero = np.zeros(1)
    one = np.ones(1)
    for day in range(1, n):
        for _ in range(steps):
            if men_a <= 0 or men_b <= 0:
                break
            camp_a = combat.Camp(np.array([men_a]), zero, zero, one, one, ["a_side"])
            camp_b = combat.Camp(np.array([men_b]), zero, zero, one, one, ["b_side"])
            lost = model.step(camp_a, camp_b, situation, 1.0 / steps, None)
            men_a -= float(lost.attacker.sum())
            men_b -= float(lost.defender.sum())
        men_a += float(reinforcements_a[day])
        men_b += float(reinforcements_b[day])
        out_a[day], out_b[day] = men_a, men_b
    return out_a, out_b


@dataclass(frozen=True)
class LanchesterFit:
    """Fitted square-law coefficients (per day) and how well they fit."""

    a: float  # B's fire on A: A's losses per day per man of B
    b: float  # A's fire on B
    engel_a: float  # Engel's starting estimate
    engel_b: float
    rms_relative_error: float  # root mean square of the residuals, as a share of peak strength
    success: bool
    message: str


def _engel_estimate(strength: np.ndarray, reinforcements: np.ndarray, enemy: np.ndarray) -> float:
    lost = strength[0] + reinforcements[1:].sum() - strength[-1]
    strength_days = float(np.clip(enemy[:-1], 0, None).sum())
    return float(max(lost, 1e-9) / max(strength_days, 1e-9))


def fit_lanchester(
    strength_a: np.ndarray,
    strength_b: np.ndarray,
    reinforcements_a: np.ndarray | None = None,
    reinforcements_b: np.ndarray | None = None,
    step_days: float = 0.25,
) -> LanchesterFit:
    """Least-squares square-law coefficients for two daily strength series.

    ``strength_x[k]`` is the men of force x at t = k days (after the arrivals of day k);
    ``reinforcements_x[k]`` the men joining at t = k (index 0 is ignored: it is part of
    ``strength_x[0]``). Residuals are scaled by each force's peak strength so both
    series weigh alike; the fit runs on log-coefficients, which keeps them positive.
    """
    from scipy.optimize import least_squares

    sa, sb = np.asarray(strength_a, float), np.asarray(strength_b, float)
    if sa.shape != sb.shape or sa.ndim != 1 or len(sa) < 3:
        raise CampaignError("strength series must be two 1-D arrays of equal length >= 3 days")
    ra = np.zeros_like(sa) if reinforcements_a is None else np.asarray(reinforcements_a, float)
    rb = np.zeros_like(sb) if reinforcements_b is None else np.asarray(reinforcements_b, float)
    if ra.shape != sa.shape or rb.shape != sb.shape:
        raise CampaignError("reinforcement series must have one value per day of the strengths")
    scale_a, scale_b = max(sa.max(), 1.0), max(sb.max(), 1.0)
    engel_a = _engel_estimate(sa, ra, sb)
    engel_b = _engel_estimate(sb, rb, sa)

    def residuals(x: np.ndarray) -> np.ndarray:
        model_a, model_b = square_law_series(
            math.exp(x[0]), math.exp(x[1]), sa[0], sb[0], ra, rb, step_days
        )
        return np.concatenate([(model_a - sa) / scale_a, (model_b - sb) / scale_b])

    fit = least_squares(
        residuals, np.log([engel_a, engel_b]), x_scale=1.0, xtol=1e-12, ftol=1e-12, gtol=1e-12
    )
    rms = float(np.sqrt(np.mean(fit.fun**2)))
    return LanchesterFit(
        a=float(math.exp(fit.x[0])),
        b=float(math.exp(fit.x[1])),
        engel_a=engel_a,
        engel_b=engel_b,
        rms_relative_error=rms,
        success=bool(fit.success),
        message=str(fit.message),
    )


def fit_lanchester_run(result: RunResult, side_a: str, side_b: str) -> LanchesterFit:
    """Fit the square law to the daily strengths of two sides of a simulated run."""
    series = strength_series(result)
    for side in (side_a, side_b):
        if side not in series.strength:
            raise CampaignError(f"no side '{side}'{suggest(side, series.strength)}")
    return fit_lanchester(
        series.strength[side_a],
        series.strength[side_b],
        series.reinforcements[side_a],
        series.reinforcements[side_b],
        step_days=result.scenario.combat.step_hours / 24.0,
    )


# ----------------------------------------------------------------------------- multipliers
def known_multipliers() -> dict[str, float]:
    """Every ``combat.multipliers`` key the engine reads, with its documented default."""
    known: dict[str, float] = {}
    for prefix, table in (
        ("quality", combat.QUALITY),
        ("break_point", combat.BREAK_POINT),
        ("posture", combat.POSTURE),
        ("terrain", combat.TERRAIN),
        ("river", combat.RIVER),
    ):
        known.update({f"{prefix}.{k}": float(v) for k, v in table.items()})
    known.update(
        {
            "surprise": combat.SURPRISE,
            "gun_men": combat.GUN_MEN,
            "machine_gun_men": combat.MACHINE_GUN_MEN,
            "base_daily_loss": combat.BASE_DAILY_LOSS,
            "ratio_exponent": combat.RATIO_EXPONENT,
        }
    )
    return known


@dataclass(frozen=True)
class Parameter:
    """One multiplier to fit: its name, search bounds and the scenario's current value."""

    name: str
    low: float
    high: float
    current: float


def parse_parameter(text: str, multipliers: dict[str, float], law: str | None = None) -> Parameter:
    """``NAME`` (bounds 0.5x..1.5x the current value) or ``NAME=LOW:HIGH``; with ``law``
    (the scenario's combat law), a multiplier that law does not read is refused: fitting
    it would only ever find a flat response."""
    name, _, bounds = text.partition("=")
    name = name.strip()
    known = known_multipliers()
    if name not in known:
        raise CampaignError(
            f"--param {text}: unknown multiplier '{name}'{suggest(name, known)}; "
            f"known: {', '.join(sorted(known))}"
        )
    if law is not None and law not in (laws := laws_reading(name)):
        readable = sorted(k for k in known if law in laws_reading(k))
        raise CampaignError(
            f"--param {text}: the scenario's {law} law does not read '{name}' (only "
            f"{', '.join(laws)}); multipliers it reads: {', '.join(readable)}"
        )
    current = float(multipliers.get(name, known[name]))
    if not bounds:
        return Parameter(name, 0.5 * current, 1.5 * current, current)
    try:
        low, high = (float(x) for x in bounds.split(":"))
    except ValueError:
        raise CampaignError(
            f"--param {text}: expected NAME=LOW:HIGH, e.g. "
            f"{name}={0.5 * current:g}:{1.5 * current:g}"
        ) from None
    if not 0 <= low < high or not math.isfinite(high):
        raise CampaignError(f"--param {text}: need 0 <= LOW < HIGH")
    return Parameter(name, low, high, current)


def with_multipliers(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """A copy of ``scenario`` with ``combat.multipliers`` entries set, validated again.

    (``--set combat.multipliers.quality.volunteer=...`` cannot express these keys yet:
    the override path splits at every dot.)
    """
    data = scenario.model_dump(mode="json")
    data["combat"]["multipliers"] = {**data["combat"]["multipliers"], **values}
    return Scenario.model_validate(data)


class CheckpointShares:
    """Share of the recorded checkpoints each run of an ensemble matches, run by run
    (pass :meth:`add` as ``run_ensemble(..., on_record=...)``)."""

    def __init__(self, scenario: Scenario, history: History):
        self.history = history
        self.holder = {s.id: s.controls_for or s.id for s in scenario.sides}
        self.initial = dict(scenario.control)
        self.dates = scenario_dates(scenario.start, scenario.end)
        self.shares: dict[int, float] = {}

    def add(self, record: RunRecord) -> None:
        from campaign.analysis.fidelity import score_checkpoints

        table = daily_control(self.initial, record.captures, self.dates)
        results = score_checkpoints(self.history, table, self.holder)
        if results:
            self.shares[record.seed] = sum(r.matched for r in results) / len(results)

    def mean(self) -> float:
        """Mean share over the runs, in seed order (the same figure whatever the order
        the runs finished in)."""
        shares = [self.shares[s] for s in sorted(self.shares)]
        return float(np.mean(shares)) if shares else 0.0


@dataclass
class CalibrationResult:
    """Every point tried (values and share of checkpoints matched) and the best one."""

    scenario_id: str
    parameters: list[Parameter]
    runs: int
    base_seed: int
    points: list[dict[str, Any]] = field(default_factory=list)

    @property
    def current(self) -> dict[str, Any]:
        return self._point({p.name: p.current for p in self.parameters})

    @property
    def best(self) -> dict[str, Any]:
        """Highest share; ties go to the point closest to the current values."""

        def distance(point: dict[str, Any]) -> float:
            return sum(
                ((point[p.name] - p.current) / (p.high - p.low)) ** 2 for p in self.parameters
            )

        return max(self.points, key=lambda pt: (round(pt["share"], 9), -distance(pt)))

    def _point(self, values: dict[str, float]) -> dict[str, Any]:
        key = tuple(round(values[p.name], 9) for p in self.parameters)
        for point in self.points:
            if tuple(round(point[p.name], 9) for p in self.parameters) == key:
                return point
        raise KeyError(values)

    def overrides(self) -> list[str]:
        """The best point as ``--set`` flags."""
        best = self.best
        return [f"--set combat.multipliers.{p.name}={best[p.name]:.6g}" for p in self.parameters]

    def text(self) -> str:
        names = [p.name for p in self.parameters]
        lines = [
            f"Calibration of {self.scenario_id}: share of recorded checkpoints matched "
            f"(mean of {self.runs} runs, seeds {self.base_seed}-"
            f"{self.base_seed + self.runs - 1})",
            "",
            "  " + "".join(f"{n:>22}" for n in names) + f"{'matched':>10}",
        ]
        current, best = self.current, self.best
        for point in sorted(self.points, key=lambda pt: tuple(pt[n] for n in names)):
            mark = " <- best" if point is best else (" (current)" if point is current else "")
            lines.append(
                "  "
                + "".join(f"{point[n]:>22.4g}" for n in names)
                + f"{point['share']:>9.1%}{mark}"
            )
        if best["share"] <= current["share"] + 1e-9:
            lines += [
                "",
                f"current: {current['share']:.1%} matched; no point tried does better: "
                "keep the current values",
            ]
        else:
            lines += [
                "",
                f"current: {current['share']:.1%} matched; best: {best['share']:.1%} with",
                "  " + " ".join(self.overrides()),
            ]
        return "\n".join(lines)


def _grid(
    parameters: list[Parameter],
    points: int,
    centre: dict[str, float] | None = None,
    half_width: dict[str, float] | None = None,
) -> list[dict[str, float]]:
    axes = []
    for p in parameters:
        if centre is None:
            values = np.linspace(p.low, p.high, points)
        else:
            c, w = centre[p.name], half_width[p.name]
            values = np.linspace(max(p.low, c - w), min(p.high, c + w), points)
        axes.append([float(v) for v in values])
    return [
        dict(zip([p.name for p in parameters], combo, strict=True))
        for combo in itertools.product(*axes)
    ]


def calibrate_multipliers(
    scenario_path: str | Path,
    params: list[str],
    runs: int = 8,
    history: str | Path | None = None,
    overrides: Overrides | None = None,
    base_seed: int = 0,
    workers: int | None = 1,
    grid_points: int | None = None,
    progress: bool = False,
) -> CalibrationResult:
    """Search up to two multipliers for the best match with the historical record.

    ``params``: ``NAME`` or ``NAME=LOW:HIGH``. Every point is scored on the same seeds
    (common random numbers), so differences come from the parameters, not the luck.
    """
    if not 1 <= len(params) <= 2:
        raise CampaignError(f"calibrate fits one or two --param, got {len(params)}")
    overrides = overrides or Overrides()
    scenario = load_scenario(scenario_path, overrides)
    history_file = Path(history) if history else history_path_for(Path(scenario_path))
    if not history_file.is_file():
        raise CampaignError(
            f"{history_file}: no history file to calibrate against (give one with --history)"
        )
    record = load_history(history_file, scenario)
    parameters = [
        parse_parameter(t, scenario.combat.multipliers, scenario.combat.model.value) for t in params
    ]
    if len({p.name for p in parameters}) < len(parameters):
        raise CampaignError("the same --param was given twice")
    points = grid_points or (9 if len(parameters) == 1 else 5)
    result = CalibrationResult(scenario.id, parameters, runs, base_seed)
    seen: dict[tuple[float, ...], dict[str, Any]] = {}

    def evaluate(values: dict[str, float]) -> None:
        key = tuple(round(values[p.name], 9) for p in parameters)
        if key in seen:
            return
        sets = [f"combat.multipliers.{name}={value!r}" for name, value in values.items()]
        label = Overrides(
            sets=overrides.sets + sets,
            scales=overrides.scales,
            removes=overrides.removes,
            delays=overrides.delays,
            variants=overrides.variants,
        )
        variant = with_multipliers(scenario, values)
        shares = CheckpointShares(variant, record)
        run_ensemble(
            variant,
            runs,
            workers=workers,
            overrides=label,
            base_seed=base_seed,
            progress=progress,
            on_record=shares.add,
        )
        point = {**values, "share": shares.mean()}
        seen[key] = point
        result.points.append(point)

    evaluate({p.name: p.current for p in parameters})
    for values in _grid(parameters, points):
        evaluate(values)
    step = {p.name: (p.high - p.low) / (points - 1) for p in parameters}
    best = result.best
    for values in _grid(
        parameters,
        5 if len(parameters) == 1 else 3,
        centre={p.name: best[p.name] for p in parameters},
        half_width=step,
    ):
        evaluate(values)
    return result
