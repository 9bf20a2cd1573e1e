"""``campaign battles``: the combat laws against 660 historical battles and 1919.

Registered by :mod:`campaign.cli`; every import of the work is inside the command so
that building the parser stays cheap.
"""

from __future__ import annotations

import argparse
from pathlib import Path

LAWS = ("tndm", "dupuy", "lanchester_square", "lanchester_linear")


def cmd_battles(args: argparse.Namespace) -> int:
    from campaign.errors import CampaignError

    if args.law not in LAWS:
        raise CampaignError(f"--law: unknown law '{args.law}'; expected one of {', '.join(LAWS)}")
    if args.folds < 2:
        raise CampaignError(f"--folds: need at least 2 folds, got {args.folds}")
    if args.bootstrap < 0:
        raise CampaignError(f"--bootstrap: need a count >= 0, got {args.bootstrap}")
    if args.repeats < 1:
        raise CampaignError(f"--repeats: need at least 1, got {args.repeats}")

    # Outputs checked before the work: a file of the user's is never replaced unasked.
    from campaign.cli_flags import writable_picture, writable_text_output
    from campaign.output_files import IMAGE_SUFFIXES

    out = (
        writable_text_output(args.out, (".csv",), "--out", args.force, ("isqno,winner,",))
        if args.out
        else None
    )
    page = (
        writable_text_output(
            args.report, (".md",), "--report", args.force, ("# Combat laws against history",)
        )
        if args.report
        else None
    )
    if args.plot:
        writable_picture(args.plot, IMAGE_SUFFIXES, "--plot", args.force)

    from campaign.battles import fit, report
    from campaign.battles.cdb90 import load_cdb90
    from campaign.battles.engagements_1919 import check_engagements, load_engagements
    from campaign.replay.atomic import atomic_write_text

    battles = load_cdb90()
    if args.folds > len(battles):
        raise CampaignError(
            f"--folds: at most {len(battles)}, one battle per fold (leave-one-out); "
            f"got {args.folds}"
        )
    laws = [args.law] + ([law for law in LAWS if law != args.law] if args.compare else [])
    cv = {law: fit.cross_validate(battles, law, k=args.folds, seed=args.seed) for law in laws}
    engagements = load_engagements()
    checks = {}
    for law in laws:
        model = fit.fitted_model(law, [b for b in battles if fit.runnable(b)])[0]
        checks[law] = check_engagements(model, engagements)
    intervals = None
    if args.bootstrap and args.law == "tndm":
        intervals = fit.bootstrap(battles, n=args.bootstrap, seed=args.seed)
    repeats = [report.headline(battles, cv[args.law].predictions)]
    for seed in range(args.seed + 1, args.seed + args.repeats):
        again = fit.cross_validate(battles, args.law, k=args.folds, seed=seed)
        repeats.append(report.headline(battles, again.predictions))
    results = report.Results(battles, cv, args.folds, checks, intervals, repeats)

    if args.out:
        rows = ["isqno,winner,attacker_casualty_fraction,defender_casualty_fraction"]
        rows += [
            f"{p.isqno},{p.winner},{p.attacker_casualty_fraction:.6f},"
            f"{p.defender_casualty_fraction:.6f}"
            for p in cv[args.law].predictions
        ]
        atomic_write_text(out, "\n".join(rows) + "\n")
    if args.plot:
        from campaign.render.calibration import calibration_plot

        calibration_plot(
            battles,
            cv[args.law].predictions,
            Path(args.plot),
            checks=checks[args.law],
            title=f"{args.law}: out-of-fold predictions, CDB90 ({args.folds} folds)",
        )
    if args.report:
        from campaign.battles.page import results_page

        image = Path(args.plot).name if args.plot else None
        atomic_write_text(page, results_page(results, image))
    print(report.summary_text(results))
    if args.out:
        print(f"\nwrote {args.out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``battles``."""
    from campaign.cli_flags import seed_number

    p = sub.add_parser("battles", help="score a combat law on 660 historical battles (CDB90)")
    p.add_argument(
        "--law",
        default="tndm",
        metavar="NAME",
        help=f"combat law: {', '.join(LAWS)} (default tndm)",
    )
    p.add_argument("--out", metavar="FILE.csv", help="write the out-of-fold predictions")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing --out, --plot or --report file that campaign did not write",
    )
    p.add_argument(
        "--folds", type=int, default=10, metavar="K", help="k-fold cross-validation (default 10)"
    )
    p.add_argument(
        "--seed", type=seed_number, default=0, help="seed of the fold split and bootstrap"
    )
    p.add_argument("--compare", action="store_true", help="also score the other laws")
    p.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        metavar="N",
        help="confidence intervals of the tndm fit from N resamples",
    )
    p.add_argument(
        "--repeats",
        type=int,
        default=1,
        metavar="R",
        help="repeat the cross-validation with R fold splits (seeds SEED, "
        "SEED+1, ...) and report the spread of the headline scores",
    )
    p.add_argument("--plot", metavar="FILE.png", help="write the calibration plot")
    p.add_argument("--report", metavar="FILE.md", help="write the results page (docs)")
    p.set_defaults(func=cmd_battles)
