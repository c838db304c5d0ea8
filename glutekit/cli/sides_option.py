"""``--first-side``: which side a per-side exercise starts on, for run, transcript and export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import click

from glutekit.model import Routine, SideOrder

_F = TypeVar("_F", bound=Callable[..., Any])


def first_side_option(func: _F) -> _F:
    option = click.option(
        "--first-side",
        type=click.Choice(["left", "right"]),
        help="Side to start each per-side exercise on (default: the routine's order, "
        "usually right; setting first_side in 'glutekit config').",
    )
    return option(func)


def with_first_side(routine: Routine, first_side: str | None) -> Routine:
    """The routine with its side order set by ``--first-side`` (unchanged without it)."""
    if first_side is None:
        return routine
    order: SideOrder = "left-first" if first_side == "left" else "right-first"
    return replace(routine, settings=replace(routine.settings, side_order=order))
