"""The classical methods by name, so that ``mmkit.magnify(..., method=NAME)`` finds them.

Each entry is a :class:`ClassicalMethod`: its parameter dataclass (which must have the fields ``alpha``,
``low_hz``, ``high_hz`` and ``fps``, filled from :class:`mmkit.engine.MagnifyConfig`) and the function
``run(frames, cfg, fps, device=...) -> frames`` that magnifies a whole ``(T, H, W, 3)`` clip. A new method
registers itself here with one line; the engine and the command line need no change.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .acceleration import AccelerationConfig, magnify_acceleration
from .anisotropy import AnisotropyConfig, magnify_anisotropy
from .jerk import JerkConfig, magnify_jerk
from .linear import LinearConfig, magnify_linear
from .phase import PhaseConfig, magnify_phase
from .riesz import RieszConfig, magnify_riesz


@dataclass(frozen=True)
class ClassicalMethod:
    config: type
    run: Callable[..., np.ndarray]
    reference: str  # the paper, for messages and tables


METHODS: dict[str, ClassicalMethod] = {
    "linear": ClassicalMethod(LinearConfig, magnify_linear, "Wu et al., SIGGRAPH 2012"),
    "riesz": ClassicalMethod(RieszConfig, magnify_riesz, "Wadhwa et al., ICCP 2014"),
    "phase": ClassicalMethod(PhaseConfig, magnify_phase, "Wadhwa et al., SIGGRAPH 2013"),
    "acceleration": ClassicalMethod(AccelerationConfig, magnify_acceleration, "Zhang et al., CVPR 2017"),
    "jerk": ClassicalMethod(JerkConfig, magnify_jerk, "Takeda et al., CVPR 2018"),
    "anisotropy": ClassicalMethod(AnisotropyConfig, magnify_anisotropy,
                                  "after Takeda et al., CVPR 2019 (our construction of the FA filter)"),
}
