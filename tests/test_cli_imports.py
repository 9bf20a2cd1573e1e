"""Each command loads only what it uses: the quick ones never pay for plotting or geometry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("matplotlib", "shapely", "scipy", "dask", "networkx")

# Runs one command in a fresh interpreter and prints which heavy packages it imported.
_PROBE = """
import contextlib, io, json, sys
from campaign.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})))
"""


def _heavy_imports(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=set(HEAVY)), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


@pytest.mark.parametrize(
    "args",
    [
        ("--version",),
        ("--help",),
        ("validate", "scenarios/kaunas_1919.yaml"),
        ("info", "scenarios/northeast_1919.yaml"),
        ("schema",),
        ("replay", "replays/kaunas_1919", "--at", "1919-02-13"),
        ("report", "replays/kaunas_1919"),
        ("why", "replays/kaunas_1919", "alytus"),
    ],
    ids=lambda a: a[0].lstrip("-"),
)
def test_quick_commands_import_no_plotting_geometry_or_dask(args):
    assert _heavy_imports(*args) == set()


def test_run_imports_no_plotting_geometry_graph_library_or_dask(tmp_path: Path):
    # The theatre's river and lake facts are vendored (campaign/geo/data/
    # theatre_geometry.json), so no shapely; routes on a map this size are searched in
    # pure Python (scipy only from campaign.engine.routes.SCIPY_FROM_PLACES places on).
    loaded = _heavy_imports("run", "scenarios/northeast_1919.yaml", "--out", str(tmp_path / "r"))
    assert loaded == set()


def test_a_picture_that_would_replace_a_users_file_is_refused_before_any_drawing(tmp_path):
    # The check is made before the replay is read: nothing is drawn, matplotlib not loaded.
    mine = tmp_path / "photo.png"
    mine.write_bytes(b"precious")
    for args in (
        ("plot", "replays/kaunas_1919", "--out", str(mine)),
        ("chart", "replays/kaunas_1919", "--out", str(mine)),
        ("battles", "--plot", str(mine)),
    ):
        assert _heavy_imports(*args) == set(), args
    assert mine.read_bytes() == b"precious"


@pytest.mark.parametrize("given, expected", [(None, "1"), ("4", "4")])
def test_the_command_runs_blas_on_one_thread_unless_told_otherwise(given, expected):
    # OpenBLAS reads the variable when numpy loads: the command sets it first.
    probe = (
        "import contextlib, io, os\n"
        "from campaign.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['validate', 'scenarios/kaunas_1919.yaml'])\n"
        "import numpy\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    assert done.stdout.split()[-1] == expected
