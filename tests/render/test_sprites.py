"""What animations draw from their caches (texts as pixels, the units layer of a day where
nobody moved) looks as drawn from scratch."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from campaign.render.labels import HALO
from campaign.render.sprites import TextSprites


def _pixels(fig: Figure) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba(), dtype=int)


def _figure() -> tuple[Figure, object]:
    fig = Figure(figsize=(4, 2), dpi=60)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.1, 0.5, 0.8))  # 120 x 96 px, room for text right of it
    ax.set_xlim(0, 12)  # 10 px per unit
    ax.set_ylim(0, 10)
    return fig, ax


def test_a_cached_text_draws_the_pixels_of_the_text_wherever_it_moves() -> None:
    plain_fig, plain_ax = _figure()
    cached_fig, cached_ax = _figure()
    sprites = TextSprites()
    kwargs = {"fontsize": 9, "path_effects": HALO, "xytext": (5, 0),
              "textcoords": "offset points"}  # fmt: skip
    plain = plain_ax.annotate("Kaunas  1,200\nSaxon Rgt  675", (2, 5), **kwargs)
    cached = sprites.attach(cached_ax.annotate("Kaunas  1,200\nSaxon Rgt  675", (2, 5), **kwargs))
    for x in (2, 3, 4):  # each step moves the text by 10 px
        plain.xy = cached.xy = (x, 5)
        assert np.abs(_pixels(plain_fig) - _pixels(cached_fig)).max() <= 3
    assert sprites.misses >= 1 and sprites.hits >= 1


def test_a_cached_text_is_clipped_to_its_axes() -> None:
    plain_fig, plain_ax = _figure()
    cached_fig, cached_ax = _figure()
    sprites = TextSprites()
    # the anchor is inside, the text runs past the right edge of the axes
    plain = plain_ax.text(11, 5, "Daugavpils", fontsize=12, clip_on=True)
    cached = sprites.attach(cached_ax.text(11, 5, "Daugavpils", fontsize=12, clip_on=True))
    assert plain.get_clip_on() and cached.get_clip_on()
    right = round(plain_ax.get_window_extent().x1)  # 144 px
    for _ in range(2):
        a, b = _pixels(plain_fig), _pixels(cached_fig)
        assert (b[:, right + 1 :] == 255).all()  # nothing past the axes
        # the same pixels, but for rounding on the edge column itself
        columns = np.flatnonzero((np.abs(a - b) > 3).any(axis=(0, 2)))
        assert set(columns) <= {right - 1, right, right + 1}
    assert sprites.hits == 1


def test_the_cache_keeps_the_texts_drawn_last(monkeypatch) -> None:
    from campaign.render import sprites as module

    monkeypatch.setattr(module, "MAX_SPRITES", 2)
    fig, ax = _figure()
    sprites = TextSprites()
    text = sprites.attach(ax.text(1, 5, "Kaunas", fontsize=9))
    for name in ("Kaunas", "Alytus", "Vilnius", "Vilnius", "Kaunas"):
        text.set_text(name)
        _pixels(fig)
    # Kaunas was dropped when Vilnius came in: drawn again, not taken from the cache
    assert (sprites.misses, sprites.hits) == (4, 1)


def test_a_day_where_nobody_moved_looks_as_if_drawn_from_scratch() -> None:
    # The canvas keeps the units layer when the positions are those of the last picture.
    from pathlib import Path

    import matplotlib
    import pytest

    from campaign.render import style
    from campaign.render.animate import _grab
    from campaign.render.maps import MapCanvas
    from campaign.render.scene import load_scene

    folder = Path(__file__).resolve().parents[2] / "replays" / "northeast_1919"
    if not (folder / "events.jsonl").is_file():
        pytest.skip(f"{folder} not shipped")
    scene = load_scene(folder)
    dates = scene.dates
    pairs = [
        (a, b)
        for a, b in zip(dates, dates[1:], strict=False)
        if scene.unit_positions(a) == scene.unit_positions(b) and scene.unit_positions(a)
    ]
    before, day = pairs[len(pairs) // 2]
    with matplotlib.rc_context(style.RC):
        kept, fresh = MapCanvas(scene, dpi=40), MapCanvas(scene, dpi=40)
        kept.draw_day(before)
        labels = set(map(id, kept.ax.texts))
        kept.draw_day(day)
        assert set(map(id, kept.ax.texts)) == labels  # the same label artists
        fresh.draw_day(day)
        assert np.array_equal(np.asarray(_grab(kept)), np.asarray(_grab(fresh)))
