"""The session engine: on time, in order, and never held up by an output."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence

import pytest

from glutekit.interfaces import Event, SessionSummary
from glutekit.model import PRIORITY, Cue, CueKind, Segment, SegmentKind, Timeline
from glutekit.session.clock import MonotonicClock, VirtualClock
from glutekit.session.engine import Controls, play, speech_lengths


def _segment(
    index: int,
    kind: SegmentKind,
    start: float,
    duration: float,
    cue_every: float,
    exercise: str | None = None,
    side: str | None = None,
) -> Segment:
    cues = []
    at = start
    while at < start + duration - 1e-9:
        cue_kind: CueKind = "begin" if at == start else "cue"
        cues.append(
            Cue(
                at=round(at, 3),
                kind=cue_kind,
                text=f"cue {index}@{at:.2f}",
                priority=PRIORITY[cue_kind],
                exercise=exercise,
                side=side,
            )
        )  # type: ignore[arg-type]
        at += cue_every
    return Segment(
        index=index,
        kind=kind,
        start=start,
        duration=duration,
        label=f"seg {index}",
        cues=tuple(cues),
        exercise=exercise,
        side=side,
    )  # type: ignore[arg-type]


def _timeline(
    *specs: tuple[SegmentKind, float, str | None, str | None], cue_every: float = 0.5
) -> Timeline:
    segments, start = [], 0.0
    for i, (kind, duration, exercise, side) in enumerate(specs):
        segments.append(_segment(i, kind, start, duration, cue_every, exercise, side))
        start += duration
    return Timeline(routine_id="synthetic", title="Synthetic", segments=tuple(segments))


class Recorder:
    """Keeps every event with the real time it arrived."""

    def __init__(self) -> None:
        self.events: list[tuple[float, Event]] = []
        self.started: Timeline | None = None
        self.summary: SessionSummary | None = None
        self.closed = threading.Event()

    def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
        return {}

    def start(self, timeline: Timeline) -> None:
        self.started = timeline

    def handle(self, event: Event) -> None:
        self.events.append((time.perf_counter(), event))

    def close(self, summary: SessionSummary | None) -> None:
        self.summary = summary
        self.closed.set()

    def kinds(self) -> list[str]:
        return [e.kind for _, e in self.events]

    def cues(self) -> list[Cue]:
        return [e.cue for _, e in self.events if e.cue is not None]


class Slow(Recorder):
    def handle(self, event: Event) -> None:
        time.sleep(2.0)


class Broken(Recorder):
    def handle(self, event: Event) -> None:
        raise RuntimeError("speaker unplugged")


TWO_SIDES = _timeline(
    ("prepare", 2, "x:a", "right"),
    ("hold", 3, "x:a", "right"),
    ("switch", 1, "x:a", "left"),
    ("hold", 3, "x:a", "left"),
    ("done", 1, None, None),
)


def test_every_event_arrives_in_order_on_a_virtual_clock() -> None:
    recorder = Recorder()
    summary = play(TWO_SIDES, VirtualClock(), {"rec": recorder})
    kinds = recorder.kinds()
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert kinds.count("segment") == len(TWO_SIDES.segments)
    assert recorder.cues() == list(TWO_SIDES.cues)
    assert recorder.started is TWO_SIDES and recorder.summary == summary
    assert summary.status == "finished"
    assert summary.completed == (("x:a", "right"), ("x:a", "left"))
    assert summary.elapsed == summary.planned == TWO_SIDES.duration


def test_start_segment_plays_the_rest_only() -> None:
    recorder = Recorder()
    summary = play(TWO_SIDES, VirtualClock(), [("rec", recorder)], start_segment=3)
    assert recorder.cues()[0].at == TWO_SIDES.segments[3].start
    assert summary.planned == 4 and summary.completed == (("x:a", "left"),)


class StartClock(MonotonicClock):
    """Real time, keeping its first reading: the moment the session took as its start."""

    first: float | None = None

    def now(self) -> float:
        reading = super().now()
        if self.first is None:
            self.first = reading
        return reading


def _lateness(
    timeline: Timeline, outputs: dict[str, Recorder], reports: list[str]
) -> tuple[list[float], SessionSummary]:
    """How late each cue reached the ``rec`` output, in seconds, and the summary.

    Counted from the session's own start, so a stall before it begins is not counted.
    """
    clock = StartClock(speed=1.0)
    summary = play(timeline, clock, outputs, report=reports.append, drain_timeout=0.3)
    assert clock.first is not None
    start = clock.first
    late = [
        arrived - clock.real_time_of(start + e.at)
        for arrived, e in outputs["rec"].events
        if e.kind == "cue"
    ]
    return late, summary


@pytest.mark.realtime
def test_slow_and_raising_outputs_do_not_delay_the_others() -> None:
    timeline = _timeline(("hold", 1.5, "x:a", None), ("done", 0.5, None, None), cue_every=0.05)
    # The baseline: the same session with the recorder alone, measured in this test, so
    # a busy machine's scheduling delay is in both figures and only the outputs differ.
    alone, _ = _lateness(timeline, {"rec": Recorder()}, [])
    reports: list[str] = []
    lateness, summary = _lateness(
        timeline, {"slow": Slow(), "broken": Broken(), "rec": Recorder()}, reports
    )
    assert summary.status == "finished"
    assert len(lateness) == len(alone) == len(timeline.cues) == 40
    assert min(lateness) >= -0.001  # never early
    # A slow output takes 2 s per event: waiting for it even once would show here.
    assert max(lateness) < 0.5, f"worst {max(lateness) * 1000:.1f} ms late"
    typical, baseline = sorted(lateness)[20], sorted(alone)[20]
    assert typical <= baseline + 0.010, (
        f"median {typical * 1000:.1f} ms late beside {baseline * 1000:.1f} ms alone"
    )
    broken = [r for r in reports if "'broken'" in r]
    assert len(broken) == 1 and "speaker unplugged" in broken[0]
    assert any("'slow'" in r and "still busy" in r for r in reports)


class Session:
    """A session playing on a helper thread, as ``glutekit run`` plays it."""

    def __init__(self, clock: MonotonicClock, controls: Controls) -> None:
        self.recorder = Recorder()
        self._result: list[SessionSummary] = []
        self._thread = threading.Thread(
            target=lambda: self._result.append(
                play(TWO_SIDES, clock, {"rec": self.recorder}, controls=controls)
            )
        )
        self._thread.start()

    def summary(self) -> SessionSummary:
        self._thread.join(10)
        return self._result[0]


def _wait_for(recorder: Recorder, predicate: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not any(predicate(e) for _, e in recorder.events):  # type: ignore[operator]
        assert time.monotonic() < deadline, recorder.kinds()
        time.sleep(0.005)


def test_skip_records_the_skipped_side_and_moves_on() -> None:
    controls = Controls()
    session = Session(MonotonicClock(speed=4), controls)
    recorder = session.recorder
    _wait_for(recorder, lambda e: e.kind == "segment" and e.segment.index == 1)
    controls.skip()
    summary = session.summary()
    assert summary.skipped == (("x:a", "right"),)
    assert summary.completed == (("x:a", "left"),)
    seek = next(e for _, e in recorder.events if e.kind == "seek")
    assert seek.segment is not None and seek.segment.index == 2 and seek.at == 5
    assert summary.elapsed < TWO_SIDES.duration - 1


def test_back_restarts_and_pause_stops_the_clock() -> None:
    controls = Controls()
    session = Session(MonotonicClock(speed=10), controls)
    recorder = session.recorder
    _wait_for(recorder, lambda e: e.kind == "segment" and e.segment.index == 1)
    controls.back()  # just into the hold: back to the prepare
    _wait_for(recorder, lambda e: e.kind == "seek")
    controls.pause()
    _wait_for(recorder, lambda e: e.kind == "pause")
    time.sleep(0.3)  # 3 session seconds that must not count
    controls.resume()
    summary = session.summary()
    assert summary.status == "finished"
    seeks = [e for _, e in recorder.events if e.kind == "seek"]
    assert seeks[0].segment is not None and seeks[0].segment.index == 0
    # Back replays the 2 s prepare and what had played of the hold: a moment, which on a
    # busy machine is longer (each 0.1 s of real time is 1 s of session here). The 3 s
    # paused would make it 3 s more than that, past the upper bound.
    replayed = summary.elapsed - TWO_SIDES.duration
    assert 1.5 <= replayed <= 4.5, replayed
    segments = [e.segment.index for _, e in recorder.events if e.kind == "segment"]
    assert segments == [0, 1, 0, 1, 2, 3, 4]


def test_quit_ends_with_status_quit() -> None:
    controls = Controls()
    session = Session(MonotonicClock(speed=4), controls)
    recorder = session.recorder
    _wait_for(recorder, lambda e: e.kind == "segment" and e.segment.index == 1)
    controls.quit()
    summary = session.summary()
    assert summary.status == "quit" and summary.completed == ()
    assert recorder.kinds()[-1] == "end"


def test_speech_lengths_take_the_longest_and_survive_a_failure() -> None:
    class Speaks(Recorder):
        def __init__(self, scale: float) -> None:
            super().__init__()
            self.scale = scale

        def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
            return {t: len(t) * self.scale for t in texts}

    class Fails(Recorder):
        def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
            raise OSError("no engine")

    reports: list[str] = []
    lengths = speech_lengths(
        {"a": Speaks(0.1), "b": Speaks(0.2), "c": Fails()}, ["abcd"], report=reports.append
    )
    assert lengths == {"abcd": pytest.approx(0.8)}
    assert len(reports) == 1 and "'c'" in reports[0] and "no engine" in reports[0]


def test_repeat_says_the_last_cue_again_and_time_left_and_heard_reach_the_outputs() -> None:
    controls = Controls()
    session = Session(MonotonicClock(speed=4), controls)
    recorder = session.recorder
    # Into the first hold (cues every 0.5 s from 2.0): wait for its second cue.
    _wait_for(recorder, lambda e: e.kind == "cue" and e.cue.at == 2.5)
    controls.heard("coach, again")
    controls.repeat()
    _wait_for(recorder, lambda e: e.kind == "seek")
    controls.time_left()
    _wait_for(recorder, lambda e: e.kind == "time-left")
    summary = session.summary()
    assert summary.status == "finished" and summary.skipped == ()
    kinds = recorder.kinds()
    heard = next(e for _, e in recorder.events if e.kind == "heard")
    assert heard.text == "coach, again" and kinds.index("heard") < kinds.index("seek")
    seek = next(e for _, e in recorder.events if e.kind == "seek")
    repeated = [e.cue for _, e in recorder.events if e.kind == "cue"][
        kinds[: kinds.index("seek")].count("cue") - 1 :
    ]
    assert seek.at == repeated[0].at  # the seek lands on the last cue said
    said = [e.cue.text for _, e in recorder.events if e.kind == "cue"]
    assert said.count(repeated[0].text) == 2  # that cue was said twice, the rest once
    left = next(e for _, e in recorder.events if e.kind == "time-left")
    assert left.text.endswith(" left")
    minutes, seconds = left.text.removesuffix(" left").split(":")
    assert 0 < int(minutes) * 60 + int(seconds) < TWO_SIDES.duration


class _ArrivesBetween(Controls):
    """An input that, once armed, hands over "coach, pause" (the words, then the
    command, as the listener does) just after the session took the words heard so far:
    the moment another thread can land between the session's two reads."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = False

    def take_heard(self) -> list[str]:
        taken = super().take_heard()
        if self.armed:
            self.armed = False
            self.heard("coach, pause")
            self.pause()
        return taken


def test_the_words_heard_come_before_what_they_do_whenever_they_arrive() -> None:
    controls = _ArrivesBetween()
    session = Session(MonotonicClock(speed=4), controls)
    recorder = session.recorder
    _wait_for(recorder, lambda e: e.kind == "segment" and e.segment.index == 1)
    controls.armed = True
    controls.time_left()  # wakes the session, which reads what was heard
    _wait_for(recorder, lambda e: e.kind == "pause")
    heard = [i for i, (_, e) in enumerate(recorder.events) if e.kind == "heard"]
    paused = [i for i, (_, e) in enumerate(recorder.events) if e.kind == "pause"]
    controls.resume()
    assert session.summary().status == "finished"
    assert len(heard) == 1 and heard[0] < paused[0], recorder.kinds()
