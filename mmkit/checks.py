"""Checks of settings: "a finite number >= 0", "an int from 2 to 16", "one of ...", in one place.

Every config of the kit validates its fields with these, so that a bad value is refused the same way
everywhere, with an :class:`~mmkit.errors.MMKitError` that names the field (e.g. ``PhaseConfig.sigma``) and
what it must be, instead of a traceback from deep inside torch later. bools are refused where numbers are
asked for (``True`` is an int to Python, never a sensible magnification); numpy scalars are accepted.

    >>> check_int("PhaseConfig.orientations", 4, 2, 16)
    >>> check_number("PhaseConfig.sigma", -1.0)
    Traceback (most recent call last):
    ...
    mmkit.errors.MMKitError: PhaseConfig.sigma must be a finite number >= 0, got -1.0
    >>> check_int("RieszConfig.levels", True, 2, 64)
    Traceback (most recent call last):
    ...
    mmkit.errors.MMKitError: RieszConfig.levels must be an int from 2 to 64, got True
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Collection

import numpy as np

from .errors import MMKitError


def is_number(x: object) -> bool:
    """A real number (Python or numpy), but not a bool."""
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def is_int(x: object) -> bool:
    """A whole number (Python or numpy), but not a bool."""
    return isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_))


def check_number(label: str, value: object, minimum: float = 0.0, *, strict: bool = False,
                 optional: bool = False) -> None:
    """Refuse ``value`` unless it is a finite number ``>= minimum`` (``> minimum`` if ``strict``).

    ``optional``: None is accepted too (and the message says so).
    """
    if optional and value is None:
        return
    if is_number(value) and math.isfinite(value) and (value > minimum if strict else value >= minimum):
        return
    none = " or None" if optional else ""
    raise MMKitError(f"{label} must be a finite number {'>' if strict else '>='} {minimum:g}{none}, got {value!r}")


def check_int(label: str, value: object, lo: int, hi: int | None = None, *, even: bool = False,
              optional: bool = False, why: str = "") -> None:
    """Refuse ``value`` unless it is an int from ``lo`` to ``hi`` (no upper end if None), even if ``even``.

    ``optional``: None is accepted too. ``why`` is added to the message (e.g. what the field means).
    """
    if optional and value is None:
        return
    if is_int(value) and lo <= value and (hi is None or value <= hi) and not (even and value % 2):
        return
    span = f">= {lo}" if hi is None else f"from {lo} to {hi}"
    raise MMKitError(f"{label} must be {'None or ' if optional else ''}an {'even ' if even else ''}int {span}{why}, "
                     f"got {value!r}")


def check_choice(label: str, value: object, options: Collection) -> None:
    """Refuse ``value`` unless it is one of ``options``."""
    try:
        known = value in options
    except TypeError:  # an unhashable value asked of a set or dict
        known = False
    if not known:
        raise MMKitError(f"{label} must be one of {list(options)}, got {value!r}")


def check_flag(label: str, value: object) -> None:
    """Refuse anything but True or False (a string "no" would count as true)."""
    if not isinstance(value, (bool, np.bool_)):
        raise MMKitError(f"{label} must be True or False, got {value!r}")


def check_clip(frames: object, *, min_frames: int = 2, for_what: str = "to filter in time", min_side: int = 0,
               too_small: str = "") -> None:
    """Refuse anything but ``(T, H, W, 3)`` frames in a numpy array, with at least ``min_frames`` frames
    (``for_what`` says why) and ``min_side`` px on the shorter side (``too_small`` says why).

    The classical methods and the widgets take clips as arrays; this is their shared first check.

    >>> check_clip(np.zeros((1, 8, 8, 3)), for_what="to see motion")
    Traceback (most recent call last):
    ...
    mmkit.errors.MMKitError: need at least 2 frames to see motion, got T=1
    """
    if not isinstance(frames, np.ndarray):
        raise MMKitError(f"frames must be a numpy array (T, H, W, 3), got {type(frames).__name__}")
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise MMKitError(f"frames must be shaped (T, H, W, 3) with RGB last, got shape {frames.shape}")
    t, h, w, _ = frames.shape
    if t < min_frames:
        raise MMKitError(f"need at least {min_frames} frames {for_what}, got T={t}")
    if min(h, w) < min_side:
        raise MMKitError(f"frames of {h}x{w} px are too small: {too_small}")


def check_pixels(frames: np.ndarray) -> None:
    """Refuse pixel values other than uint8 (0-255) or finite floats in [0, 1] (with 0.01 of slack for rounding).

    >>> check_pixels(np.zeros((2, 8, 8, 3), np.int16))
    Traceback (most recent call last):
    ...
    mmkit.errors.MMKitError: frames must be uint8 (0-255) or float (0-1), got dtype int16
    """
    if frames.dtype == np.uint8:
        return
    if not np.issubdtype(frames.dtype, np.floating):
        raise MMKitError(f"frames must be uint8 (0-255) or float (0-1), got dtype {frames.dtype}")
    if not np.isfinite(frames).all():
        raise MMKitError("frames contain NaN or infinite values")
    lo, hi = float(frames.min()), float(frames.max())
    if lo < -0.01 or hi > 1.01:
        raise MMKitError(f"float frames must lie in [0, 1], got values in [{lo:.3g}, {hi:.3g}]: "
                         "divide 0-255 data by 255 or pass it as uint8")
