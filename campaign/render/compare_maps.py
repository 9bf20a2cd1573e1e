"""Comparison maps: two runs side by side, or a run beside the historical record.

Each panel is a :class:`campaign.render.maps.MapCanvas` drawn at the animation
resolution (900 x 675 px) and set into one wide figure; places whose holder differs are
ringed on both panels, and the periods of difference up to the date are listed below.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from campaign.analysis.control_diff import control_differences, differing_places
from campaign.render import style
from campaign.render.maps import MapCanvas, long_date, short_date
from campaign.render.output import check_output, save_figure
from campaign.render.scene import Scene, load_scene

__all__ = ["render_against", "render_against_record"]

#: Resolution, dots per inch, of each panel (900 px wide, as an animation frame).
PANEL_DPI = style.ANIMATION_DPI
#: Most periods of difference listed under the panels.
MAX_PERIODS_LISTED = 24
#: Height, inches, of the text band under the panels.
TEXT_BAND_IN = 2.4


def _side_name(scene: Scene, side: str) -> str:
    side = scene.holder.get(side, side)
    return scene.sides[side].name.split(" (")[0] if side in scene.sides else "nobody"


def _ring(canvas: MapCanvas, places: dict[str, tuple[str, str]], which: int) -> None:
    """Ring ``places`` on the canvas in the colour of the *other* panel's holder."""
    scene = canvas.scene
    xs, ys, colours = [], [], []
    for place, sides in places.items():
        if place not in scene.places:
            continue
        other = scene.holder.get(sides[1 - which], sides[1 - which])
        xs.append(scene.places[place][0])
        ys.append(scene.places[place][1])
        colours.append(
            style.side_colour(scene.sides[other].colour)
            if other in scene.sides
            else style.TEXT_MUTED
        )
    if xs:
        canvas.ax.scatter(
            xs,
            ys,
            s=16**2,
            facecolors="none",
            edgecolors=colours,
            linewidths=style.HISTORY_RING_WIDTH,
            zorder=5.5,
        )


def _pixels(canvas: MapCanvas) -> np.ndarray:
    canvas.fig.canvas.draw()
    return np.asarray(canvas.fig.canvas.buffer_rgba()).copy()


def _compose(
    panels: list[np.ndarray], title: str, header: list[str], rows: list[str], out: Path
) -> Path:
    """Set two panel images side by side, ``header`` lines and ``rows`` (in up to three
    columns) below; save to ``out``."""
    h_px, w_px = panels[0].shape[:2]
    w_in, h_in = 2 * w_px / style.DPI, h_px / style.DPI
    total = h_in + TEXT_BAND_IN + 0.5
    fig = Figure(figsize=(w_in, total), dpi=style.DPI)
    FigureCanvasAgg(fig)
    for i, image in enumerate(panels):
        ax = fig.add_axes((i * 0.5, TEXT_BAND_IN / total, 0.5, h_in / total))
        ax.imshow(image, interpolation="nearest")
        ax.set_axis_off()
    fig.text(
        0.006,
        1 - 0.25 / total,
        title,
        fontsize=13,
        fontweight="bold",
        color=style.TEXT,
        va="center",
    )
    top = (TEXT_BAND_IN - 0.1) / total
    fig.text(
        0.006,
        top,
        "\n".join(textwrap.fill(h, 230) for h in header),
        fontsize=9,
        color=style.TEXT,
        va="top",
        linespacing=1.35,
    )
    per_column = max(1, -(-len(rows) // 3))
    for i in range(0, len(rows), per_column):
        fig.text(
            0.006 + (i // per_column) * 0.333,
            top - 0.5 / total,
            "\n".join(rows[i : i + per_column]),
            fontsize=8,
            color=style.TEXT,
            va="top",
            linespacing=1.3,
            family="DejaVu Sans Mono",
        )
    return save_figure(fig, out)


def _period_lines(scene: Scene, periods, label_a: str, label_b: str) -> list[str]:
    names = scene.place_names
    rows = []
    for p in periods[:MAX_PERIODS_LISTED]:
        when = (
            short_date(p.first)
            if p.first == p.last
            else f"{short_date(p.first)}–{short_date(p.last)}"
        )
        rows.append(
            f"{names.get(p.place, p.place)[:16]:<16} {when:<14} "
            f"{label_a}: {_side_name(scene, p.side_a)[:14]}, "
            f"{label_b}: {_side_name(scene, p.side_b)[:14]}"
        )
    if len(periods) > MAX_PERIODS_LISTED:
        rows.append(f"… and {len(periods) - MAX_PERIODS_LISTED} more periods")
    return rows or ["none: the holders agree on every date"]


def render_against(
    folder: str | Path,
    other: str | Path,
    out: str | Path,
    date: str | None = None,
    lines: str | None = None,
) -> Path:
    """Draw run ``folder`` (left) beside run ``other`` (right) on ``date`` (default: the
    last date of ``folder``); places held by different sides are ringed (ring: the other
    run's holder), and every period of difference up to the date is listed."""
    out = check_output(out)
    a, b = load_scene(folder, lines=lines), load_scene(other, lines=lines)
    day = a.check_date(date)
    b.check_date(day, option="--date (in --against run)")
    today = differing_places(a.control[day], b.control[day])
    periods = control_differences(a.control, b.control, until=day)
    with matplotlib.rc_context(style.RC):
        panels = []
        for which, scene in enumerate((a, b)):
            canvas = MapCanvas(scene, dpi=PANEL_DPI)
            canvas.draw_day(day, note=f"Run {'AB'[which]}: {Path(scene.replay.folder).name}")
            _ring(canvas, today, which)
            panels.append(_pixels(canvas))
        header = [
            f"A = {a.replay.folder} ({a.header.run_label()});  "
            f"B = {b.replay.folder} ({b.header.run_label()})",
            f"{len(today)} place(s) held by different sides on {long_date(day)}, ringed in "
            "the other run's colour. Periods of difference up to this date:",
        ]
        title = f"{a.header.scenario_title}: two runs on {long_date(day)}"
        return _compose(panels, title, header, _period_lines(a, periods, "A", "B"), out)


def _record_panel(
    scene: Scene, day: str, recorded: dict[str, str], today: dict[str, tuple[str, str]]
) -> np.ndarray:
    """The record's state on ``day``: places filled with the recorded holder (white: no
    record yet), ringed where the simulation differs; the sidebar lists the checkpoints."""
    canvas = MapCanvas(scene, dpi=PANEL_DPI)
    canvas.clear_day()
    xs, ys, faces = [], [], []
    for place, side in recorded.items():
        if place in scene.places:
            side = scene.holder.get(side, side)
            xs.append(scene.places[place][0])
            ys.append(scene.places[place][1])
            faces.append(
                style.side_colour(scene.sides[side].colour) if side in scene.sides else "white"
            )
    canvas.ax.scatter(xs, ys, s=70, c=faces, edgecolors=style.TEXT, linewidths=0.8, zorder=5)
    _ring(canvas, today, 1)
    name = scene.history_file.name if scene.history_file else "history file"
    canvas.fig.text(
        0.012,
        0.965,
        f"Historical record: {long_date(day)}",
        fontsize=14,
        fontweight="bold",
        color=style.TEXT,
        va="center",
    )
    canvas.fig.text(
        0.012,
        0.93,
        f"Latest recorded holder on or before the date ({name}); ring: the simulated holder",
        fontsize=9.5,
        color=style.TEXT_MUTED,
        va="center",
    )
    checkpoints = sorted(scene.recorded_control(day).values(), key=lambda v: v[1].date)
    rows = [
        f"{short_date(cp.date.isoformat()):>7} {scene.place_names.get(cp.place, cp.place)}"
        f" → {_side_name(scene, side)}"
        for side, cp in checkpoints[-30:]
    ]
    canvas.side.text(
        0.0,
        1.0,
        "Recorded holders\n" + "\n".join(rows),
        transform=canvas.side.transAxes,
        va="top",
        fontsize=7.5,
        color=style.TEXT,
        linespacing=1.3,
    )
    return _pixels(canvas)


def render_against_record(
    folder: str | Path, out: str | Path, date: str | None = None, lines: str | None = None
) -> Path:
    """Draw run ``folder`` on ``date`` (left) beside the record's state on that date
    (right, from the scenario's history file, found as ``plot --history`` finds it), and
    list the periods in which the simulated and recorded holders differ."""
    out = check_output(out)
    scene = load_scene(folder, lines=lines)
    day = scene.check_date(date)
    scene.history()  # ReplayError naming the file looked for when there is no record
    record = {
        d: {p: side for p, (side, _cp) in scene.recorded_control(d).items()}
        for d in scene.dates
        if d <= day
    }
    # compare only places the record speaks of (by that date)
    simulated = {d: {p: scene.control[d].get(p, "none") for p in record[d]} for d in record}
    today = differing_places(simulated[day], record[day])
    periods = control_differences(simulated, record, until=day)
    with matplotlib.rc_context(style.RC):
        canvas = MapCanvas(scene, dpi=PANEL_DPI, history=True)
        canvas.draw_day(day)
        panels = [_pixels(canvas), _record_panel(scene, day, record[day], today)]
    header = [
        f"Left: {scene.replay.folder} ({scene.header.run_label()}); right: the record "
        f"({scene.history_file}).",
        f"{len(today)} recorded place(s) held by another side in the simulation on "
        f"{long_date(day)}. Periods of difference up to this date:",
    ]
    title = f"{scene.header.scenario_title}: simulation and record on {long_date(day)}"
    return _compose(panels, title, header, _period_lines(scene, periods, "sim", "record"), out)
