"""Gaussian and Laplacian image pyramids in torch (Burt and Adelson, 1983), as used by Wu et al. (2012).

Images are tensors shaped ``(..., H, W)`` -- typically ``(N, C, H, W)`` or ``(T, C, H, W)`` -- and every
leading index is filtered independently, so one call handles a whole clip on any device.

* Down: a separable 5-tap binomial blur ``[1, 4, 6, 4, 1] / 16`` with reflect padding, keeping every second
  row and column, so a side of ``n`` px becomes ``ceil(n / 2)``.
* Up: zero-insertion to the requested size (which must satisfy ``ceil(size / 2) == current``, so odd sizes
  invert exactly), then the same blur with gain 2 per axis (4 in all) to restore the mean.
* The Laplacian band ``k`` is ``G_k - up(G_{k+1})``; the last list element is the low-pass residual.
  Collapsing adds the bands back in the reverse order, so reconstruction is exact up to float rounding
  whatever the filters are.

Level cap: a pyramid never goes below a coarsest level whose shorter side is 4 px (see
:func:`max_pyramid_levels`); asking for more levels silently returns fewer. Below 4 px the 5-tap blur would
mostly see its own padding, and reflect padding of 2 needs at least 3 px.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from mmkit.errors import MMKitError

#: Shorter side, in px, that the coarsest pyramid level keeps at least.
MIN_LEVEL_SIZE = 4

_BINOMIAL5 = (1.0, 4.0, 6.0, 4.0, 1.0)


def max_pyramid_levels(height: int, width: int) -> int:
    """Number of pyramid levels (residual included) for an image, with the coarsest side still >= 4 px.

    >>> max_pyramid_levels(64, 96), max_pyramid_levels(37, 53), max_pyramid_levels(3, 3)
    (5, 4, 1)
    """
    n, levels = min(height, width), 1
    while math.ceil(n / 2) >= MIN_LEVEL_SIZE:
        n, levels = math.ceil(n / 2), levels + 1
    return levels


def _as_batch(x: Tensor) -> tuple[Tensor, tuple[int, ...]]:
    """View ``(..., H, W)`` as ``(N, 1, H, W)`` so one single-channel conv2d filters every image."""
    if x.ndim < 2:
        raise MMKitError(f"expected an image tensor shaped (..., H, W), got shape {tuple(x.shape)}")
    lead = tuple(x.shape[:-2])
    return x.reshape(-1, 1, *x.shape[-2:]), lead


def _blur(x4: Tensor, gain: float = 1.0, stride: int = 1) -> Tensor:
    """Separable binomial blur of ``(N, 1, H, W)`` with reflect padding, optionally strided by 2."""
    k = torch.tensor(_BINOMIAL5, dtype=x4.dtype, device=x4.device) * (gain / 16.0)
    x4 = F.conv2d(F.pad(x4, (2, 2, 0, 0), mode="reflect"), k.view(1, 1, 1, 5), stride=(1, stride))
    return F.conv2d(F.pad(x4, (0, 0, 2, 2), mode="reflect"), k.view(1, 1, 5, 1), stride=(stride, 1))


def gaussian_blur_down(x: Tensor) -> Tensor:
    """Blur with the 5-tap binomial and keep every second pixel: ``(..., H, W) -> (..., ceil(H/2), ceil(W/2))``.

    Needs ``H, W >= 3`` (reflect padding of 2 px).

    >>> gaussian_blur_down(torch.ones(2, 3, 37, 53)).shape
    torch.Size([2, 3, 19, 27])
    """
    x4, lead = _as_batch(x)
    if min(x4.shape[-2:]) < 3:
        raise MMKitError(f"cannot down-sample a {tuple(x.shape[-2:])} image: both sides must be >= 3 px")
    y = _blur(x4, stride=2)
    return y.reshape(*lead, *y.shape[-2:])


def upsample(x: Tensor, size: tuple[int, int]) -> Tensor:
    """Inverse-size of :func:`gaussian_blur_down`: zero-insert to ``size`` and blur with gain 4.

    ``size`` must satisfy ``ceil(size / 2) == x``'s size on both axes, which makes odd sizes exact.
    The reflected zero pattern stays alternating at both borders, so a constant image stays constant.

    >>> upsample(torch.ones(1, 19, 27), (37, 53)).sub(1).abs().max().item() < 1e-6
    True
    """
    x4, lead = _as_batch(x)
    h, w = x4.shape[-2:]
    out_h, out_w = int(size[0]), int(size[1])
    if math.ceil(out_h / 2) != h or math.ceil(out_w / 2) != w or min(out_h, out_w) < 3:
        raise MMKitError(f"cannot up-sample {(h, w)} to {(out_h, out_w)}: need ceil(size / 2) == {(h, w)} "
                         "and a target of at least 3 px per side")
    up = x4.new_zeros(x4.shape[0], 1, out_h, out_w)
    up[..., ::2, ::2] = x4
    y = _blur(up, gain=2.0)
    return y.reshape(*lead, out_h, out_w)


def laplacian_pyramid(x: Tensor, levels: int) -> list[Tensor]:
    """Laplacian pyramid of ``x`` (``(..., H, W)``): ``levels`` tensors, finest first, residual last.

    ``levels`` counts the residual; it is capped at :func:`max_pyramid_levels` ``(H, W)``, so small images
    get fewer levels. Band ``k`` has the size of the Gaussian level ``k``: ``ceil(H / 2**k)``.

    >>> [tuple(b.shape) for b in laplacian_pyramid(torch.rand(3, 37, 53), levels=10)]
    [(3, 37, 53), (3, 19, 27), (3, 10, 14), (3, 5, 7)]
    """
    if int(levels) < 1:
        raise MMKitError(f"levels must be >= 1, got {levels}")
    n = min(int(levels), max_pyramid_levels(*x.shape[-2:]))
    pyr: list[Tensor] = []
    g = x
    for _ in range(n - 1):
        down = gaussian_blur_down(g)
        pyr.append(g - upsample(down, tuple(g.shape[-2:])))
        g = down
    pyr.append(g)
    return pyr


def collapse_laplacian(pyr: list[Tensor]) -> Tensor:
    """Rebuild the image from a Laplacian pyramid (inverse of :func:`laplacian_pyramid`).

    >>> x = torch.rand(2, 3, 37, 53)
    >>> (collapse_laplacian(laplacian_pyramid(x, 4)) - x).abs().max().item() < 1e-5
    True
    """
    if not pyr:
        raise MMKitError("cannot collapse an empty pyramid")
    img = pyr[-1]
    for band in reversed(pyr[:-1]):
        img = band + upsample(img, tuple(band.shape[-2:]))
    return img
