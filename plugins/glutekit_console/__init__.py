"""Live terminal display for glutekit sessions.

On a terminal: a rich live view (exercise, side, countdown, cue, progress, next up)
with keys to pause, skip, go back and quit. Anywhere else: plain timestamped lines.
"""

from __future__ import annotations

from collections.abc import Iterable

import glutekit
from glutekit.interfaces import Output, OutputOptions, OutputSpec


def _create(options: OutputOptions) -> Output:
    if options.interactive:
        from glutekit_console.live import LiveConsole

        return LiveConsole(options)
    from glutekit_console.plain import PlainConsole

    return PlainConsole()


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
