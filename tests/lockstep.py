"""A spoken session on virtual time: the engine, the voice output, its playback queue
and a player that takes as long as its audio, all moving on one virtual clock.

:class:`glutekit.session.clock.VirtualClock` jumps to each deadline at once, which is right for
outputs that only record events, but a player takes time: a cue said at 0:10 for three
seconds is still sounding at 0:12. Here the clock moves one step at a time, and only
once every thread has caught up with the last step:

- the engine waits on the clock for its next deadline (:meth:`LockstepClock.sleep_until`);
- the voice output's worker has handled every event the engine sent so far (counted by
  :class:`Counted`);
- the playback queue has handed every waiting cue to the player, or the player is busy;
- the player (:class:`VirtualPlayer`) waits on the clock for the end of its clip.

The clock then moves to whichever comes first, the engine's deadline or the end of the
clip playing, so every cue starts, ends and waits exactly as on a real clock that no
busy machine delays. Real files from the real renderer are played (their lengths read
from the WAVs); only the sound card is missing, as with the sleeping player of the
real-time tests. A step takes a few milliseconds, so a two-minute session takes well
under a second.

:class:`SampleClock` does the same for the one audio stream: a sound card that takes
its blocks when the session's clock moves (:class:`ManualDevice`), and a clock that
counts the samples it took, as the stream's own clock does.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from glutekit_voice import wavfile
from glutekit_voice.playback import PlaybackQueue
from glutekit_voice.player import PlaybackFailed

from glutekit.interfaces import Event, Output, SessionSummary
from glutekit.model import Timeline

#: Real seconds to wait for the threads to catch up with one step: a limit against a
#: hang only (a step takes milliseconds, more on a busy machine).
CATCH_UP = 30.0


class Counted:
    """An output, counting the events its worker has handled."""

    def __init__(self, output: Output) -> None:
        self.output = output
        self.handled = 0

    def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
        return self.output.speech_lengths(texts)

    def start(self, timeline: Timeline) -> None:
        self.output.start(timeline)

    def handle(self, event: Event) -> None:
        try:
            self.output.handle(event)
        finally:
            self.handled += 1

    def close(self, summary: SessionSummary | None) -> None:
        self.output.close(summary)


@dataclass
class Clip:
    """One clip as the virtual player played it, in session seconds."""

    path: Path
    start: float
    end: float
    length: float
    cut: bool = False


class LockstepClock:
    """Virtual session time that moves only when every thread has caught up."""

    speed = 1.0

    def __init__(self) -> None:
        self._now = 0.0
        self.changed = threading.Condition()
        self.output: Counted | None = None
        self.player: VirtualPlayer | None = None
        #: The voice output's playback queue, once it has made one (at its start).
        self.queue: Callable[[], PlaybackQueue | None] = lambda: None
        self._waits = 0

    def now(self) -> float:
        with self.changed:
            return self._now

    def sleep_until(self, deadline: float, interrupt: threading.Event | None = None) -> bool:
        if math.isinf(deadline):
            raise AssertionError("a paused session on a lockstep clock: nothing would resume it")
        # Before each wait the engine has sent one more event (the start, then one
        # segment or cue per deadline reached), and nothing else when no one gives it
        # commands: these sessions take none.
        self._waits += 1
        give_up = time.monotonic() + CATCH_UP
        while True:
            if interrupt is not None and interrupt.is_set():
                return True
            # Whether every thread has caught up, and which clip is playing, are read
            # under one hold of the lock: the player can only leave its clip (or take
            # the next) once the clock lets go, so the step is taken on what was seen.
            with self.changed:
                if self._caught_up():
                    player = self.player
                    ends = player.playing.end if player and player.playing else math.inf
                    if ends > deadline:
                        self._now = max(self._now, deadline)
                        self.changed.notify_all()
                        return False
                    if ends > self._now:
                        self._now = ends
                        self.changed.notify_all()
                        give_up = time.monotonic() + CATCH_UP
                        continue
                    # The clip has reached its end: the player has yet to notice.
            if time.monotonic() > give_up:
                raise AssertionError("the voice output or its player did not catch up")
            time.sleep(0.0005)

    def _caught_up(self) -> bool:
        if self.output is not None and self.output.handled < self._waits:
            return False
        queue, player = self.queue(), self.player
        if queue is None or player is None:
            return True
        busy = player.playing is not None  # the caller holds the lock
        records = list(queue.records)
        waiting = [r for r in records if r.started is None and r.outcome == "pending"]
        sounding = [r for r in records if r.started is not None and r.ended is None]
        if waiting and not busy:
            return False  # the queue's thread is about to take one
        return len(sounding) == (1 if busy else 0)


class VirtualPlayer:
    """A player that takes as long as its audio on a :class:`LockstepClock`.

    :param fail_after: raise :class:`PlaybackFailed` on the clip after this many.
    """

    name = "virtual"

    def __init__(self, clock: LockstepClock, fail_after: int | None = None) -> None:
        self.clock = clock
        self.fail_after = fail_after
        self.clips: list[Clip] = []
        self.playing: Clip | None = None
        clock.player = self

    def play(self, path: Path, cancel: threading.Event) -> None:
        if self.fail_after is not None and len(self.clips) >= self.fail_after:
            raise PlaybackFailed("virtual: audio device disappeared")
        length = wavfile.seconds(path)
        changed = self.clock.changed
        with changed:
            start = self.clock._now
            clip = Clip(path=path, start=start, end=start + length, length=length)
            self.clips.append(clip)
            self.playing = clip
            changed.notify_all()
            # Cut short (a countdown, a pause) sets ``cancel``, which no condition
            # signals: look at it between short waits.
            while self.clock._now < clip.end and not cancel.is_set():
                changed.wait(0.005)
            if cancel.is_set():
                clip.cut = True
                clip.end = self.clock._now
            self.playing = None
            changed.notify_all()


class ManualDevice:
    """A playback device for :class:`~glutekit_voice.stream.AudioStream` that takes
    a block only when asked (by :class:`SampleClock`), as miniaudio's null backend takes
    one every period in real time."""

    backend = "null"

    def __init__(self) -> None:
        self._blocks: Generator[bytes, int, None] | None = None

    def start(self, blocks: Generator[bytes, int, None]) -> None:
        self._blocks = blocks

    def take(self, frames: int) -> bytes:
        assert self._blocks is not None, "the stream never started its device"
        return self._blocks.send(frames)

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass


class SampleClock:
    """Session time counted in the samples a :class:`ManualDevice` took, block by block.

    It reads as the stream's own clock does at each block: the first sample of the last
    block taken is being heard. Waiting for a deadline takes blocks of ``period`` frames
    until that sample reaches it, once the voice output has handled every event sent
    so far (as for :class:`LockstepClock`: one per wait).
    """

    speed = 1.0

    def __init__(self, device: ManualDevice, rate: int, period: int, output: Counted) -> None:
        self.device, self.rate, self.period, self.output = device, rate, period, output
        #: Stream frame being heard now, and frames taken so far.
        self.heard = 0
        self.taken = 0
        self._waits = 0

    def now(self) -> float:
        return self.heard / self.rate

    def sleep_until(self, deadline: float, interrupt: threading.Event | None = None) -> bool:
        if math.isinf(deadline):
            raise AssertionError("a paused session on a sample clock: nothing would resume it")
        self._waits += 1
        give_up = time.monotonic() + CATCH_UP
        while self.output.handled < self._waits:
            if time.monotonic() > give_up:
                raise AssertionError("the voice output did not catch up")
            time.sleep(0.0005)
        while self.heard < deadline * self.rate:
            if interrupt is not None and interrupt.is_set():
                return True
            self.heard = self.taken
            self.device.take(self.period)
            self.taken += self.period
        return False
