"""How each preference's value is read and checked (see :mod:`glutekit.config`, which lists the preferences).

Each parser takes a value as the config file or an environment variable gives it and
returns it checked, or raises ``ValueError`` with what was expected and what came.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Parse = Callable[[Any], Any]


def got(raw: Any) -> str:
    """A value as it reads in a message: TOML's dates, tables and lists in words."""
    import datetime

    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, datetime.datetime):
        return f"a date and time ({raw.isoformat()})"
    if isinstance(raw, datetime.date):
        return f"a date ({raw.isoformat()})"
    if isinstance(raw, datetime.time):
        return f"a time of day ({raw.isoformat()})"
    if isinstance(raw, dict):
        return "a table"
    if isinstance(raw, list):
        return f"a list ({short(repr(raw))})"
    if isinstance(raw, (int, float)):
        return short(repr(raw))
    return short(repr(raw))


def short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def text(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(f"must be a non-empty text, got {got(raw)}")
    return raw.strip()


def number(kind: type, low: float, high: float, unit: str) -> Parse:
    whole = kind is int

    def parse(raw: Any) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise ValueError(f"must be {unit} from {low:g} to {high:g}, got {got(raw)}")
        if whole and isinstance(raw, float) and not raw.is_integer():
            # Never cut 150.7 down to 150 without a word.
            raise ValueError(f"must be whole {unit} from {low:g} to {high:g}, got {got(raw)}")
        try:
            value = kind(raw)
        except (TypeError, ValueError, OverflowError):  # int(inf) overflows
            raise ValueError(f"must be {unit}, got {got(raw)}") from None
        if not low <= value <= high:
            raise ValueError(f"must be {unit} from {low:g} to {high:g}, got {got(raw)}")
        return value

    return parse


def choice(*names: str) -> Parse:
    def parse(raw: Any) -> str:
        if not isinstance(raw, str) or raw not in names:
            raise ValueError(f"must be one of {', '.join(names)}, got {got(raw)}")
        return str(raw)

    return parse


def flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower() if isinstance(raw, (str, int)) else ""
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {got(raw)}")


def backend_name(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip() or any(c.isspace() for c in raw.strip()):
        raise ValueError(f"must be the name of a speech backend, such as auto, got {got(raw)}")
    return raw.strip().lower()


def names(raw: Any) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError(f"must be a list of names, such as console,voice (got {got(raw)})")
    names = [i.strip() for i in items if i.strip()]
    if not names:
        raise ValueError("must name at least one output")
    return names


def breath_pace(raw: Any) -> str:
    """``"4/6"``, checked and kept as text: the option it feeds parses it again."""
    from glutekit.model import BreathPace

    if not isinstance(raw, str):
        raise ValueError(f"must be seconds in and out as IN/OUT, such as 4/6, got {got(raw)}")
    pace = BreathPace.parse(raw)
    return f"{pace.inhale:g}/{pace.exhale:g}"
