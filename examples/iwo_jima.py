"""Engel's (1954) Lanchester fit of the battle of Iwo Jima, replayed by the engine.

Engel, J. H. (1954), "A verification of Lanchester's law", *Operations Research*
2(2): 163-171. US landings: 54,000 men on day 1, 6,000 on day 3, 13,000 on day 6;
21,500 Japanese defenders with no reinforcements; aimed-fire coefficients
a = 0.0544 per day (Japanese fire on US troops) and b = 0.0106 per day (US fire on
Japanese troops); 36 days.

Run:  python examples/iwo_jima.py [--out iwo_jima.png]

Prints the engine's day-by-day US and Japanese strengths next to a numerical
solution of the same equations (scipy's solve_ivp) and the largest relative
difference; with --out, plots both.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from campaign.scenario.schema import Scenario
from campaign.simulate import simulate

A_JAPANESE_ON_US = 0.0544
B_US_ON_JAPANESE = 0.0106
DAYS = 36
LANDINGS = {0: 54_000, 2: 6_000, 5: 13_000}  # day offset -> men landed
JAPANESE = 21_500


def scenario() -> Scenario:
    cite = {"ref": "engel"}
    units = [
        {
            "id": "japanese",
            "name": "Japanese garrison",
            "side": "japan",
            "kind": "army",
            "strength_men": JAPANESE,
            "quality": "regular",
            "location": "iwo_jima",
            "source": cite,
        },
    ]
    for day, men in LANDINGS.items():
        units.append(
            {
                "id": f"us_day{day + 1}",
                "name": f"US landing, day {day + 1}",
                "side": "usa",
                "kind": "division",
                "strength_men": men,
                "quality": "regular",
                "location": "iwo_jima",
                "arrives": f"1945-02-{19 + day:02d}",
                "source": cite,
            }
        )
    return Scenario.model_validate(
        {
            "id": "iwo_jima",
            "title": "Iwo Jima 1945 (Engel's Lanchester fit)",
            "start": "1945-02-19",
            "end": "1945-03-26",
            "sources": [{"id": "engel", "file": "Engel 1954, Operations Research 2(2)"}],
            "map": {
                "gazetteer": "none",
                "places": [{"id": "iwo_jima", "name": "Iwo Jima", "lat": 24.78, "lon": 141.32}],
            },
            "combat": {
                "model": "lanchester_square",
                "break_points": False,
                "variation": 0,
                "position_depth_km": 0,
                "coefficients": {"japan": A_JAPANESE_ON_US, "usa": B_US_ON_JAPANESE},
            },
            "sides": [
                {"id": "usa", "name": "United States", "colour": "#1f4e9c"},
                {"id": "japan", "name": "Japan", "colour": "#b22222"},
            ],
            "control": {"iwo_jima": "japan"},
            "units": units,
        }
    )


def engine_strengths() -> tuple[np.ndarray, np.ndarray]:
    """US and Japanese strength at the end of each day 0..DAYS, from the replay events."""
    result = simulate(scenario(), seed=0)
    us = np.zeros(DAYS + 1)
    jp = np.zeros(DAYS + 1)
    landed = np.zeros(DAYS + 1)
    for day, men in LANDINGS.items():
        landed[day:] += men
    lost_us = np.zeros(DAYS + 1)
    lost_jp = np.zeros(DAYS + 1)
    for e in result.events:
        if e.type != "engagement_step":
            continue
        day = int(np.ceil(e.t - 1e-9))  # the step ended at time e.t
        for unit, parts in e.losses.items():
            target = lost_jp if unit == "japanese" else lost_us
            target[day:] += sum(parts)
    # Strength at time t = day (start of day `day`, as in Engel's day-indexed series).
    us = landed - lost_us
    jp = JAPANESE - lost_jp
    return us, jp


def reference_strengths() -> tuple[np.ndarray, np.ndarray]:
    """The same equations integrated numerically with scipy (RK45, tight tolerances)."""
    from scipy.integrate import solve_ivp

    def rates(_t: float, y: np.ndarray) -> list[float]:
        return [-A_JAPANESE_ON_US * y[1], -B_US_ON_JAPANESE * y[0]]

    us, jp = np.zeros(DAYS + 1), np.zeros(DAYS + 1)
    state = np.array([0.0, float(JAPANESE)])
    bounds = sorted(LANDINGS) + [DAYS + 1]
    for start, stop in zip(bounds, bounds[1:], strict=False):
        state[0] += LANDINGS[start]
        days = np.arange(start, min(stop, DAYS + 1))
        sol = solve_ivp(
            rates, (start, stop), state, t_eval=np.append(days, stop), rtol=1e-10, atol=1e-6
        )
        us[days], jp[days] = sol.y[0][:-1], sol.y[1][:-1]
        state = sol.y[:, -1].copy()
    return us, jp


def compare() -> float:
    """Largest relative difference between engine and reference over both series."""
    us, jp = engine_strengths()
    ref_us, ref_jp = reference_strengths()
    # Compare while the Japanese garrison still exists in the reference (to day 35).
    alive = ref_jp > 0
    return float(
        max(
            np.max(np.abs(us - ref_us)[alive] / ref_us[alive]),
            np.max(np.abs(jp - ref_jp)[alive] / ref_jp[alive]),
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="write a comparison plot (PNG)")
    args = parser.parse_args()
    us, jp = engine_strengths()
    ref_us, ref_jp = reference_strengths()
    print(f"{'day':>4} {'US engine':>10} {'US ODE':>10} {'JP engine':>10} {'JP ODE':>10}")
    for day in range(0, DAYS + 1, 3):
        print(
            f"{day + 1:>4} {us[day]:>10,.0f} {ref_us[day]:>10,.0f} "
            f"{jp[day]:>10,.0f} {ref_jp[day]:>10,.0f}"
        )
    print(f"largest relative difference: {compare():.4%}")
    if args.out:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        days = np.arange(DAYS + 1) + 1
        fig, ax = plt.subplots(figsize=(10, 6), dpi=100)
        ax.plot(days, us, color="#1f4e9c", lw=2.5, label="US, engine")
        ax.plot(days, ref_us, color="#9ecae1", lw=1, ls="--", label="US, ODE (Engel's model)")
        ax.plot(days, np.maximum(jp, 0), color="#b22222", lw=2.5, label="Japanese, engine")
        ax.plot(
            days,
            np.maximum(ref_jp, 0),
            color="#fc9272",
            lw=1,
            ls="--",
            label="Japanese, ODE (Engel's model)",
        )
        ax.set(
            xlabel="day of battle",
            ylabel="men",
            title="Iwo Jima 1945: the engine against Engel's Lanchester square-law fit",
        )
        ax.grid(alpha=0.3)
        ax.legend()
        fig.savefig(args.out, bbox_inches="tight")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
