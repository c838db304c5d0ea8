"""The MP3 encoder's LAME runs are encoded side by side, on a thread per core.

Whatever the threads do, the file is the same; the input held for them stays within
its limit; closing the encoder early ends its threads; a run that comes out with the
wrong number of frames fails the file.
"""

from __future__ import annotations

import threading
from array import array
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("lameenc", reason="MP3 export needs lameenc")

from glutekit_voice import mp3, mp3file

from tests.test_voice_mp3_silence import RATE, _frames, _one_lame_run, _session

#: Silences between real cues: long ones skipped, short ones kept in their run.
GAPS = [200, 20, 47, 46, 400, 90]


def _encode(samples: array[int], block: int = 32768) -> bytes:
    out = bytearray()
    with mp3.Mp3Encoder(RATE, RATE, mp3.KBPS) as encoder:
        for start in range(0, len(samples), block):
            out += encoder.encode(samples[start : start + block])
        out += encoder.flush()
    return bytes(out)


def _mp3_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("glutekit-mp3")]


@pytest.fixture
def source(shared_voice_cache: Path) -> array[int]:
    return _session(shared_voice_cache, GAPS, 2 * RATE)


def test_the_file_is_the_same_whatever_the_threads_do(
    source: array[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    sides = _encode(source)
    assert len(_frames(sides)) == len(_frames(_one_lame_run(source)))
    assert not _mp3_threads()  # flushed: the threads are gone
    monkeypatch.setattr(mp3, "MAX_LANES", 1)
    assert _encode(source, 5000) == sides
    monkeypatch.setattr(mp3, "MAX_LANES", 4)  # more threads than this machine's cores
    monkeypatch.setattr(mp3, "_cores", lambda: 4)
    assert _encode(source, 3000) == sides
    # A run too long to hold is encoded as it comes, in the caller's thread.
    monkeypatch.setattr(mp3, "LIVE_FROM", 40 * mp3.SAMPLES_PER_FRAME)
    assert _encode(source) == sides


def test_the_input_held_for_the_threads_stays_within_its_limit(
    source: array[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mp3, "AHEAD", 16 * 1024)
    out = bytearray()
    with mp3.Mp3Encoder(RATE, RATE, mp3.KBPS) as encoder:
        for start in range(0, len(source), 4096):
            out += encoder.encode(source[start : start + 4096])
            assert encoder._held <= mp3.AHEAD
        out += encoder.flush()
    monkeypatch.undo()
    assert bytes(out) == _encode(source)


def test_closing_early_drops_the_runs_not_started_and_ends_the_threads(
    source: array[int],
) -> None:
    encoder = mp3.Mp3Encoder(RATE, RATE, mp3.KBPS)
    encoder.encode(source)
    lanes = list(encoder._lanes)
    encoder.close()  # an export stopped (Ctrl-C, a failure) half way
    assert lanes and not any(lane.is_alive() for lane in lanes)
    assert not _mp3_threads()
    assert encoder._held == 0  # every run not started was dropped


@pytest.mark.parametrize("live", [False, True], ids=["on-a-thread", "as-it-comes"])
def test_a_run_that_comes_out_wrong_fails_the_file_instead_of_misplacing_frames(
    source: array[int], monkeypatch: pytest.MonkeyPatch, live: bool
) -> None:
    if live:
        monkeypatch.setattr(mp3, "LIVE_FROM", 40 * mp3.SAMPLES_PER_FRAME)
    monkeypatch.setattr(mp3file, "whole_frames", lambda data: (1, len(data)))
    with pytest.raises(RuntimeError, match=r"LAME wrote [0-9]+ MP3 frames where"):
        _encode(source)
    assert not _mp3_threads()


def test_where_no_thread_can_start_the_runs_are_encoded_in_the_caller(
    source: array[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    class NoThread(threading.Thread):
        def start(self) -> None:
            raise RuntimeError("can't start new thread")  # as under a process limit

    sides = _encode(source)
    monkeypatch.setattr(
        mp3, "threading", SimpleNamespace(Thread=NoThread, Condition=threading.Condition)
    )
    assert _encode(source) == sides
