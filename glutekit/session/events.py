"""The session's event stream: one publisher, any number of listeners.

The engine hands its events to outputs, each on its own thread. :class:`EventStream`
is one such output that turns them into :class:`StreamEvent` values — typed, with the
session time and ready for JSON — and passes each to every subscriber, in order.
``glutekit run --events jsonl`` is one subscriber (:class:`JsonLines`), the session page
of ``glutekit serve`` another; a Python user can add their own::

    session = open_session("quick-five")
    session.events.subscribe(lambda event: print(event.name, event.t))
    session.play()

A subscriber runs on the stream's thread, so a slow one delays the others but never the
session's clock; one that raises is reported once and dropped.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TextIO

from glutekit.interfaces import Event, SessionSummary
from glutekit.model import Cue, Segment, Timeline
from glutekit.model.records import record

__all__ = ["EventName", "EventStream", "JsonLines", "StreamEvent", "Subscriber"]

#: What a listener is told; the engine's own kinds in the past tense where they differ.
EventName = Literal[
    "started", "segment", "cue", "paused", "resumed", "seek", "heard", "time-left", "finished"
]

_NAMES: dict[str, EventName] = {
    "start": "started",
    "segment": "segment",
    "cue": "cue",
    "pause": "paused",
    "resume": "resumed",
    "seek": "seek",
    "heard": "heard",
    "time-left": "time-left",
}


@record(frozen=True, kw_only=True)
class StreamEvent:
    """One thing that happened in a session, as a listener sees it.

    ``t`` is session time: seconds on the session's clock since it started, pauses
    included, so it never goes back. ``position`` is where the session is in its
    timeline (a skip moves it forward, "back" moves it back).
    """

    name: EventName
    t: float
    position: float
    segment: Segment | None = None
    cue: Cue | None = None
    text: str = ""
    #: For ``started``: the routine's timeline.
    timeline: Timeline | None = None
    #: For ``finished``: what the session did (None when it failed before an end).
    summary: SessionSummary | None = None
    #: For ``finished``: finished, quit, interrupted, or failed.
    status: str = ""

    def to_json(self) -> dict[str, Any]:
        """The event as plain data: what ``--events jsonl`` prints, one object a line."""
        data: dict[str, Any] = {
            "event": self.name,
            "t": round(self.t, 3),
            "position": round(self.position, 3),
        }
        if self.timeline is not None:
            data |= {
                "routine": self.timeline.routine_id,
                "title": self.timeline.title,
                "duration": round(self.timeline.duration, 3),
                "segments": len(self.timeline.segments),
            }
        if self.cue is not None:
            # The cue's segment was told in full by its "segment" event: its index will do.
            data["segment"] = self.segment.index if self.segment is not None else None
            data["cue"] = {"kind": self.cue.kind, "text": self.cue.text, "at": self.cue.at}
        elif self.segment is not None:
            data["segment"] = segment_json(self.segment)
        if self.text:
            data["text"] = self.text
        if self.name == "finished":
            data["status"] = self.status
            if self.summary is not None:
                data |= {
                    "elapsed": self.summary.elapsed,
                    "planned": self.summary.planned,
                    "completed": len(self.summary.completed),
                    "skipped": len(self.summary.skipped),
                }
                if self.summary.underruns is not None:
                    data["underruns"] = self.summary.underruns
        return data


def segment_json(segment: Segment) -> dict[str, Any]:
    return {
        "index": segment.index,
        "kind": segment.kind,
        "label": segment.label,
        "exercise": segment.exercise,
        "side": segment.side,
        "start": segment.start,
        "duration": segment.duration,
        "set": segment.set_number,
        "sets": segment.sets,
        "wait": segment.wait,
    }


Subscriber = Callable[[StreamEvent], None]
Report = Callable[[str], None]


class EventStream:
    """Publishes a session's events to its subscribers (an :class:`~glutekit.interfaces.Output`).

    Subscribe before or during the session; ``unsubscribe`` (the callable that
    :meth:`subscribe` returns) at any time, from any thread.
    """

    def __init__(self, report: Report | None = None) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        self._report = report
        self._timeline: Timeline | None = None
        self._origin: float | None = None
        self._last_t = 0.0
        self._last_position = 0.0

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._lock:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, event: StreamEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber(event)
            except Exception as exc:
                with self._lock:
                    if subscriber in self._subscribers:
                        self._subscribers.remove(subscriber)
                if self._report is not None:
                    self._report(
                        f"an event listener failed: {type(exc).__name__}: {exc} "
                        "(it gets no more events; the session goes on)"
                    )

    # --------------------------------------------------------------- Output protocol

    def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
        return {}

    def start(self, timeline: Timeline) -> None:
        self._timeline = timeline

    def handle(self, event: Event) -> None:
        name = _NAMES.get(event.kind)
        if name is None:  # "end": the summary comes with close()
            self._stamp(event)
            return
        t = self._stamp(event)
        self._last_position = event.at
        self.publish(
            StreamEvent(
                name=name,
                t=t,
                position=event.at,
                segment=event.segment,
                cue=event.cue,
                text=event.text,
                timeline=self._timeline if name == "started" else None,
            )
        )

    def close(self, summary: SessionSummary | None) -> None:
        self.publish(
            StreamEvent(
                name="finished",
                t=self._last_t,
                position=self._last_position,
                summary=summary,
                status=summary.status if summary is not None else "failed",
            )
        )

    def _stamp(self, event: Event) -> float:
        """Session time of ``event``: the clock's reading since the first event."""
        if self._origin is None:
            self._origin = event.clock
        # Clocks never go back; max() keeps t monotonic even if one reads a hair early.
        self._last_t = max(self._last_t, event.clock - self._origin)
        return self._last_t


class JsonLines:
    """A subscriber that writes each event as one line of JSON, flushed at once."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._gone = False

    def __call__(self, event: StreamEvent) -> None:
        if self._gone:
            return
        try:
            self.stream.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
            self.stream.flush()
        except (BrokenPipeError, ValueError):
            self._gone = True  # the reader went away: the session goes on
