"""Synthetic training pairs: determinism, ranges, exact motion, noise, the dataset and the npz set."""
import numpy as np
import pytest
import torch

from mmkit.data import DataConfig, NpzPairs, SyntheticPairs, render_pair, write_pairs
from mmkit.data.render import random_texture, render
from mmkit.errors import MMKitError
from mmkit.measure import measure_shift, phase_correlation

CFG = DataConfig(size=64, seed=7)


def test_same_seed_and_index_give_the_same_sample():
    a, b = render_pair(CFG, 3), render_pair(CFG, 3)
    for k in ("prev", "cur", "target", "prev_clean"):
        assert np.array_equal(a[k], b[k])
    assert not np.array_equal(render_pair(CFG, 4)["prev"], a["prev"])
    assert not np.array_equal(render_pair(DataConfig(size=64, seed=8), 3)["prev"], a["prev"])


def test_shapes_ranges_and_motion_limits():
    for i in range(20):
        s = render_pair(CFG, i)
        for k in ("prev", "cur", "prev_clean", "cur_clean", "target"):
            assert s[k].shape == (64, 64, 3) and s[k].min() >= 0 and s[k].max() <= 1
        assert CFG.alpha_min <= s["alpha"] <= CFG.alpha_max
        d = np.vstack([s["bg_motion"][None], s["motions"]])
        mag = np.hypot(d[:, 0], d[:, 1])
        assert mag.max() <= CFG.max_input_motion and (s["alpha"] * mag).max() <= CFG.max_magnified_motion + 1e-9


def test_noisy_inputs_differ_from_clean_only_by_noise():
    s = render_pair(CFG, 1)
    noise = s["prev"] - s["prev_clean"]
    assert np.abs(noise).max() < 0.1              # shot noise of at most 0.3 * sqrt(255) levels plus rounding
    assert np.allclose(s["prev"] * 255, np.rint(s["prev"] * 255))  # 8-bit quantised
    quiet = render_pair(DataConfig(size=64, seed=7, shot_noise_max=0.0, quantise=False), 1)
    assert np.array_equal(quiet["prev"], quiet["prev_clean"])
    assert np.array_equal(quiet["prev_clean"], s["prev_clean"])  # noise does not change the scene


def test_shot_noise_max_scales_only_the_noise_of_the_same_pairs():
    """A noisier training set (--shot-noise-max) holds the same scenes; each pair's noise strength scales with it."""
    from dataclasses import replace

    base, loud = render_pair(CFG, 3), render_pair(replace(CFG, shot_noise_max=2 * CFG.shot_noise_max), 3)
    for key in ("prev_clean", "cur_clean", "target"):
        assert np.array_equal(base[key], loud[key])
    assert loud["alpha"] == base["alpha"] and loud["noise"] == pytest.approx(2 * base["noise"])
    assert np.std(loud["prev"] - loud["prev_clean"]) > 1.5 * np.std(base["prev"] - base["prev_clean"])


@pytest.mark.parametrize("field, value, words", [("shot_noise_max", -0.1, "shot_noise_max"),
                                                  ("alpha_min", 0.0, "alpha_min"),
                                                  ("alpha_max", 0.5, "alpha_max")])
def test_data_config_refuses_a_range_that_would_render_something_else(field, value, words):
    """A negative noise range or an upside-down alpha range would still render, silently not as asked."""
    from dataclasses import replace

    DataConfig().validate()
    with pytest.raises(MMKitError, match=words):
        replace(DataConfig(), **{field: value}).validate()


def test_target_is_the_scene_rendered_with_alpha_times_the_motion():
    """With a single still background and no shapes, the target's shift from prev is alpha * d exactly."""
    cfg = DataConfig(size=96, seed=1, min_objects=0, max_objects=0, still_background_prob=0.0,
                     smooth_background_prob=0.0, alpha_max=10.0, max_input_motion=0.4)
    for i in range(3):
        s = render_pair(cfg, i)
        d = s["bg_motion"]
        assert np.allclose(measure_shift(s["prev_clean"], s["cur_clean"]), d, atol=0.02)
        assert np.allclose(measure_shift(s["prev_clean"], s["target"]), s["alpha"] * d, atol=0.02)


def test_dataset_tensors_in_network_range():
    ds = SyntheticPairs(CFG, length=5)
    item = ds[2]
    assert item["prev"].shape == (3, 64, 64) and item["prev"].dtype == torch.float32
    assert item["target"].min() >= -1 and item["target"].max() <= 1
    assert len(ds) == 5
    with pytest.raises(IndexError):
        ds[5]
    batch = next(iter(torch.utils.data.DataLoader(ds, batch_size=2)))
    assert batch["prev"].shape == (2, 3, 64, 64) and batch["alpha"].shape == (2,)


def test_fixed_set_round_trips_through_npz(tmp_path):
    path = write_pairs(tmp_path / "pairs.npz", CFG, 3)
    disk, live = NpzPairs(path), SyntheticPairs(CFG, length=3)
    assert len(disk) == 3
    for k in ("prev", "target"):
        assert torch.allclose(disk[1][k], live[1][k], atol=1 / 255 + 1e-6)  # 8-bit storage
    assert disk[1]["alpha"] == pytest.approx(float(live[1]["alpha"]))
    (tmp_path / "bad.npz").write_text("not an archive")
    with pytest.raises(MMKitError, match="not a pair file"):
        NpzPairs(tmp_path / "bad.npz")


def test_phase_correlation_of_a_textured_frame_is_exact_for_tiny_shifts():
    """The circles benchmark's 0.1 px input motion is measured back exactly by the renderer's yardstick."""
    tex = random_texture(np.random.default_rng(5))
    a, b = render(80, 80, tex, []), render(80, 80, tex, [], bg_shift=(0.1, -0.1))
    assert np.allclose(phase_correlation(a, b), (0.1, -0.1), atol=0.005)
