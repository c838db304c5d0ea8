"""How long words take to say: measured by a voice, or estimated from the words.

The timeline is always laid out around speech. A voice that renders every cue
gives the real lengths; without one (a text session, a printed sheet, a listing)
the lengths are estimated from the words, so a reader gets about as long as a
listener would. The estimate follows the default voice (Piper's US English
"joe" voice): about 0.045 s per letter and 0.4 s at each punctuation mark;
espeak-ng, the fallback, is about 10% slower.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_PAUSE = re.compile(r"[.,;:!?…]")
# Fitted to the default voice's real lengths for every line of the ready-made routines.
_PER_CHARACTER = 0.0434
_PER_PAUSE = 0.42
_BASE = -0.13
_SHORTEST = 0.35


def estimate_seconds(text: str) -> float:
    """Seconds the default voice takes to say ``text``, estimated from its words."""
    words = text.strip()
    if not words:
        return 0.0
    seconds = _BASE + _PER_CHARACTER * len(words) + _PER_PAUSE * len(_PAUSE.findall(words))
    return round(max(seconds, _SHORTEST), 3)


class SpeechLengths:
    """Seconds for each text: the measured length when there is one, else the estimate."""

    def __init__(self, measured: Mapping[str, float] | None = None) -> None:
        self.measured = dict(measured or {})

    def __call__(self, text: str) -> float:
        seconds = self.measured.get(text)
        return float(seconds) if seconds is not None else estimate_seconds(text)
