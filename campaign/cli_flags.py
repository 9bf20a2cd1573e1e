"""Exit codes and the flags several subcommands share (the what-if overrides).

A leaf module: :mod:`campaign.cli` and the ``cli_*`` modules import it, it imports none of
them, so building the parser loads nothing but :mod:`argparse`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

EXIT_BAD_INPUT = 2
EXIT_RUNS_FAILED = 3
#: ``replay --verify`` found the log different from a fresh run (or its scenario changed).
EXIT_NOT_VERIFIED = 4
EXIT_INTERRUPTED = 130
#: Largest seed numpy's generator takes from us: seeds are kept to 63 bits so they
#: fit every integer column they are written to.
MAX_SEED = 2**63 - 1
_SCHEDULER_SCHEMES = ("tcp", "tls", "inproc", "ucx", "ws", "wss")


def seed_number(text: str) -> int:
    """A ``--seed`` value: a whole number from 0 to 2**63 - 1 (checked at parse time)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text[:40]!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63 - 1, got {text[:40]}")
    return value


def scheduler_address(text: str) -> str:
    """A Dask scheduler address ``SCHEME://HOST:PORT`` or ``HOST:PORT`` (checked at parse time)."""
    import re

    scheme, _, rest = text.rpartition("://")
    match = re.fullmatch(r"\[?[A-Za-z0-9_.:-]+?\]?:(\d{1,5})", rest)
    if (scheme and scheme not in _SCHEDULER_SCHEMES) or not match or int(match[1]) > 65535:
        raise argparse.ArgumentTypeError(
            f"expected an address such as tcp://HOST:PORT, got {text[:60]!r}"
        )
    return text


def _whole_number(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < least:
        wanted = "0 or more" if least == 0 else f"at least {least}"
        raise argparse.ArgumentTypeError(f"must be {wanted}, got {value}")
    return value


def count_from_zero(text: str) -> int:
    """Parse a whole number of at least 0 (for --runs where 0 means none)."""
    return _whole_number(text, 0)


def positive_int(text: str) -> int:
    """Parse a whole number of at least 1 (for --runs, --workers)."""
    return _whole_number(text, 1)


def add_dask_flags(p: argparse.ArgumentParser) -> None:
    """Add --scheduler and --dask local (one or the other) to a subcommand that runs
    ensembles; :func:`dask_options` reads them back."""
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler", type=scheduler_address, metavar="tcp://HOST:PORT", help="a Dask scheduler"
    )
    where.add_argument("--dask", choices=["local"], help="start a local Dask cluster")


def dask_options(args: argparse.Namespace) -> tuple[str | None, bool]:
    """``(scheduler, dask_local)`` for ``run_ensemble`` from the flags of
    :func:`add_dask_flags`."""
    return args.scheduler, args.dask == "local"


def add_override_flags(p: argparse.ArgumentParser) -> None:
    """Add --set, --scale, --remove, --delay and --variant to a subcommand."""
    g = p.add_argument_group("what-if overrides")
    g.add_argument(
        "--set",
        action="append",
        metavar="PATH=VALUE",
        help="set a field, e.g. units.saxon_18th.strength_men=0",
    )
    g.add_argument(
        "--scale",
        action="append",
        metavar="WHO=FACTOR",
        help="multiply the strength of a side, formation or unit",
    )
    g.add_argument(
        "--remove",
        action="append",
        metavar="WHO",
        help="remove a unit, or every unit of a formation or side",
    )
    g.add_argument(
        "--delay",
        action="append",
        metavar="WHO=DAYS",
        help="delay the arrival of a side, formation or unit (WHO.departs=DAYS: departure)",
    )
    g.add_argument(
        "--variant",
        action="append",
        metavar="FILE.yaml",
        help="apply a patch file in the scenario schema",
    )


def overrides_from_args(args: argparse.Namespace):
    """The :class:`~campaign.scenario.overrides.Overrides` named by the override flags."""
    from campaign.scenario.overrides import Overrides

    return Overrides(
        sets=args.set or [],
        scales=args.scale or [],
        removes=args.remove or [],
        delays=args.delay or [],
        variants=args.variant or [],
    )


#: Openings of the text files campaign writes (reports and viewer pages): such a file
#: may be written over; any other existing file needs --force.
_OURS = (
    "# After-action report",
    "# Ensemble report",
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>After-action report',
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Ensemble report',
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">',
)


def writable_text_output(
    path: str,
    suffixes: tuple[str, ...],
    option: str,
    force: bool,
    ours: tuple[str, ...] = _OURS,
) -> Path:
    """``path`` for a report, page or table ``option`` writes: it must end in one of
    ``suffixes`` and may replace an existing file only if campaign wrote it (it opens
    with one of ``ours``: a report or viewer page by default) or with ``--force``;
    raises OutputError otherwise."""
    from campaign.output_files import writable_output

    return writable_output(path, suffixes, option, force, openings=ours)


def writable_picture(path: str, suffixes: tuple[str, ...], option: str, force: bool) -> Path:
    """``path`` for a picture ``option`` writes (a map, chart or animation): it must end
    in one of ``suffixes``, lie in a folder that exists, and may replace an existing
    file only if campaign wrote it (it carries campaign's mark) or with ``--force``;
    raises OutputError otherwise. Checked before the replay is read."""
    from campaign.output_files import writable_output

    return writable_output(path, suffixes, option, force, folder_must_exist=True)


def add_force_flag(p: argparse.ArgumentParser, what: str = "--out") -> None:
    """Add --force: replace an existing ``what`` file that campaign did not write."""
    p.add_argument(
        "--force",
        action="store_true",
        help=f"replace an existing {what} file that campaign did not write",
    )
