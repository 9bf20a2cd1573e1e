"""The Python API: the same operations as the command line, returning objects.

>>> from campaign import api
>>> scenario = api.load("scenarios/kaunas_1919.yaml")          # doctest: +SKIP
>>> outcome = api.run(scenario, seed=1)                         # doctest: +SKIP
>>> outcome.summary["final_control"]["alytus"]                  # doctest: +SKIP
'lithuania'
>>> print(api.report("replays/kaunas_1919")[:40])               # doctest: +SKIP
# After-action report: Encirclement of Ka

``summary`` is always filled in, whether or not ``out`` is given; only a run with ``out``
is written to disk (and can then be reported on, plotted or replayed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaign.replay.writer import check_out_dir, write_run
from campaign.scenario.loader import load_scenario
from campaign.scenario.overrides import Overrides

if TYPE_CHECKING:
    from campaign.analysis.ensemble import EnsembleResult
    from campaign.analysis.tempo import WhatIfTempo
    from campaign.scenario.schema import Scenario
    from campaign.simulate import RunResult


@dataclass
class RunOutcome:
    result: RunResult
    summary: dict[str, Any]  # final control, losses per side, objectives met (summary.json)
    out: Path | None


def load(scenario: str | Path, overrides: Overrides | None = None) -> Scenario:
    """Read and validate a scenario file, with what-if overrides applied (ScenarioError)."""
    return load_scenario(scenario, overrides or Overrides())


def validate(scenario: str | Path) -> list[str]:
    """The problems of a scenario file, one line each; empty when it is valid."""
    from campaign.errors import ScenarioError

    try:
        load_scenario(scenario)
    except ScenarioError as exc:
        return [str(p) for p in exc.problems]
    return []


def run(
    scenario: str | Path | Scenario,
    seed: int = 0,
    out: str | Path | None = None,
    overrides: Overrides | None = None,
    force: bool = False,
) -> RunOutcome:
    """Simulate a scenario (a file, or one returned by :func:`load`) and summarise the run;
    with ``out``, also write a replay folder. ``overrides`` apply to a file only."""
    from campaign.replay.summary import build_summary
    from campaign.replay.tables import control_by_day
    from campaign.replay.writer import make_header
    from campaign.simulate import simulate

    overrides = overrides or Overrides()
    loaded = load_scenario(scenario, overrides) if isinstance(scenario, str | Path) else scenario
    if out is not None:
        check_out_dir(Path(out), force)  # refuse a bad --out before simulating, not after
    result = simulate(loaded, seed=seed)
    path = str(scenario) if isinstance(scenario, str | Path) else ""
    if out is not None:
        summary = write_run(
            result, Path(out), scenario_path=path, overrides=overrides.describe(), force=force
        )
    else:
        table = control_by_day(make_header(result), [e.to_dict() for e in result.events])
        summary = build_summary(result, table)
    return RunOutcome(result=result, summary=summary, out=Path(out) if out else None)


def ensemble(
    scenario: str | Path,
    runs: int,
    overrides: Overrides | None = None,
    out: str | Path | None = None,
    workers: int | None = 1,
    base_seed: int = 0,
) -> EnsembleResult:
    """Run seeds ``base_seed .. base_seed + runs - 1`` (see
    :func:`campaign.analysis.ensemble.run_ensemble`); one process by default."""
    from campaign.analysis.ensemble import run_ensemble

    return run_ensemble(
        scenario,
        runs,
        workers=workers,
        overrides=overrides,
        out=out,
        base_seed=base_seed,
        progress=False,
    )


def tempo(
    scenario: str | Path,
    side: str,
    factors: list[float] | tuple[float, ...] = (0.5, 1.0, 2.0),
    runs: int = 40,
    count: str | None = None,
    seed: int = 0,
    workers: int = 1,
    overrides: Overrides | None = None,
) -> WhatIfTempo:
    """What-if tempo (``campaign tempo``): per place, how often and when ``count``
    (default ``side``) takes it with ``side`` at each strength factor, and whether the
    response is monotone (``.as_text()``, ``.as_data()``; CampaignError on bad input).
    ``workers``: processes for the runs (1: in this process); ``overrides``: what-if
    changes made before the scaling."""
    from campaign.analysis.tempo import what_if_tempo

    return what_if_tempo(
        scenario, side, list(factors), runs, count, seed, workers=workers, overrides=overrides
    )


def report(folder: str | Path, against: str | Path | None = None, html: bool = False) -> str:
    """The after-action report of a replay folder as Markdown (or, with ``html``, a page);
    ``against``: a baseline folder, for the differences from it."""
    from campaign.analysis.differences import differences
    from campaign.analysis.narrative import build_account
    from campaign.analysis.report import report_blocks, to_html, to_markdown

    account = build_account(folder)
    diff = differences(account, build_account(against, with_record=False)) if against else None
    blocks = report_blocks(account, diff)
    return to_html(blocks, account.title) if html else to_markdown(blocks)


def plot(
    folder: str | Path,
    out: str | Path,
    date: str | None = None,
    history: bool = False,
    force: bool = False,
) -> Path:
    """Draw the map of a replay folder on ``date`` (default: the last day) to ``out``.

    An existing ``out`` that campaign did not draw is replaced only with ``force``
    (OutputError otherwise), as ``campaign plot --out`` does."""
    from campaign.output_files import IMAGE_SUFFIXES, writable_output
    from campaign.render.maps import render_map

    writable_output(out, IMAGE_SUFFIXES, "out", force, folder_must_exist=True)
    return render_map(folder, out, date=date, history=history)
