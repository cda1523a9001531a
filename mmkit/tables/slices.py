"""The paper's Figures 1, 4, 5 and 6: temporal slices of each method's output on the sample clips."""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Mapping, Sequence

import numpy as np
from torch import nn

from ..data.samples import SAMPLES
from ..errors import MMKitError
from .common import PAPER_METHODS, run_method


# --------------------------------------------------------------------------------------------------------
# Figures 1, 4, 5, 6: temporal slices on the sample clips
# --------------------------------------------------------------------------------------------------------


def sample_clip(name: str, n_frames: int, size: int):
    """The sample clip ``name`` of :mod:`mmkit.data.samples` with ``n_frames`` frames, its longer side ``size`` px.

    Lengths in pixels (frame, radius, slide speed) are scaled together; the sub-pixel motion to magnify is not.

    Examples:
        >>> c = sample_clip("sliding_vibrating", 24, 96)
        >>> c.height, c.width, c.radius, c.n_frames
        (64, 96, 14.0, 24)
    """
    if name not in SAMPLES:
        raise MMKitError(f"unknown sample {name!r}; choose one of {sorted(SAMPLES)}")
    clip = SAMPLES[name]
    k = size / max(clip.height, clip.width)
    changes = {"height": round(clip.height * k), "width": round(clip.width * k), "radius": clip.radius * k,
               "n_frames": n_frames}
    if hasattr(clip, "speed_px_per_s"):
        changes["speed_px_per_s"] = clip.speed_px_per_s * k
    return dataclasses.replace(clip, **changes)


def slice_line(clip) -> dict[str, int]:
    """Where to cut the slice of a sample clip: ``{"row": r}`` across a horizontal motion, ``{"col": c}`` across a
    vertical one (for the sliding disc, the column its centre crosses half-way through the clip)."""
    if hasattr(clip, "speed_px_per_s"):
        x_mid = clip.radius + 8.0 + clip.speed_px_per_s * (clip.n_frames / 2) / clip.fps
        return {"col": int(round(min(x_mid, clip.width - 1)))}
    return {"row": clip.height // 2}


def slice_clips(clip, methods: Sequence[str] = PAPER_METHODS, gain: float = 20.0,
                nets: Mapping[str, nn.Module] | None = None) -> dict[str, np.ndarray | str]:
    """``{"input": frames, method: magnified frames or the error text, ..., "truth": exact}`` for a sample clip.

    Networks run in dynamic mode (the paper's use); classical methods with ``alpha = gain - 1`` and a band of
    0.6-1.4 times the clip's frequency (centred on it, as the acceleration methods need). A method that cannot
    run on the clip (e.g. a temporal filter longer than the clip) gives its error message instead of frames.
    """
    frames = clip.render()
    f = clip.frequency_hz
    out: dict[str, np.ndarray | str] = {"input": frames}
    for m in methods:
        try:
            out[m] = run_method(m, frames, gain, clip.fps, band=(0.6 * f, 1.4 * f), nets=nets)
        except MMKitError as e:
            out[m] = str(e)
    out["truth"] = clip.render(gain)
    return out


def not_drawn(clips: Mapping[str, np.ndarray | str]) -> str:
    """One line naming the methods of :func:`slice_clips` that could not run on the clip, and why (their error
    messages, each said once); ``""`` when every method ran.

    Examples:
        >>> not_drawn({"input": np.zeros((2, 4, 4, 3)), "jerk": "JerkConfig: the clip is too short"})
        'not drawn: jerk (the clip is too short)'
    """
    reasons: dict[str, list[str]] = {}
    for name, value in clips.items():
        if isinstance(value, str):
            reasons.setdefault(re.sub(r"^\w+: ", "", value), []).append(name)
    return "; ".join(f"not drawn: {', '.join(names)} ({why})" for why, names in reasons.items())


def plot_slices(clips: Mapping[str, np.ndarray | str], fps: float, row: int | None = None, col: int | None = None,
                title: str = "", ncols: int | None = None, width: float = 8.0, dpi: int | None = None):
    """A figure like the paper's Figures 1, 4-6: the input's first frame with the slice line, then the temporal slice
    (:func:`mmkit.plots.temporal_slice`) of every clip, at most four panels a row (three when that fills the rows).

    A clip given as text (a method that could not run on it) gets no panel: :func:`not_drawn` says which and why,
    and is printed here. Panels of the paper's methods carry its letters: (a) input, (b) acceleration, (c) jerk,
    (d) anisotropy, (e) oh2018, (f) base, (g) light. Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    from ..plots import temporal_slice

    missing = not_drawn(clips)
    if missing:
        print(missing)
    drawn = {k: v for k, v in clips.items() if not isinstance(v, str)}
    n = len(drawn) + 1
    if ncols is None:
        ncols = n if n <= 4 else 3 if n % 4 and n % 3 == 0 else 4
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, 1.9 * nrows + (0.3 if title else 0)), squeeze=False,
                             dpi=dpi)
    axes = axes.ravel()
    first = next(iter(drawn.values()))
    axes[0].imshow(first[0])
    if col is not None:
        axes[0].axvline(col, color="red", lw=1.5)
    else:
        axes[0].axhline(first.shape[1] // 2 if row is None else row, color="red", lw=1.5)
    axes[0].set_title("input, frame 0 (red: slice)")
    axes[0].set_xlabel("x (pixels)")
    axes[0].set_ylabel("y (pixels)")
    letters = dict(zip(("input", *PAPER_METHODS), "abcdefg"))
    for ax, (name, frames) in zip(axes[1:], drawn.items()):
        ax.set_title(f"({letters[name]}) {name}" if name in letters else name)
        s = temporal_slice(frames, row=row, col=col)
        ax.imshow(s, aspect="auto", extent=(0, s.shape[1], s.shape[0] / fps, 0), interpolation="nearest")
        ax.set_xlabel(f"{'y' if col is not None else 'x'} (pixels)")
        ax.set_ylabel("time (s)")
    for ax in axes[n:]:
        ax.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
