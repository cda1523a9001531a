"""Memory checks made before a run allocates: a job too big for the machine stops at once with a clear
:class:`~mmkit.errors.MMKitError` (what it needs, what there is, what to change) instead of being killed
by the operating system half-way, or raising a bare ``MemoryError`` from deep inside numpy or torch.

The per-pixel costs are lower bounds measured on CPU (peak resident memory, ``resource.ru_maxrss``), so
a check refuses only what certainly cannot fit: streaming magnification per frame of a batch, light 267-370
bytes per pixel, base 640-810, oh2018 600-960 (512 x 512 and 1024 x 1024); a training step per sample of
the batch, light ~3,700 (128 and 256 px crops, no perceptual loss).
"""
from __future__ import annotations

import os

import torch

from .errors import MMKitError

NETWORK_BYTES_PER_PIXEL = 256   # one frame pair of a batch through the smallest network (light: >= 267)
TRAIN_BYTES_PER_PIXEL = 2048    # one sample of a training batch (light: ~3,700)
GIB = 2**30


def device_gib(device: torch.device | str) -> float | None:
    """Total memory of ``device`` in GiB: the GPU's for CUDA, the machine's RAM otherwise (None if unknown)."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_properties(device).total_memory / GIB
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    except (AttributeError, ValueError, OSError):  # not a POSIX system
        return None


def check_fits(need_gib: float, limit_gib: float | None, what: str, advice: str) -> None:
    """Raise :class:`MMKitError` if ``need_gib`` exceeds ``limit_gib`` (None: no known limit).

    Examples:
        >>> check_fits(1.0, 4.0, "x", "y")
        >>> check_fits(5.0, 4.0, "magnifying 300 frames of 720x1280 with linear", "use --scale 0.5")
        Traceback (most recent call last):
        ...
        mmkit.errors.MMKitError: magnifying 300 frames of 720x1280 with linear needs about 5 GiB, more than the 4 GiB available to it; use --scale 0.5
    """
    if limit_gib is not None and need_gib > limit_gib:
        raise MMKitError(f"{what} needs about {_gib(need_gib)} GiB, more than the {_gib(limit_gib)} GiB available "
                         f"to it; {advice}")


def _gib(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"
