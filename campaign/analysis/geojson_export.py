"""Export territories and front lines of a run as GeoJSON (RFC 7946).

``campaign export DIR`` writes two files into the replay folder:

* ``territory.geojson`` - one Feature per date and side holding ground that day:
  ``(Multi)Polygon``, properties ``date`` (ISO), ``side`` (id), ``name``, ``colour``.
* ``frontlines.geojson`` - one Feature per date and pair of hostile sides whose
  territories touch that day: ``MultiLineString``, properties ``date``, ``sides``
  ``[side_a, side_b]``, ``length_km``.  Several hostile pairs on one date give several
  Features with the same ``date``; a date without a front has no Feature.

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
from campaign.analysis.territory import territories
from campaign.errors import OutputError
from campaign.replay.atomic import atomic_write_text
from campaign.replay.reader import Replay, read_replay

__all__ = ["COORD_DECIMALS", "export_geojson", "frontline_collection", "territory_collection"]

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
    return {"type": "FeatureCollection", "features": features}


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
    return {"type": "FeatureCollection", "features": features}


def export_geojson(folder: str | Path) -> list[Path]:
    """Write ``territory.geojson`` and ``frontlines.geojson`` into a replay folder."""
    folder = Path(folder)
    replay = read_replay(folder)
    terr = territories(replay)
    written = []
    for name, collection in (
        ("territory.geojson", territory_collection(replay, terr)),
        ("frontlines.geojson", frontline_collection(replay, terr)),
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
