"""Base-map layers of the theatre: country outlines, rivers and lakes.

All layers are GeoJSON FeatureCollections in WGS84 longitude/latitude degrees, shipped in
``campaign/geo/data/``:

* ``outline.geojson`` - Natural Earth 1:50m countries clipped to lon 20.5-28.5, lat 53.4-57.0
  (see ``data/ATTRIBUTION.md``);
* ``rivers.geojson`` - hand-traced main rivers (LineStrings, property ``name``);
* ``lakes.geojson`` - approximate main lakes (Polygons, property ``name``).
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from typing import Any

from shapely.geometry import LineString, MultiPolygon, Polygon, box, shape
from shapely.ops import unary_union

from campaign.geo.gazetteer import load_gazetteer, read_data_text

__all__ = [
    "BOUNDS_MARGIN_DEG",
    "OUTLINE_BOX",
    "lake_geometries",
    "load_lakes",
    "load_outline",
    "load_rivers",
    "river_geometries",
    "theatre_bounds",
    "theatre_polygon",
]

#: Margin in degrees added around the gazetteer places by :func:`theatre_bounds`.
BOUNDS_MARGIN_DEG = 0.3
#: Box (min_lon, min_lat, max_lon, max_lat), degrees, to which ``outline.geojson`` is clipped.
OUTLINE_BOX = (20.5, 53.4, 28.5, 57.0)


@cache
def _layer_text(name: str) -> str:
    return read_data_text(name)


def _load_layer(name: str) -> dict[str, Any]:
    doc = json.loads(_layer_text(name))
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ValueError(f"{name}: expected a GeoJSON FeatureCollection")
    return doc


def load_outline() -> dict[str, Any]:
    """Country outlines (GeoJSON FeatureCollection; property ``name``, e.g. ``"Lithuania"``).

    The file is read once (cached); each call returns a freshly parsed dict.
    """
    return _load_layer("outline.geojson")


def load_rivers() -> dict[str, Any]:
    """Main rivers (GeoJSON FeatureCollection of LineStrings; properties ``name``, ``source``).

    Features run upstream to downstream and are listed from the largest river to the smallest.
    The file is read once (cached); each call returns a freshly parsed dict.
    """
    return _load_layer("rivers.geojson")


def load_lakes() -> dict[str, Any]:
    """Main lakes (GeoJSON FeatureCollection of Polygons; properties ``name``, ``source``).

    The file is read once (cached); each call returns a freshly parsed dict.
    """
    return _load_layer("lakes.geojson")


@lru_cache(maxsize=1)
def river_geometries() -> tuple[tuple[str, LineString], ...]:
    """``(name, LineString)`` per river in lon/lat degrees, largest river first (cached)."""
    result = []
    for feature in load_rivers()["features"]:
        geom = shape(feature["geometry"])
        if not isinstance(geom, LineString):
            raise ValueError(
                f"rivers.geojson: {feature['properties'].get('name')} not a LineString"
            )
        result.append((str(feature["properties"]["name"]), geom))
    return tuple(result)


@lru_cache(maxsize=1)
def lake_geometries() -> tuple[tuple[str, Polygon], ...]:
    """``(name, Polygon)`` per lake in lon/lat degrees (cached)."""
    result = []
    for feature in load_lakes()["features"]:
        geom = shape(feature["geometry"])
        if not isinstance(geom, Polygon):
            raise ValueError(f"lakes.geojson: {feature['properties'].get('name')} not a Polygon")
        result.append((str(feature["properties"]["name"]), geom))
    return tuple(result)


def theatre_bounds() -> tuple[float, float, float, float]:
    """``(min_lon, min_lat, max_lon, max_lat)`` in degrees: the gazetteer places plus a
    :data:`BOUNDS_MARGIN_DEG` (0.3 degree) margin on every side."""
    places = load_gazetteer().values()
    lons = [p.lon for p in places]
    lats = [p.lat for p in places]
    m = BOUNDS_MARGIN_DEG
    return (min(lons) - m, min(lats) - m, max(lons) + m, max(lats) + m)


@lru_cache(maxsize=1)
def theatre_polygon() -> Polygon:
    """The land of the theatre: union of all country outlines clipped to :func:`theatre_bounds`.

    Coordinates are lon/lat degrees.  Sea (Baltic, Curonian Lagoon) is excluded.  Should the
    clipped land fall apart into several pieces, the largest one is returned (the mainland);
    the result is cached and, like every shapely geometry, immutable.
    """
    geoms = [shape(f["geometry"]) for f in load_outline()["features"]]
    land = unary_union(geoms).intersection(box(*theatre_bounds()))
    if isinstance(land, Polygon):
        return land
    if isinstance(land, MultiPolygon):
        return max(land.geoms, key=lambda g: g.area)
    parts = [g for g in getattr(land, "geoms", []) if isinstance(g, Polygon)]
    if not parts:
        raise ValueError("outline.geojson: no land inside the theatre bounds")
    return max(parts, key=lambda g: g.area)
