"""Fields an exercise may hold packed until one of them is first read.

A command that lists or weighs a thousand exercises reads their names, muscles, kind
and dose, never their instructions or sources. An exercise read from the compiled
catalog (:mod:`glutekit.catalog.index`) therefore holds the fields of
:data:`PACKED_FIELDS` as one pickle, under :data:`PACKED_KEY` in its attribute
dictionary, and unpacks them all when the first is read.

Each packed field's class attribute is a :class:`Packed` descriptor. It is not a data
descriptor, so an exercise whose dictionary has the field (every exercise made by its
constructor, and a packed one once unpacked) reads it as before, at the same cost. The
descriptor answers only when the field is missing: it unpacks, or gives the field's
default as the plain class attribute did. The pickle is self-contained (the names, the
bytes and the file they came from), so a packed exercise pickles, copies and compares
as any other.

Packed values that do not read back (a disk error in the compiled catalog) stop the
command with one line, as damage found anywhere else in that file does: the file is
removed, and the next command builds it again.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from glutekit.errors import GlutekitError

try:
    from _pickle import loads as _loads
except ImportError:  # a Python without the C unpickler
    from pickle import loads as _loads

#: The fields stored packed: long texts and lists no listing, filter or plan reads.
PACKED_FIELDS = (
    "aliases",
    "former_ids",
    "summary",
    "why",
    "instructions",
    "cues",
    "mistakes",
    "cautions",
    "variations",
    "sources",
    "working_side",
    "reminder",
    "spoken_caution",
    "images",
    "figure",
    "progression",
    "defaulted",
    "credit",
)
#: Where a packed exercise keeps ``(names, pickle of their values, file)``: the compiled
#: catalog the pickle was read from, or None.
PACKED_KEY = "_packed"


class DamagedPacked(GlutekitError):
    """An exercise's packed fields did not read back from the compiled catalog."""


class Packed:
    """A packed field's class attribute: its default, or the exercise's unpacked value."""

    __slots__ = ("default", "name")

    def __init__(self, name: str, default: Any) -> None:
        self.name = name
        self.default = default

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self.default
        state = obj.__dict__
        packed = state.get(PACKED_KEY)
        if packed is None:
            # Another thread may have unpacked (and dropped the pickle) since this one
            # found the field missing: its value is in the dictionary now.
            return state.get(self.name, self.default)
        names, blob, where = packed
        try:
            values = _loads(blob)
            # Two threads may unpack at once: both write the same values.
            state.update(zip(names, values, strict=True))
        except Exception as exc:  # not a pickle of as many values as names
            raise _damaged(where, exc) from None
        state.pop(PACKED_KEY, None)
        return state.get(self.name, self.default)


def _damaged(where: str | None, exc: Exception) -> DamagedPacked:
    if where is not None:
        with contextlib.suppress(OSError):
            os.unlink(where)
    return DamagedPacked(
        f"{where or 'the compiled catalog'}: the compiled catalog is damaged "
        f"({type(exc).__name__}: {exc}); it was removed, and the next command builds "
        "it again from the packs"
    )


def install(cls: type) -> None:
    """Put a :class:`Packed` on ``cls`` (a dataclass) for each of :data:`PACKED_FIELDS`."""
    fields = cls.__dataclass_fields__  # type: ignore[attr-defined]
    for name in PACKED_FIELDS:
        type.__setattr__(cls, name, Packed(name, fields[name].default))
