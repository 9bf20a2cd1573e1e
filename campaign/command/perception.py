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
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from campaign.command import doctrine
from campaign.engine import combat
from campaign.engine.supply import fatigue_factor

#: A 16-byte digest read as two big-endian 64-bit unsigned integers.
_TWO_WORDS = struct.Struct(">QQ")


@dataclass(slots=True)
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
    raw = (
        unit.men + (unit.guns * combat.GUN_MEN + unit.machine_guns * combat.MACHINE_GUN_MEN) * crews
    )
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
    #: Caches that only save time (results never depend on them): estimate errors by
    #: (unit, day); places within n road links of a place by (place, n); the sightings
    #: by place as of the last look; the places visible, by the world's control and
    #: positions versions.
    _errors: dict[tuple[str, int], float] = field(default_factory=dict, repr=False)
    _balls: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict, repr=False)
    _by_place: dict[str, list[Sighting]] = field(default_factory=dict, repr=False)
    _visible: tuple[Any, frozenset[str]] | None = field(default=None, repr=False)

    def error(self, unit_id: str, day: int) -> float:
        """The estimate's error factor for ``unit_id`` on ``day``: lognormal with sigma
        ``estimate_error``, one draw per (seed, side, unit, day) whatever the order of
        looks (a hash of the key gives two uniforms; Box-Muller gives the normal)."""
        if self.estimate_error <= 0:
            return 1.0
        known = self._errors.get((unit_id, day))
        if known is None:
            known = self._errors[(unit_id, day)] = self._draw_error(unit_id, day)
        return known

    def _draw_error(self, unit_id: str, day: int) -> float:
        key = f"{self.seed}|{self.side}|{unit_id}|{day}".encode()
        high, low = _TWO_WORDS.unpack(hashlib.blake2b(key, digest_size=16).digest())
        u1 = (high + 1) / 2.0**64
        u2 = low / 2.0**64
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
        present = world.enemy_presence[self.side].counts  # places where enemies stand
        for place in visible:
            if place in present:
                seen.extend((enemy, place) for enemy in world.hostiles_at(place, self.side))
        # A column on the road is seen from either end, and believed bound for where
        # it is heading.
        for enemy in world.units.values():
            if (
                enemy.status == "moving"
                and enemy.retreat_to is None
                and enemy.men >= 0.5
                and world.hostile(enemy.side, self.side)
                and (enemy.moving_to in visible or enemy.came_from in visible)
            ):
                seen.append((enemy, enemy.moving_to))
        for enemy, place in seen:
            if enemy.side in self.discounted and enemy.id not in self.fought:
                continue
            factor = self.error(enemy.id, day)
            old = self.sightings.get(enemy.id)
            first = old.first_seen_t if old is not None and old.place == place else now
            self.sightings[enemy.id] = Sighting(
                enemy.id, place, unit_power(enemy) * factor, enemy.men * factor, first, now
            )
        for uid, s in list(self.sightings.items()):
            gone = s.place in visible and s.seen_t < now
            if gone or now - s.seen_t > self.memory_days:
                del self.sightings[uid]
        by_place: dict[str, list[Sighting]] = {}
        for s in self.sightings.values():
            by_place.setdefault(s.place, []).append(s)
        self._by_place = by_place

    def visible_places(self, world: Any) -> frozenset[str]:
        """Places the side can see into now: those it holds, and those within its
        reconnaissance reach (in road links) of where its and its friends' units stand
        or march."""
        key = (id(world), world.control_version, world.positions_version)
        if self._visible is None or self._visible[0] != key:
            self._visible = (key, frozenset(self._visible_now(world)))
        return self._visible[1]

    def _visible_now(self, world: Any) -> set[str]:
        holder = world.holder(self.side)
        seen: set[str] = {p for p, s in world.control.items() if s == holder}
        hostile, holder_of = world.hostile_pairs, world.holder_of
        side, links = self.side, self.recon_links
        for u in world.units.values():
            if (
                u.status not in ("present", "moving")
                or hostile[(u.side, side)]
                or (holder_of[u.side] != holder and u.side != side)
            ):
                continue
            reach = max(doctrine.CAVALRY_RECON_LINKS if u.kind == "cavalry" else links, links)
            for place in (u.location, u.moving_to, u.came_from if u.location is None else None):
                if place is not None:
                    seen |= self._within(world, place, reach)
        return seen

    def _within(self, world: Any, place: str, reach: int) -> frozenset[str]:
        """Places at most ``reach`` road links from ``place`` (itself included)."""
        ball = self._balls.get((place, reach))
        if ball is None:
            found, rim = {place}, [place]
            for _ in range(reach):
                rim = [n for p in rim for n in world.links[p] if n not in found]
                found.update(rim)
            ball = self._balls[(place, reach)] = frozenset(found)
        return ball

    def enemy_at(self, place: str) -> Sequence[Sighting]:
        """The enemy units believed at ``place`` (as of the last look; not to be changed)."""
        return self._by_place.get(place, ())

    def enemy_power_at(self, place: str) -> float:
        """Their estimated combat power (as of the last look)."""
        return sum(s.power for s in self._by_place.get(place, ()))
