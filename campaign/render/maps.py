"""Maps of a run: the situation on one date, and all front lines of the run on one map.

Every map is drawn on a :class:`MapCanvas`: a 12 x 9 inch figure with the map on the left
(extent: the places involved in the run plus a margin, equirectangular at the map's mean
latitude) and a sidebar on the right (legend, the day's events, men present).  The base
map and the place names are drawn once; :meth:`MapCanvas.draw_day` draws one date's
territories, front line, places, units and (optionally) the historical record over it,
so an animation redraws only what changes.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Mapping
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from shapely.geometry import Point

from campaign.analysis.frontline import hostility
from campaign.render import style, symbols
from campaign.render.basemap import draw_basemap, geometry_patch
from campaign.render.labels import HALO, LabelPlacer
from campaign.render.output import check_output, save_figure
from campaign.render.scene import Scene, load_scene
from campaign.render.sprites import TextSprites

__all__ = ["MapCanvas", "long_date", "render_fronts", "render_map"]

#: Figure-fraction boxes (left, bottom, width, height) of the map and the sidebar.
MAP_BOX = (0.012, 0.03, 0.745, 0.875)
SIDE_BOX = (0.772, 0.03, 0.218, 0.875)
#: Most front lines drawn on the fronts-over-time map (long runs show every n-th day).
MAX_FRONTS_DRAWN = 15
#: Most changes of hands listed beside the fronts-over-time map.
MAX_CHANGES_LISTED = 22
#: Units listed by name at one spot; the rest are summed.
MAX_UNIT_LINES = 4
#: Most unit-stack labels that must be drawn even where they overlap others. On a
#: crowded map (thousands of stacks) only the strongest stacks are labelled for sure;
#: the rest are drawn where there is room, and the map says how many were left out.
MAX_REQUIRED_UNIT_LABELS = 150
#: Most place names drawn even where they overlap others (towns where something
#: happened come first); beyond it a name is drawn only where there is room.
MAX_REQUIRED_PLACE_LABELS = 150
#: Zorders of the layers :meth:`MapCanvas.draw_day` adds to the map (territory, its edge,
#: reference lines, front, places, history rings, units, unit labels); everything else is
#: drawn once.
DAY_ZORDERS = (1.2, 1.25, 3.6, 4, 5, 5.5, 6, 6.1, 6.2, 7.5)
#: Position, type ``(lon, lat, men, location)``, of a unit on the map.
UnitPosition = tuple[float, float, float, str]


_ICON_LABELS = {
    "infantry": "infantry unit (frame: side colour)",
    "cavalry": "cavalry",
    "artillery": "artillery",
    "irregular": "partisans / irregulars",
    "headquarters": "headquarters",
}
#: Colours of reference lines, in the order the lines come (dark, none a side's or a
#: river's hue: black, purple, brown, magenta).
REFERENCE_LINE_COLOURS = ("#222222", "#6a3d9a", "#8c510a", "#c51b7d")


def _line_style(line, index: int) -> dict:
    """Line2D keywords of the ``index``-th reference line of a picture (dashed; a
    scenario's own line dash-dotted)."""
    colour = REFERENCE_LINE_COLOURS[index % len(REFERENCE_LINE_COLOURS)]
    return {
        "color": colour,
        "linewidth": 1.6,
        "linestyle": (0, (1.5, 1.2, 5, 1.2)) if line.scenario else (0, (6, 2.5)),
        "dash_capstyle": "butt",
    }


def long_date(iso: str) -> str:
    """``1919-02-05`` -> ``5 February 1919``."""
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"


def short_date(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%b')}"


def _side_short(name: str) -> str:
    """``Soviet Russia (Lithuanian SSR)`` -> ``Soviet Russia``."""
    return name.split(" (")[0]


def unit_marker_area(men: float) -> float:
    """Marker area, points², of a unit: proportional to its men (side ∝ √men)."""
    return max(10.0, style.UNIT_MARKER_AREA_1000 * men / 1000.0)


def _ring(half_sides: list[float]) -> tuple[list[tuple[float, float]], float]:
    """Offsets (points) that put markers of the given half sizes around one anchor."""
    n = len(half_sides)
    if n == 1:
        return [(0.0, 0.0)], half_sides[0]
    biggest = max(half_sides)
    radius = max(biggest * 1.5 + 1.0, (2.2 * biggest * n) / (2 * math.pi))
    offsets = [
        (
            radius * math.cos(math.pi / 2 + 2 * math.pi * i / n),
            radius * math.sin(math.pi / 2 + 2 * math.pi * i / n),
        )
        for i in range(n)
    ]
    return offsets, radius + biggest


def _slide_inside(lo: float, hi: float, bound_lo: float, bound_hi: float) -> tuple[float, float]:
    """Shift the interval [lo, hi] into [bound_lo, bound_hi] (centre it if it is wider)."""
    if hi - lo >= bound_hi - bound_lo:
        shift = (bound_lo + bound_hi) / 2 - (lo + hi) / 2
    elif lo < bound_lo:
        shift = bound_lo - lo
    elif hi > bound_hi:
        shift = bound_hi - hi
    else:
        shift = 0.0
    return lo + shift, hi + shift


class MapCanvas:
    """A map figure with its base map drawn; call :meth:`draw_day` for each picture."""

    def __init__(
        self,
        scene: Scene,
        dpi: float = style.DPI,
        history: bool = False,
        place_labels: bool = True,
        size_by_men: bool = False,
    ) -> None:
        self.scene = scene
        self.history = history
        #: Unit symbols grow with the square root of the men (else one size).
        self.size_by_men = size_by_men
        self.fig = Figure(figsize=style.FIGSIZE_IN, dpi=dpi)
        FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes(MAP_BOX)
        self.side = self.fig.add_axes(SIDE_BOX)
        self.side.set_axis_off()
        self._set_extent()
        self.px_per_pt = dpi / 72.0
        #: Font sizes, points, of unit labels (never below :data:`style.MIN_TEXT_EM_PX`
        #: pixels at this resolution) and of minor and major place names.
        self.unit_label_pt = style.legible_pt(6.5, dpi)
        self.minor_place_pt = 6.5  # optional names; larger ones would crowd out units
        self.major_place_pt = 8.5  # bold, 8.9 px at 75 dpi; larger crowds the northeast
        placer = LabelPlacer(self.ax)
        draw_basemap(self.ax, placer, home_country=self._home_country())
        self._scale_bar(placer)
        self._north_arrow(placer)
        self._static_places(placer, place_labels)
        self._static_taken = list(placer.taken)
        self._text_boxes = placer.text_boxes  # label sizes, shared by every date's placer
        self._dynamic: list = []
        #: Layer -> (what it was drawn from, its artists) in the last :meth:`draw_day`.
        self._layers: dict[str, tuple[object, list]] = {}
        #: Places ringed by the last :meth:`draw_day` (recorded holder differs).
        self.record_differs = 0
        #: Set by :meth:`freeze_static`: top of the day's sidebar text (axes fraction).
        self._below_legend: float | None = None
        #: Set by :meth:`freeze_static`: the day's texts are drawn from a pixel cache.
        self.sprites: TextSprites | None = None
        self.hostile = hostility(scene.header)

    # ------------------------------------------------------------------ static layers
    def _set_extent(self) -> None:
        lon0, lon1, lat0, lat1 = self.scene.extent
        self.lat_mid = (lat0 + lat1) / 2
        kx = math.cos(math.radians(self.lat_mid))
        fig_w, fig_h = style.FIGSIZE_IN
        box_ratio = (MAP_BOX[2] * fig_w) / (MAP_BOX[3] * fig_h)
        width, height = (lon1 - lon0) * kx, lat1 - lat0
        if width / height < box_ratio:
            pad = (height * box_ratio - width) / kx / 2
            lon0, lon1 = lon0 - pad, lon1 + pad
        else:
            pad = (width / box_ratio - height) / 2
            lat0, lat1 = lat0 - pad, lat1 + pad
        # slide the window inside the theatre, so territory never stops at a visible edge
        bx0, by0, bx1, by1 = self.scene.clip_bounds
        lon0, lon1 = _slide_inside(lon0, lon1, bx0, bx1)
        lat0, lat1 = _slide_inside(lat0, lat1, by0, by1)
        self.ax.set_xlim(lon0, lon1)
        self.ax.set_ylim(lat0, lat1)
        self.ax.set_aspect(1.0 / kx, adjustable="box")
        self.ax.set_xticks([])
        self.ax.set_yticks([])
        for spine in self.ax.spines.values():
            spine.set_visible(True)
            spine.set_color(style.LAND_EDGE)

    def _in_view(self, lon: float, lat: float) -> bool:
        x0, x1 = self.ax.get_xlim()
        y0, y1 = self.ax.get_ylim()
        return x0 <= lon <= x1 and y0 <= lat <= y1

    def _home_country(self) -> str | None:
        try:
            from shapely.geometry import shape

            from campaign.geo.basemap import load_outline

            counts = {}
            for feature in load_outline()["features"]:
                geom = shape(feature["geometry"])
                name = feature["properties"].get("name")
                counts[name] = sum(
                    geom.contains(Point(self.scene.places[p])) for p in self.scene.involved_places
                )
            best = max(counts, key=counts.get) if counts else None
            return best if best and counts[best] else None
        except Exception:  # noqa: BLE001 - labels are a nicety
            return None

    def _scale_bar(self, placer: LabelPlacer) -> None:
        x0, x1 = self.ax.get_xlim()
        y0, y1 = self.ax.get_ylim()
        lat = y0 + 0.035 * (y1 - y0)
        km_per_deg = 111.320 * math.cos(math.radians(lat))
        width_km = (x1 - x0) * km_per_deg
        length = max([k for k in (5, 10, 20, 25, 50, 100, 200) if k <= width_km / 4] or [5])
        start = x0 + 0.03 * (x1 - x0)
        end = start + length / km_per_deg
        ax = self.ax
        ax.plot(
            [start, end],
            [lat, lat],
            color=style.TEXT,
            linewidth=2.2,
            zorder=8,
            solid_capstyle="butt",
        )
        ax.plot(
            [start, start + (end - start) / 2],
            [lat, lat],
            color="white",
            linewidth=1.0,
            zorder=8.1,
            solid_capstyle="butt",
        )
        for x in (start, end):
            ax.plot(
                [x, x],
                [lat - 0.004 * (y1 - y0), lat + 0.008 * (y1 - y0)],
                color=style.TEXT,
                linewidth=0.9,
                zorder=8,
            )
        label = ax.text(
            (start + end) / 2,
            lat + 0.011 * (y1 - y0),
            f"{length} km",
            ha="center",
            va="bottom",
            fontsize=8,
            color=style.TEXT,
            zorder=8,
            path_effects=HALO,
        )
        (px0, py0), (px1, _py1) = ax.transData.transform(
            [(start, lat - 0.006 * (y1 - y0)), (end, lat)]
        )
        top = label.get_window_extent(placer.renderer).y1
        placer.taken.append(Bbox.from_extents(px0 - 3, py0, px1 + 3, top + 2))

    def _north_arrow(self, placer: LabelPlacer) -> None:
        text = self.ax.annotate(
            "N",
            xy=(0.965, 0.975),
            xytext=(0.965, 0.915),
            xycoords="axes fraction",
            ha="center",
            va="center",
            fontsize=10,
            fontweight="bold",
            color=style.TEXT,
            zorder=8,
            arrowprops={"arrowstyle": "-|>", "color": style.TEXT, "linewidth": 1.2},
        )
        box = Bbox.from_extents(0.945, 0.89, 0.985, 0.985).transformed(self.ax.transAxes)
        self.ax.add_patch(
            FancyBboxPatch(
                (0.945, 0.89),
                0.04,
                0.095,
                boxstyle="round,pad=0.004",
                transform=self.ax.transAxes,
                facecolor="white",
                edgecolor="none",
                alpha=0.75,
                zorder=7.9,
            )
        )
        placer.taken.append(Bbox.union([box, text.get_window_extent(placer.renderer)]))

    def _static_places(self, placer: LabelPlacer, with_labels: bool) -> None:
        scene = self.scene
        self.view_places = [p for p, (lon, lat) in scene.places.items() if self._in_view(lon, lat)]
        involved = set(scene.involved_places)
        self._label_gap = self._unit_ring_sizes()
        for pid in self.view_places:  # keep place names off every unit cluster of the run
            placer.block_point(*scene.places[pid], radius_pt=max(3.0, self._label_gap.get(pid, 0)))
        if not with_labels:
            return
        ordered = sorted(
            self.view_places,
            key=lambda p: (
                p not in involved,
                -self._label_gap.get(p, 0),
                scene.place_names.get(p, p),
            ),
        )
        for rank, pid in enumerate(ordered):
            lon, lat = scene.places[pid]
            major = pid in involved
            # On a crowded map only the first places (involved ones first) must be named.
            required = major and rank < MAX_REQUIRED_PLACE_LABELS
            placer.place(
                lon,
                lat,
                scene.place_names.get(pid, pid),
                gap_pt=self._label_gap.get(pid, 3.0) + 3.0,
                required=required,
                far_pt=8.0 if major else 0.0,
                fontsize=self.major_place_pt if major else self.minor_place_pt,
                fontweight="bold" if major else "normal",
                color=style.TEXT if major else style.TEXT_MUTED,
                zorder=7,
            )

    def _unit_ring_sizes(self) -> dict[str, float]:
        """Place -> largest radius (points) of the unit cluster drawn there in the run."""
        sizes: dict[str, float] = {}
        for units in self.scene.day_units.values():
            groups: dict[str, list[float]] = {}
            for men, location in units.values():
                if men >= 0.5 and location and ">" not in location:
                    groups.setdefault(location, []).append(self._half(men))
            for place, halves in groups.items():
                sizes[place] = max(sizes.get(place, 0.0), _ring(halves)[1])
        return sizes

    def _half(self, men: float) -> float:
        """Half the spacing, points, a unit symbol needs at a place (frame half width)."""
        return symbols.symbol_half_size_pt(men, self.size_by_men) + 1.0

    # ------------------------------------------------------------------ one date
    def clear_day(self, keep: list | None = None) -> None:
        """Remove what :meth:`draw_day` drew, but the artists in ``keep``."""
        kept = {id(artist) for artist in keep or ()}
        for artist in self._dynamic:
            if id(artist) not in kept:
                artist.remove()
        self._dynamic = list(keep or ())
        self._layers = {}
        side = self.side
        if side.child_axes or side.collections or side.patches or side.lines or side.images:
            side.clear()
            side.set_axis_off()
        else:  # only text and the legend: removing them is ~20x cheaper than Axes.clear
            for text in list(side.texts):
                text.remove()
            if side.get_legend() is not None:
                side.get_legend().remove()

    def freeze_static(self) -> None:
        """Draw everything that is the same on every date once, as images (animations).

        The base map, the place names, scale bar, north arrow, legend and notes are rendered
        in bands between :data:`DAY_ZORDERS` and hidden; each later :meth:`draw_day` draws
        those images and the day's own layers only.
        """
        from campaign.render.frozen import freeze, snapshot

        self.draw_day(self.scene.dates[0])
        changing = {id(a) for a in self._dynamic}
        legend, notes = self.side.get_legend(), self.side.texts[-1]  # notes: drawn last
        background = snapshot(self.fig, [self.fig.patch, legend, notes], zorder=-1.0)
        self.fig.patch.set_visible(False)
        if background is not None:
            self.fig.add_artist(background)  # drawn before the axes, as the patch was
        self._below_legend = self._legend_bottom(legend)
        freeze(self.fig, [a for a in self.ax.get_children() if id(a) not in changing], DAY_ZORDERS)
        self.clear_day()
        self.sprites = TextSprites()

    def _keep(self, artist):
        if artist is not None:
            self._dynamic.append(artist)
            if self.sprites is not None and isinstance(artist, Text):
                self.sprites.attach(artist)
        return artist

    def draw_day(
        self, date: str, positions: Mapping[str, UnitPosition] | None = None, note: str = ""
    ) -> None:
        """Draw ``date``: territories, front, places, units (``positions`` overrides the
        end-of-day positions, for interpolated animation frames), history rings, sidebar."""
        scene = self.scene
        positions = scene.unit_positions(date) if positions is None else positions
        placer = LabelPlacer(self.ax, taken=list(self._static_taken), text_boxes=self._text_boxes)
        # Each layer with what it is drawn from. A layer drawn from the same as in the last
        # picture is kept: most days of a run change no territory and move no unit. (Unit
        # labels keep off the static layers only, never off the day's, so the units layer
        # depends on the positions alone.)
        held = scene.territories.get(date)  # one object per state of control
        layers = {
            "territories": (id(held), lambda: self._territories(date)),
            "reference lines": (
                tuple(line.id for line in scene.lines_on(date)),
                lambda: self._reference_lines(date, placer),
            ),
            "front": (
                (id(held), tuple(id(line) for *_, line in scene.fronts.get(date, []))),
                lambda: self._front(date),
            ),
            "places": (tuple(self._place_colours(date)), lambda: self._place_dots(date)),
            "units": (tuple(sorted(positions.items())), lambda: self._units(positions, placer)),
        }
        kept = {
            name: self._layers[name][1]
            for name, (source, _draw) in layers.items()
            if name in self._layers and self._layers[name][0] == source
        }
        self.clear_day(keep=[artist for artists in kept.values() for artist in artists])
        for name, (source, draw) in layers.items():
            if name not in kept:
                first = len(self._dynamic)
                draw()
                kept[name] = self._dynamic[first:]
            self._layers[name] = (source, kept[name])
        differs = self._history_rings(date) if self.history else 0
        self.record_differs = differs
        self._title(date, note)
        self._sidebar(date, positions, differs)

    def _territories(self, date: str, alpha: float = style.TERRITORY_ALPHA) -> None:
        # add_artist, not add_patch: the view is fixed, so the data limits need no update
        # (which walks every Bézier segment of the territory: ~10% of an animation frame)
        for side, geom in self.scene.territories.get(date, {}).items():
            colour = style.side_colour(self.scene.sides[side].colour)
            patch = geometry_patch(
                geom, facecolor=colour, alpha=alpha, edgecolor="none", zorder=1.2
            )
            if patch is not None:
                self._keep(self.ax.add_artist(patch))
            edge = geometry_patch(
                geom,
                facecolor="none",
                edgecolor=style.darker(colour, 0.8),
                linewidth=0.6,
                alpha=0.7,
                zorder=1.25,
            )
            if edge is not None:
                self._keep(self.ax.add_artist(edge))

    def _reference_lines(self, date: str, placer: LabelPlacer) -> None:
        """The reference lines shown on ``date`` (see :meth:`Scene.lines_on`), dashed, with
        a white halo so that they read over territory and rivers."""
        halo = [
            patheffects.Stroke(linewidth=3.6, foreground="white", alpha=0.75),
            patheffects.Normal(),
        ]
        order = {ln.id: i for i, ln in enumerate(self.scene.reference_lines)}
        for line in self.scene.lines_on(date):
            xy = np.asarray(line.points)
            (artist,) = self.ax.plot(
                xy[:, 0],
                xy[:, 1],
                zorder=3.6,
                path_effects=halo,
                **_line_style(line, order[line.id]),
            )
            self._keep(artist)

    def _oriented(self, coords: np.ndarray, towards) -> np.ndarray:
        """Reverse ``coords`` if needed so that ``towards`` (a polygon) lies on the left.

        Probes a point 1 km to each side of up to 15 segments and goes with the majority.
        """
        if len(coords) < 2 or towards is None:
            return coords
        kx = math.cos(math.radians(self.lat_mid))
        step_deg = 1.0 / 111.0
        vote = 0
        for i in np.unique(np.linspace(0, len(coords) - 2, num=15).astype(int)):
            (x0, y0), (x1, y1) = coords[i], coords[i + 1]
            dx, dy = (x1 - x0) * kx, y1 - y0
            norm = math.hypot(dx, dy)
            if norm == 0:
                continue
            nx, ny = -dy / norm * step_deg / kx, dx / norm * step_deg
            mx, my = (x0 + x1) / 2, (y0 + y1) / 2
            vote += towards.contains(Point(mx + nx, my + ny))
            vote -= towards.contains(Point(mx - nx, my - ny))
        return coords if vote >= 0 else coords[::-1]

    def _front(self, date: str) -> None:
        held = self.scene.territories.get(date, {})
        ticks = patheffects.TickedStroke(
            spacing=9, angle=90, length=0.55, linewidth=1.5, foreground=style.FRONT
        )
        effects = [
            patheffects.Stroke(
                linewidth=style.FRONT_WIDTH + 2.4, foreground=style.FRONT_HALO, alpha=0.8
            ),
            patheffects.Normal(),
            ticks,
        ]
        for _a, b, line in self.scene.fronts.get(date, []):
            for part in line.geoms:
                xy = self._oriented(np.asarray(part.coords), held.get(b))
                (artist,) = self.ax.plot(
                    xy[:, 0],
                    xy[:, 1],
                    color=style.FRONT,
                    linewidth=style.FRONT_WIDTH,
                    zorder=4,
                    solid_capstyle="round",
                    path_effects=effects,
                )
                self._keep(artist)

    def _place_colours(self, date: str) -> list[str]:
        """Fill colour of each place in view on ``date``: its holder's, or white."""
        scene = self.scene
        control = scene.control.get(date, {})
        faces = []
        for pid in self.view_places:
            side = control.get(pid, "none")
            side = scene.holder.get(side, side)
            faces.append(
                style.side_colour(scene.sides[side].colour) if side in scene.sides else "white"
            )
        return faces

    def _place_dots(self, date: str) -> None:
        xs = [self.scene.places[pid][0] for pid in self.view_places]
        ys = [self.scene.places[pid][1] for pid in self.view_places]
        faces = self._place_colours(date)
        if xs:
            self._keep(
                self.ax.scatter(
                    xs, ys, s=22, c=faces, edgecolors=style.TEXT, linewidths=0.7, zorder=5
                )
            )

    def _units(self, positions: Mapping[str, UnitPosition], placer: LabelPlacer) -> None:
        """APP-6-style symbols (see :mod:`campaign.render.symbols`), several at one place
        in a ring, and one label per place listing them."""
        scene = self.scene
        groups: dict[tuple[float, float], list[str]] = {}
        for unit, (lon, lat, _men, _loc) in positions.items():
            groups.setdefault((round(lon, 4), round(lat, 4)), []).append(unit)
        side_rank = {s: i for i, s in enumerate(scene.sides)}
        fills: list[tuple[float, float, float, tuple]] = []  # x, y, size, fill colour
        overlays: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
        labels = []
        for (lon, lat), members in groups.items():
            members.sort(
                key=lambda u: (
                    side_rank.get(scene.units[u].side, 99) if u in scene.units else 99,
                    -positions[u][2],
                )
            )
            halves = [self._half(positions[u][2]) for u in members]
            offsets, outer = _ring(halves)
            anchor = self.ax.transData.transform((lon, lat))
            for unit, (dx, dy) in zip(members, offsets, strict=True):
                x, y = self.ax.transData.inverted().transform(
                    anchor + np.array([dx, dy]) * self.px_per_pt
                )
                info = scene.units.get(unit)
                side = info.side if info else ""
                colour = (
                    style.side_colour(scene.sides[side].colour)
                    if side in scene.sides
                    else style.PLACE_NEUTRAL
                )
                size = symbols.symbol_marker_size(positions[unit][2], self.size_by_men)
                fills.append((x, y, size, symbols.tint(colour)))
                kind, name = (info.kind, info.name) if info else ("regiment", unit)
                key = (symbols.icon_of(kind, name), symbols.echelon_of(kind, name))
                overlays.setdefault(key, []).append((x, y, size))
                placer.block_point(x, y, radius_pt=size / 2)
            labels.append((lon, lat, members, outer))
        if fills:
            xs, ys, sizes, colours = zip(*fills, strict=True)
            self._keep(
                self.ax.scatter(
                    xs,
                    ys,
                    s=np.square(sizes),
                    c=list(colours),
                    marker=symbols.frame_path(),
                    edgecolors="none",
                    zorder=6,
                )
            )
        for (icon, echelon), points in overlays.items():
            xs, ys, sizes = zip(*points, strict=True)
            self._keep(
                self.ax.scatter(
                    xs,
                    ys,
                    s=np.square(sizes),
                    marker=symbols.overlay_path(icon, echelon),
                    facecolors="none",
                    edgecolors="black",
                    linewidths=0.8,
                    zorder=6.1,
                )
            )
            if icon == "artillery":
                self._keep(
                    self.ax.scatter(
                        xs,
                        ys,
                        s=np.square(np.array(sizes) * 0.16),
                        c="black",
                        marker="o",
                        linewidths=0,
                        zorder=6.2,
                    )
                )
        required = len(labels)
        if len(labels) > MAX_REQUIRED_UNIT_LABELS:
            labels.sort(key=lambda item: -sum(positions[u][2] for u in item[2]))
            required = MAX_REQUIRED_UNIT_LABELS
        left_out = 0
        for rank, (lon, lat, members, outer) in enumerate(labels):
            lines = [
                f"{scene.units[u].short if u in scene.units else u}  {positions[u][2]:,.0f}"
                for u in members[:MAX_UNIT_LINES]
            ]
            if len(members) > MAX_UNIT_LINES:
                rest = sum(positions[u][2] for u in members[MAX_UNIT_LINES:])
                lines.append(f"+{len(members) - MAX_UNIT_LINES} more  {rest:,.0f}")
            label = placer.place(
                lon,
                lat,
                "\n".join(lines),
                gap_pt=outer + 2.5,
                required=rank < required,
                far_pt=20.0,
                shorter=self._collapsed(members, positions),
                fontsize=self.unit_label_pt,
                color=style.TEXT,
                linespacing=1.1,
                zorder=7.5,
            )
            if label is None:
                left_out += 1
            else:
                self._keep(label)
        if left_out:
            self._keep(
                self.ax.text(
                    0.01,
                    0.01,
                    f"{left_out:,} of {len(labels):,} unit labels left out (no room)",
                    transform=self.ax.transAxes,
                    fontsize=self.unit_label_pt,
                    color=style.TEXT_MUTED,
                    ha="left",
                    va="bottom",
                    zorder=8,
                )
            )
        for line in placer.leaders:
            self._keep(line)

    def _collapsed(self, members: list[str], positions: Mapping[str, UnitPosition]) -> tuple:
        """Shorter labels for a stack of units: one line per side, then one line."""
        scene = self.scene
        by_side: dict[str, list[float]] = {}
        for u in members:
            side = scene.units[u].side if u in scene.units else "?"
            by_side.setdefault(side, []).append(positions[u][2])
        rows = [
            f"{len(men)} {_side_short(scene.sides[s].name) if s in scene.sides else s} "
            f"unit{'s' if len(men) > 1 else ''}  {sum(men):,.0f}"
            for s, men in by_side.items()
        ]
        total = sum(positions[u][2] for u in members)
        units = f"{len(members)} unit{'s' if len(members) > 1 else ''}"
        return ("\n".join(rows), f"{units}  {total:,.0f}")

    def _history_rings(self, date: str) -> int:
        scene = self.scene
        control = scene.control.get(date, {})
        xs, ys, colours, sizes = [], [], [], []
        for place, (side, _cp) in scene.recorded_control(date).items():
            if place not in scene.places:
                continue
            recorded = scene.holder.get(side, side)
            simulated = control.get(place, "none")
            simulated = scene.holder.get(simulated, simulated)
            if recorded == simulated:
                continue
            lon, lat = scene.places[place]
            radius = max(6.5, self._label_gap.get(place, 0.0) + 2.5)
            xs.append(lon)
            ys.append(lat)
            sizes.append((2 * radius) ** 2)
            colours.append(
                style.side_colour(scene.sides[recorded].colour)
                if recorded in scene.sides
                else style.TEXT_MUTED
            )
        if xs:
            self._keep(
                self.ax.scatter(
                    xs,
                    ys,
                    s=sizes,
                    facecolors="none",
                    edgecolors=colours,
                    linewidths=style.HISTORY_RING_WIDTH,
                    zorder=5.5,
                    linestyle="-",
                )
            )
        return len(xs)

    # ------------------------------------------------------------------ text
    def _title(self, date: str, note: str) -> None:
        scene = self.scene
        header = scene.header
        when = (
            f"{note}; territory and front as at the end of the day"
            if note
            else "Simulated situation at the end of the day"
        )
        # In parts, so that an animation draws the parts that stay the same from its cache.
        title = [f"{header.scenario_title}: ", long_date(date)]
        sub = [
            f"{when} · day ",
            str(scene.day_number(date)),
            f" of {len(scene.dates)} · {header.run_label()}",
        ]
        self._text_run(0.012, 0.965, title, fontsize=14, fontweight="bold", color=style.TEXT)
        self._text_run(0.012, 0.93, sub, fontsize=9.5, color=style.TEXT_MUTED)

    def _text_run(self, x: float, y: float, parts: list[str], **kwargs) -> None:
        """``parts`` one after another from figure fraction (x, y), as one text (their
        boxes are as wide as their glyphs' advances, spaces included)."""
        renderer = self.fig.canvas.get_renderer()
        to_figure = self.fig.transFigure.inverted()
        for part in parts:
            text = self._keep(self.fig.text(x, y, part, va="center", **kwargs))
            x = to_figure.transform((text.get_window_extent(renderer).x1, 0.0))[0]

    def legend_handles(self, differs: bool = True) -> tuple[list, list[str]]:
        scene = self.scene
        handles, labels = [], []
        for side in scene.sides.values():
            colour = style.side_colour(side.colour)
            marker = Line2D(
                [],
                [],
                linestyle="none",
                marker="s",
                markersize=7,
                markerfacecolor=colour,
                markeredgecolor="black",
                markeredgewidth=0.6,
            )
            if scene.holder.get(side.id, side.id) == side.id:
                patch = Patch(
                    facecolor=colour,
                    alpha=style.TERRITORY_ALPHA,
                    edgecolor=style.darker(colour, 0.8),
                )
                handles.append((patch, marker))
                labels.append(side.name)
            else:
                handles.append(marker)
                labels.append(
                    f"{side.name} (fight for "
                    f"{_side_short(scene.sides[scene.holder[side.id]].name)})"
                )
        pairs = {(a, b) for fronts in scene.fronts.values() for a, b, _ in fronts}
        front = Line2D([], [], color=style.FRONT, linewidth=style.FRONT_WIDTH)
        handles.append(front)
        if len(pairs) == 1:
            ((_a, b),) = pairs
            labels.append(f"front line (ticks face {_side_short(scene.sides[b].name)})")
        else:
            labels.append("front line")
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=5,
                markerfacecolor="white",
                markeredgecolor=style.TEXT,
            )
        )
        labels.append("place (filled: held by a side)")
        icons = sorted(
            {symbols.icon_of(u.kind, u.name) for u in scene.units.values()},
            key=["infantry", "cavalry", "artillery", "irregular", "headquarters"].index,
        )
        for icon in icons:
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker=symbols.overlay_path(icon, "III"),
                    markersize=symbols.symbol_marker_size(1000) * 0.9,
                    markerfacecolor="none",
                    markeredgecolor="black",
                    markeredgewidth=0.8,
                )
            )
            labels.append(_ICON_LABELS[icon])
        labels[-1] += (
            "; size above: XX division, X brigade, III regiment, II battalion, "
            "I company" + ("; symbol area grows with men" if self.size_by_men else "")
        )
        for i, line in enumerate(scene.reference_lines):
            handles.append(Line2D([], [], **_line_style(line, i)))
            labels.append(f"{line.name} ({line.period})")
        if self.history and differs:
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=11,
                    markerfacecolor="none",
                    markeredgecolor=style.TEXT,
                    markeredgewidth=style.HISTORY_RING_WIDTH,
                )
            )
            labels.append("record differs (ring: recorded holder)")
        return handles, labels

    def _stack(self, y: float, text: str, gap: float = 0.025, **kwargs) -> float:
        """Write ``text`` in the sidebar with its top at ``y`` (axes fraction); returns the
        ``y`` for the next block."""
        kwargs = {"fontsize": 7.5, "color": style.TEXT, "linespacing": 1.35, **kwargs}
        artist = self.side.text(
            0.0, y, text, transform=self.side.transAxes, va="top", ha="left", **kwargs
        )
        if self.sprites is not None:
            self.sprites.attach(artist)
        box = artist.get_window_extent(self.fig.canvas.get_renderer())
        return box.transformed(self.side.transAxes.inverted()).y0 - gap

    def _legend_bottom(self, legend) -> float:
        box = legend.get_window_extent(self.fig.canvas.get_renderer())
        return box.transformed(self.side.transAxes.inverted()).y0 - 0.035

    def _sidebar(self, date: str, positions: Mapping[str, UnitPosition], differs: int) -> None:
        frozen = self._below_legend is not None  # legend and notes are an image already
        y = self._below_legend if frozen else self._legend()
        y = self._stack(y, "On this day", gap=0.008, fontsize=9, fontweight="bold")
        y = self._stack(y, self._day_events(date))
        y = self._stack(
            y, "Men present at the end of the day", gap=0.008, fontsize=9, fontweight="bold"
        )
        y = self._stack(y, self._men_present(positions), family="DejaVu Sans Mono", fontsize=7)
        if self.history:
            name = self.scene.history_file.name if self.scene.history_file else "history"
            y = self._stack(y, "Historical record", gap=0.008, fontsize=9, fontweight="bold")
            self._stack(
                y,
                textwrap.fill(
                    f"{differs} place(s) where the latest recorded holder on or before this date "
                    f"differs from the simulation (ringed). Source: {name}",
                    46,
                ),
            )
        if not frozen:
            self._notes()

    def _legend(self) -> float:
        """Draw the legend (the same on every date); returns the ``y`` (axes fraction) below
        it."""
        handles, labels = self.legend_handles(differs=True)
        labels = [textwrap.fill(label, 34, subsequent_indent="  ") for label in labels]
        legend = self.side.legend(
            handles,
            labels,
            loc="upper left",
            frameon=False,
            fontsize=7.5,
            handler_map={tuple: HandlerTuple(ndivide=None)},
            borderaxespad=0.0,
            labelspacing=0.6,
            handlelength=2.6,
            title="Legend",
            title_fontsize=9,
            alignment="left",
        )
        legend.get_title().set_fontweight("bold")
        return self._legend_bottom(legend)

    def _notes(self):
        return self.side.text(
            0.0,
            0.0,
            "Territory: Voronoi cells of places, merged per side\n"
            "and smoothed. Borders and coast are modern\n(Natural Earth), for orientation.",
            transform=self.side.transAxes,
            va="bottom",
            ha="left",
            fontsize=6.5,
            color=style.TEXT_MUTED,
            linespacing=1.3,
        )

    def _day_events(self, date: str) -> str:
        scene = self.scene
        names = scene.place_names
        wrap = textwrap.TextWrapper(width=46, subsequent_indent="   ")
        items = []
        for e in scene.control_changes:
            if e["date"] == date:
                new = scene.sides[e["new"]].name if e["new"] in scene.sides else "nobody"
                items.append(f"• {names.get(e['place'], e['place'])} passes to {_side_short(new)}")
        for e in scene.engagements_by_date.get(date, []):
            place = names.get(e["place"], e["place"])
            if e["type"] == "engagement_start":
                att = sum(e["attackers"].values())
                dfn = sum(e["defenders"].values())
                items.append(f"• Fight at {place} begins: {att:,.0f} men attack {dfn:,.0f}")
            else:
                items.append(f"• Fight at {place} ends: {e['result']}")
        lines = [wrap.fill(i) for i in items[:10]] or ["No fighting, no change of hands."]
        if len(items) > 10:
            lines.append(f"   … and {len(items) - 10} more")
        return "\n".join(lines)

    def _men_present(self, positions: Mapping[str, UnitPosition]) -> str:
        scene = self.scene
        totals: dict[str, float] = {}
        for unit, (_lon, _lat, men, _loc) in positions.items():
            side = scene.units[unit].side if unit in scene.units else "?"
            totals[side] = totals.get(side, 0.0) + men
        rows = [
            f"{_side_short(scene.sides[s].name)[:28]:<28}{totals[s]:>8,.0f}"
            for s in scene.sides
            if s in totals
        ]
        return "\n".join(rows) or "none"

    # ------------------------------------------------------------------ fronts over time
    def draw_fronts_over_time(self, until: str | None = None) -> None:
        """Every date's front line, coloured by date, over the last date's territories."""
        self.clear_day()
        scene = self.scene
        dates = [d for d in scene.dates if until is None or d <= until]
        last = dates[-1]
        self._territories(last, alpha=0.12)
        self._place_dots(last)
        cmap = style.fronts_cmap()
        halo = [
            patheffects.Stroke(linewidth=4.0, foreground="white", alpha=0.7),
            patheffects.Normal(),
        ]
        norm = Normalize(0, max(1, len(scene.dates) - 1))
        every = max(1, math.ceil(len(dates) / MAX_FRONTS_DRAWN))
        shown = sorted(set(range(0, len(dates), every)) | {len(dates) - 1})
        for i in shown:
            for _a, _b, line in scene.fronts.get(dates[i], []):
                for part in line.geoms:
                    xy = np.asarray(part.coords)
                    (artist,) = self.ax.plot(
                        xy[:, 0],
                        xy[:, 1],
                        color=cmap(norm(i)),
                        linewidth=2.3,
                        zorder=4,
                        solid_capstyle="round",
                        path_effects=halo,
                    )
                    self._keep(artist)
        self._control_change_marks(dates)
        header = scene.header
        self._keep(
            self.fig.text(
                0.012,
                0.965,
                f"{header.scenario_title}: front lines",
                fontsize=14,
                fontweight="bold",
                color=style.TEXT,
                va="center",
            )
        )
        self._keep(
            self.fig.text(
                0.012,
                0.93,
                f"Simulated front at the end of {'each day' if every == 1 else f'every {every} days'}"
                f", {long_date(dates[0])} to "
                f"{long_date(last)} · {header.run_label()}",
                fontsize=9.5,
                color=style.TEXT_MUTED,
                va="center",
            )
        )
        cax = self.side.inset_axes((0.0, 0.55, 0.12, 0.42))
        bar = self.fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax)
        step = max(1, math.ceil(len(scene.dates) / 12))
        ticks = list(range(0, len(scene.dates), step))
        bar.set_ticks(ticks, labels=[short_date(scene.dates[i]) for i in ticks], fontsize=7.5)
        cax.set_title("Front on", fontsize=9, loc="left")
        changes = [e for e in scene.control_changes if e["date"] in dates]
        lines = ["★ Changes of hands (star: new holder's colour)"]
        for e in changes[:MAX_CHANGES_LISTED]:
            new = scene.sides[e["new"]].name if e["new"] in scene.sides else "nobody"
            lines.append(
                f"{short_date(e['date']):>7}  {scene.place_names.get(e['place'])}"
                f" → {_side_short(new)}"
            )
        if not changes:
            lines.append("   none")
        if len(changes) > MAX_CHANGES_LISTED:
            lines.append(f"   … and {len(changes) - MAX_CHANGES_LISTED} more (see control.csv)")
        self.side.text(
            0.0,
            0.5,
            "\n".join(lines),
            transform=self.side.transAxes,
            va="top",
            fontsize=7.5,
            color=style.TEXT,
            linespacing=1.35,
        )
        self.side.text(
            0.0,
            0.0,
            "Shading: territory on the last date.\nBorders and coast: modern, for orientation.",
            transform=self.side.transAxes,
            va="bottom",
            fontsize=6.5,
            color=style.TEXT_MUTED,
        )

    def _control_change_marks(self, dates: list[str]) -> None:
        scene = self.scene
        for e in scene.control_changes:
            if e["date"] not in dates or e["place"] not in scene.places:
                continue
            lon, lat = scene.places[e["place"]]
            side = scene.holder.get(e["new"], e["new"])
            colour = style.side_colour(scene.sides[side].colour) if side in scene.sides else "white"
            self._keep(
                self.ax.scatter(
                    [lon],
                    [lat],
                    s=90,
                    marker="*",
                    c=[colour],
                    edgecolors="black",
                    linewidths=0.6,
                    zorder=6,
                )
            )

    def save(self, out: Path) -> Path:
        return save_figure(self.fig, out)


def render_map(
    folder: str | Path | Scene,
    out: str | Path,
    date: str | None = None,
    history: bool = False,
    lines: str | None = None,
    size_by_men: bool = False,
) -> Path:
    """Draw the situation at the end of ``date`` (default: the last date) to ``out``.

    ``lines``: reference lines to draw (see :attr:`Scene.lines_spec`)."""
    out = check_output(out)
    scene = folder if isinstance(folder, Scene) else load_scene(folder, lines=lines)
    day = scene.check_date(date)
    if history:
        scene.history()  # fail early when the record is missing
    with matplotlib.rc_context(style.RC):
        canvas = MapCanvas(scene, history=history, size_by_men=size_by_men)
        canvas.draw_day(day)
        return canvas.save(out)


def render_fronts(
    folder: str | Path | Scene, out: str | Path, until: str | None = None, lines: str | None = None
) -> Path:
    """Draw every front line of the run (up to ``until``), coloured by date, to ``out``."""
    out = check_output(out)
    scene = folder if isinstance(folder, Scene) else load_scene(folder, lines=lines)
    last = scene.check_date(until)
    with matplotlib.rc_context(style.RC):
        canvas = MapCanvas(scene)
        canvas.draw_fronts_over_time(last)
        return canvas.save(out)
