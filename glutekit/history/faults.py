"""What can go wrong with the history database, and the one line a user gets for each.

Only real damage (an integrity check that fails, or SQLite saying the file is not a
database) moves a file aside; a full disk, a read-only folder, a lock or a missing
column each get their own message and leave the file where it is.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from glutekit.errors import GlutekitError

#: How long a write waits for another session's transaction before giving up.
BUSY_TIMEOUT_MS = 5000


class HistoryUnavailable(GlutekitError):
    """History cannot be read or written (folder not writable, database locked...)."""


class HistoryLocked(HistoryUnavailable):
    """Another program held the write lock for longer than the busy timeout (worth a retry)."""


class HistoryFull(HistoryUnavailable):
    """The disk holding the database is full (worth a retry once space is freed)."""


class HistoryCorrupt(GlutekitError):
    """The database file was damaged; ``backup`` is where the damaged file now is."""

    def __init__(self, message: str, backup: Path) -> None:
        super().__init__(message)
        self.backup = backup


def is_busy(exc: BaseException) -> bool:
    """True for "database is locked/busy": another process holds the write lock."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class IntegrityFailed(sqlite3.DatabaseError):
    """``PRAGMA quick_check`` found damage in a file that could be read."""


#: SQLite's primary result codes for a file that is readable but damaged, or not a database.
_CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_FULL_CODE = 13  # SQLITE_FULL
#: SQLite reports a full disk met while growing its shared-memory file as an I/O error.
_IOERR_CODE = 10


def _disk_full(path: Path) -> bool:
    try:
        stats = os.statvfs(path.parent)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < 64 * 1024


def _code(exc: BaseException) -> int:
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def is_corrupt(exc: BaseException) -> bool:
    """Only real damage (an integrity check or SQLite itself says so) moves a file aside.

    A full disk, a read-only folder, a lock or an I/O error leave the file as it is.
    """
    return isinstance(exc, IntegrityFailed) or _code(exc) in _CORRUPT_CODES


def unavailable(path: Path, exc: BaseException) -> HistoryUnavailable:
    """One line for every failure that is not damage; the file is always left in place."""
    code = _code(exc)
    text = str(exc).lower()
    if is_busy(exc):
        return _locked(path)
    if code == _FULL_CODE or (code == _IOERR_CODE and _disk_full(path)):
        return HistoryFull(
            f"the disk holding the history database {path} is full; free some space "
            "(the history is kept as it is)"
        )
    kind = _not_a_file(path)
    if kind is not None:
        return HistoryUnavailable(
            f"the history database {path} is {kind}, not a file; move it away, or set "
            "GLUTEKIT_DATA_DIR to another folder (it was left as it is)"
        )
    if code in (8, 14) or "readonly" in text or "read-only" in text or "unable to open" in text:
        return HistoryUnavailable(
            f"cannot write the history database {path}: its folder is read-only or "
            "cannot be opened (the history is kept as it is)"
        )
    if "no such column" in text or "no such table" in text:
        return HistoryUnavailable(
            f"the history database {path} does not have the tables this glutekit expects "
            f"({exc}); it was left as it is"
        )
    return HistoryUnavailable(
        f"cannot use the history database {path}: {exc} (the history is kept as it is)"
    )


def _not_a_file(path: Path) -> str | None:
    """What stands where the database file should be, when it is not a file."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return None


def move_aside(path: Path) -> Path:
    """Move a damaged database (and its WAL files) to ``<name>.corrupt-<timestamp>``."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    backup = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while backup.exists():
        counter += 1
        backup = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    try:
        os.replace(path, backup)
        for suffix in ("-wal", "-shm"):
            extra = Path(f"{path}{suffix}")
            if extra.exists():
                os.replace(extra, Path(f"{backup}{suffix}"))
    except OSError as exc:
        raise HistoryUnavailable(
            f"the history database {path} is damaged and cannot be moved aside: "
            f"{exc.strerror or exc}"
        ) from None
    return backup


def corrupt_message(path: Path, backup: Path) -> str:
    return f"the history database {path} was damaged; moved to {backup}; started a fresh one"


def _locked(path: Path, waited_ms: int = BUSY_TIMEOUT_MS) -> HistoryLocked:
    return HistoryLocked(
        f"the history database {path} is locked by another program (waited {waited_ms / 1000:g} s)"
    )
