"""Unit symbols in the style of NATO APP-6 / MIL-STD-2525 (land units).

A symbol is a rectangular frame (3:2) filled with a light tint of the side's colour and
outlined in black, an icon inside it for the arm and a size (echelon) marker above it:

==============  ===================================  ======================
``kind``        icon                                 echelon marker
==============  ===================================  ======================
army            headquarters (staff from the frame)  XXXX
division        infantry (diagonal cross)            XX
brigade         infantry                             X
regiment        infantry                             III
battalion       infantry                             II
company         infantry                             I
group           infantry                             from the name, else none
detachment      infantry                             from the name, else none
volunteers      infantry                             from the name, else none
partisans       irregulars (letter G, as guerrilla)  from the name, else none
cavalry         cavalry (one diagonal slash)         from the name, else none
artillery       artillery (dot)                      from the name, else none
==============  ===================================  ======================

"From the name": Division -> XX, Brigade -> X, Regiment -> III, Battalion -> II,
Company/Squadron/Battery -> I.  A name with Cavalry/Hussar/Uhlan/Squadron or
Artillery/Battery gives the cavalry or artillery icon whatever the kind.

Symbols are drawn with scatter markers (one :class:`~matplotlib.path.Path` per icon and
echelon), so a map of 60 units costs a handful of artists.  Every marker path includes the
same invisible corner points, so frames and icons scale alike.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path
from matplotlib.textpath import TextPath

__all__ = [
    "FRAME_ASPECT",
    "echelon_of",
    "frame_path",
    "icon_of",
    "overlay_path",
    "symbol_half_size_pt",
    "symbol_marker_size",
    "tint",
]

#: Frame width / height (APP-6 friendly land unit frame).
FRAME_ASPECT = 1.5
#: Frame width, points, of a symbol at normal size.
FRAME_WIDTH_PT = 15.0
#: Half-extent of the marker box in path units (the frame spans ±0.75 x ±0.5).
_BOX = 1.0
_W, _H = 0.75, 0.5

ECHELON_BY_KIND = {
    "army": "XXXX",
    "division": "XX",
    "brigade": "X",
    "regiment": "III",
    "battalion": "II",
    "company": "I",
}
ICON_BY_KIND = {
    "army": "headquarters",
    "partisans": "irregular",
    "cavalry": "cavalry",
    "artillery": "artillery",
}
_ECHELON_WORDS = [
    (r"\bDivision\b", "XX"),
    (r"\bBrigade\b", "X"),
    (r"\b[Rr]egiment\b", "III"),
    (r"\b[Bb]attalion\b", "II"),
    (r"\b([Cc]ompany|[Ss]quadron|[Bb]attery)\b", "I"),
]
_ICON_WORDS = [
    (r"\b(Cavalry|cavalry|Hussars?|Uhlans?|[Ss]quadron)\b", "cavalry"),
    (r"\b(Artillery|artillery|[Bb]attery)\b", "artillery"),
]


def icon_of(kind: str, name: str = "") -> str:
    """``infantry``, ``cavalry``, ``artillery``, ``irregular`` or ``headquarters``."""
    if kind in ("army", "partisans"):
        return ICON_BY_KIND[kind]
    for pattern, icon in _ICON_WORDS:
        if re.search(pattern, name):
            return icon
    return ICON_BY_KIND.get(kind, "infantry")


def echelon_of(kind: str, name: str = "") -> str:
    """The size marker (``XX``, ``X``, ``III``, ``II``, ``I``, ``XXXX``) or ``""``."""
    if kind in ECHELON_BY_KIND:
        return ECHELON_BY_KIND[kind]
    for pattern, mark in _ECHELON_WORDS:
        if re.search(pattern, name):
            return mark
    return ""


def symbol_marker_size(men: float, by_men: bool = False) -> float:
    """Marker size (points, the side of the marker box) of a unit's symbol.

    Fixed by default; with ``by_men`` the frame grows with the square root of the men
    (1,000 men: normal size), between 0.7 and 1.8 times normal.
    """
    scale = 1.0
    if by_men:
        scale = min(1.8, max(0.7, math.sqrt(max(men, 0.0) / 1000.0)))
    return FRAME_WIDTH_PT * scale * (2 * _BOX) / (2 * _W)


def symbol_half_size_pt(men: float, by_men: bool = False) -> float:
    """Half the width of the frame, points (used to space symbols at one place)."""
    return symbol_marker_size(men, by_men) * _W / (2 * _BOX)


def tint(colour: str, amount: float = 0.45) -> tuple[float, float, float]:
    """``colour`` mixed with white (``amount`` 0 keeps it): the frame fill."""
    r, g, b = mcolors.to_rgb(colour)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _anchored(parts: list[Path]) -> Path:
    """Compound path of ``parts`` plus invisible corners fixing the marker scale."""
    corners = Path([(-_BOX, -_BOX), (_BOX, _BOX)], [Path.MOVETO, Path.MOVETO])
    return Path.make_compound_path(corners, *parts)


def _rect() -> Path:
    return Path(
        [(-_W, -_H), (_W, -_H), (_W, _H), (-_W, _H), (-_W, -_H)],
        [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY],
    )


def _segment(a: tuple[float, float], b: tuple[float, float]) -> Path:
    return Path([a, b], [Path.MOVETO, Path.LINETO])


@lru_cache(maxsize=1)
def frame_path() -> Path:
    """The filled frame."""
    return _anchored([_rect()])


def _icon(icon: str) -> list[Path]:
    if icon == "infantry":
        return [_segment((-_W, -_H), (_W, _H)), _segment((-_W, _H), (_W, -_H))]
    if icon == "cavalry":
        return [_segment((-_W, -_H), (_W, _H))]
    if icon == "artillery":
        t = np.linspace(0, 2 * np.pi, 13)
        return [Path(np.c_[0.14 * np.cos(t), 0.14 * np.sin(t)], closed=True)]
    if icon == "headquarters":  # staff down from the frame's lower left corner
        return [_segment((-_W, -_H), (-_W, -_BOX))]
    if icon == "irregular":
        glyph = TextPath(
            (0, 0), "G", size=1.0, prop=FontProperties(family="DejaVu Sans", weight="bold")
        )
        v = glyph.vertices
        (x0, y0), (x1, y1) = v.min(axis=0), v.max(axis=0)
        k = 0.62 / (y1 - y0)
        moved = (v - [(x0 + x1) / 2, (y0 + y1) / 2]) * k
        return [Path(moved, glyph.codes)]
    raise ValueError(f"unknown icon {icon!r}")


def _echelon(mark: str) -> list[Path]:
    """Bars (I) or crosses (X) centred above the frame."""
    if not mark:
        return []
    y0, y1 = _H + 0.1, _H + 0.42
    step = 0.2 if mark[0] == "I" else 0.34
    n = len(mark)
    parts = []
    for i in range(n):
        cx = (i - (n - 1) / 2) * step
        if mark[0] == "I":
            parts.append(_segment((cx, y0), (cx, y1)))
        else:
            half = 0.14
            parts.append(_segment((cx - half, y0), (cx + half, y1)))
            parts.append(_segment((cx - half, y1), (cx + half, y0)))
    return parts


@lru_cache(maxsize=64)
def overlay_path(icon: str, echelon: str) -> Path:
    """Outline of the frame, the icon and the echelon marker (drawn in black, unfilled)."""
    return _anchored([_rect(), *_icon(icon), *_echelon(echelon)])
