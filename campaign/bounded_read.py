"""Reading a user's file with a size limit, refusing anything but a regular file.

``/dev/zero``, a FIFO, a socket or a symlink to one of them would otherwise make a
read grow without bound or block forever. The file is opened without blocking,
checked with ``fstat`` on the open descriptor (so a swap after the check cannot
fool it) and read to at most ``max_bytes`` + 1 bytes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from campaign.errors import CampaignError

_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
}


def _open_fd(path: Path, error: type[CampaignError]) -> int:
    """``path`` opened read-only without blocking (a FIFO must not hang us)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags)
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc})") from None


def _regular(path: Path, fd: int, error: type[CampaignError]) -> os.stat_result:
    """The status of ``fd``; ``error`` unless it is a regular file."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise error(f"{path}: is {kind}; expected a regular file")
    return info


def read_bounded(path: Path, max_bytes: int, error: type[CampaignError] = CampaignError) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    Raises ``error`` with a one-line message naming ``path`` when it is missing,
    unreadable, not a regular file or larger than ``max_bytes``.
    """
    fd = _open_fd(path, error)
    try:
        _regular(path, fd, error)
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if size > max_bytes:
        raise error(f"{path}: larger than the limit of {max_bytes:,} bytes")
    return b"".join(chunks)


def open_regular(
    path: Path, max_bytes: int, error: type[CampaignError] = CampaignError
) -> BinaryIO:
    """``path`` opened for binary reading, for streaming a file too large to hold whole.

    The same checks as :func:`read_bounded` (a regular file, at most ``max_bytes`` when
    opened); a reader that must not pass the limit while the file grows counts its bytes.
    """
    fd = _open_fd(path, error)
    try:
        info = _regular(path, fd, error)
        if info.st_size > max_bytes:
            raise error(f"{path}: larger than the limit of {max_bytes:,} bytes")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
