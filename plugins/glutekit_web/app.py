"""The web application: the page, its files, the event stream and the controls (Starlette).

Imported only by ``glutekit serve``, once the web extra is known to be installed.
Every request passes :class:`Guard` first; what is served is a fixed list of the
package's own files, the pictures the packs declare (found by exercise id and number,
never by a path from the request) and the session's rendered speech (by number).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from glutekit.errors import GlutekitError, InputError
from glutekit_web.access import Gate
from glutekit_web.runner import Busy, SessionRunner

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The page's own files: name -> media type. Nothing else under static/ is served.
STATIC = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
PICTURES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}
#: Sent with every answer: the page loads only its own files and is never framed.
HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        b"media-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        b"frame-ancestors 'none'",
    ),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
]
#: A pack's SVG opened on its own runs no script and loads nothing.
PICTURE_POLICY = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
KEEP_ALIVE = 15.0
CLOSING = {"event": "closing"}


class Guard:
    """Answers 403 to any request without the token, from another origin or to another host."""

    def __init__(self, app: ASGIApp, gate: Gate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope.get("headers", [])
        }
        if scope["type"] != "http" or not self.gate.allows(scope.get("query_string", b""), headers):
            await _forbidden(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _forbidden(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    text = "403 forbidden: open the address glutekit serve printed, with its token\n"
    await PlainTextResponse(text, status_code=403)(scope, receive, send)


def _static(name: str) -> bytes:
    return resources.files("glutekit_web").joinpath("static").joinpath(name).read_bytes()


def build_app(runner: SessionRunner, gate: Gate) -> ASGIApp:
    """The whole application, behind its :class:`Guard`."""

    async def page(request: Request) -> Response:
        # The page's own files need the token too; the guard has checked this one.
        html = _static("index.html").replace(b"{{token}}", gate.token.encode("ascii"))
        return Response(html, media_type="text/html; charset=utf-8")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return PlainTextResponse("not found", status_code=404)
        return Response(_static(name), media_type=STATIC[name])

    async def routines(request: Request) -> Response:
        found = await asyncio.to_thread(runner.routines)
        program = await asyncio.to_thread(runner.program)
        return JSONResponse({"routines": found, "program": program})

    async def state(request: Request) -> Response:
        return JSONResponse(runner.snapshot())

    async def start(request: Request) -> Response:
        body = await _json_body(request)
        pain = _score(body.get("pain_before"), "pain")
        sound = body.get("sound", "phone")
        if body.get("program") is True:
            # The program under way's next session: reads the history, off the loop.
            await asyncio.to_thread(runner.start_program, sound=sound, pain_before=pain)
        else:
            runner.start(
                str(body.get("routine", "")),
                sound=sound,
                resume=bool(body.get("resume", False)),
                pain_before=pain,
            )
        return JSONResponse({"ok": True}, status_code=202)

    async def control(request: Request) -> Response:
        runner.control(request.path_params["action"])
        return JSONResponse({"ok": True})

    async def answer(request: Request) -> Response:
        body = await _json_body(request)
        pain = _score(body.get("pain"), "pain")
        effort = _score(body.get("effort"), "effort")
        red_flag = body.get("red_flag")
        if red_flag is not None and not isinstance(red_flag, bool):
            raise InputError("red_flag is true or false")
        program = await asyncio.to_thread(
            runner.answer, pain=pain, effort=effort, red_flag=red_flag
        )
        return JSONResponse({"ok": True, "program": program})

    async def events(request: Request) -> Response:
        return StreamingResponse(
            _event_source(runner),
            media_type="text/event-stream",
            headers={"x-accel-buffering": "no"},
        )

    async def figure(request: Request) -> Response:
        exercise = runner.app.catalog.exercises.get(request.path_params["exercise"])
        if exercise is None:
            return PlainTextResponse("not found", status_code=404)
        if exercise.figure:
            return _picture(Path(exercise.figure))
        markup = _stick_figure(exercise)
        if markup is None:
            return PlainTextResponse("not found", status_code=404)
        return Response(markup, media_type="image/svg+xml")

    async def image(request: Request) -> Response:
        exercise = runner.app.catalog.exercises.get(request.path_params["exercise"])
        n = request.path_params["n"]
        if exercise is None or not 0 <= n < len(exercise.images):
            return PlainTextResponse("not found", status_code=404)
        return _picture(Path(exercise.images[n].path))

    async def audio(request: Request) -> Response:
        clips = runner.clips()
        n = request.path_params["n"]
        path = runner.clip_path(clips[n]) if 0 <= n < len(clips) else None
        if path is None or not path.is_file():
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(path, media_type="audio/wav")

    routes = [
        Route("/", page),
        Route("/static/{name}", static),
        Route("/api/routines", routines),
        Route("/api/state", state),
        Route("/api/start", start, methods=["POST"]),
        Route("/api/control/{action}", control, methods=["POST"]),
        Route("/api/answer", answer, methods=["POST"]),
        Route("/api/events", events),
        Route("/figure/{exercise}", figure),
        Route("/image/{exercise}/{n:int}", image),
        Route("/audio/{n:int}", audio),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={GlutekitError: _error_answer},  # type: ignore[dict-item]
    )
    return Guard(app, gate)


async def _error_answer(request: Request, exc: GlutekitError) -> Response:
    status = 409 if isinstance(exc, Busy) else 404 if "unknown routine" in str(exc) else 400
    return JSONResponse({"error": str(exc)}, status_code=status)


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise InputError("the request is not JSON") from None
    if not isinstance(body, dict):
        raise InputError("the request must be a JSON object")
    return body


def _score(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InputError(f"{name} is a number from 0 to 10")
    try:
        number = int(value)
    except ValueError:
        raise InputError(f"{name} is a number from 0 to 10") from None
    if not 0 <= number <= 10:
        raise InputError(f"{name} is a number from 0 to 10")
    return number


def _picture(path: Path) -> Response:
    """A picture a pack declares: only a file of a picture type, and inert when opened alone."""
    media = PICTURES.get(path.suffix.lower())
    if media is None or not path.is_file():
        return PlainTextResponse("not found", status_code=404)
    return FileResponse(path, media_type=media, headers={"content-security-policy": PICTURE_POLICY})


def _stick_figure(exercise: Any) -> str | None:
    try:
        from glutekit_cards.figures import choose_figure, svg
    except ImportError:  # the cards plugin is not installed: no drawing
        return None
    equipment = frozenset(item for need in exercise.equipment for item in need)
    return svg(choose_figure(exercise.position, equipment=equipment), size=240)


async def _event_source(runner: SessionRunner) -> AsyncIterator[str]:
    """Server-Sent Events: where things stand, then every event as it happens."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def push(message: dict[str, Any]) -> None:
        # RuntimeError: the loop is closed, the server is stopping; nobody listens any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(queue.put_nowait, message)

    unsubscribe = runner.subscribe(push)
    try:
        yield _sse(runner.snapshot())
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), KEEP_ALIVE)
            except asyncio.TimeoutError:
                yield ": still here\n\n"
                continue
            yield _sse(message)
            if message is CLOSING:
                return  # the server is stopping: end the stream so it can
    finally:
        unsubscribe()


def _sse(message: dict[str, Any]) -> str:
    return f"data: {json.dumps(message, ensure_ascii=False)}\n\n"
