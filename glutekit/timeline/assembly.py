"""The pieces the timeline compiler builds with: routine steps unrolled, segments
appended one after another around speech, and form cues rotated across holds.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence

from glutekit.model import (
    PRIORITY,
    BlockStep,
    Cue,
    CueKind,
    RestStep,
    Segment,
    SegmentKind,
    Side,
    Step,
)
from glutekit.model.records import record
from glutekit.timeline.pacing import Said, Voice, ms
from glutekit.timeline.speech import SpeechLengths

__all__ = ["Builder", "Item", "Rotation", "flatten"]


@record(frozen=True, kw_only=True)
class Item:
    """One routine step after blocks are unrolled, with where it came from."""

    step: Step
    path: tuple[int, ...]
    round: int = 1


def flatten(steps: Sequence[Step], prefix: tuple[int, ...] = (), round_: int = 1) -> Iterator[Item]:
    for i, step in enumerate(steps):
        path = (*prefix, i)
        if not isinstance(step, BlockStep):
            yield Item(step=step, path=path, round=round_)
            continue
        for r in range(1, step.repeat + 1):
            if r > 1 and step.rest_between:
                say = f"Rest. Round {r} of {step.repeat}: {step.name}."
                yield Item(step=RestStep(seconds=step.rest_between, say=say), path=path, round=r)
            yield from flatten(step.steps, path, r)


class Builder:
    """Appends segments one after another; speech never overlaps across them."""

    def __init__(self, speech_lengths: Mapping[str, float], gap: float) -> None:
        self.voice = Voice(SpeechLengths(speech_lengths), gap)
        self.segments: list[Segment] = []
        self.t = 0.0
        self.busy_until = 0.0  # when the last spoken cue (plus gap) finishes
        self.texts: dict[str, None] = {}
        #: How many times each text has been said so far in the session.
        self.said: Counter[str] = Counter()

    def talk(
        self, lines: Sequence[tuple[CueKind, str]], pauses: Sequence[float] = ()
    ) -> tuple[list[Said], float]:
        """Lines said one after another from the segment's start, once the voice is free.

        :param pauses: quiet after each line (the voice's gap where shorter or missing),
            time to do what a set-up line asks before the next one starts.
        :returns: what is said, and when the last line ends (from the segment's start).
        """
        cursor = max(0.0, self.busy_until - self.t)
        said: list[Said] = []
        end = cursor
        for i, (kind, text) in enumerate(lines):
            at = ms(cursor)
            said.append(Said(at, kind, text))
            end = self.voice.end(said[-1])
            pause = pauses[i] if i < len(pauses) else 0.0
            cursor = end + max(self.voice.gap, pause)
        return said, end

    def add(
        self,
        kind: SegmentKind,
        duration: float,
        label: str,
        said: Sequence[Said],
        item: Item | None,
        *,
        exercise: str | None = None,
        side: Side | None = None,
        set_number: int = 1,
        sets: int = 1,
        wait: bool = False,
    ) -> None:
        start = self.t
        if duration <= 0 and not said:
            return
        cues = tuple(
            Cue(
                at=round(start + s.at, 3),
                kind=s.kind,
                text=s.text,
                priority=PRIORITY[s.kind],
                exercise=exercise,
                side=side,
                phase=(round(start + s.phase[0], 3), round(start + s.phase[1], 3))
                if s.phase
                else None,
            )
            for s in sorted(said, key=lambda s: s.at)
        )
        for s in said:
            self.texts.setdefault(s.text)
            self.said[s.text] += 1
            self.busy_until = max(self.busy_until, start + self.voice.end(s) + self.voice.gap)
        self.segments.append(
            Segment(
                index=len(self.segments),
                kind=kind,
                start=round(start, 3),
                duration=round(duration, 3),
                label=label,
                cues=cues,
                exercise=exercise,
                side=side,
                set_number=set_number,
                sets=sets,
                step_path=item.path if item else (),
                round=item.round if item else 1,
                wait=wait,
            )
        )
        # Keep the running time on the whole-millisecond grid the cues are placed on.
        self.t = ms(start + duration)

    def consider(self, texts: Sequence[str]) -> None:
        for text in texts:
            self.texts.setdefault(text)

    def take(self, wordings: Sequence[str]) -> str:
        """The wording of a repeated line to say next: each in turn, counting every time
        the session so far has said one of them (a line left out does not use its turn).

        Every wording is a text the voice may say, so each is rendered and measured.
        """
        self.consider(wordings)
        return wordings[sum(self.said[w] for w in wordings) % len(wordings)]


class Rotation:
    """Which form cues a hold should say, so each is heard over the exercise's holds."""

    def __init__(self, templates: Sequence[str], holds: int) -> None:
        self.templates = list(templates)
        self.holds_left = max(holds, 1)
        self.heard: set[int] = set()
        self.next = 0

    def order(self) -> list[int]:
        n = len(self.templates)
        cycle = [(self.next + i) % n for i in range(n)]
        return [i for i in cycle if i not in self.heard] + [i for i in cycle if i in self.heard]

    def owed(self) -> int:
        unheard = len(self.templates) - len(self.heard)
        return math.ceil(unheard / self.holds_left)

    def said(self, indices: Sequence[int]) -> None:
        self.heard.update(indices)
        self.holds_left = max(self.holds_left - 1, 1)
        if indices:
            self.next = (indices[-1] + 1) % len(self.templates)
