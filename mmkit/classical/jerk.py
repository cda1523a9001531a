"""Jerk-aware video acceleration magnification (Takeda, Okami, Mikami, Isogai, Kimata, CVPR 2018).

Acceleration magnification (:mod:`mmkit.classical.acceleration`) leaves constant-velocity motion alone, but a
*quick* large motion (a ball hitting a board, a sudden turn of the head) has large accelerations too, and
magnifying them gives ugly artifacts. Takeda et al.'s observation: such motions are also abrupt, i.e. have a
large **jerk** (third time derivative of position), whereas the small changes to magnify are smooth, with a
small jerk. The *jerk-aware filter* is a weight that passes the acceleration response only where the jerk is
small:

    ``J(x, t) = |G''' * phi|`` (the third derivative of the same Gaussian, on the phase),
    ``W(x, t) = (1 - J(x, t) / max J)^beta``,  and the phase shift is ``alpha W B~``,

with ``B~`` the (amplitude-weighted smoothed) acceleration response and the maximum over all samples and frames
of the band. ``beta`` (>= 0, default 1) sets how sharply large jerks are cut; 0 gives plain acceleration
magnification.

Our reading and choices (the paper's full text was not available to check here; the form of ``W`` is as we
understand it, the rest is ours and measured in the tests):

* ``J`` is smoothed with the same amplitude-weighted Gaussian as the phase before taking its magnitude, and
  the maximum ignores samples whose amplitude is below 1 % of the band's largest (their phase is noise);
* the third-derivative kernel uses the acceleration kernel's ``sigma_t`` and is made blind to constant,
  linear and quadratic trends;
* **jerk envelope** (``jerk_window``, default 2): ``J`` is replaced by its running maximum over
  ``+-jerk_window sigma_t`` frames. A pointwise ``J`` (``jerk_window=0``) vanishes exactly where the
  acceleration response of an abrupt motion peaks (the third derivative of a smoothed step crosses zero
  where the second peaks), so the weight lets the worst artifacts through: on a 4 px step in 3 frames,
  alpha = 10, the output deviates from the input by 8.2 px with the pointwise weight, 0.5 px with the
  envelope (plain acceleration: 10.0 px), while a vibration elsewhere in the clip is still magnified
  (extra motion 9.1 alpha-units of 10).

**Limitation.** The weight is normalised by the largest jerk in the clip, so the method needs a quick motion
to be "aware" of: in a clip whose only motion is a smooth vibration (plus constant velocity), the vibration's
own jerk is the maximum and, with the envelope, nothing is magnified (with ``jerk_window=0`` the vibration is
magnified about ``1 + 0.56 alpha`` times, its shape sharpened). Use acceleration magnification there.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from mmkit.errors import MMKitError

from .acceleration import AccelerationConfig, acceleration_filter, check_dog, correlate_time, dog_kernel, dog_sigma
from .phase import PhaseMethod, amplitude_weighted_smooth, run_phase_pipeline

#: Samples weaker than this fraction of the band's largest amplitude do not set the jerk's maximum.
AMPLITUDE_FLOOR = 0.01


@dataclass
class JerkConfig(AccelerationConfig):
    """Parameters of jerk-aware acceleration magnification (Takeda et al. 2018).

    The fields of :class:`~mmkit.classical.acceleration.AccelerationConfig` (target frequency
    ``(low_hz + high_hz) / 2``, output ``1 + alpha`` times the input's vibration where the jerk is small), and
    ``beta`` (>= 0, default 1): exponent of the jerk-aware weight ``(1 - J / max J)^beta``; ``jerk_window``
    (>= 0, default 2): half-width, in ``sigma_t``, of the running maximum that makes ``J`` an envelope (0: the
    pointwise jerk).
    """

    beta: float = 1.0
    jerk_window: float = 2.0

    def validate(self) -> None:
        super().validate()
        self._number("beta", 0.0)
        self._number("jerk_window", 0.0)


def running_max(x: Tensor, reach: int) -> Tensor:
    """Maximum over ``t - reach .. t + reach`` along dim 0 (ends repeated).

    >>> running_max(torch.tensor([0.0, 0, 3, 0, 0, 0, 1]), 1).tolist()
    [0.0, 3.0, 3.0, 3.0, 0.0, 1.0, 1.0]
    """
    if reach <= 0:
        return x
    padded = torch.cat([x[:1].expand(reach, *x.shape[1:]), x, x[-1:].expand(reach, *x.shape[1:])])
    return padded.unfold(0, 2 * reach + 1, 1).amax(-1)


def jerk_weight(cfg: JerkConfig, fs: float):
    """``weight(filtered, dphi, amp, fs)`` of the jerk-aware filter, one weight per band."""
    sigma_t = dog_sigma(cfg.target_hz, fs)
    kernel = dog_kernel(3, sigma_t, cfg.target_hz, fs)
    reach = math.ceil(cfg.jerk_window * sigma_t)

    def weight(filtered: list[Tensor], dphis: list[Tensor], amps: list[Tensor], fs_: float) -> list[Tensor]:
        out = []
        for dphi, amp in zip(dphis, amps):
            jerk = running_max(amplitude_weighted_smooth(correlate_time(dphi, kernel), amp, cfg.sigma).abs_(), reach)
            strong = amp >= AMPLITUDE_FLOOR * amp.max()
            top = float(jerk[strong].max()) if bool(strong.any()) else 0.0
            if top <= 0:
                out.append(torch.ones_like(jerk))
                continue
            out.append((1 - jerk.div_(top)).clamp_(0.0, 1.0).pow_(cfg.beta))
        return out

    return weight


def jerk_method(cfg: JerkConfig, fs: float) -> PhaseMethod:
    return PhaseMethod(acceleration_filter(cfg, fs), jerk_weight(cfg, fs), extra_bytes=8.0)


def magnify_jerk(frames: np.ndarray, cfg: JerkConfig, fps: float, *, max_memory_gb: float = 4.0,
                 device: str | torch.device = "cpu") -> np.ndarray:
    """Jerk-aware acceleration magnification (Takeda et al. 2018); same contract as
    :func:`~mmkit.classical.phase.magnify_phase`.

    >>> clip = np.full((24, 24, 24, 3), 128, np.uint8)
    >>> out = magnify_jerk(clip, JerkConfig(low_hz=3, high_hz=7), fps=30)
    >>> out.shape, out.dtype, int(np.abs(out.astype(int) - 128).max())
    ((24, 24, 24, 3), dtype('uint8'), 0)
    """
    if type(cfg) is not JerkConfig:
        raise MMKitError(f"magnify_jerk needs a JerkConfig, got {type(cfg).__name__}")
    fs = check_dog(cfg, fps, frames)
    return run_phase_pipeline(frames, cfg, fs, jerk_method(cfg, fs), max_memory_gb=max_memory_gb, device=device)
