"""The checks a pack publisher runs before releasing (``glutekit check-pack``).

The checks reuse the validation the host itself applies (schema, semantic checks,
exercise resolution, timeline compilation, exporters and outputs from hooks), so
a pack that passes here loads the same way for users. Every finding is one line.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import field
from pathlib import Path
from typing import Any, Literal

from glutekit.catalog import Catalog, document_problems
from glutekit.catalog.loaders import pack_from_data
from glutekit.catalog.packwords import parent_problems
from glutekit.catalog.schema import Document
from glutekit.host.offers import EXPORTERS, OUTPUTS
from glutekit.host.plugins import ENV_ALLOW, ENV_BLOCK, PluginHost, _env_list, make_plugin_host
from glutekit.model import Exercise, Pack, Routine, Timeline
from glutekit.model.records import record
from glutekit.publish.subject import Subject, load_subject
from glutekit.publish.weight import check_weight

Severity = Literal["error", "warning", "info"]


@record(frozen=True, kw_only=True)
class Finding:
    """One line of a conformance report."""

    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


@record
class Report:
    """Everything ``check-pack`` found about one target."""

    target: str
    findings: list[Finding] = field(default_factory=list)
    packs: list[Pack] = field(default_factory=list)
    routines: list[Routine] = field(default_factory=list)

    def add(self, severity: Severity, message: str) -> None:
        self.findings.append(Finding(severity=severity, message=message))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        """The report as ``check-pack --json`` prints it."""
        return {
            "target": self.target,
            "ok": self.ok,
            "packs": [p.id for p in self.packs],
            "exercises": sum(len(p.exercises) for p in self.packs),
            "routines": [r.id for r in self.routines],
            "findings": [{"severity": f.severity, "message": f.message} for f in self.findings],
        }

    def summary(self) -> str:
        exercises = sum(len(p.exercises) for p in self.packs)
        state = "ok" if self.ok else "FAILED"
        return (
            f"{self.target}: {state} ({len(self.packs)} pack(s), {exercises} exercise(s), "
            f"{len(self.routines)} routine(s); {len(self.errors)} error(s), "
            f"{len(self.warnings)} warning(s))"
        )


@record(frozen=True, kw_only=True)
class Options:
    """Which of the slower checks to run."""

    export: bool = True
    voice: bool = True
    #: Told, before the slow part starts, what it is and how to skip it.
    say: Callable[[str], None] | None = None


def check(target: str, *, options: Options | None = None) -> Report:
    """Run every check on a pack file, a package folder or an importable module name.

    :raises glutekit.errors.InputError: when the target cannot be found at all.
    """
    options = options or Options()
    report = Report(target=target)
    subject = load_subject(target, report.add)
    installed = _installed_host(subject, report)
    catalog = Catalog.build(installed, user_routines=False)
    for pack in _check_packs(subject, report):
        _check_clash(pack, subject, catalog, report)
    found = _speech_measurer(installed) if options.voice else None
    if found and subject.routines and options.say:
        options.say(
            f"rendering the spoken cues of {len(subject.routines)} routine(s) "
            f"with {found[0]} to check them (can take a minute the first time; "
            "--no-voice skips it)"
        )
    timelines = _check_routines(subject, catalog, report, found[1] if found else None)
    if timelines and options.export:
        _check_exports(installed, catalog, timelines, report)
    if timelines and options.voice:
        _check_voice(installed, timelines, report)
    _check_reserved_words(installed, subject, timelines, report)
    if not subject.packs and not subject.routines and report.ok:
        report.add("error", f"{subject.label}: provides no exercise pack and no routine")
    return report


# ----------------------------------------------------------------------------- the host


def _installed_host(subject: Subject, report: Report) -> PluginHost:
    """The installed plugins, minus the one being checked (so it cannot clash with itself)."""
    block = set(_env_list(os.environ.get(ENV_BLOCK)) or [])
    block |= subject.installed_names()
    only = _env_list(os.environ.get(ENV_ALLOW))

    def note(message: str) -> None:
        # Another plugin's trouble is not the publisher's fault, but worth knowing.
        report.add("info", f"installed plugins: {message}")

    return make_plugin_host(only=only, block=block, strict=False, trace=False, warn=note)


# ----------------------------------------------------------------------------- packs


def _check_packs(subject: Subject, report: Report) -> Iterable[Pack]:
    seen: dict[str, str] = {}
    for doc in subject.packs:
        problems = document_problems(doc, "pack")
        for problem in problems:
            report.add("error", str(problem))
        if problems:
            continue
        pack = pack_from_data(doc.data, plugin=subject.plugin or "", origin=doc.name)
        if pack.id in seen:
            report.add("error", f"{doc.name}: pack id '{pack.id}' is also used by {seen[pack.id]}")
            continue
        seen[pack.id] = doc.name
        for problem in parent_problems(doc):
            report.add("error", str(problem))
        _check_content(pack, doc, report)
        check_weight(doc, lambda m: report.add("warning", m), lambda m: report.add("info", m))
        report.packs.append(pack)
        yield pack


def _check_content(pack: Pack, doc: Document, report: Report) -> None:
    if not pack.license.strip():
        report.add("error", f"{doc.name}: pack '{pack.id}' has no licence (field 'license')")
    if not pack.authors:
        report.add("warning", f"{doc.name}: pack '{pack.id}' names no authors (field 'authors')")
    defaulted: Counter[str] = Counter()
    for index, ex in enumerate(pack.exercises):
        where = f"{doc.name}: /exercises/{index} ('{ex.id}')"
        for field_name, texts in (("instructions", ex.instructions), ("cues", ex.cues)):
            if field_name in ex.defaulted:
                continue  # noted below: the author chose to leave it out
            if not texts or not all(t.strip() for t in texts):
                report.add("error", f"{where}: '{field_name}' is missing or has a blank entry")
        defaulted.update(_defaults_used(ex, doc.data, index))
        if ex.dose.describe() in ("", "0 s", "0 breaths", "0 reps"):
            report.add("error", f"{where}: the dose is zero")
        if not ex.sources:
            report.add("error", f"{where}: no 'sources'; say where the exercise and dose come from")
        if ex.per_side:
            _check_sides(doc, index, ex.instructions, ex.cues, report)
        else:
            _check_placeholders_alone(doc, index, ex, report)
    if defaulted:
        users = sum(1 for ex in pack.exercises if ex.defaulted)
        parts = [f"{text} for {count}" for text, count in sorted(defaulted.items())]
        report.add(
            "info",
            f"{doc.name}: {users} of {len(pack.exercises)} exercise(s) leave fields out, "
            f"so defaults are used: {'; '.join(parts)}",
        )


def _check_sides(
    doc: Document, index: int, instructions: tuple[str, ...], cues: tuple[str, ...], report: Report
) -> None:
    """Per-side texts that write out "left" or "right" read wrong on the other side."""
    from glutekit.model.sides import hard_coded_sides

    for field_name, texts in (("instructions", instructions), ("cues", cues)):
        for i, text in enumerate(texts):
            words = hard_coded_sides(text)
            if words:
                problem = doc.problem(
                    f"/exercises/{index}/{field_name}/{i}",
                    f"says '{words[0]}' in a per-side exercise; write {{side}} or {{other}} "
                    "so it reads right on both sides",
                )
                report.add("warning", str(problem))


def _check_placeholders_alone(doc: Document, index: int, ex: Exercise, report: Report) -> None:
    """Side placeholders in an exercise done once: they read "working" and "other",
    which is seldom what the author meant (a forgotten ``"per_side": true``)."""
    from glutekit.model.sides import uses_placeholders

    texts = [(f"instructions/{i}", t) for i, t in enumerate(ex.instructions)]
    texts += [(f"cues/{i}", t) for i, t in enumerate(ex.cues)]
    texts += [(name, getattr(ex, name)) for name in ("working_side", "reminder")]
    for where, text in texts:
        if text and uses_placeholders(text):
            problem = doc.problem(
                f"/exercises/{index}/{where}",
                'has side placeholders, but the exercise is done once (no "per_side": true), '
                'so they read "working" and "other"',
            )
            report.add("warning", str(problem))
            return


def _defaults_used(ex: Exercise, pack_data: dict[str, Any], index: int) -> list[str]:
    """Each default the exercise takes, as ``'dose' from <where> (<value>)``."""
    from glutekit.catalog.packdefaults import describe_default

    data = pack_data["exercises"][index]
    values = {
        "position": ex.position,
        "per_side": "per side" if ex.per_side else "not per side",
        "dose": ex.dose.describe(),
        "cues": f"{len(ex.cues)} cue(s)" if ex.cues else "no cues",
    }
    return [
        f"'{name}' from {describe_default(name, data, pack_data)} ({values[name]})"
        for name in ex.defaulted
    ]


def _check_clash(pack: Pack, subject: Subject, catalog: Catalog, report: Report) -> None:
    taken = catalog.packs.get(pack.id)
    if taken is not None and not subject.same_origin(taken.origin):
        report.add(
            "error",
            f"pack id '{pack.id}' clashes with the installed plugin '{taken.plugin}' "
            f"({len(taken.exercises)} exercises); choose another pack id",
        )
        return
    catalog.add_pack(pack)


# ----------------------------------------------------------------------------- routines


def _check_routines(
    subject: Subject,
    catalog: Catalog,
    report: Report,
    measure: Callable[[list[str]], Any] | None = None,
) -> list[tuple[Routine, Timeline]]:
    from glutekit import timeline as timelines

    compiled: list[tuple[Routine, Timeline]] = []
    for doc in subject.routines:
        problems = document_problems(doc, "routine") or catalog.unknown_exercise_problems(doc)
        for problem in problems:
            report.add("error", str(problem))
        if problems:
            continue
        routine = catalog.routine_of(doc.data, origin=doc.name, plugin=subject.plugin or "")
        try:
            timeline = timelines.compile(routine, catalog)
        except Exception as exc:
            report.add("error", f"{doc.name}: routine '{routine.id}' does not compile: {exc}")
            continue
        if timeline.duration <= 0:
            report.add("error", f"{doc.name}: routine '{routine.id}' compiles to an empty session")
            continue
        report.routines.append(routine)
        compiled.append((routine, timeline))
        _check_coaching(doc, routine, catalog, report, measure)
    return compiled


def _check_coaching(
    doc: Document,
    routine: Routine,
    catalog: Catalog,
    report: Report,
    measure: Callable[[list[str]], Any] | None,
) -> None:
    """The rules of ``validate --coaching``: on the voiced timeline when a voice measures
    the speech, else with speech lengths estimated from the words."""
    from glutekit.timeline import coaching
    from glutekit.timeline.played import voiced_timeline

    try:
        timeline, lengths = voiced_timeline(
            routine, catalog, (lambda texts: measure(list(texts))) if measure else None
        )
    except Exception:  # the voice check below reports a voice that fails
        timeline, lengths = voiced_timeline(routine, catalog, None)
    for violation in coaching.check(routine, catalog, timeline, lengths):
        # What the routine warns against, it must not do: those rules fail the pack.
        severity: Severity = "error" if violation.rule in coaching.SAFETY_RULES else "warning"
        report.add(severity, f"{doc.problem(violation.pointer, violation.message)} (coaching)")


def _check_exports(
    host: PluginHost,
    catalog: Catalog,
    timelines: list[tuple[Routine, Timeline]],
    report: Report,
) -> None:
    from glutekit.interfaces import ExportRequest

    offered = EXPORTERS.offered(host).get("pdf")
    if offered is None:
        report.add("warning", "no 'pdf' exporter is installed, so the cards were not checked")
        return
    exporter = offered[1]
    with tempfile.TemporaryDirectory(prefix="glutekit-check-") as tmp:
        for routine, timeline in timelines:
            path = Path(tmp) / f"{routine.id}.pdf"
            request = ExportRequest(
                routine=routine, timeline=timeline, catalog=catalog, path=path, format="pdf"
            )
            from glutekit import messages

            try:
                with messages.capture() as warned:
                    exporter.write(request)
            except Exception as exc:
                report.add("error", f"routine '{routine.id}': PDF export failed: {exc}")
                continue
            for message in warned:  # such as text the printing font cannot draw
                report.add("warning", f"routine '{routine.id}': PDF: {message}")
            if not path.is_file() or not path.read_bytes().startswith(b"%PDF"):
                report.add("error", f"routine '{routine.id}': PDF export wrote no PDF")


def _check_reserved_words(
    host: PluginHost,
    subject: Subject,
    timelines: list[tuple[Routine, Timeline]],
    report: Report,
) -> None:
    """Warn about texts that say an input's wake word: a listening session could obey them."""
    import re

    from glutekit.session import input_specs

    reserved = {
        word.lower(): f"input '{name}' (plugin {plugin})"
        for name, (plugin, spec) in input_specs(host).items()
        for word in spec.reserved_words
    }
    if not reserved:
        return

    def flag(where: str, text: str) -> None:
        for word in sorted(set(re.findall(r"[a-z']+", text.lower())) & reserved.keys()):
            report.add(
                "warning",
                f"{where}: '{text}' says '{word}', the wake word of {reserved[word]}; "
                "a session taking voice commands could obey the coach: reword it",
            )

    for pack in report.packs:
        for index, ex in enumerate(pack.exercises):
            for field_name, texts in (("instructions", ex.instructions), ("cues", ex.cues)):
                for number, text in enumerate(texts):
                    flag(f"{pack.origin}: /exercises/{index}/{field_name}/{number}", text)
    for routine, timeline in timelines:
        said = {cue.text for cue in timeline.cues}
        for text in sorted(said):
            flag(f"routine '{routine.id}'", text)


def _speech_measurer(host: PluginHost) -> tuple[str, Callable[[list[str]], Any]] | None:
    """Something that renders cues and reports their spoken length, found through hooks.

    A speaking exporter (the WAV export) needs no audio device, so it is tried first;
    a speaking live output is the fallback.
    """
    from glutekit.interfaces import ExportOptions, OutputOptions

    for plugin, exporter in EXPORTERS.offered(host).values():
        measure = exporter.speech_lengths
        if measure is not None:
            return f"exporter '{exporter.format}' of plugin '{plugin}'", lambda texts, m=measure: m(
                texts, ExportOptions()
            )
    for plugin, spec in OUTPUTS.offered(host).values():
        if spec.speaks:

            def measure_live(texts: list[str], spec: Any = spec) -> Any:
                output = spec.create(OutputOptions())
                try:
                    return output.speech_lengths(texts)
                finally:
                    output.close(None)

            return f"output '{spec.name}' of plugin '{plugin}'", measure_live
    return None


def _check_voice(
    host: PluginHost, timelines: list[tuple[Routine, Timeline]], report: Report
) -> None:
    found = _speech_measurer(host)
    if found is None:
        report.add("info", "no speaking plugin is installed; voice cues not checked")
        return
    name, measure = found
    texts = sorted({cue.text for _, timeline in timelines for cue in timeline.cues})
    try:
        lengths = dict(measure(texts))
    except Exception as exc:
        report.add("info", f"no speech engine ({exc}); voice cues not checked")
        return
    if not lengths:
        report.add("info", f"{name} has no speech engine; voice cues not checked")
        return
    silent = [t for t in texts if lengths.get(t, 0.0) <= 0.0]
    for text in silent[:5]:
        report.add("error", f"voice cue did not render with {name}: {text!r}")
    if len(silent) > 5:
        report.add("error", f"... and {len(silent) - 5} more voice cues did not render")
    if not silent:
        report.add("info", f"{len(texts)} voice cues rendered with {name}")
