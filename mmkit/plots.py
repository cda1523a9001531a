"""Spatio-temporal slices: the figure that shows motion magnification best (paper Figures 1, 4-6).

A slice stacks one row (or column) of every frame over time, so a vibration becomes a visible wiggle
of the edges in the slice.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from .errors import MMKitError


def temporal_slice(frames: np.ndarray, row: int | None = None, col: int | None = None) -> np.ndarray:
    """The slice at ``row`` (an x-t image, (T, W, 3)) or at ``col`` (a y-t image, (T, H, 3)).

    Give exactly one of ``row`` and ``col``; with neither, the middle row is used.

    Examples:
        >>> temporal_slice(np.zeros((5, 4, 6, 3), np.uint8), row=1).shape
        (5, 6, 3)
    """
    if frames.ndim != 4:
        raise MMKitError(f"frames must be (T, H, W, C), got shape {frames.shape}")
    if row is not None and col is not None:
        raise MMKitError("give a row or a column for the slice, not both")
    t, h, w = frames.shape[:3]
    if col is not None:
        if not 0 <= col < w:
            raise MMKitError(f"slice column {col} is outside the frame (width {w})")
        return frames[:, :, col]
    row = h // 2 if row is None else row
    if not 0 <= row < h:
        raise MMKitError(f"slice row {row} is outside the frame (height {h})")
    return frames[:, row]


def save_slices_png(path: str | Path, clips: Sequence[np.ndarray], titles: Sequence[str], fps: float,
                    row: int | None = None, col: int | None = None, frame_index: int = 0) -> Path:
    """Save a figure: for each clip, one frame with the slice line drawn, and its slice below it."""
    h = clips[0].shape[1]
    r = (h // 2 if row is None else row) if col is None else None
    slices = [temporal_slice(c, row=r, col=col) for c in clips]
    frames = [c[frame_index] for c in clips]
    return save_slice_figure(path, slices, titles, fps, axis="y" if col is not None else "x",
                             frames=frames, line=col if col is not None else r)


def save_slice_figure(path: str | Path, slices: Sequence[np.ndarray], titles: Sequence[str], fps: float,
                      axis: str = "x", frames: Sequence[np.ndarray] | None = None, line: int | None = None) -> Path:
    """Save slices ``(T, L, 3)`` side by side (time down, in seconds from ``fps``; space in pixels along
    ``axis``), with the frames they were cut from above them when given. Written atomically."""
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .atomic import atomic_path

    n, rows = len(slices), 1 if frames is None else 2
    fig, axes = plt.subplots(rows, n, figsize=(3.2 * n, 3.4 * rows), squeeze=False,
                             gridspec_kw={"height_ratios": [1, 1.3][-rows:]})
    for i, (s, title) in enumerate(zip(slices, titles)):
        if frames is not None:
            top = axes[0, i]
            top.imshow(frames[i])
            (top.axhline if axis == "x" else top.axvline)(line, color="red", lw=1)
            top.set_xlabel("x (pixels)")
            top.set_ylabel("y (pixels)")
        bottom = axes[-1, i]
        bottom.imshow(s, aspect="auto", extent=(0, s.shape[1], s.shape[0] / fps, 0), interpolation="nearest")
        bottom.set_xlabel(f"{axis} (pixels)")
        bottom.set_ylabel("time (s)")
        axes[0, i].set_title(title, fontsize=10)
        if frames is not None and line is not None:
            bottom.set_title(f"slice at {'row' if axis == 'x' else 'column'} {line}", fontsize=9)
    fig.tight_layout()
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=100, format=path.suffix.lstrip(".") or "png")
    plt.close(fig)
    return path
