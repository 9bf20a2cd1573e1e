"""Seasons: how snow, thaw and rain slow a march, and when rivers are frozen.

The default calendar is the Baltic one (Lithuanian climate normals: snow cover from
about early December to mid-March, the thaw and its mud until late April, autumn
rains from mid-October). A scenario may replace stretches of it (``season.calendar``)
and the factors (``season.march``).
"""

from __future__ import annotations

import datetime as dt

from campaign.scenario.schema import Scenario

#: Baltic default calendar as (season, first month-day, last month-day).
BALTIC_CALENDAR = (
    ("winter", (12, 1), (12, 31)),
    ("winter", (1, 1), (3, 15)),
    ("thaw", (3, 16), (4, 25)),
    ("summer", (4, 26), (10, 15)),
    ("autumn", (10, 16), (11, 30)),
)
#: March-rate factors by season and road class (None: no road). Engineering
#: estimates after US FM 21-18 *Foot Marches* (1990: snow and mud cut march rates,
#: cross-country most) and the mobility weather factors of Dupuy's QJM (1979: snow
#: and mud reduce movement by a fifth to a half): packed snow on a main road costs
#: little, deep snow and mud on tracks cost about half.
MARCH_FACTOR = {
    "winter": {"main": 0.85, "secondary": 0.75, "track": 0.65, None: 0.5},
    "thaw": {"main": 0.8, "secondary": 0.6, "track": 0.5, None: 0.4},
    "summer": {"main": 1.0, "secondary": 1.0, "track": 1.0, None: 1.0},
    "autumn": {"main": 0.95, "secondary": 0.85, "track": 0.75, None: 0.6},
}
#: Seasons in which rivers are frozen: no river-line bonus for a defender and no
#: crossing delay (the Nemunas and Neris freeze over in most winters).
FROZEN = frozenset({"winter"})


def default_season(day: dt.date) -> str:
    md = (day.month, day.day)
    for name, first, last in BALTIC_CALENDAR:
        if first <= md <= last:
            return name
    return "summer"  # pragma: no cover - the calendar covers the year


def season_by_day(scenario: Scenario) -> list[str]:
    """The season of every day of the scenario, day 0 first."""
    days = (scenario.end - scenario.start).days + 1
    out = []
    for i in range(days):
        day = scenario.start + dt.timedelta(days=i)
        name = default_season(day)
        for spell in scenario.season.calendar:
            if spell.start <= day <= spell.end:
                name = spell.season.value
        out.append(name)
    return out


def march_factors(scenario: Scenario) -> dict[str, dict[str | None, float]]:
    """The factor table with the scenario's overrides applied."""
    table = {season: dict(roads) for season, roads in MARCH_FACTOR.items()}
    for key, value in scenario.season.march.items():
        season, _, road = key.partition(".")
        table[season][None if road == "none" else road] = value
    return table
