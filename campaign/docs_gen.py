"""Regenerate the generated parts of the documentation in ``docs/``.

Pages mix hand-written text with generated sections. A generated section sits
between two markers and is replaced wholesale::

    <!-- generated:NAME -->
    ... written by the generator, do not edit ...
    <!-- /generated:NAME -->

Every section comes from the code it documents (pydantic models, module constants
and their ``#:`` comments, the argparse parser, docstrings, replay dataclasses) or
from running it (validation messages, fidelity reports), so the docs cannot drift.

Run::

    python -m campaign.docs_gen            # rewrite every page, copy and draw the pictures
    python -m campaign.docs_gen --check    # exit 1 if a cheap generated section is stale
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import datetime as dt
import enum
import importlib
import inspect
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
IMG = DOCS / "img"
#: The worked example of the scenario-format page; validated by the tests.
EXAMPLE = DOCS / "examples" / "toy_line.yaml"

MARKER = re.compile(
    r"(?P<open><!-- generated:(?P<name>[a-z0-9_-]+) -->\n)(?P<body>.*?)(?P<close><!-- /generated:(?P=name) -->)",
    re.S,
)
#: Help text is wrapped to this width so the CLI page does not depend on the terminal.
HELP_COLUMNS = 88


# ------------------------------------------------------------------------- formatting
def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _value(value: Any) -> str:
    """A default or constant as YAML/JSON would spell it."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, ensure_ascii=False)


# ------------------------------------------------------------------ pydantic models
def _pattern_name(metadata: list[Any]) -> str | None:
    from campaign.scenario.schema import SLUG

    for m in metadata:
        if isinstance(m, FieldInfo):
            return _pattern_name(list(m.metadata))
        pattern = getattr(m, "pattern", None)
        if pattern == SLUG:
            return "slug"
        if pattern and pattern.startswith("^#"):
            return "colour"
    return None


def _type_name(annotation: Any, models: list[type[BaseModel]], enums: list[type[enum.Enum]]) -> str:
    """Readable type of a field; collects the nested models and enums it mentions."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _pattern_name(list(args[1:])) or _type_name(args[0], models, enums)
    if annotation is type(None):
        return "null"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a, models, enums) for a in args)
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" if a is not None else "`null`" for a in args)
    if origin is list:
        return f"list of {_type_name(args[0], models, enums)}"
    if origin is dict:
        return f"map {_type_name(args[0], models, enums)} → {_type_name(args[1], models, enums)}"
    if origin is tuple:
        return "[" + ", ".join(_type_name(a, models, enums) for a in args) + "]"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in models:
            models.append(annotation)
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        if annotation not in enums:
            enums.append(annotation)
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if annotation is dt.date:
        return "date (YYYY-MM-DD)"
    names = {str: "string", int: "integer", float: "number", bool: "boolean", typing.Any: "any"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _constraints(metadata: list[Any], annotation: Any) -> str:
    """Bounds of a field in words (a slug's own length limits are left to its definition)."""
    if _pattern_name(metadata) == "slug":
        return ""
    signs = {
        "ge": "≥",
        "gt": ">",
        "le": "≤",
        "lt": "<",
        "min_length": "at least",
        "max_length": "at most",
    }
    what = " item(s)" if typing.get_origin(annotation) is list else " character(s)"
    out = []
    for m in metadata:
        for attr, sign in signs.items():
            bound = getattr(m, attr, None)
            if bound is not None:
                unit = what if "length" in attr else ""
                out.append(
                    f"{sign} {bound:,}{unit}" if isinstance(bound, int) else f"{sign} {bound}"
                )
    return ", ".join(out)


#: What undocumented scenario fields mean. A ``description`` in ``schema.py`` wins;
#: better still, move these there.
FIELD_NOTES = {
    "id": "Unique id (slug), used to refer to this entry",
    "name": "Name shown on maps and in reports",
    "title": "Title shown on maps and in reports",
    "description": "Free text",
    "start": "First day of the scenario",
    "end": "Last day of the scenario (simulated to its end)",
    "sources": "The source texts facts are cited from",
    "map": "Gazetteer, extra places and links, fortifications",
    "combat": "Combat law and its parameters",
    "sides": "The belligerents",
    "formations": "Headquarters grouping units",
    "units": "The order of battle",
    "orders": "Dated orders, in any order",
    "objectives": "What each side wanted, scored in summaries and ensembles",
    "side": "Side id",
    "kind": "Kind of unit or formation",
    "quality": "Training and cohesion: sets the combat factor and break point",
    "source": "Where this fact comes from",
    "note": "Free text",
    "unit": "Unit id",
    "date": "Date the order was given; it takes effect at 06:00",
    "action": "What the unit is to do",
    "place": "Place id",
    "by": "Date by which the objective is due",
    "weight": "Weight of the objective in the objective score",
    "allies": "Sides this side never fights",
    "coefficients": "Lanchester attrition coefficient per day, keyed by the side that inflicts losses",
    "multipliers": "Overrides of the Dupuy defaults (see The model)",
    "model": "Combat law that resolves engagements",
    "places": "Places added to the map",
    "links": "Roads and railways added to the map",
    "a": "Place id at one end",
    "b": "Place id at the other end",
    "road": "Road class (null: no road, rail only)",
    "rail": "Railway on this link",
    "lat": "Latitude, degrees (WGS84)",
    "lon": "Longitude, degrees (WGS84)",
    "terrain": "Terrain of the place (sets the defender's terrain factor)",
    "step_hours": "Length of one engagement step, hours",
}


def _default(info: Any) -> str:
    if info.is_required():
        return "**required**"
    if info.default_factory is not None:
        value = info.default_factory()
        if isinstance(value, BaseModel):
            return f"see [{type(value).__name__}](#{type(value).__name__.lower()})"
        return f"`{_value(value)}`"
    return f"`{_value(info.default)}`"


def model_tables(root: type[BaseModel], level: str = "###") -> str:
    """One table per model reachable from ``root``: field, type, default, description."""
    models: list[type[BaseModel]] = [root]
    enums: list[type[enum.Enum]] = []
    parts = []
    i = 0
    while i < len(models):
        model = models[i]
        i += 1
        # The scenario models build on first use (defer_build): complete this one so
        # that its forward references (Unit.arrives_when -> Condition) are resolved.
        model.model_rebuild()
        rows = []
        for name, info in model.model_fields.items():
            kind = _type_name(info.annotation, models, enums)
            pattern = _pattern_name(info.metadata)
            if pattern and kind == "string":
                kind = pattern
            limits = _constraints(info.metadata, info.annotation)
            if limits:
                kind += f" ({limits})"
            note = info.description or FIELD_NOTES.get(name, "")
            rows.append([f"`{name}`", kind, _default(info), note])
        doc = inspect.getdoc(model) or ""
        if doc.startswith(("Usage docs", "!!! abstract")) or model.__doc__ is None:
            doc = ""
        block = [f"{level} {model.__name__}", ""]
        if doc:
            block += [_rst_to_md(doc), ""]
        block.append(_table(["field", "type", "default", "description"], rows))
        parts.append("\n".join(block))
    for e in enums:
        doc = inspect.getdoc(e) or ""
        if doc.startswith("An enumeration") or doc == inspect.getdoc(enum.StrEnum):
            doc = ""
        values = ", ".join(f"`{m.value}`" for m in e)
        parts.append("\n\n".join(x for x in [f"{level} {e.__name__}", doc, values] if x))
    return "\n\n".join(p.replace("\n\n\n", "\n\n") for p in parts)


# ----------------------------------------------------------------- module constants
def _constant_comments(module: types.ModuleType) -> dict[str, str]:
    """``NAME -> comment`` from the ``#:`` lines above each module-level constant.

    A constant directly below another one, with no comment of its own, shares its
    neighbour's comment (e.g. ``MACHINE_GUN_MEN`` under ``GUN_MEN``).
    """
    source = inspect.getsource(module)
    lines = source.splitlines()
    out: dict[str, str] = {}
    previous_end, previous_doc = -10, ""
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign | ast.AnnAssign):
            continue
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        if not isinstance(target, ast.Name) or not target.id.isupper():
            continue
        comment: list[str] = []
        n = node.lineno - 2
        while n >= 0 and lines[n].lstrip().startswith("#:"):
            comment.insert(0, lines[n].lstrip()[2:].strip())
            n -= 1
        doc = " ".join(comment)
        if not doc and node.lineno - 1 == previous_end:
            doc = previous_doc
        out[target.id] = doc
        previous_end, previous_doc = node.end_lineno or node.lineno, doc
    return out


def _number(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _constant_value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{'no road' if k is None else k} {_number(v)}" for k, v in value.items())
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return _number(value)


def constants_table(module_name: str) -> str:
    """Every public upper-case constant of a module with its value and documented source."""
    module = importlib.import_module(module_name)
    comments = _constant_comments(module)
    rows = [
        [f"`{name}`", _constant_value(getattr(module, name)), doc]
        for name, doc in comments.items()
        if not name.startswith("_")
    ]
    path = module_name.replace(".", "/") + ".py"
    return f"From `{path}`:\n\n" + _table(["constant", "value", "meaning and source"], rows)


def multiplier_keys() -> str:
    """The keys ``combat.multipliers`` accepts, with their defaults."""
    from campaign.engine import combat

    rows = []
    for prefix, table in (
        ("posture", combat.POSTURE),
        ("terrain", combat.TERRAIN),
        ("river", combat.RIVER),
        ("quality", combat.QUALITY),
        ("break_point", combat.BREAK_POINT),
    ):
        rows += [[f"`{prefix}.{k}`", str(v)] for k, v in table.items()]
    for key, value in (
        ("surprise", combat.SURPRISE),
        ("gun_men", combat.GUN_MEN),
        ("machine_gun_men", combat.MACHINE_GUN_MEN),
        ("base_daily_loss", combat.BASE_DAILY_LOSS),
        ("ratio_exponent", combat.RATIO_EXPONENT),
    ):
        rows.append([f"`{key}`", str(value)])
    return _table(["key in `combat.multipliers`", "default"], rows)


# ------------------------------------------------------------------------ the CLI
@contextlib.contextmanager
def _columns(width: int) -> Iterator[None]:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def cli_reference() -> str:
    """``--help`` of ``campaign`` and of every subcommand."""
    from campaign.cli import build_parser

    with _columns(HELP_COLUMNS):
        parser = build_parser()
        parts = ["## campaign", "", "```text", parser.format_help().rstrip(), "```"]
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        for name, p in sub.choices.items():
            parts += ["", f"## campaign {name}", "", "```text", p.format_help().rstrip(), "```"]
    return "\n".join(parts)


# --------------------------------------------------------------------- docstrings
_ROLE = re.compile(r":(?:func|class|mod|meth|attr|data|exc):`~?(?:[\w.]*\.)?([\w]+)`")


def _rst_to_md(doc: str) -> str:
    """Turn the reST bits our docstrings use into Markdown."""
    doc = _ROLE.sub(r"`\1`", doc)
    doc = re.sub(r"``([^`]+)``", r"`\1`", doc)
    out: list[str] = []
    in_doctest = False
    for line in doc.splitlines():
        if line.startswith(">>>") and not in_doctest:
            out += ["", "```pycon"]
            in_doctest = True
        elif in_doctest and not line.strip():
            out.append("```")
            in_doctest = False
        out.append(line.replace("::", ":") if line.rstrip().endswith("::") else line)
    if in_doctest:
        out.append("```")
    return "\n".join(out)


#: Modules documented on the API page, in this order.
API_MODULES = (
    "campaign.api",
    "campaign.scenario",
    "campaign.simulate",
    "campaign.analysis.fidelity",
    "campaign.analysis.ensemble",
    "campaign.replay.reader",
)


def _public_members(module: types.ModuleType) -> list[tuple[str, Any]]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, obj in vars(module).items()
            if not n.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__
        ]
    return [(n, getattr(module, n)) for n in names]


def _signature(name: str, obj: Any) -> str:
    try:
        return f"{name}{inspect.signature(obj)}"
    except (TypeError, ValueError):
        return name


def _member_doc(name: str, obj: Any, level: str) -> list[str]:
    is_model = inspect.isclass(obj) and issubclass(obj, BaseModel)
    head = (
        f"class {name}"
        if is_model
        else (
            f"class {_signature(name, obj)}"
            if inspect.isclass(obj)
            else f"def {_signature(name, obj)}"
        )
    )
    doc = inspect.getdoc(obj) if obj.__doc__ else ""
    if (
        inspect.isclass(obj)
        and dataclasses.is_dataclass(obj)
        and doc
        and doc.startswith(f"{name}(")
    ):
        doc = ""
    lines = [f"{level} `{name}`", "", "```text", head, "```", ""]
    if is_model:
        lines += [
            "A pydantic model; its fields are listed in the [scenario format](scenario-format.md).",
            "",
        ]
    if doc:
        lines += [_rst_to_md(doc), ""]
    if inspect.isclass(obj) and not is_model:
        for mname, member in vars(obj).items():
            if mname.startswith("_") or not inspect.isfunction(member):
                continue
            mdoc = inspect.getdoc(member) or ""
            lines += [
                f"- `{_signature(mname, member)}`" + (f": {mdoc.splitlines()[0]}" if mdoc else "")
            ]
        lines.append("")
    return lines


def api_reference() -> str:
    """Signature and docstring of every public function and class of the API modules."""
    parts: list[str] = []
    for module_name in API_MODULES:
        module = importlib.import_module(module_name)
        parts += [f"## `{module_name}`", ""]
        doc = inspect.getdoc(module)
        if doc:
            parts += [_rst_to_md(doc), ""]
        for name, obj in _public_members(module):
            parts += _member_doc(name, obj, "###")
    return "\n".join(parts).rstrip()


# ------------------------------------------------------------------- replay format
def _field_comments(cls: type) -> dict[str, str]:
    out = {}
    for base in reversed(cls.__mro__):
        if base is object:
            continue
        with contextlib.suppress(OSError, TypeError):
            for line in inspect.getsource(base).splitlines():
                m = re.match(r"\s+(\w+): [^#=]+(?:=[^#]*)?#\s*(.+)$", line)
                if m:
                    out[m.group(1)] = m.group(2).strip()
    return out


#: Meanings of event fields that carry no comment in ``campaign/engine/log.py``.
FIELD_MEANINGS = {
    "control": 'place id -> side id or "none"',
    "units": "the units (see the class description)",
    "unit": "unit id",
    "side": "side id",
    "place": "place id",
    "men": "men at that moment (rounded to 0.01)",
    "action": "move, attack, hold, withdraw or leave",
    "target": "place id or null",
    "reason": "why, in words",
    "origin": "place id left",
    "destination": "place id reached",
    "km": "length of the road or rail link, km",
    "engagement": "engagement number, from 1",
    "posture": "defender posture: hasty, prepared or fortified",
    "terrain": "terrain of the place",
    "river": "river the attackers cross, or null",
    "power_ratio": "attacker : defender combat power in this step",
    "old": "side id before",
    "new": "side id after",
    "cause": "why, in words",
}


def replay_events() -> str:
    """Every event type of ``events.jsonl`` with its fields."""
    from campaign.engine.log import EVENT_TYPES

    parts = []
    for tag, cls in EVENT_TYPES.items():
        comments = _field_comments(cls)
        rows = [["`type`", "string", f'always `"{tag}"`']]
        rows += [
            [f"`{f.name}`", str(f.type), comments.get(f.name, FIELD_MEANINGS.get(f.name, ""))]
            for f in dataclasses.fields(cls)
            if f.name != "type"
        ]
        doc = inspect.getdoc(cls) or ""
        if doc.startswith(f"{cls.__name__}("):
            doc = ""
        block = [
            f"### `{tag}`",
            "",
            f"Record class `{cls.__name__}`." + (f" {doc}" if doc else ""),
            "",
            _table(["field", "type", "meaning"], rows),
        ]
        parts.append("\n".join(block))
    return "\n\n".join(parts)


def replay_header() -> str:
    from campaign.engine.log import LOG_FORMAT_VERSION
    from campaign.replay.header import ReplayHeader
    from campaign.replay.reader import MAX_LOG_BYTES

    return (
        f"Current `LOG_FORMAT_VERSION`: **{LOG_FORMAT_VERSION}**. Largest log the reader "
        f"accepts: {MAX_LOG_BYTES:,} bytes.\n\n" + model_tables(ReplayHeader)
    )


def replay_samples() -> str:
    """The first lines of each table of the recorded Kaunas replay."""
    folder = ROOT / "replays" / "kaunas_1919"
    parts = []
    for name in ("control.csv", "strength.csv"):
        head = (folder / name).read_text(encoding="utf-8").splitlines()[:4]
        parts += [
            f"`{name}` (first lines of `replays/kaunas_1919/{name}`):",
            "",
            "```text",
            *head,
            "```",
            "",
        ]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    summary["final_control"] = dict(list(summary["final_control"].items())[:3]) | {"...": "..."}
    summary["objectives"] = summary["objectives"][:1]
    parts += [
        "`summary.json` (shortened):",
        "",
        "```json",
        json.dumps(summary, ensure_ascii=False, indent=2),
        "```",
    ]
    return "\n".join(parts)


def replay_event_samples() -> str:
    """The first event of each type in the recorded Kaunas replay."""
    path = ROOT / "replays" / "kaunas_1919" / "events.jsonl"
    seen: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        kind = json.loads(line)["type"]
        if kind not in seen and kind not in ("initial", "day"):
            seen[kind] = line if len(line) <= 300 else line[:297] + "..."
    return "```text\n" + "\n".join(seen.values()) + "\n```"


# ----------------------------------------------------------------- scenario errors
#: Broken copies of the worked example: (what is wrong, the change, text replaced, replacement).
BROKEN_EXAMPLES = (
    (
        "A misspelt key",
        "`strenght_men: 1000` for `strength_men: 1000`",
        "    strength_men: 1000",
        "    strenght_men: 1000",
    ),
    (
        "An order to a place that does not exist",
        "`target: charly` for `target: c`",
        "target: c\n",
        "target: charly\n",
    ),
    (
        "An estimate without its reasoning",
        "the `reasoning:` of `red_1` deleted",
        '    reasoning: >-\n      The source says "about 400"; the range allows a quarter either way.\n',
        "",
    ),
    (
        "An attack without a target",
        "the `target:` line of the order deleted",
        "    target: c\n",
        "",
    ),
    (
        "A strength outside its range",
        "`strength_range: [450, 500]` for `[300, 500]`",
        "strength_range: [300, 500]",
        "strength_range: [450, 500]",
    ),
    (
        "Dates in the wrong order",
        "`end: 1918-12-31` for `end: 1919-01-10`",
        "end: 1919-01-10",
        "end: 1918-12-31",
    ),
    (
        "A unit of a side that is not defined",
        "`side: reds` for `side: red`",
        "side: red\n",
        "side: reds\n",
    ),
)


def scenario_errors() -> str:
    """Run ``campaign validate`` on broken copies of the worked example, keep the messages."""
    from campaign.cli import main

    text = EXAMPLE.read_text(encoding="utf-8")
    parts = []
    with tempfile.TemporaryDirectory() as tmp:
        for title, change, old, new in BROKEN_EXAMPLES:
            if old not in text:
                raise ValueError(f"{EXAMPLE}: broken example '{title}' needs {old!r}")
            path = Path(tmp) / "toy_line.yaml"
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
            err = io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = main(["validate", str(path)])
            message = err.getvalue().replace(str(path), "toy_line.yaml").rstrip()
            parts += [
                f"**{title}** ({change}; exit code {code}):",
                "",
                "```text",
                message,
                "```",
                "",
            ]
    return "\n".join(parts).rstrip()


def worked_example() -> str:
    return "```yaml\n" + EXAMPLE.read_text(encoding="utf-8").rstrip() + "\n```"


# ------------------------------------------------------------------------ fidelity
def fidelity_text(scenario_id: str) -> str:
    """The fidelity report of a shipped scenario, seed 1, with an 8-run ensemble."""
    from campaign.analysis.fidelity import fidelity_report, report_text
    from campaign.scenario import load_scenario
    from campaign.scenario.history import load_history

    scenario = load_scenario(ROOT / "scenarios" / f"{scenario_id}.yaml")
    history = load_history(ROOT / "scenarios" / f"{scenario_id}.history.yaml")
    report = fidelity_report(scenario, history, seed=1, runs=8)
    text = report_text(report)
    dated = [o for o in scenario.orders if o.date is not None and o.when is None]
    if dated:
        from campaign.analysis.fidelity import strip_timetable

        bare = fidelity_report(strip_timetable(scenario), history, seed=1)
        text += (
            f"\nwithout its {len(dated)} dated orders: {bare['matched']}/{bare['total']}"
            f" (skill {bare['skill']:.2f})"
        )
    else:
        text += "\nno dated orders: the score without a timetable is the score above"
    return "```text\n" + text + "\n```"


# ------------------------------------------------------------------------- registry
SECTIONS: dict[str, Callable[[], str]] = {
    "scenario-fields": lambda: _scenario_fields(),
    "worked-example": worked_example,
    "scenario-errors": scenario_errors,
    "constants-combat": lambda: constants_table("campaign.engine.combat"),
    "constants-world": lambda: constants_table("campaign.engine.world"),
    "constants-processes": lambda: constants_table("campaign.engine.processes"),
    "constants-simulate": lambda: constants_table("campaign.simulate"),
    "constants-geo": lambda: constants_table("campaign.geo.network"),
    "constants-doctrine": lambda: constants_table("campaign.command.doctrine"),
    "constants-season": lambda: constants_table("campaign.engine.season"),
    "constants-supply": lambda: constants_table("campaign.engine.supply"),
    "constants-advance": lambda: constants_table("campaign.engine.advance"),
    "multiplier-keys": multiplier_keys,
    "cli": cli_reference,
    "api": api_reference,
    "replay-events": replay_events,
    "replay-header": replay_header,
    "replay-event-samples": replay_event_samples,
    "replay-samples": replay_samples,
    "fidelity-kaunas_1919": lambda: fidelity_text("kaunas_1919"),
    "fidelity-northeast_1919": lambda: fidelity_text("northeast_1919"),
    "fidelity-spring_1919": lambda: fidelity_text("spring_1919"),
    "fidelity-winter_1918": lambda: fidelity_text("winter_1918"),
}
#: Sections that take seconds (they run the shipped scenarios many times).
SLOW_SECTIONS = frozenset(
    {
        "fidelity-kaunas_1919",
        "fidelity-northeast_1919",
        "fidelity-spring_1919",
        "fidelity-winter_1918",
    }
)


def _scenario_fields() -> str:
    from campaign.scenario.schema import Scenario

    return model_tables(Scenario)


def fill(text: str, skip: frozenset[str] = frozenset()) -> str:
    """``text`` with every generated section (except those in ``skip``) regenerated."""

    def replace(m: re.Match[str]) -> str:
        name = m.group("name")
        if name in skip:
            return m.group(0)
        if name not in SECTIONS:
            raise KeyError(f"unknown generated section '{name}'")
        return m.group("open") + SECTIONS[name]().rstrip() + "\n" + m.group("close")

    return MARKER.sub(replace, text)


def pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def stale_pages(skip: frozenset[str] = SLOW_SECTIONS) -> list[Path]:
    """Pages whose generated sections (other than ``skip``) differ from the code."""
    return [
        p
        for p in pages()
        if fill(p.read_text(encoding="utf-8"), skip) != p.read_text(encoding="utf-8")
    ]


# ------------------------------------------------------------------------ pictures
#: Pictures copied from the recorded replays: source under replays/ -> name in docs/img/.
REPLAY_PICTURES = {
    "kaunas_1919/map.png": "kaunas_1919_map.png",
    "kaunas_1919/fronts.png": "kaunas_1919_fronts.png",
    "kaunas_1919/strength.png": "kaunas_1919_strength.png",
    "kaunas_1919/run.gif": "kaunas_1919_run.gif",
    "northeast_1919/map.png": "northeast_1919_map.png",
    "spring_1919/map.png": "spring_1919_map.png",
    "winter_1918/map.png": "winter_1918_map.png",
}


def make_pictures() -> None:
    """Copy the replay pictures, draw the what-if map and the Iwo Jima validation plot."""
    from campaign.cli import main

    IMG.mkdir(parents=True, exist_ok=True)
    for src, name in REPLAY_PICTURES.items():
        shutil.copyfile(ROOT / "replays" / src, IMG / name)
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "nosaxons"
        argv = [
            "run",
            "scenarios/kaunas_1919.yaml",
            "--out",
            str(run),
            "--seed",
            "1",
            "--remove",
            "ger_alytus",
            "--scale",
            "pskov_division=2",
        ]
        # --force: docs/img is ours, with pictures drawn before campaign marked its own
        picture = IMG / "whatif_nosaxons_map.png"
        plot = ["plot", str(run), "--history", "--force", "--out", str(picture)]
        with contextlib.chdir(ROOT), contextlib.redirect_stdout(io.StringIO()):
            if main(argv) or main(plot):
                raise RuntimeError("what-if run or plot failed")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "iwo_jima.py"),
            "--out",
            str(IMG / "iwo_jima.png"),
        ],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m campaign.docs_gen", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="report stale generated sections (fidelity excluded) and exit 1",
    )
    parser.add_argument("--no-pictures", action="store_true", help="only rewrite the pages")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_pages()
        for page in stale:
            print(f"{page.relative_to(ROOT)}: generated sections are stale", file=sys.stderr)
        return 1 if stale else 0
    for page in pages():
        old = page.read_text(encoding="utf-8")
        new = fill(old)
        if new != old:
            page.write_text(new, encoding="utf-8")
            print(f"rewrote {page.relative_to(ROOT)}")
    if not args.no_pictures:
        make_pictures()
        print(f"pictures in {IMG.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
