"""An exponential moving average (EMA) of a network's weights, kept beside the weights that train.

Adam at a constant learning rate (the paper's 1e-4) keeps the weights wandering around a minimum; the
average of the recent weights sits nearer its middle and usually scores a little better than the last step's
weights (on this project's light runs, the mean of the last checkpoints was up to 0.015 better in circles
ratio: ``scripts/measure_weight_averaging.py``). The average never feeds back into training: the run's weights,
its optimiser and so ``--resume`` are exactly as without it. PyTorch's own
:class:`torch.optim.swa_utils.AveragedModel` holds and updates the copy; this module adds the decay warm-up.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel

from .checks import check_number
from .errors import MMKitError


def warmed_decay(decay: float, updates: int) -> float:
    """The decay used at the ``updates``-th update: ``min(decay, (1 + n) / (10 + n))``.

    Early on the average would otherwise be dominated by the weights it started from (with 0.999, the
    starting weights still hold 37 % of it after 1,000 updates); the warm-up, as in TensorFlow's
    ``ExponentialMovingAverage(num_updates=...)``, lets it follow the run until it has seen enough steps.
    """
    return min(decay, (1.0 + updates) / (10.0 + updates))


def _ema_fn(decay: float):
    @torch.no_grad()
    def update(averaged: list[torch.Tensor], current: list[torch.Tensor], n_averaged: torch.Tensor) -> None:
        d = warmed_decay(decay, int(n_averaged))
        if torch.is_floating_point(averaged[0]):
            torch._foreach_lerp_(averaged, current, 1.0 - d)
        else:  # integer buffers (none in mmkit's networks) follow the weights
            for a, c in zip(averaged, current, strict=True):
                a.copy_(c)
    return update


def check_decay(decay: float) -> None:
    """``decay`` is 0 (no average) or in (0, 1)."""
    check_number("ema (the weight average's decay; 0: none)", decay)
    if not 0.0 <= decay < 1.0:
        raise MMKitError(f"ema must be 0 (no weight average) or a decay in (0, 1), e.g. 0.999; got {decay!r}")


def weight_average(model: nn.Module, decay: float) -> AveragedModel:
    """A moving average of ``model``'s weights (and buffers), updated by ``.update_parameters(model)`` after each
    optimiser step; ``.module`` is the averaged network. The first update copies the weights."""
    check_decay(decay)
    return AveragedModel(model, multi_avg_fn=_ema_fn(decay), use_buffers=True)


def average_state(avg: AveragedModel) -> dict:
    """What a checkpoint keeps of the average: the averaged network's state dict and the number of updates."""
    return {"ema": avg.module.state_dict(), "ema_updates": int(avg.n_averaged)}


def load_average_state(avg: AveragedModel, state: dict) -> None:
    """Restore :func:`average_state` into ``avg``."""
    avg.module.load_state_dict(state["ema"])
    avg.n_averaged.fill_(int(state["ema_updates"]))
