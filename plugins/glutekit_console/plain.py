"""Plain, timestamped lines for logs, pipes and tests: one line per cue, flushed at once."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from glutekit.interfaces import Event, SessionControls, SessionSummary
from glutekit.model import Timeline
from glutekit.model.durations import clock


def cue_line(at: float, kind: str, text: str) -> str:
    """``[00:12] begin       Begin. Hold for 30 seconds.`` (kinds padded to line up)"""
    return f"[{clock(at)}] {kind:<11} {text}"


class PlainConsole:
    """Writes each cue as it happens; pauses and jumps get a line of their own.

    Given the session's controls, it also takes the live view's keys when standard
    input is a terminal (a terminal without cursor control still has a keyboard).
    """

    def __init__(
        self, stream: TextIO | None = None, controls: SessionControls | None = None
    ) -> None:
        self.stream = stream or sys.stdout
        self.controls = controls
        self._gone = False
        self._keys: Any = None

    def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
        return {}

    def _write(self, line: str) -> None:
        if self._gone:
            return
        try:
            self.stream.write(line + "\n")
            self.stream.flush()  # someone may be following the log live
        except BrokenPipeError:
            self._gone = True  # the reader went away (``| head``): not an error

    def start(self, timeline: Timeline) -> None:
        self._write(f"{timeline.title} ({clock(timeline.duration)})")
        if self.controls is not None:
            from glutekit_console.keys import HINT, start_keys

            self._keys = start_keys(self.controls)
            if self._keys is not None:
                self._write(f"Keys: {HINT}")

    def handle(self, event: Event) -> None:
        if event.kind == "cue" and event.cue is not None:
            self._write(cue_line(event.at, event.cue.kind, event.cue.text))
        elif event.kind == "pause" and event.text == "speech":
            self._write(f"[{clock(event.at)}] waiting for speech")
        elif event.kind in ("pause", "resume"):
            self._write(f"[{clock(event.at)}] {event.kind}d")
        elif event.kind == "seek":
            where = event.segment.label if event.segment else "the end"
            self._write(f"[{clock(event.at)}] jump to {where}")
        elif event.kind == "heard":
            self._write(f"[{clock(event.at)}] heard “{event.text}”")
        elif event.kind == "time-left":
            self._write(f"[{clock(event.at)}] {event.text}")

    def close(self, summary: SessionSummary | None) -> None:
        if self._keys is not None:
            self._keys.stop()
        if not self._gone:
            self.stream.flush()
