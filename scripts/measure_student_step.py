"""Steps per second of a committed run's real training step, with its pairs rendered on the fly or read from a
pair cache, measured in one run (the two alternate, so that a machine whose speed drifts treats both alike).

    OMP_NUM_THREADS=2 .venv/bin/python scripts/measure_student_step.py data/runs/light_student --cache CACHE

``--compile`` adds each variant with ``TrainConfig.compile`` (torch.compile), alternating with the others.

CACHE is a folder built by ``python -m mmkit.data.cache CACHE --pairs 100000`` for the run's data config
(without ``--cache`` only the rendered variant is timed). The run's weights and the checkpoint are not touched:
a fresh trainer with the run's config trains in a temporary folder, on the batches of steps 0, 1, 2, ...

``--parts`` also breaks one variant's step down under torch's profiler, by the ``mmkit.*`` ranges that the
trainer marks (data, proxy, forward, losses, backward, optimizer): each part's seconds per step and share. The
profiler slows the step, so read the shares, and the steps/s from the unprofiled rows.

The run checkpoints of data/runs (data/runs/*/checkpoint.pt) left the working tree; they are in git history:
``git checkout a811fe1 -- data/runs`` restores them.
A student run needs its proxy's checkpoint (e.g. data/runs/light_proxy/checkpoint.pt) restored.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

from mmkit.train import TrainConfig, Trainer


def steps_per_second(cfg: TrainConfig, steps: int, first: int) -> float:
    """Steps/s of ``steps`` steps starting at batch ``first`` (after one warm-up step) for ``cfg``."""
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(cfg, tmp, progress=False)
        trainer.step = first
        batches = trainer._batches()
        trainer.train_step(next(batches))
        t0 = time.perf_counter()
        for _ in range(steps):
            trainer.train_step(next(batches))
        batches.close()
        return steps / (time.perf_counter() - t0)


PARTS = ("mmkit.data", "mmkit.proxy", "mmkit.forward", "mmkit.losses", "mmkit.backward", "mmkit.optimizer")


def parts(cfg: TrainConfig, steps: int) -> dict[str, float]:
    """Seconds per step of each part of the step (the trainer's ``mmkit.*`` profiler ranges)."""
    from torch.profiler import ProfilerActivity, profile

    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(cfg, tmp, progress=False)
        batches = trainer._batches()
        trainer.train_step(next(batches))
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(steps):
                trainer.train_step(next(batches))
        batches.close()
    totals = {e.key: e.cpu_time_total for e in prof.key_averages() if e.key in PARTS}
    return {name: totals.get(name, 0.0) / 1e6 / steps for name in PARTS}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run", help="a run folder with config.json (its proxy must be where the config says)")
    p.add_argument("--cache", default=None, help="pair cache of the run's data (python -m mmkit.data.cache)")
    p.add_argument("--steps", type=int, default=30, help="steps per timing")
    p.add_argument("--rounds", type=int, default=2, help="alternations of the variants")
    p.add_argument("--compile", action="store_true",
                   help="also time each variant with torch.compile (TrainConfig.compile; each timing's warm-up "
                        "step compiles)")
    p.add_argument("--parts", action="store_true",
                   help="break the step down (the last variant: cached if given, compiled if --compile)")
    args = p.parse_args(argv)
    saved = json.loads(open(f"{args.run}/config.json").read())
    saved.pop("world_size", None)
    cfg = replace(TrainConfig.from_dict(saved), steps=10**9, eval_every=0, workers=0, cache_dir=None)
    if cfg.proxy_checkpoint and not Path(cfg.proxy_checkpoint).is_file():
        p.error(f"the run's proxy {cfg.proxy_checkpoint} is missing (the run checkpoints of data/runs are in git "
                "history: git checkout a811fe1 -- data/runs restores them)")
    variants = {"rendered on the fly": cfg}
    if args.cache:
        variants["read from the cache"] = replace(cfg, cache_dir=args.cache)
    if args.compile:
        variants.update({f"{name}, compiled": replace(c, compile=True) for name, c in list(variants.items())})
    rates: dict[str, list[float]] = {name: [] for name in variants}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the VGG-16 notice, once per trainer
        for r in range(args.rounds):
            for name, c in variants.items():
                rates[name].append(steps_per_second(c, args.steps, first=r * (args.steps + 1)))
    ref = None
    for name, rs in rates.items():
        mean = sum(rs) / len(rs)
        ref = ref or mean
        print(f"{name:<32}{mean:>7.2f} steps/s  x{mean / ref:.2f}  (rounds: {', '.join(f'{x:.2f}' for x in rs)})")
    if args.parts:
        name, c = list(variants.items())[-1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            seconds = parts(c, args.steps)
        total = sum(seconds.values())
        print(f"parts of the step, {name}, profiled ({total:.3f} s per step in these parts):")
        for part, sec in seconds.items():
            print(f"  {part.removeprefix('mmkit.'):<10}{sec:>8.3f} s  {100 * sec / total:>5.1f} %")


if __name__ == "__main__":
    main()
