"""A fixed training set: pairs ``0 .. n-1`` of a :class:`DataConfig`, stored as 8-bit images.

Oh et al. (2018) and the paper train on a fixed set of 100k pairs for many epochs. Rendering a pair costs
about 10 ms of CPU, far more than a training step on a GPU, so for GPU runs the pairs are rendered once
(by many processes) into uint8 ``.npy`` files and read back through memory maps, which several training
processes on one machine share through the page cache.

:func:`fixed_pair` is the one definition of a stored pair (every image rounded to 8 bits): rendering it
on the fly gives exactly what the cache holds, so a run is the same with or without a cache.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch

from ..errors import MMKitError
from .pairs import IMAGE_KEYS, DataConfig, config_from_flags, render_pair
from .render import to_uint8
from .workers import one_thread_per_process

FORMAT = "mmkit-pair-cache-1"


def fixed_pair(cfg: DataConfig, index: int) -> dict[str, np.ndarray | float]:
    """Pair ``index`` as stored in a cache: uint8 (H, W, 3) images and ``alpha``."""
    s = render_pair(cfg, index)
    return {**{k: to_uint8(s[k]) for k in IMAGE_KEYS}, "alpha": float(s["alpha"])}


def batch_to_tensors(images: dict[str, np.ndarray], alpha: np.ndarray,
                     device: torch.device | str = "cpu") -> dict[str, torch.Tensor]:
    """uint8 (B, H, W, 3) arrays -> (B, 3, H, W) float32 in [-1, 1] on ``device`` (converted there)."""
    out = {k: torch.from_numpy(v if v.flags.writeable and v.flags.c_contiguous else np.array(v)).to(device, non_blocking=True)
           .permute(0, 3, 1, 2).float().div_(127.5).sub_(1.0).contiguous() for k, v in images.items()}
    out["alpha"] = torch.from_numpy(np.array(alpha, dtype=np.float32)).to(device)
    return out


def _fill(folder: str, cfg: DataConfig, start: int, stop: int) -> None:
    arrays = {k: np.load(Path(folder) / f"{k}.npy", mmap_mode="r+") for k in (*IMAGE_KEYS, "alpha")}
    for i in range(start, stop):
        pair = fixed_pair(cfg, i)
        for k, v in pair.items():
            arrays[k][i] = v
    for a in arrays.values():
        a.flush()


def build_cache(folder: str | os.PathLike, cfg: DataConfig, n: int, workers: int | None = None,
                chunk: int = 500, progress: bool = False, one_thread: bool = True) -> Path:
    """Render pairs ``0 .. n-1`` into ``folder`` (one ``.npy`` per image key, ``alpha.npy``, ``meta.json``).

    ``workers`` processes (default: all CPUs) render chunks of ``chunk`` pairs. The folder appears only
    when complete (built as ``folder.partial``, then renamed); an existing complete cache of the same
    config and at least ``n`` pairs is kept. ``one_thread``: each process renders with one thread
    (:mod:`mmkit.data.workers`: several times faster than with the libraries' default pools; False only to
    measure that). Size: ``n * 5 * size**2 * 3`` bytes (100k at 128 px: 24.6 GB).
    """
    if n < 1:
        raise MMKitError(f"a pair cache needs at least 1 pair, got {n}")
    cfg.validate()
    folder = Path(folder)
    if (folder / "meta.json").exists():
        CachedPairs(folder, cfg, n)  # checks it matches; raises otherwise
        return folder
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    s = cfg.size
    for k in IMAGE_KEYS:
        np.lib.format.open_memmap(tmp / f"{k}.npy", mode="w+", dtype=np.uint8, shape=(n, s, s, 3)).flush()
    np.lib.format.open_memmap(tmp / "alpha.npy", mode="w+", dtype=np.float32, shape=(n,)).flush()
    t0 = time.perf_counter()
    ranges = [(a, min(a + chunk, n)) for a in range(0, n, chunk)]
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        for a, b in ranges:
            _fill(str(tmp), cfg, a, b)
    else:
        with ProcessPoolExecutor(workers, initializer=one_thread_per_process if one_thread else None) as pool:
            futures = [pool.submit(_fill, str(tmp), cfg, a, b) for a, b in ranges]
            for j, f in enumerate(futures):
                f.result()
                if progress and (j + 1) % max(1, len(futures) // 10) == 0:
                    print(f"cache: {ranges[j][1]} / {n} pairs, {time.perf_counter() - t0:.0f} s", flush=True)
    seconds = time.perf_counter() - t0
    meta = {"format": FORMAT, "n": n, "data": cfg.to_dict(), "seconds": round(seconds, 1), "workers": workers}
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)
    if progress:
        print(f"cache: {n} pairs of {s} px in {seconds:.1f} s ({n / seconds:.0f} pairs/s, {workers} processes)")
    return folder


def _saved_config(saved: dict) -> DataConfig | None:
    """A cache's data config as the run that reads it sees it (fields added since it was built take their
    :data:`~mmkit.data.pairs.LEGACY` values, as they were when it was rendered); None if it is not one."""
    try:
        return DataConfig.from_dict(saved)
    except TypeError:
        return None


class CachedPairs:
    """The pairs of a cache written by :func:`build_cache`, read through memory maps.

    ``cfg`` and ``n``, when given, must match the cache (the same config, at least ``n`` pairs), so that a
    run never trains on other data than its config says.
    """

    def __init__(self, folder: str | os.PathLike, cfg: DataConfig | None = None, n: int | None = None) -> None:
        folder = Path(folder)
        try:
            meta = json.loads((folder / "meta.json").read_text())
        except (OSError, ValueError):
            raise MMKitError(f"{folder} is not a complete pair cache (no readable meta.json); "
                             "build it with mmkit.data.cache.build_cache") from None
        if meta.get("format") != FORMAT:
            raise MMKitError(f"{folder} is not an mmkit pair cache")
        if cfg is not None and _saved_config(meta["data"]) != cfg:
            raise MMKitError(f"the pair cache {folder} was made with another data config: {meta['data']}")
        if n is not None and meta["n"] < n:
            raise MMKitError(f"the pair cache {folder} holds {meta['n']} pairs, fewer than the {n} needed")
        self.folder, self.meta, self.n = folder, meta, int(meta["n"])
        self.arrays = {k: np.load(folder / f"{k}.npy", mmap_mode="r") for k in (*IMAGE_KEYS, "alpha")}

    def __len__(self) -> int:
        return self.n

    def batch(self, indices: np.ndarray, device: torch.device | str = "cpu") -> dict[str, torch.Tensor]:
        """The pairs at ``indices`` as network tensors on ``device``."""
        idx = np.asarray(indices)
        if len(idx) and idx.max() - idx.min() + 1 == len(idx) and np.all(np.diff(idx) == 1):
            sel = slice(int(idx[0]), int(idx[-1]) + 1)  # a contiguous run: one memcpy per key
            images = {k: self.arrays[k][sel] for k in IMAGE_KEYS}
            alpha = self.arrays["alpha"][sel]
        else:
            images = {k: self.arrays[k][idx] for k in IMAGE_KEYS}
            alpha = self.arrays["alpha"][idx]
        return batch_to_tensors(images, alpha, device)


def rendered_batch(cfg: DataConfig, indices: np.ndarray, device: torch.device | str = "cpu") -> dict[str, torch.Tensor]:
    """What :meth:`CachedPairs.batch` returns, rendered now instead of read from a cache."""
    pairs = [fixed_pair(cfg, int(i)) for i in indices]
    images = {k: np.stack([p[k] for p in pairs]) for k in IMAGE_KEYS}
    return batch_to_tensors(images, np.array([p["alpha"] for p in pairs], np.float32), device)


def main(argv: list[str] | None = None) -> None:
    """``python -m mmkit.data.cache FOLDER --pairs N --size S``: build a cache for ``mmkit train --cache``."""
    import argparse

    p = argparse.ArgumentParser(description=main.__doc__)
    p.add_argument("folder")
    p.add_argument("--pairs", type=int, default=100_000, help="number of pairs (default 100000, as Oh et al.)")
    p.add_argument("--size", type=int, default=128, help="pair size in pixels (must match mmkit train --size)")
    p.add_argument("--data-seed", type=int, default=0, help="must match mmkit train --data-seed")
    p.add_argument("--shot-noise-max", type=float, default=None, help="must match mmkit train --shot-noise-max")
    p.add_argument("--images", choices=["training", "all"], default=None, help="must match mmkit train --images")
    p.add_argument("--leaves-prob", type=float, default=None, help="must match mmkit train --leaves-prob")
    p.add_argument("--gauss-noise-max", type=float, default=None, help="must match mmkit train --gauss-noise-max")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all CPUs)")
    args = p.parse_args(argv)
    cfg = config_from_flags(args.size, args.data_seed, args.shot_noise_max, images=args.images,
                            leaves_prob=args.leaves_prob, gauss_noise_max=args.gauss_noise_max)
    try:
        build_cache(args.folder, cfg, args.pairs, workers=args.workers, progress=True)
    except MMKitError as e:
        raise SystemExit(f"error: {e}") from None


if __name__ == "__main__":
    main()
