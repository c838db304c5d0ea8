"""Dataclasses whose methods are written when they are first used.

``dataclasses.dataclass`` writes each class's ``__init__``, ``__repr__``, ``__eq__``,
``__hash__`` (and, when frozen, ``__setattr__`` and ``__delattr__``) as Python source
and compiles it, when the class is defined. That is about half a millisecond a class,
and glutekit defines over a hundred records: a third of what a short command costs,
paid by every command for classes most of them never make an instance of.

:func:`record` takes the same options and makes a dataclass (``fields``, ``replace``,
``asdict``, pattern matching and pickling work as on any other) whose ``__init__``,
``__repr__``, ``__eq__`` and ``__hash__`` are written the first time each is called, and
put on the class: ``__repr__``, ``__eq__`` and ``__hash__`` by the standard library on a
copy of the class's fields, ``__init__`` here, as ``dataclass`` writes it (the cheaper
way for a frozen class). From then on they are the functions ``dataclass`` writes. A frozen record refuses
assignment and deletion with the same error as a frozen dataclass, through methods
that need no source compiled (one that inherits from a dataclass gets dataclass's
own). Until a method is first called, introspection sees a stand-in: ``inspect.signature``
of the class shows ``(*args, **kwargs)``, and ``__dataclass_params__`` says ``init``,
``repr`` and ``eq`` are off whatever they are. A class with an ``InitVar`` gets a plain
dataclass.

Type checkers (mypy, pyright) see ``dataclasses.dataclass`` itself; tools that read the
source (the API docs, ruff) do not take a record for a dataclass.
"""

from __future__ import annotations

import dataclasses
import inspect  # imported by dataclasses anyway
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

__all__ = ["record"]

# Reentrant: a signal handler that makes a record while this thread writes one must not
# wait for itself.
_written = threading.RLock()


def _options(name: str, kw_only: bool) -> dict[str, Any]:
    """Options that make ``dataclass`` write ``name`` (and as little else as it can)."""
    nothing = {"init": False, "repr": False, "eq": False, "kw_only": kw_only}
    if name == "__repr__":
        return {**nothing, "repr": True}
    if name == "__eq__":
        return {**nothing, "eq": True}
    return {**nothing, "eq": True, "unsafe_hash": True}  # __hash__


class _Factory:
    """The default of a parameter whose field has a default factory (as dataclass shows it)."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def _init_of(cls: type, frozen: bool) -> Callable[..., None]:
    """The ``__init__`` dataclass writes for ``cls``'s fields, written here.

    The same parameters (the positional ones, then the keyword-only ones, with their
    defaults), the same assignments in the order of the fields (past ``__setattr__`` when
    frozen), then ``__post_init__``. Written by ``dataclass`` on a copy of the class, a
    frozen class's would also have a ``__setattr__`` and a ``__delattr__`` compiled, only
    to be thrown away: that was two thirds of the cost of a frozen record's first instance.
    """
    fields = dataclasses.fields(cls)
    me = "__dataclass_self__" if any(f.name == "self" for f in fields) else "self"
    values: dict[str, Any] = {"__gk_setattr__": object.__setattr__, "__gk_factory__": _FACTORY}
    params: dict[bool, list[str]] = {False: [], True: []}  # by kw_only
    lines = []
    for f in fields:
        default = f"__gk_default_{f.name}__"
        if f.default_factory is not dataclasses.MISSING:
            values[default] = f.default_factory
            value = f"{default}() if {f.name} is __gk_factory__ else {f.name}"
            param = f"{f.name}=__gk_factory__"
            if not f.init:
                value = f"{default}()"
        elif not f.init:
            continue  # nothing to set: a class attribute holds its default, if any
        else:
            value = param = f.name
            if f.default is not dataclasses.MISSING:
                values[default] = f.default
                param = f"{f.name}={default}"
        if f.init:
            params[f.kw_only is True].append(param)
        if frozen:
            lines.append(f"__gk_setattr__({me}, {f.name!r}, {value})")
        else:
            lines.append(f"{me}.{f.name} = {value}")
    if hasattr(cls, "__post_init__"):
        lines.append(f"{me}.__post_init__()")
    signature = ", ".join([me, *params[False], *(["*", *params[True]] if params[True] else [])])
    body = "".join(f"\n        {line}" for line in lines or ["pass"])
    source = (
        f"def __gk_make__({', '.join(values)}):\n"
        f"    def __init__({signature}):{body}\n"
        "    return __init__\n"
    )
    module = sys.modules.get(cls.__module__)
    made: dict[str, Any] = {}
    exec(source, module.__dict__ if module is not None else {}, made)
    init: Callable[..., None] = made["__gk_make__"](**values)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = {f.name: f.type for f in fields if f.init} | {"return": None}
    return init


def _write(cls: type, name: str) -> None:
    """Write ``name`` for ``cls`` (all but ``__init__`` by ``dataclass``, for a copy of its
    fields); put it on ``cls``."""
    with _written:
        pending: dict[str, tuple[bool, bool]] = cls.__dict__["__gk_pending__"]
        if name not in pending:
            return  # another thread wrote it
        if name == "__init__":
            type.__setattr__(cls, name, _init_of(cls, pending[name][0]))
            del pending[name]
            return
        namespace: dict[str, Any] = {
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "__annotations__": {},
            # Any docstring: without one, dataclass works out the class's signature for
            # it (inspect, and tokenize's large regex), and only the method is kept.
            "__doc__": "twin",
        }
        for f in dataclasses.fields(cls):
            namespace["__annotations__"][f.name] = f.type
            namespace[f.name] = dataclasses.field(
                default=f.default,
                default_factory=f.default_factory,
                init=f.init,
                repr=f.repr,
                hash=f.hash,
                compare=f.compare,
                metadata=f.metadata,
                kw_only=f.kw_only,
            )
        if hasattr(cls, "__post_init__"):
            # Only its presence matters: the written __init__ calls self.__post_init__().
            namespace["__post_init__"] = cls.__post_init__
        twin: type = dataclasses.dataclass(
            type(cls.__name__, (), namespace), **_options(name, pending[name][1])
        )
        type.__setattr__(cls, name, twin.__dict__[name])
        del pending[name]


def _stub(cls: type, name: str) -> Callable[..., Any]:
    def first_call(self: Any, /, *args: Any, **kwargs: Any) -> Any:
        if cls.__dict__[name] is first_call:
            _write(cls, name)
        return cls.__dict__[name](self, *args, **kwargs)

    first_call.__name__ = name
    first_call.__qualname__ = f"{cls.__qualname__}.{name}"
    return first_call


def _explicit_hash(cls: type) -> bool:
    # As dataclass decides it: a class that defines __eq__ alone gets __hash__ = None
    # from Python, which is not a hash of its own.
    own = cls.__dict__.get("__hash__", dataclasses.MISSING)
    return not (own is dataclasses.MISSING or (own is None and "__eq__" in cls.__dict__))


def _refuse_changes(cls: type, names: frozenset[str]) -> None:
    """Give a frozen record the ``__setattr__`` and ``__delattr__`` dataclass would write."""

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)  # type: ignore[arg-type]

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)  # type: ignore[arg-type]

    for method in (__setattr__, __delattr__):
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        type.__setattr__(cls, method.__name__, method)


def _is_initvar(annotation: object) -> bool:
    if isinstance(annotation, str):  # postponed annotations, as glutekit writes them
        return "InitVar" in annotation
    return annotation is dataclasses.InitVar or isinstance(annotation, dataclasses.InitVar)


def _has_initvar(cls: type) -> bool:
    """Whether ``cls`` or a dataclass it inherits from has an ``InitVar`` pseudo-field."""
    own = inspect.get_annotations(cls)
    inherited = [
        f.type
        for base in cls.__mro__[1:]
        for f in base.__dict__.get("__dataclass_fields__", {}).values()
    ]
    return any(_is_initvar(a) for a in (*own.values(), *inherited))


def _check_order(cls: type) -> None:
    """The mistake dataclass finds when it writes ``__init__``, found at definition as it does."""
    seen_default = False
    for f in dataclasses.fields(cls):
        if not f.init or f.kw_only:
            continue
        has_default = f.default is not dataclasses.MISSING or (
            f.default_factory is not dataclasses.MISSING
        )
        if has_default:
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")


def _record(cls: type, frozen: bool, eq: bool, repr: bool, kw_only: bool) -> type:
    wanted = {"__init__": True, "__repr__": repr, "__eq__": eq}
    names = [n for n, want in wanted.items() if want and n not in cls.__dict__]
    explicit_hash = _explicit_hash(cls)
    docless = cls.__dict__.get("__doc__") is None
    # A frozen record that inherits from a dataclass is left to dataclass's own checks
    # and refusals; the others get the same refusals without their source compiled.
    own_refusals = frozen and not any(dataclasses.is_dataclass(b) for b in cls.__mro__[1:])
    for own in ("__setattr__", "__delattr__"):
        if own_refusals and own in cls.__dict__:
            raise TypeError(f"Cannot overwrite attribute {own} in class {cls.__name__}")
    if docless:  # written below; dataclass would work out a signature for it (slow)
        cls.__doc__ = cls.__name__
    # The fields, pattern matching and the rest, with no method written yet.
    dataclasses.dataclass(
        cls, init=False, repr=False, eq=False, frozen=frozen and not own_refusals, kw_only=kw_only
    )
    _check_order(cls)
    if own_refusals:
        _refuse_changes(cls, frozenset(f.name for f in dataclasses.fields(cls)))
        cls.__dataclass_params__.frozen = True  # type: ignore[attr-defined]
    if not explicit_hash:
        if eq and frozen:
            names.append("__hash__")
        elif eq:
            cls.__hash__ = None  # type: ignore[assignment]
    if docless:
        fields = ", ".join(f.name for f in dataclasses.fields(cls) if f.init)
        cls.__doc__ = f"{cls.__name__}({fields})"
    type.__setattr__(cls, "__gk_pending__", {name: (frozen, kw_only) for name in names})
    for name in names:
        type.__setattr__(cls, name, _stub(cls, name))
    return cls


def _lazy_dataclass(
    cls: type | None = None,
    /,
    *,
    frozen: bool = False,
    eq: bool = True,
    repr: bool = True,
    kw_only: bool = False,
    **others: Any,
) -> Any:
    """``dataclasses.dataclass`` with the same options, its methods written on first use.

    Options other than ``frozen``, ``eq``, ``repr`` and ``kw_only`` (``order``,
    ``slots`` and the rest) get a plain dataclass.
    """

    def wrap(cls: type) -> type:
        if others or _has_initvar(cls):
            return dataclasses.dataclass(
                cls, frozen=frozen, eq=eq, repr=repr, kw_only=kw_only, **others
            )
        return _record(cls, frozen, eq, repr, kw_only)

    return wrap if cls is None else wrap(cls)


# Type checkers and the API docs see dataclass itself (the docs list a record's fields as
# its constructor's parameters, as they do a dataclass's); Python runs the function above.
if not TYPE_CHECKING:
    record = _lazy_dataclass
if TYPE_CHECKING:
    from dataclasses import dataclass as record
