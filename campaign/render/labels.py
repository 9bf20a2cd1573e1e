"""Greedy placement of map labels so that they do not overlap each other or the markers.

Labels are placed in priority order; each tries a few positions around its anchor (right,
left, above, below, diagonals) and takes the first whose box is free and inside the map.
Required labels take their first position when none is free; optional ones are dropped.

The text is laid out once per label: the boxes of the other positions are the same box
moved (unrotated text keeps its size), and all positions are tested in one numpy pass
against the taken boxes near them (a grid index), so a label costs one layout and a test
against its neighbours, not against every box taken. An optional label whose every
anchor point is already covered is dropped before its text is laid out. Placers that
share ``text_boxes`` (the dates of one map canvas) lay out each distinct text only once,
and a label gets its annotation only when a position is chosen for it.
"""

from __future__ import annotations

import array
import math
from dataclasses import dataclass, field

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
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

    #: Leader lines drawn by :meth:`place` for labels put far from their anchor.
    leaders: list[Line2D] = field(default_factory=list)
    #: Box of each text laid out so far, relative to its anchor (see :meth:`_first_box`);
    #: placers of the same axes may share one (an animation lays out a label once, and
    #: creates its artist only where it is drawn).
    text_boxes: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.renderer = self.ax.figure.canvas.get_renderer()
        self.frame = self.ax.get_window_extent(self.renderer)
        self._grid: dict[tuple[int, int], array.array] = {}
        self._extents = np.empty((64, 4))  # rows x0, y0, x1, y1 of taken[:_indexed]
        self._indexed = 0
        #: Taken boxes fetched for tests so far: the work of placing, which grows with the
        #: labels near each other, not with all labels (a benchmark and test figure).
        self.compared = 0
        x0, y0, x1, y1 = (float(v) for v in self.frame.extents)
        self._frame_extents = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))

    def _near_array(self, box: Bbox) -> np.ndarray:
        """Extents [x0, y0, x1, y1] of the taken boxes sharing a grid cell with ``box``,
        one row each, in the order they were taken."""
        while self._indexed < len(self.taken):
            taken = self.taken[self._indexed]
            if self._indexed == len(self._extents):
                self._extents = np.concatenate([self._extents, np.empty_like(self._extents)])
            self._extents[self._indexed] = taken.extents
            for cell in _cells(taken, self.frame):
                self._grid.setdefault(cell, array.array("q")).append(self._indexed)
            self._indexed += 1
        parts = [
            np.frombuffer(self._grid[c], dtype=np.int64)
            for c in _cells(box, self.frame)
            if c in self._grid
        ]
        if not parts:
            return np.empty((0, 4))
        near = np.unique(np.concatenate(parts))
        self.compared += len(near)
        return self._extents[near]

    def _near(self, box: Bbox) -> list[tuple[float, float, float, float]]:
        """:meth:`_near_array` as tuples."""
        return [tuple(row) for row in self._near_array(box).tolist()]

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
        shorter: tuple[str, ...] = (),
        **kwargs,
    ) -> Annotation | None:
        """Add a label near data (x, y); returns it, or None when dropped.

        With ``far_pt`` > 0, positions ``far_pt``, 2 ``far_pt`` and 3 ``far_pt`` further
        out are tried too; a label put there gets a thin leader line back to its anchor.
        When no position is free, the ``shorter`` texts (e.g. a collapsed list) are tried
        in turn; only then does a required label take the least-covered position.
        """
        for text_now in (text, *shorter):
            label = self._try(x, y, text_now, gap_pt, False, far_pt, kwargs)
            if label is not None:
                return label
        if not required:
            return None
        return self._try(x, y, shorter[-1] if shorter else text, gap_pt, True, far_pt, kwargs)

    def _try(self, x, y, text, gap_pt, required, far_pt, kwargs) -> Annotation | None:
        kwargs.setdefault("path_effects", HALO)
        kwargs.setdefault("annotation_clip", True)
        candidates = [(c, False) for c in around(gap_pt)]
        if far_pt > 0:
            # A required label with nowhere free within three steps looks further out
            # (up to six) before it settles for the least covered place.
            for k in (1, 2, 3, 4, 5, 6) if required else (1, 2, 3):
                candidates += [(c, True) for c in around(gap_pt + k * far_pt)]
        if not required and self._all_blocked(x, y, candidates):
            return None  # dropped without laying out its text
        label = None
        key = (text, gap_pt, *((k, kwargs.get(k)) for k in _LAYOUT_KEYWORDS))
        relative = self.text_boxes.get(key)
        if relative is None:
            label = self._annotate(x, y, text, gap_pt, kwargs)
            relative = self.text_boxes[key] = self._first_box(label, x, y, candidates)
        boxes = self._candidate_boxes(relative, x, y, candidates)
        free, cost = self._free_and_cost(boxes)
        if free.any():
            first = int(np.argmax(free))
        elif required:
            first = int(np.argmin(cost + np.array([float(far) for _, far in candidates])))
        else:
            if label is not None:
                label.remove()
            return None
        (dx, dy, ha, va), far = candidates[first]
        box = Bbox(boxes[first].reshape(2, 2))
        if label is None:
            label = self._annotate(x, y, text, gap_pt, kwargs)
        _move(label, dx, dy, ha, va)
        if far:
            self._leader(x, y, box, gap_pt, kwargs.get("zorder"))
        self.taken.append(box)
        return label

    def _annotate(self, x: float, y: float, text: str, gap_pt: float, kwargs) -> Annotation:
        return self.ax.annotate(
            text,
            (x, y),
            xytext=(gap_pt, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            **kwargs,
        )

    def _leader(self, x: float, y: float, box: Bbox, gap_pt: float, zorder: float | None) -> None:
        """A thin line from the label in ``box`` to its anchor at data (x, y).

        The line an annotation arrow ("-") would draw: from the middle of the text, cut
        where it leaves the text box padded by 2 pt, shortened by 1 pt at the text and
        ``gap_pt`` at the anchor; computed directly, as Bézier clipping costs ~15% of an
        animation frame.
        """
        px_per_pt = self.ax.figure.dpi / 72.0
        end_x, end_y = self.ax.transData.transform((x, y))
        if not self.frame.contains(end_x, end_y):
            return  # the label is not drawn either (annotation_clip)
        mid_x, mid_y = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        dx, dy = end_x - mid_x, end_y - mid_y
        length = math.hypot(dx, dy)
        pad = 2.0 * px_per_pt
        half_w, half_h = box.width / 2 + pad, box.height / 2 + pad
        leave = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf)
        start = leave * length + 1.0 * px_per_pt  # along the line from the middle
        stop = length - gap_pt * px_per_pt
        if length == 0 or stop <= start:
            return
        ux, uy = dx / length, dy / length
        ends = self.ax.transData.inverted().transform(
            [(mid_x + ux * start, mid_y + uy * start), (mid_x + ux * stop, mid_y + uy * stop)]
        )
        line = Line2D(
            ends[:, 0],
            ends[:, 1],
            color="#666666",
            linewidth=0.6,
            solid_capstyle="butt",
            zorder=3 if zorder is None else zorder,
        )
        line.set_clip_on(False)
        line.set_snap(False)  # as the arrow patch: no snapping of upright lines to pixels
        self.ax.add_artist(line)  # not add_line: the view is fixed, no data limits to update
        self.leaders.append(line)

    def _all_blocked(self, x: float, y: float, candidates: list) -> bool:
        """True when no candidate position can be free: the anchor point of each (which
        its box holds, whatever the text) lies outside the map or touches a taken box.

        Laying out the text is most of a label's cost, and in a crowded map most
        optional labels are dropped; this settles them first. The test is on the point
        with a pad 0.01 px smaller, so it never drops a label the full test would keep.
        """
        slack = 0.01
        px, py = (float(v) for v in self.ax.transData.transform((x, y)))
        px_per_pt = self.ax.figure.dpi / 72.0
        points = np.array(
            [(px + dx * px_per_pt, py + dy * px_per_pt) for (dx, dy, _ha, _va), _far in candidates]
        )
        xs, ys = points[:, :1], points[:, 1:]
        f = self.frame
        inside = (
            (xs >= f.x0 - slack)
            & (xs <= f.x1 + slack)
            & (ys >= f.y0 - slack)
            & (ys <= f.y1 + slack)
        )[:, 0]
        if not inside.any():
            return True
        p = max(0.0, self.pad_px - slack)
        near = self._near_array(
            Bbox.from_extents(
                xs.min() - p - 1, ys.min() - p - 1, xs.max() + p + 1, ys.max() + p + 1
            )
        )
        if not len(near):
            return False
        t = near.T
        tx0, tx1 = np.minimum(t[0], t[2]), np.maximum(t[0], t[2])
        ty0, ty1 = np.minimum(t[1], t[3]), np.maximum(t[1], t[3])
        hit = (xs - p <= tx1) & (tx0 <= xs + p) & (ys - p <= ty1) & (ty0 <= ys + p)
        return not (inside & ~hit.any(axis=1)).any()

    def _first_box(self, label: Annotation, x: float, y: float, candidates: list) -> tuple:
        """Window extents of ``label`` at the first candidate offset, minus the pixels of
        its anchor at data (x, y): the same for this text wherever it is put."""
        (dx0, dy0, ha0, va0), _ = candidates[0]
        _move(label, dx0, dy0, ha0, va0)
        x0, y0, x1, y1 = label.get_window_extent(self.renderer).extents
        px, py = (float(v) for v in self.ax.transData.transform((x, y)))
        return (x0 - px, y0 - py, x1 - px, y1 - py)

    def _candidate_boxes(self, relative: tuple, x: float, y: float, candidates: list) -> np.ndarray:
        """Window extents [x0, y0, x1, y1] (pixels) of a text at every candidate offset
        from data (x, y), given its box at the first one relative to the anchor."""
        (dx0, dy0, ha0, va0), _ = candidates[0]
        px, py = (float(v) for v in self.ax.transData.transform((x, y)))
        x0, y0, x1, y1 = px + relative[0], py + relative[1], px + relative[2], py + relative[3]
        width, height = x1 - x0, y1 - y0
        # the anchor of the first candidate (left, centre), in pixels
        ax_, ay_ = x0 - _H_SHIFT[ha0] * width, y0 - _V_SHIFT[va0] * height
        px_per_pt = self.ax.figure.dpi / 72.0
        boxes = np.empty((len(candidates), 4))
        for i, ((dx, dy, ha, va), _far) in enumerate(candidates):
            bx = ax_ + (dx - dx0) * px_per_pt + _H_SHIFT[ha] * width
            by = ay_ + (dy - dy0) * px_per_pt + _V_SHIFT[va] * height
            boxes[i] = (bx, by, bx + width, by + height)
        boxes[0] = (x0, y0, x1, y1)
        return boxes

    def _free_and_cost(self, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per box: whether :meth:`is_free`, and its :meth:`overlap` (pixels²)."""
        x0, y0, x1, y1 = (boxes[:, i : i + 1] for i in range(4))
        f = self.frame
        inside = ((x0 >= f.x0) & (x1 <= f.x1) & (y0 >= f.y0) & (y1 <= f.y1))[:, 0]
        ix0, ix1 = np.maximum(x0, f.x0), np.minimum(x1, f.x1)
        iy0, iy1 = np.maximum(y0, f.y0), np.minimum(y1, f.y1)
        in_view = np.where((ix0 <= ix1) & (iy0 <= iy1), (ix1 - ix0) * (iy1 - iy0), 0.0)[:, 0]
        outside = (x1 - x0)[:, 0] * (y1 - y0)[:, 0] - in_view
        p = self.pad_px
        # Only the taken boxes near the candidates can touch one (the grid index): testing
        # every taken box made placing n labels take time quadratic in n.
        reach = p + 1.0
        near = self._near_array(
            Bbox.from_extents(
                float(np.minimum(boxes[:, 0], boxes[:, 2]).min()) - reach,
                float(np.minimum(boxes[:, 1], boxes[:, 3]).min()) - reach,
                float(np.maximum(boxes[:, 0], boxes[:, 2]).max()) + reach,
                float(np.maximum(boxes[:, 1], boxes[:, 3]).max()) + reach,
            )
        )
        if not len(near):
            return inside, 4.0 * outside
        t = near.T  # rows x0, y0, x1, y1
        tx0, tx1 = np.minimum(t[0], t[2]), np.maximum(t[0], t[2])
        ty0, ty1 = np.minimum(t[1], t[3]), np.maximum(t[1], t[3])
        hit = (x0 - p <= tx1) & (tx0 <= x1 + p) & (y0 - p <= ty1) & (ty0 <= y1 + p)
        w = np.minimum(x1, t[2]) - np.maximum(x0, t[0])
        h = np.minimum(y1, t[3]) - np.maximum(y0, t[1])
        covered = np.where((w > 0) & (h > 0), w * h, 0.0).sum(axis=1)
        return inside & ~hit.any(axis=1), covered + 4.0 * outside


#: Keywords of :meth:`LabelPlacer.place` that change the size of a text's box.
_LAYOUT_KEYWORDS = (
    "fontsize",
    "fontweight",
    "fontstyle",
    "fontfamily",
    "family",
    "linespacing",
    "size",
    "weight",
)

#: Where the box of a text starts, in widths / heights from its anchor, per alignment.
_H_SHIFT = {"left": 0.0, "center": -0.5, "right": -1.0}
_V_SHIFT = {"bottom": 0.0, "center": -0.5, "top": -1.0}


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
