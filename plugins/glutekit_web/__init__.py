"""The session page for the phone: ``glutekit serve``.

A small web server on this machine (localhost, or the local network with ``--lan``)
serves one page: the routines, the session as it plays (exercise, side, figure, time
left, next up), big buttons to pause, go back, skip and stop, the coach's voice on the
phone if wanted, and the pain and effort questions after. Every address needs the
random token printed with the address and in the QR code.

The web stack (Starlette, uvicorn, segno) is the ``web`` extra; it is imported only
when ``glutekit serve`` runs, so glutekit without it works as before and ``serve``
says in one line how to install it.
"""

from __future__ import annotations

from collections.abc import Iterable

import glutekit
from glutekit.interfaces import CommandSpec


@glutekit.hookimpl
def glutekit_commands() -> Iterable[CommandSpec]:
    return [
        CommandSpec(
            name="serve",
            description="Serve the session page for a phone: see, hear and pause from the floor.",
            load="glutekit_web.command:serve",
        )
    ]
