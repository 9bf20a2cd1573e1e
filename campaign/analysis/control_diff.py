"""Where and when two control tables disagree: two runs, or a run and the record.

Input tables are ``{iso_date: {place_id: side_id}}`` (as from
:func:`campaign.replay.tables.control_by_day`); the output is a flat list of
:class:`ControlDifference` periods, one per place and unbroken stretch of dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

__all__ = ["ControlDifference", "control_differences", "differing_places"]

NOBODY = "none"


class ControlDifference(NamedTuple):
    """Place ``place`` was held by ``side_a`` in one table and ``side_b`` in the other on
    every date from ``first`` to ``last`` (ISO dates, inclusive)."""

    place: str
    first: str
    last: str
    side_a: str
    side_b: str


def differing_places(
    a: Mapping[str, str], b: Mapping[str, str], places: list[str] | None = None
) -> dict[str, tuple[str, str]]:
    """Place -> (holder in ``a``, holder in ``b``) where one date's two tables differ
    (a place missing from a table is held by ``none``)."""
    keys = places if places is not None else sorted(set(a) | set(b))
    return {
        p: (a.get(p, NOBODY), b.get(p, NOBODY))
        for p in keys
        if a.get(p, NOBODY) != b.get(p, NOBODY)
    }


def control_differences(
    table_a: Mapping[str, Mapping[str, str]],
    table_b: Mapping[str, Mapping[str, str]],
    until: str | None = None,
) -> list[ControlDifference]:
    """Periods in which the two tables' holders of a place differ, on the dates both
    tables have (up to ``until``), ordered by first date then place."""
    dates = sorted(d for d in set(table_a) & set(table_b) if until is None or d <= until)
    open_: dict[str, ControlDifference] = {}
    out: list[ControlDifference] = []
    for date in dates:
        today = differing_places(table_a[date], table_b[date])
        for place, period in list(open_.items()):
            if today.get(place) != (period.side_a, period.side_b):
                out.append(period)
                del open_[place]
        for place, (sa, sb) in today.items():
            if place in open_:
                open_[place] = open_[place]._replace(last=date)
            else:
                open_[place] = ControlDifference(place, date, date, sa, sb)
    out.extend(open_.values())
    return sorted(out, key=lambda d: (d.first, d.place))
