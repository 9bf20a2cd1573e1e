"""CLI behaviour on errors and interruptions."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from campaign.replay.reader import read_replay

ROOT = Path(__file__).resolve().parents[1]


def _campaign(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "campaign", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_version_and_help():
    assert _campaign("--version").stdout.startswith("campaign ")
    assert "validate" in _campaign("--help").stdout


def test_missing_replay_is_one_line_exit_2(tmp_path: Path):
    done = _campaign("replay", str(tmp_path / "nothing"), "--at", "1919-02-10")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_sigterm_leaves_no_partial_files(tmp_path: Path):
    out = tmp_path / "ens"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "campaign",
            "run",
            "scenarios/northeast_1919.yaml",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(0.8)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    leftovers = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert not any(name.endswith(".tmp") for name in leftovers)
    assert not list(tmp_path.glob(".ens.*"))  # the sibling the run was written to is gone
    if proc.returncode == 0:
        return  # finished before the signal arrived: all files complete
    if proc.returncode == -signal.SIGTERM:
        # Killed before the handler was installed or after the files were done:
        # either nothing or every file, whole.
        assert leftovers in (
            [],
            ["control.csv", "events.jsonl", "manifest.json", "strength.csv", "summary.json"],
        )
        if leftovers:
            read_replay(out)
        return
    assert proc.returncode == 130 and "interrupted" in err


def test_an_interrupt_inside_an_import_is_an_interruption(monkeypatch, capsys):
    from campaign import cli

    def import_hit_by_sigterm(args):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:  # what a C extension's failed import looks like
            raise ImportError("initialization of ft2font raised unreported exception") from exc

    monkeypatch.setattr(cli, "cmd_schema", import_hit_by_sigterm)  # read when the parser is built
    assert cli.main(["schema"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_validate_reads_a_history_file_as_a_record(tmp_path: Path):
    ok = _campaign("validate", "scenarios/northeast_1919.history.yaml")
    assert (
        ok.returncode == 0 and "Historical record for northeast_1919: 39 checkpoints" in ok.stdout
    )
    bad = tmp_path / "x.history.yaml"
    bad.write_text("scenario: x\nsources: []\ncheckpoints: []\n", encoding="utf-8")
    done = _campaign("validate", str(bad))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{bad}:3: checkpoints:" in done.stderr


def _kaunas_record_with(tmp_path: Path, old: str, new: str) -> Path:
    """The Kaunas scenario and its record copied to ``tmp_path``, one line of the record
    changed."""
    (tmp_path / "kaunas_1919.yaml").write_bytes(Path("scenarios/kaunas_1919.yaml").read_bytes())
    record = Path("scenarios/kaunas_1919.history.yaml").read_text(encoding="utf-8")
    assert old in record
    path = tmp_path / "kaunas_1919.history.yaml"
    path.write_text(record.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_record_is_checked_against_its_scenario(tmp_path: Path):
    # Beside its scenario, a record naming a place or side the scenario lacks, or dated
    # outside it, is refused by validate (it used to pass, and the fidelity report then
    # counted a place it could never match, or dropped the checkpoint unsaid).
    path = _kaunas_record_with(tmp_path, "place: kaunas", "place: atlantis")
    done = _campaign("validate", str(path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "place: unknown place 'atlantis' (not on the map)" in done.stderr
    path = _kaunas_record_with(tmp_path, "date: 1919-02-", "date: 1919-12-")
    done = _campaign("fidelity", str(tmp_path / "kaunas_1919.yaml"))
    assert done.returncode == 2 and "is outside the scenario (1919-02-05 to" in done.stderr


def test_fidelity_refuses_the_record_of_another_scenario():
    done = _campaign(
        "fidelity",
        "scenarios/kaunas_1919.yaml",
        "--history",
        "scenarios/northeast_1919.history.yaml",
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "the record of scenario 'northeast_1919', not of 'kaunas_1919'" in done.stderr


def test_fidelity_names_a_missing_history_file_given_with_history():
    done = _campaign("fidelity", "scenarios/kaunas_1919.yaml", "--history", "nope.yaml")
    assert done.returncode == 2 and "--history nope.yaml: file not found" in done.stderr
