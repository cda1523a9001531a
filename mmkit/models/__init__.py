"""The networks: the paper's lightweight and base models, and how to count their size and cost."""
from __future__ import annotations

from .complexity import PAPER_TABLE1, Complexity, complexity, count_macs, count_params
from .singh2023 import Encoded, Intermediates, MagnificationNet, ModelConfig

#: Names of the model presets known to :func:`build_model`.
PRESETS = {"light": ModelConfig.light, "base": ModelConfig.base}


def build_model(name: str = "light") -> MagnificationNet:
    """A freshly initialised network by preset name (``"light"`` = M2, ``"base"`` = M1)."""
    try:
        cfg = PRESETS[name]()
    except KeyError:
        raise ValueError(f"unknown model {name!r}; choose one of {sorted(PRESETS)}") from None
    return MagnificationNet(cfg)


__all__ = [
    "PAPER_TABLE1", "PRESETS", "Complexity", "Encoded", "Intermediates", "MagnificationNet",
    "ModelConfig", "build_model", "complexity", "count_macs", "count_params",
]
