"""The Python API: the same operations as the command line, returning objects.

>>> from campaign.api import run
>>> outcome = run("scenarios/kaunas_1919.yaml", seed=1)      # doctest: +SKIP
>>> outcome.summary["final_control"]["alytus"]               # doctest: +SKIP
'lithuania'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaign.engine.simulate import RunResult, simulate
from campaign.replay.writer import check_out_dir, write_run
from campaign.scenario.loader import load_scenario
from campaign.scenario.overrides import Overrides


@dataclass
class RunOutcome:
    result: RunResult
    summary: dict[str, Any] | None
    out: Path | None


def run(scenario: str | Path, seed: int = 0, out: str | Path | None = None,
        overrides: Overrides | None = None, force: bool = False) -> RunOutcome:
    """Load, simulate and (when ``out`` is given) write a replay folder."""
    overrides = overrides or Overrides()
    loaded = load_scenario(scenario, overrides)
    if out is not None:
        check_out_dir(Path(out), force)  # refuse a bad --out before simulating, not after
    result = simulate(loaded, seed=seed)
    summary = None
    if out is not None:
        summary = write_run(result, Path(out), scenario_path=str(scenario),
                            overrides=overrides.describe(), force=force)
    return RunOutcome(result=result, summary=summary, out=Path(out) if out else None)
