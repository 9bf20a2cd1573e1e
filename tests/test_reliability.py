"""Regression tests of the reliability defects of issue 22, one section per defect class.

docs/reliability.md lists each class with its test; each test failed on the code
before the fix.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from toy import toy, toy_dict

from campaign.cli import main
from campaign.errors import OutputError, ReplayError, ScenarioError
from campaign.replay.reader import read_replay
from campaign.replay.writer import write_run
from campaign.scenario.loader import load_scenario, load_scenario_text, scenario_from_document
from campaign.scenario.yamlfile import LocatedDocument
from campaign.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]


def _campaign(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "campaign", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def toy_file(tmp_path: Path) -> Path:
    import yaml

    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(toy_dict()), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- 1 exit codes
def test_1_ensemble_with_failed_runs_exits_3_and_says_how_many(toy_file, monkeypatch, capsys):
    from campaign.analysis import ensemble as ens

    real = ens.run_one

    def flaky(scenario, seed, overrides=None):
        if seed in (1, 3):
            raise RuntimeError("supply train lost")
        return real(scenario, seed, overrides)

    monkeypatch.setattr(ens, "run_one", flaky)
    code = main(["ensemble", str(toy_file), "--runs", "4", "--workers", "1", "--quiet"])
    assert code == 3
    assert "2 of 4 runs failed" in capsys.readouterr().err


def test_1_negative_seed_is_refused_before_any_run(toy_file):
    done = _campaign("ensemble", str(toy_file), "--runs", "2", "--seed", "-5")
    assert done.returncode == 2 and "--seed" in done.stderr and "Traceback" not in done.stderr


# ----------------------------------------------------------------------------- 2 validation
def _with(change) -> dict:
    data = toy_dict()
    change(data)
    return data


def _cycle(d):
    d["formations"] = [
        {
            "id": "f_blue",
            "name": "F blue",
            "side": "blue",
            "kind": "army",
            "parent": "f_red",
            "source": {"ref": "toy"},
        },
        {
            "id": "f_red",
            "name": "F red",
            "side": "red",
            "kind": "army",
            "parent": "f_blue",
            "source": {"ref": "toy"},
        },
    ]


REFUSED = {
    "multiplier NaN": lambda d: d.update(combat={"multipliers": {"quality.regular": float("nan")}}),
    "multiplier 1e308": lambda d: d.update(combat={"multipliers": {"posture.hasty": 1e308}}),
    "multiplier infinite": lambda d: d.update(combat={"multipliers": {"surprise": float("inf")}}),
    "ratio_exponent 1e6": lambda d: d.update(combat={"multipliers": {"ratio_exponent": 1e6}}),
    "negative multiplier": lambda d: d.update(combat={"multipliers": {"quality.regular": -1.0}}),
    "zero multiplier": lambda d: d.update(combat={"multipliers": {"base_daily_loss": 0.0}}),
    "NaN coefficient": lambda d: d.update(
        combat={"model": "lanchester_square", "coefficients": {"blue": float("nan"), "red": 0.1}}
    ),
    "linear law without coefficients": lambda d: d.update(combat={"model": "lanchester_linear"}),
    "square law missing a side": lambda d: d.update(
        combat={"model": "lanchester_square", "coefficients": {"blue": 0.05}}
    ),
    "step_hours 1e-9": lambda d: d.update(combat={"step_hours": 1e-9}),
    "strength_men yes": lambda d: d["units"][0].update(strength_men=True),
    "side id none": lambda d: d["sides"].append(
        {"id": "none", "name": "No one", "colour": "#777777"}
    ),
    "formation cycle across two sides": _cycle,
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_2_validate_refuses_what_run_cannot_run(case):
    data = _with(REFUSED[case])
    with pytest.raises(ScenarioError) as caught:
        scenario_from_document(LocatedDocument("bad.yaml", data, {(): 1}))
    assert caught.value.problems


def test_2_yaml_yes_is_not_one_man():
    import yaml

    text = yaml.safe_dump(toy_dict()).replace("strength_men: 1000", "strength_men: yes")
    with pytest.raises(ScenarioError, match="yes/no"):
        load_scenario_text(text, "yes.yaml")


def test_2_lanchester_linear_with_a_strong_defender_does_not_overflow():
    # k = beta*A - alpha*B is about -4,000 per day: e^(-k t) overflowed before.
    scenario = toy(
        combat={"model": "lanchester_linear", "coefficients": {"blue": 1e-6, "red": 10.0}}
    )
    result = simulate(scenario, seed=1)
    assert all(u.men >= 0 for u in result.units.values())


# ----------------------------------------------------------------------------- 3 orphans
def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found += [int(x) for x in text.split()]
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_3_pool_workers_die_with_a_killed_ensemble(tmp_path: Path):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "campaign",
            "ensemble",
            "scenarios/kaunas_1919.yaml",
            "--runs",
            "5000",
            "--workers",
            "2",
            "--quiet",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.2)
            workers = [c for c in _children(proc.pid) if _alive(c)]
        assert workers, "the ensemble started no workers"
        time.sleep(1.0)  # let the workers start simulating
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.2)
        left = [w for w in workers if _alive(w)]
    finally:
        for w in workers:  # never leave orphans behind, whatever the outcome
            with contextlib.suppress(OSError):
                os.kill(w, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(proc.pid, signal.SIGKILL)
    assert not left, f"workers {left} outlived their parent"


def test_3_die_with_parent_exits_at_once_when_already_orphaned():
    code = (
        "import os; from campaign.analysis.pool import die_with_parent; "
        "die_with_parent(os.getppid() + 1000000); print('survived')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1 and "survived" not in done.stdout


# ----------------------------------------------------------------------------- 4 viewer
def test_4_viewer_data_cannot_end_or_comment_out_the_script(tmp_path: Path):
    from campaign.render.viewer import build_viewer_data, viewer_html

    data = toy_dict()
    data["units"][0]["name"] = "Blue <!--<script></script> & </b>"
    folder = tmp_path / "run"
    write_run(simulate(toy(**{"units": data["units"]}), seed=1), folder)
    page = viewer_html(build_viewer_data(folder))
    start = page.index("const D = ") + len("const D = ")
    payload = page[start : page.index("\n", start)]
    assert "<" not in payload and ">" not in payload
    assert page.count("<script") == 1 and page.count("</script>") == 1


def _rewrite_header(folder: Path, change) -> None:
    """Edit the log's header and recompute its trailer checksum, as an attacker could."""
    lines = (folder / "events.jsonl").read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    change(header)
    lines[0] = json.dumps(header, ensure_ascii=False, separators=(",", ":"))
    body = "\n".join(lines[:-1])
    trailer = json.loads(lines[-1])
    trailer["sha256"] = hashlib.sha256(body.encode("utf-8")).hexdigest()
    (folder / "events.jsonl").write_text(body + "\n" + json.dumps(trailer) + "\n", "utf-8")
    (folder / "manifest.json").unlink(
        missing_ok=True
    )  # an old-style folder: only the log's own checksum


def test_4_side_colour_in_a_replay_header_must_be_hex(tmp_path: Path):
    folder = tmp_path / "run"
    write_run(simulate(toy(), seed=1), folder)
    _rewrite_header(folder, lambda h: h["sides"][0].update(colour="url(http://example.com/x)"))
    with pytest.raises(ReplayError, match="invalid header"):
        read_replay(folder)


def test_4_side_colour_in_an_ensemble_log_must_be_hex(toy_file: Path, tmp_path: Path):
    from campaign.analysis.ensemble import run_ensemble
    from campaign.render.viewer import build_viewer_data

    out = tmp_path / "ens"
    run_ensemble(toy_file, 2, workers=1, out=out, progress=False)
    lines = (out / "runs.jsonl").read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["sides"][0]["colour"] = "url(http://example.com/x)"
    (out / "runs.jsonl").write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    (out / "manifest.json").unlink()
    with pytest.raises(ReplayError, match="#rrggbb"):
        build_viewer_data(out)


# ----------------------------------------------------------------------------- 5 bounded reads
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_5_validate_refuses_a_device_at_once():
    started = time.monotonic()
    with pytest.raises(ScenarioError, match="regular file"):
        load_scenario("/dev/zero")
    assert time.monotonic() - started < 5


def test_5_a_fifo_is_refused_without_blocking(tmp_path: Path):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    done = _campaign("validate", str(fifo))
    assert done.returncode == 2 and "FIFO" in done.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_5_events_log_linked_to_dev_zero_is_refused(tmp_path: Path):
    folder = tmp_path / "run"
    write_run(simulate(toy(), seed=1), folder)
    (folder / "events.jsonl").unlink()
    (folder / "events.jsonl").symlink_to("/dev/zero")
    with pytest.raises(ReplayError, match="regular file"):
        read_replay(folder)


def test_5_oversized_files_are_refused(tmp_path: Path):
    from campaign.bounded_read import read_bounded
    from campaign.errors import CampaignError

    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 2000)
    with pytest.raises(CampaignError, match="limit of 1,000 bytes"):
        read_bounded(big, 1000)


# ----------------------------------------------------------------------------- 6 many sides
def test_6_three_thousand_sides_build_only_the_pairs_they_use():
    # No timing assert (benchmarks time things): the hostility table must not be
    # filled for every pair of sides, which is what made 3,000 sides take minutes.
    data = toy_dict()
    data["sides"] += [{"id": f"s{i}", "name": f"S{i}", "colour": "#000000"} for i in range(3000)]
    from campaign.scenario.schema import Scenario

    result = simulate(Scenario.model_validate(data), seed=1)
    assert len(result.world.hostile_pairs) <= 3 * 3002  # per side with units, not 9 million
    assert result.world.control["c"] == "blue"


def test_6_many_sides_with_commanders_build_only_the_pairs_they_use():
    # Kaunas has commanders, whose relations were worked out for every pair of sides
    # every day: 300 sides took 6 s, 3,000 over ten minutes and 1.8 GB.
    import yaml

    from campaign.scenario.schema import Scenario

    data = yaml.safe_load((ROOT / "scenarios" / "kaunas_1919.yaml").read_text(encoding="utf-8"))
    data["relations"] = [
        {
            "sides": ["lithuania", "soviet"],
            "stance": "neutral",
            "until": "1919-02-08",
            "source": {"ref": "lsw"},
        }
    ]
    plain = simulate(Scenario.model_validate(data), seed=1)
    data["sides"] += [{"id": f"s{i}", "name": f"S{i}", "colour": "#000000"} for i in range(300)]
    crowded = simulate(Scenario.model_validate(data), seed=1)
    assert len(crowded.world.hostile_pairs) <= 3 * len(data["sides"])  # not 45,000
    assert crowded.world.control == plain.world.control  # empty sides change nothing
    changes = [e.to_dict() for e in plain.events if e.type == "relation"]
    assert changes and changes == [e.to_dict() for e in crowded.events if e.type == "relation"]


def test_6_side_lookup_follows_edits():
    scenario = toy()
    assert scenario.side("red").name == "Red"
    scenario.sides[1] = scenario.sides[1].model_copy(update={"id": "crimson"})
    with pytest.raises(KeyError):
        scenario.side("red")
    assert scenario.side("crimson").name == "Red"


# ----------------------------------------------------------------------------- 7 OS errors
def _one_line(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "internal error" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--seed", "-5"],
        ["--seed", "many"],
    ],
)
def test_7_bad_seeds_are_refused_at_parse_time(toy_file, tmp_path, args):
    done = _campaign("run", str(toy_file), "--out", str(tmp_path / "run"), *args)
    assert done.returncode == 2 and "--seed" in done.stderr
    assert not (tmp_path / "run").exists()


def test_7_bad_scheduler_address_is_refused_at_parse_time(toy_file):
    done = _campaign("ensemble", str(toy_file), "--runs", "2", "--scheduler", "garbage")
    assert done.returncode == 2 and "--scheduler" in done.stderr


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_7_out_under_proc_is_one_line_before_simulating(toy_file, monkeypatch, capsys):
    import campaign.simulate

    def no_simulation(*args, **kwargs):
        raise AssertionError("simulated before checking --out")

    monkeypatch.setattr(campaign.simulate, "simulate", no_simulation)
    assert main(["run", str(toy_file), "--out", "/proc/campaign_run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err


def test_7_dangling_symlink_out_is_refused_before_simulating(toy_file, tmp_path, monkeypatch):
    import campaign.api
    import campaign.simulate

    monkeypatch.setattr(campaign.simulate, "simulate", lambda *a, **k: pytest.fail("simulated"))
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "missing")
    with pytest.raises(OutputError, match="symbolic link"):
        campaign.api.run(toy_file, out=link)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_7_read_only_out_is_refused(toy_file, tmp_path):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        done = _campaign("run", str(toy_file), "--out", str(parent / "run"))
    finally:
        parent.chmod(0o700)
    _one_line(done)


def test_7_events_log_as_a_directory_is_one_line(tmp_path: Path):
    folder = tmp_path / "run"
    (folder / "events.jsonl").mkdir(parents=True)
    done = _campaign("replay", str(folder), "--at", "1919-01-02")
    _one_line(done)


def test_7_an_os_error_anywhere_is_one_line_exit_2(monkeypatch, capsys, toy_file):
    import campaign.scenario.loader

    def unreadable(path, overrides=None):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(campaign.scenario.loader, "load_scenario", unreadable)
    assert main(["info", str(toy_file)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {toy_file}: Permission denied\n"


# ----------------------------------------------------------------------------- 8 manifest
@pytest.mark.parametrize("name", ["control.csv", "strength.csv", "summary.json"])
def test_8_editing_any_run_file_fails_verify(tmp_path: Path, name: str):
    from campaign.replay.situation import verify_replay

    folder = tmp_path / "run"
    scenario = tmp_path / "toy.yaml"
    import yaml

    scenario.write_text(yaml.safe_dump(toy_dict()), encoding="utf-8")
    write_run(simulate(load_scenario(scenario), seed=1), folder, scenario_path=str(scenario))
    assert verify_replay(folder)[0]
    with (folder / name).open("a", encoding="utf-8") as handle:
        handle.write("\n")
    with pytest.raises(ReplayError, match=f"{name}: checksum mismatch"):
        verify_replay(folder)


def test_8_edited_log_with_recomputed_checksum_is_refused(tmp_path: Path):
    folder = tmp_path / "run"
    write_run(simulate(toy(), seed=1), folder)
    manifest = (folder / "manifest.json").read_bytes()
    _rewrite_header(folder, lambda h: h.update(scenario_title="Forged"))
    (folder / "manifest.json").write_bytes(manifest)
    with pytest.raises(ReplayError, match="checksum mismatch with manifest.json"):
        read_replay(folder)


def test_8_edited_runs_log_is_refused(toy_file: Path, tmp_path: Path):
    from campaign.analysis.ensemble import load_ensemble, run_ensemble

    out = tmp_path / "ens"
    run_ensemble(toy_file, 3, workers=1, out=out, progress=False)
    log = out / "runs.jsonl"
    log.write_text(log.read_text(encoding="utf-8").replace('"c":"red"', '"c":"blue"'), "utf-8")
    with pytest.raises(ReplayError, match="runs.jsonl: checksum mismatch"):
        load_ensemble(out)


def test_8_folder_without_manifest_is_still_read(tmp_path: Path):
    folder = tmp_path / "run"
    write_run(simulate(toy(), seed=1), folder)
    (folder / "manifest.json").unlink()
    assert read_replay(folder).events


# ----------------------------------------------------------------------------- 9 --force
def test_9_force_replaces_the_whole_folder(tmp_path: Path):
    folder = tmp_path / "run"
    write_run(simulate(toy(), seed=1), folder)
    (folder / "map.png").write_bytes(b"old picture")
    write_run(simulate(toy(), seed=2), folder, force=True)
    assert not (folder / "map.png").exists()
    assert read_replay(folder).header.seed == 2
    assert not list(tmp_path.glob(".run.*"))


def test_9_force_does_not_delete_a_folder_that_holds_no_run(tmp_path: Path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "thesis.tex").write_text("years of work")
    with pytest.raises(OutputError, match="holds no run"):
        write_run(simulate(toy(), seed=1), folder, force=True)
    assert (folder / "thesis.tex").exists()


def test_9_half_written_folder_is_recovered_without_force(tmp_path: Path):
    folder = tmp_path / "run"
    write_run(simulate(toy(), seed=1), folder)
    for name in ("control.csv", "strength.csv", "summary.json", "manifest.json"):
        (folder / name).unlink()
    (folder / ".control.csv.x1y2.tmp").write_text("date,town")
    write_run(simulate(toy(), seed=3), folder)
    assert read_replay(folder).header.seed == 3
    assert sorted(p.name for p in folder.iterdir()) == [
        "control.csv",
        "events.jsonl",
        "manifest.json",
        "strength.csv",
        "summary.json",
    ]


def test_9_failed_write_leaves_the_previous_run(tmp_path: Path, monkeypatch):
    import campaign.replay.writer as writer

    folder = tmp_path / "run"
    write_run(simulate(toy(), seed=1), folder)

    def disk_full(staging, names):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "write_manifest", disk_full)
    with pytest.raises(OutputError, match="No space left"):
        write_run(simulate(toy(), seed=2), folder, force=True)
    assert read_replay(folder).header.seed == 1
    assert not list(tmp_path.glob(".run.*"))


def test_9_force_without_an_atomic_exchange_still_replaces_the_folder(tmp_path, monkeypatch):
    import campaign.replay.atomic as atomic

    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)  # not Linux: two renames
    folder = tmp_path / "run"
    write_run(simulate(toy(), seed=1), folder)
    write_run(simulate(toy(), seed=2), folder, force=True)
    assert read_replay(folder).header.seed == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_9_a_link_to_a_run_folder_stays_a_link(tmp_path: Path):
    real = tmp_path / "real"
    write_run(simulate(toy(), seed=1), real)
    link = tmp_path / "latest"
    link.symlink_to(real)
    write_run(simulate(toy(), seed=2), link, force=True)
    assert link.is_symlink() and read_replay(real).header.seed == 2


# ----------------------------------------------------------------------------- 10 paths
def test_10_verify_works_from_any_working_directory(tmp_path: Path):
    done = _campaign("replay", str(ROOT / "replays" / "kaunas_1919"), "--verify", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "verified" in done.stdout


def test_10_a_crafted_header_path_is_not_read(tmp_path: Path):
    from campaign.replay.situation import verify_replay

    folder = tmp_path / "run"
    write_run(simulate(toy(), seed=1), folder)
    for crafted in ("/etc/passwd", "../../../../etc/hostname", "/etc/some.yaml"):
        _rewrite_header(folder, lambda h, p=crafted: h.update(scenario_path=p))
        with pytest.raises(ReplayError, match="--scenario"):
            verify_replay(folder)


def test_10_scenario_given_on_the_command_line_is_used(tmp_path: Path):
    import yaml

    from campaign.replay.situation import verify_replay

    scenario = tmp_path / "elsewhere" / "toy.yaml"
    scenario.parent.mkdir()
    scenario.write_text(yaml.safe_dump(toy_dict()), encoding="utf-8")
    folder = tmp_path / "deep" / "er" / "run"
    write_run(simulate(load_scenario(scenario), seed=1), folder, scenario_path="gone/toy.yaml")
    with pytest.raises(ReplayError, match="not found"):
        verify_replay(folder)
    assert verify_replay(folder, scenario)[0]


def _crafted_layout(tmp_path: Path) -> tuple[Path, Path]:
    """A run three folders deep (its lookup area is ``tmp_path/proj``) and, outside that
    area, a scenario and its history that a crafted header could point at."""
    import yaml

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(yaml.safe_dump(toy_dict()), encoding="utf-8")
    (outside / "secret.history.yaml").write_text("not: read\n", encoding="utf-8")
    folder = tmp_path / "proj" / "out" / "run"
    write_run(simulate(toy(), seed=1), folder)
    return folder, outside


@pytest.mark.parametrize("crafted", ["absolute", "dotdot", "link"])
def test_10_a_crafted_header_cannot_point_report_plot_or_viewer_elsewhere(tmp_path, crafted):
    from campaign.analysis.narrative import build_account
    from campaign.analysis.reference_lines import scenario_lines
    from campaign.render.scene import load_scene
    from campaign.render.viewer import _find_history
    from campaign.replay.sources import history_file_for, scenario_file_for

    folder, outside = _crafted_layout(tmp_path)
    path = {
        "absolute": str(outside / "secret.yaml"),
        "dotdot": "../../../outside/secret.yaml",
        "link": "linked/secret.yaml",
    }[crafted]
    (tmp_path / "proj" / "linked").symlink_to(outside)  # a link inside leading out
    _rewrite_header(folder, lambda h: h.update(scenario_path=path))
    replay = read_replay(folder)
    assert scenario_file_for(replay) is None
    assert history_file_for(replay)[0] is None
    assert _find_history(replay) is None  # the viewer page
    assert scenario_lines(replay) == []  # the map's demarcation lines
    with pytest.raises(ReplayError, match="no historical record"):
        load_scene(folder).history()  # plot --history, compare maps
    account = build_account(folder)  # campaign report
    assert account.record_file is None
    assert any("no historical record found" in note for note in account.notes)


def test_10_a_crafted_scenario_id_cannot_leave_the_scenarios_folder(tmp_path, monkeypatch):
    from campaign.replay.sources import history_file_for, scenario_file_for

    folder, _ = _crafted_layout(tmp_path)
    _rewrite_header(folder, lambda h: h.update(scenario_path="", scenario_id="../outside/secret"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").mkdir()  # scenarios/../outside/secret.yaml would resolve
    replay = read_replay(folder)
    assert scenario_file_for(replay) is None and history_file_for(replay)[0] is None


def test_10_the_record_beside_the_scenario_is_found_from_any_working_directory(
    tmp_path, monkeypatch
):
    import yaml

    from campaign.replay.sources import history_file_for, scenario_file_for

    project = tmp_path / "proj"
    (project / "scenarios").mkdir(parents=True)
    scenario = project / "scenarios" / "toy.yaml"
    scenario.write_text(yaml.safe_dump(toy_dict()), encoding="utf-8")
    (project / "scenarios" / "toy.history.yaml").write_text("x: 1\n", encoding="utf-8")
    folder = project / "out" / "run"
    write_run(simulate(load_scenario(scenario), seed=1), folder, scenario_path="scenarios/toy.yaml")
    monkeypatch.chdir(tmp_path)  # neither the project nor the run folder
    replay = read_replay(folder)
    assert scenario_file_for(replay).resolve() == scenario.resolve()
    assert history_file_for(replay)[0].resolve() == scenario.with_name("toy.history.yaml").resolve()


def test_10_an_ensemble_header_is_looked_up_from_its_folder(tmp_path, monkeypatch):
    from campaign.analysis.compare import folder_scenario

    folder, outside = _crafted_layout(tmp_path)
    monkeypatch.chdir(outside)
    for path in (str(outside / "secret.yaml"), "secret.yaml", "../../../outside/secret.yaml"):
        header = {"scenario_path": path, "scenario_id": "secret"}
        assert folder_scenario(folder, header) is None


# ----------------------------------------------------------------------------- 11 labels
def _place_random_labels(n: int, seed: int = 1, prefilter: bool = True):
    """n markers and labels at random on a map whose area grows with n (constant
    density); returns the placer and the placed boxes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from campaign.render.labels import LabelPlacer

    side = 3.0 * (n / 100) ** 0.5  # inches: the same crowding at every n
    fig, ax = plt.subplots(figsize=(side, side))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    placer = LabelPlacer(ax)
    if not prefilter:
        placer._all_blocked = lambda *args: False
    placed = []
    for i, (x, y) in enumerate(np.random.default_rng(seed).random((n, 2))):
        placer.block_point(x, y, 3)
        label = placer.place(
            x,
            y,
            f"unit {i} label",
            required=i % 7 == 0,
            fontsize=6,
            far_pt=6.0 if i % 3 == 0 else 0.0,
        )
        placed.append(
            None
            if label is None
            else tuple(np.round(label.get_window_extent(placer.renderer).extents, 6))
        )
    plt.close(fig)
    return placer, placed


def test_11_label_placement_is_not_quadratic():
    # No timing assert (benchmarks time things): at the same crowding, four times the
    # labels must cost about four times the box tests, not sixteen. Testing every
    # label against every taken box made a 3,000-unit plot take minutes.
    small, placed = _place_random_labels(60)
    large, _ = _place_random_labels(240)
    assert sum(p is not None for p in placed) > 20
    # about 5x here (the edges of the smaller map are relatively larger); quadratic: 16x
    assert large.compared < 8 * small.compared, (small.compared, large.compared)


def test_11_dropping_covered_labels_early_changes_no_placement():
    _, placed = _place_random_labels(120, seed=3)
    _, placed_late = _place_random_labels(120, seed=3, prefilter=False)
    assert placed == placed_late
    assert 0 < placed.count(None) < len(placed)


def test_11_labels_keep_off_boxes_added_to_taken_directly():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.transforms import Bbox

    from campaign.render.labels import LabelPlacer

    fig, ax = plt.subplots(figsize=(4, 4))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    placer = LabelPlacer(ax)
    assert placer.place(0.5, 0.5, "first") is not None
    placer.taken.append(Bbox.from_extents(*placer.frame.extents))  # the whole map taken
    assert placer.place(0.2, 0.2, "second") is None
    plt.close(fig)


# ----------------------------------------------------------------------------- 12 minor
def _yaml_with_merge() -> str:
    import yaml

    text = yaml.safe_dump(toy_dict(), sort_keys=False)
    text = text.replace("units:\n- id: blue_1", "units:\n- &regiment\n  id: blue_1", 1)
    return text.replace(
        "- id: red_1\n  name: Red 1st\n  side: red\n  kind: regiment\n  strength_men: 400\n",
        "- <<: *regiment\n  id: red_1\n  name: Red 1st\n  side: red\n  strength_men: 400\n",
        1,
    )


def test_12_yaml_merge_keys_are_read():
    scenario = load_scenario_text(_yaml_with_merge(), "merge.yaml")
    red = scenario.unit("red_1")
    assert (red.kind.value, red.strength_men, red.side, red.quality.value) == (
        "regiment",
        400,
        "red",
        "trained",
    )  # merged kind; its own keys win


def test_12_the_ten_thousand_unit_benchmark_is_within_the_file_limits(tmp_path: Path):
    import yaml

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from synthetic import synthetic_dict
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    from campaign.scenario.yamlfile import MAX_FILE_BYTES, MAX_VALUES, load_yaml_file

    path = tmp_path / "synthetic_10000.yaml"
    path.write_text(yaml.safe_dump(synthetic_dict(10_000)), encoding="utf-8")
    assert path.stat().st_size < MAX_FILE_BYTES
    assert len(load_yaml_file(path).lines) < MAX_VALUES


def test_12_errors_do_not_echo_huge_numbers():
    import yaml

    text = yaml.safe_dump(toy_dict()).replace("strength_men: 1000", "strength_men: " + "9" * 5000)
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "huge.yaml")
    assert all(len(str(p)) < 300 for p in caught.value.problems)


# ----------------------------------------------------------------------------- 15 bad-input hunt
def test_15_run_force_does_not_replace_an_ensemble_folder(toy_file, tmp_path):
    ens = tmp_path / "ens"
    assert _campaign("ensemble", str(toy_file), "--runs", "2", "--out", str(ens)).returncode == 0
    before = sorted(p.name for p in ens.iterdir())
    done = _campaign("run", str(toy_file), "--out", str(ens), "--force")
    assert done.returncode == 2 and "holds no run" in done.stderr
    assert sorted(p.name for p in ens.iterdir()) == before


def test_15_report_and_viewer_do_not_write_over_a_users_file(tmp_path):
    mine = tmp_path / "notes.md"
    mine.write_text("my notes\n", encoding="utf-8")
    page = tmp_path / "mine.html"
    page.write_text("<p>mine</p>\n", encoding="utf-8")
    run = str(ROOT / "replays" / "kaunas_1919")
    for args in (["report", run, "--out", str(mine)], ["viewer", run, "--out", str(page)]):
        done = _campaign(*args)
        assert done.returncode == 2 and "campaign did not write it" in done.stderr
    assert mine.read_text(encoding="utf-8") == "my notes\n"
    assert page.read_text(encoding="utf-8") == "<p>mine</p>\n"
    done = _campaign("report", run, "--out", str(tmp_path / "notes.txt"))
    assert done.returncode == 2 and "expected a file name ending in .md" in done.stderr
    # campaign's own report is written over, and --force replaces the user's file.
    report = tmp_path / "report.md"
    assert _campaign("report", run, "--out", str(report)).returncode == 0
    assert _campaign("report", run, "--out", str(report)).returncode == 0
    assert _campaign("report", run, "--out", str(mine), "--force").returncode == 0
    assert mine.read_text(encoding="utf-8").startswith("# After-action report")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", str(2**63 - 1), "--runs", "2"], "every seed must be between 0 and 2**63 - 1"),
        (["--set", "units.blue_1.arrives=1919-02-30"], "is not a date that exists"),
        (["--set", "units.blue_1.name=[oops"], "is not a valid YAML scalar"),
        (["--set", "units.blue_1.strength_men=" + "9" * 5000], "(5,000 chars)"),
        (["--variant", "NULL_UNITS"], "units: expected a list, got null"),
    ],
)
def test_15_bad_what_ifs_and_seeds_are_one_line_errors(toy_file, tmp_path, args, message):
    variant = tmp_path / "v.yaml"
    variant.write_text("units: null\n", encoding="utf-8")
    args = [str(variant) if a == "NULL_UNITS" else a for a in args]
    if "--runs" not in args:
        args += ["--runs", "2"]
    done = _campaign("ensemble", str(toy_file), "--out", str(tmp_path / "e"), *args)
    assert done.returncode == 2 and message in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert not (tmp_path / "e").exists()


def test_15_battles_and_fidelity_check_their_arguments_before_working(tmp_path):
    mine = tmp_path / "mine.csv"
    mine.write_text("mine\n", encoding="utf-8")
    for args, message in (
        (["battles", "--out", str(mine)], "campaign did not write it"),
        (["battles", "--out", str(tmp_path / "p.txt")], "ending in .csv"),
        (["battles", "--plot", str(tmp_path / "p.txt")], "ending in .png"),
        (["battles", "--seed", "-1"], "must be between 0 and 2**63 - 1"),
        (["fidelity", "scenarios/kaunas_1919.yaml", "--runs", "-1"], "must be 0 or more"),
    ):
        done = _campaign(*args)
        assert done.returncode == 2 and message in done.stderr, args
        assert "internal error" not in done.stderr
    assert mine.read_text(encoding="utf-8") == "mine\n"


def test_15_force_does_not_delete_a_users_files_beside_run_like_ones(toy_file, tmp_path):
    # A folder holding a file with a run's or an ensemble's name and a file of the
    # user's: --force deleted the user's file with the rest.
    for command, name in (("run", "summary.json"), ("ensemble", "runs.jsonl")):
        folder = tmp_path / command
        folder.mkdir()
        (folder / name).write_text("{}\n", encoding="utf-8")
        (folder / "thesis.docx").write_text("years of work\n", encoding="utf-8")
        args = [command, str(toy_file), "--out", str(folder), "--force"]
        done = _campaign(*args, *(["--runs", "2"] if command == "ensemble" else []))
        assert done.returncode == 2 and "holds no" in done.stderr, done.stderr
        assert (folder / "thesis.docx").read_text(encoding="utf-8") == "years of work\n"


# ----------------------------------------------------------------------------- 16 bad-input hunt
def _no_work(*args, **kwargs):
    raise AssertionError("read or drew before checking the output")


def test_16_pictures_do_not_write_over_a_users_file(toy_file, tmp_path, monkeypatch, capsys):
    # plot, chart, animate, compare --out and battles --plot replaced any file; now a
    # file campaign did not write is refused before the replay (or the battles, or the
    # ensembles) is read.
    from toy import write_toy_run

    run = write_toy_run(tmp_path, "")
    ens = tmp_path / "ens"
    assert main(["ensemble", str(toy_file), "--runs", "2", "--out", str(ens), "--quiet"]) == 0
    for module, name in (
        ("campaign.render.maps", "render_map"),
        ("campaign.render.maps", "render_fronts"),
        ("campaign.render.charts", "render_chart"),
        ("campaign.render.animate", "render_animation"),
        ("campaign.analysis.compare", "compare_ensembles"),
        ("campaign.battles.cdb90", "load_cdb90"),
    ):
        monkeypatch.setattr(f"{module}.{name}", _no_work)
    capsys.readouterr()
    for args in (
        ["plot", str(run), "--out", "photo.png"],
        ["plot", str(run), "--fronts", "--out", "photo.svg"],
        ["chart", str(run), "--out", "photo.pdf"],
        ["animate", str(run), "--out", "holiday.gif"],
        ["animate", str(run), "--mp4", "--out", "holiday.mp4"],
        ["compare", str(ens), str(ens), "--out", "photo.png"],
        ["battles", "--plot", "photo.png"],
    ):
        option = "--plot" if args[0] == "battles" else "--out"
        mine = tmp_path / args[-1]
        mine.write_bytes(b"precious")
        args[-1] = str(mine)
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert err == (
            f"error: {option} {mine}: the file exists and campaign did not write it; "
            "choose another name, or give --force to replace it\n"
        )
        assert mine.read_bytes() == b"precious"


def test_16_pictures_campaign_wrote_are_written_again_without_force(toy_file, tmp_path, capsys):
    from toy import write_toy_run

    run = write_toy_run(tmp_path, "")
    ens = tmp_path / "ens"
    assert main(["ensemble", str(toy_file), "--runs", "2", "--out", str(ens), "--quiet"]) == 0
    commands = [
        ["plot", str(run), "--out", str(tmp_path / "map.png")],
        ["plot", str(run), "--fronts", "--out", str(tmp_path / "fronts.svg")],
        ["chart", str(run), "--out", str(tmp_path / "strength.pdf")],
        ["animate", str(run), "--out", str(tmp_path / "run.gif"), "--width", "300"],
        ["compare", str(ens), str(ens), "--out", str(tmp_path / "compare.png")],
    ]
    for args in commands:
        assert main(args) == 0, args
        assert main(args) == 0, args  # over its own picture
    # --force replaces a user's file, which is then campaign's
    mine = tmp_path / "photo.png"
    mine.write_bytes(b"precious")
    assert main(["chart", str(run), "--out", str(mine)]) == 2
    assert main(["chart", str(run), "--out", str(mine), "--force"]) == 0
    assert main(["plot", str(run), "--out", str(mine)]) == 0


def test_16_the_api_does_not_draw_over_a_users_picture_either(tmp_path):
    from toy import write_toy_run

    from campaign import api
    from campaign.errors import OutputError

    run = write_toy_run(tmp_path, "")
    mine = tmp_path / "photo.png"
    mine.write_bytes(b"precious")
    with pytest.raises(OutputError, match="the file exists and campaign did not write it"):
        api.plot(run, mine)
    assert mine.read_bytes() == b"precious"
    assert api.plot(run, mine, force=True) == mine
    assert api.plot(run, mine) == mine  # campaign's own picture now


# ----------------------------------------------------------------------------- 18
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "units=null"], "units: Input should be a valid list"),
        (["--set", "units=5"], "units: Input should be a valid list"),
        (["--remove", "green"], "--remove green: side 'green' has no units to change"),
    ],
)
def test_18_what_ifs_on_missing_units_are_one_line_errors(toy_file, tmp_path, args, message):
    # '--set units=null' was an internal error (exit 1); a side without units was
    # "no side 'green' (did you mean 'green'?)".
    import yaml

    data = yaml.safe_load(toy_file.read_text(encoding="utf-8"))
    data["sides"].append({"id": "green", "name": "Green", "colour": "#00aa00"})
    toy_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    done = _campaign("run", str(toy_file), "--out", str(tmp_path / "r"), *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "internal error" not in done.stderr
    tempo = _campaign("tempo", str(toy_file), "--side", "green", "--runs", "1")
    assert tempo.returncode == 2 and "the side has no units" in tempo.stderr


def test_18_a_record_given_as_a_scenario_is_named_as_such(tmp_path):
    done = _campaign("run", "scenarios/kaunas_1919.history.yaml", "--out", str(tmp_path / "r"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: scenarios/kaunas_1919.history.yaml:1: this is a historical record, not a "
        "scenario (a scenario has `sides`, `units` and the rest; the record goes to "
        "--history, or sits beside its scenario as NAME.history.yaml)"
    ]


def test_18_a_resume_that_fails_before_any_run_keeps_the_manifest(toy_file, tmp_path):
    # The resume dropped manifest.json before reaching the scheduler: a failed resume
    # lost the finished ensemble's checksums for good.
    out = tmp_path / "e"
    first = _campaign("ensemble", str(toy_file), "--runs", "2", "--out", str(out), "--quiet")
    assert first.returncode == 0
    before = (out / "manifest.json").read_bytes()
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    failed = _campaign(
        "ensemble",
        str(toy_file),
        "--runs",
        "3",
        "--out",
        str(out),
        "--quiet",
        "--resume",
        "--scheduler",
        f"tcp://127.0.0.1:{port}",
    )
    assert failed.returncode == 2
    assert (out / "manifest.json").read_bytes() == before
    done = _campaign("ensemble", str(toy_file), "--runs", "3", "--out", str(out), "--resume")
    assert done.returncode == 0 and (out / "manifest.json").read_bytes() != before
