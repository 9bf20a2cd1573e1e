"""Regenerate the recorded replays of the shipped scenarios in ``replays/``.

Run from the repository root:  ``python -m campaign.replays_build`` (or ``make replays``).
Each scenario is run with seed 1; the log, tables, front lines, one map, the
animation and the interactive viewer page are written to ``replays/<scenario id>/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from campaign.api import run

#: The shipped historical scenarios and the seed of their recorded run.
SHIPPED = (
    "scenarios/kaunas_1919.yaml",
    "scenarios/northeast_1919.yaml",
    "scenarios/spring_1919.yaml",
    "scenarios/winter_1918.yaml",
)
RECORDED_SEED = 1


def build(root: Path = Path("."), pictures: bool = True) -> list[Path]:
    """Write every recorded replay under ``root/replays``; returns the folders."""
    folders = []
    for scenario in SHIPPED:
        out = root / "replays" / Path(scenario).stem
        run(scenario, seed=RECORDED_SEED, out=out, force=True)
        if pictures:
            _pictures(out)
        folders.append(out)
    return folders


def _pictures(out: Path) -> None:
    from campaign.cli import main

    # --force: the pictures already in replays/ are the folder's own, some drawn before
    # campaign marked its pictures as its own.
    for argv in (
        ["export", str(out)],
        ["plot", str(out), "--out", str(out / "map.png"), "--history", "--force"],
        ["plot", str(out), "--fronts", "--out", str(out / "fronts.png"), "--force"],
        ["chart", str(out), "--out", str(out / "strength.png"), "--force"],
        ["animate", str(out), "--out", str(out / "run.gif"), "--force"],
        ["viewer", str(out), "--out", str(out / "replay.html")],
    ):
        code = main(argv)
        if code != 0:
            print(f"warning: campaign {' '.join(argv)} exited {code}", file=sys.stderr)


if __name__ == "__main__":
    for folder in build():
        print(f"wrote {folder}")
