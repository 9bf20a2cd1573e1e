"""Find the files a replay or an ensemble names: the scenario it was made from and that
scenario's historical record (``<scenario>.history.yaml`` beside it).

A header stores the scenario path as it was given to ``campaign run`` (often relative
to the folder it was run from). A header can be edited, so that path is trusted only
inside the *lookup area*: the folder holding the log and up to
:data:`SCENARIO_ROOT_LEVELS` folders above it (never the file-system root). A relative
path is looked up from the working folder and from each of those folders, and taken
only when the file lies inside the area; an absolute one likewise;
it must name a ``.yaml``/``.yml`` file without ``..``, and a link leading out of the
area is not followed. Last, ``scenarios/<id>.yaml`` in the working folder is tried,
``<id>`` being the header's scenario id when it is a plain slug. A file given on the
command line (``--scenario``, ``--history``) is used as given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from campaign.errors import ReplayError

#: How far above a replay folder its recorded scenario may lie: the folder's parent's
#: parent (``replays/kaunas_1919`` -> the repository holding ``scenarios/``).
SCENARIO_ROOT_LEVELS = 2
_SLUG = re.compile(r"[a-z][a-z0-9_]{0,63}")
_HINT = "; give the scenario with --scenario FILE"

NameOf = Callable[[Path], Path]


def _same(path: Path) -> Path:
    return path


def lookup_roots(folder: Path) -> list[Path]:
    """The folders a header's relative scenario path is looked up from, nearest first;
    the last one is the lookup area."""
    base = folder.resolve()
    roots = [base, *base.parents][: SCENARIO_ROOT_LEVELS + 1]
    while len(roots) > 1 and roots[-1] == Path(roots[-1].anchor):
        roots.pop()  # the whole file system is no area
    return roots


def acceptable_path(recorded: str) -> bool:
    """A header path that may be looked up at all: a ``.yaml``/``.yml`` file without ``..``."""
    given = Path(recorded)
    return given.suffix in (".yaml", ".yml") and ".." not in given.parts


def _inside(path: Path, area: Path) -> bool:
    try:
        return path.is_file() and path.resolve().is_relative_to(area)
    except OSError:
        return False


def find_recorded(
    folder: Path, recorded: str, scenario_id: str = "", name_of: NameOf = _same
) -> tuple[Path | None, list[Path]]:
    """The file a header names (``name_of`` maps a scenario path to the file wanted, e.g.
    its history), found by the rules of this module; returns it or None, and the paths
    looked at, nearest first."""
    roots = lookup_roots(folder)
    area = roots[-1]
    tried: list[Path] = []
    if recorded and acceptable_path(recorded):
        given = Path(recorded)
        candidates = [given] if given.is_absolute() else [given, *(root / given for root in roots)]
        for candidate in map(name_of, candidates):
            tried.append(candidate)
            if _inside(candidate, area):
                return candidate, tried
    if _SLUG.fullmatch(scenario_id or ""):
        conventional = name_of(Path("scenarios") / f"{scenario_id}.yaml")
        tried.append(conventional)
        if conventional.is_file():
            return conventional, tried
    return None, tried


def recorded_scenario(folder: Path, recorded: str) -> Path:
    """The scenario file a header names, by the rules above but without the conventional
    ``scenarios/<id>.yaml``: ``replay --verify`` re-runs exactly the recorded file.
    Raises :class:`ReplayError` saying why it was not taken."""
    roots = lookup_roots(folder)
    area = roots[-1]
    if not acceptable_path(recorded):
        raise ReplayError(
            f"{folder}/events.jsonl:1: header scenario path {recorded[:80]!r} "
            f"is not a .yaml file inside the replay's folders{_HINT}"
        )
    found, _ = find_recorded(folder, recorded)
    if found is not None:
        return found
    given = Path(recorded)
    if given.is_absolute() and given.is_file():
        raise ReplayError(
            f"{recorded[:80]}: lies outside {area}, the area a replay's header "
            f"may name a scenario in{_HINT}"
        )
    raise ReplayError(
        f"{recorded[:80]}: not found in {folder} or the folders above it up to {area}{_HINT}"
    )


def scenario_file_for(replay) -> Path | None:
    """The scenario file named by a replay's header, or None when it cannot be found."""
    header = replay.header
    return find_recorded(replay.folder, header.scenario_path, header.scenario_id)[0]


def history_file_for(replay) -> tuple[Path | None, Path]:
    """(the ``<scenario>.history.yaml`` found or None, the first path looked at)."""
    from campaign.scenario.history import history_path_for

    header = replay.header
    found, tried = find_recorded(
        replay.folder, header.scenario_path, header.scenario_id, history_path_for
    )
    first = tried[0] if tried else Path("scenarios") / f"{header.scenario_id[:64]}.history.yaml"
    return found, first
