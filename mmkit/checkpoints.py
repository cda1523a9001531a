"""Checkpoint files (``checkpoint.pt``): written atomically, read back with clear errors, and the network in one.

:mod:`mmkit.train` decides what a training checkpoint holds (:func:`mmkit.train.save_checkpoint`); the engine (a
checkpoint path as the method), the export of shipped weights (:mod:`mmkit.pretrained`), evaluation and the command
line read them here, so that none of them imports the trainer to do it.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from .atomic import atomic_path
from .errors import MMKitError
from .models import MagnificationNet, Oh2018Net, build_model

#: The ``format`` entry of every checkpoint; :func:`load_checkpoint` refuses a file without it.
CHECKPOINT_FORMAT = "mmkit-checkpoint-1"


def write_state(path: Path, state: dict) -> Path:
    """Write a checkpoint's state dict atomically (temporary file, then rename): a crash leaves the old file."""
    with atomic_path(path) as tmp:
        torch.save(state, tmp)
    return path


def load_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """Read a checkpoint; a truncated, corrupt or foreign file is a clear :class:`MMKitError`."""
    path = Path(path)
    if not path.is_file():
        raise MMKitError(f"checkpoint {path} does not exist")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        raise MMKitError(f"checkpoint {path} is corrupt or truncated ({type(e).__name__}); "
                         "use an earlier checkpoint or start again") from None
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise MMKitError(f"{path} is not an mmkit checkpoint")
    return state


def checkpoint_weights(state: dict, average: bool = True) -> dict:
    """A checkpoint's network weights: the moving average when the run kept one (``TrainConfig.ema``) and
    ``average`` is true, else the weights of the last training step."""
    return state["ema"] if average and state.get("ema") is not None else state["model"]


def model_from_checkpoint(path: str | os.PathLike, average: bool = True) -> MagnificationNet | Oh2018Net:
    """The network stored in a checkpoint, in eval mode (its weight average, if it has one and ``average``)."""
    state = load_checkpoint(path)
    net = build_model(state.get("model_name", "light"), state["model_config"])
    net.load_state_dict(checkpoint_weights(state, average))
    return net.eval()
