"""Reading a user's file safely: a regular file, of bounded size, never a blocking open.

Kept apart from the catalog so that reading the config file imports nothing else.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from glutekit.errors import InputError

#: Files larger than this are refused before they are parsed. A pack of 5,000 exercises
#: as richly written as the glutes pack's is 9 MiB compact, 12 MiB indented by two.
MAX_FILE_BYTES = 16 * 1024 * 1024


def read_bounded(path: Path, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    A FIFO, a device or a socket is refused without being opened for a blocking read,
    and never more than ``limit`` + 1 bytes are read, whatever ``stat`` said.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{name}: is a directory, not a JSON file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{name}: is {_file_kind(info.st_mode)}, not a regular file")
    if info.st_size > limit:
        raise InputError(f"{name}: file is {info.st_size:,} bytes; the limit is {limit:,} bytes")
    try:
        # O_NONBLOCK: if the file was swapped for a FIFO since the stat, open does not hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise InputError(f"{name}: is not a regular file")
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise InputError(f"{name}: file is over {limit:,} bytes; the limit is {limit:,} bytes")
    return raw


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"
