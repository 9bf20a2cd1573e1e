"""Peak memory of an ensemble's bookkeeping against its number of runs.

Each size runs in a fresh process: ``run_ensemble`` on Kaunas with ``--out`` (runs.jsonl,
every table, the manifest), then ``load_ensemble`` and ``rebuild_outputs`` of the folder,
as ``campaign report`` and ``campaign compare`` read it. The simulation itself is
replaced by a replay of 20 real Kaunas records under new seeds (``--stub``, the
default), so 100,000 runs take seconds and the figure is the ensemble's own memory; with
``--real`` every run is simulated (about 80 ms a run on one core).

Prints, per size, the peak resident set size (``ru_maxrss``) of the process and the
growth per run against the smallest size.

Run:  python benchmarks/ensemble_memory.py [--sizes 1000 10000 100000] [--real]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "kaunas_1919.yaml"
#: Real records replayed under new seeds by the stub.
TEMPLATES = 20


def one_size(runs: int, real: bool, out: Path) -> dict[str, float]:
    """Run, load and rebuild one ensemble of ``runs`` in this process; peak RSS in MB."""
    from campaign.analysis import ensemble

    if not real:
        templates = [ensemble.run_one(SCENARIO, seed) for seed in range(TEMPLATES)]

        def stub(scenario, seed, overrides=None):
            return dataclasses.replace(templates[seed % TEMPLATES], seed=seed)

        ensemble.run_one = stub
    start = time.perf_counter()
    ensemble.run_ensemble(SCENARIO, runs, workers=1, out=out, progress=False)
    ensemble.rebuild_outputs(out)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"runs": runs, "peak_mb": peak_kb / 1024, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--real", action="store_true", help="simulate every run")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(one_size(args.one, args.real, Path(tmp) / "ens")))
        return
    rows = []
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", str(size)] + (["--real"] if args.real else [])
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    first = rows[0]
    print(f"{'runs':>8}  {'peak MB':>8}  {'KB/run over first':>17}  {'seconds':>7}")
    for row in rows:
        extra = row["runs"] - first["runs"]
        per_run = (row["peak_mb"] - first["peak_mb"]) * 1024 / extra if extra else 0.0
        print(
            f"{row['runs']:>8,}  {row['peak_mb']:>8.1f}  {per_run:>17.2f}  {row['seconds']:>7.1f}"
        )


if __name__ == "__main__":
    main()
