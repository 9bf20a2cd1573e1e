"""Checking output paths and writing figures atomically, marked as campaign's."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from campaign.errors import OutputError
from campaign.output_files import IMAGE_SUFFIXES, image_metadata, writable_output
from campaign.replay.atomic import atomic_open

__all__ = ["IMAGE_SUFFIXES", "check_output", "save_figure"]


def check_output(
    path: str | Path, suffixes: tuple[str, ...] = IMAGE_SUFFIXES, option: str = "--out"
) -> Path:
    """``path`` as a Path if it can be written (its suffix one of ``suffixes``, its
    folder there); OutputError naming the problem otherwise. An existing file is
    replaced: the CLI refuses one campaign did not write before it calls the renderer
    (:func:`campaign.output_files.writable_output`)."""
    return writable_output(path, suffixes, option, force=True, folder_must_exist=True)


def save_figure(fig: Figure, path: Path, dpi: float | None = None) -> Path:
    """Write ``fig`` to ``path`` atomically (format from the suffix), with campaign's
    mark in its metadata (:data:`campaign.output_files.PICTURE_MARK`); returns the path."""
    fmt = path.suffix.lower().lstrip(".") or "png"
    try:
        with atomic_open(path, "wb") as handle:
            fig.savefig(handle, format=fmt, dpi=dpi or fig.dpi, metadata=image_metadata(fmt))
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path
