"""Exact subpixel rendering, measured back by phase correlation; the sample clip's recipe."""
import numpy as np
import pytest

from mmkit.data import Disc, VibrationClip, random_texture, render
from mmkit.measure import measure_shift, phase_correlation


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("shift", [(0.1, 0.0), (0.37, -0.21), (0.02, 0.01), (-0.8, 0.45), (1.3, 2.7)])
def test_rendered_shift_is_measured_back_within_002_px(seed, shift):
    tex = random_texture(np.random.default_rng(seed), min_period=4.0, max_period=64.0)
    a = render(96, 128, tex, [])
    b = render(96, 128, tex, [], bg_shift=shift)
    assert np.allclose(phase_correlation(a, b), shift, atol=0.02)


def test_rendering_is_deterministic_and_not_rounded():
    tex = random_texture(np.random.default_rng(0))
    a = render(32, 32, tex, [], bg_shift=(0.01, 0.0))
    b = render(32, 32, tex, [], bg_shift=(0.01, 0.0))
    c = render(32, 32, tex, [], bg_shift=(0.0, 0.0))
    assert np.array_equal(a, b)
    assert 0 < np.abs(a - c).max() < 0.01   # a hundredth of a pixel changes the frame, a little


def test_disc_moves_with_its_texture_and_outline():
    rng = np.random.default_rng(3)
    bg = random_texture(rng)
    disc = Disc(random_texture(rng), 64.0, 64.0, 44.0)
    a = render(128, 128, bg, [disc])
    b = render(128, 128, bg, [disc], shifts=[(0.25, 0.0)])
    assert np.array_equal(a[:, :10], b[:, :10])          # the background stays put
    dx, dy = measure_shift(a, b, (36, 92, 36, 92))  # inside the disc
    assert abs(dx - 0.25) < 0.02 and abs(dy) < 0.02


def test_vibration_clip_truth_has_alpha_times_the_motion():
    clip = VibrationClip(height=64, width=64, n_frames=8, radius=20, amplitude_px=0.2)
    np.testing.assert_allclose(clip.displacement(10.0), 10 * clip.displacement())
    frames = clip.render()
    assert frames.shape == (8, 64, 64, 3) and frames.dtype == np.uint8
    assert np.array_equal(frames, clip.render())  # deterministic
