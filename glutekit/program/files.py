"""Program files: found through plugins, in the user's folder, or by path; validated.

A program is checked like a routine: the schema first, then what a schema cannot say
(every routine it names is installed, its symptom is known, a compose request is one
``glutekit compose`` would take). Each problem is one line naming file and field.
"""

from __future__ import annotations

import os
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glutekit.catalog.schema import Document, Problem, read_document, schema_problems
from glutekit.errors import InputError, UnknownId, ValidationFailed
from glutekit.model.records import record
from glutekit.program.model import Program, program_from_data

if TYPE_CHECKING:
    from glutekit.catalog import Catalog
    from glutekit.host.plugins import PluginHost


def user_programs_dir() -> Path:
    """Programs you keep (imported or written): ``<data>/programs``."""
    from glutekit import paths

    return paths.user_programs_dir()


def reference_problems(doc: Document, catalog: Catalog) -> list[Problem]:
    """Routines, symptoms and compose words of a program that this install lacks."""
    from glutekit.errors import suggest

    data = doc.data
    found: list[Problem] = []
    symptoms = catalog.symptoms()
    symptom = data.get("symptom")
    if symptom is not None and symptom not in symptoms:
        found.append(
            doc.problem("/symptom", f"unknown symptom '{symptom}'{suggest(symptom, symptoms)}")
        )
    ruled_out = set(data.get("excludes", ()))
    if symptom in symptoms:
        ruled_out |= set(symptoms[symptom].excludes)
    for i, session in enumerate(data.get("sessions", [])):
        ref = session.get("routine")
        if ref is not None and ref not in catalog.routines:
            found.append(
                doc.problem(
                    f"/sessions/{i}/routine",
                    f"unknown routine '{ref}'{suggest(ref, catalog.routines)}",
                )
            )
        elif ref is not None:
            clash = _ruled_out_step(catalog.routine_data[ref], catalog, ruled_out)
            if clash is not None:
                found.append(
                    doc.problem(
                        f"/sessions/{i}/routine",
                        f"routine '{ref}' has {clash}, which this program rules out "
                        "(its symptom or excludes); choose a routine without it",
                    )
                )
        request = session.get("compose")
        if request is not None:
            try:
                compose_request(catalog, request)
            except InputError as exc:
                found.append(doc.problem(f"/sessions/{i}/compose", str(exc)))
    return found


def _ruled_out_step(routine: dict[str, Any], catalog: Catalog, ruled_out: set[str]) -> str | None:
    """The first exercise of ``routine`` with a load in ``ruled_out``, as words, or None."""
    from glutekit.program.share import exercises_of

    for ref in exercises_of(routine):
        ex = catalog.exercises.get(catalog.resolve_id(ref))
        if ex is None:
            continue  # named as unknown by the routine's own checks
        loads = sorted(set(ex.loads) & ruled_out)
        if loads:
            return f"{ex.name} ({', '.join(loads).replace('_', ' ')})"
    return None


def compose_request(catalog: Catalog, request: dict[str, Any]) -> Any:
    from glutekit.compose import build_request

    return build_request(
        catalog,
        targets=request.get("targets", ()),
        symptom=request.get("symptom"),
        minutes=request.get("minutes", 10.0),
        equipment=request.get("equipment", ()),
        place=request.get("place"),
        avoid=request.get("avoid", ()),
        level=request.get("level"),
        seed=request.get("seed", 0),
        kinds=request.get("kinds", ()),
    )


#: Rules that must not pass each other, lower first, and what it means when they do.
_RULE_ORDER = (
    ("hold_pain_rise", "regress_pain_rise", "a rise that holds the dose would step it down first"),
    ("regress_pain_rise", "stop_pain_rise", "the program would stop before it stepped down"),
)


def rule_problems(doc: Document) -> list[Problem]:
    """Rules that contradict each other (each given, or its default)."""
    from glutekit.program.model import Rules

    given = doc.data.get("rules") or {}
    rules = {**Rules().as_dict(), **given}
    found: list[Problem] = []
    for low, high, meaning in _RULE_ORDER:
        if rules[low] > rules[high]:
            key = high if high in given else low
            found.append(
                doc.problem(
                    f"/rules/{key}",
                    f"{low} ({rules[low]}) is above {high} ({rules[high]}): {meaning}",
                )
            )
    if rules["easy_effort"] >= rules["regress_effort"]:
        key = "regress_effort" if "regress_effort" in given else "easy_effort"
        found.append(
            doc.problem(
                f"/rules/{key}",
                f"easy_effort ({rules['easy_effort']}) is not below regress_effort "
                f"({rules['regress_effort']}): an easy session would step the dose down",
            )
        )
    return found


def program_problems(doc: Document, catalog: Catalog | None) -> list[Problem]:
    problems = schema_problems(doc, "program") or rule_problems(doc)
    if not problems and catalog is not None:
        problems = reference_problems(doc, catalog)
    return problems


@record
class Programs:
    """Every program this install knows, by id, with its data and where it came from."""

    programs: dict[str, Program] = field(default_factory=dict)
    data: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, doc: Document, plugin: str, catalog: Catalog, report: Any) -> None:
        problems = program_problems(doc, catalog)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            report(f"invalid program {problems[0]}{more}; program skipped")
            return
        program = program_from_data(doc.data, origin=doc.name, plugin=plugin)
        first = self.programs.get(program.id)
        if first is not None:
            report(
                f"duplicate program id '{program.id}': from '{plugin}' ({doc.name}) and "
                f"'{first.plugin}' ({first.origin}); keeping the first"
            )
            return
        self.programs[program.id] = program
        self.data[program.id] = doc.data


def load_programs(host: PluginHost | None, catalog: Catalog, report: Any) -> Programs:
    """Programs from every plugin (hook ``glutekit_programs``), then the user's folder."""
    from glutekit.catalog import document_from_source
    from glutekit.host.offers import PROGRAMS
    from glutekit.host.plugins import disable_hint

    found = Programs()
    if host is not None:
        for plugin, source in PROGRAMS.offered(host):
            try:
                doc = document_from_source(source, f"plugin '{plugin}' program")
            except InputError as exc:
                report(f"{exc} (from plugin '{plugin}'; {disable_hint(plugin)})")
                continue
            found.add(doc, plugin, catalog, report)
    folder = user_programs_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            try:
                doc = read_document(path)
            except InputError as exc:
                report(f"{exc}; skipped (a file in your programs folder)")
                continue
            found.add(doc, "user", catalog, report)
    return found


def load_program_file(path: Path, catalog: Catalog) -> tuple[Program, dict[str, Any]]:
    doc = read_document(path)
    problems = program_problems(doc, catalog)
    if problems:
        raise ValidationFailed([str(p) for p in problems])
    return program_from_data(doc.data, origin=str(path)), doc.data


def find_program(ref: str, known: Programs, catalog: Catalog) -> tuple[Program, dict[str, Any]]:
    """A program by id, or by path to a JSON file."""
    from glutekit.errors import suggest

    if ref in known.programs:
        return known.programs[ref], known.data[ref]
    path = Path(ref)
    if path.suffix == ".json" or os.sep in ref or path.exists():
        return load_program_file(path, catalog)
    raise UnknownId(
        f"unknown program '{ref}'{suggest(ref, known.programs)} "
        "(see 'glutekit program list', or give a path to a .json file)"
    )
