"""Word accuracy of spoken cues, scored by an offline recogniser (pocketsphinx, en-us).

Used by the tests and by ``benchmarks/voice.py``. Each clip is resampled to 16 kHz
and decoded with pocketsphinx's bundled model; the words heard are aligned with the
words meant (numbers spelled out), and accuracy is 1 - (substitutions + deletions +
insertions) / words meant, over all clips together.
"""

from __future__ import annotations

import re
import wave
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + ("" if ones == 0 else " " + _ONES[ones])
    hundreds, rest = divmod(n, 100)
    return _ONES[hundreds] + " hundred" + ("" if rest == 0 else " " + number_words(rest))


def words(text: str) -> list[str]:
    """Lower-case words, numbers spelled out, punctuation dropped."""
    text = re.sub(r"\d+", lambda m: f" {number_words(int(m.group()))} ", text.lower())
    return re.findall(r"[a-z']+", text.replace("-", " "))


def errors(meant: list[str], heard: list[str]) -> int:
    """Word edit distance (substitutions, deletions and insertions)."""
    previous = list(range(len(heard) + 1))
    for i, word in enumerate(meant, 1):
        current = [i]
        for j, other in enumerate(heard, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other))
            )
        previous = current
    return previous[-1]


#: A bounded search: one pass (no second "flat" pass, no best-path rescoring) and at most
#: 3,000 active HMMs a frame. On the 24 quick-five cues the accuracy test scores, it heard
#: Piper at 0.682 and espeak-ng at 0.104 (0.672 and 0.109 with the defaults) in 17 CPU
#: seconds instead of 30: an unclear voice no longer spreads the search over the whole
#: dictionary.
BOUNDED = {"fwdflat": False, "bestpath": False, "maxhmmpf": 3000}


class Recogniser:
    def __init__(self, *, bounded: bool = False) -> None:
        from pocketsphinx import Decoder

        self._decoder: Any = Decoder(
            samprate=16000, loglevel="FATAL", **(BOUNDED if bounded else {})
        )

    def hear(self, path: Path) -> str:
        import numpy as np

        with wave.open(str(path), "rb") as handle:
            rate = handle.getframerate()
            audio = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
        count = int(len(audio) * 16000 / rate)
        resampled = np.interp(np.arange(count) * rate / 16000, np.arange(len(audio)), audio)
        # A little silence around the clip, as a recogniser expects speech to start and end.
        pad = np.zeros(4000)
        samples = np.concatenate([pad, resampled, pad]).astype("<i2")
        self._decoder.start_utt()
        self._decoder.process_raw(samples.tobytes(), full_utt=True)
        self._decoder.end_utt()
        hypothesis = self._decoder.hyp()
        return hypothesis.hypstr if hypothesis is not None else ""


class RememberingRecogniser(Recogniser):
    """A recogniser that decodes each file once and gives what it heard again when asked
    again, for a test that scores one clip against several texts or prints what it heard
    after scoring it. Decoding is deterministic: the same samples give the same words,
    whatever was decoded before. A file rewritten since (another size or time) is
    decoded again."""

    def __init__(self, *, bounded: bool = False) -> None:
        super().__init__(bounded=bounded)
        self._heard: dict[tuple[Path, int, int], str] = {}

    def hear(self, path: Path) -> str:
        stat = Path(path).stat()
        key = (Path(path).resolve(), stat.st_size, stat.st_mtime_ns)
        if key not in self._heard:
            self._heard[key] = super().hear(path)
        return self._heard[key]


def word_accuracy(clips: Iterable[tuple[str, Path]], recogniser: Recogniser | None = None) -> float:
    """Accuracy over every ``(text, wav)`` clip, in [0, 1]."""
    recogniser = recogniser or Recogniser()
    total = wrong = 0
    for text, path in clips:
        meant = words(text)
        total += len(meant)
        wrong += errors(meant, words(recogniser.hear(path)))
    return max(0.0, 1.0 - wrong / total) if total else 0.0
