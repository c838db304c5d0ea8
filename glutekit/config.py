"""Lasting preferences in a TOML file: voice, rate, volume, paper, outputs, cache size.

Precedence, highest first: a command-line option, its environment variable, the
config file, the built-in default. The CLI hands the file's values to click as
each command's ``default_map``, which click consults after the option and the
environment variable, so the order holds for every command without extra code.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glutekit.errors import InputError

Parse = Callable[[Any], Any]


def _text(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("must be a non-empty text")
    return raw.strip()


def _number(kind: type, low: float, high: float, unit: str) -> Parse:
    def parse(raw: Any) -> Any:
        try:
            value = kind(raw)
        except (TypeError, ValueError):
            raise ValueError(f"must be {unit}, got {raw!r}") from None
        if isinstance(raw, bool) or not low <= value <= high:
            raise ValueError(f"must be {unit} from {low:g} to {high:g}, got {raw!r}")
        return value

    return parse


def _choice(*names: str) -> Parse:
    def parse(raw: Any) -> str:
        if raw not in names:
            raise ValueError(f"must be one of {', '.join(names)}, got {raw!r}")
        return str(raw)

    return parse


def _flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {raw!r}")


def _names(raw: Any) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("must be a list of names, such as console,voice")
    names = [i.strip() for i in items if i.strip()]
    if not names:
        raise ValueError("must name at least one output")
    return names


@dataclass(frozen=True, kw_only=True)
class Setting:
    """One preference: how it is checked, its variable, and which options it sets."""

    key: str
    help: str
    parse: Parse
    default: Any = None
    env: str | None = None
    #: (command, parameter) pairs whose default this setting provides.
    targets: tuple[tuple[str, str], ...] = ()


_SPEAKING = ("run", "export", "transcript")
#: Speech settings: their variables are checked by the commands that speak, when they do.
SPEECH_KEYS = ("voice", "rate", "volume", "voice_backend")

SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            key="voice",
            help="voice id, name or language code (see 'glutekit voices')",
            parse=_text,
            env="GLUTEKIT_VOICE",
            targets=tuple((c, "voice") for c in _SPEAKING),
        ),
        Setting(
            key="rate",
            help="speaking rate in words per minute",
            parse=_number(int, 80, 450, "words per minute"),
            default=165,
            env="GLUTEKIT_RATE",
            targets=tuple((c, "rate") for c in _SPEAKING),
        ),
        Setting(
            key="volume",
            help="speech volume",
            parse=_number(float, 0, 1, "a number"),
            default=1.0,
            env="GLUTEKIT_VOLUME",
            targets=tuple((c, "volume") for c in _SPEAKING),
        ),
        Setting(
            key="voice_backend",
            help="speech engine",
            parse=_choice("auto", "piper", "pyttsx3", "say", "espeak-ng"),
            default="auto",
            env="GLUTEKIT_VOICE_BACKEND",
            targets=(*((c, "voice_backend") for c in _SPEAKING), ("voices", "backend")),
        ),
        Setting(
            key="paper",
            help="paper size for printouts",
            parse=_choice("a4", "letter"),
            default="a4",
            targets=(("export", "paper"),),
        ),
        Setting(
            key="first_side",
            help="side each per-side exercise starts on (default: the routine's order)",
            parse=_choice("left", "right"),
            targets=tuple((c, "first_side") for c in _SPEAKING),
        ),
        Setting(
            key="output",
            help="what 'glutekit run' plays to (e.g. console,voice)",
            parse=_names,
            targets=(("run", "outputs"),),
        ),
        Setting(
            key="listen",
            help="hands-free voice commands in 'glutekit run' (\"coach, pause\"), as --listen",
            parse=_flag,
            default=False,
            targets=(("run", "listen"),),
        ),
        Setting(
            key="voice_cache_mb",
            help="largest size of the voice cache; the least recently used cues go first",
            parse=_number(int, 1, 100_000, "megabytes"),
            default=200,
            env="GLUTEKIT_VOICE_CACHE_MB",
        ),
    )
}


def _unknown(key: str) -> InputError:
    from glutekit.catalog import suggest

    return InputError(
        f"unknown setting '{key}'{suggest(key, SETTINGS)} (settings: {', '.join(SETTINGS)})"
    )


def setting(key: str) -> Setting:
    found = SETTINGS.get(key.replace("-", "_"))
    if found is None:
        raise _unknown(key)
    return found


def load(path: Path) -> dict[str, Any]:
    """The file's settings, checked; an empty dict when there is no file.

    :raises InputError: a file that is not TOML, an unknown key or a bad value,
        in one line naming the file (and the key).
    """
    from glutekit.schema import read_bounded

    if not path.exists():
        return {}
    raw = read_bounded(path, f"{path} (the config file)", limit=1024 * 1024)
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: not a valid TOML file: {exc}") from None
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in SETTINGS:
            raise InputError(f"{path}: {_unknown(key)}")
        try:
            values[key] = SETTINGS[key].parse(value)
        except ValueError as exc:
            raise InputError(f"{path}: {key}: {exc}") from None
    return values


def default_map(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """click's ``default_map``: command -> parameter -> the file's value."""
    result: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        for command, param in SETTINGS[key].targets:
            result.setdefault(command, {})[param] = value
    return result


@dataclass(frozen=True, kw_only=True)
class Effective:
    """A setting's value and where it came from, for ``glutekit config list``."""

    key: str
    value: Any
    source: str


def effective(
    values: Mapping[str, Any],
    path: Path,
    env: Mapping[str, str] | None = None,
    *,
    lenient: Collection[str] = (),
) -> list[Effective]:
    """Each setting's value as a command would see it (before any option).

    :param lenient: settings whose variable is only checked where it is used (the
        speech settings: a bad ``GLUTEKIT_RATE`` must not stop ``run --no-voice``).
    """
    env = os.environ if env is None else env
    found = []
    for key, item in SETTINGS.items():
        if key in lenient and item.env and env.get(item.env):
            found.append(
                Effective(key=key, value=env[item.env], source=f"environment ({item.env})")
            )
        elif item.env and env.get(item.env):
            try:
                value = item.parse(env[item.env])
            except ValueError as exc:
                raise InputError(f"{item.env}: {exc}") from None
            found.append(Effective(key=key, value=value, source=f"environment ({item.env})"))
        elif key in values:
            found.append(Effective(key=key, value=values[key], source=f"config file ({path})"))
        else:
            found.append(Effective(key=key, value=item.default, source="default"))
    return found


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    return repr(value)


def write_setting(path: Path, key: str, value: Any | None) -> None:
    """Set (or with None remove) one key, keeping the file's other lines and comments."""
    from glutekit.atomic import write_text

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = ["# glutekit preferences: see 'glutekit config list' and docs/config.md"]
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    kept = [line for line in lines if not pattern.match(line)]
    if value is not None:
        kept.append(f"{key} = {_toml_value(value)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, "\n".join(kept) + "\n")


def voice_cache_bytes() -> int:
    """The voice cache's size cap: environment, then config file, then default."""
    from glutekit import paths

    item = SETTINGS["voice_cache_mb"]
    megabytes = item.default
    if item.env and os.environ.get(item.env):
        try:
            megabytes = item.parse(os.environ[item.env])
        except ValueError as exc:
            raise InputError(f"{item.env}: {exc}") from None
    else:
        megabytes = load(paths.config_path()).get("voice_cache_mb", megabytes)
    return int(megabytes) * 1024 * 1024
