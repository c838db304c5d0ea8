"""Plain, timestamped lines for logs, pipes and tests: one line per cue, flushed at once."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from glutekit.durations import clock
from glutekit.interfaces import Event, SessionSummary
from glutekit.model import Timeline


def cue_line(at: float, kind: str, text: str) -> str:
    """``[00:12] begin       Begin. Hold for 30 seconds.`` (kinds padded to line up)"""
    return f"[{clock(at)}] {kind:<11} {text}"


class PlainConsole:
    """Writes each cue as it happens; pauses and jumps get a line of their own."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._gone = False

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

    def handle(self, event: Event) -> None:
        if event.kind == "cue" and event.cue is not None:
            self._write(cue_line(event.at, event.cue.kind, event.cue.text))
        elif event.kind in ("pause", "resume"):
            self._write(f"[{clock(event.at)}] {event.kind}d")
        elif event.kind == "seek":
            where = event.segment.label if event.segment else "the end"
            self._write(f"[{clock(event.at)}] jump to {where}")

    def close(self, summary: SessionSummary | None) -> None:
        self.stream.flush()
