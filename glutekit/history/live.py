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
