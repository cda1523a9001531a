"""Paper Table 4: the loss ablations, trained here or read from the committed runs (``data/runs``) and the
course's score files, and two runs set side by side scene by scene."""

from __future__ import annotations

import dataclasses
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
from torch import nn

from ..data.benchmarks import CirclesConfig
from ..errors import MMKitError
from ..evaluate import PairedScore, RunPairs, compare_paired
from .circles import CirclesResult, score_network_pairs
from .common import ABLATION_PAPER_ROW, ABLATIONS, PAPER_TABLE4_MSE, Table

#: Where the committed training runs live in a source checkout (see data/runs/README.md).
RUNS_DIR = Path(__file__).resolve().parents[2] / "data" / "runs"


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
    from ..checkpoints import model_from_checkpoint
    from ..course import course_file
    from ..pretrained import available, info, load_pretrained

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


def evaluate_rows(path: Path, lines: list[str] | None = None) -> dict[str, list[CirclesResult]]:
    """``{model: results}`` of one saved ``mmkit evaluate`` table (model as printed: a shipped name or a checkpoint
    path); rows of model, noise, MSE, input MSE, ratio and (since the held-out benchmark) its standard error."""
    lines = _committed_lines(path) if lines is None else lines
    head = re.match(r"circles benchmark(?:, [^:]+)?: (\d+) scenes", lines[0]) if lines else None
    if head is None:
        raise MMKitError(f"{path} does not start like `mmkit evaluate`'s output ('circles benchmark: N scenes')")
    found: dict[str, list[CirclesResult]] = {}
    for line in lines[1:]:
        m = re.match(r"(\S+)\s+([-+.\deE]+)\s+([-+.\deE]+)\s+([-+.\deE]+)\s+[-+.\deE]+(?:\s+([-+.\deEna]+))?$", line)
        if m:
            found.setdefault(m[1], []).append(CirclesResult(m[1], "pairs", float(m[2]), float(m[3]) / 1e3,
                                                            float(m[4]) / 1e3, int(head[1]),
                                                            float(m[5]) if m[5] else float("nan")))
    return found


def committed_scores(runs: Mapping[str, str], path: str | Path | None = None) -> dict[str, list[CirclesResult]]:
    """``{name: results}`` of committed runs (``{name: run folder in data/runs}``) as ``mmkit evaluate`` scored
    them on all the circles scenes, read from ``data/runs/evaluation.txt``: the full-length figures, which a
    notebook's quick run does not recompute. Feed them to :func:`table4`."""
    path = RUNS_DIR / "evaluation.txt" if path is None else Path(path)
    lines = _committed_lines(path)
    found = {name: rows for name, rows in evaluate_rows(path, lines).items() if name.endswith("/checkpoint.pt")}
    found = {Path(name).parent.name: rows for name, rows in found.items()}
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
SHIPPED_LABELS = {"with L_M": "light_paper", "without L_M": "light_no_lm", "proxy (clean inputs)": "light_proxy"}


def _run_folder(shipped: str) -> str:
    """The training folder's name under which the course's score files list the network ``shipped``."""
    from ..pretrained import info

    return shipped if shipped == "light_proxy" else Path(info(shipped)["run_dir"]).name


def shipped_scores(path: str | Path | None = None) -> dict[str, list[CirclesResult]]:
    """``{label: results}`` of :data:`SHIPPED_LABELS` on the circles benchmark, as ``mmkit evaluate`` scored them
    (default ``course_file("evaluation.txt")``): a lesson shows the trained networks' scores without naming the
    folders they were trained in. Feed them to :func:`table4` or :func:`mmkit.plots.plot_circle_scores`."""
    from ..course import course_file

    return committed_scores({label: _run_folder(name) for label, name in SHIPPED_LABELS.items()},
                            course_file("evaluation.txt") if path is None else path)


def shipped_paired(path: str | Path | None = None) -> list[PairedLine]:
    """The shipped ``light_paper`` (``first``: "with L_M") against the same training without L_M (``second``),
    scene by scene per noise level, read from ``mmkit evaluate --paired``'s output (default
    ``course_file("paired_lm.txt")``), with the lessons' labels in place of the training folders."""
    from ..course import course_file

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
    from ..course import course_file
    from ..data.pairs import DataConfig
    from ..hardware import bf16_is_fast
    from ..losses import LossWeights
    from ..train import TrainConfig

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
    from ..train import train

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
