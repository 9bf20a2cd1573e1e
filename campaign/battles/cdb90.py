"""Read the CAA Database of Battles (CDB90): 660 land battles, 1600-1973.

The vendored copy lives in ``campaign/battles/data/cdb90/`` (see ``ATTRIBUTION.md``
there). :func:`load_cdb90` returns one :class:`Battle` per row of
``CDB90-patched.csv``.

Quirks of the data, and what the loader does with them:

* **Strengths and losses are text columns** in the original (``STRA``, ``CASA``,
  ``STRD``, ``CASD`` are typed ``character`` in ``cols.json``). In the patched table
  every value is an integer written as text; the loader parses them as numbers.
* **-1 means "not known"** for strengths, casualties, tanks, guns and cavalry
  (e.g. Ardennes 1944 has no strengths; six battles have no attacker casualties).
  It becomes ``nan`` here, never a number.
* **-9 means "not known"** for the outcome ``WINA`` (two battles: Hiram, Jerusalem
  Corridor) and for the judgement columns; ``AEROA`` uses 9. Such outcomes become
  ``None``.
* **Dates**: ``YR1``/``MO1``/``DA1`` are ``9999``/``99`` for most battles. The dates
  that are always there are those of the *active periods* (``NOATP`` periods, columns
  ``ATPBYRi``..``ATPEHRi``: begin and end year, month, day, hour as ``hhmm``); hour
  ``9999`` (and the few codes above ``2400``, such as ``5000``) means the hour is not
  known. The year is that of the first period's start.
* **Durations: ``duration1`` of ``battle_durations.csv`` is wrong for long battles.**
  It is documented as the span from first to last recorded hour, but it is 2 for every
  battle whose hours are unknown, however long: Defense of Moscow (30 Sep - 3 Dec
  1941) and Melitopol (26 Sep - 5 Nov 1943) both get 2 days. The loader therefore
  works the durations out from the active periods itself: ``duration_days`` is the
  number of calendar days from the first period's first day to the last period's last
  day, inclusive; ``active_days`` sums the periods (their hours where both are known,
  whole calendar days otherwise). ``battle_durations.csv`` is kept for reference only.
* **Codes packed in strings**: ``TERRA1`` is three letters (relief R/G/F, cover
  B/M/D/W, special U urban / M marsh / D dunes / 0 none); ``WX1`` is five (moisture
  D/W, precipitation S/L/H/O, temperature T/H/C, season S/F/W/$ for spring, climate
  T/D/E). ``0`` in any place means not recorded.
* **Resolution** ``RESOA1``/``RESOD1``: how each side came out of the battle (AA
  annihilated, WL withdrew with heavy losses, WD withdrew, PS pursued, PP penetration,
  BB breakthrough, RR repulse, SS stalemate; ``00`` not recorded, read as ``""``).
  The loader reads a side as *routed* when it is AA or WL (122 defenders, 4 attackers).
* **Posture** ``POST1``: HD hasty, PD prepared, FD fortified defence, DL delaying
  action, WD withdrawal; ``OO`` (two rows: Ardennes, Cambrai) means
  none recorded and is read as hasty defence.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data" / "cdb90"
BATTLES_CSV = DATA_DIR / "CDB90-patched.csv"

#: CDB90 ``WINA`` code -> winner.
WINNERS = {"1": "attacker", "-1": "defender", "0": "draw"}
#: Defender postures of ``POST1`` the loader accepts (others read as ``HD``).
POSTURES = ("HD", "PD", "FD", "DL", "WD")
SEASONS = {"S": "summer", "F": "autumn", "W": "winter", "$": "spring"}
#: Resolutions (``RESOA1``/``RESOD1``) that count as a rout: annihilated, or withdrew
#: with heavy losses.
ROUTED = ("AA", "WL")


@dataclass(frozen=True)
class Battle:
    """One CDB90 battle, attacker and defender as the database defines them.

    Men, casualties, tanks, guns and cavalry are counts (``nan`` when unknown);
    ``front_km`` is the attacker's initial front width in km (``nan`` when unknown);
    ``duration_days`` is the number of calendar days the battle spans, first and last
    included (>= 1), and ``active_days`` the summed periods of combat in days.
    """

    isqno: int
    name: str
    war: str
    year: int
    attacker_men: float
    defender_men: float
    attacker_casualties: float
    defender_casualties: float
    attacker_tanks: float
    defender_tanks: float
    attacker_guns: float
    defender_guns: float
    attacker_cavalry: float
    defender_cavalry: float
    posture: str
    surprise: int
    air_superiority: int
    relief: str
    cover: str
    special_terrain: str
    moisture: str
    precipitation: str
    temperature: str
    season: str
    front_km: float
    duration_days: float
    active_days: float
    winner: str | None
    attacker_resolution: str = ""
    defender_resolution: str = ""

    def routed(self, side: str) -> bool:
        """True when ``side`` was annihilated or withdrew with heavy losses."""
        return getattr(self, f"{side}_resolution") in ROUTED

    @property
    def era(self) -> str:
        """``"pre-1900"``, ``"1900-1945"`` or ``"post-1945"``."""
        if self.year < 1900:
            return "pre-1900"
        return "1900-1945" if self.year <= 1945 else "post-1945"

    def casualty_fraction(self, side: str) -> float:
        """Recorded casualties of ``side`` ("attacker"/"defender") over its initial men."""
        if side == "attacker":
            return self.attacker_casualties / self.attacker_men
        return self.defender_casualties / self.defender_men


def _count(text: str) -> float:
    """A count stored as text; -1 (or anything negative, or blank) is unknown."""
    text = (text or "").strip()
    if not text:
        return math.nan
    value = float(text)
    return math.nan if value < 0 else value


def _code(text: str, i: int) -> str:
    text = text or ""
    return text[i] if len(text) > i and text[i] not in "0 " else ""


def _resolution(text: str) -> str:
    text = (text or "").strip()
    return "" if text in ("", "00") else text


def _hour(code: int) -> dt.timedelta | None:
    """``hhmm`` as a time of day; None when unknown (9999, or any impossible code)."""
    if not 0 <= code <= 2400 or code % 100 >= 60:
        return None
    return dt.timedelta(hours=code // 100, minutes=code % 100)


def _periods(row: dict[str, str]) -> list[tuple[dt.date, dt.date, float]]:
    """The active periods of a battle: (first day, last day, length in days)."""
    periods = []
    for i in range(1, int(row["NOATP"]) + 1):

        def get(part: str, i: int = i) -> int:
            return int(row[f"ATP{part}{i}"])

        begin = dt.date(get("BYR"), get("BMN"), get("BDA"))
        end = dt.date(get("EYR"), get("EMN"), get("EDA"))
        start_hour, end_hour = _hour(get("BHR")), _hour(get("EHR"))
        if start_hour is not None and end_hour is not None:
            hours = (end - begin) + (end_hour - start_hour)
            length = max(hours.total_seconds() / 86400.0, 1 / 24)
        else:
            length = float((end - begin).days + 1)
        periods.append((begin, end, length))
    return periods


def _battle(row: dict[str, str]) -> Battle:
    isqno = int(row["ISQNO"])
    periods = _periods(row)
    first = min(begin for begin, _, _ in periods)
    last = max(end for _, end, _ in periods)
    posture = row["POST1"] if row["POST1"] in POSTURES else "HD"
    air = int(row["AEROA"])
    front = float(row["WOFA1"])
    return Battle(
        isqno=isqno,
        name=row["NAME"].title(),
        war=row["WAR"].title(),
        year=first.year,
        attacker_men=_count(row["STRA"]),
        defender_men=_count(row["STRD"]),
        attacker_casualties=_count(row["CASA"]),
        defender_casualties=_count(row["CASD"]),
        attacker_tanks=_count(row["TANKA"]),
        defender_tanks=_count(row["TANKD"]),
        attacker_guns=_count(row["ARTYA"]),
        defender_guns=_count(row["ARTYD"]),
        attacker_cavalry=_count(row["CAVA"]),
        defender_cavalry=_count(row["CAVD"]),
        posture=posture,
        surprise=int(row["SURPA"]),
        air_superiority=0 if air not in (-1, 0, 1) else air,
        relief=_code(row["TERRA1"], 0),
        cover=_code(row["TERRA1"], 1),
        special_terrain=_code(row["TERRA1"], 2),
        moisture=_code(row["WX1"], 0),
        precipitation=_code(row["WX1"], 1),
        temperature=_code(row["WX1"], 2),
        season=SEASONS.get(_code(row["WX1"], 3), ""),
        front_km=front if front > 0 else math.nan,
        duration_days=float((last - first).days + 1),
        active_days=sum(length for _, _, length in periods),
        winner=WINNERS.get(row["WINA"].strip()),
        attacker_resolution=_resolution(row["RESOA1"]),
        defender_resolution=_resolution(row["RESOD1"]),
    )


@lru_cache(maxsize=2)
def _load(battles_csv: Path) -> tuple[Battle, ...]:
    with battles_csv.open(encoding="utf-8", newline="") as handle:
        return tuple(_battle(row) for row in csv.DictReader(handle))


def load_cdb90(battles_csv: Path = BATTLES_CSV) -> list[Battle]:
    """All 660 CDB90 battles in ``isqno`` order (cached; the list is a fresh copy)."""
    return list(_load(Path(battles_csv)))
