"""Errors a user can act on. Each carries the exit code the CLI should use."""

from __future__ import annotations

from collections.abc import Iterable


class GlutekitError(Exception):
    """Base for every error glutekit reports to a user without a traceback."""

    exit_code = 1


class InputError(GlutekitError):
    """Bad input: a file, an id, an option value. Exit code 2."""

    exit_code = 2


class ValidationFailed(InputError):
    """A routine or pack did not validate; ``problems`` holds one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(problems[0] if problems else "validation failed")


class UnknownId(InputError):
    """An exercise, routine, strategy or output id that nothing provides."""


class PluginError(GlutekitError):
    """A plugin failed in a way that stops the command (only in strict mode)."""


def needs(module: str, distribution: str, what: str) -> GlutekitError:
    """The one-line error for a feature whose optional library is not installed.

    Raise it from ``except ImportError``: ``raise needs("fpdf", "fpdf2", "PDF export")``.
    Printing libraries have no wheels on 32-bit ARM, so the extra that brings them is named.
    """
    return GlutekitError(
        f"{what} needs {distribution} (module {module}), which is not installed: "
        f"pip install {distribution} (or 'glutekit[print]'), or choose another format"
    )


def suggest(wanted: str, known: Iterable[str], limit: int = 3) -> str:
    """`` (did you mean: a, b?)`` or an empty string."""
    import difflib  # only when something is misspelt: every command imports this module

    known = list(known)
    close = difflib.get_close_matches(wanted, known, n=limit, cutoff=0.5)
    if not close and ":" in wanted:
        tail = wanted.split(":", 1)[1]
        close = [k for k in known if k.split(":", 1)[-1] == tail][:limit]
        if not close:
            tails = {k.split(":", 1)[-1]: k for k in known}
            close = [tails[t] for t in difflib.get_close_matches(tail, tails, n=limit, cutoff=0.5)]
    return f" (did you mean: {', '.join(close)}?)" if close else ""
