"""Turn validated JSON into model objects (the checks beyond the schema: :mod:`.semantics`)."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from sys import intern
from typing import Any, TypeVar

from glutekit.caches.digest import sha256
from glutekit.catalog.packdefaults import FIELDS, filled
from glutekit.catalog.vocabulary import pack_terms
from glutekit.model import (
    BlockStep,
    BreathPace,
    Dose,
    DoseOverride,
    Exercise,
    ExerciseStep,
    Guidance,
    Image,
    MessageStep,
    Pack,
    PhaseWords,
    Progression,
    RestStep,
    Routine,
    Settings,
    Source,
    Step,
    Symptom,
    Tempo,
    Transition,
    Variation,
)
from glutekit.model.durations import parse_duration

# ----------------------------------------------------------------------------- packs


#: The tempo of reps that name none (shared: a large catalog has thousands).
_STEADY = Tempo(up=1.0, hold=1.0, down=1.0)


def _tempo(data: dict[str, Any] | None) -> Tempo | None:
    if not data:
        return None
    return Tempo(up=float(data["up"]), hold=float(data.get("hold", 0)), down=float(data["down"]))


def _breath(data: Any) -> BreathPace | None:
    """``{"in": 4, "out": 6}``, or the old form: one whole breath in seconds."""
    if data is None:
        return None
    if isinstance(data, dict):
        return BreathPace(inhale=float(data["in"]), exhale=float(data["out"]))
    return BreathPace.of_total(max(1, parse_duration(data)))


_Value = TypeVar("_Value", Dose, Transition, PhaseWords)
_SHARED: dict[object, object] = {}


def _shared(value: _Value) -> _Value:
    """One object for each distinct (frozen) dose, transition or set of phase words.

    A large catalog has few of each, used thousands of times: sharing them keeps it
    smaller in memory and quicker to load from its compiled cache.
    """
    if len(_SHARED) > 4096:
        _SHARED.clear()
    return _SHARED.setdefault(value, value)  # type: ignore[return-value]


_DOSES: dict[tuple[Any, ...], Dose] = {}


def _same_dose(data: dict[str, Any]) -> Dose:
    """The shared dose for ``data``, read once for each distinct dose a pack writes."""
    key = tuple(data.items())
    try:
        found = _DOSES.get(key)
    except TypeError:  # a tempo or breath pace given as an object: not a key
        return _shared(_dose(data))
    if found is None:
        if len(_DOSES) > 4096:
            _DOSES.clear()
        found = _DOSES[key] = _shared(_dose(data))
    return found


def _dose(data: dict[str, Any]) -> Dose:
    dose = _dose_amount(data)
    if "rest" in data:
        return Dose(**{**dose.__dict__, "rest": parse_duration(data["rest"])})
    return dose


def _dose_amount(data: dict[str, Any]) -> Dose:
    sets = int(data.get("sets", 1))
    load = data.get("load")
    if "hold" in data:
        hold = parse_duration(data["hold"])
        high = parse_duration(data["hold_max"]) if "hold_max" in data else None
        return Dose(kind="hold", seconds=hold, seconds_max=high, sets=sets, load=load)
    if "breaths" in data:
        return Dose(
            kind="breaths",
            breaths=int(data["breaths"]),
            breaths_max=data.get("breaths_max"),
            breath=_breath(data.get("breath")),
            sets=sets,
            load=load,
        )
    tempo = _tempo(data.get("tempo")) or _STEADY
    return Dose(
        kind="reps",
        reps=int(data["reps"]),
        reps_max=data.get("reps_max"),
        tempo=tempo,
        sets=sets,
        load=load,
    )


def _sources(items: list[dict[str, Any]]) -> tuple[Source, ...]:
    return tuple(
        Source(title=s.get("title"), file=s.get("file"), url=s.get("url"), note=s.get("note"))
        for s in items
    )


_WORD_LISTS: dict[tuple[Any, ...], Any] = {}


def _words(items: Any) -> tuple[str, ...]:
    # Vocabulary words, and lists of them (targets, tags), repeat across a whole catalog:
    # one object for each keeps a 100k catalog smaller in memory and quicker to load.
    if not items:
        return ()
    given = tuple(items)
    found: tuple[str, ...] | None = _WORD_LISTS.get(given)
    if found is None:
        found = _same_list(tuple(intern(word) for word in given))
        _WORD_LISTS[given] = found
    return found


def _same_list(items: tuple[Any, ...]) -> Any:
    if len(_WORD_LISTS) > 65536:
        _WORD_LISTS.clear()
    return _WORD_LISTS.setdefault(items, items)


def _images(data: dict[str, Any], folder: Path | None) -> tuple[Image, ...]:
    if folder is None or "images" not in data:
        return ()
    return tuple(
        Image(path=str(folder / i["path"]), alt=i.get("alt"), credit=i.get("credit"))
        for i in data.get("images", ())
    )


#: What an exercise that names no transition, or no phase words, shares with the others.
_NO_TRANSITION = Transition()
_NO_PHASE_WORDS = PhaseWords()


#: Each field's default (a shared transition and phase words), in the fields' order.
_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Exercise)}
_DEFAULTS.update(transition=_NO_TRANSITION, phase_words=_NO_PHASE_WORDS)
#: The keys of the fields every exercise has: one with no other keeps the defaults.
_PLAIN = {*FIELDS, "id", "name", "kind", "targets", "equipment", "level", "tags", "instructions"}


def _exercise(
    pack_id: str,
    data: dict[str, Any],
    plugin: str,
    *,
    defaults: dict[str, Any] | None = None,
    folder: Path | None = None,
    credit: str = "",
) -> Exercise:
    given, defaulted = filled(data, defaults)
    get = data.get
    needs: tuple[tuple[str, ...], ...] = (
        _same_list(tuple(_words((n,) if isinstance(n, str) else n["any_of"]) for n in kit))
        if (kit := get("equipment"))
        else ()
    )
    targets = data["targets"]
    # Made from its attribute dictionary at once: a large catalog's first start makes 100,000.
    state = _DEFAULTS | {
        "id": f"{pack_id}:{data['id']}",
        "pack": intern(pack_id),
        "name": data["name"],
        "kind": intern(data["kind"]),
        "primary": _words(targets["primary"]),
        "secondary": _words(targets.get("secondary")),
        "position": intern(given["position"]),
        "equipment": needs,
        "per_side": bool(given["per_side"]),
        "dose": _same_dose(given["dose"]),
        "level": intern(get("level", "beginner")),
        "tags": _words(get("tags")),
        "instructions": tuple(get("instructions", ())),
        "cues": tuple(given["cues"]),
        "defaulted": defaulted,
        "credit": credit,
        "plugin": intern(plugin),
    }
    if not data.keys() <= _PLAIN:
        state.update(_rarer_fields(pack_id, data, folder))
    exercise = object.__new__(Exercise)
    object.__setattr__(exercise, "__dict__", state)
    return exercise


def _rarer_fields(pack_id: str, data: dict[str, Any], folder: Path | None) -> dict[str, Any]:
    get = data.get
    cautions = get("cautions", ())
    transition = get("transition")
    phase_words = get("phase_words")
    return {
        "aliases": tuple(get("aliases", ())),
        "former_ids": tuple(f"{pack_id}:{old}" for old in former)
        if (former := get("former_ids"))
        else (),
        "summary": get("summary"),
        "why": get("why"),
        "mistakes": tuple(get("mistakes", ())),
        "cautions": tuple(_caution_text(c) for c in cautions) if cautions else (),
        "variations": tuple(
            Variation(name=v["name"], description=v["description"]) for v in variations
        )
        if (variations := get("variations"))
        else (),
        "sources": _sources(sources) if (sources := get("sources")) else (),
        "working_side": get("working_side"),
        "settle": _opt_duration(data, "settle"),
        "transition": _shared(
            Transition(seconds=_opt_duration(transition, "seconds"), say=transition.get("say"))
        )
        if transition
        else _NO_TRANSITION,
        "reminder": get("reminder"),
        "phase_words": _shared(PhaseWords(**phase_words)) if phase_words else _NO_PHASE_WORDS,
        "spoken_caution": next(
            (c["text"] for c in cautions if isinstance(c, dict) and c.get("spoken")), None
        )
        if cautions
        else None,
        "images": _images(data, folder),
        "figure": str(folder / data["figure"]) if folder is not None and "figure" in data else None,
        "loads": _words(get("loads")),
        "surfaces": _words(get("surfaces")),
        "progression": _progression(pack_id, progression)
        if (progression := get("progression"))
        else None,
    }


def _links(pack_id: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    ids = [value] if isinstance(value, str) else list(value)
    return tuple(f"{pack_id}:{i}" for i in ids)


def _progression(pack_id: str, data: dict[str, Any] | None) -> Progression | None:
    if not data:
        return None
    step = data.get("step", {})
    up_to = data.get("up_to", {})
    return Progression(
        easier=_links(pack_id, data.get("easier")),
        harder=_links(pack_id, data.get("harder")),
        hold_step=parse_duration(step["hold"]) if "hold" in step else 5,
        reps_step=int(step.get("reps", 2)),
        breaths_step=int(step.get("breaths", 1)),
        hold_up_to=_opt_duration(up_to, "hold"),
        reps_up_to=up_to.get("reps"),
        breaths_up_to=up_to.get("breaths"),
        sets_up_to=up_to.get("sets"),
    )


def _caution_text(caution: str | dict[str, Any]) -> str:
    return caution if isinstance(caution, str) else str(caution["text"])


def _qualified(pack_id: str, ids: Any) -> tuple[str, ...]:
    return tuple(i if ":" in i else f"{pack_id}:{i}" for i in ids)


def _guidance(data: dict[str, Any] | None, pack_id: str = "") -> Guidance:
    if not data:
        return Guidance()
    freq = data.get("frequency", {})
    return Guidance(
        symptoms=tuple(
            Symptom(
                id=s["id"],
                label=s["label"],
                targets=tuple(s["targets"]),
                description=s.get("description"),
                caution=s.get("caution"),
                screen=s.get("screen"),
                excludes=_words(s.get("excludes", ())),
                instead=_qualified(pack_id, s.get("instead", ())),
            )
            for s in data.get("symptoms", ())
        ),
        min_sessions_per_week=freq.get("min_sessions_per_week"),
        when_stiff_sessions_per_week=freq.get("when_stiff_sessions_per_week"),
        frequency_text=freq.get("text"),
        order=tuple(data.get("order", ())),
        notes=tuple(data.get("notes", ())),
    )


def pack_from_data(data: dict[str, Any], *, plugin: str = "", origin: str = "") -> Pack:
    """Build a :class:`Pack` from data that has passed schema validation."""
    authors = tuple(a if isinstance(a, str) else a["name"] for a in data.get("authors", ()))
    folder = Path(origin).resolve().parent if origin and Path(origin).is_file() else None
    credit = pack_credit(data, authors)
    defaults = data.get("defaults")
    terms = pack_terms(data, data["id"])
    return Pack(
        id=data["id"],
        name=data["name"],
        version=data["version"],
        license=data["license"],
        authors=authors,
        description=data.get("description", ""),
        homepage=data.get("homepage"),
        guidance=_guidance(data.get("guidance"), data["id"]),
        exercises=tuple(
            _exercise(data["id"], ex, plugin, defaults=defaults, folder=folder, credit=credit)
            for ex in data["exercises"]
        ),
        plugin=plugin,
        origin=origin,
        attribution=data.get("attribution"),
        vocabulary=tuple((c, t) for c, found in terms.items() for t in found),
    )


def pack_credit(data: dict[str, Any], authors: tuple[str, ...]) -> str:
    """One line for sheets and cards: the pack, its authors, its licence and attribution."""
    text = f"{data['name']} {data['version']}"
    if authors:
        text += f" by {', '.join(authors)}"
    text += f"; licence {data['license']}"
    if data.get("attribution"):
        text += f". {data['attribution']}"
    return text


# ----------------------------------------------------------------------------- routines


def _opt_duration(data: dict[str, Any], key: str) -> int | None:
    return parse_duration(data[key]) if key in data else None


def _step(data: dict[str, Any]) -> Step:
    if "exercise" in data:
        dose = data.get("dose")
        override = None
        if dose:
            override = DoseOverride(
                hold=_opt_duration(dose, "hold"),
                breaths=dose.get("breaths"),
                reps=dose.get("reps"),
                tempo=_tempo(dose.get("tempo")),
                breath=_breath(dose.get("breath")),
            )
        return ExerciseStep(
            exercise=data["exercise"],
            dose=override,
            sides=data.get("sides", "both"),
            sets=data.get("sets"),
            rest_after=_opt_duration(data, "rest_after"),
            set_rest=_opt_duration(data, "set_rest"),
            cues=tuple(data.get("cues", ())),
            note=data.get("note"),
            round_notes=tuple(
                sorted((int(k), str(v)) for k, v in data.get("round_notes", {}).items())
            ),
            quiet=bool(data.get("quiet", False)),
        )
    if "block" in data:
        return BlockStep(
            name=data["block"],
            steps=tuple(_step(s) for s in data["steps"]),
            repeat=int(data.get("repeat", 1)),
            rest_between=_opt_duration(data, "rest_between"),
        )
    if "rest" in data:
        return RestStep(seconds=parse_duration(data["rest"]), say=data.get("say"))
    return MessageStep(
        text=data["say"], pause=_opt_duration(data, "pause"), wait=bool(data.get("wait", False))
    )


def _settings(data: dict[str, Any] | None) -> Settings:
    if not data:
        return Settings()
    defaults = Settings()
    return Settings(
        prepare=parse_duration(data.get("prepare", defaults.prepare)),
        settle=parse_duration(data.get("settle", defaults.settle)),
        rest=parse_duration(data.get("rest", defaults.rest)),
        set_rest=parse_duration(data.get("set_rest", defaults.set_rest)),
        switch=parse_duration(data["switch"]) if "switch" in data else None,
        side_order=data.get("side_order", defaults.side_order),
        breath=_breath(data.get("breath")),
        countdown=bool(data.get("countdown", True)),
        halfway=bool(data.get("halfway", True)),
    )


def content_hash(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return sha256(canonical.encode("utf-8")).hexdigest()


def routine_from_data(data: dict[str, Any], *, origin: str = "", plugin: str = "") -> Routine:
    """Build a :class:`Routine` from data that has passed schema validation."""
    return Routine(
        id=data["id"],
        title=data["title"],
        description=data.get("description", ""),
        purpose=data.get("purpose", ""),
        tags=tuple(data.get("tags", ())),
        targets=tuple(data.get("targets", ())),
        settings=_settings(data.get("settings")),
        length=_opt_duration(data, "length"),
        safety=data.get("safety"),
        symptom=data.get("symptom"),
        screens=tuple(data.get("screens", ())),
        excludes=tuple(data.get("excludes", ())),
        steps=tuple(_step(s) for s in data["steps"]),
        origin=origin,
        plugin=plugin,
        content_hash=content_hash(data),
    )
