"""What plugins that open sound devices share: which miniaudio backends count as real
devices, and hiding what C audio libraries print while they look for one.

No miniaudio import here: callers pass the module in.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

#: The variable that names one backend (``null`` plays and records silence in real
#: time with no sound card: tests and benchmarks use it).
ENV_BACKEND = "GLUTEKIT_AUDIO_BACKEND"

#: miniaudio's backends for real devices, best first. Its ``null`` backend is left out:
#: on a machine without any sound system miniaudio would fall back to it, and a
#: session would "play" to, or "listen" to, nothing without saying so.
REAL_BACKENDS = (
    "WASAPI",
    "DSOUND",
    "WINMM",
    "COREAUDIO",
    "PULSEAUDIO",
    "ALSA",
    "JACK",
    "SNDIO",
    "AUDIO4",
    "OSS",
    "AAUDIO",
    "OPENSL",
)


class UnknownBackend(ValueError):
    """``GLUTEKIT_AUDIO_BACKEND`` names no backend; the message says which exist."""


def import_without_numpy(name: str) -> Any:
    """Import module ``name`` with numpy held back, unless something has loaded it already.

    miniaudio (and fpdf) import numpy when it is installed, only to accept numpy arrays
    that glutekit never hands them (it gives them bytes). numpy would cost a voiced
    session's start about a tenth of a CPU second and 20 MiB. The block is lifted as
    soon as the module is loaded, so a later ``import numpy`` works as usual.

    :raises ImportError: when ``name`` itself is missing.
    """
    import importlib

    if name in sys.modules or "numpy" in sys.modules:
        return importlib.import_module(name)
    sys.modules["numpy"] = None  # type: ignore[assignment]  # makes "import numpy" fail
    try:
        return importlib.import_module(name)
    finally:
        del sys.modules["numpy"]


def miniaudio_module() -> Any:
    """The miniaudio module (see :func:`import_without_numpy`).

    :raises ImportError: when miniaudio is not installed.
    """
    return import_without_numpy("miniaudio")


def backends(miniaudio: Any, wanted: str | None = None) -> list[Any]:
    """The backends to try: the one named by ``wanted`` (or ``GLUTEKIT_AUDIO_BACKEND``),
    else every real one.

    :raises UnknownBackend: for a name miniaudio does not have.
    """
    name = (wanted if wanted is not None else os.environ.get(ENV_BACKEND, "")).strip()
    if name:
        try:
            return [miniaudio.Backend[name.upper()]]
        except KeyError:
            known = ", ".join(b.lower() for b in (*REAL_BACKENDS, "NULL"))
            raise UnknownBackend(
                f"{ENV_BACKEND}={name!r} is not an audio backend (known: {known})"
            ) from None
    return [getattr(miniaudio.Backend, backend) for backend in REAL_BACKENDS]


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Hide what C audio libraries print while probing devices (ALSA's "cannot find card")."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        sys.stderr.flush()
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def reason(exc: Exception) -> str:
    """A miniaudio error in words ("miniaudio: failed to init device"), without the
    error code tuple it carries."""
    args = getattr(exc, "args", ())
    text = str(args[0]) if args else str(exc)
    return f"miniaudio: {text}"
