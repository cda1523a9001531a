"""Temporal band-pass filters along the time axis (dim 0) of a ``(T, ...)`` tensor, after Wu et al. (2012).

Eulerian magnification amplifies, at every pixel and pyramid level, only the intensity variation that lies in
a temporal frequency band ``[low_hz, high_hz]`` (the motion to magnify, e.g. a pulse). Two filters:

* :func:`ideal_bandpass` -- zero every DFT bin outside the band. Sharp, non-causal, needs the whole clip,
  and treats the clip as periodic (a jump between last and first frame leaks into the band).
* :func:`iir_bandpass` -- Wu et al.'s difference of two first-order IIR low-passes, causal and run frame by
  frame, so it suits streaming; its band edges are soft.
"""
from __future__ import annotations

import math

import torch
from torch import Tensor

from mmkit.errors import MMKitError
from mmkit.filters import check_band  # noqa: F401  (one definition of a valid band, re-exported)


def _check_signal(x: Tensor) -> None:
    if not torch.is_floating_point(x):
        raise MMKitError(f"expected a floating-point tensor, got {x.dtype}")
    if x.ndim < 1 or x.shape[0] < 2:
        raise MMKitError(f"expected a (T, ...) tensor with T >= 2 frames, got shape {tuple(x.shape)}")


def ideal_bandpass(x: Tensor, fs: float, low_hz: float, high_hz: float) -> Tensor:
    """Keep only the DFT bins of ``x`` along dim 0 whose frequency lies in ``[low_hz, high_hz]`` (inclusive).

    Bin ``m`` of a T-frame clip is at ``m * fs / T`` Hz; a sinusoid on a bin inside the band passes
    unchanged, one on a bin outside is removed exactly. Raises :class:`MMKitError` if the band holds no bin
    (it is narrower than the resolution ``fs / T``), since the output would be silently all zero.

    >>> t = torch.arange(60.0)
    >>> y = ideal_bandpass(torch.sin(2 * torch.pi * 2.0 * t / 30) + 1.0, fs=30, low_hz=1, high_hz=3)
    >>> (y - torch.sin(2 * torch.pi * 2.0 * t / 30)).abs().max().item() < 1e-5
    True
    """
    check_band(fs, low_hz, high_hz)
    _check_signal(x)
    n = x.shape[0]
    freqs = torch.fft.rfftfreq(n, d=1.0 / fs, device=x.device, dtype=torch.float64)
    keep = (freqs >= low_hz) & (freqs <= high_hz)
    if not bool(keep.any()):
        raise MMKitError(f"the band [{low_hz}, {high_hz}] Hz holds no frequency bin of a {n}-frame clip at "
                         f"{fs} fps (bins are {fs / n:.4g} Hz apart): widen the band, use more frames or "
                         "the IIR filter")
    spec = torch.fft.rfft(x, dim=0)
    spec = spec * keep.to(spec.real.dtype).view(-1, *([1] * (x.ndim - 1)))
    return torch.fft.irfft(spec, n=n, dim=0)


def lowpass_coefficient(fc: float, fs: float) -> float:
    """Smoothing factor ``a = 1 - exp(-2*pi*fc/fs)`` of the first-order low-pass with cut-off ``fc`` at ``fs``.

    >>> round(lowpass_coefficient(0.0, 30.0), 6), round(lowpass_coefficient(3.0, 30.0), 4)
    (0.0, 0.4665)
    """
    return 1.0 - math.exp(-2.0 * math.pi * fc / fs)


def iir_bandpass(x: Tensor, fs: float, low_hz: float, high_hz: float) -> Tensor:
    """Causal band-pass along dim 0: low-pass(cut-off ``high_hz``) minus low-pass(cut-off ``low_hz``).

    Each low-pass is the first-order recursion ``y[t] = y[t-1] + a * (x[t] - y[t-1])`` with
    ``a = 1 - exp(-2*pi*fc/fs)`` (:func:`lowpass_coefficient`), started at ``y[0] = x[0]`` so the output
    starts at 0 and a constant input gives exactly 0. In z-transform terms, with ``a1`` for ``high_hz`` and
    ``a2`` for ``low_hz``, the steady-state response is
    ``H(z) = a1 / (1 - (1 - a1) z^-1) - a2 / (1 - (1 - a2) z^-1)``: zero at DC, soft edges, and a peak gain
    below 1 -- the filter of Wu et al. (2012)'s real-time pipeline.

    >>> y = iir_bandpass(torch.full((300, 2), 0.7), fs=30, low_hz=0.5, high_hz=3)
    >>> y.abs().max().item()
    0.0
    """
    check_band(fs, low_hz, high_hz)
    _check_signal(x)
    a1, a2 = lowpass_coefficient(high_hz, fs), lowpass_coefficient(low_hz, fs)
    lp1, lp2 = x[0].clone(), x[0].clone()
    out = torch.empty_like(x)
    out[0] = 0
    for t in range(1, x.shape[0]):
        lp1 += a1 * (x[t] - lp1)
        lp2 += a2 * (x[t] - lp2)
        out[t] = lp1 - lp2
    return out
