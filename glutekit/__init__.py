"""glutekit: compose, run and print mobility routines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import pluggy

__all__ = ["PROJECT", "__version__", "hookimpl"]

#: The pluggy project name, and the entry-point group plugins register under.
PROJECT = "glutekit"

__version__ = "0.1.0"

_F = TypeVar("_F", bound=Callable[..., Any])

#: Decorator that marks a function as a glutekit hook implementation.
hookimpl: Callable[[_F], _F] = cast(Callable[[_F], _F], pluggy.HookimplMarker(PROJECT))
