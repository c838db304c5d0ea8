"""The controls of a running session: what keys, voice commands and the page ask for.

Each is safe to call from any thread or a signal handler; the engine
(:mod:`glutekit.session.engine`) takes them between two events.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Literal

__all__ = ["Command", "Controls"]

Command = Literal[
    "toggle", "pause", "resume", "skip", "back", "repeat", "time_left", "quit", "interrupt"
]


class Controls:
    """Commands for a running session, safe to call from any thread or a signal handler."""

    def __init__(self, *, waits: bool = False) -> None:
        self.wake = threading.Event()
        self._pending: deque[Command] = deque()
        self._heard: deque[str] = deque()
        #: Someone can go on after a pause (keys, voice, the page): a step that waits
        #: for the user pauses the session; without one it plays on.
        self.waits = waits

    def _push(self, command: Command) -> None:
        self._pending.append(command)  # deque.append is atomic
        self.wake.set()

    def toggle_pause(self) -> None:
        self._push("toggle")

    def pause(self) -> None:
        self._push("pause")

    def resume(self) -> None:
        self._push("resume")

    def skip(self) -> None:
        """Go to the start of the next segment."""
        self._push("skip")

    def back(self) -> None:
        """Restart the segment, or go to the previous one when just into it."""
        self._push("back")

    def repeat(self) -> None:
        """Play again from the last cue said (the last instruction), or the segment's start."""
        self._push("repeat")

    def time_left(self) -> None:
        """Tell the outputs how long the session has left (a ``time-left`` event)."""
        self._push("time_left")

    def heard(self, text: str) -> None:
        """Tell the outputs what an input heard (a ``heard`` event), e.g. "coach, pause"."""
        self._heard.append(text)
        self.wake.set()

    def take_heard(self) -> list[str]:
        taken: list[str] = []
        while self._heard:
            taken.append(self._heard.popleft())
        return taken

    def quit(self) -> None:
        """End the session because the user asked to (status ``quit``)."""
        self._push("quit")

    def interrupt(self) -> None:
        """End the session because of a signal (status ``interrupted``)."""
        self._push("interrupt")

    def take(self) -> list[Command]:
        self.wake.clear()
        taken: list[Command] = []
        while self._pending:
            taken.append(self._pending.popleft())
        return taken
