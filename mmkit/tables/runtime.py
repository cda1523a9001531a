"""Paper Table 1: size, cost (parameters, GFLOPs) and run time of the three networks."""

from __future__ import annotations

import time
from typing import Mapping, Sequence

import numpy as np
import torch
from torch import nn

from ..errors import MMKitError
from ..models import PAPER_TABLE1, complexity
from .common import PAPER_RUNTIME_MS, Table, label


# --------------------------------------------------------------------------------------------------------
# Table 1: size, cost and run time
# --------------------------------------------------------------------------------------------------------


@torch.no_grad()
def time_forward(net: nn.Module, height: int = 720, width: int = 720, repeats: int = 3,
                 device: str | torch.device = "cpu", alpha: float = 20.0) -> float:
    """Median wall time, seconds, of one forward pass ``net(prev, cur, alpha)`` of one frame pair.

    fp32 and channels-last, the default inference path of :func:`mmkit.magnify`. One untimed pass at
    64 x 64 first (allocations, kernel selection) on a CPU, at full size on a GPU; then ``repeats`` timed
    passes (CUDA synchronised before reading the clock).
    """
    if repeats < 1:
        raise MMKitError(f"repeats must be at least 1, got {repeats}")
    device = torch.device(device)
    net = net.to(device).eval().to(memory_format=torch.channels_last)

    def pair(h: int, w: int) -> torch.Tensor:
        g = torch.Generator().manual_seed(0)
        return (torch.rand(1, 3, h, w, generator=g) * 2 - 1).to(device).contiguous(memory_format=torch.channels_last)

    cuda = device.type == "cuda"
    warm = pair(height, width) if cuda else pair(64, 64)
    net(warm, warm, alpha)
    x = pair(height, width)
    times = []
    for _ in range(repeats):
        if cuda:
            torch.cuda.synchronize(device)
        t0 = time.perf_counter()
        net(x, x, alpha)
        if cuda:
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def time_models(nets: Mapping[str, nn.Module], height: int = 720, width: int = 720, repeats: int = 3,
                device: str = "cpu") -> dict[str, float]:
    """:func:`time_forward` of each network, in **milliseconds** per frame."""
    return {name: 1000 * time_forward(net, height, width, repeats, device) for name, net in nets.items()}


def table1(runtime_ms: Mapping[str, float] | None = None, height: int = 720, width: int = 720,
           names: Sequence[str] = ("oh2018", "base", "light"), where: str = "this machine") -> Table:
    """Paper Table 1: parameters, GFLOPs (2 x MACs) at ``height`` x ``width`` and run time, beside the paper's.

    Parameters and MACs are counted from the (untrained) models themselves; ``runtime_ms`` (from
    :func:`time_models`) adds the run-time columns.

    Examples:
        >>> t = table1()
        >>> t.value("light (M2)", "params"), round(t.value("light (M2)", "GFLOPs"), 1)
        (112318, 36.3)
    """
    from ..models import build_model

    columns = ["model", "params", "paper params", "ours / paper params", "GFLOPs", "paper GFLOPs",
               "ours / paper GFLOPs"]
    if runtime_ms is not None:
        columns += [f"ms per frame, {where}", "paper ms (RTX 2080)"]
    rows = []
    for name in names:
        c = complexity(build_model(name), height, width)
        paper_params, paper_gflops = PAPER_TABLE1[name]
        row: list[object] = [label(name), c.params, int(paper_params), c.params / paper_params, c.gflops,
                             paper_gflops, c.gflops / paper_gflops]
        if runtime_ms is not None:
            row += [runtime_ms.get(name), PAPER_RUNTIME_MS[name]]
        rows.append(tuple(row))
    formats = (("ours / paper params", ".3f"), ("GFLOPs", ".1f"), ("paper GFLOPs", ".1f"),
               ("ours / paper GFLOPs", ".3f"),
               (f"ms per frame, {where}", ",.0f"), ("paper ms (RTX 2080)", ".0f"))
    return Table(f"Table 1: size and cost at {height} x {width}" + (" and run time" if runtime_ms else ""),
                 tuple(columns), tuple(rows), formats=formats)
