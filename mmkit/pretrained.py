"""Weights that ship inside the package (``mmkit/weights/``), made by ``mmkit train`` and nothing else.

Each shipped model is three files: ``NAME.pt`` (the model's state dict and config only, small),
``NAME.json`` (the training config, seed, step count, git commit and the run it came from) and
``NAME_loss_log.csv`` (the run's loss log). :func:`export_weights` makes them from a run folder.

The paper's three networks ship as ``light``, ``base`` and ``oh2018``, each the best weights the kit has for that
network on the held-out-content benchmark (:mod:`mmkit.tables.held_out`); ``light`` is the default network
(:data:`mmkit.defaults.DEFAULT_NETWORK`). Other names are further trainings, shipped so that a learner can put
them side by side: ``light_paper`` and ``base_paper`` are the networks trained by the paper's recipe (the student
with the proxy loss L_M), for the course's lessons on L_M and its reproduction of the paper's tables, and
``light_no_lm`` is light's Table 4 ablation (the same recipe, pairs, noise, seed and length, without L_M).
``light`` is ``light_no_lm`` trained on with varied pictures and sensor noise (``data/runs/light_varied``, then
``light_decay``); ``base`` is ``base_paper`` trained on the same way, without L_M (``data/runs/base_varied``).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import torch

from .atomic import atomic_path
from .checkpoints import checkpoint_weights, load_checkpoint
from .defaults import DEFAULT_NETWORK  # noqa: F401  (re-exported: the default method)
from .errors import MMKitError
from .models import MODEL_NAMES, MagnificationNet, Oh2018Net, build_model

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


def available() -> list[str]:
    """Names of the shipped models."""
    return sorted(p.stem for p in WEIGHTS_DIR.glob("*.pt"))


def network_names() -> list[str]:
    """Every name a network method accepts (``mmkit.magnify(method=...)``, the widget's menu): the paper's
    networks first, then the other shipped weights (e.g. ``light_no_lm``)."""
    return list(MODEL_NAMES) + [name for name in available() if name not in MODEL_NAMES]


def info(name: str) -> dict:
    """What ships beside ``name``'s weights (``NAME.json``): training config, step, git commit, run folder."""
    path = WEIGHTS_DIR / f"{name}.json"
    if not path.is_file():
        raise MMKitError(f"no shipped weights named {name!r} (shipped: {available() or 'none yet'})")
    return json.loads(path.read_text())


def loss_log(name: str) -> Path:
    """The loss log of the run that made the shipped weights ``name`` (``NAME_loss_log.csv``), for
    :func:`mmkit.plots.plot_loss_curves`: how a long training went, without the run's folder."""
    path = WEIGHTS_DIR / f"{name}_loss_log.csv"
    if not path.is_file():
        raise MMKitError(f"no loss log ships with {name!r} (shipped: {available() or 'none yet'})")
    return path


def architecture(name: str) -> str:
    """The network (one of ``MODEL_NAMES``) that the shipped weights ``name`` are for: ``"light"`` for
    ``"light_no_lm"``."""
    return name if name in MODEL_NAMES else info(name)["train_config"]["model"]


def load_pretrained(name: str = "light",
                    weights_dir: str | os.PathLike = WEIGHTS_DIR) -> MagnificationNet | Oh2018Net:
    """A shipped trained model by name (``"light"``, ``"base"``, ``"oh2018"``, or another of :func:`available`,
    e.g. ``"light_no_lm"``), in eval mode."""
    path = Path(weights_dir) / f"{name}.pt"
    if not path.is_file():
        have = sorted(p.stem for p in Path(weights_dir).glob("*.pt"))
        raise MMKitError(f"no shipped weights named {name!r} (shipped: {have or 'none yet'}); "
                         "train your own with `mmkit train` and load the checkpoint instead")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        net = build_model(state.get("model_name", "light"), state["model_config"])
        net.load_state_dict(state["model"])
    except MMKitError:
        raise
    except Exception as e:
        raise MMKitError(f"shipped weights {path} could not be loaded ({type(e).__name__}: {e})") from None
    return net.eval()


def export_weights(run_dir: str | os.PathLike, name: str, weights_dir: str | os.PathLike = WEIGHTS_DIR,
                   description: str | None = None) -> Path:
    """Copy a run's trained model (its weight average, if the run kept one) into ``weights_dir`` as ``name``,
    with its metadata (and ``description``, a sentence of what it is, where the name does not say) and loss
    log."""
    run_dir, weights_dir = Path(run_dir), Path(weights_dir)
    state = load_checkpoint(run_dir / "checkpoint.pt")
    weights_dir.mkdir(parents=True, exist_ok=True)
    out = weights_dir / f"{name}.pt"
    with atomic_path(out) as tmp:
        torch.save({"model": checkpoint_weights(state), "model_config": state["model_config"],
                    "model_name": state.get("model_name", "light")}, tmp)
    meta = {key: state.get(key) for key in ("step", "train_config", "git_commit", "mmkit_version",
                                            "perceptual_enabled")}
    meta["weights"] = (f"moving average of the weights (ema {state['train_config']['ema']:g}, "
                       f"{state['ema_updates']} updates)" if state.get("ema") is not None else "last step's weights")
    meta["run_dir"] = str(run_dir)
    if description:
        meta["description"] = description
    with atomic_path(weights_dir / f"{name}.json") as tmp:
        tmp.write_text(json.dumps(meta, indent=2) + "\n")
    log = run_dir / "loss_log.csv"
    if log.exists():
        with atomic_path(weights_dir / f"{name}_loss_log.csv") as tmp:
            shutil.copyfile(log, tmp)
    return out
