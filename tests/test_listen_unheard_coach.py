"""Voice commands over a coach the microphone does not hear (headphones, a quiet
speaker far off): nothing of the coach reaches the recogniser, so a command said over
its speech is not held to the strict threshold meant for a coach still in the sound.

Real speech (the coach's session as glutekit says it, commands by espeak-ng), the real
echo canceller and the real offline recogniser, through the listener's own code after
capture.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("pocketsphinx", reason="the recogniser (pocketsphinx) is not installed")
np = pytest.importorskip("numpy", reason="numpy mixes the test audio")

from glutekit_listen.echo import EchoCanceller, EchoTuning  # noqa: E402
from glutekit_listen.recogniser import RATE, Tuning  # noqa: E402

from tests.listen_audio import (  # noqa: E402
    BACKGROUND_RMS,
    espeak,
    feed_listener,
    place,
    room_echo,
    room_noise,
    speak,
    speaking_mask,
)
from tests.test_listen import SHORT_ROUTINE, _exported  # noqa: E402

needs_espeak = pytest.mark.skipif(
    espeak() is None, reason="espeak-ng's program speaks the commands (apt-get install espeak-ng)"
)

#: Room noise when nobody talks, in 16-bit units (about -57 dBFS): a quiet room.
QUIET_ROOM_RMS = BACKGROUND_RMS / 3


@pytest.fixture(scope="module")
def coach(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The short listening routine's whole session as glutekit says it, 16 kHz."""
    session, _, _ = _exported(SHORT_ROUTINE, tmp_path_factory.mktemp("coach"))
    return session


def _talking_from(mask: Any, after: float, lasting: float) -> float:
    """The first second after ``after`` from which the coach talks for ``lasting`` s."""
    need = round(lasting * 10)
    for block in range(round(after * 10), len(mask) - need):
        if mask[block : block + need].all():
            return block / 10
    raise AssertionError("the coach never talks that long")


def _cancel(mic: Any, played: Any, tuning: EchoTuning | None = None) -> EchoCanceller:
    canceller = EchoCanceller(tuning)
    for i in range(0, len(played), RATE // 10):
        canceller.process(mic[i : i + RATE // 10], played[i : i + RATE // 10])
    return canceller


@needs_espeak
def test_a_command_over_a_coach_the_microphone_does_not_hear_meets_the_echo_threshold(
    coach: Any,
) -> None:
    """As in benchmarks/listen.py's live sessions: the session plays the coach and lends
    the listener its sound, while the microphone hears only a quiet room and the person.
    There is no echo to take out, so the canceller makes nothing quieter (0 dB); the
    strict threshold would still apply, and a command said over the coach would need a
    certainty that "coach, next" in this voice reaches only some of the time."""
    rng = np.random.default_rng(4)
    mask = speaking_mask(coach)
    at = _talking_from(mask, after=6.0, lasting=1.5)
    mic = QUIET_ROOM_RMS * room_noise(len(coach), rng)
    place(mic, speak("coach, next", "en-us+klatt2"), int(at * RATE), 25.0)
    # The thresholds show which one applied: the strict one is never met, the echo one is.
    tuning = Tuning(threshold=0.5, echo_threshold=0.5, strict_threshold=1.01)
    acted = feed_listener(mic, mask=mask, played=coach, tuning=tuning).acted
    assert [a.heard.command.action for a in acted] == ["skip"]
    assert acted[0].heard.over_coach
    # Not lent the sound, the listener cannot tell: the strict threshold stays.
    assert feed_listener(mic, mask=mask, played=None, tuning=tuning).acted == []


def test_the_coach_left_in_the_sound_is_told_from_a_coach_never_heard(coach: Any) -> None:
    rng = np.random.default_rng(5)
    noise = QUIET_ROOM_RMS * room_noise(len(coach), rng)
    # Never heard: about as loud while the coach talks as in its pauses, even with a
    # person talking now and then, over the coach and in its pauses.
    person = noise.copy()
    said = speak("coach, how long", "en-us+f3") if espeak() else noise[: RATE // 2] * 20
    for second in range(4, len(coach) // RATE - 2, 7):
        place(person, said, second * RATE, 20.0)
    for mic in (noise, person):
        unheard = _cancel(mic, coach)
        assert unheard.coach_heard_db is not None
        assert abs(unheard.coach_heard_db) < 1.0
        assert unheard.reduction_db < 1.0  # nothing to take out
    # Heard through the room, 10 dB over its noise: far louder while the coach talks,
    # whether the canceller takes it out or not (the other measure tells that).
    echo = room_echo(coach, rng) * (BACKGROUND_RMS / np.sqrt(np.mean(np.square(coach))))
    for tuning in (None, EchoTuning(step=0.0)):
        heard = _cancel(echo + noise, coach, tuning)
        assert heard.coach_heard_db is not None and heard.coach_heard_db > 6.0
    # Before a second of each has been heard, no measure: the listener stays strict.
    assert _cancel(noise[: RATE // 2], coach[: RATE // 2]).coach_heard_db is None
