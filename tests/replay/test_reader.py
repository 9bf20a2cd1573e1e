"""Replay logs are read back whole, or refused with the line that is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from toy import toy

from campaign.cli import main
from campaign.errors import OutputError, ReplayError
from campaign.replay.reader import read_replay
from campaign.replay.writer import write_run
from campaign.simulate import simulate


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    out = tmp_path / "run"
    write_run(simulate(toy(), seed=1), out)
    return out


def test_round_trip(run_dir: Path):
    replay = read_replay(run_dir)
    assert replay.header.scenario_id == "toy"
    assert replay.events[0]["type"] == "initial"


def test_truncated_log_is_refused(run_dir: Path):
    log = run_dir / "events.jsonl"
    lines = log.read_text().splitlines()
    log.write_text("\n".join(lines[:-3]) + "\n")
    with pytest.raises(ReplayError, match="truncated"):
        read_replay(run_dir)


def test_edited_log_fails_its_checksum(run_dir: Path):
    log = run_dir / "events.jsonl"
    log.write_text(log.read_text().replace('"men":400.0', '"men":4000.0', 1))
    with pytest.raises(ReplayError, match="checksum"):
        read_replay(run_dir)


def test_foreign_and_broken_lines_name_the_line(run_dir: Path):
    log = run_dir / "events.jsonl"
    lines = log.read_text().splitlines()
    lines[3] = "{not json"
    log.write_text("\n".join(lines) + "\n")
    with pytest.raises(ReplayError, match=r"events.jsonl:4: not a JSON line"):
        read_replay(run_dir)
    log.write_text('{"type": "something else"}\n')
    with pytest.raises(ReplayError, match=":1: not a campaign replay"):
        read_replay(run_dir)


def test_older_format_version_is_rejected_clearly(run_dir: Path):
    log = run_dir / "events.jsonl"
    log.write_text(log.read_text().replace('"format_version":1', '"format_version":0', 1))
    with pytest.raises(ReplayError, match="format version 0 is not supported"):
        read_replay(run_dir)


def _forged(run_dir: Path, edit) -> None:
    """Edit the log's records with ``edit`` and recompute its trailer, dropping the
    manifest: a log that is consistent but not one a run could write."""
    import hashlib
    import json

    log = run_dir / "events.jsonl"
    records = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()[:-1]]
    records = edit(records)
    lines = [json.dumps(r, separators=(",", ":")) for r in records]
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    trailer = {"type": "end", "events": len(records) - 1, "sha256": digest}
    log.write_text("\n".join([*lines, json.dumps(trailer)]) + "\n", encoding="utf-8")
    (run_dir / "manifest.json").unlink()


def _header(**changes):
    def edit(records):
        records[0].update(changes)
        return records

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_header(start="yesterday"), "start and end must be dates"),
        (_header(start="1919-02-01", end="1918-01-01"), "are not the dates of a run"),
        (_header(places=[]), "at least 1 item"),
        (_header(sides=[]), "at least 1 item"),
        (lambda r: [r[0], *r[2:]], "expected the initial situation"),
        (lambda r: [r[0]], "expected the initial situation"),
        (lambda r: [*r[:2], {**r[2], "t": "soon"}, *r[3:]], "'t' is 'soon', expected float"),
        (
            lambda r: [*r[:2], {k: v for k, v in r[2].items() if k != "date"}, *r[3:]],
            "event without its 'date'",
        ),
        (lambda r: [*r[:2], {**r[2], "date": "1919-13-01"}, *r[3:]], "is not a date of the run"),
        (lambda r: [r[0], r[1], *reversed(r[2:])], "out of order"),
    ],
)
def test_a_consistent_but_impossible_log_is_refused(run_dir: Path, edit, message):
    # Such logs passed the checksum and crashed plot, chart, export and report with an
    # internal error (StopIteration, IndexError, "min() arg is an empty sequence").
    _forged(run_dir, edit)
    with pytest.raises(ReplayError, match=message):
        read_replay(run_dir)


def test_out_dir_is_not_overwritten_without_force(run_dir: Path):
    with pytest.raises(OutputError, match="--force"):
        write_run(simulate(toy(), seed=2), run_dir)
    write_run(simulate(toy(), seed=2), run_dir, force=True)


def test_replay_at_date_rebuilds_situation(run_dir: Path, capsys):
    assert main(["replay", str(run_dir), "--at", "1919-01-06"]) == 0
    out = capsys.readouterr().out
    assert "situation at the end of 1919-01-06" in out and "blue_1" in out
    assert main(["replay", str(run_dir), "--at", "1920-01-01"]) == 2
