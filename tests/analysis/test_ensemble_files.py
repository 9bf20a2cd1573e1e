"""An ensemble folder: bounded memory, --force that swaps the whole folder, recovery from
a folder cut short (issue 22)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tracemalloc
from pathlib import Path

import pytest
import yaml
from toy import toy_dict

from campaign.analysis import ensemble as ens
from campaign.analysis.ensemble import load_ensemble, run_ensemble
from campaign.cli import main
from campaign.errors import CampaignError, OutputError


@pytest.fixture
def toy_file(tmp_path: Path) -> Path:
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(toy_dict()), encoding="utf-8")
    return path


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _peak_bytes(toy_file: Path, runs: int, out: Path) -> int:
    tracemalloc.start()
    try:
        run_ensemble(toy_file, runs, workers=1, out=out, progress=False)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_of_an_ensemble_does_not_grow_with_its_runs(toy_file, tmp_path, monkeypatch):
    # Real records of the toy, replayed under new seeds: the ensemble's own bookkeeping
    # (log, counts, tables, manifest) is measured, not the simulation.
    templates = [ens.run_one(toy_file, seed) for seed in range(8)]
    monkeypatch.setattr(
        ens,
        "run_one",
        lambda scenario, seed, overrides=None: dataclasses.replace(
            templates[seed % len(templates)], seed=seed
        ),
    )
    small = _peak_bytes(toy_file, 150, tmp_path / "small")
    large = _peak_bytes(toy_file, 900, tmp_path / "large")
    # Keeping every record and holding the runs table whole cost 1.4 KB a run of the toy
    # (much more for a real theatre); counts and per-run loss samples cost under 200 bytes.
    assert (large - small) / 750 < 500, (small, large)
    assert load_ensemble(tmp_path / "large").completed == 900


def test_force_replaces_the_whole_ensemble_folder(toy_file: Path, tmp_path: Path):
    out = tmp_path / "ens"
    run_ensemble(toy_file, 3, workers=1, out=out, progress=False)
    (out / "chart.png").write_bytes(b"made from the old runs")
    run_ensemble(toy_file, 2, workers=1, out=out, progress=False, force=True, base_seed=50)
    assert not (out / "chart.png").exists()
    assert json.loads((out / "ensemble.json").read_text())["base_seed"] == 50
    assert load_ensemble(out).seeds == [50, 51]
    assert not list(tmp_path.glob(".ens.*"))  # no sibling left


def test_an_interrupted_force_leaves_the_earlier_ensemble(toy_file, tmp_path, monkeypatch):
    out = tmp_path / "ens"
    run_ensemble(toy_file, 3, workers=1, out=out, progress=False)
    before = _digests(out)
    _interrupt_runs(monkeypatch, at_seed=2)
    with pytest.raises(KeyboardInterrupt):
        run_ensemble(toy_file, 5, workers=1, out=out, progress=False, force=True)
    assert _digests(out) == before
    assert not list(tmp_path.glob(".ens.*"))


def test_cli_says_an_interrupted_force_kept_the_earlier_ensemble(
    toy_file, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "ens"
    run_ensemble(toy_file, 2, workers=1, out=out, progress=False)
    before = _digests(out)

    _interrupt_runs(monkeypatch)
    argv = [
        "ensemble",
        str(toy_file),
        "--runs",
        "2",
        "--workers",
        "1",
        "--out",
        str(out),
        "--force",
        "--quiet",
    ]
    assert main(argv) == 130
    assert "still holds the earlier ensemble" in capsys.readouterr().err
    assert _digests(out) == before


def test_force_does_not_replace_a_folder_that_holds_no_ensemble(toy_file, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputError, match="holds no ensemble"):
        run_ensemble(toy_file, 2, workers=1, out=out, progress=False, force=True)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_a_killed_force_leaves_a_sibling_that_the_next_write_removes(toy_file, tmp_path):
    out = tmp_path / "ens"
    run_ensemble(toy_file, 2, workers=1, out=out, progress=False)
    stale = tmp_path / ".ens.k1ll3d.staging"  # what kill -9 during --force leaves
    stale.mkdir()
    (stale / "runs.jsonl").write_text("{}\n", encoding="utf-8")
    assert load_ensemble(out).completed == 2  # the earlier ensemble is whole
    run_ensemble(toy_file, 3, workers=1, out=out, progress=False, resume=True)
    assert not stale.exists()


def test_a_half_written_ensemble_folder_is_read_resumed_or_replaced(toy_file, tmp_path):
    out = tmp_path / "ens"
    run_ensemble(toy_file, 6, workers=1, out=out, progress=False)
    # What kill -9 leaves: runs.jsonl with a line cut short, no tables, no manifest, and
    # a temporary file of a table being written.
    lines = (out / "runs.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    for path in out.iterdir():
        path.unlink()
    (out / "runs.jsonl").write_text("".join(lines[:4]) + lines[4][:30], encoding="utf-8")
    (out / ".runs.csv.a1b2c3.tmp").write_text("run,seed", encoding="utf-8")
    assert load_ensemble(out).completed == 3  # readers skip the cut line
    with pytest.raises(OutputError, match="--resume"):
        run_ensemble(toy_file, 6, workers=1, out=out, progress=False)
    resumed = run_ensemble(toy_file, 6, workers=1, out=out, progress=False, resume=True)
    assert resumed.seeds == list(range(6))
    assert not list(out.glob(".*.tmp"))
    assert (out / "manifest.json").is_file()


def test_a_folder_holding_only_leftovers_is_reused_without_force(toy_file, tmp_path):
    out = tmp_path / "ens"
    out.mkdir()
    (out / ".runs.jsonl.x9y8.tmp").write_text("{", encoding="utf-8")
    result = run_ensemble(toy_file, 2, workers=1, out=out, progress=False)
    assert result.completed == 2 and not list(out.glob(".*.tmp"))


def test_a_link_to_an_ensemble_folder_stays_a_link(toy_file, tmp_path):
    target, link = tmp_path / "target", tmp_path / "link"
    run_ensemble(toy_file, 2, workers=1, out=target, progress=False)
    link.symlink_to(target)
    run_ensemble(toy_file, 2, workers=1, out=link, progress=False, force=True, base_seed=9)
    assert link.is_symlink() and load_ensemble(link).seeds == [9, 10]


def _interrupt_runs(monkeypatch, at_seed: int | None = None) -> None:
    """Make the ensemble's runs raise KeyboardInterrupt (Ctrl-C): every run, or only
    the run of ``at_seed`` (the others run as usual)."""
    real = ens.run_one

    def interrupted(scenario, seed, overrides=None):
        if at_seed is None or seed == at_seed:
            raise KeyboardInterrupt
        return real(scenario, seed, overrides)

    monkeypatch.setattr(ens, "run_one", interrupted)


def _unreachable(*args, **kwargs):
    raise CampaignError("cannot reach the Dask scheduler tcp://127.0.0.1:1: timed out")


def test_an_ensemble_that_fails_before_any_run_leaves_no_folder(toy_file, tmp_path, monkeypatch):
    # A scheduler that cannot be reached left es/ with a runs.jsonl of its header alone,
    # which `compare` then took for an ensemble of 0 runs.
    monkeypatch.setattr(ens, "_run_seeds", _unreachable)
    out = tmp_path / "new" / "es"
    with pytest.raises(CampaignError, match="cannot reach"):
        run_ensemble(toy_file, 4, workers=1, out=out, progress=False)
    assert not (tmp_path / "new").exists()  # the folders it made are gone
    # A folder that was there is left, emptied of what the ensemble wrote only.
    empty, mine = tmp_path / "empty", tmp_path / "new2"
    empty.mkdir()
    with pytest.raises(CampaignError, match="cannot reach"):
        run_ensemble(toy_file, 4, workers=1, out=empty, progress=False)
    assert empty.is_dir() and not list(empty.iterdir())
    out = mine / "es"
    real_prepare = ens.prepare_folder

    def user_adds_a_file(folder, *args):  # a file of the user's put in it meanwhile
        prepared = real_prepare(folder, *args)
        (out / "notes.txt").write_text("keep me", encoding="utf-8")
        return prepared

    monkeypatch.setattr(ens, "prepare_folder", user_adds_a_file)
    with pytest.raises(CampaignError, match="cannot reach"):
        run_ensemble(toy_file, 4, workers=1, out=out, progress=False)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_an_interrupted_ensemble_keeps_the_runs_it_finished(toy_file, tmp_path, monkeypatch):
    out = tmp_path / "es"
    _interrupt_runs(monkeypatch, at_seed=2)
    with pytest.raises(KeyboardInterrupt):
        run_ensemble(toy_file, 4, workers=1, out=out, progress=False)
    assert load_ensemble(out).completed == 2  # for --resume
    # a resumed ensemble that fails at once keeps its log
    monkeypatch.setattr(ens, "_run_seeds", _unreachable)
    with pytest.raises(CampaignError, match="cannot reach"):
        run_ensemble(toy_file, 4, workers=1, out=out, progress=False, resume=True)
    assert load_ensemble(out).completed == 2


def test_the_cli_says_nothing_was_kept_of_an_ensemble_interrupted_before_a_run(
    toy_file, tmp_path, monkeypatch, capsys
):
    _interrupt_runs(monkeypatch)
    out = tmp_path / "es"
    argv = ["ensemble", str(toy_file), "--runs", "2", "--workers", "1", "--out", str(out)]
    assert main([*argv, "--quiet"]) == 130
    assert "interrupted before any run finished; nothing kept" in capsys.readouterr().err
    assert not out.exists()


def test_compare_and_report_refuse_an_ensemble_of_no_run(toy_file, tmp_path, monkeypatch, capsys):
    good = tmp_path / "good"
    run_ensemble(toy_file, 2, workers=1, out=good, progress=False)

    def failing(scenario, seed, overrides=None):
        raise RuntimeError("supply train lost")

    monkeypatch.setattr(ens, "run_one", failing)
    failed = tmp_path / "failed"  # every run failed: failures.csv says why, no run counted
    run_ensemble(toy_file, 2, workers=1, out=failed, progress=False)
    header_only = tmp_path / "header_only"  # what a failed ensemble used to leave
    header_only.mkdir()
    first = (good / "runs.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)[0]
    (header_only / "runs.jsonl").write_text(first, encoding="utf-8")
    for folder, count in ((failed, "2 failed, "), (header_only, "")):
        for argv in (
            ["compare", str(folder), str(good)],
            ["compare", str(good), str(folder)],
            ["report", str(folder)],
        ):
            assert main(argv) == 2, argv
            err = capsys.readouterr().err
            assert f"{folder}: no run of this ensemble finished ({count}none counted)" in err
            assert err.count("\n") == 1
