"""What several test files share: clips every array-taking method must refuse, a "network" that returns its
input, and loading a script of scripts/ as a module."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import torch

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def bad_frames(too_small_side: int) -> list[tuple[object, str]]:
    """``(frames, match)`` pairs that mmkit.checks.check_clip and check_pixels refuse, with words the error
    must contain; ``too_small_side`` is a frame side below the method's smallest."""
    return [
        (np.zeros((16, 32, 32), np.uint8), "shaped"),
        (np.zeros((16, 32, 32, 4), np.uint8), "shaped"),
        (np.zeros((1, 32, 32, 3), np.uint8), "at least 2 frames"),
        (np.zeros((16, too_small_side, 32, 3), np.uint8), "too small"),
        (np.full((16, 32, 32, 3), np.nan, np.float32), "NaN"),
        (np.full((16, 32, 32, 3), 200.0, np.float32), r"\[0, 1\]"),
        (np.zeros((16, 32, 32, 3), np.int64), "dtype"),
        ([[[[0, 0, 0]]]], "numpy array"),
    ]


class ReturnsInput(torch.nn.Module):
    """A "network" that returns the current frame: it scores exactly the input-unchanged baseline."""

    def __init__(self) -> None:
        super().__init__()
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, prev: torch.Tensor, cur: torch.Tensor, alpha: object) -> torch.Tensor:
        return cur


def load_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
