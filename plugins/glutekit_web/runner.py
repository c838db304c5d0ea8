"""The sessions the page starts: one at a time, prepared and played on a thread of their own.

It goes through the same steps as ``glutekit run``: :func:`glutekit.session.prepare`,
the same history (``--resume`` and the pain questions included) and the same
controls object, so a pause from the page, the keyboard or a voice command is one
pause. What the page is told comes from the session's event stream. Nothing here
imports the web stack, so it is tested without a server.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from glutekit.errors import GlutekitError, InputError, UnknownId
from glutekit.session.events import StreamEvent, segment_json

if TYPE_CHECKING:
    from glutekit.cli.app import App
    from glutekit.cli.program_session import PendingSession
    from glutekit.model import Routine, Timeline
    from glutekit.session import Session
    from glutekit.session.history import SessionHistory

Sound = Literal["phone", "computer", "off"]
SOUNDS: tuple[Sound, ...] = ("phone", "computer", "off")
ACTIONS = ("pause", "resume", "toggle", "skip", "back", "stop")
Listener = Callable[[dict[str, Any]], None]


class Busy(GlutekitError):
    exit_code = 1


class SessionRunner:
    """Starts, drives and reports the page's sessions."""

    def __init__(
        self,
        app: App,
        *,
        speed: float = 1.0,
        values: dict[str, Any] | None = None,
        interactive: bool = False,
        inputs: tuple[str, ...] = (),
        report: Callable[[str], None] | None = None,
    ) -> None:
        self.app = app
        self.inputs = inputs
        self.speed = speed
        self.values = dict(values or {})
        self.interactive = interactive
        self.report = report
        self.state = "idle"  # idle, preparing, playing, paused, finished
        self.session: Session | None = None
        self.sound: Sound = "off"
        self.error: str | None = None
        self.last: dict[str, Any] | None = None
        self.finished: dict[str, Any] | None = None
        self._history: SessionHistory | None = None
        #: The program session being played, from start until it is logged.
        self._program: PendingSession | None = None
        self._thread: threading.Thread | None = None
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()
        self._routines: list[dict[str, Any]] | None = None

    # ------------------------------------------------------------------ listeners

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _tell(self, message: dict[str, Any]) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(message)

    # ------------------------------------------------------------------ what the page lists

    def routines(self) -> list[dict[str, Any]]:
        """Every routine the catalog has, with its length and whether it can be resumed."""
        if self._routines is None:
            from glutekit.timeline import compile

            catalog = self.app.catalog
            found = []
            for rid, routine in sorted(catalog.routines.items(), key=lambda r: r[1].title):
                try:
                    seconds = compile(routine, catalog).duration
                except GlutekitError:
                    continue
                found.append(
                    {
                        "id": rid,
                        "title": routine.title,
                        "description": routine.description,
                        "minutes": max(1, round(seconds / 60)),
                    }
                )
            self._routines = found
        resumable = self._resumable()
        return [{**r, "resumable": r["id"] in resumable} for r in self._routines]

    def program(self) -> dict[str, Any] | None:
        """The program under way, as ``glutekit program today`` sees it (None when none).

        A program the rules stopped is listed too, with its reason and warning signs,
        so the page can say why there is nothing to start.
        """
        from glutekit.cli.program_session import program_card
        from glutekit.timeline import compile

        card = program_card(self.app)
        if card is None or card["state"] != "active":
            return card
        data = card.pop("routine")
        card["routine_title"] = data["title"]
        try:
            routine = self.app.catalog.load_routine_data(data, "<program session>")
            card["minutes"] = max(1, round(compile(routine, self.app.catalog).duration / 60))
        except GlutekitError:
            card["minutes"] = None
        return card

    def _resumable(self) -> set[str]:
        """Routines whose last session was stopped before the end (what ``--resume`` takes)."""
        from glutekit.history.db import HistoryDB

        try:
            db = HistoryDB.open_existing()
        except GlutekitError:
            return set()
        if db is None:
            return set()
        try:
            last: dict[str, str] = {}
            for row in db.sessions():
                if row.status != "running":
                    last[row.routine_id] = row.status
        finally:
            db.close()
        return {rid for rid, status in last.items() if status in ("interrupted", "quit")}

    # ------------------------------------------------------------------ starting

    def start(
        self, routine_id: str, *, sound: Sound, resume: bool = False, pain_before: int | None = None
    ) -> None:
        """Prepare and play ``routine_id`` on a thread; progress goes to the listeners.

        :raises Busy: while another session is being prepared or played.
        :raises InputError: for a routine that does not exist or a bad answer.
        """
        self._check(sound, pain_before)
        with self._lock:
            self._check_idle()
            routine = self.app.catalog.routines.get(routine_id)
            if routine is None:
                # Only ids the catalog lists: a path from the page is never opened.
                raise UnknownId(f"unknown routine {routine_id!r}")
            self._begin(routine, sound, resume, pain_before, None)
        self._tell({"event": "preparing", "routine": routine_id, "sound": sound})

    def start_program(self, *, sound: Sound, pain_before: int | None = None) -> None:
        """Play the next session of the program under way, as ``glutekit program run`` does.

        The same routine at the same level, with the same warning signs; once it has
        finished, :meth:`answer` logs it for the program.

        :raises Busy: while another session is being prepared or played.
        :raises InputError: when no program is under way, or it stopped or finished.
        """
        from glutekit.cli.program_session import next_session

        self._check(sound, pain_before)
        with self._lock:
            self._check_idle()
            pending = next_session(self.app)
            routine = self.app.catalog.load_routine_data(pending.routine_data, "<program session>")
            self._begin(routine, sound, False, pain_before, pending)
        self._tell(
            {
                "event": "preparing",
                "routine": routine.id,
                "sound": sound,
                "program": self._program_info(pending),
            }
        )

    @staticmethod
    def _check(sound: str, pain_before: int | None) -> None:
        if sound not in SOUNDS:
            raise InputError(f"sound must be one of {', '.join(SOUNDS)}, not {sound!r}")
        if pain_before is not None and not 0 <= pain_before <= 10:
            raise InputError("pain is a number from 0 to 10")

    def _check_idle(self) -> None:
        if self.state in ("preparing", "playing", "paused"):
            raise Busy("a session is already on; stop it first")

    def _begin(
        self,
        routine: Routine,
        sound: Sound,
        resume: bool,
        pain_before: int | None,
        pending: PendingSession | None,
    ) -> None:
        """With the lock held: play ``routine`` on a thread of its own."""
        self._close_history()
        self.state, self.sound, self.error = "preparing", sound, None
        self.session, self.last, self.finished = None, None, None
        self._program = pending
        self._thread = threading.Thread(
            target=self._prepare_and_play,
            args=(routine, sound, resume, pain_before),
            name="glutekit-web-session",
            daemon=True,
        )
        self._thread.start()

    @staticmethod
    def _program_info(pending: PendingSession | None) -> dict[str, Any] | None:
        if pending is None:
            return None
        return {"session": pending.number + 1, "screens": pending.screens}

    def _prepare_and_play(
        self, routine: Routine, sound: Sound, resume: bool, pain_before: int | None
    ) -> None:
        try:
            session = self._prepare(routine, sound, resume, pain_before)
        except GlutekitError as exc:
            self._failed(str(exc))
            return
        except Exception as exc:  # one line for the page, never a dead thread
            self._failed(f"the session could not start: {type(exc).__name__}: {exc}")
            return
        result = session.play()
        with self._lock:
            summary = result.summary
            self.state = "finished"
            self.finished = {
                "status": summary.status,
                "elapsed": summary.elapsed,
                "completed": len(summary.completed),
                "skipped": len(summary.skipped),
            }

    def _prepare(
        self, routine: Routine, sound: Sound, resume: bool, pain_before: int | None
    ) -> Session:
        from glutekit.session import HistoryOptions, SessionOptions, prepare

        options = SessionOptions(
            speed=self.speed,
            voice=sound != "off",
            interactive=self.interactive,
            inputs=self.inputs,
            values=dict(self.values),
            plays_here=sound == "computer",
            # The page shows the whole timeline at the start: it is laid out in full first.
            speak_ahead=False,
            # The page asks for pain after the session, then closes its history.
            history=HistoryOptions(resume=resume, pain_before=pain_before, finish_on_end=False),
        )
        session = prepare(
            routine, host=self.app.host, catalog=self.app.catalog, options=options, report=_warn
        )
        # The page can always go on after a pause, so steps that wait for the user wait.
        session.controls.waits = True
        session.events.subscribe(self._on_event)
        with self._lock:
            self.session, self._history = session, session.history
            self.state = "playing"
        self._tell({"event": "ready", "session": self.session_info()})
        return session

    def _failed(self, message: str) -> None:
        with self._lock:
            self.state, self.error = "idle", message
            self._close_history()
        self._tell({"event": "error", "message": message})

    def _on_event(self, event: StreamEvent) -> None:
        data = event.to_json()
        with self._lock:
            if event.name == "paused":
                self.state = "paused"
            elif event.name == "resumed":
                self.state = "playing"
            if event.segment is not None:
                self.last = {"segment": event.segment.index, "position": event.position}
            elif self.last is not None:
                self.last = {**self.last, "position": event.position}
        self._tell(data)

    # ------------------------------------------------------------------ during the session

    def control(self, action: str) -> None:
        """Pause, resume, toggle, skip, back or stop: through the session's own controls."""
        if action not in ACTIONS:
            raise InputError(f"unknown control {action!r} (one of {', '.join(ACTIONS)})")
        with self._lock:
            session = self.session
            if session is None or self.state not in ("playing", "paused"):
                raise Busy("no session is playing")
        controls = session.controls
        {
            "pause": controls.pause,
            "resume": controls.resume,
            "toggle": controls.toggle_pause,
            "skip": controls.skip,
            "back": controls.back,
            "stop": controls.quit,
        }[action]()

    def session_info(self) -> dict[str, Any] | None:
        """The session's timeline as the page shows it: every segment, with names and pictures."""
        session = self.session
        if session is None:
            return None
        found = timeline_json(session.timeline, self.app, self.speed, self.clips(), self.sound)
        found["program"] = self._program_info(self._program)
        return found

    def clips(self) -> list[str]:
        """The texts the phone can play, in the order the session says them first."""
        session = self.session
        if session is None or self.sound != "phone":
            return []
        texts = dict.fromkeys(c.text for c in session.timeline.cues if c.text.strip())
        return [text for text in texts if self.clip_path(text) is not None]

    def clip_path(self, text: str) -> Path | None:
        from glutekit.interfaces import SpeechClips

        session = self.session
        if session is None:
            return None
        for _, output in session.outputs:
            if isinstance(output, SpeechClips):
                found = output.clip(text)
                if found is not None:
                    return found
        return None

    def snapshot(self) -> dict[str, Any]:
        """Where things stand, for a page that connects (or reconnects) now."""
        with self._lock:
            return {
                "event": "state",
                "state": self.state,
                "error": self.error,
                "session": self.session_info() if self.state != "idle" else None,
                "last": self.last,
                "finished": self.finished,
            }

    # ------------------------------------------------------------------ after the session

    def answer(
        self, *, pain: int | None, effort: int | None, red_flag: bool | None = None
    ) -> dict[str, Any] | None:
        """The page's answers after a session: pain (0-10) and effort (0-10), either optional.

        After a program session, the answers (and ``red_flag``, whether one of the
        program's warning signs has appeared; no answer is no) are logged for the
        program as ``glutekit program run`` logs them; what the rules decided is returned.
        """
        for name, value in (("pain", pain), ("effort", effort)):
            if value is not None and not 0 <= value <= 10:
                raise InputError(f"{name} is a number from 0 to 10")
        with self._lock:
            history = self._history
            if self.state != "finished" or history is None:
                raise Busy("there is no finished session to answer for")
            recorder = history.recorder
            if recorder is not None:
                if pain is not None:
                    recorder.record_pain_after(pain)
                if effort is not None:
                    recorder.record_effort(effort)
            outcome = self._close_history(pain=pain, effort=effort, red_flag=bool(red_flag))
            self.state = "idle"
        self._tell({"event": "answered", "pain": pain, "effort": effort, "program": outcome})
        return outcome

    def _close_history(
        self, *, pain: int | None = None, effort: int | None = None, red_flag: bool = False
    ) -> dict[str, Any] | None:
        """With the lock held: close the session's history, and log a program session.

        A program session that finished is logged even when nobody answered (the
        next start, or the server stopping, closes it), as the terminal logs one whose
        questions were skipped; one that did not finish does not count.
        """
        history, self._history = self._history, None
        pending, self._program = self._program, None
        if history is not None:
            history.finish(interrupted=False)
        if pending is None or history is None or self.finished is None:
            return None
        from glutekit.cli.program_session import NOT_COUNTED, record_run

        if self.finished["status"] != "finished":
            return {"counted": False, "lines": [NOT_COUNTED]}
        try:
            result = record_run(
                self.app,
                pending,
                session_id=history.session_id,
                pain_before=history.pain_before,
                pain_after=pain,
                effort=effort,
                red_flag=red_flag,
            )
        except GlutekitError as exc:
            _warn(f"the program session was not logged: {exc}")
            return {"counted": False, "error": str(exc), "lines": [str(exc)]}
        return {"counted": True, **result}

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop a session that is playing (recorded as interrupted) and close the history."""
        with self._lock:
            session, thread = self.session, self._thread
        if session is not None and self.state in ("playing", "paused"):
            session.controls.interrupt()
        if thread is not None:
            thread.join(timeout)
        with self._lock:
            self._close_history()


def _warn(message: str) -> None:
    from glutekit.textcheck import safe

    print(f"glutekit: warning: {safe(message)}", file=sys.stderr, flush=True)


def timeline_json(
    timeline: Timeline, app: App, speed: float, clips: list[str], sound: str
) -> dict[str, Any]:
    catalog = app.catalog
    segments = []
    for segment in timeline.segments:
        data = segment_json(segment)
        exercise = catalog.exercises.get(segment.exercise or "")
        if exercise is not None:
            data["name"] = exercise.name
            data["figure"] = True
            data["images"] = [
                {"n": n, "alt": image.alt or exercise.name}
                for n, image in enumerate(exercise.images)
            ]
        segments.append(data)
    return {
        "routine": timeline.routine_id,
        "title": timeline.title,
        "duration": timeline.duration,
        "speed": speed,
        "sound": sound,
        "segments": segments,
        "clips": clips,
    }
