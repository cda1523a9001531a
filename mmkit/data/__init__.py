"""Synthetic data: exact subpixel rendering, training pairs, and the bundled sample clips."""
from .benchmarks import (CirclesConfig, RodConfig, circles_pair, circles_pairs, circles_target, circles_video,
                         identity_mse, rod_region, rod_signal, rod_video, write_rod)
from .images import ImageTexture, random_background, sample_images
from .pairs import DataConfig, NpzPairs, SyntheticPairs, render_pair, to_tensors, write_pairs
from .render import Disc, FourierTexture, Shape, paint, random_texture, render, to_uint8
from .samples import SAMPLES, VibrationClip, sample_path, write_samples

__all__ = [
    "CirclesConfig", "RodConfig", "circles_pair", "circles_pairs", "circles_target", "circles_video", "identity_mse",
    "rod_region", "rod_signal", "rod_video", "write_rod",
    "DataConfig", "Disc", "FourierTexture", "ImageTexture", "random_background", "sample_images", "NpzPairs", "SAMPLES", "Shape", "SyntheticPairs", "VibrationClip",
    "paint", "random_texture", "render", "render_pair", "sample_path", "to_tensors", "to_uint8", "write_pairs",
    "write_samples",
]
