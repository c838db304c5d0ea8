"""Cache folders with a size cap: least recently used files go first.

A file counts as used when it is written or read back (``touch`` moves its
modification time to now), so the cues of the routines you run stay and those
of a voice you tried once go.

Only files glutekit made are ever deleted. A cache folder is glutekit's when it
holds glutekit's marker (a ``CACHEDIR.TAG`` naming glutekit, written when glutekit
creates the folder, or adopts one that holds nothing but files named the way
glutekit names them). In such a folder only regular files named the way glutekit
names them go: a cue's ``<40 hex digits>.wav`` and its ``.sha256``, a compiled
catalog's ``<32 hex digits>.sqlite`` (``.pickle`` before). A folder that is a symbolic
link (or that sits in one) is never followed: nothing in it is deleted, and no marker
is written there.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

from glutekit.model.records import record

#: The marker file (the Cache Directory Tagging convention, so backups skip the folder).
MARKER = "CACHEDIR.TAG"
_SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55"
_MARKER_TEXT = (
    f"{_SIGNATURE}\n"
    "# This folder is a cache made by glutekit: every file in it can be rebuilt.\n"
    "# 'glutekit cache clear' deletes only the files glutekit wrote here.\n"
)
_OPEN_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


@record(frozen=True, kw_only=True)
class Kind:
    """The files one cache holds, by name: those glutekit writes and nothing else."""

    #: Name of a cached file (the ones that count, and that the cap removes).
    main: re.Pattern[str]
    #: The suffix of those names, which a companion's name has instead.
    suffix: str
    #: Suffixes of the companions of a cached file (the same stem, exactly).
    companions: tuple[str, ...] = ()
    #: Other files of glutekit's in the folder, by exact name.
    extras: tuple[str, ...] = ()


#: Temporary files glutekit writes while it fills a cache (removed when done).
_TEMPORARY = re.compile(r"^\.(render-[A-Za-z0-9_]+\.wav|.+\.\d+\.tmp)$")

VOICE = Kind(
    main=re.compile(r"^[0-9a-f]{40}\.wav$"),
    suffix=".wav",
    companions=(".sha256",),
    extras=("verified.json",),
)
CATALOG = Kind(
    # .pickle: the compiled catalogs of earlier versions, still glutekit's to remove.
    main=re.compile(r"^[0-9a-f]{32}\.(sqlite|pickle)$"),
    suffix=".sqlite",
    extras=(
        "stat-keys.json",
        "routines.bin",
        "routine-lengths.json",
        "print-scales.json",
        "entry-points.json",
        "history-totals.json",
    ),
)


@record(frozen=True, kw_only=True)
class Usage:
    files: int
    bytes: int


@record(frozen=True, kw_only=True)
class Cleared:
    """What clearing a cache removed, or why it left the folder alone."""

    files: int = 0
    bytes: int = 0
    #: Why nothing was deleted ("is a symbolic link", ...), or None.
    refused: str | None = None


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


# ----------------------------------------------------------------------------- ownership


def _is_marker(fd: int) -> bool:
    try:
        info = os.stat(MARKER, dir_fd=fd, follow_symlinks=False)
        if not stat.S_ISREG(info.st_mode) or info.st_size > 4096:
            return False
        handle = os.open(MARKER, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0), dir_fd=fd)
        try:
            text = os.read(handle, 4096).decode("utf-8", "replace")
        finally:
            os.close(handle)
    except OSError:
        return False
    return text.startswith(_SIGNATURE) and "glutekit" in text


def _glutekit_names(fd: int, kind: Kind) -> bool:
    """Does the folder hold nothing but regular files named the way glutekit names them?"""
    try:
        with os.scandir(fd) as entries:
            for entry in entries:
                name = entry.name
                if not entry.is_file(follow_symlinks=False):
                    return False
                stem, dot, suffix = name.rpartition(".")
                if not (
                    kind.main.match(name)
                    or name in kind.extras
                    or name == MARKER
                    or _TEMPORARY.match(name)
                    or (
                        dot
                        and f".{suffix}" in kind.companions
                        and kind.main.match(stem + kind.suffix)
                    )
                ):
                    return False
    except OSError:
        return False
    return True


def _write_marker(fd: int) -> None:
    with contextlib.suppress(OSError):
        handle = os.open(
            MARKER,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
            0o644,
            dir_fd=fd,
        )
        try:
            os.write(handle, _MARKER_TEXT.encode())
        finally:
            os.close(handle)


@contextlib.contextmanager
def _opened(folder: Path) -> Iterator[int]:
    """The folder, opened without following a symbolic link at it or at its parent.

    :raises OSError: ``ELOOP`` (or ``ENOTDIR``) for a symbolic link, as ``open`` does.
    """
    parent = os.open(folder.parent, _OPEN_FOLDER)
    try:
        fd = os.open(folder.name, _OPEN_FOLDER, dir_fd=parent)
    finally:
        os.close(parent)
    try:
        yield fd
    finally:
        os.close(fd)


def _refusal(folder: Path, exc: OSError) -> str:
    for place in (folder.parent, folder):
        with contextlib.suppress(OSError):
            if place.is_symlink():
                return f"{place} is a symbolic link (to {os.readlink(place)}), not followed"
    if exc.errno in (errno.ENOTDIR, errno.ELOOP):
        return f"{folder} is not a folder"
    return f"{folder} cannot be opened: {exc.strerror or exc}"


def prepare(folder: Path, kind: Kind) -> None:
    """Make the cache folder before writing to it, with glutekit's marker.

    A folder glutekit did not make gets the marker only when it holds nothing but
    files named the way glutekit names them; a symbolic link never gets one.

    :raises OSError: when the folder cannot be made.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError), _opened(folder) as fd:
        if not _is_marker(fd) and _glutekit_names(fd, kind):
            _write_marker(fd)


def write_extra(folder: Path, kind: Kind, name: str, text: str) -> None:
    """Replace the cache's own file ``name`` (one of ``kind.extras``) with ``text``,
    atomically; a cache is an optimisation, so a failure to write is ignored."""
    target = folder / name
    temp = target.with_name(f".{name}.{os.getpid()}.tmp")
    try:
        prepare(folder, kind)
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, target)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()


def _owned(folder: Path, kind: Kind, fd: int) -> str | None:
    """None when the opened folder is glutekit's cache, else why it is not."""
    if _is_marker(fd):
        return None
    if _glutekit_names(fd, kind):
        _write_marker(fd)  # a cache made before the marker existed
        return None
    return f"{folder} holds files glutekit did not make and has no glutekit marker"


# ----------------------------------------------------------------------------- deleting


def _unlink_regular(fd: int, name: str) -> int:
    """Delete ``name`` in the folder if it is a regular file; returns its size (or -1)."""
    try:
        info = os.stat(name, dir_fd=fd, follow_symlinks=False)
        if not stat.S_ISREG(info.st_mode):
            return -1
        os.unlink(name, dir_fd=fd)
    except OSError:
        return -1
    return info.st_size


def trim(
    folder: Path,
    max_bytes: int,
    *,
    keep: Collection[Path] = (),
    kind: Kind = VOICE,
    max_files: int | None = None,
) -> Cleared:
    """Delete the least recently used cached files until the folder fits in ``max_bytes``
    (and holds at most ``max_files`` of them).

    Files in ``keep`` (those the running session needs) are never deleted, even
    when they alone are over the cap. A file's companions (its own stem with a
    companion suffix, such as a cue's ``.sha256`` checksum) go with it; nothing
    else does. Returns what was deleted, or why the folder was left alone.
    """
    try:
        with _opened(folder) as fd:
            refused = _owned(folder, kind, fd)
            if refused is not None:
                return Cleared(refused=refused)
            return _trim_open(fd, folder, (max_bytes, max_files), keep, kind)
    except FileNotFoundError:
        return Cleared()
    except OSError as exc:
        return Cleared(refused=_refusal(folder, exc))


def _trim_open(
    fd: int, folder: Path, cap: tuple[int, int | None], keep: Collection[Path], kind: Kind
) -> Cleared:
    max_bytes, max_files = cap
    entries = []
    total = 0
    with os.scandir(fd) as found:
        for entry in found:
            if not kind.main.match(entry.name):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            total += info.st_size
            entries.append((info.st_mtime, info.st_size, entry.name))
    keep_names = {Path(p).name for p in keep if Path(p).parent == folder}
    removed = freed = 0
    count = len(entries)
    for _, _, name in sorted(entries):
        if total <= max_bytes and (max_files is None or count <= max_files):
            break
        if name in keep_names:
            continue
        size = _unlink_regular(fd, name)
        if size < 0:
            continue
        total -= size
        count -= 1
        removed += 1
        freed += size
        stem = name.rsplit(".", 1)[0]
        for suffix in kind.companions:
            _unlink_regular(fd, f"{stem}{suffix}")
    return Cleared(files=removed, bytes=freed)


def clear(folder: Path, kind: Kind = VOICE) -> Cleared:
    """Delete every cached file of ``kind`` (and its companions and extras) in ``folder``."""
    cleared = trim(folder, -1, kind=kind)
    if cleared.refused is None and kind.extras:
        with contextlib.suppress(OSError), _opened(folder) as fd:
            for name in kind.extras:
                _unlink_regular(fd, name)
    return cleared


def clear_file(path: Path, looks_right: Callable[[bytes], bool]) -> Cleared:
    """Delete one cache file (in a folder that is no symbolic link) if its content is glutekit's."""
    try:
        with _opened(path.parent) as fd:
            try:
                info = os.stat(path.name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                return Cleared()
            if stat.S_ISDIR(info.st_mode):
                return Cleared(refused=f"{path} is a folder, not glutekit's file")
            if not stat.S_ISREG(info.st_mode):
                return Cleared(refused=f"{path} is not a regular file")
            handle = os.open(path.name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0), dir_fd=fd)
            try:
                data = os.read(handle, 16 * 1024 * 1024)
            finally:
                os.close(handle)
            if not looks_right(data):
                return Cleared(refused=f"{path} is not a file glutekit wrote")
            size = _unlink_regular(fd, path.name)
            return Cleared(files=1, bytes=size) if size >= 0 else Cleared()
    except FileNotFoundError:
        return Cleared()
    except OSError as exc:
        return Cleared(refused=_refusal(path.parent, exc))


def _files(folder: Path, pattern: str) -> list[Path]:
    try:
        return [p for p in folder.glob(pattern) if p.is_file() and not p.is_symlink()]
    except OSError:
        return []
