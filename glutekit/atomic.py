"""Write files atomically: readers see the old file or the new one, never half of one.

Each write goes to a temporary file in the destination's folder (so the final
``os.replace`` stays on one file system and is atomic), is flushed and fsynced,
and only then replaces the destination. On any failure the temporary file is
removed and a :class:`~glutekit.errors.GlutekitError` names the path.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from glutekit.errors import GlutekitError


def _cannot_write(path: Path, exc: OSError) -> GlutekitError:
    reason = exc.strerror or type(exc).__name__
    return GlutekitError(f"cannot write {path}: {reason}")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it into place when the block ends.

    For writers that insist on a file name (a WAV writer, a library's ``save``).
    If the block raises, the temporary file is deleted and ``path`` is untouched.

    :raises GlutekitError: when the folder is missing or not writable.
    """
    target = Path(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        _fsync_file(tmp)
        _keep_umask_mode(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _cannot_write(target, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        handle.write(data)


def write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (UTF-8 unless told otherwise, ``\\n`` line ends)."""
    write_bytes(path, text.encode(encoding))


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _keep_umask_mode(path: Path) -> None:
    # mkstemp creates files readable only by the owner; an exported sheet should
    # get the same mode as any file the user creates.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)
