"""glutekit.model.records.record behaves as dataclasses.dataclass, its methods written on first use."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import threading
from dataclasses import InitVar, field
from typing import Any, ClassVar

import pytest

from glutekit.model import records
from glutekit.model.records import record


def _pair(**options: Any) -> tuple[type, type]:
    """The same class made by dataclass and by record, with every kind of field."""

    def body() -> dict[str, Any]:
        return {
            "__annotations__": {
                "name": "str",
                "count": "int",
                "tags": "tuple[str, ...]",
                "notes": "tuple[str, ...]",
                "hidden": "str",
                "derived": "int",
                "seen": "list[str]",
                "kind": "ClassVar[str]",
            },
            "count": 1,
            "tags": (),
            "notes": field(default_factory=tuple),
            "hidden": field(default="h", repr=False, compare=False),
            "derived": field(default=0, init=False),
            "seen": field(default_factory=list, init=False, compare=False),
            "kind": "sample",
            "__post_init__": lambda self: object.__setattr__(self, "derived", self.count * 2),
        }

    made = []
    for label, decorator in (("dataclass", dataclasses.dataclass), ("record", record)):
        # Named at the module's top level, as pickle finds classes.
        name = f"Sample_{label}_{'_'.join(options) or 'plain'}"
        cls = type(name, (), body())
        cls.__module__ = __name__
        globals()[name] = decorator(**options)(cls)
        made.append(globals()[name])
    return made[0], made[1]


SHAPES = [
    {},
    {"frozen": True},
    {"frozen": True, "kw_only": True},
    {"kw_only": True},
    {"eq": False},
    {"repr": False, "frozen": True},
]


def _make(cls: type, kw_only: bool, **values: Any) -> Any:
    if kw_only:
        return cls(**values)
    return cls(values.pop("name"), *values.values())


@pytest.mark.parametrize("options", SHAPES, ids=lambda o: ",".join(o) or "plain")
def test_a_record_behaves_as_the_same_dataclass(options: dict[str, Any]) -> None:
    plain, lazy = _pair(**options)
    kw_only = options.get("kw_only", False)
    a, b = _make(plain, kw_only, name="x", count=3), _make(lazy, kw_only, name="x", count=3)
    # Methods are written on first use only.
    assert lazy.__dict__["__gk_pending__"]
    if options.get("repr", True):
        assert repr(a).replace("dataclass", "record") == repr(b)
    else:
        assert repr(b).startswith(f"<{__name__}.{lazy.__qualname__} object at ")
    assert b.derived == 6 and b.notes == () and b.hidden == "h"
    assert dataclasses.asdict(a) == dataclasses.asdict(b)
    assert [f.name for f in dataclasses.fields(a)] == [f.name for f in dataclasses.fields(b)]
    assert plain.__match_args__ == lazy.__match_args__
    assert (
        plain.__hash__ is None
        or plain.__hash__ is object.__hash__
        or hash(a) == hash(_make(plain, kw_only, name="x", count=3))
    )
    twin = _make(lazy, kw_only, name="x", count=3)
    same = _make(plain, kw_only, name="x", count=3)
    assert (a == same) is (b == twin)
    assert (a == _make(plain, kw_only, name="y")) is (b == _make(lazy, kw_only, name="y"))
    assert (b == a) is False  # another class
    assert (lazy.__hash__ is None) is (plain.__hash__ is None)
    if plain.__hash__ is not None and options.get("frozen"):
        assert hash(b) == hash(twin)
        assert {b: 1}[twin] == 1
    changed = dataclasses.replace(b, count=5)
    assert changed.count == 5 and changed.derived == 10 and type(changed) is lazy
    assert pickle.loads(pickle.dumps(b)) == b or not options.get("eq", True)
    assert copy.deepcopy(b).count == 3
    if options.get("frozen"):
        with pytest.raises(dataclasses.FrozenInstanceError):
            b.count = 4  # type: ignore[misc]
        with pytest.raises(dataclasses.FrozenInstanceError):
            del b.count  # type: ignore[misc]
    else:
        b.count = 4
        assert b.count == 4
    # The same mistakes are the same errors.
    with pytest.raises(TypeError):
        lazy(unknown=1)
    with pytest.raises(TypeError):
        lazy()
    match b:
        case lazy(name="x"):  # type: ignore[misc]
            pass
        case _:
            raise AssertionError("a record matches its class pattern")


@pytest.mark.parametrize("options", SHAPES, ids=lambda o: ",".join(o) or "plain")
def test_a_record_s_init_takes_and_sets_what_dataclass_s_does(options: dict[str, Any]) -> None:
    plain, lazy = _pair(**options)
    kw_only = options.get("kw_only", False)
    a, b = _make(plain, kw_only, name="x"), _make(lazy, kw_only, name="x")
    assert vars(a) == vars(b)
    assert b.seen == [] and b.seen is not _make(lazy, kw_only, name="x").seen
    written, wanted = lazy.__dict__["__init__"], plain.__dict__["__init__"]
    assert str(inspect.signature(written)) == str(inspect.signature(wanted))
    assert written.__annotations__ == wanted.__annotations__
    assert written.__qualname__ == f"{lazy.__qualname__}.__init__"
    assert written.__globals__ is wanted.__globals__


def test_a_class_s_own_methods_are_kept() -> None:
    @record(frozen=True)
    class Own:
        value: int

        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 7

        def __repr__(self) -> str:
            return "mine"

    one = Own(1)
    assert one == Own(2) and hash(one) == 7 and repr(one) == "mine"


def test_a_class_with_eq_of_its_own_and_no_hash_is_unhashable_as_with_dataclass() -> None:
    @record(frozen=True)
    class OwnEq:
        value: int

        def __eq__(self, other: object) -> bool:
            return isinstance(other, OwnEq)

    @dataclasses.dataclass(frozen=True)
    class PlainEq:
        value: int

        def __eq__(self, other: object) -> bool:
            return isinstance(other, PlainEq)

    assert hash(OwnEq(1)) == hash(OwnEq(1)) and hash(PlainEq(1)) == hash(PlainEq(1))


def test_records_inherit_fields_and_frozenness_as_dataclasses_do() -> None:
    @record(frozen=True, kw_only=True)
    class Base:
        a: int
        b: str = "b"

    @record(frozen=True, kw_only=True)
    class Child(Base):
        c: float = 1.0

    child = Child(a=1, c=2.0)
    assert (child.a, child.b, child.c) == (1, "b", 2.0)
    assert repr(child).endswith(".Child(a=1, b='b', c=2.0)")
    assert Base(a=1) == Base(a=1) and Base(a=1) != Child(a=1)

    class Plain(Base):  # not a record: uses its base's methods
        pass

    assert Plain(a=2).a == 2
    with pytest.raises(TypeError, match="non-frozen dataclass from a frozen one"):

        @record
        class Thawed(Base):
            d: int = 0

    @record
    class Soft:
        d: int = 0

    with pytest.raises(TypeError, match="frozen dataclass from a non-frozen one"):

        @record(frozen=True)
        class Hard(Soft):
            e: int = 0


def test_a_record_written_from_many_threads_at_once_gets_one_set_of_methods() -> None:
    @record(frozen=True, kw_only=True)
    class Busy:
        value: int
        kind: ClassVar[str] = "busy"

    made: list[Any] = []
    start = threading.Barrier(8)

    def make(i: int) -> None:
        start.wait()
        made.append(Busy(value=i))

    threads = [threading.Thread(target=make, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(b.value for b in made) == list(range(8))
    assert "__init__" not in Busy.__dict__["__gk_pending__"]
    assert Busy.__init__.__qualname__.endswith("Busy.__init__")


def test_options_the_lazy_path_does_not_take_give_a_plain_dataclass() -> None:
    @record(order=True)
    class Ordered:
        value: int

    assert Ordered(1) < Ordered(2)
    assert "__gk_pending__" not in Ordered.__dict__
    assert records.__all__ == ["record"]


def test_what_dataclass_checks_at_definition_a_record_checks_there_too() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @record
        class Muddled:
            a: int = 0
            b: int

    with pytest.raises(TypeError, match="Cannot overwrite attribute __delattr__"):

        @record(frozen=True)
        class Stubborn:
            a: int = 0

            def __delattr__(self, name: str) -> None:
                pass


def test_an_initvar_and_a_field_named_self_work_as_in_a_dataclass() -> None:
    @record
    class Scaled:
        x: int
        scale: InitVar[int] = 2

        def __post_init__(self, scale: int) -> None:
            self.x *= scale

    assert Scaled(3).x == 6 and Scaled(3, 10).x == 30

    @record(frozen=True, kw_only=True)
    class Selfish:
        self: int

    assert Selfish(self=1).self == 1


def test_code_that_makes_a_record_while_another_is_being_written_does_not_hang() -> None:
    # Writing a method runs code of the class's own (a default's __set_name__ here, when
    # dataclass writes __repr__ for a copy of the class; a signal handler could land
    # there too): if that makes a record of another class whose methods are not written
    # yet, writing those must not wait for the first.
    @record(frozen=True)
    class Inner:
        value: int

    made: list[Any] = []

    class Maker:
        def __set_name__(self, owner: type, name: str) -> None:
            if owner.__name__ == "Outer" and made == []:
                made.append(None)  # the class itself; the next call is the copy's
            elif owner.__name__ == "Outer":
                made.append(Inner(1))

    @record
    class Outer:
        maker: Any = Maker()

    done: list[Any] = []
    thread = threading.Thread(target=lambda: done.append(repr(Outer())), daemon=True)
    thread.start()
    thread.join(5)
    assert done and made[-1] == Inner(1)
