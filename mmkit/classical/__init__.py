"""Classical (non-learned) motion magnification: linear Eulerian video magnification (Wu et al., 2012)."""
from __future__ import annotations

from .acceleration import AccelerationConfig, magnify_acceleration  # noqa: F401  (Zhang et al., 2017)
from .anisotropy import AnisotropyConfig, magnify_anisotropy  # noqa: F401  (after Takeda et al., 2019)
from .jerk import JerkConfig, magnify_jerk  # noqa: F401  (Takeda et al., 2018)
from .linear import LinearConfig, level_alphas, magnify_linear, rgb_to_yiq, yiq_to_rgb
from .phase import PhaseConfig, magnify_phase  # noqa: F401  (Wadhwa et al., SIGGRAPH 2013)
from .pyramids import collapse_laplacian, gaussian_blur_down, laplacian_pyramid, max_pyramid_levels, upsample
from .riesz import RieszConfig, RieszMagnifier, magnify_riesz  # noqa: F401  (Wadhwa et al., ICCP 2014)
from .steerable import SteerablePyramid  # noqa: F401  (complex steerable pyramid)
from .temporal import check_band, ideal_bandpass, iir_bandpass, lowpass_coefficient

__all__ = [
    "LinearConfig", "magnify_linear", "level_alphas", "rgb_to_yiq", "yiq_to_rgb",
    "gaussian_blur_down", "upsample", "laplacian_pyramid", "collapse_laplacian", "max_pyramid_levels",
    "ideal_bandpass", "iir_bandpass", "check_band", "lowpass_coefficient",
]
