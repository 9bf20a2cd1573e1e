"""What a picture of a run needs, read once from the replay folder (no drawing here).

A :class:`Scene` holds the replay header, the daily control table, unit names and daily
positions, territories and front lines (computed on first use), the map extent of the
places actually involved, and, on request, the historical record of the scenario.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from campaign.analysis.frontline import Front, front_lines, hostility
from campaign.analysis.reference_lines import run_lines
from campaign.analysis.territory import (
    location_lonlat,
    place_lonlat,
    territories,
    territory_side,
    theatre_clip,
)
from campaign.errors import ReplayError
from campaign.geo.reference_lines import ReferenceLine, select_lines
from campaign.replay.reader import Replay, order_of_battle, read_replay
from campaign.replay.tables import control_by_day

__all__ = ["EXTENT_MARGIN_DEG", "Scene", "UnitInfo", "load_scene", "short_unit_name"]

#: Longest unit label, characters (longer names are cut at a word and end in "…").
MAX_UNIT_LABEL_CHARS = 30
#: Margin, degrees of latitude, around the involved places (longitude margin is scaled).
EXTENT_MARGIN_DEG = 0.22
#: Smallest map height, degrees of latitude (a single-place run still shows its country).
MIN_EXTENT_DEG = 0.8

_ABBREVIATIONS = [
    (r"\bRegiment\b", "Rgt"),
    (r"\bregiment\b", "rgt"),
    (r"\bBattalion\b", "Bn"),
    (r"\bbattalion\b", "bn"),
    (r"\bInfantry\b", "Inf."),
    (r"\bCavalry\b", "Cav."),
    (r"\bArtillery\b", "Art."),
    (r"\bDivision\b", "Div."),
    (r"\bBrigade\b", "Bde"),
    (r"\bCompany\b", "Coy"),
    (r"\bcompany\b", "coy"),
    (r"\bDetachment\b", "Det."),
    (r"\bdetachment\b", "det."),
    (r"\bvolunteers\b", "vol."),
    (r"\bVolunteers?\b", "Vol."),
    (r"\bvolunteer\b", "vol."),
    (r"\breinforcements?\b", "reinf."),
    (r"\bgarrison\b", "garr."),
    (r"\bGarrison\b", "Garr."),
    (r"\bLithuanian\b", "Lith."),
    (r"\bSquadron\b", "Sqn"),
]


def short_unit_name(name: str) -> str:
    """A map label for a unit: no parenthetical, common military abbreviations.

    >>> short_unit_name("2nd Rifle Regiment (Pskov Division)")
    '2nd Rifle Rgt'
    >>> short_unit_name("Saxon volunteer detachment, Kėdainiai")
    'Saxon vol. det. Kėdainiai'
    >>> short_unit_name("Polish group on the Vilnius–Daugavpils railway")
    'Polish group on the…'
    """
    text = re.sub(r"\s*\([^)]*\)", "", name)
    for pattern, repl in _ABBREVIATIONS:
        text = re.sub(pattern, repl, text)
    text = re.sub(r"\s+", " ", text.replace(",", "")).strip()
    if len(text) > MAX_UNIT_LABEL_CHARS:  # cut at a word, keep the map readable
        text = text[: MAX_UNIT_LABEL_CHARS - 1].rsplit(" ", 1)[0].rstrip(" -–") + "…"
    return text


@dataclass(frozen=True)
class UnitInfo:
    id: str
    name: str
    short: str
    side: str
    kind: str = "regiment"


@dataclass
class Scene:
    replay: Replay
    control: dict[str, dict[str, str]]
    units: dict[str, UnitInfo]
    day_units: dict[str, dict[str, tuple[float, str]]]
    history_file: Path | None = None
    _history: Any = field(default=None, repr=False)
    #: Reference lines to draw: None (those of the run's period, each on its own dates),
    #: "none", "all" or "ID,ID" (drawn on every date); see :func:`select_lines`.
    lines_spec: str | None = None

    # ------------------------------------------------------------------ basics
    @property
    def header(self):
        return self.replay.header

    @property
    def dates(self) -> list[str]:
        return list(self.control)

    @cached_property
    def places(self) -> dict[str, tuple[float, float]]:
        return place_lonlat(self.header)

    @cached_property
    def place_names(self) -> dict[str, str]:
        return {p.id: p.name for p in self.header.places}

    @cached_property
    def sides(self) -> dict[str, Any]:
        return {s.id: s for s in self.header.sides}

    @cached_property
    def holder(self) -> dict[str, str]:
        """Side -> side whose territory it adds to."""
        return territory_side(self.header)

    @cached_property
    def clip_bounds(self) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat) of the area territories are drawn in."""
        return tuple(theatre_clip(self.header).bounds)

    @cached_property
    def territories(self):
        return territories(self.replay)

    @cached_property
    def fronts(self) -> dict[str, list[Front]]:
        return front_lines(self.territories, hostility(self.header))

    def check_date(self, date: str | None, option: str = "--date") -> str:
        """``date`` if it is a date of the run (default: the last); else ReplayError."""
        if date is None:
            return self.dates[-1]
        try:
            iso = dt.date.fromisoformat(date).isoformat()
        except ValueError:
            raise ReplayError(
                f"{option} {date}: not an ISO date (expected e.g. {self.header.start})"
            ) from None
        if iso not in self.control:
            raise ReplayError(
                f"{option} {date}: not a date of this run "
                f"({self.header.start} to {self.header.end})"
            )
        return iso

    def day_number(self, date: str) -> int:
        return self.dates.index(date) + 1

    # ------------------------------------------------------------------ events by date
    @cached_property
    def engagements_by_date(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for e in self.replay.events:
            if e["type"] in ("engagement_start", "engagement_end"):
                out.setdefault(e["date"], []).append(e)
        return out

    @cached_property
    def control_changes(self) -> list[dict[str, Any]]:
        return [e for e in self.replay.events if e["type"] == "control_change"]

    def unit_positions(self, date: str) -> dict[str, tuple[float, float, float, str]]:
        """Unit -> (lon, lat, men, location) at the end of ``date`` (units present only)."""
        out = {}
        for unit, (men, location) in self.day_units.get(date, {}).items():
            if men < 0.5 or not location:
                continue
            pos = location_lonlat(location, self.places)
            if pos is not None:
                out[unit] = (pos[0], pos[1], men, location)
        return out

    # ------------------------------------------------------------------ extent
    @cached_property
    def involved_places(self) -> list[str]:
        """Places named by control changes, unit locations and engagements."""
        names: set[str] = set()
        for e in self.replay.events:
            if e["type"] in ("control_change", "engagement_start", "retreat", "arrival"):
                names.update(
                    x for x in (e.get("place"), e.get("origin"), e.get("destination")) if x
                )
        for units in self.day_units.values():
            for _men, location in units.values():
                names.update(x for x in str(location).split(">") if x)
        return sorted(n for n in names if n in self.places)

    @cached_property
    def extent(self) -> tuple[float, float, float, float]:
        """(lon_min, lon_max, lat_min, lat_max) of the involved places plus a margin."""
        ids = self.involved_places or list(self.places)
        lons = [self.places[i][0] for i in ids]
        lats = [self.places[i][1] for i in ids]
        lat_mid = (min(lats) + max(lats)) / 2
        kx = 1.0 / max(0.2, math.cos(math.radians(lat_mid)))
        m = EXTENT_MARGIN_DEG
        lon0, lon1 = min(lons) - m * kx, max(lons) + m * kx
        lat0, lat1 = min(lats) - m, max(lats) + m
        if lat1 - lat0 < MIN_EXTENT_DEG:
            pad = (MIN_EXTENT_DEG - (lat1 - lat0)) / 2
            lat0, lat1 = lat0 - pad, lat1 + pad
        if (lon1 - lon0) / kx < MIN_EXTENT_DEG:
            pad = (MIN_EXTENT_DEG * kx - (lon1 - lon0)) / 2
            lon0, lon1 = lon0 - pad, lon1 + pad
        return (lon0, lon1, lat0, lat1)

    # ------------------------------------------------------------------ reference lines
    @cached_property
    def available_lines(self) -> dict[str, ReferenceLine]:
        """Packaged reference lines and the scenario's own demarcation lines, by id."""
        return run_lines(self.replay, self.places)

    @cached_property
    def _selected_lines(self) -> tuple[list[ReferenceLine], bool]:
        return select_lines(
            self.available_lines, self.lines_spec, self.header.start, self.header.end
        )

    @property
    def reference_lines(self) -> list[ReferenceLine]:
        """Every reference line this picture may show (for the legend)."""
        return self._selected_lines[0]

    def lines_on(self, date: str) -> list[ReferenceLine]:
        """Reference lines drawn on ``date``."""
        lines, always = self._selected_lines
        return lines if always else [ln for ln in lines if ln.in_force(date)]

    # ------------------------------------------------------------------ history
    def recorded_control(self, date: str) -> dict[str, tuple[str, Any]]:
        """Place -> (recorded side, checkpoint) of the latest checkpoint on or before ``date``."""
        history = self.history()
        latest: dict[str, Any] = {}
        for cp in history.checkpoints:
            iso = cp.date.isoformat()
            if iso <= date and (cp.place not in latest or latest[cp.place].date <= cp.date):
                latest[cp.place] = cp
        return {p: (cp.side, cp) for p, cp in latest.items()}

    def history(self):
        """The scenario's historical record (``<scenario>.history.yaml``); ReplayError if none."""
        if self._history is None:
            from campaign.scenario.history import load_history

            self.history_file = _find_history(self.replay)
            self._history = load_history(self.history_file)
        return self._history


def _find_history(replay: Replay) -> Path:
    from campaign.replay.sources import history_file_for

    found, first = history_file_for(replay)
    if found is None:
        raise ReplayError(
            f"--history: no historical record for scenario '{replay.header.scenario_id[:64]}' "
            f"(looked for {first})"
        )
    return found


def load_scene(folder: str | Path, lines: str | None = None) -> Scene:
    """Read a replay folder (via :func:`campaign.replay.reader.read_replay`) into a Scene."""
    replay = read_replay(folder)
    control = control_by_day(replay.header, replay.events)
    initial = next((e for e in replay.events if e["type"] == "initial"), None)
    if initial is None:
        raise ReplayError(f"{replay.folder}/events.jsonl: no 'initial' event")
    units = {
        u["id"]: UnitInfo(
            u["id"],
            u.get("name", u["id"]),
            short_unit_name(u.get("name", u["id"])),
            u["side"],
            u.get("kind", "regiment"),
        )
        for u in order_of_battle(replay.events)
    }
    day_units = {}
    for e in replay.events:
        if e["type"] == "day":
            day_units[e["date"]] = {k: (float(v[0]), str(v[1])) for k, v in e["units"].items()}
    return Scene(replay=replay, control=control, units=units, day_units=day_units, lines_spec=lines)
