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
