"""The plugin host: loads the plugins and calls their hooks.

- :mod:`glutekit.host.plugins`: the plugin manager (:class:`~glutekit.host.plugins.PluginHost`,
  :func:`~glutekit.host.plugins.make_plugin_host`), what loaded and what failed.
- :mod:`glutekit.host.guard`: every import of a plugin and every hook call runs guarded.
- :mod:`glutekit.host.deferred`: Ctrl-C and SIGTERM held back around code that must not be
  interrupted.

The hooks themselves are specified in :mod:`glutekit.hookspecs`, what they return in
:mod:`glutekit.interfaces`.
"""
