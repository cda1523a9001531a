"""Figures and small calculations for the course notebooks ``00_what_is_motion_magnification`` and ``01_architecture``.

The 1-D picture of motion magnification (Wu et al., "Eulerian Video Magnification", SIGGRAPH 2012, Sec. 3):
a signal ``f(x)`` moved by ``delta(t)`` is ``I(x, t) = f(x + delta(t))``. Its first-order (Taylor) expansion
``f(x) + delta(t) f'(x)`` says that a small motion shows up as a change of intensity proportional to the
slope; multiplying that change by ``alpha`` gives ``f(x) + alpha delta(t) f'(x) ~ f(x + alpha delta(t))``, the
motion magnified without ever being measured (the linear, Eulerian method; Wu et al. add the change to the
frame, so their output moves ``1 + alpha`` times as far). The approximation holds while ``alpha * delta`` is
small against the wavelength ``lambda`` of ``f``; Wu et al. bound it by ``alpha * delta < lambda / 8``.

Here ``f(x) = cos(2 pi x / lambda)``, for which the error of the first-order step has a closed form
(:func:`first_order_error`). The plotting functions return a matplotlib figure; ``show_first_order`` is the
named callback for ``ipywidgets.interact``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .models.inspect import LayerInfo, ReceptiveField

#: Wu et al.'s bound on the magnified motion, as a fraction of the wavelength: ``alpha * delta < lambda / 8``.
WU_BOUND = 1 / 8


def signal(x: np.ndarray, wavelength: float) -> np.ndarray:
    """The lesson's 1-D signal ``f(x) = cos(2 pi x / wavelength)`` (an intensity profile; x in pixels)."""
    return np.cos(2 * np.pi * np.asarray(x, dtype=np.float64) / wavelength)


def signal_slope(x: np.ndarray, wavelength: float) -> np.ndarray:
    """Its derivative ``f'(x) = -(2 pi / wavelength) sin(2 pi x / wavelength)``, per pixel."""
    k = 2 * np.pi / wavelength
    return -k * np.sin(k * np.asarray(x, dtype=np.float64))


def shifted(x: np.ndarray, shift: float | np.ndarray, wavelength: float) -> np.ndarray:
    """The signal moved: ``f(x + shift)`` (a positive shift moves the pattern towards smaller x)."""
    return signal(np.asarray(x) + shift, wavelength)


def first_order(x: np.ndarray, shift: float | np.ndarray, wavelength: float) -> np.ndarray:
    """The first-order approximation of :func:`shifted`: ``f(x) + shift * f'(x)``.

    Examples:
        >>> x = np.linspace(0, 32, 5)
        >>> bool(np.allclose(first_order(x, 0.01, 32.0), shifted(x, 0.01, 32.0), atol=1e-3))
        True
    """
    return signal(x, wavelength) + shift * signal_slope(x, wavelength)


def first_order_error(shift: float | np.ndarray, wavelength: float) -> float | np.ndarray:
    """Largest error, over x, of ``f(x) + shift f'(x)`` against ``f(x + shift)``, for the unit cosine.

    With ``phi = 2 pi shift / wavelength`` the difference is ``cos(kx) (cos phi - 1) + sin(kx) (phi - sin phi)``,
    whose amplitude is ``sqrt((1 - cos phi)^2 + (phi - sin phi)^2)``: about ``phi^2 / 2`` for small shifts,
    0.30 (of the signal's amplitude 1) at Wu et al.'s bound ``shift = wavelength / 8``.

    Examples:
        >>> round(float(first_order_error(2.0, 16.0)), 3)  # shift = wavelength / 8
        0.303
    """
    phi = 2 * np.pi * np.asarray(shift, dtype=np.float64) / wavelength
    err = np.sqrt((1 - np.cos(phi)) ** 2 + (phi - np.sin(phi)) ** 2)
    return float(err) if err.ndim == 0 else err


def plot_first_order(delta: float = 0.25, alpha: float = 20.0, wavelength: float = 32.0,
                     x_max: float = 64.0) -> Figure:
    """The 1-D picture: ``f(x)``, the input ``f(x + delta)``, the true magnified ``f(x + alpha delta)`` and the
    first-order magnification ``f + alpha delta f'`` (left); the first-order error against ``alpha delta /
    wavelength``, with Wu et al.'s bound and the current setting marked (right). 7 x 3 inches."""
    import matplotlib.pyplot as plt

    x = np.linspace(0, x_max, 600)
    s = alpha * delta
    fig, (ax, ax_err) = plt.subplots(1, 2, figsize=(7, 3), gridspec_kw={"width_ratios": [1.7, 1]})
    ax.plot(x, signal(x, wavelength), color="0.75", lw=2, label="f(x)")
    ax.plot(x, shifted(x, delta, wavelength), "--", color="tab:blue", lw=1.2, label="f(x + δ): input")
    ax.plot(x, shifted(x, s, wavelength), color="black", lw=1.5, label="f(x + αδ): true")
    ax.plot(x, first_order(x, s, wavelength), color="tab:red", lw=1.5, label="f + αδ f': first order")
    ax.set_ylim(-2.6, 3.9)
    ax.set_xlim(0, x_max)
    ax.set_xlabel("x (pixels)")
    ax.set_ylabel("intensity")
    ax.set_title(f"δ = {delta:g} px, α = {alpha:g}: αδ = {s:.2f} px, λ = {wavelength:g} px", fontsize=9)
    ax.legend(fontsize=7, loc="upper center", ncol=2)

    ratio = s / wavelength
    r = np.linspace(0, max(0.5, 1.1 * ratio), 300)
    ax_err.plot(r, first_order_error(r, 1.0), color="tab:red")
    ax_err.axvline(WU_BOUND, color="0.4", ls=":", lw=1)
    ax_err.text(WU_BOUND, 0.97, " λ/8", color="0.3", fontsize=8, va="top", transform=ax_err.get_xaxis_transform())
    ax_err.plot([ratio], [first_order_error(ratio, 1.0)], "o", color="black")
    ax_err.set_xlabel("αδ / λ")
    ax_err.set_ylabel("largest error (of amplitude 1)")
    ax_err.set_title("first-order error", fontsize=9)
    fig.tight_layout()
    return fig


def show_first_order(delta: float = 0.25, alpha: float = 20.0, wavelength: float = 32.0) -> None:
    """Draw :func:`plot_first_order` and show it: the callback for ``ipywidgets.interact`` sliders."""
    import matplotlib.pyplot as plt

    plot_first_order(delta, alpha, wavelength)
    plt.show()


def one_d_video(amplitude: float = 0.25, alpha: float = 20.0, wavelength: float = 16.0, frequency_hz: float = 2.5,
                fps: float = 30.0, n_frames: int = 48, width: int = 64) -> dict[str, np.ndarray]:
    """A 1-D "video" of the signal vibrating by ``delta(t) = amplitude sin(2 pi frequency_hz t)``, as x-t images.

    Returns ``{"input": f(x + delta), "first order": f + alpha delta f', "true": f(x + alpha delta)}``, each
    ``(n_frames, width)`` (time down, one pixel per column): the spatio-temporal slice of the 1-D picture.

    Examples:
        >>> v = one_d_video(n_frames=4, width=8)
        >>> sorted(v), v["input"].shape
        (['first order', 'input', 'true'], (4, 8))
    """
    x = np.arange(width, dtype=np.float64)[None, :]
    delta = amplitude * np.sin(2 * np.pi * frequency_hz * np.arange(n_frames) / fps)[:, None]
    return {"input": shifted(x, delta, wavelength), "first order": first_order(x, alpha * delta, wavelength),
            "true": shifted(x, alpha * delta, wavelength)}


def plot_1d_video(video: dict[str, np.ndarray], fps: float = 30.0) -> Figure:
    """The x-t images of :func:`one_d_video` side by side, shown as a display would: clipped to [-1, 1]."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(video), figsize=(7, 3), sharey=True)
    for ax, (name, img) in zip(np.atleast_1d(axes), video.items()):
        ax.imshow(img, cmap="gray", vmin=-1, vmax=1, aspect="auto", interpolation="nearest",
                  extent=(0, img.shape[1], img.shape[0] / fps, 0))
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("x (pixels)")
    np.atleast_1d(axes)[0].set_ylabel("time (s)")
    fig.tight_layout()
    return fig


def plot_slices(clips: Sequence[np.ndarray], titles: Sequence[str], fps: float, row: int | None = None,
                x_range: tuple[int, int] | None = None, show_frame: bool = False) -> Figure:
    """Spatio-temporal slices (one row of every frame, stacked over time) of several clips, side by side.

    ``clips`` are ``(T, H, W, 3)`` uint8; ``row`` defaults to the middle one; ``x_range = (x0, x1)`` crops the
    slices to those columns, to zoom on an edge. With ``show_frame`` a first panel shows frame 0 of the first
    clip, cropped to ``x_range`` and as many rows around ``row``, with the slice drawn in red. 7 x 3 inches.
    """
    import matplotlib.pyplot as plt

    from .plots import temporal_slice

    h, w = clips[0].shape[1:3]
    row = h // 2 if row is None else row
    x0, x1 = x_range if x_range is not None else (0, w)
    extra = 1 if show_frame else 0
    fig, axes = plt.subplots(1, len(clips) + extra, figsize=(7, 3), layout="constrained",
                             gridspec_kw={"width_ratios": [1.4] * extra + [1] * len(clips), "wspace": 0.02})
    axes = list(np.atleast_1d(axes))
    if show_frame:
        frame_ax = axes.pop(0)
        y0, y1 = max(0, row - (x1 - x0) // 2), min(h, row + (x1 - x0) // 2)  # a square around the slice
        frame_ax.imshow(clips[0][0, y0:y1, x0:x1], interpolation="nearest", extent=(x0, x1, y1, y0))
        frame_ax.plot([x0, x1 - 1], [row, row], color="red", lw=1)
        frame_ax.set_title(f"frame 0, row {row}", fontsize=9)
        frame_ax.set_xlabel("x (pixels)")
        frame_ax.set_ylabel("y (pixels)")
    for i, (ax, clip, title) in enumerate(zip(axes, clips, titles)):
        s = temporal_slice(clip, row=row)[:, x0:x1]
        ax.imshow(s, aspect="auto", interpolation="nearest", extent=(x0, x1, len(s) / fps, 0))
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("x (pixels)")
        if i == 0:
            ax.set_ylabel("time (s)")
        else:
            ax.tick_params(labelleft=False)
    return fig


def plot_table1(rows: Sequence[dict]) -> Figure:
    """Parameters and GFLOPs at 720 x 720, counted here and from the paper's Table 1, as bars.

    ``rows`` are :func:`mmkit.models.inspect.table1_rows`' dicts (model, params, gflops, paper_params,
    paper_gflops).
    """
    import matplotlib.pyplot as plt

    names = [r["model"] for r in rows]
    x = np.arange(len(rows))
    fig, axes = plt.subplots(1, 2, figsize=(7, 3))
    for ax, key, scale, label in ((axes[0], "params", 1e6, "parameters (millions)"),
                                  (axes[1], "gflops", 1.0, "GFLOPs at 720 x 720")):
        ax.bar(x - 0.2, [r[key] / scale for r in rows], 0.4, label="counted (mmkit)")
        ax.bar(x + 0.2, [r["paper_" + key] / scale for r in rows], 0.4, label="paper Table 1")
        ax.set_xticks(x, names)
        ax.set_ylabel(label)
        ax.set_ylim(0, 1.3 * max(max(r[key], r["paper_" + key]) for r in rows) / scale)
    axes[0].legend(fontsize=8, loc="upper left", ncol=2)
    fig.tight_layout()
    return fig


def plot_layer_costs(rows: Sequence[LayerInfo]) -> Figure:
    """Multiply-accumulates of each traced module (the deepest level of :func:`~mmkit.models.inspect.trace_layers`
    rows), coloured by stage: where one forward pass spends its arithmetic. 7 x 3 inches."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    deepest = max(r.depth for r in rows)
    leaves = [r for r in rows if r.depth == deepest]
    stages = list(dict.fromkeys(r.name.split(".")[0] for r in leaves))
    colours = {s: plt.get_cmap("tab10")(i) for i, s in enumerate(stages)}
    fig, ax = plt.subplots(figsize=(7, 3))
    y = np.arange(len(leaves))[::-1]
    ax.barh(y, [r.macs / 1e9 for r in leaves], color=[colours[r.name.split(".")[0]] for r in leaves])
    ax.set_yticks(y, [r.name for r in leaves], fontsize=7)
    ax.set_xlabel("GMACs per output frame")
    ax.legend([Patch(color=colours[s]) for s in stages], stages, fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def plot_receptive_fields(fields: Sequence[ReceptiveField], titles: Sequence[str]) -> Figure:
    """For each measured field, ``log10 |gradient|`` (1e-24 to 1 of its maximum) with its bounding box (the receptive field) and the square
    holding 90 % of the gradient (the effective field); last panel, the gradient along the pixel's row.
    7 x 3 inches."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    fig, axes = plt.subplots(1, len(fields) + 1, figsize=(7, 3),
                             gridspec_kw={"width_ratios": [1] * len(fields) + [1.4]})
    for ax, rf, title in zip(axes, fields, titles):
        g = rf.gradient / rf.gradient.max()
        ax.imshow(np.log10(np.maximum(g, 1e-40)), cmap="magma", vmin=-24, vmax=0, interpolation="nearest")
        ax.add_patch(Rectangle((rf.left - 0.5, rf.top - 0.5), rf.width, rf.height, fill=False, ec="cyan", lw=1))
        e = rf.effective_size()
        y, x = rf.pixel
        ax.add_patch(Rectangle((x - e / 2, y - e / 2), e, e, fill=False, ec="white", lw=1, ls="--"))
        ax.set_title(f"{title}\nRF {rf.height} x {rf.width}, 90 % in {e} px", fontsize=8)
        ax.set_xlabel("x (pixels)")
    axes[0].set_ylabel("y (pixels)")
    prof = axes[-1]
    for rf, title in zip(fields, titles):
        y, x = rf.pixel
        row = rf.gradient[y] / rf.gradient[y].max()
        prof.semilogy(np.arange(len(row)) - x, np.where(row > 0, row, np.nan), lw=1, label=title)
    prof.set_ylim(1e-30, 10)
    prof.set_xlabel("x - x0 (pixels)")
    prof.set_ylabel("|gradient| (of max)")
    prof.legend(fontsize=7)
    fig.tight_layout()
    return fig
