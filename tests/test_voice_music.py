"""Music under the voice (``--music``): decoded for real, looped, ducked, never clipping.

The music is made here: a loud chord over a 55 Hz bass note, written as a WAV file
and encoded by sox (OGG Vorbis, FLAC) or LAME (MP3). The bass note is below the
voice's own pitch, so its level can be read under the speech too: in each window of
the mix, the energy around 55 Hz is the music's and not the coach's.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import wave
from array import array
from pathlib import Path
from typing import Any

import pytest
from conftest import run_glutekit

np = pytest.importorskip("numpy", reason="the measurements use numpy (the test extra)")
pytest.importorskip("miniaudio", reason="music is decoded by miniaudio")

from glutekit_voice import wavfile  # noqa: E402
from glutekit_voice.music import (  # noqa: E402
    DEFAULT_DUCK_DB,
    FADE_IN,
    FADE_OUT,
    DuckEnvelope,
    duck_db_of,
    open_music,
)

from glutekit.catalog import Catalog  # noqa: E402
from glutekit.errors import InputError  # noqa: E402
from tests.lockstep import Counted, ManualDevice, SampleClock  # noqa: E402

RATE = wavfile.RATE
SONG_SECONDS = 25.0
BASS_HZ = 55.0
#: What the issue asks: the music at least this much lower under speech than between cues.
MIN_DUCK_DB = 10.0
#: Measuring windows: 8192 frames (0.37 s) resolve 55 Hz from the voice's 90 Hz and up.
WINDOW = 8192


def write_song(path: Path, seconds: float = SONG_SECONDS, rate: int = 44100) -> None:
    """A loud stereo chord (A minor over a 55 Hz bass) that swells, peaking near full scale."""
    frames = int(seconds * rate)
    samples = array("h", bytes(4 * frames))
    notes = (220.0, 261.63, 329.63)
    for i in range(frames):
        t = i / rate
        swell = 0.75 + 0.25 * math.sin(2 * math.pi * 0.25 * t)
        chord = sum(math.sin(2 * math.pi * f * t) for f in notes) / len(notes)
        bass = math.sin(2 * math.pi * BASS_HZ * t)
        left = 0.5 * bass + 0.45 * swell * chord
        right = 0.5 * bass + 0.45 * swell * math.sin(2 * math.pi * 392.0 * t)
        samples[2 * i] = int(32000 * left)
        samples[2 * i + 1] = int(32000 * right)
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(wavfile.little_endian(samples))


def encode(wav: Path, suffix: str) -> Path:
    """``wav`` as ``suffix`` (.ogg or .flac by sox, .mp3 by LAME), or skip naming the tool."""
    target = wav.with_suffix(suffix)
    if suffix == ".wav":
        return wav
    if suffix == ".mp3":
        lameenc = pytest.importorskip("lameenc", reason="MP3 music is made with lameenc")
        encoder = lameenc.Encoder()
        with wave.open(str(wav), "rb") as handle:
            encoder.set_channels(handle.getnchannels())
            encoder.set_in_sample_rate(handle.getframerate())
            data = handle.readframes(handle.getnframes())
        encoder.set_bit_rate(128)
        target.write_bytes(bytes(encoder.encode(data)) + bytes(encoder.flush()))
        return target
    if shutil.which("sox") is None:
        pytest.skip(f"sox is not installed: it makes the {suffix} music (.ci/test installs it)")
    subprocess.run(["sox", str(wav), str(target)], check=True, capture_output=True)
    return target


@pytest.fixture(scope="module")
def song_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("music") / "song.wav"
    write_song(path)
    return path


@pytest.fixture(scope="module")
def song_ogg(song_wav: Path) -> Path:
    return encode(song_wav, ".ogg")


def bass_level(samples: Any, start: int) -> float:
    """The level (dBFS) of the 50-60 Hz band in the window of the mix at frame ``start``."""
    window = np.asarray(samples[start : start + WINDOW], dtype=np.float64)
    spectrum = np.abs(np.fft.rfft(window * np.hanning(WINDOW)))
    freqs = np.fft.rfftfreq(WINDOW, 1 / RATE)
    band = spectrum[(freqs > 50) & (freqs < 60)]
    amplitude = 2 * math.sqrt(float(np.sum(band**2))) / np.sum(np.hanning(WINDOW)) / 32768
    return 20 * math.log10(max(amplitude, 1e-12))


def duck_figures(mix: Any, voice: Any) -> dict[str, float]:
    """The music's level under speech and between cues, measured in ``mix``.

    ``voice`` is the same session without music: a window is under speech where the
    voice is loud all through it, and between cues where no voice sounds within 1.5 s
    of it (nor in the fades at the start and the end).
    """
    frames = min(len(mix), len(voice))
    loud = 10 ** (-40 / 20) * 32768
    hop = WINDOW // 2
    # Voice activity in 20 ms steps.
    step = RATE // 50
    active = [
        float(np.sqrt(np.mean(np.asarray(voice[i : i + step], dtype=np.float64) ** 2))) > loud
        for i in range(0, frames, step)
    ]
    margin = int(1.5 * RATE) // step
    under, between = [], []
    for start in range(
        int((FADE_IN + 1) * RATE), frames - WINDOW - int((FADE_OUT + 1) * RATE), hop
    ):
        first, last = start // step, (start + WINDOW) // step
        if sum(active[first:last]) >= 0.8 * (last - first):
            under.append(bass_level(mix, start))
        elif not any(active[max(0, first - margin) : last + margin]):
            between.append(bass_level(mix, start))
    assert len(under) >= 20 and len(between) >= 10, (len(under), len(between))
    return {
        "under_speech_dbfs": float(np.median(under)),
        "between_cues_dbfs": float(np.median(between)),
        "duck_db": float(np.median(between) - np.median(under)),
        "windows_under": len(under),
        "windows_between": len(between),
    }


def decode_with_ffmpeg(path: Path) -> Any:
    """Mono float samples of ``path`` at :data:`RATE`, as FFmpeg (PyAV) decodes it."""
    av = pytest.importorskip("av", reason="the MP3 is decoded with PyAV (the test extra)")
    chunks = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            assert frame.sample_rate == RATE
            chunks.append(frame.to_ndarray().astype(np.float64).reshape(-1))
    return np.concatenate(chunks)


def read_wav(path: Path) -> Any:
    return np.asarray(wavfile.read_mono16(path), dtype=np.int32)


def _ok(*args: str | Path) -> str:
    result = run_glutekit(*map(str, args), timeout=900)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


@pytest.mark.usefixtures("shared_voice_cache")
def test_export_quick_five_with_music_as_mp3_ducks_under_speech_and_never_clips(
    tmp_path: Path, song_ogg: Path
) -> None:
    pytest.importorskip("lameenc", reason="MP3 export needs lameenc")
    mp3, voice_wav = tmp_path / "with-music.mp3", tmp_path / "voice.wav"
    _ok("export", "quick-five", "--music", song_ogg, "-f", "mp3", "-o", mp3)
    _ok("export", "quick-five", "-f", "wav", "-o", voice_wav)
    mix = decode_with_ffmpeg(mp3) * 32768
    voice = read_wav(voice_wav)
    assert abs(len(mix) - len(voice)) <= RATE // 20  # the same session, as long
    figures = duck_figures(mix, voice)
    peak = float(np.max(np.abs(mix))) / 32768
    figures["peak_dbfs"] = 20 * math.log10(peak)
    print("quick-five + song.ogg as MP3:", json.dumps(figures))
    assert figures["duck_db"] >= MIN_DUCK_DB
    # Heard between cues all through the session: the 25 s song loops to fill 5 minutes.
    assert figures["between_cues_dbfs"] > -40
    late = [bass_level(mix, s) for s in range(len(mix) - 60 * RATE, len(mix) - 10 * RATE, RATE)]
    assert max(late) > figures["between_cues_dbfs"] - 6
    # No sample clips, as FFmpeg decodes the file (floats may pass full scale; none do).
    assert peak < 1.0


@pytest.mark.usefixtures("shared_voice_cache")
def test_export_wav_with_music_never_reaches_full_scale_and_obeys_music_duck(
    tmp_path: Path, song_wav: Path
) -> None:
    voice_wav, deep = tmp_path / "voice.wav", tmp_path / "deep.wav"
    _ok("export", "quick-five", "-f", "wav", "-o", voice_wav)
    _ok("export", "quick-five", "--music", song_wav, "--music-duck", "20", "-o", deep)
    mix, voice = read_wav(deep), read_wav(voice_wav)
    assert len(mix) == len(voice)
    peak = int(np.max(np.abs(mix)))
    figures = duck_figures(mix, voice)
    print("quick-five + song.wav, --music-duck 20:", json.dumps({**figures, "peak": peak}))
    assert peak < 32767
    assert 18 <= figures["duck_db"] <= 22


@pytest.mark.parametrize("suffix", [".ogg", ".flac", ".mp3", ".wav"])
def test_every_music_format_decodes_to_its_length_and_a_level_under_the_speech(
    song_wav: Path, suffix: str
) -> None:
    music = open_music(encode(song_wav, suffix))
    # MP3 adds its encoder's delay and padding (a few tens of ms).
    assert music.frames / RATE == pytest.approx(SONG_SECONDS, abs=0.1)
    # A song mastered near full scale is brought down under the speech, peaks and all.
    assert 0.05 < music.gain < 0.5
    assert music.duck_db == DEFAULT_DUCK_DB


def test_the_dip_starts_before_a_cue_and_bridges_short_gaps() -> None:
    envelope = DuckEnvelope([(RATE * 10, RATE * 12), (RATE * 12 + RATE // 2, RATE * 14)], RATE)
    assert envelope.at(RATE * 5) == 0.0
    assert 0 < envelope.at(RATE * 10 - 1000) < 1  # already going down
    assert envelope.at(RATE * 10) == 1.0
    assert envelope.at(RATE * 12 + RATE // 4) == 1.0  # half a second between cues: stays down
    assert 0 < envelope.at(RATE * 14 + RATE // 4) < 1  # coming back up
    assert envelope.at(RATE * 15) == 0.0


@pytest.mark.parametrize(
    ("make", "expect"),
    [
        ("missing", "nosuch.ogg: no such file (the --music file)"),
        ("junk", "junk.ogg: cannot be decoded as music (MP3, OGG Vorbis, FLAC or WAV)"),
        ("folder", "folder.ogg: is a directory, not a music file"),
    ],
)
@pytest.mark.parametrize("command", ["export", "run"])
def test_a_bad_music_file_is_one_line_naming_it_and_exit_2(
    tmp_path: Path, make: str, expect: str, command: str
) -> None:
    name = {"missing": "nosuch.ogg", "junk": "junk.ogg", "folder": "folder.ogg"}[make]
    if make == "junk":
        (tmp_path / name).write_bytes(b"OggS but not really" * 50)
    elif make == "folder":
        (tmp_path / name).mkdir()
    args = ["-f", "wav", "-o", "x.wav"] if command == "export" else ["--speed", "1000"]
    result = run_glutekit(command, "quick-five", "--music", name, *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if expect in line]
    assert len(lines) == 1 and lines[0].startswith("glutekit: error: "), result.stderr
    assert not (tmp_path / "x.wav").exists()


def test_music_with_a_format_that_does_not_speak_is_refused(tmp_path: Path, song_wav: Path) -> None:
    result = run_glutekit("export", "quick-five", "--music", song_wav, "-f", "md", cwd=tmp_path)
    assert result.returncode == 2
    assert "--music only goes with a format that speaks" in result.stderr


def test_a_bad_duck_variable_only_matters_with_music(tmp_path: Path, song_wav: Path) -> None:
    env = {"GLUTEKIT_MUSIC_DUCK": "loud"}
    silent = run_glutekit("run", "quick-five", "--speed", "1000", "--no-voice", env=env)
    assert silent.returncode == 0, silent.stderr
    result = run_glutekit(
        "export", "quick-five", "--music", song_wav, "-o", "x.wav", env=env, cwd=tmp_path
    )
    assert result.returncode == 2
    expect = "GLUTEKIT_MUSIC_DUCK: must be a number of dB from 0 to 40 (got 'loud')"
    assert [line for line in result.stderr.splitlines() if expect in line], result.stderr
    assert not (tmp_path / "x.wav").exists()
    with pytest.raises(InputError, match="GLUTEKIT_MUSIC_DUCK"):
        duck_db_of({}, env)


class RecordingDevice(ManualDevice):
    """A sound card that takes blocks when the session's clock moves, and keeps them."""

    def __init__(self) -> None:
        super().__init__()
        self.heard = bytearray()

    def take(self, frames: int) -> bytes:
        block = super().take(frames)
        self.heard += block
        return block


@pytest.mark.usefixtures("shared_voice_cache")
def test_a_live_session_plays_the_music_on_the_voice_stream_ducked_under_every_cue(
    catalog: Catalog, shared_voice_cache: Path, song_ogg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``run --music``: the whole of quick-five through the one audio stream, on a sound
    card that takes its blocks as the session's clock moves."""
    pytest.importorskip("piper", reason="the Piper backend (piper-tts) is not installed")
    from glutekit_voice import stream as stream_module
    from glutekit_voice.output import VoiceOutput
    from glutekit_voice.render import CueRenderer
    from glutekit_voice.settings import VoiceSettings
    from glutekit_voice.stream import AudioStream

    from glutekit import timeline
    from glutekit.interfaces import OutputOptions
    from glutekit.session import Session, SessionOptions
    from glutekit.session.engine import Controls, speech_lengths

    device = RecordingDevice()
    monkeypatch.setattr(stream_module, "_open_device", lambda *args: device)
    routine = catalog.find_routine("quick-five")
    reports: list[str] = []
    stream = AudioStream(backend="null")
    voice = VoiceOutput(
        OutputOptions(speed=1.0, values={"music": str(song_ogg)}),
        stream=stream,
        renderer=CueRenderer(VoiceSettings(), cache_dir=shared_voice_cache),
        report=reports.append,
    )
    counted = Counted(voice)
    outputs = [("voice", counted)]
    lengths = speech_lengths(outputs, timeline.cue_texts(timeline.compile(routine, catalog)))
    spoken = timeline.compile(routine, catalog, timeline.CompileSettings(speech_lengths=lengths))
    session = Session(
        routine=routine,
        timeline=spoken,
        options=SessionOptions(),
        controls=Controls(),
        outputs=outputs,  # type: ignore[arg-type]
        report=reports.append,
    )
    result = session.play(clock=SampleClock(device, RATE, stream.period_frames, counted))
    assert result.summary.status == "finished" and reports == []
    heard = np.frombuffer(bytes(device.heard), dtype="<i2").astype(np.int32)
    # Where the voice sounded, from the clips the stream started.
    voice_only = np.zeros(len(heard), dtype=np.int32)
    for clip in stream.started:
        samples = np.asarray(wavfile.read_mono16(clip.placement.path), dtype=np.int32)
        end = min(len(heard), clip.frame + len(samples))
        voice_only[clip.frame : end] = samples[: end - clip.frame]
    figures = duck_figures(heard, voice_only)
    peak = int(np.max(np.abs(heard)))
    print("run quick-five --music song.ogg:", json.dumps({**figures, "peak": peak}))
    assert figures["duck_db"] >= MIN_DUCK_DB
    assert figures["between_cues_dbfs"] > -40
    assert peak < 32767
