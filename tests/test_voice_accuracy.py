"""How well a listener understands each backend: real speech, scored by a recogniser.

Every available backend renders the same cue texts (the spoken cues of a ready-made
routine); pocketsphinx, an offline recogniser with its own English model, writes
down what it hears. The Piper voice must be understood at least three times as well
as espeak-ng, in the same run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pocketsphinx", reason="pocketsphinx (a test dependency) is not installed")
pytest.importorskip("numpy", reason="the scorer resamples with numpy")

from glutekit_voice.backends import SpeechUnavailable
from glutekit_voice.render import CueRenderer
from glutekit_voice.settings import VoiceSettings
from speech_score import Recogniser, RememberingRecogniser, word_accuracy, words

from glutekit import timeline
from glutekit.catalog import Catalog

ROUTINE = "quick-five"
TEXTS = 24


def cue_texts(catalog: Catalog) -> list[str]:
    compiled = timeline.compile(catalog.find_routine(ROUTINE), catalog)
    texts = [t for t in timeline.cue_texts(compiled) if len(words(t)) >= 2]
    return list(dict.fromkeys(texts))[:TEXTS]


def accuracy_of(backend: str, texts: list[str], cache: Path, recogniser: Recogniser) -> float:
    renderer = CueRenderer(VoiceSettings(backend=backend), cache_dir=cache)
    try:
        rendered = renderer.render_all(texts)
    except SpeechUnavailable as exc:
        pytest.skip(f"{backend} is not available here: {exc}")
    return word_accuracy(((t, rendered[t].path) for t in texts), recogniser)


@pytest.fixture(scope="module")
def scores() -> dict[str, float]:
    """Word accuracy by backend, worked out by the first test that needs it (the tests of
    this module run on one worker, in order, so each backend is decoded once)."""
    return {}


@pytest.fixture(scope="module")
def bounded() -> Recogniser:
    return Recogniser(bounded=True)


def score(
    backend: str, catalog: Catalog, cache: Path, scores: dict[str, float], recogniser: Recogniser
) -> float:
    if backend not in scores:
        texts = cue_texts(catalog)
        assert len(texts) == TEXTS
        scores[backend] = accuracy_of(backend, texts, cache, recogniser)
        print(f"word accuracy of {backend} over {len(texts)} cue texts: {scores[backend]:.3f}")
    return scores[backend]


def test_the_piper_voice_is_understood(
    catalog: Catalog, shared_voice_cache: Path, scores: dict[str, float], bounded: Recogniser
) -> None:
    pytest.importorskip("piper", reason="the Piper backend (piper-tts) is not installed")
    assert score("piper", catalog, shared_voice_cache, scores, bounded) >= 0.3, scores


def test_the_piper_voice_is_understood_at_least_three_times_as_well_as_espeak_ng(
    catalog: Catalog, shared_voice_cache: Path, scores: dict[str, float], bounded: Recogniser
) -> None:
    pytest.importorskip("piper", reason="the Piper backend (piper-tts) is not installed")
    piper = score("piper", catalog, shared_voice_cache, scores, bounded)
    espeak = score("pyttsx3", catalog, shared_voice_cache, scores, bounded)
    assert piper >= 3 * espeak, scores


def test_the_scorer_tells_right_words_from_wrong_ones(
    catalog: Catalog, shared_voice_cache: Path
) -> None:
    pytest.importorskip("piper", reason="the Piper backend (piper-tts) is not installed")
    text = "Lie on your back with both knees bent."
    renderer = CueRenderer(VoiceSettings(backend="piper"), cache_dir=shared_voice_cache)
    clip = renderer.render(text).path
    recogniser = RememberingRecogniser()  # the clip is decoded once, scored twice
    right = word_accuracy([(text, clip)], recogniser)
    wrong = word_accuracy([("Seven purple elephants sing loudly tonight.", clip)], recogniser)
    assert right > wrong
