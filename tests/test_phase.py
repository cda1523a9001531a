"""Phase-based magnification (Wadhwa et al. 2013): measured gain on exact sub-pixel motion, options, errors."""
import numpy as np
import pytest
import torch

import mmkit
from helpers import bad_frames
from mmkit.classical import PhaseConfig, magnify_phase
from mmkit.classical.phase import butter_filter, estimate_gib
from mmkit.classical.temporal import iir_bandpass
from mmkit.data import random_texture, render
from mmkit.errors import MMKitError
from mmkit.measure import measure_shift

T, FPS, H, W = 30, 30.0, 64, 64
t = np.arange(T)
SIN2 = np.sin(2 * np.pi * 2.0 * t / FPS)  # 2 Hz: on a DFT bin of 30 frames at 30 fps


def grating_clip(d, wavelength=16.0, h=H, w=W):
    """(T, H, W, 3) float32 frames of a vertical grating rendered exactly at x - d(t) (periodic on the frame)."""
    _, x = np.mgrid[0:h, 0:w].astype(np.float64)
    frames = [0.5 + 0.3 * np.cos(2 * np.pi * (x - dt) / wavelength) for dt in d]
    return np.repeat(np.stack(frames).astype(np.float32)[..., None], 3, axis=-1)


def texture_clip(d, seed=0, h=H, w=W):
    """A random band-limited colour texture (periods 6-24 px) moved by d(t) px along x (mmkit.data.render)."""
    tex = random_texture(np.random.default_rng(seed), min_period=6, max_period=24)
    return np.stack([render(h, w, tex, [], bg_shift=(dt, 0.0)) for dt in d]).astype(np.float32)


def motion(frames, region=None):
    """x displacement of every frame from frame 0 (refined phase correlation), px."""
    return np.array([measure_shift(frames[0], f, region)[0] for f in frames])


def gain(m, d):
    dc = d - d.mean()
    return float((m - m.mean()) @ dc / (dc @ dc))


@pytest.mark.parametrize("pyramid", ["octave", "half_octave", "quarter_octave"])
def test_grating_motion_is_magnified_by_one_plus_alpha(pyramid):
    """0.05 px at 2 Hz, alpha 10, ideal 1-3 Hz band: the output moves 11 times as far (measured 10.99999)."""
    d = 0.05 * SIN2
    out = magnify_phase(grating_clip(d), PhaseConfig(alpha=10.0, low_hz=1.0, high_hz=3.0, pyramid=pyramid),
                        fps=FPS)
    assert out.dtype == np.float32 and out.shape == (T, H, W, 3)
    assert gain(motion(out), d) == pytest.approx(11.0, rel=1e-3)


def test_texture_motion_is_magnified_close_to_one_plus_alpha():
    """A broadband texture (not periodic on the frame; measured in the centre): gain 0.914 x 11 measured
    (octave, sigma 2), 0.934 x 11 half-octave: a band's phase change is delta times its local frequency."""
    d = 0.05 * SIN2
    clip = texture_clip(d)
    region = (16, 48, 16, 48)
    assert gain(motion(clip, region), d) == pytest.approx(1.0, abs=0.01)
    for pyramid in ("octave", "half_octave"):
        out = magnify_phase(clip, PhaseConfig(alpha=10.0, low_hz=1.0, high_hz=3.0, pyramid=pyramid), fps=FPS)
        assert 0.85 * 11 < gain(motion(out, region), d) < 1.0 * 11


@pytest.mark.parametrize("filt", ["butter", "iir"])
def test_causal_filters_magnify_what_they_pass(filt):
    """With a causal filter the output motion is d + alpha * filter(d) (its lag and gain included)."""
    d = 0.05 * SIN2
    out = magnify_phase(grating_clip(d), PhaseConfig(alpha=10.0, low_hz=1.0, high_hz=3.0, filter=filt), fps=FPS)
    dd = torch.from_numpy(d)[:, None]
    passed = (butter_filter(dd, FPS, 1.0, 3.0) if filt == "butter" else iir_bandpass(dd, FPS, 1.0, 3.0))[:, 0]
    expected = d + 10.0 * passed.numpy()
    assert np.abs(motion(out) - expected).max() < 0.01 * np.abs(expected).max() + 1e-3


def test_attenuate_other_removes_motion_outside_the_band():
    """0.05 px at 2 Hz (in the 1-3 Hz band) plus 0.2 px at 0.5 Hz (below it): with attenuate_other the slow
    motion is held at the reference frame (measured on this grating: 0.2 px -> 4e-8 px) and the 2 Hz part is
    still magnified 11 times (0.55 px)."""
    n = 60
    tt = np.arange(n)
    fast, slow = np.sin(2 * np.pi * 2.0 * tt / FPS), np.sin(2 * np.pi * 0.5 * tt / FPS)
    d = 0.05 * fast + 0.2 * slow
    clip = grating_clip(d)
    design = np.stack([np.ones(n), fast, slow], 1)
    for attenuate, expect_slow in ((False, 0.2), (True, 0.0)):
        out = magnify_phase(clip, PhaseConfig(alpha=10.0, low_hz=1.0, high_hz=3.0, attenuate_other=attenuate),
                            fps=FPS)
        _, a_fast, a_slow = np.linalg.lstsq(design, motion(out), rcond=None)[0]
        assert a_fast == pytest.approx(0.55, rel=0.03)
        assert a_slow == pytest.approx(expect_slow, abs=0.02)


def test_shift_limit_caps_the_added_motion_at_a_fraction_of_the_wavelength():
    """A 16 px grating moving 0.5 px with alpha 20: alpha delta = 10 px breaks the lambda/4 = 4 px bound. The
    unlimited output moves 7.4 px extra (not 10: past the bound); shift_limit 0.25 caps it at 4.00 px."""
    d = 0.5 * SIN2
    clip = grating_clip(d)
    extra = {}
    for limit in (None, 0.25, 0.1):
        out = magnify_phase(clip, PhaseConfig(alpha=20.0, low_hz=1.0, high_hz=3.0, shift_limit=limit), fps=FPS)
        extra[limit] = np.abs(motion(out) - d).max()
    assert extra[0.25] == pytest.approx(4.0, abs=0.05) and extra[0.1] == pytest.approx(1.6, abs=0.05)
    assert extra[None] > 5.0


def uint8_clip(n=16, h=32, w=40):
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:h, 0:w]
    base = 128 + 60 * np.sin(2 * np.pi * x / 16) * np.cos(2 * np.pi * y / 24)
    frames = base[None, :, :, None] + np.array([0, 20, -30]) + rng.normal(0, 3, (n, h, w, 3))
    return np.clip(frames, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("filt", ["ideal", "butter", "iir"])
def test_uint8_in_uint8_out_and_alpha_zero_returns_the_input(filt):
    clip = uint8_clip()
    out = magnify_phase(clip, PhaseConfig(alpha=5.0, low_hz=1.0, high_hz=5.0, filter=filt), fps=FPS)
    assert out.shape == clip.shape and out.dtype == np.uint8 and np.abs(out.astype(int) - clip).max() > 0
    same = magnify_phase(clip, PhaseConfig(alpha=0.0, low_hz=1.0, high_hz=5.0, filter=filt), fps=FPS)
    assert np.abs(same.astype(int) - clip.astype(int)).max() <= 1


@pytest.mark.parametrize("kwargs, match", [
    ({"alpha": -1.0}, "alpha"), ({"alpha": float("nan")}, "alpha"), ({"sigma": -1.0}, "sigma"),
    ({"pyramid": "third_octave"}, "pyramid"), ({"orientations": 1}, "orientations"),
    ({"orientations": 4.0}, "orientations"), ({"depth": 0}, "depth"), ({"filter": "fir"}, "filter"),
    ({"order": 0}, "order"), ({"fps": 0.0}, "fps"), ({"shift_limit": 0.0}, "shift_limit"),
    ({"reference": "previous"}, "reference"), ({"attenuate_other": "yes"}, "attenuate_other"),
])
def test_config_rejects_bad_values(kwargs, match):
    with pytest.raises(MMKitError, match=match):
        PhaseConfig(**kwargs)


@pytest.mark.parametrize("frames, match", bad_frames(12))
def test_magnify_rejects_bad_frames(frames, match):
    with pytest.raises(MMKitError, match=match):
        magnify_phase(frames, PhaseConfig(low_hz=1.0, high_hz=5.0), fps=FPS)


def test_band_fps_and_memory_are_checked_before_running():
    clip = uint8_clip()
    with pytest.raises(MMKitError, match="Nyquist"):
        magnify_phase(clip, PhaseConfig(low_hz=1.0, high_hz=20.0), fps=FPS)
    with pytest.raises(MMKitError, match="Nyquist"):  # cfg.fps overrides the video's
        magnify_phase(clip, PhaseConfig(low_hz=1.0, high_hz=5.0, fps=8.0), fps=FPS)
    with pytest.raises(MMKitError, match=r"needs about \d+\.\d+ GiB"):
        magnify_phase(clip, PhaseConfig(low_hz=1.0, high_hz=5.0), fps=FPS, max_memory_gb=1e-4)
    with pytest.raises(MMKitError, match="PhaseConfig"):
        magnify_phase(clip, object(), fps=FPS)


def test_memory_estimate_scales_with_the_clip_and_the_pyramid():
    from mmkit.classical.phase import bandpass_method
    from mmkit.classical.steerable import SteerablePyramid

    method = bandpass_method(PhaseConfig())
    small = estimate_gib((100, 64, 64, 3), SteerablePyramid(64, 64), method)
    assert estimate_gib((200, 64, 64, 3), SteerablePyramid(64, 64), method) == pytest.approx(2 * small)
    # 300 frames of 720 x 1280 do not fit in 4 GiB: the error comes before any work
    assert estimate_gib((300, 720, 1280, 3), SteerablePyramid(720, 1280), method) > 4.0


def test_through_mmkit_magnify():
    """The registry routes method="phase": alpha, band and fps from the call, the rest from params."""
    d = 0.05 * SIN2
    clip = (grating_clip(d) * 255).round().astype(np.uint8)
    out = mmkit.magnify(clip, 10.0, method="phase", fps=FPS, low_hz=1.0, high_hz=3.0)
    assert out.shape == clip.shape and out.dtype == np.uint8
    assert gain(motion(out), d) == pytest.approx(11.0, rel=0.1)  # 8-bit in and out: measured 11.5
    out2 = mmkit.magnify(clip, 10.0, method="phase", fps=FPS, low_hz=1.0, high_hz=3.0,
                         params={"pyramid": "half_octave", "sigma": 0.0})
    assert out2.shape == clip.shape
    with pytest.raises(MMKitError, match="bad parameters"):
        mmkit.magnify(clip, 10.0, method="phase", fps=FPS, low_hz=1.0, high_hz=3.0, params={"sigmaa": 1.0})
    with pytest.raises(MMKitError, match="pyramid"):
        mmkit.magnify(clip, 10.0, method="phase", fps=FPS, low_hz=1.0, high_hz=3.0, params={"pyramid": "x"})


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu():
    clip = uint8_clip().astype(np.float32) / 255
    cfg = PhaseConfig(alpha=10.0, low_hz=1.0, high_hz=5.0)
    cpu = magnify_phase(clip, cfg, fps=FPS)
    gpu = magnify_phase(clip, cfg, fps=FPS, device="cuda")
    assert np.abs(cpu - gpu).max() < 1e-4
