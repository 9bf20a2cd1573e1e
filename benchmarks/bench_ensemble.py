"""Ensemble throughput on the Kaunas 1919 scenario.

Prints runs per second for 200 runs at 1 worker (in this process) and 2 workers
(process pool), the speed-up, and the wall time of a 1,000-run ensemble on all
cores writing its folder (runs.jsonl and tables) to a temporary directory. Every
figure includes loading the scenario and starting the pool.

Run:  python benchmarks/bench_ensemble.py [OUT.json] [--runs 200] [--big 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from campaign.analysis.ensemble import run_ensemble
from campaign.replay.atomic import atomic_write_text

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "kaunas_1919.yaml"


def timed(runs: int, workers: int | None, out: Path | None = None) -> tuple[float, int]:
    """Wall seconds and successful runs of one ensemble."""
    start = time.perf_counter()
    result = run_ensemble(SCENARIO, runs, workers=workers, out=out, progress=False)
    return time.perf_counter() - start, result.completed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "out", nargs="?", type=Path, default=ROOT / "benchmarks" / "results_ensemble.json"
    )
    parser.add_argument("--runs", type=int, default=200, help="runs per worker count")
    parser.add_argument("--big", type=int, default=1000, help="runs of the large ensemble")
    args = parser.parse_args()

    figures: dict = {
        "scenario": "kaunas_1919",
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
        },
    }
    rates = {}
    for workers in (1, 2):
        seconds, ok = timed(args.runs, workers)
        rates[workers] = args.runs / seconds
        figures[f"workers_{workers}"] = {
            "runs": args.runs,
            "ok_runs": ok,
            "seconds": seconds,
            "runs_per_s": rates[workers],
        }
        print(
            f"{workers} worker{'s' if workers > 1 else ' '}: {args.runs} runs in "
            f"{seconds:6.2f} s = {rates[workers]:6.1f} runs/s"
        )
    figures["speedup_2_over_1"] = rates[2] / rates[1]
    print(f"speed-up 2 workers over 1: {figures['speedup_2_over_1']:.2f}x")

    with tempfile.TemporaryDirectory() as tmp:
        seconds, ok = timed(args.big, None, Path(tmp) / "ensemble")
    figures["big"] = {
        "runs": args.big,
        "ok_runs": ok,
        "workers": os.cpu_count(),
        "seconds": seconds,
        "runs_per_s": args.big / seconds,
    }
    print(f"{args.big} runs on {os.cpu_count()} cores, folder written: {seconds:.1f} s")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(figures, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
