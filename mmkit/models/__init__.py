"""The networks: the paper's lightweight and base models, and how to count their size and cost."""
from __future__ import annotations

from .complexity import PAPER_TABLE1, Complexity, complexity, count_macs, count_params
from .oh2018 import Oh2018Net
from .singh2023 import Encoded, Intermediates, MagnificationNet, ModelConfig

#: Names of the model presets known to :func:`build_model`.
PRESETS = {"light": ModelConfig.light, "base": ModelConfig.base}
#: Every network :func:`build_model` makes: the paper's two presets and Oh et al. (2018) to compare with.
MODEL_NAMES = ("light", "base", "oh2018")


def build_model(name: str = "light", config: dict | None = None) -> MagnificationNet | Oh2018Net:
    """A freshly initialised network by name (``"light"`` = M2, ``"base"`` = M1, ``"oh2018"``).

    ``config`` (a :class:`ModelConfig` as a dict, as checkpoints store it) overrides the preset.
    """
    if name == "oh2018":
        return Oh2018Net()
    if name not in PRESETS:
        raise ValueError(f"unknown model {name!r}; choose one of {list(MODEL_NAMES)}")
    return MagnificationNet(ModelConfig(**config) if config else PRESETS[name]())


__all__ = [
    "MODEL_NAMES", "PAPER_TABLE1", "PRESETS", "Complexity", "Encoded", "Intermediates", "MagnificationNet",
    "Oh2018Net",
    "ModelConfig", "build_model", "complexity", "count_macs", "count_params",
]
