"""What ``check-pack`` checks: a pack file, a package folder, or an importable module.

A module (or a package folder) is reached the way the host reaches any plugin:
registered on a plugin manager and asked through its hooks, so the check sees
exactly what users would get.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import field
from pathlib import Path
from types import ModuleType
from typing import Any

from glutekit import PROJECT
from glutekit.catalog import document_from_source
from glutekit.catalog.schema import Document, detect_kind, read_document
from glutekit.errors import InputError
from glutekit.host.offers import PACKS, ROUTINES
from glutekit.host.plugins import make_plugin_host
from glutekit.model.records import record

Add = Callable[[Any, str], None]

#: JSON files in a data-only folder beyond this many are not read (a wrong folder, surely).
MAX_FOLDER_FILES = 200


@record
class Subject:
    """The packs and routines a target provides, and where they came from."""

    label: str
    plugin: str | None = None
    module_root: str | None = None
    packs: list[Document] = field(default_factory=list)
    routines: list[Document] = field(default_factory=list)
    files: set[Path] = field(default_factory=set)

    def add_document(self, doc: Document, add: Add) -> None:
        kind = detect_kind(doc.data)
        if kind == "pack":
            self.packs.append(doc)
        elif kind == "routine":
            self.routines.append(doc)
        else:
            add("error", f"{doc.name}: neither an exercise pack nor a routine")

    def installed_names(self) -> set[str]:
        """Entry-point names under which this very module is installed."""
        if self.module_root is None:
            return set()
        from importlib.metadata import entry_points

        return {
            ep.name
            for ep in entry_points(group=PROJECT)
            if ep.value.split(":")[0].split(".")[0] == self.module_root
        }

    def same_origin(self, origin: str) -> bool:
        """True when an installed pack was read from one of this subject's own files."""
        try:
            return Path(origin).resolve() in self.files
        except (OSError, ValueError):
            return False


def load_subject(target: str, add: Add) -> Subject:
    """Read a target; problems with its content are passed to ``add``.

    :raises InputError: when the target is neither a file, a folder nor a module.
    """
    path = Path(target)
    if path.is_file() or path.suffix == ".json":
        # A pack file inside its package (glutekit_calves/pack.json) is that package:
        # its own installed copy (after 'pip install .') is the same pack, not a clash.
        subject = Subject(label=target, module_root=_package_of(path))
        _add_file(subject, path, add)
        return subject
    if path.is_dir():
        return _load_folder(path, add)
    if not re.fullmatch(r"[A-Za-z_][\w.]*", target):
        raise InputError(f"{target}: no such file or folder")
    try:
        module = importlib.import_module(target)
    except ModuleNotFoundError as exc:
        if exc.name and target.startswith(exc.name):
            raise InputError(f"{target}: no such file, folder or importable module") from None
        raise InputError(f"{target}: import failed: {exc}") from None
    except Exception as exc:
        raise InputError(f"{target}: import failed: {type(exc).__name__}: {exc}") from None
    return _from_module(module, target, add)


def _package_of(path: Path) -> str | None:
    """The top-level package a file sits in (folders with ``__init__.py``), if any."""
    try:
        folder = path.resolve().parent
    except (OSError, RuntimeError):  # a symlink loop: reading the file reports it
        return None
    top = None
    while (folder / "__init__.py").is_file():
        top = folder.name
        folder = folder.parent
    return top if top and top.isidentifier() else None


def _add_file(subject: Subject, path: Path, add: Add) -> None:
    try:
        doc = read_document(path)
    except InputError as exc:
        add("error", str(exc))
        return
    subject.files.add(path.resolve())
    subject.add_document(doc, add)


# ----------------------------------------------------------------------------- folders


def _load_folder(folder: Path, add: Add) -> Subject:
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        module_name = _module_from_pyproject(pyproject, add)
        if module_name is not None:
            with _on_path(folder / "src" if (folder / "src").is_dir() else folder):
                module = _import(module_name, pyproject)
            return _from_module(module, str(folder), add)
        return Subject(label=str(folder))
    if (folder / "__init__.py").is_file():
        with _on_path(folder.resolve().parent):
            module = _import(folder.name, folder)
        return _from_module(module, str(folder), add)
    subject = Subject(label=str(folder))
    files = sorted(folder.rglob("*.json"))
    if len(files) > MAX_FOLDER_FILES:
        raise InputError(f"{folder}: {len(files)} JSON files; is this the right folder?")
    for path in files:
        _add_file(subject, path, add)
    return subject


def _module_from_pyproject(pyproject: Path, add: Add) -> str | None:
    data = _read_toml(pyproject)
    group = data.get("project", {}).get("entry-points", {}).get(PROJECT)
    if not group:
        add(
            "error",
            f"{pyproject}: no entry point in group '{PROJECT}' "
            f"([project.entry-points.{PROJECT}]), so glutekit would never load the package",
        )
        return None
    if len(group) > 1:
        add("info", f"{pyproject}: several '{PROJECT}' entry points; checking the first")
    name, value = next(iter(group.items()))
    module_name: str = str(value).split(":")[0]
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        add("warning", f"{pyproject}: entry point name '{name}' is not a lower-case slug")
    return module_name


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        with path.open("rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
            return data
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None


@contextmanager
def _on_path(folder: Path) -> Iterator[None]:
    entry = str(folder.resolve())
    sys.path.insert(0, entry)
    importlib.invalidate_caches()
    try:
        yield
    finally:
        if entry in sys.path:
            sys.path.remove(entry)


def _import(module_name: str, where: Path) -> ModuleType:
    try:
        return importlib.import_module(module_name)
    except Exception as exc:
        raise InputError(
            f"{where}: cannot import '{module_name}': {type(exc).__name__}: {exc}"
        ) from None


# ----------------------------------------------------------------------------- modules


def _from_module(module: ModuleType, label: str, add: Add) -> Subject:
    """Ask the module for its packs and routines through a host, as glutekit would."""
    name = module.__name__
    subject = Subject(label=label, plugin=name, module_root=name.split(".")[0])

    def fail(message: str) -> None:
        add("error", message)

    host = make_plugin_host(autoload=False, strict=False, trace=False, warn=fail)
    try:
        host.register(module, name)
    except Exception as exc:
        add("error", f"module '{name}' is not a valid glutekit plugin: {exc}")
        return subject
    if not host.records[name].hooks:
        add("error", f"module '{name}' implements no glutekit hook (use @glutekit.hookimpl)")
    for offers, kind in ((PACKS, "pack"), (ROUTINES, "routine")):
        for index, (_, source) in enumerate(offers.offered(host)):
            _add_source(subject, source, f"module '{name}' {kind} #{index + 1}", add)
    return subject


def _add_source(subject: Subject, source: Any, label: str, add: Add) -> None:
    try:
        doc = document_from_source(source, label)
    except InputError as exc:
        add("error", str(exc))
        return
    if isinstance(source, (str, Path)):
        subject.files.add(Path(source).resolve())
    subject.add_document(doc, add)
