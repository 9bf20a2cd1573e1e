"""Unit behaviour and engagements as SimPy processes.

* :func:`unit_life` -- one process per unit: arrive, carry out orders (march,
  attack, hold, withdraw, leave), rally after a defeat, and, with no order left,
  follow a simple commander behaviour that only looks at the map as it is now.
* :func:`fight` -- one process per engagement, resolved in steps until one side
  breaks, withdraws or is destroyed.
* :func:`chronicle` -- records the daily state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import simpy

from campaign.engine import combat
from campaign.engine import log as ev
from campaign.engine.advance import opposed_rate
from campaign.engine.season import FROZEN
from campaign.engine.supply import (
    ENCIRCLED_SURRENDER_DAYS,
    FATIGUE_PER_COMBAT_DAY,
    FATIGUE_PER_MARCH_DAY,
    FATIGUE_RECOVERY_PER_DAY,
    fatigue_factor,
    supply_reach,
    update_supply,
)
from campaign.engine.world import (
    DAY_END,
    DEFAULT_MARCH_KM_PER_DAY,
    LAKES_FACTOR,
    MARCH_KM_PER_DAY,
    MORALE_LOSS_ON_BREAK,
    MORALE_RECOVERY_PER_DAY,
    ORDER_HOUR,
    PREPARED_AFTER_DAYS,
    RAIL_KM_PER_DAY,
    RALLY_DAYS,
    RIVER_DELAY_DAYS,
    ROAD_FACTOR,
    LazyTable,
    UnitState,
    World,
)
from campaign.scenario.schema import Action

#: A defender facing this combat-power ratio or worse after the first step withdraws
#: rather than be destroyed (Dupuy 1987: defenders rarely stand at worse than 3:1).
OVERWHELMING_RATIO = 3.5
#: An attacker whose power ratio falls below this calls the attack off.
HOPELESS_RATIO = 0.3
#: Weight of falling back towards the side's supply sources when a beaten unit picks
#: its line of retreat: more than a town's owner (2) or its friends (up to 1), less than
#: the road the attacker came by (3) or keeping away from the enemy's roads (5). A
#: beaten force retires along its line of communication, where its trains and depots
#: are (FM 100-5 (1941) on retrograde movements), not into a pocket off it.
RETREAT_TOWARDS_SUPPLY = 1.5
#: Captured share of a unit's men when it breaks with no line of retreat at all.
CAPTURED_WHEN_CUT_OFF = 1.0
#: Longest wait, in days beyond the march itself, for comrades ordered to the same attack.
ASSEMBLY_DAYS = 1.0
#: Longest wait, in days after its order, for comrades of a joint attack whose arrival
#: is known (on the road in, or next to the target): a week.
JOINT_ATTACK_MAX_DAYS = 7.0
#: Units of a joint attack set off so as to arrive together; a unit that would arrive
#: this much earlier than the last of its comrades or less (1 hour) goes at once.
SYNCHRONISE_DAYS = 1 / 24
#: Days a town must stay behind the front (see :func:`rear_control`) before it
#: changes hands: a day for the side's patrols and local administration to take over.
REAR_CONTROL_DAYS = 1
#: The calibrated law whose extra loss of a side that gives way applies to routs.
_GIVE_WAY = combat.TndmModel()
#: Commander behaviour: local power ratio needed for an unordered counter-attack.
COUNTERATTACK_RATIO = 3.0


@dataclass
class Engagement:
    id: int
    place: str
    attackers: list[str]
    defenders: list[str]
    start_men: dict[str, float] = field(default_factory=dict)
    start_kwc: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    losses: dict[str, float] = field(default_factory=dict)
    surprise: bool = False
    river: str | None = None
    steps: int = 0
    advanced_km: float = 0.0  # how far the attackers have got into the position


# ---------------------------------------------------------------------------- helpers
def _edge_days(world: World, unit: UnitState, a: str, b: str, rail: bool) -> float:
    """Days ``unit`` takes from ``a`` to the neighbouring ``b`` now."""
    season = world.season(world.env.now)
    key = (unit.kind, a, b, season, rail)
    pace = world.link_pace.get(key)
    if pace is None:
        pace = world.link_pace[key] = _link_pace(world, unit.kind, a, b, season, rail)
    km, speed, delay = pace
    if speed is None:
        return km / RAIL_KM_PER_DAY
    return km / (speed * (unit.supply * fatigue_factor(unit.fatigue))) + delay


def _link_pace(
    world: World, kind: str, a: str, b: str, season: str, rail: bool
) -> tuple[float, float | None, float]:
    """What the march from ``a`` to ``b`` owes to the link, the season and the kind of
    unit: (km, march rate in km a day before the unit's supply and fatigue, or None by
    rail; the river crossing's delay in days)."""
    data = world.links[a][b]
    km = data["length_km"]
    if rail and data.get("rail"):
        return km, None, 0.0
    speed = MARCH_KM_PER_DAY.get(kind, DEFAULT_MARCH_KM_PER_DAY)
    road = data.get("road")
    speed *= ROAD_FACTOR.get(road, 0.6)
    if data.get("lakes"):
        speed *= LAKES_FACTOR
    if world.season_march:
        speed *= world.season_march[season].get(road, 1.0)
    frozen = season in FROZEN
    return km, speed, (RIVER_DELAY_DAYS if data.get("river") and not frozen else 0.0)


def _path(world: World, unit: UnitState, target: str, avoid_hostile: bool) -> list[str] | None:
    """Shortest path by length from the unit's place to ``target``, or None.

    With ``avoid_hostile`` the path avoids places where the enemy stands now.
    """
    source = unit.location
    if source is None:
        return None
    if not avoid_hostile:
        return world.routes.path(source, target)
    # The route planned at the last place is passed back: its remainder is the open
    # road from here, or a detour round the enemy that is kept while it stays clear.
    route = world.routes.plan(
        source, target, avoid=world.enemy_presence[unit.side], previous=unit.route
    )
    unit.route = route
    return route.places if route is not None else None


def _leave_place(world: World, unit: UnitState) -> None:
    if unit.location is not None:
        members = world.at_place.get(unit.location)
        if members is not None:
            members.pop(unit.id, None)
    unit.location = None
    world.positions_version += 1
    world.recount(unit)


def _change_control(world: World, place: str, side: str, cause: str) -> None:
    old = world.control.get(place, "none")
    if old == side:
        return
    world.control[place] = side
    world.control_version += 1
    world.control_since[place] = world.env.now
    world.control_before[place] = old
    world.log(ev.ControlChange, place=place, old=old, new=side, cause=cause)
    world.notify("control", place=place, old=old, new=side)


def _lose(unit: UnitState, killed: float, wounded: float, captured: float) -> None:
    """Take men from a unit, never more than it has. Callers that may empty a unit
    call :meth:`World.recount` so the enemy-presence tally stays current."""
    total = killed + wounded + captured
    if total > unit.men:
        scale = unit.men / total if total > 0 else 0.0
        killed, wounded, captured = killed * scale, wounded * scale, captured * scale
    unit.men -= killed + wounded + captured
    unit.killed += killed
    unit.wounded += wounded
    unit.captured += captured
    if unit.men < 0.5:
        unit.men = max(unit.men, 0.0)


# ---------------------------------------------------------------------------- arrival
def enter_place(
    world: World,
    unit: UnitState,
    place: str,
    attacking: bool,
    surprise: bool,
    river: str | None = None,
    occupy: bool = True,
) -> None:
    """The unit reaches ``place``: join or start an engagement, or take control (not when
    ``occupy`` is False: a unit in flight passes through without taking the town)."""
    unit.location = place
    unit.moving_to = None
    unit.status = "present"
    world.positions_version += 1
    world.recount(unit)
    unit.since_t = world.env.now
    world.at_place.setdefault(place, {})[unit.id] = None
    hostiles = (
        [u for u in world.hostiles_at(place, unit.side) if u.id != unit.id]
        if (place in world.enemy_presence[unit.side])
        else []
    )
    if unit.men < 0.5:
        return  # an empty shell of a unit neither fights nor holds anything
    engagement = world.engagements.get(place)
    if engagement is not None:
        defenders_side = world.units[engagement.defenders[0]].side if engagement.defenders else None
        on_defence = defenders_side is not None and not world.hostile(unit.side, defenders_side)
        (engagement.defenders if on_defence else engagement.attackers).append(unit.id)
        engagement.start_men[unit.id] = unit.men
        engagement.start_kwc[unit.id] = (unit.killed, unit.wounded, unit.captured)
        unit.engagement = engagement.id
        return
    if hostiles:
        # An opposed river crossing only counts when the defenders hold the river line.
        holds_line = (
            river is not None
            and river in world.places[place].get("rivers", ())
            and world.season(world.env.now) not in FROZEN
        )
        start_engagement(
            world, place, [unit], hostiles, surprise and attacking, river if holds_line else None
        )
        return
    if not occupy:
        return
    if _takes(world, unit.side, place):
        _change_control(world, place, world.holder(unit.side), f"occupied by {unit.name}")


def _takes(world: World, side: str, place: str) -> bool:
    """Whether a unit of ``side`` that reaches ``place`` and finds no enemy there takes
    it: the place is held by a side hostile to it, or by no one."""
    return world.hostile_held(place, side) or world.control.get(place, "none") == "none"


def start_engagement(
    world: World,
    place: str,
    attackers: list[UnitState],
    defenders: list[UnitState],
    surprise: bool,
    river: str | None,
) -> None:
    eid = world.next_engagement_id
    world.next_engagement_id += 1
    engagement = Engagement(
        eid,
        place,
        [u.id for u in attackers],
        [u.id for u in defenders],
        surprise=surprise,
        river=river,
    )
    for u in (*attackers, *defenders):
        engagement.start_men[u.id] = u.men
        engagement.start_kwc[u.id] = (u.killed, u.wounded, u.captured)
        u.engagement = eid
    world.engagements[place] = engagement
    posture = _posture(world, place, defenders)
    world.log(
        ev.EngagementStart,
        engagement=eid,
        place=place,
        attackers={u.id: round(u.men, 2) for u in attackers},
        defenders={u.id: round(u.men, 2) for u in defenders},
        posture=posture,
        terrain=_terrain(world, place),
        river=river,
    )
    world.env.process(fight(world, engagement))


def _terrain(world: World, place: str) -> str:
    return world.places[place]["terrain"]


def _posture(world: World, place: str, defenders: list[UnitState]) -> str:
    if world.places[place].get("fortified"):
        return "fortified"
    settled = [u for u in defenders if world.env.now - u.since_t >= PREPARED_AFTER_DAYS]
    if settled and sum(u.men for u in settled) >= 0.5 * sum(u.men for u in defenders):
        return "prepared"
    return "hasty"


def _camp(world: World, ids: list[str]) -> combat.Camp:
    units = [world.units[i] for i in ids]
    return combat.Camp(
        men=np.array([u.men for u in units], dtype=float),
        guns=np.array([u.guns for u in units], dtype=float),
        machine_guns=np.array([u.machine_guns for u in units], dtype=float),
        quality=np.array(
            [u.quality_factor * u.supply * fatigue_factor(u.fatigue) for u in units], dtype=float
        ),
        morale=np.array([u.morale for u in units], dtype=float),
        sides=[u.side for u in units],
    )


# ---------------------------------------------------------------------------- fighting
def fight(world: World, engagement: Engagement):
    """Resolve an engagement step by step until one side is gone from the place."""
    env = world.env
    spec = world.scenario.combat
    dt_days = spec.step_hours / 24.0
    place = engagement.place
    end_t = world.days

    units, eid = world.units, engagement.id

    def present(ids: list[str]) -> list[str]:
        return [
            i
            for i, u in zip(ids, map(units.__getitem__, ids), strict=True)
            if u.location == place
            and u.active
            and u.engagement == eid
            and u.men >= 0.5
            and u.retreat_to is None
        ]

    # Let every unit that reaches the place at this same moment join before the first step.
    yield env.timeout(0)
    while True:
        step = min(dt_days, end_t - env.now)
        if step <= 1e-9:
            break
        attackers, defenders = present(engagement.attackers), present(engagement.defenders)
        if not attackers or not defenders:
            break
        defender_units = [world.units[i] for i in defenders]
        # The tndm law counts time in CDB90's days of battle, which pass in their
        # active hours (campaign.engine.tndm.DECISION_DAYS); other laws in days.
        clock = (
            world.model.battle_days_per_day(_engaged(engagement))
            if isinstance(world.model, combat.TndmModel)
            else 1.0
        )
        situation = combat.Situation(
            posture=_posture(world, place, defender_units),
            terrain=_terrain(world, place),
            river=engagement.river if engagement.steps < 4 else None,
            surprise=engagement.surprise and engagement.steps < 4,
            season=world.season(env.now),
            elapsed_days=engagement.steps * dt_days * clock,
        )
        # Losses are worked out from the forces at the start of the step and suffered
        # by those still in the fight at its end; newcomers join from the next step.
        result = world.model.step(
            _camp(world, attackers), _camp(world, defenders), situation, step * clock, world.rng
        )
        yield env.timeout(step)
        still = set(present(engagement.attackers) + present(engagement.defenders))
        engagement.steps += 1
        ratio = result.power_ratio
        losses: dict[str, list[float]] = {}
        for ids, lost, beaten in (
            (attackers, result.attacker, ratio < 1),
            (defenders, result.defender, ratio >= 1),
        ):
            for uid, men_lost in zip(ids, lost, strict=True):
                if men_lost <= 0 or uid not in still:
                    continue
                unit = world.units[uid]
                killed, wounded, captured = combat.split_losses(men_lost, beaten)
                _lose(unit, float(killed), float(wounded), float(captured))
                if unit.men < 0.5:
                    world.recount(unit)
                engagement.losses[uid] = engagement.losses.get(uid, 0.0) + men_lost
                losses[uid] = [
                    round(float(killed), 2),
                    round(float(wounded), 2),
                    round(float(captured), 2),
                ]
        for uid in still:
            unit = world.units[uid]
            unit.fatigue = min(1.0, unit.fatigue + FATIGUE_PER_COMBAT_DAY * step)
        world.log(
            ev.EngagementStep,
            engagement=engagement.id,
            place=place,
            power_ratio=round(float(min(ratio, 1e6)), 4),
            losses=losses,
        )
        if isinstance(world.model, combat.TndmModel):
            _law_decides(
                world,
                world.model,
                engagement,
                attackers,
                defenders,
                ratio,
                situation,
                engagement.steps * dt_days,
            )
        else:
            if spec.position_depth_km > 0 and ratio > 1.0:
                _advance(world, engagement, situation, ratio, step, spec.position_depth_km)
            if spec.break_points:
                _check_breaks(world, engagement, attackers, defenders, ratio)
        if not present(engagement.attackers) or not present(engagement.defenders):
            break
    _finish(world, engagement)


def _advance(
    world: World,
    engagement: Engagement,
    situation: combat.Situation,
    ratio: float,
    step: float,
    depth_km: float,
) -> None:
    """The attackers advance into the position at the opposed rate of advance
    (:mod:`campaign.engine.advance`); once through it, the defenders still standing
    are driven out without being routed."""
    ground = combat.ground_multiplier(situation, world.scenario.combat.multipliers)
    going = 1.0
    if world.season_march:
        going = world.season_march[world.season(world.env.now)].get("secondary", 1.0)
    engagement.advanced_km += opposed_rate(ratio, situation.posture, ground, going) * step
    if engagement.advanced_km < depth_km:
        return
    for uid in engagement.defenders:
        unit = world.units[uid]
        if unit.location == engagement.place and unit.engagement == engagement.id:
            _break(
                world,
                unit,
                engagement,
                "driven out: the attackers got through the "
                f"position ({engagement.advanced_km:.1f} km at {ratio:.1f}:1)",
                ratio,
                rout=False,
            )


def _partisans_give_way(
    world: World, engagement: Engagement, attackers: list[str], defenders: list[str], ratio: float
) -> bool:
    """Partisans harass but do not hold ground alone against regular troops: True
    (and the partisans break) when only partisans defend against regulars."""
    defender_units = [world.units[i] for i in defenders]
    attacker_units = [world.units[i] for i in attackers]
    if all(u.partisan for u in defender_units) and not all(u.partisan for u in attacker_units):
        for u in defender_units:
            _break(world, u, engagement, "partisans do not hold ground against regulars", ratio)
        return True
    return False


def _share_lost(engagement: Engagement, ids: list[str]) -> float:
    """Men the units ``ids`` have lost in the engagement, as a share of their men on
    joining it."""
    start = sum(engagement.start_men.get(i, 0.0) for i in ids)
    return sum(engagement.losses.get(i, 0.0) for i in ids) / start if start > 0 else 0.0


def _engaged(engagement: Engagement) -> float:
    """Men on both sides when they joined the engagement."""
    return sum(
        engagement.start_men.get(i, 0.0) for i in (*engagement.attackers, *engagement.defenders)
    )


def _law_decides(
    world: World,
    law: combat.TndmModel,
    engagement: Engagement,
    attackers: list[str],
    defenders: list[str],
    ratio: float,
    situation: combat.Situation,
    elapsed_days: float,
) -> None:
    """The ``tndm`` law's own outcome: once the fight has lasted its decision time
    (:func:`campaign.engine.tndm.decision_days`, from CDB90's battle lengths), the side
    the law's outcome rule names gives way, judged on the power ratio of the last step
    and the losses of both sides so far. A defender that gives way is routed with the
    law's odds (a draw from the run's generator). Break points and the 3.5:1 / 0.3:1
    rules of thumb do not apply: the law was calibrated with its own rule."""
    if _partisans_give_way(world, engagement, attackers, defenders, ratio):
        return
    if elapsed_days < law.decision_days(_engaged(engagement)) - 1e-9:
        return
    lost_a = _share_lost(engagement, engagement.attackers)
    lost_d = _share_lost(engagement, engagement.defenders)
    loser = law.gives_way(ratio, lost_a, lost_d)
    lost = lost_a if loser == "attacker" else lost_d
    odds = 1 / max(ratio, 1e-6) if loser == "attacker" else ratio
    routed = False
    if loser == "defender":
        men_d = sum(engagement.start_men.get(i, 0.0) for i in engagement.defenders)
        routed = bool(world.rng.random() < law.odds_routed(ratio, men_d, situation))
    verb = "routed" if routed else "gave way"
    reason = (
        f"{verb} at {ratio:.2f}:1 after {elapsed_days:.2g} days "
        f"(lost {lost:.0%}; attackers {lost_a:.0%}, defenders {lost_d:.0%})"
    )
    for uid in attackers if loser == "attacker" else defenders:
        _break(world, world.units[uid], engagement, reason, odds, routed=routed)


def _check_breaks(
    world: World, engagement: Engagement, attackers: list[str], defenders: list[str], ratio: float
) -> None:
    if _partisans_give_way(world, engagement, attackers, defenders, ratio):
        return
    defender_units = [world.units[i] for i in defenders]
    attacker_units = [world.units[i] for i in attackers]
    if engagement.steps == 1 and ratio >= OVERWHELMING_RATIO:
        for u in defender_units:
            _break(
                world,
                u,
                engagement,
                f"withdrew before overwhelming odds ({ratio:.1f}:1)",
                ratio,
                rout=False,
            )
        return
    if ratio <= HOPELESS_RATIO:
        for u in attacker_units:
            _break(
                world,
                u,
                engagement,
                f"attack called off ({ratio:.2f}:1)",
                1 / max(ratio, 1e-6),
                rout=False,
            )
        return
    for u, odds in [(u, 1 / max(ratio, 1e-6)) for u in attacker_units] + [
        (u, ratio) for u in defender_units
    ]:
        start = engagement.start_men.get(u.id, u.men) or 1.0
        lost_share = engagement.losses.get(u.id, 0.0) / start
        if lost_share >= u.break_point * u.morale or u.men < 0.5:
            _break(world, u, engagement, f"broke after losing {lost_share:.0%}", odds)


def _break(
    world: World,
    unit: UnitState,
    engagement: Engagement,
    reason: str,
    odds: float,
    rout: bool = True,
    routed: bool = False,
) -> None:
    """The unit gives up the fight: it retreats, or surrenders when cut off. With
    ``rout`` it loses the calibrated extra men of a side that gives way, with
    ``routed`` also those of a routed defender (:meth:`TndmModel.withdrawal_loss`)."""
    if unit.engagement != engagement.id or not unit.active:
        return
    place = engagement.place
    attacking = unit.id in engagement.attackers
    if rout and unit.men > 0:
        # A side that gives way loses more men, mostly as prisoners: the extra loss
        # fitted on the 660 battles of CDB90 (campaign.engine.tndm, docs/battles.md).
        start = engagement.start_men.get(unit.id, unit.men) or unit.men
        lost_share = min(0.99, engagement.losses.get(unit.id, 0.0) / start)
        role = "attacker" if attacking else "defender"
        extra = _GIVE_WAY.withdrawal_loss(role, lost_share, 1.0, 1.0 if routed else 0.0)
        captured = min(unit.men, start * float(extra))
        _lose(unit, 0.0, 0.0, captured)
        engagement.losses[unit.id] = engagement.losses.get(unit.id, 0.0) + captured
    unit.engagement = None
    unit.morale = max(0.2, unit.morale - (MORALE_LOSS_ON_BREAK if rout else 0.1))
    # An attack that failed is spent: the unit waits for a new order.
    current = unit.current_order(world.env.now)
    if current is not None and (attacking or current[1].action == Action.hold):
        unit.spent_orders.add(current[0])
    destination = retreat_destination(
        world, unit, place, prefer=unit.came_from if attacking else None
    )
    if destination is None:
        engagement.losses[unit.id] = engagement.losses.get(unit.id, 0.0) + unit.men
        _capitulate(world, unit, place, f"{reason}; no line of retreat")
        return
    world.log(ev.Retreat, unit=unit.id, origin=place, destination=destination, reason=reason)
    unit.rally_until = world.env.now + RALLY_DAYS
    unit.retreat_to = destination
    world.recount(unit)
    world.wake(unit)
    world.notify("break", unit=unit.id, place=place)


def retreat_destination(
    world: World, unit: UnitState, place: str, prefer: str | None = None
) -> str | None:
    """The neighbouring place a beaten unit falls back to, away from the enemy and,
    for a side with supply sources, back along its line of communication (towards
    the nearest source it can reach)."""
    enemy_origins = [
        u.came_from for u in world.hostiles_at(place, unit.side) if u.came_from is not None
    ]
    reach = supply_reach(world, unit.side)
    here_km = reach.get(place, math.inf) if reach is not None else math.inf
    candidates = []
    for n in world.links[place]:
        if world.hostiles_present(n, unit.side):
            continue
        owner = world.control.get(n, "none")
        if owner != "none" and world.hostile(owner, unit.side):
            continue
        score = 2.0 if owner != "none" else 1.0
        if n == prefer:
            score += 3.0
        if n in enemy_origins:
            score -= 5.0
        if reach is not None and reach.get(n, math.inf) < here_km:
            score += RETREAT_TOWARDS_SUPPLY
        friends = sum(1 for u in world.units_at(n) if not world.hostile(u.side, unit.side))
        score += 0.5 * min(friends, 2)
        candidates.append((-score, world.links[place][n]["length_km"], n))
    if not candidates:
        return None
    candidates.sort()
    return candidates[0][2]


def _finish(world: World, engagement: Engagement) -> None:
    place = engagement.place
    world.engagements.pop(place, None)
    attackers = [world.units[i] for i in engagement.attackers]
    defenders = [world.units[i] for i in engagement.defenders]

    def holding(u: UnitState) -> bool:
        return (
            u.location == place
            and u.active
            and u.men >= 0.5
            and u.retreat_to is None
            and u.engagement == engagement.id
        )

    held_att = [u for u in attackers if holding(u)]
    held_def = [u for u in defenders if holding(u)]
    if held_att and not held_def:
        winner, result = "attacker", "defenders broke or withdrew"
    elif held_def and not held_att:
        winner, result = "defender", "attack repulsed"
    else:
        winner, result = "none", "undecided at scenario end"
    by_side: dict[str, dict[str, float]] = {}
    for u in (*attackers, *defenders):
        k0, w0, c0 = engagement.start_kwc.get(u.id, (0.0, 0.0, 0.0))
        side = by_side.setdefault(
            u.side, {"men": 0.0, "killed": 0.0, "wounded": 0.0, "captured": 0.0}
        )
        side["men"] += engagement.start_men.get(u.id, 0.0)
        side["killed"] += u.killed - k0
        side["wounded"] += u.wounded - w0
        side["captured"] += u.captured - c0
    by_side = {s: {k: round(float(v), 2) for k, v in d.items()} for s, d in by_side.items()}
    world.log(
        ev.EngagementEnd,
        engagement=engagement.id,
        place=place,
        winner=winner,
        result=result,
        losses=by_side,
    )
    world.notify(
        "engagement_end",
        place=place,
        winner=winner,
        sides=sorted({u.side for u in (*attackers, *defenders)}),
        attackers=[u.id for u in attackers],
        defenders=[u.id for u in defenders],
    )
    for u in (*attackers, *defenders):
        if u.engagement == engagement.id:
            u.engagement = None
        world.wake(u)
    if winner == "attacker":
        strongest = max(held_att, key=lambda u: (u.men, u.id))
        names = ", ".join(u.name for u in held_att)
        _change_control(
            world,
            place,
            world.holder(strongest.side),
            f"taken by {names} after engagement {engagement.id}",
        )
    elif winner == "defender" and world.hostile_held(place, held_def[0].side):
        _change_control(
            world,
            place,
            world.holder(held_def[0].side),
            f"held by {held_def[0].name} in engagement {engagement.id}",
        )


# ---------------------------------------------------------------------------- units
def unit_life(world: World, unit: UnitState):
    """The whole life of one unit in the theatre, as a SimPy process."""
    env = world.env
    while unit.arrives_t == float("inf"):
        yield _wait(world, unit, None)  # a conditional arrival waits for World.release
    if unit.arrives_t > env.now:
        yield env.timeout(unit.arrives_t - env.now)
    unit.arrived_men = unit.men
    world.log(ev.Arrival, unit=unit.id, side=unit.side, place=unit.home, men=round(unit.men, 2))
    enter_place(world, unit, unit.home, attacking=True, surprise=False)
    world.notify("arrival", unit=unit.id, place=unit.home)
    yield from _in_theatre(world, unit)


def detach(world: World, parent: UnitState, men: float, reason: str) -> UnitState:
    """Split a detachment of ``men`` off ``parent`` where it stands (a garrison left in a
    town it has taken) and return it: a unit of its own, of the parent's side, quality,
    morale, supply and fatigue, with its share of the guns and machine guns. The men
    move from one unit to the other; the side's totals do not change."""
    place = parent.location
    if place is None or parent.status != "present" or not 0 < men < parent.men:
        raise ValueError(f"cannot detach {men} men from {parent.id} ({parent.status})")
    number = world.detachments.get(parent.id, 0) + 1
    world.detachments[parent.id] = number
    share = men / parent.men
    unit = UnitState(
        id=f"{parent.id}.d{number}",
        name=f"{parent.name}, detachment {number}",
        side=parent.side,
        kind="detachment",
        quality=parent.quality,
        quality_factor=parent.quality_factor,
        break_point=parent.break_point,
        men=men,
        guns=parent.guns * share,
        machine_guns=parent.machine_guns * share,
        home=place,
        arrives_t=world.env.now,
        departs_t=parent.departs_t,
        orders=[],
        morale=parent.morale,
        supply=parent.supply,
        days_unsupplied=parent.days_unsupplied,
        fatigue=parent.fatigue,
        commanded=parent.commanded,
    )
    parent.men -= men
    parent.guns -= unit.guns
    parent.machine_guns -= unit.machine_guns
    world.units[unit.id] = unit
    world.log(
        ev.Detach,
        unit=unit.id,
        parent=parent.id,
        name=unit.name,
        side=unit.side,
        kind=unit.kind,
        place=place,
        men=round(men, 2),
        reason=reason,
    )
    enter_place(world, unit, place, attacking=False, surprise=False)
    unit.process = world.env.process(_in_theatre(world, unit))
    return unit


def _in_theatre(world: World, unit: UnitState):
    """A unit's life from its arrival until it leaves the theatre or is destroyed."""
    env = world.env
    last_quiet = env.now
    while unit.status == "present":
        now = env.now
        unit.morale = min(1.0, unit.morale + MORALE_RECOVERY_PER_DAY * (now - last_quiet))
        last_quiet = now
        retreat_to = unit.retreat_to
        if retreat_to is not None and unit.engagement is None:
            unit.retreat_to = None
            world.recount(unit)
            yield from _march(world, unit, retreat_to, mode="retreat", attacking=False)
            continue
        if unit.departs_t is not None and now >= unit.departs_t - 1e-9:
            _depart(world, unit)
            return
        current = unit.current_order(now)
        leaving = current is not None and current[1].action == Action.leave
        if leaving and unit.engagement is None:
            _depart(world, unit)
            return
        if unit.engagement is not None:
            # A withdrawal that has reached its place stands and fights there.
            if current is not None and (
                current[1].action == Action.leave
                or (current[1].action == Action.withdraw and current[1].target != unit.location)
            ):
                _disengage(world, unit)
                continue
            yield _wait(world, unit, None)
            continue
        if now < unit.rally_until:
            yield _wait(world, unit, unit.rally_until)
            continue
        unit.look_again_t = None
        step = _plan(world, unit, current)
        if step is None:
            review = _next_review(world, unit, current)
            if unit.look_again_t is not None:
                review = min(review or unit.look_again_t, unit.look_again_t)
            yield _wait(world, unit, review)
            continue
        next_place, mode, attacking, surprise, objective = step
        yield from _march(world, unit, next_place, mode, attacking, surprise, objective)


def _wait(world: World, unit: UnitState, until: float | None):
    """The event that ends the unit's wait: woken by the world (see :meth:`World.wake`)
    or at the first of ``until``, its next order and its departure."""
    env = world.env
    now = env.now
    wake = unit.wake = env.event()
    due = None
    for t in (until, unit.next_order_t(now), unit.departs_t):
        if t is not None and t > now + 1e-9 and (due is None or t < due):
            due = t
    if due is not None:
        env.timeout(due - now).callbacks.append(
            lambda _: None if wake.triggered else wake.succeed()
        )
    return wake


def _next_review(world: World, unit: UnitState, current) -> float | None:
    """Units without an order in force look at the map again every morning."""
    if current is not None and current[1].action == Action.hold:
        return None
    day = int(world.env.now + 1e-9)
    return day + 1 + 0.25


def _plan(world: World, unit: UnitState, current):
    """Next step as (place, mode, attacking, surprise, objective), or None to stay.

    ``objective`` is the target of the attack order being carried out, if any."""
    here = unit.location
    if current is None:
        step = None if unit.commanded else _commander(world, unit)
        oncoming = _oncoming(world, unit, here, step[0]) if step is not None else None
        if oncoming is not None:
            unit.look_again_t = oncoming.eta
            return None  # meet the enemy column here rather than pass it on the road
        return step
    index, order = current
    if order.action == Action.hold or order.target is None:
        return None
    if here == order.target:
        _order_done(world, unit, index, order)
        return None
    by_rail = order.by_rail and world.scenario.map.rail
    if order.action == Action.attack and not by_rail:
        # An attack takes the open road: only the next place on it is needed.
        path = None
        nxt = world.routes.next_place(here, order.target) if here is not None else None
    else:
        avoid = order.action in (Action.withdraw, Action.move)
        path = _path(world, unit, order.target, avoid_hostile=avoid)
        nxt = path[1] if path is not None and len(path) >= 2 else None
    if nxt is None:
        return None
    if not world.may_cross(unit.side, here, nxt):
        return None  # a demarcation line in force: the unit halts at it
    if not world.may_enter(unit.side, nxt):
        return None  # a neutral side's town: the unit halts before it
    oncoming = _oncoming(world, unit, here, nxt)
    if oncoming is not None:
        # An enemy column is already on this road coming our way: columns do not pass
        # through each other, so the unit meets it here, where it stands.
        unit.look_again_t = oncoming.eta
        return None
    if order.action in (Action.move, Action.withdraw) and world.hostiles_present(nxt, unit.side):
        return None  # a move or a withdrawal halts before the enemy; only an attack goes in
    assaulting = order.action == Action.attack and nxt == order.target
    if assaulting and world.hostiles_present(nxt, unit.side):
        hold = _assault_hold(world, unit, current, here)
        if hold is not None:
            unit.look_again_t = hold
            return None
    mode = "rail" if by_rail and path is not None and _rail_ok(world, path) else "march"
    attacking = order.action == Action.attack
    return nxt, mode, attacking, order.surprise, order.target if attacking else None


def _oncoming(world: World, unit: UnitState, here: str | None, nxt: str) -> UnitState | None:
    """A hostile column marching from ``nxt`` to ``here`` now, or None."""
    road = world.on_road.get((nxt, here)) if here is not None else None
    if not road:
        return None
    for uid in road:
        other = world.units[uid]
        if (
            other.status == "moving"
            and other.retreat_to is None
            and other.men >= 0.5
            and world.hostile(other.side, unit.side)
            and other.eta is not None
        ):
            return other
    return None


def _order_done(world: World, unit: UnitState, index: int, order) -> None:
    """The unit stands at its order's target. An attack whose place is now held by its
    side is spent, so that the unit is free for what comes next; a march is done."""
    if order.action == Action.attack:
        if world.control.get(order.target) != world.holder(unit.side) or world.hostiles_present(
            order.target, unit.side
        ):
            return
        unit.spent_orders.add(index)
    order_id = getattr(order, "id", None)
    if order_id is not None and order_id not in world.done_orders:
        world.done_orders.add(order_id)
        world.notify("order_done", order=order_id, unit=unit.id)


def _assault_hold(world: World, unit: UnitState, current, here: str) -> float | None:
    """How long to hold back from an assault so that a joint attack goes in together.

    Comrades are units ordered to attack the same place on orders issued within a day
    of ours. A comrade on the road in, or standing next to the target, has a known
    arrival: the unit sets off so as to arrive with the last of them, however long
    their march (the units of an attack go in together, not one by one as they come
    up), but never later than ``JOINT_ATTACK_MAX_DAYS`` after its order. For a comrade
    still making for its start line it waits at most ``ASSEMBLY_DAYS`` beyond its own
    march from where the order found it. Returns the time to look again, or None to go
    now.
    """
    index, order = current
    target = order.target
    now = world.env.now
    issued = unit.orders[index][0]
    latest = issued + JOINT_ATTACK_MAX_DAYS
    if now >= latest - 1e-9:
        return None
    deadline = issued + ASSEMBLY_DAYS + march_days(world, unit, target)
    last_arrival = None
    coming_up = False
    for other in _comrades(world, unit, target, issued):
        if other.status not in ("present", "moving", "pending"):
            continue
        if world.hostile(other.side, unit.side) or other.engagement is not None:
            continue
        theirs = [
            (t, o)
            for t, o in other.orders
            if o.action == Action.attack
            and o.target == target
            and abs(t - issued) <= 1.0 + 1e-9
            and t <= now + 1.0
        ]
        if not theirs or other.location == target:
            continue
        if other.moving_to == target:
            arrival = other.eta
        elif (
            other.status == "present"
            and other.location is not None
            and (target in world.links[other.location])
        ):
            if not world.may_cross(other.side, other.location, target):
                continue  # a demarcation line keeps it out of the attack
            arrival = now + _edge_days(world, other, other.location, target, rail=False)
        else:  # still on the way to the start line
            coming_up = True
            continue
        last_arrival = arrival if last_arrival is None else max(last_arrival, arrival)
    if coming_up and now < deadline - 1e-9:
        # Look again when it gets there.
        return min(_next_review(world, unit, current), deadline)
    if last_arrival is None:
        return None
    set_off = min(last_arrival - _edge_days(world, unit, here, target, rail=False), latest)
    if set_off - now <= SYNCHRONISE_DAYS:
        return None
    return set_off


def _comrades(world: World, unit: UnitState, target: str, issued: float) -> list[UnitState]:
    """Other units ordered to attack ``target`` on orders issued within a day of
    ``issued`` (the time of ``unit``'s own order), in id order."""
    ids = {
        uid
        for t, uid in world.attack_orders.get(target, ())
        if abs(t - issued) <= 1.0 + 1e-9 and uid != unit.id
    }
    return [world.units[uid] for uid in sorted(ids)]


def _rouse_comrades(world: World, unit: UnitState) -> None:
    """Wake units waiting to join the attack this unit is making, so that they look
    again at once (it has reached its start line or set off for the target)."""
    current = unit.current_order(world.env.now)
    if current is None or current[1].action != Action.attack:
        return
    target = current[1].target
    issued = unit.orders[current[0]][0]
    for other in _comrades(world, unit, target, issued):
        if other.engagement is not None:
            continue
        theirs = other.current_order(world.env.now)
        if theirs is not None and theirs[1].action == Action.attack and theirs[1].target == target:
            world.wake(other)


def march_days(world: World, unit: UnitState, target: str, around_enemy: bool = False) -> float:
    """Days ``unit`` would take to march from where it stands to ``target`` along the
    shortest road (``around_enemy``: the shortest that passes no place where the enemy
    stands, as a move takes it), at its pace now (0 where there is no road or it is not
    in a place)."""
    if around_enemy and unit.location is not None:
        route = world.routes.plan(unit.location, target, avoid=world.enemy_presence[unit.side])
        path = route.places if route is not None else []
    else:
        path = _path(world, unit, target, avoid_hostile=False) or []
    return sum(
        _edge_days(world, unit, a, b, rail=False) for a, b in zip(path, path[1:], strict=False)
    )


def _rail_ok(world: World, path: list[str]) -> bool:
    return all(world.links[a][b].get("rail") for a, b in zip(path, path[1:], strict=False))


def _power(units: list[UnitState]) -> float:
    return sum(u.men * u.quality_factor * u.morale for u in units)


def _commander(world: World, unit: UnitState):
    """No order in force: fall back if nearly surrounded by a stronger enemy,
    counter-attack at good odds, else hold.

    Only enemy *units* count as a threat (an empty town held by the enemy does not),
    and only when their power around the place is at least the power of the friends
    standing in it. A counter-attack weighs the deciding unit's own power, since it
    goes in alone."""
    here = unit.location
    if here is None:
        return None
    now = world.env.now
    morning = int(now + 1e-9) + ORDER_HOUR
    if now < morning - 1e-9:
        unit.look_again_t = morning  # commanders act with the day's orders, at 06:00
        return None
    neighbours = list(world.links[here])
    # Neighbours where enemy units stand, from the tally; they are looked at (scanned)
    # only when the decision needs their strength.
    hostile_near = [n for n in neighbours if world.hostiles_present(n, unit.side)]
    if not hostile_near:
        return None  # nothing to fall back from or to counter-attack
    if (
        len(neighbours) >= 2
        and len(hostile_near) >= 2
        and len(hostile_near) >= 0.6 * len(neighbours)
    ):
        enemy_power = sum(_power(world.hostiles_at(n, unit.side)) for n in hostile_near)
        friends = [u for u in world.units_at(here) if not world.hostile(u.side, unit.side)]
        if enemy_power >= _power(friends):
            destination = retreat_destination(world, unit, here)
            if destination is not None and destination not in hostile_near:
                world.log(
                    ev.OrderIssued,
                    unit=unit.id,
                    action="withdraw",
                    target=destination,
                    by="commander",
                    reason=f"threatened with encirclement at {here}",
                )
                return destination, "march", False, False, None
    if unit.partisan:
        return None  # partisans do not counter-attack on their own
    own_power = _power([unit])
    for n in sorted(hostile_near):
        wanted = n in world.objectives.get(unit.side, ()) or (
            world.initial_control.get(n) == world.holder(unit.side)
        )
        if not wanted:
            continue
        enemy_power = _power(world.hostiles_at(n, unit.side)) * 1.3
        if enemy_power > 0 and own_power >= COUNTERATTACK_RATIO * enemy_power:
            world.log(
                ev.OrderIssued,
                unit=unit.id,
                action="attack",
                target=n,
                by="commander",
                reason=f"counter-attack at {own_power / enemy_power:.1f}:1",
            )
            return n, "march", True, False, None
    return None


def _march(
    world: World,
    unit: UnitState,
    destination: str,
    mode: str,
    attacking: bool,
    surprise: bool = False,
    objective: str | None = None,
):
    env = world.env
    origin = unit.location
    data = world.links[origin].get(destination) if origin is not None else None
    if data is None:
        return
    days = _edge_days(world, unit, origin, destination, rail=mode == "rail")
    world.log(
        ev.MoveStart,
        unit=unit.id,
        origin=origin,
        destination=destination,
        km=round(data["length_km"], 2),
        mode=mode,
    )
    _leave_place(world, unit)
    unit.status = "moving"
    unit.moving_to = destination
    unit.came_from = origin
    world.positions_version += 1
    unit.eta = env.now + days
    road = world.on_road.setdefault((origin, destination), {})
    road[unit.id] = None
    if objective == destination:
        _rouse_comrades(world, unit)  # the assault is on its way in
    set_off = start = env.now
    turned = False
    while True:
        # A column on the road can be given a new order (World.issue interrupts it,
        # except in a retreat before the unit has rallied): it turns back when that
        # is the shorter way.
        rallied = mode != "retreat" or env.now >= unit.rally_until - 1e-9
        unit.on_leg = rallied
        until = unit.eta if rallied else min(unit.eta, unit.rally_until)
        try:
            yield env.timeout(max(0.0, until - env.now))
            if until >= unit.eta:
                break
            continue  # rallied on the road: from now on it can be given a new order
        except simpy.Interrupt:
            share = (env.now - start) / (unit.eta - start) if unit.eta > start else 1.0
            if not _turn_back(world, unit, origin, destination, share):
                continue
            # Back the way it came, as far as it has gone.
            if mode == "retreat":
                mode = "march"  # a rallied column sent forward again
            road.pop(unit.id, None)
            origin, destination = destination, origin
            road = world.on_road.setdefault((origin, destination), {})
            road[unit.id] = None
            unit.moving_to, unit.came_from = destination, origin
            unit.eta, start = env.now + (env.now - start), env.now - (unit.eta - env.now)
            world.positions_version += 1
            world.log(
                ev.MoveStart,
                unit=unit.id,
                origin=origin,
                destination=destination,
                km=round(data["length_km"] * share, 2),
                mode=mode,
            )
            turned, attacking, surprise, objective = True, False, False, None
    unit.on_leg = False
    road.pop(unit.id, None)
    unit.fatigue = min(
        1.0, unit.fatigue + FATIGUE_PER_MARCH_DAY * (env.now - set_off if turned else days)
    )
    if unit.status != "moving":
        return
    world.log(ev.MoveEnd, unit=unit.id, place=destination)
    # Whether the column is falling back through is asked only where it would take the
    # town (most marches end in a town of its own side's).
    occupy = mode != "retreat" and not (
        _takes(world, unit.side, destination) and _falling_back_through(world, unit, destination)
    )
    enter_place(
        world,
        unit,
        destination,
        attacking=attacking,
        surprise=surprise,
        river=data.get("river"),
        occupy=occupy,
    )
    if objective is not None and unit.engagement is None and objective in world.links[destination]:
        _rouse_comrades(world, unit)  # it has reached its start line


def _turn_back(world: World, unit: UnitState, origin: str, ahead: str, share: float) -> bool:
    """Whether a column ``share`` of the way from ``origin`` to ``ahead`` turns back
    under its order now in force: when going back is the shorter way to the order's
    target, or when it is not on its way to attack and the enemy stands ahead (a
    march or a withdrawal does not walk into the enemy, nor back into the enemy
    behind it, as a column thrown back from a fight would)."""
    current = unit.current_order(world.env.now)
    order = current[1] if current is not None else None
    target = order.target if order is not None else None
    if target is None or target == ahead:
        return False
    if order.action != Action.attack and world.hostiles_present(origin, unit.side):
        return False
    back_km = 0.0 if target == origin else world.routes.open_km(origin, target)
    if back_km is None:
        return False  # no way to the target from behind: keep going
    if order.action != Action.attack and world.hostiles_present(ahead, unit.side):
        return True
    km = world.links[origin][ahead]["length_km"]
    on_km = world.routes.open_km(ahead, target)
    on = (1.0 - share) * km + (math.inf if on_km is None else on_km)
    return share * km + back_km < on


def _falling_back_through(world: World, unit: UnitState, place: str) -> bool:
    """True when the unit is on its way back under a withdraw order and ``place`` is not
    where it is going: a column falling back passes through towns, it does not take
    them."""
    current = unit.current_order(world.env.now)
    return (
        current is not None and current[1].action == Action.withdraw and current[1].target != place
    )


def _disengage(world: World, unit: UnitState) -> None:
    engagement = world.engagements.get(unit.location or "")
    unit.engagement = None
    if engagement is not None:
        destination = retreat_destination(world, unit, engagement.place)
        if destination is not None:
            world.log(
                ev.Retreat,
                unit=unit.id,
                origin=engagement.place,
                destination=destination,
                reason="ordered to withdraw",
            )
            unit.retreat_to = destination
            world.recount(unit)


def _depart(world: World, unit: UnitState) -> None:
    """The unit leaves the theatre with all its men (its departure date or a leave order)."""
    place = unit.location or unit.home
    world.log(ev.Departure, unit=unit.id, side=unit.side, place=place, men=round(unit.men, 2))
    unit.departed_men += unit.men
    unit.men = 0.0
    _leave_place(world, unit)
    unit.status = "departed"
    world.positions_version += 1
    world.notify("departure", unit=unit.id, place=place)


def start_clashes(world: World) -> None:
    """Sides that have just become hostile fight where their units stand together:
    the side that does not hold the place attacks."""
    for place, ids in list(world.at_place.items()):
        if place in world.engagements or not ids:
            continue
        units = [
            world.units[u]
            for u in ids
            if world.units[u].men >= 0.5
            and world.units[u].retreat_to is None
            and world.units[u].engagement is None
        ]
        owner = world.control.get(place, "none")
        defenders = [u for u in units if owner != "none" and not world.hostile(u.side, owner)]
        attackers = [u for u in units if owner == "none" or world.hostile(u.side, owner)]
        if not defenders:
            continue
        attackers = [u for u in attackers if any(world.hostile(u.side, d.side) for d in defenders)]
        if attackers:
            start_engagement(world, place, attackers, defenders, False, None)


# ---------------------------------------------------------------------------- rear
def rear_control(world: World):
    """Ground behind the front changes hands without a fight, once a day at 06:00.

    A town where no unit stands passes to a side hostile to its holder when, for
    ``REAR_CONTROL_DAYS`` running, units of that side are within two road links (and,
    if another hostile side's are too, only that side's are next to it), none of the holder's or of sides friendly to it are
    next to it or two links off by a road through a town the taker does not hold,
    and either
    (a) every neighbouring town is held by that side (an enclave the front has
    passed), or (b) a unit of that side stands next to it and at least half of its
    neighbours are that side's (ground the enemy has left, taken over by the side's
    patrols, partisans and local administration)."""
    env = world.env
    pending: dict[str, tuple[str, int]] = {}
    # The changes wanted depend only on who is present where, who holds what and
    # who is hostile to whom: on a day when none of that changed since the day
    # before, they are the day before's.
    looked_at: tuple[dict[str, set[str]], int, int] | None = None
    wanted: dict[str, str] = {}
    for day in range(world.days):
        yield env.timeout(day + ORDER_HOUR - env.now)
        if world.scenario.supply.sources or world.scenario.supply.live_off_land:
            update_supply(world)
            _capitulate_in_pockets(world)
        for unit in world.units.values():
            # A day's rest for every unit that is neither marching nor fighting.
            if unit.fatigue > 0 and unit.status == "present" and unit.engagement is None:
                unit.fatigue = max(0.0, unit.fatigue - FATIGUE_RECOVERY_PER_DAY)
        present = _presence(world)
        ground = (present, world.control_version, world.hostility_version)
        if ground != looked_at:
            wanted = _rear_changes(world, present)
            looked_at = ground
        for place, side in wanted.items():
            first_side, first_day = pending.get(place, (side, day))
            if first_side != side:
                first_day = day
            pending[place] = (side, first_day)
            if day - first_day >= REAR_CONTROL_DAYS:
                _change_control(world, place, side, "left by the enemy behind the front")
                pending.pop(place, None)
        for place in [p for p in pending if p not in wanted]:
            del pending[place]


def _capitulate_in_pockets(world: World) -> None:
    """Units left in a pocket for ``ENCIRCLED_SURRENDER_DAYS`` capitulate: their men
    become prisoners and the unit leaves the campaign."""
    for unit in list(world.units.values()):
        place = unit.location
        if (
            unit.days_encircled < ENCIRCLED_SURRENDER_DAYS
            or unit.status != "present"
            or unit.engagement is not None
            or unit.partisan
            or place is None
            or unit.men < 0.5
        ):
            continue
        if not all(
            world.hostile_held(n, unit.side) or world.hostiles_at(n, unit.side)
            for n in world.links[place]
        ):
            continue  # a town next to it is still its side's or no one's: not a pocket
        # Ringed by enemy towns is not enough: a pocket is held shut by enemy troops
        # at least as strong as those inside it. A division among empty enemy towns
        # is out of supply, not encircled.
        inside = sum(_pocket_power(u) for u in world.units_at(place) if u.side == unit.side)
        around = sum(
            _pocket_power(u) for n in world.links[place] for u in world.hostiles_at(n, unit.side)
        )
        if around < inside:
            continue
        _capitulate(
            world,
            unit,
            place,
            f"in a pocket, cut off from every supply route for {unit.days_encircled} days",
        )


def _pocket_power(unit: UnitState) -> float:
    """A unit's weight in a pocket: its men times its quality, supply and fatigue."""
    return unit.men * unit.quality_factor * unit.supply * fatigue_factor(unit.fatigue)


def _capitulate(world: World, unit: UnitState, place: str, reason: str) -> None:
    """The unit surrenders at ``place``: its men become prisoners
    (:data:`CAPTURED_WHEN_CUT_OFF`) and it leaves the campaign."""
    world.log(ev.Surrender, unit=unit.id, place=place, men=round(unit.men, 2), reason=reason)
    _lose(unit, 0.0, 0.0, unit.men * CAPTURED_WHEN_CUT_OFF)
    _leave_place(world, unit)  # counts the change of positions
    unit.status = "destroyed"
    world.wake(unit)
    world.notify("break", unit=unit.id, place=place)


def _presence(world: World) -> dict[str, set[str]]:
    """place -> the sides whose units stand there (not retreating, not empty) or
    march on a road from or to it."""
    present: dict[str, set[str]] = {}
    unit_of = world.units.__getitem__
    for place, ids in world.at_place.items():
        if ids:  # places units have left keep an empty entry
            sides = {u.side for u in map(unit_of, ids) if u.men >= 0.5 and u.retreat_to is None}
            if sides:
                present[place] = sides
    for (origin, destination), ids in world.on_road.items():
        if not ids:  # roads units have left keep an empty entry
            continue
        # A column on the road is present at both ends of it.
        for unit in map(unit_of, ids):
            if unit.status == "moving" and unit.men >= 0.5:
                present.setdefault(origin, set()).add(unit.side)
                present.setdefault(destination, set()).add(unit.side)
    return present


def _rear_changes(world: World, present: dict[str, set[str]]) -> dict[str, str]:
    """place -> the side it passes to (see :func:`rear_control`), given who is
    ``present`` where (see :func:`_presence`)."""
    hostile, holder_of = world.hostile_pairs, world.holder_of
    # Only a place with some side's units within two links can change hands.
    near_by = _within_two_links(world)
    candidates: set[str] = set()
    for place in present:
        candidates.update(near_by.get(place, ()))

    sides_present = set().union(*present.values())

    def friends_present(owner: str) -> frozenset[str]:
        """The places where units of ``owner`` or of sides not hostile to it are."""
        # Only the sides present are asked about: with thousands of sides the
        # hostility table is filled for the pairs in use only.
        friends = {s for s in sides_present if not hostile[(s, owner)]}
        return frozenset(p for p, there in present.items() if not there.isdisjoint(friends))

    friends_of = LazyTable(friends_present)  # worked out for the holders asked about
    changes: dict[str, str] = {}
    for place, owner in world.control.items():
        if owner == "none" or place not in candidates or place in present:
            continue
        neighbours = world.links[place]
        friends_at = friends_of[owner]
        if not friends_at.isdisjoint(neighbours):
            continue  # the holder's friends are next to it
        near = {s for m in near_by[place] if m in present for s in present[m]}
        takers = sorted({holder_of[s] for s in near if hostile[(s, owner)]})
        if len(takers) > 1:
            # Several sides near: the town goes to the one whose troops are next to it.
            takers = sorted(
                {
                    holder_of[s]
                    for n in neighbours
                    if n in present
                    for s in present[n]
                    if hostile[(s, owner)]
                }
            )
        if len(takers) != 1:
            continue  # no one, or more than one side
        taker = takers[0]
        if _holder_within_reach(world, place, taker, friends_at):
            continue  # the holder's own troops can still come back to it
        holders = {world.control.get(n, "none") for n in neighbours}
        if holders == {taker}:
            changes[place] = taker  # (a) an enclave the front has passed
            continue
        beside = any(holder_of[s] == taker for n in neighbours for s in present.get(n, ()))
        held_by_taker = sum(world.control.get(n) == taker for n in neighbours)
        if beside and held_by_taker >= 0.5 * len(neighbours):
            changes[place] = taker  # (b) ground the enemy has left
    return changes


def _holder_within_reach(world: World, place: str, taker: str, friends_at: frozenset[str]) -> bool:
    """Whether units of the holder of ``place`` or of a side not hostile to it (present
    at ``friends_at``) stand two links from it by a road through a town ``taker`` does
    not hold (troops beyond the taker's line do not keep a town behind it)."""
    control, links = world.control, world.links
    for n in links[place]:
        if control.get(n) == taker:
            continue
        for m in links[n]:
            if m != place and m in friends_at:
                return True
    return False


def _within_two_links(world: World) -> dict[str, frozenset[str]]:
    """place -> the other places at most two road links from it (worked out once)."""
    if not world.within_two_links:
        links = world.links
        world.within_two_links = {
            place: frozenset({*neighbours, *(m for n in neighbours for m in links[n])} - {place})
            for place, neighbours in links.items()
        }
    return world.within_two_links


# ---------------------------------------------------------------------------- chronicle
def chronicle(world: World):
    """Record every unit's strength and place at the end of each day."""
    env = world.env
    for day in range(world.days):
        yield env.timeout(day + DAY_END - env.now)
        if world.daily_log:
            world.log(
                ev.DailyState,
                units={
                    u.id: [round(u.men, 2), u.location or f"{u.came_from}>{u.moving_to}"]
                    for u in world.units.values()
                    if u.status in ("present", "moving")
                },
            )
