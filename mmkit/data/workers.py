"""Settings of the processes that render training pairs (``build_cache``'s pool, ``mmkit train --workers``).

Rendering a pair's texture is a small complex matrix product, which numpy hands to OpenBLAS, and OpenBLAS
runs it on one thread per core. Several rendering processes, each with such a pool, fight over the cores:
on this project's 2-core machine 2 forked processes rendered 20-100 pairs/s instead of about 390. So each
rendering process gets one BLAS / OpenMP thread and one torch thread; the pairs are the same bits
(``python -m mmkit.bench.cache_speed`` measures both ways and compares the caches).
"""
from __future__ import annotations

import torch


def one_thread_per_process(*_: object) -> None:
    """Initialiser of a rendering process (a pool's ``initializer`` or a DataLoader's ``worker_init_fn``)."""
    from threadpoolctl import threadpool_limits  # BLAS and OpenMP pools that numpy loaded before the fork

    threadpool_limits(1)
    torch.set_num_threads(1)
