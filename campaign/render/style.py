"""One look for every picture: figure size, fonts, base-map colours, side colours.

Maps are 12 x 9 inches at 100 dpi (1200 x 900 px); animations reuse the same layout at
:data:`ANIMATION_DPI` so that every element shrinks in proportion.  DejaVu Sans has every
Lithuanian letter (ą, č, ę, ė, į, š, ų, ū, ž).
"""

from __future__ import annotations

import matplotlib
import numpy as np

matplotlib.use("Agg")  # never open a window; the engine never imports this module
# Names come from scenario files: a "$" in one is a dollar sign, not mathematics (with
# math parsing on, "$\alpha$ $$" in a unit's name made every map and chart fail).
matplotlib.rcParams["text.parse_math"] = False

from matplotlib import colormaps  # noqa: E402
from matplotlib import colors as mcolors  # noqa: E402

#: Figure size of maps and charts, inches.
FIGSIZE_IN = (12.0, 9.0)
#: Resolution of maps and charts, dots per inch (1200 px wide).
DPI = 100
#: Resolution of animation frames (900 px wide).
ANIMATION_DPI = 75

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "legend.framealpha": 0.9,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

SEA = "#d8e6f0"
LAND = "#f1efe9"
LAND_EDGE = "#a8a49a"
COUNTRY_LABEL = "#9a968c"
RIVER = "#4f86b8"
RIVER_LABEL = "#2f5f8a"
LAKE = "#bcd6ea"
PLACE_NEUTRAL = "#8c8c8c"
TEXT = "#222222"
TEXT_MUTED = "#555555"
FRONT = "#1b1b1b"
FRONT_HALO = "#ffffff"
HISTORY_RING_WIDTH = 2.2

#: Fill opacity of territories.
TERRITORY_ALPHA = 0.35
#: Width of the front line, points.
FRONT_WIDTH = 2.6
#: Sequential colour map of the fronts-over-time map (inferno: colour-blind safe, and no
#: blue or green, so a front is never read as a river), and the part of it used (the pale
#: yellow end of viridis would vanish on a light territory).
FRONTS_CMAP = "inferno"
FRONTS_CMAP_RANGE = (0.12, 0.78)
#: Marker area, points^2, of a unit of 1,000 men (area grows with the number of men).
UNIT_MARKER_AREA_1000 = 110.0
#: Smallest em height, pixels, of unit labels at any output size: 9 px (6.5 pt on a
#: 1200-px map) gives capitals about 6.5 px high in a 900-px-wide animation frame, where
#: 6.5 pt would give 5 px.  Place names keep their sizes (bold 8.5 pt names are 9 px at
#: 75 dpi; the small optional names give way, so that dense maps stay free of overlaps).
MIN_TEXT_EM_PX = 9.0
#: Scale bar length, km.
SCALE_BAR_KM = 50


def side_colour(colour: str | None) -> str:
    """A valid matplotlib colour for a side (grey when the header's colour is unusable)."""
    if colour and mcolors.is_color_like(colour):
        return colour
    return PLACE_NEUTRAL


def legible_pt(fontsize_pt: float, dpi: float) -> float:
    """``fontsize_pt``, raised so that its em is at least :data:`MIN_TEXT_EM_PX` pixels at
    ``dpi`` dots per inch."""
    return max(fontsize_pt, MIN_TEXT_EM_PX * 72.0 / dpi)


def darker(colour: str, factor: float = 0.6) -> tuple[float, float, float]:
    """``colour`` darkened towards black (``factor`` 1 keeps it)."""
    r, g, b = mcolors.to_rgb(colour)
    return (r * factor, g * factor, b * factor)


def fronts_cmap() -> mcolors.Colormap:
    """Early dates dark purple, late dates orange (see :data:`FRONTS_CMAP_RANGE`)."""
    base = colormaps[FRONTS_CMAP]
    lo, hi = FRONTS_CMAP_RANGE
    return mcolors.ListedColormap(base(np.linspace(lo, hi, 256)), name="fronts")
