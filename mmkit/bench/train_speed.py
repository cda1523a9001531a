"""Training speed of the lightweight model under each execution option, measured in one run.

Run: ``python -m mmkit.bench.train_speed`` (``--model base``, ``--size 384`` ...). Prints steps per second
for eager fp32, channels-last, bf16 autocast, both, and both with the weight average (``--ema``), each with its
ratio to eager fp32, and the loss
difference of one step against fp32 (same batch, same initial weights), so that a speed-up is never
bought with a silent change of the numbers.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace

import torch

from ..data.pairs import DataConfig
from ..losses import LossWeights
from ..train import TrainConfig, Trainer, _batch

VARIANTS = {"eager fp32": {}, "channels-last": {"channels_last": True}, "bf16 autocast": {"bf16": True},
            "bf16 + channels-last": {"bf16": True, "channels_last": True},
            "bf16 + c-last + ema": {"bf16": True, "channels_last": True, "ema": 0.999}}


def steps_per_second(cfg: TrainConfig, steps: int, tmp_dir: str) -> tuple[float, float]:
    """(steps/s after one warm-up step, loss of the first step) for one configuration."""
    trainer = Trainer(cfg, tmp_dir, progress=False)
    batch = _batch(trainer.data, 0, cfg.batch_size, trainer.device)
    first = trainer.train_step(batch)["total"]
    t0 = time.perf_counter()
    for _ in range(steps):
        trainer.train_step(batch)
    return steps / (time.perf_counter() - t0), first


def main(argv: list[str] | None = None) -> None:
    import tempfile

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="light")
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--steps", type=int, default=5)
    args = p.parse_args(argv)
    base = TrainConfig(model=args.model, batch_size=args.batch, data=DataConfig(size=args.size),
                       weights=LossWeights(perceptual=0.0))
    print(f"{args.model} model, {args.size} x {args.size}, batch {args.batch}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")
    print(f"{'variant':<22}{'steps/s':>9}{'x fp32':>8}{'|loss - fp32|':>15}")
    ref_speed = ref_loss = None
    for name, opts in VARIANTS.items():
        with tempfile.TemporaryDirectory() as tmp:
            speed, loss = steps_per_second(replace(base, **opts), args.steps, tmp)
        ref_speed, ref_loss = (speed, loss) if ref_speed is None else (ref_speed, ref_loss)
        print(f"{name:<22}{speed:>9.2f}{speed / ref_speed:>8.2f}{abs(loss - ref_loss):>15.2e}")


if __name__ == "__main__":
    main()
