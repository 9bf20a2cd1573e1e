"""What-if ensembles on the Kaunas 1919 scenario, with the Python API.

Two questions, each answered by an ensemble compared with the historical baseline:

1. What if the Saxon volunteers had gone home? By default they are removed (as if
   they had left before February); ``--saxons-leave 1919-02-12`` makes them leave
   on that date instead (their departure moved with ``--delay UNIT.departs=DAYS``).
2. What if the Pskov Division had been twice as strong? (``--scale pskov_division=2``)

Run:  python examples/whatif_ensemble.py [--runs 40] [--workers 2] [--saxons-leave DATE]

Prints, for the places the Soviet pincers aimed at, the probability that Lithuania
holds each at the end (95% Wilson interval), and the change against the baseline
(95% Newcombe interval). Unit and formation ids are looked up by name at run time.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from campaign.analysis.compare import newcombe_interval
from campaign.analysis.ensemble import EnsembleResult, run_ensemble, wilson_interval
from campaign.scenario.loader import load_scenario
from campaign.scenario.overrides import Overrides

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "kaunas_1919.yaml"
HOLDER = "lithuania"


def formation_id(name_part: str) -> str:
    """Id of the one formation whose name contains ``name_part`` (case-insensitive)."""
    scenario = load_scenario(SCENARIO)
    found = [f.id for f in scenario.formations if name_part.lower() in f.name.lower()]
    if len(found) != 1:
        raise SystemExit(
            f"{SCENARIO}: expected one formation named like '{name_part}', found {found or 'none'}"
        )
    return found[0]


def units_of(formation: str) -> list[str]:
    """Ids of the units under ``formation`` (directly or through sub-formations)."""
    scenario = load_scenario(SCENARIO)
    below = {formation}
    for _ in scenario.formations:
        below |= {f.id for f in scenario.formations if f.parent in below}
    units = [u.id for u in scenario.units if u.parent in below]
    if not units:
        raise SystemExit(f"{SCENARIO}: formation '{formation}' has no units")
    return units


def saxons_gone(leave: str | None) -> Overrides:
    saxons = units_of(formation_id("Saxon"))
    if leave is None:
        return Overrides(removes=saxons)
    end = load_scenario(SCENARIO).end
    days = (dt.date.fromisoformat(leave) - end).days
    return Overrides(delays=[f"{u}.departs={days}" for u in saxons])


def whatif(runs: int, workers: int | None, leave: str | None) -> dict[str, EnsembleResult]:
    """The baseline and the two what-if ensembles, on the same seeds."""
    variants = {
        "baseline": Overrides(),
        "Saxons gone" if leave is None else f"Saxons leave {leave}": saxons_gone(leave),
        "Pskov Division x2": Overrides(scales=[f"{formation_id('Pskov')}=2"]),
    }
    return {
        label: run_ensemble(SCENARIO, runs, workers=workers, overrides=o, progress=False)
        for label, o in variants.items()
    }


def report(results: dict[str, EnsembleResult]) -> str:
    base = results["baseline"]
    places = base.contested
    lines = [
        f"P({HOLDER} holds the place on {base.header['end']}), 95% interval; "
        f"change against the baseline, 95% interval"
    ]
    for label, result in results.items():
        lines += [
            "",
            f"{label} ({' '.join(result.header['overrides']) or 'as scenario'}), "
            f"{result.completed} runs",
        ]
        n, n_base = result.completed, base.completed
        for town in places:
            held = result.final_count(town, HOLDER)
            low, high = wilson_interval(held, n)
            line = f"  {town:<14} {held / n:5.2f} [{low:.2f}, {high:.2f}]"
            if result is not base:
                held_base = base.final_count(town, HOLDER)
                low, high = newcombe_interval(held, n, held_base, n_base)
                line += f"   {held / n - held_base / n_base:+.2f} [{low:+.2f}, {high:+.2f}]"
            lines.append(line)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--saxons-leave", metavar="DATE", help="ISO date the Saxons leave")
    args = parser.parse_args()
    print(report(whatif(args.runs, args.workers, args.saxons_leave)))


if __name__ == "__main__":
    main()
