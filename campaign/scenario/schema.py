"""The scenario file format as pydantic v2 models.

A scenario says who fought, with what, where they started, what their commanders
ordered and what each side wanted. It never says who won: outcomes come from the
engine. Cross-references (places, sides, units) are checked in
:mod:`campaign.scenario.checks` so that every problem is reported at once.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

SLUG = r"^[a-z][a-z0-9_]*$"
Slug = Annotated[str, Field(pattern=SLUG, min_length=1, max_length=64)]
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
#: Largest force the format accepts for one unit; anything above is a typo.
MAX_UNIT_MEN = 200_000
#: Side id the format reserves for "held by no side" (control tables, the map).
NO_SIDE = "none"
#: Largest Lanchester attrition coefficient accepted, per day: the aimed-fire rates
#: fitted to real battles are of the order of 0.01-0.1 (Engel 1954, Iwo Jima).
MAX_COEFFICIENT_PER_DAY = 10.0


class Strict(BaseModel):
    """Base for every scenario model: unknown keys are errors, not silently dropped.

    Numbers must be finite (``.nan`` and ``.inf`` are refused), and a YAML yes/no is
    never read as the number 1 or 0.
    """

    # Validators are built on first use (defer_build): validating a Scenario then builds
    # the whole tree once, instead of each of these models building its own at import,
    # which every command paid for. Forward references (Unit -> Condition) resolve then.
    model_config = ConfigDict(
        extra="forbid",
        frozen=False,
        str_strip_whitespace=True,
        allow_inf_nan=False,
        defer_build=True,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_yes_no_as_number(cls, value: Any, info: ValidationInfo) -> Any:
        key = (cls, info.field_name)
        numeric = _NUMERIC_FIELDS.get(key)
        if numeric is None:
            field = cls.model_fields.get(info.field_name or "")
            numeric = _NUMERIC_FIELDS[key] = field is not None and _holds_numbers(field.annotation)
        if not numeric:
            return value
        items = value.values() if isinstance(value, dict) else value
        if isinstance(value, bool) or (
            isinstance(value, list | tuple | dict) and any(isinstance(x, bool) for x in items)
        ):
            raise ValueError(f"expected a number, got the yes/no value {value!r}")
        return value


#: (model, field name) -> whether the field holds numbers (computed once per field).
_NUMERIC_FIELDS: dict[tuple[type, str | None], bool] = {}


def _holds_numbers(annotation: Any) -> bool:
    """True for int and float fields and plain containers of them (not models, not bool).

    A forward reference not yet resolved (``Unit.arrives_when`` names ``Condition``
    until Unit is built) is a model defined further down: no numbers, as when resolved.
    """
    if annotation in (int, float):
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return False
    return any(_holds_numbers(arg) for arg in get_args(annotation))


class Source(Strict):
    """A source text the scenario draws its facts from."""

    id: Slug
    file: str = Field(description="Seed file name, e.g. 004_8fc7466163facddc.txt")
    title: str = ""
    section: str = Field("", description="Section of the source text used")


class Citation(Strict):
    """Where one fact comes from: a source id and the section of it."""

    ref: Slug = Field(description="Id of an entry of the scenario's `sources`")
    section: str = ""
    note: str = ""


class Side(Strict):
    id: Slug = Field(
        description=f"Unique id (slug), used to refer to this entry; '{NO_SIDE}' is reserved"
    )
    name: str = Field(min_length=1)
    colour: Colour = Field(description="Map colour, #rrggbb")
    allies: list[Slug] = Field(default_factory=list)
    controls_for: Slug | None = Field(
        None,
        description="Places this side's units take are held for that (allied) side, "
        "e.g. the Saxon volunteers took towns for Lithuania",
    )

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value == NO_SIDE:
            raise ValueError(f"'{NO_SIDE}' is reserved for places held by no side")
        return value


class UnitKind(StrEnum):
    division = "division"
    brigade = "brigade"
    regiment = "regiment"
    battalion = "battalion"
    company = "company"
    group = "group"
    detachment = "detachment"
    volunteers = "volunteers"
    partisans = "partisans"
    cavalry = "cavalry"
    artillery = "artillery"
    army = "army"


class Quality(StrEnum):
    """Training and cohesion; the engine maps each to a combat factor and a break point."""

    veteran = "veteran"
    regular = "regular"
    trained = "trained"
    volunteer = "volunteer"
    untrained = "untrained"
    partisan = "partisan"


class Formation(Strict):
    """A headquarters that groups units (e.g. the Pskov Division, the Panevėžys Group)."""

    id: Slug
    name: str = Field(min_length=1)
    side: Slug
    kind: UnitKind
    parent: Slug | None = None
    formed: dt.date | None = Field(None, description="Date the formation was created")
    source: Citation
    note: str = ""


class Unit(Strict):
    """A manoeuvre unit on the map with its strength in men."""

    id: Slug
    name: str = Field(min_length=1)
    side: Slug
    kind: UnitKind
    parent: Slug | None = Field(None, description="Formation id this unit belongs to")
    strength_men: int = Field(ge=0, le=MAX_UNIT_MEN, description="Men at arrival")
    strength_range: tuple[int, int] | None = Field(
        None, description="[low, high] men when the source gives a range or 'about'"
    )
    guns: int = Field(0, ge=0, le=2000, description="Artillery pieces")
    machine_guns: int = Field(0, ge=0, le=5000)
    quality: Quality
    location: Slug = Field(description="Place where the unit starts or arrives")
    arrives: dt.date | None = Field(None, description="Arrival date; default: scenario start")
    arrives_when: Condition | None = Field(
        None, description="The unit arrives only once this holds (and not before `arrives`)"
    )
    departs: dt.date | None = Field(None, description="Date the unit leaves the theatre")
    source: Citation
    estimated: bool = Field(False, description="True when the strength is a reasoned estimate")
    reasoning: str = Field("", description="Why an estimated number is what it is")

    @model_validator(mode="after")
    def _range_brackets_strength(self) -> Unit:
        if self.strength_range is not None:
            low, high = self.strength_range
            if not 0 <= low <= self.strength_men <= high <= MAX_UNIT_MEN:
                raise ValueError(
                    f"strength_range [{low}, {high}] must bracket strength_men "
                    f"{self.strength_men} with 0 <= low <= high"
                )
        if self.estimated and not self.reasoning:
            raise ValueError("estimated: true needs a `reasoning` explaining the estimate")
        if self.arrives and self.departs and self.departs < self.arrives:
            raise ValueError(f"departs {self.departs} is before arrives {self.arrives}")
        return self


class Action(StrEnum):
    move = "move"
    attack = "attack"
    hold = "hold"
    withdraw = "withdraw"
    leave = "leave"


class PlaceBy(Strict):
    place: Slug
    by: Slug | None = Field(None, description="Side (for `taken`)")
    side: Slug | None = Field(None, description="Side (for `lost`)")


class UnitBelow(Strict):
    unit: Slug
    men: float = Field(ge=0, le=MAX_UNIT_MEN)


class SideRatio(Strict):
    """The side's combat power at a place and its neighbours over the enemy power it
    sees there, compared with ``at_least`` or ``at_most``."""

    side: Slug
    place: Slug
    at_least: float | None = Field(None, gt=0, le=1000)
    at_most: float | None = Field(None, gt=0, le=1000)

    @model_validator(mode="after")
    def _one_bound(self) -> SideRatio:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("a ratio condition needs exactly one of at_least, at_most")
        return self


class SideNear(Strict):
    """Troops of ``side`` stand at ``place`` or in a town next to it, or march on a road
    to or from it (whatever the stance between the sides)."""

    side: Slug
    place: Slug


class Stance(StrEnum):
    hostile = "hostile"
    neutral = "neutral"
    allied = "allied"


class StanceIs(Strict):
    sides: tuple[Slug, Slug]
    stance: Stance


class Condition(Strict):
    """A trigger: something that must be true before an order or an intent takes effect.

    Exactly one key is given; ``any`` and ``all`` combine other conditions. Every
    condition reads the situation as it unfolds in the run, never the record.
    """

    taken: PlaceBy | None = Field(None, description="The place is held by that side")
    lost: PlaceBy | None = Field(None, description="The place is no longer held by that side")
    arrived: Slug | None = Field(None, description="The unit has arrived in the theatre")
    broken: Slug | None = Field(
        None, description="The unit has broken, surrendered or been destroyed"
    )
    below: UnitBelow | None = Field(None, description="The unit has fewer men than given")
    ratio: SideRatio | None = Field(
        None,
        description="The side's combat power near the place, over its enemies', is at least this",
    )
    near: SideNear | None = Field(
        None,
        description="Troops of the side stand at the place or next to it, whatever the "
        "stance (a neutral army seeing the other's columns come up)",
    )
    done: Slug | None = Field(None, description="The order or intent with this id is done")
    date: dt.date | None = Field(None, description="This date has come (06:00)")
    stance: StanceIs | None = Field(None, description="Two sides stand in this relation")
    any: list[Condition] | None = None
    all: list[Condition] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a condition needs exactly one of "
                + ", ".join(type(self).model_fields)
                + (f"; got {', '.join(given)}" if given else "")
            )
        for key in ("any", "all"):
            if getattr(self, key) == []:
                raise ValueError(f"'{key}' needs at least one condition")
        return self

    def leaves(self) -> list[Condition]:
        """Every simple condition inside this one (itself when it is simple)."""
        nested = self.any or self.all
        if nested is None:
            return [self]
        return [leaf for c in nested for leaf in c.leaves()]


class Order(Strict):
    """An instruction a commander gave, dated and/or conditional. Never an outcome.

    ``date`` is when the decision was taken (the source must date it); ``when`` is a
    condition read from the run. An order with both takes effect once the date has
    come and the condition holds; with only ``when`` it waits for the condition.
    """

    id: Slug | None = Field(None, description="Order id, so that a variant can replace it")
    unit: Slug
    date: dt.date | None = Field(None, description="Date of the decision; optional with `when`")
    when: Condition | None = Field(None, description="Condition that sets the order off")
    action: Action
    target: Slug | None = Field(None, description="Place id; required for move/attack/withdraw")
    by_rail: bool = Field(False, description="Move by railway where the map allows")
    surprise: bool = Field(False, description="The attack achieved tactical surprise")
    source: Citation
    note: str = ""

    @model_validator(mode="after")
    def _target_when_needed(self) -> Order:
        if self.date is None and self.when is None:
            raise ValueError("an order needs a `date`, a `when` condition, or both")
        needs = {Action.move, Action.attack, Action.withdraw}
        if self.action in needs and not self.target:
            raise ValueError(f"action '{self.action}' needs a target place")
        if self.action == Action.leave and self.target:
            raise ValueError("action 'leave' takes no target")
        return self


class Objective(Strict):
    id: Slug | None = Field(
        None, description="Optional name, by which a --variant changes this objective"
    )
    side: Slug
    place: Slug
    kind: Literal["take", "hold"] = Field(
        description="take: the side holds the place at the end of `by`; hold: it holds "
        "it at the end of every day up to `by`"
    )
    by: dt.date
    weight: float = Field(1.0, gt=0, le=100)
    source: Citation | None = None


STEP_KINDS = ("take", "hold", "screen", "assemble", "withdraw_to")


class IntentStep(Strict):
    """One objective of an intent: take a place, hold one, or fall back to one."""

    take: Slug | None = Field(None, description="Place to take (worked through in order)")
    hold: Slug | None = Field(None, description="Place to hold, and retake if lost")
    withdraw_to: Slug | None = Field(None, description="Place to fall back to")
    assemble: Slug | None = Field(None, description="Place to gather the units at")
    screen: Slug | None = Field(
        None,
        description="Place to watch: held against weaker enemies, left without a fight "
        "to a stronger one",
    )
    units: list[Slug] = Field(
        default_factory=list,
        description="Units given to this objective (for `hold`: its garrison, sent "
        "there and kept there); default: the intent's units not holding elsewhere "
        "(for `hold`: no garrison is sent; units standing in the place keep it, and "
        "the intent's units near it retake it if it is lost)",
    )
    when: Condition | None = Field(
        None, description="The objective is pursued only once this holds"
    )
    attack_ratio: float | None = Field(
        None, gt=0, le=20, description="Perceived power ratio needed to attack; default: the side's"
    )
    surprise: bool = Field(
        False,
        description="Attacks on this objective are planned for surprise (e.g. by night); "
        "the staff counts on it and the engine applies it",
    )
    assault: bool = Field(
        False,
        description="The source says the attack was ordered: the first attack goes in "
        "whatever the odds (later ones wait for the attack ratio); only for `take`",
    )
    note: str = ""

    @model_validator(mode="after")
    def _one_kind(self) -> IntentStep:
        kinds = [k for k in STEP_KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("an objective needs exactly one of " + ", ".join(STEP_KINDS))
        return self

    @cached_property
    def kind(self) -> str:
        """Which of take, hold, screen, assemble, withdraw_to this objective is."""
        return next(k for k in STEP_KINDS if getattr(self, k) is not None)

    @cached_property
    def place(self) -> str:
        return getattr(self, self.kind)


class Intent(Strict):
    """What a commander wanted: objectives for a formation or a group of units.

    The engine's commanders work through the objectives (see docs/model.md,
    "Command"); nothing here says when a place falls.
    """

    id: Slug
    side: Slug
    formation: Slug | None = Field(None, description="Every unit under this formation")
    units: list[Slug] = Field(default_factory=list, description="Units allotted by id")
    date: dt.date | None = Field(
        None, description="When the decision was taken (sourced); default: scenario start"
    )
    when: Condition | None = Field(None, description="The intent starts only once this holds")
    attack_on: dt.date | None = Field(
        None,
        description="The day the source says the operation was carried out (the attack "
        "goes in at first light): each unit of the first objectives sets off early "
        "enough to reach its objective that morning. Use `date` when the source dates "
        "the decision or the start of the march instead",
    )
    until: dt.date | None = Field(None, description="Last day the intent is pursued")
    objectives: list[IntentStep] = Field(min_length=1)
    attack_ratio: float | None = Field(
        None, gt=0, le=20, description="Perceived power ratio needed to attack (all objectives)"
    )
    source: Citation
    note: str = ""

    @model_validator(mode="after")
    def _has_units(self) -> Intent:
        if self.formation is None and not self.units:
            raise ValueError("an intent needs a `formation` or a list of `units`")
        if self.until is not None and self.date is not None and self.until < self.date:
            raise ValueError(f"until {self.until} is before date {self.date}")
        if self.attack_on is not None:
            if self.date is not None and self.attack_on < self.date:
                raise ValueError(f"attack_on {self.attack_on} is before date {self.date}")
            if self.until is not None and self.until < self.attack_on:
                raise ValueError(f"until {self.until} is before attack_on {self.attack_on}")
        return self


class Relation(Strict):
    """How two sides stood towards each other from a date (or a condition) on."""

    id: Slug | None = Field(
        None, description="Optional name, by which a --variant changes this relation"
    )
    sides: tuple[Slug, Slug]
    stance: Stance
    date: dt.date | None = Field(None, description="From this date; default: scenario start")
    until: dt.date | None = Field(None, description="Up to and including this date")
    when: Condition | None = Field(None, description="From when this condition holds")
    believed: dict[Slug, Stance] = Field(
        default_factory=dict,
        description="What a listed side believed the stance to be (e.g. that the other "
        "would not fight); it learns otherwise in its first fight with the other side",
    )
    source: Citation
    note: str = ""

    @model_validator(mode="after")
    def _two_sides(self) -> Relation:
        for who in self.believed:
            if who not in self.sides:
                raise ValueError(f"believed: '{who}' is not one of the sides {list(self.sides)}")
        if self.sides[0] == self.sides[1]:
            raise ValueError("a relation needs two different sides")
        if self.until is not None and self.date is not None and self.until < self.date:
            raise ValueError(f"until {self.until} is before date {self.date}")
        return self


class DemarcationLine(Strict):
    """A line that listed sides may not cross while it is in force: through places of
    the map, or one of the packaged reference lines (``campaign/geo/data/reference_lines.yaml``)."""

    id: Slug
    name: str = Field(min_length=1)
    places: list[Slug] = Field(
        default_factory=list, description="Places the line runs through, in order"
    )
    reference: Slug | None = Field(
        None,
        description="Id of a packaged reference line (campaign/geo/data/"
        "reference_lines.yaml) whose points the line follows, instead of `places`",
    )
    closed_to: list[Slug] = Field(min_length=1, description="Sides that may not cross it")
    date: dt.date | None = Field(None, description="In force from; default: scenario start")
    until: dt.date | None = None
    source: Citation
    note: str = ""

    @model_validator(mode="after")
    def _places_or_reference(self) -> DemarcationLine:
        if self.reference is not None and self.places:
            raise ValueError("give either `places` or `reference`, not both")
        if self.reference is None and len(self.places) < 2:
            raise ValueError(
                f"a line runs through at least two places (got {len(self.places)}), "
                "or give a `reference` line"
            )
        if self.date is not None and self.until is not None and self.until < self.date:
            raise ValueError(f"`until` {self.until} is before `date` {self.date}")
        return self


class SeasonName(StrEnum):
    winter = "winter"  # snow, frozen rivers
    thaw = "thaw"  # spring thaw: roads to mud
    summer = "summer"
    autumn = "autumn"  # autumn rains


class SeasonSpell(Strict):
    """A stretch of the calendar in one season (both dates included)."""

    season: SeasonName
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> SeasonSpell:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class SeasonSpec(Strict):
    """The season calendar; days it does not cover follow the Baltic default
    (campaign.engine.season)."""

    calendar: list[SeasonSpell] = Field(default_factory=list)
    march: dict[str, float] = Field(
        default_factory=dict,
        description="Overrides of march factors, keyed 'SEASON.ROAD' (e.g. 'winter.track')",
    )


class Replacement(Strict):
    """Men sent to a unit in the theatre: drafts, replacements, a mobilisation's yield."""

    id: Slug | None = None
    unit: Slug
    men: int = Field(gt=0, le=MAX_UNIT_MEN)
    date: dt.date | None = Field(
        None, description="When they join (sourced); with `when`, not before"
    )
    when: Condition | None = Field(None, description="They are sent once this holds")
    source: Citation
    note: str = ""

    @model_validator(mode="after")
    def _dated_or_conditional(self) -> Replacement:
        if self.date is None and self.when is None:
            raise ValueError("a replacement needs a `date`, a `when` condition, or both")
        return self


class SupplySpec(Strict):
    """Supply sources per side and how far supply reaches (campaign.engine.supply)."""

    sources: dict[Slug, list[Slug]] = Field(
        default_factory=dict,
        description="Per side: base cities and railheads its supply comes from (held by it)",
    )
    radius_km: float | None = Field(None, gt=0, le=1000, description="Reach of supply by road, km")
    live_off_land: dict[Slug, float] = Field(
        default_factory=dict,
        description="Per side: share of combat power and march rate kept out of supply by "
        "requisitioning (default: campaign.engine.supply.OUT_OF_SUPPLY_FLOOR); a side with "
        "no sources lives off the land everywhere at this share",
    )

    @field_validator("live_off_land")
    @classmethod
    def _share(cls, value: dict[str, float]) -> dict[str, float]:
        for side, share in value.items():
            if not 0 < share <= 1:
                raise ValueError(f"live_off_land for '{side}' must be in (0, 1], got {share}")
        return value


class CommandSpec(Strict):
    """Overrides of the documented command defaults (campaign.command.doctrine)."""

    attack_ratio: dict[Slug, float] = Field(
        default_factory=dict, description="Per side: perceived power ratio needed to attack"
    )
    recon_links: int | None = Field(
        None, ge=0, le=6, description="Road links a side sees beyond its units"
    )
    estimate_error: float | None = Field(
        None, ge=0, le=2, description="Lognormal sigma of strength estimates of enemy units"
    )
    memory_days: float | None = Field(
        None, ge=0, le=60, description="Days a sighting is remembered"
    )
    garrison_taken_places: bool | None = Field(
        None,
        description="A formation that goes on leaves its smallest unit in a place it "
        "took (default: yes)",
    )
    decision_delay_days: float | None = Field(
        None,
        ge=0,
        le=10,
        description="Days from an intent's trigger (not a date) to its orders reaching "
        "the units (default: campaign.command.doctrine.DECISION_DELAY_DAYS)",
    )


class ExtraPlace(Strict):
    """A place not in the built-in gazetteer (synthetic theatres, other campaigns)."""

    id: Slug
    name: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    terrain: Literal["open", "forest", "lakes", "marsh", "town", "fortified"] = "open"


class ExtraLink(Strict):
    """A road or railway between two places, added to the map's graph."""

    a: Slug
    b: Slug
    road: Literal["main", "secondary", "track"] | None = "secondary"
    rail: bool = False
    length_km: float | None = Field(None, gt=0, le=2000, description="Default: from geometry")


class MapSpec(Strict):
    gazetteer: Literal["lithuania_1919", "none"] = Field(
        "lithuania_1919", description="Built-in gazetteer and road graph, or 'none'"
    )
    rail: bool = Field(True, description="Units may move by rail when ordered")
    places: list[ExtraPlace] = Field(default_factory=list)
    links: list[ExtraLink] = Field(default_factory=list)
    fortified: list[Slug] = Field(
        default_factory=list, description="Places with field fortifications (e.g. WWI trenches)"
    )


class CombatModel(StrEnum):
    dupuy = "dupuy"
    lanchester_square = "lanchester_square"
    lanchester_linear = "lanchester_linear"
    tndm = "tndm"


class CombatSpec(Strict):
    """Which combat law resolves engagements, and its parameters.

    ``coefficients`` (per day) are the Lanchester attrition coefficients keyed by
    the side that *inflicts* the losses; ``multipliers`` override the documented
    Dupuy defaults in :mod:`campaign.engine.combat`.

    Not every law reads every setting: ``coefficients`` only the Lanchester laws;
    ``variation`` and the posture, surprise, weapon and loss-rate multipliers only
    ``dupuy``; break points, ``position_depth_km`` and the terrain and river
    multipliers every law but ``tndm`` (which decides the outcome itself); quality
    multipliers every law. A setting the scenario's law does not read is accepted
    with a warning naming its line.
    """

    model: CombatModel = CombatModel.dupuy
    coefficients: dict[Slug, float] = Field(default_factory=dict)
    multipliers: dict[str, float] = Field(default_factory=dict)
    variation: float = Field(0.2, ge=0, le=1, description="Lognormal sigma of daily variation")
    break_points: bool = Field(True, description="Units break at their break point")
    step_hours: float = Field(
        6.0, ge=0.5, le=24, description="Length of one engagement step, hours"
    )
    position_depth_km: float = Field(
        2.0,
        ge=0,
        le=50,
        description="Depth of a defended place's position, km: attackers advancing into it "
        "at the opposed rate of advance drive the defenders out once through it "
        "(campaign.engine.advance); 0 turns this off",
    )

    @field_validator("coefficients")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        for side, coefficient in value.items():
            if not 0 <= coefficient <= MAX_COEFFICIENT_PER_DAY:
                raise ValueError(
                    f"coefficient for '{side}' must be from 0 to {MAX_COEFFICIENT_PER_DAY:g} "
                    f"per day, got {coefficient:.6g}"
                )
        return value

    @model_validator(mode="after")
    def _lanchester_needs_coefficients(self) -> CombatSpec:
        lanchester = (CombatModel.lanchester_square, CombatModel.lanchester_linear)
        if self.model in lanchester and not any(self.coefficients.values()):
            raise ValueError(
                f"model '{self.model.value}' needs `coefficients`: the attrition rate per "
                "day of each side, at least one above 0"
            )
        return self


class Scenario(Strict):
    """A complete campaign scenario."""

    id: Slug
    title: str = Field(min_length=1)
    description: str = ""
    start: dt.date
    end: dt.date
    sources: list[Source] = Field(min_length=1)
    map: MapSpec = Field(default_factory=MapSpec)
    combat: CombatSpec = Field(default_factory=CombatSpec)
    sides: list[Side] = Field(min_length=2)
    control: dict[Slug, Slug] = Field(
        default_factory=dict, description="Initial control: place id -> side id or 'none'"
    )
    formations: list[Formation] = Field(default_factory=list)
    units: list[Unit] = Field(min_length=1)
    orders: list[Order] = Field(default_factory=list)
    objectives: list[Objective] = Field(default_factory=list)
    intents: list[Intent] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    lines: list[DemarcationLine] = Field(default_factory=list)
    command: CommandSpec = Field(default_factory=CommandSpec)
    season: SeasonSpec = Field(default_factory=SeasonSpec)
    supply: SupplySpec = Field(default_factory=SupplySpec)
    replacements: list[Replacement] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Scenario:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if (self.end - self.start).days > 3660:
            raise ValueError("a scenario may span at most ten years")
        return self

    #: side id -> its position in ``sides``, checked on every lookup so edits are seen.
    _side_index: dict[str, int] = PrivateAttr(default_factory=dict)

    # Convenience lookups used by the engine and analysis.
    def side(self, side_id: str) -> Side:
        """The side with id ``side_id`` (a dict lookup: the engine asks for all pairs)."""
        # The private dict directly: pydantic's attribute hook costs more than the lookup.
        private, sides = self.__pydantic_private__, self.sides
        i = private["_side_index"].get(side_id, -1)
        if not (0 <= i < len(sides) and sides[i].id == side_id):
            # First call, or the sides were edited since: index them again.
            private["_side_index"] = {s.id: i for i, s in reversed(list(enumerate(sides)))}
            i = private["_side_index"].get(side_id, -1)
            if i < 0:
                raise KeyError(f"no side '{side_id}'")
        return sides[i]

    def unit(self, unit_id: str) -> Unit:
        return next(u for u in self.units if u.id == unit_id)

    def hostile(self, a: str, b: str) -> bool:
        """True when sides ``a`` and ``b`` fight each other (different and not allied)."""
        if a == b:
            return False
        return b not in self.side(a).allies and a not in self.side(b).allies


def formations_under(root: str, parent_of: dict[str, str | None]) -> set[str]:
    """``root`` and every formation below it, given each formation's parent id."""
    below = {root}
    changed = True
    while changed:
        changed = False
        for formation, parent in parent_of.items():
            if parent in below and formation not in below:
                below.add(formation)
                changed = True
    return below


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario format, for editors and other tools."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "campaign scenario"
    return schema
