"""campaign's mark in the pictures it writes, and which existing files an output replaces."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image
from toy import write_toy_run

from campaign.errors import OutputError
from campaign.output_files import PICTURE_MARK, writable_output, written_by_campaign
from campaign.render.animate import find_ffmpeg, render_animation
from campaign.render.output import save_figure

HISTORY = "scenario: toy\nsources: [{id: toy, file: f}]\ncheckpoints: []\n"


def _figure() -> Figure:
    fig = Figure(figsize=(2, 1.5), dpi=50)
    FigureCanvasAgg(fig)
    fig.add_subplot().plot([0, 1], [1, 0])
    return fig


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_a_figure_campaign_saves_carries_its_mark(tmp_path: Path, suffix: str):
    ours = save_figure(_figure(), tmp_path / f"ours{suffix}")
    assert written_by_campaign(ours)
    # A figure saved by matplotlib alone (a user's own plot) is not campaign's.
    theirs = tmp_path / f"theirs{suffix}"
    _figure().savefig(theirs)
    assert not written_by_campaign(theirs)


def test_the_png_mark_is_the_software_field(tmp_path: Path):
    with Image.open(save_figure(_figure(), tmp_path / "m.png")) as image:
        assert image.info["Software"] == PICTURE_MARK


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return write_toy_run(tmp_path_factory.mktemp("marks"), HISTORY)


def test_an_animation_campaign_writes_carries_its_mark(run, tmp_path: Path):
    gif = render_animation(run, tmp_path / "run.gif", progress=False, dpi=20)
    with Image.open(gif) as image:
        assert image.info["comment"] == PICTURE_MARK.encode()
    assert written_by_campaign(gif)
    if find_ffmpeg() is None:
        pytest.skip("no ffmpeg")
    mp4 = render_animation(run, tmp_path / "run.mp4", mp4=True, progress=False, dpi=20)
    assert written_by_campaign(mp4)


def test_files_without_the_mark_are_not_campaigns(tmp_path: Path):
    frames = [Image.new("RGB", (8, 8), c).quantize() for c in ("red", "blue")]
    gif = tmp_path / "holiday.gif"
    frames[0].save(gif, save_all=True, append_images=frames[1:])
    assert not written_by_campaign(gif)
    for name in ("photo.png", "scan.pdf", "film.mp4", "notes.md"):
        (tmp_path / name).write_bytes(b"precious")
        assert not written_by_campaign(tmp_path / name, ("# After-action report",))
    # the mark in a text file of the same name is not enough: it must be where the
    # format keeps it
    (tmp_path / "fake.png").write_text(PICTURE_MARK, encoding="utf-8")
    assert not written_by_campaign(tmp_path / "fake.png")
    (tmp_path / "report.md").write_text("# After-action report: x\n", encoding="utf-8")
    assert written_by_campaign(tmp_path / "report.md", ("# After-action report",))


def test_a_fifo_is_not_campaigns_and_does_not_block(tmp_path: Path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    assert not written_by_campaign(fifo)
    with pytest.raises(OutputError, match="campaign did not write it"):
        writable_output(fifo, (".png",), "--out", force=False)


def test_writable_output_names_the_option_the_file_and_the_way_out(tmp_path: Path):
    mine = tmp_path / "photo.png"
    mine.write_bytes(b"precious")
    with pytest.raises(OutputError) as caught:
        writable_output(mine, (".png",), "--plot", force=False)
    assert str(caught.value) == (
        f"--plot {mine}: the file exists and campaign did not write it; choose another "
        "name, or give --force to replace it"
    )
    assert writable_output(mine, (".png",), "--plot", force=True) == mine
    with pytest.raises(OutputError, match="folder .* does not exist"):
        writable_output(
            tmp_path / "no" / "m.png", (".png",), "--out", False, folder_must_exist=True
        )
    with pytest.raises(OutputError, match="expected a file name ending in .png or .svg"):
        writable_output(tmp_path / "m.jpg", (".png", ".svg"), "--out", force=False)


def test_a_link_to_nothing_is_not_replaced(tmp_path):
    from campaign.errors import OutputError
    from campaign.output_files import writable_output

    link = tmp_path / "dang.png"
    link.symlink_to(tmp_path / "missing" / "dir.png")
    with pytest.raises(OutputError, match="is a link to .*which does not exist"):
        writable_output(link, (".png",), "--out", force=False)
    assert link.is_symlink()
