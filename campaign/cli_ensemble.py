"""Subcommands for ensembles, comparisons, calibration and sensitivity."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from campaign.cli_flags import (
    EXIT_INTERRUPTED,
    EXIT_RUNS_FAILED,
    add_dask_flags,
    add_force_flag,
    add_override_flags,
    dask_options,
    overrides_from_args,
    positive_int,
    seed_number,
)


def ensemble_summary(result) -> str:
    """Holders at the end of the contested places and the objectives, with 95% intervals."""
    from campaign.analysis.ensemble_outcomes import summary_text

    return summary_text(result)


def cmd_ensemble(args: argparse.Namespace) -> int:
    from campaign.analysis.ensemble import run_ensemble
    from campaign.analysis.ensemble_files import folder_state

    # --force over an earlier ensemble writes beside it and swaps only when finished.
    replacing = bool(args.out and args.force and folder_state(Path(args.out)) == "ensemble")
    scheduler, dask_local = dask_options(args)
    try:
        result = run_ensemble(
            args.scenario,
            args.runs,
            workers=args.workers,
            overrides=overrides_from_args(args),
            out=args.out,
            scheduler=scheduler,
            dask_local=dask_local,
            resume=args.resume,
            base_seed=args.seed,
            progress=not args.quiet,
            force=args.force,
        )
    except KeyboardInterrupt:
        if replacing:
            print(
                f"interrupted; {args.out} still holds the earlier ensemble (--force "
                "replaces it only with a finished one)",
                file=sys.stderr,
            )
            return EXIT_INTERRUPTED
        if args.out and (Path(args.out) / "runs.jsonl").is_file():
            print(
                f"interrupted; finished runs are kept in {args.out}/runs.jsonl "
                f"(continue with --resume)",
                file=sys.stderr,
            )
            return EXIT_INTERRUPTED
        if args.out:
            print(
                f"interrupted before any run finished; nothing kept in {args.out}", file=sys.stderr
            )
            return EXIT_INTERRUPTED
        raise
    print(ensemble_summary(result))
    print(f"\nwrote {args.out}/" if args.out else "\n(no --out: nothing written)")
    if result.failures:
        print(
            f"error: {len(result.failures)} of {args.runs} runs failed "
            f"(see the failures above{' and failures.csv' if args.out else ''})",
            file=sys.stderr,
        )
        return EXIT_RUNS_FAILED
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    if args.out:  # checked before the ensembles are read
        from campaign.cli_flags import writable_picture
        from campaign.output_files import IMAGE_SUFFIXES

        writable_picture(args.out, IMAGE_SUFFIXES, "--out", args.force)
    from campaign.analysis.compare import compare_ensembles, comparison_text

    comparison = compare_ensembles(args.base, args.variant)
    print(comparison_text(comparison))
    if args.out:
        from campaign.render.compare_chart import draw_comparison

        print(f"\nwrote {draw_comparison(comparison, args.out)}")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from campaign.analysis.calibrate import calibrate_multipliers

    result = calibrate_multipliers(
        args.scenario,
        args.param,
        runs=args.runs,
        history=args.history,
        overrides=overrides_from_args(args),
        base_seed=args.seed,
        workers=args.workers,
        progress=not args.quiet,
    )
    print(result.text())
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from campaign.analysis.sensitivity import sensitivity

    result = sensitivity(
        args.scenario,
        runs=args.runs,
        factors=(args.low, args.high),
        metric=args.metric,
        overrides=overrides_from_args(args),
        workers=args.workers,
        base_seed=args.seed,
        progress=not args.quiet,
    )
    print(result.text())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ensemble, compare, calibrate and sensitivity."""
    p = sub.add_parser("ensemble", help="run many seeds and give outcome probabilities")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument(
        "--runs",
        type=positive_int,
        required=True,
        metavar="N",
        help="number of runs; run k uses seed BASE+k and draws each ranged strength from its range",
    )
    p.add_argument(
        "--workers",
        type=positive_int,
        metavar="W",
        help="processes (default: all cores; 1 runs in this process)",
    )
    p.add_argument("--out", metavar="DIR", help="folder for runs.jsonl and the tables")
    p.add_argument(
        "--seed",
        type=seed_number,
        default=0,
        metavar="BASE",
        help="seed of the first run (0 or more); run i uses BASE + i",
    )
    add_dask_flags(p)
    again = p.add_mutually_exclusive_group()
    again.add_argument(
        "--resume",
        action="store_true",
        help="continue the ensemble in --out, skipping finished seeds",
    )
    again.add_argument("--force", action="store_true", help="start again in a non-empty --out")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_override_flags(p)
    p.set_defaults(func=cmd_ensemble)

    p = sub.add_parser("compare", help="compare two ensemble folders (variant - base)")
    p.add_argument(
        "base",
        metavar="BASE",
        help="ensemble folder of the baseline (--out of 'campaign ensemble')",
    )
    p.add_argument(
        "variant",
        metavar="VARIANT",
        help="ensemble folder of the what-if, e.g. made "
        "with --scale soviet=0.5; differences are VARIANT minus BASE",
    )
    p.add_argument(
        "--out", metavar="CHART.png", help="draw the control differences (.png, .svg or .pdf)"
    )
    add_force_flag(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("calibrate", help="fit combat multipliers to the historical record")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument(
        "--param",
        action="append",
        required=True,
        metavar="NAME[=LOW:HIGH]",
        help="a combat.multipliers key, e.g. quality.volunteer (at most two)",
    )
    p.add_argument("--runs", type=positive_int, default=8, metavar="N", help="seeds per point")
    p.add_argument("--history", metavar="FILE", help="default: SCENARIO's .history.yaml")
    p.add_argument("--workers", type=positive_int, default=1, metavar="W")
    p.add_argument("--seed", type=seed_number, default=0, metavar="BASE")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_override_flags(p)
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser("sensitivity", help="rank the inputs that move the outcome most")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--runs", type=positive_int, default=20, metavar="N", help="runs per setting")
    p.add_argument("--low", type=float, default=0.5, help="low strength factor (default 0.5)")
    p.add_argument("--high", type=float, default=1.5, help="high strength factor (default 1.5)")
    p.add_argument("--metric", choices=["objectives", "held"], default="objectives")
    p.add_argument("--workers", type=positive_int, metavar="W")
    p.add_argument("--seed", type=seed_number, default=0, metavar="BASE")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_override_flags(p)
    p.set_defaults(func=cmd_sensitivity)
