"""Video acceleration magnification (Zhang, Pintea, van Gemert, CVPR 2017), on the phase-based pipeline.

Large motions (a walking person, a moving camera) are close to linear in time on the short time scale of the
small changes one wants to see, while the small changes deviate from that linearity. So instead of band-passing
the phase (:mod:`mmkit.classical.phase`), filter it with the **second derivative of a Gaussian** in time: a
constant or linearly changing phase (an object standing still or moving at constant velocity) gives exactly
zero, while a small vibration ``a sin(2 pi f t)`` gives a response proportional to its acceleration
``-(2 pi f)^2 a sin(2 pi f t)``. Everything else is the phase pipeline: complex steerable pyramid on the luma,
per-band phase, amplitude-weighted smoothing, ``S' = S exp(i alpha B~)``, collapse.

Our conventions (our choices, stated so the numbers can be checked):

* **Target frequency.** ``f = (low_hz + high_hz) / 2``; the band only names where the filter peaks. The
  Gaussian's standard deviation is ``sigma_t = fs / (sqrt(2) pi f)`` frames, which puts the peak of the
  filter's response ``w^2 exp(-sigma_t^2 w^2 / 2)`` exactly at ``f`` (``d/dw = 0`` at ``w = sqrt(2) / sigma_t``).
  The kernel spans ``+-ceil(4 sigma_t)`` frames; the clip must be at least that long plus one frame.
* **Gain.** The kernel is ``-d^2G/dt^2``, sampled, corrected to sum exactly to 0 (so it ignores a constant and,
  being symmetric, a linear trend), and scaled to unit gain at ``f``. So a vibration at ``f`` is magnified
  **(1 + alpha)** times, as in the band-pass methods, and at other frequencies ``1 + alpha H(f') / H(f)``.
  Zhang et al. magnify the raw second-derivative response; with this scaling ``alpha`` means the same here as
  for ``phase`` and ``linear``.
* **Phase reference.** ``reference="unwrap"`` by default: the phase is followed from frame to frame (wrapped
  differences summed), so a large motion of many wavelengths stays a straight line in time instead of
  wrapping every half wavelength (which would look like huge accelerations). It needs less than half a
  wavelength of motion between consecutive frames.
* **Clip ends.** The phase is extended past both ends by point reflection (``x[-k] = 2 x[0] - x[k]``), which
  continues a linear trend exactly, so constant velocity gives zero response up to the last frame.

The filter is non-causal (it needs ``4 sigma_t`` future frames), like the paper's.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from mmkit.errors import MMKitError

from .phase import PhaseBase, PhaseMethod, run_phase_pipeline
from .temporal import check_band


@dataclass
class AccelerationConfig(PhaseBase):
    """Parameters of acceleration magnification (Zhang et al. 2017) on the phase pipeline.

    ``alpha`` (>= 0): a vibration at the target frequency moves ``(1 + alpha)`` times as far; constant velocity
    is left alone (the paper's results use alpha of about 5 to 20 on real videos). ``low_hz``, ``high_hz``:
    the target frequency is their mean (``0 < low < high < fps / 2``). ``fps``: None uses the video's. The other
    fields are those of :class:`~mmkit.classical.phase.PhaseConfig`; ``reference`` defaults to ``"unwrap"``
    (see the module docstring).
    """

    reference: str = "unwrap"

    @property
    def target_hz(self) -> float:
        return 0.5 * (self.low_hz + self.high_hz)


def dog_sigma(target_hz: float, fs: float) -> float:
    """Std (frames) of the Gaussian whose second derivative peaks at ``target_hz``: ``fs / (sqrt(2) pi f)``.

    >>> round(dog_sigma(2.0, 30.0), 3)
    3.376
    """
    return fs / (math.sqrt(2.0) * math.pi * target_hz)


def dog_kernel(order: int, sigma: float, target_hz: float, fs: float) -> np.ndarray:
    """Sampled derivative-of-Gaussian kernel (float64, length ``2 ceil(4 sigma) + 1``) for ``order`` 2 or 3.

    ``order = 2``: ``-G''``, corrected to sum to 0 (blind to constants and, by symmetry, to linear trends),
    scaled to gain +1 at ``target_hz``. ``order = 3``: ``G'''``, corrected to have zero first moment (blind to
    constants, linear and, by antisymmetry, quadratic trends), scaled to gain magnitude 1 at ``target_hz``.
    The kernel is applied as a correlation: ``y[t] = sum_s k[s] x[t + s]``, ``s = -half .. half``.

    >>> k = dog_kernel(2, 3.0, 2.0, 30.0)
    >>> bool(abs(k.sum()) < 1e-12), bool(abs((np.arange(-12, 13) * k).sum()) < 1e-12)
    (True, True)
    """
    if order not in (2, 3):
        raise MMKitError(f"derivative-of-Gaussian order must be 2 or 3, got {order}")
    half = math.ceil(4 * sigma)
    s = np.arange(-half, half + 1, dtype=np.float64)
    g = np.exp(-0.5 * (s / sigma) ** 2)
    if order == 2:
        k = -(s**2 / sigma**4 - 1 / sigma**2) * g
        k -= k.sum() / g.sum() * g
    else:
        k = (3 * s / sigma**4 - s**3 / sigma**6) * g     # G''' up to sign convention of the correlation
        g1 = -s / sigma**2 * g
        k -= (s * k).sum() / (s * g1).sum() * g1
    resp = np.sum(k * np.exp(2j * np.pi * target_hz / fs * s))  # correlation: x = e^{i w t} -> H e^{i w t}
    return k / (resp.real if order == 2 else abs(resp))


def correlate_time(x: Tensor, kernel: np.ndarray, pad: str = "odd") -> Tensor:
    """``y[t] = sum_s k[s] x[t + s]`` along dim 0 of ``(T, ...)``, ends extended by point reflection (``"odd"``:
    ``x[-j] = 2 x[0] - x[j]``, keeps linear trends) or mirror reflection (``"even"``: ``x[-j] = x[j]``).

    >>> y = correlate_time(torch.arange(20.0)[:, None], dog_kernel(2, 1.5, 5.0, 30.0))
    >>> y.abs().max().item() < 1e-5
    True
    """
    half = (len(kernel) - 1) // 2
    n = x.shape[0]
    if n < half + 1:
        raise MMKitError(f"a clip of {n} frames is too short for a temporal kernel of +-{half} frames: use at "
                         f"least {half + 1} frames, or a higher target frequency (a shorter kernel)")
    if half == 0:
        return x * float(kernel[0])
    head, tail = x[1:half + 1].flip(0), x[n - 1 - half:n - 1].flip(0)
    if pad == "odd":
        head, tail = 2 * x[0] - head, 2 * x[n - 1] - tail
    xp = torch.cat([head, x, tail])
    out = torch.zeros_like(x)
    for j, k in enumerate(kernel):
        if k != 0:
            out.add_(xp[j:j + n], alpha=float(k))
    return out


def acceleration_filter(cfg: AccelerationConfig, fs: float):
    """The temporal filter ``dphi (T, h, w) -> acceleration response`` of :class:`AccelerationConfig`."""
    sigma = dog_sigma(cfg.target_hz, fs)
    kernel = dog_kernel(2, sigma, cfg.target_hz, fs)

    def temporal(dphi: Tensor, fs_: float) -> Tensor:
        return correlate_time(dphi, kernel)

    return temporal


def check_dog(cfg: AccelerationConfig, fps: float, frames: np.ndarray) -> float:
    """Validate ``cfg`` for a clip of ``frames``; return the frame rate to use."""
    cfg.validate()
    fs = float(fps if cfg.fps is None else cfg.fps)
    check_band(fs, cfg.low_hz, cfg.high_hz)
    half = math.ceil(4 * dog_sigma(cfg.target_hz, fs))
    n_frames = frames.shape[0] if isinstance(frames, np.ndarray) and frames.ndim == 4 else None
    if n_frames is not None and n_frames < half + 1:
        raise MMKitError(f"{type(cfg).__name__}: the derivative-of-Gaussian filter for {cfg.target_hz:g} Hz at "
                         f"{fs:g} fps spans +-{half} frames, so the clip needs at least {half + 1} frames "
                         f"(got {n_frames}): use a longer clip or a higher band")
    return fs


def magnify_acceleration(frames: np.ndarray, cfg: AccelerationConfig, fps: float, *, max_memory_gb: float = 4.0,
                         device: str | torch.device = "cpu") -> np.ndarray:
    """Magnify the *acceleration* in ``frames`` (Zhang et al. 2017): a vibration at the target frequency
    ``(low_hz + high_hz) / 2`` moves ``1 + alpha`` times as far, constant-velocity motion is left alone.

    Same contract as :func:`~mmkit.classical.phase.magnify_phase`: ``(T, H, W, 3)`` uint8 or float in [0, 1]
    in, same shape and kind out; a clear :class:`MMKitError` (with the memory estimate) before a run that would
    not fit in ``max_memory_gb`` GiB.

    >>> clip = np.full((24, 24, 24, 3), 128, np.uint8)
    >>> out = magnify_acceleration(clip, AccelerationConfig(low_hz=3, high_hz=7), fps=30)
    >>> out.shape, out.dtype, int(np.abs(out.astype(int) - 128).max())
    ((24, 24, 24, 3), dtype('uint8'), 0)
    """
    if type(cfg) is not AccelerationConfig:
        raise MMKitError(f"magnify_acceleration needs an AccelerationConfig, got {type(cfg).__name__}")
    fs = check_dog(cfg, fps, frames)
    method = PhaseMethod(acceleration_filter(cfg, fs))
    return run_phase_pipeline(frames, cfg, fs, method, max_memory_gb=max_memory_gb, device=device)
