"""glutekit's cache folders and the small results kept in them.

:mod:`glutekit.caches.folders` owns what a cache folder may hold and how it is
cleared, capped and marked; :mod:`glutekit.caches.kept` keeps small answers (routine
lengths, print scales, the installed plugins) that cost more to work out than to
look up. Both stand below the catalog and the plugin host, which use them.
"""
