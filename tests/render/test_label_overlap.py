"""No two labels of a map overlap, on the shipped replays (maps and animation frames)."""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib
import pytest

from campaign.render import style
from campaign.render.maps import MapCanvas
from campaign.render.scene import load_scene

REPLAYS = Path(__file__).resolve().parents[2] / "replays"


def _overlapping_labels(folder: Path, dpi: float, every: int) -> list[tuple]:
    scene = load_scene(folder)
    found = []
    with matplotlib.rc_context(style.RC):
        canvas = MapCanvas(scene, dpi=dpi)
        renderer = canvas.fig.canvas.get_renderer()
        dates = scene.dates[::every] + scene.dates[-1:]
        for date in dates:
            canvas.draw_day(date)
            boxes = [
                (t.get_text(), t.get_window_extent(renderer))
                for t in canvas.ax.texts
                if t.get_visible() and t.get_text()
            ]
            for (ta, a), (tb, b) in itertools.combinations(boxes, 2):
                w = min(a.x1, b.x1) - max(a.x0, b.x0)
                h = min(a.y1, b.y1) - max(a.y0, b.y0)
                if w > 0.5 and h > 0.5:
                    found.append((date, ta, tb))
    return found


@pytest.mark.parametrize("name", ["kaunas_1919", "northeast_1919"])
@pytest.mark.parametrize("dpi", [style.DPI, style.ANIMATION_DPI])
def test_no_labels_overlap_on_shipped_replays(name: str, dpi: float) -> None:
    folder = REPLAYS / name
    if not (folder / "events.jsonl").is_file():
        pytest.skip(f"{folder} not shipped")
    assert _overlapping_labels(folder, dpi, every=9) == []


def test_beyond_the_cap_labels_are_drawn_only_where_there_is_room(monkeypatch) -> None:
    # With no label required, nothing may overlap; a crowded map says what it left out.
    from campaign.render import maps

    folder = REPLAYS / "northeast_1919"
    if not (folder / "events.jsonl").is_file():
        pytest.skip(f"{folder} not shipped")
    monkeypatch.setattr(maps, "MAX_REQUIRED_UNIT_LABELS", 0)
    monkeypatch.setattr(maps, "MAX_REQUIRED_PLACE_LABELS", 0)
    assert _overlapping_labels(folder, style.ANIMATION_DPI, every=30) == []
