"""``glutekit install`` and ``glutekit uninstall``: plugins, into glutekit's own environment.

People who installed glutekit with pipx, or into a virtual environment, would
otherwise have to find that environment to add a pack. These commands run pip
with the very Python that runs glutekit.
"""

from __future__ import annotations

import subprocess
import sys

import click

from glutekit.errors import GlutekitError


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
    _need_pip()
    args = ["install"]
    if upgrade:
        args.append("--upgrade")
    if force_reinstall:
        args.append("--force-reinstall")
    if no_cache_dir:
        args.append("--no-cache-dir")
    if editable:
        args += ["--editable", editable]
    _pip([*args, *packages])


@click.command()
@click.argument("packages", nargs=-1, required=True, metavar="PACKAGE...")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def uninstall(packages: tuple[str, ...], yes: bool) -> None:
    """Remove plugin packages from the environment glutekit runs in."""
    _need_pip()
    if "glutekit" in {p.lower() for p in packages}:
        raise GlutekitError("glutekit cannot uninstall itself; remove it the way you installed it")
    _pip(["uninstall", *(["--yes"] if yes else []), *packages])
