"""How fast is a pair cache built, with one thread per rendering process against the libraries' defaults?

Run: ``python -m mmkit.bench.cache_speed [--pairs 1000] [--workers 2]``. Builds the same cache twice in a
temporary folder, first with ``build_cache(one_thread=False)`` (each process keeps numpy's OpenBLAS and torch's
default pools: one thread per core), then as :func:`mmkit.data.cache.build_cache` does by default
(:mod:`mmkit.data.workers`), and prints pairs per second of each and their ratio, measured in one run. The two
caches are compared byte for byte.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..data.cache import build_cache
from ..data.pairs import IMAGE_KEYS, DataConfig


def build_seconds(folder: Path, cfg: DataConfig, pairs: int, workers: int, one_thread: bool) -> float:
    t0 = time.perf_counter()
    build_cache(folder, cfg, pairs, workers=workers, chunk=max(1, pairs // (4 * workers)), one_thread=one_thread)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=1000)
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = p.parse_args(argv)
    cfg = replace(DataConfig(), size=args.size)
    print(f"{args.pairs} pairs of {args.size} px, {args.workers} processes on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        rates, folders = [], []
        for name, one_thread in (("the libraries' defaults", False), ("one thread per process", True)):
            folders.append(Path(tmp) / f"one_thread_{one_thread}")
            seconds = build_seconds(folders[-1], cfg, args.pairs, args.workers, one_thread)
            rates.append(args.pairs / seconds)
            print(f"{name:>24}: {seconds:7.1f} s, {rates[-1]:7.1f} pairs/s")
        same = all(np.array_equal(np.load(folders[0] / f"{k}.npy"), np.load(folders[1] / f"{k}.npy"))
                   for k in (*IMAGE_KEYS, "alpha"))
        print(f"one thread per process: x{rates[1] / rates[0]:.1f} the pairs per second; "
              f"the two caches are {'identical' if same else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
