"""Verify a cached cue before trusting it: what is on disk must be what was rendered.

A cached cue is ``<key>.wav`` plus ``<key>.sha256``, written after the WAV is in
place. A file is trusted only when it is a regular file (no folder, symlink or
FIFO), is 16-bit mono PCM at :data:`wavfile.RATE`, its length matches its header,
and its SHA-256 matches the one written with it. Anything else is rendered again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import struct
from pathlib import Path

from glutekit_voice import wavfile

#: No single cue is this long; a header that claims more is damage.
MAX_CUE_SECONDS = 120
_HEADER = 44


def checksum_path(path: Path) -> Path:
    return path.with_suffix(".sha256")


def problem(path: Path) -> str | None:
    """Why the cached file at ``path`` cannot be used, or None when it verifies.

    ``"missing"`` means there is nothing there (not damage: just not rendered yet).
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISLNK(info.st_mode):
        return "is a symlink"
    if stat.S_ISDIR(info.st_mode):
        return "is a folder"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if info.st_size > _HEADER + MAX_CUE_SECONDS * wavfile.RATE * 2:
        return f"is {info.st_size:,} bytes, longer than any cue"
    try:
        data = path.read_bytes()
        expected = checksum_path(path).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return "has no checksum"
    except (OSError, UnicodeDecodeError) as exc:
        return f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
    return _format_problem(data) or (
        None if hashlib.sha256(data).hexdigest() == expected else "does not match its checksum"
    )


def _format_problem(data: bytes) -> str | None:
    if len(data) < _HEADER or data[:4] != b"RIFF" or data[8:16] != b"WAVEfmt ":
        return "is not a WAV file"
    fmt, channels, rate, _, _, bits = struct.unpack("<HHIIHH", data[20:36])
    if (fmt, channels, rate, bits) != (1, 1, wavfile.RATE, 16):
        return f"is {bits}-bit, {channels}-channel at {rate} Hz, not 16-bit mono"
    if data[36:40] != b"data":
        return "has an unexpected header"
    (claimed,) = struct.unpack("<I", data[40:44])
    if claimed == 0 or claimed != len(data) - _HEADER:
        return f"header claims {claimed:,} bytes of audio but holds {len(data) - _HEADER:,}"
    return None


def write_checksum(path: Path) -> None:
    """Write the checksum of the (already complete) WAV at ``path`` beside it, atomically."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    target = checksum_path(path)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temp.write_text(digest + "\n", encoding="ascii")
    os.replace(temp, target)


def clear(path: Path) -> None:
    """Remove whatever stands at ``path`` (a folder, a link, a bad file), never what a link targets."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode):
        shutil.rmtree(path)
    else:
        path.unlink()
