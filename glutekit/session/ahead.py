"""A session that starts speaking before all of its speech is rendered.

An output that speaks ahead (:class:`glutekit.interfaces.SpeaksAhead`) measures the
session's texts in the order they are said and reports them as they come. Here the
timeline is laid out again with each batch. A segment is *ready* when every text said
in it, and in every segment before it, has its measured length, and laying it out with
the texts not measured yet much shorter or much longer than estimated changes nothing
in it: the compiler lays a segment out from the lengths of the texts up to it (those it
says, and a few it only weighs), so a ready segment is what it will be with every
length known, and it never changes once played.

The engine (:mod:`glutekit.session.engine`) plays ready segments only, and waits at
the start of one that is not ready yet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from glutekit.interfaces import Measured, Output, SpeaksAhead
from glutekit.model import Routine, Timeline
from glutekit.timeline import CompileSettings, compile
from glutekit.timeline.speech import SpeechLengths

if TYPE_CHECKING:
    from glutekit.catalog import Catalog

Report = Callable[[str], None]

#: How much shorter and longer than estimated the texts not measured yet are taken to
#: be, to find the segments they cannot change (:meth:`Growing._settled`).
PROBES = (0.25, 4.0)


class _Reporter:
    """What one output has measured so far, and whether it is done."""

    def __init__(self) -> None:
        self.lengths: dict[str, float] = {}
        self.done = False


class Growing:
    """The timeline of a session whose speech is still being measured.

    Thread-safe: outputs report from their own threads, the engine reads
    :meth:`snapshot` from its own.
    """

    def __init__(
        self,
        routine: Routine,
        catalog: Catalog,
        timeline: Timeline,
        *,
        texts: Sequence[str] = (),
    ) -> None:
        self.routine = routine
        #: Every text the routine may say (what the outputs measure).
        self._texts = tuple(texts)
        self.catalog = catalog
        #: Lengths from outputs that measured everything before the session.
        self._known: dict[str, float] = {}
        self._reporters: list[_Reporter] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._timeline = timeline
        self._ready = 0
        self._final = False
        #: Goes up each time more segments are ready (or the timeline is final).
        self.version = 0
        self._wakers: list[Callable[[], None]] = []

    # ------------------------------------------------------------------ outputs' side

    def reporter(self) -> tuple[Measured, Callable[[], None]]:
        """A ``measured`` callback for one output, and a way to take it back (when the
        output does not speak ahead after all)."""
        entry = _Reporter()
        with self._lock:
            self._reporters.append(entry)

        def measured(lengths: Mapping[str, float], done: bool) -> None:
            with self._lock:
                entry.lengths.update({text: float(s) for text, s in lengths.items()})
                entry.done = entry.done or done
                self._update()

        def withdraw() -> None:
            with self._lock:
                if entry in self._reporters:
                    self._reporters.remove(entry)
                self._update()

        return measured, withdraw

    def set_known(self, lengths: Mapping[str, float]) -> None:
        """Lengths measured in full before the session (by outputs that do not speak ahead)."""
        with self._lock:
            self._known.update(lengths)
            self._update(force=True)

    def on_change(self, wake: Callable[[], None]) -> None:
        """Call ``wake`` (from any thread) whenever more of the timeline is ready."""
        with self._lock:
            self._wakers.append(wake)

    # ------------------------------------------------------------------ engine's side

    def snapshot(self) -> tuple[Timeline, int, bool, int]:
        """The timeline, how many of its first segments are ready, whether it is final,
        and :attr:`version`."""
        with self._lock:
            return self._timeline, self._ready, self._final, self.version

    def wait_ready(self, segments: int, *, poll: float = 0.1) -> Timeline:
        """Wait until ``segments`` segments are ready (or the timeline is final).

        Waits in short steps, so Ctrl-C gets through at once.
        """
        with self._lock:
            while not self._final and self._ready < segments:
                self._changed.wait(poll)
            return self._timeline

    # ------------------------------------------------------------------ inside

    def _said(self, text: str) -> bool:
        if not text.strip() or text in self._known:
            return True
        return all(text in r.lengths or r.done for r in self._reporters)

    def _lengths(self) -> dict[str, float]:
        merged = dict(self._known)
        for entry in self._reporters:
            for text, seconds in entry.lengths.items():
                merged[text] = max(merged.get(text, 0.0), seconds)
        return merged

    def _ready_in(self, timeline: Timeline) -> int:
        ready = 0
        for segment in timeline.segments:
            if not all(self._said(cue.text) for cue in segment.cues):
                break
            ready += 1
        return ready

    def _settled(self, timeline: Timeline, ready: int, lengths: Mapping[str, float]) -> int:
        """How many of the first ``ready`` segments stay the same whatever the texts not
        measured yet turn out to be.

        The compiler also weighs words it does not say (the shorter of two ways to say
        "begin", whether a form cue fits a hold): a segment that says only measured
        texts can still depend on those. Laid out with every text not measured much
        shorter, then much longer, than its estimate, a segment that comes out the
        same all three ways is taken as laid out for good.
        """
        unmeasured = [t for t in self._texts if t.strip() and t not in lengths]
        if not unmeasured:
            return ready
        estimate = SpeechLengths()
        for factor in PROBES:
            probe = {text: estimate(text) * factor for text in unmeasured}
            probe.update(lengths)
            other = compile(self.routine, self.catalog, CompileSettings(speech_lengths=probe))
            same = 0
            for mine, theirs in zip(timeline.segments[:ready], other.segments, strict=False):
                if mine != theirs:
                    break
                same += 1
            ready = same
        return ready

    def _update(self, *, force: bool = False) -> None:
        """Lay the timeline out again when more of it may be ready (lock held)."""
        if self._final:
            return
        final = all(r.done for r in self._reporters)
        segments = self._timeline.segments
        # Only what the first segment not ready says can make more of it ready.
        waiting_on = segments[self._ready].cues if self._ready < len(segments) else ()
        if not (force or final) and not all(self._said(cue.text) for cue in waiting_on):
            return
        lengths = self._lengths()
        timeline = compile(self.routine, self.catalog, CompileSettings(speech_lengths=lengths))
        ready = len(timeline.segments) if final else self._ready_in(timeline)
        if not final and ready > self._ready:
            ready = max(self._ready, self._settled(timeline, ready, lengths))
        if ready == self._ready and not final:
            return
        self._timeline, self._ready, self._final = timeline, ready, final
        self.version += 1
        self._changed.notify_all()
        for wake in self._wakers:
            wake()


def speak_ahead(
    outputs: Sequence[tuple[str, Output]],
    routine: Routine,
    catalog: Catalog,
    timeline: Timeline,
    texts: Sequence[str],
    *,
    report: Report,
) -> tuple[Growing | None, list[tuple[str, Output]]]:
    """Ask the outputs that can to speak ahead.

    Returns the growing timeline (None when no output speaks ahead) and the outputs
    still to be asked for their lengths in full before the session.
    """
    growing = Growing(routine, catalog, timeline, texts=texts)
    ahead: list[int] = []
    for index, (name, output) in enumerate(outputs):
        if not isinstance(output, SpeaksAhead):
            continue
        measured, withdraw = growing.reporter()
        try:
            started = output.speak_ahead(texts, measured)
        except Exception as exc:
            report(
                f"output '{name}' failed in speak_ahead: {type(exc).__name__}: {exc} "
                "(its speech is prepared before the session instead)"
            )
            started = False
        if started:
            ahead.append(index)
        else:
            withdraw()
    rest = [pair for index, pair in enumerate(outputs) if index not in ahead]
    return (growing if ahead else None), rest
