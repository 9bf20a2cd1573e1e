"""Output files: the mark campaign leaves in the pictures it writes, and which existing
files an output may replace (campaign's own, or any file with ``--force``).

A leaf module (it does not import matplotlib): the CLI checks every output path with
:func:`writable_output` before it reads a replay or draws anything.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from campaign.errors import CampaignError, OutputError

__all__ = [
    "ANIMATION_SUFFIXES",
    "IMAGE_SUFFIXES",
    "PICTURE_MARK",
    "image_metadata",
    "writable_output",
    "written_by_campaign",
]

#: Still-image formats a map or chart can be written in.
IMAGE_SUFFIXES = (".png", ".svg", ".pdf")
#: Animated formats (``campaign animate``).
ANIMATION_SUFFIXES = (".gif", ".mp4")
#: Written into every picture campaign makes: PNG 'Software', SVG and PDF 'Creator'
#: (matplotlib's ``savefig(metadata=...)``), the GIF comment (Pillow) and the MP4
#: comment (ffmpeg ``-metadata comment=``). Plain ASCII without brackets, so that every
#: format stores it as it is.
PICTURE_MARK = "Written by campaign, the 1919 campaign simulator"
#: The metadata key of each still-image format that carries :data:`PICTURE_MARK`.
_METADATA_KEY = {"png": "Software", "svg": "Creator", "pdf": "Creator"}
#: Where the mark lies in a picture of each kind: the bytes just before it, and whether
#: it is near the start of the file or near the end (PDF: the info dictionary, MP4: the
#: movie header ffmpeg writes last).
_MARK_AT = {
    ".png": (b"tEXtSoftware\x00", "start"),
    ".svg": (b"<dc:title>", "start"),
    ".gif": (b"", "start"),
    ".pdf": (b"/Creator (", "end"),
    ".mp4": (b"\xa9cmt", "end"),
}
#: Bytes read from the start or the end of an existing picture to find the mark.
_START_BYTES = 65_536
_END_BYTES = 1_048_576
#: Bytes read from the start of an existing text file to compare with its openings.
_OPENING_BYTES = 200


class _Unreadable(CampaignError):
    pass


def image_metadata(fmt: str) -> dict[str, str]:
    """``savefig(metadata=...)`` that marks a ``png``, ``svg`` or ``pdf`` as campaign's."""
    key = _METADATA_KEY.get(fmt.lower())
    return {key: PICTURE_MARK} if key else {}


def _marked(handle, suffix: str) -> bool:
    before, where = _MARK_AT[suffix]
    if where == "end":
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - _END_BYTES))
        data = handle.read(_END_BYTES)
    else:
        data = handle.read(_START_BYTES)
    if suffix == ".mp4":  # '\xa9cmt', then the size and header of its data box
        at = data.rfind(before)
        return at >= 0 and PICTURE_MARK.encode() in data[at : at + 64 + len(PICTURE_MARK)]
    return before + PICTURE_MARK.encode() in data


def written_by_campaign(path: Path, openings: tuple[str, ...] = ()) -> bool:
    """Whether the existing file ``path`` was written by campaign: a picture (by its
    suffix) that carries :data:`PICTURE_MARK`, or a text file that opens with one of
    ``openings``. Anything that cannot be read as a regular file is not campaign's."""
    from campaign.bounded_read import open_regular

    suffix = path.suffix.lower()
    try:
        with open_regular(path, sys.maxsize, _Unreadable) as handle:
            if suffix in _MARK_AT:
                return _marked(handle, suffix)
            opening = handle.read(_OPENING_BYTES).decode("utf-8", errors="replace")
    except (_Unreadable, OSError):
        return False
    return bool(openings) and opening.startswith(openings)


def writable_output(
    path: str | Path,
    suffixes: tuple[str, ...],
    option: str,
    force: bool,
    openings: tuple[str, ...] = (),
    folder_must_exist: bool = False,
) -> Path:
    """``path`` for the file ``option`` writes, checked before any work: it must end in
    one of ``suffixes``, not be a folder (nor, with ``folder_must_exist``, lie in a
    missing one), and may replace an existing file only if campaign wrote it (see
    :func:`written_by_campaign`) or with ``force``. Raises :class:`OutputError`."""
    out = Path(path)
    if out.suffix.lower() not in suffixes:
        raise OutputError(f"{option} {out}: expected a file name ending in {' or '.join(suffixes)}")
    if out.is_dir():
        raise OutputError(f"{option} {out}: is a folder, expected a file name")
    if out.is_symlink() and not out.exists():
        raise OutputError(
            f"{option} {out}: is a link to {os.readlink(out)}, which does not exist; "
            "give another name"
        )
    parent = out.parent if str(out.parent) else Path(".")
    if folder_must_exist and not parent.is_dir():
        raise OutputError(f"{option} {out}: folder {parent} does not exist")
    if out.exists() and not force and not written_by_campaign(out, openings):
        raise OutputError(
            f"{option} {out}: the file exists and campaign did not write it; "
            "choose another name, or give --force to replace it"
        )
    return out
