"""Lasting preferences in a TOML file: voice, rate, volume, paper, outputs, cache size.

Precedence, highest first: a command-line option, its environment variable, the
config file, the built-in default. The CLI hands the file's values to click as
each command's ``default_map``, which click consults after the option and the
environment variable, so the order holds for every command without extra code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from glutekit.config import values as parsers
from glutekit.config.values import Parse
from glutekit.errors import InputError
from glutekit.model.records import record


class Setting(NamedTuple):
    """One preference: how it is checked, its variable, and which options it sets.

    A tuple: every command makes these at import, and a record's ``__init__`` is
    compiled the first time one is made."""

    key: str
    help: str
    parse: Parse
    default: Any = None
    env: str | None = None
    #: (command, parameter) pairs whose default this setting provides.
    targets: tuple[tuple[str, str], ...] = ()


_SPEAKING = ("run", "export", "transcript")
#: Speech settings: their variables are checked by the commands that speak, when they do.
SPEECH_KEYS = ("voice", "rate", "volume", "voice_backend", "music_duck")

SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            key="voice",
            help="voice id, name or language code (see 'glutekit voices')",
            parse=parsers.text,
            env="GLUTEKIT_VOICE",
            targets=tuple((c, "voice") for c in _SPEAKING),
        ),
        Setting(
            key="rate",
            help="speaking rate in words per minute",
            parse=parsers.number(int, 80, 450, "words per minute"),
            default=165,
            env="GLUTEKIT_RATE",
            targets=tuple((c, "rate") for c in _SPEAKING),
        ),
        Setting(
            key="volume",
            help="speech volume",
            parse=parsers.number(float, 0, 1, "a number"),
            default=1.0,
            env="GLUTEKIT_VOLUME",
            targets=tuple((c, "volume") for c in _SPEAKING),
        ),
        Setting(
            key="voice_backend",
            help="speech engine",
            # Plugins add backends: the plugin that speaks checks the name when it speaks.
            parse=parsers.backend_name,
            default="auto",
            env="GLUTEKIT_VOICE_BACKEND",
            targets=(*((c, "voice_backend") for c in _SPEAKING), ("voices", "backend")),
        ),
        Setting(
            key="music_duck",
            help="how far music (--music) dips while the coach speaks, in dB",
            parse=parsers.number(float, 0, 40, "a number of dB"),
            default=12.0,
            env="GLUTEKIT_MUSIC_DUCK",
            targets=(("run", "music_duck"), ("export", "music_duck")),
        ),
        Setting(
            key="paper",
            help="paper size for printouts",
            parse=parsers.choice("a4", "letter"),
            default="a4",
            targets=(("export", "paper"),),
        ),
        Setting(
            key="first_side",
            help="side each per-side exercise starts on (default: the routine's order)",
            parse=parsers.choice("left", "right"),
            targets=tuple((c, "first_side") for c in _SPEAKING),
        ),
        Setting(
            key="breath_pace",
            help='seconds in and out of each counted breath, such as "4/6" (default: '
            "the routine's pace, else 4/6)",
            parse=parsers.breath_pace,
            env="GLUTEKIT_BREATH_PACE",
            targets=tuple((c, "breath_pace") for c in _SPEAKING),
        ),
        Setting(
            key="output",
            help="what 'glutekit run' plays to (e.g. console,voice)",
            parse=parsers.names,
            targets=(("run", "outputs"),),
        ),
        Setting(
            key="listen",
            help="hands-free voice commands in 'glutekit run' (\"coach, pause\"), as --listen",
            parse=parsers.flag,
            default=False,
            targets=(("run", "listen"),),
        ),
        Setting(
            key="voice_cache_mb",
            help="largest size of the voice cache; the least recently used cues go first",
            parse=parsers.number(int, 1, 100_000, "megabytes"),
            default=200,
            env="GLUTEKIT_VOICE_CACHE_MB",
        ),
    )
}


def _unknown(key: str) -> InputError:
    from glutekit.errors import suggest

    return InputError(
        f"unknown setting '{key}'{suggest(key, SETTINGS)} (settings: {', '.join(SETTINGS)})"
    )


def setting(key: str) -> Setting:
    found = SETTINGS.get(key.replace("-", "_"))
    if found is None:
        raise _unknown(key)
    return found


@record(frozen=True, kw_only=True)
class Loaded:
    """A config file read as far as it can be: for the commands that fix it."""

    #: The settings that are good.
    values: dict[str, Any]
    #: What is wrong, by setting (None for the file as a whole), one line each.
    problems: dict[str | None, str]
    #: Every key the file has, good or bad.
    keys: frozenset[str]

    @property
    def readable(self) -> bool:
        """Whether the file is TOML at all (so it can be edited setting by setting)."""
        return None not in self.problems


def read(path: Path) -> Loaded:
    """The file's settings, the good ones kept and each problem named, without raising.

    ``glutekit config`` uses this so that it keeps working on a broken file. A config
    folder that is not a folder (``/dev/null``, a file) holds no file; a file that
    cannot be read (a symbolic link loop, a folder) or nests too deeply is a problem of
    the file as a whole.
    """
    from glutekit.files import read_bounded

    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return Loaded(values={}, problems={}, keys=frozenset())
    except OSError:
        pass  # read_bounded says why in one line
    try:
        raw = read_bounded(path, f"{path} (the config file)", limit=1024 * 1024)
    except InputError as exc:
        return Loaded(values={}, problems={None: str(exc)}, keys=frozenset())
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return Loaded(
            values={}, problems={None: f"{path}: not a valid TOML file: {exc}"}, keys=frozenset()
        )
    except RecursionError:
        deep = f"{path}: not a valid TOML file: nested too deeply (no setting nests at all)"
        return Loaded(values={}, problems={None: deep}, keys=frozenset())
    values: dict[str, Any] = {}
    problems: dict[str | None, str] = {}
    for key, value in data.items():
        if key not in SETTINGS:
            problems[key] = f"{path}: {_unknown(key)}"
            continue
        try:
            values[key] = SETTINGS[key].parse(value)
        except ValueError as exc:
            problems[key] = f"{path}: {key}: {exc}"
    return Loaded(values=values, problems=problems, keys=frozenset(data))


def load(path: Path) -> dict[str, Any]:
    """The file's settings, checked; an empty dict when there is no file.

    :raises InputError: a file that is not TOML, an unknown key or a bad value,
        in one line naming the file (and the key).
    """
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return {}  # no file, as read() decides it, without making its record
    except OSError:
        pass  # read() says why
    loaded = read(path)
    for key, problem in loaded.problems.items():
        raise InputError(problem + fix_hint(key))
    return loaded.values


def fix_hint(key: str | None) -> str:
    """How to mend one problem of the config file with ``glutekit config`` itself."""
    if key is None:
        return (
            " (fix it in a text editor, or move it away; 'glutekit config path' shows where it is)"
        )
    return f" ('glutekit config unset {key}' removes it" + (
        f", 'glutekit config set {key} VALUE' replaces it)" if key in SETTINGS else ")"
    )


def default_map(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """click's ``default_map``: command -> parameter -> the file's value."""
    result: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        for command, param in SETTINGS[key].targets:
            result.setdefault(command, {})[param] = value
    return result


@record(frozen=True, kw_only=True)
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
    check_environment(env, lenient=lenient)
    found = []
    for key, item in SETTINGS.items():
        if key in lenient and item.env and env.get(item.env):
            found.append(
                Effective(key=key, value=env[item.env], source=f"environment ({item.env})")
            )
        elif item.env and env.get(item.env):
            value = item.parse(env[item.env])  # checked above
            found.append(Effective(key=key, value=value, source=f"environment ({item.env})"))
        elif key in values:
            found.append(Effective(key=key, value=values[key], source=f"config file ({path})"))
        else:
            found.append(Effective(key=key, value=item.default, source="default"))
    return found


def check_environment(
    env: Mapping[str, str] | None = None, *, lenient: Collection[str] = ()
) -> None:
    """Raise :class:`InputError` for the first ``GLUTEKIT_*`` setting variable with a bad value.

    :param lenient: settings whose variable is not checked here (see :func:`effective`).
    """
    env = os.environ if env is None else env
    for key, item in SETTINGS.items():
        if key not in lenient and item.env and env.get(item.env):
            try:
                item.parse(env[item.env])
            except ValueError as exc:
                raise InputError(f"{item.env}: {exc}") from None


#: The first line of a config file glutekit creates.
HEADER = "# glutekit preferences: see 'glutekit config list' and docs/config.md\n"


def write_setting(path: Path, key: str, value: Any | None) -> None:
    """Set (or with None remove) one key; every other line, comment and layout stays.

    The file is edited as a TOML document (tomlkit), never line by line, so a value
    that spans lines is replaced whole, and text inside a string is never taken for a
    key. The new file replaces the old one atomically.

    :raises GlutekitError: when the config file or its folder cannot be written,
        in one line naming them.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    from glutekit.atomic import write_text
    from glutekit.errors import GlutekitError
    from glutekit.files import read_bounded

    try:
        os.stat(path)
        text = read_bounded(path, f"{path} (the config file)", limit=1024 * 1024).decode("utf-8")
    except (FileNotFoundError, NotADirectoryError):
        text = HEADER
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not a valid TOML file: {exc}") from None
    except OSError:
        text = read_bounded(path, f"{path} (the config file)").decode("utf-8")  # raises
    try:
        document = tomlkit.parse(text)
    except (TOMLKitError, RecursionError) as exc:
        raise InputError(f"{path}: not a valid TOML file: {exc}") from None
    if value is None:
        document.pop(key, None)
    else:
        document[key] = value
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise GlutekitError(
            f"cannot write the config file {path}: {_not_a_folder(folder)} is not a folder"
        ) from None
    except OSError as exc:
        raise GlutekitError(
            f"cannot write the config file {path}: cannot make {folder}: {exc.strerror or exc}"
        ) from None
    write_text(path, tomlkit.dumps(document))


def _not_a_folder(folder: Path) -> Path:
    """The first of ``folder`` and its parents that exists but is not a folder."""
    for place in (*reversed(folder.parents), folder):
        if place.exists() and not place.is_dir():
            return place
    return folder


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
