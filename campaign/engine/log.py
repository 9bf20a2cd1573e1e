"""Replay events: the flat, typed record of everything that happened in a run.

Each event is a small slotted dataclass (a record: never changed once logged) with
a ``type`` tag; the log is a list of them in simulation order. Analysis reads these
records, never the engine's state.
Times are days since the scenario start (float); dates are ISO strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

#: Version of the events.jsonl layout. Bump when a field changes meaning.
LOG_FORMAT_VERSION = 1


@dataclass(slots=True)
class Event:
    t: float  # days since scenario start
    date: str  # ISO date of t

    def to_dict(self) -> dict[str, Any]:
        """``type`` first, then the fields in declaration order (the events.jsonl layout).

        A shallow copy: nested dicts and lists are the record's own (records are never
        changed once logged; copy before modifying them).  Same JSON as
        :func:`dataclasses.asdict`, many times faster on a large run.
        """
        return _copier_of(type(self))(self)


#: Per event class: a function returning its dict (see :func:`_copier_of`).
_COPIERS: dict[type, Callable[[Any], dict[str, Any]]] = {}


def _copier_of(cls: type) -> Callable[[Any], dict[str, Any]]:
    """The class's ``to_dict``, written out once as a single dict display
    (``{"type": e.type, "t": e.t, ...}``): the way :mod:`dataclasses` writes its
    ``__init__``, and three times faster than pairing the names with an ``attrgetter``."""
    copier = _COPIERS.get(cls)
    if copier is None:
        names = ("type", *(f.name for f in fields(cls) if f.name != "type"))
        items = ", ".join(f"{name!r}: e.{name}" for name in names)
        namespace: dict[str, Any] = {}
        exec(f"def to_dict(e):\n    return {{{items}}}\n", namespace)
        copier = _COPIERS[cls] = namespace["to_dict"]
    return copier


@dataclass(slots=True)
class Initial(Event):
    """The situation at the start: control of every place and the order of battle."""

    control: dict[str, str]
    units: list[dict[str, Any]]
    type: str = field(default="initial", init=False)


@dataclass(slots=True)
class Arrival(Event):
    unit: str
    side: str
    place: str
    men: float
    type: str = field(default="arrival", init=False)


@dataclass(slots=True)
class Departure(Event):
    unit: str
    side: str
    place: str
    men: float
    type: str = field(default="departure", init=False)


@dataclass(slots=True)
class OrderIssued(Event):
    unit: str
    action: str
    target: str | None
    by: str  # "scenario" or "commander"
    reason: str
    type: str = field(default="order", init=False)


@dataclass(slots=True)
class MoveStart(Event):
    unit: str
    origin: str
    destination: str
    km: float
    mode: str  # march | rail | retreat
    type: str = field(default="move_start", init=False)


@dataclass(slots=True)
class MoveEnd(Event):
    unit: str
    place: str
    type: str = field(default="move_end", init=False)


@dataclass(slots=True)
class EngagementStart(Event):
    engagement: int
    place: str
    attackers: dict[str, float]  # unit -> men
    defenders: dict[str, float]
    posture: str
    terrain: str
    river: str | None
    type: str = field(default="engagement_start", init=False)


@dataclass(slots=True)
class EngagementStep(Event):
    engagement: int
    place: str
    power_ratio: float
    losses: dict[str, list[float]]  # unit -> [killed, wounded, captured]
    type: str = field(default="engagement_step", init=False)


@dataclass(slots=True)
class EngagementEnd(Event):
    engagement: int
    place: str
    winner: str  # "attacker" | "defender" | "none"
    result: str  # e.g. "defender broke", "attacker broke", "defender withdrew"
    losses: dict[str, dict[str, float]]  # side -> {killed, wounded, captured}
    type: str = field(default="engagement_end", init=False)


@dataclass(slots=True)
class Retreat(Event):
    unit: str
    origin: str
    destination: str
    reason: str
    type: str = field(default="retreat", init=False)


@dataclass(slots=True)
class Surrender(Event):
    unit: str
    place: str
    men: float
    reason: str
    type: str = field(default="surrender", init=False)


@dataclass(slots=True)
class ControlChange(Event):
    place: str
    old: str
    new: str
    cause: str
    type: str = field(default="control_change", init=False)


@dataclass(slots=True)
class Decision(Event):
    """A commander's decision on an intent: attack, move, hold, wait or withdraw, with
    the power ratio he perceived and the true one (None where no enemy was in question)."""

    intent: str
    side: str
    action: str  # attack | move | hold | wait | withdraw | done | start | end
    target: str | None
    units: list[str]
    reason: str
    perceived_ratio: float | None
    true_ratio: float | None
    type: str = field(default="decision", init=False)


@dataclass(slots=True)
class TriggerFired(Event):
    """A condition came true and set off an order, an intent or a relation."""

    what: str  # e.g. "order lit_jieznas_retake", "intent pskov_south", "relation germany/soviet"
    condition: str
    type: str = field(default="trigger", init=False)


@dataclass(slots=True)
class RelationChange(Event):
    """Two sides changed how they stand towards each other."""

    sides: list[str]
    old: str
    new: str
    reason: str
    type: str = field(default="relation", init=False)


@dataclass(slots=True)
class Replacements(Event):
    """Men joining a unit already in the theatre (drafts, replacements)."""

    unit: str
    side: str
    men: float
    reason: str
    type: str = field(default="replacements", init=False)


@dataclass(slots=True)
class Detach(Event):
    """A detachment split off a unit where it stands (a garrison left in a town it has
    taken): a new unit ``unit`` with ``men`` of the ``parent``'s men."""

    unit: str  # the detachment's id: the parent's id and ".d1", ".d2", ...
    parent: str  # id of the unit it was split off
    name: str  # the detachment's name
    side: str
    kind: str  # always "detachment"
    place: str
    men: float  # men moved from the parent to the detachment
    reason: str
    type: str = field(default="detach", init=False)


@dataclass(slots=True)
class DailyState(Event):
    """End-of-day strengths: unit -> [men, place id, or "a>b" while marching from a to b]."""

    units: dict[str, list[Any]]
    type: str = field(default="day", init=False)


EVENT_TYPES: dict[str, type[Event]] = {
    cls.__dataclass_fields__["type"].default: cls  # type: ignore[misc]
    for cls in (
        Initial,
        Arrival,
        Departure,
        OrderIssued,
        MoveStart,
        MoveEnd,
        EngagementStart,
        EngagementStep,
        EngagementEnd,
        Retreat,
        Surrender,
        ControlChange,
        DailyState,
        Decision,
        TriggerFired,
        RelationChange,
        Replacements,
        Detach,
    )
}
for _cls in EVENT_TYPES.values():
    _cls.to_dict = _copier_of(_cls)  # type: ignore[method-assign]  # the same, one call less
