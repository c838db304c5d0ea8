"""Pack checks beyond the schema: vocabulary words and image files.

The schema only knows that a muscle is a lower-case word; whether glutekit or the
pack itself defines it is checked here, with close matches. Images must be files
inside the pack's folder: a path that resolves outside it (through ``..`` or a
symbolic link) is refused, as are files that are missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from glutekit.schema import Document, Problem
from glutekit.vocabulary import CATEGORIES, Category, Vocabulary, builtin, pack_terms

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")


def pack_vocabulary(data: dict[str, Any]) -> Vocabulary:
    """The built-in vocabulary with what this pack declares (its own conflicts ignored)."""
    declared = pack_terms(data, str(data.get("id", "")))
    vocabulary, _ = builtin().with_terms(
        (category, term) for category in CATEGORIES for term in declared.get(category, ())
    )
    return vocabulary


def _uses(data: dict[str, Any]) -> Iterator[tuple[Category, str, str]]:
    """(category, word, pointer) for every vocabulary word the pack uses."""
    for i, ex in enumerate(data.get("exercises", ())):
        base = f"/exercises/{i}"
        yield "kinds", ex["kind"], f"{base}/kind"
        for group in ("primary", "secondary"):
            for j, muscle in enumerate(ex["targets"].get(group, ())):
                yield "muscles", muscle, f"{base}/targets/{group}/{j}"
        if "position" in ex:
            yield "positions", ex["position"], f"{base}/position"
        for j, load in enumerate(ex.get("loads", ())):
            yield "loads", load, f"{base}/loads/{j}"
        for j, need in enumerate(ex.get("equipment", ())):
            if isinstance(need, str):
                yield "equipment", need, f"{base}/equipment/{j}"
            else:
                for k, item in enumerate(need["any_of"]):
                    yield "equipment", item, f"{base}/equipment/{j}/any_of/{k}"
    defaults = data.get("defaults") or {}
    if "position" in defaults:
        yield "positions", defaults["position"], "/defaults/position"
    for kind, entry in (defaults.get("by_kind") or {}).items():
        yield "kinds", kind, f"/defaults/by_kind/{kind}"
        if "position" in entry:
            yield "positions", entry["position"], f"/defaults/by_kind/{kind}/position"
    guidance = data.get("guidance") or {}
    for i, symptom in enumerate(guidance.get("symptoms", ())):
        for j, muscle in enumerate(symptom.get("targets", ())):
            yield "muscles", muscle, f"/guidance/symptoms/{i}/targets/{j}"
        for j, load in enumerate(symptom.get("excludes", ())):
            yield "loads", load, f"/guidance/symptoms/{i}/excludes/{j}"
    for i, kind in enumerate(guidance.get("order", ())):
        yield "kinds", kind, f"/guidance/order/{i}"


def word_problems(doc: Document) -> list[Problem]:
    """A problem for each word that neither glutekit nor the pack defines."""
    from glutekit.catalog import suggest

    vocabulary = pack_vocabulary(doc.data)
    found: list[Problem] = []
    for category, word, pointer in _uses(doc.data):
        if word in vocabulary.terms[category]:
            continue
        term = vocabulary.term(category, word)
        if term is not None:
            message = f"'{word}' is a synonym; write the term itself, '{term.id}'"
        else:
            hint = suggest(word, vocabulary.words(category))
            message = (
                f"unknown {category[:-1] if category != 'equipment' else 'equipment item'} "
                f"'{word}'{hint}; declare it in the pack's vocabulary/{category} "
                f"(see 'glutekit vocabulary {category}')"
            )
        found.append(doc.problem(pointer, message))
    return found


def pack_folder(doc_name: str) -> Path:
    return Path(doc_name).resolve().parent


def _image_paths(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for i, ex in enumerate(data.get("exercises", ())):
        for j, image in enumerate(ex.get("images", ())):
            yield image["path"], f"/exercises/{i}/images/{j}/path"
        if "figure" in ex:
            yield ex["figure"], f"/exercises/{i}/figure"


def image_problems(doc: Document) -> list[Problem]:
    """Images that are missing, not files, or outside the pack's folder."""
    paths = list(_image_paths(doc.data))
    if not paths:
        return []
    if doc.text is None:
        return [
            doc.problem(pointer, "images need a pack file: this pack was given as data")
            for _, pointer in paths
        ]
    folder = pack_folder(doc.name)
    found: list[Problem] = []
    for relative, pointer in paths:
        found += [doc.problem(pointer, m) for m in _image_file_problems(folder, relative)]
    return found


def _image_file_problems(folder: Path, relative: str) -> list[str]:
    try:
        target = (folder / relative).resolve()
    except (OSError, RuntimeError) as exc:  # a symbolic link loop, say
        return [f"'{relative}' cannot be followed: {exc}"]
    if not target.is_relative_to(folder):
        return [f"'{relative}' leads outside the pack's folder ({folder})"]
    if not target.is_file():
        return [f"'{relative}': no such file in the pack's folder ({folder})"]
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        return [f"'{relative}' is not a PNG, JPEG or SVG file"]
    return []
