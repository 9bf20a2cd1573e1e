"""Theatre map of the 1919 Lithuanian-Soviet War: gazetteer, road/rail network and base map.

Positions are WGS84 decimal degrees; distances and lengths are kilometres.

>>> from campaign.geo import load_theatre
>>> theatre = load_theatre()
>>> round(theatre.distance_km("kaunas", "vilnius"))
91
"""

from __future__ import annotations

from campaign.geo.basemap import (
    lake_geometries,
    load_lakes,
    load_outline,
    load_rivers,
    river_geometries,
    theatre_bounds,
    theatre_polygon,
)
from campaign.geo.gazetteer import Place, great_circle_km, load_gazetteer, parse_gazetteer
from campaign.geo.network import Link, TheatreMap, build_theatre, load_theatre, parse_links

__all__ = [
    "Link",
    "Place",
    "TheatreMap",
    "build_theatre",
    "great_circle_km",
    "lake_geometries",
    "load_gazetteer",
    "load_lakes",
    "load_outline",
    "load_rivers",
    "load_theatre",
    "parse_gazetteer",
    "parse_links",
    "river_geometries",
    "theatre_bounds",
    "theatre_polygon",
]
