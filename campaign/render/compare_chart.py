"""The chart of ``campaign compare``: which side holds each town more often in the variant.

One bar per change (a side's loss is another side's gain, so only gains are drawn: no
mirrored pairs), in the colour of the side that gains (grey for ground held by nobody),
with its 95% Newcombe interval; towns by name.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from campaign.analysis.compare import Comparison
from campaign.analysis.ensemble_log import NONE
from campaign.render import style
from campaign.render.output import check_output, save_figure

__all__ = ["draw_comparison", "gain_bars"]


def _side_name(c: Comparison, side: str) -> str:
    if side == NONE:
        return "nobody"
    return c.sides.get(side, {}).get("name", side).split(" (")[0]


def _side_colour(c: Comparison, side: str) -> str:
    if side == NONE:
        return style.PLACE_NEUTRAL
    return style.side_colour(c.sides.get(side, {}).get("colour"))


def gain_bars(c: Comparison) -> list[tuple[str, float, float, float, str]]:
    """``(label, difference, ci_low, ci_high, colour)`` per bar, largest gain first; the
    label reads ``"Kaunas → Republic of Lithuania"``."""
    return [
        (
            f"{c.place_names.get(r['town'], r['town'])} → {_side_name(c, r['side'])}",
            r["difference"],
            r["ci_low"],
            r["ci_high"],
            _side_colour(c, r["side"]),
        )
        for r in c.gains()
    ]


def draw_comparison(c: Comparison, out: str | Path) -> Path:
    """Draw the gains of :meth:`Comparison.gains` as horizontal bars to ``out`` (PNG, SVG
    or PDF); returns the path."""
    out = check_output(out)
    bars = gain_bars(c)
    with matplotlib.rc_context(style.RC):
        height_in = 1.7 + 0.34 * max(1, len(bars))
        fig = Figure(figsize=(8.5, height_in), dpi=style.DPI)
        FigureCanvasAgg(fig)
        # fixed margins in inches: room for the axis title below and the title above
        ax = fig.add_axes((0.36, 1.0 / height_in, 0.6, 1 - 1.6 / height_in))
        y = np.arange(len(bars))
        if bars:
            labels, diffs, lows, highs, colours = zip(*bars, strict=True)
            diffs = np.array(diffs)
            errors = np.array([diffs - np.array(lows), np.array(highs) - diffs])
            ax.barh(
                y,
                diffs,
                xerr=errors,
                color=colours,
                edgecolor=style.TEXT,
                linewidth=0.5,
                capsize=3,
                ecolor=style.TEXT,
                height=0.65,
            )
            ax.set_yticks(y, labels)
        else:
            ax.set_yticks([])
            ax.text(
                0.5,
                0.5,
                "no town changes hands more often in either ensemble",
                ha="center",
                va="center",
                transform=ax.transAxes,
                color=style.TEXT_MUTED,
            )
        ax.invert_yaxis()
        ax.axvline(0, color=style.TEXT, lw=0.8)
        ax.set_xlim(min(-0.05, *(b[2] for b in bars)) if bars else -0.05, 1.05)
        ax.set_xlabel(
            "gain in the share of runs in which the side holds the town at the end\n"
            "(variant - base; whiskers: 95% Newcombe interval)"
        )
        ax.grid(axis="x", alpha=0.3)
        gainers = list(dict.fromkeys(r["side"] for r in c.gains()))
        if gainers:
            ax.legend(
                handles=[
                    Patch(
                        facecolor=_side_colour(c, s),
                        edgecolor=style.TEXT,
                        linewidth=0.5,
                        label=f"{_side_name(c, s)} gains",
                    )
                    for s in gainers
                ],
                loc="lower right",
                fontsize=8,
                frameon=True,
            )
        fig.suptitle(
            f"{Path(c.variant_label).name} against {Path(c.base_label).name}: "
            "who holds each town more often",
            x=0.02,
            ha="left",
            fontsize=12,
            fontweight="bold",
        )
        return save_figure(fig, out)
