"""Checking output paths and writing figures atomically."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from campaign.errors import OutputError
from campaign.replay.atomic import atomic_open

__all__ = ["IMAGE_SUFFIXES", "check_output", "save_figure"]

#: Still-image formats a map or chart can be written in.
IMAGE_SUFFIXES = (".png", ".svg", ".pdf")


def check_output(
    path: str | Path, suffixes: tuple[str, ...] = IMAGE_SUFFIXES, option: str = "--out"
) -> Path:
    """``path`` as a Path if it can be written; OutputError naming the problem otherwise."""
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise OutputError(
            f"{option} {path}: expected a file name ending in {' or '.join(suffixes)}"
        )
    if path.is_dir():
        raise OutputError(f"{option} {path}: is a folder, expected a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{option} {path}: folder {parent} does not exist")
    return path


def save_figure(fig: Figure, path: Path, dpi: float | None = None) -> Path:
    """Write ``fig`` to ``path`` atomically (format from the suffix); returns the path."""
    fmt = path.suffix.lower().lstrip(".") or "png"
    try:
        with atomic_open(path, "wb") as handle:
            fig.savefig(handle, format=fmt, dpi=dpi or fig.dpi)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path
