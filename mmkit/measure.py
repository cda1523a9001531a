"""Measuring motion in frames: the yardstick of every exactness test and of the evaluation.

:func:`phase_correlation` estimates the global translation between two images to a small fraction of a
pixel: the integer part from the peak of the phase-correlation surface (Kuglin & Hines 1975), the
fractional part from a weighted least-squares fit of the cross-power spectrum's phase, which for a pure
translation is the plane ``-2 pi (fx dx + fy dy)``.
"""
from __future__ import annotations

import numpy as np


def to_gray(img: np.ndarray) -> np.ndarray:
    """(H, W) or (H, W, 3) to float64 luminance (Rec. 601 weights)."""
    img = np.asarray(img, dtype=np.float64)
    return img @ np.array([0.299, 0.587, 0.114]) if img.ndim == 3 else img


def phase_correlation(a: np.ndarray, b: np.ndarray, max_freq: float = 0.2) -> tuple[float, float]:
    """Translation ``(dx, dy)`` in pixels that moves ``a`` onto ``b`` (``b(x) ~ a(x - d)``).

    ``max_freq`` (cycles/px) bounds the frequencies used in the sub-pixel fit: low frequencies carry
    the phase slope with the least noise and no wrapping. A Tukey window with flat centre tapers the
    borders so that content entering and leaving the frame does not bias the estimate.

    Examples:
        >>> y, x = np.mgrid[0:64, 0:64]
        >>> tex = lambda s: np.cos(2 * np.pi * (x - s) / 16) + np.sin(2 * np.pi * (y + 0.5 * x - s) / 23)
        >>> dx, dy = phase_correlation(tex(0.0), tex(0.3))
        >>> round(dx, 1)
        0.3
    """
    a, b = to_gray(a), to_gray(b)
    if a.shape != b.shape:
        raise ValueError(f"images differ in shape: {a.shape} vs {b.shape}")
    ix, iy = _integer_shift(a, b)
    # Align the overlap by the integer shift, so only a fraction of a pixel is left to fit and the
    # window moves with the content.
    h, w = a.shape
    a = a[max(0, -iy):h - max(0, iy), max(0, -ix):w - max(0, ix)]
    b = b[max(0, iy):h - max(0, -iy), max(0, ix):w - max(0, -ix)]
    ddx, ddy = _phase_plane_fit(a, b, max_freq)
    return float(ix + ddx), float(iy + ddy)


def _windowed_spectra(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    win = np.outer(_tukey(a.shape[0]), _tukey(a.shape[1]))
    return np.fft.fft2((a - a.mean()) * win), np.fft.fft2((b - b.mean()) * win)


def _integer_shift(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """Peak of the phase-correlation surface, as signed ``(dx, dy)``."""
    fa, fb = _windowed_spectra(a, b)
    cross = np.conj(fa) * fb
    surface = np.fft.ifft2(cross / (np.abs(cross) + 1e-12)).real
    h, w = a.shape
    iy, ix = np.unravel_index(np.argmax(surface), surface.shape)
    return int(ix - w if ix > w // 2 else ix), int(iy - h if iy > h // 2 else iy)


def _phase_plane_fit(a: np.ndarray, b: np.ndarray, max_freq: float) -> tuple[float, float]:
    """Weighted least-squares fit of the cross-power phase to ``-2 pi (fx dx + fy dy)``."""
    fa, fb = _windowed_spectra(a, b)
    cross = np.conj(fa) * fb
    fy, fx = np.meshgrid(np.fft.fftfreq(a.shape[0]), np.fft.fftfreq(a.shape[1]), indexing="ij")
    radius = np.hypot(fx, fy)
    keep = (radius <= max_freq) & (radius > 0)
    sw = np.sqrt(np.abs(cross[keep]))
    design = -2 * np.pi * np.stack([fx[keep], fy[keep]], 1)
    (dx, dy), *_ = np.linalg.lstsq(design * sw[:, None], np.angle(cross[keep]) * sw, rcond=None)
    return float(dx), float(dy)


def _tukey(n: int, flat: float = 0.5) -> np.ndarray:
    """Tukey window: flat over the central ``flat`` fraction, cosine tapers to zero at the ends."""
    if n < 3:
        return np.ones(n)
    t = np.linspace(0, 1, n)
    edge = (1 - flat) / 2
    w = np.ones(n)
    lo, hi = t < edge, t > 1 - edge
    w[lo] = 0.5 * (1 - np.cos(np.pi * t[lo] / edge))
    w[hi] = 0.5 * (1 - np.cos(np.pi * (1 - t[hi]) / edge))
    return w
