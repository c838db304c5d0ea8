"""A program on one printable page: the weeks as rows, the session days as columns.

Self-contained HTML (no scripts, no outside files), with a box to tick for each session
and the rules under it, sized to print on one A4 or Letter sheet for the fridge.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

_STYLE = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: sans-serif; font-size: 11pt; color: #111; margin: 0 auto; max-width: 270mm; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
p { margin: 1mm 0; }
table { border-collapse: collapse; width: 100%; margin: 4mm 0; }
th, td { border: 1px solid #555; padding: 2mm; vertical-align: top; }
th { background: #eee; }
td.session { height: 14mm; }
.box { display: inline-block; width: 4mm; height: 4mm; border: 1px solid #111; }
.small { font-size: 9pt; color: #333; }
ul { margin: 1mm 0 0 5mm; padding: 0; }
"""


def sheet_html(
    *,
    title: str,
    description: str,
    dates: list[date],
    per_week: int,
    sessions: list[tuple[str, list[str]]],
    rules: list[str],
    screens: list[str],
    author: str | None,
) -> str:
    """The page; ``sessions`` gives each session plan's title and exercise lines."""
    weeks = [dates[i : i + per_week] for i in range(0, len(dates), per_week)]
    rows = []
    number = 0
    for week_number, week in enumerate(weeks, start=1):
        cells = []
        for day in week:
            plan_title = sessions[number % len(sessions)][0]
            cells.append(
                f'<td class="session"><span class="box"></span> '
                f"{escape(day.strftime('%a %d %b'))}<br>"
                f'<span class="small">{escape(plan_title)}</span><br>'
                '<span class="small">pain __ effort __</span></td>'
            )
            number += 1
        cells += ["<td></td>"] * (per_week - len(week))
        rows.append(f"<tr><th>Week {week_number}</th>{''.join(cells)}</tr>")
    plan_parts = [
        f"<p><b>{escape(name)}</b></p><ul>"
        + "".join(f"<li>{escape(line)}</li>" for line in lines)
        + "</ul>"
        for name, lines in sessions
    ]
    by = f'<p class="small">From: {escape(author)}</p>' if author else ""
    warn = "".join(f"<p><b>Stop and get it checked:</b> {escape(s)}</p>" for s in screens)
    rule_items = "".join(f"<li>{escape(r)}</li>" for r in rules)
    head = "<tr><th></th>" + "".join(f"<th>Session {i + 1}</th>" for i in range(per_week)) + "</tr>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>{by}<p>{escape(description)}</p>"
        f"<table>{head}{''.join(rows)}</table>"
        f"{''.join(plan_parts)}"
        f"<p><b>How it changes</b> (glutekit program status says why each time):</p>"
        f"<ul>{rule_items}</ul>{warn}"
        "</body></html>\n"
    )


def exercise_lines(data: dict[str, Any], catalog: Any) -> list[str]:
    """``Name, dose`` for each exercise step of routine data."""
    from glutekit.catalog.loaders import routine_from_data
    from glutekit.model import BlockStep, ExerciseStep

    routine = routine_from_data(data)
    lines: list[str] = []

    def walk(steps: Any) -> None:
        for step in steps:
            if isinstance(step, ExerciseStep):
                lines.append(step_text(step, catalog))
            elif isinstance(step, BlockStep):
                walk(step.steps)

    walk(routine.steps)
    return lines


def step_text(step: Any, catalog: Any) -> str:
    from dataclasses import replace

    ex = catalog.exercise(step.exercise)
    dose = ex.dose
    over = step.dose
    if over is not None:
        if over.hold is not None and dose.kind == "hold":
            dose = replace(dose, seconds=over.hold, seconds_max=None)
        if over.reps is not None and dose.kind == "reps":
            dose = replace(dose, reps=over.reps, reps_max=None)
        if over.breaths is not None and dose.kind == "breaths":
            dose = replace(dose, breaths=over.breaths, breaths_max=None)
    if step.sets is not None:
        dose = replace(dose, sets=step.sets)
    sides = " per side" if ex.per_side and step.sides == "both" else ""
    return f"{ex.name}, {dose.describe()}{sides}"
