"""Rules every text in a routine or pack obeys, whatever its schema says.

They run on the parsed document (not in the schemas), so every text field, today's and
any added later, gets them: no control characters (C0, DEL, C1), which could move a
terminal's cursor, change its colours or break a line in a message, and no lone
surrogates, which cannot be encoded to UTF-8 and would fail every later step.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any


@functools.cache
def _bad() -> re.Pattern[str]:
    """The characters refused, compiled on first use (the surrogates' range makes the
    pattern slow to compile, and most commands never check a text)."""
    return re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


#: Stop after this many: a file of 60,000 bad texts gets a short answer.
MAX_TEXT_PROBLEMS = 20


def describe(text: str) -> str | None:
    """Why ``text`` is refused, or None when it is fine."""
    found = _bad().search(text)
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        return f"contains a lone surrogate (U+{code:04X}), which is not text; use plain text"
    return f"contains a control character (U+{code:04X}); use plain text"


# In JSON source, every character the rules refuse is either written raw (DEL, C1) or
# escaped (``\n``, ``\u001b``, ``\ud800``): a control character cannot be raw in a JSON
# string. Escaped backslashes are matched as pairs first, so ``\\n`` (a backslash and
# an "n") is not taken for a newline.
# Raw tab, line feed and carriage return are only whitespace between JSON tokens (a
# JSON string cannot hold them raw), so they do not count.
#: The bytes of a raw C0 control (but tab, line feed and carriage return) or DEL.
_RAW_BAD = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
#: Every other byte: what :meth:`bytes.translate` deletes to leave only those.
_RAW_FINE = bytes(b for b in range(256) if b not in _RAW_BAD)


@functools.cache
def _source_patterns() -> tuple[re.Pattern[bytes], re.Pattern[str]]:
    """Compiled when a source is first checked: commands that only print need neither."""
    # C1 controls (U+0080 to U+009F) in UTF-8: C2 followed by 80 to 9F.
    c1 = re.compile(b"\xc2[\x80-\x9f]")
    escapes = re.compile(
        r"(\\\\)|\\(?:[bfnrt]|u00[0-1][0-9a-fA-F]|u007[fF]|u00[89][0-9a-fA-F]"
        r"|u[dD][89a-fA-F][0-9a-fA-F]{2})"
    )
    return c1, escapes


def source_may_have_bad_text(source: str) -> bool:
    """False when the JSON source of a document certainly holds no refused character.

    A scan of the file's text in C, instead of walking every parsed string: a pack of
    100,000 exercises (46 MB) is checked in about 30 ms. True only means "walk to find
    out" (an escaped surrogate pair, say, is fine).
    """
    c1, escapes = _source_patterns()
    try:
        # ASCII text encodes by a copy; the byte scans below are several times as fast
        # as a regular expression over the text.
        raw = source.encode("utf-8")
    except UnicodeEncodeError:  # a raw lone surrogate
        return True
    if raw.translate(None, _RAW_FINE):  # a raw C0 control or DEL is left
        return True
    if not source.isascii() and c1.search(raw) is not None:
        return True
    if "\\" not in source:
        return False
    return any(m.group(1) is None for m in escapes.finditer(source))


def text_problems(data: Any) -> Iterator[tuple[str, str]]:
    """``(JSON pointer, message)`` for each bad text (keys included), at most a bounded number."""
    count = 0
    stack: list[tuple[str, Any]] = [("", data)]
    while stack and count < MAX_TEXT_PROBLEMS:
        pointer, value = stack.pop()
        if isinstance(value, str):
            why = describe(value)
            if why is not None:
                count += 1
                yield pointer, why
        elif isinstance(value, dict):
            items = list(value.items())
            for key, item in reversed(items):
                child = f"{pointer}/{_escape(str(key))}"
                why = describe(str(key))
                if why is not None:
                    count += 1
                    yield child, f"the field name {why.removeprefix('contains ')}"
                    continue
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{pointer}/{i}", item) for i, item in reversed(list(enumerate(value))))


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def safe(text: str) -> str:
    """``text`` with control characters and lone surrogates shown as ``\\uXXXX`` escapes.

    For anything printed that came from outside (a file name, a plugin's message).
    """
    bad = _bad()
    if bad.search(text) is None:
        return text
    return bad.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
