"""Ensembles, comparisons and sensitivity on the toy line (fast: few runs, tiny theatre)."""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from toy import toy_dict

from campaign.analysis import ensemble as ens
from campaign.analysis.compare import compare_ensembles, comparison_text, newcombe_interval
from campaign.analysis.ensemble import (
    load_ensemble,
    rebuild_outputs,
    run_ensemble,
    wilson_interval,
)
from campaign.analysis.sensitivity import sensitivity
from campaign.cli import main
from campaign.errors import OutputError
from campaign.scenario.overrides import Overrides

HEADERS = {
    "runs.csv": ["run", "seed", "town", "final_side", "capture_dates"],
    "control_probability.csv": ["date", "town", "side", "probability"],
    "objectives.csv": [
        "side",
        "place",
        "kind",
        "measure",
        "by",
        "weight",
        "runs",
        "met",
        "probability",
        "ci_low",
        "ci_high",
    ],
    "losses.csv": ["side", "measure", "mean", "median", "p5", "p95"],
    "failures.csv": ["seed", "attempts", "error"],
}


def contested_toy() -> dict:
    """Blue attacks C with odds that make the outcome uncertain (about 40% blue)."""
    data = toy_dict()
    data["units"][0]["strength_men"] = 500
    data["units"][0]["strength_range"] = [300, 700]
    data["units"][1]["strength_range"] = [250, 600]
    return data


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(contested_toy(), sort_keys=False), encoding="utf-8")
    return path


def _outcomes(result) -> tuple:
    """What an ensemble found: its seeds and every table worked out from its runs."""
    return (
        result.seeds,
        result.control_probability,
        result.objectives,
        result.losses,
        [(f.seed, f.attempts, f.error) for f in result.failures],
    )


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_ensemble_writes_every_file_with_its_header(scenario_file: Path, tmp_path: Path):
    out = tmp_path / "ens"
    result = run_ensemble(scenario_file, 6, workers=1, out=out, progress=False)
    for name, columns in HEADERS.items():
        with (out / name).open(encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == columns, name
    info = json.loads((out / "ensemble.json").read_text(encoding="utf-8"))
    assert info["scenario_id"] == "toy" and info["runs"] == 6 and info["completed"] == 6
    assert info["base_seed"] == 0 and info["failures"] == [] and len(info["scenario_hash"]) == 64
    runs = _rows(out / "runs.csv")
    assert {r["seed"] for r in runs} == {str(s) for s in range(6)}
    assert {r["town"] for r in runs} == {"a", "b", "c", "d"}
    blue_took_c = [r for r in runs if r["town"] == "c" and r["final_side"] == "blue"]
    assert all(r["capture_dates"].endswith(":blue") for r in blue_took_c)
    assert result.completed == 6 and (out / "runs.jsonl").read_text().count("\n") == 7
    written = {name: (out / name).read_bytes() for name in [*HEADERS, "ensemble.json"]}
    for name in written:
        (out / name).unlink()
    rebuild_outputs(out)
    assert {name: (out / name).read_bytes() for name in written} == written


def test_control_probabilities_are_shares_that_sum_to_one(scenario_file: Path):
    result = run_ensemble(scenario_file, 12, workers=1, progress=False)
    totals: dict[tuple[str, str], float] = {}
    for row in result.control_probability:
        assert 0.0 <= row["probability"] <= 1.0
        key = (row["date"], row["town"])
        totals[key] = totals.get(key, 0.0) + row["probability"]
    assert len(totals) == 10 * 4  # ten days, four places
    assert all(abs(total - 1.0) < 1e-9 for total in totals.values())
    last = [r for r in result.control_probability if r["date"] == "1919-01-10" and r["town"] == "c"]
    assert {r["side"]: r["probability"] for r in last} == pytest.approx(result.final_control["c"])
    assert 0.0 < result.final_control["c"]["blue"] < 1.0  # the toy is really contested


def test_resume_runs_only_the_missing_seeds(scenario_file: Path, tmp_path: Path, monkeypatch):
    out = tmp_path / "ens"
    first = run_ensemble(scenario_file, 10, workers=1, out=out, progress=False)
    log = out / "runs.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines()
    kept = lines[:1] + lines[1::2]  # header and every other run
    kept_seeds = {json.loads(line)["seed"] for line in kept[1:]}
    # ... and a run cut short while being written (an interrupted ensemble has no
    # manifest.json yet: that is written when the tables are)
    log.write_text("\n".join(kept) + "\n" + lines[2][:40], encoding="utf-8")
    (out / "manifest.json").unlink()
    calls: list[int] = []
    real = ens.run_one

    def counting(scenario, seed, overrides=None):
        calls.append(seed)
        return real(scenario, seed, overrides)

    monkeypatch.setattr(ens, "run_one", counting)
    again = run_ensemble(scenario_file, 10, workers=1, out=out, resume=True, progress=False)
    assert sorted(calls) == sorted(set(range(10)) - kept_seeds)
    assert _outcomes(again) == _outcomes(first)
    assert all(json.loads(line) for line in log.read_text(encoding="utf-8").splitlines())
    with pytest.raises(OutputError, match="not empty"):
        run_ensemble(scenario_file, 10, workers=1, out=out, progress=False)


def test_resume_refuses_an_ensemble_of_other_overrides(scenario_file: Path, tmp_path: Path):
    out = tmp_path / "ens"
    run_ensemble(scenario_file, 2, workers=1, out=out, progress=False)
    with pytest.raises(OutputError, match="scenario_hash"):
        run_ensemble(
            scenario_file,
            2,
            workers=1,
            out=out,
            resume=True,
            progress=False,
            overrides=Overrides(scales=["blue=2"]),
        )


def test_a_failing_run_is_reported_and_the_others_kept(
    scenario_file: Path, tmp_path: Path, monkeypatch
):
    real = ens.run_one
    tried: list[int] = []

    def flaky(scenario, seed, overrides=None):
        tried.append(seed)
        if seed == 3:
            raise RuntimeError("supply train lost")
        return real(scenario, seed, overrides)

    monkeypatch.setattr(ens, "run_one", flaky)
    out = tmp_path / "ens"
    result = run_ensemble(scenario_file, 6, workers=1, out=out, progress=False)
    assert result.seeds == [0, 1, 2, 4, 5]
    assert [(f.seed, f.attempts) for f in result.failures] == [(3, 2)]
    assert tried.count(3) == 2  # retried once
    assert "supply train lost" in result.failures[0].error
    assert _rows(out / "failures.csv") == [
        {"seed": "3", "attempts": "2", "error": "RuntimeError: supply train lost"}
    ]
    assert json.loads((out / "ensemble.json").read_text())["failed"] == 1
    assert _outcomes(load_ensemble(out)) == _outcomes(result)


@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="workers see the monkeypatch only when forked",
)
def test_a_crashed_worker_loses_only_its_run(scenario_file: Path, monkeypatch):
    real = ens.run_one

    def crashing(scenario, seed, overrides=None):
        if seed == 2:
            os._exit(13)  # the worker process dies: the pool breaks
        return real(scenario, seed, overrides)

    monkeypatch.setattr(ens, "run_one", crashing)
    result = run_ensemble(scenario_file, 8, workers=2, progress=False)
    assert result.seeds == [0, 1, 3, 4, 5, 6, 7]
    assert [(f.seed, f.attempts) for f in result.failures] == [(2, 2)]
    assert "worker process died" in result.failures[0].error


def test_a_pool_found_broken_when_submitting_runs_the_batch_in_the_next(
    scenario_file: Path, monkeypatch
):
    # The race behind a flaky CI run: a worker dies between the wait and the next
    # submit, so submit itself raises. The batch never started; it must run in the
    # next pool, and the batch in flight counts as lost (then retried alone).
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    pools: list[int] = []

    class Pool:
        def __init__(self, workers: int) -> None:
            pools.append(workers)
            self.submitted = 0

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            return None

        def submit(self, fn, *args):
            self.submitted += 1
            if len(pools) == 1 and self.submitted == 2:
                raise BrokenProcessPool("a child process terminated abruptly")
            future: Future = Future()
            future.set_result(fn(*args))
            return future

    monkeypatch.setattr(ens, "worker_pool", Pool)
    result = run_ensemble(scenario_file, 8, workers=2, progress=False)
    assert result.seeds == list(range(8))
    assert not result.failures
    assert len(pools) >= 2


def test_dask_cluster_gives_the_same_records_as_the_local_pool(scenario_file: Path):
    pytest.importorskip("distributed")
    local = run_ensemble(scenario_file, 6, workers=2, progress=False, base_seed=40)
    dask = run_ensemble(scenario_file, 6, workers=2, dask_local=True, progress=False, base_seed=40)
    assert _outcomes(dask) == _outcomes(local)
    assert dask.seeds == list(range(40, 46))


def test_compare_shows_the_stronger_attacker_taking_the_town_more_often(
    scenario_file: Path, tmp_path: Path, capsys
):
    base, variant = tmp_path / "base", tmp_path / "strong"
    run_ensemble(scenario_file, 20, workers=1, out=base, progress=False)
    run_ensemble(
        scenario_file,
        20,
        workers=1,
        out=variant,
        progress=False,
        overrides=Overrides(scales=["blue_1=1.6"]),
    )
    comparison = compare_ensembles(base, variant)
    row = next(r for r in comparison.control if r["town"] == "c" and r["side"] == "blue")
    assert row["difference"] > 0 and row["ci_low"] > 0 and row["cohens_h"] > 0
    objective = next(r for r in comparison.objectives if r["side"] == "blue")
    assert objective["difference"] > 0
    assert "blue" in comparison_text(comparison)
    chart = tmp_path / "chart.png"
    assert main(["compare", str(base), str(variant), "--out", str(chart)]) == 0
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Final control" in capsys.readouterr().out


def test_cli_ensemble_prints_a_summary_and_refuses_to_overwrite(
    scenario_file: Path, tmp_path: Path, capsys
):
    out = tmp_path / "ens"
    argv = [
        "ensemble",
        str(scenario_file),
        "--runs",
        "4",
        "--workers",
        "1",
        "--out",
        str(out),
        "--quiet",
        "--scale",
        "red=0.5",
    ]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "4 of 4 runs" in text and "holder_at_end_of" in text and "1919-01-10" in text
    assert "n=4" in text and "holds the place at the end of that date" in text
    assert json.loads((out / "ensemble.json").read_text())["overrides"] == ["--scale red=0.5"]
    assert main(argv) == 2
    assert "not empty" in capsys.readouterr().err
    assert main(argv + ["--resume"]) == 0
    assert main(argv + ["--force"]) == 0


def test_sensitivity_ranks_the_attacker_strength_first(scenario_file: Path):
    result = sensitivity(scenario_file, runs=6, workers=1, progress=False)
    assert {r["id"] for r in result.rows} == {"blue", "red", "blue_1", "red_1"}
    assert result.rows[0]["id"] in ("blue", "blue_1") and result.rows[0]["swing"] > 0.5
    blue = next(r for r in result.rows if r["id"] == "blue")
    assert blue["high"]["blue"] > blue["low"]["blue"]
    assert "blue_1" in result.text()


@given(st.integers(0, 200), st.integers(0, 200))
def test_wilson_interval_brackets_the_share(k: int, extra: int):
    n = k + extra
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= high <= 1.0
    if n:
        assert low - 1e-12 <= k / n <= high + 1e-12


@given(st.integers(0, 50), st.integers(1, 50), st.integers(0, 50), st.integers(1, 50))
def test_newcombe_interval_brackets_the_difference(k1: int, n1: int, k2: int, n2: int):
    k1, k2 = min(k1, n1), min(k2, n2)
    low, high = newcombe_interval(k1, n1, k2, n2)
    assert -1.0 - 1e-12 <= low <= k1 / n1 - k2 / n2 <= high <= 1.0 + 1e-12


def test_a_what_if_leaves_the_other_units_sampled_strengths_as_they_were():
    # Ensembles draw each ranged unit's strength; removing one unit used to shift every
    # later draw, so a what-if's difference mixed in a change of sample. Draws are now
    # per unit and seed: the runs of the two ensembles are paired.
    from campaign.scenario.loader import load_scenario
    from campaign.simulate import build_world

    root = Path(__file__).resolve().parents[2]
    base = load_scenario(root / "scenarios" / "northeast_1919.yaml")
    without = load_scenario(
        root / "scenarios" / "northeast_1919.yaml", Overrides(removes=["saxon_18th"])
    )
    for seed in (1, 3):
        a = build_world(base, seed, sample_strengths=True).units
        b = build_world(without, seed, sample_strengths=True).units
        ranged = [u.id for u in base.units if u.strength_range and u.id in b]
        assert len(ranged) > 3
        assert all(a[uid].men == b[uid].men for uid in ranged)
        assert any(
            a[uid].men != float(u.strength_men) for u in base.units if (uid := u.id) in ranged
        )
