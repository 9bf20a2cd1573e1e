"""Atomic output: a file is written to a temporary file in the same folder and renamed;
a whole folder is written to a sibling folder that then replaces it in one step."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_open(
    path: Path, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None
) -> Iterator[IO]:
    """Open ``path`` for writing so that readers see either the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        kwargs = {} if "b" in mode else {"encoding": encoding, "newline": newline}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """Permissions of a newly created file under the current umask (mkstemp gives 0600)."""
    return 0o666 & ~_current_umask()


def atomic_write_text(path: Path, text: str) -> None:
    with atomic_open(path) as handle:
        handle.write(text)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_open(path, "wb") as handle:
        handle.write(data)


# ----------------------------------------------------------------------------- folders
#: Suffix of the sibling folder a run is written into before it replaces ``--out``.
STAGING_SUFFIX = ".staging"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def staging_folder(out: Path) -> Path:
    """A new, empty sibling of ``out`` to write into (raises OSError when impossible)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=STAGING_SUFFIX, dir=out.parent))
    os.chmod(staging, 0o777 & ~_current_umask())
    return staging


def stale_staging(out: Path) -> list[Path]:
    """Sibling folders left by writes into ``out`` that were killed before the swap."""
    pattern = f".{out.name}.*{STAGING_SUFFIX}"
    return [p for p in out.parent.glob(pattern) if p.is_dir() and not p.is_symlink()]


@contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """Write a whole folder: yields an empty sibling; when the block succeeds it replaces
    ``out`` in one step (readers see the old folder or the new one, never a mixture),
    and the old folder is deleted. On any error the sibling is removed and ``out`` is
    left as it was."""
    for stale in stale_staging(out):
        shutil.rmtree(stale, ignore_errors=True)
    staging = staging_folder(out)
    try:
        yield staging
        replace_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def replace_folder(new: Path, out: Path) -> None:
    """Put the finished folder ``new`` (a sibling made by :func:`staging_folder`) in the
    place of ``out`` in one step and delete what ``out`` held."""
    _fsync_dir(new)
    _swap_in(new, out)
    _fsync_dir(out.parent)


def _swap_in(new: Path, out: Path) -> None:
    if not out.exists():
        os.rename(new, out)
        return
    if _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the old folder
        return
    # No atomic exchange on this system: two renames, the old folder kept until the end.
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=STAGING_SUFFIX, dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)
    os.rename(new, out)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # here: only a run replacing a folder needs it

    try:
        # The process has libc loaded already: look the function up among its symbols
        # (dlopen(NULL)) rather than with ctypes.util.find_library, which runs ldconfig.
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return done == 0


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
