"""The live terminal view: what to do now, how long is left, and what comes next."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from glutekit.durations import clock
from glutekit.interfaces import Event, OutputOptions, SessionSummary
from glutekit.model import Segment, Timeline
from glutekit_console.keys import HINT, KeyReader, start_keys


class LiveConsole:
    """A rich Live display, refreshed several times a second so countdowns tick."""

    def __init__(self, options: OutputOptions) -> None:
        self.speed = options.speed
        self.controls: Any = options.values.get("controls")
        self.timeline: Timeline | None = None
        self.segment: Segment | None = None
        self.cue_text = ""
        self.paused = False
        self._anchor = (0.0, time.perf_counter())
        self._lock = threading.Lock()
        self._live: Any = None
        self._keys: KeyReader | None = None

    def speech_lengths(self, texts: Sequence[str]) -> Mapping[str, float]:
        return {}

    def start(self, timeline: Timeline) -> None:
        from rich.console import Console
        from rich.live import Live

        self.timeline = timeline
        self._live = Live(
            get_renderable=self._render,
            console=Console(),
            refresh_per_second=8,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._live.start()
        self._keys = start_keys(self.controls)

    def handle(self, event: Event) -> None:
        with self._lock:
            self._anchor = (event.at, time.perf_counter())
            if event.kind in ("pause", "resume"):
                self.paused = event.kind == "pause"
            elif event.kind == "segment" and event.segment is not None:
                self.segment = event.segment
            elif event.kind == "seek":
                self.segment, self.cue_text = event.segment, ""
            elif event.kind == "cue" and event.cue is not None:
                self.cue_text = event.cue.text

    def close(self, summary: SessionSummary | None) -> None:
        if self._keys is not None:
            self._keys.stop()
        if self._live is not None:
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

    def _render(self) -> Any:
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        with self._lock:
            seg, cue_text, paused, pos = self.segment, self.cue_text, self.paused, self._position()
        total = self.timeline.duration if self.timeline else 0.0
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", style="dim")
        grid.add_column()
        title = Text(seg.label if seg else "Starting…", style="bold")
        if paused:
            title.append("   PAUSED", style="bold yellow")
        grid.add_row("now", title)
        if seg is not None and seg.duration > 0:
            left = max(0.0, seg.end - pos)
            done = min(seg.duration, seg.duration - left)
            bar = ProgressBar(total=seg.duration, completed=done, width=40)
            grid.add_row(f"{clock(left + 0.999)}", bar)
        grid.add_row("", Text(cue_text, style="bold cyan"))
        progress = ProgressBar(total=max(total, 0.001), completed=min(pos, total), width=40)
        grid.add_row(f"{clock(pos)}/{clock(total)}", progress)
        grid.add_row("next", Text(self._next_label(seg)))
        grid.add_row("", Text(HINT, style="dim"))
        return grid
