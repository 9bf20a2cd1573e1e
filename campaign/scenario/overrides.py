"""What-if overrides applied to a scenario's data before validation.

Nothing here evaluates code: values are parsed with ``yaml.safe_load`` and the
patched scenario goes through the same validation as a file, so a bad override
gets the same located, clear error.

* ``--set PATH=VALUE``   e.g. ``units.saxon_18th.strength_men=0`` (list items by id)
* ``--scale WHO=FACTOR`` a side, formation or unit id; multiplies strengths
* ``--remove WHO``       removes a unit (or every unit of a formation or side) and its orders
* ``--delay WHO=DAYS``  arrival of a unit, formation or side later by DAYS
  (``WHO.departs=DAYS`` moves the departure)
* ``--variant FILE``     a YAML patch in the scenario schema, merged by id
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from campaign.errors import Problem, ScenarioError, VariantWarning
from campaign.scenario.checks import suggest
from campaign.scenario.schema import formations_under
from campaign.scenario.yamlfile import LocatedDocument, Origins, load_yaml_file, shorten

_PATH_PART = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass
class Overrides:
    """The what-if changes requested for one run, in the order they apply."""

    sets: list[str] = field(default_factory=list)
    scales: list[str] = field(default_factory=list)
    removes: list[str] = field(default_factory=list)
    delays: list[str] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)

    def describe(self) -> list[str]:
        """The overrides as command-line flags, recorded in the replay header."""
        return (
            [f"--variant {v}" for v in self.variants]
            + [f"--set {s}" for s in self.sets]
            + [f"--scale {s}" for s in self.scales]
            + [f"--remove {r}" for r in self.removes]
            + [f"--delay {d}" for d in self.delays]
        )

    @classmethod
    def from_flags(cls, flags: list[str]) -> Overrides:
        """The inverse of :meth:`describe`: rebuild overrides from a replay header."""
        overrides = cls()
        lists = {
            "--set": overrides.sets,
            "--scale": overrides.scales,
            "--remove": overrides.removes,
            "--delay": overrides.delays,
            "--variant": overrides.variants,
        }
        for flag in flags:
            name, _, value = flag.partition(" ")
            if name not in lists:
                raise ScenarioError(
                    Problem("<replay header>", 0, "overrides", f"unknown override flag {name!r}")
                )
            lists[name].append(value)
        return overrides

    def __bool__(self) -> bool:
        return bool(self.sets or self.scales or self.removes or self.delays or self.variants)


def _error(flag: str, text: str, message: str) -> ScenarioError:
    return ScenarioError(Problem(f"{flag} {shorten(text)}", 0, "", message))


def _split(flag: str, text: str) -> tuple[str, str]:
    if "=" not in text:
        raise _error(flag, text, "expected KEY=VALUE")
    key, value = text.split("=", 1)
    key, value = key.strip(), value.strip()
    if not key:
        raise _error(flag, text, "empty key before '='")
    return key, value


def _number(flag: str, text: str, value: str, kind: type) -> Any:
    try:
        number = kind(value)
    except ValueError:
        wanted = {int: "a whole number", float: "a number"}.get(kind, f"a {kind.__name__}")
        raise _error(flag, text, f"expected {wanted}, got {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _error(flag, text, "expected a finite number")
    return number


def _child(flag: str, text: str, node: Any, part: str) -> tuple[Any, Any]:
    """The container key for ``part`` inside ``node`` (list items by id or index)."""
    if isinstance(node, dict):
        return node, part
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict) and item.get("id") == part:
                return node, i
        if part.isdigit() and int(part) < len(node):
            return node, int(part)
        ids = [item.get("id") for item in node if isinstance(item, dict) and "id" in item]
        raise _error(flag, text, f"no item with id '{part}'{suggest(part, ids)}")
    raise _error(flag, text, f"cannot descend into '{part}': it is a single value")


def apply_set(data: dict[str, Any], text: str, origins: Origins | None = None) -> None:
    key, raw = _split("--set", text)
    parts = key.split(".")
    # Multiplier names contain dots themselves (``quality.volunteer``): keep them whole.
    if parts[:2] == ["combat", "multipliers"] and len(parts) > 3:
        parts = parts[:2] + [".".join(parts[2:])]
    if any(not _PATH_PART.match(p.replace(".", "_")) for p in parts):
        raise _error("--set", text, "path parts must be ids or field names (letters, digits, _)")
    try:
        value = yaml.safe_load(raw) if raw else None
    except (yaml.YAMLError, ValueError, OverflowError):
        # ValueError: a date that does not exist (1919-02-30), a number too long to read.
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", raw.strip()):
            why = "is not a date that exists (expected YYYY-MM-DD)"
        elif re.fullmatch(r"[-+]?\d[\d_]*(\.\d*)?([eE][-+]?\d+)?", raw.strip()):
            why = "is too long a number"
        else:
            why = "is not a valid YAML scalar"
        raise _error("--set", text, f"value {shorten(raw)!r} {why}") from None
    if isinstance(value, dict | list) and len(str(value)) > 10_000:
        raise _error("--set", text, "value too large")
    node: Any = data
    for part in parts[:-1]:
        container, k = _child("--set", text, node, part)
        if isinstance(container, dict) and k not in container:
            container[k] = {}
        node = container[k]
    container, k = _child("--set", text, node, parts[-1])
    container[k] = value
    if origins is not None:  # the value is the --set's now, not a variant's
        origins.forget(container, k)


def _units_of(data: dict[str, Any], who: str) -> list[dict[str, Any]]:
    units = [u for u in section_items(data, "units") if isinstance(u, dict)]
    if who in {s.get("id") for s in section_items(data, "sides") if isinstance(s, dict)}:
        return [u for u in units if u.get("side") == who]
    formations = {
        f.get("id"): f.get("parent")
        for f in section_items(data, "formations")
        if isinstance(f, dict)
    }
    if who in formations:
        below = formations_under(who, formations)
        return [u for u in units if u.get("parent") in below]
    return [u for u in units if u.get("id") == who]


def _units_named(data: dict[str, Any], flag: str, text: str, who: str) -> list[dict[str, Any]]:
    """The units of side, formation or unit ``who``; a located error for ``flag`` when
    there are none."""
    units = _units_of(data, who)
    if not units:
        sides = {x.get("id") for x in section_items(data, "sides") if isinstance(x, dict)}
        formations = {x.get("id") for x in section_items(data, "formations") if isinstance(x, dict)}
        if who in sides | formations:
            kind = "side" if who in sides else "formation"
            raise _error(flag, text, f"{kind} '{who}' has no units to change")
        raise _error(
            flag, text, f"no side, formation or unit '{who}'{suggest(who, _known_ids(data))}"
        )
    return units


def _known_ids(data: dict[str, Any]) -> list[str]:
    ids = []
    for key in ("sides", "formations", "units"):
        ids += [x.get("id") for x in section_items(data, key) if isinstance(x, dict)]
    return [i for i in ids if isinstance(i, str)]


def apply_scale(data: dict[str, Any], text: str) -> None:
    who, raw = _split("--scale", text)
    factor = _number("--scale", text, raw, float)
    if not 0 <= factor <= 100:
        raise _error("--scale", text, f"factor must be between 0 and 100, got {factor}")
    for u in _units_named(data, "--scale", text, who):
        if isinstance(u.get("strength_men"), int | float):
            u["strength_men"] = int(round(u["strength_men"] * factor))
        rng = u.get("strength_range")
        if (
            isinstance(rng, list | tuple)
            and len(rng) == 2
            and all(isinstance(x, int | float) for x in rng)
        ):
            u["strength_range"] = [int(round(rng[0] * factor)), int(round(rng[1] * factor))]


def section_items(data: dict[str, Any], section: str) -> list:
    """The entries of a list section of raw scenario data; [] when it is missing or is
    not a list (validation then says so at its line, naming the what-if)."""
    items = data.get(section)
    return items if isinstance(items, list) else []


def apply_remove(data: dict[str, Any], unit_id: str) -> None:
    """Remove a unit (or every unit of a formation or side), its orders, replacements
    and its places in intents."""
    unit_id = unit_id.strip()
    units = section_items(data, "units")
    ids = [u.get("id") for u in units if isinstance(u, dict)]
    if unit_id not in ids:
        under = [u.get("id") for u in _units_named(data, "--remove", unit_id, unit_id)]
        for uid in under:
            apply_remove(data, str(uid))
        return
    data["units"] = [u for u in units if not (isinstance(u, dict) and u.get("id") == unit_id)]
    data["orders"] = [
        o
        for o in section_items(data, "orders")
        if not (isinstance(o, dict) and o.get("unit") == unit_id)
    ]
    data["replacements"] = [
        r
        for r in section_items(data, "replacements")
        if not (isinstance(r, dict) and r.get("unit") == unit_id)
    ]
    if not data["replacements"]:
        del data["replacements"]
    _remove_from_intents(data, unit_id)


def _remove_from_intents(data: dict[str, Any], unit_id: str) -> None:
    """Take a removed unit out of the intents: out of their unit lists, dropping an
    objective that named only it and an intent left with no units (a condition that
    names the unit stays: it never holds, see
    :func:`campaign.scenario.loader.scenario_from_document`)."""
    kept = []
    for intent in section_items(data, "intents"):
        if not isinstance(intent, dict):
            kept.append(intent)
            continue
        named = intent.get("units")
        if isinstance(named, list) and unit_id in named:
            intent["units"] = [u for u in named if u != unit_id]
        steps = []
        for step in intent.get("objectives", []) or []:
            units = step.get("units") if isinstance(step, dict) else None
            if isinstance(units, list) and unit_id in units:
                step["units"] = [u for u in units if u != unit_id]
                if not step["units"]:
                    continue
            steps.append(step)
        intent["objectives"] = steps
        if intent.get("formation") is None and not intent.get("units"):
            continue
        if not steps:
            continue
        kept.append(intent)
    if "intents" in data:
        data["intents"] = kept


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _keep_orders_within(
    data: dict[str, Any],
    unit_id: str,
    earliest: dt.date | None = None,
    latest: dt.date | None = None,
) -> None:
    """Move the unit's orders dated outside [earliest, latest] onto the nearer bound."""
    for o in section_items(data, "orders"):
        d = _as_date(o.get("date")) if isinstance(o, dict) else None
        if d is None or o.get("unit") != unit_id:
            continue
        if earliest is not None and d < earliest:
            o["date"] = earliest
        elif latest is not None and d > latest:
            o["date"] = latest


def apply_delay(data: dict[str, Any], text: str) -> None:
    """``WHO=DAYS``: the arrival (``WHO.departs=DAYS``: the departure) of a unit, or of
    every unit of a formation or side, moves by DAYS."""
    key, raw = _split("--delay", text)
    days = _number("--delay", text, raw, int)
    who, _, what = key.partition(".")
    what = what or "arrives"
    if what not in ("arrives", "departs"):
        raise _error("--delay", text, "use WHO=DAYS (arrival) or WHO.departs=DAYS")
    units = _units_named(data, "--delay", text, who)
    start = _as_date(data.get("start"))
    end = _as_date(data.get("end"))
    if start is None or end is None:
        raise _error("--delay", text, "the scenario has no valid start/end dates")
    if what == "departs" and days > 0 and not any(u.get("departs") for u in units):
        raise _error(
            "--delay",
            text,
            f"no unit of '{who}' leaves before the end, so there is no departure to delay "
            "(a negative DAYS makes it leave that many days before the end)",
        )
    for unit in units:
        _delay_unit(data, unit, what, days, start, end)


def _delay_unit(
    data: dict[str, Any], unit: dict[str, Any], what: str, days: int, start, end
) -> None:
    unit_id = unit.get("id")
    base = _as_date(unit.get(what)) or (start if what == "arrives" else end)
    new = base + dt.timedelta(days=days)
    if what == "departs":
        unit["departs"] = new
        _keep_orders_within(data, unit_id, latest=new)
        return
    new = min(max(new, start), end)
    unit["arrives"] = new
    # Orders the unit could not yet receive take effect when it arrives.
    _keep_orders_within(data, unit_id, earliest=new)
    departs = _as_date(unit.get("departs"))
    if departs is not None and departs < new:
        unit["departs"] = new


#: Top-level keys of a scenario that hold lists.
_LIST_SECTIONS = (
    "sources",
    "sides",
    "formations",
    "units",
    "orders",
    "intents",
    "relations",
    "objectives",
    "replacements",
    "lines",
)


def merge_variant(
    data: dict[str, Any], patch: LocatedDocument, origins: Origins | None = None
) -> None:
    """Deep-merge a variant file: mappings merge, id'd lists merge by id, others replace.

    ``origins`` records where in ``patch`` each merged value was written, so that an
    error in it names the variant file and line."""
    if not isinstance(patch.data, dict):
        raise ScenarioError(Problem(patch.file, 1, "", "a variant must be a YAML mapping"))
    for key in (*_LIST_SECTIONS, "remove_units", "remove_orders", "remove_intents"):
        if key in patch.data and not isinstance(patch.data[key], list):
            raise ScenarioError(
                Problem(
                    patch.file,
                    patch.line_of((key,)),
                    key,
                    f"expected a list, got {'null' if patch.data[key] is None else type(patch.data[key]).__name__}"
                    + (" (an empty list is [])" if patch.data[key] is None else ""),
                )
            )
    for unit_id in patch.data.get("remove_units", []) or []:
        apply_remove(data, str(unit_id))
    # Orders, intents and relations carry ids: a variant can drop some by id, and an
    # id'd list in the variant merges into the scenario's item by item.
    for key, section in (("remove_orders", "orders"), ("remove_intents", "intents")):
        drop = {str(x) for x in (patch.data.get(key) or [])}
        if drop:
            known = {item.get("id") for item in data.get(section, []) if isinstance(item, dict)}
            for ident in sorted(drop - known):
                raise ScenarioError(
                    Problem(
                        patch.file,
                        patch.line_of((key,)),
                        key,
                        f"no {section[:-1]} with id '{ident}'"
                        f"{suggest(ident, [k for k in known if k])}",
                    )
                )
            data[section] = [
                item
                for item in data.get(section, [])
                if not (isinstance(item, dict) and item.get("id") in drop)
            ]
    body = {
        k: v
        for k, v in patch.data.items()
        if k not in ("remove_units", "remove_orders", "remove_intents")
    }
    _merge(data, body, _Patch(patch, origins))


@dataclass
class _Patch:
    """The variant being merged and where to record the origin of its values."""

    doc: LocatedDocument
    origins: Origins | None

    def came(self, container: Any, key: Any, path: tuple[str | int, ...]) -> None:
        if self.origins is not None:
            self.origins.key(container, key, self.doc, path)

    def added(self, node: Any, path: tuple[str | int, ...]) -> None:
        if self.origins is not None:
            self.origins.node(node, self.doc, path)


def _merge(
    base: dict[str, Any],
    patch: dict[str, Any],
    variant: _Patch,
    where: str = "",
    at: tuple[str | int, ...] = (),
) -> None:
    """Merge ``patch`` (the value at ``at`` in the variant) into ``base``; warns
    (:class:`VariantWarning`) when a list without ids replaces a non-empty list of the
    scenario, which is easy to do by mistake."""
    source = str(variant.doc.file)
    for key, value in patch.items():
        old = base.get(key)
        path = f"{where}.{key}" if where else str(key)
        here = (*at, str(key))
        if isinstance(old, dict) and isinstance(value, dict):
            _merge(old, value, variant, path, here)
        elif (
            isinstance(old, list)
            and isinstance(value, list)
            and all(isinstance(v, dict) and "id" in v for v in value)
        ):
            by_id = {item.get("id"): item for item in old if isinstance(item, dict)}
            for i, item in enumerate(value):
                if item["id"] in by_id:
                    _merge(by_id[item["id"]], item, variant, f"{path}[{item['id']}]", (*here, i))
                else:
                    old.append(item)
                    variant.added(item, (*here, i))
        else:
            if isinstance(old, list) and old and isinstance(value, list):
                warnings.warn(
                    VariantWarning(
                        f"{source}: '{path}' lists {len(value)} item(s) without ids, so it replaces "
                        f"all {len(old)} of the scenario's; give each item an 'id' to change only "
                        f"those"
                    ),
                    stacklevel=2,
                )
            base[key] = copy.deepcopy(value)
            variant.came(base, key, here)


def apply_overrides(
    data: dict[str, Any], overrides: Overrides, origins: Origins | None = None
) -> dict[str, Any]:
    """A patched deep copy of ``data``; raises :class:`ScenarioError` on a bad override.
    ``origins`` records which values came from which variant file (see
    :class:`~campaign.scenario.yamlfile.Origins`)."""
    data = copy.deepcopy(data)
    if not isinstance(data, dict):
        return data
    for path in overrides.variants:
        merge_variant(data, load_yaml_file(Path(path)), origins)
    for text in overrides.sets:
        apply_set(data, text, origins)
    for text in overrides.scales:
        apply_scale(data, text)
    for unit_id in overrides.removes:
        apply_remove(data, unit_id)
    for text in overrides.delays:
        apply_delay(data, text)
    return data
