"""Benchmarks with exact truth: the circles set (Table 3) and the vibrating rod (Table 2), measured back."""
import json
from dataclasses import replace

import numpy as np
import pytest

from mmkit.data.benchmarks import (BACKGROUND_KINDS, DIRECTIONS, CirclesConfig, RodConfig, circles_pair,
                                   circles_pairs, circles_scene, circles_target, circles_video, identity_mse, measure_shift,
                                   measure_vertical_motion, rod_region, rod_signal, rod_video, write_rod)
from mmkit.data.render import render, to_uint8
from mmkit.errors import MMKitError
from mmkit.video_io import read_video

CFG = CirclesConfig()                  # the default 25 scenes; single scenes are cheap to render
SMALL = CirclesConfig(n_scenes=3)
ROD = RodConfig(n_frames=48)           # 0.2 s at 240 fps: four periods of the slowest component
PLAIN_AND_TEXTURED = (0, 2, 6, 7)      # fine, smooth, flat and gradient backgrounds


def inner_region(centre, radius):
    """A square well inside a disc: (y0, y1, x0, x1)."""
    h = int(np.floor(radius / np.sqrt(2))) - 1
    cx, cy = (int(round(v)) for v in centre)
    return cy - h, cy + h + 1, cx - h, cx + h + 1


def shift_of_disc(a, b, centre, radius, expected):
    """Measured motion of the disc at ``centre`` in ``a`` to ``b``; ``b`` is first rolled back by the integer
    part of ``expected`` (exact), so that the disc's content stays inside the measuring region."""
    off = np.rint(expected).astype(int)
    b = np.roll(b, (-off[1], -off[0]), axis=(0, 1))
    return np.array(measure_shift(a, b, inner_region(centre, radius))) + off


# ---- circles ---------------------------------------------------------------------------------------------

def test_pairs_are_deterministic_and_noise_does_not_change_the_scene():
    a, b = circles_pair(SMALL, 1, 5.0), circles_pair(SMALL, 1, 5.0)
    for k in ("prev", "cur", "prev_clean", "cur_clean", "target"):
        assert np.array_equal(a[k], b[k])
    quiet = circles_pair(SMALL, 1, 2.0)
    assert np.array_equal(quiet["target"], a["target"]) and np.array_equal(quiet["prev_clean"], a["prev_clean"])
    assert not np.array_equal(quiet["prev"], a["prev"])
    assert not np.array_equal(circles_pair(SMALL, 2, 5.0)["prev_clean"], a["prev_clean"])
    assert not np.array_equal(circles_pair(replace(SMALL, seed=1), 1, 5.0)["prev_clean"], a["prev_clean"])
    assert [p["scene"] for p in circles_pairs(SMALL, 0.0)] == [0, 1, 2]


def test_default_benchmark_has_25_distinct_scenes_of_every_background_kind():
    scenes = [circles_scene(CFG, k) for k in range(CFG.n_scenes)]
    assert len(scenes) == 25 and {s.kind for s in scenes} == set(BACKGROUND_KINDS)
    backgrounds = np.stack([render(32, 32, s.background, []) for s in scenes])  # (25, 32, 32, 3)
    flat = backgrounds.reshape(25, -1)
    dist = np.abs(flat[:, None] - flat[None]).max(-1) + np.eye(25)
    assert dist.min() > 0.01                                   # no two backgrounds alike
    for s, bg in zip(scenes, backgrounds):
        if s.kind == "flat":
            assert np.ptp(bg, axis=(0, 1)).max() == 0
        else:
            assert np.ptp(bg, axis=(0, 1)).max() > 0.05


def test_discs_stay_inside_the_frame_and_apart_over_their_whole_path():
    reach = CFG.reach
    assert reach == pytest.approx(0.1 * (100 + 14))
    t = np.linspace(0, 1, 50)[:, None]
    for k in range(CFG.n_scenes):
        s = circles_scene(CFG, k)
        paths = [c + reach * t * u for c, u in zip(s.centres, DIRECTIONS)]  # 3 x (50, 2)
        for path, r in zip(paths, s.radii):
            assert path.min() - r >= 0 and path.max() + r <= CFG.size - 1
        for i in range(3):
            for j in range(i + 1, 3):
                gap = np.hypot(*(paths[i][:, None] - paths[j][None]).transpose(2, 0, 1)).min()
                assert gap > s.radii[i] + s.radii[j]


@pytest.mark.parametrize("scene", PLAIN_AND_TEXTURED)
def test_input_motion_is_a_tenth_of_a_pixel_along_each_direction(scene):
    p = circles_pair(CFG, scene, 0.0)
    np.testing.assert_allclose(p["motions"], [[0.1, 0.0], [0.0, 0.1], [0.1 / np.sqrt(2)] * 2], atol=1e-12)
    for centre, r, d in zip(p["centres"], p["radii"], p["motions"]):
        measured = shift_of_disc(p["prev_clean"], p["cur_clean"], centre, r, d)
        assert np.abs(measured - d).max() < 0.01, (measured, d)


@pytest.mark.parametrize("scene", PLAIN_AND_TEXTURED)
def test_target_moves_the_discs_ten_pixels_and_keeps_the_background(scene):
    p = circles_pair(CFG, scene, 0.0)
    assert p["alpha"] == 100.0
    for centre, r, d in zip(p["centres"], p["radii"], p["motions"]):
        measured = shift_of_disc(p["prev_clean"], p["target"], centre, r, 100 * d)
        assert np.abs(measured - 100 * d).max() < 0.01, (measured, 100 * d)
    # away from every disc's path the target is the input's background, untouched
    y, x = np.mgrid[0:CFG.size, 0:CFG.size]
    far = np.ones_like(x, dtype=bool)
    for c, r, u in zip(p["centres"], p["radii"], DIRECTIONS):
        s = np.clip((x - c[0]) * u[0] + (y - c[1]) * u[1], 0, 10.0)  # nearest point on the path
        far &= np.hypot(x - c[0] - s * u[0], y - c[1] - s * u[1]) > r + 1
    assert far.mean() > 0.3 and np.array_equal(p["target"][far], p["prev_clean"][far])


def test_circles_target_at_a_smaller_alpha_moves_the_same_discs_less():
    p = circles_pair(CFG, 1, 0.0)
    assert np.array_equal(circles_target(CFG, 1, CFG.alpha), p["target"])
    assert np.array_equal(circles_target(CFG, 1, 0.0), p["prev_clean"])
    half = circles_target(CFG, 1, 50.0)
    for centre, r, d in zip(p["centres"], p["radii"], p["motions"]):
        measured = shift_of_disc(p["prev_clean"], half, centre, r, 50 * d)
        assert np.abs(measured - 50 * d).max() < 0.01, (measured, 50 * d)
    with pytest.raises(MMKitError, match="alpha must be"):
        circles_target(CFG, 1, 2 * CFG.alpha)


def test_noise_has_the_requested_level_and_inputs_are_8_bit():
    for noise in (0.0, 2.0, 5.0):
        p = circles_pair(CFG, 4, noise)
        for k in ("prev", "cur"):
            assert np.array_equal(p[k] * 255, np.rint(p[k] * 255))
        err = (p["prev"] - p["prev_clean"]) * 255
        if noise == 0:
            assert np.array_equal(p["prev"], to_uint8(p["prev_clean"]) / 255)
        else:  # quantisation adds 1/12 level^2 of variance
            assert err.std() == pytest.approx(np.sqrt(noise**2 + 1 / 12), rel=0.05)
    with pytest.raises(MMKitError):
        circles_pair(CFG, 0, -1.0)


def test_identity_mse_is_positive_and_grows_with_noise():
    mse = [identity_mse(circles_pairs(SMALL, n)) for n in SMALL.noise_levels]
    assert 0 < mse[0] < mse[1] < mse[2]
    # the noise adds about its variance, on top of the missing 10 px motion
    assert mse[2] - mse[0] == pytest.approx((5 / 255) ** 2, rel=0.2)


def test_video_drifts_a_tenth_per_frame_and_truth_leads_by_ten_pixels():
    cfg = replace(SMALL, n_frames=4)
    frames, truth, fps = circles_video(cfg, 0, 0.0)
    assert frames.shape == truth.shape == (4, 128, 128, 3) and frames.dtype == truth.dtype == np.uint8
    assert fps == cfg.fps
    frames2, truth2, _ = circles_video(cfg, 0, 0.0)
    assert np.array_equal(frames, frames2) and np.array_equal(truth, truth2)
    p = circles_pair(cfg, 0, 0.0)
    assert np.array_equal(truth[0], frames[0]) and np.array_equal(truth[0], to_uint8(p["prev_clean"]))
    assert np.array_equal(frames[1], to_uint8(p["cur_clean"]))
    for centre, r, d in zip(p["centres"], p["radii"], p["motions"]):
        for t in (1, 3):
            assert np.abs(shift_of_disc(frames[0], frames[t], centre, r, t * d) - t * d).max() < 0.01
            # truth t is frame t - 1 with the discs 100 x 0.1 px further on
            lead = shift_of_disc(frames[t - 1], truth[t], centre + (t - 1) * d, r, 100 * d)
            assert np.abs(lead - 100 * d).max() < 0.01
    noisy, _, _ = circles_video(cfg, 0, 5.0)
    assert 4 < (noisy.astype(float) - frames).std() < 6


def test_impossible_layouts_and_scenes_say_so():
    with pytest.raises(MMKitError, match="do not fit"):
        circles_scene(CirclesConfig(size=48), 0)
    with pytest.raises(MMKitError, match="out of range"):
        circles_pair(SMALL, 3, 0.0)


# ---- vibrating rod ---------------------------------------------------------------------------------------

def test_rod_signal_is_the_sum_of_its_sinusoids():
    s = rod_signal(ROD)
    t = np.arange(48) / 240.0
    want = sum(a * np.sin(2 * np.pi * f * t + p)
               for f, a, p in zip(ROD.frequencies_hz, ROD.amplitudes_px, ROD.phases_rad))
    np.testing.assert_allclose(s, want, atol=1e-15)
    assert 0.05 < np.abs(s).max() < 0.14                       # sub-pixel
    with pytest.raises(MMKitError, match="equally long"):
        rod_signal(replace(ROD, amplitudes_px=(0.1,)))
    with pytest.raises(MMKitError, match="Nyquist"):
        rod_signal(replace(ROD, frequencies_hz=(20.0, 45.0, 130.0)))


@pytest.mark.parametrize("alpha", [1.0, 10.0])
def test_rod_motion_measured_back_is_alpha_times_the_signal(alpha):
    frames = rod_video(ROD, alpha)
    assert frames.shape == (48, 96, 160, 3) and frames.dtype == np.uint8
    y0, y1, x0, x1 = region = rod_region(ROD, alpha)
    assert y1 - y0 >= 16
    # the region stays inside the rod at its furthest excursion
    top, bottom = (ROD.height - 1) / 2 - ROD.thickness / 2, (ROD.height - 1) / 2 + ROD.thickness / 2
    reach = alpha * np.abs(rod_signal(ROD)).max()
    assert top + reach < y0 and y1 - 1 < bottom - reach
    s = alpha * rod_signal(ROD)
    measured = measure_vertical_motion(frames, region)
    assert measured[0] == 0.0
    rms = np.sqrt(np.mean((measured - (s - s[0])) ** 2))
    assert rms < 0.01, rms


def test_rod_region_refuses_a_rod_too_thin_for_the_motion():
    with pytest.raises(MMKitError, match="thicker rod"):
        rod_region(ROD, alpha=100.0)


def test_write_rod_writes_video_signal_and_config(tmp_path):
    cfg = replace(ROD, n_frames=12)
    paths = write_rod(tmp_path / "rod", cfg)
    assert [p.name for p in paths] == ["rod.mp4", "rod_signal.csv", "rod.json"]
    frames, fps = read_video(paths[0])
    assert frames.shape == (12, 96, 160, 3) and fps == pytest.approx(240.0)
    assert paths[1].read_text().splitlines()[0] == "frame,time_s,displacement_px"
    table = np.loadtxt(paths[1], delimiter=",", skiprows=1)
    assert np.array_equal(table[:, 0], np.arange(12))
    assert np.array_equal(table[:, 1], np.arange(12) / 240.0)
    assert np.array_equal(table[:, 2], rod_signal(cfg))         # exact round trip
    meta = json.loads(paths[2].read_text())
    assert RodConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in meta["config"].items()}) == cfg
    with pytest.raises(MMKitError, match="exists"):
        write_rod(tmp_path / "rod", cfg)
    assert write_rod(tmp_path / "rod.mp4", cfg, overwrite=True) == paths
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rod.json", "rod.mp4", "rod_signal.csv"]
