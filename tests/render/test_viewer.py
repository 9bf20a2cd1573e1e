"""The HTML replay viewer: a self-contained page that a real browser renders date by date."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from toy import write_toy_run

from campaign.cli import main
from campaign.errors import ReplayError
from campaign.render.viewer import build_viewer_data, write_viewer

REPO = Path(__file__).resolve().parents[2]
KAUNAS = REPO / "replays" / "kaunas_1919"
HISTORY = textwrap.dedent("""\
    scenario: toy
    sources:
      - {id: toy, file: synthetic}
    checkpoints:
      - {place: c, date: 1919-01-01, side: blue, event: made up, source: {ref: toy}}
""")


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    return write_toy_run(tmp_path_factory.mktemp("viewer"), HISTORY)


def _external_links(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']?\s*(https?://[^"'\s>]*)""", html, re.I)


def _page_data(html: str) -> dict:
    match = re.search(r"const D = (\{.*?\});\n", html, re.S)
    assert match, "embedded data not found"
    return json.loads(match.group(1))


def test_toy_page_is_self_contained_with_every_day(toy_run, tmp_path):
    out = write_viewer(toy_run, tmp_path / "replay.html")
    html = out.read_text(encoding="utf-8")
    assert _external_links(html) == []
    assert "<script src" not in html and "<link" not in html
    data = _page_data(html)
    assert [d["date"] for d in data["days"]][:2] == ["1919-01-01", "1919-01-02"]
    assert len(data["days"]) == 10
    assert {s["id"] for s in data["sides"]} == {"blue", "red"}
    # the record says blue held c on 1 January; the simulation has red there: one ring
    assert data["historyFile"] == "toy.history.yaml"
    assert [r[1] for r in data["days"][0]["record"]] == ["blue"]
    assert data["days"][-1]["record"] == []  # blue took c: simulation and record agree
    assert any(kind == "control_change" for d in data["days"] for kind, _ in d["events"])


def test_cli_writes_default_replay_html(toy_run, capsys):
    assert main(["viewer", str(toy_run)]) == 0
    assert (toy_run / "replay.html").is_file()
    assert "wrote" in capsys.readouterr().out


def test_bad_folder_is_one_line_error(tmp_path, capsys):
    assert main(["viewer", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip()
    assert "not a replay folder" in err and "\n" not in err
    with pytest.raises(ReplayError, match="neither a replay folder"):
        build_viewer_data(tmp_path)


def test_ensemble_folder_shows_probabilities(tmp_path):
    (tmp_path / "control_probability.csv").write_text(
        "date,town,side,probability\n"
        "1919-02-05,kaunas,lithuania,1.0\n"
        "1919-02-05,jonava,lithuania,0.25\n"
        "1919-02-05,jonava,soviet,0.75\n"
        "1919-02-06,jonava,lithuania,0.6\n"
        "1919-02-06,jonava,soviet,0.4\n",
        encoding="utf-8",
    )
    data = build_viewer_data(tmp_path)
    assert data["mode"] == "ensemble"
    places = [p[0] for p in data["places"]]
    jonava = data["days"][0]["probability"][places.index("jonava")]
    assert jonava[0] == ["soviet", 0.75]
    assert _external_links(write_viewer(tmp_path).read_text(encoding="utf-8")) == []


def test_ensemble_with_bad_header_is_rejected(tmp_path):
    (tmp_path / "control_probability.csv").write_text("day,place\n", encoding="utf-8")
    with pytest.raises(ReplayError, match="expected the header date,town,side,probability"):
        build_viewer_data(tmp_path)


# ----------------------------------------------------------------------------- browser
def _chromium() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _browse(browser: str, url: str, profile: Path, *extra: str) -> str:
    cmd = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--virtual-time-budget=5000",
        f"--user-data-dir={profile}",
        *extra,
        url,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _svg(dom: str) -> str:
    return dom[dom.index('<svg id="map"') : dom.index("</svg>", dom.index('id="layer-units"'))]


@pytest.mark.parametrize("source", ["toy", "kaunas"])
def test_browser_shows_fragment_date_and_changes_with_it(source, toy_run, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium not installed: no /usr/bin/chromium, chromium or chromium-browser")
    folder, first, second = (
        (toy_run, "1919-01-01", "1919-01-10")
        if source == "toy"
        else (KAUNAS, "1919-02-05", "1919-02-13")
    )
    page = write_viewer(folder, tmp_path / "replay.html")
    assert _external_links(page.read_text(encoding="utf-8")) == []
    url = page.resolve().as_uri()
    doms = {}
    for date in (first, second):
        dom = _browse(browser, f"{url}#{date}", tmp_path / "profile", "--dump-dom")
        shown = re.search(r'id="date"[^>]*>([^<]*)<', dom)
        assert shown and shown.group(1) == date
        assert "<circle" in dom and 'class="unit' in dom
        doms[date] = dom
    first_svg, second_svg = _svg(doms[first]), _svg(doms[second])
    assert first_svg != second_svg
    units = [
        re.search(r'<g id="layer-units">(.*?)</g>', s, re.S).group(1)
        for s in (first_svg, second_svg)
    ]
    fronts = [
        re.search(r'<g id="layer-front">(.*?)</g>', s, re.S).group(1)
        for s in (first_svg, second_svg)
    ]
    assert units[0] != units[1]
    assert fronts[0] != fronts[1]
    shot = tmp_path / f"viewer_{source}.png"
    _browse(
        browser,
        f"{url}#{second}",
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1280,900",
    )
    assert shot.stat().st_size > 10_000
    if source == "kaunas":
        shutil.copy(shot, "/tmp/viewer_shot.png")
