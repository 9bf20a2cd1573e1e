"""Synthetic theatres for benchmarking the engine at any size.

``synthetic_scenario(n_units, n_places)`` builds a :class:`Scenario` with no
gazetteer: ``n_places`` places on a rows x cols grid around 55N 24E with roads
between grid neighbours (10-20 km apart), ``blue`` holding the western half and
``red`` the eastern half, ``n_units`` units with random strengths (200-2000 men)
and qualities, and random attack / move / hold orders over the first days. All
randomness comes from one seeded :class:`numpy.random.Generator`, so a size and
seed always give the same scenario.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from campaign.scenario.schema import Scenario

CITE = {"ref": "synthetic"}
QUALITIES = ["veteran", "regular", "trained", "volunteer", "untrained", "partisan"]
KINDS = ["regiment", "battalion", "brigade", "cavalry", "artillery", "volunteers"]
LAT0, LON0 = 55.0, 24.0
KM_PER_DEG_LAT = 111.2


def _grid(n_places: int) -> tuple[int, int]:
    """Rows and columns (cols >= 2, even split between the two sides)."""
    cols = max(2, math.ceil(math.sqrt(n_places)))
    rows = max(1, math.ceil(n_places / cols))
    return rows, cols


def synthetic_dict(
    n_units: int, n_places: int | None = None, days: int = 30, seed: int = 0, order_days: int = 5
) -> dict[str, Any]:
    """The scenario as a plain dict (what a YAML file would hold)."""
    rng = np.random.default_rng(seed)
    if n_places is None:
        n_places = min(2500, max(4, n_units // 2))
    rows, cols = _grid(n_places)
    half = cols // 2
    km_per_deg_lon = KM_PER_DEG_LAT * math.cos(math.radians(LAT0))
    places, control, side_places = [], {}, {"blue": [], "red": []}
    ids = {}
    for r in range(rows):
        for c in range(cols):
            pid = f"p_{r}_{c}"
            ids[r, c] = pid
            # 15 km nominal spacing, jittered to 10-20 km between neighbours.
            y_km = r * 15.0 + rng.uniform(-2.5, 2.5)
            x_km = c * 15.0 + rng.uniform(-2.5, 2.5)
            terrain = str(rng.choice(["open", "open", "open", "forest", "marsh", "town"]))
            places.append(
                {
                    "id": pid,
                    "name": f"Place {r}-{c}",
                    "lat": round(LAT0 + y_km / KM_PER_DEG_LAT, 6),
                    "lon": round(LON0 + x_km / km_per_deg_lon, 6),
                    "terrain": terrain,
                }
            )
            side = "blue" if c < half else "red"
            control[pid] = side
            side_places[side].append((r, c))
    links = []
    for (r, c), pid in ids.items():
        for dr, dc in ((0, 1), (1, 0)):
            other = ids.get((r + dr, c + dc))
            if other is not None:
                road = str(rng.choice(["main", "secondary", "secondary", "track"]))
                links.append({"a": pid, "b": other, "road": road, "rail": False})

    def near_front(side: str, own: bool, depth: int = 3) -> str:
        """A random place within ``depth`` columns of the front line."""
        if (side == "blue") == own:  # blue's half (west)
            lo, hi = max(0, half - depth), half
        else:
            lo, hi = half, min(cols, half + depth)
        r = int(rng.integers(rows))
        c = int(rng.integers(lo, hi))
        return ids[r, c]

    units, orders = [], []
    for i in range(n_units):
        side = "blue" if i % 2 == 0 else "red"
        r, c = side_places[side][int(rng.integers(len(side_places[side])))]
        uid = f"u{i}"
        units.append(
            {
                "id": uid,
                "name": f"Unit {i}",
                "side": side,
                "kind": str(rng.choice(KINDS)),
                "strength_men": int(rng.integers(200, 2001)),
                "quality": str(rng.choice(QUALITIES)),
                "location": ids[r, c],
                "source": CITE,
            }
        )
        for _ in range(int(rng.integers(1, 3))):
            day = int(rng.integers(0, min(order_days, days)))
            action = str(rng.choice(["attack", "attack", "move", "hold"]))
            order: dict[str, Any] = {
                "unit": uid,
                "date": f"1919-01-{day + 1:02d}",
                "action": action,
                "source": CITE,
            }
            if action == "attack":
                order["target"] = near_front(side, own=False)
            elif action == "move":
                order["target"] = near_front(side, own=True)
            orders.append(order)
    return {
        "id": f"synthetic_{n_units}",
        "title": f"Synthetic theatre, {n_units} units on {len(places)} places",
        "start": "1919-01-01",
        "end": f"1919-01-{days:02d}" if days <= 31 else _end(days),
        "sources": [{"id": "synthetic", "file": "synthetic"}],
        "map": {"gazetteer": "none", "places": places, "links": links},
        "sides": [
            {"id": "blue", "name": "Blue", "colour": "#1f77b4"},
            {"id": "red", "name": "Red", "colour": "#d62728"},
        ],
        "control": control,
        "units": units,
        "orders": orders,
    }


def _end(days: int) -> str:
    import datetime as dt

    return (dt.date(1919, 1, 1) + dt.timedelta(days=days - 1)).isoformat()


def synthetic_scenario(
    n_units: int, n_places: int | None = None, days: int = 30, seed: int = 0
) -> Scenario:
    """A validated synthetic :class:`Scenario` (see :func:`synthetic_dict`)."""
    return Scenario.model_validate(synthetic_dict(n_units, n_places, days, seed))
