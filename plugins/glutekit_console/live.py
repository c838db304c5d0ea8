"""The live terminal view: what to do now, how long is left, and what comes next.

The routine's title and "exercise 2 of 6" head the view. Bars stay readable
without colour (``NO_COLOR`` or a monochrome terminal): done and left are then
drawn with different characters, not only different colours. When the session
ends the key hint goes, so the last screen does not offer keys that do nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from glutekit.interfaces import Event, OutputOptions, SessionSummary
from glutekit.model import Segment, Timeline
from glutekit.model.durations import clock
from glutekit_console.keys import HINT, KeyReader, start_keys


class LiveConsole:
    """A rich Live display, refreshed several times a second so countdowns tick."""

    def __init__(self, options: OutputOptions) -> None:
        self.speed = options.speed
        self.controls = options.controls
        self.timeline: Timeline | None = None
        self.segment: Segment | None = None
        self.cue_text = ""
        #: The last thing a listening input heard ("coach, pause"), and any answer.
        self.heard = ""
        self.paused = False
        #: Paused by the session itself, for speech still being rendered.
        self.waiting = False
        self._anchor = (0.0, time.perf_counter())
        self._lock = threading.Lock()
        self._live: Any = None
        self._keys: KeyReader | None = None
        self._ended = False
        self._colour = True
        #: (step path, round) of each exercise, in playing order: "exercise N of M".
        self._exercises: list[tuple[tuple[int, ...], int]] = []

    def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
        return {}

    def start(self, timeline: Timeline) -> None:
        from rich.console import Console
        from rich.live import Live

        self.timeline = timeline
        self._exercises = exercise_order(timeline)
        console = Console()
        self._colour = not console.no_color and console.color_system is not None
        self._live = Live(
            get_renderable=self._render,
            console=console,
            refresh_per_second=8,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._live.start()
        self._keys = start_keys(self.controls)

    def revise(self, timeline: Timeline, ready: int) -> None:
        """The timeline laid out again as speech was measured: its total may change."""
        with self._lock:
            self.timeline = timeline
            self._exercises = exercise_order(timeline)

    def handle(self, event: Event) -> None:
        with self._lock:
            self._anchor = (event.at, time.perf_counter())
            if event.kind in ("pause", "resume"):
                self.paused = event.kind == "pause"
                self.waiting = self.paused and event.text == "speech"
            elif event.kind == "segment" and event.segment is not None:
                self.segment = event.segment
            elif event.kind == "seek":
                self.segment, self.cue_text = event.segment, ""
            elif event.kind == "cue" and event.cue is not None:
                self.cue_text = event.cue.text
            elif event.kind == "heard":
                self.heard = f"heard “{event.text}”"
            elif event.kind == "time-left":
                self.heard = f"{self.heard} · {event.text}" if self.heard else event.text

    def close(self, summary: SessionSummary | None) -> None:
        if self._keys is not None:
            self._keys.stop()
        if self._live is not None:
            with self._lock:
                self._ended = True  # the last frame shows no key hint
            self._live.refresh()
            self._live.stop()

    def _position(self) -> float:
        at, since = self._anchor
        return at if self.paused else at + (time.perf_counter() - since) * self.speed

    def _next_label(self, segment: Segment | None) -> str:
        assert self.timeline is not None
        start = segment.index + 1 if segment else 0
        for seg in self.timeline.segments[start:]:
            if seg.kind in ("hold", "reps", "message", "done"):
                return seg.label
        return "—"

    def _counter(self, seg: Segment | None) -> str:
        """``exercise 2 of 6`` (the last one started, while resting between them)."""
        if not self._exercises:
            return ""
        number = 0
        if seg is not None:
            assert self.timeline is not None
            for earlier in reversed(self.timeline.segments[: seg.index + 1]):
                if earlier.exercise is not None:
                    key = (earlier.step_path, earlier.round)
                    if key in self._exercises:
                        number = self._exercises.index(key) + 1
                    break
        return f"exercise {max(number, 1)} of {len(self._exercises)}"

    def _bar(self, total: float, completed: float) -> Any:
        if self._colour:
            from rich.progress_bar import ProgressBar

            return ProgressBar(total=max(total, 0.001), completed=completed, width=BAR_WIDTH)
        return text_bar(total, completed)

    def _render(self) -> Any:
        from rich.table import Table
        from rich.text import Text

        with self._lock:
            seg, cue_text, paused, pos = self.segment, self.cue_text, self.paused, self._position()
            ended, heard, waiting = self._ended, self.heard, self.waiting
        total = self.timeline.duration if self.timeline else 0.0
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", style="dim")
        grid.add_column()
        if self.timeline is not None:
            heading = Text(self.timeline.title, style="bold")
            counter = self._counter(seg)
            if counter:
                heading.append(f"   {counter}", style="dim")
            grid.add_row("", heading)
        title = Text(seg.label if seg else "Starting…", style="bold")
        if waiting:
            title.append("   preparing speech…", style="yellow")
        elif paused:
            title.append("   PAUSED", style="bold yellow")
        grid.add_row("now", title)
        if seg is not None and seg.duration > 0:
            left = max(0.0, seg.end - pos)
            done = min(seg.duration, seg.duration - left)
            grid.add_row(f"{clock(left + 0.999)}", self._bar(seg.duration, done))
        grid.add_row("", Text(cue_text, style="bold cyan"))
        grid.add_row(f"{clock(pos)}/{clock(total)}", self._bar(total, min(pos, total)))
        grid.add_row("next", Text(self._next_label(seg)))
        if heard:
            grid.add_row("voice", Text(heard, style="green"))
        if not ended:
            grid.add_row("", Text(HINT, style="dim"))
        return grid


BAR_WIDTH = 40


def text_bar(total: float, completed: float, width: int = BAR_WIDTH) -> str:
    """A bar for terminals without colour: ``█████░░░░░`` (done, then left)."""
    filled = 0 if total <= 0 else round(width * min(1.0, max(0.0, completed / total)))
    return "█" * filled + "░" * (width - filled)


def exercise_order(timeline: Timeline) -> list[tuple[tuple[int, ...], int]]:
    """Each exercise of the session once, in playing order, by (step path, round)."""
    seen: dict[tuple[tuple[int, ...], int], None] = {}
    for seg in timeline.segments:
        if seg.exercise is not None and seg.kind in ("prepare", "hold", "reps"):
            seen.setdefault((seg.step_path, seg.round), None)
    return list(seen)
