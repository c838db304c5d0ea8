"""Write output files safely: readers see the old file or the new one, never half of one.

What ``-o`` names decides how it is written:

- a regular file (or a new name): a temporary file in the same folder (so the final
  ``os.replace`` stays on one file system and is atomic), flushed and fsynced, then
  moved over the target, which keeps its permission bits;
- a symlink: resolved, and its target is replaced as above (the link stays a link);
- ``-``: standard output;
- a device, FIFO or socket (``/dev/null``, ``/dev/stdout``, a named pipe): written
  to directly, never replaced.

Temporary files carry the writer's process id (``.<name>.glutekit-<pid>-<random>.tmp``);
one left behind by a killed glutekit is removed on the next write to that folder.
On any failure the temporary file is removed and a :class:`GlutekitError` names the path.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from glutekit.errors import GlutekitError, InputError

STDOUT = "-"
_TOKEN_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"
_TEMP = re.compile(r"^\..*\.glutekit-(\d+)-[A-Za-z0-9_]+\.tmp$")
#: What :func:`sweep_stale_temp_files` removes: that naming, or the one before it,
#: which had no process id (``.<name>.<8 characters>.tmp``).
_STALE_TEMP = re.compile(r"^\.(?:.*\.glutekit-(\d+)-[A-Za-z0-9_]+|.+\.[a-z0-9_]{8})\.tmp$")
#: Temp files of the naming used before the process id was added: removed once this old.
_LEGACY_AGE = 3600.0


def _cannot_write(path: Path, exc: OSError) -> GlutekitError:
    reason = exc.strerror or type(exc).__name__
    return GlutekitError(f"cannot write {path}: {reason}")


def is_stdout(path: str | os.PathLike[str]) -> bool:
    return os.fspath(path) == STDOUT


def _destination(path: str | os.PathLike[str]) -> tuple[Path, bool]:
    """The file to write (symlinks resolved) and whether it must be written in place."""
    text = os.fspath(path)
    if text == "":
        raise InputError("the output path is empty; give a file name, or - for standard output")
    try:
        info = os.stat(text)  # follows symlinks: /dev/stdout is a link to a pipe or tty
    except FileNotFoundError:
        return Path(os.path.realpath(text)), False
    except OSError as exc:
        raise _cannot_write(Path(text), exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{text}: is a directory; give a file name")
    if not stat.S_ISREG(info.st_mode):
        return Path(text), True
    return Path(os.path.realpath(text)), False


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path; when the block ends, its content becomes ``path``.

    For writers that insist on a file name (a WAV writer, a library's ``save``).
    If the block raises (or the process gets SIGTERM), the temporary file is deleted
    and ``path`` is untouched.

    :raises GlutekitError: when the folder is missing or not writable.
    """
    if is_stdout(path):
        with _scratch() as scratch:
            yield scratch
            _copy_to_stream(scratch, None, Path(STDOUT))
        return
    target, in_place = _destination(path)
    if in_place:
        with _scratch() as scratch:
            yield scratch
            _copy_to_stream(scratch, target, Path(os.fspath(path)))
        return
    sweep_stale_temp_files(target.parent)
    tmp: Path | None = None
    try:
        # The name is known before the file exists, so a signal landing anywhere here
        # (SIGTERM is handled in the main thread whichever thread the kernel chose, so
        # blocking it in this thread would not hold it) still finds the file to remove.
        while True:
            tmp = _temp_name(target)
            try:
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                break
            except FileExistsError:
                continue
        yield tmp
        _fsync_file(tmp)
        _set_mode(tmp, target)
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise _cannot_write(Path(os.fspath(path)), exc) from None
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise


def _temp_name(target: Path) -> Path:
    """``.<name>.glutekit-<pid>-<random>.tmp`` beside ``target``."""
    import secrets  # here: importing this module writes nothing

    token = "".join(secrets.choice(_TOKEN_LETTERS) for _ in range(8))
    return target.parent / f".{target.name[:96]}.glutekit-{os.getpid()}-{token}.tmp"


@contextlib.contextmanager
def _scratch() -> Iterator[Path]:
    import tempfile

    fd, name = tempfile.mkstemp(prefix="glutekit-", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _copy_to_stream(source: Path, target: Path | None, shown: Path) -> None:
    """Copy ``source`` into standard output (``target`` None) or a device or FIFO."""
    from shutil import copyfileobj

    try:
        with open(source, "rb") as data:
            if target is None:
                sys.stdout.flush()
                copyfileobj(data, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            else:
                with open(target, "wb") as out:
                    copyfileobj(data, out)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _cannot_write(shown, exc) from None


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` as described in the module docstring."""
    if is_stdout(path):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target, in_place = _destination(path)
    if in_place:
        try:
            with open(target, "wb") as out:
                out.write(data)
        except OSError as exc:
            raise _cannot_write(Path(os.fspath(path)), exc) from None
        return
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        handle.write(data)


def write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` (UTF-8 unless told otherwise, ``\\n`` line ends)."""
    write_bytes(path, text.encode(encoding))


def sweep_stale_temp_files(folder: Path) -> int:
    """Remove temp files that a killed glutekit left in ``folder``; returns how many.

    A file is removed only when it has glutekit's naming and the process that made
    it is gone (or, for the old naming without a process id, after an hour).
    """
    return sweep_stale(folder, _STALE_TEMP)


def sweep_stale(folder: Path, naming: re.Pattern[str]) -> int:
    """Remove the temporary files of killed processes from ``folder``; returns how many.

    Only regular files whose name matches ``naming`` go: when the name's first group
    holds a process id, once that process is gone; without one (a naming from before
    the id was added), once the file is an hour old. Nothing else is touched.
    """
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        match = naming.match(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        pid = match.group(1)
        stale = not _alive(int(pid)) if pid else time.time() - info.st_mtime > _LEGACY_AGE
        if stale:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed += 1
    return removed


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (this one always does)."""
    return _alive(pid)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _set_mode(path: Path, target: Path) -> None:
    # A file being replaced keeps its permission bits (a private 0600 file stays
    # private); a new one gets the mode any file the user creates gets.
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(path, mode)


def is_stream(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is standard output, a device or a FIFO (written in place)."""
    if is_stdout(path):
        return True
    try:
        return not stat.S_ISREG(os.stat(path).st_mode) and not os.path.isdir(path)
    except OSError:
        return False
