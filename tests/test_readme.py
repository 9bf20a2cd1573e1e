"""Every `campaign` command shown in the README runs (issue 20: examples run in CI).

Outputs go to fresh folders ``out-readme-<pid>-*`` beside ``out/`` (a replay folder
must lie within two levels of the scenarios for ``replay --verify`` to find them; the
folders are removed afterwards), a redirected output to a file there, and run counts
are capped at 2 so that the examples stay quick; everything else is the command as
printed. The commands run in README order and share those folders.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PREFIX = ".venv/bin/campaign "


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith(PREFIX):
                commands.append(re.split(r"\s+#\s", line, maxsplit=1)[0].strip())
    return commands


COMMANDS = readme_commands()


def test_the_readme_shows_commands():
    assert len(COMMANDS) >= 10


@pytest.fixture(scope="module")
def prefix():
    tag = f"out-readme-{os.getpid()}-"
    yield tag
    for folder in ROOT.glob(f"{tag}*"):
        if folder.is_dir():
            shutil.rmtree(folder)
        else:
            folder.unlink()


@pytest.mark.parametrize("index", range(len(COMMANDS)))
def test_readme_command_runs(index: int, prefix: str):
    command = COMMANDS[index]
    line = command[len(PREFIX) :].replace("out/", prefix)
    line = re.sub(r"--runs \d+", "--runs 2", line)
    target = None
    if " > " in line:
        line, target = (part.strip() for part in line.split(" > ", 1))
        target = ROOT / f"{prefix}{Path(target).name}"
    argv = shlex.split(line)
    argv = [f"{prefix}{a}" if a == "predictions.csv" else a for a in argv]
    done = subprocess.run(
        [sys.executable, "-m", "campaign", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, (command, done.stderr[-2000:])
    if target is not None:
        target.write_text(done.stdout, encoding="utf-8")
