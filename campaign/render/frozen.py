"""Artists that do not change between animation frames, drawn once into images.

An animation redraws the whole figure for every frame, although the base map, the place
names, the scale bar and the legend never change.  :func:`freeze` renders such artists
once, in bands that keep their stacking order with the artists that do change, and puts
one pixel-aligned image per band in their place, so a frame draws a few images plus the
day's own layers.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure

__all__ = ["PixelImage", "freeze", "snapshot"]


class PixelImage(Artist):
    """RGBA pixels pasted at a fixed pixel position of the figure: no resampling, no colour
    mapping (a :class:`~matplotlib.image.BboxImage` costs ~10x more per draw)."""

    def __init__(self, rgba: np.ndarray, x0: int, y0: int, zorder: float) -> None:
        super().__init__()
        self.rgba = np.ascontiguousarray(rgba[::-1])  # renderers take row 0 at the bottom
        self.x0, self.y0 = x0, y0
        self.set_zorder(zorder)
        #: Every pixel opaque (the background, the base map): it replaces what is below.
        self.opaque = bool((rgba[:, :, 3] == 255).all())

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        unclipped = not self.get_clip_on() or (
            self.get_clip_box() is None and self.get_clip_path() is None
        )
        if self.opaque and unclipped and isinstance(renderer, RendererAgg):
            self._copy_into(renderer)
        else:
            gc = renderer.new_gc()
            renderer.draw_image(gc, self.x0, self.y0, self.rgba)
            gc.restore()
        self.stale = False

    def _copy_into(self, renderer: RendererAgg) -> None:
        """Blending opaque pixels gives those pixels: copy them (~10x cheaper)."""
        height, width = int(renderer.height), int(renderer.width)
        rows, cols = self.rgba.shape[:2]
        top = height - self.y0 - rows  # buffer rows run from the top
        if self.x0 < 0 or top < 0 or self.x0 + cols > width or top + rows > height:
            gc = renderer.new_gc()
            renderer.draw_image(gc, self.x0, self.y0, self.rgba)
            gc.restore()
            return
        buffer = np.asarray(renderer.buffer_rgba())
        buffer[top : top + rows, self.x0 : self.x0 + cols] = self.rgba[::-1]


def snapshot(fig: Figure, artists: Sequence[Artist], zorder: float) -> PixelImage | None:
    """An image of ``artists`` alone, as drawn now (transparent elsewhere, cropped to its
    pixels), placed at the same pixels of ``fig``; None when they draw nothing."""
    everything = _all_artists(fig)
    # the artists, and the axes that hold them (an axes draws nothing when hidden)
    shown = {id(a) for a in artists} | {id(a.axes) for a in artists if a.axes is not None}
    was_visible = [(a, a.get_visible()) for a in everything]
    try:
        for artist in everything:
            artist.set_visible(id(artist) in shown)
        fig.canvas.draw()
        rgba = np.asarray(fig.canvas.buffer_rgba()).copy()
    finally:
        for artist, visible in was_visible:
            artist.set_visible(visible)
    alpha = rgba[:, :, 3]
    rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
    if rows.size == 0:
        return None
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    return PixelImage(rgba[r0:r1, c0:c1], int(c0), int(rgba.shape[0] - r1), zorder)


def freeze(
    fig: Figure, static: Iterable[Artist], changing_zorders: Iterable[float]
) -> list[PixelImage]:
    """Replace the ``static`` artists of one axes of ``fig`` by images, one per band of
    zorders between the zorders of the changing artists; the static artists are hidden and
    the images added to the axes.  Returns the images."""
    limits = sorted(set(changing_zorders))
    bands: dict[int, list[Artist]] = {}
    for artist in static:
        if artist.get_visible():
            # a static artist drawn before a changing one of the same zorder stays below it
            bands.setdefault(bisect_left(limits, artist.get_zorder()), []).append(artist)
    images = []
    for _band, group in sorted(bands.items()):
        image = snapshot(fig, group, zorder=max(a.get_zorder() for a in group))
        for artist in group:
            artist.set_visible(False)
        if image is not None:
            group[0].axes.add_artist(image)
            image.set_clip_on(False)  # the static labels may reach past the axes frame
            images.append(image)
    return images


def _all_artists(fig: Figure) -> list[Artist]:
    """Every artist of the figure, the figure patch and the axes included."""
    found = [fig.patch]
    for axes in fig.axes:
        found.append(axes)
        found.extend(axes.get_children())
    found.extend(a for a in fig.get_children() if a is not fig.patch and a not in fig.axes)
    return found
