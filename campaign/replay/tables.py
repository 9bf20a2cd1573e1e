"""Tables derived from a replay's events: daily control, daily strengths, summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from campaign.replay.header import ReplayHeader


def dates_of(header: ReplayHeader) -> list[str]:
    start, end = dt.date.fromisoformat(header.start), dt.date.fromisoformat(header.end)
    return [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def control_by_day(
    header: ReplayHeader, events: Iterable[dict[str, Any]]
) -> dict[str, dict[str, str]]:
    """date -> {place -> controlling side or 'none'} at the end of each day."""
    events = list(events)
    initial = next(e for e in events if e["type"] == "initial")
    control = dict(initial["control"])
    changes: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        if e["type"] == "control_change":
            changes.setdefault(e["date"], []).append(e)
    table: dict[str, dict[str, str]] = {}
    for day in dates_of(header):
        for change in changes.get(day, ()):
            control[change["place"]] = change["new"]
        table[day] = dict(control)
    return table


def control_rows(
    header: ReplayHeader, events: Iterable[dict[str, Any]]
) -> list[tuple[str, str, str]]:
    """Rows of control.csv: (date, town, side), every place every day, places sorted by id."""
    rows = []
    for day, control in control_by_day(header, events).items():
        for place in sorted(control):
            rows.append((day, place, control[place]))
    return rows


def strength_rows(events: Iterable[dict[str, Any]], sides: dict[str, str]) -> list[tuple]:
    """Rows of strength.csv: (date, unit, side, strength_men, location)."""
    rows = []
    for e in events:
        if e["type"] == "day":
            for unit, (men, place) in e["units"].items():
                rows.append((e["date"], unit, sides[unit], int(round(men)), place))
    return rows
