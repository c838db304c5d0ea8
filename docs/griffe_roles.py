"""A griffe extension for the API page: Sphinx roles in docstrings become code.

The docstrings say ":class:`Session`" (read well in an editor and by Sphinx);
mkdocstrings would print the role as it is, so each role turns into `Session`.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):`~?([^`]+)`")


class SphinxRoles(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _ROLE.sub(r"`\1`", obj.docstring.value)


_RECORD = "glutekit.model.records.record"


class RecordsAreDataclasses(griffe.Extension):
    """``@record`` (:mod:`glutekit.model.records`) makes dataclasses: griffe's dataclass
    support lists their fields as the constructor's parameters, as for ``@dataclass``."""

    def on_class_instance(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        for decorator in cls.decorators:
            value = decorator.value
            call = isinstance(value, griffe.ExprCall)
            name = value.function if call else value
            if isinstance(name, griffe.ExprName) and name.canonical_path == _RECORD:
                cls.labels.add("dataclass")
                dataclass = griffe.ExprName("dataclass", parent="dataclasses")
                if call:
                    value.function = dataclass
                else:
                    decorator.value = dataclass
