"""Verify a cached cue before trusting it: what is on disk must be what was rendered.

A cached cue is ``<key>.wav`` plus ``<key>.sha256``, written after the WAV is in
place. A file is trusted only when it is a regular file (no folder, symlink or
FIFO), is 16-bit mono PCM at :data:`wavfile.RATE`, its length matches its header,
and its SHA-256 matches the one written with it. Anything else is rendered again.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from glutekit.caches.digest import sha256
from glutekit_voice import wavfile

#: No single cue is this long; a header that claims more is damage.
MAX_CUE_SECONDS = 120
_HEADER = 44


#: Where the files that verified are listed, in the voice cache folder.
VERIFIED = "verified.json"
#: Files listed at most (the cache's own cap keeps far fewer cues than this).
MAX_VERIFIED = 50_000
#: Whether the list is kept between processes: only where a file's change time moves
#: at every write (POSIX); on Windows it is the file's creation time.
KEPT_HERE = os.name == "posix"

Seen = tuple[int, int, int, int, int, int, int, int]
#: What a file verified against: a change to the checks, or a list written by another
#: version of this code, lists nothing.
_FORMAT = f"glutekit-verified-1:{wavfile.RATE}:{MAX_CUE_SECONDS}"


class Verified:
    """The cached files that verified, with what each and its checksum looked like then.

    Hashing every cue of a routine was a measurable part of a warm start. A file that
    is as it was when it verified (same inode, size, modification and change time, and
    the same of its checksum file) is trusted without reading it again: on POSIX any
    write to either file moves its change time, which no program can set back. Where
    the change time is the creation time (Windows) nothing is kept between processes.
    A list that cannot be read is empty, and every file is checked again.
    """

    def __init__(self, known: dict[str, Seen]) -> None:
        self._known = known
        self._added = False

    @classmethod
    def read(cls, folder: Path) -> Verified:
        import json

        if not KEPT_HERE:
            return cls({})
        try:
            data = json.loads((folder / VERIFIED).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            data = {}
        known: dict[str, Seen] = {}
        cues = data.get("cues") if isinstance(data, dict) else None
        if isinstance(cues, dict) and data.get("format") == _FORMAT:
            for name, seen in cues.items():
                if (
                    isinstance(seen, list)
                    and len(seen) == 8
                    and all(isinstance(n, int) and not isinstance(n, bool) for n in seen)
                ):
                    known[name] = (
                        seen[0], seen[1], seen[2], seen[3], seen[4], seen[5], seen[6], seen[7]
                    )  # fmt: skip
        return cls(known)

    @staticmethod
    def seen(path: Path) -> Seen | None:
        """What the file at ``path`` and its checksum look like now (None if either is
        missing or not a regular file)."""
        try:
            wav = os.lstat(path)
            checksum = os.lstat(checksum_path(path))
        except (OSError, ValueError):
            return None
        if not (stat.S_ISREG(wav.st_mode) and stat.S_ISREG(checksum.st_mode)):
            return None
        return (
            wav.st_ino,
            wav.st_size,
            wav.st_mtime_ns,
            wav.st_ctime_ns,
            checksum.st_ino,
            checksum.st_size,
            checksum.st_mtime_ns,
            checksum.st_ctime_ns,
        )

    def get(self, name: str) -> Seen | None:
        return self._known.get(name)

    def add(self, name: str, seen: Seen) -> None:
        if self._known.get(name) != seen:
            self._known.pop(name, None)  # the newest last: the oldest go first
            self._known[name] = seen
            self._added = True

    def save(self, folder: Path) -> None:
        """Write the list back if it changed, without the cues no longer in the folder
        (atomically; failures are ignored)."""
        if not self._added or not KEPT_HERE:
            return
        import json

        from glutekit.caches.folders import VOICE, write_extra

        try:
            present = set(os.listdir(folder))
        except OSError:
            return
        cues = [(name, seen) for name, seen in self._known.items() if name in present]
        kept = {"format": _FORMAT, "cues": dict(cues[-MAX_VERIFIED:])}
        write_extra(folder, VOICE, VERIFIED, json.dumps(kept, separators=(",", ":")))
        self._added = False


def seconds_of(size: int) -> float:
    """The playing time of a cue that verified, from its size in bytes: what its header
    says, since a cue verifies only as a 44-byte header and that many bytes of 16-bit
    mono at :data:`wavfile.RATE`."""
    return ((size - _HEADER) // 2) / float(wavfile.RATE)


def checksum_path(path: Path) -> Path:
    return path.with_suffix(".sha256")


def problem(path: Path, *, again: bool = True) -> str | None:
    """Why the cached file at ``path`` cannot be used, or None when it verifies.

    ``"missing"`` means there is nothing there (not damage: just not rendered yet).
    ``again``: look once more when another process seems to be storing the file.
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
    why = _content_problem(path)
    if not again:
        return why
    if why == "does not match its checksum" and _replaced_since(path, info):
        # Read while another process replaced it: check what is there now.
        return problem(path, again=False)
    if why == "has no checksum" and _just_stored(info) and str(path) not in _waited:
        # Another glutekit process may be storing this very cue: it moves the WAV into
        # place, then writes its checksum. Give it a moment before calling that damage
        # (which would render the cue again and warn about it); once per file and process.
        _waited.add(str(path))
        give_up = time.monotonic() + SETTLING_SECONDS
        while time.monotonic() < give_up:
            time.sleep(0.02)
            if checksum_path(path).exists():
                return problem(path, again=False)
    return why


#: How long a cue stored a moment ago may wait for its checksum to be written.
SETTLING_SECONDS = 0.5
#: Files already given that time in this process.
_waited: set[str] = set()


def _just_stored(info: os.stat_result) -> bool:
    """Whether the file was moved into place (or written) in the last few seconds."""
    return time.time() - max(info.st_mtime, info.st_ctime) < 5.0


def _replaced_since(path: Path, before: os.stat_result) -> bool:
    """Whether another file (or a rewritten one) stands at ``path`` than ``before`` saw."""
    try:
        now = os.lstat(path)
    except OSError:
        return False
    return (now.st_ino, now.st_ctime_ns) != (before.st_ino, before.st_ctime_ns)


def _content_problem(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return "missing"  # removed since it was looked at: another process replaces it
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    try:
        expected = checksum_path(path).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return "has no checksum"
    except (OSError, UnicodeDecodeError) as exc:
        return f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
    return _format_problem(data) or (
        None if sha256(data).hexdigest() == expected else "does not match its checksum"
    )


def _format_problem(data: bytes) -> str | None:
    import struct  # only where a cue is read: a warm start checks its cues by their looks

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
    digest = sha256(path.read_bytes()).hexdigest()
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
        from shutil import rmtree  # only to clear a cache

        rmtree(path)
    else:
        path.unlink()
