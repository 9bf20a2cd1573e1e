"""Export territories and front lines of a run as GeoJSON (RFC 7946).

``campaign export DIR`` writes two files into the replay folder:

* ``territory.geojson`` - one Feature per date and side holding ground that day:
  ``(Multi)Polygon``, properties ``date`` (ISO), ``side`` (id), ``name``, ``colour``.
* ``frontlines.geojson`` - one Feature per date and pair of hostile sides whose
  territories touch that day: ``MultiLineString``, properties ``date``, ``sides``
  ``[side_a, side_b]``, ``length_km``.  Several hostile pairs on one date give several
  Features with the same ``date``; a date without a front has no Feature.

Beside them, for GIS (QGIS, kepler.gl):

* ``units.geojson`` - one ``Point`` Feature per unit present at the end of each day:
  properties ``date``, ``unit`` (id), ``name``, ``side``, ``kind``, ``men``, ``location``
  (a place id, or ``a>b`` on the road: then the point is half way).
* ``places.geojson`` - one ``Point`` per place of the scenario: ``id``, ``name`` and
  ``held_first`` / ``held_last`` (side holding it on the first and last date).
* ``reference_lines.geojson`` - the reference lines of the run's period and the
  scenario's own lines (:mod:`campaign.geo.reference_lines`): ``LineString``, properties
  ``id``, ``name``, ``date``, ``until``, ``basis``, ``source``, ``note``.

CRS: every file is RFC 7946 GeoJSON, so WGS84 longitude/latitude (OGC CRS84); each also
names it in a ``crs`` member (``urn:ogc:def:crs:OGC:1.3:CRS84``), which older readers use.
Coordinates are WGS84 (longitude, latitude) rounded to 5 decimals (about 1 m); polygons
are snapped to that grid and made valid, exterior rings counter-clockwise, rings closed.
Files are written atomically.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from campaign.analysis.frontline import front_lines, hostility, line_length_km
from campaign.analysis.reference_lines import run_lines
from campaign.analysis.territory import location_lonlat, place_lonlat, territories
from campaign.errors import OutputError
from campaign.replay.atomic import atomic_write_text
from campaign.replay.reader import Replay, order_of_battle, read_replay
from campaign.replay.tables import control_by_day

__all__ = [
    "COORD_DECIMALS",
    "CRS84",
    "export_geojson",
    "frontline_collection",
    "places_collection",
    "reference_line_collection",
    "territory_collection",
    "units_collection",
]

#: The ``crs`` member written into every file (the RFC 7946 default, named).
CRS84 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}

#: Decimals kept in exported coordinates (1e-5 degree is about 1 m).
COORD_DECIMALS = 5
_GRID = 10.0**-COORD_DECIMALS


def _round_coords(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, COORD_DECIMALS)
    if isinstance(obj, list | tuple):
        return [_round_coords(x) for x in obj]
    return obj


def _clean(geom: BaseGeometry, polygonal: bool) -> BaseGeometry:
    """Snap to the 1e-5 degree grid, keep a valid geometry of the expected dimension."""
    geom = shapely.set_precision(geom, _GRID)
    geom = shapely.make_valid(geom)
    want = ("Polygon", "MultiPolygon") if polygonal else ("LineString", "MultiLineString")
    if geom.geom_type not in want:
        parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in want]
        geom = shapely.union_all(parts) if parts else shapely.Polygon()
    if polygonal and not geom.is_empty:
        geom = shapely.orient_polygons(geom, exterior_cw=False)
    return geom


def _geometry_json(geom: BaseGeometry, multi: bool = False) -> dict[str, Any]:
    """GeoJSON geometry with rounded coordinates; ``multi`` forces a Multi* type."""
    data = mapping(geom)
    kind, coords = data["type"], _round_coords(data["coordinates"])
    if multi and not kind.startswith("Multi"):
        kind, coords = "Multi" + kind, [coords]
    return {"type": kind, "coordinates": coords}


def territory_collection(
    replay: Replay, terr: dict[str, dict[str, BaseGeometry]] | None = None
) -> dict[str, Any]:
    """FeatureCollection of every side's territory on every date (see the module doc)."""
    terr = territories(replay) if terr is None else terr
    sides = {s.id: s for s in replay.header.sides}
    features = []
    for day, held in terr.items():
        for side, geom in held.items():
            geom = _clean(geom, polygonal=True)
            if geom.is_empty:
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": _geometry_json(geom),
                    "properties": {
                        "date": day,
                        "side": side,
                        "name": sides[side].name if side in sides else side,
                        "colour": sides[side].colour if side in sides else "#808080",
                    },
                }
            )
    return {"type": "FeatureCollection", "crs": CRS84, "features": features}


def frontline_collection(
    replay: Replay, terr: dict[str, dict[str, BaseGeometry]] | None = None
) -> dict[str, Any]:
    """FeatureCollection of the front lines, one Feature per date and hostile pair."""
    terr = territories(replay) if terr is None else terr
    features = []
    for day, fronts in front_lines(terr, hostility(replay.header)).items():
        for a, b, line in fronts:
            geom = _clean(line, polygonal=False)
            if geom.is_empty:
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": _geometry_json(geom, multi=True),
                    "properties": {
                        "date": day,
                        "sides": [a, b],
                        "length_km": round(line_length_km(geom), 1),
                    },
                }
            )
    return {"type": "FeatureCollection", "crs": CRS84, "features": features}


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {
        "type": "Point",
        "coordinates": [round(lon, COORD_DECIMALS), round(lat, COORD_DECIMALS)],
    }


def units_collection(replay: Replay) -> dict[str, Any]:
    """FeatureCollection of every unit present at the end of every day (see module doc)."""
    places = place_lonlat(replay.header)
    info = {u["id"]: u for u in order_of_battle(replay.events)}
    features = []
    for e in replay.events:
        if e["type"] != "day":
            continue
        for unit, (men, location) in sorted(e["units"].items()):
            if float(men) < 0.5 or not location:
                continue
            pos = location_lonlat(str(location), places)
            if pos is None:
                continue
            u = info.get(unit, {})
            features.append(
                {
                    "type": "Feature",
                    "geometry": _point(*pos),
                    "properties": {
                        "date": e["date"],
                        "unit": unit,
                        "name": u.get("name", unit),
                        "side": u.get("side", ""),
                        "kind": u.get("kind", ""),
                        "men": round(float(men)),
                        "location": str(location),
                    },
                }
            )
    return {"type": "FeatureCollection", "crs": CRS84, "features": features}


def places_collection(replay: Replay) -> dict[str, Any]:
    """FeatureCollection of the scenario's places with their first and last holders."""
    control = control_by_day(replay.header, replay.events)
    dates = list(control)
    first, last = (control[dates[0]], control[dates[-1]]) if dates else ({}, {})
    features = [
        {
            "type": "Feature",
            "geometry": _point(p.lon, p.lat),
            "properties": {
                "id": p.id,
                "name": p.name,
                "held_first": first.get(p.id, "none"),
                "held_last": last.get(p.id, "none"),
            },
        }
        for p in replay.header.places
    ]
    return {"type": "FeatureCollection", "crs": CRS84, "features": features}


def reference_line_collection(replay: Replay) -> dict[str, Any]:
    """FeatureCollection of the reference lines of the run's period and the scenario's."""
    header = replay.header
    lines = run_lines(replay, place_lonlat(header))
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": _round_coords(list(ln.points))},
            "properties": {
                "id": ln.id,
                "name": ln.name,
                "date": ln.date.isoformat(),
                "until": ln.until.isoformat() if ln.until else None,
                "basis": ln.basis,
                "source": ln.source,
                "note": ln.note,
            },
        }
        for ln in lines.values()
        if ln.scenario or ln.overlaps(header.start, header.end)
    ]
    return {"type": "FeatureCollection", "crs": CRS84, "features": features}


def export_geojson(folder: str | Path) -> list[Path]:
    """Write territory, frontlines, units, places and reference_lines ``.geojson`` files
    into a replay folder; returns their paths."""
    folder = Path(folder)
    replay = read_replay(folder)
    terr = territories(replay)
    written = []
    for name, collection in (
        ("territory.geojson", territory_collection(replay, terr)),
        ("frontlines.geojson", frontline_collection(replay, terr)),
        ("units.geojson", units_collection(replay)),
        ("places.geojson", places_collection(replay)),
        ("reference_lines.geojson", reference_line_collection(replay)),
    ):
        path = folder / name
        if path.is_dir():
            raise OutputError(f"{path}: is a folder; cannot write GeoJSON there")
        text = json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
        written.append(path)
    return written
