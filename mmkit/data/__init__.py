"""Synthetic data: exact subpixel rendering, training pairs, the benchmarks (seen and held-out content), and the
bundled sample clips."""
from .benchmarks import (CirclesConfig, RodConfig, circles_pair, circles_pairs, circles_target, circles_video,
                         held_out_circles, identity_mse, rod_region, rod_signal, rod_video, write_rod)
from .content import HELD_OUT_IMAGES, HELD_OUT_SOURCES, TRAINING_IMAGES, dead_leaves
from .images import ImageTexture, random_background, sample_images
from .pairs import DataConfig, NpzPairs, SyntheticPairs, render_pair, to_tensors, write_pairs
from .render import Disc, FourierTexture, Shape, paint, random_texture, render, to_uint8
from .samples import SAMPLES, VibrationClip, sample_path, write_samples

__all__ = [
    "CirclesConfig", "RodConfig", "circles_pair", "circles_pairs", "circles_target", "circles_video", "identity_mse",
    "held_out_circles", "HELD_OUT_IMAGES", "HELD_OUT_SOURCES", "TRAINING_IMAGES", "dead_leaves",
    "rod_region", "rod_signal", "rod_video", "write_rod",
    "DataConfig", "Disc", "FourierTexture", "ImageTexture", "random_background", "sample_images", "NpzPairs", "SAMPLES", "Shape", "SyntheticPairs", "VibrationClip",
    "paint", "random_texture", "render", "render_pair", "sample_path", "to_tensors", "to_uint8", "write_pairs",
    "write_samples",
]
