"""Temporal band-pass filters that run frame by frame: Butterworth (IIR) and windowed-sinc (FIR).

Temporal mode magnifies only the motion in a frequency band (a pulse near 1 Hz, a machine's hum):
each feature value is a signal over time, filtered as the frames stream in, so memory does not grow with
the video's length. Designs follow the textbook route (Oppenheim & Schafer): the analog Butterworth
prototype, the low-pass to band-pass transform, and the bilinear transform with pre-warped cut-offs;
the result is kept as second-order sections, which stay numerically stable at low cut-offs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from .errors import MMKitError


def check_band(fs: float, low_hz: float, high_hz: float) -> None:
    """Raise a clear error unless ``0 < low_hz < high_hz < fs / 2``."""
    for name, v in (("frame rate", fs), ("low cut-off", low_hz), ("high cut-off", high_hz)):
        if not isinstance(v, (int, float)) or not math.isfinite(v):
            raise MMKitError(f"{name} must be a finite number, got {v!r}")
    if fs <= 0:
        raise MMKitError(f"frame rate must be positive, got {fs:g}")
    if not 0 < low_hz < high_hz < fs / 2:
        raise MMKitError(f"the band must satisfy 0 < low < high < fs/2 = {fs / 2:g} Hz (the Nyquist frequency); "
                         f"got {low_hz:g} to {high_hz:g} Hz")


def butter_bandpass_sos(order: int, low_hz: float, high_hz: float, fs: float) -> np.ndarray:
    """Second-order sections ``(order, 6)`` = ``[b0, b1, b2, 1, a1, a2]`` of a Butterworth band-pass.

    ``order`` is that of the low-pass prototype, so the band-pass has ``2 * order`` poles (as in the
    usual ``butter(order, [low, high], 'bandpass')``). Gain 1 at the geometric centre of the band,
    1/sqrt(2) at both cut-offs.

    Examples:
        >>> sos = butter_bandpass_sos(2, 1.0, 3.0, 30.0)
        >>> [round(float(abs(sos_response(sos, f, 30.0))), 4) for f in (1.0, 3.0)]
        [0.7071, 0.7071]
    """
    check_band(fs, low_hz, high_hz)
    if order < 1:
        raise MMKitError(f"filter order must be at least 1, got {order}")
    # Pre-warp the cut-offs so that the bilinear transform lands them where asked.
    w1, w2 = (2 * fs * math.tan(math.pi * f / fs) for f in (low_hz, high_hz))
    w0, bw = math.sqrt(w1 * w2), w2 - w1
    proto = [np.exp(1j * math.pi * (2 * k + order + 1) / (2 * order)) for k in range(order)]  # |p| = 1
    poles = []
    for p in proto:  # low-pass to band-pass: each prototype pole gives two band-pass poles
        half = p * bw / 2
        root = np.sqrt(half**2 - w0**2 + 0j)
        poles += [half + root, half - root]
    zpoles = [(2 * fs + p) / (2 * fs - p) for p in poles]  # bilinear transform
    # Band-pass zeros: `order` at s = 0 (z = 1) and `order` at s = inf (z = -1); one of each per section.
    upper = sorted([z for z in zpoles if z.imag > 1e-12], key=lambda z: abs(z))
    reals = sorted([z.real for z in zpoles if abs(z.imag) <= 1e-12])
    sections = [(z, z.conjugate()) for z in upper]
    sections += [(reals[i], reals[i + 1]) for i in range(0, len(reals) - 1, 2)]
    sos = np.zeros((len(sections), 6))
    for i, (p1, p2) in enumerate(sections):
        a = np.real(np.poly([p1, p2]))
        sos[i] = [1.0, 0.0, -1.0, *a]  # (1 - z^-2): a zero at z = 1 and one at z = -1
    centre = math.atan(math.sqrt(math.tan(math.pi * low_hz / fs) * math.tan(math.pi * high_hz / fs))) * fs / math.pi
    sos[0, :3] /= abs(sos_response(sos, centre, fs))  # unit gain at the band's centre
    return sos


def sos_response(sos: np.ndarray, f_hz: float | np.ndarray, fs: float) -> np.ndarray:
    """Complex frequency response of the sections at ``f_hz``."""
    z = np.exp(-2j * np.pi * np.asarray(f_hz, dtype=float) / fs)
    h = np.ones_like(z, dtype=complex)
    for b0, b1, b2, a0, a1, a2 in sos:
        h = h * (b0 + b1 * z + b2 * z**2) / (a0 + a1 * z + a2 * z**2)
    return h


def fir_bandpass_taps(n_taps: int, low_hz: float, high_hz: float, fs: float) -> np.ndarray:
    """Linear-phase windowed-sinc band-pass (Hamming window), unit gain at the band's centre."""
    check_band(fs, low_hz, high_hz)
    if n_taps < 3 or n_taps % 2 == 0:
        raise MMKitError(f"an FIR band-pass needs an odd number of taps >= 3, got {n_taps}")
    n = np.arange(n_taps) - (n_taps - 1) / 2
    ideal = 2 * high_hz / fs * np.sinc(2 * high_hz / fs * n) - 2 * low_hz / fs * np.sinc(2 * low_hz / fs * n)
    taps = ideal * np.hamming(n_taps)
    centre = (low_hz + high_hz) / 2
    return taps / abs(np.sum(taps * np.exp(-2j * np.pi * centre / fs * np.arange(n_taps))))


@dataclass
class StreamingIIR:
    """Apply second-order sections to a stream of tensors (any shape), one time step per call.

    Transposed direct form II, state kept per element and section. The state starts at rest; use
    :meth:`prime` to start from a constant input instead (no start-up transient for a still scene).
    """

    sos: np.ndarray
    state: list[torch.Tensor] = field(default_factory=list)

    def prime(self, x: torch.Tensor) -> None:
        """Set the state to the steady state for the constant input ``x`` (a band-pass outputs 0 there)."""
        self.state = []
        for b0, b1, b2, _, a1, a2 in self.sos:
            # Steady state of one section for constant input u and its constant output y = g * u.
            g = (b0 + b1 + b2) / (1 + a1 + a2)
            y = g * x
            s2 = b2 * x - a2 * y
            s1 = b1 * x - a1 * y + s2
            self.state.append(torch.stack([s1, s2]))
            x = y

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if not self.state:
            self.state = [torch.zeros(2, *x.shape, dtype=x.dtype, device=x.device) for _ in self.sos]
        for i, (b0, b1, b2, _, a1, a2) in enumerate(self.sos):
            s = self.state[i]
            y = b0 * x + s[0]
            self.state[i] = torch.stack([b1 * x - a1 * y + s[1], b2 * x - a2 * y])
            x = y
        return x


@dataclass
class StreamingFIR:
    """Apply FIR taps to a stream of tensors, one time step per call (causal: delay (n_taps - 1) / 2)."""

    taps: np.ndarray
    history: list[torch.Tensor] = field(default_factory=list)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        self.history.append(x)
        if len(self.history) > len(self.taps):
            self.history.pop(0)
        taps = self.taps[::-1][-len(self.history):]  # newest sample meets taps[0]
        return sum(float(t) * h for t, h in zip(taps, self.history))  # type: ignore[return-value]
