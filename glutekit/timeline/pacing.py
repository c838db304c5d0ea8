"""Where words go inside one hold or set, given how long each takes to say.

- A **timed hold** opens with "Begin", closes with 3-2-1 and "And relax", and puts
  the exercise's form cues between them with at least :data:`ROOM` seconds of quiet
  around each. Time checks ("Halfway", "10 seconds to go") are used only when the
  hold still has room for the form cues it owes. Which wording of these repeated
  lines a hold says is the compiler's choice (:class:`HoldLines`).
- A **paced set** (reps at a tempo, or counted breaths) says each phase word at the
  start of its phase and has it finished before the next phase starts; a rep's
  count comes at its end. A word that does not fit its phase is shortened or left
  out, never hurried. Form cues take the place of the later words of a rep or breath.

Times are seconds from the start of the segment. Pure: no clock, no I/O.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from typing import Literal, NamedTuple

from glutekit.model import CueKind, PhaseWords
from glutekit.model.records import record
from glutekit.timeline.cues import (
    END_LINES,
    HALFWAY,
    TEN_SECONDS_LEFT,
    ExerciseDose,
    begin_options,
    number_word,
    spoken_seconds,
)

#: Seconds of quiet between two non-countdown items in a hold.
ROOM = 3.0
#: Quiet after a paced word: phases can be short, so less than the usual gap.
PACE_GAP = 0.05


class Said(NamedTuple):
    """One thing said, at ``at`` seconds from the segment's start."""

    at: float
    kind: CueKind
    text: str
    #: For a phase word: the phase it opens, as (start, end) from the segment's start.
    phase: tuple[float, float] | None = None


class HoldLines(NamedTuple):
    """The wording a hold or set says this time of each line repeated in a session."""

    end: str = END_LINES[0]
    halfway: str = HALFWAY[0]
    ten_seconds_left: str = TEN_SECONDS_LEFT[0]


#: Each repeated line's first wording.
FIRST_LINES = HoldLines()


@record(frozen=True)
class Voice:
    length: Callable[[str], float]
    gap: float

    def end(self, said: Said) -> float:
        return said.at + self.length(said.text)


def ms(seconds: float) -> float:
    """Up to the next whole millisecond, the grid every cue sits on."""
    return math.ceil(seconds * 1000 - 1e-6) / 1000


# ----------------------------------------------------------------------------- timed holds


def timed_hold(
    dose: ExerciseDose,
    cues: Sequence[str],
    *,
    words: PhaseWords,
    owed: int,
    want: int,
    voice: Voice,
    countdown: bool,
    halfway: bool,
    quiet: bool = False,
    cheer: bool = True,
    lines: HoldLines = FIRST_LINES,
) -> list[Said]:
    """Begin, form cues, time checks, 3-2-1 and "And relax" for a hold of ``dose.seconds``.

    :param cues: form cues in the order they should be tried.
    :param owed: how many of ``cues`` this hold should say so every cue is heard.
    :param want: how many it would say with room to spare.
    :param quiet: the routine asks for quiet: no minute markers or words to fill silences.
    :param cheer: a word of encouragement may break a long silence (the exercise has not
        had its one yet).
    :param lines: the wordings of the end line and the time checks.
    """
    seconds = dose.seconds
    options = begin_options(dose, words)
    begin_text = next(
        (t for t in options if voice.length(t) + ROOM <= seconds - voice.length(lines.end)),
        options[-1],
    )
    begin = Said(0.0, "begin", begin_text)
    said = [begin]
    busy = voice.end(begin) + voice.gap
    counts: list[Said] = []
    if countdown and seconds >= 6:
        for n in (3, 2, 1):
            at = ms(seconds - n)
            limit = seconds - n + 1 if n > 1 else seconds
            item = Said(at, "countdown", f"{n}.")
            if at >= busy and voice.end(item) + voice.gap <= limit + 1e-9:
                counts.append(item)
                busy = voice.end(item) + voice.gap
    said += counts
    said.append(Said(ms(seconds), "end", lines.end))
    hard_hi = min(seconds - ROOM, (counts[0].at - voice.gap) if counts else seconds)
    lo = voice.end(begin)

    checks = []
    if seconds >= 20:
        checks.append(Said(ms(seconds - 10), "time-left", lines.ten_seconds_left))
        if halfway and abs(seconds / 2 - (seconds - 10)) >= 5:
            checks.append(Said(ms(seconds / 2), "halfway", lines.halfway))
    variants = [checks, checks[:1], checks[1:], []]
    lengths = [voice.length(c) for c in cues]
    best: tuple[list[Said], list[float]] = ([], [])
    for variant in variants:
        anchors = _anchors(variant, lo, hard_hi, voice)
        if anchors is None:
            continue
        fit = _spread(lengths[: max(want, 0)], anchors, lo, hard_hi, voice)
        if len(fit) >= min(owed, len(cues)) or not variant:
            best = (anchors, fit)
            break
        if len(fit) > len(best[1]):
            best = (anchors, fit)
    anchors, times = best
    said += anchors
    said += [Said(at, "cue", text) for at, text in zip(times, cues, strict=False)]
    said = sorted(said, key=lambda s: s.at)
    if quiet:
        return said
    return _filled(said, seconds, cues, voice, hard_hi, cheer)


#: A hold never goes longer than this without a word, unless its step asks for quiet.
LONGEST_SILENCE = 30.0
#: Silences longer than this get a word in the middle (a margin under the limit).
FILL_AFTER = 25.0
#: A filler is not one said less than this many seconds before or after.
RECENT = 45.0
#: Holds at least this long say each whole minute done.
MINUTE_MARKERS_FROM = 90
#: Short encouragement, taken in turn with the form cues to break a long silence.
ENCOURAGEMENT = ("Good, keep it going.", "Nice and steady.", "You're doing well.")


def minute_marker(minute: int) -> str:
    return f"{spoken_seconds(minute * 60).capitalize()} done."


def _filled(
    said: list[Said], seconds: float, cues: Sequence[str], voice: Voice, hi: float, cheer: bool
) -> list[Said]:
    """``said`` with minute markers in a long hold, then a form cue or a word of
    encouragement in the middle of every silence over :data:`FILL_AFTER` s."""
    if seconds >= MINUTE_MARKERS_FROM:
        for minute in range(1, int((seconds - 20) // 60) + 1):
            marker = Said(ms(minute * 60), "time-left", minute_marker(minute))
            if _room_for(said, marker, voice, hi):
                said = sorted([*said, marker], key=lambda s: s.at)
    # Form cues again in turn, and one word of encouragement at most: not nagging.
    word = ENCOURAGEMENT[int(seconds) % len(ENCOURAGEMENT)]
    pool = [*cues, word] if cheer else list(cues)
    turn = 0
    while pool:
        gaps = [
            (b.at - voice.end(a), a, b)
            for a, b in itertools.pairwise(said)
            if a.kind != "countdown" and b.kind != "countdown"
        ]
        widest = max(gaps, default=None, key=lambda g: g[0])
        if widest is None or widest[0] <= FILL_AFTER:
            return said
        quiet, before, _ = widest
        placed = None
        for _ in range(len(pool)):
            text = pool[turn % len(pool)]
            turn += 1
            at = ms(voice.end(before) + (quiet - voice.length(text)) / 2)
            if any(x.text == text and abs(x.at - at) < RECENT for x in said):
                continue  # heard a moment ago: another one sounds less like a recording
            item = Said(at, "cue" if text in cues else "encourage", text)
            if _room_for(said, item, voice, hi):
                placed = item
                break
        if placed is None:
            return said
        if placed.kind == "encourage":
            pool.remove(word)
        said = sorted([*said, placed], key=lambda s: s.at)
    return said


def _room_for(said: Sequence[Said], item: Said, voice: Voice, hi: float) -> bool:
    """Whether ``item`` has :data:`ROOM` s of quiet on both sides and ends before ``hi``."""
    if voice.end(item) > hi + 1e-9:
        return False
    for other in said:
        if other.kind == "countdown":
            continue
        if not (voice.end(other) + ROOM <= item.at + 1e-9 or voice.end(item) + ROOM <= other.at):
            return False
    return True


def _anchors(checks: Sequence[Said], lo: float, hi: float, voice: Voice) -> list[Said] | None:
    """The time checks, if each has room around it; None when one does not."""
    last = lo
    for check in sorted(checks, key=lambda c: c.at):
        if check.at < last + ROOM or voice.end(check) > hi:
            return None
        last = voice.end(check)
    return sorted(checks, key=lambda c: c.at)


def _spread(
    lengths: Sequence[float], anchors: Sequence[Said], lo: float, hi: float, voice: Voice
) -> list[float]:
    """Start times for as many of ``lengths`` (in order) as fit, spread out evenly."""

    # Where the time checks leave room: the same for every spacing tried below.
    bounds = [lo, *(x for a in anchors for x in (a.at, voice.end(a)))]

    def pack(space: float, items: Sequence[float]) -> list[float]:
        windows = [(bounds[i] + space, bounds[i + 1] - space) for i in range(0, len(bounds) - 1, 2)]
        windows.append((bounds[-1] + space, min(hi, hi + ROOM - space)))
        out: list[float] = []
        todo = list(items)
        for start, end in windows:
            cursor = start
            while todo and ms(cursor) + todo[0] <= end + 1e-9:
                at = ms(cursor)
                out.append(at)
                cursor = at + todo.pop(0) + space
        return out

    count = len(pack(ROOM, lengths))
    items = lengths[:count]
    low, high = ROOM, ROOM + max(hi - lo, 0.0)
    for _ in range(30):  # the widest even spacing that still fits them all
        mid = (low + high) / 2
        if len(pack(mid, items)) == count:
            low = mid
        else:
            high = mid
    return pack(low, items)


# ----------------------------------------------------------------------------- paced sets


@record(frozen=True)
class _Phase:
    start: float
    end: float
    options: tuple[str, ...]


def paced_set(
    dose: ExerciseDose,
    words: PhaseWords,
    cues: Sequence[str],
    *,
    want: int,
    voice: Voice,
    end_line: str = END_LINES[0],
) -> tuple[list[Said], float]:
    """Phase words, counts and form cues for a set of reps or counted breaths.

    :param end_line: the wording of the line that ends the set.

    :returns: what is said, and the set's length (the lead-in "Begin" plus the units).
    """
    begin = Said(0.0, "begin", "Begin.")
    lead = ms(voice.end(begin) + voice.gap)
    unit = dose.tempo.seconds if dose.kind == "reps" and dose.tempo else dose.breath
    units = [_unit_words(dose, words, i, lead + i * unit, voice) for i in range(dose.count)]
    if words.halfway and dose.kind == "reps" and dose.count >= 2:
        middle = dose.count // 2
        units[middle] = _halfway(units[middle], words.halfway, lead + middle * unit, unit, voice)
    duration = ms(lead + dose.count * unit)
    end = Said(duration, "end", end_line)
    quiet_from = voice.end(begin)  # the end of the last non-paced word so far
    next_unit = 1
    shown = min(want, len(cues))
    for k, text in enumerate(cues[:shown]):
        target = max(round((k + 1) * dose.count / (shown + 1)), next_unit)
        order = [*range(target, dose.count), *range(target - 1, next_unit - 1, -1)]
        # A breathing instruction goes on the breath it names. One too long for that
        # phase is still said, as any form cue is: ``validate --coaching`` then reports it
        # out of phase (rule 16), which tells the author more than a line left out would.
        on_breath = dose.kind == "breaths" and breath_phase(text) is not None
        tries = [(i, True) for i in order] if on_breath else []
        tries += [(i, False) for i in order]
        for i, phased in tries:
            start = lead + i * unit
            if phased:
                fitted = _on_its_breath(units[i], text, start, i, dose, quiet_from, voice)
            else:
                fitted = _with_cue(units[i], text, start, start + unit, quiet_from, duration, voice)
            if fitted is not None:
                units[i] = fitted
                cue = next(s for s in fitted if s.kind == "cue")
                quiet_from = voice.end(cue)
                next_unit = i + 1
                break
    said = [begin, *(s for u in units for s in u), end]
    return sorted(said, key=lambda s: s.at), duration


def _phases(dose: ExerciseDose, words: PhaseWords, index: int, start: float) -> list[_Phase]:
    if dose.kind == "breaths":
        inhale = ("Breathe in.", "In.") if index == 0 else ("In.",)
        number = number_word(index + 1)
        return [
            _Phase(start, start + dose.inhale, inhale),
            _Phase(start + dose.inhale, start + dose.breath, (f"Out… {number}.", "Out.")),
        ]
    assert dose.tempo is not None
    up, hold, down = dose.tempo.up, dose.tempo.hold, dose.tempo.down
    phases = [_Phase(start, start + up, _options(words.up))]
    if hold:
        phases.append(_Phase(start + up, start + up + hold, _options(words.hold)))
    phases.append(_Phase(start + up + hold, start + up + hold + down, _options(words.down)))
    return phases


def _options(word: str) -> tuple[str, ...]:
    """The word, then its first word alone: fewer words when a phase is short."""
    first = word.split()[0].rstrip(",.…") if word.split() else word
    return tuple(dict.fromkeys([word, first]))


def _unit_words(
    dose: ExerciseDose, words: PhaseWords, index: int, start: float, voice: Voice
) -> list[Said]:
    said: list[Said] = []
    kind: CueKind = "breath" if dose.kind == "breaths" else "rep"
    for phase in _phases(dose, words, index, start):
        at = ms(phase.start)
        for option in phase.options:
            if at + voice.length(option) + PACE_GAP <= phase.end + 1e-9:
                said.append(Said(at, kind, option, (phase.start, phase.end)))
                break
    if dose.kind == "reps":
        assert dose.tempo is not None
        count = number_word(index + 1).capitalize() + "."
        rep_end = start + dose.tempo.seconds
        at = ms(rep_end - voice.length(count) - PACE_GAP)
        if at >= start and (not said or at >= voice.end(said[-1]) + PACE_GAP):
            said.append(Said(at, "rep", count))
        elif len(said) > 1 and said[-1].at + voice.length(count) + PACE_GAP <= rep_end + 1e-9:
            # No room after the last phase word: the count takes its place ("Lift… Seven."),
            # so a fast rep keeps its number.
            said[-1] = Said(said[-1].at, "rep", count)
    return said


def _halfway(words: list[Said], text: str, start: float, unit: float, voice: Voice) -> list[Said]:
    """The unit's phase words replaced by the halfway line, if it fits before the count."""
    counts = [w for w in words if w.phase is None]
    end = counts[0].at if counts else start + unit
    at = ms(start)
    if at + voice.length(text) + PACE_GAP > end + 1e-9:
        return words  # never hurried: the usual words stay
    return [Said(at, "rep", text, (start, end)), *counts]


def _with_cue(
    words: list[Said],
    text: str,
    start: float,
    end: float,
    quiet_from: float,
    set_end: float,
    voice: Voice,
) -> list[Said] | None:
    """The unit's words with a form cue after the first few of them, or None if it won't fit."""
    length = voice.length(text)
    # The unit's first word (the "up" or the "in") always stays: it sets the pace.
    for keep in range(len(words), 0, -1) if words else [0]:
        kept = words[:keep]
        after = voice.end(kept[-1]) + voice.gap if kept else start + PACE_GAP
        at = ms(max(after, quiet_from + ROOM))
        cue_end = at + length
        if cue_end + PACE_GAP > end + 1e-9 or cue_end + ROOM > set_end:
            continue
        later = [w for w in words[keep:] if w.at >= cue_end + PACE_GAP]
        if any(_is_count(w) for w in words[keep:] if w not in later):
            continue  # a form cue never takes the place of a count
        return [*kept, Said(at, "cue", text), *later]
    return None


def _is_count(said: Said) -> bool:
    """A rep's count ("Four.") or an out-breath that carries its number ("Out… four.")."""
    return (said.kind == "rep" and said.phase is None) or (
        said.kind == "breath"
        and any(c.isalpha() for c in said.text.split("…")[-1])
        and said.text.startswith("Out…")
    )


_BREATH_PHASE = re.compile(
    r"\b(?:breathe|breath|breathing)\s+(in|out)\b|\b(inhale|exhale)", re.IGNORECASE
)


def breath_phase(text: str) -> Literal["in", "out"] | None:
    """The breath phase a line talks about first: "Deep breath in, long breath out" -> in."""
    match = _BREATH_PHASE.search(text)
    if match is None:
        return None
    word = (match.group(1) or match.group(2)).lower()
    return "in" if word in ("in", "inhale") else "out"


def _on_its_breath(
    words: list[Said],
    text: str,
    start: float,
    index: int,
    dose: ExerciseDose,
    quiet_from: float,
    voice: Voice,
) -> list[Said] | None:
    """A breathing instruction said as the breath it names begins, or None if it won't fit.

    On an in-breath it takes the place of "In." and ends before the out-breath; on an
    out-breath it opens the phase and the breath's number follows it, so no count is lost.
    """
    phase: tuple[float, float] = (start, start + dose.inhale)
    if breath_phase(text) == "out":
        phase = (start + dose.inhale, start + dose.breath)
    at = ms(phase[0])
    if at < quiet_from + ROOM:
        return None
    cue = Said(at, "cue", text, phase)
    if breath_phase(text) == "in":
        if voice.end(cue) + PACE_GAP > phase[1] + 1e-9:
            return None
        return [cue, *(w for w in words if w.at >= phase[1] - 1e-9)]
    count = Said(
        ms(voice.end(cue) + voice.gap), "breath", number_word(index + 1).capitalize() + "."
    )
    count = count._replace(phase=(count.at, phase[1]))
    if voice.end(count) + PACE_GAP > phase[1] + 1e-9:
        return None
    return [*(w for w in words if w.at < phase[0] - 1e-9), cue, count]


def candidate_texts(dose: ExerciseDose, words: PhaseWords, cues: Sequence[str]) -> list[str]:
    """Every text a hold or set of ``dose`` may say, whatever the speech lengths."""
    texts = [*begin_options(dose, words), "Begin.", *END_LINES, *cues]
    if words.halfway:
        texts.append(words.halfway)
    if dose.kind == "hold":
        texts += ["3.", "2.", "1.", *TEN_SECONDS_LEFT, *HALFWAY]
        if dose.seconds >= MINUTE_MARKERS_FROM:
            texts += [minute_marker(m) for m in range(1, int(dose.seconds // 60) + 1)]
        if dose.seconds > FILL_AFTER:
            texts += ENCOURAGEMENT
        return texts
    for index in range(dose.count):
        texts += [o for phase in _phases(dose, words, index, 0.0) for o in phase.options]
        texts.append(number_word(index + 1).capitalize() + ".")
    return texts
