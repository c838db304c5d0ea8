"""A session speaks before all of its speech is rendered: it starts with its opening,
lays the rest out as lengths come in, never changes what it already played, and waits
between segments (saying so) when rendering falls behind."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from glutekit.catalog import Catalog
from glutekit.interfaces import Event, Measured, SessionSummary, SpeaksAhead
from glutekit.model import Timeline
from glutekit.session import Session, SessionOptions
from glutekit.session.ahead import speak_ahead
from glutekit.session.clock import VirtualClock
from glutekit.session.engine import Controls
from glutekit.timeline import CompileSettings, compile, cue_texts
from glutekit.timeline.speech import SpeechLengths
from tests.forkserver import command

ROUTINE = "quick-five"


def routine_lengths(catalog: Catalog) -> tuple[dict[str, float], Timeline]:
    """Lengths a voice measures for every text of ROUTINE, and the timeline they give."""
    routine = catalog.find_routine(ROUTINE)
    lengths = voiced_lengths(cue_texts(compile(routine, catalog)))
    return lengths, compile(routine, catalog, CompileSettings(speech_lengths=lengths))


def voiced_lengths(texts: Sequence[str]) -> dict[str, float]:
    """Lengths as a voice slower than the estimate measures them (each text its own)."""
    estimate = SpeechLengths()
    return {t: round(estimate(t) * (1.2 + 0.01 * (i % 7)), 3) for i, t in enumerate(texts)}


class AheadVoice:
    """An output that measures its texts on a thread of its own, in order, like the
    voice: ``first`` texts at once, then the rest once ``gate`` opens."""

    def __init__(self, lengths: Mapping[str, float], first: int, *, give_up: bool = False):
        self.lengths = dict(lengths)
        self.first = first
        self.give_up = give_up
        self.gate = threading.Event()
        self.events: list[Event] = []
        self.timelines: list[Timeline] = []
        self.revised: list[Timeline] = []
        self.on_wait: list[object] = []  # callables run when the session waits for speech
        self.thread: threading.Thread | None = None

    def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
        raise AssertionError("a voice that speaks ahead is not asked for every length first")

    def speak_ahead(self, texts: Sequence[str], measured: Measured) -> bool:
        order = list(texts)
        measured({t: self.lengths[t] for t in order[: self.first]}, False)

        def rest() -> None:
            self.gate.wait(30)
            if self.give_up:
                measured({}, True)
                return
            # All at once: with a virtual clock the session would otherwise run into
            # each next segment before its texts came, and wait there too.
            measured({t: self.lengths[t] for t in order[self.first :]}, True)

        self.thread = threading.Thread(target=rest, daemon=True)
        self.thread.start()
        return True

    def start(self, timeline: Timeline) -> None:
        self.timelines.append(timeline)

    def revise(self, timeline: Timeline, ready: int) -> None:
        assert 0 <= ready <= len(timeline.segments)
        self.revised.append(timeline)

    def handle(self, event: Event) -> None:
        self.events.append(event)
        if event.kind == "pause" and event.text == "speech":
            for action in self.on_wait:
                action()  # type: ignore[operator]
            self.gate.set()

    def close(self, summary: SessionSummary | None) -> None:
        pass


def ahead_session(catalog: Catalog, voice: AheadVoice) -> tuple[Session, Timeline]:
    """A session on ``voice`` that speaks ahead, and the timeline it must end up playing."""
    routine = catalog.find_routine(ROUTINE)
    estimated = compile(routine, catalog)
    texts = cue_texts(estimated)
    growing, rest = speak_ahead(
        [("voice", voice)], routine, catalog, estimated, texts, report=print
    )
    assert growing is not None and rest == []
    opening = growing.wait_ready(1)
    session = Session(
        routine=routine,
        timeline=opening,
        options=SessionOptions(),
        controls=Controls(),
        outputs=[("voice", voice)],
        growing=growing,
    )
    final = compile(routine, catalog, CompileSettings(speech_lengths=voice.lengths))
    return session, final


def spoken(events: Sequence[Event]) -> list[tuple[float, str]]:
    return [(e.at, e.cue.text) for e in events if e.kind == "cue" and e.cue is not None]


def test_the_voice_output_is_one_that_speaks_ahead() -> None:
    from glutekit_voice.output import VoiceOutput

    assert issubclass(VoiceOutput, SpeaksAhead)


def test_a_session_starts_with_its_opening_and_plays_what_all_lengths_would_give(
    catalog: Catalog,
) -> None:
    lengths, _ = routine_lengths(catalog)
    # The opening segment's texts now; the rest once the session has to wait for them.
    voice = AheadVoice(lengths, first=3)
    session, final = ahead_session(catalog, voice)
    started = voice.timelines  # filled when the session plays
    result = session.play(clock=VirtualClock())
    assert result.summary.status == "finished"
    # It started before the rest was measured: its first timeline was not the final one.
    assert started[0] != final
    assert started[0].segments[0] == final.segments[0]
    # Every cue was said when the timeline laid out with every length says, in order:
    # nothing played was laid out again.
    assert spoken(voice.events) == [(c.at, c.text) for c in final.cues if c.text.strip()]
    assert voice.revised[-1] == final
    assert result.summary.planned == pytest.approx(final.duration, abs=1e-3)
    # It waited once, at the start of a segment, and said so; nothing was said meanwhile.
    kinds = [(e.kind, e.text) for e in voice.events]
    assert kinds.count(("pause", "speech")) == 1
    wait = kinds.index(("pause", "speech"))
    assert kinds[wait + 1] == ("resume", "speech")
    assert voice.events[wait].at in {s.start for s in final.segments}


class CreepingClock(VirtualClock):
    """A virtual clock that also moves a millisecond each time it is read, as a real one
    does between two readings on a busy machine at a high ``--speed``."""

    def now(self) -> float:
        self.advance(0.001)
        return super().now()


def test_the_wait_for_speech_is_exactly_at_the_start_of_its_segment(catalog: Catalog) -> None:
    """The stream holds where the pause says and goes on from where the resume says: a
    clip due at the start of the segment waited at must be at or after both, or it is
    taken for one already past and never said."""
    lengths, _ = routine_lengths(catalog)
    voice = AheadVoice(lengths, first=3)
    session, final = ahead_session(catalog, voice)
    result = session.play(clock=CreepingClock())
    assert result.summary.status == "finished"
    waits = [e for e in voice.events if e.text == "speech"]
    assert [e.kind for e in waits] == ["pause", "resume"]
    starts = {s.start for s in final.segments}
    assert waits[0].at in starts
    assert waits[1].at == waits[0].at
    # The cues still come at their times, the clock's creep aside.
    said = spoken(voice.events)
    assert [text for _, text in said] == [c.text for c in final.cues if c.text.strip()]


def test_a_pause_asked_for_while_waiting_holds_after_the_speech_is_ready(
    catalog: Catalog,
) -> None:
    lengths, _ = routine_lengths(catalog)
    voice = AheadVoice(lengths, first=3)
    session, final = ahead_session(catalog, voice)
    voice.on_wait.append(session.controls.pause)
    resumed_after: list[int] = []

    def resume_when_ready() -> None:
        assert session.growing is not None
        while not session.growing.snapshot()[2]:  # final
            time.sleep(0.01)
        time.sleep(0.2)  # time for the engine to take the news
        resumed_after.append(sum(1 for e in voice.events if e.kind == "resume"))
        session.controls.resume()

    helper = threading.Thread(target=resume_when_ready, daemon=True)
    voice.on_wait.append(helper.start)
    result = session.play(clock=VirtualClock())
    assert result.summary.status == "finished"
    assert resumed_after == [0]  # still paused, as asked, once the speech was there
    assert spoken(voice.events) == [(c.at, c.text) for c in final.cues if c.text.strip()]


def test_a_voice_that_gives_up_leaves_the_session_to_finish_with_estimated_lengths(
    catalog: Catalog,
) -> None:
    routine = catalog.find_routine(ROUTINE)
    lengths, _ = routine_lengths(catalog)
    voice = AheadVoice(lengths, first=3, give_up=True)
    session, _ = ahead_session(catalog, voice)
    result = session.play(clock=VirtualClock())
    assert result.summary.status == "finished"
    measured = {t: s for t, s in lengths.items() if t in list(lengths)[:3]}
    expected = compile(routine, catalog, CompileSettings(speech_lengths=measured))
    assert spoken(voice.events) == [(c.at, c.text) for c in expected.cues if c.text.strip()]


# ----------------------------------------------------------------- the real voice


def _env(cache: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GLUTEKIT_VOICE_CACHE_DIR": str(cache),
        "GLUTEKIT_AUDIO_BACKEND": "null",
    }


def _events(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_a_first_session_speaks_before_its_speech_is_rendered_and_times_it_as_a_cached_one(
    tmp_path: Path,
) -> None:
    pytest.importorskip("piper", reason="the Piper backend (piper-tts) is not installed")
    pytest.importorskip("miniaudio", reason="miniaudio is not installed")
    cache = tmp_path / "voice"
    env = _env(cache)
    args = ["run", ROUTINE, "--speed", "100", "--events", "jsonl"]
    proc = subprocess.Popen(
        [*command(env), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    first_line = proc.stdout.readline()
    wavs_at_start = len(list(cache.glob("*.wav")))
    rest = proc.stdout.read()  # from the same buffer: communicate() would skip what it holds
    proc.wait(600)
    reader.join(60)
    stderr = errors[0]
    assert proc.returncode == 0, stderr
    cold = _events(first_line + rest)
    texts = {e["cue"]["text"] for e in cold if e["event"] == "cue"}  # type: ignore[index]
    # The session was under way while most of its speech was still to be rendered.
    assert "preparing speech" in stderr and "Traceback" not in stderr
    assert wavs_at_start < len(texts) / 2, (wavs_at_start, len(texts))

    warm = run_cached(env, args)
    assert "preparing speech" not in warm.stderr

    # The same cues at the same places as a session whose speech was all in the cache.
    def placed(events: list[dict[str, object]]) -> list[tuple[object, object]]:
        return [(e["position"], e["cue"]) for e in events if e["event"] == "cue"]

    assert placed(cold) == placed(_events(warm.stdout))
    assert cold[-1]["planned"] == _events(warm.stdout)[-1]["planned"]
    assert len(list(cache.glob("*.wav"))) >= len(texts)
    assert not list(cache.glob(".render-*"))  # no half-written file left behind


def run_cached(env: Mapping[str, str], args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command(dict(env)), *args],
        capture_output=True,
        text=True,
        env=dict(env),
        timeout=300,
    )


#: glutekit with Ctrl-C as a terminal gives it: a test runner started in the background
#: may hand its processes SIGINT ignored.
AS_FROM_A_TERMINAL = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, '-m', 'glutekit', *sys.argv[1:]])"
)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_before_the_first_word_stops_the_rendering_and_leaves_no_worker(
    tmp_path: Path, signum: int
) -> None:
    pytest.importorskip("piper", reason="the Piper backend (piper-tts) is not installed")
    pytest.importorskip("miniaudio", reason="miniaudio is not installed")
    cache = tmp_path / "voice"
    env = _env(cache)
    proc = subprocess.Popen(
        [sys.executable, "-c", AS_FROM_A_TERMINAL, "run", ROUTINE],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert "preparing speech" in line, line
    deadline = time.monotonic() + 30
    while not _workers_for(cache) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _workers_for(cache), "no render worker started"
    proc.send_signal(signum)
    try:
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143}[signum], stderr
    assert "Traceback" not in stderr, stderr
    # No render worker outlives the session (they run in sessions of their own).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _workers_for(cache):
        time.sleep(0.2)
    assert not _workers_for(cache)


def _workers_for(cache: Path) -> list[int]:
    """Render workers of this test still running (their environment names its cache)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        mine = f"GLUTEKIT_VOICE_CACHE_DIR={cache}".encode() in environ
        if mine and b"glutekit_voice.pool" in cmdline:
            found.append(int(entry.name))
    return found


# ----------------------------------------------------------------- more than one wait


class SegmentAtATime(AheadVoice):
    """Measures one more segment's texts each time the session waits for speech."""

    def __init__(self, lengths: Mapping[str, float], final: Timeline) -> None:
        super().__init__(lengths, first=0)
        self.final = final
        self.given = 1
        self.measured: Measured | None = None
        self.on_wait_commands: list[object] = []

    def speak_ahead(self, texts: Sequence[str], measured: Measured) -> bool:
        self.measured = measured
        measured(self._texts_of(self.final.segments[:1]), False)
        return True

    def _texts_of(self, segments: Sequence[object]) -> dict[str, float]:
        return {
            c.text: self.lengths[c.text]
            for s in segments
            for c in s.cues  # type: ignore[attr-defined]
            if c.text.strip()
        }

    def revise(self, timeline: Timeline, ready: int) -> None:
        super().revise(timeline, ready)
        waits = [e for e in self.events if e.kind in ("pause", "resume") and e.text == "speech"]
        if waits and waits[-1].kind == "pause":
            self._more()  # laid out again, still waiting: what it waits for is not here yet

    def handle(self, event: Event) -> None:
        self.events.append(event)
        if event.kind == "pause" and event.text == "speech":
            for action in self.on_wait_commands:
                action()  # type: ignore[operator]
            self.on_wait_commands.clear()
            self._more()

    def _more(self) -> None:
        """The texts of one more segment, from another thread, as a renderer would."""
        assert self.measured is not None
        self.given += 1
        done = self.given >= len(self.final.segments)
        batch = self._texts_of(self.final.segments[: self.given])
        if done:
            batch = dict(self.lengths)
        threading.Thread(target=self.measured, args=(batch, done), daemon=True).start()


def test_a_session_laid_out_again_at_every_segment_still_plays_the_final_timeline(
    catalog: Catalog,
) -> None:
    lengths, final = routine_lengths(catalog)
    voice = SegmentAtATime(lengths, final)
    session, final_again = ahead_session(catalog, voice)
    assert final_again == final
    result = session.play(clock=VirtualClock())
    assert result.summary.status == "finished"
    waits = [e for e in voice.events if e.kind == "pause" and e.text == "speech"]
    assert len(waits) >= 5  # laid out again many times while it played
    assert {e.at for e in waits} <= {s.start for s in final.segments} | {final.duration}
    assert spoken(voice.events) == [(c.at, c.text) for c in final.cues if c.text.strip()]
    assert result.summary.planned == pytest.approx(final.duration, abs=1e-3)
    assert session.timeline == final  # what was played, once it is over


def test_skips_while_waiting_for_speech_go_forward_and_land_where_the_final_timeline_says(
    catalog: Catalog,
) -> None:
    lengths, final = routine_lengths(catalog)
    voice = SegmentAtATime(lengths, final)
    session, _ = ahead_session(catalog, voice)
    # Two skips at the first wait: to the segment after the next one, never back to 0.
    voice.on_wait_commands += [session.controls.skip, session.controls.skip]
    result = session.play(clock=VirtualClock())
    assert result.summary.status == "finished"
    seeks = [e for e in voice.events if e.kind == "seek"]
    assert [e.segment.index for e in seeks[:2] if e.segment] == [2, 3]
    # After the jumps, every cue comes where the final timeline has it.
    said = spoken(voice.events)
    third = final.segments[3]
    tail = [(c.at, c.text) for s in final.segments[3:] for c in s.cues if c.text.strip()]
    assert said[-len(tail) :] == tail
    assert said[0] == (0.0, final.cues[0].text)
    assert third.start > 0


def test_a_pause_pressed_while_waiting_is_shown_at_once(catalog: Catalog) -> None:
    lengths, final = routine_lengths(catalog)
    voice = SegmentAtATime(lengths, final)
    session, _ = ahead_session(catalog, voice)
    shown: list[tuple[str, str]] = []

    def pause_then_resume() -> None:
        session.controls.pause()
        session.controls.resume()

    voice.on_wait_commands.append(pause_then_resume)
    result = session.play(clock=VirtualClock())
    assert result.summary.status == "finished"
    shown = [(e.kind, e.text) for e in voice.events if e.kind in ("pause", "resume")]
    first = shown.index(("pause", "speech"))
    # Paused by the user (shown as a plain pause), then back to waiting, then on.
    assert shown[first : first + 4] == [
        ("pause", "speech"),
        ("pause", ""),
        ("pause", "speech"),
        ("resume", "speech"),
    ]


def test_a_ready_segment_is_what_every_length_gives_in_every_ready_made_routine(
    catalog: Catalog,
) -> None:
    """What the engine relies on. Each ready-made routine's texts are measured one by
    one, in the order they are said, at 0.5 to 2 times their estimate: at every step,
    the segments called ready are exactly those laid out with every length known.

    (A segment's own texts are not always enough: the compiler also weighs a few
    texts it does not say, which this catches.)
    """
    import random

    from glutekit.session.ahead import Growing

    estimate = SpeechLengths()
    steps = 0
    for routine in catalog.routines.values():
        estimated = compile(routine, catalog)
        texts = cue_texts(estimated)
        rng = random.Random(routine.id)
        full = {t: estimate(t) * rng.uniform(0.5, 2.0) for t in texts}
        final = compile(routine, catalog, CompileSettings(speech_lengths=full))
        growing = Growing(routine, catalog, estimated, texts=texts)
        measured, _ = growing.reporter()
        for text in texts:
            measured({text: full[text]}, False)
            timeline, ready, _, _ = growing.snapshot()
            assert timeline.segments[:ready] == final.segments[:ready], (routine.id, text)
            steps += 1
        measured({}, True)
        assert growing.snapshot()[0] == final
    assert steps > 500


# ----------------------------------------------------------------- the stream


def test_a_playhead_extended_plays_the_new_clips_at_their_samples() -> None:
    from glutekit_voice.mixer import Placement, Playhead, Schedule

    from glutekit.model import Cue

    rate = 8000

    def tone(second: float) -> Placement:
        cue = Cue(at=second, kind="countdown", text="3.", priority=0)
        return Placement(start=int(second * rate), path=None, frames=400, cue=cue)

    first = [tone(0.5), tone(1.0)]
    later = [tone(2.0), tone(3.0)]
    playhead = Playhead(Schedule(first, 2 * rate, rate))
    playhead.seek(0.0, frame=0)
    frame = 0
    while frame < int(1.5 * rate):
        playhead.read(800, frame)
        frame += 800
    playhead.extend(Schedule([*first, *later], 4 * rate, rate))
    while frame < 4 * rate:
        playhead.read(800, frame)
        frame += 800
    assert [s.placement.start for s in playhead.started] == [p.start for p in first + later]
    assert [s.frame for s in playhead.started] == [p.start for p in first + later]


def test_a_playhead_extended_late_starts_a_just_missed_clip_and_drops_an_old_one() -> None:
    from glutekit_voice.mixer import EXTEND_LATE, Placement, Playhead, Schedule

    from glutekit.model import Cue

    rate = 8000
    cue = Cue(at=0.0, kind="countdown", text="3.", priority=0)
    just = Placement(start=int(2.0 * rate), path=None, frames=400, cue=cue)
    old = Placement(start=int(1.0 * rate), path=None, frames=400, cue=cue)
    playhead = Playhead(Schedule([], 4 * rate, rate))
    playhead.seek(0.0, frame=0)
    frame = 0
    while frame < int((2.0 + EXTEND_LATE / 2) * rate):
        playhead.read(400, frame)
        frame += 400
    playhead.extend(Schedule([old, just], 4 * rate, rate))
    playhead.read(400, frame)
    assert [s.placement for s in playhead.started] == [just]  # at once, a little late
    assert playhead.started[0].frame == frame


def test_a_playhead_past_what_it_was_given_starts_the_clips_laid_out_there_late() -> None:
    """The session found the speech ready and went on, but the new schedule reached the
    stream late (a busy machine): what fell due meanwhile is said late, not dropped."""
    from glutekit_voice.mixer import EXTEND_PASSED, Placement, Playhead, Schedule

    from glutekit.model import Cue

    rate = 8000

    def tone(second: float) -> Placement:
        cue = Cue(at=second, kind="countdown", text="3.", priority=0)
        return Placement(start=int(second * rate), path=None, frames=400, cue=cue)

    given = [tone(0.5)]
    playhead = Playhead(Schedule(given, 1 * rate, rate))  # laid out up to 1 s
    playhead.seek(0.0, frame=0)
    frame = 0
    passed = 1.0 + EXTEND_PASSED + 0.5
    while frame < int(passed * rate):  # well past it, never held
        playhead.read(400, frame)
        frame += 400
    stale, missed, due, coming = tone(1.2), tone(1.0 + EXTEND_PASSED), tone(passed - 0.4), tone(5.0)
    playhead.extend(Schedule([*given, stale, missed, due, coming], 6 * rate, rate))
    playhead.read(400, frame)
    starts = [(s.placement, s.frame) for s in playhead.started]
    # Due longer ago than EXTEND_PASSED: stale, left out; the others at once, in order.
    assert starts == [(given[0], given[0].start), (missed, frame), (due, frame)]
    while frame < 6 * rate:
        frame += 400
        playhead.read(400, frame)
    assert [s.placement for s in playhead.started][-1] == coming
    assert playhead.started[-1].frame == coming.start


RATE = 8000


def _clip(second: float, kind: str, seconds: float = 1.0) -> Any:
    from glutekit_voice.mixer import Placement

    from glutekit.model import Cue

    cue = Cue(at=second, kind=kind, text=f"{kind} at {second}.", priority=0)  # type: ignore[arg-type]
    return Placement(start=int(second * RATE), path=None, frames=int(seconds * RATE), cue=cue)


def _play(playhead: Any, frame: int, seconds: float) -> int:
    """Read the playhead in blocks of 50 ms for ``seconds`` of stream; the next frame."""
    end = frame + int(seconds * RATE)
    while frame < end:
        playhead.read(400, frame)
        frame += 400
    return frame


def _heard(playhead: Any) -> list[tuple[str, float]]:
    return [(s.placement.cue.kind, s.frame / RATE) for s in playhead.started]


def _no_overlap(playhead: Any) -> None:
    ends = [s.frame + s.placement.frames for s in playhead.started]
    assert all(b.frame >= end for b, end in zip(playhead.started[1:], ends, strict=False))


@pytest.mark.parametrize("speed", [1.0, 60.0])
def test_an_opening_whose_layout_reaches_the_stream_late_is_still_said(speed: float) -> None:
    """The session found its opening measured and went on, but the layout reached the
    stream 3 s later (a busy machine): the safety line and the red flag are said, late
    and one after the other; the rest keeps its time or, stale, is left out as before."""
    from glutekit_voice.mixer import Playhead, Schedule

    safety, screen = _clip(0.0, "safety"), _clip(0.5, "screen")
    count, announce = _clip(8.8, "countdown", 0.3), _clip(11.0, "announce")
    playhead = Playhead(Schedule([], 0, RATE), speed)  # nothing laid out yet
    playhead.seek(0.0, frame=0)
    frame = _play(playhead, 0, 3.0)
    playhead.extend(Schedule([safety, screen, count, announce], 20 * RATE, RATE))
    _play(playhead, frame, 30.0)
    if speed == 1:
        assert _heard(playhead) == [
            ("safety", 3.0),
            ("screen", 4.0),
            ("countdown", 8.8),
            ("announce", 11.0),
        ]
    else:  # 3 s of stream is 180 s of session: the others are long stale
        assert _heard(playhead) == [("safety", 3.0), ("screen", 4.0)]
    _no_overlap(playhead)


@pytest.mark.parametrize("speed", [1.0, 60.0])
def test_a_start_and_a_wait_that_reach_the_stream_together_still_say_the_opening(
    speed: float,
) -> None:
    """The stream takes the session's start, its wait for speech further on and its going
    on from there all at once (they reached it late, together): the opening is said
    first, line after line, then what the session went on with."""
    from glutekit_voice.mixer import Playhead, Schedule

    safety, screen, announce = _clip(0.0, "safety"), _clip(6.0, "screen"), _clip(11.0, "announce")
    playhead = Playhead(Schedule([safety, screen, announce], 20 * RATE, RATE), speed)
    playhead.seek(12.0 * RATE, first=0.0, frame=0)  # the start, taken late
    playhead.hold(11.0 * RATE)  # the session waited at 11 s for its speech
    playhead.release(11.5 * RATE, 11.0 * RATE, frame=0)  # and went on
    _play(playhead, 0, 30.0)
    if speed == 1:
        assert _heard(playhead) == [("safety", 0.0), ("screen", 1.0), ("announce", 2.0)]
        _no_overlap(playhead)
    else:  # sped up, what is due starts at once; the owed lines follow each other
        assert _heard(playhead) == [("safety", 0.0), ("announce", 0.0), ("screen", 1.0)]


def test_a_start_taken_late_says_the_opening_line_after_line() -> None:
    """The start reaches the stream 7 s late: its first lines fell due meanwhile. They
    are said one after the other, and what fell due with them after them, never on top
    of each other; the session's later clips keep their time once that is done."""
    from glutekit_voice.mixer import Playhead, Schedule

    clips = [_clip(0.0, "safety"), _clip(3.0, "screen"), _clip(5.0, "next"), _clip(20.0, "begin")]
    playhead = Playhead(Schedule(clips, 30 * RATE, RATE))
    playhead.seek(7.0 * RATE, first=0.0, frame=0)
    _play(playhead, 0, 20.0)
    assert _heard(playhead) == [("safety", 0.0), ("screen", 1.0), ("next", 2.0), ("begin", 13.0)]
    _no_overlap(playhead)


def test_a_pause_after_a_late_opening_leaves_nothing_out() -> None:
    """A late first layout, then the user pauses and goes on: the red flag due before
    the pause and the clip due after it are both said, each once."""
    from glutekit_voice.mixer import Playhead, Schedule

    safety, screen, announce = _clip(0.0, "safety"), _clip(6.0, "screen"), _clip(11.0, "announce")
    playhead = Playhead(Schedule([], 0, RATE))
    playhead.seek(0.0, frame=0)
    frame = _play(playhead, 0, 3.0)
    playhead.extend(Schedule([safety, screen, announce], 20 * RATE, RATE))
    frame = _play(playhead, frame, 4.5)  # the session is at 7.5 s
    playhead.flush(frame)  # a pause of 2 s
    frame += 2 * RATE
    playhead.seek(7.5 * RATE, first=7.5 * RATE, frame=frame)
    _play(playhead, frame, 10.0)
    assert _heard(playhead) == [("safety", 3.0), ("screen", 6.0), ("announce", 13.0)]


def test_a_red_flag_the_user_skipped_past_is_not_said_when_its_layout_comes() -> None:
    """A skip is the user's choice: a red flag jumped over before its layout reached
    the stream stays unsaid, and what the user skipped to keeps its time."""
    from glutekit_voice.mixer import Playhead, Schedule

    safety, screen, announce = _clip(0.0, "safety"), _clip(6.0, "screen"), _clip(11.0, "announce")
    playhead = Playhead(Schedule([safety], 6 * RATE, RATE))
    playhead.seek(0.0, frame=0)
    frame = _play(playhead, 0, 1.0)
    playhead.seek(10.9 * RATE, first=11.0 * RATE, frame=frame)  # skip on to 11 s
    playhead.extend(Schedule([safety, screen, announce], 20 * RATE, RATE))
    _play(playhead, frame, 5.0)
    assert _heard(playhead) == [("safety", 0.0), ("announce", 1.1)]


@pytest.mark.parametrize("speed", [1.0, 60.0])
def test_going_back_says_the_safety_line_and_red_flag_again_once_each(speed: float) -> None:
    """A jump back (``back``, ``repeat``) reaches the stream with its usual small lag:
    the lines at the segment's start are said again, each once, on time."""
    from glutekit_voice.mixer import Playhead, Schedule

    safety, screen, announce = _clip(0.0, "safety"), _clip(6.0, "screen"), _clip(11.0, "announce")
    playhead = Playhead(Schedule([safety, screen, announce], 20 * RATE, RATE), speed)
    playhead.seek(0.0, first=0.0, frame=0)
    frame = _play(playhead, 0, 15.0 / speed)
    lag = 0.05 * RATE  # a block of stream between the jump and the stream taking it
    playhead.seek(6.0 * RATE + lag * speed, first=6.0 * RATE - 16, frame=frame)
    frame = _play(playhead, frame, 10.0 / speed)
    playhead.seek(lag * speed, first=-16.0, frame=frame)
    _play(playhead, frame, 30.0)
    kinds = [kind for kind, _ in _heard(playhead)]
    opening = ["safety", "screen", "announce"]
    assert kinds == [*opening, *opening[1:], *opening]
    assert not playhead.owed


def test_a_jump_back_while_waiting_for_speech_says_the_lines_where_it_lands() -> None:
    """The session waits for its next part's speech; the user goes back a part, and the
    session waits there until the speech is ready: when it goes on, the lines at the
    start of the part are said again, as at any jump back."""
    from glutekit_voice.mixer import Playhead, Schedule

    safety, screen, announce = _clip(0.0, "safety"), _clip(6.0, "screen"), _clip(11.0, "announce")
    playhead = Playhead(Schedule([safety, screen, announce], 20 * RATE, RATE))
    playhead.seek(0.0, first=0.0, frame=0)
    playhead.hold(15.0 * RATE)  # waiting for speech at 15 s
    frame = _play(playhead, 0, 16.0)
    playhead.seek(6.0 * RATE, first=6.0 * RATE - 16, frame=frame)  # "back"
    playhead.hold(6.0 * RATE)  # and it waits where it lands
    frame = _play(playhead, frame, 1.0)
    playhead.release(6.0 * RATE, 6.0 * RATE - 16, frame=frame)  # the speech is ready
    _play(playhead, frame, 10.0)
    assert _heard(playhead) == [
        ("safety", 0.0),
        ("screen", 6.0),
        ("announce", 11.0),
        ("screen", 17.0),
        ("announce", 22.0),
    ]


def test_a_first_start_with_its_usual_lag_is_not_owed_when_sped_up() -> None:
    """At --speed 60 every start is a few seconds of session late: the safety line is
    started and cut by the next clip as any clip is, not said in full over the others."""
    from glutekit_voice.mixer import Playhead, Schedule

    clips = [_clip(0.0, "safety", 4.0), _clip(12.0, "announce"), _clip(30.0, "cue")]
    playhead = Playhead(Schedule(clips, 60 * RATE, RATE), 60.0)
    playhead.seek(6.0 * RATE, first=-16.0, frame=0)  # 0.1 s of stream late
    _play(playhead, 0, 2.0)
    assert [kind for kind, _ in _heard(playhead)] == ["safety", "announce", "cue"]
    assert playhead.playing_at(int(0.45 * RATE)) == [clips[2].cue]


def test_a_countdown_that_waits_behind_a_late_opening_keeps_its_beat() -> None:
    """Speech back to back after a late opening: the 3-2-1 that waits its turn comes
    late, a second apart as laid out, not squashed into one quick triple beep."""
    from glutekit_voice.mixer import Playhead, Schedule

    clips = [
        _clip(0.0, "safety", 2.0),
        _clip(2.0, "screen", 2.0),
        _clip(4.0, "announce", 2.0),
        _clip(6.0, "cue", 1.5),
        *(_clip(7.7 + n, "countdown", 0.12) for n in range(3)),
        _clip(10.7, "begin"),
    ]
    playhead = Playhead(Schedule([], 0, RATE))
    playhead.seek(0.0, frame=0)
    frame = _play(playhead, 0, 3.0)
    playhead.extend(Schedule(clips, 20 * RATE, RATE))
    _play(playhead, frame, 20.0)
    heard = dict((f"{kind}{n}", at) for n, (kind, at) in enumerate(_heard(playhead)))
    assert heard["safety0"] == 3.0
    beats = [heard["countdown4"], heard["countdown5"], heard["countdown6"], heard["begin7"]]
    assert [round(b - a, 3) for a, b in itertools.pairwise(beats)] == [1.0, 1.0, 1.0]
    _no_overlap(playhead)


@pytest.mark.parametrize("seconds", [0.12, 0.6], ids=["tones", "spoken"])
def test_a_countdown_due_while_the_last_owed_line_sounds_keeps_its_beat(seconds: float) -> None:
    """The start reaches the stream 0.5 s late: the safety line is owed and sounds until
    2 s; the 3-2-1 due meanwhile waits for it, then keeps a second between its beats."""
    from glutekit_voice.mixer import Playhead, Schedule

    count = [_clip(1.6 + n, "countdown", seconds) for n in range(3)]
    clips = [_clip(0.0, "safety", 2.0), *count, _clip(5.0, "begin")]
    playhead = Playhead(Schedule(clips, 10 * RATE, RATE))
    playhead.seek(0.5 * RATE, first=0.0, frame=0)
    _play(playhead, 0, 10.0)
    assert _heard(playhead) == [
        ("safety", 0.0),
        ("countdown", 2.0),
        ("countdown", 3.0),
        ("countdown", 4.0),
        ("begin", 5.4),
    ]
    _no_overlap(playhead)


def test_an_exercises_spoken_caution_that_reaches_the_stream_late_is_still_said() -> None:
    """Mid-session, the layout of an exercise reaches the stream 3 s after the session
    went on into it (a busy machine): its name, that late, is left out as any such line,
    but its caution is said, and the instruction due meanwhile waits behind it."""
    from glutekit_voice.mixer import Playhead, Schedule

    given = [_clip(0.0, "rest", 0.5)]
    later = [_clip(10.0, "announce", 0.5), _clip(10.5, "caution", 2.0), _clip(13.2, "instruction")]
    playhead = Playhead(Schedule(given, 10 * RATE, RATE))
    playhead.seek(0.0, frame=0)
    frame = _play(playhead, 0, 8.0)
    playhead.hold(10.0 * RATE)  # the session waits there for the exercise's speech
    frame = _play(playhead, frame, 3.0)
    playhead.release(13.0 * RATE, 10.0 * RATE, frame=frame)  # goes on, 3 s in
    playhead.extend(Schedule([*given, *later], 20 * RATE, RATE))  # the layout, late
    _play(playhead, frame, 10.0)
    assert [kind for kind, _ in _heard(playhead)] == ["rest", "caution", "instruction"]
    _no_overlap(playhead)


def test_a_caution_owed_when_the_user_skips_its_exercise_is_left_with_it() -> None:
    """A caution belongs to its exercise: owed (its layout came late), then the user
    skips to the next exercise, it is not said there, and the next keeps its time."""
    from glutekit_voice.mixer import Playhead, Schedule

    given = [_clip(0.0, "rest", 0.5)]
    first = [_clip(10.0, "announce"), _clip(11.0, "caution", 3.5), _clip(15.0, "instruction")]
    second = [_clip(40.0, "announce", 3.0)]
    playhead = Playhead(Schedule(given, 10 * RATE, RATE))
    playhead.seek(0.0, frame=0)
    frame = _play(playhead, 0, 14.5)
    playhead.extend(Schedule([*given, *first, *second], 60 * RATE, RATE))  # 4.5 s late
    assert [p.cue.kind for p in playhead.owed] == ["caution"]
    playhead.seek(40.0 * RATE, first=40.0 * RATE, frame=frame)  # skip to the next one
    _play(playhead, frame, 10.0)
    assert _heard(playhead) == [("rest", 0.0), ("announce", 14.5)]


def test_a_late_caution_sped_up_is_cut_by_the_next_line_as_any_line() -> None:
    """At --speed 2 every line cuts the one before it: a caution that came late is not
    owed, so it does not sound on under the lines after it."""
    from glutekit_voice.mixer import Playhead, Schedule

    given = [_clip(0.0, "rest", 0.5)]
    later = [_clip(10.0, "announce"), _clip(11.0, "caution", 3.5), _clip(15.0, "instruction", 2.0)]
    playhead = Playhead(Schedule(given, 10 * RATE, RATE), 2.0)
    playhead.seek(0.0, frame=0)
    frame = _play(playhead, 0, 6.5)  # 13 s of session: the layout 3 s late
    playhead.extend(Schedule([*given, *later], 60 * RATE, RATE))
    assert not playhead.owed
    _play(playhead, frame, 20.0)
    kinds = [kind for kind, _ in _heard(playhead)]
    assert kinds == ["rest", "announce", "caution", "instruction"]
    assert len(playhead.playing_at(int(8.0 * RATE))) == 1  # never two at once


def test_a_first_voiced_session_plays_every_cue_at_its_final_sample(
    host: object, catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real voice, renderer and stream in this process: speech rendered while the
    session plays ends up in the stream, each cue at the sample the final layout gives
    it, none twice and none left out."""
    pytest.importorskip("piper", reason="the Piper backend (piper-tts) is not installed")
    pytest.importorskip("miniaudio", reason="miniaudio is not installed")
    from glutekit_voice import wavfile
    from glutekit_voice.output import VoiceOutput

    from glutekit.session import prepare

    monkeypatch.setenv("GLUTEKIT_VOICE_CACHE_DIR", str(tmp_path / "voice"))
    monkeypatch.setenv("GLUTEKIT_AUDIO_BACKEND", "null")
    routine = catalog.find_routine(ROUTINE)
    options = SessionOptions(speed=60, outputs=("voice",))
    session = prepare(routine, host=host, catalog=catalog, options=options)  # type: ignore[arg-type]
    assert session.growing is not None  # it speaks ahead: the cache was empty
    voice = session.outputs[0][1]
    assert isinstance(voice, VoiceOutput) and voice.stream is not None
    result = session.play()
    assert result.summary.status == "finished"
    final = session.timeline
    said = [c for c in final.cues if c.text.strip()]
    started = [s.placement for s in voice.stream.started]
    assert [p.cue for p in started] == said
    assert [p.start for p in started] == [round(c.at * wavfile.RATE) for c in said]
