"""Unit labels on maps and animation frames are never smaller than a legible pixel size."""

from __future__ import annotations

import matplotlib
import pytest
from toy import write_toy_run

from campaign.render import style
from campaign.render.maps import MapCanvas
from campaign.render.scene import load_scene


@pytest.mark.parametrize("width_px", [900, 1200, 1600])
def test_unit_labels_are_at_least_the_minimum_pixel_size(tmp_path, width_px):
    scene = load_scene(write_toy_run(tmp_path, "scenario: toy\nsources: []\ncheckpoints: []\n"))
    dpi = width_px / style.FIGSIZE_IN[0]
    with matplotlib.rc_context(style.RC):
        canvas = MapCanvas(scene, dpi=dpi)
        canvas.draw_day(scene.dates[-1])
    labels = [t for t in canvas.ax.texts if "1st" in t.get_text()]
    assert labels  # the unit labels ("Blue 1st  1,000")
    for text in labels:
        em_px = text.get_fontsize() * dpi / 72.0
        assert em_px >= style.MIN_TEXT_EM_PX - 1e-9, (text.get_text(), em_px)


def test_900_px_frames_get_larger_points_than_1200_px_maps():
    assert style.legible_pt(6.5, style.ANIMATION_DPI) > 6.5
    assert style.legible_pt(12.0, style.ANIMATION_DPI) == 12.0
