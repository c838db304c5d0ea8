"""Single-key commands on a terminal: space, n, b, q — without Enter, without echo.

The terminal is put in cbreak mode only while the reader runs, and restored however
the reader ends (normal end, Ctrl-C, an exception, or interpreter exit). On Windows the
console gives single keys without a mode change, through ``msvcrt``.
"""

from __future__ import annotations

import atexit
import os
import select
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

from glutekit.interfaces import SessionControls


class KeyReader:
    """Reads keys from stdin in a daemon thread and calls the matching action."""

    def __init__(self, actions: Mapping[str, Callable[[], None]]) -> None:
        self.actions = dict(actions)
        self._stop = threading.Event()
        self._saved: list[Any] | None = None
        self._fd = sys.stdin.fileno()
        self._thread = threading.Thread(target=self._run, name="glutekit-keys", daemon=True)

    @staticmethod
    def available() -> bool:
        if sys.platform == "win32":
            return sys.stdin.isatty()
        try:
            import termios  # noqa: F401
        except ImportError:
            return False
        return sys.stdin.isatty()

    def start(self) -> None:
        if sys.platform == "win32":
            self._thread.start()
            return
        import termios
        import tty

        self._saved = termios.tcgetattr(self._fd)
        atexit.register(self.restore)
        tty.setcbreak(self._fd)  # keeps ISIG, so Ctrl-C still sends SIGINT
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(1.0)
        self.restore()

    def restore(self) -> None:
        saved, self._saved = self._saved, None
        if saved is not None and sys.platform != "win32":
            import termios

            termios.tcsetattr(self._fd, termios.TCSADRAIN, saved)

    def _act(self, key: str) -> None:
        action = self.actions.get(key.lower())
        if action is not None:
            action()

    def _run(self) -> None:
        if sys.platform == "win32":
            self._run_windows()
            return
        try:
            while not self._stop.is_set():
                ready, _, _ = select.select([self._fd], [], [], 0.1)
                if not ready:
                    continue
                key = os.read(self._fd, 1).decode(errors="ignore")
                if not key:
                    return  # stdin closed
                self._act(key)
        finally:
            self.restore()

    def _run_windows(self) -> None:
        if sys.platform == "win32":  # repeated so type checkers know msvcrt exists here
            import msvcrt
            import time

            while not self._stop.is_set():
                if not msvcrt.kbhit():
                    time.sleep(0.05)
                    continue
                key = msvcrt.getwch()
                if key in ("\x00", "\xe0"):
                    msvcrt.getwch()  # the second half of an arrow or function key
                    continue
                self._act(key)


#: The keys every console view takes, as shown to the user.
HINT = "space pause/resume · n next · b back · q quit"


def start_keys(controls: SessionControls | None) -> KeyReader | None:
    """Start reading the session's keys, if there are controls and stdin is a terminal."""
    if controls is None or not KeyReader.available():
        return None
    reader = KeyReader(
        {
            " ": controls.toggle_pause,
            "n": controls.skip,
            "b": controls.back,
            "q": controls.quit,
        }
    )
    reader.start()
    return reader
