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


@dataclass
class LabelPlacer:
    ax: Axes
    taken: list[Bbox] = field(default_factory=list)
    pad_px: float = 1.5

    def __post_init__(self) -> None:
        self.renderer = self.ax.figure.canvas.get_renderer()
        self.frame = self.ax.get_window_extent(self.renderer)

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
        return inside and not any(padded.overlaps(t) for t in self.taken)

    def overlap(self, box: Bbox) -> float:
        """Pixels² of ``box`` covered by taken boxes or lying outside the map."""
        total = 0.0
        for t in self.taken:
            w = min(box.x1, t.x1) - max(box.x0, t.x0)
            h = min(box.y1, t.y1) - max(box.y0, t.y0)
            if w > 0 and h > 0:
                total += w * h
        inside = Bbox.intersection(box, self.frame)
        outside = box.width * box.height - (inside.width * inside.height if inside else 0.0)
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
        chosen, least = None, None
        for (dx, dy, ha, va), far in candidates:
            _move(label, dx, dy, ha, va)
            box = label.get_window_extent(self.renderer)
            if self.is_free(box):
                chosen = ((dx, dy, ha, va), far, box)
                break
            cost = self.overlap(box) + (1.0 if far else 0.0)
            if least is None or cost < least[0]:
                least = (cost, ((dx, dy, ha, va), far, box))
        if chosen is None and required and least is not None:
            chosen = least[1]
            _move(label, *chosen[0])
        if chosen is None:
            label.remove()
            return None
        (dx, dy, ha, va), far, box = chosen
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
