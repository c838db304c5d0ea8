"""The catalog: every pack and routine that the plugins (and the user) provide.

:class:`Catalog` is built here; the room's other parts, in the order a pack goes through:

- :mod:`.schema` (JSON Schema, with file, line and column), :mod:`.semantics` and
  :mod:`.packwords` (what a schema cannot say), :mod:`.svgrefs` (pictures), :mod:`.chains`
  (progression chains);
- :mod:`.loaders` and :mod:`.packdefaults`: validated JSON into :mod:`glutekit.model` values;
- :mod:`.vocabulary` (with ``vocabulary.json``) and :mod:`.postures`: the words exercises
  are described with, and the posture groups positions fall into;
- :mod:`.validcache`, :mod:`.packcache` and :mod:`.index`: what is checked or compiled once
  and kept on disk, in cache folders with a size cap.
- :mod:`.routinecache` and :mod:`.lengthcache`: the routines as built, and how long each
  plays, kept beside the compiled catalog.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import field, replace
from pathlib import Path
from typing import Any

from glutekit.catalog.collector import collector_paused, settle
from glutekit.catalog.packcache import CompiledPacks, Kept, PackCache
from glutekit.catalog.routinecache import RoutineCache, routines_key
from glutekit.catalog.schema import (
    Document,
    Problem,
    SchemaName,
    detect_kind,
    parse_document,
    read_document,
    schema_problems,
    whole_numbers,
)
from glutekit.catalog.validcache import ValidCache
from glutekit.catalog.vocabulary import Vocabulary, builtin
from glutekit.errors import InputError, UnknownId, ValidationFailed, suggest
from glutekit.host.offers import PACKS, ROUTINES
from glutekit.host.plugins import PluginHost, disable_hint
from glutekit.model import Exercise, Pack, Routine, Symptom
from glutekit.model.records import record
from glutekit.textcheck import safe

ENV_USER_ROUTINES = "GLUTEKIT_ROUTINES_DIR"


def user_routines_dir() -> Path:
    """Routines the user keeps: ``$GLUTEKIT_ROUTINES_DIR`` or ``<user data>/routines``."""
    from glutekit import paths

    return paths.user_routines_dir()


def document_from_source(source: Any, label: str, kept: Kept | None = None) -> Document:
    """A pack or routine source from a plugin: a path, or already-parsed data.

    A file whose bytes are in ``kept`` (read for the catalog's key) is parsed from them.
    """
    if isinstance(source, (str, Path)):
        if kept:
            found = kept.pop(str(source), None)
            if found is not None:
                raw, digest = found
                return parse_document(raw, safe(str(source)), digest)
        return read_document(Path(source))
    if isinstance(source, Mapping):
        return Document(name=label, data=whole_numbers(dict(source)))
    raise InputError(f"{label}: expected a path or a dict, got {type(source).__name__}")


def document_problems(doc: Document, kind: SchemaName) -> list[Problem]:
    problems = schema_problems(doc, kind)
    if not problems:
        # Here: a catalog whose files all passed before (the validation cache) needs none of it.
        from glutekit.catalog.semantics import semantic_problems

        problems = semantic_problems(doc, kind)
    return problems


@record
class Catalog:
    """Exercises by qualified id, packs by id, routines by id, and where each came from."""

    packs: dict[str, Pack] = field(default_factory=dict)
    #: A dict when built here; read from the compiled catalog as asked for when loaded
    #: from it (:class:`glutekit.catalog.index.Exercises`).
    exercises: Mapping[str, Exercise] = field(default_factory=dict)
    routines: dict[str, Routine] = field(default_factory=dict)
    routine_data: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Old qualified ids (an exercise's ``former_ids``) -> the current id.
    former_ids: Mapping[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    vocabulary: Vocabulary = field(default_factory=builtin)
    #: The content key of the packs the catalog was built from (see
    #: :mod:`.packcache`); None when it was put together another way.
    packs_key: str | None = None

    # ------------------------------------------------------------------ building

    @classmethod
    def build(cls, host: PluginHost | None, *, user_routines: bool = True) -> Catalog:
        catalog = cls()
        report = host.report if host is not None else catalog.problems.append
        known = ValidCache()
        routines: list[tuple[str, Any]] = []
        if host is not None:
            catalog._add_packs(PACKS.offered(host), report, known)
            routines += ROUTINES.offered(host)
        if user_routines:
            folder = user_routines_dir()
            if folder.is_dir():
                routines += [("user", path) for path in sorted(folder.glob("*.json"))]
        catalog._add_routines(routines, report, known)
        known.save()
        return catalog

    def _add_packs(self, sources: list[tuple[str, Any]], report: Any, known: ValidCache) -> None:
        """Every pack the plugins return, from the compiled cache when nothing changed."""
        cache = PackCache()
        kept: Kept = {}
        key = cache.key(sources, kept)
        self.packs_key = key
        with collector_paused():
            compiled = cache.load(key)
            if compiled is None:
                reports: list[str] = []
                later: dict[str, list[Exercise]] = {}
                for plugin, source in sources:
                    self._add_pack_source(plugin, source, reports.append, known, kept, later)
                for pack_id, more in later.items():  # at once: a tuple grown file by file was
                    pack = self.packs[pack_id]  # copied whole each time (0.1 s at 100k)
                    self.packs[pack_id] = replace(pack, exercises=pack.exercises + tuple(more))
                compiled = CompiledPacks(
                    packs=self.packs, exercises=self.exercises, reports=tuple(reports)
                )
                cache.save(key, compiled)
                settle(len(self.exercises))
            else:
                # Read from the compiled catalog as they are asked for (see .index).
                from glutekit.catalog.index import Exercises
                from glutekit.catalog.indexviews import FormerIds

                self.packs, self.exercises = dict(compiled.packs), compiled.exercises
                if isinstance(compiled.exercises, Exercises):
                    self.former_ids = FormerIds(compiled.exercises)
        for message in compiled.reports:
            report(message)
        for message in self.learn_vocabulary():
            report(message)

    def learn_vocabulary(self) -> list[str]:
        """Merge the terms every pack declares; returns the conflicts between packs."""
        from glutekit.catalog.postures import learn_postures

        declared = [
            (category, term) for pack in self.packs.values() for category, term in pack.vocabulary
        ]
        self.vocabulary, conflicts = builtin().with_terms(declared)
        learn_postures(self.vocabulary)
        return conflicts

    def _valid_document(
        self,
        plugin: str,
        source: Any,
        kind: SchemaName,
        report: Any,
        known: ValidCache,
        kept: Kept | None = None,
    ) -> Document | None:
        """Parse and validate a plugin's pack or routine; report and return None if bad."""
        noun = "pack" if kind == "pack" else "routine"
        try:
            doc = document_from_source(source, f"plugin '{plugin}' {noun}", kept)
        except InputError as exc:
            if plugin == "user":
                report(f"{exc}; skipped (a file in your routines folder)")
            else:
                report(f"{exc} (from plugin '{plugin}'; {disable_hint(plugin)})")
            return None
        key = known.key(doc, kind)
        if known.known_valid(key):
            return doc
        problems = document_problems(doc, kind)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            report(
                f"plugin '{plugin}' returned an invalid {noun}: {problems[0]}{more}; "
                f"{noun} skipped ({disable_hint(plugin)})"
            )
            return None
        known.remember(key)
        return doc

    def _add_pack_source(
        self, plugin: str, source: Any, report: Any, known: ValidCache, kept: Kept, later: Any
    ) -> None:
        doc = self._valid_document(plugin, source, "pack", report, known, kept)
        if doc is not None:
            # Imported here, as in the other builders: a warm start takes its packs and
            # routines from the caches, and never needs the loaders.
            from glutekit.catalog.loaders import pack_from_data

            self.add_pack(pack_from_data(doc.data, plugin=plugin, origin=doc.name), report, later)

    def add_pack(self, pack: Pack, report: Any = None, later: Any = None) -> None:
        """Add a pack; a pack id or exercise ids another plugin has already are refused.

        A plugin may split one pack over several files (same id, same plugin): those
        merge, or wait in ``later`` (pack id -> exercises) to be added at once. The same
        id from another plugin is refused whole, with one line naming both plugins;
        exercise ids already taken are refused with one line per pack.
        """
        report = report or self.problems.append
        exercises, former_ids = self._in_memory()
        earlier = self.packs.get(pack.id)
        if earlier is not None and earlier.plugin != pack.plugin:
            report(
                f"pack id '{pack.id}' of plugin '{pack.plugin}' is already used by plugin "
                f"'{earlier.plugin}'; the pack of '{pack.plugin}' ({len(pack.exercises)} "
                f"exercises) is refused ({disable_hint(pack.plugin)})"
            )
            return
        clashes: list[Exercise] = []
        kept: list[Exercise] = []
        for exercise in pack.exercises:
            taken = exercises.get(exercise.id)
            if taken is not None:
                clashes.append(taken)
                continue
            exercises[exercise.id] = exercise
            kept.append(exercise)
            for old in exercise.former_ids:
                former_ids.setdefault(old, exercise.id)
        if clashes:
            owners = ", ".join(sorted({f"'{t.plugin}'" for t in clashes}))
            shown = ", ".join(t.id for t in clashes[:3]) + (", …" if len(clashes) > 3 else "")
            report(
                f"duplicate exercise id{'s' if len(clashes) > 1 else ''} in pack '{pack.id}' "
                f"of plugin '{pack.plugin}': {len(clashes)} already defined by plugin "
                f"{owners} ({shown}); keeping the earlier ones ({disable_hint(pack.plugin)})"
            )
        if earlier is None:
            self.packs[pack.id] = pack
        elif later is not None:
            later.setdefault(pack.id, []).extend(kept)
        else:
            self.packs[pack.id] = replace(earlier, exercises=earlier.exercises + tuple(kept))

    def _in_memory(self) -> tuple[dict[str, Exercise], dict[str, str]]:
        """The exercises and old ids as dicts to add to.

        A catalog read from its compiled file and given one more pack (check-pack,
        publish) is read whole here, and from then on kept in memory.
        """
        if not isinstance(self.exercises, dict):
            self.exercises = dict(self.exercises.items())
        if not isinstance(self.former_ids, dict):
            self.former_ids = dict(self.former_ids.items())
        return self.exercises, self.former_ids

    def _add_routines(self, sources: list[tuple[str, Any]], report: Any, known: ValidCache) -> None:
        """Every routine of ``sources`` (plugin, source), as built before when nothing changed."""
        if self.packs_key is None:  # nothing to key the checks against the packs by
            for plugin, source in sources:
                self._add_routine_source(plugin, source, report, known)
            return
        cache = RoutineCache()
        key = routines_key(self.packs_key, sources)
        built = cache.load(key)
        if built is None:
            reports: list[str] = []

            def noted(message: str) -> None:
                reports.append(message)
                report(message)

            for plugin, source in sources:
                self._add_routine_source(plugin, source, noted, known)
            cache.save(key, (self.routines, self.routine_data, tuple(reports)))
            return
        self.routines, self.routine_data, reports_made = built
        for message in reports_made:
            report(message)

    def _add_routine_source(self, plugin: str, source: Any, report: Any, known: ValidCache) -> None:
        doc = self._valid_document(plugin, source, "routine", report, known)
        if doc is None:
            return
        unknown = self.unknown_exercise_problems(doc)
        if unknown:
            report(
                f"routine from plugin '{plugin}' names an exercise no loaded pack has: "
                f"{unknown[0]}; routine skipped"
            )
            return
        from glutekit.catalog.symptoms import excluded_problems

        excluded = excluded_problems(doc, self)
        if excluded:
            where = "a file in your routines folder" if plugin == "user" else f"plugin '{plugin}'"
            report(f"{excluded[0]}; routine skipped ({where})")
            return
        routine = self.routine_of(doc.data, origin=doc.name, plugin=plugin)
        if routine.id in self.routines:
            first = self.routines[routine.id]
            report(
                f"duplicate routine id '{routine.id}': from '{plugin}' ({doc.name}) and "
                f"'{first.plugin}' ({first.origin}); keeping the first"
            )
            return
        self.routines[routine.id] = routine
        self.routine_data[routine.id] = doc.data

    # ------------------------------------------------------------------ lookups

    def resolve_id(self, exercise_id: str) -> str:
        """The current id for ``exercise_id``: itself, or the exercise that replaced it."""
        if exercise_id in self.exercises:
            return exercise_id
        return self.former_ids.get(exercise_id, exercise_id)

    def exercise(self, exercise_id: str) -> Exercise:
        """An exercise by qualified id; an id from its ``former_ids`` finds it too."""
        found = self.exercises.get(self.resolve_id(exercise_id))
        if found is None:
            raise UnknownId(
                f"unknown exercise '{exercise_id}'{suggest(exercise_id, self.exercises)}"
            )
        return found

    def working(
        self,
        muscles: frozenset[str],
        *,
        mainly: bool = True,
        where: Mapping[str, Callable[[Any], bool]] | None = None,
    ) -> list[Exercise]:
        """The exercises that work any of ``muscles`` (mainly, or at all), in catalog order.

        A compiled catalog answers from its index, without reading the other exercises.
        ``where`` leaves out those whose value of a field of :data:`.indexrows.NUMBERED`
        fails its test (``{"kind": {"stretch"}.__contains__}``): a compiled catalog
        tests each distinct value once, and makes only the exercises that pass.
        """
        from glutekit.catalog.indexrows import NUMBERED, passes, works

        for name in where or ():
            if name not in NUMBERED:
                raise ValueError(f"working(): cannot test the field {name!r}")
        index = getattr(self.exercises, "working", None)
        if index is not None:
            return list(index(muscles, mainly=mainly, where=where))
        return [
            ex
            for ex in self.exercises.values()
            if works(ex, muscles, mainly=mainly) and passes(ex, where)
        ]

    def works_any(self, muscles: frozenset[str], *, mainly: bool = True) -> bool:
        """Does any exercise work one of ``muscles`` (mainly, or at all)?"""
        from glutekit.catalog.indexrows import works

        index = getattr(self.exercises, "any_working", None)
        if index is not None:
            return bool(index(muscles, mainly=mainly))
        return any(works(ex, muscles, mainly=mainly) for ex in self.exercises.values())

    def symptoms(self) -> dict[str, Symptom]:
        out: dict[str, Symptom] = {}
        for pack in self.packs.values():
            for symptom in pack.guidance.symptoms:
                out.setdefault(symptom.id, symptom)
        return out

    def routine_problems(self, doc: Document) -> list[Problem]:
        """What a valid routine document breaks against the catalog: exercises no pack
        has, else exercises that load what its symptom or its own ``excludes`` rules out."""
        from glutekit.catalog.symptoms import excluded_problems

        return self.unknown_exercise_problems(doc) or excluded_problems(doc, self)

    def unknown_exercise_problems(self, doc: Document) -> list[Problem]:
        """A problem for each step that names an exercise no pack provides."""
        from glutekit.catalog.steps import exercise_steps

        steps = doc.data.get("steps") if isinstance(doc.data, dict) else None
        return [
            doc.problem(
                f"{pointer}/exercise", f"unknown exercise '{ref}'{suggest(ref, self.exercises)}"
            )
            for pointer, ref in exercise_steps(steps)
            if self.resolve_id(ref) not in self.exercises
        ]

    def check_file(
        self, path: Path, *, resolve: bool = True
    ) -> tuple[SchemaName | None, Document | None, list[str]]:
        """Validate one file as a routine or a pack; returns its kind and problems.

        With ``resolve``, a routine's exercise ids must be in the catalog too.
        """
        try:
            doc = read_document(path)
        except InputError as exc:
            return None, None, [str(exc)]
        kind = detect_kind(doc.data)
        if kind is None:
            shapes = 'a routine (has "steps"), an exercise pack (has "exercises") nor a program'
            message = f'{doc.name}:1:1: /: neither {shapes} (has "weeks" and "sessions")'
            return None, doc, [message]
        problems = document_problems(doc, kind)
        if kind == "routine" and resolve and not problems:
            problems = self.routine_problems(doc)
        if kind == "pack" and not problems:
            # Installed, such a pack loads with a warning and the loop's last link left
            # out (see Vocabulary.with_terms); a file being checked is told to fix it.
            from glutekit.catalog.packwords import parent_problems

            problems = parent_problems(doc)
        return kind, doc, [str(p) for p in problems]

    def load_routine_file(self, path: Path) -> Routine:
        """Load, validate and resolve a routine file; raises with every problem found."""
        kind, doc, problems = self.check_file(path)
        if problems:
            raise ValidationFailed(problems)
        assert doc is not None
        if kind != "routine":
            raise InputError(f"{path}: is an exercise pack, not a routine")
        return self.routine_of(doc.data, origin=str(path))

    def load_routine_data(self, data: dict[str, Any], name: str) -> Routine:
        """Validate and resolve routine data made in memory (for example by a strategy)."""
        doc = Document(name=name, data=whole_numbers(data))
        problems = document_problems(doc, "routine") or self.routine_problems(doc)
        if problems:
            raise ValidationFailed([str(p) for p in problems])
        return self.routine_of(doc.data, origin=name)

    def routine_of(self, data: dict[str, Any], *, origin: str, plugin: str = "") -> Routine:
        """The routine of valid, resolved ``data``, with the screens of the symptoms it
        names added where it leaves them out (see :mod:`.symptoms`)."""
        from glutekit.catalog.loaders import routine_from_data
        from glutekit.catalog.symptoms import with_symptom_screens

        return routine_from_data(with_symptom_screens(data, self), origin=origin, plugin=plugin)

    def find_routine(self, ref: str) -> Routine:
        """A routine by id, or by path to a JSON file."""
        if ref in self.routines:
            return self.routines[ref]
        path = Path(ref)
        if path.suffix == ".json" or os.sep in ref or path.exists():
            return self.load_routine_file(path)
        raise UnknownId(
            f"unknown routine '{ref}'{suggest(ref, self.routines)} "
            f"(see 'glutekit routines', or give a path to a .json file)"
        )
