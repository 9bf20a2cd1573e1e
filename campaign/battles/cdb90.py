"""Read the CAA Database of Battles (CDB90): 660 land battles, 1600-1973.

The vendored copy lives in ``campaign/battles/data/cdb90/`` (see ``ATTRIBUTION.md``
there). :func:`load_cdb90` returns one :class:`Battle` per row of
``CDB90-patched.csv``, joined with ``battle_durations.csv`` on ``isqno``.

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
* **Years**: ``YR1`` is ``9999`` for most battles; the year is taken from the start
  date in ``battle_durations.csv`` (or its end date when the start is missing, as for
  Aprilia II and San Martino, 1944, which also have no duration: 1 day is assumed).
* **Codes packed in strings**: ``TERRA1`` is three letters (relief R/G/F, cover
  B/M/D/W, special U urban / M marsh / D dunes / 0 none); ``WX1`` is five (moisture
  D/W, precipitation S/L/H/O, temperature T/H/C, season S/F/W/$ for spring, climate
  T/D/E). ``0`` in any place means not recorded.
* **Posture** ``POST1``: HD hasty, PD prepared, FD fortified defence, DL delaying
  action, WD withdrawal; ``OO`` (two rows: Ardennes, Cambrai) means
  none recorded and is read as hasty defence.
* **Duration**: ``duration1`` is the span in calendar days from the first to the last
  recorded hour (at least 1); ``duration2`` sums the active periods (fractions of a day).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data" / "cdb90"
BATTLES_CSV = DATA_DIR / "CDB90-patched.csv"
DURATIONS_CSV = DATA_DIR / "battle_durations.csv"

#: CDB90 ``WINA`` code -> winner.
WINNERS = {"1": "attacker", "-1": "defender", "0": "draw"}
#: Defender postures of ``POST1`` the loader accepts (others read as ``HD``).
POSTURES = ("HD", "PD", "FD", "DL", "WD")
SEASONS = {"S": "summer", "F": "autumn", "W": "winter", "$": "spring"}


@dataclass(frozen=True)
class Battle:
    """One CDB90 battle, attacker and defender as the database defines them.

    Men, casualties, tanks, guns and cavalry are counts (``nan`` when unknown);
    ``front_km`` is the attacker's initial front width in km (``nan`` when unknown);
    ``duration_days`` is the calendar span in days (>= 1) and ``active_days`` the
    summed hours of combat in days.
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


def _durations(path: Path) -> dict[int, tuple[int, float, float]]:
    """isqno -> (year, calendar days, active days) from ``battle_durations.csv``."""
    out: dict[int, tuple[int, float, float]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            stamp = row["datetime_min"] or row["datetime_max"]
            days = float(row["duration1"]) if row["duration1"] else 1.0
            active = float(row["duration2"]) if row["duration2"] else days
            out[int(row["isqno"])] = (int(stamp[:4]), days, active)
    return out


def _battle(row: dict[str, str], durations: dict[int, tuple[int, float, float]]) -> Battle:
    isqno = int(row["ISQNO"])
    year, days, active = durations[isqno]
    posture = row["POST1"] if row["POST1"] in POSTURES else "HD"
    air = int(row["AEROA"])
    front = float(row["WOFA1"])
    return Battle(
        isqno=isqno, name=row["NAME"].title(), war=row["WAR"].title(), year=year,
        attacker_men=_count(row["STRA"]), defender_men=_count(row["STRD"]),
        attacker_casualties=_count(row["CASA"]), defender_casualties=_count(row["CASD"]),
        attacker_tanks=_count(row["TANKA"]), defender_tanks=_count(row["TANKD"]),
        attacker_guns=_count(row["ARTYA"]), defender_guns=_count(row["ARTYD"]),
        attacker_cavalry=_count(row["CAVA"]), defender_cavalry=_count(row["CAVD"]),
        posture=posture, surprise=int(row["SURPA"]),
        air_superiority=0 if air not in (-1, 0, 1) else air,
        relief=_code(row["TERRA1"], 0), cover=_code(row["TERRA1"], 1),
        special_terrain=_code(row["TERRA1"], 2),
        moisture=_code(row["WX1"], 0), precipitation=_code(row["WX1"], 1),
        temperature=_code(row["WX1"], 2), season=SEASONS.get(_code(row["WX1"], 3), ""),
        front_km=front if front > 0 else math.nan,
        duration_days=max(1.0, days), active_days=max(active, 1 / 24),
        winner=WINNERS.get(row["WINA"].strip()),
    )


@lru_cache(maxsize=2)
def _load(battles_csv: Path, durations_csv: Path) -> tuple[Battle, ...]:
    durations = _durations(durations_csv)
    with battles_csv.open(encoding="utf-8", newline="") as handle:
        return tuple(_battle(row, durations) for row in csv.DictReader(handle))


def load_cdb90(battles_csv: Path = BATTLES_CSV, durations_csv: Path = DURATIONS_CSV,
               ) -> list[Battle]:
    """All 660 CDB90 battles in ``isqno`` order (cached; the list is a fresh copy)."""
    return list(_load(Path(battles_csv), Path(durations_csv)))
