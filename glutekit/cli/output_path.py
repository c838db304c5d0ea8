"""The ``-o FILE`` option type shared by every command that writes a file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # click 8.2+ types ParamType as generic; 8.1 cannot subscript it
    _ParamType = click.ParamType[Path]
else:
    _ParamType = click.ParamType


class OutputPath(_ParamType):
    """A file to write: a path, ``-`` for standard output, or a device such as /dev/null.

    An empty value is refused here; a folder is refused when writing (see glutekit.atomic).
    """

    name = "file"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        if isinstance(value, Path):
            return value
        text = str(value)
        if not text.strip():
            self.fail("the output path is empty; give a file name, or - for standard output")
        return Path(text)


OUTPUT_PATH = OutputPath()
