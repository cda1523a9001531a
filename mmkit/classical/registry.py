"""The classical methods by name, so that ``mmkit.magnify(..., method=NAME)`` finds them.

Each entry is a :class:`ClassicalMethod`: its parameter dataclass (which must have the fields ``alpha``,
``low_hz``, ``high_hz`` and ``fps``, filled from :class:`mmkit.engine.MagnifyConfig`), the function
``run(frames, cfg, fps, device=..., max_memory_gb=...) -> frames`` that magnifies a whole ``(T, H, W, 3)``
clip, and ``estimate(shape, cfg, fps)``: the GiB that ``run`` would need for uint8 frames of that shape (the
figure its own ``max_memory_gb`` check uses), from the shape alone, so that the engine can refuse a clip
too big for memory before reading it. A new method registers itself here with one line; the engine and the
command line need no change.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import linear, riesz
from .acceleration import AccelerationConfig, acceleration_filter, magnify_acceleration
from .anisotropy import AnisotropyConfig, anisotropy_method, magnify_anisotropy
from .jerk import JerkConfig, jerk_method, magnify_jerk
from .linear import LinearConfig, magnify_linear
from .phase import PhaseConfig, PhaseMethod, bandpass_method, clip_estimate_gib, magnify_phase
from .riesz import RieszConfig, magnify_riesz


@dataclass(frozen=True)
class ClassicalMethod:
    config: type
    run: Callable[..., np.ndarray]
    reference: str  # the paper, for messages and tables
    estimate: Callable[[tuple[int, ...], Any, float], float]  # GiB for (T, H, W, 3) uint8 frames; cfg validated


#: The phase family's temporal filter and weights (a :class:`PhaseMethod`) for a validated config and rate.
PHASE_METHODS: dict[str, Callable[[Any, float], PhaseMethod]] = {
    "phase": lambda cfg, fs: bandpass_method(cfg),
    "acceleration": lambda cfg, fs: PhaseMethod(acceleration_filter(cfg, fs)),
    "jerk": jerk_method,
    "anisotropy": anisotropy_method,
}


def _phase_estimate(name: str) -> Callable[[tuple[int, ...], Any, float], float]:
    return lambda shape, cfg, fs: clip_estimate_gib(shape, cfg, PHASE_METHODS[name](cfg, fs))


METHODS: dict[str, ClassicalMethod] = {
    "linear": ClassicalMethod(LinearConfig, magnify_linear, "Wu et al., SIGGRAPH 2012",
                              lambda shape, cfg, fs: linear.estimate_gib(shape)),
    "riesz": ClassicalMethod(RieszConfig, magnify_riesz, "Wadhwa et al., ICCP 2014",
                             lambda shape, cfg, fs: riesz.estimate_gib(shape)),
    "phase": ClassicalMethod(PhaseConfig, magnify_phase, "Wadhwa et al., SIGGRAPH 2013", _phase_estimate("phase")),
    "acceleration": ClassicalMethod(AccelerationConfig, magnify_acceleration, "Zhang et al., CVPR 2017",
                                    _phase_estimate("acceleration")),
    "jerk": ClassicalMethod(JerkConfig, magnify_jerk, "after Takeda et al., CVPR 2018 (definitions as in "
                            "the authors' public code)", _phase_estimate("jerk")),
    "anisotropy": ClassicalMethod(AnisotropyConfig, magnify_anisotropy,
                                  "after Takeda et al., CVPR 2019 (definitions as in the authors' public code)",
                                  _phase_estimate("anisotropy")),
}
