"""Reading YAML safely, with the line of every value kept for error messages.

Only safe loaders are used (libyaml's ``CSafeLoader`` to parse where PyYAML has it, the
pure-Python ``SafeLoader`` for values and error messages): no Python tags, nothing evaluated. Files that are
empty, binary, too large or too deeply nested are refused with a located message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from campaign.bounded_read import read_bounded
from campaign.errors import CampaignError, Problem, ScenarioError

#: Largest scenario file accepted, in bytes. Real scenarios are ~50 KB; the 10,000-unit
#: benchmark theatre is 3.2 MB.
MAX_FILE_BYTES = 8_000_000
#: Deepest nesting of mappings/lists accepted.
MAX_DEPTH = 20
#: Most values (after alias expansion) one document may hold; stops "billion laughs".
MAX_VALUES = 500_000
#: Longest piece of an input value echoed in an error message, in characters.
MAX_ECHO = 60
_MERGE_TAG = "tag:yaml.org,2002:merge"

Path_ = tuple[str | int, ...]
#: The only YAML tags a scenario may carry: plain data, nothing that builds objects.
_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")
}
#: Parses into the same nodes as ``yaml.SafeLoader``, several times faster when available.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class LocatedDocument:
    """A parsed YAML document and the 1-based line of each value, by path.

    ``origins``: where values merged in from other documents (what-if variants) were
    written; :meth:`where` names their file and line instead of this document's."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    origins: Origins | None = None

    def line_of(self, path: Path_) -> int:
        """Line of the value at ``path``, or of its nearest located ancestor."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def where(self, path: Path_) -> tuple[str, int]:
        """File and line of the value at ``path``: those of the document it was merged
        in from (see :class:`Origins`), else this document's."""
        found = self.origins.find(self.data, tuple(path)) if self.origins else None
        return found or (self.file, self.line_of(path))


class Origins:
    """Which values of merged data were copied from another located document, and
    from which path in it. Values are recorded by the identity of the container that
    holds them, so the record survives list items moving (merges by id, removals)."""

    def __init__(self) -> None:
        # id(container) -> (container, document, path there); the container is kept
        # so that its id cannot be reused by another object.
        self._nodes: dict[int, tuple[Any, LocatedDocument, Path_]] = {}
        self._keys: dict[tuple[int, Any], tuple[Any, LocatedDocument, Path_]] = {}

    def node(self, node: Any, doc: LocatedDocument, path: Path_) -> None:
        """``node`` (a mapping or list) is the value at ``path`` of ``doc``."""
        self._nodes[id(node)] = (node, doc, tuple(path))

    def key(self, container: Any, key: Any, doc: LocatedDocument, path: Path_) -> None:
        """``container[key]`` is the value at ``path`` of ``doc``."""
        self._keys[(id(container), key)] = (container, doc, tuple(path))

    def forget(self, container: Any, key: Any) -> None:
        """``container[key]`` was set by something else since (a --set)."""
        self._keys.pop((id(container), key), None)

    def find(self, data: Any, path: Path_) -> tuple[str, int] | None:
        """File and line of the value at ``path`` of ``data`` if it (or the deepest
        container of it) was merged in from another document; None otherwise."""
        best: tuple[LocatedDocument, Path_, Path_] | None = None
        node = data
        for depth, key in enumerate((*path, None)):
            hit = self._nodes.get(id(node))
            if hit is not None and hit[0] is node:
                best = (hit[1], hit[2], path[depth:])
            if key is None:
                break
            hit = self._keys.get((id(node), key))
            if hit is not None and hit[0] is node:
                best = (hit[1], hit[2], path[depth + 1 :])
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                break
        if best is None:
            return None
        doc, there, rest = best
        return doc.file, doc.line_of((*there, *rest))


def _fail(file: str, line: int, message: str, fieldpath: str = "") -> ScenarioError:
    return ScenarioError(Problem(file, line, fieldpath, message))


def read_text_checked(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file, refusing missing, huge, binary, empty or non-regular files."""
    name = str(path)
    if not path.exists():
        raise _fail(name, 0, "file not found")
    if path.is_dir():
        raise _fail(name, 0, "expected a YAML file, got a directory")
    try:
        raw = read_bounded(path, max_bytes, _Refused)
    except _Refused as exc:
        raise _fail(name, 0, str(exc).removeprefix(f"{name}: ")) from None
    if b"\x00" in raw:
        raise _fail(name, 0, "binary file (contains NUL bytes); expected UTF-8 YAML text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(name, line, f"not valid UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise _fail(name, 0, "file is empty; expected a YAML mapping")
    return text


class _Refused(CampaignError):
    """A file read_bounded would not read (turned into a located ScenarioError)."""


class _DuplicateKeyError(Exception):
    def __init__(self, key: str, line: int, first_line: int):
        self.key, self.line, self.first_line = key, line, first_line


def _walk(
    node: yaml.Node,
    path: Path_,
    lines: dict[Path_, int],
    depth: int,
    file: str,
    loader: yaml.SafeLoader,
) -> Any:
    if depth > MAX_DEPTH:
        raise _fail(file, node.start_mark.line + 1, f"nesting deeper than {MAX_DEPTH} levels")
    lines[path] = node.start_mark.line + 1
    if len(lines) > MAX_VALUES:
        raise _fail(
            file, node.start_mark.line + 1, f"document expands to more than {MAX_VALUES:,} values"
        )
    if node.tag not in _PLAIN_TAGS:
        raise _fail(
            file,
            node.start_mark.line + 1,
            f"YAML tag '{node.tag}' is not allowed (plain data only)",
        )
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        merged: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                _merge_into(merged, value_node, path, lines, depth, file, loader)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise _fail(
                    file, key_node.start_mark.line + 1, "mapping keys must be plain scalars"
                )
            key = _scalar(key_node, loader)
            if isinstance(key, dict | list):
                raise _fail(file, key_node.start_mark.line + 1, "mapping keys must be scalars")
            if key in seen:
                raise _DuplicateKeyError(str(key), key_node.start_mark.line + 1, seen[key])
            seen[key] = key_node.start_mark.line + 1
            child = (*path, str(key))
            result[key] = _walk(value_node, child, lines, depth + 1, file, loader)
            lines[child] = key_node.start_mark.line + 1
        for key, value in merged.items():  # keys written out override merged ones
            result.setdefault(key, value)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _walk(item, (*path, i), lines, depth + 1, file, loader)
            for i, item in enumerate(node.value)
        ]
    try:
        return _scalar(node, loader)
    except (ValueError, OverflowError) as exc:
        raise _fail(
            file,
            node.start_mark.line + 1,
            f"invalid value {shorten(repr(node.value))}: {shorten(str(exc))}",
        ) from None


def shorten(text: str, limit: int = MAX_ECHO) -> str:
    """``text`` cut to ``limit`` characters (an error must not echo a 5,000-digit number)."""
    return text if len(text) <= limit else f"{text[: limit - 14]}... ({len(text):,} chars)"


def _merge_into(
    merged: dict[Any, Any],
    value_node: yaml.Node,
    path: Path_,
    lines: dict[Path_, int],
    depth: int,
    file: str,
    loader: yaml.SafeLoader,
) -> None:
    """Apply a YAML merge key (``<<: *anchor`` or ``<<: [*a, *b]``): the mappings'
    keys are added unless set already (earlier mappings win, as YAML 1.1 says)."""
    sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
    for source in sources:
        if not isinstance(source, yaml.MappingNode):
            raise _fail(
                file,
                source.start_mark.line + 1,
                "a merge key '<<' takes a mapping or a list of mappings",
            )
        own_line = lines.get(path)
        data = _walk(source, path, lines, depth + 1, file, loader)
        if own_line is not None:
            lines[path] = own_line
        for key, value in data.items():
            merged.setdefault(key, value)


def _scalar(node: yaml.Node, loader: yaml.SafeLoader) -> Any:
    """Construct one scalar with the safe constructor (no object cache kept)."""
    value = loader.construct_object(node, deep=True)
    loader.constructed_objects.clear()
    return value


def _compose_all(text: str) -> list[yaml.Node | None]:
    """The node trees of every document; a malformed text is parsed again by the pure-Python
    loader so that the error raised (and so the message shown) does not depend on libyaml."""
    try:
        return list(yaml.compose_all(text, Loader=_FAST_LOADER))
    except (yaml.YAMLError, RecursionError):
        if _FAST_LOADER is yaml.SafeLoader:
            raise
    return list(yaml.compose_all(text, Loader=yaml.SafeLoader))


def parse_yaml(text: str, file: str) -> LocatedDocument:
    """Parse one YAML document into plain data with line numbers.

    Raises :class:`ScenarioError` for syntax errors, duplicate keys, anchors that
    expand beyond the nesting limit, or more than one document.
    """
    try:
        nodes = _compose_all(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = exc.problem or str(exc)
        raise _fail(file, line, f"malformed YAML: {what}") from None
    except yaml.YAMLError as exc:
        raise _fail(file, 0, f"malformed YAML: {exc}") from None
    except RecursionError:
        raise _fail(file, 0, f"nesting deeper than {MAX_DEPTH} levels") from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise _fail(file, 0, "file is empty; expected a YAML mapping")
    if len(nodes) > 1:
        raise _fail(file, nodes[1].start_mark.line + 1, "expected one YAML document, found several")
    lines: dict[Path_, int] = {}
    loader = yaml.SafeLoader("")
    try:
        data = _walk(nodes[0], (), lines, 0, file, loader)
    except _DuplicateKeyError as exc:
        raise _fail(
            file, exc.line, f"duplicate key '{exc.key}' (first defined on line {exc.first_line})"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise _fail(file, line, f"invalid YAML value: {getattr(exc, 'problem', exc)}") from None
    except RecursionError:
        raise _fail(file, 0, f"nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()
    return LocatedDocument(file=file, data=data, lines=lines)


def load_yaml_file(path: Path) -> LocatedDocument:
    """Read and parse a YAML file with every safety check applied."""
    return parse_yaml(read_text_checked(path), str(path))
