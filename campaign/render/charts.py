"""Charts of a run: men present per side over time, cumulative losses per side.

*Men present* is the sum over each side's units of the end-of-day strengths in the ``day``
events.  *Losses* accumulate the killed, wounded and captured of every
``engagement_step`` at the time it happened; what an engagement's ``engagement_end``
total adds beyond its steps (men captured when a unit breaks or surrenders) is added when
the engagement ends, so the final values equal the run's summary.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib
import matplotlib.ticker
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from campaign.render import style
from campaign.render.output import check_output, save_figure
from campaign.render.scene import Scene, load_scene

__all__ = ["LOSS_KINDS", "cumulative_losses", "men_present", "render_chart"]

LOSS_KINDS = ("killed", "wounded", "captured")
_LOSS_STYLE = {"killed": "-", "wounded": "--", "captured": ":"}


def _when(start: dt.date, t_days: float) -> dt.datetime:
    return dt.datetime.combine(start, dt.time()) + dt.timedelta(days=float(t_days))


def men_present(scene: Scene) -> dict[str, tuple[list[dt.datetime], list[float]]]:
    """Side -> (end-of-day times, men present), from the ``day`` events."""
    start = dt.date.fromisoformat(scene.header.start)
    series: dict[str, tuple[list[dt.datetime], list[float]]] = {s: ([], []) for s in scene.sides}
    for e in scene.replay.events:
        if e["type"] != "day":
            continue
        totals = dict.fromkeys(scene.sides, 0.0)
        for unit, (men, _loc) in e["units"].items():
            side = scene.units[unit].side if unit in scene.units else None
            if side in totals:
                totals[side] += float(men)
        for side, men in totals.items():
            series[side][0].append(_when(start, e["t"]))
            series[side][1].append(men)
    return series


def cumulative_losses(scene: Scene) -> dict[str, dict[str, tuple[list[dt.datetime], list[float]]]]:
    """Side -> kind (killed/wounded/captured) -> (times, cumulative men), see module doc."""
    start = dt.date.fromisoformat(scene.header.start)
    running = {s: dict.fromkeys(LOSS_KINDS, 0.0) for s in scene.sides}
    stepped: dict[int, dict[str, dict[str, float]]] = {}
    out = {s: {k: ([_when(start, 0)], [0.0]) for k in LOSS_KINDS} for s in scene.sides}

    def record(t: float, side: str, kind: str, amount: float) -> None:
        if amount == 0 or side not in running:
            return
        running[side][kind] += amount
        times, values = out[side][kind]
        times.append(_when(start, t))
        values.append(running[side][kind])

    for e in scene.replay.events:
        if e["type"] == "engagement_step":
            done = stepped.setdefault(e["engagement"], {})
            for unit, triple in e["losses"].items():
                side = scene.units[unit].side if unit in scene.units else None
                if side is None:
                    continue
                row = done.setdefault(side, dict.fromkeys(LOSS_KINDS, 0.0))
                for kind, amount in zip(LOSS_KINDS, triple, strict=False):
                    row[kind] += float(amount)
                    record(e["t"], side, kind, float(amount))
        elif e["type"] == "engagement_end":
            done = stepped.get(e["engagement"], {})
            for side, totals in e.get("losses", {}).items():
                for kind in LOSS_KINDS:
                    rest = float(totals.get(kind, 0.0)) - done.get(side, {}).get(kind, 0.0)
                    if rest > 0.005:
                        record(e["t"], side, kind, rest)
    end = _when(start, (dt.date.fromisoformat(scene.header.end) - start).days + 1)
    for side in out.values():
        for times, values in side.values():
            times.append(end)
            values.append(values[-1])
    return out


def _draw(fig: Figure, scene: Scene) -> None:
    header = scene.header
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1.15, 1]})
    fig.subplots_adjust(left=0.08, right=0.8, top=0.9, bottom=0.08, hspace=0.12)
    fig.text(
        0.08,
        0.962,
        f"{header.scenario_title}: strength and losses",
        fontsize=14,
        fontweight="bold",
        color=style.TEXT,
        va="center",
    )
    fig.text(
        0.08,
        0.93,
        f"Simulated run, {header.start} to {header.end}, {header.run_label()}",
        fontsize=9.5,
        color=style.TEXT_MUTED,
        va="center",
    )
    colours = {s: style.side_colour(info.colour) for s, info in scene.sides.items()}
    daily_markers = len(scene.dates) <= 40
    for side, (times, men) in men_present(scene).items():
        if not any(men):
            continue
        first = next(i for i, m in enumerate(men) if m > 0)  # not yet arrived: no line
        top.plot(
            times[first:],
            men[first:],
            color=colours[side],
            linewidth=2.2,
            marker="o" if daily_markers else None,
            markersize=3,
            label=scene.sides[side].name,
        )
    top.set_ylabel("men present (end of day)")
    top.set_ylim(bottom=0)
    top.grid(axis="y", color="#dddddd", linewidth=0.6)
    top.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    top.legend(
        loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, title="Side", alignment="left"
    )
    losses = cumulative_losses(scene)
    for side, kinds in losses.items():
        for kind, (times, values) in kinds.items():
            if values[-1] > 0:
                bottom.step(
                    times,
                    values,
                    where="post",
                    color=colours[side],
                    linestyle=_LOSS_STYLE[kind],
                    linewidth=1.8,
                )
    bottom.set_ylabel("cumulative losses, men")
    bottom.set_ylim(bottom=0)
    bottom.grid(axis="y", color="#dddddd", linewidth=0.6)
    bottom.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    handles = [
        Line2D([], [], color=style.TEXT, linestyle=_LOSS_STYLE[k], linewidth=1.8)
        for k in LOSS_KINDS
    ]
    bottom.legend(
        handles,
        list(LOSS_KINDS),
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        title="Loss (colour: side)",
        alignment="left",
    )
    lines = ["Totals at the end of the run"]
    for side, kinds in losses.items():
        lines.append(scene.sides[side].name.split(" (")[0])
        lines.append("   " + " · ".join(f"{kinds[k][1][-1]:,.0f} {k}" for k in LOSS_KINDS))
    bottom.text(
        1.01,
        0.0,
        "\n".join(lines),
        transform=bottom.transAxes,
        fontsize=7.5,
        va="bottom",
        color=style.TEXT,
        linespacing=1.4,
    )
    _day_axis(bottom, dt.date.fromisoformat(header.start), dt.date.fromisoformat(header.end))
    year = dt.date.fromisoformat(header.start).year
    if len(scene.dates) <= 40:
        bottom.set_xlabel(
            f"date ({year}); a day runs from one grey line to the next, strengths are at its end"
        )
    else:
        bottom.set_xlabel(f"date ({year}); strengths at the end of each day")


def _day_axis(ax, start: dt.date, end: dt.date) -> None:
    """Date labels at noon (the middle of each day), thin lines at midnights (every
    labelled day's midnight only, for runs longer than 40 days)."""
    days = (end - start).days + 1
    step = max(1, round(days / 12))
    midnights = [_when(start, i) for i in range(days + 1)]
    noons = [_when(start, i + 0.5) for i in range(0, days, step)]
    ax.set_xlim(midnights[0], midnights[-1])
    ax.set_xticks(noons, [f"{d.day} {d.strftime('%b')}" for d in noons])
    ax.tick_params(axis="x", length=0)
    lines = midnights if days <= 40 else midnights[::step]
    ax.set_xticks(lines, minor=True)
    for axis in ax.figure.axes:
        axis.grid(axis="x", which="minor", color="#e6e6e6", linewidth=0.6)


def render_chart(folder: str | Path | Scene, out: str | Path) -> Path:
    """Men present per side over time (top) and cumulative losses per side (bottom)."""
    out = check_output(out)
    scene = folder if isinstance(folder, Scene) else load_scene(folder)
    with matplotlib.rc_context(style.RC):
        fig = Figure(figsize=style.FIGSIZE_IN, dpi=style.DPI)
        FigureCanvasAgg(fig)
        _draw(fig, scene)
        return save_figure(fig, out)
