"""Pack checks beyond the schema: vocabulary words and image files.

The schema only knows that a muscle is a lower-case word; whether glutekit or the
pack itself defines it is checked here, with close matches. Images must be files
inside the pack's folder: a path that resolves outside it (through ``..`` or a
symbolic link) is refused, as are files that are missing, files over 5 MiB and
pictures over 4,096 pixels on a side.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from glutekit.catalog.schema import Document, Problem
from glutekit.catalog.vocabulary import (
    _SINGULAR,
    CATEGORIES,
    Category,
    Vocabulary,
    builtin,
    pack_terms,
)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")
#: The largest image file a pack may ship (each sheet and card embeds it).
MAX_IMAGE_BYTES = 5 * 1024 * 1024
#: The most pixels a PNG or JPEG may have on its longer side. Sheets and cards use a
#: copy scaled down to ``PRINT_IMAGE_SIDE``; an image larger than this is only weight.
MAX_IMAGE_SIDE = 4096
PRINT_IMAGE_SIDE = 1200


def pack_vocabulary(data: dict[str, Any]) -> Vocabulary:
    """The built-in vocabulary with what this pack declares (its own conflicts ignored)."""
    declared = pack_terms(data, str(data.get("id", "")))
    vocabulary, _ = builtin().with_terms(
        (category, term) for category in CATEGORIES for term in declared.get(category, ())
    )
    return vocabulary


def _uses(
    data: dict[str, Any], *, exercises: bool = True
) -> Iterator[tuple[Category, str, tuple[Any, ...]]]:
    """(category, word, where) for every vocabulary word the pack uses (with
    ``exercises`` false, outside the exercises only).

    ``where`` is the pointer's parts: it is written out (:func:`_pointer`) only for a
    word that is wrong, as a large pack uses half a million words.
    """
    for i, ex in enumerate(data.get("exercises", ()) if exercises else ()):
        yield "kinds", ex["kind"], ("exercises", i, "kind")
        targets = ex["targets"]
        for group in ("primary", "secondary"):
            for j, muscle in enumerate(targets.get(group, ())):
                yield "muscles", muscle, ("exercises", i, "targets", group, j)
        if "position" in ex:
            yield "positions", ex["position"], ("exercises", i, "position")
        for j, load in enumerate(ex.get("loads", ())):
            yield "loads", load, ("exercises", i, "loads", j)
        for j, need in enumerate(ex.get("equipment", ())):
            if isinstance(need, str):
                yield "equipment", need, ("exercises", i, "equipment", j)
            else:
                for k, item in enumerate(need["any_of"]):
                    yield "equipment", item, ("exercises", i, "equipment", j, "any_of", k)
    defaults = data.get("defaults") or {}
    if "position" in defaults:
        yield "positions", defaults["position"], ("defaults", "position")
    for kind, entry in (defaults.get("by_kind") or {}).items():
        yield "kinds", kind, ("defaults", "by_kind", kind)
        if "position" in entry:
            yield "positions", entry["position"], ("defaults", "by_kind", kind, "position")
    guidance = data.get("guidance") or {}
    for i, symptom in enumerate(guidance.get("symptoms", ())):
        for j, muscle in enumerate(symptom.get("targets", ())):
            yield "muscles", muscle, ("guidance", "symptoms", i, "targets", j)
        for j, load in enumerate(symptom.get("excludes", ())):
            yield "loads", load, ("guidance", "symptoms", i, "excludes", j)
    for i, kind in enumerate(guidance.get("order", ())):
        yield "kinds", kind, ("guidance", "order", i)
    for i, term in enumerate((data.get("vocabulary") or {}).get("muscles", ())):
        if "parent" in term:
            yield "muscles", term["parent"], ("vocabulary", "muscles", i, "parent")


def parent_problems(doc: Document) -> list[Problem]:
    """A problem for each muscle the pack puts in a group that is under the muscle
    itself: the declaration that closes the loop, as the catalog leaves its parent out."""
    from glutekit.catalog.vocabulary import _parent_unless_cycle

    declared = pack_terms(doc.data, str(doc.data.get("id", ""))).get("muscles", ())
    table = dict(builtin().terms["muscles"])
    found: list[Problem] = []
    for i, term in enumerate(declared):
        table.setdefault(term.id, term)
        if term.parent is not None and _parent_unless_cycle(table, term) is None:
            found.append(
                doc.problem(
                    f"/vocabulary/muscles/{i}/parent",
                    f"'{term.id}' cannot belong to '{term.parent}', which is under "
                    f"'{term.id}' itself",
                )
            )
    return found


def _pointer(parts: tuple[Any, ...]) -> str:
    return "".join(f"/{part}" for part in parts)


def _all_known(data: dict[str, Any], terms: Mapping[Category, Mapping[str, Any]]) -> bool:
    """Whether every word the exercises use is a term (the common case, seen in sets)."""
    used: dict[Category, set[str]] = {category: set() for category in CATEGORIES}
    kinds, muscles, positions = used["kinds"], used["muscles"], used["positions"]
    loads, equipment = used["loads"], used["equipment"]
    for ex in data.get("exercises", ()):
        kinds.add(ex["kind"])
        targets = ex["targets"]
        muscles.update(targets.get("primary", ()))
        muscles.update(targets.get("secondary", ()))
        if "position" in ex:
            positions.add(ex["position"])
        if "loads" in ex:
            loads.update(ex["loads"])
        for need in ex.get("equipment", ()):
            if isinstance(need, str):
                equipment.add(need)
            else:
                equipment.update(need["any_of"])
    return all(words.issubset(terms[category]) for category, words in used.items())


def word_problems(doc: Document) -> list[Problem]:
    """A problem for each word that neither glutekit nor the pack defines."""
    from glutekit.errors import suggest

    vocabulary = pack_vocabulary(doc.data)
    found: list[Problem] = []
    terms = vocabulary.terms
    # The exercises' words are looked at one by one (with where each is) only when one is
    # wrong: a large pack uses half a million words.
    uses = _uses(doc.data, exercises=not _all_known(doc.data, terms))
    for category, word, where in uses:
        if word in terms[category]:
            continue
        pointer = _pointer(where)
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


def synonym_problems(doc: Document) -> list[Problem]:
    """A pack's words that would take over a word glutekit (or the pack) already gives a meaning.

    A synonym (or a new term's id) that is already a built-in term or synonym of
    another term would silently change what that word lists, as would one
    synonym given to two of the pack's terms.
    """
    known = builtin()
    section = doc.data.get("vocabulary") or {}
    found: list[Problem] = []
    for category in CATEGORIES:
        noun = _SINGULAR[category]
        claimed: dict[str, tuple[str, str]] = {}  # word -> (term id, pointer) in this pack
        for i, term in enumerate(section.get(category, ())):
            term_id = term["id"]
            base = f"/vocabulary/{category}/{i}"
            owner = known.term(category, term_id)
            if owner is not None and owner.id != term_id:
                found.append(
                    doc.problem(
                        f"{base}/id",
                        f"'{term_id}' is already a synonym of the built-in {noun} "
                        f"'{owner.id}'; use that term, or give this one another id",
                    )
                )
            for j, synonym in enumerate(term.get("synonyms", ())):
                pointer = f"{base}/synonyms/{j}"
                owner = known.term(category, synonym)
                earlier = claimed.get(synonym)
                if owner is not None and owner.id != term_id:
                    found.append(
                        doc.problem(
                            pointer,
                            f"synonym '{synonym}' already means the built-in {noun} "
                            f"'{owner.id}'; a pack cannot give it another meaning",
                        )
                    )
                elif earlier is not None and earlier[0] != term_id:
                    found.append(
                        doc.problem(
                            pointer,
                            f"synonym '{synonym}' is also given to '{earlier[0]}' "
                            f"(at {earlier[1]}); a word can mean one {noun} only",
                        )
                    )
                else:
                    claimed.setdefault(synonym, (term_id, pointer))
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
    size_problems = _image_size_problems(target, relative)
    if size_problems or target.suffix.lower() != ".svg":
        return size_problems
    from glutekit.catalog.svgrefs import problems

    return [f"'{relative}' {problem}" for problem in problems(target, folder)]


def _image_size_problems(target: Path, relative: str) -> list[str]:
    """The limits on a pack's image: its bytes, and a picture's pixels on a side."""
    try:
        size = target.stat().st_size
    except OSError as exc:
        return [f"'{relative}' cannot be read: {exc.strerror or exc}"]
    if size > MAX_IMAGE_BYTES:
        return [
            f"'{relative}' is {size:,} bytes; a pack image may be at most "
            f"{MAX_IMAGE_BYTES:,} bytes (5 MiB)"
        ]
    if target.suffix.lower() == ".svg":
        return []
    side = image_side(target)
    if side is None:
        return [f"'{relative}' is not a readable PNG or JPEG picture"]
    if side > MAX_IMAGE_SIDE:
        return [
            f"'{relative}' is {side:,} pixels on its longer side; a pack image may be at "
            f"most {MAX_IMAGE_SIDE:,} (sheets and cards use {PRINT_IMAGE_SIDE:,})"
        ]
    return []


def image_side(path: Path) -> int | None:
    """A PNG's or JPEG's longer side in pixels, from its header alone (None if unreadable)."""
    from PIL import Image

    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # only the header is read: no bomb check is needed
    try:
        with Image.open(path) as picture:
            return int(max(picture.size))
    except Exception:  # Pillow raises many kinds for a file it cannot identify
        return None
    finally:
        Image.MAX_IMAGE_PIXELS = limit
