"""The after-action report and `why` tell what the replay log holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from campaign.analysis.differences import differences
from campaign.analysis.narrative import build_account
from campaign.analysis.report import report_blocks, to_html, to_markdown
from campaign.analysis.why import why_place
from campaign.cli import main
from campaign.errors import ReplayError
from campaign.replay.reader import read_replay

ROOT = Path(__file__).resolve().parents[2]
KAUNAS = ROOT / "replays" / "kaunas_1919"


def _events(folder: Path, kind: str) -> list[dict]:
    return [e for e in read_replay(folder).events if e["type"] == kind]


@pytest.fixture(scope="module")
def kaunas_md() -> str:
    return to_markdown(report_blocks(build_account(KAUNAS)))


def test_kaunas_report_names_the_fights_with_odds_and_losses(kaunas_md):
    names = {p.id: p.name for p in read_replay(KAUNAS).header.places}
    fights = _events(KAUNAS, "engagement_end")
    assert {names[f["place"]] for f in fights} >= {"Kėdainiai", "Jieznas", "Alytus"}
    for f in fights:
        paragraph = next(
            line
            for line in kaunas_md.splitlines()
            if line.startswith(f"- **{names[f['place']]}** (engagement {f['engagement']},")
        )
        for row in f["losses"].values():
            assert (
                f"{row['killed']:,.0f} killed, {row['wounded']:,.0f} wounded, "
                f"{row['captured']:,.0f} captured" in paragraph
            )
        assert "combat power" in paragraph and f["result"] in paragraph


def test_report_gives_perceived_and_true_odds_of_the_decision(kaunas_md):
    decision = next(
        e
        for e in _events(KAUNAS, "decision")
        if e["action"] == "attack" and e["target"] == "kedainiai"
    )
    line = next(x for x in kaunas_md.splitlines() if x.startswith("- **Kėdainiai**"))
    assert (
        f"perceived {decision['perceived_ratio']:.2f}:1, true {decision['true_ratio']:.2f}:1"
        in line
    )


def test_report_tells_control_changes_triggers_and_the_record(kaunas_md):
    for change in _events(KAUNAS, "control_change"):
        assert change["cause"] in kaunas_md
    assert (
        "Trigger: *intent jieznas_relief* set off, because Jieznas taken by Soviet Russia"
        in kaunas_md
    )
    assert "The record: Kėdainiai held by Republic of Lithuania — the run agrees." in kaunas_md
    assert "## Units' fates" in kaunas_md and "## Against the historical record" in kaunas_md


def test_html_is_one_self_contained_page():
    page = to_html(report_blocks(build_account(KAUNAS)), "t")
    assert page.startswith("<!DOCTYPE html>") and "<strong>Kėdainiai</strong>" in page
    assert "src=" not in page and "<link" not in page


def test_what_if_report_says_so_and_differs_from_the_baseline(tmp_path: Path):
    out = tmp_path / "half"
    assert (
        main(
            [
                "run",
                "scenarios/kaunas_1919.yaml",
                "--out",
                str(out),
                "--seed",
                "1",
                "--scale",
                "soviet=0.5",
            ]
        )
        == 0
    )
    run, base = build_account(out), build_account(KAUNAS)
    diff = differences(run, base)
    text = to_markdown(report_blocks(run, diff))
    assert "**This is a what-if run** (what-if: --scale soviet=0.5)" in text
    assert "## Differences from the baseline" in text
    assert not diff.empty()
    header = read_replay(out).header
    assert header.run_label() == "seed 1 · what-if: --scale soviet=0.5"  # on every picture


def test_report_cli_writes_markdown_and_html(tmp_path: Path, capsys):
    md, page = tmp_path / "r.md", tmp_path / "r.html"
    assert main(["report", str(KAUNAS), "--out", str(md), "--html", str(page)]) == 0
    assert md.read_text(encoding="utf-8").startswith("# After-action report")
    assert "<html" in page.read_text(encoding="utf-8")


def test_why_follows_alytus_back_to_the_decision_and_trigger():
    text = why_place(read_replay(KAUNAS), "Alytus")
    changes = [e for e in _events(KAUNAS, "control_change") if e["place"] == "alytus"]
    for change in changes:
        assert change["cause"] in text
    assert "intent pskov_alytus" in text and "the intent was set off" in text
    final = json.loads((KAUNAS / "summary.json").read_text())["final_control"]["alytus"]
    sides = {s.id: s.name.split(" (")[0] for s in read_replay(KAUNAS).header.sides}
    assert text.rstrip().endswith(f"held by {sides[final]}.")


def test_why_stops_at_the_date_and_names_bad_places():
    early = why_place(read_replay(KAUNAS), "alytus", "1919-02-10")
    assert "No change of hands up to 1919-02-10" in early
    with pytest.raises(ReplayError, match="not a place of this run"):
        why_place(read_replay(KAUNAS), "atlantis")


def test_a_baseline_of_another_scenario_is_refused():
    with pytest.raises(ReplayError, match="the baseline must be a run of the same scenario"):
        differences(build_account(KAUNAS), build_account(ROOT / "replays" / "northeast_1919"))


def test_why_tells_what_was_tried_for_a_place_that_never_changed_hands():
    # Kaunas held out: the answer names the Soviet intent that aimed at it and its last
    # decision about it, and any fight there that left it in the same hands.
    text = why_place(read_replay(KAUNAS), "Kaunas")
    assert "No change of hands" in text
    aims = {e["intent"] for e in _events(KAUNAS, "decision") if e["target"] == "kaunas"}
    soviet = [i for i in aims if i.startswith("pskov")]
    assert soviet and all(f"Intent {i} (Soviet Russia) aimed at it" in text for i in soviet)
    assert "its last decision:" in text
    kept = [
        e
        for e in _events(KAUNAS, "engagement_end")
        if e["place"] == "kaunas" and e["winner"] == "defender"
    ]
    for e in kept:
        assert e["result"] in text


def test_why_knows_a_place_by_its_other_names():
    assert why_place(read_replay(KAUNAS), "Kovno") == why_place(read_replay(KAUNAS), "kaunas")


def test_units_fates_count_every_time_a_fight_threw_them_back():
    # Under the default law a beaten unit "gave way" or was "routed"; the fates used to
    # count only "broke" and called every such unit "never broke".
    account = build_account(KAUNAS)
    fates = {f.unit: f.status for f in account.fates}
    thrown = {
        e["unit"]
        for e in _events(KAUNAS, "retreat")
        if e["reason"].startswith(("gave way", "routed", "driven out", "broke"))
    }
    assert thrown
    for unit in thrown:
        assert fates[unit] == "destroyed" or "routed" in fates[unit] or "thrown back" in fates[unit]
    assert any(status == "never thrown back" for status in fates.values())


def test_men_are_counted_in_words_with_one_man_singular():
    from campaign.analysis.narrative import men_count

    assert men_count(1) == "1 man"
    assert men_count(0.6) == "1 man"
    assert men_count(0) == "0 men"
    assert men_count(1200) == "1,200 men"


def test_why_counts_the_men_who_joined_a_fight_after_it_began():
    # A fight's start lists those there at the first shot; the why answer adds how many
    # had come up by its end ("450 attacked 2,000" read as a forlorn hope otherwise).
    text = why_place(read_replay(KAUNAS), "Alytus")
    starts = {e["engagement"]: e for e in _events(KAUNAS, "engagement_start")}
    grew = [
        e
        for e in _events(KAUNAS, "engagement_end")
        if e["place"] == "alytus"
        and e["losses"]["soviet"]["men"]
        > sum(v for u, v in starts[e["engagement"]]["attackers"].items() if u.startswith("sov")) + 1
    ]
    assert grew  # the two Soviet regiments came up one after the other
    total = grew[0]["losses"]["soviet"]["men"]
    assert f"({total:,.0f} by the end)" in text
