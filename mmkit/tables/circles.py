"""Paper Table 3: the circles benchmark, the networks on its two-frame pairs and every method on its videos."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
from torch import nn

from ..data.benchmarks import CirclesConfig, circles_video
from ..errors import MMKitError
from ..evaluate import score_circles
from .common import CIRCLES_BAND, PAPER_TABLE3_MSE, Table, label, run_method


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
    ratio_stderr: float = float("nan")   # standard error of the ratio over scenes, where it was measured

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
