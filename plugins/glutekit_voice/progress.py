"""Rendering with a progress bar on a terminal, or one line when not on one.

A first session (or a new voice) renders every cue before it starts; with Piper
that takes some seconds, so the user sees how far it has got. Cached cues cost a
file check and show nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable

from glutekit_voice.render import CueRenderer, RenderedCue

Note = Callable[[str], None]


def _note(message: str) -> None:
    from glutekit.messages import note

    note(message)


def render_with_progress(
    renderer: CueRenderer, texts: Iterable[str], *, note: Note = _note
) -> dict[str, RenderedCue]:
    """Render every distinct non-blank text, showing progress when some must be rendered."""
    distinct = list(dict.fromkeys(t for t in texts if t.strip()))
    problems = renderer.problems(distinct)
    missing = [text for text, why in problems.items() if why is not None]
    if not missing:
        return renderer.render_all(distinct, checked=problems)
    what = f"preparing speech: {len(missing)} cue(s) with {renderer.detail}"
    if not sys.stderr.isatty():
        note(f"{what}…")
        return renderer.render_all(distinct)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(what, total=len(distinct))
        return renderer.render_all(distinct, done=lambda text: progress.advance(task))
