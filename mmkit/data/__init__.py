"""Synthetic data: exact subpixel rendering and the bundled sample clips."""
from .render import Disc, FourierTexture, paint, random_texture, render, to_uint8
from .samples import SAMPLES, VibrationClip, sample_path, write_samples

__all__ = ["Disc", "FourierTexture", "paint", "SAMPLES", "VibrationClip", "random_texture", "render", "sample_path",
           "to_uint8", "write_samples"]
