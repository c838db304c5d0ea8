"""Tools for pack publishers, in one place.

- :mod:`glutekit.publish.checks`: the conformance checks behind ``glutekit check-pack``;
- :mod:`glutekit.publish.subject`: what is being checked (a file, folder or module);
- :mod:`glutekit.publish.scaffold` and ``template/``: ``glutekit new-pack``;
- :mod:`glutekit.publish.testing`: the checks from a pack's own pytest, imported by
  publishers as :mod:`glutekit.testing`.
"""
