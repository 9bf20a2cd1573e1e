"""Theatre map of the 1919 Lithuanian-Soviet War: gazetteer, road/rail network and base map.

Positions are WGS84 decimal degrees; distances and lengths are kilometres.

>>> from campaign.geo import load_theatre
>>> theatre = load_theatre()
>>> round(theatre.distance_km("kaunas", "vilnius"))
91
"""

from __future__ import annotations

import importlib
from typing import Any

# The names are loaded on first use (PEP 562): the gazetteer alone needs only YAML, while
# the network and base map bring networkx and shapely, which ``campaign validate`` should
# not pay for.
_MODULE_OF = {
    "lake_geometries": "basemap",
    "load_lakes": "basemap",
    "load_outline": "basemap",
    "load_rivers": "basemap",
    "river_geometries": "basemap",
    "theatre_bounds": "basemap",
    "theatre_polygon": "basemap",
    "Place": "gazetteer",
    "great_circle_km": "gazetteer",
    "load_gazetteer": "gazetteer",
    "parse_gazetteer": "gazetteer",
    "Link": "network",
    "TheatreMap": "network",
    "build_theatre": "network",
    "load_theatre": "network",
    "parse_links": "network",
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'campaign.geo' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"campaign.geo.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
