"""Greedy placement of map labels so that they do not overlap each other or the markers.

Labels are placed in priority order; each tries a few positions around its anchor (right,
left, above, below, diagonals) and takes the first whose box is free and inside the map.
Required labels take their first position when none is free; optional ones are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

__all__ = ["HALO", "LabelPlacer", "around"]

#: White outline that keeps text readable over territory shading and lines.
HALO = [patheffects.withStroke(linewidth=2.4, foreground="white", alpha=0.85)]


def around(gap_pt: float) -> list[tuple[float, float, str, str]]:
    """Candidate (dx, dy, ha, va) offsets in points at ``gap_pt`` from the anchor."""
    g, d = gap_pt, gap_pt * 0.75
    return [
        (g, 0, "left", "center"),
        (-g, 0, "right", "center"),
        (0, g, "center", "bottom"),
        (0, -g, "center", "top"),
        (d, d, "left", "bottom"),
        (-d, d, "right", "bottom"),
        (d, -d, "left", "top"),
        (-d, -d, "right", "top"),
    ]


#: Share of a label's width (height) left of (below) its anchor for each alignment.
_SHIFT = {"left": 0.0, "bottom": 0.0, "center": 0.5, "right": 1.0, "top": 1.0}
#: Side of the grid cells that index taken boxes, pixels (about one label high).
CELL_PX = 48.0


@dataclass
class LabelPlacer:
    """Places labels; ``taken`` holds the boxes (pixels) labels must keep off.

    Callers may append to ``taken`` directly; the boxes are indexed in a grid of
    :data:`CELL_PX` cells on the next query, so a label is compared only with the boxes
    near it and placing n labels takes time linear in n, not quadratic.
    """

    ax: Axes
    taken: list[Bbox] = field(default_factory=list)
    pad_px: float = 1.5

    def __post_init__(self) -> None:
        self.renderer = self.ax.figure.canvas.get_renderer()
        self.frame = self.ax.get_window_extent(self.renderer)
        self._grid: dict[tuple[int, int], list[int]] = {}
        self._extents: list[tuple[float, float, float, float]] = []
        self._indexed = 0
        x0, y0, x1, y1 = (float(v) for v in self.frame.extents)
        self._frame_extents = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))

    def _near(self, box: Bbox) -> list[tuple[float, float, float, float]]:
        """Extents (x0, y0, x1, y1) of the taken boxes sharing a grid cell with ``box``,
        in the order they were taken."""
        while self._indexed < len(self.taken):
            taken = self.taken[self._indexed]
            self._extents.append(tuple(float(v) for v in taken.extents))
            for cell in _cells(taken, self.frame):
                self._grid.setdefault(cell, []).append(self._indexed)
            self._indexed += 1
        found: set[int] = set()
        for cell in _cells(box, self.frame):
            found.update(self._grid.get(cell, ()))
        return [self._extents[i] for i in sorted(found)]

    def block_point(self, x: float, y: float, radius_pt: float) -> None:
        """Keep labels off a marker of ``radius_pt`` points at data (x, y)."""
        px, py = self.ax.transData.transform((x, y))
        r = radius_pt * self.ax.figure.dpi / 72.0
        self.taken.append(Bbox.from_extents(px - r, py - r, px + r, py + r))

    def block_artist(self, artist) -> None:
        self.taken.append(artist.get_window_extent(self.renderer))

    def is_free(self, box: Bbox) -> bool:
        p = self.pad_px
        padded = Bbox.from_extents(box.x0 - p, box.y0 - p, box.x1 + p, box.y1 + p)
        inside = (
            box.x0 >= self.frame.x0
            and box.x1 <= self.frame.x1
            and box.y0 >= self.frame.y0
            and box.y1 <= self.frame.y1
        )
        return inside and not any(_touch(padded.extents, t) for t in self._near(padded))

    def overlap(self, box: Bbox) -> float:
        """Pixels² of ``box`` covered by taken boxes or lying outside the map."""
        total = 0.0
        bx0, by0, bx1, by1 = box.extents
        for tx0, ty0, tx1, ty1 in self._near(box):
            w = min(bx1, tx1) - max(bx0, tx0)
            h = min(by1, ty1) - max(by0, ty0)
            if w > 0 and h > 0:
                total += w * h
        # The part inside the map, as Bbox.intersection computes it (without its objects).
        fx0, fy0, fx1, fy1 = self._frame_extents
        ix0, ix1 = max(min(bx0, bx1), fx0), min(max(bx0, bx1), fx1)
        iy0, iy1 = max(min(by0, by1), fy0), min(max(by0, by1), fy1)
        inside = (ix1 - ix0) * (iy1 - iy0) if ix0 <= ix1 and iy0 <= iy1 else 0.0
        outside = (bx1 - bx0) * (by1 - by0) - inside
        return total + 4.0 * outside

    def place(
        self,
        x: float,
        y: float,
        text: str,
        gap_pt: float = 5.0,
        required: bool = False,
        far_pt: float = 0.0,
        **kwargs,
    ) -> Annotation | None:
        """Add a label near data (x, y); returns it, or None when dropped.

        With ``far_pt`` > 0, positions ``far_pt`` further out are tried too; a label put
        there gets a thin leader line back to its anchor.
        """
        kwargs.setdefault("path_effects", HALO)
        kwargs.setdefault("annotation_clip", True)
        candidates = [(c, False) for c in around(gap_pt)]
        if far_pt > 0:
            candidates += [(c, True) for c in around(gap_pt + far_pt)]
        label = self.ax.annotate(
            text,
            (x, y),
            xytext=(gap_pt, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            **kwargs,
        )
        # Measure the text once; every candidate box is that box moved (text does not
        # change size when it moves), which saves a layout per candidate.
        first = label.get_window_extent(self.renderer)
        width, height = first.width, first.height
        per_pt = self.ax.figure.dpi / 72.0
        base_x, base_y = first.x0 - gap_pt * per_pt, first.y0 + height / 2
        chosen, least = None, None
        for (dx, dy, ha, va), far in candidates:
            x0 = base_x + dx * per_pt - _SHIFT[ha] * width
            y0 = base_y + dy * per_pt - _SHIFT[va] * height
            box = Bbox.from_bounds(x0, y0, width, height)
            if self.is_free(box):
                chosen = ((dx, dy, ha, va), far, box)
                break
            cost = self.overlap(box) + (1.0 if far else 0.0)
            if least is None or cost < least[0]:
                least = (cost, ((dx, dy, ha, va), far, box))
        if chosen is None and required and least is not None:
            chosen = least[1]
        if chosen is None:
            label.remove()
            return None
        (dx, dy, ha, va), far, box = chosen
        _move(label, dx, dy, ha, va)
        if far:
            label.remove()
            label = self.ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                arrowprops={
                    "arrowstyle": "-",
                    "color": "#666666",
                    "linewidth": 0.6,
                    "shrinkA": 1.0,
                    "shrinkB": gap_pt,
                },
                **kwargs,
            )
        self.taken.append(box)
        return label


def _move(label: Annotation, dx: float, dy: float, ha: str, va: str) -> None:
    label.set_position((dx, dy))
    label.set_ha(ha)
    label.set_va(va)


def _touch(a, b) -> bool:
    """Bbox.overlaps on plain extents: True when the boxes overlap or touch."""
    ax0, ay0, ax1, ay1 = a
    bx0, by0, bx1, by1 = b
    ax0, ax1 = min(ax0, ax1), max(ax0, ax1)
    ay0, ay1 = min(ay0, ay1), max(ay0, ay1)
    bx0, bx1 = min(bx0, bx1), max(bx0, bx1)
    by0, by1 = min(by0, by1), max(by0, by1)
    return not (bx1 < ax0 or bx0 > ax1 or by1 < ay0 or by0 > ay1)


def _cells(box: Bbox, frame: Bbox) -> list[tuple[int, int]]:
    """Grid cells a box touches. Coordinates are clamped to the frame with a margin (a
    monotone map, so boxes that overlap still share a cell) to keep the count small."""
    margin = 4 * CELL_PX

    def cell(v: float, low: float, high: float) -> int:
        v = low if v != v else min(max(v, low - margin), high + margin)  # NaN -> edge
        return int(v // CELL_PX)

    x0, x1 = sorted((cell(box.x0, frame.x0, frame.x1), cell(box.x1, frame.x0, frame.x1)))
    y0, y1 = sorted((cell(box.y0, frame.y0, frame.y1), cell(box.y1, frame.y0, frame.y1)))
    return [(i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1)]
