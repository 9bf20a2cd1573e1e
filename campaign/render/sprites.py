"""Texts drawn from a cache of their pixels, for animations.

Laying out and rasterising text is most of the cost of an animation frame (a label with
a white halo is drawn twice, as outlines), yet most texts of a frame were drawn before:
the sidebar headings, and unit labels whose men did not change.  A :class:`TextSprites`
renders each distinct text once, alone on a transparent canvas, keeps its pixels, and
pastes them at the text's position on later frames (rounded to the pixel: a text moves
by less than half a pixel).  Clipping to the axes still applies.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Hashable

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.text import Annotation, Text

__all__ = ["TextSprites"]

#: Margin, pixels, kept around a text's box when its pixels are cut out (antialiasing,
#: glyphs reaching past their advance).
MARGIN_PX = 4
#: Positions within a pixel told apart, per axis: FreeType places glyphs to 1/64 px, so a
#: cached text is pasted exactly where it would have been drawn.
SUBPIXELS = 64
#: Most texts kept; the least recently drawn go first (labels that move in in-between
#: frames are new texts on every frame).
MAX_SPRITES = 2048


class TextSprites:
    """Pixels of the texts drawn so far, by everything that decides their look."""

    def __init__(self) -> None:
        #: key -> (RGBA, bottom row first, or None when the text draws nothing; dx, dy):
        #: the pixels and the offset, pixels, of their lower left corner from the text's
        #: position.
        self._pixels: OrderedDict[Hashable, tuple[np.ndarray | None, float, float]] = OrderedDict()
        #: Texts drawn from the cache and texts rendered (a test and benchmark figure).
        self.hits = 0
        self.misses = 0

    def attach(self, text: Text) -> Text:
        """Make ``text`` draw through the cache; returns it."""
        # An instance attribute: the figure calls ``artist.draw(renderer)``, and the text
        # stays an ordinary Text for layout, placement and removal.
        text.draw = lambda renderer: self.draw(text, renderer)
        return text

    def draw(self, text: Text, renderer) -> None:
        """Draw ``text`` as :meth:`Text.draw` would, from the cache when possible."""
        if not text.get_visible() or text.get_text() == "" or not isinstance(renderer, RendererAgg):
            return type(text).draw(text, renderer)
        if isinstance(text, Annotation):
            if not text._check_xy(renderer):
                return None
            text.update_positions(renderer)  # its transform, as Annotation.draw sets it
        x, y = text._get_xy_display()
        if not (math.isfinite(x) and math.isfinite(y)):
            return None
        key = (_key(text, renderer.dpi), _subpixel(x), _subpixel(y))
        found = self._pixels.get(key)
        if found is None:
            found = self._render(text, renderer, x, y)
            if found is None:  # reaches past the canvas: draw it the ordinary way
                return type(text).draw(text, renderer)
            self._pixels[key] = found
            if len(self._pixels) > MAX_SPRITES:
                self._pixels.popitem(last=False)
            self.misses += 1
        else:
            self._pixels.move_to_end(key)
            self.hits += 1
        rgba, dx, dy = found
        if rgba is not None:
            gc = renderer.new_gc()
            text._set_gc_clip(gc)
            renderer.draw_image(gc, round(x + dx), round(y + dy), rgba)
            gc.restore()
        text.stale = False
        return None

    def _render(self, text: Text, renderer: RendererAgg, x: float, y: float):
        """(pixels, dx, dy) of ``text`` drawn alone at display (x, y); None when it does
        not fit in the canvas with its margin."""
        width, height = int(renderer.width), int(renderer.height)
        box = text.get_window_extent(renderer)
        reach = (
            MARGIN_PX
            + sum(
                getattr(effect, "_gc", {}).get("linewidth", 0.0)
                for effect in text.get_path_effects()
            )
            * renderer.dpi
            / 72.0
        )
        x0, x1 = math.floor(box.x0 - reach), math.ceil(box.x1 + reach)
        y0, y1 = math.floor(box.y0 - reach), math.ceil(box.y1 + reach)
        if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
            return None
        # Drawn alone on a transparent patch of the canvas itself (the text's layout is
        # cached for this renderer), then the canvas is put back as it was.
        region = np.asarray(renderer.buffer_rgba())[height - y1 : height - y0, x0:x1]
        under = region.copy()
        region[:] = 0
        clip_on = text.get_clip_on()
        text.set_clip_on(False)  # clipped when pasted, where it is drawn
        try:
            type(text).draw(text, renderer)
            pixels = region.copy()
        finally:
            text.set_clip_on(clip_on)
            region[:] = under
        alpha = pixels[:, :, 3]
        rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
        if rows.size == 0:
            return (None, 0.0, 0.0)
        r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        rgba = np.ascontiguousarray(pixels[r0:r1, c0:c1][::-1])  # row 0 at the bottom
        # the lower left corner, in display pixels (y upwards), relative to the position
        return (rgba, x0 + c0 - x, y1 - r1 - y)


def _subpixel(v: float) -> int:
    """Where ``v`` falls within its pixel, in :data:`SUBPIXELS` steps."""
    return round((v - math.floor(v)) * SUBPIXELS) % SUBPIXELS


def _key(text: Text, dpi: float) -> tuple:
    """Everything but the position that decides the pixels of ``text``."""
    return (
        text.get_text(),
        _font(text.get_fontproperties()),
        mcolors.to_rgba(text.get_color(), text.get_alpha()),
        text.get_horizontalalignment(),
        text.get_verticalalignment(),
        text._get_multialignment(),
        text.get_linespacing(),
        text.get_rotation(),
        text.get_rotation_mode(),
        text.get_antialiased(),
        text.get_usetex(),
        tuple(text.get_path_effects()),
        dpi,
    )


def _font(font) -> tuple:
    """The properties of a FontProperties (mutable, so not itself a key)."""
    return (
        tuple(font.get_family()),
        font.get_style(),
        font.get_variant(),
        font.get_weight(),
        font.get_stretch(),
        font.get_size_in_points(),
        font.get_file(),
        font.get_math_fontfamily(),
    )
