"""mmkit.features: the network's intermediates as arrays, and the measures the course takes of them."""
import numpy as np
import pytest
import torch

import mmkit
from mmkit.data import CirclesConfig, Disc, circles_pair, random_texture, render
from mmkit.errors import MMKitError
from mmkit.evaluate import from_network, to_network
from mmkit.features import (
    channel_rms,
    disc_mask,
    energy_fraction,
    feature_difference,
    feature_noise_ratio,
    motion_response,
    pair_features,
    pixel_noise_ratio,
    rms,
    to_input,
)
from mmkit.models import MagnificationNet, ModelConfig


@pytest.fixture(scope="module")
def light():
    return mmkit.load_pretrained("light_paper")


@pytest.fixture(scope="module")
def scene():
    """A textured disc on a textured background, 64 x 64; ``scene(dx)`` moves the disc dx px to the right."""
    rng = np.random.default_rng(3)
    background = random_texture(rng, min_period=6.0, max_period=48.0)
    disc = Disc(random_texture(rng, min_period=4.0, max_period=32.0, contrast=0.5), 31.5, 31.5, 16.0)
    return lambda dx: render(64, 64, background, [disc], shifts=[(dx, 0.0)])


def test_to_input_maps_uint8_and_float_frames_to_the_same_range():
    u8 = np.array([[[0, 128, 255]]], np.uint8)
    a, b = to_input(u8), to_input(u8 / 255.0)
    assert a.shape == (1, 3, 1, 1) and a.dtype == torch.float32
    assert a.flatten().tolist() == pytest.approx([-1.0, 128 / 127.5 - 1, 1.0], abs=1e-6)
    assert torch.equal(a, b)
    assert torch.allclose(to_input(u8 / 255.0), to_network(u8 / 255.0))  # the evaluator's conversion
    with pytest.raises(MMKitError, match=r"\(H, W, 3\)"):
        to_input(np.zeros((4, 4)))


def test_pair_features_match_the_network(light, scene):
    prev, cur = scene(0.0), scene(0.3)
    f = pair_features(light, prev, cur, alpha=20.0)
    c2 = 2 * light.cfg.channels
    for name in ("e_a", "e_b", "appearance", "motion", "manipulated"):
        assert getattr(f, name).shape == (c2, 32, 32), name
    assert f.appearance_head.shape == (32, 32, 3) and f.output.shape == (64, 64, 3)
    np.testing.assert_allclose(f.motion, 20.0 * f.difference, rtol=1e-5, atol=1e-6)   # D = (E_b - E_a) * alpha
    with torch.no_grad():
        out = light(to_network(prev), to_network(cur), 20.0)
        manipulated = light.manipulator(torch.from_numpy(f.motion)[None])[0].numpy()
    np.testing.assert_allclose(f.output, from_network(out), atol=1e-6)
    np.testing.assert_allclose(f.manipulated, manipulated, atol=1e-5)
    np.testing.assert_allclose(feature_difference(light, prev, cur), f.difference, atol=1e-6)
    assert 0.0 <= f.appearance_head.min() and f.appearance_head.max() <= 1.0


def test_pair_features_needs_a_network_with_an_encoder():
    with pytest.raises(MMKitError, match="no encoder features"):
        pair_features(torch.nn.Linear(2, 2), np.zeros((4, 4, 3)), np.zeros((4, 4, 3)))


def test_a_tied_encoder_gives_zero_and_antisymmetric_differences(scene):
    torch.manual_seed(0)
    net = MagnificationNet(ModelConfig(tied_encoder=True)).eval()
    a, b = scene(0.0), scene(0.5)
    assert np.abs(feature_difference(net, a, a)).max() == 0.0
    np.testing.assert_allclose(feature_difference(net, a, b), -feature_difference(net, b, a), atol=1e-6)


def test_the_released_encoder_has_an_offset_that_motion_response_removes(light, scene):
    a = scene(0.0)
    offset = feature_difference(light, a, a)
    assert rms(offset) > 0.05                                   # untied branches: E_b - E_a != 0 without motion
    assert np.abs(motion_response(light, a, a)).max() == 0.0


def test_motion_response_is_linear_in_a_subpixel_shift_and_flips_with_its_sign(light, scene):
    a = scene(0.0)
    r = {d: motion_response(light, a, scene(d)) for d in (0.05, 0.1, -0.1, 3.2)}
    assert rms(r[0.1]) / rms(r[0.05]) == pytest.approx(2.0, rel=0.05)
    assert np.corrcoef(r[0.1].ravel(), r[-0.1].ravel())[0, 1] < -0.97
    assert rms(r[3.2]) / rms(r[0.1]) < 0.8 * 32               # far from linear at 3 px: it saturates


def test_the_motion_response_lies_on_the_moving_discs(light):
    p = circles_pair(CirclesConfig(size=96), 0, 0.0)
    r = motion_response(light, p["prev"], p["cur"])
    mask = disc_mask(r.shape[1:], p["centres"], p["radii"], scale=2, margin=2)
    assert mask.mean() < 0.4
    assert energy_fraction(r, mask) > 0.8
    inside, everywhere = channel_rms(r, mask), channel_rms(r)
    assert np.all(inside > everywhere)


def test_channel_rms_values_and_errors():
    f = np.stack([np.arange(4.0).reshape(2, 2), np.full((2, 2), -2.0)])
    np.testing.assert_allclose(channel_rms(f), [np.sqrt(14 / 4), 2.0])
    np.testing.assert_allclose(channel_rms(f, np.array([[False, False], [False, True]])), [3.0, 2.0])
    with pytest.raises(MMKitError, match="does not match"):
        channel_rms(f, np.ones((3, 3), bool))
    with pytest.raises(MMKitError, match="empty"):
        channel_rms(f, np.zeros((2, 2), bool))
    with pytest.raises(MMKitError, match=r"\(C, h, w\)"):
        channel_rms(np.zeros((2, 2)))


def test_disc_mask_area_and_feature_scale():
    big = disc_mask((200, 200), np.array([[99.5, 99.5]]), np.array([50.0]))
    assert big.sum() == pytest.approx(np.pi * 50 ** 2, rel=0.01)
    half = disc_mask((50, 50), np.array([[49.5, 49.5]]), np.array([20.0]), scale=2)   # frame pixels -> map
    assert half.sum() == pytest.approx(np.pi * 10 ** 2, rel=0.05)
    ys, xs = np.nonzero(half)
    assert xs.mean() == pytest.approx(24.5) and ys.mean() == pytest.approx(24.5)
    assert disc_mask((10, 10), np.array([[2.0, 2.0]]), np.array([1.0]), margin=1.0).sum() == 13


def test_energy_fraction_values_and_errors():
    f = np.zeros((3, 4, 4))
    f[0, 0, 0], f[1, 3, 3] = 3.0, 1.0
    mask = np.zeros((4, 4), bool)
    mask[0, 0] = True
    assert energy_fraction(f, mask) == pytest.approx(0.9)
    with pytest.raises(MMKitError, match="all zero"):
        energy_fraction(np.zeros((1, 2, 2)), np.ones((2, 2), bool))


def test_pixel_noise_ratio_of_circles_pairs():
    quiet, loud = (circles_pair(CirclesConfig(size=96), 0, n) for n in (0.0, 5.0))
    clean_diff = rms(quiet["cur_clean"] - quiet["prev_clean"])
    assert pixel_noise_ratio(quiet) < 0.5                         # 8-bit rounding only
    # two independent noises of std 5/255 in the difference (clipping and rounding aside)
    assert pixel_noise_ratio(loud) == pytest.approx(np.sqrt(2) * 5 / 255 / clean_diff, rel=0.1)
    with pytest.raises(MMKitError, match="equal"):
        pixel_noise_ratio({**quiet, "cur_clean": quiet["prev_clean"]})


def test_the_trained_encoder_carries_less_noise_than_the_frames(light):
    p = circles_pair(CirclesConfig(size=96), 0, 5.0)
    assert feature_noise_ratio(light, {**p, "prev": p["prev_clean"], "cur": p["cur_clean"]}) == 0.0
    ratio = feature_noise_ratio(light, p)
    assert 0 < ratio < 0.7 * pixel_noise_ratio(p)
