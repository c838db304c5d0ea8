"""Schemas: loading, validation, and errors that point at file, line and column."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache, cached_property
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from glutekit.catalog.schemawords import (
    describe,
    leaves,
    pointer_of,
    printable,
    shorten,
    size_message,
)
from glutekit.errors import InputError
from glutekit.files import read_bounded
from glutekit.model.records import record
from glutekit.textcheck import safe, source_may_have_bad_text, text_problems

SchemaName = Literal["routine", "pack", "program"]

_FILES: dict[str, str] = {
    "routine": "routine.schema.json",
    "pack": "exercise-pack.schema.json",
    "program": "program.schema.json",
}

#: Files with more JSON values than this are refused before they are parsed: what a file
#: costs in memory is its values more than its bytes (16 MiB of "{}," would take 450 MB).
#: Counted as commas and opening brackets; that 5,000-exercise pack has about 370,000.
MAX_JSON_VALUES = 1_000_000
#: No object in a valid file has more keys than this; more is refused before the detailed
#: validator, which takes seconds over an object of a million keys.
MAX_OBJECT_KEYS = 1000
#: A file's problems are listed up to this many; then one line says the rest were not.
MAX_PROBLEMS = 50
#: Files longer than this get JSON pointers but no line and column in their problems.
MAX_LOCATED_CHARS = 128 * 1024
#: Deeper nesting than this is refused (JSON bombs, runaway generators).
MAX_DEPTH = 32


@cache  # where glutekit is does not change while it runs; the caches' keys ask each start
def schema_path(name: SchemaName) -> Path:
    """Where the schema file lives: inside the package, or the source checkout."""
    filename = _FILES[name]
    # A file path, not importlib.resources: glutekit is always installed as files (a
    # path was what the caller got either way), and importing importlib.resources
    # (tempfile, shutil, zipfile) cost every command that loads the catalog 5 ms.
    here = Path(__file__).resolve().parents[1]
    packaged = here / "_data" / "schemas" / filename
    if packaged.is_file():
        return packaged
    return here.parent / "schemas" / filename


@cache
def load_schema(name: SchemaName) -> dict[str, Any]:
    with schema_path(name).open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@cache
def _compiled(name: SchemaName) -> Callable[[Any], bool] | None:
    """A fast yes/no check compiled from the schema (Rust), or None where it is missing.

    It only answers "valid?"; the located messages come from :func:`_validator`, which
    is only built for a file that fails.
    """
    from glutekit.host.deferred import interrupts_held

    with interrupts_held():
        # jsonschema-rs imports decimal from Rust on first use, and panics (a Rust
        # panic and a traceback on screen) if Ctrl-C lands in that import: import it
        # here, where an interrupt waits until it is done.
        import decimal  # noqa: F401

        try:
            import jsonschema_rs
        except ImportError:  # pragma: no cover - a platform without the wheel
            return None
        checker = jsonschema_rs.validator_for(load_schema(name))
    is_valid: Callable[[Any], bool] = checker.is_valid
    return is_valid


def is_valid(data: Any, kind: SchemaName) -> bool:
    """Whether ``data`` passes the schema, as fast as this machine allows."""
    fast = _compiled(kind)
    if fast is not None:
        return fast(data)
    return not any(True for _ in _validator(kind).iter_errors(data))


@cache
def _validator(name: SchemaName) -> Any:
    import jsonschema

    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@record(frozen=True, kw_only=True)
class Problem:
    """One thing wrong with a document."""

    file: str
    line: int
    column: int
    pointer: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        pointer = printable(self.pointer) or "/"
        return safe(f"{shorten(where)}: {shorten(pointer)}: {shorten(self.message)}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "message": self.message,
        }


@record(frozen=True, kw_only=True)
class Document:
    """Parsed JSON with a map from JSON pointer to (line, column)."""

    name: str
    data: Any
    text: str | None = None
    #: The BLAKE2b digest of the bytes ``text`` was read from, when the reader had it.
    digest: bytes | None = None

    @cached_property
    def _positions(self) -> dict[str, Any]:
        if self.text is None or len(self.text) > MAX_LOCATED_CHARS:
            # The source map is built in pure Python (about 6 s a megabyte): a huge file's
            # problems name the JSON pointer without a line and column.
            return {}
        from json_source_map import calculate

        result: dict[str, Any] = calculate(self.text)
        return result

    def position(self, pointer: str) -> tuple[int, int]:
        """1-based line and column of the value at ``pointer`` (1, 1 when unknown)."""
        if self.text is None:
            return (0, 0)
        where = self._positions.get(pointer)
        if where is None:
            return (1, 1)
        return (where.value_start.line + 1, where.value_start.column + 1)

    def problem(self, pointer: str, message: str) -> Problem:
        line, column = self.position(pointer)
        return Problem(file=self.name, line=line, column=column, pointer=pointer, message=message)


def read_document(path: Path) -> Document:
    """Read and parse a JSON file, refusing anything that is not a sane JSON document.

    :raises InputError: with one line naming the file and, for syntax errors, the line.
    """
    name = safe(str(path))
    raw = read_bounded(path, name)
    return parse_document(raw, name)


def parse_document(raw: bytes, name: str, digest: bytes | None = None) -> Document:
    if not raw.strip():
        raise InputError(f"{name}: file is empty (expected a JSON object)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not UTF-8 text (byte {exc.start}); is this a JSON file?"
        ) from None
    # Each value counted is one byte: a file no longer than the limit is within it.
    if len(raw) > MAX_JSON_VALUES:
        values = raw.count(b",") + raw.count(b"[") + raw.count(b"{")
        if values > MAX_JSON_VALUES:
            raise InputError(
                f"{name}: has about {values:,} JSON values; the limit is {MAX_JSON_VALUES:,} "
                "(a pack of 5,000 exercises has about 370,000)"
            )
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_whole_float)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except ValueError as exc:
        raise InputError(f"{name}: invalid JSON: {exc}") from None
    except RecursionError:
        raise InputError(f"{name}: JSON is nested too deeply") from None
    # The nesting limit is checked with the schema (see schema_problems), so that files
    # already known to be valid are not walked node by node on every start.
    return Document(name=name, data=data, text=text, digest=digest)


def _whole_float(token: str) -> int | float:
    # JSON Schema counts 2.0 as an integer; make it one, so "sets": 2.0 works like 2.
    value = float(token)
    return int(value) if value.is_integer() else value


def whole_numbers(data: Any) -> Any:
    """``data`` (made in memory: a plugin's dict, a strategy's routine) with each whole
    float made an int, as a JSON file is read: ``"sets": 2.0`` works like 2 either way.

    Containers are copied where something changes; the rest is returned as it is.
    Data nested too deeply to walk is returned as it is, for the schema's check of
    nesting to name.
    """
    try:
        return _whole(data)
    except RecursionError:
        return data


def _whole(value: Any) -> Any:
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        made = {key: _whole(item) for key, item in value.items()}
        return value if all(made[key] is item for key, item in value.items()) else made
    if isinstance(value, list):
        items = [_whole(item) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not allowed in JSON")


def _depth(value: Any, level: int = 1) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level


def detect_kind(data: Any) -> SchemaName | None:
    """Tell a routine from a pack or a program by its shape."""
    if isinstance(data, dict):
        if "exercises" in data:
            return "pack"
        if "steps" in data:
            return "routine"
        if "sessions" in data and "weeks" in data:
            return "program"
    return None


def schema_problems(doc: Document, kind: SchemaName) -> list[Problem]:
    """Every schema violation in ``doc``, most specific first, one per location.

    The compiled check answers for valid files; the detailed (slow) validator only
    runs to locate and explain what is wrong with a file that fails it.
    """
    if doc.text is None or source_may_have_bad_text(doc.text):
        texts = [doc.problem(pointer, message) for pointer, message in text_problems(doc.data)]
        if texts:
            # Checked first: a lone surrogate cannot even reach the compiled validator.
            return texts
    valid = is_valid(doc.data, kind)
    if not valid:
        # A valid document has no list over its schema's limit; an invalid one is looked
        # at before the detailed validator, which would take many seconds on 155,000 steps.
        too_long = list_size_problems(doc, kind)
        if too_long:
            return too_long
    # A valid pack's nesting is bounded by its schema; routine blocks nest, so always look.
    if kind == "routine" or not valid:
        depth = _depth(doc.data)
        if depth > MAX_DEPTH:
            message = f"JSON is nested {depth} levels deep; the limit is {MAX_DEPTH}"
            return [Problem(file=doc.name, line=1, column=1, pointer="", message=message)]
    if valid:
        return []
    validator = _validator(kind)
    problems: list[Problem] = []
    seen: set[str] = set()
    errors = list(islice(validator.iter_errors(doc.data), MAX_PROBLEMS + 1))
    for error in sorted(errors[:MAX_PROBLEMS], key=_path_order):
        for leaf in leaves(error):
            pointer = pointer_of(leaf.absolute_path)
            if leaf.validator == "additionalProperties" and isinstance(leaf.instance, dict):
                known = leaf.schema.get("properties", {}) if isinstance(leaf.schema, dict) else {}
                extra = sorted(k for k in leaf.instance if k not in known)
                if extra:
                    pointer = pointer_of([*leaf.absolute_path, extra[0]])
            message = describe(leaf)
            key = f"{pointer} {message}"
            if key in seen:
                continue
            seen.add(key)
            problems.append(doc.problem(pointer, message))
    if len(errors) > MAX_PROBLEMS:
        problems.append(
            doc.problem("", f"stopped after {MAX_PROBLEMS} problems; fix these and check again")
        )
    return problems


def _path_order(error: Any) -> list[tuple[int, int, str]]:
    return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.absolute_path]


def _list_limits(kind: SchemaName) -> dict[str, int]:
    """For each field name, the largest ``maxItems`` the schema gives a list of that name."""
    return _limits_cached(kind)


@cache
def _limits_cached(kind: SchemaName) -> dict[str, int]:
    limits: dict[str, int] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in (node.get("properties") or {}).items():
                if isinstance(value, dict):
                    target = value
                    ref = value.get("$ref")
                    if isinstance(ref, str) and ref.startswith("#/$defs/"):
                        target = load_schema(kind).get("$defs", {}).get(ref[8:], {})
                    if isinstance(target, dict) and isinstance(target.get("maxItems"), int):
                        limits[key] = max(limits.get(key, 0), target["maxItems"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(load_schema(kind))
    return limits


def list_size_problems(doc: Document, kind: SchemaName) -> list[Problem]:
    """Lists longer than the schema allows anywhere for their field name, and objects with
    more keys than any the schema describes, found in one pass."""
    limits = _list_limits(kind)
    found: list[Problem] = []
    stack: list[tuple[str, Any]] = [("", doc.data)]
    while stack and len(found) < MAX_PROBLEMS:
        pointer, value = stack.pop()
        if isinstance(value, dict) and len(value) > MAX_OBJECT_KEYS:
            message = f"has {len(value):,} keys; the limit is {MAX_OBJECT_KEYS:,}"
            found.append(doc.problem(pointer, message))
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
                limit = limits.get(key) if isinstance(item, list) else None
                if limit is not None and len(item) > limit:
                    found.append(doc.problem(child, size_message("maxItems", item, limit)))
                elif isinstance(item, (dict, list)):
                    stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{pointer}/{i}", item) for i, item in enumerate(value))
    return found
