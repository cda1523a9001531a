"""Synthetic data: exact subpixel rendering, training pairs, and the bundled sample clips."""
from .pairs import DataConfig, NpzPairs, SyntheticPairs, render_pair, to_tensors, write_pairs
from .render import Disc, FourierTexture, Shape, paint, random_texture, render, to_uint8
from .samples import SAMPLES, VibrationClip, sample_path, write_samples

__all__ = [
    "DataConfig", "Disc", "FourierTexture", "NpzPairs", "SAMPLES", "Shape", "SyntheticPairs", "VibrationClip",
    "paint", "random_texture", "render", "render_pair", "sample_path", "to_tensors", "to_uint8", "write_pairs",
    "write_samples",
]
