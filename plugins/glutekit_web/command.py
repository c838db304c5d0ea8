"""``glutekit serve``: the session page, on this computer or the local network."""

from __future__ import annotations

import errno
import importlib
import socket
import sys
from typing import Any

import click

from glutekit.cli.app import App, pass_app
from glutekit.cli.voice_options import voice_options, voice_values
from glutekit.errors import GlutekitError, InputError
from glutekit_web.access import Gate, host_names, kind_of_address, lan_address, new_token

DEFAULT_PORT = 8765
WEB_STACK = ("starlette", "uvicorn", "segno")
INSTALL_HINT = "pip install 'glutekit[web]'"
EXPOSES = (
    "whoever reaches it with the token could start, pause and stop sessions, hear the "
    "coach and see your routines"
)


class WebExtraMissing(GlutekitError):
    exit_code = 1


def check_web_stack() -> None:
    """:raises WebExtraMissing: in one line naming what is missing and how to install it."""
    missing = [name for name in WEB_STACK if not _importable(name)]
    if missing:
        raise WebExtraMissing(
            f"glutekit serve needs the web extra ({', '.join(missing)} not installed): "
            f"{INSTALL_HINT}"
        )


def _importable(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def choose_address(host: str | None, lan: bool) -> str:
    """The address to listen on; only loopback without ``--lan``.

    :raises InputError: for the local network or a public address without ``--lan``.
    """
    if host is None:
        return "0.0.0.0" if lan else "127.0.0.1"
    kind = kind_of_address(host)
    if kind == "loopback" or lan:
        return host
    if kind == "public":
        raise InputError(
            f"refusing to listen on the public address {host} without --lan: {EXPOSES} "
            "from anywhere that address is reachable; use --lan only if you mean that"
        )
    raise InputError(
        f"listening on {host} opens the page to the local network: {EXPOSES}; "
        "add --lan if you mean that"
    )


def bind(address: str, port: int) -> socket.socket:
    """A listening socket, or one line saying why there is none."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address.strip("[]"), port))
        sock.listen(64)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise GlutekitError(
                f"port {port} on {address} is in use (another glutekit serve?); "
                "choose another with --port"
            ) from None
        if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
            raise InputError(f"{address} is not an address of this computer") from None
        if exc.errno == errno.EACCES:
            raise GlutekitError(
                f"not allowed to listen on port {port}; use a port above 1023 with --port"
            ) from None
        raise GlutekitError(f"cannot listen on {address} port {port}: {exc.strerror}") from None
    sock.setblocking(False)
    return sock


@click.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--lan",
    is_flag=True,
    help="Listen on the local network too, so a phone on the same Wi-Fi can open the page.",
)
@click.option(
    "--host",
    "address",
    metavar="ADDRESS",
    help="Listen on this address only (default: 127.0.0.1, or every address with --lan).",
)
@click.option(
    "--speed",
    type=click.FloatRange(min=0, min_open=True, max=1000),
    default=1.0,
    show_default=True,
    help="Play sessions faster, e.g. 60 plays 10 minutes in 10 s (for trying out).",
)
@click.option("--no-qr", is_flag=True, help="Print the address without the QR code.")
@click.option(
    "--listen",
    is_flag=True,
    help="Take spoken commands ('coach, pause' …) from this computer's microphone too, "
    "as 'glutekit run --listen' does.",
)
@voice_options
@pass_app
def serve(
    app: App,
    /,
    port: int,
    lan: bool,
    address: str | None,
    speed: float,
    no_qr: bool,
    listen: bool = False,
    **speech: Any,
) -> None:
    """Serve the session page: pick a routine on the phone, see the exercise, hear the
    coach, and pause, skip or stop with a tap.

    The page is on this computer only, unless --lan opens it to the local network.
    Every address needs the token printed below it (and in the QR code). The coach
    speaks on the phone or on this computer, as chosen on the page. Ctrl-C stops.
    """
    check_web_stack()
    values = voice_values(speech)
    listen_on = choose_address(address, lan)
    if lan and kind_of_address(listen_on) == "public":
        click.echo(
            f"glutekit: warning: {listen_on} is a public address: {EXPOSES} from anywhere "
            "it is reachable",
            err=True,
        )
    sock = bind(listen_on, port)
    port = sock.getsockname()[1]
    network = lan_address() if lan and kind_of_address(listen_on) == "any" else None
    shown = network or ("127.0.0.1" if kind_of_address(listen_on) == "any" else listen_on)
    token = new_token()
    url = f"http://{_url_host(shown)}:{port}/?token={token}"
    gate = Gate(token, host_names(listen_on, port, network))
    _announce(url, lan=lan, qr=not no_qr)
    _run_server(app, sock, gate, speed=speed, values=values, listen=listen)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _announce(url: str, *, lan: bool, qr: bool) -> None:
    click.echo(f"Session page: {url}")
    if qr:
        import segno

        code = segno.make(url, error="m")
        code.terminal(out=sys.stdout, compact=True)
    where = (
        "on the same network as this computer" if lan else "on this computer (--lan for a phone)"
    )
    click.echo(f"Open it {where}. The token in the address is the key: share it with no one.")
    click.echo("Ctrl-C stops the server.")
    sys.stdout.flush()


def _run_server(
    app: App,
    sock: socket.socket,
    gate: Gate,
    *,
    speed: float,
    values: dict[str, Any],
    listen: bool,
) -> None:
    import uvicorn

    from glutekit_web.app import CLOSING, build_app
    from glutekit_web.runner import SessionRunner

    runner = SessionRunner(
        app,
        speed=speed,
        values=values,
        # Keys in this terminal and voice commands drive the same controls as the page.
        interactive=sys.stdin.isatty() and sys.stdout.isatty(),
        inputs=("listen",) if listen else (),
    )
    config = uvicorn.Config(
        build_app(runner, gate),
        lifespan="off",
        log_level="warning",
        access_log=False,
        ws="none",
        http="h11",
        loop="asyncio",
        timeout_graceful_shutdown=2,
    )

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            # Event streams never end by themselves: tell them to, then stop as usual.
            runner._tell(CLOSING)
            super().handle_exit(sig, frame)

    server = Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn hands Ctrl-C on once it has stopped; it is how serve is stopped
    finally:
        runner.shutdown()
        sock.close()
    click.echo("Stopped the session page.")
