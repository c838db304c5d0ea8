"""The words of schema problems: what a validation error says, kept to one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

#: Longer names and messages are shortened in the middle, so each problem stays one line.
MAX_SHOWN = 300


def leaves(error: Any) -> Iterator[Any]:
    """For oneOf/anyOf failures, report the branch that came closest."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        from jsonschema.exceptions import best_match

        best = best_match(error.context)
        # A branch that failed on its own type says nothing useful: keep the summary.
        if best is not None and best.validator not in ("type", "required", "not"):
            yield from leaves(best)
            return
    yield error


def pointer_of(path: Any) -> str:
    """The JSON pointer to ``path`` (a validation error's path in the document)."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else ""


def describe(error: Any) -> str:
    """One validation error in words, naming the fields and values it is about."""
    validator = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    if validator == "additionalProperties":
        extra = sorted(set(instance) - set(schema.get("properties", {})))
        allowed = ", ".join(sorted(schema.get("properties", {})))
        return f"unknown field {', '.join(repr(e) for e in extra)} (allowed: {allowed})"
    if validator == "required":
        return f"{error.message} (required fields: {', '.join(error.validator_value)})"
    if validator == "enum":
        options = ", ".join(json.dumps(v) for v in error.validator_value)
        return f"{_short(instance)} is not one of the allowed values ({options})"
    if validator in ("maxItems", "maxLength"):
        return size_message(validator, instance, error.validator_value)
    if validator == "pattern" and isinstance(instance, str):
        control = next((c for c in instance if ord(c) < 32 or ord(c) == 127), None)
        if control is not None:
            return f"contains a control character (U+{ord(control):04X}); use plain text"
    if (
        validator == "pattern"
        and isinstance(instance, str)
        and ("{" in instance or "}" in instance)
    ):
        from glutekit.model.sides import PLACEHOLDERS, unknown_placeholders

        bad = unknown_placeholders(instance) or ["{"]
        known = ", ".join(PLACEHOLDERS)
        return f"unknown placeholder {bad[0]!r} in {_short(instance)} (known: {known})"
    if validator == "pattern":
        hint = schema.get("description", "")
        return f"{_short(instance)} has the wrong form" + (f" ({hint})" if hint else "")
    if validator in ("oneOf", "anyOf"):
        hint = schema.get("description")
        return f"{_short(instance)} is not valid here" + (f" (expected: {hint})" if hint else "")
    if validator == "not":
        return _not_message(instance, error.validator_value)
    message = str(error.message)
    return message if len(message) < 240 else message[:237] + "..."


def _not_message(instance: Any, forbidden: Any) -> str:
    """In words, for a value that matched what the schema rules out.

    The formats rule out combinations of fields ("not": {"anyOf": [{"required": [a, b]},
    …]}): name the fields given together, and the fields of which only one may be given
    (those that each rule out all the others; a dose's ``breath`` pace goes with
    ``breaths`` but not with ``hold``, so it is not one of hold, breaths and reps).
    """
    branches = forbidden.get("anyOf", [forbidden]) if isinstance(forbidden, dict) else []
    pairs = [
        tuple(branch["required"])
        for branch in branches
        if isinstance(branch, dict) and isinstance(branch.get("required"), list)
    ]
    fields = list(dict.fromkeys(field for pair in pairs for field in pair))
    clash = [
        pair for pair in pairs if isinstance(instance, dict) and all(f in instance for f in pair)
    ]
    if not clash:
        return f"{_short(instance)} is not allowed here"
    given = list(dict.fromkeys(field for pair in clash for field in pair))

    def excludes(a: str, b: str) -> bool:
        return any(set(pair) >= {a, b} for pair in pairs)

    only_one = list(given)
    for field in fields:
        if field not in only_one and all(excludes(field, other) for other in only_one):
            only_one.append(field)
    only_one.sort(key=fields.index)
    if all(excludes(a, b) for a in only_one for b in only_one if a != b):
        return f"give only one of {', '.join(only_one)}, not {' and '.join(given)} together"
    return f"{' and '.join(given)} cannot be given together"


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """``text``, or its start and end around an ellipsis when longer than ``limit``."""
    if len(text) <= limit:
        return text
    keep = (limit - 1) // 2
    return f"{text[:keep]}…{text[-keep:]}"


def printable(text: str) -> str:
    """Control characters (a key may hold a newline) escaped, so a problem stays one line."""
    if not any(ord(c) < 32 or ord(c) == 127 for c in text):
        return text
    return json.dumps(text, ensure_ascii=False)[1:-1]


def size_message(validator: str, instance: Any, limit: int) -> str:
    """A list or text over its limit, in words."""
    # The default message quotes the whole value: 10,000 steps make one unreadable line.
    if validator == "maxItems":
        return f"has {len(instance)} items; at most {limit} allowed"
    return f"is {len(instance)} characters long; at most {limit} allowed"


def _short(value: Any) -> str:
    text: str = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
