"""Build a :class:`World` from a scenario, give it its commanders, and run it to the end.

This is where mechanics (:mod:`campaign.engine`) and decisions (:mod:`campaign.command`)
are wired together; neither imports the other's wiring.
"""

from __future__ import annotations

import gc
import math
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from campaign.command import install as install_command
from campaign.engine import combat
from campaign.engine import log as ev
from campaign.engine.processes import chronicle, rear_control, unit_life
from campaign.engine.routes import Routes
from campaign.engine.season import march_factors, season_by_day
from campaign.engine.world import LazyTable, UnitState, World, order_time, orders_by_unit
from campaign.geo.gazetteer import great_circle_km
from campaign.geo.roads import RoadGraph
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


def build_map(scenario: Scenario) -> tuple[RoadGraph, dict[str, dict[str, Any]]]:
    """The road/rail graph and place attributes a scenario plays on."""
    graph = RoadGraph()
    places: dict[str, dict[str, Any]] = {}
    if scenario.map.gazetteer != "none":
        from campaign.geo import load_theatre

        theatre = load_theatre()
        for pid, place in theatre.places.items():
            places[pid] = {
                "name": place.name,
                "lat": place.lat,
                "lon": place.lon,
                "terrain": place.terrain,
                "rivers": theatre.roads.places[pid]["rivers"],
            }
            graph.add_place(pid)
        for a, b, data in theatre.roads.links():
            graph.add_link(a, b, **data)
    for p in scenario.map.places:
        places[p.id] = {
            "name": p.name,
            "lat": p.lat,
            "lon": p.lon,
            "terrain": p.terrain,
            "rivers": (),
        }
        graph.add_place(p.id)
    for link in scenario.map.links:
        a, b = places[link.a], places[link.b]
        km = link.length_km or EXTRA_LINK_WINDING * great_circle_km(
            a["lat"], a["lon"], b["lat"], b["lon"]
        )
        graph.add_link(
            link.a,
            link.b,
            length_km=max(km, 0.1),
            road=link.road,
            rail=link.rail,
            river=None,
            lakes=False,
        )
    for pid in scenario.map.fortified:
        places[pid]["fortified"] = True
    return graph, places


def build_world(
    scenario: Scenario, seed: int, daily_log: bool = True, sample_strengths: bool = False
) -> World:
    """A ready-to-run world: every unit a SimPy process, one seeded generator.

    With ``sample_strengths`` (ensembles), a unit whose strength is given as a range
    starts with a strength drawn from a triangular distribution over that range,
    peaked at its central value; single runs always use the central value.
    """
    with collector_paused():
        return _build_world(scenario, seed, daily_log, sample_strengths)


def _strength_generator(seed: int, unit_id: str) -> np.random.Generator:
    """The generator a unit's sampled strength is drawn from: its own, seeded by the
    run's seed and the unit's id, so that a what-if that removes, adds or changes other
    units leaves this unit's draw as it was (the runs of two ensembles with the same
    seeds are paired: common random numbers)."""
    return np.random.default_rng([seed, zlib.crc32(unit_id.encode("utf-8"))])


def _build_world(scenario: Scenario, seed: int, daily_log: bool, sample_strengths: bool) -> World:
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    earlier = _LAST_WORLD.get(id(scenario.map))
    if earlier is not None and earlier.scenario.map is scenario.map:
        graph, places = earlier.graph, earlier.places  # the same map: read-only in a run
    else:
        earlier = None
        graph, places = build_map(scenario)
    allies = {s.id: set(s.allies) for s in scenario.sides}
    # Looked up pair by pair as the run needs them (thousands of sides stay cheap).
    hostile = LazyTable(lambda a, b: a != b and b not in allies[a] and a not in allies[b])
    holder = {s.id: s.controls_for or s.id for s in scenario.sides}
    control = {pid: "none" for pid in sorted(places)}
    control.update(scenario.control)
    objectives: dict[str, list[str]] = {}
    for o in scenario.objectives:
        objectives.setdefault(o.side, []).append(o.place)
    spec = scenario.combat
    model = combat.make_combat_model(
        spec.model.value, spec.coefficients, spec.multipliers, spec.variation
    )
    units: dict[str, UnitState] = {}
    unit_orders = orders_by_unit(scenario)
    for u in scenario.units:
        quality = u.quality.value
        men = float(u.strength_men)
        if sample_strengths and u.strength_range is not None:
            low, high = u.strength_range
            if high > low:
                draw = _strength_generator(seed, u.id)
                men = float(draw.triangular(low, min(max(men, low), high), high))
        units[u.id] = UnitState(
            id=u.id,
            name=u.name,
            side=u.side,
            kind=u.kind.value,
            quality=quality,
            quality_factor=spec.multipliers.get(f"quality.{quality}", combat.QUALITY[quality]),
            break_point=spec.multipliers.get(f"break_point.{quality}", combat.BREAK_POINT[quality]),
            men=men,
            guns=float(u.guns),
            machine_guns=float(u.machine_guns),
            home=u.location,
            arrives_t=(
                math.inf
                if u.arrives_when is not None
                else order_time(scenario.start, u.arrives) - 0.25
                if u.arrives
                else 0.0
            ),
            departs_t=order_time(scenario.start, u.departs) if u.departs else None,
            orders=unit_orders.get(u.id, []),
        )
    world = World(
        scenario=scenario,
        env=env,
        graph=graph,
        places=places,
        control=control,
        units=units,
        rng=rng,
        model=model,
        hostile_pairs=hostile,
        holder_of=holder,
        objectives=objectives,
        initial_control=dict(control),
        daily_log=daily_log,
        compiled=(earlier.routes, earlier.links) if earlier is not None else None,
    )
    if earlier is None:
        _LAST_WORLD.clear()  # one map kept: an ensemble runs one scenario many times
        _LAST_WORLD[id(scenario.map)] = _MapHolder(
            scenario, graph, places, world.routes, world.links
        )
    world.seasons = season_by_day(scenario)
    world.season_march = march_factors(scenario)
    for uid, orders in unit_orders.items():
        for t, order in orders:
            if order.action.value == "attack" and order.target:
                world.attack_orders.setdefault(order.target, []).append((t, uid))
    world.log(
        ev.Initial,
        control=dict(control),
        units=[
            {
                "id": u.id,
                "name": u.name,
                "side": u.side,
                "kind": u.kind,
                "men": u.men,
                "place": u.home,
                "arrives": world.date_of(u.arrives_t) if math.isfinite(u.arrives_t) else None,
            }
            for u in units.values()
        ],
    )
    for u in units.values():
        u.process = env.process(unit_life(world, u))
    env.process(chronicle(world))
    env.process(rear_control(world))
    install_command(world, seed)
    return world


@dataclass
class _MapHolder:
    """What a later run of the same scenario map can reuse: the map graph, the place
    table, the compiled routes and the link table (none of them changes during a run;
    the routes' caches only save time)."""

    scenario: Scenario
    graph: RoadGraph
    places: dict[str, dict[str, Any]]
    routes: Routes
    links: dict[str, dict[str, dict[str, Any]]]


#: id(scenario.map) -> the map of the last world built (the scenario is kept, so the
#: id cannot be reused while it is here).
_LAST_WORLD: dict[int, _MapHolder] = {}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a run executes.

    Building and running a world allocate many long-lived objects (units, routes,
    the event log) and almost no cyclic garbage, so the collector's repeated scans
    of the growing heap are pure cost: on a 10,000-unit synthetic theatre they took
    a third of the run and two thirds of the build, and the peak memory is the same
    without them (see benchmarks/README.md).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def simulate(
    scenario: Scenario, seed: int = 0, daily_log: bool = True, sample_strengths: bool = False
) -> RunResult:
    """Run ``scenario`` from its start to the end of its last day.

    The same scenario, seed and options always give the same events, in any process.
    """
    with collector_paused():
        world = build_world(scenario, seed, daily_log=daily_log, sample_strengths=sample_strengths)
        world.env.run(until=world.days)
    return RunResult(scenario=scenario, seed=seed, events=world.events, world=world)
