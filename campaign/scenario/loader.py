"""Load a scenario file: YAML -> located plain data -> validated :class:`Scenario`.

Every problem found is reported with its file, line and field path, e.g.::

    scenarios/kaunas_1919.yaml:42: units.pskov_2nd_rifle.strength_men: Input should be ...
"""

from __future__ import annotations

import functools
import hashlib
import json
import types
import typing
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from campaign.errors import Problem, ScenarioError, ScenarioWarning
from campaign.scenario import schema
from campaign.scenario.checks import check_references, suggest, unread_settings
from campaign.scenario.overrides import Overrides, apply_overrides, section_items
from campaign.scenario.yamlfile import (
    LocatedDocument,
    Origins,
    load_yaml_file,
    parse_yaml,
    shorten,
)

#: Which model describes the items found under each key of a scenario, for "did you
#: mean" hints where the model at a path cannot be worked out from the annotations.
_MODEL_OF_KEY: dict[str, type[BaseModel]] = {
    "sources": schema.Source,
    "sides": schema.Side,
    "formations": schema.Formation,
    "units": schema.Unit,
    "orders": schema.Order,
    "objectives": schema.Objective,
    "relations": schema.Relation,
    "intents": schema.Intent,
    "replacements": schema.Replacement,
    "map": schema.MapSpec,
    "combat": schema.CombatSpec,
    "source": schema.Citation,
}


def field_path(data: Any, loc: tuple[str | int, ...]) -> str:
    """A readable dotted path: list items are named by their id where they have one."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node):
            item = node[key]
            ident = item.get("id") if isinstance(item, dict) else None
            if isinstance(ident, str) and ident:
                parts.append(ident)
            elif parts:
                parts[-1] = f"{parts[-1]}[{key}]"
            else:
                parts.append(f"[{key}]")
            node = item
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts)


def _unwrap(annotation: Any) -> Any:
    """The type inside ``Annotated[...]`` and ``X | None``."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


@functools.cache
def _field_types(model: type[BaseModel]) -> dict[str, Any]:
    """The fields' annotations with forward references (``Condition``) resolved."""
    return typing.get_type_hints(model, include_extras=True)


def model_at(root: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model of the value at ``loc`` in data validated as ``root``, following the
    field annotations (list items, mapping values); None where they do not say."""
    node: Any = root
    for key in loc:
        node = _unwrap(node)
        if _is_model(node):
            if not isinstance(key, str) or key not in node.model_fields:
                return None
            node = _field_types(node)[key]
        elif get_origin(node) in (list, tuple) and isinstance(key, int):
            node = get_args(node)[0]
        elif get_origin(node) is dict:
            node = get_args(node)[1]
        else:
            return None
    node = _unwrap(node)
    return node if _is_model(node) else None


def _allowed_keys(loc: tuple[str | int, ...], root: type[BaseModel]) -> list[str]:
    """The keys allowed beside the unknown key at ``loc`` (in a file validated as ``root``)."""
    model = model_at(root, loc[:-1])
    if model is not None:
        return list(model.model_fields)
    if root is schema.Scenario:
        for key in reversed(loc[:-1]):
            if isinstance(key, str) and key in _MODEL_OF_KEY:
                return list(_MODEL_OF_KEY[key].model_fields)
    return list(root.model_fields)


def _message(error: dict[str, Any], root: type[BaseModel]) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(loc, root)
        hint = suggest(key, allowed) or f"; allowed keys: {', '.join(allowed)}"
        return f"unknown key '{key}'{hint}"
    if kind == "missing":
        return "required field is missing"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    value = error.get("input")
    if kind not in ("model_type", "dict_type", "list_type") and isinstance(
        value, str | int | float
    ):
        message += f" (got {shorten(repr(value))})"
    return message


def problems_from_validation(
    doc: LocatedDocument, exc: ValidationError, root: type[BaseModel] = schema.Scenario
) -> list[Problem]:
    """One located problem per error of validating ``doc`` as ``root`` (a scenario by
    default; an unknown key's hint lists the keys of the model it was found in)."""
    problems = []
    for error in exc.errors():
        # Drop union/tag branches pydantic adds to the location.
        loc = tuple(part for part in error["loc"] if not str(part).startswith("function-"))
        error = {**error, "loc": loc}
        problems.append(Problem(*doc.where(loc), field_path(doc.data, loc), _message(error, root)))
    return problems


#: The sections whose entries a condition can name (and a what-if can remove).
_NAMED = ("units", "orders", "intents")
#: Keys of a condition leaf that name a unit, order or intent (see
#: :func:`_about_something_removed`).
_NAMING_KEYS = ("arrived", "broken", "unit", "done")


def _about_something_removed(loc: tuple, message: str, gone: frozenset[str]) -> bool:
    """True for a reference problem in a condition (``arrived``, ``broken``, ``below``,
    ``done``) about a unit, order or intent in ``gone``: one the what-if removed."""
    if not gone or not loc or loc[-1] not in _NAMING_KEYS:
        return False
    if loc[-1] == "unit" and (len(loc) < 2 or loc[-2] != "below"):
        return False
    return any(f"'{name}'" in message for name in gone)


def scenario_from_document(
    doc: LocatedDocument,
    gone: frozenset[str] = frozenset(),
    made_by: Callable[[], tuple[str, list]] | None = None,
) -> schema.Scenario:
    """Validate located data as a scenario, cross-references included.

    ``gone``: ids of units, orders and intents a what-if removed. A condition that
    names one is not an error: it never holds (the removed regiment never arrives and
    never breaks, the removed intent is never done). ``made_by`` gives (the what-if's
    flags, the warnings the file gives without it), asked for only when there is a
    warning: a warning only the what-if gives names it."""
    if not isinstance(doc.data, dict):
        raise ScenarioError(
            Problem(
                doc.file,
                1,
                "",
                f"expected a YAML mapping at top level, got {type(doc.data).__name__}",
            )
        )
    if "checkpoints" in doc.data and "units" not in doc.data:
        raise ScenarioError(
            Problem(
                doc.file,
                1,
                "",
                "this is a historical record, not a scenario (a scenario has `sides`, "
                "`units` and the rest; the record goes to --history, or sits beside its "
                "scenario as NAME.history.yaml)",
            )
        )
    try:
        scenario = schema.Scenario.model_validate(doc.data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(doc, exc)) from None
    place_ids: set[str] = set()
    if scenario.map.gazetteer != "none":
        from campaign.geo import load_gazetteer  # local: geo reads its data files

        place_ids = set(load_gazetteer())
    place_ids |= {p.id for p in scenario.map.places}
    found = [
        (loc, msg)
        for loc, msg in check_references(scenario, place_ids)
        if not _about_something_removed(loc, msg, gone)
    ]
    if found:
        raise ScenarioError(
            [Problem(*doc.where(loc), field_path(doc.data, loc), msg) for loc, msg in found]
        )
    unread = unread_settings(scenario)
    flags, own = made_by() if unread and made_by is not None else ("", unread)
    for loc, msg in unread:
        if (loc, msg) not in own:
            msg = f"{msg}; made by the what-if ({flags})"
        problem = Problem(*doc.where(loc), field_path(doc.data, loc), msg)
        warnings.warn(ScenarioWarning(str(problem)), stacklevel=2)
    return scenario


def load_scenario(path: str | Path, overrides: Overrides | None = None) -> schema.Scenario:
    """Read, parse and validate a scenario file, with what-if overrides applied.

    Raises :class:`ScenarioError` listing every problem with its line and field.
    """
    doc = load_yaml_file(Path(path))
    if not overrides:
        return scenario_from_document(doc)
    original = doc
    units_before = _ids(doc.data, "units")
    origins = Origins()  # values written in a --variant file are blamed on that file
    try:
        patched = apply_overrides(doc.data, overrides, origins)
    except ScenarioError:
        scenario_from_document(doc)  # a file at fault itself is reported as such first
        raise
    doc = LocatedDocument(doc.file, patched, doc.lines, origins)
    gone = frozenset(
        str(x) for x in _ids(original.data, *_NAMED) - _ids(patched, *_NAMED) if x is not None
    )
    try:
        return scenario_from_document(doc, gone, lambda: _warnings_without(original, overrides))
    except ScenarioError as exc:
        removed = units_before - _ids(doc.data, "units")
        if removed:
            raise ScenarioError([_explain_removed(p, removed) for p in exc.problems]) from None
        try:
            scenario_from_document(original)
        except ScenarioError:
            raise exc from None  # the file itself is at fault
        # The file is valid: the what-if made the value that is refused (a value
        # located in a variant file names that file already).
        made_by = ", ".join(overrides.describe())
        raise ScenarioError(
            [
                p
                if p.file != original.file
                else Problem(
                    p.file, p.line, p.field, f"{p.message}; made by the what-if ({made_by})"
                )
                for p in exc.problems
            ]
        ) from None


def _warnings_without(original: LocatedDocument, overrides: Overrides) -> tuple[str, list]:
    """(the what-if's flags, the unread-setting warnings the file gives on its own)."""
    flags = ", ".join(overrides.describe())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        try:
            return flags, unread_settings(scenario_from_document(original))
        except ScenarioError:
            return flags, []


def _ids(data: Any, *sections: str) -> set:
    """The ids of the entries of ``sections`` in raw scenario data (before validation;
    a section that is not a list has none: validation says so)."""
    if not isinstance(data, dict):
        return set()
    return {
        x.get("id") for sec in sections for x in section_items(data, sec) if isinstance(x, dict)
    }


def _explain_removed(problem: Problem, removed: set) -> Problem:
    """A problem about a unit the what-if removed, told as such."""
    for uid in removed:
        if isinstance(uid, str) and problem.message.startswith(f"unknown unit '{uid}'"):
            return Problem(
                problem.file,
                problem.line,
                problem.field,
                f"names unit '{uid}', which the what-if removes (--remove or remove_units): "
                "a condition on it cannot be read; change or drop it in a --variant",
            )
    return problem


def load_scenario_text(text: str, name: str = "<text>") -> schema.Scenario:
    """Validate a scenario given as YAML text (tests, notebooks)."""
    return scenario_from_document(parse_yaml(text, name))


#: Optional fields added to the format after runs were made, by section: left out of
#: the hash while unset, so that a run made before them still verifies.
_ADDED_LATER = {"relations": "id", "objectives": "id"}


def scenario_hash(scenario: schema.Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: same content, same hash."""
    data = scenario.model_dump(mode="json")
    for section, name in _ADDED_LATER.items():
        for item in data.get(section, []):
            if item.get(name, 0) is None:
                del item[name]
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
