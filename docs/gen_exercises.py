#!/usr/bin/env python3
"""Write docs/exercises.md from the glute pack's JSON.

    python docs/gen_exercises.py           rewrite docs/exercises.md
    python docs/gen_exercises.py --check   exit 1 if docs/exercises.md is out of date

Uses the standard library only and reads nothing but the pack file, so it runs
before glutekit itself is installed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACK_PATH = ROOT / "plugins" / "glutekit_glutes" / "pack.json"
OUTPUT_PATH = ROOT / "docs" / "exercises.md"

KIND_ORDER = ["warm-up", "release", "mobility", "stretch", "activation"]
KIND_HEADINGS = {
    "warm-up": "Warm-up",
    "release": "Release (ball and roller)",
    "mobility": "Mobility",
    "stretch": "Stretches",
    "activation": "Activation",
}
KIND_BLURBS = {
    "warm-up": "Gets the muscles warm so that the stretches that follow can go deeper.",
    "release": "Pressure from a ball or roller on tender spots, done before stretching.",
    "mobility": "Gentle movement of the hip joint through its range.",
    "stretch": "Held positions that lengthen a muscle, grouped by the muscle they mainly reach.",
    "activation": "Slow strength moves that wake the muscle up after release and stretching.",
}
#: Stretches are long enough a list to split by their first primary muscle.
MUSCLE_ORDER = [
    "gluteus_maximus",
    "deep_hip_rotators",
    "piriformis",
    "gluteus_medius",
    "gluteus_minimus",
]


def muscle_name(muscle: str) -> str:
    return muscle.replace("_", " ").capitalize()


def muscles(items: list[str]) -> str:
    return ", ".join(muscle_name(m) for m in items) if items else "—"


def seconds(value: int | str) -> int:
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", value.strip())
    if not match or not value.strip():
        raise ValueError(f"not a duration: {value!r}")
    hours, minutes, secs = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + secs


def clock_text(total: int) -> str:
    if total < 60:
        return f"{total} s"
    minutes, rest = divmod(total, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def number(value: float) -> str:
    return f"{value:g}"


def dose_text(dose: dict) -> str:
    if "hold" in dose:
        low = seconds(dose["hold"])
        high = seconds(dose["hold_max"]) if "hold_max" in dose else low
        if high == low:
            text = f"hold {clock_text(low)}"
        elif high < 60:
            text = f"hold {low}–{high} s"
        else:
            text = f"hold {clock_text(low)} to {clock_text(high)}"
    elif "breaths" in dose:
        low, high = dose["breaths"], dose.get("breaths_max", dose["breaths"])
        text = f"{low} slow breaths" if high == low else f"{low}–{high} slow breaths"
    else:
        low, high = dose["reps"], dose.get("reps_max", dose["reps"])
        text = f"{low} reps" if high == low else f"{low}–{high} reps"
        tempo = dose.get("tempo")
        if tempo:
            phases = [number(tempo["up"]), number(tempo.get("hold", 0)), number(tempo["down"])]
            text += f" (tempo {'-'.join(phases)} s: up, hold, down)"
    sets = dose.get("sets", 1)
    return f"{sets} sets × {text}" if sets > 1 else text


def equipment_text(equipment: list) -> str:
    if not equipment:
        return "none"
    needs = []
    for need in equipment:
        items = need["any_of"] if isinstance(need, dict) else [need]
        needs.append(" or ".join(item.replace("_", " ") for item in items))
    return ", ".join(needs)


def fill_sides(text: str, side: str = "right") -> str:
    """A text with its side placeholders filled in, as it is said for ``side``."""
    other = "left" if side == "right" else "right"
    text = text.replace("{side}", side).replace("{Side}", side.title())
    return text.replace("{other}", other).replace("{Other}", other.title())


def per_side_text(ex: dict) -> str:
    if not ex["per_side"]:
        return "no"
    if ex.get("working_side"):
        return f"yes; the right side is: {fill_sides(ex['working_side'])}"
    return "yes, each side in turn"


def caution_text(caution: str | dict) -> str:
    if isinstance(caution, str):
        return caution
    return caution["text"] + (" *(said aloud in a session)*" if caution.get("spoken") else "")


def bullet_list(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return [f"**{title}**", "", *(f"- {item}" for item in items), ""]


def render_exercise(pack_id: str, ex: dict, level: int = 3) -> list[str]:
    targets = ex["targets"]
    lines = [
        f"{'#' * level} {ex['name']}",
        "",
        f"`{pack_id}:{ex['id']}` · {ex['kind']}"
        + (f" · also called: {', '.join(ex['aliases'])}" if ex.get("aliases") else ""),
        "",
    ]
    if ex.get("summary"):
        lines += [ex["summary"], ""]
    lines += [
        "| | |",
        "|---|---|",
        f"| Primary muscles | {muscles(targets['primary'])} |",
        f"| Secondary muscles | {muscles(targets.get('secondary', []))} |",
        f"| Position | {ex['position']} |",
        f"| Done on | {', '.join(ex.get('surfaces', [])) or 'what the position implies'} |",
        f"| Loads | {', '.join(w.replace('_', ' ') for w in ex.get('loads', [])) or 'nothing of note'} |",
        f"| Equipment | {equipment_text(ex.get('equipment', []))} |",
        f"| Dose | {dose_text(ex['dose'])} |",
        f"| Per side | {per_side_text(ex)} |",
        f"| Level | {ex.get('level', 'beginner')} |",
        "",
    ]
    if ex.get("why"):
        lines += [f"**Why it works:** {ex['why']}", ""]
    lines += ["**How to do it**", ""]
    lines += [f"{n}. {fill_sides(step)}" for n, step in enumerate(ex["instructions"], start=1)]
    lines.append("")
    lines += bullet_list("Cues during the hold", [fill_sides(c) for c in ex.get("cues", [])])
    lines += bullet_list("Common mistakes", ex.get("mistakes", []))
    lines += bullet_list("Take care", [caution_text(c) for c in ex.get("cautions", [])])
    variations = [f"*{v['name']}*: {v['description']}" for v in ex.get("variations", [])]
    lines += bullet_list("Variations", variations)
    sources = []
    for source in ex.get("sources", []):
        # The file name is a note for the pack's authors; readers get it only if untitled.
        shown = source.get("title") or source.get("url") or f"`{source.get('file')}`"
        sources.append(shown)
    if sources:
        lines += [f"Sources: {'; '.join(sources)}", ""]
    return lines


def pack_id_of(exercise_id: str) -> str:
    return exercise_id if ":" in exercise_id else f"glutes:{exercise_id}"


def render_guidance(guidance: dict) -> list[str]:
    lines: list[str] = []
    symptoms = guidance.get("symptoms", [])
    if symptoms:
        lines += [
            "## Where does it hurt?",
            "",
            "Press a finger or a ball around the buttock and hip; the tenderest area hints at "
            "which muscle to work on. The last column says when to skip the exercises and see "
            "a physiotherapist or doctor first.",
            "",
            "| Id | Where | Muscles | Notes | See a professional first |",
            "|---|---|---|---|---|",
        ]
        for s in symptoms:
            row = [
                f"`{s['id']}`",
                s["label"],
                muscles(s["targets"]),
                s.get("description", ""),
                s.get("caution", "—"),
            ]
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
        excluding = [s for s in symptoms if s.get("excludes")]
        if excluding:
            lines += [
                "For some of them the pack rules exercises out: `compose --symptom` never picks "
                "an exercise that loads what the symptom excludes, and a routine for it says "
                "its screen before the first exercise.",
                "",
            ]
            for s in excluding:
                loads = ", ".join(w.replace("_", " ") for w in s["excludes"])
                instead = ", ".join(f"`{pack_id_of(i)}`" for i in s.get("instead", []))
                line = f"- `{s['id']}` leaves out what loads {loads}"
                lines.append(line + (f"; use {instead} instead." if instead else "."))
            lines.append("")
    freq = guidance.get("frequency")
    order = guidance.get("order")
    if freq or order or guidance.get("notes"):
        lines += ["## How often, and in what order", ""]
        if freq:
            line = f"At least {freq['min_sessions_per_week']} sessions a week"
            if freq.get("when_stiff_sessions_per_week"):
                line += f"; {freq['when_stiff_sessions_per_week']} a week while stiff"
            lines += [line + ".", ""]
            if freq.get("text"):
                lines += [freq["text"], ""]
        if order:
            lines += [f"Within one session: {' → '.join(order)}.", ""]
        lines += [f"- {note}" for note in guidance.get("notes", [])]
        lines.append("")
    return lines


def render(pack: dict) -> str:
    exercises = pack["exercises"]
    lines = [
        "# Exercises in the glute pack",
        "",
        "<!-- Generated by docs/gen_exercises.py from plugins/glutekit_glutes/pack.json."
        " Do not edit by hand; run `python docs/gen_exercises.py` instead. -->",
        "",
        f"The `{pack['id']}` pack (version {pack['version']}, content licence {pack['license']}) "
        f"holds {len(exercises)} exercises. Refer to an exercise in a routine as "
        f"`{pack['id']}:<id>`. Each entry below lists the muscles it reaches, the "
        "position and equipment, the default dose, whether it is done on each side, and why it "
        "works.",
        "",
    ]
    if pack.get("description"):
        lines += [pack["description"], ""]
    lines += render_guidance(pack.get("guidance", {}))

    kinds = sorted(
        {ex["kind"] for ex in exercises},
        key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER),
    )
    lines += ["## Contents", ""]
    for kind in kinds:
        names = [f"[{ex['name']}](#{anchor(ex['name'])})" for ex in exercises if ex["kind"] == kind]
        lines.append(f"- **{KIND_HEADINGS.get(kind, kind)}**: {', '.join(names)}")
    lines.append("")

    for kind in kinds:
        group = [ex for ex in exercises if ex["kind"] == kind]
        lines += [f"## {KIND_HEADINGS.get(kind, kind)}", ""]
        if kind in KIND_BLURBS:
            lines += [KIND_BLURBS[kind], ""]
        if kind == "stretch":
            for muscle, subgroup in by_first_muscle(group):
                lines += [f"### Stretches mainly for the {muscle_name(muscle).lower()}", ""]
                lines += [f"- [{ex['name']}](#{anchor(ex['name'])})" for ex in subgroup]
                lines.append("")
                for ex in subgroup:
                    lines += render_exercise(pack["id"], ex, level=4)
        else:
            for ex in group:
                lines += render_exercise(pack["id"], ex)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def by_first_muscle(group: list[dict]) -> list[tuple[str, list[dict]]]:
    buckets: dict[str, list[dict]] = {}
    for ex in group:
        buckets.setdefault(ex["targets"]["primary"][0], []).append(ex)
    order = MUSCLE_ORDER + sorted(m for m in buckets if m not in MUSCLE_ORDER)
    return [(m, buckets[m]) for m in order if m in buckets]


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.lower())
    return text.replace(" ", "-")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the page is stale; write nothing"
    )
    args = parser.parse_args(argv)
    pack = json.loads(PACK_PATH.read_text(encoding="utf-8"))
    text = render(pack)
    relative = OUTPUT_PATH.relative_to(ROOT)
    if args.check:
        current = OUTPUT_PATH.read_text(encoding="utf-8") if OUTPUT_PATH.exists() else None
        if current != text:
            print(
                f"{relative} is out of date with {PACK_PATH.relative_to(ROOT)}; "
                "run: python docs/gen_exercises.py",
                file=sys.stderr,
            )
            return 1
        print(f"{relative} is up to date")
        return 0
    OUTPUT_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {relative} ({len(pack['exercises'])} exercises)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
