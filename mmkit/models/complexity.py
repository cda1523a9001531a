"""Size and cost of a network, counted from the model itself (paper Table 1).

Multiply-accumulates (MACs) are counted by forward hooks on every convolution, transposed convolution
and linear layer while the model runs once on a ``(1, 3, H, W)`` pair. The run happens on PyTorch's
``meta`` device, so no arithmetic is done and a 720 x 720 count takes milliseconds.

How a FLOP is counted: one MAC is two FLOPs (a multiply and an add), so ``gflops = 2 * macs / 1e9``.
Bias additions, activations, pooling and element-wise sums are not counted; they are well under 5 % of
the total here. The paper does not say how its GFLOPs were counted; its Oh et al. (2018) figure
(268.6 GFLOPs) matches 2 x MACs, which is why mmkit reports that convention.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

#: Paper Table 1 at 720 x 720: (parameters, GFLOPs).
PAPER_TABLE1 = {
    "oh2018": (0.98e6, 268.6),
    "base": (1.10e6, 375.5),
    "light": (0.12e6, 42.4),
}


@dataclass(frozen=True)
class Complexity:
    """Parameters and multiply-accumulates of one forward pass at ``height`` x ``width``."""

    params: int
    macs: int
    height: int
    width: int

    @property
    def gmacs(self) -> float:
        return self.macs / 1e9

    @property
    def gflops(self) -> float:
        """2 x MACs, in units of 1e9 (see the module docstring)."""
        return 2 * self.macs / 1e9


def count_params(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (all of them, unless ``trainable_only``)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def _layer_macs(module: nn.Module, inputs: tuple, output: torch.Tensor) -> int:
    if isinstance(module, nn.Conv2d):
        k = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
        return output.numel() * k
    if isinstance(module, nn.ConvTranspose2d):
        k = module.kernel_size[0] * module.kernel_size[1] * module.out_channels // module.groups
        return inputs[0].numel() * k
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features
    return 0


def count_macs(model: nn.Module, run: Callable[[nn.Module, str], object]) -> int:
    """MACs of ``run(model_copy, device)``, executed on the meta device with hooks on every layer."""
    meta = copy.deepcopy(model).to("meta")
    total = 0

    def hook(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        nonlocal total
        total += _layer_macs(module, inputs, output)

    handles = [m.register_forward_hook(hook) for m in meta.modules()
               if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear))]
    try:
        with torch.no_grad():
            run(meta, "meta")
    finally:
        for h in handles:
            h.remove()
    return total


def complexity(model: nn.Module, height: int = 720, width: int = 720) -> Complexity:
    """Parameters and MACs of one inference step (one output frame) at ``height`` x ``width``.

    The model is called as ``model(prev, cur, alpha)``; training-only heads that the call does not run
    (the appearance head) add parameters but no MACs.

    Examples:
        >>> from mmkit.models import build_model
        >>> c = complexity(build_model("light"), 720, 720)
        >>> round(c.gflops, 1)
        36.3
    """
    def run(m: nn.Module, device: str) -> object:
        x = torch.empty(1, 3, height, width, device=device)
        return m(x, x, 10.0)

    return Complexity(count_params(model), count_macs(model, run), height, width)
