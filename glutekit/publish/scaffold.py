"""``glutekit new-pack``: a ready-to-publish exercise-pack package from a template.

The template lives in ``glutekit/publish/template`` (shipped in the wheel). File names
may hold ``__package__`` and ``__slug__``; files ending in ``.j2`` are rendered
with Jinja2 and lose the suffix, other files (pictures) are copied as they are. A
larger template, such as ``gym``, is a folder ``template_NAME`` laid over the base: its
files are added, or replace the base's files of the same name. The package is written to a temporary sibling
folder and moved into place at the end, so a failure never leaves half a package.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

from glutekit import __version__
from glutekit.errors import GlutekitError, InputError
from glutekit.model.records import record

if sys.version_info >= (3, 11):
    from importlib.resources.abc import Traversable
else:  # pragma: no cover - Python 3.10
    from importlib.abc import Traversable

#: The templates ``new-pack --template`` offers: the base, and the folders laid over it.
TEMPLATES = {
    "starter": "two exercises and a routine: the least a pack needs",
    "gym": "a gym pack: its own muscle and equipment, defaults, start and end pictures "
    "with credits, and sources, each explained in its README",
}
SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
PREFIX = "glutekit-"


@record(frozen=True, kw_only=True)
class PackNames:
    """Every name a new pack package needs, all derived from one slug."""

    slug: str
    distribution: str
    package: str
    title: str

    @classmethod
    def from_name(cls, name: str) -> PackNames:
        slug = name.strip().lower().removeprefix(PREFIX).replace("_", "-")
        if not SLUG.fullmatch(slug) or len(slug) > 48:
            raise InputError(
                f"'{name}' is not a usable pack name: use lower-case letters, digits and "
                f"hyphens, starting with a letter (for example 'hip-flexors')"
            )
        return cls(
            slug=slug,
            distribution=f"{PREFIX}{slug}",
            package=f"glutekit_{slug.replace('-', '_')}",
            title=slug.replace("-", " ").capitalize(),
        )


def template_root(template: str = "starter") -> Traversable:
    folder = "template" if template == "starter" else f"template_{template}"
    return resources.files("glutekit.publish").joinpath(folder)


def new_pack(
    name: str,
    folder: Path | None = None,
    *,
    author: str | None = None,
    template: str = "starter",
) -> Path:
    """Create the package for pack ``name`` in ``folder`` (default: ``./NAME``).

    :param template: one of :data:`TEMPLATES`.
    :returns: the folder written.
    :raises InputError: for a bad name or template, or a folder that exists and is not empty.
    """
    if template not in TEMPLATES:
        raise InputError(f"no template '{template}': choose one of {', '.join(TEMPLATES)}")
    names = PackNames.from_name(name)
    target = Path(folder) if folder is not None else Path(name)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"{target}: already exists and is not empty; choose another --dir")
    context = {
        "slug": names.slug,
        "distribution": names.distribution,
        "package": names.package,
        "title": names.title,
        "author": author or "Your Name",
        "glutekit_version": ".".join(__version__.split(".")[:2]),
    }
    parent = target.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=parent))
    except OSError as exc:
        raise GlutekitError(f"{parent}: cannot create the package here: {exc.strerror}") from None
    try:
        _render_tree(template_root(), staging, context)
        if template != "starter":
            _render_tree(template_root(template), staging, context)
        if target.exists():
            target.rmdir()  # empty, checked above
        os.replace(staging, target)
    except OSError as exc:
        raise GlutekitError(f"{target}: cannot write the package: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _render_tree(source: Traversable, dest: Path, context: dict[str, str]) -> None:
    try:
        import jinja2
    except ImportError:
        from glutekit.errors import needs

        raise needs("jinja2", "jinja2", "The pack scaffold") from None

    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    for entry in source.iterdir():
        name = entry.name.replace("__package__", context["package"])
        name = name.replace("__slug__", context["slug"])
        if entry.is_dir():
            if name == "__pycache__":
                continue
            (dest / name).mkdir(exist_ok=True)
            _render_tree(entry, dest / name, context)
        elif name.endswith(".j2"):
            text = env.from_string(entry.read_text(encoding="utf-8")).render(context)
            (dest / name.removesuffix(".j2")).write_text(text, encoding="utf-8")
        elif not name.endswith((".pyc", ".pyo")):
            (dest / name).write_bytes(entry.read_bytes())
