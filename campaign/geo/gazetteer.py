"""Gazetteer of the theatre: named places with WGS84 positions and a coarse terrain class.

The data live in ``campaign/geo/data/gazetteer.yaml`` (hand-entered, with a source note per
place).  Positions are decimal degrees (latitude north, longitude east); distances are
kilometres.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

__all__ = [
    "COUNTRIES",
    "EARTH_RADIUS_KM",
    "KINDS",
    "TERRAINS",
    "Place",
    "great_circle_km",
    "load_gazetteer",
    "parse_gazetteer",
    "read_data_text",
]

#: Mean Earth radius (IUGG), kilometres.
EARTH_RADIUS_KM = 6371.0088

#: Allowed values of :attr:`Place.kind`.
KINDS = frozenset({"city", "town", "village", "station"})
#: Allowed values of :attr:`Place.terrain`.
TERRAINS = frozenset({"open", "forest", "lakes", "marsh", "town"})
#: Allowed values of :attr:`Place.country` (modern ISO 3166-1 alpha-2 codes).
COUNTRIES = frozenset({"LT", "LV", "BY", "PL", "RU"})

_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_GAZETTEER_FILE = "gazetteer.yaml"


@dataclass(frozen=True)
class Place:
    """A named place of the theatre.

    Attributes:
        id: unique lowercase ASCII slug, e.g. ``"kedainiai"``.
        name: display name (Lithuanian; Latvian for places in Latvia), e.g. ``"Kėdainiai"``.
        lat: latitude, decimal degrees north (WGS84).
        lon: longitude, decimal degrees east (WGS84).
        kind: ``city``, ``town``, ``village`` or ``station``.
        terrain: ``open``, ``forest``, ``lakes``, ``marsh`` or ``town``.
        country: modern country code (``LT``, ``LV``, ``BY``, ``PL``, ``RU``).
        other_names: historic or foreign names, e.g. ``("Vilkmergė", "Wiłkomierz")``.
        source: where the coordinates come from.
    """

    id: str
    name: str
    lat: float
    lon: float
    kind: str
    terrain: str
    country: str
    other_names: tuple[str, ...] = ()
    source: str = ""


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two points given in decimal degrees.

    Uses the haversine formula on a sphere of radius :data:`EARTH_RADIUS_KM` (6371.0088 km).
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def read_data_text(name: str) -> str:
    """Return the UTF-8 text of ``campaign/geo/data/<name>`` (works from an installed package)."""
    return (files("campaign.geo") / "data" / name).read_text(encoding="utf-8")


#: libyaml's safe loader where PyYAML was built with it (same data, ~10x faster parsing).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_data_yaml(name: str) -> Any:
    """Parse the packaged YAML file ``campaign/geo/data/<name>`` (safe loader, plain data)."""
    return yaml.load(read_data_text(name), Loader=SAFE_LOADER)


def _require(entry: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] is None:
        raise ValueError(f"{where}: missing required field {key!r}")
    return entry[key]


def _number(value: Any, field: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: {field} must be a number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{where}: {field} must be finite, got {value!r}")
    return result


def _parse_place(entry: Any, index: int, origin: str) -> Place:
    where = f"{origin}: places[{index}]"
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: expected a mapping, got {type(entry).__name__}")
    pid = _require(entry, "id", where)
    if not isinstance(pid, str) or not _SLUG.match(pid):
        raise ValueError(
            f"{where}: id {pid!r} is not a lowercase ASCII slug (pattern ^[a-z][a-z0-9_]*$)"
        )
    where = f"{origin}: place {pid!r}"
    name = _require(entry, "name", where)
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}: name must be a non-empty string")
    lat = _number(_require(entry, "lat", where), "lat", where)
    lon = _number(_require(entry, "lon", where), "lon", where)
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"{where}: lat {lat} is outside [-90, 90] degrees")
    if not -180.0 <= lon <= 180.0:
        raise ValueError(f"{where}: lon {lon} is outside [-180, 180] degrees")
    kind = _require(entry, "kind", where)
    if kind not in KINDS:
        raise ValueError(f"{where}: kind {kind!r} is not one of {sorted(KINDS)}")
    terrain = _require(entry, "terrain", where)
    if terrain not in TERRAINS:
        raise ValueError(f"{where}: terrain {terrain!r} is not one of {sorted(TERRAINS)}")
    country = _require(entry, "country", where)
    if country not in COUNTRIES:
        raise ValueError(f"{where}: country {country!r} is not one of {sorted(COUNTRIES)}")
    other = entry.get("other_names") or []
    if not isinstance(other, list) or not all(isinstance(o, str) and o for o in other):
        raise ValueError(f"{where}: other_names must be a list of non-empty strings")
    source = entry.get("source") or ""
    if not isinstance(source, str):
        raise ValueError(f"{where}: source must be a string")
    return Place(
        id=pid,
        name=name,
        lat=lat,
        lon=lon,
        kind=kind,
        terrain=terrain,
        country=country,
        other_names=tuple(other),
        source=source,
    )


def parse_gazetteer(doc: Any, origin: str = _GAZETTEER_FILE) -> dict[str, Place]:
    """Validate a parsed gazetteer document and return its places keyed by id (file order).

    ``doc`` must be a mapping with a ``places`` list.  Raises :class:`ValueError` naming
    ``origin`` and the offending place for a missing field, a non-slug or duplicate id,
    a latitude outside [-90, 90] or a longitude outside [-180, 180] degrees, or an
    unknown kind / terrain / country.
    """
    if not isinstance(doc, Mapping):
        raise ValueError(f"{origin}: expected a mapping at the top level")
    entries = doc.get("places")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{origin}: 'places' must be a non-empty list")
    places: dict[str, Place] = {}
    for index, entry in enumerate(entries):
        place = _parse_place(entry, index, origin)
        if place.id in places:
            raise ValueError(f"{origin}: duplicate place id {place.id!r}")
        places[place.id] = place
    return places


@lru_cache(maxsize=1)
def _cached_places() -> tuple[Place, ...]:
    doc = load_data_yaml(_GAZETTEER_FILE)
    return tuple(parse_gazetteer(doc).values())


def load_gazetteer() -> dict[str, Place]:
    """Return the packaged gazetteer as ``{place id: Place}`` in file order.

    The YAML is read and validated once (cached); each call returns a new dict, so callers
    may modify it freely.  Raises :class:`ValueError` if the data file is invalid.
    """
    return {place.id: place for place in _cached_places()}
