"""The recogniser: 16 kHz mono 16-bit audio in, spotted commands out (pocketsphinx).

Pure of devices and threads: whoever has audio (a microphone, a file, a test) calls
:meth:`Recogniser.feed` with frames and whether the coach is speaking during them,
and gets back the commands heard, each with its times in the audio and a score.

How a command is spotted: a voice-activity detector (pocketsphinx's) splits the audio
into stretches of speech; only those reach the decoder, each as one utterance. That
keeps the decoder's running estimate of the channel (its cepstral mean) fitted to
speech: fed minutes of room noise, it drifts to the noise and then mishears the next
command. Each stretch starts again from the model's own estimate. The stretch starts with the audio just before the speech began, so the first
sound of the wake word is kept, and ends after ``hangover`` seconds of non-speech.

Each utterance is decoded against a small language model
(:func:`glutekit_listen.grammar.language_model`) in which every stretch is either
ordinary words or the wake word followed by a command. When the partial result holds
a command that ended ``settle`` seconds ago (or the speech ends), the utterance is
closed, the words' posterior probabilities are read from the lattice, and the command
is accepted when the lowest of them reaches the threshold: ``threshold`` normally,
``strict_threshold`` when the command overlaps the coach's own speech, and
``echo_threshold`` (between the two) when an echo canceller took that speech out. Long stretches
of speech are cut into utterances of ``window`` seconds that overlap by ``overlap``
seconds, so a command said across a cut is still heard whole.
"""

from __future__ import annotations

import tempfile
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from glutekit.model.records import record
from glutekit_listen.grammar import (
    COMMANDS,
    FILLER_WORDS,
    WAKE_WORD,
    Command,
    dictionary,
    find_command,
    language_model,
    token,
)

RATE = 16000
#: pocketsphinx's frames per second.
FRAMES_PER_SECOND = 100
_BYTES = 2
_NOT_WORDS = frozenset({"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]"})


class RecogniserMissing(Exception):
    """pocketsphinx (or its bundled English model) is not there."""


@record(frozen=True, kw_only=True)
class Heard:
    """A command spotted in the audio."""

    command: Command
    #: Seconds from the start of the audio fed: where the wake word starts …
    start: float
    #: … and where the command's last word ends.
    end: float
    #: Seconds of audio fed when the command was accepted (``decided - end`` is the wait).
    decided: float
    #: Lowest posterior probability of the wake word and the command, 0 to 1.
    score: float
    #: Whether the command overlapped the coach's speech (the strict threshold applied).
    over_coach: bool


@record(frozen=True, kw_only=True)
class Tuning:
    threshold: float = 0.6
    strict_threshold: float = 0.9
    #: … and when the coach's voice was taken out first (echo cancelling).
    echo_threshold: float = 0.75
    #: Quiet needed after a command before it is taken (seconds).
    settle: float = 0.25
    window: float = 6.0
    overlap: float = 2.0
    wake_log10: float = -1.0
    after_wake_log10: float = -3.0
    #: The coach's speech counts this long after it stops (room echo, device delay).
    coach_tail: float = 0.4
    #: pocketsphinx's noise subtraction in its front end (steady noise: fans, hum, hiss).
    remove_noise: bool = True
    #: How eagerly the voice-activity detector calls a frame speech (0 to 3: 0 is the
    #: most eager, which misses the least of a quiet voice).
    vad_mode: int = 0
    #: Speech starts after this many 30 ms frames of speech in a row …
    onset_frames: int = 2
    #: … and the utterance takes in this much audio from before it (seconds).
    preroll: float = 0.3
    #: Speech ends after this much non-speech (seconds).
    hangover: float = 0.5
    #: Start each stretch of speech from the model's own channel estimate rather than
    #: the last speaker's: a command follows the coach's voice or silence, not itself.
    fresh_channel: bool = True


def _word(raw: str) -> str:
    # pocketsphinx marks alternative pronunciations as "word(2)".
    return raw.split("(", 1)[0]


class Recogniser:
    """Spots "coach <command>" in a stream of audio.

    :param extra_words: words the coach says (the cue texts' words), so its speech
        decodes as those words rather than as a command.
    :raises RecogniserMissing: when pocketsphinx cannot be imported or loaded.
    """

    def __init__(self, *, extra_words: Iterable[str] = (), tuning: Tuning | None = None) -> None:
        self.tuning = tuning or Tuning()
        self._decoder, self._vad = _decoder(extra_words, self.tuning)
        self._frame_bytes: int = self._vad.frame_bytes
        self._frame_samples = self._frame_bytes // _BYTES
        self._pending = bytearray()  # less than a frame, waiting for the rest
        self._preroll: deque[tuple[int, bytes]] = deque(
            maxlen=max(1, round(self.tuning.preroll * RATE / self._frame_samples))
        )
        self._speech_run = 0  # frames of speech in a row before an utterance
        self._quiet = 0  # frames of non-speech in a row inside an utterance
        self._in_utterance = False
        self._fed = 0  # samples fed in all
        self._utterance_start = 0  # sample where the current utterance starts
        self._recent = bytearray()  # audio of the current utterance
        # Sample ranges where the coach speaks, and whether its voice was taken out.
        self._coach: list[tuple[int, int, bool]] = []
        self._last_end = -1
        self._tokens = {token(command) for command in COMMANDS}
        self._first_channel = self._decoder.get_cmn()

    @property
    def seconds(self) -> float:
        """Seconds of audio fed so far."""
        return self._fed / RATE

    def feed(
        self, pcm: bytes, *, coach_speaking: bool = False, coach_removed: bool = False
    ) -> list[Heard]:
        """Decode ``pcm`` (16 kHz mono little-endian int16) and return commands now certain.

        ``coach_speaking``: the coach's voice sounds during ``pcm``; ``coach_removed``:
        and an echo canceller has already taken it out of ``pcm``.
        """
        if not pcm:
            return []
        if coach_speaking:
            start = self._fed + len(self._pending) // _BYTES
            tail = round(self.tuning.coach_tail * RATE)
            self._mark_coach(start, start + len(pcm) // _BYTES + tail, coach_removed)
        self._pending += pcm
        heard: list[Heard] = []
        size = self._frame_bytes
        whole = len(self._pending) - len(self._pending) % size
        for offset in range(0, whole, size):
            heard += self._frame(bytes(self._pending[offset : offset + size]))
        del self._pending[:whole]
        return heard

    def flush(self) -> list[Heard]:
        """End of the audio: decide on whatever is still open."""
        if not self._in_utterance:
            return []
        self._in_utterance = False
        return self._close(go_on=False)

    # ------------------------------------------------------------------ inside

    def _frame(self, frame: bytes) -> list[Heard]:
        speech = bool(self._vad.is_speech(frame))
        at = self._fed
        self._fed += self._frame_samples
        if not self._in_utterance:
            self._preroll.append((at, frame))
            self._speech_run = self._speech_run + 1 if speech else 0
            if self._speech_run >= self.tuning.onset_frames:
                self._begin()
            return []
        self._decoder.process_raw(frame, False, False)
        self._recent += frame
        self._quiet = 0 if speech else self._quiet + 1
        heard = self._check()
        if heard:
            return heard
        if self._quiet * self._frame_samples >= self.tuning.hangover * RATE:
            self._in_utterance = False
            return self._close(go_on=False)
        if self._fed - self._utterance_start > self.tuning.window * RATE:
            self._restart(keep=round(self.tuning.overlap * RATE))
        return []

    def _begin(self) -> None:
        """Speech has started: decode it from a little before it began."""
        audio = b"".join(frame for _, frame in self._preroll)
        self._utterance_start = self._preroll[0][0]
        self._preroll.clear()
        self._speech_run = self._quiet = 0
        self._in_utterance = True
        self._recent = bytearray(audio)
        if self.tuning.fresh_channel:
            self._decoder.set_cmn(self._first_channel)
        self._decoder.start_utt()
        self._decoder.process_raw(audio, False, False)

    def _mark_coach(self, start: int, end: int, removed: bool) -> None:
        last = self._coach[-1] if self._coach else None
        if last is not None and start <= last[1] and last[2] == removed:
            self._coach[-1] = (last[0], max(end, last[1]), removed)
        else:
            self._coach.append((start, end, removed))
        horizon = self._fed - round((self.tuning.window + self.tuning.overlap) * RATE)
        while self._coach and self._coach[0][1] < horizon:
            self._coach.pop(0)

    def _needed(self, start: int, end: int) -> tuple[float, bool]:
        """The threshold for a command from ``start`` to ``end``, and whether it
        overlapped the coach's speech."""
        over = [removed for a, b, removed in self._coach if a < end and start < b]
        if not over:
            return self.tuning.threshold, False
        if all(over):
            return self.tuning.echo_threshold, True
        return self.tuning.strict_threshold, True

    def _words(self) -> list[tuple[str, int, int, float]]:
        """(word, first sample, last sample, posterior) for the current best path."""
        found = []
        for seg in self._decoder.seg() or ():
            if seg.word in _NOT_WORDS:
                continue
            to_sample = RATE // FRAMES_PER_SECOND
            found.append(
                (
                    _word(seg.word),
                    self._utterance_start + seg.start_frame * to_sample,
                    self._utterance_start + (seg.end_frame + 1) * to_sample,
                    float(seg.prob),
                )
            )
        return found

    def _check(self) -> list[Heard]:
        """Decide as soon as the wake word and what follows it have been quiet for
        ``settle`` seconds. The running guess may still show the command as ordinary
        words ("coach next" rather than the command): the decision reads the finished
        lattice, where only a command counts."""
        hyp = self._decoder.hyp()
        if hyp is None or WAKE_WORD not in hyp.hypstr.split():
            return []
        words = self._words()
        names = [w for w, *_ in words]
        if WAKE_WORD not in names[:-1]:
            return []  # nothing said after the wake word yet
        if self._fed - words[-1][2] < self.tuning.settle * RATE:
            return []
        return self._close(go_on=True)

    def _close(self, *, go_on: bool) -> list[Heard]:
        """End the utterance and read the lattice; with ``go_on``, carry on decoding
        the speech after any command in a new utterance."""
        self._decoder.end_utt()
        words = self._words()
        match = find_command([w for w, *_ in words])
        heard: list[Heard] = []
        resume_from = self._fed
        if match is not None:
            command, first, last = match
            start, end = words[first][1], words[last][2]
            score = min(prob for _, _, _, prob in words[first : last + 1])
            needed, over = self._needed(start, end)
            if score >= needed and end > self._last_end:
                self._last_end = end
                heard.append(
                    Heard(
                        command=command,
                        start=start / RATE,
                        end=end / RATE,
                        decided=self._fed / RATE,
                        score=round(score, 4),
                        over_coach=over,
                    )
                )
            resume_from = end
        if go_on:
            self._restart(keep=self._fed - resume_from, ended=True)
        return heard

    def _restart(self, *, keep: int, ended: bool = False) -> None:
        if not ended:
            self._decoder.end_utt()
        keep = max(0, min(keep, len(self._recent) // _BYTES))
        tail = bytes(self._recent[len(self._recent) - keep * _BYTES :]) if keep else b""
        self._recent = bytearray(tail)
        self._utterance_start = self._fed - keep
        self._decoder.start_utt()
        if tail:
            self._decoder.process_raw(tail, False, False)


def _decoder(extra_words: Iterable[str], tuning: Tuning) -> tuple[Any, Any]:
    try:
        from pocketsphinx import Decoder, Vad
    except ImportError as exc:
        raise RecogniserMissing(f"pocketsphinx is not installed ({exc})") from None
    try:
        probe = Decoder(loglevel="FATAL", lm=None)
        filler = {*FILLER_WORDS, *extra_words}
        with tempfile.TemporaryDirectory(prefix="glutekit-listen-") as folder:
            words = Path(folder, "commands.dict")
            words.write_text(dictionary(probe.lookup_word, filler))
            known = [line.split(" ", 1)[0] for line in words.read_text().splitlines()]
            model = Path(folder, "commands.arpa")
            model.write_text(
                language_model(
                    known, wake_log10=tuning.wake_log10, after_wake_log10=tuning.after_wake_log10
                )
            )
            decoder = Decoder(
                loglevel="FATAL",
                lm=str(model),
                dict=str(words),
                samprate=RATE,
                remove_noise=tuning.remove_noise,
            )
        return decoder, Vad(tuning.vad_mode, RATE)
    except (RuntimeError, ValueError, OSError) as exc:
        raise RecogniserMissing(f"pocketsphinx could not load its English model ({exc})") from None
