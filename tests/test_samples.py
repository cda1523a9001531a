"""The committed sample clips are what their recipes make, and their truths hold alpha times the motion."""
import numpy as np
import pytest

from mmkit.data.samples import SAMPLES, SAMPLES_DIR, PulsingClip, SlidingClip, VibrationClip
from mmkit.measure import measure_shift
from mmkit.video_io import probe, read_video


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_committed_clip_matches_its_recipe(name):
    clip = SAMPLES[name]
    frames, fps = read_video(SAMPLES_DIR / f"{name}.mp4")
    assert frames.shape == (clip.n_frames, clip.height, clip.width, 3) and fps == pytest.approx(clip.fps)
    assert np.abs(frames.astype(float) - clip.render()).mean() < 3.0  # H.264, yuv420p chroma subsampling
    assert probe(SAMPLES_DIR / f"{name}_truth_x20.mp4").n_frames == clip.n_frames


def _dx_series(frames, region):
    return np.array([measure_shift(frames[0], f, region) for f in frames])


def test_vibration_truth_is_alpha_times_the_motion():
    clip = VibrationClip(n_frames=12)
    c = clip.height // 2
    region = (c - 24, c + 24, c - 24, c + 24)  # inside the disc
    d1 = _dx_series(clip.render(1.0), region)[:, 0]
    d5 = _dx_series(clip.render(5.0), region)[:, 0]
    true = clip.displacement() - clip.displacement()[0]
    assert np.abs(d1 - true).max() < 0.05            # 8-bit quantisation limits the yardstick
    assert np.abs(d5 - 5 * true).max() < 0.1


def test_sliding_truth_magnifies_only_the_vibration():
    clip = SlidingClip(n_frames=6)
    a, b = clip.render(1.0), clip.render(10.0)
    # The slide is the same in both: the disc's left edge crosses the same columns.
    row = clip.height // 2
    edge = lambda f: np.argmax(np.abs(np.diff(f[row, :, 1].astype(int))) > 0)  # noqa: E731
    assert abs(edge(a[-1]) - edge(b[-1])) <= 1
    assert np.abs(a.astype(int) - b).max() > 20   # the magnified vibration changes the frames


def test_pulsing_truth_changes_more_with_alpha():
    clip = PulsingClip(n_frames=8)
    a, b = clip.render(1.0).astype(int), clip.render(10.0).astype(int)
    assert np.abs(b - b[0]).sum() > 5 * np.abs(a - a[0]).sum()
