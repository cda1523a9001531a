"""Static figures of a session and of clips: slices side by side, the measured motion gain and its trace over time,
and one view of a :class:`~mmkit.widgets.session.Magnifier` (frame and x-t slices)."""
from __future__ import annotations

import math

import numpy as np

from ..errors import MMKitError
from ..plots import temporal_slice
from .session import Magnifier, _label, check_index


def slices_figure(slices: list[np.ndarray], titles: list[str], fps: float, axis: str = "x", width: float = 7.5,
                  ncols: int | None = None, row_height: float = 1.8):
    """A matplotlib figure of slices ``(T, L, 3)``: space in pixels across, time in seconds down, ``ncols`` a row,
    each row ``row_height`` inches tall (taller rows give each second of time more room)."""
    import matplotlib.pyplot as plt

    ncols = ncols or len(slices)
    nrows = math.ceil(len(slices) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, row_height * nrows), squeeze=False)
    for ax in axes.flat[len(slices):]:
        ax.axis("off")
    for ax, s, title in zip(axes.flat, slices, titles):
        ax.imshow(s, aspect="auto", extent=(0, s.shape[1], s.shape[0] / fps, 0), interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(f"{axis} (pixels)")
    for ax in axes[:, 0]:
        ax.set_ylabel("time (s)")
    fig.tight_layout()
    return fig


def motion_gain(frames: np.ndarray, displacement: np.ndarray, region: tuple[int, int, int, int]) -> float:
    """How many times the known horizontal motion the content of ``region`` moves in ``frames``.

    ``displacement``: the true input motion per frame in px (e.g. ``VibrationClip.displacement()``);
    ``region = (y0, y1, x0, x1)``: a patch of the moving object. The shift of the patch from frame 0 is measured
    in every frame (:func:`mmkit.measure.measure_shift`) and the least-squares gain against the true motion is
    returned: about 1 for the input, alpha for a perfect static-mode output (``1 + alpha`` for the classical
    methods' convention). The measurement reads a few per cent low on small patches (its window; see
    :func:`~mmkit.measure.phase_correlation`), the same for every clip, so compare gains with the truth's.

    Examples:
        >>> from mmkit.data.samples import VibrationClip
        >>> clip = VibrationClip(height=96, width=96, n_frames=12, radius=24)
        >>> round(motion_gain(clip.render(10.0), clip.displacement(), (36, 60, 36, 60)), 1)   # the truth for alpha 10
        9.9
    """
    d = np.asarray(displacement, dtype=np.float64)
    if d.shape != (len(frames),):
        raise MMKitError(f"displacement must have one value per frame ({len(frames)}), got shape {d.shape}")
    d = d - d[0]
    if not np.any(d):
        raise MMKitError("the true displacement never changes: there is no motion to measure a gain against")
    dx = motion_trace(frames, region)
    return float(dx @ d / (d @ d))


def motion_trace(frames: np.ndarray, region: tuple[int, int, int, int]) -> np.ndarray:
    """The horizontal shift in px of the content of ``region = (y0, y1, x0, x1)`` from frame 0 to every frame,
    ``(T,)``: what :func:`motion_gain` fits against the true motion, to plot over time (where a method starts
    slowly, overshoots, or smears the patch so badly that the measurement jumps).

    Examples:
        >>> from mmkit.data.samples import VibrationClip
        >>> clip = VibrationClip(height=96, width=96, n_frames=12, radius=24)
        >>> trace = motion_trace(clip.render(10.0), (36, 60, 36, 60))
        >>> np.round(trace[:4], 1)          # the truth for alpha 10: 10 x 0.25 px each way, a quarter period in
        array([-0. ,  1.2,  2.2,  2.5])
    """
    from ..measure import measure_shift

    return np.array([measure_shift(frames[0], f, region)[0] for f in frames])


def plot_session(mag: Magnifier, t: int = 0, row: int | None = None, truth: np.ndarray | None = None,
                 width: float = 6.5):
    """One static view of a session: input and magnified frame ``t`` with the slice row in red, and the x-t
    slices of input, output and (when given) the ground-truth clip ``truth`` below them."""
    import matplotlib.pyplot as plt

    row = mag._slice_at(row, None)[0]
    t = check_index(t, mag.n_frames)
    label = _label(mag)
    slices = [mag.input_slice(row=row), mag.slice(row=row)] + ([temporal_slice(truth, row=row)] if truth is not None
                                                               else [])
    names = ["input", label] + (["ground truth"] if truth is not None else [])
    n = len(slices)
    fig, axes = plt.subplots(2, n, figsize=(width, 0.68 * width), squeeze=False)
    frames = [mag.frames[t], mag.frame(t)] + ([truth[t]] if truth is not None else [])
    for i in range(n):
        top, bottom = axes[0, i], axes[1, i]
        top.imshow(frames[i], interpolation="nearest")
        top.axhline(row, color="red", lw=1)
        top.set_title(f"{names[i]}, frame {t}", fontsize=9)
        top.set_xlabel("x (pixels)")
        s = slices[i]
        bottom.imshow(s, aspect="auto", extent=(0, s.shape[1], s.shape[0] / mag.fps, 0), interpolation="nearest")
        bottom.set_title(f"x-t slice at row {row}", fontsize=9)
        bottom.set_xlabel("x (pixels)")
    axes[0, 0].set_ylabel("y (pixels)")
    axes[1, 0].set_ylabel("time (s)")
    fig.tight_layout()
    return fig

