"""Figures and small calculations for the course notebooks ``00_what_is_motion_magnification`` and ``01_architecture``.

The 1-D picture of motion magnification (Wu et al., "Eulerian Video Magnification", SIGGRAPH 2012, Sec. 3):
a signal ``f(x)`` moved by ``delta(t)`` is ``I(x, t) = f(x + delta(t))``. Its first-order (Taylor) expansion
``f(x) + delta(t) f'(x)`` says that a small motion shows up as a change of intensity proportional to the
slope; multiplying that change by ``alpha`` gives ``f(x) + alpha delta(t) f'(x) ~ f(x + alpha delta(t))``, the
motion magnified without ever being measured (the linear, Eulerian method; Wu et al. add the change to the
frame, so their output moves ``1 + alpha`` times as far). The approximation holds while ``alpha * delta`` is
small against the wavelength ``lambda`` of ``f``; Wu et al. bound it by ``alpha * delta < lambda / 8``.

Here ``f(x) = cos(2 pi x / lambda)``, for which the error of the first-order step has a closed form
(:func:`first_order_error`). The plotting functions return a matplotlib figure, so that
:func:`mmkit.widgets.sliders` can put sliders on them.
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
    """The 1-D picture: the input ``f(x + delta)``, the true magnified ``f(x + alpha delta)`` and the
    first-order magnification ``f + alpha delta f'`` (left; ``f(x)`` itself is not drawn: a sub-pixel ``delta``
    would hide it under the input); the first-order error against ``alpha delta /
    wavelength``, with Wu et al.'s bound and the current setting marked (right). 8 x 3.6 inches."""
    import matplotlib.pyplot as plt

    x = np.linspace(0, x_max, 600)
    s = alpha * delta
    fig, (ax, ax_err) = plt.subplots(1, 2, figsize=(8, 3.6), gridspec_kw={"width_ratios": [1.7, 1]})
    ax.plot(x, shifted(x, delta, wavelength), "--", color="tab:blue", lw=1.2, label="f(x + δ): input")
    ax.plot(x, shifted(x, s, wavelength), color="black", lw=1.5, label="f(x + αδ): true")
    ax.plot(x, first_order(x, s, wavelength), color="tab:red", lw=1.5, label="f + αδ f': first order")
    ax.set_ylim(-2.6, 3.9)
    ax.set_xlim(0, x_max)
    ax.set_xlabel("x (pixels)")
    ax.set_ylabel("intensity")
    ax.set_title(f"δ = {delta:g} px, α = {alpha:g}: αδ = {s:.2f} px, λ = {wavelength:g} px", fontsize=9)
    ax.legend(loc="upper center", ncol=2)

    ratio = s / wavelength
    r = np.linspace(0, max(0.5, 1.1 * ratio), 300)
    ax_err.plot(r, first_order_error(r, 1.0), color="tab:red")
    ax_err.axvline(WU_BOUND, color="0.4", ls=":", lw=1)
    ax_err.text(WU_BOUND, 0.97, " λ/8", color="0.3", fontsize=9, va="top", transform=ax_err.get_xaxis_transform())
    ax_err.plot([ratio], [first_order_error(ratio, 1.0)], "o", color="black")
    ax_err.set_xlabel("αδ / λ")
    ax_err.set_ylabel("largest error (of amplitude 1)")
    ax_err.set_title("first-order error", fontsize=9)
    fig.tight_layout()
    return fig


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
    """The x-t images of :func:`one_d_video` side by side, shown as a display would: clipped to [-1, 1],
    with a colourbar of the intensity. 8 x 3.6 inches."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(video), figsize=(8, 3.6), sharey=True, layout="constrained")
    for ax, (name, img) in zip(np.atleast_1d(axes), video.items()):
        im = ax.imshow(img, cmap="gray", vmin=-1, vmax=1, aspect="auto", interpolation="nearest",
                       extent=(0, img.shape[1], img.shape[0] / fps, 0))
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("x (pixels)")
    np.atleast_1d(axes)[0].set_ylabel("time (s)")
    fig.colorbar(im, ax=list(np.atleast_1d(axes)), label="intensity (clipped)", shrink=0.9)
    return fig


# Local phase, the 1-D picture behind the phase-based methods (Wadhwa et al. 2013 and their successors): a band
# of a signal, written as A(x) exp(i phi(x)), moves by delta when its phase moves by 2 pi delta / lambda.

def analytic_band(y: np.ndarray, shortest: float = 0.0, longest: float = np.inf) -> np.ndarray:
    """The complex band of a periodic 1-D signal ``y`` holding its wavelengths in ``[shortest, longest)`` px.

    Its real part is that band of ``y``, its modulus the band's local amplitude and its angle the *local
    phase*. Computed with the FFT: negative frequencies dropped, positive ones doubled (the mean is left out).

    Examples:
        >>> x = np.arange(32.0)
        >>> bool(np.allclose(analytic_band(signal(x, 16.0)), np.exp(2j * np.pi * x / 16)))
        True
    """
    y = np.asarray(y, dtype=np.float64)
    k = np.fft.fftfreq(len(y))  # cycles per px
    wavelength = np.divide(1.0, k, out=np.full(len(y), np.inf), where=k > 0)
    keep = (k > 0) & (wavelength >= shortest) & (wavelength < longest)
    return np.fft.ifft(np.fft.fft(y) * np.where(keep, 2.0, 0.0))


def phase_magnify(reference: np.ndarray, moved: np.ndarray, alpha: float,
                  bands: Sequence[tuple[float, float]] = ((0.0, np.inf),)) -> np.ndarray:
    """Magnify the motion from ``reference`` to ``moved`` (periodic 1-D signals) by multiplying phase changes.

    For each band ``(shortest, longest)`` of wavelengths (px), the phase change ``dphi = angle(B_moved
    conj(B_ref))`` (wrapped to ``(-pi, pi]``) is multiplied by ``alpha`` and given to the reference band:
    ``Re(B_ref exp(i alpha dphi))``; the bands and the reference's mean are summed. A wave moved by ``delta``
    comes out moved by ``alpha delta``, its amplitude unchanged. With one band for everything (the default)
    waves of different wavelengths share one phase, and the result is wrong.

    Examples:
        >>> x = np.arange(64.0)
        >>> out = phase_magnify(signal(x, 16.0), shifted(x, 0.25, 16.0), alpha=20.0)
        >>> bool(np.allclose(out, shifted(x, 5.0, 16.0)))
        True
    """
    reference = np.asarray(reference, dtype=np.float64)
    out = np.full(len(reference), reference.mean())
    for shortest, longest in bands:
        b_ref, b_moved = analytic_band(reference, shortest, longest), analytic_band(moved, shortest, longest)
        dphi = np.angle(b_moved * np.conj(b_ref))
        out += np.real(b_ref * np.exp(1j * alpha * dphi))
    return out


def shift_read_from_phase(shift: float | np.ndarray, wavelength: float) -> float | np.ndarray:
    """The shift of a wave that its phase tells: ``shift`` wrapped into ``[-wavelength / 2, wavelength / 2)``,
    since a phase is known only up to whole turns (a wave moved by 0.6 wavelength looks moved 0.4 back).

    Examples:
        >>> round(float(shift_read_from_phase(9.6, 16.0)), 6)
        -6.4
    """
    read = (np.asarray(shift, dtype=np.float64) + wavelength / 2) % wavelength - wavelength / 2
    return float(read) if read.ndim == 0 else read


def plot_local_phase(delta: float = 0.25, alpha: float = 20.0, wavelength: float = 16.0,
                     long_wavelength: float = 64.0, width: int = 128) -> Figure:
    """The local-phase primer in one figure (8 x 6 in).

    (a) A wave of ``wavelength`` moved by ``alpha * delta``: the truth, the first-order method and
    :func:`phase_magnify`. (b) The shift read from the phase against the magnified shift, in wavelengths: right
    up to half a wavelength, then wrapped. (c) Two waves (``wavelength`` and ``long_wavelength``) added and moved:
    one phase for the sum against one phase per band (the split at their geometric mean)."""
    import matplotlib.pyplot as plt

    x = np.arange(float(width))
    s = alpha * delta
    fig = plt.figure(figsize=(8, 6), layout="constrained")
    grid = fig.add_gridspec(2, 2, width_ratios=[1.7, 1])
    ax, ax_wrap, ax_two = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, :])

    ax.plot(x, shifted(x, s, wavelength), color="black", lw=2.5, label="true f(x + αδ)")
    ax.plot(x, first_order(x, s, wavelength), color="tab:red", lw=1.5, label="first order")
    ax.plot(x, phase_magnify(signal(x, wavelength), shifted(x, delta, wavelength), alpha), "--",
            color="tab:green", lw=1.5, label="phase change × α")
    ax.set_xlim(0, min(width, 4 * wavelength))
    ax.set_ylim(-2.6, 3.6)
    ax.set_xlabel("x (pixels)")
    ax.set_ylabel("intensity")
    ax.set_title(f"(a) λ = {wavelength:g} px moved by αδ = {s:g} px")
    ax.legend(loc="upper center", ncol=3, handlelength=1.5, columnspacing=1)

    m = np.linspace(0, 1, 401)
    ax_wrap.plot(m, m, color="0.7", lw=2, label="magnified shift")
    read = shift_read_from_phase(m, 1.0)
    read[np.r_[False, np.diff(read) < 0]] = np.nan  # no line across the jump
    ax_wrap.plot(m, read, color="tab:green", lw=1.5, label="read from phase")
    ax_wrap.axvline(0.5, color="0.4", ls=":", lw=1)
    ax_wrap.plot([s / wavelength], [shift_read_from_phase(s / wavelength, 1.0)], "o", color="black")
    ax_wrap.set_xlabel("magnified shift αδ / λ")
    ax_wrap.set_ylabel("shift (wavelengths)")
    ax_wrap.set_title("(b) the phase wraps at λ/2")
    ax_wrap.legend(loc="upper left")

    def two(shift):
        return shifted(x, shift, wavelength) + shifted(x, shift, long_wavelength)

    split = np.sqrt(wavelength * long_wavelength)
    ax_two.plot(x, two(s), color="black", lw=2.5, label="true")
    ax_two.plot(x, phase_magnify(two(0.0), two(delta), alpha), color="tab:orange", lw=1.5,
                label="one phase for both waves")
    ax_two.plot(x, phase_magnify(two(0.0), two(delta), alpha, [(0.0, split), (split, np.inf)]), "--",
                color="tab:green", lw=1.5, label="one phase per band")
    ax_two.set_xlim(0, width)
    ax_two.set_ylim(-3.2, 4.2)
    ax_two.set_xlabel("x (pixels)")
    ax_two.set_ylabel("intensity")
    ax_two.set_title(f"(c) two waves, λ = {wavelength:g} and {long_wavelength:g} px, moved by αδ = {s:g} px")
    ax_two.legend(loc="upper center", ncol=3)
    return fig


def plot_slices(clips: Sequence[np.ndarray], titles: Sequence[str], fps: float, row: int | None = None,
                x_range: tuple[int, int] | None = None, show_frame: bool = False) -> Figure:
    """Spatio-temporal slices (one row of every frame, stacked over time) of several clips, side by side.

    ``clips`` are ``(T, H, W, 3)`` uint8; ``row`` defaults to the middle one; ``x_range = (x0, x1)`` crops the
    slices to those columns, to zoom on an edge. With ``show_frame`` a first panel shows frame 0 of the first
    clip, cropped to ``x_range`` and as many rows around ``row``, with the slice drawn in red. 8 x 3.6 inches.
    """
    import matplotlib.pyplot as plt

    from .plots import temporal_slice

    h, w = clips[0].shape[1:3]
    row = h // 2 if row is None else row
    x0, x1 = x_range if x_range is not None else (0, w)
    extra = 1 if show_frame else 0
    fig, axes = plt.subplots(1, len(clips) + extra, figsize=(8, 3.6), layout="constrained",
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
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
    for ax, key, scale, label in ((axes[0], "params", 1e6, "parameters (millions)"),
                                  (axes[1], "gflops", 1.0, "GFLOPs at 720 x 720")):
        ax.bar(x - 0.2, [r[key] / scale for r in rows], 0.4, label="counted (mmkit)")
        ax.bar(x + 0.2, [r["paper_" + key] / scale for r in rows], 0.4, label="paper Table 1")
        ax.set_xticks(x, names)
        ax.set_ylabel(label)
        ax.set_ylim(0, 1.3 * max(max(r[key], r["paper_" + key]) for r in rows) / scale)
    axes[0].legend(fontsize=9, loc="upper left", ncol=2)
    fig.tight_layout()
    return fig


#: Plain names for the modules of :class:`~mmkit.models.singh2023.MagnificationNet`, for figures.
LAYER_LABELS = {
    "encoder.level1_a": "encoder, full res., a", "encoder.level1_b": "encoder, full res., b",
    "encoder.level2_a": "encoder, half res., E_a", "encoder.level2_b": "encoder, half res., E_b",
    "encoder.appearance": "appearance encoder", "manipulator.unit": "manipulator, first block",
    "manipulator.blocks": "manipulator, other blocks", "decoder.conv_half": "decoder, conv (half res.)",
    "decoder.blocks_half": "decoder, blocks (half res.)", "decoder.up": "decoder, up-sampling",
    "decoder.conv_full": "decoder, conv (full res.)", "decoder.blocks_full": "decoder, blocks (full res.)",
    "decoder.head": "decoder, 1x1 conv to RGB",
}


def layer_label(name: str) -> str:
    """A module path in plain words: :data:`LAYER_LABELS`, else the path with its dots and underscores spaced.

    >>> layer_label("decoder.head"), layer_label("encoder.extra_conv")
    ('decoder, 1x1 conv to RGB', 'encoder, extra conv')
    """
    return LAYER_LABELS.get(name, name.replace(".", ", ").replace("_", " "))


def plot_layer_costs(rows: Sequence[LayerInfo]) -> Figure:
    """Multiply-accumulates of each traced module (the deepest level of :func:`~mmkit.models.inspect.trace_layers`
    rows), coloured by stage, with plain labels (:func:`layer_label`) and each bar's value written beside it, so
    that a tiny layer still shows: where one forward pass spends its arithmetic. 8 x 3.6 inches."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    deepest = max(r.depth for r in rows)
    leaves = [r for r in rows if r.depth == deepest]
    stages = list(dict.fromkeys(r.name.split(".")[0] for r in leaves))
    colours = {s: plt.get_cmap("tab10")(i) for i, s in enumerate(stages)}
    fig, ax = plt.subplots(figsize=(8, 3.6))
    y = np.arange(len(leaves))[::-1]
    gmacs = [r.macs / 1e9 for r in leaves]
    ax.barh(y, gmacs, color=[colours[r.name.split(".")[0]] for r in leaves])
    for yy, g in zip(y, gmacs):
        ax.text(g + 0.01 * max(gmacs), yy, f"{g:.2f}" if g >= 0.1 else f"{g:.3f}", va="center", fontsize=9)
    ax.set_xlim(0, 1.12 * max(gmacs))
    ax.set_yticks(y, [layer_label(r.name) for r in leaves], fontsize=9)
    ax.set_xlabel("GMACs per output frame")
    ax.legend([Patch(color=colours[s]) for s in stages], stages, fontsize=9, loc="lower right")
    fig.tight_layout()
    return fig


def plot_pair_stages(frame: np.ndarray, motion: np.ndarray, outputs: Sequence[np.ndarray],
                     alphas: Sequence[float], motion_alpha: float) -> Figure:
    """A pair through the network in one figure (8 x 5.6 in): the input ``frame`` and the channel of ``motion``
    (the manipulator's input ``D = alpha (E_b - E_a)``, at ``motion_alpha``) that varies most, with a colourbar
    (top); the output for each of ``alphas`` (bottom, at most 4). Why: the shapes a pass prints say little; these
    show what the features hold and that a larger alpha moves the picture further.

    ``frame`` and ``outputs`` are ``(3, H, W)`` or ``(1, 3, H, W)`` in [-1, 1]; ``motion`` is ``(C, h, w)`` or
    ``(1, C, h, w)`` at any resolution (it is drawn over the frame's extent, in input pixels).
    """
    import matplotlib.pyplot as plt

    def rgb(t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=np.float64).reshape(-1, *np.shape(t)[-2:])
        return np.clip((t.transpose(1, 2, 0) + 1) / 2, 0, 1)

    if len(outputs) != len(alphas) or not 1 <= len(alphas) <= 4:
        raise ValueError(f"one output per alpha, 1 to 4 of them; got {len(outputs)} outputs, {len(alphas)} alphas")
    image = rgb(frame)
    h, w = image.shape[:2]
    d = np.asarray(motion, dtype=np.float64).reshape(-1, *np.shape(motion)[-2:])
    channel = int(np.argmax(d.std(axis=(1, 2))))
    fig = plt.figure(figsize=(8, 5.6), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1])
    ax_in, ax_d, ax_free = top.subplots(1, 3)
    ax_free.remove()  # the top row's third place: left free so that its two panels line up with the outputs
    ax_in.imshow(image, interpolation="nearest", extent=(0, w, h, 0))
    ax_in.set_title("input (second frame)", fontsize=9)
    lim = float(np.abs(d[channel]).max()) or 1.0
    shown = ax_d.imshow(d[channel], cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest",
                        extent=(0, w, h, 0))
    ax_d.set_title(f"motion D, channel {channel} of {len(d)} (α = {motion_alpha:g})", fontsize=9)
    top.colorbar(shown, ax=ax_d, label="feature value")
    axes = np.atleast_1d(bottom.subplots(1, len(alphas), sharey=True))
    for ax, out, a in zip(axes, outputs, alphas):
        ax.imshow(rgb(out), interpolation="nearest", extent=(0, w, h, 0))
        ax.set_title(f"output, α = {a:g}", fontsize=9)
    for ax in [ax_in, ax_d, *axes]:
        ax.set_xlabel("x (pixels)")
    for ax in (ax_in, ax_d, axes[0]):
        ax.set_ylabel("y (pixels)")
    return fig


def plot_receptive_fields(fields: Sequence[ReceptiveField], titles: Sequence[str]) -> Figure:
    """Where one output pixel looks, measured: for each field a map of ``log10(|gradient| / max)`` (-24 to 0,
    with a colourbar below), its bounding box (the receptive field, cyan) and the square holding 90 % of the
    gradient (the effective field, dashed); last panel, :meth:`ReceptiveField.falloff` in the same log10 units:
    the strongest gradient at each (square) distance from the pixel. 8 x 3.6 inches."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    fig, axes = plt.subplots(1, len(fields) + 1, figsize=(8, 3.6), layout="constrained",
                             gridspec_kw={"width_ratios": [1] * len(fields) + [1.3]})
    for ax, rf, title in zip(axes, fields, titles):
        g = rf.gradient / rf.gradient.max()
        image = ax.imshow(np.log10(np.maximum(g, 1e-40)), cmap="magma", vmin=-24, vmax=0,
                          interpolation="nearest")
        ax.add_patch(Rectangle((rf.left - 0.5, rf.top - 0.5), rf.width, rf.height, fill=False, ec="cyan", lw=1))
        e = rf.effective_size()
        y, x = rf.pixel
        ax.add_patch(Rectangle((x - e / 2, y - e / 2), e, e, fill=False, ec="white", lw=1, ls="--"))
        ax.set_title(f"{title}\nreceptive field {rf.height} x {rf.width}\n90 % in {e} x {e} px", fontsize=9)
        ax.set_xlabel("x (pixels)")
    axes[0].set_ylabel("y (pixels)")
    bar = fig.colorbar(image, ax=list(axes[:-1]), extend="min", orientation="horizontal", shrink=0.8)
    bar.set_label("log10(|gradient| / max)", fontsize=9)
    prof = axes[-1]
    for rf, title in zip(fields, titles):
        d = np.arange(max(rf.gradient.shape) + 1)
        strongest = rf.falloff(d)
        prof.plot(d, np.log10(np.where(strongest > 0, strongest, np.nan)), lw=1.2, label=title)
    prof.axvline(fields[0].width // 2, color="0.5", ls=":", lw=1, label="edge of the field")
    prof.set_ylim(-30, 1)
    prof.set_xlabel("distance from the pixel (pixels)")
    prof.set_ylabel("log10(strongest |gradient| / max)")
    prof.legend(fontsize=9, loc="lower left")
    return fig
