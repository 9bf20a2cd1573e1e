"""Reference lines: dated, sourced lines drawn over maps (demarcation lines, borders).

The lines live in ``campaign/geo/data/reference_lines.yaml`` (see its header for the
format).  Each line has an id, a name, the date it came into force, optionally the last
day it was in force, its points (gazetteer places or WGS84 positions), a source and a
note saying how much of it the source gives.  A scenario's own ``lines:`` (the
demarcation lines the engine enforces) become reference lines too, via
:func:`from_scenario_line`, so maps draw both the same way.

Errors name the file, line and field (:class:`campaign.errors.ScenarioError`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from campaign.errors import Problem, ScenarioError

__all__ = [
    "BASES",
    "ReferenceLine",
    "from_scenario_line",
    "load_reference_lines",
    "parse_reference_lines",
    "select_lines",
]

#: Allowed values of :attr:`ReferenceLine.basis` (how much of the line the source gives).
BASES = frozenset({"places", "description", "side_places", "scenario"})
_DATA_FILE = "reference_lines.yaml"
_LINE_KEYS = {"id", "name", "date", "until", "basis", "points", "source", "note"}
_POINT_KEYS = {"place", "lon", "lat", "note"}


@dataclass(frozen=True)
class ReferenceLine:
    """A dated line to draw over a map.

    Attributes:
        id: unique slug, e.g. ``"foch_line_1919"``.
        name: display name.
        date: first day in force.
        until: last day in force, or None when the source gives no end.
        points: (lon, lat) vertices in order, WGS84 decimal degrees.
        places: the gazetteer place id of each vertex, or None for a bare position.
        basis: ``places``, ``description``, ``side_places`` or ``scenario``.
        source: citation.
        note: what the source gives and what is ours.
        scenario: True for a line of the scenario (enforced by the engine).
    """

    id: str
    name: str
    date: dt.date
    until: dt.date | None
    points: tuple[tuple[float, float], ...]
    places: tuple[str | None, ...]
    basis: str
    source: str
    note: str = ""
    scenario: bool = False

    def in_force(self, date: str | dt.date) -> bool:
        """Whether the line is in force on ``date`` (ISO string or date)."""
        day = dt.date.fromisoformat(date) if isinstance(date, str) else date
        return self.date <= day and (self.until is None or day <= self.until)

    def overlaps(self, start: str, end: str) -> bool:
        """Whether the line is in force on any day from ``start`` to ``end`` (ISO)."""
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        return self.date <= last and (self.until is None or self.until >= first)

    @property
    def period(self) -> str:
        """``from 18 Jan 1919`` or ``18 Jan 1919 – 15 Jul 1919``."""
        since = f"{self.date.day} {self.date.strftime('%b %Y')}"
        if self.until is None:
            return f"from {since}"
        return f"{since} – {self.until.day} {self.until.strftime('%b %Y')}"


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def parse_reference_lines(
    text: str, file: str, gazetteer: Mapping[str, tuple[float, float]] | None = None
) -> dict[str, ReferenceLine]:
    """Parse the reference-lines YAML; ``gazetteer`` maps place id -> (lon, lat).

    Raises :class:`ScenarioError` listing every problem with its line and field.
    """
    from campaign.scenario.yamlfile import parse_yaml  # the located YAML reader

    if gazetteer is None:
        from campaign.geo.gazetteer import load_gazetteer

        gazetteer = {p.id: (p.lon, p.lat) for p in load_gazetteer().values()}
    doc = parse_yaml(text, file)
    problems: list[Problem] = []

    def fail(path: tuple, message: str) -> None:
        field = ".".join(str(x) for x in path)
        problems.append(Problem(file, doc.line_of(path), field, message))

    items = doc.data.get("lines") if isinstance(doc.data, dict) else None
    if not isinstance(items, list):
        raise ScenarioError(Problem(file, doc.line_of(()), "lines", "expected a list 'lines:'"))
    out: dict[str, ReferenceLine] = {}
    for i, item in enumerate(items):
        at = ("lines", i)
        if not isinstance(item, dict):
            fail(at, "expected a mapping with id, name, date, points, source")
            continue
        for key in sorted(set(item) - _LINE_KEYS):
            fail((*at, key), f"unknown field (allowed: {', '.join(sorted(_LINE_KEYS))})")
        for key in ("id", "name", "date", "points", "source", "basis"):
            if key not in item:
                fail(at, f"missing field '{key}'")
        if any(k not in item for k in ("id", "name", "date", "points", "source", "basis")):
            continue
        lid = str(item["id"])
        if lid in out:
            fail((*at, "id"), f"duplicate line id '{lid}'")
        if item["basis"] not in BASES:
            fail((*at, "basis"), f"'{item['basis']}' is not one of {', '.join(sorted(BASES))}")
        try:
            start = _date(item["date"])
            until = None if item.get("until") is None else _date(item["until"])
        except ValueError as exc:
            fail((*at, "date"), f"not an ISO date ({exc})")
            continue
        if until is not None and until < start:
            fail((*at, "until"), f"{until} is before date {start}")
        points, places = [], []
        raw = item["points"]
        if not isinstance(raw, list) or len(raw) < 2:
            fail((*at, "points"), "expected a list of at least two points")
            continue
        for j, point in enumerate(raw):
            pat = (*at, "points", j)
            if not isinstance(point, dict):
                fail(pat, "expected {place: id} or {lon: .., lat: .., note: ..}")
                continue
            for key in sorted(set(point) - _POINT_KEYS):
                fail((*pat, key), f"unknown field (allowed: {', '.join(sorted(_POINT_KEYS))})")
            if "place" in point:
                pid = str(point["place"])
                if pid not in gazetteer:
                    fail((*pat, "place"), f"'{pid}' is not a gazetteer place")
                    continue
                points.append(tuple(gazetteer[pid]))
                places.append(pid)
            elif "lon" in point and "lat" in point:
                lon, lat = point["lon"], point["lat"]
                if not (isinstance(lon, int | float) and isinstance(lat, int | float)):
                    fail(pat, "lon and lat must be numbers (decimal degrees)")
                    continue
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    fail(pat, f"({lon}, {lat}) is not a WGS84 position")
                    continue
                if not point.get("note"):
                    fail(pat, "a position outside the gazetteer needs a 'note' (its source)")
                points.append((float(lon), float(lat)))
                places.append(None)
            else:
                fail(pat, "expected 'place' or both 'lon' and 'lat'")
        out[lid] = ReferenceLine(
            id=lid,
            name=str(item["name"]),
            date=start,
            until=until,
            points=tuple(points),
            places=tuple(places),
            basis=str(item["basis"]),
            source=str(item["source"]),
            note=str(item.get("note", "")),
        )
    if problems:
        raise ScenarioError(problems)
    return out


@lru_cache(maxsize=1)
def _packaged() -> dict[str, ReferenceLine]:
    from campaign.geo.gazetteer import read_data_text

    return parse_reference_lines(read_data_text(_DATA_FILE), f"campaign/geo/data/{_DATA_FILE}")


def load_reference_lines(path: str | Path | None = None) -> dict[str, ReferenceLine]:
    """The packaged reference lines (or those of ``path``), ``{id: ReferenceLine}``."""
    if path is None:
        return dict(_packaged())
    from campaign.scenario.yamlfile import read_text_checked

    return parse_reference_lines(read_text_checked(Path(path)), str(path))


def from_scenario_line(
    line: Any, places: Mapping[str, tuple[float, float]], start: str
) -> ReferenceLine | None:
    """A scenario's :class:`~campaign.scenario.schema.DemarcationLine` as a reference line
    (None when a place is not on the map); ``start`` (ISO) is its default first day."""
    reference = getattr(line, "reference", None)
    if reference is not None:
        packaged = _packaged().get(reference)
        if packaged is None:
            return None
        points, vertices = packaged.points, packaged.places
    elif any(p not in places for p in line.places):
        return None
    else:
        points = tuple(tuple(places[p]) for p in line.places)
        vertices = tuple(line.places)
    closed = ", ".join(line.closed_to)
    return ReferenceLine(
        id=line.id,
        name=line.name,
        date=line.date or dt.date.fromisoformat(start),
        until=line.until,
        points=points,
        places=vertices,
        basis="scenario",
        source=" ".join(x for x in (line.source.ref, line.source.section) if x),
        note=(f"Scenario line, closed to {closed}. " + (line.note or "")).strip(),
        scenario=True,
    )


def select_lines(
    available: Mapping[str, ReferenceLine], spec: str | None, start: str, end: str
) -> tuple[list[ReferenceLine], bool]:
    """The lines to draw and whether they are drawn on every date.

    ``spec`` None: the lines in force at some time from ``start`` to ``end`` (ISO), each
    drawn on its own dates.  ``"none"``: none.  ``"all"`` or ``"ID,ID"``: those lines,
    drawn on every date (an explicit choice shows a line outside its period too).
    Raises :class:`ScenarioError` for an unknown id.
    """
    if spec is None:
        return [ln for ln in available.values() if ln.overlaps(start, end)], False
    spec = spec.strip()
    if spec == "none":
        return [], False
    if spec == "all":
        return list(available.values()), True
    wanted = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [w for w in wanted if w not in available]
    if unknown:
        raise ScenarioError(
            Problem(
                "--lines",
                0,
                "",
                f"unknown line id(s) {', '.join(unknown)}; known: "
                f"{', '.join(available)} (or 'all', 'none')",
            )
        )
    return [available[w] for w in wanted], True


def line_ids(lines: Iterable[ReferenceLine]) -> list[str]:
    return [ln.id for ln in lines]
