"""The historical record of a scenario, kept apart from the scenario itself.

``scenarios/<id>.history.yaml`` lists dated checkpoints (who controlled a place on
a date) and recorded engagements. The engine never reads it; only the fidelity
report compares a run against it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field, ValidationError

from campaign.errors import Problem, ScenarioError
from campaign.scenario.checks import suggest
from campaign.scenario.loader import problems_from_validation
from campaign.scenario.schema import Citation, Scenario, Slug, Source, Strict
from campaign.scenario.yamlfile import load_yaml_file


class Checkpoint(Strict):
    """On ``date``, ``place`` was held by ``side`` (per the source)."""

    place: Slug
    date: dt.date
    side: Slug = Field(description="Side id in control, or 'none'")
    event: str = Field("", description="What happened, in our own words")
    source: Citation


class EngagementSide(Strict):
    men: int | None = Field(None, ge=0)
    killed: int | None = Field(None, ge=0)
    wounded: int | None = Field(None, ge=0)
    captured: int | None = Field(None, ge=0)


class RecordedEngagement(Strict):
    place: Slug
    date: dt.date
    sides: dict[Slug, EngagementSide]
    winner: Slug | None = None
    source: Citation
    note: str = ""


class History(Strict):
    scenario: Slug
    sources: list[Source] = Field(min_length=1)
    checkpoints: list[Checkpoint] = Field(min_length=1)
    engagements: list[RecordedEngagement] = Field(default_factory=list)


def history_path_for(scenario_path: Path) -> Path:
    """``scenarios/x.yaml`` -> ``scenarios/x.history.yaml``."""
    return scenario_path.with_name(scenario_path.stem + ".history.yaml")


def load_history(path: str | Path, scenario: Scenario | None = None) -> History:
    """Read and validate a history file; raises :class:`ScenarioError`.

    With ``scenario``, the record must also be that scenario's: its id, and places,
    sides and dates the scenario has (see :func:`mismatches`)."""
    doc = load_yaml_file(Path(path))
    if not isinstance(doc.data, dict):
        raise ScenarioError(Problem(doc.file, 1, "", "expected a YAML mapping at top level"))
    if "checkpoints" not in doc.data and {"units", "sides"} <= doc.data.keys():
        raise ScenarioError(
            Problem(
                doc.file,
                1,
                "",
                "this is a scenario file, not a historical record (a record has "
                "`scenario`, `sources` and `checkpoints`; see docs/scenario-format.md)",
            )
        )
    try:
        history = History.model_validate(doc.data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(doc, exc, History)) from None
    found = contradictions(history)
    if scenario is not None:
        found += mismatches(history, scenario)
    if found:
        raise ScenarioError(
            [Problem(doc.file, doc.line_of(loc), _dotted(loc), msg) for loc, msg in found]
        )
    return history


def contradictions(history: History) -> list[tuple[tuple[str | int, ...], str]]:
    """What a record says that its own entries deny, as (path in the file, message): a
    citation of a source it does not list, an engagement won by a side that did not
    fight in it, or more men killed, wounded or captured than a side had."""
    refs = {s.id for s in history.sources}
    found: list[tuple[tuple[str | int, ...], str]] = []
    cited = [("checkpoints", i, c.source.ref) for i, c in enumerate(history.checkpoints)]
    cited += [("engagements", i, e.source.ref) for i, e in enumerate(history.engagements)]
    for key, i, ref in cited:
        if ref not in refs:
            found.append(
                (
                    (key, i, "source", "ref"),
                    f"unknown source '{ref}'{suggest(ref, refs)}; the record's sources are "
                    f"{', '.join(sorted(refs))}",
                )
            )
    seen_sources: set[str] = set()
    for i, src in enumerate(history.sources):
        if src.id in seen_sources:
            found.append((("sources", i, "id"), f"duplicate source id '{src.id}'"))
        seen_sources.add(src.id)
    said: dict[tuple, tuple[int, str]] = {}
    for i, c in enumerate(history.checkpoints):
        key = (c.date, c.place)
        if key in said and said[key][1] != c.side:
            first, side = said[key]
            found.append(
                (
                    ("checkpoints", i, "side"),
                    f"{c.place} on {c.date} is held by '{c.side}' here and by '{side}' in "
                    f"checkpoints[{first}]: one holder a day",
                )
            )
        said.setdefault(key, (i, c.side))
    for i, e in enumerate(history.engagements):
        if e.winner is not None and e.winner not in e.sides:
            found.append(
                (
                    ("engagements", i, "winner"),
                    f"'{e.winner}' is not one of the engagement's sides "
                    f"({', '.join(e.sides) or 'none listed'})",
                )
            )
        for side, count in e.sides.items():
            found += [(("engagements", i, "sides", side), m) for m in _losses_beyond(count)]
    return found


def _losses_beyond(side: EngagementSide) -> list[str]:
    """Messages for losses of one side that add up to more than its men. Killed and
    wounded are apart, and so are killed and captured; wounded men may be captured."""
    if side.men is None:
        return []
    beyond = f"is more than the {side.men:,} men the side had"
    killed = side.killed or 0
    if killed > side.men:
        return [f"killed {killed:,} {beyond}"]
    problems = []
    for name in ("wounded", "captured"):
        count = getattr(side, name)
        if count is not None and killed + count > side.men:
            told = f"killed {killed:,} + " if side.killed else ""
            problems.append(f"{told}{name} {count:,} {beyond}")
    return problems


def mismatches(history: History, scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """Where ``history`` cannot be compared with a run of ``scenario``, as (path in the
    file, message): a record of another scenario, or a checkpoint or engagement at a
    place the scenario's map lacks, for a side it lacks, or dated outside it."""
    if history.scenario != scenario.id:
        return [
            (
                ("scenario",),
                f"this is the record of scenario '{history.scenario}', not of "
                f"'{scenario.id}' (the scenario it was given with)",
            )
        ]
    places = {p.id for p in scenario.map.places}
    if scenario.map.gazetteer != "none":
        from campaign.geo import load_gazetteer

        places |= set(load_gazetteer())
    sides = {s.id for s in scenario.sides} | {"none"}
    span = f"{scenario.start} to {scenario.end}"
    found: list[tuple[tuple[str | int, ...], str]] = []
    items = [("checkpoints", i, c, [c.side], "side") for i, c in enumerate(history.checkpoints)]
    items += [
        ("engagements", i, e, [*e.sides, *([e.winner] if e.winner else [])], "sides")
        for i, e in enumerate(history.engagements)
    ]
    for key, i, item, item_sides, side_field in items:
        if item.place not in places:
            found.append(((key, i, "place"), f"unknown place '{item.place}' (not on the map)"))
        for side in item_sides:
            if side not in sides:
                known = ", ".join(sorted(sides))
                found.append(
                    ((key, i, side_field), f"unknown side '{side}' (the scenario's: {known})")
                )
        if not scenario.start <= item.date <= scenario.end:
            found.append(
                (
                    (key, i, "date"),
                    f"{item.date} is outside the scenario ({span}): a run "
                    "cannot be compared with it",
                )
            )
    return found


def _dotted(loc: tuple[str | int, ...]) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else p for p in loc).replace(".[", "[")
