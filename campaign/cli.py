"""The ``campaign`` command: a thin shell over the package, one subcommand each.

Exit codes: 0 success; 1 an internal error (a bug: please report it); 2 bad input or
an output that cannot be written (one line per problem on stderr, also for operating
system errors such as a permission denied or a full disk); 3 an ensemble finished but
some of its runs failed (the count is printed); 4 ``replay --verify`` found the log
different from a fresh run, or its scenario changed since; 130 interrupted. ``--debug`` shows the
traceback instead of the one-line message.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

from campaign import (
    __version__,
    cli_analysis,
    cli_battles,
    cli_ensemble,
    cli_render,
    cli_report,
    cli_tempo,
)
from campaign.cli_flags import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_NOT_VERIFIED,
    add_override_flags,
    overrides_from_args,
    seed_number,
)
from campaign.errors import CampaignError, ScenarioError


# ----------------------------------------------------------------------------- commands
def cmd_validate(args: argparse.Namespace) -> int:
    from campaign.scenario.loader import load_scenario
    from campaign.scenario.report import describe

    failed = 0
    for path in args.files:
        if str(path).endswith(".history.yaml"):
            failed += _validate_history(path)
            continue
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            failed += 1
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            continue
        print(f"{path}: OK")
        print(describe(scenario))
    return EXIT_BAD_INPUT if failed else 0


def _validate_history(path: str) -> int:
    """Validate a history file (the record a scenario is compared with); 1 if invalid."""
    from campaign.scenario.history import load_history
    from campaign.scenario.loader import load_scenario

    # The scenario beside it (x.history.yaml -> x.yaml), when there is one that loads:
    # the record is then also checked against its id, places, sides and dates.
    scenario_file = Path(str(path).removesuffix(".history.yaml") + ".yaml")
    if not scenario_file.is_file():
        # Or the scenario the record names, beside it (any file name for the record).
        from campaign.scenario.yamlfile import load_yaml_file

        with contextlib.suppress(CampaignError, OSError):
            data = load_yaml_file(Path(path)).data
            named = data.get("scenario") if isinstance(data, dict) else None
            if isinstance(named, str) and named.replace("_", "").isalnum():
                scenario_file = Path(path).parent / f"{named}.yaml"
    scenario = None
    if scenario_file.is_file():
        with contextlib.suppress(ScenarioError):
            scenario = load_scenario(scenario_file)
    try:
        history = load_history(path, scenario)
    except ScenarioError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    places = len({c.place for c in history.checkpoints})
    against = (
        f" (checked against {scenario_file})"
        if scenario is not None
        else " (not checked against a scenario: none found beside it)"
    )
    print(f"{path}: OK{against}")
    print(
        f"Historical record for {history.scenario}: {len(history.checkpoints)} checkpoints "
        f"on {places} places, {len(history.engagements)} recorded engagements"
    )
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from campaign.scenario.loader import load_scenario
    from campaign.scenario.report import info_json, info_text

    scenario = load_scenario(args.file, overrides_from_args(args))
    if args.json:
        print(json.dumps(info_json(scenario), indent=2, ensure_ascii=False))
    else:
        print(info_text(scenario))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from campaign.scenario.schema import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from campaign.api import run

    outcome = run(
        args.scenario,
        seed=args.seed,
        out=args.out,
        overrides=overrides_from_args(args),
        force=args.force,
    )
    summary = outcome.summary or {}
    print(
        f"wrote {args.out}: {summary.get('engagements', 0)} engagements, "
        f"{summary.get('control_changes', 0)} control changes"
    )
    for side, row in summary.get("losses", {}).items():
        print(
            f"  {side:<10} present {row['present']:>8,.0f}  killed {row['killed']:>7,.0f}  "
            f"wounded {row['wounded']:>7,.0f}  captured {row['captured']:>7,.0f}"
        )
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from campaign.replay.situation import situation, situation_text, verify_replay

    if args.verify:
        ok, message = verify_replay(Path(args.dir), args.scenario)
        print(message)
        return 0 if ok else EXIT_NOT_VERIFIED
    if args.json:
        print(json.dumps(situation(Path(args.dir), args.at), indent=2, ensure_ascii=False))
    else:
        print(situation_text(Path(args.dir), args.at))
    return 0


# ----------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="campaign",
        description="Simulate and replay the 1919 Lithuanian-Soviet War campaigns.",
    )
    parser.add_argument("--version", action="version", version=f"campaign {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("validate", help="check scenario (or history) files and summarise them")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("info", help="sides, order of battle and strength by date")
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--json",
        action="store_true",
        help="machine-readable output: sides, formations and units with their ids",
    )
    add_override_flags(p)
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("schema", help="print the JSON Schema of the scenario format")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("run", help="simulate a scenario and write a replay folder")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="replay folder to write (events.jsonl, control.csv, strength.csv, "
        "summary.json, manifest.json); refused if it exists, unless --force",
    )
    p.add_argument(
        "--seed",
        type=seed_number,
        default=0,
        help="seed of the run's random generator, 0 or more: same scenario and "
        "seed, same replay byte for byte (default 0)",
    )
    p.add_argument("--force", action="store_true", help="replace an existing run folder")
    add_override_flags(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("replay", help="show the situation on a date, or verify a log")
    p.add_argument("dir", metavar="DIR")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--at", metavar="DATE", help="ISO date, e.g. 1919-02-13")
    g.add_argument(
        "--verify", action="store_true", help="check the manifest, re-run and compare byte for byte"
    )
    p.add_argument("--json", action="store_true", help="with --at: machine-readable output")
    p.add_argument(
        "--scenario",
        metavar="FILE",
        help="with --verify: the scenario to re-run (default: the one the log "
        "names, looked up from DIR)",
    )
    p.set_defaults(func=cmd_replay)

    cli_analysis.register(sub)
    cli_battles.register(sub)
    cli_tempo.register(sub)
    cli_render.register(sub)
    cli_ensemble.register(sub)
    cli_report.register(sub)
    return parser


def _sigterm_as_interrupt() -> None:
    """Treat SIGTERM like Ctrl-C so atomic writes are abandoned cleanly."""
    import signal

    def handler(signum, frame):  # noqa: ARG001 - signal handler signature
        raise KeyboardInterrupt

    # Outside the main thread (embedded use) signals cannot be set: keep the default.
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGTERM, handler)


def os_error_text(exc: OSError) -> str:
    """One line for an operating-system error: the file, then what went wrong."""
    what = exc.strerror or type(exc).__name__
    names = [str(n) for n in (exc.filename, exc.filename2) if n is not None]
    return f"{' -> '.join(names)}: {what}" if names else what


def _interrupted() -> int:
    print(
        "interrupted; files already written are complete (outputs are written atomically)",
        file=sys.stderr,
    )
    return EXIT_INTERRUPTED


def _caused_by_interrupt(exc: BaseException) -> bool:
    """True when ``exc`` was raised because of Ctrl-C or SIGTERM (e.g. an import that
    failed when the interrupt arrived inside a C extension's initialisation)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _warnings_as_one_line() -> None:
    """Print the warnings campaign raises (:class:`CampaignWarning`) as 'warning: ...'."""
    import warnings

    from campaign.errors import CampaignWarning

    default = warnings.showwarning
    if getattr(default, "one_line", False):
        return

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, CampaignWarning):
            print(f"warning: {message}", file=sys.stderr)
        else:
            default(message, category, filename, lineno, file, line)

    show.one_line = True
    warnings.showwarning = show


def _single_threaded_blas() -> None:
    """Run OpenBLAS on one thread unless the user chose otherwise, before numpy loads.

    No command multiplies matrices large enough to gain from threads, while starting
    OpenBLAS's thread pool costs ~0.1 s of CPU per library at every start (numpy and
    scipy each load their own): a third of the CPU time of ``campaign run`` on the
    northeast scenario.  Ensemble workers inherit the setting (no oversubscription).
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> int:
    _single_threaded_blas()
    _sigterm_as_interrupt()
    _warnings_as_one_line()
    try:
        args = build_parser().parse_args(argv)
    except Exception as exc:  # an interrupt inside a C extension's import arrives wrapped
        if not _caused_by_interrupt(exc):
            raise
        print("interrupted before starting", file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:  # still importing: nothing has been written yet
        print("interrupted before starting", file=sys.stderr)
        return EXIT_INTERRUPTED
    try:
        return int(args.func(args) or 0)
    except CampaignError as exc:
        if args.debug:
            raise
        if isinstance(exc, ScenarioError):
            for problem in exc.problems:
                print(f"error: {problem}", file=sys.stderr)
        else:
            print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return _interrupted()
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if _caused_by_interrupt(exc):
            return _interrupted()
        if args.debug:
            raise
        print(f"error: {os_error_text(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        if args.debug:
            raise
        print("error: out of memory (an input is too large for this machine)", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - last line of defence for the user
        if _caused_by_interrupt(exc):
            return _interrupted()
        if args.debug:
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
            file=sys.stderr,
        )
        return 1
