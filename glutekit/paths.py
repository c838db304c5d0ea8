"""Every folder glutekit uses, and the environment variable that moves each one.

Nothing is created here: callers make a folder when they first write to it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple

APP = "glutekit"

ENV_DATA_DIR = "GLUTEKIT_DATA_DIR"
ENV_ROUTINES_DIR = "GLUTEKIT_ROUTINES_DIR"
ENV_CACHE_DIR = "GLUTEKIT_CACHE_DIR"
ENV_CONFIG_DIR = "GLUTEKIT_CONFIG_DIR"
ENV_VOICE_CACHE_DIR = "GLUTEKIT_VOICE_CACHE_DIR"

HISTORY_NAME = "history.sqlite3"
CONFIG_NAME = "config.toml"


def _override(var: str) -> Path | None:
    value = os.environ.get(var)
    return Path(value).expanduser() if value else None


def _xdg(variable: str, default: str) -> Path | None:
    """The folder platformdirs gives on Linux, worked out without importing it (which
    costs a short command about 6 ms); None where its answer could differ.

    That is ``$variable`` if it is an absolute path, else ``default`` in the home folder,
    with ``glutekit`` added. Elsewhere (other systems, Android, a relative variable, a
    home that is not absolute) platformdirs decides.
    """
    if not sys.platform.startswith("linux") or hasattr(sys, "getandroidapilevel"):
        return None
    if os.environ.get("ANDROID_DATA") == "/data" or os.environ.get("ANDROID_ROOT") == "/system":
        return None
    value = os.environ.get(variable, "")
    if value:
        return Path(value, APP) if value.startswith("/") else None
    home = os.environ.get("HOME", "")
    return Path(home, default, APP) if home.startswith("/") else None


def data_dir() -> Path:
    """History and your own routines: ``$GLUTEKIT_DATA_DIR`` or the platform's data folder."""
    override = _override(ENV_DATA_DIR)
    if override:
        return override
    found = _xdg("XDG_DATA_HOME", ".local/share")
    if found:
        return found
    import platformdirs

    return Path(platformdirs.user_data_dir(APP))


def user_routines_dir() -> Path:
    """Routines you keep: ``$GLUTEKIT_ROUTINES_DIR`` or ``<data>/routines``."""
    return _override(ENV_ROUTINES_DIR) or data_dir() / "routines"


def user_programs_dir() -> Path:
    """Programs you keep (imported or written): ``<data>/programs``."""
    return data_dir() / "programs"


def cache_dir() -> Path:
    """Files glutekit can rebuild: ``$GLUTEKIT_CACHE_DIR`` or the platform's cache folder."""
    override = _override(ENV_CACHE_DIR)
    if override:
        return override
    found = _xdg("XDG_CACHE_HOME", ".cache")
    if found:
        return found
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP))


def voice_cache_dir() -> Path:
    """Spoken cues rendered to WAV, reused across sessions.

    ``$GLUTEKIT_VOICE_CACHE_DIR`` or ``<cache>/voice``: the voice cache is the one cache
    worth keeping on another disk, or sharing between homes that use the same voice.
    """
    return _override(ENV_VOICE_CACHE_DIR) or cache_dir() / "voice"


def validation_cache_path() -> Path:
    """Which pack and routine files already passed validation."""
    return cache_dir() / "validated.json"


def catalog_cache_dir() -> Path:
    """The merged catalog of every installed pack, compiled for a fast start."""
    return cache_dir() / "catalog"


def config_dir() -> Path:
    """Your preferences: ``$GLUTEKIT_CONFIG_DIR`` or the platform's config folder."""
    override = _override(ENV_CONFIG_DIR)
    if override:
        return override
    found = _xdg("XDG_CONFIG_HOME", ".config")
    if found:
        return found
    import platformdirs

    return Path(platformdirs.user_config_dir(APP))


def config_path() -> Path:
    return config_dir() / CONFIG_NAME


class Place(NamedTuple):
    """One folder or file, for ``glutekit paths`` (a tuple: a dataclass would be compiled
    by every command that imports this module)."""

    name: str
    path: Path
    variable: str
    what: str


def places() -> list[Place]:
    """Every place glutekit reads or writes, in the order ``glutekit paths`` lists them."""
    return [
        Place(name="config", path=config_path(), variable=ENV_CONFIG_DIR, what="your preferences"),
        Place(name="data", path=data_dir(), variable=ENV_DATA_DIR, what="history and routines"),
        Place(
            name="history",
            path=data_dir() / HISTORY_NAME,
            variable=ENV_DATA_DIR,
            what="sessions you ran",
        ),
        Place(
            name="routines",
            path=user_routines_dir(),
            variable=ENV_ROUTINES_DIR,
            what="your own routines (.json)",
        ),
        Place(
            name="programs",
            path=user_programs_dir(),
            variable=ENV_DATA_DIR,
            what="your own and imported programs (.json)",
        ),
        Place(
            name="cache",
            path=cache_dir(),
            variable=ENV_CACHE_DIR,
            what="files glutekit can rebuild",
        ),
        Place(
            name="voice-cache",
            path=voice_cache_dir(),
            variable=ENV_VOICE_CACHE_DIR if _override(ENV_VOICE_CACHE_DIR) else ENV_CACHE_DIR,
            what="spoken cues as WAV",
        ),
        Place(
            name="validation-cache",
            path=validation_cache_path(),
            variable=ENV_CACHE_DIR,
            what="files that passed validation",
        ),
    ]
