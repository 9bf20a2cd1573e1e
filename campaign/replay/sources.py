"""Find the scenario file and historical record a replay was made from.

The replay header names the scenario file as it was given to ``campaign run`` (often a
relative path); a report made from another folder looks for it beside the replay and in
its parents, then in ``scenarios/``.
"""

from __future__ import annotations

from pathlib import Path

from campaign.replay.reader import Replay


def _candidates(replay: Replay, name_of) -> list[Path]:
    header = replay.header
    tried: list[Path] = []
    if header.scenario_path:
        given = Path(header.scenario_path)
        tried.append(name_of(given))
        if not given.is_absolute():
            for base in (replay.folder, *replay.folder.resolve().parents):
                tried.append(name_of(base / given))
    tried.append(name_of(Path("scenarios") / f"{header.scenario_id}.yaml"))
    return tried


def scenario_file_for(replay: Replay) -> Path | None:
    """The scenario file named by the replay header, or None when it cannot be found."""
    return next((p for p in _candidates(replay, lambda p: p) if p.is_file()), None)


def history_file_for(replay: Replay) -> tuple[Path | None, Path]:
    """(the ``<scenario>.history.yaml`` found or None, the first path looked at)."""
    from campaign.scenario.history import history_path_for

    tried = _candidates(replay, history_path_for)
    return next((p for p in tried if p.is_file()), None), tried[0]
