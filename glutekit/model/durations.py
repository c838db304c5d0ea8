"""Durations as routines write them: whole seconds or strings like ``1m30s``."""

from __future__ import annotations

import re
from functools import lru_cache

_PATTERN = re.compile(r"^(?=\d)(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(value: int | float | str) -> int:
    """Return whole seconds for ``45``, ``"45s"``, ``"2m"`` or ``"1m30s"``.

    :raises ValueError: for anything else, including negative numbers.
    """
    if isinstance(value, str):
        return _parse_text(value)
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON Schema's "integer" admits 30.0
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"a duration cannot be negative: {value}")
        return value
    raise ValueError(_bad(value))


@lru_cache(maxsize=4096)  # a large catalog repeats a handful of durations many times
def _parse_text(value: str) -> int:
    match = _PATTERN.match(value.strip())
    if match is None:
        raise ValueError(_bad(value))
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _bad(value: object) -> str:
    return f"not a duration: {value!r} (use whole seconds, or '45s', '2m', '1m30s')"


def format_seconds(seconds: float) -> str:
    """``30`` -> ``30 s``, ``90`` -> ``1 min 30 s``, ``300`` -> ``5 min``."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def clock(seconds: float) -> str:
    """``mm:ss`` (or ``h:mm:ss`` past an hour) for transcripts and displays."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"
