"""What a side knows of the enemy: sightings with estimated strengths that age.

A side sees enemy units standing in the places where its own units stand or that it
holds, and at places within a few road links of its units (more with cavalry). Each
sighting carries an estimated strength, the true one times a seeded lognormal error
drawn once per unit and day, so that repeated looks on one day agree. A unit not
seen again is believed to stay where it was last seen for ``memory_days``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

from campaign.command import doctrine
from campaign.engine import combat
from campaign.engine.supply import fatigue_factor


@dataclass
class Sighting:
    unit: str
    place: str
    power: float  # estimated combat power (men-equivalents x quality x morale)
    men: float  # estimated men
    first_seen_t: float  # since when it has been seen at this place
    seen_t: float


def unit_power(unit: Any) -> float:
    """Combat power of one unit as the combat model counts it (no posture)."""
    crews = min(1.0, unit.men / max(1.0, 10.0 * (unit.guns + unit.machine_guns)))
    raw = unit.men + (unit.guns * combat.GUN_MEN + unit.machine_guns * combat.MACHINE_GUN_MEN) * crews
    return raw * unit.quality_factor * unit.morale * unit.supply * fatigue_factor(unit.fatigue)


@dataclass
class Picture:
    """One side's picture of the enemy, refreshed when its commanders look."""

    side: str
    recon_links: int
    estimate_error: float
    memory_days: float
    seed: int
    sightings: dict[str, Sighting] = field(default_factory=dict)
    #: Sides this side believes will not fight it, though they are hostile: their
    #: units are not counted as enemies until the two have fought.
    discounted: set[str] = field(default_factory=set)
    #: Units this side has fought: counted as enemies whatever it believed of their side.
    fought: set[str] = field(default_factory=set)
    _looked_t: float = -1.0

    def error(self, unit_id: str, day: int) -> float:
        """The estimate's error factor for ``unit_id`` on ``day``: lognormal with sigma
        ``estimate_error``, one draw per (seed, side, unit, day) whatever the order of
        looks (a hash of the key gives two uniforms; Box-Muller gives the normal)."""
        if self.estimate_error <= 0:
            return 1.0
        key = f"{self.seed}|{self.side}|{unit_id}|{day}".encode()
        digest = hashlib.blake2b(key, digest_size=16).digest()
        u1 = (int.from_bytes(digest[:8], "big") + 1) / 2.0**64
        u2 = int.from_bytes(digest[8:], "big") / 2.0**64
        normal = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
        return math.exp(self.estimate_error * normal)

    def look(self, world: Any) -> None:
        """Refresh the sightings from where the side's units stand now."""
        now = world.env.now
        if abs(now - self._looked_t) < 1e-9:
            return
        self._looked_t = now
        day = int(now + 1e-9)
        visible = self.visible_places(world)
        seen: list[tuple[Any, str]] = []
        for place in visible:
            seen.extend((enemy, place) for enemy in world.hostiles_at(place, self.side))
        # A column on the road is seen from either end, and believed bound for where
        # it is heading.
        for enemy in world.units.values():
            if (enemy.status == "moving" and enemy.retreat_to is None and enemy.men >= 0.5
                    and world.hostile(enemy.side, self.side)
                    and (enemy.moving_to in visible or enemy.came_from in visible)):
                seen.append((enemy, enemy.moving_to))
        for enemy, place in seen:
            if enemy.side in self.discounted and enemy.id not in self.fought:
                continue
            factor = self.error(enemy.id, day)
            old = self.sightings.get(enemy.id)
            first = old.first_seen_t if old is not None and old.place == place else now
            self.sightings[enemy.id] = Sighting(enemy.id, place, unit_power(enemy) * factor,
                                                enemy.men * factor, first, now)
        for uid, s in list(self.sightings.items()):
            gone = s.place in visible and s.seen_t < now
            if gone or now - s.seen_t > self.memory_days:
                del self.sightings[uid]

    def visible_places(self, world: Any) -> set[str]:
        """Places the side can see into now."""
        holder = world.holder(self.side)
        seen: set[str] = {p for p, s in world.control.items() if s == holder}
        frontier: list[tuple[str, int]] = []
        for u in world.units.values():
            if u.status not in ("present", "moving") or world.hostile(u.side, self.side) or (
                    world.holder(u.side) != holder and u.side != self.side):
                continue
            reach = doctrine.CAVALRY_RECON_LINKS if u.kind == "cavalry" else self.recon_links
            for place in (u.location, u.moving_to, u.came_from if u.location is None else None):
                if place is not None:
                    frontier.append((place, max(reach, self.recon_links)))
        for place, _ in frontier:
            seen.add(place)
        best: dict[str, int] = {}
        while frontier:
            place, reach = frontier.pop()
            if best.get(place, -1) >= reach:
                continue
            best[place] = reach
            seen.add(place)
            if reach > 0:
                frontier.extend((n, reach - 1) for n in world.links[place])
        return seen

    def enemy_at(self, place: str) -> list[Sighting]:
        return [s for s in self.sightings.values() if s.place == place]

    def enemy_power_at(self, place: str) -> float:
        return sum(s.power for s in self.sightings.values() if s.place == place)
