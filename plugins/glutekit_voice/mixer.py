"""The session's audio, mixed on demand: the same mixer feeds the live stream and the files.

A :class:`Schedule` (:mod:`glutekit_voice.schedule`) places every cue of a timeline at
its sample. A :class:`Playhead` reads the mix block by block from any position; it
holds only the clips sounding now (plus a small cache), so a sixty-minute export needs
no more memory than a five-minute one.

Every clip that starts is logged with the stream frame it starts at, so the stream
can tell what is playing at each sample.
"""

from __future__ import annotations

import bisect
import math
from array import array
from collections import OrderedDict
from pathlib import Path

from glutekit.model import Cue
from glutekit.model.records import record
from glutekit_voice import wavfile
from glutekit_voice.schedule import Placement, Schedule, Started

__all__ = [
    "EXTEND_LATE",
    "EXTEND_PASSED",
    "MUST_SAY",
    "ClipMissing",
    "Placement",
    "Playhead",
    "Schedule",
    "Started",
]

#: Countdown tones: the last one is higher, as on a sports timer.
BEEP_HZ = 880.0
LAST_BEEP_HZ = 1320.0
_CACHED_CLIPS = 48


class _Clips:
    """Decoded clips, a few at a time: the oldest are dropped first."""

    def __init__(self, rate: int, tone_level: float) -> None:
        self.rate = rate
        self.tone_level = tone_level
        #: The two tones, made when the first one plays (most sessions speak the 3-2-1).
        self._beeps: tuple[array[int], array[int]] | None = None
        self._cache: OrderedDict[Path, array[int]] = OrderedDict()

    def beeps(self) -> tuple[array[int], array[int]]:
        if self._beeps is None:
            # A sine's RMS is its peak over the square root of two.
            peak = self.tone_level * math.sqrt(2)
            self._beeps = (
                wavfile.beep(self.rate, BEEP_HZ, level=peak),
                wavfile.beep(self.rate, LAST_BEEP_HZ, level=peak),
            )
        return self._beeps

    def get(self, placement: Placement) -> array[int]:
        if placement.path is None:
            return self.beeps()[1 if placement.last_beep else 0]
        clip = self._cache.get(placement.path)
        if clip is None:
            try:
                clip = wavfile.read_mono16(placement.path, self.rate)
            except (OSError, EOFError, ValueError) as exc:
                raise ClipMissing(f"{placement.path}: {exc}") from None
            self._cache[placement.path] = clip
            if len(self._cache) > _CACHED_CLIPS:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(placement.path)
        return clip[: placement.frames]


class ClipMissing(Exception):
    """A rendered cue file could not be read while mixing."""


@record
class _Voice:
    started: Started
    clip: array[int]
    #: Its index in :attr:`Playhead.started`.
    index: int
    #: Stream frame after which this voice is cut (None: plays to its end).
    cut_at: int | None = None
    #: Started from :attr:`Playhead.owed`: not cut by the clips that follow.
    owed: bool = False


#: Real seconds a clip added by :meth:`Playhead.extend` may be late and still start.
EXTEND_LATE = 0.3
#: Real seconds a clip may be late and still start when the playhead had gone past the
#: end of what it was given: that part was never waited for, so its clips were not heard.
EXTEND_PASSED = 2.0
#: Cues said even when they reach the stream late: the session's line on when to stop,
#: its red flags and (at normal speed) an exercise's spoken caution. The rules for late
#: clips would leave them out or start them on top of others; these wait their turn
#: instead (:attr:`Playhead.owed`).
MUST_SAY = frozenset({"safety", "screen", "caution"})
#: Of those, the ones for the whole session, still owed after a jump; a caution belongs
#: to its exercise, and a jump away from it leaves it.
SESSION_WIDE = frozenset({"safety", "screen"})
#: Session seconds within which a clip keeps its spacing from one before it that had
#: to wait its turn (a 3-2-1 stays a second apart, only later).
BEAT = 1.5


class Playhead:
    """Reads the mix of a schedule, block by block, from a session position.

    ``speed`` above 1 moves through the session faster than the audio plays (for
    trying routines out): clips still play at their natural pitch, and each new clip
    cuts the one before it so they never pile up.
    """

    def __init__(self, schedule: Schedule, speed: float = 1.0) -> None:
        self.schedule = schedule
        self.speed = speed
        self._clips = _Clips(schedule.rate, schedule.tone_level)
        #: Session position in frames (a float when sped up).
        self.position = 0.0
        self._next = 0
        self._voices: list[_Voice] = []
        #: Every clip that started, in order.
        self.started: list[Started] = []
        #: Stream frame at which each started clip stopped sounding, by its index in
        #: :attr:`started`: its own end, or where a pause, a jump or the next clip cut it.
        self._ends: list[int] = []
        self._music = schedule.music_bed()
        #: Every clip that started since the session last jumped there, by its place
        #: and words (schedules are rebuilt as a session is laid out again, so the same
        #: clip may be a new object).
        self._began: set[tuple[int, str]] = set()
        #: Session frame the playhead may not pass (the session waits there for speech).
        self._hold: float | None = None
        #: Clips that start late, one after another, each when the one before has ended:
        #: a safety line or red flag that was passed by or fell due late, then (at
        #: normal speed) whatever falls due while those are said. Empty as a rule.
        self.owed: list[Placement] = []
        #: Stream frame the last clip started from :attr:`owed` ends at.
        self._owed_until = 0
        #: Session and stream frame of the last clip started from :attr:`owed` that
        #: was only waiting its turn: the next one keeps its spacing from it.
        self._waited: tuple[int, int] | None = None
        #: Session frame of the last jump: a safety line or red flag before it was
        #: jumped over (a skip, or a session resumed further on), not missed.
        self._floor = 0.0

    @property
    def finished(self) -> bool:
        return (
            self.position >= self.schedule.frames
            and not self._voices
            and not self.owed
            and self._next >= len(self.schedule.placements)
        )

    def seek(self, position: float, first: float | None = None, *, frame: int) -> None:
        """Continue from session frame ``position``; sounding clips stop at stream frame
        ``frame`` (the next one to be mixed).

        Clips that start at ``first`` or later are still to come (default: at
        ``position``). When the stream lags the session a little, ``first`` is the
        target, and a clip due at it starts at once instead of being lost.
        """
        self.position = float(position)
        self._floor = position if first is None else first
        self._next = bisect.bisect_left(self.schedule.starts, self._floor)
        self._hold = None
        self._silence(frame)
        # From here on the session is heard anew: a clip ahead that started before (a
        # jump back) starts again, also where the session goes on after a wait.
        self._began = {began for began in self._began if began[0] < self._floor}
        # Clips waiting behind a safety line are left, as at any jump, and so are the
        # lines the playhead comes to again; the others are still owed.
        self.owed = [p for p in self.owed if p.cue.kind in SESSION_WIDE and p.start < self._floor]

    def hold(self, position: float) -> None:
        """Go no further than session frame ``position``: clips sounding play on, none
        starts at or after it (the session waits there for its speech)."""
        self._hold = position

    def release(self, position: float, first: float, *, frame: int) -> None:
        """Go on from session frame ``position`` after :meth:`hold`: clips from ``first``
        on that have not started yet start in turn; those sounding are not cut."""
        self._hold = None
        self.position = float(position)
        passed = self._next
        self._next = bisect.bisect_left(self.schedule.starts, first)
        placements = self.schedule.placements
        while self._next < len(placements) and self._began_already(placements[self._next]):
            self._next += 1
        self._owe(passed)

    def _began_already(self, placement: Placement) -> bool:
        return (placement.start, placement.cue.text) in self._began

    def _owe(self, since: int) -> None:
        """Keep to say the safety lines and red flags from clip ``since`` up to the next
        clip due that the playhead passes without starting (their schedule, or the
        session's start, reached the stream late)."""
        for placement in self.schedule.placements[since : self._next]:
            if self._must_say(placement) and placement.start >= self._floor:
                self._keep(placement)

    def _keep(self, placement: Placement, *, reached: bool = False) -> None:
        """Owe ``placement``; ``reached``: by the playhead itself, so it may be said again
        (a jump back), else only if it has not started since the session last jumped to
        or before it."""
        if (reached or not self._began_already(placement)) and placement not in self.owed:
            bisect.insort(self.owed, placement, key=lambda p: p.start)

    def extend(self, schedule: Schedule) -> None:
        """Go on with ``schedule``, which has this one's clips first and more after them
        (a session whose speech is measured while it plays).

        Clips already started sound on. A new clip that starts before the position is
        not played: the session waits before it, and seeks back to it when it goes on.
        A safety line or red flag is said all the same (:attr:`owed`). The tones keep
        the level they started with.
        """
        known = self.schedule.laid_out
        self.schedule = schedule
        # A clip due a moment ago (its segment was ready just in time, after the mixer,
        # which runs a little ahead, had passed its start) starts at once; one due
        # longer ago is left to the seek the session makes when it goes on.
        late = EXTEND_LATE * schedule.rate * self.speed
        since = self.position - late
        if self._hold is None and self.position > known:
            # The session did not wait: it found the speech ready, and the new schedule
            # was on its way here (a busy machine can keep it for a while). Nothing
            # after ``known`` has been heard: start what fell due meanwhile, late.
            since = max(known, self.position - EXTEND_PASSED * schedule.rate * self.speed)
        passed = self._next
        self._next = max(
            self._next, bisect.bisect_left(schedule.starts, min(since, self.position - late))
        )
        self._owe(passed)

    def flush(self, frame: int) -> None:
        """Silence the clips that are sounding (on pause), from stream frame ``frame``."""
        self._silence(frame)
        if self._music is not None:
            self._music.pause()

    def _silence(self, frame: int) -> None:
        for index in range(len(self.started)):
            if self._ends[index] > frame:
                self._ends[index] = max(self.started[index].frame, frame)
        self._voices.clear()
        self._owed_until = min(self._owed_until, frame)
        self._waited = None

    def playing_at(self, frame: int) -> list[Cue]:
        """The cues sounding at stream frame ``frame`` (of those started so far): a clip
        that a pause or a jump silenced no longer counts from there."""
        return [
            s.placement.cue
            for s, end in zip(self.started, self._ends, strict=True)
            if s.frame <= frame < end
        ]

    def read(self, count: int, frame: int) -> array[int]:
        """The next ``count`` frames of the mix; ``frame`` is the stream frame they start at."""
        out = wavfile.silence(count)
        end = self.position + count * self.speed
        if self._hold is not None:
            end = max(self.position, min(end, self._hold))
        stop = frame + count
        self._say_owed(frame, stop)
        late_by = EXTEND_LATE * self.schedule.rate * self.speed
        placements = self.schedule.placements
        while self._next < len(placements) and placements[self._next].start < end:
            placement = placements[self._next]
            self._next += 1
            begin = frame + max(0, int((placement.start - self.position) / self.speed))
            # Later than a jump's usual lag: started now, it would sound on top of others.
            late = placement.start < self.position - late_by
            behind = self.speed <= 1 and (
                bool(self.owed) or begin < self._owed_until or self._keeps_beat(placement, begin)
            )
            if (late and self._must_say(placement)) or behind:
                # Said after what is owed, not on top of it.
                self._keep(placement, reached=True)
                continue
            self._begin(placement, begin)
            self._waited = None
        self._say_owed(frame, stop)
        for voice in self._voices:
            self._mix(out, voice, frame, count)
        self._voices = [
            v
            for v in self._voices
            if v.started.end > stop and (v.cut_at is None or v.cut_at > stop)
        ]
        if self._music is not None:
            out = self._music.mix(out, self.position, self.speed)
        self.position = end
        return out

    def _begin(self, placement: Placement, begin: int, *, owed: bool = False) -> None:
        if self.speed > 1:
            for voice in self._voices:
                if voice.owed:
                    continue
                voice.cut_at = begin if voice.cut_at is None else min(voice.cut_at, begin)
                index = voice.index
                self._ends[index] = max(voice.started.frame, min(self._ends[index], begin))
        started = Started(frame=begin, at=placement.start, placement=placement)
        self._began.add((placement.start, placement.cue.text))
        self.started.append(started)
        self._ends.append(started.end)
        clip = self._clips.get(placement)
        self._voices.append(_Voice(started, clip, len(self.started) - 1, owed=owed))

    def _must_say(self, placement: Placement) -> bool:
        """Whether ``placement`` is owed when late: sped up, where every clip cuts the
        one before it, only the session's safety line and red flags are."""
        kind = placement.cue.kind
        return kind in SESSION_WIDE or (kind in MUST_SAY and self.speed <= 1)

    def _keeps_beat(self, placement: Placement, begin: int) -> bool:
        """Whether ``placement``, due at stream frame ``begin``, must wait to keep its
        spacing from the last clip that waited its turn."""
        if self._waited is None:
            return False
        start, began = self._waited
        if placement.start - start > BEAT * self.schedule.rate:
            return False
        return began + int((placement.start - start) / self.speed) > begin

    def _say_owed(self, frame: int, stop: int) -> None:
        """Start the owed clips due in the block from stream frame ``frame`` to ``stop``:
        each once nothing else sounds (at normal speed) and the one before has ended."""
        while self.owed:
            placement = self.owed[0]
            begin = max(frame, self._owed_until)
            if self.speed <= 1:
                for voice in self._voices:
                    end = voice.started.end if voice.cut_at is None else voice.cut_at
                    begin = max(begin, end)
            waited = not self._must_say(placement)
            if waited and self._waited is not None:
                # A countdown waiting its turn keeps its beat, only later.
                start, began = self._waited
                begin = max(begin, began + int((placement.start - start) / self.speed))
            if begin >= stop:
                return
            self.owed.pop(0)
            self._begin(placement, begin, owed=True)
            self._owed_until = begin + placement.frames
            self._waited = (placement.start, begin) if waited else None

    @staticmethod
    def _mix(out: array[int], voice: _Voice, frame: int, count: int) -> None:
        begin = max(frame, voice.started.frame)
        end = min(frame + count, voice.started.end)
        if voice.cut_at is not None:
            end = min(end, voice.cut_at)
        if end <= begin:
            return
        source = begin - voice.started.frame
        wavfile.mix_into(out, voice.clip[source : source + end - begin], begin - frame)
