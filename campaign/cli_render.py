"""Subcommands that draw pictures and export geometry (registered by :mod:`campaign.cli`).

``export`` (GeoJSON), ``plot`` (map of a date, or all fronts), ``chart`` (strength and
losses), ``animate`` (GIF/MP4) and ``viewer`` (HTML).  Each is a thin shell over
:mod:`campaign.analysis.geojson_export` and :mod:`campaign.render`; matplotlib is only
imported when a picture is drawn.  Errors are :class:`campaign.errors.CampaignError`
subclasses, printed by :func:`campaign.cli.main` as one line with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from campaign.errors import CampaignError, ReplayError


def _folder(args: argparse.Namespace) -> Path:
    folder = Path(args.dir)
    if not folder.is_dir():
        raise ReplayError(f"{folder}: not a replay folder (no such directory)")
    return folder


def _out(args: argparse.Namespace, default: str) -> Path:
    return Path(args.out) if args.out else _folder(args) / default


def _check_picture_out(args: argparse.Namespace, suffixes: tuple[str, ...]) -> None:
    """Refuse a bad --out before the replay is read: a wrong suffix, a missing folder,
    or a file campaign did not write (without --force). The default file inside DIR
    is the replay folder's own and is replaced."""
    _folder(args)
    if args.out:
        from campaign.cli_flags import writable_picture

        writable_picture(args.out, suffixes, "--out", args.force)


def cmd_export(args: argparse.Namespace) -> int:
    from campaign.analysis.geojson_export import export_geojson

    for path in export_geojson(_folder(args)):
        print(f"wrote {path}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from campaign.output_files import IMAGE_SUFFIXES

    _check_picture_out(args, IMAGE_SUFFIXES)
    folder = _folder(args)
    if args.against or args.against_record:
        if args.fronts or args.history or (args.against and args.against_record):
            raise CampaignError(
                "--against, --against-record, --fronts and --history: choose one of them"
            )
        from campaign.render.compare_maps import render_against, render_against_record

        if args.against:
            if not Path(args.against).is_dir():
                raise ReplayError(f"--against {args.against}: not a replay folder")
            path = render_against(
                folder, args.against, _out(args, "against.png"), date=args.date, lines=args.lines
            )
        else:
            path = render_against_record(
                folder, _out(args, "against_record.png"), date=args.date, lines=args.lines
            )
    elif args.fronts:
        if args.history:
            raise CampaignError("--history marks one date; it cannot be combined with --fronts")
        from campaign.render.maps import render_fronts

        path = render_fronts(folder, _out(args, "fronts.png"), until=args.date, lines=args.lines)
    else:
        from campaign.render.maps import render_map

        path = render_map(
            folder,
            _out(args, "map.png"),
            date=args.date,
            history=args.history,
            lines=args.lines,
            size_by_men=args.size_by_men,
        )
    print(f"wrote {path}")
    return 0


def cmd_chart(args: argparse.Namespace) -> int:
    from campaign.output_files import IMAGE_SUFFIXES

    _check_picture_out(args, IMAGE_SUFFIXES)
    from campaign.render.charts import render_chart

    print(f"wrote {render_chart(_folder(args), _out(args, 'strength.png'))}")
    return 0


def cmd_animate(args: argparse.Namespace) -> int:
    _check_picture_out(args, (".mp4",) if args.mp4 else (".gif",))
    from campaign.render.animate import render_animation

    folder = _folder(args)
    out = _out(args, "run.mp4" if args.mp4 else "run.gif")
    path = render_animation(
        folder,
        out,
        fps=args.fps,
        mp4=args.mp4,
        history=args.history,
        interpolate=args.interpolate,
        width_px=args.width,
        lines=args.lines,
        size_by_men=args.size_by_men,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    print(f"wrote {path}")
    return 0


def cmd_viewer(args: argparse.Namespace) -> int:
    from campaign.cli_flags import writable_text_output
    from campaign.render.viewer import write_viewer

    out = (
        writable_text_output(args.out, (".html", ".htm"), "--out", args.force) if args.out else None
    )
    print(f"wrote {write_viewer(args.dir, out)}")
    return 0


def _add_map_flags(p: argparse.ArgumentParser, sizes: bool = True) -> None:
    """--lines (and --size-by-men) for the subcommands that draw maps."""
    p.add_argument(
        "--lines",
        metavar="ID,...|all|none",
        help="reference lines to draw (default: those in force during the run, each on its "
        "own dates; ids as in campaign/geo/data/reference_lines.yaml or the scenario's lines)",
    )
    if sizes:
        p.add_argument(
            "--size-by-men", action="store_true", help="unit symbols grow with the men present"
        )


def register(sub: argparse._SubParsersAction) -> None:
    """Add export, plot, chart, animate and viewer."""
    from campaign.cli_flags import add_force_flag

    p = sub.add_parser("export", help="write territory.geojson and frontlines.geojson into DIR")
    p.add_argument("dir", metavar="DIR", help="replay folder written by 'campaign run'")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("plot", help="draw the map of a date, or every front line of the run")
    p.add_argument("dir", metavar="DIR", help="replay folder written by 'campaign run'")
    p.add_argument(
        "--date",
        metavar="DATE",
        help="ISO date of the run (default: the last); with --fronts: the last front drawn",
    )
    p.add_argument(
        "--fronts",
        action="store_true",
        help="draw the front lines of every day on one map, coloured by date",
    )
    p.add_argument(
        "--history",
        action="store_true",
        help="ring places whose recorded holder (scenario history file) differs",
    )
    p.add_argument(
        "--against",
        metavar="OTHER_DIR",
        help="draw DIR and the run in OTHER_DIR side by side on the date, ring the places "
        "they disagree on and list the periods of difference (default out DIR/against.png)",
    )
    p.add_argument(
        "--against-record",
        action="store_true",
        help="draw DIR beside the record's state on the date (scenario history file) and "
        "list the periods of difference (default out DIR/against_record.png)",
    )
    p.add_argument(
        "--out",
        metavar="FILE.png",
        help="image to write (.png, .svg or .pdf; default DIR/map.png or DIR/fronts.png)",
    )
    add_force_flag(p)
    _add_map_flags(p)
    p.set_defaults(func=cmd_plot)

    p = sub.add_parser("chart", help="chart men present and cumulative losses per side")
    p.add_argument("dir", metavar="DIR", help="replay folder written by 'campaign run'")
    p.add_argument("--out", metavar="FILE.png", help="image to write (default DIR/strength.png)")
    add_force_flag(p)
    p.set_defaults(func=cmd_chart)

    p = sub.add_parser("animate", help="animated daily map of the run (GIF, or MP4 via ffmpeg)")
    p.add_argument("dir", metavar="DIR", help="replay folder written by 'campaign run'")
    p.add_argument("--out", metavar="FILE", help="file to write (default DIR/run.gif)")
    add_force_flag(p)
    p.add_argument(
        "--fps", type=float, metavar="N", help="frames per second (default: two days per second)"
    )
    p.add_argument("--mp4", action="store_true", help="write MP4 with ffmpeg instead of GIF")
    p.add_argument(
        "--history",
        action="store_true",
        help="ring places whose recorded holder differs from the simulation",
    )
    p.add_argument(
        "--interpolate",
        type=int,
        default=0,
        metavar="N",
        help="extra frames between days in which units move (0-10, default 0)",
    )
    p.add_argument(
        "--width",
        type=int,
        metavar="PX",
        help="frame width in pixels (default 900; 1600 for a legible full-screen video)",
    )
    _add_map_flags(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_animate)

    p = sub.add_parser(
        "viewer", help="write an interactive, self-contained HTML replay of DIR (map + timeline)"
    )
    p.add_argument(
        "dir", metavar="DIR", help="replay folder written by 'campaign run', or an ensemble folder"
    )
    p.add_argument("--out", metavar="FILE.html", help="page to write (default DIR/replay.html)")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing --out file that is not a page campaign wrote",
    )
    p.set_defaults(func=cmd_viewer)
