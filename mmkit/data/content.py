"""Where the pictures come from: content for training, and content held out of it for benchmarks.

A network that has learned *motion* magnifies any picture; one that has learned the look of its training
textures does well only on those. To tell the two apart, the kit's picture sources are split in two:

* **training** content: the random Fourier waves of :func:`~mmkit.data.render.random_texture`, the
  sample images in :data:`TRAINING_IMAGES` and :func:`dead_leaves` pictures;
* **held-out** content, which no training pair of the kit draws from (from ``DataConfig(images="training")``
  on): the sample images in :data:`HELD_OUT_IMAGES` (a photograph and an elevation map) and three texture
  families made by generators the training pairs never use (:data:`HELD_OUT_GENERATORS`): a mosaic of flat
  cells, a rotated checkerboard and dense 1/f ("pink") noise.

:func:`held_out_texture` turns any of them into a continuous texture (an
:class:`~mmkit.data.images.ImageTexture`: band-limited, so a sub-pixel move is exact) that covers a given
number of output pixels, for the backgrounds and discs of the held-out circles benchmark
(:func:`mmkit.data.benchmarks.held_out_circles`).
"""
from __future__ import annotations

import numpy as np

from ..errors import MMKitError
from .images import ImageTexture, sample_images

#: matplotlib's sample images that training pairs may use (a gift-box icon, the matplotlib logo, an MRI slice,
#: a small elevation map).
TRAINING_IMAGES = ("gift_box", "logo", "mri", "topobathy")
#: Sample images kept out of training: the one photograph (Grace Hopper) and the larger elevation map.
HELD_OUT_IMAGES = ("grace_hopper", "jacksboro_fault")
#: Texture generators that no training pair uses.
HELD_OUT_GENERATORS = ("cells", "checks", "pink")
#: Every held-out source, images first.
HELD_OUT_SOURCES = HELD_OUT_IMAGES + HELD_OUT_GENERATORS
#: Colour range the held-out textures are mapped into: room for the band limit's ringing before the clip at 0, 1.
MARGIN = 0.06


def _cells(rng: np.random.Generator, n: int) -> np.ndarray:
    """A mosaic of flat-coloured cells (nearest of 20-60 random seeds), (n, n, 3) in [0, 1]."""
    seeds = rng.uniform(0, n, (int(rng.integers(20, 61)), 2))
    colours = rng.uniform(0, 1, (len(seeds), 3))
    ys, xs = np.mgrid[0:n, 0:n].astype(np.float64)
    nearest = np.empty((n, n), dtype=np.int64)
    best = np.full((n, n), np.inf)
    for k, (sx, sy) in enumerate(seeds):
        d = (xs - sx) ** 2 + (ys - sy) ** 2
        closer = d < best
        best[closer], nearest[closer] = d[closer], k
    return colours[nearest]


def _checks(rng: np.random.Generator, n: int) -> np.ndarray:
    """A rotated checkerboard of two colours, squares of 6-20 % of the side, (n, n, 3) in [0, 1]."""
    side = rng.uniform(0.06, 0.2) * n
    angle = rng.uniform(0, np.pi / 2)
    ys, xs = np.mgrid[0:n, 0:n].astype(np.float64)
    u = (xs * np.cos(angle) + ys * np.sin(angle)) / side
    v = (-xs * np.sin(angle) + ys * np.cos(angle)) / side
    odd = ((np.floor(u) + np.floor(v)) % 2)[..., None]
    a, b = rng.uniform(0, 1, 3), rng.uniform(0, 1, 3)
    return a * (1 - odd) + b * odd


def _pink(rng: np.random.Generator, n: int) -> np.ndarray:
    """Dense 1/f noise (every frequency, amplitude falling as 1/f, random phases), per colour, (n, n, 3) in [0, 1]."""
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(n), np.fft.fftfreq(n), indexing="ij"))
    amp = np.where(f > 0, 1.0 / np.maximum(f, 1.0 / n), 0.0)
    mix = rng.uniform(0.3, 1.0, (3, 3))            # colour channels share most of their structure
    base = [np.fft.ifft2(amp * np.exp(2j * np.pi * rng.uniform(0, 1, (n, n)))).real for _ in range(3)]
    img = np.einsum("ij,jhw->hwi", mix, np.array(base))
    lo, hi = np.percentile(img, 1), np.percentile(img, 99)
    return np.clip((img - lo) / max(hi - lo, 1e-12), 0.0, 1.0)


_GENERATORS = {"cells": _cells, "checks": _checks, "pink": _pink}


def dead_leaves(rng: np.random.Generator, n: int, r_min: float = 0.03, r_max: float = 0.4) -> np.ndarray:
    """A *dead-leaves* picture (Matheron; Lee, Mumford and Huang 2001), (n, n, 3) in [0, 1]: flat-coloured discs of
    radius ``r ~ 1 / r^3`` between ``r_min`` and ``r_max`` of the side, dropped one over another until the
    frame is covered. Its edges, flat patches and scale-free sizes are how photographs of objects look, which
    random waves are not; colours span the whole cube. A training source, never a held-out one."""
    ys, xs = np.mgrid[0:n, 0:n].astype(np.float64)
    out = np.zeros((n, n, 3))
    empty = np.ones((n, n), dtype=bool)
    lo, hi = r_min * n, r_max * n
    for _ in range(4000):   # leaves fall front to back: each paints only where nothing lies yet
        u = rng.uniform()
        r = 1.0 / np.sqrt(u / hi**2 + (1 - u) / lo**2)   # inverse CDF of p(r) ~ 1 / r^3 on [lo, hi]
        cx, cy = rng.uniform(-r, n + r, 2)
        x0, x1 = max(int(cx - r), 0), min(int(cx + r) + 2, n)
        y0, y1 = max(int(cy - r), 0), min(int(cy + r) + 2, n)
        if x0 >= x1 or y0 >= y1:
            continue
        inside = (xs[y0:y1, x0:x1] - cx) ** 2 + (ys[y0:y1, x0:x1] - cy) ** 2 <= r * r
        paint = inside & empty[y0:y1, x0:x1]
        out[y0:y1, x0:x1][paint] = rng.uniform(0, 1, 3)
        empty[y0:y1, x0:x1] &= ~inside
        if not empty.any():
            break
    out[empty] = rng.uniform(0, 1, 3)
    return out


def leaves_texture(rng: np.random.Generator, cover: float, margin: float = MARGIN) -> ImageTexture:
    """A :func:`dead_leaves` picture drawn at ``min(cover, 256)`` px and shown across ``cover`` px, as a band-limited
    texture (exact sub-pixel moves), colours mapped into ``[margin, 1 - margin]``."""
    n = int(min(max(np.ceil(cover), 8), 256))
    return ImageTexture(dead_leaves(rng, n), 0, 0, n, cover / n, gain=1 - 2 * margin, offset=margin)


def held_out_texture(rng: np.random.Generator, source: str, cover: float) -> ImageTexture:
    """A texture of held-out ``source`` (one of :data:`HELD_OUT_SOURCES`) about ``cover`` output px across.

    An image: a random square crop of 60-100 % of its short side, shown ``cover / crop`` times larger (so the
    whole crop spans ``cover`` px), in one of the 8 flips and transpositions. A generator: its picture drawn
    at ``min(cover, 512)`` px and shown at ``cover`` px. Colours are mapped into ``[MARGIN, 1 - MARGIN]``.

    Examples:
        >>> tex = held_out_texture(np.random.default_rng(0), "cells", 64)
        >>> tex.grid(np.arange(64.0), np.arange(64.0)).shape
        (64, 64, 3)
    """
    if source not in HELD_OUT_SOURCES:
        raise MMKitError(f"unknown held-out source {source!r}; choose one of {HELD_OUT_SOURCES}")
    if not cover >= 8:
        raise MMKitError(f"a texture must cover at least 8 px, got {cover}")
    if source in HELD_OUT_IMAGES:
        img = sample_images().get(source)
        if img is None:
            raise MMKitError(f"matplotlib's sample image {source!r} could not be read; reinstall matplotlib")
        short = min(img.shape[:2])
        crop = int(round(short * rng.uniform(0.6, 1.0)))
        y0, x0 = int(rng.integers(img.shape[0] - crop + 1)), int(rng.integers(img.shape[1] - crop + 1))
        orient = int(rng.integers(8))
    else:
        crop = int(min(np.ceil(cover), 512))
        img, y0, x0, orient = _GENERATORS[source](rng, crop), 0, 0, 0
    gain = 1 - 2 * MARGIN
    return ImageTexture(img, y0, x0, crop, cover / crop, orient=orient, gain=gain, offset=MARGIN)
