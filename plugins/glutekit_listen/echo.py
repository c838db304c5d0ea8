"""Taking the coach's own voice out of what the microphone hears (echo cancelling).

The session knows every sample it plays, so the listener is handed that sound (the
*reference*) beside the microphone's. The room turns the reference into what the
microphone picks up: delayed, coloured by the loudspeaker, with reflections. An
adaptive filter learns that path and subtracts its estimate, so what reaches the
recogniser is mostly the person's voice and the room's noise.

The filter is a partitioned-block frequency-domain NLMS filter: ``partitions`` blocks
of ``block`` samples of reference history (at 16 kHz, 16 × 256 samples = 256 ms of
delay and reverberation), updated once per block with a step normalised per
frequency by the reference's power. While the person speaks over the coach the
mismatch is their voice, not a wrong filter, so the step is divided, frequency by
frequency, by the power of what is left as well as the reference's: a loud voice over
the coach (double talk) barely moves the filter.

Two measures tell the listener whether the coach's voice is still in what it hears:
how much quieter the output is than the microphone while the coach talks
(:attr:`EchoCanceller.reduction_db`), and how much louder the microphone is while the
coach talks than in its pauses (:attr:`EchoCanceller.coach_heard_db`). The second is
for a microphone that does not hear the coach (headphones, a quiet loudspeaker far
off): there is nothing to take out, so the first stays at 0 dB, yet there is no coach
in the sound either.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np

from glutekit.model.records import record

_EPS = 1e-6


@record(frozen=True, kw_only=True)
class EchoTuning:
    #: Samples per second of the sound fed.
    rate: int = 16000
    #: Samples per block (16 ms at 16 kHz).
    block: int = 256
    #: Blocks of reference history the filter spans.
    partitions: int = 16
    #: Step size (0 to 1): larger learns the room faster but settles less deep.
    step: float = 0.3
    #: How hard a loud residual (the person talking over the coach) slows the update.
    double_talk: float = 16.0
    #: Smoothing of the per-frequency reference power (0 to 1, per block).
    smoothing: float = 0.9
    #: Seconds of output kept for comparing the coach's talk with its pauses …
    level_window: float = 8.0
    #: … and the least of each before the comparison is made.
    level_least: float = 1.0


class EchoCanceller:
    """Subtracts the filtered reference from the microphone, block by block.

    Feed equal lengths of microphone and reference (float samples at the same rate,
    the reference aligned so that it does not lag the microphone); any length works,
    the canceller keeps what does not fill a block for next time. The output lags
    the input by less than one block.
    """

    def __init__(self, tuning: EchoTuning | None = None) -> None:
        self.tuning = tuning or EchoTuning()
        block, parts = self.tuning.block, self.tuning.partitions
        bins = block + 1
        self._weights = np.zeros((parts, bins), dtype=np.complex128)
        self._history = np.zeros((parts, bins), dtype=np.complex128)
        self._power = np.full(bins, _EPS)
        self._last_ref = np.zeros(block)
        self._mic_left = np.zeros(0)
        self._ref_left = np.zeros(0)
        #: Blocks processed, and blocks where the filter held still (double talk).
        self.blocks = 0
        self.held = 0
        #: Smoothed power of the microphone and of what is left, over blocks where the
        #: coach is talking.
        self._ref_level = 0.0
        self.mic_power = 0.0
        self.out_power = 0.0
        # The microphone's power per block while the coach talks, and in its pauses
        # once its echo has died away (the room alone); recent blocks only.
        kept = max(1, round(self.tuning.level_window * self.tuning.rate / block))
        self._talking: deque[float] = deque(maxlen=kept)
        self._quiet: deque[float] = deque(maxlen=kept)
        self._silent_blocks = 0

    @property
    def reduction_db(self) -> float:
        """How much quieter the output is than the microphone (echo return loss enhancement)."""
        if self.out_power <= 0.0 or self.mic_power <= 0.0:
            return 0.0
        return float(10 * np.log10(self.mic_power / self.out_power))

    @property
    def coach_heard_db(self) -> float | None:
        """How much louder the microphone is while the coach talks than in its pauses
        (the median block of each over the last ``level_window`` seconds): about 0 dB
        when the coach does not reach the microphone over the room's noise. None until
        each has lasted ``level_least`` seconds.

        Medians, so that a person talking now and then, over the coach or in its
        pauses, does not move it. The microphone, not the output: where the coach never
        reached the microphone, the filter's estimate of an echo that is not there
        makes the output a little louder while the coach talks (2 to 3.5 dB in a quiet
        room).
        """
        t = self.tuning
        least = t.level_least * t.rate / t.block
        if len(self._talking) < least or len(self._quiet) < least:
            return None
        talking, quiet = float(np.median(self._talking)), float(np.median(self._quiet))
        return float(10 * np.log10(max(talking, _EPS) / max(quiet, _EPS)))

    def process(self, mic: Any, reference: Any) -> Any:
        """The microphone's samples with the echo estimate taken out (float64 array)."""
        mic = np.concatenate([self._mic_left, np.asarray(mic, dtype=np.float64)])
        ref = np.concatenate([self._ref_left, np.asarray(reference, dtype=np.float64)])
        count = min(len(mic), len(ref))
        block = self.tuning.block
        whole = count - count % block
        out = np.empty(whole)
        for start in range(0, whole, block):
            out[start : start + block] = self._block(
                mic[start : start + block], ref[start : start + block]
            )
        self._mic_left = mic[whole:]
        self._ref_left = ref[whole:]
        return out

    def _block(self, mic: Any, ref: Any) -> Any:
        t = self.tuning
        block = t.block
        spectrum = np.fft.rfft(np.concatenate([self._last_ref, ref]))
        self._last_ref = ref
        self._history = np.roll(self._history, 1, axis=0)
        self._history[0] = spectrum
        estimate = np.fft.irfft((self._weights * self._history).sum(axis=0))[block:]
        error = mic - estimate
        self.blocks += 1

        self._power = t.smoothing * self._power + (1 - t.smoothing) * np.abs(spectrum) ** 2
        error_power = float(np.mean(error**2))
        ref_power = float(np.mean(ref**2))
        if ref_power > _EPS:
            self._ref_level = 0.99 * self._ref_level + 0.01 * ref_power
        talking = ref_power > 0.5 * self._ref_level  # the coach is talking, not trailing off
        if talking:
            self.mic_power = 0.95 * self.mic_power + 0.05 * float(np.mean(mic**2))
            self.out_power = 0.95 * self.out_power + 0.05 * error_power
        self._silent_blocks = self._silent_blocks + 1 if ref_power <= _EPS else 0
        # Variance, not power: a microphone's constant offset is not sound.
        if self._silent_blocks > t.partitions:  # longer ago than the filter's span
            self._quiet.append(float(np.var(mic)))
        elif talking:
            self._talking.append(float(np.var(mic)))
        if ref_power <= _EPS:
            self.held += 1
            return error

        gradient_spectrum = np.fft.rfft(np.concatenate([np.zeros(block), error]))
        floor = 1e-3 * float(self._power.mean()) + _EPS
        # A loud error (the person talking over the coach) slows the update: the
        # mismatch is their voice, not a wrong filter.
        loud = t.double_talk * np.abs(gradient_spectrum) ** 2
        normalised = gradient_spectrum / (t.partitions * self._power + loud + floor)
        update = t.step * np.conj(self._history) * normalised
        # Keep each partition a causal filter of ``block`` taps (the gradient constraint).
        taps = np.fft.irfft(self._weights + update, axis=1)
        taps[:, block:] = 0.0
        self._weights = np.fft.rfft(taps, axis=1)
        return error


class Reference:
    """Reads the sound being played, block by block, in step with the microphone.

    Each call takes the next stretch of the tap's samples, continuing where the last
    one ended, so the reference is one unbroken signal, and resamples it to the
    microphone's rate.

    A block can reach the listener late (a busy machine wakes the capture thread
    late) but never before it was captured, so the stretch follows the earliest
    arrivals: a block that arrives sooner than the stretch expects moves the stretch
    back to it at once; one that arrives late moves it only if every block in the last
    ``follow`` seconds was later by more than ``late`` seconds (the microphone's clock
    running slower than the loudspeaker's). A gap of more than ``stall`` seconds (a
    stall, capture stopped for a while) starts again from what is heard now.

    :param tap: a callable returning the :class:`glutekit.interfaces.SoundTap` or None.
    """

    def __init__(
        self,
        tap: Any,
        rate: int,
        *,
        stall: float = 0.5,
        late: float = 0.03,
        follow: float = 5.0,
    ) -> None:
        self._tap = tap
        self.rate = rate
        self.stall = stall
        self.late = late
        self.follow = follow
        self._next: float | None = None  # the tap's frame where the next stretch starts
        self._least_late: float | None = None  # over the current ``follow`` window
        self._window = 0.0  # seconds of audio in it
        #: How often the stretch was moved: back (an early block), on (late blocks),
        #: or started again (a stall).
        self.moved = {"back": 0, "on": 0, "again": 0}

    def take(self, count: int) -> Any:
        """The ``count`` samples (at ``rate``) played during the block just captured,
        as a float array; None when no output lends its sound."""
        tap = self._tap()
        if tap is None:
            self._next = None
            return None
        need = count * tap.rate / self.rate
        now = tap.heard_frame()
        if self._next is None:
            self._restart(now - need)
        else:
            lateness = now - (self._next + need)
            if lateness < 0:
                self.moved["back"] += 1
                self._restart(now - need)
            elif lateness > self.stall * tap.rate:
                self.moved["again"] += 1
                self._restart(now - need)
            else:
                self._track(lateness, count, tap.rate)
        assert self._next is not None
        start = int(np.floor(self._next))
        raw = np.frombuffer(tap.played(start, int(np.ceil(need)) + 2), dtype="<i2")
        where = self._next - start + np.arange(count) * tap.rate / self.rate
        self._next += need
        return np.interp(where, np.arange(len(raw)), raw.astype(np.float64))

    def _restart(self, frame: float) -> None:
        self._next = frame
        self._least_late = None
        self._window = 0.0

    def _track(self, lateness: float, count: int, tap_rate: int) -> None:
        assert self._next is not None
        least = lateness if self._least_late is None else min(self._least_late, lateness)
        self._least_late = least
        self._window += count / self.rate
        if self._window >= self.follow:
            if least > self.late * tap_rate:
                self.moved["on"] += 1
                self._next += least
            self._least_late = None
            self._window = 0.0
