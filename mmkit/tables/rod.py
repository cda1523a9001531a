"""Paper Table 2: physical accuracy, the motion measured in each method's magnified vibrating rod."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
from torch import nn

from ..classical.registry import METHODS as CLASSICAL
from ..data.benchmarks import RodConfig, rod_region, rod_signal, rod_video
from ..measure import measure_vertical_motion
from .common import PAPER_TABLE2_MAE, ROD_BAND, Table, label, run_method


# --------------------------------------------------------------------------------------------------------
# Table 2: physical accuracy on the vibrating rod
# --------------------------------------------------------------------------------------------------------


def fit_sinusoids(signal: np.ndarray, fps: float, frequencies_hz: Sequence[float]) -> np.ndarray:
    """Amplitudes of the sinusoids at ``frequencies_hz`` in ``signal`` (T,), by least squares with a constant.

    Examples:
        >>> t = np.arange(48) / 240.0
        >>> s = 0.3 + 2.0 * np.sin(2 * np.pi * 20 * t + 1.0) + 0.5 * np.cos(2 * np.pi * 45 * t)
        >>> np.round(fit_sinusoids(s, 240.0, (20.0, 45.0)), 6).tolist()
        [2.0, 0.5]
    """
    t = np.arange(len(signal)) / fps
    design = [np.ones_like(t)]
    for f in frequencies_hz:
        design += [np.sin(2 * np.pi * f * t), np.cos(2 * np.pi * f * t)]
    coef, *_ = np.linalg.lstsq(np.stack(design, 1), np.asarray(signal, dtype=np.float64), rcond=None)
    return np.hypot(coef[1::2], coef[2::2])


def rescaled_mae(measured: np.ndarray, reference: np.ndarray) -> float:
    """The paper's Table 2 metric: both signals rescaled to [0, 1] (min to 0, max to 1), then the mean absolute error.

    It compares the *shapes* only: a method that magnifies too little but faithfully scores as well as a perfect
    one.

    Examples:
        >>> s = np.sin(np.linspace(0, 6, 50))
        >>> rescaled_mae(0.1 * s, s) < 1e-12
        True
    """
    def unit(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        span = x.max() - x.min()
        return (x - x.min()) / span if span > 0 else np.zeros_like(x)

    return float(np.mean(np.abs(unit(measured) - unit(reference))))


@dataclass(frozen=True)
class RodResult:
    """The rod's vertical motion measured in a method's output, against ``gain`` times the true signal."""

    method: str
    gain: float
    fps: float
    frequencies_hz: tuple[float, ...]
    measured: np.ndarray      # (T,) px, relative to frame 0
    truth: np.ndarray         # (T,) px, gain * (rod_signal - rod_signal[0])
    true_amplitudes: np.ndarray  # (K,) px, gain * amplitudes_px

    @property
    def amplitudes(self) -> np.ndarray:
        """Measured amplitude at each frequency, px (:func:`fit_sinusoids`)."""
        return fit_sinusoids(self.measured, self.fps, self.frequencies_hz)

    @property
    def amplitude_ratio(self) -> np.ndarray:
        """Measured / true amplitude at each frequency: 1 is physically exact, 1/gain is no magnification."""
        return self.amplitudes / self.true_amplitudes

    @property
    def mae_px(self) -> float:
        """Mean absolute error of the measured motion against the truth, px."""
        return float(np.mean(np.abs(self.measured - self.truth)))

    @property
    def rescaled_mae(self) -> float:
        """The paper's metric (:func:`rescaled_mae`)."""
        return rescaled_mae(self.measured, self.truth)


def rod_accuracy(method: str, cfg: RodConfig = RodConfig(), gain: float = 20.0,
                 nets: Mapping[str, nn.Module] | None = None, band: tuple[float, float] = ROD_BAND,
                 frames: np.ndarray | None = None) -> RodResult:
    """Magnify the vibrating rod by ``gain`` with ``method`` and measure the rod's motion in the output.

    Networks run in *static* mode (every frame against frame 0), so the output shows ``gain`` times the
    displacement since frame 0, which is what :func:`mmkit.measure.measure_vertical_motion` measures; classical
    methods run on the whole clip with ``alpha = gain - 1`` and ``band``. ``method="input"`` measures the
    unmagnified clip (against ``gain`` times the signal, so its ratio is ``1 / gain``); ``"truth"`` the exact
    magnified clip. The measuring region (:func:`mmkit.data.benchmarks.rod_region`) stays inside the rod.
    """
    frames = rod_video(cfg) if frames is None else frames
    if method == "input":
        out = frames
    elif method == "truth":
        out = rod_video(cfg, gain)
    else:
        out = run_method(method, frames, gain, cfg.fps, mode="static", band=band, nets=nets)
    s = rod_signal(cfg)
    measured = measure_vertical_motion(out, rod_region(cfg, gain))
    return RodResult(method, gain, cfg.fps, tuple(cfg.frequencies_hz), measured, gain * (s - s[0]),
                     gain * np.asarray(cfg.amplitudes_px, dtype=np.float64))


def table2(results: Sequence[RodResult]) -> Table:
    """Paper Table 2: measured / true amplitude per frequency, MAE in px, the paper's rescaled MAE, beside the paper's.

    Examples:
        >>> r = rod_accuracy("truth", RodConfig(n_frames=12))
        >>> t = table2([r])
        >>> round(t.value("truth (exact magnified clip)", "amplitude x, 20 Hz"), 2)
        1.0
    """
    freqs = results[0].frequencies_hz
    columns = ("method", *(f"amplitude x, {f:g} Hz" for f in freqs), "MAE px", "rescaled MAE", "paper rescaled MAE")
    names = {"input": "input (not magnified)", "truth": "truth (exact magnified clip)"}
    rows = tuple((names.get(r.method, label(r.method)), *r.amplitude_ratio.tolist(), r.mae_px, r.rescaled_mae,
                  PAPER_TABLE2_MAE.get(r.method)) for r in results)
    r0 = results[0]
    return Table(f"Table 2: physical accuracy, vibrating rod magnified x{r0.gain:g} ({len(r0.measured)} frames at "
                 f"{r0.fps:g} fps)", columns, rows,
                 "amplitude x: measured amplitude / (gain x true amplitude), 1 = physically exact. "
                 "rescaled MAE: both signals rescaled to 0..1, the paper's metric (shape only).")


def plot_rod(results: Sequence[RodResult], methods: Sequence[str] | None = None, width: float = 8.0,
             dpi: int | None = None):
    """The rod's motion measured in each method's output against ``gain`` times the true signal, px over ms: the
    networks in the left panel, the other methods in the right one (one panel when only one group is given). Each
    method has its own colour across both panels; the legends sit below the panels, off the curves."""
    import matplotlib.pyplot as plt

    chosen = [r for r in results if methods is None or r.method in methods]
    groups = [("learned methods", [r for r in chosen if r.method not in CLASSICAL]),
              ("hand-crafted methods", [r for r in chosen if r.method in CLASSICAL])]
    groups = [g for g in groups if g[1]] or [("", chosen)]
    fig, axes = plt.subplots(1, len(groups), figsize=(width, 4.0), dpi=dpi, sharey=True, squeeze=False)
    t = 1000 * np.arange(len(chosen[0].truth)) / chosen[0].fps
    palette = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:cyan", "tab:pink", "tab:olive")
    colours = dict(zip(dict.fromkeys(r.method for r in chosen), palette * (1 + len(chosen) // len(palette))))
    for ax, (name, rs) in zip(axes[0], groups):
        ax.plot(t, chosen[0].truth, color="k", lw=3, alpha=0.3, label=f"truth: {chosen[0].gain:g} x signal")
        for r in rs:
            ax.plot(t, r.measured, lw=1.2, color=colours[r.method], label=r.method)
        ax.set_xlabel("time (ms)")
        ax.set_title(name)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2)
    axes[0, 0].set_ylabel("vertical displacement (pixels)")
    fig.suptitle("Vibrating rod: motion measured in the magnified clips")
    fig.tight_layout()
    return fig
