"""The documentation in docs/ is current, its examples run, and the site builds.

Conventions checked here:

* generated sections (``<!-- generated:NAME -->`` ... ``<!-- /generated:NAME -->``)
  equal what ``python -m campaign.docs_gen`` would write now;
* every fenced ``python`` block runs in a fresh namespace, with the repository root as
  the working directory;
* a fenced ``sh`` or ``console`` block preceded by ``<!-- tested -->`` has each line
  that starts with ``campaign `` run through ``campaign.cli.main`` and exit with 0.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from campaign import docs_gen
from campaign.cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
FENCE = re.compile(
    r"(?P<mark><!-- tested -->\n)?```(?P<lang>[\w-]*)\n(?P<code>.*?)^```", re.S | re.M
)


def _blocks(lang: set[str], tested_only: bool) -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for n, m in enumerate(FENCE.finditer(page.read_text(encoding="utf-8"))):
            if m.group("lang") in lang and (m.group("mark") or not tested_only):
                found.append((f"{page.name}#{n}", m.group("code")))
    return found


def test_pages_exist_and_are_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for name in (
        "index",
        "getting-started",
        "scenario-format",
        "model",
        "fidelity",
        "cli",
        "api",
        "replay-format",
        "reliability",
    ):
        assert (DOCS / f"{name}.md").exists()
        assert f"{name}.md" in nav


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_generated_sections_are_current(page):
    text = page.read_text(encoding="utf-8")
    assert docs_gen.fill(text, skip=docs_gen.SLOW_SECTIONS) == text, (
        f"{page.name} is stale: run `python -m campaign.docs_gen`"
    )


@pytest.mark.slow
def test_fidelity_page_is_current():
    page = DOCS / "fidelity.md"
    text = page.read_text(encoding="utf-8")
    assert docs_gen.fill(text) == text, "fidelity.md is stale: run `python -m campaign.docs_gen`"


def test_every_generated_marker_is_known_and_used():
    used = {m.group("name") for p in PAGES for m in docs_gen.MARKER.finditer(p.read_text())}
    assert used == set(docs_gen.SECTIONS)


def test_constant_tables_list_every_documented_default():
    text = (DOCS / "model.md").read_text(encoding="utf-8")
    for name in (
        "POSTURE",
        "TERRAIN",
        "RIVER",
        "SURPRISE",
        "QUALITY",
        "BREAK_POINT",
        "GUN_MEN",
        "MACHINE_GUN_MEN",
        "BASE_DAILY_LOSS",
        "RATIO_EXPONENT",
        "KILLED_SHARE",
        "MARCH_KM_PER_DAY",
        "OVERWHELMING_RATIO",
        "HOPELESS_RATIO",
        "CAPTURED_WHEN_CUT_OFF",
        "ATTACK_RATIO",
        "SUPPLY_RADIUS_KM",
        "FATIGUE_EFFECT",
        "COUNTERATTACK_RATIO",
        "ASSEMBLY_DAYS",
    ):
        assert f"| `{name}` |" in text, name


def test_scenario_errors_show_located_messages():
    text = (DOCS / "scenario-format.md").read_text(encoding="utf-8")
    assert "internal error" not in text
    assert len(re.findall(r"^toy_line\.yaml:\d+: ", text, re.M)) >= len(docs_gen.BROKEN_EXAMPLES)


def test_reliability_table_names_tests_that_exist():
    text = (DOCS / "reliability.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(?:[\w/]+\.py::)?(test_\w+)`", text))
    assert len(named) >= 30
    sources = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py"))
    missing = sorted(n for n in named if f"def {n}(" not in sources)
    assert not missing, f"docs/reliability.md names tests that do not exist: {missing}"


PYTHON_BLOCKS = _blocks({"python"}, tested_only=False)


@pytest.mark.parametrize(("where", "code"), PYTHON_BLOCKS, ids=[w for w, _ in PYTHON_BLOCKS])
def test_python_examples_run(where, code, monkeypatch):
    monkeypatch.chdir(ROOT)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, where, "exec"), {"__name__": "__docs__"})  # noqa: S102


COMMANDS = [
    (where, line.strip())
    for where, code in _blocks({"sh", "console"}, tested_only=True)
    for line in code.splitlines()
    if line.strip().startswith("campaign ")
]


def test_there_are_tested_commands():
    assert len(COMMANDS) >= 3


@pytest.mark.parametrize(("where", "command"), COMMANDS, ids=[c for _, c in COMMANDS])
def test_tested_commands_exit_zero(where, command, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    argv = shlex.split(command, comments=True)[1:]
    assert cli_main(argv) == 0, f"{where}: `{command}` failed: {capsys.readouterr().err}"


def test_site_builds_strictly(tmp_path):
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or shutil.which("mkdocs")
    if mkdocs is None:
        pytest.skip("mkdocs is not installed")
    done = subprocess.run(
        [mkdocs, "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "scenario-format" / "index.html").exists()
