"""Conditions (triggers) read from the run as it unfolds: places taken or lost, units
arrived, broken or worn down, a side's power ratio at a place, orders and intents
done, dates, relations between sides."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from campaign.command.perception import Picture, unit_power
from campaign.engine.world import order_time
from campaign.scenario.schema import Condition


@dataclass
class Facts:
    """What conditions may read besides the world: broken units, finished intents,
    current stances between sides, each side's picture of the enemy."""

    broken: set[str] = field(default_factory=set)
    intents_done: set[str] = field(default_factory=set)
    stance: dict[frozenset[str], str] = field(default_factory=dict)
    pictures: dict[str, Picture] = field(default_factory=dict)
    #: intent id -> (side, place it is gathering for or attacking, its free unit ids):
    #: commands aiming at the same place pool their power and go in together.
    aims: dict[str, tuple[str, str, list[str]]] = field(default_factory=dict)
    #: unit id -> the commands that claimed it, latest last: only the latest commands
    #: it. A conditional order that fires claims its unit for good ("order").
    owners: dict[str, list[str]] = field(default_factory=dict)

    def claim(self, unit_id: str, owner: str) -> None:
        stack = self.owners.setdefault(unit_id, [])
        if owner in stack:
            stack.remove(owner)
        stack.append(owner)

    def release(self, unit_id: str, owner: str) -> None:
        stack = self.owners.get(unit_id, [])
        if owner in stack:
            stack.remove(owner)

    def commands(self, unit_id: str, owner: str) -> bool:
        stack = self.owners.get(unit_id)
        return bool(stack) and stack[-1] == owner

    def commanded_by(self, owner: str, unit_ids: list[str]) -> list[str]:
        """Those of ``unit_ids`` that ``owner`` commands now, in the same order."""
        owners = self.owners
        return [u for u in unit_ids if (stack := owners.get(u)) and stack[-1] == owner]


def describe(cond: Condition) -> str:
    """A condition as logged in a ``trigger`` event: its fields that are set."""
    return str(cond.model_dump(exclude_none=True, mode="json"))


def holds(cond: Condition, world: Any, facts: Facts) -> bool:
    """True when ``cond`` holds in ``world`` now."""
    if cond.any is not None:
        return any(holds(c, world, facts) for c in cond.any)
    if cond.all is not None:
        return all(holds(c, world, facts) for c in cond.all)
    if cond.taken is not None:
        return world.control.get(cond.taken.place) == world.holder(cond.taken.by)
    if cond.lost is not None:
        return world.control.get(cond.lost.place) != world.holder(cond.lost.side)
    # A unit a what-if removed never arrives, breaks or falls below a strength.
    if cond.arrived is not None:
        unit = world.units.get(cond.arrived)
        return unit is not None and unit.status != "pending"
    if cond.broken is not None:
        unit = world.units.get(cond.broken)
        return unit is not None and (cond.broken in facts.broken or unit.status == "destroyed")
    if cond.below is not None:
        unit = world.units.get(cond.below.unit)
        return unit is not None and unit.status != "pending" and unit.men < cond.below.men
    if cond.done is not None:
        return cond.done in world.done_orders or cond.done in facts.intents_done
    if cond.date is not None:
        return world.env.now >= order_time(world.start, cond.date) - 1e-9
    if cond.stance is not None:
        pair = frozenset(cond.stance.sides)
        return facts.stance.get(pair) == cond.stance.stance.value
    if cond.near is not None:
        return side_near(world, cond.near.side, cond.near.place)
    if cond.ratio is not None:
        ratio = local_ratio(world, facts, cond.ratio.side, cond.ratio.place)
        if cond.ratio.at_least is not None:
            return ratio >= cond.ratio.at_least
        return ratio <= cond.ratio.at_most
    raise ValueError(f"empty condition {cond!r}")  # pragma: no cover - schema forbids it


def side_near(world: Any, side: str, place: str) -> bool:
    """Troops of ``side`` (with men, not in flight) stand at ``place`` or next to it,
    or march on a road that ends at it."""
    for p in (place, *world.links[place]):
        if any(u.side == side and u.men >= 0.5 and u.retreat_to is None for u in world.units_at(p)):
            return True
    for (origin, destination), ids in world.on_road.items():
        if place in (origin, destination):
            for uid in ids:
                unit = world.units[uid]
                if unit.side == side and unit.men >= 0.5 and unit.status == "moving":
                    return True
    return False


def local_ratio(world: Any, facts: Facts, side: str, place: str) -> float:
    """The side's combat power at ``place`` and its neighbours over the enemy power
    it perceives there (inf when it sees no enemy)."""
    near = [place, *world.links[place]]
    own = sum(
        unit_power(u)
        for p in near
        for u in world.units_at(p)
        if u.side == side and u.retreat_to is None
    )
    picture = facts.pictures.get(side)
    if picture is not None:
        picture.look(world)
        enemy = sum(picture.enemy_power_at(p) for p in near)
    else:
        enemy = sum(unit_power(u) for p in near for u in world.hostiles_at(p, side))
    return own / enemy if enemy > 0 else float("inf")
