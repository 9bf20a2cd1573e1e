"""``campaign tempo``: capture probability and timing of a side under strength factors.

Registered by :mod:`campaign.cli`; imports stay inside the command.
"""

from __future__ import annotations

import argparse
import json


def cmd_tempo(args: argparse.Namespace) -> int:
    from campaign.analysis.tempo import what_if_tempo
    from campaign.cli_flags import dask_options, overrides_from_args
    from campaign.errors import CampaignError

    try:
        factors = [float(x) for x in args.factors.split(",") if x.strip()]
    except ValueError:
        raise CampaignError(
            f"--factors: expected numbers like 0.5,1,2, got '{args.factors}'"
        ) from None
    scheduler, dask_local = dask_options(args)
    tempo = what_if_tempo(
        args.scenario,
        args.side,
        factors,
        args.runs,
        args.count,
        args.seed,
        workers=args.workers,
        scheduler=scheduler,
        dask_local=dask_local,
        overrides=overrides_from_args(args),
    )
    if args.json:
        print(json.dumps(tempo.as_data(), indent=2, ensure_ascii=False))
    else:
        print(tempo.as_text())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from campaign.cli_flags import add_dask_flags, add_override_flags, positive_int, seed_number

    p = sub.add_parser(
        "tempo",
        help="what-if tempo: a side's captures under strength factors",
        description="For each strength factor of SIDE, an ensemble gives each "
        "place's probability of being taken by SIDE (or by --count) and the mean day "
        "it is first taken (a place SIDE held at the start counts as 'PLACE "
        "(retaken)' when SIDE takes it back after losing it); with two factors or "
        "more it then checks that the "
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
        "--workers",
        type=positive_int,
        default=1,
        metavar="W",
        help="processes for the runs (default 1: in this process)",
    )
    add_dask_flags(p)
    add_override_flags(p)
    p.add_argument(
        "--json",
        action="store_true",
        help="machine-readable output: per place and factor the runs that take it, "
        "a 95%% Wilson interval, the mean and every capture day, and the reversals",
    )
    p.set_defaults(func=cmd_tempo)
