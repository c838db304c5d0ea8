"""Cache folders with a size cap: least recently used files go first.

A file counts as used when it is written or read back (``touch`` moves its
modification time to now), so the cues of the routines you run stay and those
of a voice you tried once go.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class Usage:
    files: int
    bytes: int


def usage(folder: Path, pattern: str = "*") -> Usage:
    """Files and bytes under ``folder`` matching ``pattern`` (0 and 0 when it does not exist)."""
    files = size = 0
    for path in _files(folder, pattern):
        with contextlib.suppress(OSError):
            size += path.stat().st_size
            files += 1
    return Usage(files=files, bytes=size)


def touch(path: Path) -> None:
    """Mark a cached file as just used. A read-only cache only loses the ordering."""
    with contextlib.suppress(OSError):
        os.utime(path)


def trim(folder: Path, max_bytes: int, *, keep: Collection[Path] = (), pattern: str = "*") -> Usage:
    """Delete the least recently used files until the folder fits in ``max_bytes``.

    Files in ``keep`` (those the running session needs) are never deleted, even
    when they alone are over the cap. A file's companions (the same name with
    another suffix, such as a cue's ``.sha256`` checksum) go with it. Returns what
    was deleted.
    """
    entries = []
    total = 0
    for path in _files(folder, pattern):
        try:
            stat = path.stat()
        except OSError:
            continue
        total += stat.st_size
        entries.append((stat.st_mtime, stat.st_size, path))
    keep_set = {Path(p) for p in keep}
    removed = freed = 0
    for _, size, path in sorted(entries, key=lambda e: e[0]):
        if total <= max_bytes:
            break
        if path in keep_set:
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            total -= size
            removed += 1
            freed += size
            for companion in _companions(path):
                with contextlib.suppress(OSError):
                    companion.unlink()
    return Usage(files=removed, bytes=freed)


def _companions(path: Path) -> list[Path]:
    try:
        return [p for p in path.parent.glob(f"{path.stem}.*") if p != path and p.is_file()]
    except OSError:
        return []


def clear(folder: Path, pattern: str = "*") -> Usage:
    """Delete every file matching ``pattern`` in ``folder``; returns what was deleted."""
    return trim(folder, -1, pattern=pattern)


def _files(folder: Path, pattern: str) -> list[Path]:
    try:
        return [p for p in folder.glob(pattern) if p.is_file() and not p.is_symlink()]
    except OSError:
        return []
