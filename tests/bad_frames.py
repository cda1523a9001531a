"""Clips that every method taking frames as a numpy array must refuse (mmkit.checks.check_clip and check_pixels),
each with words its error must contain; shared by the classical methods' tests."""
from __future__ import annotations

import numpy as np


def bad_frames(too_small_side: int) -> list[tuple[object, str]]:
    """``(frames, match)`` pairs; ``too_small_side`` is a frame side below the method's smallest."""
    return [
        (np.zeros((16, 32, 32), np.uint8), "shaped"),
        (np.zeros((16, 32, 32, 4), np.uint8), "shaped"),
        (np.zeros((1, 32, 32, 3), np.uint8), "at least 2 frames"),
        (np.zeros((16, too_small_side, 32, 3), np.uint8), "too small"),
        (np.full((16, 32, 32, 3), np.nan, np.float32), "NaN"),
        (np.full((16, 32, 32, 3), 200.0, np.float32), r"\[0, 1\]"),
        (np.zeros((16, 32, 32, 3), np.int64), "dtype"),
        ([[[[0, 0, 0]]]], "numpy array"),
    ]
