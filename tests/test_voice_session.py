"""Spoken sessions with real rendered speech, on virtual time and against the real clock.

The only fake is the sound card: :class:`SleepingPlayer` takes exactly as long as
the audio it is given, as aplay would, and can be cut short the same way. What a
session's schedule promises (every cue said whole and in order, none waiting for
another, no hold beginning under set-up speech, a failure reported once) is checked on
virtual time (:mod:`tests.lockstep`), where a two-minute session takes a second; how
late cues are on a real clock is checked by short real-time sessions.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from glutekit_voice import wavfile
from glutekit_voice.output import VoiceOutput
from glutekit_voice.playback import PlaybackQueue, PlayRecord
from glutekit_voice.render import CueRenderer
from glutekit_voice.settings import VoiceSettings

from glutekit import timeline
from glutekit.catalog import Catalog
from glutekit.interfaces import OutputOptions
from glutekit.model import Timeline
from glutekit.session import engine
from glutekit.session.clock import MonotonicClock
from tests import run_speech
from tests.isolation import RUN_VOICE_CACHE
from tests.lockstep import Clip, Counted, LockstepClock, VirtualPlayer

# Tests marked realtime measure lateness and latency against the real clock:
# .ci/test runs them on their own.
realtime = pytest.mark.realtime

SET_UP_KINDS = ("announce", "instruction")


def cpu_wait() -> dict[str, int]:
    """Nanoseconds each of this process's threads has spent ready to run but kept off a
    CPU, by thread id.

    Linux counts it per thread (``/proc/self/task/*/schedstat``, second field); empty
    where it does not. On a busy machine this is the delay the machine, not the
    session, caused. Compare two readings with :func:`waited_between`.
    """
    found = {}
    for stat in Path("/proc/self/task").glob("*/schedstat"):
        try:
            found[stat.parent.name] = int(stat.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return found


def waited_between(before: dict[str, int], after: dict[str, int]) -> float:
    """Seconds the threads waited for a CPU between two readings of :func:`cpu_wait`.

    Per thread: a thread that ended in between takes its count with it (a sum over the
    threads alive would then go down), so only threads seen twice, and new ones, count;
    a count lower than before is a new thread under a reused id.
    """
    total = 0
    for tid, count in after.items():
        earlier = before.get(tid, 0)
        total += count - earlier if count >= earlier else count
    return total / 1e9


class SleepingPlayer:
    """A player for a machine without a sound card: it takes as long as the audio.

    It also notes how long the process waited for a CPU between the end of one cue
    and the start of the next (``starved``) and while a cue played (``starved_playing``),
    one figure per cue played.
    """

    name = "sleeping"

    def __init__(self) -> None:
        self.played = 0
        self.starved: list[float] = []
        self.starved_playing: list[float] = []
        self._last = cpu_wait()

    def reset(self) -> None:
        """Count CPU waits from now (call it when the session starts)."""
        self.starved.clear()
        self.starved_playing.clear()
        self._last = cpu_wait()

    def play(self, path: Path, cancel: threading.Event) -> None:
        self.played += 1
        waited = cpu_wait()
        self.starved.append(waited_between(self._last, waited))
        cancel.wait(wavfile.seconds(path))
        self._last = cpu_wait()
        self.starved_playing.append(waited_between(waited, self._last))


def sides_and_rest_routine() -> dict[str, Any]:
    """Every kind of moment a session has (a message, set-up, holds, a switch of sides, a
    rest, the next exercise, the end), with holds as short as the speech allows."""
    return {
        "id": "sides-and-rest",
        "title": "Sides and rest",
        "settings": {"prepare": 3, "rest": 3, "switch": 3},
        "steps": [
            {"say": "A short session for the glutes.", "pause": 1},
            {"exercise": "glutes:supine-figure-four", "dose": {"hold": 10}, "sides": "both"},
            {"exercise": "glutes:knee-hug", "dose": {"hold": 10}, "sides": "right"},
        ],
    }


def short_routine() -> dict[str, Any]:
    return {
        "id": "short",
        "title": "Short",
        "settings": {"prepare": 3, "rest": 3, "switch": 3},
        "steps": [{"exercise": "glutes:double-knee-hug", "dose": {"hold": 8}}],
    }


def talk_only_routine() -> dict[str, Any]:
    return {
        "id": "talk",
        "title": "Talk",
        "steps": [{"say": f"Message number {n}.", "pause": 1} for n in range(1, 5)],
    }


def compact_routine() -> dict[str, Any]:
    """A switch of sides, a hold, a rest and the end in about 15 s when played from the
    switch (:data:`COMPACT_FROM`): short holds, every transition kept."""
    return {
        "id": "compact",
        "title": "Compact",
        "settings": {"prepare": 1, "rest": 2, "switch": 1},
        "steps": [
            {"exercise": "glutes:knee-circles", "dose": {"hold": 3}, "sides": "both"},
            {"rest": 2},
        ],
    }


#: The compact routine is played from its switch of sides, as ``--resume`` would: the
#: first side's set-up is the short routine's business, on virtual time.
COMPACT_FROM = "switch"

for _made in (sides_and_rest_routine(), short_routine(), talk_only_routine(), compact_routine()):
    run_speech.also(_made)


def spoken_timeline(catalog: Catalog, data: dict[str, Any], output: VoiceOutput) -> Timeline:
    """The routine's timeline fitted around the voice's real rendered speech."""
    routine = catalog.load_routine_data(data, "test")
    plain = timeline.compile(routine, catalog)
    lengths = engine.speech_lengths([("voice", output)], timeline.cue_texts(plain))
    return timeline.compile(routine, catalog, timeline.CompileSettings(speech_lengths=lengths))


def voice_output(player: Any, reports: list[str]) -> VoiceOutput:
    return VoiceOutput(
        OutputOptions(speed=1.0),
        player=player,
        renderer=CueRenderer(VoiceSettings(), cache_dir=RUN_VOICE_CACHE),
        report=reports.append,
    )


# ----------------------------------------------------------------------------- virtual time


def virtual_session(
    catalog: Catalog, data: dict[str, Any], fail_after: int | None = None
) -> tuple[Timeline, VoiceOutput, VirtualPlayer, list[str]]:
    """The whole routine played on virtual time through the real engine, voice output and
    playback queue, with real rendered speech (:mod:`tests.lockstep`)."""
    clock = LockstepClock()
    player = VirtualPlayer(clock, fail_after=fail_after)
    reports: list[str] = []
    output = voice_output(player, reports)
    spoken = spoken_timeline(catalog, data, output)
    counted = Counted(output)
    clock.output = counted
    clock.queue = lambda: output.queue
    summary = engine.play(spoken, clock, [("voice", counted)], report=reports.append)
    assert summary.status == "finished"
    assert summary.elapsed == pytest.approx(spoken.duration)
    return spoken, output, player, reports


def check_virtual_session(spoken: Timeline, output: VoiceOutput, player: VirtualPlayer) -> None:
    """What :func:`check_spoken_session` checks, on virtual time, where a machine's
    delays play no part: so no cue may be late at all."""
    assert output.queue is not None
    records: list[PlayRecord] = output.queue.records
    cues = spoken.cues
    clips: list[Clip] = player.clips
    # Every cue was said, in order, and each for its whole length.
    assert [r.text for r in records] == [c.text for c in cues]
    assert [r.outcome for r in records] == ["played"] * len(cues)
    assert [c.path for c in clips] == [r.path for r in records]
    for clip, record in zip(clips, records, strict=True):
        assert not clip.cut, record.text
        assert clip.end - clip.start == pytest.approx(wavfile.seconds(record.path)), record.text
    # Each cue started at its time: none waited for the one before to finish.
    lateness = [clip.start - cue.at for clip, cue in zip(clips, cues, strict=True)]
    assert max(lateness) <= 0.001 and min(lateness) >= -0.001, lateness
    # No two cues overlap.
    for before, after in itertools.pairwise(clips):
        assert before.end <= after.start + 1e-9, (before.path.name, after.path.name)
    # No hold begins while set-up speech is still playing.
    holds = [s for s in spoken.segments if s.kind in ("hold", "reps")]
    assert holds
    for hold in holds:
        for clip, record in zip(clips, records, strict=True):
            if record.kind in SET_UP_KINDS:
                assert not (clip.start < hold.start < clip.end), (hold.label, record.text)


@pytest.mark.parametrize("made", [short_routine, compact_routine])
def test_a_spoken_session_keeps_its_schedule_and_never_overlaps_on_virtual_time(
    catalog: Catalog, made: Any
) -> None:
    data = made()
    spoken, output, player, reports = virtual_session(catalog, data)
    assert reports == []
    check_virtual_session(spoken, output, player)


def test_a_spoken_session_with_sides_and_rest_is_on_time_and_never_overlaps(
    catalog: Catalog,
) -> None:
    """The whole two-minute session, on virtual time: every kind of moment, and the
    set-up waits for what the voice says."""
    data = sides_and_rest_routine()
    spoken, output, player, reports = virtual_session(catalog, data)
    assert {s.kind for s in spoken.segments} >= {"hold", "switch", "rest", "done"}
    # The set-up waits for what the voice says: the routine asks for 3 s, and saying how
    # to get into the figure-four takes several times that (check_virtual_session: no
    # hold starts under set-up speech).
    prepare = data["settings"]["prepare"]
    assert max(s.duration for s in spoken.segments if s.kind == "prepare") > 2 * prepare
    assert reports == []
    check_virtual_session(spoken, output, player)


def test_a_playback_failure_mid_session_is_reported_once_and_the_session_ends(
    catalog: Catalog,
) -> None:
    _, output, player, reports = virtual_session(catalog, talk_only_routine(), fail_after=2)
    assert len(reports) == 1
    assert "voice stopped" in reports[0] and "audio device disappeared" in reports[0]
    assert "goes on with text" in reports[0]
    assert output.queue is not None
    outcomes = [r.outcome for r in output.queue.records]
    assert outcomes[:2] == ["played", "played"] and outcomes[2] == "failed"
    assert len(player.clips) == 2  # nothing was said after the failure


# ----------------------------------------------------------------------------- real time


class SessionClock(MonotonicClock):
    """The real clock, remembering the session time at which the engine started."""

    started: float | None = None
    #: Session seconds of the timeline at which play began (``start_segment``).
    offset = 0.0

    def now(self) -> float:
        value = super().now()
        if self.started is None:
            self.started = value  # the engine's first reading is its session origin
        return value

    def due(self, at: float) -> float:
        """When a cue at ``at`` session seconds is due, as a perf_counter value."""
        assert self.started is not None
        return self.real_time_of(self.started + at - self.offset)


def voiced_session(
    catalog: Catalog, data: dict[str, Any], player: SleepingPlayer, start_segment: int = 0
) -> tuple[Timeline, SessionClock, VoiceOutput, list[str]]:
    reports: list[str] = []
    output = voice_output(player, reports)
    spoken = spoken_timeline(catalog, data, output)
    clock = SessionClock(1.0)
    clock.offset = spoken.segments[start_segment].start
    player.reset()
    summary = engine.play(
        spoken, clock, [("voice", output)], start_segment=start_segment, report=reports.append
    )
    assert summary.status == "finished"
    return spoken, clock, output, reports


def check_spoken_session(
    spoken: Timeline,
    clock: SessionClock,
    output: VoiceOutput,
    player: SleepingPlayer,
    start_segment: int = 0,
) -> None:
    assert output.queue is not None
    records: list[PlayRecord] = output.queue.records
    segments = spoken.segments[start_segment:]
    cues = [cue for segment in segments for cue in segment.cues]
    # Every cue was said, in order, and each for its whole length.
    assert [r.text for r in records] == [c.text for c in cues]
    assert [r.outcome for r in records] == ["played"] * len(cues)
    # (A busy machine may wake the player late at a cue's end, by at most the time the
    # process's threads waited for a CPU meanwhile, never early.)
    assert len(player.starved_playing) == len(records)
    for record, starved in zip(records, player.starved_playing, strict=True):
        assert record.started is not None and record.ended is not None
        played, length = record.ended - record.started, wavfile.seconds(record.path)
        assert length - 0.02 <= played <= length + 0.02 + starved, (record.text, starved)
    # Lateness against the session clock itself, not the output's own idea of it, less
    # the time the process was kept off the CPUs just before (a busy machine's share).
    assert len(player.starved) == len(records)
    lateness = sorted(
        r.started - clock.due(c.at) - starved  # type: ignore[operator]
        for r, c, starved in zip(records, cues, player.starved, strict=True)
    )
    p99 = lateness[min(len(lateness) - 1, math.ceil(0.99 * len(lateness)) - 1)]
    assert p99 <= 0.010, f"p99 lateness {p99 * 1000:.1f} ms beyond the CPU waits"
    # No two cues overlap.
    ordered = sorted(records, key=lambda r: r.started or 0.0)
    for before, after in itertools.pairwise(ordered):
        assert before.ended is not None and after.started is not None
        assert before.ended <= after.started, (before.text, after.text)
    # No hold begins while set-up speech is still playing.
    holds = [s for s in segments if s.kind in ("hold", "reps")]
    assert holds
    for hold in holds:
        begins = clock.due(hold.start)
        for record in records:
            if record.kind in SET_UP_KINDS:
                assert not (record.started < begins < record.ended), (hold.label, record.text)  # type: ignore[operator]


@realtime(seconds=24)
def test_a_short_spoken_session_is_on_time_and_never_overlaps(catalog: Catalog) -> None:
    """On the real clock: a switch of sides, a hold, a rest and the end."""
    player = SleepingPlayer()
    data = compact_routine()
    output = voice_output(player, [])
    kinds = [s.kind for s in spoken_timeline(catalog, data, output).segments]
    start = kinds.index(COMPACT_FROM)
    assert {"switch", "hold", "rest", "done"} <= set(kinds[start:])
    spoken, clock, output, reports = voiced_session(catalog, data, player, start)
    assert reports == []
    check_spoken_session(spoken, clock, output, player, start)


# ----------------------------------------------------------------------------- the queue


@pytest.fixture
def clips(tmp_path: Path) -> dict[str, Path]:
    renderer = CueRenderer(VoiceSettings(), cache_dir=RUN_VOICE_CACHE)
    texts = {
        "next": "Next up: the knee hug.",
        "begin": "Begin. Hold for thirty seconds.",
        "switch": "Switch sides.",
        "countdown": "3.",
    }
    return {kind: renderer.render(text).path for kind, text in texts.items()}


def submit(queue: PlaybackQueue, clips: dict[str, Path], kind: str, priority: int) -> None:
    queue.submit(clips[kind], text=kind, kind=kind, priority=priority, due=time.perf_counter())


def wait_for(queue: PlaybackQueue, count: int) -> list[PlayRecord]:
    queue.close(timeout=30)
    assert len(queue.records) == count
    return queue.records


@realtime
def test_a_countdown_cuts_short_a_next_up_that_is_still_playing(clips: dict[str, Path]) -> None:
    queue = PlaybackQueue(SleepingPlayer())
    submit(queue, clips, "next", 20)
    time.sleep(0.3)
    submit(queue, clips, "countdown", 90)
    next_up, countdown = wait_for(queue, 2)
    assert next_up.outcome == "cut" and countdown.outcome == "played"
    assert countdown.started is not None and countdown.lateness is not None
    assert countdown.lateness < 0.05


def test_waiting_cues_play_most_important_first_and_none_is_dropped_for_a_lesser_one(
    clips: dict[str, Path],
) -> None:
    # On virtual time: each clip takes as long as its audio, and no wait is real.
    clock = LockstepClock()
    player = VirtualPlayer(clock)
    queue = PlaybackQueue(player, stale_after=10)
    clock.queue = lambda: queue
    submit(queue, clips, "begin", 80)
    clock.sleep_until(0.0)  # "begin" is playing
    submit(queue, clips, "next", 20)
    submit(queue, clips, "switch", 85)
    clock.sleep_until(60.0)
    begin, next_up, switch = wait_for(queue, 3)
    # "switch" outranks "begin" only a little: it waits rather than cutting in.
    assert [begin.outcome, switch.outcome, next_up.outcome] == ["played"] * 3
    assert begin.started < switch.started < next_up.started  # type: ignore[operator]
    said_begin, said_switch, said_next = player.clips
    assert [c.path for c in player.clips] == [clips["begin"], clips["switch"], clips["next"]]
    assert not any(c.cut for c in player.clips)
    assert said_switch.start == said_begin.end and said_next.start == said_switch.end


@realtime
def test_a_cue_that_could_not_start_in_time_is_left_unsaid(clips: dict[str, Path]) -> None:
    queue = PlaybackQueue(SleepingPlayer(), stale_after=0.5)
    submit(queue, clips, "next", 90)
    submit(queue, clips, "begin", 20)
    next_up, begin = wait_for(queue, 2)
    assert next_up.outcome == "played" and begin.outcome == "dropped"


def test_a_voiced_session_leaves_numpy_unloaded_but_importable() -> None:
    # miniaudio loads numpy when it can, only to take numpy arrays glutekit never gives
    # it; a voiced session from a warm voice cache starts without it (a tenth of a CPU
    # second), and code that runs afterwards in the same process can still import it.
    code = (
        "import os, sys\n"
        "os.environ['GLUTEKIT_AUDIO_BACKEND'] = 'null'\n"
        "from glutekit.cli import main\n"
        "try:\n"
        "    main(['run', 'quick-five', '--speed', '1000'])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "print('loaded' if 'numpy' in sys.modules else 'not loaded')\n"
        "import miniaudio\n"
        "print('voice stream' if 'glutekit_voice.stream' in sys.modules else 'no voice')\n"
        "import numpy\n"
        "print(numpy.array([1, 2]).sum())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-3:] == ["not loaded", "voice stream", "3"], done.stdout


def _voiced_run(*extra: str) -> subprocess.Popen[str]:
    """``glutekit run quick-five --events jsonl`` on miniaudio's null device."""
    env = {**os.environ, "GLUTEKIT_AUDIO_BACKEND": "null"}
    return subprocess.Popen(
        [sys.executable, "-m", "glutekit", "run", "quick-five", "--events", "jsonl", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _finished(stdout: str) -> dict[str, Any]:
    events = [json.loads(line) for line in stdout.splitlines()]
    assert events and events[-1]["event"] == "finished", stdout[-500:]
    return events[-1]


def test_a_session_frozen_while_it_plays_counts_the_gap_in_its_summary() -> None:
    # The process is stopped (SIGSTOP) for 0.6 s while the stream plays: the device
    # gets no sound for far longer than the 100 ms it holds, which a listener hears.
    # The summary of --events jsonl says so, and so does a note after the session.
    proc = _voiced_run("--speed", "60")
    assert proc.stdout is not None and proc.stderr is not None
    errors: list[str] = []  # the session's text: read all along, so its pipe never fills
    stderr_pipe = proc.stderr
    reader = threading.Thread(target=lambda: errors.append(stderr_pipe.read()))
    reader.start()
    seen: list[str] = []
    try:
        for line in proc.stdout:
            seen.append(line)
            if json.loads(line)["event"] == "segment":
                break
        else:
            raise AssertionError("the session never started")
        time.sleep(0.3)
        proc.send_signal(signal.SIGSTOP)
        time.sleep(0.6)
        proc.send_signal(signal.SIGCONT)
        rest = proc.stdout.read()  # what the loop above had already taken in, too
        proc.wait(timeout=120)
    finally:
        proc.kill()
        reader.join(timeout=30)
    stderr = "".join(errors)
    assert proc.returncode == 0, stderr
    finished = _finished("".join(seen) + rest)
    assert finished["status"] == "finished"
    assert finished["underruns"] >= 1, finished
    gaps = finished["underruns"]
    plural = "s" if gaps != 1 else ""
    assert f"glutekit: the sound broke up {gaps} time{plural}: the machine was too busy" in stderr


def test_a_voiced_summary_counts_gaps_and_a_silent_one_has_no_count() -> None:
    voiced = _voiced_run("--speed", "1000")
    stdout, stderr = voiced.communicate(timeout=120)
    assert voiced.returncode == 0, stderr
    count = _finished(stdout)["underruns"]
    assert type(count) is int
    # 0 on a quiet machine; whatever it is, the note after the session agrees with it.
    assert ("the sound broke up" in stderr) == (count > 0), stderr
    silent = _voiced_run("--speed", "1000", "--no-voice")
    stdout, stderr = silent.communicate(timeout=120)
    assert silent.returncode == 0, stderr
    assert "underruns" not in _finished(stdout)
