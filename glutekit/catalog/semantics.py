"""Checks on packs and routines that a schema cannot express.

Durations over an hour, ranges that run backwards, routines that expand to too many
steps, duplicate and former ids, vocabulary words and image files (see
:mod:`glutekit.catalog.packwords`), and the side placeholders of per-side exercises.
They run only on documents that passed the schema.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from glutekit.catalog.schema import Document, Problem
from glutekit.model.durations import parse_duration
from glutekit.model.sides import uses_placeholders

#: No single timed thing (hold, rest, prepare) may be longer than this.
MAX_SECONDS = 3600
#: A routine may expand (blocks × repeats) to at most this many steps.
MAX_EXPANDED_STEPS = 2000


def semantic_problems(doc: Document, kind: str) -> list[Problem]:
    """Checks beyond the schema: duration limits, ranges that run backwards, size."""
    return _pack_problems(doc) if kind == "pack" else _routine_problems(doc)


def _pack_problems(doc: Document) -> list[Problem]:
    from glutekit.catalog.chains import chain_problems
    from glutekit.catalog.packwords import image_problems, synonym_problems, word_problems

    data = doc.data
    found = synonym_problems(doc) + word_problems(doc) + image_problems(doc)
    found += _former_id_problems(doc)
    found += chain_problems(doc)
    seen: dict[str, int] = {}
    # A large pack repeats a few doses: each distinct one is checked once.
    dose_problems: dict[tuple[Any, ...], list[tuple[str, str]]] = {}
    # Pointers are written out only for a problem: a large pack has 100,000 exercises.
    for i, ex in enumerate(data.get("exercises", [])):
        if not isinstance(ex, dict):
            continue
        ex_id = ex.get("id")
        if isinstance(ex_id, str):
            if ex_id in seen:
                found.append(
                    doc.problem(
                        f"/exercises/{i}/id",
                        f"duplicate exercise id '{ex_id}' (also at /exercises/{seen[ex_id]})",
                    )
                )
            seen.setdefault(ex_id, i)
        if "cautions" in ex or (ex.get("per_side") is False and _braced(ex)):
            found += _coaching_problems(doc, ex, i)
        dose = ex.get("dose")
        if not isinstance(dose, dict):
            continue
        try:
            same = (*dose.items(), *map(type, dose.values()))
            problems = dose_problems.get(same)
            if problems is None:
                problems = dose_problems[same] = _dose_problems(dose)
        except TypeError:  # a value that is not a key (a tempo's object)
            problems = _dose_problems(dose)
        for where, message in problems:
            found.append(doc.problem(f"/exercises/{i}/dose/{where}", message))
    return found + _default_dose_problems(doc, data.get("defaults"))


def _routine_problems(doc: Document) -> list[Problem]:
    found: list[Problem] = []

    def check_duration(value: Any, pointer: str) -> None:
        message = _duration_problem(value)
        if message is not None:
            found.append(doc.problem(pointer, message))

    def check_sideless(value: Any, pointer: str, what: str) -> None:
        if isinstance(value, str) and uses_placeholders(value):
            found.append(
                doc.problem(
                    pointer,
                    f"{what} is for no side, so a side placeholder such as {{side}} would be "
                    "said as it is written; name the side in words, or put the line in an "
                    "exercise step's 'cues'",
                )
            )

    data = doc.data
    if isinstance(data, dict):
        check_sideless(data.get("title"), "/title", "the title")
        check_sideless(data.get("safety"), "/safety", "the safety line")
        screens = data.get("screens")
        for i, text in enumerate(screens if isinstance(screens, list) else []):
            check_sideless(text, f"/screens/{i}", "a screen")
    settings = data.get("settings") if isinstance(data, dict) else None
    if isinstance(settings, dict):
        for key in ("prepare", "settle", "rest", "set_rest", "switch", "breath"):
            if key in settings:
                check_duration(settings[key], f"/settings/{key}")

    total = 0

    def walk(steps: Any, base: str, multiplier: int) -> None:
        nonlocal total
        if not isinstance(steps, list):
            return
        for i, step in enumerate(steps):
            pointer = f"{base}/{i}"
            if not isinstance(step, dict):
                continue
            total += multiplier
            if "exercise" not in step:
                check_sideless(step.get("say"), f"{pointer}/say", "a message or a rest")
            for key in ("rest", "rest_after", "pause", "rest_between"):
                if key in step:
                    check_duration(step[key], f"{pointer}/{key}")
            dose = step.get("dose")
            if isinstance(dose, dict) and "hold" in dose:
                message = _hold_problem(dose["hold"])
                if message is not None:
                    found.append(doc.problem(f"{pointer}/dose/hold", message))
            if "block" in step:
                repeat = step.get("repeat", 1)
                repeat = repeat if isinstance(repeat, int) and repeat > 0 else 1
                walk(step.get("steps"), f"{pointer}/steps", multiplier * repeat)

    walk(data.get("steps") if isinstance(data, dict) else None, "/steps", 1)
    if total > MAX_EXPANDED_STEPS:
        found.append(
            doc.problem(
                "/steps", f"the routine expands to {total} steps; the limit is {MAX_EXPANDED_STEPS}"
            )
        )
    return found


def _duration_problem(value: Any) -> str | None:
    """Why ``value`` is too long a duration, if it is one that is."""
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        try:
            seconds = parse_duration(value)
        except ValueError:
            return None  # the schema reports it
        if seconds > MAX_SECONDS:
            return f"{value!r} is {seconds} s; the limit is {MAX_SECONDS} s (1 hour)"
    return None


def _hold_problem(value: Any) -> str | None:
    """Why ``value`` cannot be a hold: over the limit, or no time at all."""
    message = _duration_problem(value)
    if message is None and isinstance(value, (int, str)) and not isinstance(value, bool):
        try:
            seconds = parse_duration(value)
        except ValueError:
            return None  # the schema reports it
        if seconds < 1:
            return f"{value!r} is no time to hold; a hold is at least 1 s"
    return message


def _dose_problems(dose: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, message) for each problem of an exercise's dose: durations over the limit,
    ranges that run backwards."""
    found: list[tuple[str, str]] = []
    for key in ("hold", "hold_max"):
        if key in dose:
            message = _hold_problem(dose[key])
            if message is not None:
                found.append((key, message))
    for low, high in (("hold", "hold_max"), ("breaths", "breaths_max"), ("reps", "reps_max")):
        if low in dose and high in dose:
            try:
                lo = parse_duration(dose[low]) if low == "hold" else int(dose[low])
                hi = parse_duration(dose[high]) if low == "hold" else int(dose[high])
            except (ValueError, TypeError):
                continue
            if hi < lo:
                found.append((high, f"{high} is less than {low}"))
    return found


def _default_dose_problems(doc: Document, defaults: Any) -> list[Problem]:
    """The doses of the pack's defaults, checked as an exercise's: each exercise that
    leaves its dose out is given one (the schema refuses 7200, but not "2h")."""
    if not isinstance(defaults, dict):
        return []
    entries: list[tuple[str, Any]] = [("/defaults", defaults)]
    by_kind = defaults.get("by_kind")
    if isinstance(by_kind, dict):
        entries += [
            (f"/defaults/by_kind/{str(kind).replace('~', '~0').replace('/', '~1')}", entry)
            for kind, entry in by_kind.items()
        ]
    found: list[Problem] = []
    for base, entry in entries:
        dose = entry.get("dose") if isinstance(entry, dict) else None
        if isinstance(dose, dict):
            for where, message in _dose_problems(dose):
                found.append(doc.problem(f"{base}/dose/{where}", message))
    return found


def _coaching_problems(doc: Document, ex: dict[str, Any], number: int) -> list[Problem]:
    """One spoken caution at most; side placeholders only where there are sides."""
    found: list[Problem] = []
    cautions = ex.get("cautions")
    if isinstance(cautions, list):
        spoken = [
            i for i, c in enumerate(cautions) if isinstance(c, dict) and c.get("spoken") is True
        ]
        for i in spoken[1:]:
            found.append(
                doc.problem(
                    f"/exercises/{number}/cautions/{i}/spoken",
                    f"only one caution may be spoken (already /cautions/{spoken[0]})",
                )
            )
    if ex.get("per_side") is False and _braced(ex):
        # Pointers are written out only for a problem (40,000 such exercises at 100k).
        texts: list[tuple[str, Any]] = [
            (f"{key}/{i}", text)
            for key in ("instructions", "cues")
            for i, text in enumerate(ex.get(key) or [])
            if isinstance(text, str) and uses_placeholders(text)
        ]
        texts += [(key, ex.get(key)) for key in ("working_side", "reminder")]
        for where, text in texts:
            if isinstance(text, str) and uses_placeholders(text):
                found.append(
                    doc.problem(
                        f"/exercises/{number}/{where}",
                        'side placeholders need an exercise with "per_side": true',
                    )
                )
    return found


def _braced(ex: dict[str, Any]) -> bool:
    """Might any of the exercise's texts hold a side placeholder? (Most hold no brace: one
    look at all of them together answers.)"""
    try:
        texts = "".join(chain(ex.get("instructions") or (), ex.get("cues") or ()))
    except TypeError:  # not a list of texts: looked at one by one
        return True
    return "{" in texts or any(
        isinstance(text, str) and "{" in text
        for text in (ex.get("working_side"), ex.get("reminder"))
    )


def _former_id_problems(doc: Document) -> list[Problem]:
    """A former id may not be a current id, nor be claimed by two exercises."""
    exercises = [ex for ex in doc.data.get("exercises", []) if isinstance(ex, dict)]
    current = {ex.get("id") for ex in exercises}
    claimed: dict[str, str] = {}
    found: list[Problem] = []
    for i, ex in enumerate(doc.data.get("exercises", [])):
        if not isinstance(ex, dict) or not isinstance(ex.get("former_ids"), list):
            continue
        for j, old in enumerate(ex["former_ids"]):
            pointer = f"/exercises/{i}/former_ids/{j}"
            if old in current:
                found.append(doc.problem(pointer, f"'{old}' is still an exercise id in this pack"))
            elif old in claimed and claimed[old] != ex.get("id"):
                found.append(
                    doc.problem(pointer, f"'{old}' is already a former id of '{claimed[old]}'")
                )
            claimed.setdefault(old, str(ex.get("id")))
    return found
