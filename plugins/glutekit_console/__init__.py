"""Live terminal display for glutekit sessions.

On a terminal that can move its cursor: a rich live view (exercise, side, countdown,
cue, progress, next up) with keys to pause, skip, go back and quit. Anywhere else (a
pipe, a log, ``TERM=dumb`` as in Emacs shells and some IDE consoles): plain timestamped
lines as the session goes, with the same keys wherever standard input is a terminal.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import glutekit
from glutekit.interfaces import Output, OutputOptions, OutputSpec

#: Terminals that cannot move the cursor or redraw a line (terminfo's names for them).
NO_CURSOR_TERMS = frozenset({"dumb", "unknown", "emacs"})


def can_redraw(options: OutputOptions) -> bool:
    """Whether the live view can redraw in place here: a terminal with cursor control."""
    return options.interactive and os.environ.get("TERM", "").lower() not in NO_CURSOR_TERMS


def _create(options: OutputOptions) -> Output:
    if options.stdout_is_data:
        # Standard output carries data ('run --events jsonl'): the session's lines go
        # to standard error, where they do not mix with it.
        import sys

        from glutekit_console.plain import PlainConsole

        return PlainConsole(stream=sys.stderr, controls=options.controls)
    if can_redraw(options):
        from glutekit_console.live import LiveConsole

        return LiveConsole(options)
    from glutekit_console.plain import PlainConsole

    return PlainConsole(controls=options.controls)


@glutekit.hookimpl
def glutekit_outputs() -> Iterable[OutputSpec]:
    return [
        OutputSpec(
            name="console",
            description="Shows the session in the terminal (timestamped lines when piped).",
            create=_create,
            default=True,
        )
    ]
