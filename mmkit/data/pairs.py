"""Synthetic training pairs in the manner of Oh et al. (ECCV 2018), made on the fly.

Each sample is a textured background with a few textured shapes pasted on it. The background (unless it
is still) and each shape move by their own small random displacement ``d`` between frame A (``prev``) and
frame B (``cur``); the target is frame A with every displacement multiplied by ``alpha``, rendered anew
(not warped) so that occlusions are right. Inputs get shot noise and 8-bit quantisation; the clean
inputs come with them for the proxy model and L_A. Some backgrounds are smooth (low-passed) so that the
network does not learn to rely on texture everywhere.

A sample depends only on ``(seed, index)``: the same pair on any machine and in any worker order,
which is what makes resumable training exact.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from ..atomic import atomic_path
from ..checks import check_number
from ..errors import MMKitError
from .content import TRAINING_IMAGES, leaves_texture
from .images import random_background
from .render import OffsetTexture, Shape, paint, random_texture, to_uint8


#: The sample images each ``DataConfig.images`` setting draws from (None: all of them).
IMAGE_SETS: dict[str, tuple[str, ...] | None] = {"training": TRAINING_IMAGES, "all": None}


@dataclass(frozen=True)
class DataConfig:
    """How training pairs are drawn. Defaults follow Oh et al. (2018) where they say, ours elsewhere."""

    size: int = 128                      # height = width of a sample (Oh et al.: 384)
    alpha_min: float = 1.0               # alpha ~ U(alpha_min, alpha_max) (Oh et al.: 1 to 100)
    alpha_max: float = 100.0
    max_magnified_motion: float = 30.0   # |alpha * d| stays below this many pixels (Oh et al.: 30)
    max_input_motion: float = 3.0        # |d| stays below this many pixels
    min_objects: int = 1
    max_objects: int = 5
    still_background_prob: float = 0.3   # the background does not move
    smooth_background_prob: float = 0.2  # a low-passed background (wave periods 32-256 px)
    image_background_prob: float = 0.5   # else: a crop of an image matplotlib ships, else random waves
    shot_noise_max: float = 0.3          # std = s * sqrt(255 v) / 255, s ~ U(0, shot_noise_max)
    quantise: bool = True                # round the noisy inputs to 8 bits
    seed: int = 0
    images: str = "training"             # sample images: "training" (mmkit.data.content.TRAINING_IMAGES) or "all"
    leaves_prob: float = 0.0             # a background, or a shape's texture, is a dead-leaves picture
    gauss_noise_max: float = 0.0         # sensor-like Gaussian noise too: std g ~ U(0, gauss_noise_max), 0..255 units

    def validate(self) -> None:
        """Refuse values that would still render but not what they say (a negative noise range draws the
        same strengths as its positive; alpha_max < alpha_min swaps the range), with the field's name."""
        check_number("data.shot_noise_max (--shot-noise-max)", self.shot_noise_max)
        check_number("data.alpha_min", self.alpha_min, strict=True)
        check_number("data.gauss_noise_max (--gauss-noise-max)", self.gauss_noise_max)
        if not 0 <= self.leaves_prob <= 1:
            raise MMKitError(f"data.leaves_prob (--leaves-prob) must be 0 .. 1, got {self.leaves_prob!r}")
        if self.images not in IMAGE_SETS:
            raise MMKitError(f"data.images (--images) must be one of {sorted(IMAGE_SETS)}, got {self.images!r}")
        if not self.alpha_max >= self.alpha_min:
            raise MMKitError(f"data.alpha_max ({self.alpha_max!r}) must be >= data.alpha_min ({self.alpha_min!r})")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "DataConfig":
        """A saved config; fields it lacks take the values of the runs that wrote it before they existed
        (:data:`LEGACY`), so that an old run resumes on the same pairs."""
        return cls(**{**LEGACY, **d})


#: Values of the fields added after the shipped runs were trained, as those runs drew their pairs.
LEGACY = {"images": "all", "leaves_prob": 0.0, "gauss_noise_max": 0.0}


def config_from_flags(size: int | None, seed: int | None, shot_noise_max: float | None = None,
                      base: DataConfig | None = None, **more: object) -> DataConfig:
    """The data config of the flags that ``mmkit train`` and ``python -m mmkit.data.cache`` share (one place, so
    that a cache and the run that reads it agree): each one given (not None) replaces ``base``'s setting
    (DataConfig's defaults, or those of the run that ``mmkit train --resume`` continues)."""
    given = {"size": size, "seed": seed, "shot_noise_max": shot_noise_max, **more}
    return replace(base or DataConfig(), **{k: v for k, v in given.items() if v is not None})


def _rng(seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, index]))


def _random_motion(rng: np.random.Generator, alpha: float, cfg: DataConfig) -> tuple[float, float]:
    """A displacement with a uniform direction and |d| ~ U(0, min(max_input, max_magnified / alpha))."""
    r = rng.uniform(0, min(cfg.max_input_motion, cfg.max_magnified_motion / alpha))
    theta = rng.uniform(0, 2 * np.pi)
    return r * np.cos(theta), r * np.sin(theta)


def _random_shape(rng: np.random.Generator, size: int, leaves_prob: float = 0.0) -> Shape:
    a = rng.uniform(0.06, 0.25) * size
    b = a * rng.uniform(0.5, 1.0)
    leaves = leaves_prob > 0 and rng.random() < leaves_prob   # (no draw at 0: the pairs of runs before it stay)
    texture = (leaves_texture(rng, 2 * a + 4) if leaves
               else random_texture(rng, n_waves=16, min_period=3.0, max_period=size / 2, contrast=0.5))
    cx, cy = rng.uniform(0, size), rng.uniform(0, size)
    if leaves:   # the picture spans the shape: its origin at the shape's corner
        texture = OffsetTexture(texture, cx - a - 2, cy - a - 2)
    return Shape(texture, cx=cx, cy=cy, a=a, b=b, angle=rng.uniform(0, np.pi),
                 kind="box" if rng.random() < 0.4 else "ellipse")


def _shot_noise(rng: np.random.Generator, clean: np.ndarray, strength: float, quantise: bool,
                gauss: float = 0.0) -> np.ndarray:
    """Poisson-like noise (variance proportional to intensity), plus Gaussian noise of std ``gauss`` (0..255 units),
    and 8-bit quantisation; float in [0, 1]."""
    if gauss > 0:
        std = np.sqrt(strength**2 * np.maximum(clean, 0) / 255.0 + (gauss / 255.0) ** 2)
    else:   # as before Gaussian noise was added, rounding included
        std = strength * np.sqrt(np.maximum(clean, 0) / 255.0)
    noisy = clean + std * rng.standard_normal(clean.shape)
    noisy = np.clip(noisy, 0.0, 1.0)
    return to_uint8(noisy) / 255.0 if quantise else noisy


def render_pair(cfg: DataConfig, index: int) -> dict[str, np.ndarray | float]:
    """Sample ``index``: frames (H, W, 3) float in [0, 1], and the truth that made them.

    Keys: ``prev``, ``cur`` (noisy inputs), ``prev_clean``, ``cur_clean``, ``target`` (clean), ``alpha``,
    ``bg_motion`` (2,) and ``motions`` (n, 2) in pixels (dx, dy) between prev and cur, ``noise``.
    """
    rng = _rng(cfg.seed, index)
    n = cfg.size
    alpha = float(rng.uniform(cfg.alpha_min, cfg.alpha_max))
    smooth = rng.random() < cfg.smooth_background_prob
    leaves = cfg.leaves_prob > 0 and not smooth and rng.random() < cfg.leaves_prob
    if smooth:
        background = random_texture(rng, min_period=32.0, max_period=256.0)
    elif leaves:
        background = leaves_texture(rng, n)
    else:
        background = random_background(rng, n, p_image=cfg.image_background_prob, names=IMAGE_SETS[cfg.images])
    bg_d = (0.0, 0.0) if rng.random() < cfg.still_background_prob else _random_motion(rng, alpha, cfg)
    shapes = [_random_shape(rng, n, cfg.leaves_prob)
              for _ in range(int(rng.integers(cfg.min_objects, cfg.max_objects + 1)))]
    motions = [_random_motion(rng, alpha, cfg) for _ in shapes]
    xs = np.arange(n, dtype=np.float64)

    def frame(scale: float) -> np.ndarray:
        img = background.grid(xs - scale * bg_d[0], xs - scale * bg_d[1])
        for shape, (dx, dy) in zip(shapes, motions):
            paint(img, shape, (scale * dx, scale * dy))
        return img

    prev_clean, cur_clean, target = frame(0.0), frame(1.0), frame(alpha)
    noise = float(rng.uniform(0, cfg.shot_noise_max))
    gauss = float(rng.uniform(0, cfg.gauss_noise_max)) if cfg.gauss_noise_max > 0 else 0.0
    return {
        "prev": _shot_noise(rng, prev_clean, noise, cfg.quantise, gauss),
        "cur": _shot_noise(rng, cur_clean, noise, cfg.quantise, gauss),
        "prev_clean": prev_clean, "cur_clean": cur_clean, "target": target, "alpha": alpha,
        "bg_motion": np.array(bg_d), "motions": np.array(motions).reshape(-1, 2), "noise": noise,
        "gauss_noise": gauss,
    }


IMAGE_KEYS = ("prev", "cur", "prev_clean", "cur_clean", "target")


def to_tensors(sample: dict) -> dict[str, torch.Tensor]:
    """Images to (3, H, W) float32 in [-1, 1] (the network's range); alpha to a scalar tensor."""
    images = np.stack([sample[k] for k in IMAGE_KEYS]).astype(np.float32)        # (5, H, W, 3)
    images = torch.from_numpy(np.ascontiguousarray((images * 2 - 1).transpose(0, 3, 1, 2)))  # (5, 3, H, W)
    out = dict(zip(IMAGE_KEYS, images.unbind(0)))
    out["alpha"] = torch.tensor(float(sample["alpha"]), dtype=torch.float32)
    return out


class SyntheticPairs(Dataset):
    """``length`` pairs drawn on the fly; item ``i`` is always the same pair for the same config.

    Examples:
        >>> ds = SyntheticPairs(DataConfig(size=32), length=4)
        >>> sorted(ds[0])
        ['alpha', 'cur', 'cur_clean', 'prev', 'prev_clean', 'target']
        >>> ds[0]["prev"].shape
        torch.Size([3, 32, 32])
    """

    def __init__(self, cfg: DataConfig = DataConfig(), length: int = 100_000, offset: int = 0) -> None:
        self.cfg, self.length, self.offset = cfg, length, offset

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        if not 0 <= i < self.length:
            raise IndexError(i)
        return to_tensors(render_pair(self.cfg, self.offset + i))


def write_pairs(path: str | os.PathLike, cfg: DataConfig, n: int, offset: int = 0) -> Path:
    """Write pairs ``offset .. offset + n - 1`` to one ``.npz`` (uint8 images) for reproducible experiments."""
    if n < 1:
        raise MMKitError(f"number of pairs must be at least 1, got {n}")
    samples = [render_pair(cfg, offset + i) for i in range(n)]
    arrays = {k: np.stack([to_uint8(s[k]) for s in samples]) for k in IMAGE_KEYS}
    arrays["alpha"] = np.array([s["alpha"] for s in samples], dtype=np.float32)
    arrays["config"] = np.array(repr(cfg.to_dict()))
    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)
    return path


class NpzPairs(Dataset):
    """Pairs written by :func:`write_pairs`, as the same tensors :class:`SyntheticPairs` gives."""

    def __init__(self, path: str | os.PathLike) -> None:
        try:
            with np.load(path) as z:
                self.arrays = {k: z[k] for k in (*IMAGE_KEYS, "alpha")}
        except (OSError, ValueError, KeyError) as e:
            raise MMKitError(f"{path} is not a pair file written by mmkit.data.write_pairs: {e}") from None

    def __len__(self) -> int:
        return len(self.arrays["alpha"])

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        sample = {k: self.arrays[k][i] / 255.0 for k in IMAGE_KEYS}
        sample["alpha"] = self.arrays["alpha"][i]
        return to_tensors(sample)
