"""``glutekit export ROUTINE --format mp3``: a phone-ready file with a chapter per exercise."""

from __future__ import annotations

import itertools
import json
import wave
from pathlib import Path
from typing import Any

import pytest
from conftest import run_glutekit

pytest.importorskip("lameenc", reason="MP3 export needs lameenc")
mutagen_mp3 = pytest.importorskip("mutagen.mp3", reason="MP3 chapters need mutagen")

from mutagen.id3 import ID3  # noqa: E402

from glutekit.catalog import Catalog  # noqa: E402

ROUTINE = "medius-cycle"
TOLERANCE = 0.050


def _ok(*args: str | Path) -> str:
    result = run_glutekit(*map(str, args), timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.usefixtures("shared_voice_cache")
def test_mp3_has_one_chapter_per_exercise_at_the_transcript_times(
    tmp_path: Path, catalog: Catalog
) -> None:
    mp3, wav = tmp_path / "session.mp3", tmp_path / "session.wav"
    _ok("export", ROUTINE, "--format", "mp3", "-o", mp3)
    _ok("export", ROUTINE, "--format", "wav", "-o", wav)
    cues = json.loads(_ok("transcript", ROUTINE, "--spoken", "--json"))["cues"]
    # Where each exercise begins in the transcript (its first cue, in order of play).
    starts = [
        (exercise, next(group)["at"])
        for exercise, group in itertools.groupby(cues, key=lambda c: c["exercise"])
        if exercise
    ]
    assert len(starts) >= 3
    tag = ID3(mp3)
    chapters = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    routine = catalog.find_routine(ROUTINE)
    exercise_chapters = [c for c in chapters if str(c.sub_frames["TIT2"]) != routine.title]
    assert len(exercise_chapters) == len(starts)
    for chapter, (exercise, at) in zip(exercise_chapters, starts, strict=True):
        assert str(chapter.sub_frames["TIT2"]) == catalog.exercise(exercise).name
        assert abs(chapter.start_time / 1000 - at) <= TOLERANCE, (chapter, at)
    # The table of contents lists every chapter, so a player can skip between them.
    (toc,) = tag.getall("CTOC")
    assert list(toc.child_element_ids) == [c.element_id for c in chapters]
    # The MP3 is as long as the WAV, as its tags say and as a decoder plays it.
    with wave.open(str(wav), "rb") as handle:
        wav_seconds = handle.getnframes() / handle.getframerate()
    assert abs(mutagen_mp3.MP3(mp3).info.length - wav_seconds) <= TOLERANCE
    miniaudio = pytest.importorskip("miniaudio")
    decoded = miniaudio.mp3_get_file_info(str(mp3))
    assert abs(decoded.duration - wav_seconds) <= TOLERANCE


def test_mp3_of_a_routine_is_refused_without_speech_for_unknown_voice(tmp_path: Path) -> None:
    result = run_glutekit(
        "export", ROUTINE, "--format", "mp3", "--voice", "no-such-voice", "-o", tmp_path / "x.mp3"
    )
    assert result.returncode == 2
    assert "no voice 'no-such-voice'" in result.stderr
    assert not (tmp_path / "x.mp3").exists()


# --------------------------------------------------------------- written while rendering


def _request(catalog: Catalog, path: Path, routine_id: str = "quick-five") -> Any:
    """What ``glutekit export`` hands an exporter that writes ahead: the routine's
    timeline as laid out before any speech was measured."""
    from glutekit import timeline
    from glutekit.interfaces import ExportRequest

    routine = catalog.find_routine(routine_id)
    plain = timeline.compile(routine, catalog)
    fmt = path.suffix.lstrip(".")
    return ExportRequest(routine=routine, timeline=plain, catalog=catalog, path=path, format=fmt)


def _fitted(request: Any, writer: Any) -> Any:
    """The same request, fitted around the speech the old way (every cue measured first)."""
    from dataclasses import replace

    from glutekit import timeline

    lengths = writer.speech_lengths(timeline.cue_texts(request.timeline), request.options)
    settings = timeline.CompileSettings(speech_lengths=lengths)
    fitted = timeline.compile(request.routine, request.catalog, settings)
    return replace(
        request, timeline=fitted, path=request.path.with_name("old" + request.path.suffix)
    )


def _writer(cache: Path, renderer_class: type[Any] | None = None) -> Any:
    from glutekit_voice.export import WavWriter
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings

    settings = VoiceSettings()
    renderer = (renderer_class or CueRenderer)(settings, cache_dir=cache)
    return WavWriter(settings, renderer=renderer)


@pytest.mark.own_voice_cache
def test_the_mp3_written_while_its_speech_renders_is_the_mp3_written_after(
    tmp_path: Path, catalog: Catalog
) -> None:
    cache = tmp_path / "voice"
    writer = _writer(cache)
    ahead = _request(catalog, tmp_path / "ahead.mp3")
    writer.write_ahead(ahead)  # an empty voice cache: rendered on the pool meanwhile
    assert len(list(cache.glob("*.wav"))) >= 50
    old = _fitted(ahead, writer)  # every cue cached now: rendered first, then mixed
    writer.write(old)
    assert ahead.path.read_bytes() == old.path.read_bytes()
    # The chapters come from the final layout, not the one before the speech was measured.
    chapters = [c.start_time for c in ID3(ahead.path).getall("CHAP")]
    plain = [c.start_time for c in ID3(old.path).getall("CHAP")]
    assert chapters == plain
    # The WAV too, sample for sample (here every cue is cached: measured as it is checked).
    wav = _request(catalog, tmp_path / "ahead.wav")
    writer.write_ahead(wav)
    old_wav = _fitted(wav, writer)
    writer.write(old_wav)
    assert wav.path.read_bytes() == old_wav.path.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ahead.mp3",
        "ahead.wav",
        "old.mp3",
        "old.wav",
        "voice",
    ]


def _failing_after(cues: int, failure: Any) -> type[Any]:
    from glutekit_voice.render import CueRenderer

    class Failing(CueRenderer):
        """A speech engine that stops working after ``cues`` cues."""

        calls = 0

        def render(self, text: str) -> Any:
            type(self).calls += 1
            if type(self).calls == cues:
                failure()
            return super().render(text)

    return Failing


@pytest.mark.parametrize("suffix", [".mp3", ".wav"])
def test_an_engine_failing_while_the_file_is_written_leaves_the_old_file(
    tmp_path: Path, catalog: Catalog, shared_voice_cache: Path, suffix: str
) -> None:
    from glutekit_voice.backends import SpeechFailed

    from glutekit.errors import GlutekitError

    def fail() -> None:
        raise SpeechFailed("the engine crashed")

    out = tmp_path / f"session{suffix}"
    out.write_bytes(b"the previous export")
    writer = _writer(shared_voice_cache, _failing_after(40, fail))
    with pytest.raises(GlutekitError, match="cannot make the spoken audio: the engine crashed"):
        writer.write_ahead(_request(catalog, out))
    assert out.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def _slow_to_end(released: Any, failure: BaseException | None = None) -> type[Any]:
    from glutekit_voice.render import CueRenderer

    class SlowToEnd(CueRenderer):
        """Every cue renders as usual; then the rendering takes its time to end (as render
        processes do while they exit), and ends with ``failure`` if one is given."""

        ended = False

        def render_all(self, texts: Any, *, done: Any = None) -> Any:
            rendered = super().render_all(texts, done=done)
            released.wait(60)
            type(self).ended = True
            if failure is not None:
                raise failure
            return rendered

    return SlowToEnd


def test_the_mix_ends_with_its_last_cue_not_when_the_rendering_ends(
    catalog: Catalog, shared_voice_cache: Path
) -> None:
    import threading

    from glutekit_voice.export import BLOCK
    from glutekit_voice.mixahead import MixAhead

    released = threading.Event()
    renderer_class = _slow_to_end(released)
    writer = _writer(shared_voice_cache, renderer_class)
    request = _request(catalog, shared_voice_cache / "unused.mp3")
    mix = MixAhead(request.routine, catalog, request.timeline, writer.renderer(), block=BLOCK)
    try:
        blocks = list(mix)
        assert not renderer_class.ended  # the whole session was mixed meanwhile
    finally:
        released.set()
    mix.finish()
    assert renderer_class.ended
    assert mix.timeline is not None
    assert sum(map(len, blocks)) == sum(map(len, writer.blocks(mix.timeline)))


@pytest.mark.parametrize("suffix", [".mp3", ".wav"])
def test_speech_failing_after_its_last_cue_still_leaves_the_old_file(
    tmp_path: Path, catalog: Catalog, shared_voice_cache: Path, suffix: str
) -> None:
    import threading

    from glutekit_voice.backends import SpeechFailed

    from glutekit.errors import GlutekitError

    released = threading.Event()
    released.set()
    out = tmp_path / f"session{suffix}"
    out.write_bytes(b"the previous export")
    failing = _slow_to_end(released, SpeechFailed("a render process crashed on its way out"))
    writer = _writer(shared_voice_cache, failing)
    with pytest.raises(GlutekitError, match="cannot make the spoken audio: a render process"):
        writer.write_ahead(_request(catalog, out))
    assert out.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_ctrl_c_while_a_cue_is_stuck_waits_for_the_renderer_once(
    tmp_path: Path, catalog: Catalog, shared_voice_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the engine is stuck on a cue: glutekit waits STOP_WAIT for the
    rendering to stop, once, not again as the interrupt leaves the writer."""
    import _thread
    import threading
    import time

    from glutekit_voice import mixahead
    from glutekit_voice.render import CueRenderer

    monkeypatch.setattr(mixahead, "STOP_WAIT", 3.0)
    unstuck = threading.Event()
    interrupted: list[float] = []

    class Stuck(CueRenderer):
        calls = 0

        def render(self, text: str) -> Any:
            type(self).calls += 1
            if type(self).calls == 20:
                interrupted.append(time.monotonic())
                _thread.interrupt_main()
                unstuck.wait(60)
            return super().render(text)

    out = tmp_path / "session.mp3"
    out.write_bytes(b"the previous export")
    writer = _writer(shared_voice_cache, Stuck)
    try:
        with pytest.raises(KeyboardInterrupt):
            writer.write_ahead(_request(catalog, out))
        waited = time.monotonic() - interrupted[0]
    finally:
        unstuck.set()
    # Twice STOP_WAIT (6 s) before; the slack is for a busy machine, not a measure.
    assert waited < 4.5, f"waited {waited:.1f} s for a renderer that does not stop"
    assert out.read_bytes() == b"the previous export"


@pytest.mark.own_voice_cache
def test_ctrl_c_while_rendering_leaves_no_file_and_no_render_process(
    tmp_path: Path, catalog: Catalog
) -> None:
    import _thread
    import os
    import threading
    import time

    out = tmp_path / "session.mp3"
    writer = _writer(tmp_path / "voice", _failing_after(8, _thread.interrupt_main))
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        writer.write_ahead(_request(catalog, out))
    assert time.monotonic() - began < 60  # a limit for hangs, not a measure
    assert [p.name for p in tmp_path.iterdir()] == ["voice"]
    assert not [p for p in (tmp_path / "voice").iterdir() if p.name.startswith(".render-")]
    assert "glutekit-export-render" not in [t.name for t in threading.enumerate()]
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    if children.exists():
        # No render worker of this export is left running (the forkserver is no child).
        left = [pid for pid in children.read_text().split() if _is_render_worker(pid)]
        assert left == []


def _is_render_worker(pid: str) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return (
        b"glutekit_voice.pool" in cmdline
        and Path(f"/proc/{pid}/stat").exists()
        and (Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z")
    )
