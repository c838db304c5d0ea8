"""Make pyttsx3's espeak driver work from pip alone, with the ``espeakng-loader`` wheel.

pyttsx3 opens ``libespeak-ng.so.1`` by name when its driver is imported. When the
system has no such library, we load the copy shipped in the ``espeakng-loader``
wheel first, with ``RTLD_GLOBAL``: the dynamic linker then hands pyttsx3 that
already-loaded library (it has the same soname). ``ESPEAK_DATA_PATH`` tells the
library where the wheel keeps its voices and dictionaries.

All of this must happen before ``pyttsx3`` is imported, so :func:`prepare_espeak`
is called by the pyttsx3 backend right before its import.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Literal

from glutekit.model.records import record

#: "auto" (default): the system library if found, else the wheel's.
#: "bundled": always the wheel's (for machines with a broken system copy, and for tests).
#: "system": never the wheel's.
ENV_LIBRARY = "GLUTEKIT_ESPEAK_LIBRARY"
SYSTEM_SONAME = "libespeak-ng.so.1"


@record(frozen=True, kw_only=True)
class EspeakLibrary:
    """Which espeak-ng library pyttsx3 will use, for messages and ``glutekit voices``."""

    source: Literal["system", "bundled", "missing", "not-linux"]
    path: str | None = None
    problem: str | None = None

    def describe(self) -> str:
        if self.source == "system":
            return "system libespeak-ng"
        if self.source == "bundled":
            return f"libespeak-ng from espeakng-loader ({self.path})"
        if self.source == "missing":
            return f"no libespeak-ng ({self.problem})"
        return "platform speech engine"


_lock = threading.Lock()
_prepared: EspeakLibrary | None = None


def prepare_espeak() -> EspeakLibrary:
    """Choose and, if needed, preload the espeak-ng library. Safe to call many times."""
    global _prepared
    with _lock:
        if _prepared is None:
            _prepared = _prepare()
        return _prepared


def _prepare() -> EspeakLibrary:
    if not sys.platform.startswith("linux"):
        # pyttsx3 uses SAPI5 on Windows and NSSpeechSynthesizer on macOS.
        return EspeakLibrary(source="not-linux")
    if "pyttsx3.drivers._espeak" in sys.modules:
        # Too late to choose: the driver already opened whatever it found.
        return EspeakLibrary(source="system")
    mode = os.environ.get(ENV_LIBRARY, "auto").strip().lower()
    if mode != "bundled" and _system_library_loads():
        return EspeakLibrary(source="system")
    if mode == "system":
        return EspeakLibrary(source="missing", problem=f"{SYSTEM_SONAME} not found")
    return _preload_bundled()


def _system_library_loads() -> bool:
    import ctypes  # here, not at the top: a cached session never loads a library

    try:
        ctypes.CDLL(SYSTEM_SONAME)
    except OSError:
        return False
    return True


def _preload_bundled() -> EspeakLibrary:
    import ctypes

    try:
        import espeakng_loader
    except ImportError:
        return EspeakLibrary(
            source="missing", problem=f"{SYSTEM_SONAME} not found and espeakng-loader not installed"
        )
    try:
        library = str(espeakng_loader.get_library_path())
        data = str(espeakng_loader.get_data_path())
        ctypes.CDLL(library, mode=ctypes.RTLD_GLOBAL)
    except (OSError, RuntimeError) as exc:
        return EspeakLibrary(source="missing", problem=f"espeakng-loader library failed: {exc}")
    os.environ["ESPEAK_DATA_PATH"] = data
    return EspeakLibrary(source="bundled", path=library)
