"""Linear Eulerian video magnification (Wu, Rubinstein, Shih, Guttag, Durand, Freeman, SIGGRAPH 2012).

For a frame ``I(x, t) = f(x + delta(t))`` the first-order expansion gives ``I ~ f(x) + delta(t) f'(x)``.
Band-passing each pixel in time keeps ``B(x, t) = delta(t) f'(x)`` (when ``delta`` lies in the band), and
adding ``alpha * B`` back gives ``f(x) + (1 + alpha) delta(t) f'(x) ~ f(x + (1 + alpha) delta(t))``: the motion
is magnified by ``1 + alpha`` without estimating it. The pipeline, per frame and channel:

1. RGB -> YIQ (NTSC matrix), so the colour noise can be damped separately (``chroma_attenuation``);
2. a Laplacian pyramid, so the gain can depend on the spatial scale;
3. a temporal band-pass of every level along time (:mod:`mmkit.classical.temporal`);
4. level ``k`` gets ``alpha_k`` (see :func:`level_alphas`) times the band-passed signal added to it;
5. collapse, YIQ -> RGB, clip to [0, 1].

The expansion only holds while ``(1 + alpha) delta(t) < lambda / 8`` for the spatial wavelength ``lambda``
(Wu et al., Sec. 3, the bound on the amplification): large motions or fine textures break it, and the output
then shows intensity overshoot instead of a larger motion.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from mmkit.checks import check_choice, check_clip, check_int, check_number, check_pixels
from mmkit.errors import MMKitError

from .pyramids import collapse_laplacian, laplacian_pyramid, max_pyramid_levels
from .temporal import check_band, ideal_bandpass, iir_bandpass

#: RGB -> YIQ, the NTSC matrix (rows Y, I, Q). Its exact inverse maps back.
RGB_TO_YIQ = ((0.299, 0.587, 0.114),
              (0.596, -0.274, -0.322),
              (0.211, -0.523, 0.312))

#: Shorter frame side (px) that still gives 3 pyramid levels (13 -> 7 -> 4): one amplified band between
#: the never-amplified finest band and residual.
MIN_FRAME_SIDE = 13

_FILTERS = {"ideal": ideal_bandpass, "iir": iir_bandpass}


@dataclass
class LinearConfig:
    """Parameters of linear Eulerian magnification (names as in Wu et al. 2012).

    ``alpha``: motion gain; the output motion is ``(1 + alpha)`` times the input's, in the band.
    ``low_hz``, ``high_hz``: temporal pass band. ``fps``: frame rate to assume; None uses the video's.
    ``levels``: Laplacian levels including the residual (>= 3; capped for small frames, see
    :func:`~mmkit.classical.pyramids.max_pyramid_levels`).
    ``lambda_c``: cut-off spatial wavelength in px; shorter wavelengths get a smaller gain (0 disables that).
    ``chroma_attenuation``: factor on the I and Q channels' amplified signal (0 = magnify luma only).
    ``filter``: ``"ideal"`` (FFT, whole clip) or ``"iir"`` (causal, Wu's real-time filter).
    """

    alpha: float = 10.0
    low_hz: float = 0.4
    high_hz: float = 3.0
    fps: float | None = None
    levels: int = 6
    lambda_c: float = 16.0
    chroma_attenuation: float = 0.1
    filter: str = "ideal"

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise :class:`MMKitError` naming the first bad field (the band is checked against fps later)."""
        for name in ("alpha", "lambda_c", "chroma_attenuation", "low_hz", "high_hz"):
            check_number(f"LinearConfig.{name}", getattr(self, name))
        check_number("LinearConfig.fps", self.fps, strict=True, optional=True)
        check_int("LinearConfig.levels", self.levels, 3, why=" (the finest band and the residual are never amplified)")
        check_choice("LinearConfig.filter", self.filter, sorted(_FILTERS))


def rgb_to_yiq(x: Tensor) -> Tensor:
    """RGB -> YIQ on the channel axis ``-3`` of a ``(..., 3, H, W)`` tensor."""
    m = torch.tensor(RGB_TO_YIQ, dtype=torch.float64).to(device=x.device, dtype=x.dtype)
    return torch.einsum("ij,...jhw->...ihw", m, x)


def yiq_to_rgb(x: Tensor) -> Tensor:
    """YIQ -> RGB with the exact inverse of :data:`RGB_TO_YIQ` (computed in float64)."""
    m = torch.linalg.inv(torch.tensor(RGB_TO_YIQ, dtype=torch.float64)).to(device=x.device, dtype=x.dtype)
    return torch.einsum("ij,...jhw->...ihw", m, x)


def level_alphas(height: int, width: int, n_levels: int, alpha: float, lambda_c: float) -> list[float]:
    """Gain of each pyramid level (finest first) for ``height x width`` frames, after Wu et al. (2012).

    Formula (all wavelengths in px of the full-resolution frame):

    * representative wavelength of level ``k``: ``lambda_k = (sqrt(H^2 + W^2) / 3) / 2**(L - 1 - k)``,
      with ``L = max_pyramid_levels(H, W)``: the coarsest possible level stands for a third of the diagonal
      and every finer level for half the wavelength of the next coarser one. This is the convention of Wu
      et al.'s reference implementation (which always builds the full-height pyramid); indexing it from the
      full height keeps ``lambda_k`` tied to the scale when fewer levels are asked for.
    * ``delta = lambda_c / 8 / (1 + alpha)``: the largest motion for which the bound
      ``(1 + alpha) delta < lambda / 8`` (Wu et al., Sec. 3) still holds at ``lambda = lambda_c``.
    * ``alpha_k = clip(lambda_k / (8 * delta) - 1, 0, alpha) = clip((1 + alpha) lambda_k / lambda_c - 1, 0, alpha)``:
      the bound solved for the gain at ``lambda_k``, so levels with ``lambda_k >= lambda_c`` get the full
      ``alpha`` and finer ones less, down to 0. ``lambda_c = 0`` switches this off (all get ``alpha``).
    * the finest band and the low-pass residual get 0, as in Wu et al.'s code: the finest band is mostly
      noise and the residual holds the mean brightness, whose drift should not be amplified.

    Wu's code also doubles the attenuated gain (an "exaggeration factor" of 2); the paper's bound has no
    such factor and it is not used here.

    >>> [round(a, 2) for a in level_alphas(64, 96, 5, alpha=10.0, lambda_c=16.0)]
    [0.0, 2.31, 5.61, 10.0, 0.0]
    """
    n_max = max_pyramid_levels(height, width)
    if not 1 <= n_levels <= n_max:
        raise MMKitError(f"a {height}x{width} frame has 1 to {n_max} pyramid levels, got n_levels={n_levels}")
    lambda_top = math.hypot(height, width) / 3.0
    gains = []
    for k in range(n_levels):
        if k == 0 or k == n_levels - 1:
            gains.append(0.0)
        elif lambda_c <= 0:
            gains.append(float(alpha))
        else:
            lam = lambda_top / 2.0 ** (n_max - 1 - k)
            gains.append(float(min(max((1.0 + alpha) * lam / lambda_c - 1.0, 0.0), alpha)))
    return gains


def estimate_gib(shape: tuple[int, ...]) -> float:
    """Memory of :func:`magnify_linear` in GiB for ``(T, H, W, 3)`` frames: about 3 float32 copies of the clip."""
    return 3 * math.prod(shape) * 4 / 2**30


def _frames_to_tensor(frames: np.ndarray, max_memory_gb: float) -> tuple[Tensor, bool]:
    """Check ``(T, H, W, 3)`` uint8 or float [0, 1] frames; return float32 ``(T, 3, H, W)`` and "was uint8"."""
    check_clip(frames, min_side=MIN_FRAME_SIDE,
               too_small=f"the pyramid needs >= {MIN_FRAME_SIDE} px on the shorter side for one amplified level")
    gib = estimate_gib(frames.shape)
    if gib > max_memory_gb:
        raise MMKitError(f"magnifying {frames.shape} frames needs about {gib:.2f} GiB (> max_memory_gb="
                         f"{max_memory_gb}): use fewer frames, crop or down-scale, or raise max_memory_gb")
    check_pixels(frames)
    if frames.dtype == np.uint8:
        x = frames.astype(np.float32)
        x /= np.float32(255.0)
        return torch.from_numpy(x).permute(0, 3, 1, 2), True
    return torch.from_numpy(frames.astype(np.float32)).permute(0, 3, 1, 2), False


def magnify_linear(frames: np.ndarray, cfg: LinearConfig, fps: float, *, max_memory_gb: float = 4.0,
                   device: str | torch.device = "cpu") -> np.ndarray:
    """Magnify the motion in ``frames`` by ``1 + cfg.alpha`` in the band ``[cfg.low_hz, cfg.high_hz]``.

    ``frames``: ``(T, H, W, 3)`` RGB, uint8 or float in [0, 1]; ``fps``: the video's frame rate (used unless
    ``cfg.fps`` is set). Returns the same shape, uint8 if the input was uint8, else float32, clipped to
    [0, 1]. The whole clip is held in memory as float32 (about 3 copies, for the pyramid and the filter);
    if that estimate exceeds ``max_memory_gb`` GiB an :class:`MMKitError` says so instead of running out.
    ``device`` is where the torch work runs (e.g. ``"cuda"``).

    >>> clip = np.full((16, 16, 16, 3), 128, np.uint8)
    >>> out = magnify_linear(clip, LinearConfig(low_hz=1, high_hz=5), fps=30)
    >>> out.shape, out.dtype, int(np.abs(out.astype(int) - 128).max())
    ((16, 16, 16, 3), dtype('uint8'), 0)
    """
    cfg.validate()
    fs = float(fps if cfg.fps is None else cfg.fps)
    check_band(fs, cfg.low_hz, cfg.high_hz)
    x, was_uint8 = _frames_to_tensor(frames, max_memory_gb)
    x = x.to(device)
    _, _, h, w = x.shape

    pyr = laplacian_pyramid(rgb_to_yiq(x), cfg.levels)
    del x
    gains = level_alphas(h, w, len(pyr), cfg.alpha, cfg.lambda_c)
    channel = torch.tensor([1.0, cfg.chroma_attenuation, cfg.chroma_attenuation], device=pyr[0].device)
    band_pass = _FILTERS[cfg.filter]
    for k, gain in enumerate(gains):
        if gain > 0:
            pyr[k] += (gain * channel).view(1, 3, 1, 1) * band_pass(pyr[k], fs, cfg.low_hz, cfg.high_hz)
    out = yiq_to_rgb(collapse_laplacian(pyr)).clamp_(0.0, 1.0).permute(0, 2, 3, 1).cpu()
    if was_uint8:
        return out.mul_(255.0).round_().to(torch.uint8).numpy()
    return out.contiguous().numpy()
