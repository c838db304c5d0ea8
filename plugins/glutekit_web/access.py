"""Who may use the page: the token, the origin, and where the server may listen.

Every request, the page's own files and the event stream included, must carry the
token (in the address, ``?token=``, or the ``X-Glutekit-Token`` header). A request a
browser sends from another site carries an ``Origin`` that is not the server's own
and is refused even with the token; so is a ``Host`` the server does not answer to,
which is how a web page that renames itself to this machine (DNS rebinding) would
reach it. Nothing here imports the web stack.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import socket
from collections.abc import Iterable
from urllib.parse import parse_qs

TOKEN_HEADER = "x-glutekit-token"


def new_token() -> str:
    """A random token: 128 bits, safe in an address and a QR code."""
    return secrets.token_urlsafe(16)


def token_matches(given: str | None, token: str) -> bool:
    """Constant-time comparison, so the time taken tells nothing about the token."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8"))


def token_of(query_string: bytes, headers: dict[str, str]) -> str | None:
    header = headers.get(TOKEN_HEADER)
    if header:
        return header
    values = parse_qs(query_string.decode("latin-1")).get("token")
    return values[0] if values else None


class Gate:
    """Decides, for each request, whether it may be answered."""

    def __init__(self, token: str, hosts: Iterable[str]) -> None:
        self.token = token
        #: ``host:port`` values the server answers to (lower case).
        self.hosts = {host.lower() for host in hosts}

    def allows(self, query_string: bytes, headers: dict[str, str]) -> bool:
        host = headers.get("host", "").lower()
        if host not in self.hosts:
            return False
        origin = headers.get("origin")
        if origin is not None and origin.lower() != f"http://{host}":
            return False
        return token_matches(token_of(query_string, headers), self.token)


# ----------------------------------------------------------------------------- addresses


def kind_of_address(host: str) -> str:
    """ "loopback", "private" (a local network, link-local too) or "public"."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return "loopback" if host.lower() == "localhost" else "public"
    if address.is_loopback:
        return "loopback"
    if address.is_unspecified:
        return "any"
    if address.is_private or address.is_link_local:
        return "private"
    return "public"


def lan_address() -> str | None:
    """This machine's address on its local network, as other devices there reach it.

    Asks the routing table which interface would be used for a private address; a
    UDP socket that is only connected sends nothing.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.254.254.254", 9))
        found = str(probe.getsockname()[0])
    except OSError:
        return None
    finally:
        probe.close()
    return found if kind_of_address(found) == "private" else None


def host_names(bound: str, port: int, lan: str | None) -> list[str]:
    """The ``Host`` header values a browser sends to this server."""
    names = {bound}
    if kind_of_address(bound) in ("loopback", "any"):
        names |= {"127.0.0.1", "localhost", "[::1]"}
    if lan:
        names.add(lan)
    return [f"{name}:{port}" for name in sorted(names) if kind_of_address(name) != "any"]
