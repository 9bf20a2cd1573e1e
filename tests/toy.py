"""Small synthetic scenarios for tests (no gazetteer needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campaign.scenario.schema import Scenario

CITE = {"ref": "toy"}


def toy_dict(**changes: Any) -> dict[str, Any]:
    """A four-place line A-B-C-D: red holds C and D, blue attacks from A."""
    data: dict[str, Any] = {
        "id": "toy",
        "title": "Toy line",
        "start": "1919-01-01",
        "end": "1919-01-10",
        "sources": [{"id": "toy", "file": "synthetic"}],
        "map": {
            "gazetteer": "none",
            "places": [
                {"id": "a", "name": "Alpha", "lat": 55.0, "lon": 24.0},
                {"id": "b", "name": "Bravo", "lat": 55.0, "lon": 24.3},
                {"id": "c", "name": "Charlie", "lat": 55.0, "lon": 24.6},
                {"id": "d", "name": "Delta", "lat": 55.0, "lon": 24.9},
            ],
            "links": [
                {"a": "a", "b": "b", "road": "main"},
                {"a": "b", "b": "c", "road": "main"},
                {"a": "c", "b": "d", "road": "main"},
            ],
        },
        "sides": [
            {"id": "blue", "name": "Blue", "colour": "#1f77b4"},
            {"id": "red", "name": "Red", "colour": "#d62728"},
        ],
        "control": {"a": "blue", "b": "blue", "c": "red", "d": "red"},
        "units": [
            {
                "id": "blue_1",
                "name": "Blue 1st",
                "side": "blue",
                "kind": "regiment",
                "strength_men": 1000,
                "quality": "regular",
                "location": "a",
                "source": CITE,
            },
            {
                "id": "red_1",
                "name": "Red 1st",
                "side": "red",
                "kind": "regiment",
                "strength_men": 400,
                "quality": "trained",
                "location": "c",
                "source": CITE,
            },
        ],
        "orders": [
            {
                "unit": "blue_1",
                "date": "1919-01-02",
                "action": "attack",
                "target": "c",
                "source": CITE,
            },
        ],
        "objectives": [
            {"side": "blue", "place": "c", "kind": "take", "by": "1919-01-10"},
        ],
    }
    data.update(changes)
    return data


def toy_unit(uid: str, side: str, men: int, place: str) -> dict[str, Any]:
    """A regular regiment of ``men`` men of ``side`` at ``place``."""
    return {
        "id": uid,
        "name": uid.replace("_", " ").title(),
        "side": side,
        "kind": "regiment",
        "strength_men": men,
        "quality": "regular",
        "location": place,
        "source": CITE,
    }


def toy(**changes: Any) -> Scenario:
    return Scenario.model_validate(toy_dict(**changes))


def write_toy_run(base: Path, history: str) -> Path:
    """Write the toy run (seed 1) to ``base/run``, with a scenario path whose history
    file (``base/toy.history.yaml``) holds ``history``; return the run folder."""
    from campaign.replay.writer import write_run
    from campaign.simulate import simulate

    (base / "toy.history.yaml").write_text(history, encoding="utf-8")
    folder = base / "run"
    write_run(simulate(toy(), seed=1), folder, scenario_path=str(base / "toy.yaml"))
    return folder


def toy_town(
    data: dict[str, Any],
    pid: str,
    name: str,
    lat: float,
    lon: float,
    *neighbours: str,
    road: str = "main",
) -> None:
    """Add a place to a toy scenario, joined by roads of kind ``road`` to ``neighbours``."""
    data["map"]["places"].append({"id": pid, "name": name, "lat": lat, "lon": lon})
    data["map"]["links"] += [{"a": n, "b": pid, "road": road} for n in neighbours]
