"""Subcommands that analyse runs against the record (registered by :mod:`campaign.cli`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from campaign.cli_flags import add_override_flags, overrides_from_args


def cmd_fidelity(args: argparse.Namespace) -> int:
    from campaign.analysis.fidelity import fidelity_report, report_text
    from campaign.errors import CampaignError
    from campaign.scenario.history import history_path_for, load_history
    from campaign.scenario.loader import load_scenario

    scenario = load_scenario(args.scenario, overrides_from_args(args))
    history_file = Path(args.history) if args.history else history_path_for(Path(args.scenario))
    if not history_file.exists():
        if args.history:
            raise CampaignError(f"--history {history_file}: file not found")
        raise CampaignError(
            f"{history_file}: no historical record next to the scenario "
            "(expected <id>.history.yaml; or pass --history FILE)"
        )
    history = load_history(history_file, scenario)
    if args.no_timetable:
        from campaign.analysis.fidelity import strip_timetable

        scenario = strip_timetable(scenario)
    report = fidelity_report(scenario, history, seed=args.seed, runs=args.runs)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(report_text(report))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the fidelity report."""
    from campaign.cli_flags import count_from_zero, seed_number

    p = sub.add_parser("fidelity", help="compare a run with the historical record")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument(
        "--runs", type=count_from_zero, default=0, help="also an ensemble majority over N runs"
    )
    p.add_argument("--seed", type=seed_number, default=0)
    p.add_argument("--history", metavar="FILE", help="default: <scenario>.history.yaml")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--no-timetable",
        action="store_true",
        help="drop every dated order without a condition first (intents, "
        "conditional orders and relations stay): what the engine earns alone",
    )
    add_override_flags(p)
    p.set_defaults(func=cmd_fidelity)
