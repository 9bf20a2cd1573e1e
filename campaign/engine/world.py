"""The state of a campaign while it is simulated: map, units, control, log.

Built once from a validated :class:`~campaign.scenario.schema.Scenario`; the SimPy
processes in :mod:`campaign.engine.processes` change it. Plain dataclasses only.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import InitVar, dataclass, field
from typing import Any

import numpy as np
import simpy

from campaign.engine import combat
from campaign.engine.log import Event, OrderIssued
from campaign.engine.routes import PlaceTally, Route, Routes
from campaign.geo.roads import RoadGraph
from campaign.scenario.schema import Order, Scenario

#: Time of day (fraction of a day) at which a dated order takes effect: 06:00.
ORDER_HOUR = 0.25
#: Time of day at which the daily state is recorded: 23:59.
DAY_END = 1439 / 1440
#: Sustained march rates in km per day on a main road (US FM 21-18: a normal day's
#: foot march is 20-32 km; we take 25 km as sustainable day after day
#: for foot infantry; cavalry ~40 km; partisans move light; guns are slower).
MARCH_KM_PER_DAY = {
    "cavalry": 40.0,
    "partisans": 30.0,
    "artillery": 20.0,
    "volunteers": 25.0,
}
DEFAULT_MARCH_KM_PER_DAY = 25.0
#: Road class factors on the march rate.
ROAD_FACTOR = {"main": 1.0, "secondary": 0.9, "track": 0.75, None: 0.6}
#: Rail movement including loading and unloading, km per day.
RAIL_KM_PER_DAY = 150.0
#: Extra time to cross a river on a link (bridges, ferries), days.
RIVER_DELAY_DAYS = 0.1
#: Lake-belt defiles slow movement.
LAKES_FACTOR = 0.8
#: Days a unit needs at a place before its defence counts as prepared.
PREPARED_AFTER_DAYS = 1.0
#: Days a broken unit needs to rally before it can act again.
RALLY_DAYS = 1.0
#: Morale recovered per quiet day, and lost when a unit breaks.
MORALE_RECOVERY_PER_DAY = 0.05
MORALE_LOSS_ON_BREAK = 0.25


class LazyTable(dict):
    """A dict that fills a missing key from ``make(key)`` (a tuple key is unpacked)."""

    def __init__(self, make: Callable[..., Any]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self._make(*key) if isinstance(key, tuple) else self._make(key)
        return value


@dataclass
class UnitState:
    """A unit as the engine sees it. Men are floats; outputs round them."""

    id: str
    name: str
    side: str
    kind: str
    quality: str
    quality_factor: float
    break_point: float
    men: float
    guns: float
    machine_guns: float
    home: str  # place of arrival
    arrives_t: float
    departs_t: float | None
    orders: list[tuple[float, Order]]
    status: str = "pending"  # pending | present | moving | departed | destroyed
    location: str | None = None
    came_from: str | None = None
    moving_to: str | None = None
    since_t: float = 0.0
    morale: float = 1.0
    engagement: int | None = None
    rally_until: float = 0.0
    retreat_to: str | None = None
    counted_at: str | None = None  # place where it counts as an enemy presence
    spent_orders: set[int] = field(default_factory=set)
    arrived_men: float = 0.0
    killed: float = 0.0
    wounded: float = 0.0
    captured: float = 0.0
    departed_men: float = 0.0
    wake: simpy.Event | None = None
    route: Route | None = None  # the last route planned round the enemy (move, withdraw)
    eta: float | None = None  # when the current march ends
    look_again_t: float | None = None  # a planned pause ends (joint attacks)
    supply: float = 1.0  # share of power and march rate its supply allows (engine.supply)
    days_unsupplied: int = 0
    days_encircled: int = 0  # mornings in a row with no supply route at all (engine.supply)
    fatigue: float = 0.0  # 0 fresh .. 1 exhausted (engine.supply)
    #: A commander of the command layer looks after the unit: the engine's own simple
    #: fallback behaviour (for units with no order) stays off.
    commanded: bool = False
    #: On a road under its own orders (not retreating): a new order may turn it back.
    on_leg: bool = False
    process: Any = None  # its SimPy process (set when the world is built)
    order_times: list[float] = field(init=False, repr=False)

    @property
    def active(self) -> bool:
        return self.status in ("present", "moving")

    @property
    def partisan(self) -> bool:
        return self.kind == "partisans" or self.quality == "partisan"

    def current_order(self, now: float) -> tuple[int, Order] | None:
        """The latest order in force at ``now`` that has not been spent, or None."""
        index = bisect_right(self.order_times, now + 1e-9) - 1
        if index < 0 or index in self.spent_orders:
            return None
        return index, self.orders[index][1]

    def next_order_t(self, now: float) -> float | None:
        index = bisect_right(self.order_times, now + 1e-9)
        return self.order_times[index] if index < len(self.order_times) else None

    def __post_init__(self) -> None:
        self.order_times = [t for t, _ in self.orders]  # sorted: orders are in time order

    def insert_order(self, t: float, order: Order) -> int:
        """Add an order issued at ``t`` during the run (a commander's decision), after
        every order already in force; returns its index. Spent orders all lie before
        it, so their indices do not move."""
        index = bisect_right(self.order_times, t + 1e-9)
        self.orders.insert(index, (t, order))
        self.order_times.insert(index, t)
        self.spent_orders = {i if i < index else i + 1 for i in self.spent_orders}
        return index


@dataclass
class World:
    """Everything the processes share."""

    scenario: Scenario
    env: simpy.Environment
    graph: RoadGraph
    places: dict[str, dict[str, Any]]  # id -> {name, lat, lon, terrain}
    control: dict[str, str]
    units: dict[str, UnitState]
    rng: np.random.Generator
    model: combat.CombatModel
    hostile_pairs: dict[tuple[str, str], bool]
    holder_of: dict[str, str]
    objectives: dict[str, list[str]]  # side -> objective place ids
    initial_control: dict[str, str]
    daily_log: bool = True
    routes: Routes = field(init=False)
    #: place -> neighbouring place -> link attributes (the road graph as plain dicts).
    links: dict[str, dict[str, dict[str, Any]]] = field(init=False)
    #: place -> ids of the units standing there, in order of arrival (a dict used as
    #: an ordered set).
    at_place: dict[str, dict[str, None]] = field(default_factory=dict)
    engagements: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    next_engagement_id: int = 1
    #: unit id -> detachments split off it so far (they are numbered from 1).
    detachments: dict[str, int] = field(default_factory=dict)
    attack_orders: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    #: side -> place -> number of units hostile to that side standing there (not
    #: retreating, not empty); kept up to date by :meth:`recount`.
    enemy_presence: dict[str, PlaceTally] = field(init=False)
    #: side -> the sides whose presence tallies its units count in (those hostile to it).
    threatens: dict[str, list[str]] = field(init=False)
    dates: dict[int, str] = field(default_factory=dict)
    #: Functions called as ``listener(kind, details)`` when something a commander may
    #: react to happens: "control", "engagement_end", "break", "arrival", "departure",
    #: "order_done". The engine does not know who listens.
    listeners: list[Callable[[str, dict[str, Any]], None]] = field(default_factory=list)
    #: side -> links ((a, b) both ways) its units may not cross (demarcation lines).
    closed_links: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    #: Ids of orders that are done (an attack that took its target, a march that
    #: arrived), for conditions that wait on them.
    done_orders: set[str] = field(default_factory=set)
    #: Season of each day (see campaign.engine.season) and march factors by season/road.
    #: Changes whenever a place changes hands (caches keyed on control use it).
    control_version: int = 0
    #: place -> time (days) of its last change of hands (absent: held since the start).
    control_since: dict[str, float] = field(default_factory=dict)
    #: place -> who held it before its last change of hands (absent: never changed).
    control_before: dict[str, str] = field(default_factory=dict)
    #: Changes whenever a unit arrives at or leaves a place, sets off, leaves the
    #: theatre or is destroyed, and whenever two sides' stance changes (caches keyed on
    #: who stands where use it, with ``control_version``).
    positions_version: int = 0
    #: Changes whenever two sides' stance changes (hostile or not).
    hostility_version: int = 0
    #: side -> (control version, supply distances) (see engine.supply).
    supply_reach: dict[str, tuple[int, dict[str, float]]] = field(default_factory=dict)
    #: place -> (neighbour, supply km of the link) (see engine.supply; filled when needed).
    supply_links: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)
    #: (from place, to place) -> ids of the units marching along that road now.
    on_road: dict[tuple[str, str], dict[str, None]] = field(default_factory=dict)
    #: (side, other side) pairs, both ways, that stand neutral now (see command.relations).
    neutral_pairs: set[tuple[str, str]] = field(default_factory=set)
    seasons: list[str] = field(default_factory=list)
    #: place -> the other places at most two road links away (filled when first needed).
    within_two_links: dict[str, frozenset[str]] = field(default_factory=dict)
    season_march: dict[str, dict[str | None, float]] = field(default_factory=dict)
    #: (kind of unit, from, to, season, by rail) -> what a march along the link owes to
    #: them (see engine.processes._edge_days; filled as marches need them).
    link_pace: dict[tuple[str, str, str, str, bool], tuple[float, float | None, float]] = field(
        default_factory=dict, init=False, repr=False
    )
    #: (time, rounded time, date) of the last event logged (see :meth:`log`).
    _stamp: tuple[float, float, str] = field(default=(-1.0, -1.0, ""), init=False, repr=False)

    #: The routes and link table of an earlier world on the same ``graph`` (neither
    #: changes during a run; the routes' caches only save time): given, they are
    #: shared instead of compiled again.
    compiled: InitVar[tuple[Routes, dict[str, dict[str, dict[str, Any]]]] | None] = None

    def __post_init__(self, compiled: tuple[Routes, dict] | None) -> None:
        if compiled is not None:
            self.routes, self.links = compiled
        else:
            self.routes = Routes(self.graph)
            self.links = {
                place: dict(neighbours) for place, neighbours in self.graph.adjacency.items()
            }
        sides = list(self.holder_of)
        self.enemy_presence = {s: self.routes.tally() for s in sides}
        self.threatens = self._threat_lists()

    @property
    def start(self) -> dt.date:
        return self.scenario.start

    @property
    def days(self) -> int:
        return (self.scenario.end - self.scenario.start).days + 1

    def date_of(self, t: float) -> str:
        day = int(t + 1e-9)
        date = self.dates.get(day)
        if date is None:
            date = self.dates[day] = (self.start + dt.timedelta(days=day)).isoformat()
        return date

    def log(self, cls: type[Event], **fields: Any) -> None:
        now = self.env.now
        if now != self._stamp[0]:  # many events share a moment: its time and date once
            self._stamp = (now, round(now, 6), self.date_of(now))
        _, t, date = self._stamp
        self.events.append(cls(t, date, **fields))

    def hostile(self, a: str, b: str) -> bool:
        return self.hostile_pairs[(a, b)]

    def units_at(self, place: str) -> list[UnitState]:
        return [self.units[u] for u in self.at_place.get(place, ())]

    def hostiles_at(self, place: str, side: str) -> list[UnitState]:
        """Units hostile to ``side`` standing at ``place`` (not retreating, not empty)."""
        if place not in self.enemy_presence[side].counts:
            return []  # the tally answers the common case without a scan
        hostile, units = self.hostile_pairs, self.units
        return [
            u
            for u in map(units.__getitem__, self.at_place[place])
            if hostile[(u.side, side)] and u.retreat_to is None and u.men >= 0.5
        ]

    def hostiles_present(self, place: str, side: str) -> bool:
        """True when units hostile to ``side`` stand at ``place`` (as :meth:`hostiles_at`
        finds them), answered from the presence tally without a scan."""
        return place in self.enemy_presence[side].counts

    def holder(self, side: str) -> str:
        """The side in whose name this side's units hold ground."""
        return self.holder_of[side]

    def hostile_held(self, place: str, side: str) -> bool:
        owner = self.control.get(place, "none")
        return owner != "none" and self.hostile(owner, side)

    def recount(self, unit: UnitState) -> None:
        """Update the presence tallies after a unit moved, broke or lost men."""
        where = (
            unit.location
            if (unit.status == "present" and unit.retreat_to is None and unit.men >= 0.5)
            else None
        )
        before = unit.counted_at
        if where == before:
            return
        unit.counted_at = where
        for side in self.threatens[unit.side]:
            tally = self.enemy_presence[side]
            if before is not None:
                tally.remove(before)
            if where is not None:
                tally.add(where)

    def issue(self, unit_id: str, order: Order, by: str, reason: str) -> None:
        """A commander's order takes effect now: the unit carries it out from its next
        decision (at once if it is waiting)."""
        unit = self.units[unit_id]
        now = self.env.now
        unit.insert_order(now, order)
        if order.action.value == "attack" and order.target:
            self.attack_orders.setdefault(order.target, []).append((now, unit_id))
        self.log(
            OrderIssued,
            unit=unit_id,
            action=order.action.value,
            target=order.target,
            by=by,
            reason=reason,
        )
        if unit.on_leg and unit.process is not None and self.env.active_process is not unit.process:
            unit.on_leg = False  # one interruption at a time
            unit.process.interrupt("new order")  # a column on the road may turn back
        self.wake(unit)

    def season(self, t: float) -> str:
        """The season at time ``t`` (days); summer when no calendar is set."""
        if not self.seasons:
            return "summer"
        return self.seasons[min(max(int(t + 1e-9), 0), len(self.seasons) - 1)]

    def replace_men(self, unit_id: str, men: float, reason: str) -> bool:
        """``men`` join the unit if it is in the theatre; False (nothing happens) if it
        is not (not arrived yet, departed or destroyed)."""
        unit = self.units[unit_id]
        if unit.status not in ("present", "moving"):
            return False
        from campaign.engine.log import Replacements

        unit.men += men
        unit.arrived_men += men
        self.recount(unit)
        self.log(Replacements, unit=unit_id, side=unit.side, men=round(men, 2), reason=reason)
        return True

    def release(self, unit_id: str) -> None:
        """A unit waiting for a conditional arrival arrives now."""
        unit = self.units[unit_id]
        if unit.status == "pending" and unit.arrives_t > self.env.now:
            unit.arrives_t = self.env.now
            self.wake(unit)

    def notify(self, kind: str, **details: Any) -> None:
        """Tell the listeners (the command layer, if wired) that ``kind`` happened."""
        for listener in self.listeners:
            listener(kind, details)

    def set_hostile(self, a: str, b: str, hostile: bool) -> None:
        """Change whether sides ``a`` and ``b`` fight, and rebuild the presence tallies."""
        if self.hostile_pairs[(a, b)] == hostile:
            return
        self.hostile_pairs[(a, b)] = self.hostile_pairs[(b, a)] = hostile
        self.positions_version += 1
        self.hostility_version += 1
        sides = list(self.holder_of)
        self.threatens = self._threat_lists()
        for s in sides:
            tally = self.enemy_presence[s]
            for place in list(tally.counts):
                for _ in range(tally.counts.get(place, 0)):
                    tally.remove(place)
        for unit in self.units.values():
            if unit.counted_at is not None:
                for s in self.threatens[unit.side]:
                    self.enemy_presence[s].add(unit.counted_at)

    def _threat_lists(self) -> dict[str, list[str]]:
        """side -> the sides hostile to it, worked out for a side the first time it is
        asked for (a scenario with thousands of sides pays only for those with units)."""
        sides = list(self.holder_of)
        pairs = self.hostile_pairs
        return LazyTable(lambda s: [o for o in sides if pairs[(s, o)]])

    def may_enter(self, side: str, place: str) -> bool:
        """False when ``place`` is held by a side ``side`` stands neutral with, or
        troops of such a side stand in it (neutral sides keep out of each other's towns
        and garrisons: the Red Army entered Vilnius only after the German garrison
        had left it)."""
        neutral = self.neutral_pairs
        if not neutral:
            return True
        owner = self.control.get(place, "none")
        if owner != "none" and (side, owner) in neutral:
            return False
        units = self.units
        return not any(
            (side, units[u].side) in neutral and units[u].men >= 0.5
            for u in self.at_place.get(place, ())
        )

    def may_cross(self, side: str, a: str, b: str) -> bool:
        """False when a demarcation line in force closes the link a-b to ``side``."""
        closed = self.closed_links.get(side)
        return not closed or (a, b) not in closed

    def wake(self, unit: UnitState) -> None:
        if unit.wake is not None and not unit.wake.triggered:
            unit.wake.succeed()


def order_time(scenario_start: dt.date, day: dt.date) -> float:
    """Simulation time (days) at which an order dated ``day`` takes effect."""
    return (day - scenario_start).days + ORDER_HOUR


def orders_by_unit(scenario: Scenario) -> dict[str, list[tuple[float, Order]]]:
    """Each unit's orders as (time in days, order), in time order (file order on ties)."""
    grouped: dict[str, list[tuple[float, int, Order]]] = {}
    for i, o in enumerate(scenario.orders):
        if o.when is not None or o.date is None:
            continue  # conditional orders are issued by the command layer when they fire
        grouped.setdefault(o.unit, []).append((order_time(scenario.start, o.date), i, o))
    return {
        unit: [(t, o) for t, _, o in sorted(items, key=lambda x: (x[0], x[1]))]
        for unit, items in grouped.items()
    }
