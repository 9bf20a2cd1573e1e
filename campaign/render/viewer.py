"""Interactive replay viewer: one self-contained HTML file (``campaign viewer DIR``).

The page needs no network and no server: the data of the run (base map, places, territory
and front line per day, unit strengths, the day's events, the historical record) is
embedded as JSON in ``viewer_template.html``, whose script draws an SVG map and the
controls (timeline slider, VCR buttons, speed, arrow keys and space, ``#1919-05-22``
fragment).  For an ensemble folder (``control_probability.csv``, no ``events.jsonl``) the
places are coloured by their most likely holder with opacity = probability.

Coordinates are lon/lat degrees rounded to :data:`COORD_DECIMALS`; the page projects them
equirectangularly with ``cos(mid latitude)`` scaling.  Geometry shared by several days is
stored once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path
from typing import Any

from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry

from campaign.bounded_read import read_bounded
from campaign.errors import OutputError, ReplayError

__all__ = ["COORD_DECIMALS", "SIMPLIFY_DEG", "build_viewer_data", "write_viewer"]

#: Decimals kept of every longitude and latitude in the page (4 decimals ~ 10 m).
COORD_DECIMALS = 4
#: Douglas-Peucker tolerance, degrees, applied to base map, territory and front geometry.
SIMPLIFY_DEG = 0.003
#: Margin, degrees of latitude, around the places shown (longitude margin is scaled).
MARGIN_DEG = 0.25
#: Smallest and largest width / height of the map (km on the ground).
MIN_ASPECT, MAX_ASPECT = 1.0, 1.5
#: Default side colours when a folder does not name them (ensembles without runs.jsonl).
_PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]
_DATA_TOKEN = "/*__CAMPAIGN_VIEWER_DATA__*/null"
#: Characters escaped in the embedded JSON (see viewer_html).
_SCRIPT_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


# ----------------------------------------------------------------------------- geometry
class _Pool:
    """Geometries stored once, referred to by index (unchanged days share an entry)."""

    def __init__(self) -> None:
        self.items: list[list[list[float]]] = []
        self._index: dict[str, int] = {}

    def add(self, rings: list[list[float]]) -> int | None:
        if not rings:
            return None
        key = json.dumps(rings)
        if key not in self._index:
            self._index[key] = len(self.items)
            self.items.append(rings)
        return self._index[key]


def _flat(coords: Iterable[Any]) -> list[float]:
    out: list[float] = []
    for x, y, *_ in coords:
        out += [round(float(x), COORD_DECIMALS), round(float(y), COORD_DECIMALS)]
    return out


def _rings(geom: BaseGeometry, extent: BaseGeometry) -> list[list[float]]:
    """Flat [lon, lat, ...] rings (polygons) or parts (lines) of ``geom`` inside ``extent``."""
    geom = geom.intersection(extent).simplify(SIMPLIFY_DEG, preserve_topology=True)
    out = []
    for part in getattr(geom, "geoms", [geom]):
        if part.is_empty:
            continue
        if part.geom_type == "Polygon":
            for ring in (part.exterior, *part.interiors):
                if len(ring.coords) >= 4:
                    out.append(_flat(ring.coords))
        elif part.geom_type in ("LineString", "LinearRing") and len(part.coords) >= 2:
            out.append(_flat(part.coords))
        elif part.geom_type.startswith("Multi") or part.geom_type == "GeometryCollection":
            out += _rings(part, extent)
    return out


def _extent(points: Iterable[tuple[float, float]]) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) around ``points`` with :data:`MARGIN_DEG`."""
    lons, lats = zip(*points, strict=True)
    kx = 1.0 / max(0.2, math.cos(math.radians((min(lats) + max(lats)) / 2)))
    lon0, lon1 = min(lons) - MARGIN_DEG * kx, max(lons) + MARGIN_DEG * kx
    lat0, lat1 = min(lats) - MARGIN_DEG, max(lats) + MARGIN_DEG
    # Widen or heighten to an aspect (width / height, km) between 1 and 1.5: the page's
    # map area is about that shape, so the map fills it.
    width, height = (lon1 - lon0) / kx, lat1 - lat0
    if width < MIN_ASPECT * height:
        pad = (MIN_ASPECT * height - width) * kx / 2
        lon0, lon1 = lon0 - pad, lon1 + pad
    elif width > MAX_ASPECT * height:
        pad = (width / MAX_ASPECT - height) / 2
        lat0, lat1 = lat0 - pad, lat1 + pad
    return (lon0, lat0, lon1, lat1)


def _basemap(bounds: tuple[float, float, float, float]) -> dict[str, Any]:
    """Land outline, rivers and lakes clipped to ``bounds`` (empty when not shipped)."""
    from campaign.geo.basemap import load_lakes, load_outline, load_rivers

    extent = box(*bounds).buffer(0.05, join_style="mitre")
    layers: dict[str, Any] = {}
    for key, loader in (("land", load_outline), ("rivers", load_rivers), ("lakes", load_lakes)):
        try:
            features = loader()["features"]
        except (OSError, ValueError, KeyError):
            features = []
        items = []
        for feature in features:
            rings = _rings(shape(feature["geometry"]), extent)
            if rings:
                items.append({"name": str(feature["properties"].get("name", "")), "g": rings})
        layers[key] = items
    return layers


# ----------------------------------------------------------------------------- one run
def _find_history(replay: Any) -> Path | None:
    from campaign.replay.sources import history_file_for

    return history_file_for(replay)[0]


def _men(value: float) -> str:
    return f"{round(value):,}"


def _losses(losses: dict[str, dict[str, float]], side_names: dict[str, str]) -> str:
    parts = []
    for side, row in losses.items():
        total = sum(float(row.get(k, 0.0)) for k in ("killed", "wounded", "captured"))
        parts.append(
            f"{side_names.get(side, side)} {_men(total)} "
            f"({_men(row.get('killed', 0))} k, {_men(row.get('wounded', 0))} w, "
            f"{_men(row.get('captured', 0))} c)"
        )
    return "; ".join(parts)


def _event_lines(
    events: list[dict[str, Any]],
    names: dict[str, str],
    units: dict[str, str],
    sides: dict[str, str],
) -> dict[str, list[list[str]]]:
    """Date -> [[kind, text]] for the day's notable events, in log order."""
    out: dict[str, list[list[str]]] = {}

    def place(pid: str | None) -> str:
        return names.get(pid or "", pid or "?")

    for e in events:
        kind, text = e["type"], None
        if kind == "engagement_end":
            text = (
                f"Engagement at {place(e['place'])}: {e['winner']} won ({e['result']}); "
                f"losses {_losses(e.get('losses', {}), sides)}"
            )
        elif kind == "control_change":
            text = (
                f"{place(e['place'])}: {sides.get(e['old'], e['old'])} → "
                f"{sides.get(e['new'], e['new'])} ({e['cause']})"
            )
        elif kind == "retreat":
            text = (
                f"{units.get(e['unit'], e['unit'])} retreats {place(e['origin'])} → "
                f"{place(e['destination'])} ({e['reason']})"
            )
        elif kind == "surrender":
            text = (
                f"{units.get(e['unit'], e['unit'])} surrenders at {place(e['place'])}, "
                f"{_men(e['men'])} men ({e['reason']})"
            )
        elif kind == "arrival" and e.get("t", 0) > 0:
            text = f"{units.get(e['unit'], e['unit'])} arrives at {place(e['place'])}"
        elif kind == "departure":
            text = f"{units.get(e['unit'], e['unit'])} leaves the theatre at {place(e['place'])}"
        if text:
            out.setdefault(e["date"], []).append([kind, text])
    return out


def _recorded_differences(
    replay: Any, control: dict[str, dict[str, str]], holder: dict[str, str], place_ids: list[str]
) -> tuple[str, dict[str, list[list[Any]]]]:
    """History file name and date -> [[place index, recorded side, checkpoint date, event]]."""
    path = _find_history(replay)
    if path is None:
        return "", {}
    from campaign.scenario.history import load_history

    checkpoints = sorted(load_history(path).checkpoints, key=lambda cp: cp.date)
    index = {p: i for i, p in enumerate(place_ids)}
    out: dict[str, list[list[Any]]] = {}
    for day, row in control.items():
        latest = {cp.place: cp for cp in checkpoints if cp.date.isoformat() <= day}
        rings = []
        for pid, cp in sorted(latest.items()):
            if pid not in index:
                continue
            recorded = holder.get(cp.side, cp.side)
            simulated = holder.get(row.get(pid, "none"), row.get(pid, "none"))
            if recorded != simulated:
                rings.append([index[pid], cp.side, cp.date.isoformat(), cp.event])
        out[day] = rings
    return path.name, out


def _involved_places(events: list[dict[str, Any]], lonlat: dict[str, Any]) -> list[str]:
    """Places named by control changes, engagements, moves and unit locations (else all)."""
    names: set[str] = set()
    for e in events:
        if e["type"] in ("control_change", "engagement_start", "retreat", "arrival"):
            names.update(str(e.get(k)) for k in ("place", "origin", "destination") if e.get(k))
        elif e["type"] == "day":
            for _men, location in e["units"].values():
                names.update(str(location).split(">"))
    return sorted(n for n in names if n in lonlat) or list(lonlat)


def _run_data(folder: Path) -> dict[str, Any]:
    from campaign.analysis.frontline import front_lines, hostility
    from campaign.analysis.territory import (
        location_lonlat,
        place_lonlat,
        territories,
        territory_side,
    )
    from campaign.replay.reader import order_of_battle, read_replay
    from campaign.replay.tables import control_by_day

    replay = read_replay(folder)
    header = replay.header
    if not header.places:
        raise ReplayError(f"{folder}/events.jsonl: the header lists no places")
    initial = next((e for e in replay.events if e["type"] == "initial"), None)
    if initial is None:
        raise ReplayError(f"{folder}/events.jsonl: no 'initial' event")
    lonlat = place_lonlat(header)
    bounds = _extent(lonlat[p] for p in _involved_places(replay.events, lonlat))
    extent = box(*bounds).buffer(0.05, join_style="mitre")
    control = control_by_day(header, replay.events)
    terr = territories(replay)
    fronts = front_lines(terr, hostility(header))
    holder = territory_side(header)

    place_ids = [p.id for p in header.places]
    side_ids = [s.id for s in header.sides]
    unit_rows = [
        [u["id"], u.get("name", u["id"]), u["side"]] for u in order_of_battle(replay.events)
    ]
    unit_index = {row[0]: i for i, row in enumerate(unit_rows)}
    side_names = {s.id: s.name for s in header.sides}
    events = _event_lines(
        replay.events,
        {p.id: p.name for p in header.places},
        {row[0]: row[1] for row in unit_rows},
        side_names,
    )
    history_file, differences = _recorded_differences(replay, control, holder, place_ids)
    day_units = {e["date"]: e["units"] for e in replay.events if e["type"] == "day"}

    pool = _Pool()
    days = []
    for day, row in control.items():
        units = []
        for uid, (men, location) in sorted(
            day_units.get(day, {}).items(), key=lambda kv: -float(kv[1][0])
        ):
            pos = location_lonlat(str(location), lonlat) if location else None
            if uid not in unit_index or pos is None or float(men) < 0.5:
                continue
            units.append(
                [
                    unit_index[uid],
                    round(float(men)),
                    round(pos[0], COORD_DECIMALS),
                    round(pos[1], COORD_DECIMALS),
                    str(location),
                ]
            )
        front_rings = [r for _a, _b, line in fronts.get(day, []) for r in _rings(line, extent)]
        days.append(
            {
                "date": day,
                "control": [row.get(p, "none") for p in place_ids],
                "territory": {
                    side: pool.add(_rings(geom, extent)) for side, geom in terr.get(day, {}).items()
                },
                "front": pool.add(front_rings),
                "units": units,
                "events": events.get(day, []),
                "record": differences.get(day, []),
            }
        )
    return {
        "mode": "run",
        "title": header.scenario_title,
        "subtitle": (
            f"{header.scenario_id} · {header.run_label()} · {header.combat_model} combat"
            + (f" · overrides: {', '.join(header.overrides)}" if header.overrides else "")
        ),
        "bounds": [round(b, COORD_DECIMALS) for b in bounds],
        "sides": [
            {"id": s.id, "name": s.name, "colour": s.colour, "territory": holder[s.id]}
            for s in header.sides
        ],
        "sideOrder": side_ids,
        "places": [
            [p.id, p.name, round(p.lon, COORD_DECIMALS), round(p.lat, COORD_DECIMALS)]
            for p in header.places
        ],
        "units": unit_rows,
        "geoms": pool.items,
        "days": days,
        "historyFile": history_file,
        "basemap": _basemap(bounds),
    }


# ----------------------------------------------------------------------------- ensembles
def _ensemble_sides(folder: Path) -> tuple[str, list[dict[str, Any]]]:
    """Title and sides from the first line of ``runs.jsonl``, when there is one."""
    from campaign.analysis.ensemble_log import read_runs_header

    try:
        head = read_runs_header(folder / "runs.jsonl")
        sides = [
            {
                "id": str(s["id"]),
                "name": str(s.get("name", s["id"])),
                "colour": _colour(s.get("colour"), folder / "runs.jsonl"),
            }
            for s in head.get("sides", [])
        ]
        return str(head.get("scenario_title", "")), sides
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", []
    except ReplayError:
        if (folder / "runs.jsonl").exists():
            raise
        return "", []


def _colour(value: Any, source: Path) -> str:
    """A side colour as ``#rrggbb``; anything else (``url(...)``, names) is refused."""
    if value is None or value == "":
        return "#777777"
    if not isinstance(value, str) or not _HEX_COLOUR.fullmatch(value):
        raise ReplayError(f"{source}: side colour {str(value)[:40]!r} is not of the form #rrggbb")
    return value


def _ensemble_data(folder: Path) -> dict[str, Any]:
    from campaign.analysis.ensemble_files import MAX_TABLE_BYTES
    from campaign.geo.gazetteer import load_gazetteer
    from campaign.replay.manifest import check_file

    title, sides = _ensemble_sides(folder)
    path = folder / "control_probability.csv"
    try:
        raw = read_bounded(path, MAX_TABLE_BYTES, ReplayError)
        check_file(folder, path.name, raw)
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ReplayError(f"{path}: not UTF-8 text") from None
    try:
        with io.StringIO(text, newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames != ["date", "town", "side", "probability"]:
                raise ReplayError(
                    f"{path}:1: expected the header date,town,side,probability, "
                    f"got {','.join(reader.fieldnames or [])}"
                )
            table: dict[str, dict[str, dict[str, float]]] = {}
            for number, row in enumerate(reader, start=2):
                try:
                    day = dt.date.fromisoformat(row["date"]).isoformat()
                    p = float(row["probability"])
                except (TypeError, ValueError):
                    raise ReplayError(
                        f"{path}:{number}: expected an ISO date and a probability in 0-1"
                    ) from None
                if not 0.0 <= p <= 1.0:
                    raise ReplayError(f"{path}:{number}: probability {p} outside 0-1")
                table.setdefault(day, {}).setdefault(row["town"], {})[row["side"]] = p
    except OSError as exc:
        raise ReplayError(f"{path}: cannot read ({exc.strerror})") from None
    if not table:
        raise ReplayError(f"{path}: no rows")
    gazetteer = load_gazetteer()
    towns = sorted({t for rows in table.values() for t in rows if t in gazetteer})
    if not towns:
        raise ReplayError(f"{path}: none of its towns is a place of the gazetteer")
    known = {s["id"] for s in sides}
    extra = sorted({s for rows in table.values() for r in rows.values() for s in r} - known)
    for i, side in enumerate(s for s in extra if s != "none"):
        sides.append({"id": side, "name": side, "colour": _PALETTE[i % len(_PALETTE)]})
    bounds = _extent((gazetteer[t].lon, gazetteer[t].lat) for t in towns)
    days = []
    for day in sorted(table):
        probs = []
        for town in towns:
            row = table[day].get(town, {})
            probs.append(
                sorted(([s, round(p, 3)] for s, p in row.items() if p > 0), key=lambda r: -r[1])
            )
        days.append({"date": day, "probability": probs})
    return {
        "mode": "ensemble",
        "title": title or folder.name,
        "subtitle": f"ensemble · {folder.name} · places coloured by most likely holder",
        "bounds": [round(b, COORD_DECIMALS) for b in bounds],
        "sides": [{**s, "territory": s["id"]} for s in sides],
        "sideOrder": [s["id"] for s in sides],
        "places": [
            [
                t,
                gazetteer[t].name,
                round(gazetteer[t].lon, COORD_DECIMALS),
                round(gazetteer[t].lat, COORD_DECIMALS),
            ]
            for t in towns
        ],
        "units": [],
        "geoms": [],
        "days": days,
        "historyFile": "",
        "basemap": _basemap(bounds),
    }


# ----------------------------------------------------------------------------- public API
def build_viewer_data(folder: str | Path) -> dict[str, Any]:
    """The JSON-able content of the page for a replay or ensemble folder (ReplayError)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReplayError(f"{folder}: not a replay folder (no such directory)")
    if (folder / "events.jsonl").exists():
        return _run_data(folder)
    if (folder / "control_probability.csv").exists():
        return _ensemble_data(folder)
    raise ReplayError(
        f"{folder}: neither a replay folder (events.jsonl) "
        "nor an ensemble folder (control_probability.csv)"
    )


def viewer_html(data: dict[str, Any]) -> str:
    """The page: the template with ``data`` embedded as inert script text.

    Every ``<`` in the JSON becomes ``\\u003c`` (and ``>``, ``&`` likewise), so no text
    in a unit or place name (``</script>``, ``<!--``, ``<script``) can end the script
    element or switch the HTML parser into another state; JavaScript reads the same
    strings back (the escapes are only ever inside JSON strings). U+2028 and U+2029 are escaped for older JavaScript parsers.
    """
    template = files("campaign.render").joinpath("viewer_template.html").read_text("utf-8")
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in _SCRIPT_ESCAPES:
        payload = payload.replace(raw, escaped)
    return template.replace(_DATA_TOKEN, payload)


def write_viewer(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the viewer of ``folder`` to ``out`` (default ``folder/replay.html``) atomically."""
    from campaign.replay.atomic import atomic_write_text

    folder = Path(folder)
    out = Path(out) if out else folder / "replay.html"
    if out.is_dir():
        raise OutputError(f"{out}: is a directory; expected a file name such as replay.html")
    html = viewer_html(build_viewer_data(folder))
    try:
        atomic_write_text(out, html)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write ({exc.strerror or exc})") from None
    return out
