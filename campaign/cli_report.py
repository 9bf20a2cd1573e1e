"""Subcommands that tell a run in words (registered by :mod:`campaign.cli`).

``report`` (an after-action report, Markdown and HTML) and ``why`` (the causal chain of a
place's changes of hands). Text only: neither imports matplotlib or shapely.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _ensemble_report(args: argparse.Namespace):
    from campaign.analysis.ensemble_files import load_counted_ensemble
    from campaign.analysis.ensemble_outcomes import ensemble_blocks
    from campaign.errors import CampaignError

    if args.against:
        raise CampaignError(
            f"{args.dir}: --against compares runs; to compare two ensemble "
            f"folders use 'campaign compare BASE VARIANT'"
        )
    result = load_counted_ensemble(args.dir)
    title = f"Ensemble report: {result.header.get('scenario_title', result.header['scenario_id'])}"
    return ensemble_blocks(result), title


def cmd_report(args: argparse.Namespace) -> int:
    from campaign.analysis.report import to_html, to_markdown
    from campaign.cli_flags import writable_text_output
    from campaign.replay.atomic import atomic_write_text

    # Checked before the work: a file of the user's is never replaced unasked.
    out = writable_text_output(args.out, (".md",), "--out", args.force) if args.out else None
    page = (
        writable_text_output(args.html, (".html", ".htm"), "--html", args.force)
        if args.html
        else None
    )

    if (Path(args.dir) / "runs.jsonl").is_file():
        blocks, title = _ensemble_report(args)
    else:
        from campaign.analysis.differences import differences
        from campaign.analysis.narrative import build_account
        from campaign.analysis.report import report_blocks

        account = build_account(args.dir)
        diff = None
        if args.against:
            diff = differences(account, build_account(args.against, with_record=False))
        blocks = report_blocks(account, diff)
        title = f"After-action report: {account.title}"
    markdown = to_markdown(blocks)
    wrote = []
    if out is not None:
        atomic_write_text(out, markdown)
        wrote.append(args.out)
    if page is not None:
        atomic_write_text(page, to_html(blocks, title))
        wrote.append(args.html)
    if wrote:
        print("wrote " + ", ".join(wrote))
    else:
        print(markdown, end="")
    return 0


def cmd_why(args: argparse.Namespace) -> int:
    from campaign.analysis.why import why_place
    from campaign.replay.reader import read_replay

    print(why_place(read_replay(args.dir), args.place, args.date))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``report`` and ``why``."""
    p = sub.add_parser(
        "report",
        help="after-action report of a run or an ensemble (Markdown, or a self-contained "
        "HTML page)",
        description="A dated narrative of a run from its replay log: commanders' decisions and "
        "triggers, marches, every engagement with odds and losses, units' fates, objectives, "
        "and the historical record beside each recorded date. For an ensemble folder (with "
        "runs.jsonl): the distribution of outcomes, objectives met and holders at the end, "
        "with 95% Wilson intervals.",
        epilog="examples:\n  campaign report replays/kaunas_1919 --out kaunas.md --html kaunas.html\n"
        "  campaign run scenarios/kaunas_1919.yaml --out out/half --seed 1 --scale soviet=0.5\n"
        "  campaign report out/half --against replays/kaunas_1919\n"
        "  campaign ensemble scenarios/kaunas_1919.yaml --runs 200 --out out/ens\n"
        "  campaign report out/ens --html ens.html",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "dir",
        metavar="DIR",
        help="replay folder written by 'campaign run', or "
        "ensemble folder written by 'campaign ensemble --out'",
    )
    p.add_argument(
        "--against",
        metavar="DIR",
        help="baseline replay folder: add a section 'differences from the baseline'",
    )
    p.add_argument("--out", metavar="FILE.md", help="write Markdown here (default: print it)")
    p.add_argument("--html", metavar="FILE.html", help="also write a self-contained HTML page")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing --out or --html file that is not a report campaign wrote",
    )
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "why",
        help="why a place is in whose hands: its changes of hands and their causes",
        epilog="example:\n  campaign why replays/kaunas_1919 Alytus --date 1919-02-20",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("dir", metavar="DIR", help="replay folder written by 'campaign run'")
    p.add_argument("place", metavar="PLACE", help="place id or name, e.g. alytus or Alytus")
    p.add_argument("--date", metavar="DATE", help="ISO date to stop at (default: the last day)")
    p.set_defaults(func=cmd_why)
