"""Calibration plot of a combat law: predicted against recorded casualty fractions.

One panel per side, log axes, one point per CDB90 battle (out-of-fold predictions),
the diagonal and the factor-of-2 band; the 1919 engagements with recorded losses are
drawn on top.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from campaign.battles.cdb90 import Battle
from campaign.battles.engagements_1919 import Check
from campaign.battles.runner import Prediction
from campaign.render.output import save_figure

__all__ = ["calibration_plot"]


def calibration_plot(
    battles: list[Battle],
    predictions: list[Prediction],
    path: Path,
    checks: list[Check] | None = None,
    title: str = "",
) -> Path:
    """Write the calibration plot to ``path`` (PNG); returns the path."""
    by_id = {p.isqno: p for p in predictions}
    fig = Figure(figsize=(10, 4.8), dpi=110)
    FigureCanvasAgg(fig)
    lo, hi = 1e-3, 2.0
    for i, side in enumerate(("attacker", "defender")):
        ax = fig.add_subplot(1, 2, i + 1)
        for era, colour in (
            ("pre-1900", "#8c6d31"),
            ("1900-1945", "#3b6ea5"),
            ("post-1945", "#9c9c9c"),
        ):
            pairs = [
                (b.casualty_fraction(side), getattr(by_id[b.isqno], f"{side}_casualty_fraction"))
                for b in battles
                if b.isqno in by_id and b.era == era
            ]
            pairs = [(o, p) for o, p in pairs if o > 0 and p > 0 and math.isfinite(o)]
            if pairs:
                obs, pred = np.array(pairs).T
                ax.scatter(obs, pred, s=9, alpha=0.6, color=colour, label=era, linewidths=0)
        for c in checks or []:
            recorded = getattr(c, f"{side}_recorded")
            if math.isfinite(recorded):
                ax.scatter(
                    [recorded],
                    [getattr(c, f"{side}_predicted")],
                    marker="*",
                    s=140,
                    color="#c0392b",
                    zorder=5,
                    label=f"1919: {c.name}",
                )
        grid = np.array([lo, hi])
        ax.plot(grid, grid, color="black", linewidth=1)
        ax.fill_between(
            grid,
            grid / 2,
            grid * 2,
            color="black",
            alpha=0.08,
            linewidth=0,
            label="within a factor of 2",
        )
        ax.set(
            xscale="log",
            yscale="log",
            xlim=(lo, hi),
            ylim=(lo, hi),
            xlabel=f"recorded {side} casualty fraction",
            ylabel=f"predicted {side} casualty fraction",
        )
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, Path(path))
