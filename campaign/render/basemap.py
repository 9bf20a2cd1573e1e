"""The base map under every picture: land, country names, lakes, rivers with names.

Layers come from :mod:`campaign.geo.basemap` (modern borders, for orientation).  A run on
custom places without the gazetteer still gets them when they overlap its extent.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry

from campaign.render import style
from campaign.render.labels import HALO, LabelPlacer

__all__ = ["MAJOR_RIVERS", "draw_basemap", "geometry_patch"]

#: Rivers drawn a little wider.
MAJOR_RIVERS = frozenset({"Nemunas", "Neris", "Daugava"})


def _ring_codes(n: int) -> list[int]:
    return [MplPath.MOVETO] + [MplPath.LINETO] * (n - 2) + [MplPath.CLOSEPOLY]


def geometry_patch(geom: BaseGeometry, **kwargs) -> PathPatch | None:
    """One matplotlib patch for a (Multi)Polygon, holes included; None when empty."""
    verts: list[np.ndarray] = []
    codes: list[int] = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            if len(xy) < 4:
                continue
            verts.append(xy)
            codes += _ring_codes(len(xy))
    if not verts:
        return None
    return PathPatch(MplPath(np.vstack(verts), codes), **kwargs)


def _layers():
    try:
        from campaign.geo.basemap import load_lakes, load_outline, load_rivers

        return load_outline(), load_rivers(), load_lakes()
    except Exception:  # noqa: BLE001 - a map without base layers beats no map
        empty = {"type": "FeatureCollection", "features": []}
        return empty, empty, empty


def draw_basemap(ax: Axes, placer: LabelPlacer, home_country: str | None = None) -> None:
    """Land, neighbouring country names, lakes and rivers inside the axes' limits.

    River names are placed first (through ``placer``) so later labels avoid them;
    ``home_country`` (the country of most involved places) is not labelled.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view = box(x0, y0, x1, y1)
    ax.set_facecolor(style.SEA)
    outline, rivers, lakes = _layers()
    for feature in outline["features"]:
        geom = shape(feature["geometry"])
        if not geom.intersects(view):
            continue
        patch = geometry_patch(
            geom, facecolor=style.LAND, edgecolor=style.LAND_EDGE, linewidth=0.7, zorder=1
        )
        if patch is not None:
            ax.add_patch(patch)
        name = str(feature["properties"].get("name", ""))
        for part in getattr(geom, "geoms", [geom]):
            _country_label(
                ax, part.intersection(view), _period_name(name, part), home_country, view, placer
            )
    for feature in lakes["features"]:
        geom = shape(feature["geometry"])
        if geom.intersects(view):
            patch = geometry_patch(
                geom, facecolor=style.LAKE, edgecolor=style.RIVER, linewidth=0.3, zorder=1.5
            )
            if patch is not None:
                ax.add_patch(patch)
    for feature in rivers["features"]:
        geom = shape(feature["geometry"])
        name = str(feature["properties"].get("name", ""))
        if not geom.intersects(view):
            continue
        width = 1.5 if name in MAJOR_RIVERS else 1.0
        for part in getattr(geom, "geoms", [geom]):
            xy = np.asarray(part.coords)
            ax.plot(
                xy[:, 0],
                xy[:, 1],
                color=style.RIVER,
                linewidth=width,
                zorder=1.6,
                solid_capstyle="round",
            )
        _river_label(ax, placer, geom.intersection(view.buffer(-0.04 * (x1 - x0))), name)


def _period_name(name: str, part: BaseGeometry) -> str:
    """Country label for 1919 readers: the Kaliningrad exclave was German East Prussia."""
    if name == "Russia" and part.centroid.x < 23.0:
        return "East Prussia (Germany)"
    return name


def _country_label(
    ax: Axes,
    inside: BaseGeometry,
    name: str,
    home: str | None,
    view: BaseGeometry,
    placer: LabelPlacer | None = None,
) -> None:
    if not name or name == home or inside.is_empty or inside.area < 0.04 * view.area:
        return
    core = inside.buffer(-0.06 * math.sqrt(view.area))
    anchor = (core if not core.is_empty else inside).representative_point()
    text = ax.text(
        anchor.x,
        anchor.y,
        name.upper().replace(" (", "\n("),
        color=style.COUNTRY_LABEL,
        fontsize=12,
        linespacing=1.1,
        ha="center",
        va="center",
        alpha=0.8,
        zorder=1.1,
        fontweight="light",
    )
    renderer = ax.figure.canvas.get_renderer()
    box, frame = text.get_window_extent(renderer), ax.get_window_extent(renderer)
    shift_x = max(0.0, frame.x0 + 4 - box.x0) - max(0.0, box.x1 - frame.x1 + 4)
    shift_y = max(0.0, frame.y0 + 4 - box.y0) - max(0.0, box.y1 - frame.y1 + 4)
    px, py = ax.transData.transform((anchor.x, anchor.y))
    px, py = px + shift_x, py + shift_y  # keep the name inside the map
    if placer is None:
        text.set_position(ax.transData.inverted().transform((px, py)))
        return
    # off the labels placed already (river names): step up and down by half its height
    step = box.height / 2
    for k in (0, 1, -1, 2, -2, 3, -3, 4, -4):
        text.set_position(ax.transData.inverted().transform((px, py + k * step)))
        moved = text.get_window_extent(renderer)
        if placer.is_free(moved):
            placer.taken.append(moved)
            return
    text.remove()


def _river_label(ax: Axes, placer: LabelPlacer, inside: BaseGeometry, name: str) -> None:
    parts = [
        g
        for g in getattr(inside, "geoms", [inside])
        if g.geom_type == "LineString" and not g.is_empty
    ]
    if not name or not parts:
        return
    line = max(parts, key=lambda g: g.length)
    for fraction in (0.5, 0.35, 0.65, 0.2, 0.8):
        a = line.interpolate(max(0.0, fraction - 0.04), normalized=True)
        b = line.interpolate(min(1.0, fraction + 0.04), normalized=True)
        mid = line.interpolate(fraction, normalized=True)
        (ax_, ay), (bx, by) = ax.transData.transform([(a.x, a.y), (b.x, b.y)])
        angle = math.degrees(math.atan2(by - ay, bx - ax_))
        if angle > 90:
            angle -= 180
        elif angle < -90:
            angle += 180
        text = ax.text(
            mid.x,
            mid.y,
            name,
            color=style.RIVER_LABEL,
            fontsize=8,
            fontstyle="italic",
            rotation=angle,
            rotation_mode="anchor",
            ha="center",
            va="bottom",
            zorder=7,
            path_effects=HALO,
        )
        bbox = text.get_window_extent(placer.renderer)
        if placer.is_free(bbox):
            placer.taken.append(bbox)
            return
        text.remove()
