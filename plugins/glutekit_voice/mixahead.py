"""A session's audio, mixed while its speech is still being rendered.

The speech renders in the background, in the order it is said (on the pool of render
processes when it pays). Each length measured is reported to a
:class:`glutekit.session.ahead.Growing`, which lays the timeline out again and says how
many of its first segments are laid out for good. The mix goes as far as those
segments reach, block by block, while the rest still renders: an export is done
shortly after its last cue is rendered instead of starting to mix then.

The blocks are the very ones :meth:`glutekit_voice.export.WavWriter.blocks` gives for
the final timeline (same mixer, same block boundaries). That is checked at the end:
should a clip already mixed not sit where the final layout puts it, :class:`Diverged`
says so and the writer mixes the final timeline again from the start.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from array import array
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from glutekit.errors import GlutekitError
from glutekit.model import Routine, Timeline
from glutekit.session.ahead import Growing
from glutekit.timeline import cue_texts
from glutekit_voice import wavfile
from glutekit_voice.backends import SpeechFailed, SpeechUnavailable
from glutekit_voice.render import CueRenderer

if TYPE_CHECKING:
    from glutekit.catalog import Catalog
    from glutekit_voice.mixer import Playhead, Schedule

#: Real seconds to wait, after Ctrl-C or a failure, for the renderer to stop its workers.
STOP_WAIT = 5.0
#: Real seconds between reports of the lengths measured: each report lays the whole
#: timeline out again (up to three times), and the mix goes on in blocks of seconds anyway.
REPORT_EVERY = 1.0


class Diverged(Exception):
    """A clip already mixed is not where the final layout puts it: mix again."""


class _Stopped(Exception):
    """The export ended (failed, or Ctrl-C) while its speech was still rendering."""


class BackgroundRender:
    """Renders every text in order on a thread of its own, reporting the lengths
    measured every :data:`REPORT_EVERY` seconds, and all of them once the last text is
    ready (while the render processes are still exiting).

    Only this thread uses the renderer while it runs.
    """

    def __init__(
        self,
        renderer: CueRenderer,
        texts: list[str],
        measured: Callable[[Mapping[str, float], bool], None],
        advance: Callable[[], None],
    ) -> None:
        self._renderer = renderer
        self._texts = texts
        self._measured = measured
        self._advance = advance
        self._lock = threading.Lock()
        self._clips: dict[str, Path] = {}
        self._seconds: dict[Path, float] = {}
        self._unreported: dict[str, float] = {}
        self._next_report = 0.0
        self._stop = threading.Event()
        #: When :meth:`stop` gives up waiting (set when it is first called).
        self._stop_by: float | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, name="glutekit-export-render", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def clips(self) -> tuple[dict[str, Path], dict[Path, float]]:
        """Text -> rendered file, and file -> its playing time, for every text rendered
        so far."""
        with self._lock:
            return dict(self._clips), dict(self._seconds)

    def stop(self) -> None:
        """Stop rendering (its workers are killed at the next cue) and wait for it,
        :data:`STOP_WAIT` seconds in all however often it is asked (a failure in the
        mix asks, and so does the writer it leaves)."""
        self._stop.set()
        if self._thread.ident is None:
            return
        if self._stop_by is None:
            self._stop_by = time.monotonic() + STOP_WAIT
        self._thread.join(max(0.0, self._stop_by - time.monotonic()))

    def join(self) -> None:
        """Wait for the rendering to end on its own (every text is ready: what is left
        is the render processes' exit and the cache's upkeep)."""
        if self._thread.ident is not None:
            self._thread.join()

    def _run(self) -> None:
        try:
            self._renderer.render_all(self._texts, done=self._done)
        except _Stopped:
            pass
        except BaseException as exc:
            self.error = exc
        finally:
            self._measured({}, True)

    def _done(self, text: str) -> None:
        if self._stop.is_set():
            raise _Stopped
        cue = self._renderer.render(text)  # in the cache now: a file check
        with self._lock:
            self._clips[text] = cue.path
            self._seconds[cue.path] = cue.seconds
            everything = len(self._clips) == len(self._texts)
        self._advance()
        self._unreported[text] = cue.seconds
        now = time.monotonic()
        if everything or now >= self._next_report:
            lengths, self._unreported = self._unreported, {}
            self._next_report = now + REPORT_EVERY
            self._measured(lengths, everything)


class MixAhead:
    """The session's audio in blocks, each as soon as the speech under it is laid out
    for good; :attr:`timeline` is the final timeline once the blocks are exhausted.

    :param timeline: the routine's timeline before any speech was measured.
    """

    def __init__(
        self,
        routine: Routine,
        catalog: Catalog,
        timeline: Timeline,
        renderer: CueRenderer,
        *,
        block: int,
        advance: Callable[[], None] = lambda: None,
    ) -> None:
        texts = [t for t in cue_texts(timeline) if t.strip()]
        self._texts = list(dict.fromkeys(texts))
        self._growing = Growing(routine, catalog, timeline, texts=self._texts)
        measured, _ = self._growing.reporter()
        self._render = BackgroundRender(renderer, self._texts, measured, advance)
        self._block = block
        self.timeline: Timeline | None = None

    def __iter__(self) -> Iterator[array[int]]:
        """The blocks; the last one comes as soon as the last text is ready, before the
        rendering has ended: call :meth:`finish` once they are written."""
        self._render.start()
        try:
            yield from self._mix()
        except BaseException:
            self._render.stop()
            raise

    def finish(self) -> None:
        """Wait for the rendering to end, once every block is taken.

        :raises GlutekitError: when the speech failed after all.
        """
        self._render.join()
        self._raise_failure()

    def stop(self) -> None:
        """Stop the rendering if it still runs, and wait for it (on failure or Ctrl-C)."""
        self._render.stop()

    def _mix(self) -> Iterator[array[int]]:
        playhead: Playhead | None = None
        frame, seen = 0, 0
        while True:
            timeline, ready, final, _ = self._growing.snapshot()
            self._raise_failure()
            if final:
                break
            if ready > seen:
                seen = ready
                partial = Timeline(
                    routine_id=timeline.routine_id,
                    title=timeline.title,
                    segments=timeline.segments[:ready],
                )
                playhead = _extended(playhead, self._schedule(partial))
                # Nothing laid out later starts before the end of the last ready segment.
                settled = round(timeline.segments[ready - 1].end * wavfile.RATE)
                while frame + self._block <= settled:
                    yield playhead.read(self._block, frame)
                    frame += self._block
            self._growing.wait_ready(seen + 1)
        self.timeline = timeline
        schedule = self._schedule(timeline)
        if playhead is not None:
            mixed = [started.placement for started in playhead.started]
            if mixed != [p for p in schedule.placements if p.start < frame]:
                raise Diverged(f"the clips before frame {frame} moved")
        playhead = _extended(playhead, schedule)
        while not playhead.finished:
            count = min(self._block, max(1, schedule.frames - frame))
            yield playhead.read(count, frame)
            frame += count

    def _schedule(self, timeline: Timeline) -> Schedule:
        from glutekit_voice.mixer import Schedule

        clips, seconds = self._render.clips()
        return Schedule.build(timeline, clips, seconds=seconds)

    def _raise_failure(self) -> None:
        error = self._render.error
        if error is None:
            return
        if isinstance(error, SpeechUnavailable | SpeechFailed):
            raise GlutekitError(f"cannot make the spoken audio: {error}") from None
        raise error


def _extended(playhead: Playhead | None, schedule: Schedule) -> Playhead:
    from glutekit_voice.mixer import Playhead

    if playhead is None:
        return Playhead(schedule)
    playhead.extend(schedule)
    return playhead


@contextlib.contextmanager
def progress(renderer: CueRenderer, texts: list[str]) -> Iterator[Callable[[], None]]:
    """Say what is being rendered, as :func:`glutekit_voice.progress.render_with_progress`
    does; yields the call that counts one more cue rendered (from any thread)."""
    missing = renderer.missing(texts)
    if not missing:
        yield lambda: None
        return
    what = f"preparing speech: {len(missing)} cue(s) with {renderer.detail}"
    if not sys.stderr.isatty():
        from glutekit.messages import note

        note(f"{what}…")
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=len(dict.fromkeys(texts)))
        yield lambda: bar.advance(task)
