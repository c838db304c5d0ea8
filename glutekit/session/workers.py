"""The outputs' side of a session: each output fed from a thread of its own.

The clock's thread only puts events on the workers' queues, so an output that is slow
or raises delays nothing but itself; a failing output is reported once, by name. Also
here: asking the outputs how long each text takes to say, and how often their streams
ran dry.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from glutekit.interfaces import Event, Output, Revises, SessionSummary, Underruns
from glutekit.model import Timeline
from glutekit.textcheck import safe

__all__ = [
    "OutputWorker",
    "Outputs",
    "Report",
    "named",
    "speech_lengths",
    "stderr_report",
    "underruns_of",
]

#: Outputs by name; the name is what failures are reported under.
Outputs = Mapping[str, Output] | Sequence[tuple[str, Output]]
Report = Callable[[str], None]


def stderr_report(message: str) -> None:
    print(f"glutekit: warning: {safe(message)}", file=sys.stderr, flush=True)


class OutputWorker:
    """Feeds one output from its own thread, so it can never hold up the clock."""

    def __init__(self, name: str, output: Output, report: Report) -> None:
        self.name = name
        self.output = output
        self._report = report
        self._failed = False
        self._queue: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._run, name=f"glutekit-output-{name}", daemon=True
        )

    def start(self, timeline: Timeline) -> None:
        self._queue.put(("start", timeline))
        self._thread.start()

    def send(self, event: Event) -> None:
        self._queue.put(("handle", event))

    def revise(self, timeline: Timeline, ready: int) -> None:
        if isinstance(self.output, Revises):
            self._queue.put(("revise", (timeline, ready)))

    def close(self, summary: SessionSummary | None) -> None:
        self._queue.put(("close", summary))

    def join(self, timeout: float) -> bool:
        self._thread.join(max(0.0, timeout))
        return not self._thread.is_alive()

    def _run(self) -> None:
        while True:
            action, payload = self._queue.get()
            try:
                if action == "revise":
                    self.output.revise(*payload)  # type: ignore[attr-defined]
                else:
                    getattr(self.output, action)(payload)
            except BaseException as exc:  # SystemExit too: it would end only this thread
                self._fail(action, exc)
            if action == "close":
                return

    def _fail(self, action: str, exc: BaseException) -> None:
        if not self._failed:
            self._failed = True
            self._report(
                f"output '{self.name}' failed in {action}: {type(exc).__name__}: "
                f"{exc} (the session goes on)"
            )


def named(outputs: Outputs) -> list[tuple[str, Output]]:
    if isinstance(outputs, Mapping):
        return list(outputs.items())
    return list(outputs)


def speech_lengths(
    outputs: Outputs, texts: Sequence[str], report: Report = stderr_report
) -> dict[str, float]:
    """Ask each output how long each text takes to say; the longest answer wins.

    Call before compiling the timeline that will be played. An output that raises is
    reported and treated as silent.
    """
    merged: dict[str, float] = {}
    for name, output in named(outputs):
        try:
            lengths = output.speech_lengths(texts)
        except Exception as exc:
            report(
                f"output '{name}' failed in speech_lengths: {type(exc).__name__}: {exc} "
                "(cues will not wait for its speech)"
            )
            continue
        for text, seconds in lengths.items():
            merged[text] = max(merged.get(text, 0.0), float(seconds))
    return merged


def underruns_of(workers: Sequence[OutputWorker], report: Report) -> int | None:
    """The gaps counted by the outputs that play a stream, summed; None when none did."""
    counts = []
    for worker in workers:
        if not isinstance(worker.output, Underruns):
            continue
        try:
            count = worker.output.underruns()
        except Exception as exc:
            report(f"output '{worker.name}' could not count its gaps: {type(exc).__name__}: {exc}")
            continue
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            counts.append(count)
    return sum(counts) if counts else None
