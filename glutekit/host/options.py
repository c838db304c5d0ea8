"""Options that plugins declare (``glutekit_options``): checked once, then read and checked.

A declaration that cannot work (a name that is not a word, a type glutekit does not
know, a default outside its own range, a command that takes no plugin options) is
reported once, naming the plugin, and left out; so is an option whose name a command
already uses for one of its own. What is left is each command's list of
``(plugin, OptionSpec)``, from which the command line is built (:mod:`glutekit.cli.plugin_options`).
:func:`parse` checks one value against its declaration, whatever it came from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from typing import Any

from glutekit.host.offers import OPTIONS
from glutekit.host.plugins import PluginHost, disable_hint
from glutekit.interfaces import OPTION_COMMANDS, OptionSpec

_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*\Z")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TYPES = ("int", "float", "text", "choice", "flag")


def for_command(
    host: PluginHost, command: str, taken: Collection[str]
) -> list[tuple[str, OptionSpec]]:
    """The plugin options ``command`` takes, as ``(plugin, spec)``, in the plugins' order.

    :param taken: the option strings (``--voice``) and parameter names (``voice``) the
        command has of its own; a plugin option that would take one is reported and left out.
    """
    seen_key = f"glutekit_options:{command}"
    kept = host.offers_seen.get(seen_key)
    if kept is None:
        kept = host.offers_seen[seen_key] = _checked_for(host, command, set(taken))
    return list(kept)


def _checked_for(host: PluginHost, command: str, taken: set[str]) -> list[tuple[str, OptionSpec]]:
    found = []
    for plugin, spec in usable(host):
        if command not in spec.commands:
            continue
        names = {f"--{spec.name}", spec.key}
        if spec.type == "flag":
            names.add(f"--no-{spec.name}")
        if names & taken:
            host.report(
                f"plugin '{plugin}' adds an option --{spec.name} to '{command}', which has "
                f"one of that name; the plugin's is ignored ({disable_hint(plugin)})"
            )
            continue
        found.append((plugin, spec))
    return found


def usable(host: PluginHost) -> list[tuple[str, OptionSpec]]:
    """Every declared option that can work, as ``(plugin, spec)``; the others reported once."""
    kept = host.offers_seen.get("glutekit_options:usable")
    if kept is None:
        kept = []
        for name, (plugin, spec) in OPTIONS.offered(host).items():
            wrong = problem(spec)
            if wrong is None:
                kept.append((plugin, spec))
            else:
                host.report(
                    f"plugin '{plugin}' declares an option '{name}' that cannot work: {wrong}; "
                    f"ignored ({disable_hint(plugin)})"
                )
        host.offers_seen["glutekit_options:usable"] = kept
    return list(kept)


def problem(spec: OptionSpec) -> str | None:
    """What makes a declaration unusable, in words; None when it is sound."""
    if not _NAME.match(spec.name):
        return "its name must be lower-case words joined by dashes, such as 'pitch'"
    if spec.type not in _TYPES:
        return f"its type {spec.type!r} is not one of {', '.join(_TYPES)}"
    if spec.type == "choice" and not (
        spec.choices and all(isinstance(c, str) and c for c in spec.choices)
    ):
        return "a choice needs its choices, as texts"
    if not spec.commands or any(c not in OPTION_COMMANDS for c in spec.commands):
        return f"its commands must be among {', '.join(OPTION_COMMANDS)}"
    if spec.env is not None and not _VARIABLE.match(spec.env):
        return f"{spec.env!r} is not the name of an environment variable"
    if not isinstance(spec.help, str) or not spec.help.strip():
        return "it has no help"
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None and low > high:
        return f"its minimum {low:g} is above its maximum {high:g}"
    if spec.default is not None:
        try:
            parse(spec, spec.default)
        except ValueError as exc:
            return f"its default {exc}"
    return None


def parse(spec: OptionSpec, raw: Any) -> Any:
    """``raw`` (a text from the command line or a variable, or a value) as the spec says.

    :raises ValueError: what the value must be, and what it was, in words.
    """
    if spec.type == "flag":
        return _flag(raw)
    if spec.type == "choice":
        text = str(raw).strip()
        if text not in spec.choices:
            raise ValueError(f"must be one of {', '.join(spec.choices)}, got {raw!r}")
        return text
    if spec.type == "text":
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError(f"must be a non-empty text, got {raw!r}")
        return raw.strip()
    return _number(spec, raw)


def _number(spec: OptionSpec, raw: Any) -> int | float:
    whole = spec.type == "int"
    wanted = ("a whole number" if whole else "a number") + range_text(spec, prefix=" ")
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ValueError(f"must be {wanted}, got {raw!r}")
    try:
        value: int | float = float(raw)
    except ValueError:
        raise ValueError(f"must be {wanted}, got {raw!r}") from None
    if not math.isfinite(value) or (whole and not float(value).is_integer()):
        raise ValueError(f"must be {wanted}, got {raw!r}")
    if whole:
        value = int(value)
    low, high = spec.minimum, spec.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"must be {wanted}, got {raw!r}")
    return value


def range_text(spec: OptionSpec, *, prefix: str = "") -> str:
    """``from -100 to 100``, ``from 0``, ``up to 3`` or nothing, for messages and help."""
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None:
        return f"{prefix}from {low:g} to {high:g}"
    if low is not None:
        return f"{prefix}from {low:g}"
    if high is not None:
        return f"{prefix}up to {high:g}"
    return ""


def _flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"must be true or false, got {raw!r}")
