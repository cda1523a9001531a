"""Jerk-aware video acceleration magnification (Takeda, Okami, Mikami, Isogai, Kimata, CVPR 2018).

Acceleration magnification (:mod:`mmkit.classical.acceleration`) leaves constant-velocity motion alone, but a
*quick* large motion (a ball hitting a board, a sudden turn of the head) has large accelerations too, and
magnifying them gives ugly artifacts. Takeda et al.'s observation: such motions are also abrupt, i.e. have a
large **jerk** (third time derivative of position), whereas the small changes to magnify are smooth, with a
small jerk. The **jerk-aware filter** (JAF) is a per-sample weight in [0, 1] on the acceleration response of
each band (orientation ``k``, scale ``n``) of the complex steerable pyramid:

* Eqs. 1-2, the jerk: ``J(x, t) = |(d^3 G_sigma / dt^3) * phi(x, t)|``, the third derivative of a Gaussian
  applied along time to the band's phase;
* Eq. 3, normalisation: ``J^(x, t) = (J - min J) / (max J - min J)`` over all samples and frames of the band;
* Eqs. 4-6, the filter: ``JAF(x, t) = (1 - J^(x, t))^(beta lambda_n)``, where ``beta`` (>= 0) sets how sharply
  large jerks are cut and ``lambda_n`` (Eq. 6) is the band's pyramid scale factor, the inverse of its
  down-sampling (1 for the finest band, about 2 per octave coarser), so coarse bands, whose phase barely
  moves, are cut harder;
* Eq. 7, *propagation correction*: the JAF of a band is multiplied by the (resized) JAFs of the next
  ``N_p - 1 = 4`` coarser scales of the same orientation, so a quick motion seen at a coarse scale also stops
  the magnification at the finer ones (``propagation = N_p``, off by default, see below; with it the pipeline
  goes coarsest scale first and keeps each scale's JAFs until the finer ones have used them);
* the magnified phase is ``phi + alpha JAF (d^2 G_sigma / dt^2 * phi)``: the acceleration method with its
  phase shift weighted by the JAF.

**Sources and what is not verified.** Only the paper's first page (title, figure 1, abstract) could be read
here. The equation numbers above and the reference settings below are those named in the authors' public
MATLAB release (``getJAF``: "Eq.1-5"; the scale factor: "Eq.6"; "Propagation Correction for Jerk-Aware
Filter (Eq.7)"), which was read to learn the definitions; this module is written from those definitions, not
ported. Not verified against the paper's text: the exact form of Eqs. 1-7 as printed, the Gaussian's
``sigma`` for the jerk (we use the acceleration kernel's, :func:`~mmkit.classical.acceleration.dog_sigma`),
and whether the paper states defaults.

**Reference settings** (the authors' release scripts): 8 orientations, half-octave pyramid, ``N_p = 5``
("fixed for all videos in CVPR 2018"); ``beta`` 1 (ukulele, 240 fps, 40 Hz, alpha 25), 0.8 (golf, 60 fps,
2 Hz, alpha 25; cat toy, 240 fps, 3 Hz, alpha 5), 0.3 (gun, 480 fps, 20 Hz, alpha 10). Our default
``beta = 1``.

**Eq. 7 and the jerk envelope, measured** (``python scripts/measure_phase_family.py`` and
tests/test_acceleration.py; alpha 10, octave pyramid of 4 orientations; a 0.05 px vibration riding on
0.4 px/frame, beside a quick 4 px jump):

=====================================  ============================  ==================
``jerk_window``, ``propagation``        vibration (of the 11x)        jump artefact
=====================================  ============================  ==================
0, 5 (the authors' filter)              0.335 px (0.61)               3.89 px
0, 1 (pointwise, per band)              0.522 px (0.95)               4.81 px
2, 5 (envelope and Eq. 7)               0.184 px (0.33)               0.11 px
**2, 1 (our default)**                  **0.474 px (0.86)**           **0.19 px**
=====================================  ============================  ==================

(plain acceleration: 0.560 px, 9.55 px). The envelope is what keeps the quick motion out; Eq. 7 on top of it
buys 0.08 px less artefact and costs two thirds of the magnification here, and on the course's sample clips
(``vibrating_still``, ``sliding_vibrating`` at 160 px, alpha 19) it leaves the output within 1 grey level of the
input: the product of five weights <= 1, the coarse ones raised to ``beta lambda_n`` with ``lambda_n`` up to 4,
is near 0 wherever the motion's jerk is not near the band's smallest. Hence ``propagation=1`` by default. The
authors pair ``N_p = 5`` with magnifications of 25 to 260.

**Where we depart from the equations, and why** (each measured in tests/test_acceleration.py):

* **Jerk envelope** (``jerk_window``, default 2; ``jerk_window=0`` is the pointwise Eq. 1): ``J`` is replaced
  by its running maximum over ``+-jerk_window sigma_t`` frames. With derivative-of-Gaussian kernels the jerk
  response of an abrupt motion (the third derivative of a smoothed step) is *zero exactly where its
  acceleration response peaks*, so the pointwise filter lets the worst artifacts through: on a 4 px step in 3
  frames, alpha = 10, the output deviates from the input by 8.6 px with the pointwise weight, 0.6 px with the
  envelope (plain acceleration: 9.6 px; both measured per band, before Eq. 7 was added). Eq. 7 does not remove
  this coincidence, since every scale uses the same temporal kernels.
* ``J`` is computed from the amplitude-weighted smoothed phase (as the acceleration response is), and the
  minimum and maximum of Eq. 3 ignore samples whose amplitude is below 1 % of the band's largest (their phase
  is noise and would set the maximum).
* ``lambda_n`` is the mean of the finest band's height and width ratios to the band's (about ``2**(n / b)``
  for scale ``n`` of a pyramid of ``b`` bands per octave; the bands are cropped to odd sizes).
* Eq. 7's coarser JAFs are brought to the band's samples by periodic linear interpolation
  (:func:`resize_periodic`); near the top of the pyramid fewer than ``N_p - 1`` coarser scales exist and
  those that do are used.

**Limitation.** The weight is normalised by the largest jerk in the clip, so the method needs a quick motion
to be "aware" of: in a clip whose only motion is a smooth vibration (plus constant velocity), the vibration's
own jerk is the maximum and, with the envelope, nothing is magnified (with ``jerk_window=0`` part of the
vibration is magnified, its shape sharpened). Use acceleration magnification there.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from mmkit.checks import check_int
from mmkit.errors import MMKitError

from .acceleration import AccelerationConfig, acceleration_filter, check_dog, correlate_time, dog_kernel, dog_sigma
from .phase import FRAME_CHUNK, PhaseMethod, amplitude_weighted_smooth, run_phase_pipeline
from .steerable import Band

#: Samples weaker than this fraction of the band's largest amplitude do not set the jerk's minimum and maximum.
AMPLITUDE_FLOOR = 0.01


@dataclass
class JerkConfig(AccelerationConfig):
    """Parameters of jerk-aware acceleration magnification (Takeda et al. 2018).

    The fields of :class:`~mmkit.classical.acceleration.AccelerationConfig` (target frequency
    ``(low_hz + high_hz) / 2``, output ``1 + alpha`` times the input's vibration where the jerk is small), and
    ``beta`` (>= 0, default 1): the exponent of the jerk-aware filter ``(1 - J^)^(beta lambda_n)`` (Eqs. 4-6;
    0 gives plain acceleration magnification); ``jerk_window`` (>= 0, default 2): half-width, in ``sigma_t``,
    of the running maximum that makes ``J`` an envelope (0: the paper's pointwise jerk, see the module
    docstring for why it is not the default); ``propagation`` (``N_p``, int 1 to 16, default 1): a band's
    filter is multiplied by those of the next ``N_p - 1`` coarser scales (Eq. 7); the authors use 5, which
    with the default envelope magnifies almost nothing in ordinary clips (see the module docstring);
    ``JerkConfig(jerk_window=0, propagation=5)`` is the filter as the authors define it.
    """

    beta: float = 1.0
    jerk_window: float = 2.0
    propagation: int = 1

    def validate(self) -> None:
        super().validate()
        self._number("beta", 0.0)
        self._number("jerk_window", 0.0)
        check_int(f"{type(self).__name__}.propagation", self.propagation, 1, 16,
                  why=" (N_p, scales whose jerk-aware filters multiply, Eq. 7; 1: none)")


def running_max(x: Tensor, reach: int) -> Tensor:
    """Maximum over ``t - reach .. t + reach`` along dim 0 (ends repeated).

    >>> running_max(torch.tensor([0.0, 0, 3, 0, 0, 0, 1]), 1).tolist()
    [0.0, 3.0, 3.0, 3.0, 0.0, 1.0, 1.0]
    """
    if reach <= 0:
        return x
    padded = torch.cat([x[:1].expand(reach, *x.shape[1:]), x, x[-1:].expand(reach, *x.shape[1:])])
    return padded.unfold(0, 2 * reach + 1, 1).amax(-1)


def normalized_jerk(jerk: Tensor, amp: Tensor) -> Tensor:
    """Eq. 3: ``(J - min J) / (max J - min J)`` clipped to [0, 1], the extremes taken over samples with an
    amplitude of at least :data:`AMPLITUDE_FLOOR` of the largest (in place on ``jerk``). All zeros if ``J``
    is constant there.

    >>> normalized_jerk(torch.tensor([1.0, 2.0, 3.0, 9.0]), torch.tensor([1.0, 1.0, 1.0, 0.0])).tolist()
    [0.0, 0.5, 1.0, 1.0]
    """
    strong = amp >= AMPLITUDE_FLOOR * amp.max()
    if not bool(strong.any()):
        return jerk.zero_()
    lo, hi = float(jerk[strong].min()), float(jerk[strong].max())
    if hi <= lo:
        return jerk.zero_()
    return jerk.sub_(lo).div_(hi - lo).clamp_(0.0, 1.0)


def resize_periodic(x: Tensor, size: tuple[int, int]) -> Tensor:
    """``(T, h', w')`` -> ``(T, h, w)`` by periodic linear interpolation, sample ``i`` of ``x`` lying at
    ``i h / h'`` (as the bands of :class:`~mmkit.classical.steerable.SteerablePyramid` sample the frame: each
    is the inverse DFT of a centred crop of the frame's spectrum, so sample 0 is the frame's pixel 0).

    >>> resize_periodic(torch.tensor([[[0.0, 2.0]]]), (1, 4)).tolist()
    [[[0.0, 1.0, 2.0, 1.0]]]
    """
    out = x
    for dim, n in ((1, size[0]), (2, size[1])):
        m = out.shape[dim]
        if m == n:
            continue
        u = torch.arange(n, device=x.device, dtype=torch.float64) * (m / n)
        i0 = u.floor().long()
        f = (u - i0).to(x.dtype)
        shape = [1, 1, 1]
        shape[dim] = n
        a, b = out.index_select(dim, i0 % m), out.index_select(dim, (i0 + 1) % m)
        out = torch.lerp(a, b, f.view(shape))
    return out


def jerk_weight(cfg: JerkConfig, fs: float):
    """``weight(filtered, dphi, amp, fs, bands, finest)`` of the jerk-aware filter (Eqs. 1-7), one weight per
    band.

    With ``cfg.propagation = N_p > 1`` (Eq. 7) the bands must come coarsest scale first (the method's
    :attr:`~mmkit.classical.phase.PhaseMethod.coarse_first`): each band's filter (Eqs. 1-6) is kept until the
    ``N_p - 1`` finer scales have used it, and a band's weight is its own filter times those of the next
    ``N_p - 1`` coarser scales of the same orientation, resized to its samples (:func:`resize_periodic`).
    """
    sigma_t = dog_sigma(cfg.target_hz, fs)
    kernel = dog_kernel(3, sigma_t, cfg.target_hz, fs)
    reach = math.ceil(cfg.jerk_window * sigma_t)
    keep = cfg.propagation - 1
    held: dict[tuple[int, int], Tensor] = {}    # (scale, orientation) -> that band's own filter (Eqs. 1-6)
    last_scale: int | None = None               # the scale of the band before

    def weight(filtered: list[Tensor], dphis: list[Tensor], amps: list[Tensor], fs_: float, bands: list[Band],
               finest: tuple[int, int]) -> list[Tensor]:
        nonlocal last_scale
        out = []
        for dphi, amp, band in zip(dphis, amps, bands):
            h, w = dphi.shape[-2:]
            lam = 2.0 / (h / finest[0] + w / finest[1])                                   # Eq. 6
            jerk = correlate_time(dphi, kernel)                                           # Eqs. 1-2
            jerk = running_max(amplitude_weighted_smooth(jerk, amp, cfg.sigma).abs_(), reach)
            jhat = normalized_jerk(jerk, amp)                                             # Eq. 3
            jaf = jhat.neg_().add_(1.0).clamp_(0.0, 1.0).pow_(cfg.beta * lam)             # Eqs. 4-5
            if keep:                                                                      # Eq. 7
                if last_scale is not None and band.scale > last_scale:
                    raise MMKitError("the jerk-aware filter's propagation (Eq. 7) needs the bands coarsest first")
                last_scale = band.scale
                for s, k in [key for key in held if key[0] > band.scale + keep]:
                    del held[s, k]                  # no finer band still to come needs it
                own = jaf.clone() if band.scale > 0 else None   # scale 0 is the finest: no one needs it
                for m in range(1, keep + 1):
                    coarser = held.get((band.scale + m, band.orientation))
                    if coarser is None:
                        continue
                    for s in range(0, len(jaf), FRAME_CHUNK):   # in chunks: small temporaries
                        jaf[s:s + FRAME_CHUNK].mul_(resize_periodic(coarser[s:s + FRAME_CHUNK], (h, w)))
                if own is not None:
                    held[band.scale, band.orientation] = own
            out.append(jaf)
        return out

    return weight


def jerk_method(cfg: JerkConfig, fs: float) -> PhaseMethod:
    keep = cfg.propagation - 1
    return PhaseMethod(acceleration_filter(cfg, fs), jerk_weight(cfg, fs), extra_bytes=40.0, coarse_first=keep > 0,
                       held_scales=keep)


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
