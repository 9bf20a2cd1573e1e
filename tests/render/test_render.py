"""Pictures of a run: every file opens, has the promised size, and bad input exits 2."""

from __future__ import annotations

import textwrap

import matplotlib
import pytest
from PIL import Image
from toy import write_toy_run

from campaign.cli import main
from campaign.render import animate, style
from campaign.render.animate import find_ffmpeg, frame_count, render_animation
from campaign.render.charts import cumulative_losses, render_chart
from campaign.render.maps import MapCanvas, render_fronts, render_map
from campaign.render.scene import load_scene, short_unit_name

HISTORY = textwrap.dedent("""\
    scenario: toy
    sources:
      - {id: toy, file: synthetic}
    checkpoints:
      - {place: c, date: 1919-01-01, side: blue, event: made up, source: {ref: toy}}
      - {place: a, date: 1919-01-01, side: blue, event: made up, source: {ref: toy}}
""")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The toy run, written with a scenario path whose history file records c as blue."""
    return write_toy_run(tmp_path_factory.mktemp("render"), HISTORY)


def test_matplotlib_uses_agg():
    assert matplotlib.get_backend().lower() == "agg"


def test_map_is_1200_px_wide_png(run, tmp_path):
    path = render_map(run, tmp_path / "map.png")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (1200, 900)


def test_history_rings_places_where_the_record_differs(run, tmp_path):
    scene = load_scene(run)
    canvas = MapCanvas(scene, history=True)
    canvas.draw_day("1919-01-01")  # the record says blue holds c; the simulation says red
    assert canvas.record_differs == 1
    canvas.draw_day("1919-01-10")  # blue has taken c: simulation and record agree
    assert canvas.record_differs == 0
    with Image.open(render_map(scene, tmp_path / "h.png", date="1919-01-01", history=True)) as im:
        assert im.size == (1200, 900)


def test_fronts_map_and_chart(run, tmp_path):
    with Image.open(render_fronts(run, tmp_path / "fronts.png")) as image:
        assert image.size == (1200, 900)
    with Image.open(render_chart(run, tmp_path / "strength.png")) as image:
        assert image.size == (1200, 900)


def test_losses_in_the_chart_add_up_to_the_summary(run):
    import json

    summary = json.loads((run / "summary.json").read_text())
    losses = cumulative_losses(load_scene(run))
    for side, kinds in losses.items():
        for kind, (_times, values) in kinds.items():
            assert values[-1] == pytest.approx(summary["losses"][side][kind], abs=0.2)


@pytest.mark.parametrize("interpolate", [0, 1])
def test_animation_has_one_frame_per_day_and_in_between_frames(run, tmp_path, interpolate):
    scene = load_scene(run)
    path = render_animation(
        scene, tmp_path / "run.gif", interpolate=interpolate, progress=False, dpi=30
    )
    days = len(scene.dates)
    with Image.open(path) as image:
        assert image.n_frames == frame_count(scene, interpolate) == days + (days - 1) * interpolate
        assert image.size == (360, 270)


@pytest.mark.parametrize("history", [False, True])
def test_animation_frames_with_the_static_layers_frozen_look_like_the_map(run, history):
    import numpy as np

    from campaign.render.animate import _grab

    scene = load_scene(run)
    with matplotlib.rc_context(style.RC):
        plain = MapCanvas(scene, dpi=40, history=history)
        frozen = MapCanvas(scene, dpi=40, history=history)
        frozen.freeze_static()
        for date in scene.dates[::3]:
            plain.draw_day(date)
            frozen.draw_day(date)
            a = np.asarray(_grab(plain), dtype=int)
            b = np.asarray(_grab(frozen), dtype=int)
            assert a.shape == b.shape
            assert np.abs(a - b).max() <= 3  # alpha rounding of the cached layers only


def test_mp4_is_encoded_with_the_packaged_ffmpeg_and_padded_to_even_size(run, tmp_path):
    import subprocess

    ffmpeg = find_ffmpeg()
    assert ffmpeg is not None  # imageio-ffmpeg is a dependency: MP4 works after set-up
    # 25 dpi: 300 x 225 px frames, an odd height that libx264 (yuv420p) refuses unpadded
    path = render_animation(run, tmp_path / "run.mp4", mp4=True, progress=False, dpi=25)
    data = path.read_bytes()
    assert data[4:8] == b"ftyp" and len(data) > 2_000
    probe = subprocess.run(
        [ffmpeg, "-hide_banner", "-i", str(path)], capture_output=True, text=True
    )
    assert "h264" in probe.stderr and "300x226" in probe.stderr
    assert not list(tmp_path.glob(".*.mp4"))  # the temporary file was renamed


def test_mp4_says_why_when_ffmpeg_fails(run, tmp_path, monkeypatch):
    from campaign.errors import OutputError

    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\necho 'Unknown encoder libx264' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(animate, "find_ffmpeg", lambda: str(fake))
    with pytest.raises(OutputError, match="ffmpeg failed \\(exit code 3\\): Unknown encoder"):
        render_animation(run, tmp_path / "run.mp4", mp4=True, progress=False, dpi=25)
    assert not list(tmp_path.glob("*.mp4")) and not list(tmp_path.glob(".*.mp4"))


def test_animation_default_size_is_900_px_and_small(run, tmp_path):
    path = render_animation(run, tmp_path / "run.gif", progress=False)
    with Image.open(path) as image:
        assert image.size == (900, 675)
    assert path.stat().st_size < 3_000_000


def test_short_unit_names():
    assert short_unit_name("2nd Rifle Regiment (Pskov Division)") == "2nd Rifle Rgt"
    assert short_unit_name("Saxon volunteer detachment, Kėdainiai") == "Saxon vol. det. Kėdainiai"


# ----------------------------------------------------------------------------- CLI
def test_cli_writes_every_kind_of_output(run, tmp_path, capsys):
    assert main(["export", str(run)]) == 0
    assert (run / "territory.geojson").exists() and (run / "frontlines.geojson").exists()
    assert main(["plot", str(run), "--date", "1919-01-05", "--out", str(tmp_path / "m.png")]) == 0
    assert main(["plot", str(run), "--fronts", "--out", str(tmp_path / "f.png")]) == 0
    assert main(["chart", str(run), "--out", str(tmp_path / "c.png")]) == 0
    for name in ("m.png", "f.png", "c.png"):
        with Image.open(tmp_path / name) as image:
            assert image.width == 1200
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temporaries


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["plot", "{run}", "--date", "1920-01-01", "--out", "{tmp}/m.png"],
            "not a date of this run",
        ),
        (["plot", "{run}", "--date", "soon", "--out", "{tmp}/m.png"], "not an ISO date"),
        (["plot", "{tmp}/missing", "--out", "{tmp}/m.png"], "not a replay folder"),
        (["plot", "{run}", "--out", "{tmp}/no/such/folder/m.png"], "does not exist"),
        (["chart", "{run}", "--out", "{tmp}/c.jpg"], "expected a file name ending in .png"),
        (["export", "{tmp}/missing"], "not a replay folder"),
        (["animate", "{run}", "--out", "{tmp}/a.mp4", "--mp4"], "needs ffmpeg"),
    ],
)
def test_cli_errors_exit_2_with_one_line(run, tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.setattr(animate, "find_ffmpeg", lambda: None)
    argv = [a.format(run=run, tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err


def test_plot_against_another_run_draws_two_panels(run, tmp_path, capsys):
    from campaign.analysis.control_diff import control_differences

    out = tmp_path / "against.png"
    assert main(["plot", str(run), "--against", str(run), "--out", str(out)]) == 0
    with Image.open(out) as image:
        assert image.width == 1800  # two 900-px panels
    scene = load_scene(run)
    assert control_differences(scene.control, scene.control) == []


def test_plot_against_record_lists_where_the_record_differs(run, tmp_path):
    from campaign.render.compare_maps import render_against_record

    path = render_against_record(run, tmp_path / "rec.png")
    with Image.open(path) as image:
        assert image.width == 1800


def test_plot_against_refuses_fronts_too(run, tmp_path, capsys):
    assert main(["plot", str(run), "--against", str(run), "--fronts"]) == 2
    assert "choose one" in capsys.readouterr().err


def test_a_dollar_sign_in_a_name_is_drawn_as_text(tmp_path):
    # With matplotlib's math parsing on, a unit named "$\alpha$ $$" made every map and
    # chart fail with a ParseException.
    from toy import toy_dict

    from campaign.replay.writer import write_run
    from campaign.scenario.schema import Scenario
    from campaign.simulate import simulate

    data = toy_dict()
    data["units"][0]["name"] = r"$\alpha$ $$ _^ Blue"
    data["map"]["places"][2]["name"] = "C$ity"
    folder = tmp_path / "run"
    write_run(simulate(Scenario.model_validate(data), seed=1), folder)
    render_map(folder, tmp_path / "map.png")
    render_fronts(folder, tmp_path / "fronts.png")
    render_chart(folder, tmp_path / "strength.png")
    assert matplotlib.rcParams["text.parse_math"] is False
