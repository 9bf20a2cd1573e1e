"""Build a :class:`World` from a scenario and run it to the end with SimPy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import simpy

from campaign.engine import combat
from campaign.engine import log as ev
from campaign.engine.processes import chronicle, unit_life
from campaign.engine.world import UnitState, World, order_time, sorted_orders
from campaign.scenario.schema import Scenario

#: Winding factor of roads over the great-circle distance for scenario-added links.
EXTRA_LINK_WINDING = 1.2


@dataclass
class RunResult:
    """Everything one run produced, ready for the replay writer and for analysis."""

    scenario: Scenario
    seed: int
    events: list[ev.Event]
    world: World

    @property
    def units(self) -> dict[str, UnitState]:
        return self.world.units


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    import math  # TODO: use campaign.geo.great_circle_km once geo lands

    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def build_map(scenario: Scenario) -> tuple[nx.Graph, dict[str, dict[str, Any]]]:
    """The road/rail graph and place attributes a scenario plays on."""
    graph = nx.Graph()
    places: dict[str, dict[str, Any]] = {}
    if scenario.map.gazetteer != "none":
        from campaign.geo import load_theatre

        theatre = load_theatre()
        for pid, place in theatre.places.items():
            places[pid] = {"name": place.name, "lat": place.lat, "lon": place.lon,
                           "terrain": place.terrain}
        graph.add_nodes_from(theatre.graph.nodes)
        for a, b, data in theatre.graph.edges(data=True):
            graph.add_edge(a, b, **data)
    for p in scenario.map.places:
        places[p.id] = {"name": p.name, "lat": p.lat, "lon": p.lon, "terrain": p.terrain}
        graph.add_node(p.id)
    for link in scenario.map.links:
        a, b = places[link.a], places[link.b]
        km = link.length_km or EXTRA_LINK_WINDING * _haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])
        graph.add_edge(link.a, link.b, length_km=max(km, 0.1), road=link.road, rail=link.rail,
                       river=None, lakes=False)
    for pid in scenario.map.fortified:
        places[pid]["fortified"] = True
    return graph, places


def build_world(scenario: Scenario, seed: int, daily_log: bool = True) -> World:
    """A ready-to-run world: every unit a SimPy process, one seeded generator."""
    env = simpy.Environment()
    graph, places = build_map(scenario)
    side_ids = [s.id for s in scenario.sides]
    hostile = {(a, b): scenario.hostile(a, b) for a in side_ids for b in side_ids}
    holder = {s.id: s.controls_for or s.id for s in scenario.sides}
    control = {pid: "none" for pid in sorted(places)}
    control.update(scenario.control)
    objectives: dict[str, list[str]] = {}
    for o in scenario.objectives:
        objectives.setdefault(o.side, []).append(o.place)
    spec = scenario.combat
    model = combat.make_combat_model(spec.model.value, spec.coefficients, spec.multipliers,
                                     spec.variation)
    units: dict[str, UnitState] = {}
    for u in scenario.units:
        quality = u.quality.value
        units[u.id] = UnitState(
            id=u.id, name=u.name, side=u.side, kind=u.kind.value, quality=quality,
            quality_factor=spec.multipliers.get(f"quality.{quality}", combat.QUALITY[quality]),
            break_point=spec.multipliers.get(f"break_point.{quality}", combat.BREAK_POINT[quality]),
            men=float(u.strength_men), guns=float(u.guns), machine_guns=float(u.machine_guns),
            home=u.location,
            arrives_t=order_time(scenario.start, u.arrives) - 0.25 if u.arrives else 0.0,
            departs_t=order_time(scenario.start, u.departs) if u.departs else None,
            orders=sorted_orders(scenario, u.id),
        )
    world = World(
        scenario=scenario, env=env, graph=graph, places=places, control=control, units=units,
        rng=np.random.default_rng(seed), model=model, hostile_pairs=hostile, holder_of=holder,
        objectives=objectives, initial_control=dict(control), daily_log=daily_log,
    )
    world.log(ev.Initial, control=dict(control), units=[
        {"id": u.id, "name": u.name, "side": u.side, "kind": u.kind, "men": u.men,
         "place": u.home, "arrives": _date(scenario.start, u.arrives_t)}
        for u in units.values()
    ])
    for u in units.values():
        env.process(unit_life(world, u))
    env.process(chronicle(world))
    return world


def _date(start: dt.date, t: float) -> str:
    return (start + dt.timedelta(days=int(t + 1e-9))).isoformat()


def simulate(scenario: Scenario, seed: int = 0, daily_log: bool = True) -> RunResult:
    """Run ``scenario`` from its start to the end of its last day.

    The same scenario and seed always give the same events, in any process.
    """
    world = build_world(scenario, seed, daily_log=daily_log)
    world.env.run(until=world.days)
    return RunResult(scenario=scenario, seed=seed, events=world.events, world=world)
