"""Decisions: what each side wanted, knew and decided.

* :mod:`.doctrine` -- documented defaults (attack ratio, reconnaissance, estimates).
* :mod:`.perception` -- each side's picture of the enemy, with errors that age.
* :mod:`.conditions` -- triggers read from the run (places taken, units broken...).
* :mod:`.staff` -- commanders working through intents' objectives.
* :mod:`.relations` -- stances between sides over time, demarcation lines.

:func:`install` wires a built world to its commanders; the engine never imports
this package (``campaign.simulate`` does the wiring).
"""

from __future__ import annotations

from typing import Any

from campaign.command import doctrine
from campaign.command.conditions import Facts, describe, holds
from campaign.command.perception import Picture
from campaign.command.relations import crossing_links, update_lines, update_relations
from campaign.command.staff import Staff, allotted_units, next_morning, run_staff
from campaign.engine import log as ev
from campaign.engine.world import order_time

__all__ = ["install"]


def install(world: Any, seed: int) -> None:
    """Give ``world`` its commanders, conditional orders, relations and lines.

    A scenario with none of them (no intents, no conditional orders, no relations,
    no lines) runs exactly as before: nothing is installed.
    """
    scenario = world.scenario
    conditional = [o for o in scenario.orders if o.when is not None]
    arrivals = [u for u in scenario.units if u.arrives_when is not None]
    drafts = list(scenario.replacements)
    if not (
        scenario.intents
        or conditional
        or scenario.relations
        or scenario.lines
        or arrivals
        or drafts
    ):
        return
    spec = scenario.command
    facts = Facts()
    for s in scenario.sides:
        facts.pictures[s.id] = Picture(
            side=s.id,
            recon_links=doctrine.RECON_LINKS if spec.recon_links is None else spec.recon_links,
            estimate_error=(
                doctrine.ESTIMATE_ERROR if spec.estimate_error is None else spec.estimate_error
            ),
            memory_days=doctrine.MEMORY_DAYS if spec.memory_days is None else spec.memory_days,
            seed=seed,
        )
    wake_events: list = []

    def listener(kind: str, details: dict[str, Any]) -> None:
        if kind == "break" and "unit" in details:
            facts.broken.add(details["unit"])
        if kind == "engagement_end":
            # Each side learns that the units it has just fought do fight.
            camps = (details.get("attackers", []), details.get("defenders", []))
            for mine, theirs in (camps, camps[::-1]):
                for a in {world.units[u].side for u in mine}:
                    facts.pictures[a].fought.update(theirs)
        pending, wake_events[:] = list(wake_events), []
        for event in pending:
            if not event.triggered:
                event.succeed()

    world.listeners.append(listener)
    crossings = {line.id: crossing_links(world, line) for line in scenario.lines}
    fired_relations: set[int] = set()
    update_relations(world, facts, fired_relations)
    update_lines(world, facts, crossings)
    if scenario.relations or scenario.lines or conditional or arrivals or drafts:
        world.env.process(
            _dispatcher(
                world, facts, conditional, arrivals, drafts, crossings, fired_relations, wake_events
            )
        )
    for intent in scenario.intents:
        ratio = intent.attack_ratio or spec.attack_ratio.get(intent.side, doctrine.ATTACK_RATIO)
        staff = Staff(
            intent=intent,
            allotted=allotted_units(intent, scenario),
            attack_ratio=ratio,
            picture=facts.pictures[intent.side],
        )
        for uid in staff.allotted:
            # Units given to an intent wait for it (and then follow it): the engine's
            # fallback behaviour does not move them in the meantime.
            world.units[uid].commanded = True
        world.env.process(run_staff(world, staff, facts, wake_events))


def _dispatcher(
    world: Any,
    facts: Facts,
    conditional: list,
    arrivals: list,
    drafts: list,
    crossings,
    fired_relations,
    wake_events: list,
):
    """Issue conditional orders, release conditional arrivals and send replacements when
    they are due; keep relations and lines current."""
    env = world.env
    pending = list(conditional)
    waiting = list(arrivals)
    to_send = list(drafts)
    while True:
        update_relations(world, facts, fired_relations)
        update_lines(world, facts, crossings)
        still_waiting = []
        for unit in waiting:
            due = order_time(world.start, unit.arrives) - 0.25 if unit.arrives else 0.0
            if env.now >= due - 1e-9 and holds(unit.arrives_when, world, facts):
                world.log(
                    ev.TriggerFired,
                    what=f"arrival {unit.id}",
                    condition=describe(unit.arrives_when),
                )
                world.release(unit.id)
            else:
                still_waiting.append(unit)
        waiting = still_waiting
        unsent = []
        for draft in to_send:
            due = order_time(world.start, draft.date) if draft.date else 0.0
            unit = world.units[draft.unit]
            if env.now >= due - 1e-9 and (draft.when is None or holds(draft.when, world, facts)):
                if unit.status in ("present", "moving"):
                    if draft.when is not None:
                        world.log(
                            ev.TriggerFired,
                            what=f"replacements {draft.id or draft.unit}",
                            condition=describe(draft.when),
                        )
                    world.replace_men(draft.unit, float(draft.men), draft.note or "replacements")
                    continue
                if unit.status in ("departed", "destroyed"):
                    continue  # no one left to join
            unsent.append(draft)
        to_send = unsent
        still = []
        for order in pending:
            due = order_time(world.start, order.date) if order.date else 0.0
            unit = world.units[order.unit]
            if (
                env.now >= due - 1e-9
                and unit.status in ("present", "moving")
                and holds(order.when, world, facts)
            ):
                world.log(
                    ev.TriggerFired,
                    what=f"order {order.id or order.unit}",
                    condition=describe(order.when),
                )
                facts.claim(order.unit, "order")  # the scenario's own order now rules it
                world.issue(order.unit, order, by="scenario", reason=order.note or "condition met")
            elif unit.status in ("departed", "destroyed"):
                continue
            else:
                still.append(order)
        pending = still
        now = env.now
        morning = min(next_morning(now), world.days)
        wake = env.event()
        wake_events.append(wake)
        env.timeout(max(0.0, morning - now)).callbacks.append(
            lambda _, w=wake: None if w.triggered else w.succeed()
        )
        yield wake
        if env.now >= world.days - 1e-9:
            return
