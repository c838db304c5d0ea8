"""History for ``glutekit run``: open the database without ever stopping the session.

A damaged database is moved aside and replaced (one line says where the old one
went); a folder that cannot be written, or a database another program keeps locked,
gives one warning line and the session runs unrecorded. History is never lost
silently and never blocks practice.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable

from glutekit.history.db import HistoryDB, HistoryUnavailable
from glutekit.model import Pack, Routine

Warn = Callable[[str], None]


def open_for_run(warn: Warn) -> HistoryDB | None:
    """The history database for a session, or None (after one warning) when unusable."""
    try:
        db = HistoryDB.open()
    except HistoryUnavailable as exc:
        warn(f"{exc}; this session will not be recorded")
        return None
    if db.notice is not None:
        warn(db.notice)
    try:
        # Better to say so once now than to fail on every hold of the session.
        db.check_writable()
    except HistoryUnavailable as exc:
        warn(f"{exc}; this session will not be recorded")
        db.close()
        return None
    from glutekit.history import spool

    added = spool.replay(db)
    if added:
        warn(f"history: added {added} record(s) kept from an earlier session")
    return db


def advised_per_week(routine: Routine, packs: Iterable[Pack]) -> int | None:
    """The most demanding "at least N sessions a week" among the routine's packs."""
    used = {exercise_id.split(":", 1)[0] for exercise_id in routine.exercise_ids()}
    advice = [
        pack.guidance.min_sessions_per_week
        for pack in packs
        if pack.id in used and pack.guidance.min_sessions_per_week
    ]
    return max(advice) if advice else None


def can_ask() -> bool:
    """Pain prompts need a person at a terminal; a pipe or a script gets none."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):  # stdin closed or replaced
        return False


def ask_pain(moment: str) -> int | None:
    """Ask for a 0–10 pain score; Enter (or end of input) skips it."""
    import click

    while True:
        try:
            answer = click.prompt(
                f"Pain {moment}, 0 (none) to 10 (worst); Enter to skip",
                default="",
                show_default=False,
                err=True,
            )
        except click.exceptions.Abort:
            return None
        text = str(answer).strip()
        if not text:
            return None
        if text.isdigit() and 0 <= int(text) <= 10:
            return int(text)
        click.echo("Please type a whole number from 0 to 10, or press Enter to skip.", err=True)


#: Words (and keys) the effort question takes besides 0-10, and the score each means.
EFFORT_WORDS: dict[str, int] = {
    "e": 3,
    "easy": 3,
    "too easy": 3,
    "r": 6,
    "right": 6,
    "about right": 6,
    "h": 8,
    "hard": 8,
    "too hard": 8,
}


def effort_score(text: str) -> int | None:
    """An effort answer as 0-10: a number, or too easy (3) / right (6) / too hard (8)."""
    cleaned = " ".join(text.strip().lower().split())
    if cleaned.isdigit() and 0 <= int(cleaned) <= 10:
        return int(cleaned)
    return EFFORT_WORDS.get(cleaned)


def ask_effort() -> int | None:
    """Ask how hard the session was; Enter (or end of input) skips it."""
    import click

    while True:
        try:
            answer = click.prompt(
                "Effort, 0 (nothing) to 10 (all you had), or e = too easy, r = right, "
                "h = too hard; Enter to skip",
                default="",
                show_default=False,
                err=True,
            )
        except click.exceptions.Abort:
            return None
        text = str(answer).strip()
        if not text:
            return None
        score = effort_score(text)
        if score is not None:
            return score
        click.echo("Please type 0 to 10, or e, r or h, or press Enter to skip.", err=True)


def ask_red_flag(screens: list[str]) -> bool:
    """Ask whether any warning sign has appeared; only yes counts (Enter is no)."""
    import click

    for line in screens:
        click.echo(f"Warning signs: {line}", err=True)
    try:
        return bool(click.confirm("Has any of these happened?", default=False, err=True))
    except click.exceptions.Abort:
        return False
