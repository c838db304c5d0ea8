"""``glutekit install`` and ``glutekit uninstall``: plugins, into glutekit's own environment.

People who installed glutekit with pipx, or into a virtual environment, would
otherwise have to find that environment to add a pack. These commands run pip
with the very Python that runs glutekit.
"""

from __future__ import annotations

import re
import subprocess
import sys

import click

from glutekit.errors import GlutekitError, InputError

_NAME = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")


def _pip(args: list[str]) -> None:
    command = [sys.executable, "-m", "pip", *args]
    from glutekit.cli.output import detail

    detail("running " + " ".join(command))
    try:
        code = subprocess.call(command)
    except OSError as exc:
        raise GlutekitError(f"cannot run pip with {sys.executable}: {exc}") from None
    if code != 0:
        raise click.exceptions.Exit(code)


def _no_options(values: tuple[str, ...], what: str) -> None:
    """Refuse anything pip would read as an option: glutekit never passes one through."""
    for value in values:
        if value.startswith("-"):
            raise InputError(
                f"{what} '{value}' starts with '-'; glutekit passes no options of yours "
                f"to pip (for a folder or file named so, write ./{value})"
            )


def canonical(name: str) -> str:
    """A project name as pip compares them: case and runs of '-', '_', '.' do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_names(requirements: list[str] | None) -> list[str]:
    names = []
    for text in requirements or ():
        if re.search(r"\bextra\s*==", text):
            continue  # an optional extra (tests, listening): not needed to run
        found = _NAME.match(text)
        if found:
            names.append(canonical(found.group(1)))
    return names


def needed_by_glutekit() -> set[str]:
    """glutekit and every package it depends on, directly or through another one."""
    from importlib import metadata

    needed = {"glutekit"}
    todo = ["glutekit"]
    while todo:
        try:
            requires = metadata.requires(todo.pop())
        except metadata.PackageNotFoundError:
            continue
        for name in _requirement_names(requires):
            if name not in needed:
                needed.add(name)
                todo.append(name)
    return needed


def _has_pip() -> bool:
    import importlib.util

    return importlib.util.find_spec("pip") is not None


def _need_pip() -> None:
    if not _has_pip():
        raise GlutekitError(
            f"pip is not available in glutekit's environment ({sys.executable}); "
            f"add it with '{sys.executable} -m ensurepip', or install plugins the way "
            "you installed glutekit (for pipx: 'pipx inject glutekit PACKAGE')"
        )


@click.command()
@click.argument("packages", nargs=-1, required=True, metavar="PACKAGE...")
@click.option("-U", "--upgrade", is_flag=True, help="Upgrade the packages to their newest version.")
@click.option(
    "-e", "--editable", metavar="PATH", help="Install a plugin from a folder in editable mode."
)
@click.option("--force-reinstall", is_flag=True, help="Reinstall even if already up to date.")
@click.option("--no-cache-dir", is_flag=True, help="Do not use pip's download cache.")
def install(
    packages: tuple[str, ...],
    upgrade: bool,
    editable: str | None,
    force_reinstall: bool,
    no_cache_dir: bool,
) -> None:
    """Install plugin packages into the environment glutekit runs in.

    PACKAGE is anything pip accepts: a name from PyPI (glutekit-hip-flexors),
    a folder, a wheel file or a URL. Works the same whether glutekit came from
    pipx, a virtual environment or a system install.

    \b
    Examples:
      glutekit install glutekit-hip-flexors
      glutekit install ./my-pack
    """
    _no_options(packages, "PACKAGE")
    _no_options((editable,) if editable else (), "--editable")
    _need_pip()
    args = ["install"]
    if upgrade:
        args.append("--upgrade")
    if force_reinstall:
        args.append("--force-reinstall")
    if no_cache_dir:
        args.append("--no-cache-dir")
    if editable:
        args.append(f"--editable={editable}")
    # After '--' pip takes every argument as a package, whatever it looks like.
    _pip([*args, "--", *packages])


@click.command()
@click.argument("packages", nargs=-1, required=True, metavar="PACKAGE...")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def uninstall(packages: tuple[str, ...], yes: bool) -> None:
    """Remove plugin packages from the environment glutekit runs in.

    PACKAGE is a package's name. glutekit itself and the packages it needs
    cannot be removed this way.
    """
    _no_options(packages, "PACKAGE")
    needed = needed_by_glutekit()
    for package in packages:
        found = _NAME.match(package)
        if not found:
            raise InputError(f"PACKAGE '{package}' is not a package name")
        name = canonical(found.group(1))
        if name == "glutekit":
            raise GlutekitError(
                "glutekit cannot uninstall itself; remove it the way you installed it"
            )
        if name in needed:
            raise GlutekitError(
                f"'{package}' is not uninstalled: glutekit needs it to run "
                "(only plugins can be removed with 'glutekit uninstall')"
            )
        plugin = _plugin_distribution(name)
        if plugin is None:
            raise GlutekitError(f"'{package}' is not installed here; nothing was removed")
        if not plugin:
            raise GlutekitError(
                f"'{package}' is not a glutekit plugin (it adds nothing to glutekit); "
                "only plugins can be removed with 'glutekit uninstall'"
            )
    if not yes and not sys.stdin.isatty():
        raise InputError(
            "uninstall asks before it removes anything: add --yes to run it unattended"
        )
    _need_pip()
    _pip(["uninstall", *(["--yes"] if yes else []), "--", *packages])


#: The entry-point groups through which a distribution adds to glutekit.
PLUGIN_GROUPS = ("glutekit", "glutekit.speech_backends")


def _plugin_distribution(name: str) -> bool | None:
    """Whether the installed distribution ``name`` is a glutekit plugin; None if absent."""
    from importlib import metadata

    for dist in metadata.distributions():
        if canonical(dist.metadata["Name"] or "") != name:
            continue
        return any(ep.group in PLUGIN_GROUPS for ep in dist.entry_points)
    return None
