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
from collections.abc import KeysView, Sequence
from dataclasses import dataclass, field
from typing import Any

from campaign.command import doctrine
from campaign.engine import combat
from campaign.engine.supply import fatigue_factor

#: A 16-byte digest read as two big-endian 64-bit unsigned integers.
_TWO_WORDS = struct.Struct(">QQ")


class EstimateErrors:
    """One side's errors in estimating enemy strengths: a lognormal factor with sigma
    ``sigma`` per (unit, day), the same whatever the order of looks (a hash of (seed,
    side, unit, day) gives two uniforms; Box-Muller gives the normal). A factor is
    drawn the first time it is asked for and then remembered."""

    def __init__(self, seed: int, side: str, sigma: float) -> None:
        self.sigma = sigma
        self._key_prefix = f"{seed}|{side}|"
        self._drawn: dict[tuple[str, int], float] = {}

    def factor(self, unit_id: str, day: int) -> float:
        if self.sigma <= 0:
            return 1.0
        known = self._drawn.get((unit_id, day))
        if known is None:
            known = self._drawn[(unit_id, day)] = self._draw(unit_id, day)
        return known

    def _draw(self, unit_id: str, day: int) -> float:
        key = f"{self._key_prefix}{unit_id}|{day}".encode()
        high, low = _TWO_WORDS.unpack(hashlib.blake2b(key, digest_size=16).digest())
        u1 = (high + 1) / 2.0**64
        u2 = low / 2.0**64
        normal = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
        return math.exp(self.sigma * normal)


@dataclass(slots=True)
class Sighting:
    """An enemy unit believed at a place, with its estimated strength: its true
    strength at the last look times the side's estimate error for that unit and day.
    The error is looked up when the estimate is first read: most sightings are never
    weighed, and a draw costs more than the rest of a look."""

    unit: str
    place: str
    first_seen_t: float  # since when it has been seen at this place
    seen_t: float
    #: The unit's true combat power and men at the last look, and that look's day:
    #: what the estimates are made from (commanders read ``power`` and ``men``).
    actual_power: float
    actual_men: float
    day: int
    errors: EstimateErrors = field(repr=False)

    @property
    def power(self) -> float:
        """Estimated combat power (men-equivalents x quality x morale)."""
        return self.actual_power * self.errors.factor(self.unit, self.day)

    @property
    def men(self) -> float:
        """Estimated men."""
        return self.actual_men * self.errors.factor(self.unit, self.day)


def unit_power(unit: Any) -> float:
    """Combat power of one unit as the combat model counts it (no posture)."""
    # Called thousands of times a run: the clamps are written out rather than min/max.
    men, guns, machine_guns = unit.men, unit.guns, unit.machine_guns
    crews_needed = 10.0 * (guns + machine_guns)
    crews = men / (crews_needed if crews_needed > 1.0 else 1.0)  # share of guns manned
    if crews > 1.0:
        crews = 1.0
    raw = men + (guns * combat.GUN_MEN + machine_guns * combat.MACHINE_GUN_MEN) * crews
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
    #: Caches that only save time (results never depend on them): places within n
    #: road links of a place by (place, n); the sightings
    #: by place as of the last look, and their summed power by place; the places
    #: visible, by the world's control and positions versions; the places the side
    #: holds, by the control version.
    _balls: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict, repr=False)
    _by_place: dict[str, list[Sighting]] = field(default_factory=dict, repr=False)
    _power_at: dict[str, float] = field(default_factory=dict, repr=False)
    _visible: tuple[Any, frozenset[str]] | None = field(default=None, repr=False)
    _held: tuple[Any, tuple[str, ...]] | None = field(default=None, repr=False)
    errors: EstimateErrors = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.errors = EstimateErrors(self.seed, self.side, self.estimate_error)

    def error(self, unit_id: str, day: int) -> float:
        """The estimate's error factor for ``unit_id`` on ``day`` (see
        :class:`EstimateErrors`)."""
        return self.errors.factor(unit_id, day)

    def look(self, world: Any) -> None:
        """Refresh the sightings from where the side's units stand now."""
        now = world.env.now
        if abs(now - self._looked_t) < 1e-9:
            return
        self._looked_t = now
        day = int(now + 1e-9)
        visible = self.visible_places(world)
        side, hostiles_at = self.side, world.hostiles_at
        seen: list[tuple[Any, str]] = []
        present = world.enemy_presence[side].counts  # places where enemies stand
        for place in visible:
            if place in present:
                seen += [(enemy, place) for enemy in hostiles_at(place, side)]
        # A column on the road is seen from either end, and believed bound for where
        # it is heading.
        hostile = world.hostile_pairs
        for enemy in world.units.values():
            if (
                enemy.status == "moving"
                and enemy.retreat_to is None
                and enemy.men >= 0.5
                and hostile[(enemy.side, side)]
                and (enemy.moving_to in visible or enemy.came_from in visible)
            ):
                seen.append((enemy, enemy.moving_to))
        sightings, discounted, errors = self.sightings, self.discounted, self.errors
        for enemy, place in seen:
            if enemy.side in discounted and enemy.id not in self.fought:
                continue
            old = sightings.get(enemy.id)
            if old is not None and old.place == place:
                # Seen again where it was: the sighting is brought up to date.
                old.seen_t, old.day = now, day
                old.actual_power, old.actual_men = unit_power(enemy), enemy.men
            else:
                sightings[enemy.id] = Sighting(
                    enemy.id, place, now, now, unit_power(enemy), enemy.men, day, errors
                )
        memory_days = self.memory_days
        for uid, s in list(sightings.items()):
            gone = s.place in visible and s.seen_t < now
            if gone or now - s.seen_t > memory_days:
                del sightings[uid]
        by_place: dict[str, list[Sighting]] = {}
        for s in sightings.values():
            by_place.setdefault(s.place, []).append(s)
        self._by_place = by_place
        self._power_at = {}

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
        key = (id(world), world.control_version)
        if self._held is None or self._held[0] != key:
            self._held = (key, tuple(p for p, s in world.control.items() if s == holder))
        seen: set[str] = set(self._held[1])
        hostile, holder_of, balls = world.hostile_pairs, world.holder_of, self._balls
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
                    seen |= balls.get((place, reach)) or self._within(world, place, reach)
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
        """The enemy units believed at ``place`` (as of the last look, and only until the
        next: a look brings the sightings up to date; not to be changed)."""
        return self._by_place.get(place, ())

    def enemy_power_at(self, place: str) -> float:
        """Their estimated combat power (as of the last look)."""
        power = self._power_at.get(place)
        if power is None:
            power = self._power_at[place] = sum(s.power for s in self._by_place.get(place, ()))
        return power

    def enemy_places(self) -> KeysView[str]:
        """The places where enemy units are believed (as of the last look)."""
        return self._by_place.keys()

    def enemy_seen_at(self, place: str) -> bool:
        """True when enemy units are believed at ``place`` (as of the last look)."""
        return place in self._by_place
