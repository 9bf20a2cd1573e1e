"""``manifest.json``: the size and SHA-256 of every file a run or an ensemble wrote.

``campaign run`` and ``campaign ensemble`` write the manifest last, so a folder with
a manifest is complete; readers and ``replay --verify`` check each listed file they
use against it, so an edited ``control.csv`` or ``runs.jsonl`` is refused like an
edited log. Files added to the folder later (maps, the viewer page) are not listed.
A folder without a manifest (written before manifests existed) is still read.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from campaign.bounded_read import open_regular, read_bounded
from campaign.errors import ReplayError
from campaign.replay.atomic import atomic_write_text

MANIFEST = "manifest.json"
FORMAT = "campaign-manifest"
FORMAT_VERSION = 1
#: Largest manifest read, bytes (a few hundred bytes per listed file).
MAX_MANIFEST_BYTES = 1_000_000
#: Largest listed file checked, bytes (the largest log or table a reader accepts).
MAX_LISTED_BYTES = 500_000_000


def manifest_entry(data: bytes) -> dict[str, Any]:
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def file_entry(path: Path) -> dict[str, Any]:
    """The manifest entry of the file ``path``, read in pieces (memory does not grow with it)."""
    digest, size = hashlib.sha256(), 0
    with open_regular(path, MAX_LISTED_BYTES, ReplayError) as handle:
        while size <= MAX_LISTED_BYTES and (chunk := handle.read(1 << 20)):
            digest.update(chunk)
            size += len(chunk)
    if size > MAX_LISTED_BYTES:
        raise ReplayError(f"{path}: larger than the limit of {MAX_LISTED_BYTES:,} bytes")
    return {"bytes": size, "sha256": digest.hexdigest()}


def write_manifest(
    folder: Path, names: list[str], known: dict[str, dict[str, Any]] | None = None
) -> None:
    """List ``names`` (files of ``folder``) with their sizes and checksums, atomically.

    ``known``: entries already worked out while the files were written or read.
    """
    known = known or {}
    files = {name: known.get(name) or file_entry(folder / name) for name in sorted(names)}
    text = (
        json.dumps({"format": FORMAT, "format_version": FORMAT_VERSION, "files": files}, indent=2)
        + "\n"
    )
    atomic_write_text(folder / MANIFEST, text)


def read_manifest(folder: Path) -> dict[str, dict[str, Any]] | None:
    """name -> {bytes, sha256} from ``folder/manifest.json``; None when there is none."""
    path = folder / MANIFEST
    if not path.exists() and not path.is_symlink():
        return None
    try:
        data = json.loads(read_bounded(path, MAX_MANIFEST_BYTES, ReplayError))
        if data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
            raise ValueError("not a campaign manifest")
        files = data["files"]
        for name, entry in files.items():
            if "/" in name or name in ("", ".", "..") or set(entry) != {"bytes", "sha256"}:
                raise ValueError(f"bad entry {name[:40]!r}")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReplayError(f"{path}: unreadable manifest ({exc})") from None
    return files


def check_file(folder: Path, name: str, data: bytes) -> None:
    """Refuse ``data`` (the content of ``folder/name``) when the manifest lists it otherwise."""
    check_entry(folder, name, manifest_entry(data))


def check_entry(folder: Path, name: str, entry: dict[str, Any]) -> None:
    """Refuse the file ``folder/name`` of size and checksum ``entry`` when the manifest
    lists it otherwise."""
    files = read_manifest(folder)
    if files is None or name not in files:
        return
    if entry != files[name]:
        raise ReplayError(
            f"{folder / name}: checksum mismatch with {MANIFEST}; the file was edited or "
            "damaged after it was written"
        )


def check_folder(folder: Path) -> list[str]:
    """Check every file the manifest lists; returns their names ([] without a manifest)."""
    files = read_manifest(folder)
    if files is None:
        return []
    for name in files:
        path = folder / name
        if not path.exists():
            raise ReplayError(f"{path}: missing, though {folder / MANIFEST} lists it")
        check_entry(folder, name, file_entry(path))
    return sorted(files)
