"""``glutekit config``, ``glutekit paths`` and ``glutekit cache``: where things live."""

from __future__ import annotations

import os
from typing import Any

import click

from glutekit.cli.output import Column, info, print_json, print_table


def _shown(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def _complete_key(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    from glutekit.config import SETTINGS

    return [k for k in SETTINGS if k.startswith(incomplete)]


@click.group()
def config() -> None:
    """Lasting preferences: voice, rate, volume, paper, outputs, voice cache size.

    They live in a TOML file in your config folder ('glutekit config path').
    An option on the command line wins, then its environment variable, then
    the config file, then the built-in default.

    \b
    Examples:
      glutekit config set rate 150
      glutekit config set paper letter
      glutekit config list
    """


def _warn(message: str) -> None:
    from glutekit.textcheck import safe

    click.echo(f"glutekit: warning: {safe(message)}", err=True)


def _read_and_warn(skip: str | None = None, *, editing: bool = False) -> Any:
    """The config file as far as it can be read; each problem is one warning.

    ``config`` keeps working on a broken file, so that it can be used to fix it: a bad
    setting counts as not set (and says how to mend it), a file that is not TOML at
    all counts as empty.
    """
    from glutekit import config as cfg
    from glutekit import paths

    loaded = cfg.read(paths.config_path())
    if editing:
        _refuse_unreadable(loaded)
    for key, problem in loaded.problems.items():
        if key is None or key != skip:
            _warn(problem + cfg.fix_hint(key))
    return loaded


def _unknown_outputs(values: dict[str, Any]) -> None:
    """Name outputs the config file asks for that no plugin offers (as 'run' would)."""
    if "output" not in values:
        return
    from glutekit import paths
    from glutekit.cli.app import App
    from glutekit.session import output_specs

    app = click.get_current_context().find_object(App)
    if app is None:
        return
    known = output_specs(app.host)
    for name in values["output"]:
        if name not in known:
            _warn(
                f"{paths.config_path()}: output: unknown output '{name}' (outputs: "
                f"{', '.join(sorted(known)) or 'none'}); 'glutekit run' will refuse it "
                "('glutekit config set output NAME' replaces it)"
            )


@config.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def config_list(as_json: bool) -> None:
    """Every setting, its value and where the value comes from."""
    from glutekit import config as cfg
    from glutekit import paths

    path = paths.config_path()
    loaded = _read_and_warn()
    _unknown_outputs(loaded.values)
    found = cfg.effective(loaded.values, path)
    if as_json:
        print_json([{"key": e.key, "value": e.value, "source": e.source} for e in found])
        return
    print_table(
        [Column(heading="Setting", no_wrap=True), "Value", "From", "Meaning"],
        [[e.key, _shown(e.value), e.source, cfg.SETTINGS[e.key].help] for e in found],
    )


@config.command("get")
@click.argument("key", shell_complete=_complete_key)
def config_get(key: str) -> None:
    """Print one setting's value (from the environment, the file or the default)."""
    from glutekit import config as cfg
    from glutekit import paths

    wanted = cfg.setting(key).key
    path = paths.config_path()
    found = next(e for e in cfg.effective(_read_and_warn().values, path) if e.key == wanted)
    click.echo(_shown(found.value))


@config.command("set")
@click.argument("key", shell_complete=_complete_key)
@click.argument("value")
def config_set(key: str, value: str) -> None:
    """Write a setting to the config file (checked first; comments are kept)."""
    from glutekit import config as cfg
    from glutekit import paths
    from glutekit.errors import InputError

    item = cfg.setting(key)
    try:
        parsed = item.parse(value)
    except ValueError as exc:
        raise InputError(f"{item.key}: {exc}") from None
    path = paths.config_path()
    _read_and_warn(skip=item.key, editing=True)  # this setting's own problem is mended
    cfg.write_setting(path, item.key, parsed)
    info(f"set {item.key} = {_shown(parsed)} in {path}")
    if item.env and os.environ.get(item.env):
        info(f"note: {item.env} is set, and wins over the config file")
    if item.key == "output":
        _say_what_goes_silent(parsed)


def _say_what_goes_silent(chosen: list[str]) -> None:
    """A list of outputs that leaves out the ones that speak mutes every later session."""
    from glutekit.cli.app import App
    from glutekit.session import output_specs

    app = click.get_current_context().find_object(App)
    if app is None:
        return
    speaking = [
        name for name, (_, spec) in output_specs(app.host).items() if spec.speaks and spec.default
    ]
    left_out = [name for name in speaking if name not in chosen]
    if left_out:
        info(
            f"note: this leaves out {', '.join(left_out)}, so every 'glutekit run' is silent "
            f"from now on; to keep the voice: glutekit config set output "
            f"{','.join([*chosen, *left_out])} (or glutekit config unset output)"
        )


@config.command("unset")
@click.argument("key", shell_complete=_complete_key)
def config_unset(key: str) -> None:
    """Remove a setting from the config file, so the default applies again."""
    from glutekit import config as cfg
    from glutekit import paths

    path = paths.config_path()
    loaded = cfg.read(path)
    # A key the file has is removed even when glutekit does not know it: that is the fix.
    name = key if key in loaded.keys and key not in cfg.SETTINGS else cfg.setting(key).key
    loaded = _read_and_warn(skip=name, editing=True)
    if name in loaded.keys:
        cfg.write_setting(path, name, None)
        info(f"removed {name} from {path}")
    else:
        info(f"{name} was not set in {path}")


def _refuse_unreadable(loaded: Any) -> None:
    """A file that is not TOML cannot be changed setting by setting: say how to fix it."""
    from glutekit.errors import InputError

    if not loaded.readable:
        raise InputError(
            f"{loaded.problems[None]}; it was left as it is (fix it in a text editor, or "
            "move it away and set the values again)"
        )


@config.command("path")
def config_path() -> None:
    """Print where the config file is (it may not exist yet)."""
    from glutekit import paths

    click.echo(str(paths.config_path()))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def paths(as_json: bool) -> None:
    """Every folder and file glutekit uses, and the variable that moves it."""
    from glutekit import paths as where

    found = where.places()
    if as_json:
        print_json(
            {p.name: {"path": str(p.path), "variable": p.variable, "what": p.what} for p in found}
        )
        return
    print_table(
        [Column(heading="What", no_wrap=True), "Path", Column(heading="Moved by", no_wrap=True)],
        [[p.name, str(p.path), p.variable] for p in found],
    )


@click.group()
def cache() -> None:
    """The voice cache (spoken cues as WAV), the validation cache and the compiled catalog.

    The voice cache keeps itself under a size cap (setting voice_cache_mb,
    default 200 MB) by removing the cues used least recently.
    """


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


@cache.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def cache_info(as_json: bool) -> None:
    """Size and place of each cache, and the voice cache's cap."""
    from glutekit import config as cfg
    from glutekit import paths as where
    from glutekit.caches import folders as caches

    voice_dir = where.voice_cache_dir()
    voice = caches.usage(voice_dir, "*.wav")
    valid = where.validation_cache_path()
    try:
        valid_bytes = valid.stat().st_size if valid.is_file() else 0
    except OSError:
        valid_bytes = 0
    catalog_dir = where.catalog_cache_dir()
    # .pickle: compiled catalogs of earlier versions, which 'cache clear' removes too.
    current, earlier = caches.usage(catalog_dir, "*.sqlite"), caches.usage(catalog_dir, "*.pickle")
    compiled = caches.Usage(
        files=current.files + earlier.files, bytes=current.bytes + earlier.bytes
    )
    limit = cfg.voice_cache_bytes()
    if as_json:
        print_json(
            {
                "voice": {
                    "path": str(voice_dir),
                    "files": voice.files,
                    "bytes": voice.bytes,
                    "limit_bytes": limit,
                },
                "validation": {"path": str(valid), "bytes": valid_bytes},
                "catalog": {
                    "path": str(catalog_dir),
                    "files": compiled.files,
                    "bytes": compiled.bytes,
                },
            }
        )
        return
    print_table(
        [
            Column(heading="Cache", no_wrap=True),
            Column(heading="Files", justify="right"),
            Column(heading="Size", justify="right", no_wrap=True),
            Column(heading="Cap", justify="right", no_wrap=True),
            "Path",
        ],
        [
            ["voice", str(voice.files), _mb(voice.bytes), _mb(limit), str(voice_dir)],
            ["validation", "1" if valid_bytes else "0", _mb(valid_bytes), "-", str(valid)],
            ["catalog", str(compiled.files), _mb(compiled.bytes), "-", str(catalog_dir)],
        ],
    )


@cache.command("clear")
def cache_clear() -> None:
    """Delete the cached voice cues, validation results and compiled catalogs.

    Each is rebuilt when needed. Only files glutekit wrote are deleted: a cache
    folder that is a symbolic link, or that holds files glutekit did not make, is
    left as it is (one line says which).
    """
    from glutekit import paths as where
    from glutekit.caches import folders as caches
    from glutekit.catalog.validcache import looks_like_ours
    from glutekit.cli.app import warn
    from glutekit.errors import GlutekitError

    root = where.cache_dir()
    if root.exists() and not root.is_dir():
        variable = f" ({where.ENV_CACHE_DIR})" if os.environ.get(where.ENV_CACHE_DIR) else ""
        raise GlutekitError(f"the cache folder {root}{variable} is not a folder; nothing removed")
    voice = caches.clear(where.voice_cache_dir(), caches.VOICE)
    valid = caches.clear_file(where.validation_cache_path(), looks_like_ours)
    compiled = caches.clear(where.catalog_cache_dir(), caches.CATALOG)
    for what, result in (("voice", voice), ("validation", valid), ("catalog", compiled)):
        if result.refused:
            warn(f"left the {what} cache alone: {result.refused}")
    info(
        f"removed {voice.files} voice cue(s) ({_mb(voice.bytes)}), "
        f"{_mb(valid.bytes)} of validation results "
        f"and {compiled.files} compiled catalog(s) ({_mb(compiled.bytes)})"
    )
