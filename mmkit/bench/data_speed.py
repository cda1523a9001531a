"""Is the synthetic data fast enough? Samples per second of the generator vs the training step rate.

Run: ``python -m mmkit.bench.data_speed`` (or ``mmkit bench-data``). For each size it prints how many
training pairs one process renders per second, how many samples per second one training step of the
lightweight model consumes (forward, all losses but L_p, backward, Adam), and their ratio. The data
should not limit training: a ratio of 4 or more leaves room for the noise of a busy machine.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace

import torch

from ..data.pairs import DataConfig, SyntheticPairs
from ..losses import LossWeights
from ..train import TrainConfig


def samples_per_second(cfg: DataConfig, seconds: float = 3.0) -> float:
    """Pairs rendered per second by one process (at least 3 pairs, about ``seconds`` long)."""
    ds = SyntheticPairs(cfg)
    ds[0]  # warm-up
    n, t0 = 0, time.perf_counter()
    while n < 3 or time.perf_counter() - t0 < seconds:
        ds[n + 1]
        n += 1
    return n / (time.perf_counter() - t0)


def train_samples_per_second(cfg: DataConfig, batch: int = 4, steps: int = 3) -> float:
    """Samples per second consumed by training the lightweight model (one batch reused, no data cost)."""
    import tempfile

    from .train_speed import steps_per_second

    train_cfg = TrainConfig(batch_size=batch, data=cfg, weights=LossWeights(perceptual=0.0))
    with tempfile.TemporaryDirectory() as tmp:
        return steps_per_second(train_cfg, steps, tmp)[0] * batch


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[128, 384])
    p.add_argument("--batch", type=int, default=4)
    args = p.parse_args(argv)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{'size':>6}{'data samples/s':>16}{'train samples/s':>17}{'ratio':>8}")
    for size in args.sizes:
        cfg = replace(DataConfig(), size=size)
        data = samples_per_second(cfg)
        train = train_samples_per_second(cfg, batch=args.batch)
        print(f"{size:>6}{data:>16.1f}{train:>17.2f}{data / train:>8.1f}")


if __name__ == "__main__":
    main()
