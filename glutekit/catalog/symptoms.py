"""What a routine's symptoms ask of it: no exercise that loads what they (or the
routine's own ``excludes``) rule out, and their screens said before the first exercise.

Both hold wherever a routine comes in (a file, a plugin, a strategy, an import), so a
session never does what its own caution warns against, and a red flag its symptom
names is said. ``validate --coaching`` words an exclusion the same way (its rule 9).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from glutekit.catalog.schema import Document, Problem
from glutekit.catalog.steps import exercise_steps

if TYPE_CHECKING:
    from glutekit.catalog import Catalog
    from glutekit.model import Symptom


def routine_symptoms(
    symptom: str | None, tags: Sequence[str], catalog: Catalog
) -> list[tuple[Symptom, str]]:
    """The symptoms a routine is for, with the pointer that says so: its ``symptom``
    field, then each tag that is the id of a symptom in the catalog's guidance."""
    known = catalog.symptoms()
    found: list[tuple[Symptom, str]] = []
    if symptom in known:
        found.append((known[symptom], "/symptom"))
    for i, tag in enumerate(tags):
        if tag in known and all(s.id != tag for s, _ in found):
            found.append((known[tag], f"/tags/{i}"))
    return found


def excluded_steps(
    symptom: str | None,
    tags: Sequence[str],
    excludes: Sequence[str],
    steps: Iterable[tuple[str, str]],
    catalog: Catalog,
) -> Iterator[tuple[str, str]]:
    """(pointer, message) for each of ``steps`` (pointer, exercise id, every id known)
    whose exercise loads what the routine's symptoms or its ``excludes`` rule out."""
    rules: list[tuple[str, str, tuple[str, ...]]] = [
        (load, f"the {found.id} symptom", found.instead)
        for found, _ in routine_symptoms(symptom, tags, catalog)
        for load in found.excludes
    ]
    rules += [(load, "the routine's own 'excludes'", ()) for load in excludes]
    if not rules:
        return
    words = catalog.vocabulary
    for pointer, exercise_id in steps:
        exercise = catalog.exercise(exercise_id)
        for load, who, instead in rules:
            if load not in exercise.loads:
                continue
            names = [catalog.exercises[i].name for i in instead if i in catalog.exercises]
            hint = f"; use {' or '.join(names)} instead" if names else ""
            yield (
                pointer,
                f"excluded: {exercise.name} loads "
                f"{words.inline_label('loads', load)}, which {who} rules out{hint}",
            )
            break


def excluded_problems(doc: Document, catalog: Catalog) -> list[Problem]:
    """A problem for each exercise step of a routine document that loads what its
    symptom (or a tag that is a symptom's id) or its own ``excludes`` rules out."""
    data = doc.data if isinstance(doc.data, dict) else {}
    found = excluded_steps(
        data.get("symptom"),
        data.get("tags") or (),
        data.get("excludes") or (),
        exercise_steps(data.get("steps")),
        catalog,
    )
    return [doc.problem(pointer, message) for pointer, message in found]


def with_symptom_screens(data: dict[str, Any], catalog: Catalog) -> dict[str, Any]:
    """``data`` with the screen of each symptom it names (its ``symptom``, a tag that is
    a symptom's id) added to its ``screens`` where missing: the compiler says them
    after the safety line, and sheets print them. The data itself is not changed."""
    if not isinstance(data.get("symptom"), str) and not data.get("tags"):
        return data
    screens = list(data.get("screens") or ())
    for symptom, _ in routine_symptoms(data.get("symptom"), data.get("tags") or (), catalog):
        text = symptom.screen_text
        if text and text not in screens:
            screens.append(text)
    if screens == list(data.get("screens") or ()):
        return data
    return {**data, "screens": screens}
