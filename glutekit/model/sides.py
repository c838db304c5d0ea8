"""Side placeholders: words in a per-side exercise that are filled in for each side.

A pack writes ``{side}`` for the working side ("right" when the right side is being
worked) and ``{other}`` for the opposite one; ``{Side}`` and ``{Other}`` start with a
capital. The same text then reads correctly for right-first, left-first and
single-side routines.
"""

from __future__ import annotations

import re

from glutekit.model import Side

#: Every placeholder a text may use.
PLACEHOLDERS: tuple[str, ...] = ("{side}", "{other}", "{Side}", "{Other}")

_BRACED = re.compile(r"\{[^{}]*\}?|\}")
#: Whole words that name a side; a per-side exercise should use placeholders instead.
_HARD_CODED = re.compile(r"(?<!all )\b(left|right)\b(?! (?:angles?|away|now)\b)", re.IGNORECASE)


#: A side word and the word it qualifies: "left knee", "right side", "left foot".
_SIDE_PHRASE = re.compile(
    r"(?<!all )\b(left|right) (?!(?:angles?|away|now)\b)([a-z]+)\b", re.IGNORECASE
)
#: "left side" / "right side": the phrase that means two things in a per-side exercise
#: (the side that works, the side one lies on).
_SIDE_SIDE = re.compile(r"\b(left|right) side\b", re.IGNORECASE)


def side_phrases(text: str) -> set[str]:
    """The side-specific phrases of a line, lower case: {"left ankle", "right knee"}."""
    return {f"{m.group(1)} {m.group(2)}".lower() for m in _SIDE_PHRASE.finditer(text)}


def mirrored(phrase: str) -> str:
    """ "left knee" -> "right knee" and back."""
    side, _, rest = phrase.partition(" ")
    return f"{other_side('left' if side == 'left' else 'right')} {rest}"


def sides_named_side(text: str) -> set[str]:
    """Which of "left side" and "right side" a line says: both is two meanings of "side"."""
    return {m.group(1).lower() for m in _SIDE_SIDE.finditer(text)}


def missing_on_side(templates: list[str], side: Side, said: list[str]) -> list[str]:
    """Set-up lines, filled for ``side``, whose side-specific phrases ``said`` lacks.

    A second side must hear every side-specific instruction the first side heard
    (which way the knees drop, which foot supports): what its switch lines already
    say is not repeated.
    """
    heard = set().union(*(side_phrases(text) for text in said)) if said else set()
    lines = []
    for template in templates:
        if not uses_placeholders(template):
            continue
        text = fill(template, side)
        need = side_phrases(text)
        if need and not need <= heard:
            lines.append(text)
            heard |= need
    return lines


def other_side(side: Side) -> Side:
    return "left" if side == "right" else "right"


def fill(text: str, side: Side | None) -> str:
    """``text`` with the placeholders filled for ``side``.

    Without a side (an exercise done once, not per side) the placeholders read as
    "working" and "other", which keeps the sentence readable.
    """
    if "{" not in text:
        return text
    working = side or "working"
    other = other_side(side) if side else "other"
    return (
        text.replace("{side}", working)
        .replace("{other}", other)
        .replace("{Side}", working.capitalize())
        .replace("{Other}", other.capitalize())
    )


def unknown_placeholders(text: str) -> list[str]:
    """Braced words in ``text`` that are not placeholders, and stray braces."""
    return [m.group(0) for m in _BRACED.finditer(text) if m.group(0) not in PLACEHOLDERS]


def uses_placeholders(text: str) -> bool:
    # Most texts have no brace at all: one scan answers for them.
    return "{" in text and any(p in text for p in PLACEHOLDERS)


def hard_coded_sides(text: str) -> list[str]:
    """The words "left" and "right" written out in ``text`` (placeholders aside)."""
    return [m.group(1).lower() for m in _HARD_CODED.finditer(text)]
