"""Views the compiled catalog hands out instead of whole collections (see :mod:`.index`).

A catalog's old ids and a pack's exercises are read from the file the first time they
are looked at: a command that needs neither never reads them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol, overload

from glutekit.model import Exercise


class Exercises(Protocol):
    """What the views ask of the compiled catalog's exercises (:class:`.index.Exercises`)."""

    def of_pack(self, pack_id: str) -> tuple[Exercise, ...]: ...

    def former(self, old_id: str) -> str | None: ...

    def all_former(self) -> dict[str, str]: ...


class FormerIds(Mapping[str, str]):
    """Old qualified ids -> current id, asked of the compiled catalog one at a time."""

    def __init__(self, exercises: Exercises) -> None:
        self._exercises = exercises
        self._all: dict[str, str] | None = None

    def _everything(self) -> dict[str, str]:
        if self._all is None:
            self._all = self._exercises.all_former()
        return self._all

    def __getitem__(self, old_id: str) -> str:
        found = self._all.get(old_id) if self._all is not None else self._exercises.former(old_id)
        if found is None:
            raise KeyError(old_id)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._everything())

    def __len__(self) -> int:
        return len(self._everything())


class PackExercises(Sequence[Exercise]):
    """A pack's exercises, read from the compiled catalog when first looked at."""

    def __init__(self, exercises: Exercises, pack_id: str, count: int) -> None:
        self._exercises = exercises
        self._pack = pack_id
        self._count = count
        self._items: tuple[Exercise, ...] | None = None

    def _loaded(self) -> tuple[Exercise, ...]:
        if self._items is None:
            self._items = self._exercises.of_pack(self._pack)
        return self._items

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Exercise: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Exercise, ...]: ...
    def __getitem__(self, index: Any) -> Any:
        return self._loaded()[index]

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self._loaded())

    def __add__(self, other: Sequence[Exercise]) -> tuple[Exercise, ...]:
        return self._loaded() + tuple(other)

    def __radd__(self, other: Sequence[Exercise]) -> tuple[Exercise, ...]:
        return tuple(other) + self._loaded()

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled or copied, it is the tuple it stands for.
        return tuple, (self._loaded(),)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, PackExercises)):
            return self._loaded() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._loaded())

    def __repr__(self) -> str:
        return f"<{self._count} exercises of pack {self._pack!r}>"
