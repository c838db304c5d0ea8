"""The core's rooms import each other one way only: no cycle between them.

A room is a subpackage of ``glutekit`` (``host``, ``catalog``, ``timeline`` …) or one of
the small modules at the package root (``errors``, ``paths``, ``hookspecs`` …). Every
import counts, also one inside a function, except those under ``if TYPE_CHECKING:``,
which name a type and run nothing. The package's own ``__init__`` (the public API, loaded
lazily) is its face, not a room.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import glutekit

PACKAGE = Path(glutekit.__file__).resolve().parent

#: At most this many modules at the package root, ``__init__.py`` and ``__main__.py``
#: included; everything else lives in a room.
MAX_ROOT_MODULES = 12


def room_of(module: str) -> str | None:
    """``glutekit.catalog.schema`` -> ``catalog``; ``glutekit`` itself -> None."""
    parts = module.split(".")
    if parts[0] != "glutekit" or len(parts) == 1:
        return None
    return parts[1]


def rooms() -> set[str]:
    found = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    found |= {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    return found


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for body in node.body for child in ast.walk(body))
    return skipped


def imported_modules(path: Path) -> Iterator[tuple[str, int]]:
    """Every glutekit module ``path`` imports at run time, with its line."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    package = package.removesuffix(".__init__")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            if source == "glutekit":  # from glutekit import paths: a module or a name
                for alias in node.names:
                    yield f"glutekit.{alias.name}", node.lineno
            else:
                yield source, node.lineno


def room_imports() -> dict[str, dict[str, str]]:
    """room -> {room it imports: the first place that does, as file:line}."""
    known = rooms()
    graph: dict[str, dict[str, str]] = {room: {} for room in known}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "__init__.py":
            continue
        source_room = room_of(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
        assert source_room is not None
        for module, line in imported_modules(path):
            target = room_of(module)
            if target is None or target == source_room or target not in known:
                continue
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            graph[source_room].setdefault(target, where)
    return graph


def cycles(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """The strongly connected groups of more than one room (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(room: str) -> None:
        index[room] = low[room] = len(index)
        stack.append(room)
        on_stack.add(room)
        for target in graph[room]:
            if target not in index:
                visit(target)
                low[room] = min(low[room], low[target])
            elif target in on_stack:
                low[room] = min(low[room], index[target])
        if low[room] == index[room]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == room:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for room in sorted(graph):
        if room not in index:
            visit(room)
    return found


def test_no_import_cycle_between_rooms() -> None:
    graph = room_imports()
    report = [
        "cycle: "
        + ", ".join(group)
        + "".join(f"\n  {a} -> {b} ({graph[a][b]})" for a in group for b in group if b in graph[a])
        for group in cycles(graph)
    ]
    assert not report, "\n".join(report)


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b": "a.py:1"}, "b": {"c": "b.py:1"}, "c": {"a": "c.py:1"}, "d": {"a": ""}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b": ""}, "b": {}}) == []


#: The rooms from the top floor down: a room imports only rooms on floors below its own.
#: A new room goes on one floor here (docs/design.md draws the same floors).
FLOORS = [
    {"__main__"},
    {"cli", "testing"},
    {"config", "publish", "program"},
    {"session", "compose"},
    {"timeline", "history"},
    {"catalog"},
    {"host"},
    {"hookspecs"},
    {"interfaces"},
    {"caches"},
    {"model", "atomic", "messages", "paths"},
    {"files", "textcheck"},
    {"errors"},
]


def test_every_room_stands_on_one_floor() -> None:
    placed = [room for floor in FLOORS for room in floor]
    assert len(placed) == len(set(placed)), "a room stands on two floors"
    assert set(placed) == rooms(), (
        f"unplaced: {rooms() - set(placed)}, gone: {set(placed) - rooms()}"
    )


def test_rooms_import_only_rooms_on_lower_floors() -> None:
    floor_of = {room: level for level, floor in enumerate(FLOORS) for room in floor}
    upward = [
        f"{room} -> {target} ({where})"
        for room, targets in room_imports().items()
        for target, where in targets.items()
        if floor_of[target] <= floor_of[room]
    ]
    assert not upward, "imports that do not go down a floor:\n" + "\n".join(upward)


def test_few_modules_at_the_package_root() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(modules) <= MAX_ROOT_MODULES, modules
