"""Single keys reach the session's controls, without Enter, on a real terminal (a pty)."""

from __future__ import annotations

import os
import sys
import threading

import pytest
from glutekit_console.keys import KeyReader

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a pty is POSIX-only")


class _Terminal:
    """Stands in for sys.stdin: the pty's terminal end."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return os.isatty(self.fd)


def test_keys_from_a_terminal_call_their_actions_and_the_terminal_is_restored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import termios

    main, side = os.openpty()
    monkeypatch.setattr(sys, "stdin", _Terminal(side))
    assert KeyReader.available()
    pressed: list[str] = []
    done = threading.Event()

    def record(name: str) -> None:
        pressed.append(name)
        if len(pressed) == 3:
            done.set()

    reader = KeyReader(
        {" ": lambda: record("pause"), "n": lambda: record("next"), "q": lambda: record("quit")}
    )
    before = termios.tcgetattr(side)
    try:
        reader.start()
        assert not termios.tcgetattr(side)[3] & termios.ICANON  # keys come without Enter
        os.write(main, b"xN q")  # an unbound key, a capital, space, q
        assert done.wait(5), pressed
        assert pressed == ["next", "pause", "quit"]
    finally:
        reader.stop()
        assert termios.tcgetattr(side) == before
        os.close(main)
        os.close(side)
