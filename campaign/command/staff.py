"""Commanders that work through an intent's objectives.

One SimPy process per intent. Each morning at 06:00, and whenever something happens
that a commander would hear of (a town changes hands, a fight ends, a unit breaks or
arrives), the commander of an active intent, with the units he commands now:

1. looks at his side's perceived picture of the enemy (:mod:`.perception`);
2. keeps each ``hold`` objective's garrison in place, pulls it out while a road is
   open when it is nearly surrounded by a stronger enemy, and retakes a lost place of
   ours with its garrison and the units near it; screens fall back before a stronger
   enemy marching on them; a held place an enemy marches on is reinforced;
3. halts units out of supply too long, and stops attacking once his force is spent;
4. works through the objectives in order (one whose condition does not hold yet stops
   the sequence; those that name their units run side by side): for a place to take
   he compares the power of his units close to it, and of other commands aiming at it,
   with the perceived enemy power there times the defender's posture, terrain and
   river factors; at or above the attack ratio (or when the source says the attack was
   ordered: ``assault``) he attacks and the units set off to arrive together; below it
   they gather at the town next to the objective and wait; a place with no enemy seen
   is occupied, enemy ground out of sight approached first;
5. once an objective is taken he moves on to the next one at once (exploitation).

Decisions are logged with the perceived and the true ratio. The engine carries the
orders out and does not know why they were given.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from campaign.command import doctrine
from campaign.command.conditions import Facts, describe, holds
from campaign.command.perception import Picture, unit_power
from campaign.engine import combat
from campaign.engine import log as ev
from campaign.engine.processes import detach, march_days
from campaign.engine.season import FROZEN
from campaign.engine.supply import (
    SUPPLY_HALT_DAYS,
    SUPPLY_RADIUS_KM,
    supply_distances,
    supply_link_km,
    supply_reach,
)
from campaign.engine.world import PREPARED_AFTER_DAYS, order_time
from campaign.scenario.schema import Action, Intent, IntentStep, Order, formations_under


@dataclass
class Staff:
    """The commander of one intent and what he remembers between reviews."""

    intent: Intent
    allotted: list[str]
    attack_ratio: float
    picture: Picture
    active: bool = False
    done: bool = False
    given: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    waiting_logged: dict[str, int] = field(default_factory=dict)
    start_powers: dict[str, float] = field(default_factory=dict)  # per unit, at the start
    spent: bool = False
    ever_held: set[str] = field(default_factory=set)
    assaulted: set[int] = field(default_factory=set)  # ordered assaults already launched
    #: Places to gather at or fall back to that every unit has reached: done for good
    #: (the units leaving them for the next objective do not undo them).
    reached: set[int] = field(default_factory=set)
    #: Places to hold that the garrison left because it was nearly surrounded: given
    #: up for good by this intent (neither reoccupied nor retaken).
    given_up: set[str] = field(default_factory=set)
    active_since: float = 0.0  # when the intent came into force
    #: When a unit held back for a dated attack (``attack_on``) is due to set off.
    look_at: float = math.inf
    #: Places the intent took and left a detachment in: place -> the unit.
    kept: dict[str, str] = field(default_factory=dict)
    units: list[str] = field(default_factory=list)  # those it commands at this review
    #: The intent has places to take (so its force can be spent).
    attacking: bool = field(init=False)
    #: The defender's factor by (posture, terrain, river) as this staff reckons it
    #: (the scenario's multipliers do not change during a run).
    defence_factors: dict[tuple[str, str, str | None], float] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        self.units = list(self.allotted)
        self.attacking = any(st.kind == "take" for st in self.intent.objectives)


def allotted_units(intent: Intent, scenario: Any) -> list[str]:
    """The units an intent commands: those listed, and every unit under its formation."""
    ids = list(intent.units)
    if intent.formation is not None:
        parent_of = {f.id: f.parent for f in scenario.formations}
        under = formations_under(intent.formation, parent_of)
        ids += [u.id for u in scenario.units if u.parent in under and u.id not in ids]
    return ids


def run_staff(world: Any, staff: Staff, facts: Facts, wake_events: list):
    """The intent's commander as a SimPy process."""
    env = world.env
    intent = staff.intent
    start_t = order_time(world.start, intent.date) if intent.date else doctrine.REVIEW_HOUR
    end_t = order_time(world.start, intent.until) + 1.0 if intent.until else math.inf
    if start_t > env.now:
        yield env.timeout(start_t - env.now)
    if intent.attack_on is not None:
        # The source dates the attack itself: the intent comes into force when the
        # unit with the longest march to its objective has to set off to be there at
        # first light (looked at again each morning: units may still be coming up).
        strike_t = order_time(world.start, intent.attack_on)
        while env.now < strike_t - 1e-9:
            set_off = strike_t - _approach_days(world, staff)
            if env.now >= set_off - 1e-9:
                break
            yield env.timeout(min(set_off, next_morning(env.now)) - env.now)
    while True:
        if env.now >= end_t:
            _finish(world, staff, facts, "its last day has passed", release=True)
            return
        if not staff.active and (intent.when is None or holds(intent.when, world, facts)):
            if intent.when is not None:
                world.log(
                    ev.TriggerFired, what=f"intent {intent.id}", condition=describe(intent.when)
                )
                delay = _decision_delay(world, staff)
                if delay > 0:
                    # A decision taken on news from the front reaches the units as
                    # orders only after the staff has worked them out.
                    yield env.timeout(delay)
            staff.active = True
            staff.active_since = env.now
            for uid in staff.units:
                facts.claim(uid, intent.id)
                world.units[uid].commanded = True
            _decided(world, staff, "start", None, _present(world, staff), "intent in force")
            staff.start_powers = {
                u: unit_power(world.units[u])
                for u in staff.units
                if world.units[u].status in ("present", "moving")
            }
        if staff.active and review(world, staff, facts):
            _finish(world, staff, facts, "every objective done")
            return
        look_at = staff.look_at if staff.look_at > env.now + 1e-9 else math.inf
        yield _next_wake(world, wake_events, min(end_t, look_at))


def next_morning(now: float) -> float:
    """The next morning review time (``REVIEW_HOUR``) strictly after ``now``."""
    morning = int(now + 1e-9) + doctrine.REVIEW_HOUR
    return morning + 1.0 if morning <= now + 1e-9 else morning


def _first_targets(staff: Staff) -> dict[str, str]:
    """Each allotted unit's first place to take: the first objective naming it, or the
    first naming no units."""
    takes = [st for st in staff.intent.objectives if st.kind == "take"]
    general = next((st.place for st in takes if not st.units), None)
    out = {}
    for uid in staff.allotted:
        named = next((st.place for st in takes if uid in st.units), None)
        if named or general:
            out[uid] = named or general
    return out


def _approach_days(world: Any, staff: Staff) -> float:
    """The longest march, in days, from where the allotted units stand now to their
    first objectives."""
    longest = 0.0
    for uid, target in _first_targets(staff).items():
        unit = world.units[uid]
        if unit.status == "present" and unit.location is not None:
            clear = _clear_of_enemy(world, staff, target)
            longest = max(longest, _march_to_contact(world, staff, unit, target, clear))
    return longest


def _march_to_contact(world: Any, staff: Staff, unit: Any, target: str, clear: bool) -> float:
    """Days ``unit`` needs to reach the fight for ``target``: to the target itself on a
    road round the enemy when the target is seen to be empty (``clear``: see
    :func:`_clear_of_enemy`), otherwise to the first enemy town on the open road to it
    (the attack goes in there first)."""
    if clear:
        return march_days(world, unit, target, around_enemy=True)
    side = staff.intent.side
    path = world.routes.path(unit.location, target) or [target]
    contact = next(
        (p for p in path[1:] if world.hostile_held(p, side) or staff.picture.enemy_seen_at(p)),
        target,
    )
    return march_days(world, unit, contact)


def _clear_of_enemy(world: Any, staff: Staff, place: str) -> bool:
    """The side can see ``place`` and sees no enemy in it."""
    return not staff.picture.enemy_seen_at(place) and place in staff.picture.visible_places(world)


def _set_off_in_time(world: Any, staff: Staff, tasks: list) -> list:
    """Before a dated attack (``attack_on``), hold back the units whose march to their
    objective is shorter than the time left, so that each arrives at first light on
    the day, and send each off when its time comes, whatever the odds (the attack was
    ordered); the staff looks again when the next of them has to set off. A unit bound
    for a place seen to be empty marches there on a road that keeps clear of the enemy
    (it is not to start the fight early somewhere else), and is left to it."""
    strike_t = order_time(world.start, staff.intent.attack_on)
    now = world.env.now
    staff.look_at = math.inf
    kept = []
    for step, units in tasks:
        going = []
        for u in units:
            if step.kind != "take":
                going.append(u)
                continue
            if staff.given.get(u.id) in (("move", step.place), ("attack", step.place)) and (
                u.location != step.place and now < strike_t + 1.0
            ):
                continue  # on its approach march, or its dated attack going in
            if now >= strike_t - 1e-9 or u.status != "present" or u.location is None:
                going.append(u)
                continue
            empty = _clear_of_enemy(world, staff, step.place)
            set_off = strike_t - _march_to_contact(world, staff, u, step.place, empty)
            if set_off > now + 1e-9:
                staff.look_at = min(staff.look_at, set_off)
                _hold_where_it_stands(
                    world,
                    staff,
                    u,
                    f"sets off for {step.place} in time for the attack on {staff.intent.attack_on}",
                    log=False,
                )
            elif empty:
                _give(
                    world,
                    staff,
                    u.id,
                    Action.move,
                    step.place,
                    f"take {step.place}: no enemy seen there; marching round the enemy "
                    f"to be there on {staff.intent.attack_on}",
                )
            else:
                _give(
                    world,
                    staff,
                    u.id,
                    Action.attack,
                    step.place,
                    f"take {step.place}: the attack is ordered for {staff.intent.attack_on}",
                )
        if going:
            kept.append((step, going))
    return kept


def _decision_delay(world: Any, staff: Staff) -> float:
    """Days from an intent's trigger to its orders reaching the units: none when the
    condition is only a date (the source dates the decision itself)."""
    intent = staff.intent
    if all(leaf.date is not None for leaf in intent.when.leaves()):
        return 0.0
    if any(step.kind == "withdraw_to" for step in intent.objectives):
        return 0.0  # falling back is ordered at once: there is no attack to prepare
    units = staff.allotted
    if units and all(world.units[u].partisan for u in units if u in world.units):
        return 0.0  # partisans act on their own news, without a staff
    override = world.scenario.command.decision_delay_days
    return doctrine.DECISION_DELAY_DAYS if override is None else override


def _next_wake(world: Any, wake_events: list, end_t: float):
    env = world.env
    now = env.now
    due = min(next_morning(now), end_t)
    wake = env.event()
    wake_events.append(wake)
    env.timeout(max(0.0, due - now)).callbacks.append(
        lambda _: None if wake.triggered else wake.succeed()
    )
    return wake


def _finish(world: Any, staff: Staff, facts: Facts, reason: str, release: bool = False) -> None:
    """The intent is over. Its units stay where it left them until a later intent
    takes them over; only an intent whose time ran out (``until``) hands them back to
    the commands that had them before."""
    staff.done = True
    if release:
        for uid in staff.allotted:
            facts.release(uid, staff.intent.id)
    facts.intents_done.add(staff.intent.id)
    _decided(world, staff, "end", None, _present(world, staff), reason)
    world.notify("intent_done", intent=staff.intent.id)


def _present(world: Any, staff: Staff) -> list[str]:
    return [u for u in staff.units if world.units[u].status in ("present", "moving")]


def _free(world: Any, unit: Any) -> bool:
    """Able to take an order now: in the theatre, not fighting, not falling back or
    rallying, and with men left."""
    return (
        unit.status in ("present", "moving")
        and unit.engagement is None
        and unit.retreat_to is None
        and unit.men >= 0.5
        and world.env.now >= unit.rally_until - 1e-9
    )


def review(world: Any, staff: Staff, facts: Facts) -> bool:
    """One review of the intent; True when every objective is done. The commander
    works only with the units he commands now (another intent or a conditional order
    may have taken some over)."""
    facts.aims.pop(staff.intent.id, None)
    staff.units = facts.commanded_by(staff.intent.id, staff.allotted)
    return _review(world, staff, facts)


def _review(world: Any, staff: Staff, facts: Facts) -> bool:
    intent = staff.intent
    side = intent.side
    staff.picture.look(world)
    # Objectives are worked through in order: one to take, gather at or fall back to
    # whose condition does not hold yet stops the sequence there (the commander waits);
    # a hold or screen whose condition does not hold is simply not in force.
    steps: list[IntentStep] = []
    blocked = False
    for step in intent.objectives:
        ready = step.when is None or holds(step.when, world, facts)
        if step.kind in ("take", "assemble", "withdraw_to"):
            blocked = blocked or not ready
            if blocked:
                continue
        elif not ready:
            continue
        steps.append(step)
    garrisons: set[str] = set()
    lost_hold: IntentStep | None = None
    for step in steps:
        if step.kind != "hold" or step.place in staff.given_up:
            continue
        if _held(world, step.place, side):
            staff.ever_held.add(step.place)
        elif step.place not in staff.ever_held and (
            world.initial_control.get(step.place) != world.holder(side)
        ):
            continue  # not ours yet: a place to hold once it is taken
        elif (
            staff.active_since >= world.control_since.get(step.place, 0.0)
            or world.env.now - world.control_since.get(step.place, 0.0)
            <= doctrine.COUNTERATTACK_DAYS
        ):
            # A place of ours just lost, or lost before this intent was decided (to
            # hold it is then to retake it): the units near it retake it.
            lost_hold = lost_hold or step
            continue
        else:
            continue  # lost for longer: retaking it would be a new decision
        garrisons.update(step.units)
        if _cut_off(world, staff, step, side):
            continue
        for uid in [u for u in step.units if u in staff.units]:
            unit = world.units[uid]
            if _free(world, unit) and unit.location != step.place:
                _give(world, staff, uid, Action.move, step.place, f"garrison of {step.place}")
            elif _free(world, unit) and staff.given.get(uid) != ("hold", step.place):
                _give(world, staff, uid, Action.hold, step.place, f"garrison of {step.place}")
    for step in steps:
        if step.kind == "screen" and _held(world, step.place, side):
            garrisons.update(_screen_units(staff, step, steps))  # free once the place is lost
    # What is still to do does not change below: the orders given on the way change
    # neither who holds which place nor where the units stand.
    pending = _pending_steps(world, staff, steps)
    garrisons.update(_keep_what_is_taken(world, staff, facts, steps, pending, garrisons))
    free = [world.units[u] for u in staff.units if u not in garrisons]
    free = [u for u in free if _free(world, u)]
    # A withdrawal is not halted for want of supply: falling back is the way to it.
    withdrawing = any(st.kind == "withdraw_to" for st in pending)
    halted = [] if withdrawing else [u for u in free if u.days_unsupplied > SUPPLY_HALT_DAYS]
    if halted:
        # Out of supply too long: these units stop and hold where they are; a unit cut
        # off from every supply route breaks out towards the nearest supplied town.
        for u in halted:
            if u.location is None:
                continue
            out = _way_out(world, side, u.location)
            if out is not None:
                if staff.given.get(u.id) != ("attack", out):
                    _give(
                        world,
                        staff,
                        u.id,
                        Action.attack,
                        out,
                        f"cut off from supply for {u.days_unsupplied} days: breaks out "
                        f"towards {out}",
                    )
            elif (gap := _gap_in_the_line(world, staff, u)) is not None:
                if staff.given.get(u.id) != ("attack", gap):
                    _give(
                        world,
                        staff,
                        u.id,
                        Action.attack,
                        gap,
                        f"out of supply for {u.days_unsupplied} days: takes {gap}, an enemy "
                        f"town on its line of communication",
                    )
            else:
                _hold_where_it_stands(
                    world,
                    staff,
                    u,
                    f"out of supply for {u.days_unsupplied} days: the advance halts",
                )
        # By id: comparing unit states field by field would be slow.
        halted_ids = {u.id for u in halted}
        free = [u for u in free if u.id not in halted_ids]
    if staff.attacking and not staff.spent and staff.units:
        # Measured on the units it still commands, against what they had at the start.
        start = sum(staff.start_powers.get(u, 0.0) for u in staff.units)
        power = sum(
            unit_power(world.units[u])
            for u in staff.units
            if world.units[u].status in ("present", "moving")
        )
        if start > 0 and power < doctrine.SPENT_SHARE * start:
            staff.spent = True
            _decided(
                world,
                staff,
                "hold",
                None,
                [u.id for u in free],
                f"offensive spent: {power / start:.0%} of the "
                "force's power left; going over to the defence",
            )
    _screen(world, staff, steps)
    # A force falling back does not turn round to reinforce a place on the way: only
    # the garrison the intent names for it stays (the Soviets behind the Daugava kept
    # Griva with one battalion while the rest crossed).
    falling_back = bool(pending) and pending[0].kind == "withdraw_to"
    threatened = None if lost_hold or falling_back else _threatened(world, staff, steps, garrisons)
    if threatened is not None:
        # A threat that comes from the objective itself is met by attacking it when
        # the odds allow (the gathering place is then the threatened one).
        ahead = pending[0] if pending else None
        if (
            ahead is not None
            and ahead.kind == "take"
            and (ahead.place in world.links[threatened[0]])
            and staff.picture.enemy_at(ahead.place)
        ):
            threatened = None
    reserve = free
    if threatened is not None and free:
        place, enemy, own, factor = threatened
        # Only the units that can get there while it matters.
        reserve = [u for u in free if _within_reach(world, u, place)]
        if not reserve:
            threatened = None  # no one near enough: the others go on with their tasks
        elif (
            own + sum(unit_power(u) for u in reserve) * factor
        ) < doctrine.WORTH_REINFORCING * enemy:
            threatened = None  # a lost cause: the reserve is kept for what it can save
    if threatened is not None and reserve:
        place, enemy, own, _factor = threatened
        for u in reserve:
            if u.location != place and staff.given.get(u.id) != ("move", place):
                _give(
                    world,
                    staff,
                    u.id,
                    Action.move,
                    place,
                    f"reinforce {place}: enemy power {enemy:.0f} near it against {own:.0f}",
                )
            elif u.location == place and staff.given.get(u.id) != ("hold", place):
                _give(world, staff, u.id, Action.hold, place, f"defend {place}", log=False)
        return False
    current = lost_hold or (pending[0] if pending else None)
    if staff.spent and current is not None and current.kind != "withdraw_to":
        for u in free:
            if u.location is not None:
                _hold_where_it_stands(world, staff, u, "defend", log=False)
        return False
    if current is None:
        # Done when nothing is left to hold and no objective waits on its condition.
        return (
            len(steps) == len(intent.objectives)
            and not garrisons
            and not any(s.kind in ("hold", "screen") for s in steps)
        )
    if not free:
        return False
    # A lost place of ours to retake comes first; objectives that name their units are
    # pursued by those units side by side; the others follow the first objective.
    tasks: list[tuple[IntentStep, list]] = []
    pool = free
    if lost_hold is not None:
        # A lost place is retaken by the units near it (its garrison among them), and
        # only while it touches ground we hold; the others go on with the objectives.
        ours = any(world.control.get(n) == world.holder(side) for n in world.links[lost_hold.place])
        # Decided after the loss, retaking it is the intent's purpose: every unit goes
        # (unless other objectives wait); otherwise it is a counter-attack on the
        # commander's initiative, by the units near the place.
        decided = staff.active_since >= world.control_since.get(lost_hold.place, 0.0)
        nothing_else = not any(st.kind == "take" for st in pending)
        retakers = [
            u
            for u in pool
            if ours and (_close(world, u, lost_hold.place) or (decided and nothing_else))
        ]
        if retakers:
            tasks.append((lost_hold, retakers))
        retaking = {u.id for u in retakers}
        pool = [u for u in pool if u.id not in retaking]
    named: set[str] = set()
    for step in pending:
        if step.units:
            units = [u for u in pool if u.id in step.units and u.id not in named]
            named.update(u.id for u in units)
            if units:
                tasks.append((step, units))
    rest = [u for u in pool if u.id not in named]
    # Units no objective names follow the first objective that names no units; when
    # every objective names its units, the others are not part of the plan and hold.
    general = next((s for s in pending if not s.units), None)
    if rest and general is not None:
        tasks.append((general, rest))
    if intent.attack_on is not None:
        tasks = _set_off_in_time(world, staff, tasks)
    for step, units in tasks:
        _pursue(world, staff, facts, step, units, retake=step.kind == "hold")
    return False


def _keep_what_is_taken(
    world: Any,
    staff: Staff,
    facts: Facts,
    steps: list[IntentStep],
    pending: list[IntentStep],
    garrisons: set[str],
) -> set[str]:
    """While a further place is left to take, a place the intent has taken keeps a
    garrison: the smallest of its units standing there when the others move on (only
    when at least two of them stand there; a place some ``hold`` objective already
    garrisons needs none). The detachment stays while the place is ours."""
    side = staff.intent.side
    pending = [st for st in pending if st.kind == "take"]
    kept: set[str] = set()
    for place, uid in list(staff.kept.items()):
        if (
            not _held(world, place, side)
            or uid not in staff.units
            or (world.units[uid].location != place)
        ):
            del staff.kept[place]  # lost, or the detachment was taken away or moved
            continue
        kept.add(uid)
        if _free(world, world.units[uid]) and staff.given.get(uid) != ("hold", place):
            _give(world, staff, uid, Action.hold, place, f"garrison of {place}, taken")
    wanted = world.scenario.command.garrison_taken_places
    if not pending or not (doctrine.GARRISON_TAKEN_PLACES if wanted is None else wanted):
        return kept
    held_by_order = {st.place for st in steps if st.kind == "hold"}
    still_to_take = {id(st) for st in pending}
    for step in steps:
        place = step.place
        if (
            step.kind != "take"
            or place in staff.kept
            or place in held_by_order
            or id(step) in still_to_take
            or not _held(world, place, side)
        ):
            continue
        here = [
            world.units[u]
            for u in staff.units
            if u not in garrisons
            and u not in kept
            and world.units[u].location == place
            and _free(world, world.units[u])
        ]
        if len(here) < 2:
            # A lone unit goes on whole, unless it is a formation that can spare a
            # detachment to hold the place.
            detachment = _split_garrison(world, staff, facts, here, place)
            if detachment is None:
                continue
        else:
            detachment = min(here, key=lambda u: (u.men, u.id))
        staff.kept[place] = detachment.id
        kept.add(detachment.id)
        _give(world, staff, detachment.id, Action.hold, place, f"garrison of {place}, taken")
    return kept


def _split_garrison(world: Any, staff: Staff, facts: Facts, here: list, place: str) -> Any | None:
    """A detachment split off the one unit of the intent in ``place`` to hold it, when
    that unit is a formation big enough to spare one (``DETACH_FROM_MEN``), else None.
    The detachment stays under this intent."""
    if len(here) != 1:
        return None
    unit = here[0]
    if (
        unit.kind not in doctrine.DETACHING_KINDS
        or unit.men < doctrine.DETACH_FROM_MEN
        or unit.status != "present"
    ):
        return None
    men = min(
        max(unit.men * doctrine.DETACHMENT_SHARE, doctrine.DETACHMENT_MIN_MEN),
        doctrine.DETACHMENT_MAX_MEN,
    )
    detachment = detach(world, unit, men, f"garrison of {place}, taken")
    staff.allotted.append(detachment.id)
    staff.units.append(detachment.id)
    facts.claim(detachment.id, staff.intent.id)
    return detachment


def _pursue(
    world: Any, staff: Staff, facts: Facts, step: IntentStep, units: list, retake: bool
) -> None:
    if step.kind == "withdraw_to":
        for u in units:
            if u.location != step.place:
                _give(world, staff, u.id, Action.withdraw, step.place, "falling back")
    elif step.kind == "assemble":
        for u in units:
            if u.location != step.place and staff.given.get(u.id) != ("move", step.place):
                _give(world, staff, u.id, Action.move, step.place, f"assemble at {step.place}")
            elif u.location == step.place and staff.given.get(u.id) != ("hold", step.place):
                _give(
                    world,
                    staff,
                    u.id,
                    Action.hold,
                    step.place,
                    f"assembled at {step.place}",
                    log=False,
                )
    else:
        _attack_or_gather(world, staff, facts, step, units, retake=retake)


def _cut_off(world: Any, staff: Staff, step: IntentStep, side: str) -> bool:
    """A garrison about to be surrounded by a stronger enemy falls back while a road
    is open, and is not sent back while that lasts: True when the place is in that
    state. Nearly surrounded means that enemy units are seen in at least two and at
    least ``CUT_OFF_SHARE`` of the neighbouring towns, with a power of at least
    ``CUT_OFF_POWER`` times the garrison's; or, when one of them stands on the road
    back to the side's supply sources, in at least two, with ``CUT_OFF_POWER_REAR_CUT``
    times its power."""
    place = step.place
    neighbours = world.links[place]
    if len(neighbours) < 2:
        return False
    hostile = staff.picture.enemy_places() & neighbours.keys()
    if len(hostile) < 2:
        return False  # the common case, answered before the garrison is counted
    garrison = [
        world.units[u]
        for u in step.units
        if u in staff.units and world.units[u].status in ("present", "moving")
    ]
    # The command's other units standing in the place share its fate.
    garrison += [
        world.units[u]
        for u in staff.units
        if u not in step.units and world.units[u].location == place and _free(world, world.units[u])
    ]
    if not garrison:
        return False
    # Enemy standing on the road back to our supply sources (in the town, or holding
    # it) and on another road: the way out is already cut, so less power is needed to
    # close the ring. Enemies only marching on that town do not cut the road yet.
    rear = _line_of_communication(world, side, place)
    rear_cut = rear in hostile and (
        world.hostile_held(rear, side)
        or any(world.units[s.unit].location == rear for s in staff.picture.enemy_at(rear))
    )
    if not rear_cut and len(hostile) < doctrine.CUT_OFF_SHARE * len(neighbours):
        return False
    if not rear_cut and not _ring_closing(world, staff, place, garrison, hostile):
        return False  # a front the garrison took its stand against: not a ring closing
    enemy = sum(staff.picture.enemy_power_at(n) for n in [place, *neighbours])
    # Everyone of the side and its allies standing in the place holds it together,
    # whichever command they belong to (several intents may hold one town).
    own = sum(unit_power(u) for u in garrison) + sum(
        unit_power(u)
        for u in world.units_at(place)
        if u not in garrison and not world.hostile(u.side, side) and u.retreat_to is None
    )
    needed = doctrine.CUT_OFF_POWER_REAR_CUT if rear_cut else doctrine.CUT_OFF_POWER
    if enemy < needed * own:
        return False
    back = _fall_back_to(world, side, place, staff.picture)
    leaving = [u for u in garrison if u.location == place and _free(world, u)]
    if back is not None and leaving:
        for u in leaving:
            _give(
                world,
                staff,
                u.id,
                Action.withdraw,
                back,
                f"{place} nearly surrounded ({len(hostile)} of {len(neighbours)} roads in "
                f"enemy hands, enemy power {enemy:.0f} against {own:.0f}): fall back to {back}",
            )
        staff.given_up.add(place)
    return True


def _ring_closing(world: Any, staff: Staff, place: str, garrison: list, hostile: set[str]) -> bool:
    """True when the enemy round ``place`` has come up since the garrison took its
    stand there: in at least one of the ``hostile`` neighbouring towns it was first
    seen after the garrison arrived (or the town has changed hands since), and it is
    not the enemy the garrison has just driven out of the place. Enemies who stood
    there when the garrison came are the front it chose to hold, not a ring closing on
    it (the Kupiskis garrison left when partisans appeared behind it)."""
    standing = [u.since_t for u in garrison if u.location == place]
    if not standing:
        return True  # the garrison is not in the place yet: no stand taken
    # The stand is taken when the garrison arrives, or when the intent comes into force
    # (its commander's first look shows him the front he is to hold).
    settled = max(min(standing), staff.active_since)
    for n in hostile:
        # Not the enemy just driven out of the place, falling back to the next town.
        seen = [s for s in staff.picture.enemy_at(n) if world.units[s.unit].came_from != place]
        if any(s.first_seen_t > settled + 1e-9 for s in seen) or (
            seen and world.control_since.get(n, 0.0) > settled + 1e-9
        ):
            return True
    return False


def _line_of_communication(world: Any, side: str, place: str) -> str | None:
    """The neighbouring place on the side's supply route from ``place`` back to the
    nearest of its sources, through ground no enemy holds now (railways counted as
    supply counts them); the neighbour itself may be in enemy hands when the enemy took
    it from the side (or took it while no one held it), since the question is whether
    an enemy there cuts the route (a town another side held before was never on its
    line). None for a side without sources or with no route left."""
    reach = supply_reach(world, side)
    if reach is None:
        return None
    links = supply_link_km(world)
    ours = world.holder(side)
    best = None
    for n, step in links[place]:
        # The route's distance at the neighbour: its own, or one link beyond it when
        # an enemy took it from us (the town is on the line even if the enemy stands there).
        at = reach.get(n)
        if at is None:
            if world.control_before.get(n, world.initial_control.get(n, "none")) not in (
                ours,
                "none",
            ):
                continue
            at = min(
                (reach[m] + k for m, k in links[n] if m != place and m in reach), default=math.inf
            )
        km = at + step
        if math.isfinite(km) and (best is None or (km, n) < best):
            best = (km, n)
    return best[1] if best else None


def _gap_in_the_line(world: Any, staff: Staff, unit: Any) -> str | None:
    """For ``unit`` beyond supply range: an enemy-held town next to it, empty or held by
    an enemy it sees to be far weaker (below its power over the attack ratio), whose
    taking would bring the unit's place back within supply range (the one giving the
    shortest supply route), else None. An advance that has passed an enemy town on its
    road secures its line of communication before it halts (FM 100-5 (1941) on the
    security of lines of communication)."""
    side, place = staff.intent.side, unit.location
    sources = world.scenario.supply.sources.get(side)
    if not sources or place is None:
        return None
    radius = world.scenario.supply.radius_km or SUPPLY_RADIUS_KM
    now = (supply_reach(world, side) or {}).get(place)
    if now is not None and now <= radius:
        return None  # back in supply already (the day's count is from the morning)
    # An attack ratio of 0 (the scenario may set one) makes any enemy weak enough.
    weak = unit_power(unit) / staff.attack_ratio if staff.attack_ratio > 0 else math.inf
    best = None
    for n in sorted(world.links[place]):
        if not world.hostile_held(n, side) or staff.picture.enemy_power_at(n) >= weak:
            continue
        km = supply_distances(world, side, sources, passable=frozenset({n})).get(place)
        if km is not None and km <= radius and (best is None or (km, n) < best):
            best = (km, n)
    return best[1] if best else None


def _way_out(world: Any, side: str, place: str) -> str | None:
    """For a unit at ``place`` with no supply route at all (every road back runs
    through enemy-held ground), the nearest town by road that its side supplies;
    None when the place still has a supply route (the unit is only too far out), when
    no supplied town lies within ``BREAKOUT_KM`` (deep in the enemy's rear a breakout
    would be a raid, not a return to its lines), or when the side has no sources."""
    reach = supply_reach(world, side)
    if reach is None or place in reach:
        return None
    radius = world.scenario.supply.radius_km or SUPPLY_RADIUS_KM
    supplied = [(world.routes.open_km(place, p), p) for p, km in reach.items() if km <= radius]
    supplied = [(km, p) for km, p in supplied if km is not None and km <= doctrine.BREAKOUT_KM]
    return min(supplied)[1] if supplied else None


def _screen(world: Any, staff: Staff, steps: list[IntentStep]) -> None:
    """Screening units stand at their place until a stronger enemy comes near, then
    fall back to the nearest friendly place without a fight."""
    side = staff.intent.side
    for step in steps:
        if step.kind != "screen":
            continue
        units = [world.units[u] for u in _screen_units(staff, step, steps)]
        units = [u for u in units if _free(world, u)]
        place = step.place
        if units and not _held(world, place, side):
            # The place is lost: the screen is off, and a unit still under orders to go
            # there (thrown back and rallied, or on the road) stops where it is rather
            # than walk into the enemy that holds it.
            for u in units:
                if staff.given.get(u.id) != ("move", place):
                    continue
                lost = f"screen of {place} lost to the enemy"
                if u.moving_to == place and u.came_from is not None:
                    _give(world, staff, u.id, Action.withdraw, u.came_from, f"{lost}: turns back")
                else:
                    _hold_where_it_stands(world, staff, u, f"{lost}: holds where it is")
            continue
        if not units:
            continue
        enemy = staff.picture.enemy_power_at(place)  # at it or marching on it
        own = sum(unit_power(u) for u in units)
        if enemy > 0 and enemy >= doctrine.SCREEN_BREAK_RATIO * own:
            for u in units:
                if u.location == place and staff.given.get(u.id, ("",))[0] != "withdraw":
                    back = _fall_back_to(world, side, place, staff.picture)
                    if back is not None:
                        _give(
                            world,
                            staff,
                            u.id,
                            Action.withdraw,
                            back,
                            f"screen of {place} falls back before a stronger enemy "
                            f"({enemy:.0f} against {own:.0f})",
                        )
        else:
            for u in units:
                if (
                    u.location != place
                    and staff.given.get(u.id) != ("move", place)
                    and (not _enemy_there(world, place, side))
                ):
                    _give(world, staff, u.id, Action.move, place, f"screen {place}")


def _screen_units(staff: Staff, step: IntentStep, steps: list[IntentStep]) -> list[str]:
    """The units screening ``step``'s place: those it names, or, when it names none, the
    intent's units that no ``hold`` objective in force names (a garrison named to hold
    one place is not also sent to screen another: it would march between the two)."""
    if step.units:
        return [u for u in step.units if u in staff.units]
    held_by = {u for st in steps if st.kind == "hold" for u in st.units}
    return [u for u in staff.units if u not in held_by]


def _fall_back_to(world: Any, side: str, place: str, picture: Picture) -> str | None:
    """Where a garrison or screen leaving ``place`` goes: back along its line of
    communication (:func:`_back_towards_supply`), else to the neighbouring place with
    the most friends (:func:`_fallback_place`); never where it sees an enemy marching."""
    return _back_towards_supply(world, side, place, picture) or _fallback_place(
        world, side, place, picture
    )


def _back_towards_supply(
    world: Any, side: str, place: str, picture: Picture | None = None
) -> str | None:
    """The neighbouring town, free of enemies and not held by them, that lies nearest
    to the side's supply sources through its own ground: a garrison that gives up a
    place falls back along its line of communication, not deeper into a pocket. With
    the side's ``picture``, not a town it sees an enemy marching on either (falling
    back there would meet the enemy it is getting away from). None when no such
    neighbour is on a supply route."""
    reach = supply_reach(world, side)
    if reach is None:
        return None
    best = None
    for n in world.links[place]:
        if n not in reach or world.hostiles_at(n, side) or world.hostile_held(n, side):
            continue
        if picture is not None and picture.enemy_seen_at(n):
            continue
        if best is None or (reach[n], n) < best:
            best = (reach[n], n)
    return best[1] if best else None


def _fallback_place(
    world: Any, side: str, place: str, picture: Picture | None = None
) -> str | None:
    """The neighbouring place held by the side (or empty of enemies) with the most
    friends, away from the enemy (with ``picture``: none the side sees an enemy
    marching on)."""
    best = None
    for n in world.links[place]:
        if world.hostiles_at(n, side) or world.hostile_held(n, side):
            continue
        if picture is not None and picture.enemy_seen_at(n):
            continue
        friends = sum(u.men for u in world.units_at(n) if not world.hostile(u.side, side))
        key = (world.control.get(n) != world.holder(side), -friends, n)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def _threatened(
    world: Any, staff: Staff, steps: list[IntentStep], garrisons: set[str]
) -> tuple[str, float, float, float] | None:
    """The first held ``hold`` place the side sees an enemy marching on, stronger than
    the friends who will stay in it, posture counted: (place, perceived enemy power,
    defending power, the defender's factor it was counted with), or None."""
    side = staff.intent.side
    for step in steps:
        if (
            step.kind != "hold"
            or step.place in staff.given_up
            or not staff.picture.enemy_seen_at(step.place)  # none seen: no power either
            or not _held(world, step.place, side)
        ):
            continue
        place = step.place
        enemy = staff.picture.enemy_power_at(place)
        if enemy <= 0:
            continue
        # Count only those who will stay: the garrisons and other commands' units.
        friends = [
            u
            for u in world.units_at(place)
            if not world.hostile(u.side, side) and (u.id in garrisons or u.id not in staff.units)
        ]
        factor = _defence_factor(world, staff, place, -math.inf)
        own = sum(unit_power(u) for u in friends) * factor
        if enemy > own:
            return place, enemy, own, factor
    return None


def _within_reach(world: Any, unit: Any, place: str) -> bool:
    """``unit`` stands in ``place`` or can march there within ``REINFORCE_REACH_DAYS``,
    on the road round the enemy that a move takes."""
    if unit.location == place:
        return True
    return (
        unit.location is not None
        and march_days(world, unit, place, around_enemy=True) <= doctrine.REINFORCE_REACH_DAYS
    )


def _pending_steps(world: Any, staff: Staff, steps: list[IntentStep]) -> list[IntentStep]:
    """The objectives still to carry out, in order: places to take that are not ours,
    places to fall back or gather at that not all the units have reached yet (once
    they have, the step is done, even when they go on from there)."""
    out = []
    objectives, side = staff.intent.objectives, staff.intent.side
    for step in steps:
        if step.kind == "take" and not _held(world, step.place, side):
            if id(step) in staff.assaulted and any(
                later.place == step.place and later.kind == "take"
                for later in objectives[
                    next(i for i, o in enumerate(objectives) if o is step) + 1 :
                ]
            ):
                continue  # an ordered attack that failed: the next order for the place rules
            out.append(step)
        elif step.kind in ("withdraw_to", "assemble") and id(step) not in staff.reached:
            units = [u for u in (step.units or staff.units) if u in staff.units]
            if all(
                world.units[u].location == step.place
                for u in units
                if world.units[u].status in ("present", "moving")
            ):
                staff.reached.add(id(step))
            else:
                out.append(step)
    return out


def _held(world: Any, place: str, side: str) -> bool:
    return world.control.get(place) == world.holder_of[side] and not world.hostiles_present(
        place, side
    )


def _enemy_there(world: Any, place: str, side: str) -> bool:
    return bool(world.hostiles_at(place, side)) or world.hostile_held(place, side)


def _defence_factor(
    world: Any, staff: Staff, place: str, first_seen_t: float, approach: str | None = None
) -> float:
    """The defender's posture, terrain and river-line factor as the attacker's staff
    reckons it (the river counts when the road in from ``approach`` crosses a river
    the place is on, outside the frozen season)."""
    if world.places[place].get("fortified"):
        posture = "fortified"
    elif world.env.now - first_seen_t >= PREPARED_AFTER_DAYS:
        posture = "prepared"
    else:
        posture = "hasty"
    river = None
    if approach is not None and approach in world.links[place]:
        crossing = world.links[approach][place].get("river")
        if (
            crossing
            and crossing in world.places[place].get("rivers", ())
            and world.season(world.env.now) not in FROZEN
        ):
            river = crossing
    key = (posture, world.places[place]["terrain"], river)
    factor = staff.defence_factors.get(key)
    if factor is None:
        situation = combat.Situation(posture=posture, terrain=key[1], river=river)
        factor = combat.defender_multiplier(situation, world.scenario.combat.multipliers)
        staff.defence_factors[key] = factor
    return factor


def _partners(world: Any, staff: Staff, facts: Facts, target: str) -> list:
    """Units of other commands of this side or its allies aiming at the same place and
    already close to it (at it, next to it, or marching there): they attack together."""
    side = staff.intent.side
    found = []
    for other, (other_side, place, ids) in facts.aims.items():
        if other == staff.intent.id or place != target or world.hostile(other_side, side):
            continue
        for uid in ids:
            u = world.units[uid]
            here = u.location or u.moving_to
            if here is not None and (here == target or target in world.links[here]):
                found.append(u)
    return found


def _attack_or_gather(
    world: Any, staff: Staff, facts: Facts, step: IntentStep, free: list, retake: bool
) -> None:
    intent = staff.intent
    side = intent.side
    target = step.place
    if step.units and step.kind == "take":
        free = [u for u in free if u.id in step.units] or free
    facts.aims[intent.id] = (side, target, [u.id for u in free])
    verb = "retake" if retake else "take"
    on_the_way = (
        None if staff.picture.enemy_seen_at(target) else _contact_before(world, staff, free, target)
    )
    if on_the_way is not None:
        # No enemy is seen at the objective, but the road to it runs through a town
        # where one is: the fight is there first, and the odds are weighed there.
        verb = f"{verb} {target}: first"
        target = on_the_way
    sightings = staff.picture.enemy_at(target)
    if not world.may_enter(side, target):
        # Troops of a side we stand neutral with hold the place or stand in it: taking
        # it would mean fighting them. The commander waits where he is for them to go.
        _waiting(
            world,
            staff,
            target,
            free,
            f"{verb} {target}: troops of a side we are not at war with stand there",
        )
        for u in free:
            if u.status == "present":
                _hold_where_it_stands(world, staff, u, f"wait: {target} barred")
        return
    if (
        not sightings
        and world.hostile_held(target, side)
        and (target not in staff.picture.visible_places(world))
    ):
        # Enemy ground out of sight: close up to the last town before it and look,
        # unless that town is further off than the objective itself (round it, or
        # beyond): then the advance goes on towards it and looks on the way.
        staging = _staging(world, side, free, target)
        if staging is not None and _nearer(world, free, staging, target):
            _gather(world, staff, free, side, target, staging)
            return
    if not sightings:
        for u in free:
            _give(
                world,
                staff,
                u.id,
                Action.attack,
                target,
                f"{verb} {target}: no enemy seen there",
                surprise=step.surprise,
            )
        return
    first_seen = min(s.first_seen_t for s in sightings)
    approach = next((u.location for u in free if u.location in world.links[target]), None)
    factor = _defence_factor(world, staff, target, first_seen, approach)
    perceived_enemy = sum(s.power for s in sightings) * factor
    partners = _partners(world, staff, facts, target)
    near = [u for u in free if _close(world, u, target)]
    far = [u for u in free if not _close(world, u, target)]
    own = sum(unit_power(u) for u in near) + sum(unit_power(u) for u in partners)
    if step.surprise:
        own *= world.scenario.combat.multipliers.get("surprise", combat.SURPRISE)
    perceived = own / perceived_enemy if perceived_enemy > 0 else math.inf
    needed = step.attack_ratio or staff.attack_ratio
    ordered = step.assault and id(step) not in staff.assaulted
    if ordered and near:
        # The attack was ordered (the source says so): it goes in whatever the odds.
        staff.assaulted.add(id(step))
        needed = 0.0
    already = [u for u in free if staff.given.get(u.id) == ("attack", target)]
    if perceived >= needed:
        _gather(world, staff, far, side, target)  # those still far off come up behind
        fresh = [
            u
            for u in near
            if staff.given.get(u.id) != ("attack", target) or u.current_order(world.env.now) is None
        ]
        if fresh:
            _decided(
                world,
                staff,
                "attack",
                target,
                [u.id for u in fresh],
                (
                    f"{verb} {target}: the attack was ordered (perceived {perceived:.2f}:1)"
                    if needed == 0.0
                    else f"{verb} {target}: perceived {perceived:.2f}:1 >= {needed:.2f}:1"
                ),
                perceived,
                _true_ratio(world, side, target, own, factor),
            )
            for u in fresh:
                _give(
                    world,
                    staff,
                    u.id,
                    Action.attack,
                    target,
                    f"{verb} {target} at a perceived {perceived:.1f}:1",
                    log=False,
                    force=True,
                    surprise=step.surprise,
                )
            if partners:
                world.notify("attack", target=target, intent=intent.id)  # partners join in
        return
    if already and any(u.moving_to == target for u in already):
        return  # the assault is going in; it is too late to call it back
    # Not strong enough: gather at the last town before the objective and wait.
    staging = _staging(world, side, free, target)
    gathering = f"gathering at {staging}" if staging is not None else "no town to gather in"
    if near or partners:
        why = f"perceived {perceived:.2f}:1 < {needed:.2f}:1"
        odds, true_odds = perceived, lambda: _true_ratio(world, side, target, own, factor)
    else:  # no odds to weigh: none of its units is near yet
        why = f"none of its units near it yet (enemy power {perceived_enemy:.0f} seen there)"
        odds, true_odds = None, None
    _waiting(world, staff, target, free, f"{verb} {target}: {why}; {gathering}", odds, true_odds)
    _gather(world, staff, free, side, target, staging)


def _waiting(
    world: Any,
    staff: Staff,
    target: str,
    units: list,
    reason: str,
    perceived: float | None = None,
    true_ratio: Any = None,
) -> None:
    """Log that the intent waits before ``target``, once a day (``true_ratio``: a
    function giving the true ratio, called only when the decision is logged)."""
    day = int(world.env.now + 1e-9)
    if staff.waiting_logged.get(target) == day:
        return
    staff.waiting_logged[target] = day
    true = true_ratio() if true_ratio is not None else None
    _decided(world, staff, "wait", target, [u.id for u in units], reason, perceived, true)


def _true_ratio(world: Any, side: str, target: str, own: float, factor: float) -> float:
    """``own`` power over the true power of the enemy at ``target`` times the
    defender's ``factor`` (inf when none is there): what the commander did not see,
    worked out only for the log."""
    true_enemy = sum(unit_power(u) for u in world.hostiles_at(target, side)) * factor
    return own / true_enemy if true_enemy > 0 else math.inf


def _close(world: Any, unit: Any, target: str) -> bool:
    """At the target, next to it, or on the road into it."""
    here = unit.location if unit.location is not None else unit.moving_to
    return here is not None and (
        here == target or target in world.links[here] or unit.moving_to == target
    )


def _contact_before(world: Any, staff: Staff, units: list, target: str) -> str | None:
    """The first town short of ``target`` on the open road from where the largest of
    ``units`` stands where the side sees the enemy, or None (no such town, or the unit
    is on the road)."""
    lead = max((u for u in units if u.location is not None), key=lambda u: u.men, default=None)
    if lead is None or lead.location == target:
        return None
    path = world.routes.path(lead.location, target) or []
    return next((p for p in path[1:-1] if staff.picture.enemy_seen_at(p)), None)


def _open_km(world: Any, unit: Any, place: str) -> float | None:
    """Km on the open road from where ``unit`` stands (or the place it is bound for)
    to ``place`` (None: no road, or the unit is nowhere)."""
    here = unit.location or unit.moving_to
    return world.routes.open_km(here, place) if here is not None else None


def _men_km(
    world: Any,
    units: list,
    place: str,
    km: Callable[[Any, Any, str], float | None],
    extra: float = 0.0,
) -> float:
    """The units' distance to ``place``, each unit's km (by ``km``; 1e6 where there is
    no road) plus ``extra``, weighted by its men: the bulk of a force is what counts."""
    total = 0.0
    for u in units:
        d = km(world, u, place)
        total += ((d if d is not None else 1e6) + extra) * u.men
    return total


def _km_round_the_enemy(world: Any, unit: Any, place: str) -> float | None:
    """Km from where ``unit`` stands (or the place it is bound for) to ``place`` on the
    road a move takes: round the places where the enemy stands (None: no such road).
    Measured on the open road, a gathering place just behind the enemy's town looked
    near while the march to it went a hundred km round."""
    here = unit.location or unit.moving_to
    if here is None:
        return None
    return world.routes.km_avoiding(here, place, world.enemy_presence[unit.side])


def _nearer(world: Any, units: list, place: str, target: str) -> bool:
    """True when ``place`` is nearer than ``target`` to ``units`` (by road, weighted by
    their men, from where they stand or the place they are bound for)."""
    return _men_km(world, units, place, _open_km) < _men_km(world, units, target, _open_km)


def _gather(
    world: Any, staff: Staff, units: list, side: str, target: str, staging: str | None = None
) -> None:
    """Bring ``units`` to the gathering place before ``target`` and hold them there."""
    if not units:
        return
    staging = staging or _staging(world, side, units, target)
    for u in units:
        here = u.location or u.moving_to
        if (
            staging is not None
            and here is not None
            and here != staging
            and target in world.links[here]
            and (_km_round_the_enemy(world, u, staging) or math.inf) > doctrine.GATHER_DETOUR_KM
        ):
            # Already before the objective (or arriving there), and the gathering place
            # lies far round the enemy: it waits where it stands (the others may come
            # to it).
            if staff.given.get(u.id) != ("hold", here):
                _give(
                    world,
                    staff,
                    u.id,
                    Action.hold,
                    here,
                    f"wait at {here} before {target}: {staging} is far round the enemy",
                )
        elif staging is not None and u.location != staging and u.moving_to != staging:
            _give(world, staff, u.id, Action.move, staging, f"gather at {staging} before {target}")
        elif (
            staging is not None
            and u.location == staging
            and staff.given.get(u.id) != ("hold", staging)
        ):
            _give(world, staff, u.id, Action.hold, staging, f"wait at {staging} for the odds")


def _staging(world: Any, side: str, free: list, target: str) -> str | None:
    """The place next to ``target`` nearest to the bulk of the free units (not one where
    the enemy, or a side we are not at war with, stands). Our own towns are preferred:
    one no one holds counts as :data:`doctrine.STAGING_NOT_OURS_KM` further, an empty
    enemy town (taken on the way) twice that, so that a town of ours far round the
    objective does not win over an empty one on the way in."""
    holder = world.holder(side)
    candidates = []
    for n in world.links[target]:
        if world.hostiles_at(n, side) or not world.may_enter(side, n):
            continue
        owner = world.control.get(n, "none")
        extra = 0.0 if owner == holder else 1.0 if owner == "none" else 2.0
        extra *= doctrine.STAGING_NOT_OURS_KM
        # On the open road first: never longer than the way round the enemy, so a
        # candidate whose open-road total is already worse than the best cannot win.
        candidates.append((_men_km(world, free, n, _open_km, extra), n, extra))
    best = None
    for bound, n, extra in sorted(candidates):
        if best is not None and (bound, n) > best:
            break
        key = (_men_km(world, free, n, _km_round_the_enemy, extra), n)
        if best is None or key < best:
            best = key
    return best[1] if best else None


def _give(
    world: Any,
    staff: Staff,
    unit_id: str,
    action: Action,
    target: str | None,
    reason: str,
    log: bool = True,
    force: bool = False,
    surprise: bool = False,
) -> None:
    """Issue an order unless the unit is already carrying out the same one."""
    unit = world.units[unit_id]
    key = (action.value, target)
    current = unit.current_order(world.env.now)
    same = current is not None and current[1].action == action and current[1].target == target
    if same and not force:
        staff.given[unit_id] = key
        return
    if same and force and staff.given.get(unit_id) == key:
        return
    order = Order.model_construct(
        id=None,
        unit=unit_id,
        date=None,
        when=None,
        action=action,
        target=target,
        by_rail=False,
        surprise=surprise,
        source=None,
        note=reason,
    )
    staff.given[unit_id] = key
    world.issue(unit_id, order, by=f"intent {staff.intent.id}", reason=reason)
    if log and action != Action.hold:
        _decided(world, staff, action.value, target, [unit_id], reason)


def _hold_where_it_stands(
    world: Any, staff: Staff, unit: Any, reason: str, log: bool = True
) -> None:
    """Order ``unit`` to hold the place it stands in, unless it has that order already."""
    if staff.given.get(unit.id) != ("hold", unit.location):
        _give(world, staff, unit.id, Action.hold, unit.location, reason, log=log)


def _decided(
    world: Any,
    staff: Staff,
    action: str,
    target: str | None,
    units: list[str],
    reason: str,
    perceived: float | None = None,
    true: float | None = None,
) -> None:
    """Log one of the intent's decisions, with the ratios seen and true when it weighed
    the odds."""
    world.log(
        ev.Decision,
        intent=staff.intent.id,
        side=staff.intent.side,
        action=action,
        target=target,
        units=units,
        reason=reason,
        perceived_ratio=None if perceived is None else _r(perceived),
        true_ratio=None if true is None else _r(true),
    )


def _r(x: float) -> float | None:
    return None if math.isinf(x) else round(float(x), 3)
