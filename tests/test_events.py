"""The session's event stream: typed events for any number of listeners, and run --events jsonl."""

from __future__ import annotations

import json
import threading

from glutekit.catalog import Catalog
from glutekit.host.plugins import PluginHost
from glutekit.session import SessionOptions, prepare
from glutekit.session.clock import VirtualClock
from glutekit.session.events import EventStream, StreamEvent
from tests.conftest import run_glutekit


def test_run_events_jsonl_prints_every_event_with_monotonic_session_times() -> None:
    done = run_glutekit("run", "quick-five", "--events", "jsonl", "--speed", "100", "--no-voice")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    names = [e["event"] for e in events]
    assert names[0] == "started" and names[-1] == "finished"
    assert events[-1]["status"] == "finished" and events[-1]["completed"] == 6
    assert {"segment", "cue"} <= set(names)
    times = [e["t"] for e in events]
    assert times == sorted(times), "session times go back"
    assert times[-1] > 290  # quick-five is about five minutes of session time
    first_hold = next(
        e for e in events if e["event"] == "segment" and e["segment"]["kind"] == "hold"
    )
    assert first_hold["segment"]["exercise"] == "glutes:supine-figure-four"
    # The session's own lines go to stderr, where they do not mix with the data.
    assert "Finished in" in done.stderr and "Finished in" not in done.stdout


def test_run_events_rejects_an_unknown_format() -> None:
    done = run_glutekit("run", "quick-five", "--events", "xml", "--no-voice")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_many_listeners_hear_pause_and_resume_from_the_same_controls(
    host: PluginHost, catalog: Catalog
) -> None:
    session = prepare(
        catalog.find_routine("quick-five"),
        host=host,
        catalog=catalog,
        options=SessionOptions(voice=False, outputs=("console",)),
    )
    heard: list[list[StreamEvent]] = [[], []]
    for found in heard:
        session.events.subscribe(found.append)

    def resume_soon(event: StreamEvent) -> None:
        if event.name == "paused":
            threading.Timer(0.05, session.controls.resume).start()

    session.events.subscribe(resume_soon)
    session.controls.pause()  # as a key, a voice command or the page would
    result = session.play(clock=VirtualClock())
    assert result.summary.status == "finished"
    for found in heard:
        names = [e.name for e in found]
        assert names.index("paused") < names.index("resumed") < names.index("finished")
        assert names[-1] == "finished"
    assert [e.to_json() for e in heard[0]] == [e.to_json() for e in heard[1]]


def test_a_listener_that_fails_is_reported_once_and_dropped() -> None:
    reports: list[str] = []
    stream = EventStream(report=reports.append)
    calls: list[str] = []

    def broken(event: StreamEvent) -> None:
        calls.append(event.name)
        raise RuntimeError("boom")

    kept: list[str] = []
    stream.subscribe(broken)
    stream.subscribe(lambda event: kept.append(event.name))
    for name in ("started", "segment", "cue"):
        stream.publish(StreamEvent(name=name, t=0.0, position=0.0))  # type: ignore[arg-type]
    assert calls == ["started"]
    assert kept == ["started", "segment", "cue"]
    assert len(reports) == 1 and "RuntimeError: boom" in reports[0]


def test_unsubscribed_listeners_hear_nothing_more() -> None:
    stream = EventStream()
    seen: list[str] = []
    unsubscribe = stream.subscribe(lambda event: seen.append(event.name))
    stream.publish(StreamEvent(name="started", t=0.0, position=0.0))
    unsubscribe()
    unsubscribe()  # twice is harmless
    stream.publish(StreamEvent(name="cue", t=1.0, position=1.0))
    assert seen == ["started"]
