"""The words exercises are described with: muscles, equipment, positions, kinds and loads.

The built-in terms are data (``vocabulary.json`` beside this module); a pack may add
its own in its ``vocabulary`` section, each with a label, an optional description and
synonyms, a body region for a muscle and a posture for a position. A muscle may also
name a parent muscle group (``lats`` under ``upper_back``), so that a target names a
region, a group or one muscle: ``--target upper_back`` finds every muscle of the upper
back region and every muscle under the ``upper_back`` group. A word a pack uses must
be built in or declared by that pack. Two packs declaring one term with
different meanings is reported, naming both; the same meaning merges quietly.

The command line checks every vocabulary option against the merged vocabulary:
an unknown word is refused with close matches, and a synonym stands for its term.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from glutekit.errors import InputError
from glutekit.model.records import record

Category = Literal["muscles", "equipment", "positions", "kinds", "loads"]
CATEGORIES: tuple[Category, ...] = ("muscles", "equipment", "positions", "kinds", "loads")
#: What a position is, for --place, --avoid and the order that saves getting up and down.
POSTURE_WORDS: tuple[str, ...] = ("lying", "seated", "kneeling", "standing", "hanging")
REGIONS: tuple[str, ...] = (
    "head_neck",
    "shoulder",
    "arm",
    "chest",
    "upper_back",
    "trunk",
    "hip",
    "thigh",
    "lower_leg",
    "foot",
    "whole_body",
)
BUILT_IN = "glutekit"

_SINGULAR = {
    "muscles": "muscle",
    "equipment": "equipment item",
    "positions": "position",
    "kinds": "kind",
    "loads": "load",
}


@record(frozen=True, kw_only=True)
class Term:
    """One word of the vocabulary and where it came from (``glutekit`` for built-ins)."""

    id: str
    label: str
    description: str | None = None
    synonyms: tuple[str, ...] = ()
    region: str | None = None
    posture: str | None = None
    #: The muscle group this muscle belongs to (another muscle term), if any.
    parent: str | None = None
    pack: str = BUILT_IN

    def meaning(self) -> tuple[Any, ...]:
        """What must agree for two declarations to be the same term."""
        return (self.label.casefold(), self.region, self.posture)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "label": self.label}
        for key in ("description", "region", "parent", "posture"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        data["synonyms"] = list(self.synonyms)
        data["pack"] = self.pack
        return data


def term_from_data(data: Mapping[str, Any], pack: str = BUILT_IN) -> Term:
    return Term(
        id=data["id"],
        label=data["label"],
        description=data.get("description"),
        synonyms=tuple(data.get("synonyms", ())),
        region=data.get("region"),
        posture=data.get("posture"),
        parent=data.get("parent"),
        pack=pack,
    )


def pack_terms(data: Mapping[str, Any], pack: str) -> dict[Category, tuple[Term, ...]]:
    """The terms a pack's ``vocabulary`` section declares."""
    section = data.get("vocabulary") or {}
    return {
        category: tuple(term_from_data(t, pack) for t in section.get(category, ()))
        for category in CATEGORIES
        if section.get(category)
    }


@record(frozen=True)
class Vocabulary:
    """Terms by category and id, with every synonym pointing at its term."""

    terms: Mapping[Category, Mapping[str, Term]]

    def words(self, category: Category) -> list[str]:
        return list(self.terms[category])

    def term(self, category: Category, word: str) -> Term | None:
        table = self.terms[category]
        found = table.get(word)
        if found is not None:
            return found
        return self._synonyms(category).get(word)

    def _synonyms(self, category: Category) -> dict[str, Term]:
        return {s: t for t in self.terms[category].values() for s in t.synonyms}

    def resolve(self, category: Category, word: str, option: str) -> str:
        """The term ``word`` names (itself or a synonym's term).

        :raises InputError: (exit 2) naming the option, with close matches.
        """
        found = self.term(category, word)
        if found is not None:
            return found.id
        raise self._unknown(category, word, option)

    def _unknown(
        self, category: Category, word: str, option: str, also: Iterable[str] = ()
    ) -> InputError:
        import difflib

        synonyms = self._synonyms(category)
        known = [*self.terms[category], *synonyms, *also]
        close = difflib.get_close_matches(word, known, n=6, cutoff=0.5)
        # Offer each term once, by its own name, even when a synonym was the closer match.
        terms = list(dict.fromkeys(synonyms[c].id if c in synonyms else c for c in close))[:3]
        listing = f"'glutekit vocabulary {category}' lists them all"
        hint = f" (did you mean: {', '.join(terms)}? {listing})" if terms else f" ({listing})"
        what = "muscle or region" if also else _SINGULAR[category]
        return InputError(f"{option}: unknown {what} '{word}'{hint}")

    def regions(self) -> list[str]:
        """The body regions: glutekit's own and any a muscle names, in that order."""
        named = (t.region for t in self.terms["muscles"].values() if t.region)
        return list(dict.fromkeys([*REGIONS, *named]))

    def muscles_in(self, word: str, option: str = "--target") -> tuple[str, ...]:
        """Every muscle a target word stands for, the word's own term first.

        ``word`` may be a muscle or its synonym (the muscle and every muscle under it,
        through ``parent``, at any depth), a region (every muscle in it and under those),
        or both at once, as ``upper_back`` is.

        :raises InputError: (exit 2) naming the option, with close muscles and regions.
        """
        table = self.terms["muscles"]
        term = self.term("muscles", word)
        roots = [term.id] if term is not None else []
        if word in self.regions():
            roots += [t.id for t in table.values() if t.region == word]
        if not roots:
            raise self._unknown("muscles", word, option, also=self.regions())
        children: dict[str, list[str]] = {}
        for t in table.values():
            if t.parent is not None:
                children.setdefault(t.parent, []).append(t.id)
        found: dict[str, None] = {}
        queue = roots
        while queue:
            muscle, *queue = queue
            if muscle not in found:
                found[muscle] = None
                queue += children.get(muscle, [])
        return tuple(found)

    def inline_label(self, category: Category, word: str) -> str:
        """The word as it reads inside a sentence or list: "IT band", "gluteus medius".

        The term's label with its first letter in lower case, unless it starts with an
        acronym; an unknown word is printed with spaces for underscores.
        """
        found = self.term(category, word)
        text = found.label if found is not None else word.replace("_", " ")
        if text.split(" ", 1)[0].isupper():
            return text
        return text[:1].lower() + text[1:]

    def posture(self, position: str) -> str | None:
        term = self.terms["positions"].get(position)
        return term.posture if term is not None else None

    def with_terms(self, declared: Iterable[tuple[Category, Term]]) -> tuple[Vocabulary, list[str]]:
        """This vocabulary with more terms added; returns it and the conflicts found."""
        merged: dict[Category, dict[str, Term]] = {c: dict(self.terms[c]) for c in CATEGORIES}
        conflicts: list[str] = []
        for category, term in declared:
            table = merged[category]
            term, taken = _without_taken_synonyms(table, term)
            conflicts += [
                f"vocabulary: {_SINGULAR[category]} synonym '{word}' of pack '{term.pack}' "
                f"already means '{owner.id}' (pack '{owner.pack}'); it is left out"
                for word, owner in taken
            ]
            earlier = table.get(term.id)
            if earlier is None:
                table[term.id] = term
            elif earlier.meaning() != term.meaning():
                conflicts.append(
                    f"vocabulary: {_SINGULAR[category]} '{term.id}' means "
                    f"{_meaning(earlier, term)} in pack '{earlier.pack}' but "
                    f"{_meaning(term, earlier)} in pack '{term.pack}'; keeping the one "
                    f"from '{earlier.pack}'"
                )
            elif earlier.parent and term.parent and earlier.parent != term.parent:
                conflicts.append(
                    f"vocabulary: {_SINGULAR[category]} '{term.id}' belongs to "
                    f"'{earlier.parent}' in pack '{earlier.pack}' but to '{term.parent}' in "
                    f"pack '{term.pack}'; keeping the one from '{earlier.pack}'"
                )
            else:
                # Declaring a known term again adds to it: synonyms, a description, a group.
                extra = tuple(s for s in term.synonyms if s not in earlier.synonyms)
                table[term.id] = replace(
                    earlier,
                    synonyms=earlier.synonyms + extra,
                    description=earlier.description or term.description,
                    parent=earlier.parent or _parent_unless_cycle(table, term),
                )
            # A new term, or a known one without a group given one here, whose group
            # would contain it: it is left without one.
            grouped = earlier is None or (table[term.id] is not earlier and not earlier.parent)
            if grouped and _parent_unless_cycle(table, term) != term.parent:
                if earlier is None:
                    table[term.id] = replace(term, parent=None)
                conflicts.append(
                    f"vocabulary: {_SINGULAR[category]} '{term.id}' of pack '{term.pack}' "
                    f"cannot belong to '{term.parent}', which is under '{term.id}' itself; "
                    "it is left without a group"
                )
        return Vocabulary(terms=merged), conflicts

    def fingerprint(self) -> bytes:
        data = {c: [t.as_dict() for t in self.terms[c].values()] for c in CATEGORIES}
        return json.dumps(data, sort_keys=True).encode()


def _without_taken_synonyms(
    table: Mapping[str, Term], term: Term
) -> tuple[Term, list[tuple[str, Term]]]:
    """``term`` without the synonyms another term already has (as an id or a synonym)."""
    owners = {s: t for t in table.values() for s in t.synonyms if t.id != term.id}
    taken = [
        (word, table[word] if word in table else owners[word])
        for word in term.synonyms
        if (word in table and word != term.id) or word in owners
    ]
    if not taken:
        return term, []
    left = tuple(s for s in term.synonyms if s not in {w for w, _ in taken})
    return replace(term, synonyms=left), taken


def _parent_unless_cycle(table: Mapping[str, Term], term: Term) -> str | None:
    """The term's parent, or None when following parents from it leads back to the term."""
    seen = {term.id}
    step = term.parent
    while step is not None and step in table:
        if step in seen:
            return None
        seen.add(step)
        step = table[step].parent
    return term.parent


def _meaning(term: Term, other: Term) -> str:
    """The term's label, with its region or posture where those are what differ."""
    text = f"'{term.label}'"
    details = [
        f"{key} {getattr(term, key) or '(none)'}"
        for key in ("region", "posture")
        if getattr(term, key) != getattr(other, key)
    ]
    return f"{text} ({', '.join(details)})" if details else text


def data_path() -> Path:
    return Path(__file__).resolve().parent / "vocabulary.json"


@cache
def builtin() -> Vocabulary:
    """The terms glutekit itself knows."""
    data = json.loads(data_path().read_text(encoding="utf-8"))
    return Vocabulary(
        terms={c: {t["id"]: term_from_data(t) for t in data.get(c, ())} for c in CATEGORIES}
    )
