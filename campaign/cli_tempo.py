"""``campaign tempo``: capture probability and timing of a side under strength factors.

Registered by :mod:`campaign.cli`; imports stay inside the command.
"""

from __future__ import annotations

import argparse
import json


def cmd_tempo(args: argparse.Namespace) -> int:
    from campaign.analysis.tempo import (
        capture_tempo,
        reversal_report,
        reversals,
        tempo_data,
        tempo_table,
    )
    from campaign.errors import CampaignError
    from campaign.scenario.loader import load_scenario
    from campaign.scenario.overrides import Overrides

    try:
        factors = [float(x) for x in args.factors.split(",") if x.strip()]
    except ValueError:
        raise CampaignError(
            f"--factors: expected numbers like 0.5,1,2, got '{args.factors}'"
        ) from None
    if not factors or any(not 0 <= f <= 100 for f in factors):
        raise CampaignError("--factors: each factor must be between 0 and 100")
    if args.runs < 1:
        raise CampaignError(f"--runs: need at least 1 run, got {args.runs}")
    settings = {}
    by_factor = {}
    rises = True
    for factor in factors:
        scenario = load_scenario(args.scenario, Overrides(scales=[f"{args.side}={factor}"]))
        counted = args.count or args.side
        for flag, who in (("--side", args.side), ("--count", counted)):
            if who not in {s.id for s in scenario.sides}:
                raise CampaignError(f"{flag}: no side '{who}' in {args.scenario}")
        settings[f"x{factor:g}"] = by_factor[factor] = capture_tempo(
            scenario, counted, args.runs, args.seed
        )
        holder = {s.id: s.controls_for or s.id for s in scenario.sides}
        rises = holder.get(counted, counted) == holder.get(args.side, args.side)
    counted = args.count or args.side
    if args.json:
        data = {
            "scenario": str(args.scenario),
            "side": args.side,
            "count": counted,
            "runs": args.runs,
            "seeds": [args.seed, args.seed + args.runs - 1],
            **tempo_data(by_factor, rises),
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(
        f"Captures by {counted}, {args.side} at strength factors {', '.join(settings)} "
        f"({args.runs} runs each, seeds {args.seed}..{args.seed + args.runs - 1})"
    )
    print(tempo_table(settings))
    if len(by_factor) > 1:
        print(reversal_report(*reversals(by_factor, rises), rises))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from campaign.cli_flags import seed_number

    p = sub.add_parser(
        "tempo",
        help="what-if tempo: a side's captures under strength factors",
        description="For each strength factor of SIDE, an ensemble gives each "
        "place's probability of being taken by SIDE (or by --count) and the mean day "
        "it is first taken; with two factors or more it then checks that the "
        "response is monotone, testing each reversal (one-sided Fisher and "
        "Mann-Whitney tests, Holm-corrected at 5%). Example: campaign tempo "
        "scenarios/kaunas_1919.yaml --side soviet --factors 0.5,1,2 --runs 40",
    )
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument(
        "--side", required=True, help="side whose strength is scaled and whose captures are counted"
    )
    p.add_argument(
        "--count", metavar="SIDE", help="side whose captures are counted (default: the scaled side)"
    )
    p.add_argument("--factors", default="0.5,1,2", help="comma-separated strength factors")
    p.add_argument("--runs", type=int, default=40, help="runs per factor (default 40)")
    p.add_argument("--seed", type=seed_number, default=0, help="seed of the first run")
    p.add_argument(
        "--json",
        action="store_true",
        help="machine-readable output: per place and factor the runs that take it, "
        "a 95%% Wilson interval, the mean and every capture day, and the reversals",
    )
    p.set_defaults(func=cmd_tempo)
