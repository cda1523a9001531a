"""Scoring a network on the circles benchmark (paper Sec. 4.2, Table 3).

The score is the mean over scenes of the MSE between the network's output and the exact target, in
[0, 1] units squared, beside the score of returning the input unchanged (:func:`identity_mse`): the
quality bar of the shipped weights is a ratio of the two.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .data.benchmarks import CirclesConfig, circles_pairs, pair_mse
from .models import MagnificationNet


def to_network(frame: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """(H, W, 3) float in [0, 1] -> (1, 3, H, W) in [-1, 1]."""
    return torch.from_numpy(np.ascontiguousarray(frame.transpose(2, 0, 1), dtype=np.float32))[None].to(device) * 2 - 1


def from_network(x: torch.Tensor) -> np.ndarray:
    """(1, 3, H, W) in [-1, 1] -> (H, W, 3) float64 in [0, 1]."""
    return ((x[0].detach().float().cpu().numpy().transpose(1, 2, 0) + 1) / 2).clip(0, 1).astype(np.float64)


@dataclass(frozen=True)
class CirclesScore:
    noise: float
    mse: float            # the network's output vs the target
    identity_mse: float   # the input frame vs the target
    ratio_stderr: float = float("nan")   # standard error of ``ratio`` from the scene-to-scene scatter

    @property
    def ratio(self) -> float:
        """``mse / identity_mse``: below 1 the network helps; the shipped light model's bar is 0.5."""
        return self.mse / self.identity_mse


@torch.no_grad()
def scene_errors(net: MagnificationNet, pairs: list[dict]) -> np.ndarray:
    """MSE of ``net(prev, cur, alpha)`` against the exact target, one per pair."""
    device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    errors = []
    for p in pairs:
        out = net(to_network(p["prev"], device), to_network(p["cur"], device), float(p["alpha"]))
        errors.append(pair_mse(p, from_network(out)))
    net.train(was_training)
    return np.array(errors)


def score_circles(net: MagnificationNet, cfg: CirclesConfig = CirclesConfig(), noise: float = 0.0,
                  scenes: int | None = None) -> CirclesScore:
    """MSE of ``net(prev, cur, alpha)`` against the exact target over the first ``scenes`` scenes."""
    pairs = list(circles_pairs(cfg if scenes is None else _first(cfg, scenes), noise))
    return _score(noise, scene_errors(net, pairs), input_errors(pairs))


def ratio_stderr(errors: np.ndarray, inputs: np.ndarray) -> float:
    """Standard error of ``mean(errors) / mean(inputs)`` over scenes (the delta method: the scatter of
    ``errors_k - ratio * inputs_k``), NaN for one scene."""
    n = len(errors)
    if n < 2:
        return float("nan")
    ratio = errors.mean() / inputs.mean()
    return float(np.std(errors - ratio * inputs, ddof=1) / (np.sqrt(n) * inputs.mean()))


def input_errors(pairs: list[dict]) -> np.ndarray:
    """MSE of returning the input unchanged (``cur``) against the target, one per pair."""
    return np.array([pair_mse(p, p["cur"]) for p in pairs])


def _score(noise: float, errors: np.ndarray, inputs: np.ndarray) -> CirclesScore:
    return CirclesScore(noise, float(errors.mean()), float(inputs.mean()), ratio_stderr(errors, inputs))


@dataclass(frozen=True)
class PairedScore:
    """Two networks on the same scenes: is A's lead bigger than the scene-to-scene scatter of the difference?"""
    noise: float
    a: CirclesScore
    b: CirclesScore
    diffs: tuple[float, ...]   # per scene, A's MSE minus B's

    @property
    def n(self) -> int:
        return len(self.diffs)

    @property
    def a_better(self) -> int:
        """Scenes where A's error is the smaller."""
        return int(np.sum(np.array(self.diffs) < 0))

    @property
    def diff_stderr(self) -> float:
        """Standard error of the mean per-scene difference, MSE units (NaN for one scene)."""
        return float(np.std(self.diffs, ddof=1) / np.sqrt(self.n)) if self.n > 1 else float("nan")

    @property
    def ratio_diff(self) -> float:
        """A's ratio minus B's (negative: A better), the units of docs/findings.md's tables."""
        return self.a.ratio - self.b.ratio

    @property
    def ratio_stderr(self) -> float:
        return self.diff_stderr / self.a.identity_mse


def compare_paired(net_a: MagnificationNet, net_b: MagnificationNet, cfg: CirclesConfig = CirclesConfig(),
                   noise: float = 0.0) -> PairedScore:
    """Both networks on the same scenes and noise; the difference taken scene by scene, so that what the scenes
    share (a hard background, a lucky noise draw) cancels and only the networks' difference is left to scatter."""
    pairs = list(circles_pairs(cfg, noise))
    ea, eb = scene_errors(net_a, pairs), scene_errors(net_b, pairs)
    inputs = input_errors(pairs)
    return PairedScore(noise, _score(noise, ea, inputs), _score(noise, eb, inputs), tuple(float(x) for x in ea - eb))


@dataclass(frozen=True)
class RunPairs:
    """Several run pairs (A with a change, B without; e.g. one per training seed) at one noise: does the change
    help whatever the seed?  The unit is the run pair, so the standard error is the spread *between* pairs, which
    a benchmark of many scenes cannot shrink; each pair's own scene scatter is in its :class:`PairedScore`."""
    pairs: tuple[PairedScore, ...]

    def __post_init__(self) -> None:
        if not self.pairs:
            raise ValueError("RunPairs needs at least one paired score")
        if len({p.noise for p in self.pairs}) > 1:
            raise ValueError(f"paired scores at different noise levels: {sorted({p.noise for p in self.pairs})}")

    @property
    def noise(self) -> float:
        return self.pairs[0].noise

    @property
    def n(self) -> int:
        return len(self.pairs)

    @property
    def ratio_diffs(self) -> np.ndarray:
        return np.array([p.ratio_diff for p in self.pairs])

    @property
    def mean_ratio_diff(self) -> float:
        """Mean over pairs of A's ratio minus B's (negative: A better)."""
        return float(self.ratio_diffs.mean())

    @property
    def ratio_stderr(self) -> float:
        """Standard error of that mean from the pairs' spread (NaN for one pair)."""
        return float(self.ratio_diffs.std(ddof=1) / np.sqrt(self.n)) if self.n > 1 else float("nan")

    @property
    def a_better(self) -> int:
        """Pairs where A's mean error is the smaller."""
        return int(np.sum(self.ratio_diffs < 0))


def across_pairs(pairs: list[PairedScore]) -> RunPairs:
    """:class:`RunPairs` of paired scores taken at one noise."""
    return RunPairs(tuple(pairs))


def _first(cfg: CirclesConfig, scenes: int) -> CirclesConfig:
    from dataclasses import replace
    return replace(cfg, n_scenes=min(scenes, cfg.n_scenes))
