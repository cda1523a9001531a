"""Training with the proxy model (paper Sec. 3, "Proxy Model Based Feature Loss").

Two stages, both with Adam at learning rate 1e-4 and the paper's loss weights:

1. ``stage="proxy"``: the proxy (teacher) model learns on *clean* inputs with L_1, L_edge, L_p and L_A.
2. ``stage="student"``: the main model learns on *noisy* inputs with all of those plus L_M, which pulls
   its motion features ``D`` toward those of the frozen proxy fed the same pair without noise.

Several processes: start ``mmkit train`` with ``torchrun --nproc_per_node N -m mmkit train ...``; each
process trains on its own ``batch_size`` pairs and PyTorch's DistributedDataParallel averages the
gradients (gloo on CPU, NCCL on GPUs). Only rank 0 writes; at the end the ranks compare weight digests
(``ddp_ranks.json``).

A run lives in one folder: ``config.json``, ``checkpoint.pt`` (written atomically every
``checkpoint_every`` steps and at the end) and ``loss_log.csv``. Step ``i`` always trains on pairs
``i * batch_size ... (i + 1) * batch_size - 1`` of the synthetic data set, so the data position is the
step, and ``resume`` continues a killed run to the very same weights as an uninterrupted one.
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import math
import os
import subprocess
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.profiler import record_function

from . import __version__
from .atomic import atomic_path
from .checkpoints import CHECKPOINT_FORMAT, checkpoint_weights, load_checkpoint, model_from_checkpoint, write_state
from .checks import check_int, check_number
from .compiling import compile_or_eager
from .data.pairs import DataConfig, SyntheticPairs
from .data.workers import one_thread_per_process
from .devices import resolve_device
from .errors import MMKitError
from .hardware import warn_if_bf16_is_slow
from .losses import LossWeights, total_loss
from .memory import GIB, TRAIN_BYTES_PER_PIXEL, check_fits, device_gib
from .models import MODEL_NAMES, Intermediates, MagnificationNet, Oh2018Net, build_model
from .pretrained import architecture, available, load_pretrained
from .vgg import load_perceptual
from .weight_average import average_state, check_decay, load_average_state, weight_average

STAGES = ("proxy", "student")
MIN_TRAIN_SIZE = 16  # smallest training crop (the renderer's shapes need a few pixels; 6 px was seen to work)
#: Settings a resumed run may change: they decide when things happen, not what is learned (``ema`` decides only
#: what is kept beside the weights; switched on at a resume, the average starts from the resumed weights).
#: ``compile``, ``bf16`` and ``channels_last`` decide how a step is computed: switched at a resume, the run goes on
#: rounded differently (not bit for bit), e.g. without bf16 on a CPU that has no bf16 kernels (mmkit.hardware).
SCHEDULE_FIELDS = ("steps", "checkpoint_every", "log_every", "eval_every", "eval_scenes", "device", "cache_dir",
                   "time_limit", "proxy_checkpoint", "vgg_path", "workers", "ema", "compile", "bf16",
                   "channels_last")
# (proxy_checkpoint and vgg_path are where files lie: a run may move, e.g. from a GPU machine; the proxy's
# weights are checked by their digest on resume, the VGG-16 file by perceptual_enabled.)
#: Settings a branch (``Trainer(branch_from=...)``) may set apart from the run it starts from: what is learned
#: from its step on (the loss terms, the teacher, the stage's inputs, the learning rate). The rest (model, seed,
#: data, batch; the schedule aside) must match, so that the branch goes on from the same weights on the same pairs
#: in the same order.
BRANCH_FIELDS = ("stage", "weights", "proxy_checkpoint", "lr", "lr_decay")
LOG_FIELDS = ("step", "seconds", "total", "l1", "edge", "perceptual", "appearance", "proxy", "perceptual_enabled")
EVAL_FIELDS = ("step", "noise", "mse", "identity_mse", "ratio")


@dataclass
class TrainConfig:
    """Everything that decides a training run; saved with every checkpoint."""

    model: str = "light"                   # a preset ("light", "base")
    stage: str = "proxy"                   # "proxy" (clean inputs, no L_M) or "student"
    proxy_checkpoint: str | None = None    # the frozen teacher, for stage "student" with weights.proxy > 0
    steps: int = 1000
    batch_size: int = 4
    lr: float = 1e-4
    lr_decay: int = 0                      # over the last N steps the rate falls to 0 (half a cosine); 0: the
    #                                        paper's constant rate
    seed: int = 0                          # model initialisation
    weights: LossWeights = field(default_factory=LossWeights)
    data: DataConfig = field(default_factory=DataConfig)
    dataset_size: int = 0                  # 0: a fresh pair for every sample; N: pairs 0..N-1 (8-bit) in epochs
    cache_dir: str | None = None           # where pairs 0..N-1 are stored (mmkit.data.cache); else rendered
    time_limit: float = 0.0                # stop (with a checkpoint) after this many seconds; 0: no limit
    checkpoint_every: int = 200
    log_every: int = 10
    eval_every: int = 0                    # score on the first eval_scenes circles scenes (0: never)
    eval_scenes: int = 5
    vgg_path: str | None = None            # see mmkit.vgg: else $MMKIT_VGG16, else the torch hub cache
    device: str = "auto"                   # "auto": CUDA when present, else CPU
    bf16: bool = False                     # bf16 autocast (GPU, or a CPU with AMX; emulated and slow on others)
    channels_last: bool = False            # (both may be switched at a resume, like compile)
    workers: int = 0                       # processes rendering batches ahead (0: rendered in the training loop)
    ema: float = 0.0                       # decay of a moving average of the weights (mmkit.weight_average), e.g.
    #                                        0.999; evaluation, export and model_from_checkpoint use the average
    init_from: str | None = None           # start from these weights (checkpoint, shipped name or .pt), fresh Adam
    compile: bool = False                  # torch.compile the network's forward (and the proxy's D): faster steps
    #                                        after a compilation at the first one; rounding differs from eager, so
    #                                        switching it at a resume goes on with the run, not bit for bit

    def validate(self) -> None:
        if self.model not in MODEL_NAMES:
            raise MMKitError(f"unknown model {self.model!r}; choose one of {list(MODEL_NAMES)}")
        if self.stage not in STAGES:
            raise MMKitError(f"unknown stage {self.stage!r}; choose 'proxy' or 'student'")
        if self.stage == "student" and self.weights.proxy > 0 and not self.proxy_checkpoint:
            raise MMKitError("stage 'student' needs proxy_checkpoint (the trained proxy model), "
                             "or weights.proxy = 0 for the no-proxy-loss ablation")
        for name in ("steps", "batch_size", "checkpoint_every", "log_every", "eval_scenes"):
            check_int(name, getattr(self, name), 1)
        for name in ("eval_every", "workers", "dataset_size", "lr_decay"):
            check_int(name, getattr(self, name), 0)
        check_number("time_limit (seconds; 0: none)", self.time_limit)
        if self.cache_dir and not self.dataset_size:
            raise MMKitError("cache_dir needs dataset_size (the number of cached pairs to train on)")
        check_number("lr", self.lr, strict=True)
        self.data.validate()
        check_decay(self.ema)
        if self.data.size < MIN_TRAIN_SIZE:
            raise MMKitError(f"training crops of {self.data.size} px are too small to render; use --size "
                             f"{MIN_TRAIN_SIZE} or more (the paper: 384)")

    def to_dict(self) -> dict:
        return asdict(self)

    def lr_at(self, step: int) -> float:
        """The learning rate of the step that follows ``step`` steps: ``lr``, then over the last ``lr_decay`` steps
        half a cosine down to 0 (a fine-tune's usual end: the weights settle instead of wandering at a fixed rate).
        A function of the step alone, so that a resume or a branch goes on with the same schedule."""
        start = self.steps - self.lr_decay
        if not self.lr_decay or step < start:
            return self.lr
        return 0.5 * self.lr * (1 + math.cos(math.pi * min(step - start, self.lr_decay) / self.lr_decay))

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        d = dict(d)
        d["weights"] = LossWeights(**d.get("weights", {}))
        d["data"] = DataConfig.from_dict(d.get("data", {}))
        return cls(**d)


def initial_weights(source: str, model: str) -> dict:
    """The weights ``--init-from`` names: a shipped name (:func:`mmkit.pretrained.available`), an exported
    ``NAME.pt`` or a run's checkpoint (its weight average, if it kept one); refused unless they are ``model``'s."""
    if source in available():
        arch, weights = architecture(source), load_pretrained(source).state_dict()
    else:
        path = Path(source)
        path = path / "checkpoint.pt" if path.is_dir() else path
        if not path.is_file():
            raise MMKitError(f"--init-from {source}: no such checkpoint, weights file or shipped name "
                             f"(shipped: {available()})")
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as e:
            raise MMKitError(f"--init-from {path} could not be read ({type(e).__name__}: {e})") from None
        if not isinstance(state, dict) or "model" not in state:
            raise MMKitError(f"--init-from {path} holds no network weights (a checkpoint or an exported NAME.pt)")
        arch, weights = state.get("model_name", "light"), checkpoint_weights(state)
    if arch != model:
        raise MMKitError(f"--init-from {source} holds {arch} weights; this run trains {model}")
    return weights


def git_commit() -> str | None:
    """The commit of the source tree mmkit runs from: a git checkout's HEAD, else ``$MMKIT_GIT_COMMIT``
    (set by a script that runs a copy of the tree, e.g. on a GPU machine)."""
    if os.environ.get("MMKIT_GIT_COMMIT"):
        return os.environ["MMKIT_GIT_COMMIT"]
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def save_checkpoint(path: Path, model: MagnificationNet, opt: torch.optim.Optimizer | None, step: int,
                    cfg: TrainConfig, extra: dict | None = None) -> Path:
    """Write a checkpoint atomically (temporary file, then rename)."""
    state = {
        "format": CHECKPOINT_FORMAT, "mmkit_version": __version__, "git_commit": git_commit(),
        "step": step, "train_config": cfg.to_dict(), "model_name": cfg.model,
        "model_config": model.cfg.to_dict() if isinstance(model, MagnificationNet) else None,
        "model": model.state_dict(), "optimizer": opt.state_dict() if opt is not None else None,
        "torch_rng": torch.get_rng_state(), **(extra or {}),
    }
    return write_state(path, state)


def _write_config(run_dir: Path, config: dict, world: int) -> None:
    """A run folder's ``config.json``: its training config and how many processes trained it, atomically."""
    with atomic_path(run_dir / "config.json") as tmp:
        tmp.write_text(json.dumps({**config, "world_size": world}, indent=2) + "\n")


#: Settings of the machine and of one call, not of the run: ``mmkit train --resume`` (or ``--branch-from``) does not
#: take them from the checkpoint (a cache folder or a device may not exist where the run goes on; a time limit is
#: that call's).
MACHINE_FIELDS = ("device", "cache_dir", "workers", "time_limit")


def saved_config(run: str | os.PathLike) -> TrainConfig | None:
    """The config a run was trained with (``run``: its folder or a checkpoint), with :data:`MACHINE_FIELDS` at their
    defaults: what ``mmkit train --resume`` goes on with where a flag is not given. None when there is no checkpoint."""
    run = Path(run)
    ckpt = run / "checkpoint.pt" if run.is_dir() else run
    if not ckpt.is_file():
        return None
    saved = TrainConfig.from_dict(load_checkpoint(ckpt)["train_config"])
    fresh = TrainConfig()
    return dataclasses.replace(saved, **{name: getattr(fresh, name) for name in MACHINE_FIELDS})


def drop_optimizer_state(path: str | os.PathLike) -> Path:
    """Rewrite a finished run's checkpoint without its optimizer state (Adam's two moments: two thirds of the
    file), atomically. Its weights still load and still serve as a proxy; a resume then continues with fresh
    moments, not exactly. Used for the large committed runs (base, oh2018) to keep the repository small."""
    path = Path(path)
    state = load_checkpoint(path)
    state["optimizer"] = None
    return write_state(path, state)


def copy_log_rows(read: Path, write: Path, fields: tuple[str, ...], step: int) -> None:
    """Write the rows of the CSV log ``read`` up to ``step`` into ``write``, atomically: the logs of a resumed run
    without repeats, and those of a branch or a snapshot from its parent's."""
    with open(read, newline="") as f:
        rows = [r for r in csv.DictReader(f) if int(r["step"]) <= step]
    with atomic_path(write) as tmp, open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fields)
        w.writeheader()
        w.writerows(rows)


def snapshot_run(checkpoint: str | os.PathLike, out: str | os.PathLike,
                 logs: str | os.PathLike | None = None) -> Path:
    """Make the new run folder ``out`` from one checkpoint of a run that goes on: the checkpoint without Adam's
    moments (:func:`drop_optimizer_state`), ``config.json`` (its training config, ``steps`` set to its step) and
    the loss and evaluation logs of the run folder ``logs`` (default: the checkpoint's own) up to that step.

    Why: equal-length comparisons along a long run (e.g. an ablation at each step where the model it is compared
    with was committed) need the run as it was at that step, while the run itself trains on. ``checkpoint`` may be
    a copy taken while the run trained (the run's folder holds only its latest). ``out`` must not exist."""
    ckpt = Path(checkpoint)
    ckpt = ckpt / "checkpoint.pt" if ckpt.is_dir() else ckpt
    out = Path(out)
    if out.exists():
        raise MMKitError(f"{out} exists already: a snapshot goes into a new folder")
    state = load_checkpoint(ckpt)
    logs = Path(logs) if logs is not None else ckpt.parent
    if not (logs / "loss_log.csv").is_file():
        raise MMKitError(f"{logs} holds no loss_log.csv: name the run folder the checkpoint was taken from "
                         "(--logs)")
    step = int(state["step"])
    state["optimizer"] = None
    out.mkdir(parents=True)
    write_state(out / "checkpoint.pt", state)
    _write_config(out, {**state["train_config"], "steps": step}, state.get("world_size", 1))
    for name, fields in (("loss_log.csv", LOG_FIELDS), ("eval_log.csv", EVAL_FIELDS)):
        if (logs / name).exists():
            copy_log_rows(logs / name, out / name, fields, step)
    return out


def _batch(ds: SyntheticPairs, first: int, batch_size: int, device: torch.device) -> dict[str, torch.Tensor]:
    items = [ds[first + i] for i in range(batch_size)]
    return {k: torch.stack([it[k] for it in items]).to(device) for k in items[0]}


class _StepBatches(torch.utils.data.Dataset):
    """The batch of each training step, a function of the step alone (so a run is the same however its batches
    are made). Item ``step`` is that batch on the CPU, for DataLoader workers that render batches ahead of the
    training loop; it holds only what making a batch needs, not the trainer."""

    def __init__(self, cfg: TrainConfig, data: SyntheticPairs, cache: Any, world: int, rank: int) -> None:
        self.cfg, self.data, self.cache, self.world, self.rank = cfg, data, cache, world, rank

    def __len__(self) -> int:
        return 2**62

    def __getitem__(self, step: int) -> dict[str, torch.Tensor]:
        return self.batch(step, torch.device("cpu"))

    def batch(self, step: int, device: torch.device) -> dict[str, torch.Tensor]:
        """Rank r of w trains on pairs (step * w + r) * B ... + B - 1 (modulo ``dataset_size`` for a fixed set)."""
        with record_function("mmkit.data"):
            return self._batch(step, device)

    def _batch(self, step: int, device: torch.device) -> dict[str, torch.Tensor]:
        first = (step * self.world + self.rank) * self.cfg.batch_size
        if not self.cfg.dataset_size:
            return _batch(self.data, first, self.cfg.batch_size, device)
        from .data.cache import rendered_batch
        idx = (first + np.arange(self.cfg.batch_size)) % self.cfg.dataset_size
        if self.cache is not None:
            return self.cache.batch(idx, device)
        return rendered_batch(self.cfg.data, idx, device)


class _Forward(nn.Module):
    """``net.intermediates`` as a module's forward, so that DistributedDataParallel can wrap it."""

    def __init__(self, net: MagnificationNet | Oh2018Net) -> None:
        super().__init__()
        self.net = net

    def forward(self, prev: torch.Tensor, cur: torch.Tensor, alpha: torch.Tensor) -> Intermediates:
        return self.net.intermediates(prev, cur, alpha)


def _init_distributed(device_name: str) -> tuple[int, int, torch.device]:
    """Join the process group that ``torchrun`` describes in the environment; (rank, world, device)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return 0, 1, resolve_device(device_name)
    import torch.distributed as dist

    device = resolve_device(device_name)
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return dist.get_rank(), dist.get_world_size(), device


def weights_digest(model: nn.Module) -> str:
    """SHA-256 of every parameter's bytes: equal digests mean bit-identical weights."""
    h = hashlib.sha256()
    for p in model.state_dict().values():
        h.update(p.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


class Trainer:
    """One training run in ``run_dir``; ``run()`` trains up to ``cfg.steps`` and returns the model."""

    def __init__(self, cfg: TrainConfig, run_dir: str | os.PathLike, resume: bool = False,
                 progress: bool = True, branch_from: str | os.PathLike | None = None) -> None:
        """``branch_from``: a run folder or checkpoint to start this new run from (see :meth:`_branch`); a
        folder that already holds a checkpoint is resumed instead (with ``resume``), so the same command
        continues the branch."""
        cfg.validate()
        self.cfg, self.run_dir = cfg, Path(run_dir)
        if self.run_dir.exists() and not self.run_dir.is_dir():
            raise MMKitError(f"{self.run_dir} is a file; the run folder must be a folder (new, or a run's to resume)")
        self.rank, self.world, self.device = _init_distributed(cfg.device)
        if cfg.bf16:
            warn_if_bf16_is_slow(self.device, "training with --bf16")
        check_fits(cfg.batch_size * cfg.data.size**2 * TRAIN_BYTES_PER_PIXEL / GIB, device_gib(self.device),
                   f"training on batches of {cfg.batch_size} crops of {cfg.data.size} px ({self.device.type})",
                   "use a smaller --size or --batch-size")
        self.progress = progress and self.rank == 0
        self.ckpt_path = self.run_dir / "checkpoint.pt"
        self.log_path = self.run_dir / "loss_log.csv"
        self.eval_path = self.run_dir / "eval_log.csv"
        torch.manual_seed(cfg.seed)
        self.model = build_model(cfg.model).to(self.device)
        if cfg.channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        if cfg.init_from and not (resume and self.ckpt_path.exists()) and branch_from is None:
            self.model.load_state_dict(initial_weights(cfg.init_from, cfg.model))
        self.opt = torch.optim.Adam(self.model.parameters(), lr=cfg.lr)
        self.average = weight_average(self.model, cfg.ema) if cfg.ema else None
        self.step = 0
        self.proxy = None
        if cfg.stage == "student" and cfg.weights.proxy > 0:
            self.proxy = model_from_checkpoint(cfg.proxy_checkpoint).to(self.device).requires_grad_(False)
            if cfg.channels_last:
                self.proxy = self.proxy.to(memory_format=torch.channels_last)
        self.vgg = load_perceptual(cfg.vgg_path) if cfg.weights.perceptual > 0 else None
        if self.vgg is not None:
            self.vgg = self.vgg.to(self.device)
        self.data = SyntheticPairs(cfg.data, length=cfg.steps * cfg.batch_size * self.world)
        self.cache = None
        if cfg.cache_dir:
            from .data.cache import CachedPairs
            self.cache = CachedPairs(cfg.cache_dir, cfg.data, cfg.dataset_size)
        if cfg.time_limit and self.world > 1:
            raise MMKitError("time_limit works for one process only (the ranks would stop at different steps)")
        if cfg.compile and self.world > 1:
            raise MMKitError("compile works for one process only (it is not tested with DistributedDataParallel)")
        if resume and self.ckpt_path.exists():
            self._restore(load_checkpoint(self.ckpt_path))
        elif self.run_dir.exists() and any(self.run_dir.iterdir()) and not resume:
            raise MMKitError(f"{self.run_dir} already holds a run; pass --resume to continue it "
                             "or choose another folder")
        elif branch_from is not None:
            self._branch(Path(branch_from))
        self.forward = _Forward(self.model)
        self.proxy_motion = self.proxy.motion_only if self.proxy is not None else None
        if cfg.compile:
            self.forward = compile_or_eager(self.forward)
            if self.proxy is not None:
                self.proxy_motion = compile_or_eager(self.proxy.motion_only)
        if self.world > 1:
            from torch.nn.parallel import DistributedDataParallel

            # With a loss term switched off, some parameters get no gradient; DDP must know to look.
            unused = cfg.weights.appearance == 0 or cfg.model == "oh2018"
            self.forward = DistributedDataParallel(self.forward, find_unused_parameters=unused)
        self._barrier()  # every rank has checked the folder before rank 0 writes into it

    def _barrier(self) -> None:
        if self.world > 1:
            import torch.distributed as dist
            dist.barrier()

    def _check_ranks_agree(self) -> None:
        """Gather every rank's weight digest; rank 0 records them in ``ddp_ranks.json``; differing is an error."""
        import torch.distributed as dist

        digests: list[str | None] = [None] * self.world
        dist.all_gather_object(digests, weights_digest(self.model))
        if self.rank == 0:
            with atomic_path(self.run_dir / "ddp_ranks.json") as tmp:
                tmp.write_text(json.dumps({"world_size": self.world, "digests": digests}, indent=2) + "\n")
        if len(set(digests)) != 1:
            raise MMKitError(f"distributed ranks ended with different weights: {digests}")

    def _restore(self, state: dict) -> None:
        saved = TrainConfig.from_dict(state["train_config"])
        schedule = {name: getattr(self.cfg, name) for name in SCHEDULE_FIELDS}
        if dataclasses.replace(saved, **schedule) != self.cfg:
            raise MMKitError(f"{self.ckpt_path} was made with another configuration; resume with the same "
                             f"settings (only {', '.join(SCHEDULE_FIELDS)} may change)")
        if state.get("world_size", 1) != self.world:
            raise MMKitError(f"{self.ckpt_path} was trained by {state.get('world_size', 1)} processes; resume it "
                             f"with as many (this run has {self.world}), or the data order would change")
        self.model.load_state_dict(state["model"])
        if state.get("optimizer") is not None:
            self.opt.load_state_dict(state["optimizer"])
        elif self.rank == 0:
            warnings.warn(f"{self.ckpt_path} holds no optimizer state (drop_optimizer_state removed it to keep the "
                          "file small): training continues from its weights with fresh Adam moments, so not "
                          "exactly as an uninterrupted run would", stacklevel=2)
        if state.get("proxy_digest") and self.proxy is not None and weights_digest(self.proxy) != state["proxy_digest"]:
            raise MMKitError(f"{self.cfg.proxy_checkpoint} is not the proxy model this run was trained with "
                             "(its weights differ); resume with the same proxy checkpoint")
        if "perceptual_enabled" in state and bool(state["perceptual_enabled"]) != (self.vgg is not None):
            raise MMKitError(f"{self.ckpt_path} was trained {'with' if state['perceptual_enabled'] else 'without'} "
                             "the VGG-16 perceptual loss, and this resume would train "
                             f"{'with' if self.vgg is not None else 'without'} it; give the same VGG-16 file "
                             "(--vgg or $MMKIT_VGG16) or none, as before")
        if self.average is not None and state.get("ema") is not None:
            load_average_state(self.average, state)
        elif self.average is not None and self.rank == 0:
            print(f"mmkit: {self.ckpt_path} holds no weight average; the average (ema {self.cfg.ema:g}) starts from "
                  f"its step-{int(state['step'])} weights")
        torch.set_rng_state(state["torch_rng"])
        self.step = int(state["step"])
        self._truncate_log(self.step)

    def _branch(self, source: Path) -> None:
        """Start from another run's checkpoint: its weights, Adam's moments, weight average, step, data position
        and random state, so that a branch with nothing changed is that run resumed, bit for bit. Only
        :data:`BRANCH_FIELDS` (and the schedule) may differ: e.g. L_M switched on from here, or off. The parent's
        log rows up to the step are copied, so that the branch's logs hold its whole history; ``branch.json``
        records where it came from."""
        ckpt = source / "checkpoint.pt" if source.is_dir() else source
        state = load_checkpoint(ckpt)
        saved = TrainConfig.from_dict(state["train_config"])
        free = {name: getattr(self.cfg, name) for name in SCHEDULE_FIELDS + BRANCH_FIELDS}
        if dataclasses.replace(saved, **free) != self.cfg:
            differ = [f.name for f in dataclasses.fields(TrainConfig)
                      if f.name not in free and getattr(saved, f.name) != getattr(self.cfg, f.name)]
            raise MMKitError(f"{ckpt} was trained with other {', '.join(differ)}; a branch may change only "
                             f"{', '.join(BRANCH_FIELDS)} (and the schedule)")
        if state.get("world_size", 1) != self.world:
            raise MMKitError(f"{ckpt} was trained by {state.get('world_size', 1)} processes; branch it with as "
                             f"many (this run has {self.world}), or the data order would change")
        step = int(state["step"])
        if step >= self.cfg.steps:
            raise MMKitError(f"{ckpt} is at step {step}; give the branch more steps than that (--steps)")
        self.model.load_state_dict(state["model"])
        if state.get("optimizer") is not None:
            self.opt.load_state_dict(state["optimizer"])   # (train_step sets the branch's own rate, cfg.lr_at)
        elif self.rank == 0:
            warnings.warn(f"{ckpt} holds no optimizer state: the branch starts with fresh Adam moments",
                          stacklevel=2)
        if self.average is not None and state.get("ema") is not None:
            load_average_state(self.average, state)
        torch.set_rng_state(state["torch_rng"])
        self.step = step
        if self.rank != 0:
            return
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._truncate_log(step, source=ckpt.parent)
        record = {"branched_from": str(ckpt), "step": step, "git_commit": state.get("git_commit"),
                  "changed": {name: getattr(self.cfg, name) for name in BRANCH_FIELDS
                              if getattr(saved, name) != getattr(self.cfg, name)}}
        with atomic_path(self.run_dir / "branch.json") as tmp:
            tmp.write_text(json.dumps(record, indent=2, default=lambda o: dataclasses.asdict(o)) + "\n")

    def _truncate_log(self, step: int, source: Path | None = None) -> None:
        """Keep the log rows up to the checkpoint's step, so that the logs of a resumed run have no repeats; with
        ``source`` (a branch's parent folder), those of that run's logs, written into this run's folder."""
        for path, fields in ((self.log_path, LOG_FIELDS), (self.eval_path, EVAL_FIELDS)):
            read = source / path.name if source is not None else path
            if read.exists():
                copy_log_rows(read, path, fields, step)

    @staticmethod
    def _append(path: Path, fields: tuple[str, ...], row: dict) -> None:
        new = not path.exists()
        with open(path, "a", newline="") as f:
            w = csv.DictWriter(f, fields, extrasaction="ignore")
            if new:
                w.writeheader()
            w.writerow(row)

    @property
    def scored_model(self) -> nn.Module:
        """The network that evaluation scores and export ships: the weight average if kept, else the weights."""
        return self.average.module if self.average is not None else self.model

    def _evaluate(self) -> dict[float, float]:
        """Score on a fixed slice of the circles benchmark at noise 0, 2 and 5; log it; return the ratios."""
        from .evaluate import score_circles

        ratios = {}
        for noise in (0.0, 2.0, 5.0):
            s = score_circles(self.scored_model, noise=noise, scenes=self.cfg.eval_scenes)
            self._append(self.eval_path, EVAL_FIELDS, {"step": self.step, "noise": noise, "mse": s.mse,
                                                       "identity_mse": s.identity_mse, "ratio": s.ratio})
            ratios[noise] = s.ratio
        return ratios

    def _batches(self):
        """The batches of steps ``self.step ..``: rendered here, or by ``cfg.workers`` DataLoader processes."""
        steps = _StepBatches(self.cfg, self.data, self.cache, self.world, self.rank)
        if not self.cfg.workers:
            step = self.step
            while True:
                yield steps.batch(step, self.device)
                step += 1
        loader = torch.utils.data.DataLoader(
            steps, batch_size=None, sampler=range(self.step, self.cfg.steps),
            num_workers=self.cfg.workers, prefetch_factor=4, pin_memory=self.device.type == "cuda",
            worker_init_fn=one_thread_per_process)
        for batch in loader:
            yield {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}

    def train_step(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        clean = self.cfg.stage == "proxy"
        prev, cur = (batch["prev_clean"], batch["cur_clean"]) if clean else (batch["prev"], batch["cur"])
        if self.cfg.channels_last:
            prev, cur = (x.contiguous(memory_format=torch.channels_last) for x in (prev, cur))
        proxy_motion = None
        if self.proxy is not None:  # the frozen proxy's D only (no decoder), in the run's precision and layout
            with record_function("mmkit.proxy"):
                prev_clean, cur_clean = batch["prev_clean"], batch["cur_clean"]
                if self.cfg.channels_last:
                    prev_clean, cur_clean = (x.contiguous(memory_format=torch.channels_last)
                                             for x in (prev_clean, cur_clean))
                with torch.no_grad(), torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.cfg.bf16):
                    proxy_motion = self.proxy_motion(prev_clean, cur_clean, batch["alpha"]).float()
        with record_function("mmkit.forward"), \
                torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.cfg.bf16):
            out = self.forward(prev, cur, batch["alpha"])
        with record_function("mmkit.losses"):
            out = dataclasses.replace(out, **{f.name: getattr(out, f.name).float()
                                              for f in dataclasses.fields(out) if getattr(out, f.name) is not None})
            loss, log = total_loss(out, batch["target"], batch["prev_clean"], batch["cur_clean"],
                                   self.cfg.weights, self.vgg, proxy_motion)
        with record_function("mmkit.backward"):
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
        with record_function("mmkit.optimizer"):
            for group in self.opt.param_groups:
                group["lr"] = self.cfg.lr_at(self.step)
            self.opt.step()
            if self.average is not None:
                self.average.update_parameters(self.model)
        return log

    def run(self) -> MagnificationNet:
        from tqdm.auto import tqdm

        lead = self.rank == 0  # only rank 0 writes; DDP keeps the ranks' weights identical
        if lead:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            _write_config(self.run_dir, self.cfg.to_dict(), self.world)
        self.model.train()
        bar = tqdm(total=self.cfg.steps, initial=self.step, disable=not self.progress, desc=self.cfg.stage)
        t0, start = time.perf_counter(), self.step
        batches = self._batches()
        while self.step < self.cfg.steps:
            log = self.train_step(next(batches))
            self.step += 1
            out_of_time = bool(self.cfg.time_limit) and time.perf_counter() - t0 >= self.cfg.time_limit
            if not lead:
                continue
            if self.step % self.cfg.log_every == 0 or self.step == self.cfg.steps or out_of_time:
                self._append(self.log_path, LOG_FIELDS,
                             {"step": self.step, "seconds": round(time.perf_counter() - t0, 3), **log})
                bar.set_postfix(loss=f"{log['total']:.4f}", l1=f"{log.get('l1', 0):.4f}")
            if self.cfg.eval_every and (self.step % self.cfg.eval_every == 0 or self.step == self.cfg.steps):
                ratios = self._evaluate()
                bar.write(f"step {self.step}: circles MSE / identity MSE = "
                          + ", ".join(f"{r:.3f} (noise {n:g})" for n, r in ratios.items()))
            if self.step % self.cfg.checkpoint_every == 0 or self.step == self.cfg.steps or out_of_time:
                save_checkpoint(self.ckpt_path, self.model, self.opt, self.step, self.cfg,
                                {"perceptual_enabled": self.vgg is not None, "world_size": self.world,
                                 "proxy_digest": weights_digest(self.proxy) if self.proxy is not None else None,
                                 **(average_state(self.average) if self.average is not None else {})})
            bar.update(1)
            if out_of_time:
                bar.write(f"time limit of {self.cfg.time_limit:g} s reached at step {self.step}: checkpoint saved; "
                          "--resume continues")
                break
        bar.close()
        batches.close()  # stops the DataLoader's workers
        if self.world > 1:
            self._check_ranks_agree()
            import torch.distributed as dist
            dist.barrier()  # no rank tears gloo down while another still talks to it (a rare SIGABRT in CI)
            dist.destroy_process_group()
        seconds = time.perf_counter() - t0
        if self.progress and self.step > start:
            print(f"{self.step - start} steps in {seconds:.1f} s: {(self.step - start) / seconds:.2f} steps/s "
                  f"on {self.device}")
        return self.scored_model.eval()


def train(cfg: TrainConfig, run_dir: str | os.PathLike, resume: bool = False,
          progress: bool = True, branch_from: str | os.PathLike | None = None) -> MagnificationNet:
    """Train (or resume, or branch from another run) a run in ``run_dir``; returns the trained model (its weight
    average if ``cfg.ema``)."""
    return Trainer(cfg, run_dir, resume=resume, progress=progress, branch_from=branch_from).run()
