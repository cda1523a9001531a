"""The paper's Tables 1-4 and its temporal-slice figures, measured here, beside the paper's numbers.

Singh, Murala, Kosuru, "Lightweight Network for Video Motion Magnification" (WACV 2023):

* **Table 1** (size, cost, run time): :func:`table1` from :func:`mmkit.models.complexity` (parameters, and
  GFLOPs = 2 x MACs at 720 x 720) and :func:`time_forward` (one forward pass on this machine);
* **Table 2** (physical accuracy): :func:`rod_accuracy` magnifies the vibrating rod of
  :mod:`mmkit.data.benchmarks`, measures the rod's motion in the output (:func:`mmkit.measure.measure_vertical_motion`)
  and compares it with ``gain * rod_signal``, amplitude by amplitude (:func:`fit_sinusoids`); :func:`table2`;
* **Table 3** (circles benchmark): the networks on the two-frame pairs (:func:`score_network_pairs`, the
  protocol of :func:`mmkit.evaluate.score_circles`) and every method on the circles *videos*
  (:func:`score_video`; the classical methods need a clip for their temporal filters); :func:`table3`;
* **Table 4** (ablation): :func:`train_ablations` trains small runs with one loss term switched off each,
  :func:`score_models` scores them (and the committed runs of ``data/runs``); :func:`table4`; :func:`paired_runs`
  and :func:`plot_paired` set two runs side by side scene by scene, to tell a lead from the scenes' scatter;
* **Figures 1, 4, 5, 6** (temporal slices): :func:`slice_clips` runs the paper's methods on a sample clip of
  :mod:`mmkit.data.samples`, :func:`plot_slices` draws the slices (:func:`mmkit.plots.temporal_slice`).

One convention for every method: ``gain`` is the factor by which the *output* motion exceeds the input's (the
networks' alpha). The classical methods magnify by ``1 + alpha``, so they get ``alpha = gain - 1``: the paper's
"for different methods, to generate the same amount of output motion, their magnification factor is changed".
MSEs are in [0, 1] units squared, as everywhere in mmkit; the paper does not state its units.
"""
from __future__ import annotations

import dataclasses
import math
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import torch
from torch import nn

from .classical.registry import METHODS as CLASSICAL
from .data.benchmarks import CirclesConfig, RodConfig, circles_video, rod_region, rod_signal, rod_video
from .data.samples import SAMPLES
from .engine import MagnifyConfig, magnify, magnify_frames
from .errors import MMKitError
from .evaluate import PairedScore, RunPairs, compare_paired, score_circles
from .measure import measure_vertical_motion
from .models import MODEL_NAMES, PAPER_TABLE1, complexity

# --------------------------------------------------------------------------------------------------------
# The paper's numbers
# --------------------------------------------------------------------------------------------------------

#: Table 1, run time per frame at 720 x 720 on an NVIDIA RTX 2080, ms.
PAPER_RUNTIME_MS = {"oh2018": 95.0, "base": 142.0, "light": 38.0}
#: Table 2, MAE between the rescaled (0..1) measured and sensor signals of the vibrating rod.
PAPER_TABLE2_MAE = {"anisotropy": 0.146, "jerk": 0.149, "acceleration": 0.146, "oh2018": 0.144, "base": 0.121,
                    "light": 0.131}
#: Table 3, aggregate MSE on 25 synthetic circles videos (units not stated in the paper).
PAPER_TABLE3_MSE = {"anisotropy": 36.4, "jerk": 55.3, "acceleration": 68.0, "oh2018": 38.8, "base": 23.07,
                    "light": 27.8}
#: Table 4 (ablations of the *base* model M1), aggregate MSE on the synthetic videos.
PAPER_TABLE4_MSE = {"all terms": 23.07, "no L_M": 27.85, "no feature sharing encoder": 30.1,
                    "no appearance encoder": 37.7, "no L_edge": 31.1, "no L_p": 40.2}
#: The paper's training: 47 epochs of Oh et al.'s (2018) data set of 100,000 pairs of 384 x 384 px.
PAPER_EPOCHS = 47
PAPER_PAIR_SIZE = 384

NETWORKS = MODEL_NAMES                                    # ("light", "base", "oh2018")
CLASSICAL_METHODS = tuple(CLASSICAL)                      # linear, riesz, phase, acceleration, jerk, anisotropy
#: The methods of the paper's figures and Tables 2-3, in its order (b)-(g): three hand-crafted, three learned.
PAPER_METHODS = ("acceleration", "jerk", "anisotropy", "oh2018", "base", "light")
#: Table 4's loss ablations that the training loop can switch off (TrainConfig.weights); "all terms" first.
ABLATIONS: dict[str, dict[str, float]] = {"all terms": {}, "no L_M": {"proxy": 0.0},
                                          "no L_A": {"appearance": 0.0}, "no L_edge": {"edge": 0.0}}
#: Our ablation -> the paper's closest row. Removing L_A keeps the appearance encoder (it then learns only from
#: the output losses), which is not the paper's "(c) without appearance encoder".
ABLATION_PAPER_ROW = {"all terms": "all terms", "no L_M": "no L_M", "no L_A": "no appearance encoder",
                      "no L_edge": "no L_edge", "with L_M": "all terms", "without L_M": "no L_M"}

#: Where the committed training runs live in a source checkout (see data/runs/README.md).
RUNS_DIR = Path(__file__).resolve().parents[1] / "data" / "runs"
#: Temporal band (Hz) of the classical methods on the 30 fps circles videos: everything but the mean.
CIRCLES_BAND = (1.0, 14.0)
#: Temporal band (Hz) of the classical methods on the 240 fps rod: its 20, 45 and 70 Hz, centred on 45 Hz
#: (the acceleration methods are tuned to the band's centre).
ROD_BAND = (10.0, 80.0)


def label(method: str) -> str:
    """A method's name with its source, for tables and figures.

    Examples:
        >>> label("light"), label("jerk")
        ('light (M2)', 'jerk (after Takeda et al., CVPR 2018)')
    """
    nets = {"light": "light (M2)", "base": "base (M1)", "oh2018": "oh2018 (Oh et al. 2018)"}
    if method in nets:
        return nets[method]
    if method in CLASSICAL:
        return f"{method} ({CLASSICAL[method].reference.split(' (')[0]})"
    return method


# --------------------------------------------------------------------------------------------------------
# A small table type that shows as markdown in a notebook
# --------------------------------------------------------------------------------------------------------


def _fmt(v: object, spec: str | None = None) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool) or isinstance(v, str):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return f"{v:,}"
    if isinstance(v, (float, np.floating)) and spec is not None and math.isfinite(v):
        return format(v, spec)
    if isinstance(v, (float, np.floating)):
        return "nan" if not math.isfinite(v) else f"{v:.3f}" if abs(v) < 100 else f"{v:.1f}"
    return str(v)


@dataclass(frozen=True)
class Table:
    """Rows of values under named columns; shown as markdown in Jupyter and as aligned text elsewhere.

    Values stay numbers (for tests and further use): :meth:`value` reads one. ``None`` shows as ``-``; a float
    shows with three decimals (one from 100 on) unless ``formats`` gives its column a format spec (e.g. ``".1f"``).

    Examples:
        >>> t = Table("T", ("model", "params"), (("light", 112318),))
        >>> t.value("light", "params")
        112318
        >>> print(t.to_markdown())
        **T**
        <BLANKLINE>
        | model | params |
        | --- | --- |
        | light | 112,318 |
    """

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    note: str = ""
    formats: tuple[tuple[str, str], ...] = ()   # (column, format spec) pairs

    def _cells(self, row: tuple[object, ...]) -> list[str]:
        spec = dict(self.formats)
        return [_fmt(v, spec.get(c)) for c, v in zip(self.columns, row)]

    def value(self, row: str, column: str) -> object:
        """The value in the row whose first cell is ``row``, under ``column``."""
        j = self.columns.index(column)
        for r in self.rows:
            if r[0] == row:
                return r[j]
        raise KeyError(f"no row {row!r} in table {self.title!r}")

    def to_markdown(self) -> str:
        lines = [f"**{self.title}**", "", "| " + " | ".join(self.columns) + " |",
                 "| " + " | ".join("---" for _ in self.columns) + " |"]
        lines += ["| " + " | ".join(self._cells(r)) + " |" for r in self.rows]
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __str__(self) -> str:
        cells = [list(self.columns)] + [self._cells(r) for r in self.rows]
        widths = [max(len(row[j]) for row in cells) for j in range(len(self.columns))]
        text = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
        return "\n".join([self.title, *text] + ([self.note] if self.note else []))

    __repr__ = __str__


# --------------------------------------------------------------------------------------------------------
# Running any method on a clip
# --------------------------------------------------------------------------------------------------------


def load_networks(names: Iterable[str] = NETWORKS) -> dict[str, nn.Module]:
    """The shipped trained networks by name (:func:`mmkit.load_pretrained`), in eval mode on the CPU."""
    from .pretrained import load_pretrained

    return {name: load_pretrained(name) for name in names}


def training_table(names: Sequence[str] = ("light", "light_no_lm", "base", "oh2018")) -> Table:
    """How much training each shipped network saw, beside the paper's: pairs seen, epochs of its data set, the share
    of the paper's :data:`PAPER_EPOCHS`, the pair size and whether the perceptual loss L_p was on (read from the
    ``NAME.json`` that ships with the weights). Differences here explain most of the gaps in Tables 2-4.

    Examples:
        >>> t = training_table(["light"])
        >>> t.value("light (M2)", "pair size (px)"), t.value("light (M2)", "L_p on")
        (128, False)
    """
    from .pretrained import info

    rows = []
    for name in names:
        meta = info(name)
        cfg = meta["train_config"]
        seen = meta["step"] * cfg["batch_size"]
        epochs = seen / cfg["dataset_size"]
        rows.append((label(name), seen, epochs, epochs / PAPER_EPOCHS, cfg["data"]["size"],
                     bool(meta.get("perceptual_enabled", False))))
    rows.append(("paper", None, float(PAPER_EPOCHS), 1.0, PAPER_PAIR_SIZE, True))
    return Table("Training of the shipped networks and the paper's",
                 ("model", "pairs seen", "epochs", "share of the paper's epochs", "pair size (px)", "L_p on"),
                 tuple(rows), formats=(("epochs", ".1f"), ("share of the paper's epochs", ".1%")))


def run_method(method: str, frames: np.ndarray, gain: float, fps: float, *, mode: str = "dynamic",
               band: tuple[float, float] = CIRCLES_BAND, nets: Mapping[str, nn.Module] | None = None,
               **params) -> np.ndarray:
    """Magnify ``frames`` (T, H, W, 3) uint8 with ``method`` so that the output motion is ``gain`` times the input's.

    A network (a name in ``nets``, else its shipped weights) runs in ``mode`` (``dynamic``: each frame against
    the previous one, the paper's use; ``static``: against frame 0) with ``alpha = gain``. A classical method
    runs on the whole clip with ``alpha = gain - 1`` (its ``1 + alpha`` convention) and the temporal ``band``
    (Hz); ``params`` go to its config. Returns (T, H, W, 3) uint8.
    """
    if method in CLASSICAL:
        return magnify(frames, gain - 1.0, method=method, fps=fps, low_hz=band[0], high_hz=band[1],
                       params=params, device="cpu")
    if method not in MODEL_NAMES and (nets is None or method not in nets):
        raise MMKitError(f"unknown method {method!r}; choose one of {list(MODEL_NAMES) + list(CLASSICAL)}")
    net = nets[method] if nets is not None and method in nets else load_networks([method])[method]
    cfg = MagnifyConfig(alpha=gain, mode=mode, method=method, device="cpu")
    return np.stack(list(magnify_frames(iter(frames), cfg, net=net, fps=fps)))


# --------------------------------------------------------------------------------------------------------
# Table 1: size, cost and run time
# --------------------------------------------------------------------------------------------------------


@torch.no_grad()
def time_forward(net: nn.Module, height: int = 720, width: int = 720, repeats: int = 3,
                 device: str | torch.device = "cpu", alpha: float = 20.0) -> float:
    """Median wall time, seconds, of one forward pass ``net(prev, cur, alpha)`` of one frame pair.

    fp32 and channels-last, the default inference path of :func:`mmkit.magnify`. One untimed pass at
    64 x 64 first (allocations, kernel selection) on a CPU, at full size on a GPU; then ``repeats`` timed
    passes (CUDA synchronised before reading the clock).
    """
    if repeats < 1:
        raise MMKitError(f"repeats must be at least 1, got {repeats}")
    device = torch.device(device)
    net = net.to(device).eval().to(memory_format=torch.channels_last)

    def pair(h: int, w: int) -> torch.Tensor:
        g = torch.Generator().manual_seed(0)
        return (torch.rand(1, 3, h, w, generator=g) * 2 - 1).to(device).contiguous(memory_format=torch.channels_last)

    cuda = device.type == "cuda"
    warm = pair(height, width) if cuda else pair(64, 64)
    net(warm, warm, alpha)
    x = pair(height, width)
    times = []
    for _ in range(repeats):
        if cuda:
            torch.cuda.synchronize(device)
        t0 = time.perf_counter()
        net(x, x, alpha)
        if cuda:
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def time_models(nets: Mapping[str, nn.Module], height: int = 720, width: int = 720, repeats: int = 3,
                device: str = "cpu") -> dict[str, float]:
    """:func:`time_forward` of each network, in **milliseconds** per frame."""
    return {name: 1000 * time_forward(net, height, width, repeats, device) for name, net in nets.items()}


def table1(runtime_ms: Mapping[str, float] | None = None, height: int = 720, width: int = 720,
           names: Sequence[str] = ("oh2018", "base", "light"), where: str = "this machine") -> Table:
    """Paper Table 1: parameters, GFLOPs (2 x MACs) at ``height`` x ``width`` and run time, beside the paper's.

    Parameters and MACs are counted from the (untrained) models themselves; ``runtime_ms`` (from
    :func:`time_models`) adds the run-time columns.

    Examples:
        >>> t = table1()
        >>> t.value("light (M2)", "params"), round(t.value("light (M2)", "GFLOPs"), 1)
        (112318, 36.3)
    """
    from .models import build_model

    columns = ["model", "params", "paper params", "ours / paper params", "GFLOPs", "paper GFLOPs",
               "ours / paper GFLOPs"]
    if runtime_ms is not None:
        columns += [f"ms per frame, {where}", "paper ms (RTX 2080)"]
    rows = []
    for name in names:
        c = complexity(build_model(name), height, width)
        paper_params, paper_gflops = PAPER_TABLE1[name]
        row: list[object] = [label(name), c.params, int(paper_params), c.params / paper_params, c.gflops,
                             paper_gflops, c.gflops / paper_gflops]
        if runtime_ms is not None:
            row += [runtime_ms.get(name), PAPER_RUNTIME_MS[name]]
        rows.append(tuple(row))
    formats = (("ours / paper params", ".3f"), ("GFLOPs", ".1f"), ("paper GFLOPs", ".1f"),
               ("ours / paper GFLOPs", ".3f"),
               (f"ms per frame, {where}", ",.0f"), ("paper ms (RTX 2080)", ".0f"))
    return Table(f"Table 1: size and cost at {height} x {width}" + (" and run time" if runtime_ms else ""),
                 tuple(columns), tuple(rows), formats=formats)


# --------------------------------------------------------------------------------------------------------
# Table 3: the circles benchmark
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CirclesResult:
    """One method's mean MSE over the scenes at one noise level, beside returning the input unchanged."""

    method: str
    form: str             # "pairs" (two frames -> one target) or "videos" (dynamic-mode truth, frames 1..T-1)
    noise: float
    mse: float
    identity_mse: float
    scenes: int

    @property
    def ratio(self) -> float:
        """``mse / identity_mse``: below 1 the method beats doing nothing."""
        return self.mse / self.identity_mse


def score_network_pairs(nets: Mapping[str, nn.Module], scenes: int, noises: Sequence[float] = (0.0, 2.0, 5.0),
                        cfg: CirclesConfig = CirclesConfig()) -> list[CirclesResult]:
    """Each network on the first ``scenes`` circles pairs at each noise level (:func:`mmkit.evaluate.score_circles`:
    the protocol of ``mmkit evaluate`` and of ``data/runs/evaluation.txt``)."""
    out = []
    for name, net in nets.items():
        for noise in noises:
            s = score_circles(net, cfg, noise, scenes)
            out.append(CirclesResult(name, "pairs", noise, s.mse, s.identity_mse, min(scenes, cfg.n_scenes)))
    return out


def video_mse(output: np.ndarray, truth: np.ndarray) -> float:
    """MSE in [0, 1] units over frames 1..T-1 (frame 0 has no predecessor in dynamic mode: it is passed through)."""
    if output.shape != truth.shape:
        raise MMKitError(f"output {output.shape} and truth {truth.shape} differ in shape")
    diff = (output[1:].astype(np.float64) - truth[1:].astype(np.float64)) / 255.0
    return float(np.mean(diff ** 2))


def score_video(method: str, scenes: int, noise: float, cfg: CirclesConfig = CirclesConfig(),
                nets: Mapping[str, nn.Module] | None = None, band: tuple[float, float] = CIRCLES_BAND) -> CirclesResult:
    """``method`` on the first ``scenes`` circles videos (:func:`mmkit.data.benchmarks.circles_video`) at ``noise``.

    Networks run in dynamic mode with ``alpha = cfg.alpha``; classical methods with ``alpha = cfg.alpha - 1`` (the
    same output motion) and the temporal ``band``. Scored by :func:`video_mse` against the dynamic-mode truth,
    beside the input video's own score.
    """
    errors, identity = [], []
    for scene in range(min(scenes, cfg.n_scenes)):
        frames, truth, fps = circles_video(cfg, scene, noise)
        errors.append(video_mse(run_method(method, frames, cfg.alpha, fps, band=band, nets=nets), truth))
        identity.append(video_mse(frames, truth))
    return CirclesResult(method, "videos", noise, float(np.mean(errors)), float(np.mean(identity)), len(errors))


def table3(results: Sequence[CirclesResult]) -> Table:
    """Paper Table 3: MSE (x 1e-3, [0, 1] units) per method and noise level, the ratio to the input's, the paper's.

    One row per (method, form), plus the input-unchanged baseline of each form. Noise levels are the columns.

    Examples:
        >>> r = [CirclesResult("light", "pairs", n, 0.010, 0.016, 3) for n in (0.0, 5.0)]
        >>> t = table3(r)
        >>> t.columns[:4], t.value("light (M2)", "MSE, noise 5")
        (('method', 'input', 'MSE, noise 0', 'MSE, noise 5'), 10.0)
    """
    noises = sorted({r.noise for r in results})
    by_key: dict[tuple[str, str], dict[float, CirclesResult]] = {}
    for r in results:
        by_key.setdefault((r.method, r.form), {})[r.noise] = r
    columns = ("method", "input", *(f"MSE, noise {n:g}" for n in noises),
               *(f"ratio, noise {n:g}" for n in noises), "paper MSE")
    rows = []
    for form in ("pairs", "videos"):
        keys = [k for k in by_key if k[1] == form]
        if not keys:
            continue
        first = by_key[keys[0]]
        rows.append((f"input unchanged ({form})", form,
                     *(1e3 * first[n].identity_mse if n in first else None for n in noises),
                     *(1.0 if n in first else None for n in noises), None))
        for method, _ in keys:
            got = by_key[(method, form)]
            rows.append((label(method), form, *(1e3 * got[n].mse if n in got else None for n in noises),
                         *(got[n].ratio if n in got else None for n in noises), PAPER_TABLE3_MSE.get(method)))
    scenes = {form: sorted({r.scenes for r in results if r.form == form}) for form in ("pairs", "videos")}
    counts = ", ".join(f"{form}: {'/'.join(map(str, n))} scenes" for form, n in scenes.items() if n)
    return Table(f"Table 3: circles benchmark, MSE x 1e-3 ([0, 1] units), {counts}",
                 columns, tuple(rows),
                 "ratio: MSE / MSE of the unchanged input (below 1: better than doing nothing). "
                 "paper MSE: one number per method, noise and units not stated.", formats=(("paper MSE", "g"),))


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


# --------------------------------------------------------------------------------------------------------
# Table 4: ablations
# --------------------------------------------------------------------------------------------------------


def committed_run(name: str) -> Path:
    """The checkpoint of a committed run in ``data/runs`` (e.g. ``"light_student"``, ``"light_no_lm"``). The
    working tree keeps the runs' records, not their checkpoints: those are in git history (commit a811fe1)."""
    path = RUNS_DIR / name / "checkpoint.pt"
    if not path.is_file():
        raise MMKitError(f"{path} is not here: the committed runs' checkpoints are in mmkit's git history, "
                         f"`git checkout a811fe1 -- data/runs/{name}/checkpoint.pt` in a source checkout restores "
                         "it (data/runs is not part of an installed package)")
    return path


def committed_network(name: str) -> nn.Module:
    """The trained network of the committed run ``name``: its checkpoint in ``data/runs`` where it is there, else
    the copy that ships with the package (the weights in mmkit/weights exported from that run, or the course's
    ``light_proxy``); any other run's checkpoint must be restored from git history (:func:`committed_run`)."""
    from .checkpoints import model_from_checkpoint
    from .course import course_file
    from .pretrained import available, info, load_pretrained

    if (RUNS_DIR / name / "checkpoint.pt").is_file():
        return model_from_checkpoint(RUNS_DIR / name / "checkpoint.pt")
    shipped = [w for w in available() if Path(info(w)["run_dir"]).name == name]
    if shipped:
        return load_pretrained(shipped[0])
    if name == "light_proxy":
        return model_from_checkpoint(course_file("light_proxy") / "checkpoint.pt")
    return model_from_checkpoint(committed_run(name))


def _committed_lines(path: Path) -> list[str]:
    """The lines of a committed score file (``mmkit evaluate``'s output saved in ``data/runs``)."""
    if not path.is_file():
        raise MMKitError(f"{path} is not here: the committed runs' scores come with a source checkout of mmkit "
                         "(data/runs), not with an installed package")
    return path.read_text().splitlines()


def committed_scores(runs: Mapping[str, str], path: str | Path | None = None) -> dict[str, list[CirclesResult]]:
    """``{name: results}`` of committed runs (``{name: run folder in data/runs}``) as ``mmkit evaluate`` scored
    them on all the circles scenes, read from ``data/runs/evaluation.txt``: the full-length figures, which a
    notebook's quick run does not recompute. Feed them to :func:`table4`."""
    path = RUNS_DIR / "evaluation.txt" if path is None else Path(path)
    lines = _committed_lines(path)
    head = re.match(r"circles benchmark: (\d+) scenes", lines[0]) if lines else None
    if head is None:
        raise MMKitError(f"{path} does not start like `mmkit evaluate`'s output ('circles benchmark: N scenes')")
    found: dict[str, list[CirclesResult]] = {}
    for line in lines[1:]:
        m = re.match(r"(?:\S*/)?([^/\s]+)/checkpoint\.pt\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+$", line)
        if m:
            found.setdefault(m[1], []).append(CirclesResult(m[1], "pairs", float(m[2]), float(m[3]) / 1e3,
                                                            float(m[4]) / 1e3, int(head[1])))
    missing = [run for run in runs.values() if run not in found]
    if missing:
        raise MMKitError(f"{path} has no scores of {missing}; it has {sorted(found)}")
    return {name: found[run] for name, run in runs.items()}


def paired_runs(pairs: Mapping[str, tuple[str, str]], scenes: int, noise: float = 5.0,
                cfg: CirclesConfig = CirclesConfig()) -> dict[str, PairedScore]:
    """``{name: PairedScore}`` of committed run pairs (``{name: (run with L_M, run without)}``), scored scene by
    scene on the first ``scenes`` circles scenes (more than the benchmark's 25 tell a lead from luck). Each run's
    network is :func:`committed_network`'s."""
    cfg = dataclasses.replace(cfg, n_scenes=scenes)
    return {name: compare_paired(committed_network(a), committed_network(b), cfg, noise)
            for name, (a, b) in pairs.items()}


@dataclass(frozen=True)
class PairedLine:
    """One noise level of ``mmkit evaluate --paired``'s output for one pair: each model's MSE over the input's, and
    the scene-by-scene difference (first minus second) with its standard error."""
    noise: float
    first: str
    second: str
    ratio_first: float
    ratio_second: float
    diff: float
    stderr: float
    first_better: int
    scenes: int


def committed_paired(path: str | Path) -> list[PairedLine]:
    """The pairs of a saved ``mmkit evaluate --paired`` output (e.g. ``data/runs/paired_lm_sweep.txt``), in order."""
    path = Path(path)
    models: list[tuple[str, float]] = []
    out = []
    for line in _committed_lines(path):
        m = re.match(r"(\S+)\s+(\S+)\s+\S+\s+\S+\s+(\S+)$", line)
        if m and m[1] != "model":
            models.append((m[1], float(m[3])))
            continue
        m = re.search(r"first minus second, scene by scene\s+(\S+)\s+\S+\s+(\S+)\s+\+- (\S+) \(standard error\); "
                      r"first better on (\d+) of (\d+) scenes", line)
        if m:
            if len(models) < 2:
                raise MMKitError(f"{path}: a paired difference without its two models before it")
            (a, ra), (b, rb) = models[-2:]
            out.append(PairedLine(float(m[1]), a, b, ra, rb, float(m[2]), float(m[3]), int(m[4]), int(m[5])))
            models = []
    if not out:
        raise MMKitError(f"{path} holds no paired scores (`mmkit evaluate --paired` output)")
    return out


#: The course's trained light networks by the labels its lessons use: shipped weights (``load_pretrained``) or, for
#: the proxy, ``course_file("light_proxy")``. The score files name each by the folder it was trained in.
SHIPPED_LABELS = {"with L_M": "light", "without L_M": "light_no_lm", "proxy (clean inputs)": "light_proxy"}


def _run_folder(shipped: str) -> str:
    """The training folder's name under which the course's score files list the network ``shipped``."""
    from .pretrained import info

    return shipped if shipped == "light_proxy" else Path(info(shipped)["run_dir"]).name


def shipped_scores(path: str | Path | None = None) -> dict[str, list[CirclesResult]]:
    """``{label: results}`` of :data:`SHIPPED_LABELS` on the circles benchmark, as ``mmkit evaluate`` scored them
    (default ``course_file("evaluation.txt")``): a lesson shows the trained networks' scores without naming the
    folders they were trained in. Feed them to :func:`table4` or :func:`mmkit.plots.plot_circle_scores`."""
    from .course import course_file

    return committed_scores({label: _run_folder(name) for label, name in SHIPPED_LABELS.items()},
                            course_file("evaluation.txt") if path is None else path)


def shipped_paired(path: str | Path | None = None) -> list[PairedLine]:
    """The shipped light network (``first``: "with L_M") against the same training without L_M (``second``),
    scene by scene per noise level, read from ``mmkit evaluate --paired``'s output (default
    ``course_file("paired_lm.txt")``), with the lessons' labels in place of the training folders."""
    from .course import course_file

    first, second = (_run_folder(SHIPPED_LABELS[label]) for label in ("with L_M", "without L_M"))
    lines = [ln for ln in committed_paired(course_file("paired_lm.txt") if path is None else path)
             if Path(ln.first).parent.name == first and Path(ln.second).parent.name == second]
    if not lines:
        raise MMKitError(f"{path or 'paired_lm.txt'} has no paired scores of {first} against {second}")
    return [dataclasses.replace(ln, first="with L_M", second="without L_M") for ln in lines]


def paired_table(lines: Sequence[PairedLine]) -> Table:
    """:func:`committed_paired`'s lines as a table: per noise level each model's MSE over the input's, the
    scene-by-scene difference (first minus second) with two standard errors, and on how many scenes the first is
    better.

    Examples:
        >>> ln = PairedLine(5.0, "a", "b", 0.72, 0.61, 0.108, 0.004, 3, 250)
        >>> paired_table([ln]).value(5.0, "a minus b")
        0.108
    """
    first, second = lines[0].first, lines[0].second
    rows = tuple((ln.noise, ln.ratio_first, ln.ratio_second, ln.diff, 2 * ln.stderr,
                  f"{ln.first_better} of {ln.scenes}") for ln in lines)
    return Table(f"{first} against {second}, scene by scene on {lines[0].scenes} circles scenes",
                 ("input noise", f"{first} / input", f"{second} / input", f"{first} minus {second}",
                  "+- 2 standard errors", f"{first} better on"), rows,
                 "x / input: a model's MSE over the MSE of returning the input unchanged (below 1: better than "
                 "doing nothing). A difference above 0: the first is worse.",
                 formats=(("input noise", "g"), (f"{first} minus {second}", "+.3f")))


def plot_paired_by_noise(lines: Sequence[PairedLine], width: float = 8.0, dpi: int | None = None):
    """One pair across input noise: left, the difference (first minus second, over the input's MSE) with two
    standard errors (above 0 the first is worse); right, each model's MSE over the input's (above 1 a model does
    worse than returning the input unchanged)."""
    import matplotlib.pyplot as plt

    noise = [ln.noise for ln in lines]
    first, second = lines[0].first, lines[0].second
    fig, (left, right) = plt.subplots(1, 2, figsize=(width, 3.4), dpi=dpi)
    left.errorbar(noise, [ln.diff for ln in lines], yerr=[2 * ln.stderr for ln in lines], fmt="o-", ms=4,
                  capsize=3, color="k", label="bars: ± 2 standard errors")
    left.legend(loc="lower left")
    left.axhline(0, color="k", lw=1, ls="--")
    left.set_title(f"{first} minus {second}\n(above 0: {first} worse)")
    left.set_ylabel("MSE difference / input MSE")
    right.plot(noise, [ln.ratio_first for ln in lines], "o-", ms=4, label=first)
    right.plot(noise, [ln.ratio_second for ln in lines], "s-", ms=4, label=second)
    right.axhline(1, color="k", lw=1, ls="--")
    right.set_title("each one's MSE / input MSE\n(1: returning the input unchanged)")
    right.set_ylabel("MSE / input MSE")
    right.legend()
    for ax in (left, right):
        ax.set_xlabel("input noise (std, of 255)")
    fig.tight_layout()
    return fig


def ablation_config(steps: int, batch_size: int, size: int, device: str = "cpu"):
    """The :class:`mmkit.train.TrainConfig` that a lesson's ablations start from: the light student taught by the
    course's proxy (``course_file("light_proxy")``), L_p off (no VGG-16 file ships), ``steps`` steps of
    ``batch_size`` pairs of ``size`` px, channels-last, and bf16 only where it is fast on ``device``
    (:func:`mmkit.hardware.bf16_is_fast`: emulated bf16 on a CPU without bf16 kernels is several times slower)."""
    from .course import course_file
    from .data.pairs import DataConfig
    from .hardware import bf16_is_fast
    from .losses import LossWeights
    from .train import TrainConfig

    return TrainConfig(model="light", stage="student",
                       proxy_checkpoint=str(course_file("light_proxy") / "checkpoint.pt"), steps=steps,
                       batch_size=batch_size, data=DataConfig(size=size), weights=LossWeights(perceptual=0.0),
                       checkpoint_every=steps, device=device, bf16=bf16_is_fast(device), channels_last=True)


def ablation_configs(base, variants: Mapping[str, Mapping[str, float]] = ABLATIONS) -> dict:
    """``{name: TrainConfig}``: ``base`` (a :class:`mmkit.train.TrainConfig`) with the named loss weights set to 0.

    A variant without the proxy loss needs no proxy checkpoint (``weights.proxy = 0`` is the ablation).
    """
    out = {}
    for name, off in variants.items():
        weights = dataclasses.replace(base.weights, **off)
        out[name] = dataclasses.replace(base, weights=weights)
    return out


def train_ablations(base, root: str | Path | None = None,
                    variants: Mapping[str, Mapping[str, float]] = ABLATIONS) -> dict[str, nn.Module]:
    """Train one run per variant of :func:`ablation_configs` (:func:`mmkit.train.train`, in ``root/<i>``, a fresh
    temporary folder by default) and return the trained models, in eval mode."""
    from .train import train

    root = Path(tempfile.mkdtemp(prefix="mmkit_ablation_")) if root is None else Path(root)
    return {name: train(cfg, root / f"run{i}", progress=False)
            for i, (name, cfg) in enumerate(ablation_configs(base, variants).items())}


def score_models(models: Mapping[str, nn.Module], scenes: int, noises: Sequence[float] = (0.0, 2.0, 5.0),
                 cfg: CirclesConfig = CirclesConfig()) -> dict[str, list[CirclesResult]]:
    """:func:`score_network_pairs` of each model, by name."""
    return {name: score_network_pairs({name: net}, scenes, noises, cfg) for name, net in models.items()}


def table4(scores: Mapping[str, Sequence[CirclesResult]], title: str, paper: bool = True) -> Table:
    """Paper Table 4: circles MSE (x 1e-3) at each noise level per ablation, ratio to the input, the paper's row.

    ``scores``: ``{ablation name: results}`` from :func:`score_models`; the paper's column is filled for the names
    of :data:`ABLATION_PAPER_ROW` (its ablations are of the base model M1).
    """
    noises = sorted({r.noise for rs in scores.values() for r in rs})
    columns = ("run", *(f"MSE, noise {n:g}" for n in noises), *(f"ratio, noise {n:g}" for n in noises))
    columns += ("paper MSE (base M1)",) if paper else ()
    rows = []
    for name, rs in scores.items():
        by = {r.noise: r for r in rs}
        row = (name, *(1e3 * by[n].mse for n in noises), *(by[n].ratio for n in noises))
        if paper:
            row += (PAPER_TABLE4_MSE.get(ABLATION_PAPER_ROW.get(name, name)),)
        rows.append(row)
    first = next(iter(scores.values()))
    base = {r.noise: r.identity_mse for r in first}
    note = "input unchanged: " + ", ".join(f"{1e3 * base[n]:.3f} (noise {n:g})" for n in noises)
    return Table(title, columns, tuple(rows), note, formats=(("paper MSE (base M1)", "g"),))


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

    from .plots import temporal_slice

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


# --------------------------------------------------------------------------------------------------------
# Plots of the tables
# --------------------------------------------------------------------------------------------------------


def plot_circles(results: Sequence[CirclesResult], width: float = 8.0, dpi: int | None = None):
    """Grouped bars of MSE / (MSE of the unchanged input) per method and noise level (Table 3 at a glance)."""
    import matplotlib.pyplot as plt

    keys = list(dict.fromkeys((r.method, r.form) for r in results))
    noises = sorted({r.noise for r in results})
    by = {(r.method, r.form, r.noise): r.ratio for r in results}
    fig, ax = plt.subplots(figsize=(width, 4.2), dpi=dpi)
    w = 0.8 / len(noises)
    x = np.arange(len(keys))
    for i, n in enumerate(noises):
        ax.bar(x + (i - (len(noises) - 1) / 2) * w, [by.get((m, f, n), np.nan) for m, f in keys], w,
               label=f"noise {n:g}")
    ax.axhline(1.0, color="k", lw=1, ls="--")
    ax.text(len(keys) - 0.5, 1.02, "input unchanged", ha="right", va="bottom")
    ax.set_xticks(x, [f"{m}\n({f})" for m, f in keys], rotation=35, ha="right", rotation_mode="anchor")
    ax.set_xlabel("method (scored on pairs or on videos)")
    ax.set_ylabel("MSE / MSE of the input")
    ax.set_title("Circles benchmark: below the dashed line a method beats doing nothing")
    ax.legend(title="input noise\n(std, of 255)", loc="upper left", bbox_to_anchor=(1.0, 1.0))  # off the bars
    fig.tight_layout()
    return fig


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


def plot_loss_logs(runs: Mapping[str, str | Path], column: str = "l1", width: float = 8.0, dpi: int = 72):
    """One loss term (a column of ``loss_log.csv``) over the training steps of each run folder."""
    import csv

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, 2.8), dpi=dpi)
    for name, folder in runs.items():
        with open(Path(folder) / "loss_log.csv", newline="") as f:
            rows = [r for r in csv.DictReader(f) if r.get(column)]
        ax.plot([int(r["step"]) for r in rows], [float(r[column]) for r in rows], label=name)
    ax.set_xlabel("training step")
    ax.set_ylabel(f"{column} loss")
    ax.set_title(f"{column} loss during training", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_paired(scores: Mapping[str, PairedScore], runs: Mapping[str, RunPairs] | None = None, width: float = 8.0,
                dpi: int = 72):
    """Per-scene differences (first minus second, in units of the input's MSE: left of 0 the first is better),
    one row of dots per pair, with the mean and two standard errors: a lead whose bar crosses 0 is not a lead.

    ``runs`` adds a row per group of pairs (e.g. one pair per training seed, :func:`mmkit.evaluate.across_pairs`):
    a diamond per pair's mean, and the mean over pairs with two standard errors *between* pairs."""
    import matplotlib.pyplot as plt

    runs = runs or {}
    fig, ax = plt.subplots(figsize=(width, 1.1 + 0.8 * (len(scores) + len(runs))), dpi=dpi)
    rng = np.random.default_rng(0)                     # vertical jitter only, to see overlapping dots
    for row, (name, c) in enumerate(scores.items()):
        d = np.array(c.diffs) / c.a.identity_mse
        ax.scatter(d, row + rng.uniform(-0.25, 0.25, len(d)), s=10, alpha=0.5, color="tab:blue", lw=0)
        ax.errorbar(c.ratio_diff, row, xerr=2 * c.ratio_stderr, fmt="o", color="k", capsize=4, ms=4)
        ax.text(1.01, row, f"{c.ratio_diff:+.3f} +- {2 * c.ratio_stderr:.3f}\nfirst better on {c.a_better} / {c.n}",
                transform=ax.get_yaxis_transform(), va="center", fontsize=7)
    for row, (name, r) in enumerate(runs.items(), start=len(scores)):
        ax.scatter(r.ratio_diffs, np.full(r.n, row), marker="D", s=24, color="tab:orange", zorder=3)
        ax.errorbar(r.mean_ratio_diff, row, xerr=2 * r.ratio_stderr, fmt="s", color="tab:red", capsize=4, ms=5)
        ax.text(1.01, row, f"{r.mean_ratio_diff:+.3f} +- {2 * r.ratio_stderr:.3f}\nfirst better in {r.a_better} / "
                f"{r.n} pairs", transform=ax.get_yaxis_transform(), va="center", fontsize=7)
    ax.axvline(0, color="k", lw=1, ls="--")
    ax.set_yticks(range(len(scores) + len(runs)), [*scores, *runs], fontsize=8)
    ax.invert_yaxis()
    noise = next(iter([*scores.values(), *runs.values()])).noise
    ax.set_xlabel(f"per-scene MSE difference / MSE of the input (noise {noise:g})")
    title = "Scene by scene: dots are scenes, the bar the mean +- 2 standard errors"
    ax.set_title(title + ("\n(red: diamonds are pairs, the bar their mean +- 2 standard errors between pairs)"
                          if runs else ""), fontsize=10)
    fig.tight_layout()
    return fig
