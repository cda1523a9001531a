"""Figures of the kit and the course: spatio-temporal slices, image strips, loss curves, feature grids.

- Spatio-temporal slices, the figure that shows motion magnification best (paper Figures 1, 4-6): a slice
  stacks one row (or column) of every frame over time, so a vibration becomes a visible wiggle of the
  edges in the slice (:func:`temporal_slice`, :func:`save_slices_png`, :func:`save_slice_figure`).
- Image strips, training samples, magnified outputs and their slices (:func:`show_images`,
  :func:`show_training_samples`, :func:`show_outputs`, :func:`show_slices`, :func:`crop`).
- Loss curves of training runs, one panel per loss term (:func:`read_loss_log`, :func:`plot_loss_curves`).
- Feature maps of the network, one panel per channel on one colour scale (paper Figure 3:
  :func:`feature_grid`, :func:`feature_rows`; the features come from :mod:`mmkit.features`).
- Circles-benchmark scores beside the identity baseline (:func:`plot_circle_scores`).

The plotting functions return a matplotlib ``Figure`` and leave showing or saving it to the caller
(``plt.show()`` in a notebook); :func:`mmkit.course.setup` stores a lesson's figures small.
"""
from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import MMKitError

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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
    h, w = frames.shape[1:3]
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


# --------------------------------------------------------------------------------------------------------
# Image strips and training samples
# --------------------------------------------------------------------------------------------------------


def _pyplot():
    import matplotlib.pyplot as plt
    return plt


def _as_image(img: np.ndarray) -> np.ndarray:
    """uint8 or float images as float in [0, 1] for ``imshow`` (2-D maps are returned as they are)."""
    img = np.asarray(img)
    if img.dtype == np.uint8:
        return img.astype(np.float64) / 255.0
    return np.clip(img, 0.0, 1.0) if img.ndim == 3 else img


def crop(frame: np.ndarray, cx: float, cy: float, half: int) -> np.ndarray:
    """The ``(2 half, 2 half)`` window of ``frame`` centred near ``(cx, cy)`` (pixels), kept inside the frame.

    Examples:
        >>> crop(np.arange(100).reshape(10, 10), 1, 8, 2)
        array([[60, 61, 62, 63],
               [70, 71, 72, 73],
               [80, 81, 82, 83],
               [90, 91, 92, 93]])
    """
    h, w = frame.shape[:2]
    if 2 * half > min(h, w):
        raise MMKitError(f"a crop of {2 * half} px does not fit in a {h} x {w} frame")
    x0 = int(min(max(round(cx) - half, 0), w - 2 * half))
    y0 = int(min(max(round(cy) - half, 0), h - 2 * half))
    return frame[y0:y0 + 2 * half, x0:x0 + 2 * half]


def show_images(images: Sequence[np.ndarray], titles: Sequence[str] | None = None, ncols: int | None = None,
                width: float = 7.0, suptitle: str | None = None, cmap: str = "gray",
                xlabel: str | None = None, ylabel: str | None = None,
                panel_height: float | None = None, colorbar: str | None = None) -> Figure:
    """Images in a grid, ``ncols`` per row (default: all in one row), ``width`` inches wide.

    Colour images are ``(H, W, 3)`` uint8 or float in [0, 1] (clipped); 2-D arrays are drawn with ``cmap``.
    With ``colorbar`` (its label, e.g. ``"cur - prev (levels of 255)"``) the 2-D arrays are values, not
    pictures: they share one scale ``[-m, m]`` (``m`` their largest absolute value, so 0 is the middle of
    ``cmap``; pass ``cmap="RdBu_r"`` for signed maps) and one colour bar on the right gives the values.
    With ``xlabel`` or ``ylabel`` (e.g. ``"x (pixels)"``, ``"time (frames)"`` for a slice) the axes keep
    their ticks and get those labels; else they are hidden. ``panel_height`` (inches) stretches every image
    to that height instead of keeping its aspect (for slices of a short clip).
    """
    if not len(images):
        raise MMKitError("no images to show")
    n = len(images)
    ncols = min(ncols or n, n)
    nrows = math.ceil(n / ncols)
    h, w = np.asarray(images[0]).shape[:2]
    panel = panel_height or (width - (0.9 if colorbar else 0.0)) / ncols * h / w
    fig, axes = _pyplot().subplots(nrows, ncols, figsize=(width, panel * nrows + 0.45 * nrows + 0.3), squeeze=False)
    maps = [np.ravel(img) for img in images if np.ndim(img) == 2]
    lim = _limit(np.concatenate(maps), None) if colorbar and maps else None
    scale = {"vmin": -lim, "vmax": lim} if lim is not None else {}
    mapped = None
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.axis("off")
            continue
        flat = np.ndim(images[i]) == 2
        im = ax.imshow(_as_image(images[i]), cmap=cmap, interpolation="nearest",
                       aspect="auto" if panel_height else "equal", **(scale if flat else {}))
        mapped = im if flat else mapped
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
        if xlabel or ylabel:
            ax.set_xlabel(xlabel or "", fontsize=8)
            ax.set_ylabel(ylabel or "", fontsize=8)
            ax.tick_params(labelsize=7)
        else:
            ax.set_xticks([])
            ax.set_yticks([])
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    if colorbar and mapped is not None:
        fig.tight_layout(rect=(0, 0, 1 - 0.9 / width, 1))
        cax = fig.add_axes((1 - 0.8 / width, 0.15, 0.12 / width, 0.7))
        fig.colorbar(mapped, cax=cax).set_label(colorbar, fontsize=9)
        cax.tick_params(labelsize=9)
    else:
        fig.tight_layout()
    return fig


def show_training_samples(samples: Sequence[Mapping[str, Any]], zoom: int | None = None,
                          width: float = 7.0) -> Figure:
    """One row per training sample (as :func:`mmkit.data.render_pair` gives it): the noisy inputs ``prev``
    and ``cur``, the ``target`` (alpha in its title), then the shot noise in ``cur`` (``cur - cur_clean`` in levels
    of 255, green channel, shot-noise strength ``s`` in the title) on a signed colour scale with a colour bar: at
    about 3 levels the noise cannot be seen in the frames themselves. With ``zoom`` the noise map is the ``2 zoom``
    px window at the frame's centre."""
    images, titles = [], []
    for s in samples:
        motions = np.asarray(s.get("motions", np.zeros((0, 2))))
        largest = float(np.max(np.hypot(*motions.T))) if len(motions) else 0.0
        noise = 255.0 * (np.asarray(s["cur"], np.float64) - np.asarray(s["cur_clean"], np.float64))[..., 1]
        if zoom is not None:
            h, w = noise.shape
            noise = crop(noise, w / 2, h / 2, zoom)
        images += [s["prev"], s["cur"], s["target"], noise]
        titles += ["prev (input)", f"cur (input)\nlargest move {largest:.2f} px", f"target\nalpha = {float(s['alpha']):.1f}",
                   f"noise in cur\ns = {float(s.get('noise', 0)):.2f}"]
    return show_images(images, titles, ncols=4, width=width, cmap="RdBu_r",
                       colorbar="cur - clean cur (levels of 255)")


def show_outputs(pair: Mapping[str, Any], outputs: Mapping[str, np.ndarray], zoom: int | None = None,
                 width: float = 7.0) -> Figure:
    """The input ``cur``, the exact ``target`` and each model's output for one pair, with the MSE against the
    target (in [0, 1] units, x 1e-3) in the titles.

    ``pair`` is a circles pair (:func:`mmkit.data.circles_pair`) or a training pair; ``outputs`` maps a model
    label to its output frame ``(H, W, 3)`` (uint8 or float in [0, 1]). With ``zoom`` every panel is the
    ``2 zoom`` px window around the first disc's place in the target (``centres`` and ``motions`` of the pair).
    """
    target = _as_image(pair["target"])
    images = {"input (cur)": _as_image(pair["cur"]), "target": target}
    images.update({name: _as_image(out) for name, out in outputs.items()})
    titles = [name if name == "target" else f"{name}\nMSE {1e3 * np.mean((img - target) ** 2):.2f}e-3"
              for name, img in images.items()]
    frames = list(images.values())
    if zoom is not None:
        if "centres" in pair:
            (cx, cy), d = np.asarray(pair["centres"])[0], np.asarray(pair["motions"])[0] * float(pair["alpha"])
            cx, cy = cx + d[0] / 2, cy + d[1] / 2       # halfway along the magnified motion
        else:
            cy, cx = (n / 2 for n in target.shape[:2])
        frames = [crop(f, cx, cy, zoom) for f in frames]
    return show_images(frames, titles, width=width)


def show_slices(clips: Mapping[str, np.ndarray], row: int | None = None, col: int | None = None,
                truth: str | None = "truth", width: float = 7.0, panel_height: float = 2.2) -> Figure:
    """The spatio-temporal slice of each clip ``(T, H, W, 3)`` side by side, time downwards.

    ``row`` (an x-t slice) or ``col`` (a y-t slice), as in :func:`temporal_slice`. When ``clips`` has an entry
    named ``truth``, the other titles carry the clip's MSE against it (whole frames, [0, 1] units, x 1e-3),
    over frames 1 .. T-1 (dynamic mode passes frame 0 through).
    """
    ref = _as_image(clips[truth][1:]) if truth is not None and truth in clips else None
    titles = []
    for name, clip in clips.items():
        if ref is None or name == truth:
            titles.append(name)
        else:
            titles.append(f"{name}\nMSE {1e3 * np.mean((_as_image(clip[1:]) - ref) ** 2):.2f}e-3")
    slices = [temporal_slice(np.asarray(c), row=row, col=col) for c in clips.values()]
    return show_images(slices, titles, width=width, xlabel=f"{'y' if col is not None else 'x'} (pixels)",
                       ylabel="time (frames)", panel_height=panel_height)


# --------------------------------------------------------------------------------------------------------
# Loss curves
# --------------------------------------------------------------------------------------------------------

#: Loss terms of ``loss_log.csv`` in the order they are plotted (see :data:`mmkit.train.LOG_FIELDS`).
LOSS_TERMS = ("total", "l1", "edge", "perceptual", "appearance", "proxy")
#: Line styles of the runs in :func:`plot_loss_curves`, in order: a curve on top of another stays visible.
LOSS_LINE_STYLES = ("-", "--", ":", "-.")
_TERM_NAMES = {"total": "total (Eq. 6, weighted)", "l1": "L_1", "edge": "L_edge", "perceptual": "L_p (VGG)",
               "appearance": "L_A", "proxy": "L_M (proxy)"}


def read_loss_log(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """A run's ``loss_log.csv`` as one float array per column; empty cells (a term that was off) are NaN.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "loss_log.csv"
        >>> _ = p.write_text("step,total,proxy\\n10,2.5,\\n20,1.5,\\n")
        >>> log = read_loss_log(p)
        >>> log["step"].tolist(), log["total"].tolist(), bool(np.isnan(log["proxy"]).all())
        ([10.0, 20.0], [2.5, 1.5], True)
    """
    path = Path(path)
    if path.is_dir():
        path = path / "loss_log.csv"
    if not path.is_file():
        raise MMKitError(f"no loss log at {path}")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise MMKitError(f"{path} has no rows")
    return {k: np.array([float(r[k]) if r[k] not in ("", None) else np.nan for r in rows]) for k in rows[0]}


def running_mean(steps: np.ndarray, values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of each ``k`` consecutive values, placed at the step of the last of them (``k = 1``: unchanged).

    Examples:
        >>> running_mean(np.array([1, 2, 3, 4]), np.array([1.0, 3.0, 5.0, 7.0]), 2)
        (array([2, 3, 4]), array([2., 4., 6.]))
    """
    if k < 1:
        raise MMKitError(f"smoothing window must be at least 1, got {k}")
    k = min(k, len(values))
    if k <= 1:
        return steps, values
    return steps[k - 1:], np.convolve(values, np.ones(k) / k, mode="valid")


def plot_loss_curves(runs: Mapping[str, str | os.PathLike | Mapping[str, np.ndarray]],
                     terms: Iterable[str] = LOSS_TERMS, ncols: int = 3, width: float = 7.0,
                     log_y: bool = True, smooth: int = 1, log_x: bool = False) -> Figure:
    """One panel per loss term, one line per run, against the training step.

    ``runs`` maps a label to a run folder, a ``loss_log.csv`` or a log already read by :func:`read_loss_log`.
    A term is drawn when at least one run logged it (the proxy loss only exists in a student run, L_p only
    with the VGG-16 file). The terms are unweighted, as logged; the total is Eq. 6 with the run's weights.
    ``smooth`` > 1 draws the running mean of that many logged values (at the step of the last one). A run
    keeps its colour and line style in every panel; each run is drawn over the ones before it in its own
    style, so that a run whose curve lies on another's (the proxy and the no-L_M student start alike) shows, and
    a dot marks the last logged step of each run, so that a run that stops early shows where.
    ``log_x`` spreads the steps on a log scale: the early fall and a long tail in one panel, and a short run
    beside a long one keeps its width.
    """
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FormatStrFormatter, LogLocator, MaxNLocator, NullFormatter

    logs = {name: read_loss_log(r) if isinstance(r, (str, os.PathLike)) else r for name, r in runs.items()}
    present = [t for t in terms if any(t in log and np.isfinite(log[t]).any() for log in logs.values())]
    if not present:
        raise MMKitError(f"none of the terms {list(terms)} was logged by these runs")
    ncols = min(ncols, len(present))
    nrows = math.ceil(len(present) / ncols)
    colours = {name: f"C{i}" for i, name in enumerate(logs)}
    styles = {name: LOSS_LINE_STYLES[i % len(LOSS_LINE_STYLES)] for i, name in enumerate(logs)}
    fig, axes = _pyplot().subplots(nrows, ncols, figsize=(width, 2.1 * nrows + 0.4), squeeze=False)
    for ax, term in zip(axes.flat, present):
        for name, log in logs.items():
            if term in log and np.isfinite(log[term]).any():
                ok = np.isfinite(log[term])
                steps, values = running_mean(log["step"][ok], log[term][ok], smooth)
                ax.plot(steps, values, color=colours[name], ls=styles[name], lw=1.5, marker="o", ms=5,
                        markevery=[len(values) - 1])   # a dot where the run's log ends
        ax.set_title(_TERM_NAMES.get(term, term), fontsize=10)
        ax.set_xlabel("training step", fontsize=9)
        ax.set_ylabel("loss (log scale)" if log_y else "loss", fontsize=9)
        if log_y:
            ax.set_yscale("log")
            ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))   # 0.1, 0.2, 0.5, 1, 2, 5 ...
            ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
            ax.yaxis.set_minor_formatter(NullFormatter())
            lo, hi = ax.get_ylim()
            if not 2 <= sum(lo <= t <= hi for t in ax.get_yticks()) <= 6:   # a narrow range: a few even ticks
                ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
        if log_x:
            ax.set_xscale("log")
        ax.tick_params(which="both", labelsize=9)
        ax.grid(alpha=0.3)
    spare = list(axes.flat)[len(present):]
    for ax in spare:
        ax.axis("off")
    handles = [Line2D([], [], color=c, ls=styles[name], lw=1.5, marker="o", ms=5, label=name)
               for name, c in colours.items()]
    if spare:   # the legend in an empty panel, where it hides no curve
        spare[0].legend(handles=handles, fontsize=9, loc="center")
    else:
        axes.flat[0].legend(handles=handles, fontsize=9)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------------------
# Feature maps (paper Figure 3)
# --------------------------------------------------------------------------------------------------------


def _limit(maps: np.ndarray, limit: float | None, percentile: float = 100.0) -> float:
    """``limit``, else the ``percentile`` of ``|maps|`` (100: the largest); 1 for all-zero maps."""
    if not 0 < percentile <= 100:
        raise MMKitError(f"percentile must be in (0, 100], got {percentile}")
    lim = float(np.percentile(np.abs(maps), percentile)) if limit is None else float(limit)
    return lim if lim > 0 else 1.0


def _channel_title(c: int, values: np.ndarray) -> str:
    return f"ch {c}\nrms {np.sqrt(np.mean(np.asarray(values, np.float64) ** 2)):.2g}"


def feature_grid(features: np.ndarray, title: str | None = None, ncols: int | None = None,
                 limit: float | None = None, cmap: str = "RdBu_r", width: float = 7.0,
                 channels: Sequence[int] | None = None, percentile: float = 100.0,
                 label: str = "feature value") -> Figure:
    """Every channel of ``features`` ``(C, h, w)`` as an image, all on one colour scale ``[-limit, limit]``.

    ``limit`` defaults to the largest absolute value (or its ``percentile``, e.g. 99.5, so that a few
    spikes do not wash out the rest; larger values then saturate), so 0 is white and the sign shows as red
    or blue; the colour bar (titled ``label``) gives the values. ``channels`` picks and orders the channels
    (default: all). Each panel is titled with its channel number and RMS.
    """
    features = np.asarray(features)
    if features.ndim != 3:
        raise MMKitError(f"features must be (C, h, w), got shape {features.shape}")
    chans = list(range(features.shape[0]) if channels is None else channels)
    n = len(chans)
    ncols = min(ncols or math.ceil(math.sqrt(n * 2)), n)   # wider than tall by default
    nrows = math.ceil(n / ncols)
    lim = _limit(features[chans], limit, percentile)
    h, w = features.shape[1:]
    panel = (width - 0.8) / ncols
    fig, axes = _pyplot().subplots(nrows, ncols, figsize=(width, panel * h / w * nrows + 0.45 * nrows + 0.4),
                                   squeeze=False)
    im = None
    for ax, c in zip(axes.flat, chans):
        im = ax.imshow(features[c], cmap=cmap, vmin=-lim, vmax=lim, interpolation="nearest")
        ax.set_title(_channel_title(c, features[c]), fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0, 1 - 0.9 / width, 1))
    cax = fig.add_axes((1 - 0.8 / width, 0.15, 0.12 / width, 0.7))
    fig.colorbar(im, cax=cax).set_label(label, fontsize=9)
    cax.tick_params(labelsize=9)
    return fig


def feature_rows(rows: Mapping[str, np.ndarray], channels: Sequence[int], scale: str = "column",
                 cmap: str = "RdBu_r", width: float = 7.0, percentile: float = 100.0) -> Figure:
    """Compare feature maps: one row per entry of ``rows`` (label -> ``(C, h, w)``), one column per channel.

    ``scale`` sets which panels share a colour scale ``[-m, m]`` (``m`` their largest absolute value, or its
    ``percentile``): ``"column"`` (a channel across conditions: how noise or alpha changes it), ``"row"``
    (maps of different size, such as D and M(D)) or ``"all"``, and each scale gets its colour bar (below its
    column, right of its row, or one for all). Each panel is titled with its channel and RMS; the row's label
    is on the left.
    """
    if scale not in ("column", "row", "all"):
        raise MMKitError(f"scale must be 'column', 'row' or 'all', got {scale!r}")
    labels = list(rows)
    maps = np.stack([np.asarray(rows[k])[list(channels)] for k in labels])   # (R, K, h, w)
    nrows, ncols = maps.shape[:2]
    h, w = maps.shape[2:]
    panel = (width - 1.6) / ncols
    extra = 0.8 if scale == "column" else 0.0   # the colour bars below the columns
    fig, axes = _pyplot().subplots(nrows, ncols, figsize=(width, panel * h / w * nrows + 0.5 * nrows + 0.3 + extra),
                                   squeeze=False, layout="constrained")
    images = np.empty((nrows, ncols), dtype=object)
    for r in range(nrows):
        for k in range(ncols):
            part = {"column": maps[:, k], "row": maps[r], "all": maps}[scale]
            lim = _limit(part, None, percentile)
            ax = axes[r, k]
            images[r, k] = ax.imshow(maps[r, k], cmap=cmap, vmin=-lim, vmax=lim, interpolation="nearest")
            ax.set_title(_channel_title(channels[k], maps[r, k]), fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(labels[r], fontsize=10)
    bars = {"column": [(images[0, k], axes[:, k], "bottom") for k in range(ncols)],
            "row": [(images[r, 0], axes[r, :], "right") for r in range(nrows)],
            "all": [(images[0, 0], axes, "right")]}[scale]
    for im, where, side in bars:
        fig.colorbar(im, ax=list(np.ravel(where)), location=side, shrink=0.8,
                     aspect=12 if side == "bottom" else 20).ax.tick_params(labelsize=9)
    return fig


# --------------------------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------------------------


def _legend_above_bars(ax: Any, top: float, ncol: int) -> None:
    """The legend in a band above the tallest bar (``top``, data units), where it covers none."""
    ax.set_ylim(0, 1.3 * top)
    ax.legend(fontsize=9, loc="upper center", ncol=ncol, frameon=False)


def _grouped_bars(ax: Any, series: Mapping[str, Sequence[float]], fmt: str) -> np.ndarray:
    """One bar per series side by side in each group, each labelled with its value; returns the groups' centres."""
    bar = 0.8 / len(series)
    x = np.arange(len(next(iter(series.values()))))
    for i, (label, vals) in enumerate(series.items()):
        bars = ax.bar(x + (i - (len(series) - 1) / 2) * bar, vals, bar, label=label)
        ax.bar_label(bars, fmt=fmt, fontsize=9)
    return x


def plot_circle_scores(scores: Mapping[str, Sequence[Any]], width: float = 7.0, ax: Any = None) -> Figure:
    """Grouped bars of circles-benchmark ratios (network MSE / input-frame MSE) per noise level.

    ``scores`` maps a model label to its scores (objects with ``noise`` and ``ratio``, such as
    :class:`mmkit.evaluate.CirclesScore`). A bar below the dashed line at 1 beats returning the input.
    """
    noises = sorted({float(s.noise) for v in scores.values() for s in v})
    if ax is None:
        fig, ax = _pyplot().subplots(figsize=(width, 3.0))
    else:
        fig = ax.figure
    series = {}
    for name, score in scores.items():
        by_noise = {float(s.noise): float(s.ratio) for s in score}
        series[name] = [by_noise.get(n, np.nan) for n in noises]
    x = _grouped_bars(ax, series, "%.2f")
    ax.axhline(1.0, color="k", ls="--", lw=1)
    ax.text(0.01, 1.0, "1 = returning the input unchanged", transform=ax.get_yaxis_transform(), va="bottom",
            fontsize=9)
    ax.set_xticks(x, [f"noise {n:g}" for n in noises])
    ax.set_xlabel("Gaussian noise std of the inputs (0..255 levels)", fontsize=9)
    ax.set_ylabel("MSE / input-frame MSE", fontsize=9)
    _legend_above_bars(ax, max(1.0, float(np.nanmax(list(series.values())))), len(series))
    fig.tight_layout()
    return fig


def plot_noise_paths(paths: Mapping[str, Any], width: float = 7.0, ax: Any = None) -> Figure:
    """Where the noise reaches the output: grouped bars of each network's MSE, decoded from each mixture.

    ``paths`` maps a network label to its :class:`mmkit.noise_paths.NoisePaths` at one noise level. Bars, left to
    right: everything noisy, the clean pair's appearance, the clean pair's D, the teacher's D* (when measured),
    everything clean. A bar as low as "all clean" means that path carries the noise's cost.
    """
    keys = [("noisy", "all noisy"), ("clean_appearance", "clean appearance"), ("clean_motion", "clean D"),
            ("teacher_motion", "teacher's D*"), ("clean", "all clean")]
    keys = [(k, name) for k, name in keys if any(getattr(p, k) is not None for p in paths.values())]
    if ax is None:
        fig, ax = _pyplot().subplots(figsize=(width, 3.0))
    else:
        fig = ax.figure
    series = {f"{label} (noise in D / motion: {p.motion_noise:.2f})":
              [1e3 * v if (v := getattr(p, k)) is not None else np.nan for k, _ in keys] for label, p in paths.items()}
    x = _grouped_bars(ax, series, "%.1f")
    noise = {float(p.noise) for p in paths.values()}
    ax.set_xticks(x, [name for _, name in keys], fontsize=9)
    ax.set_ylabel("output MSE (x 1e-3)", fontsize=9)
    ax.set_title(f"inputs at noise {', '.join(f'{n:g}' for n in sorted(noise))}, decoded with ... (lower is better)",
                 fontsize=9)
    _legend_above_bars(ax, float(np.nanmax(list(series.values()))), min(len(series), 2))
    fig.tight_layout()
    return fig
