"""Linear Eulerian magnification (Wu et al. 2012): pyramids, temporal filters, the magnification and its limit."""
import math

import numpy as np
import pytest
import torch

from helpers import bad_frames
from mmkit.classical import (LinearConfig, collapse_laplacian, gaussian_blur_down, ideal_bandpass, iir_bandpass,
                             laplacian_pyramid, level_alphas, magnify_linear, max_pyramid_levels, upsample)
from mmkit.errors import MMKitError

T, FPS, H, W = 64, 30.0, 64, 96


# ---------------------------------------------------------------- pyramids

@pytest.mark.parametrize("shape", [(37, 53), (64, 64), (2, 3, 37, 53), (4, 3, 64, 64)])
@pytest.mark.parametrize("levels", [1, 2, 3, 5, 8])
def test_laplacian_pyramid_reconstructs_exactly(shape, levels):
    x = torch.rand(shape, generator=torch.Generator().manual_seed(levels))
    pyr = laplacian_pyramid(x, levels)
    assert (collapse_laplacian(pyr) - x).abs().max().item() < 1e-5


def test_pyramid_level_sizes_halve_with_ceil_and_are_capped_at_4_px():
    pyr = laplacian_pyramid(torch.rand(2, 3, 37, 53), levels=3)
    assert [tuple(p.shape) for p in pyr] == [(2, 3, 37, 53), (2, 3, 19, 27), (2, 3, 10, 14)]
    # asking for more levels stops at the coarsest level whose shorter side is still >= 4 px
    assert [tuple(p.shape[-2:]) for p in laplacian_pyramid(torch.rand(37, 53), 20)] == \
        [(37, 53), (19, 27), (10, 14), (5, 7)]
    assert [tuple(p.shape[-2:]) for p in laplacian_pyramid(torch.rand(64, 64), 20)] == \
        [(64, 64), (32, 32), (16, 16), (8, 8), (4, 4)]
    assert max_pyramid_levels(64, 96) == 5 and max_pyramid_levels(7, 100) == 2 and max_pyramid_levels(5, 5) == 1


def test_blur_down_and_upsample_keep_a_constant_image_constant():
    c = torch.full((3, 37, 53), 0.3)
    down = gaussian_blur_down(c)
    assert down.shape == (3, 19, 27) and (down - 0.3).abs().max() < 1e-6
    assert (upsample(down, (37, 53)) - 0.3).abs().max() < 1e-6
    assert upsample(down, (38, 54)).shape == (3, 38, 54)
    with pytest.raises(MMKitError, match="up-sample"):
        upsample(down, (40, 53))


# ---------------------------------------------------------------- temporal filters

def sinusoid(f_hz: float, n: int, fs: float = FPS) -> torch.Tensor:
    return torch.sin(2 * math.pi * f_hz * torch.arange(n, dtype=torch.float64) / fs)


def amplitude_at(y: torch.Tensor, f_hz: float, fs: float = FPS) -> float:
    """Least-squares amplitude of the f_hz component of a 1-D signal (with a constant term)."""
    t = torch.arange(y.shape[0], dtype=torch.float64) / fs
    basis = torch.stack([torch.sin(2 * math.pi * f_hz * t), torch.cos(2 * math.pi * f_hz * t), torch.ones_like(t)], 1)
    coef = torch.linalg.lstsq(basis, y.to(torch.float64).unsqueeze(1)).solution.squeeze(1)
    return float(torch.hypot(coef[0], coef[1]))


def test_ideal_bandpass_passes_in_band_and_removes_out_of_band_sinusoids():
    n = 120  # bins are 30/120 = 0.25 Hz apart: 2.0 Hz (in band) and 0.25, 6.0 Hz (out) lie on bins
    x = 0.8 * sinusoid(2.0, n) + 0.5 * sinusoid(6.0, n) + 0.4 * sinusoid(0.25, n) + 1.0
    x = x.float().view(n, 1, 1).expand(n, 2, 3).contiguous()  # (T, ...) with extra dims
    y = ideal_bandpass(x, FPS, 1.0, 3.0)
    assert y.shape == x.shape and y.dtype == torch.float32
    assert abs(amplitude_at(y[:, 1, 2], 2.0) / 0.8 - 1) < 0.02
    for f, a in ((6.0, 0.5), (0.25, 0.4)):
        assert amplitude_at(y[:, 0, 0], f) / a < 0.02
    assert abs(float(y.mean())) < 1e-5  # DC removed


def iir_theoretical_gain(f_hz: float, fs: float, low_hz: float, high_hz: float) -> float:
    """|H(e^{jw})| of low-pass(high) - low-pass(low), each H_a(z) = a / (1 - (1 - a) z^-1),
    a = 1 - exp(-2 pi fc / fs)."""
    z_inv = complex(math.cos(2 * math.pi * f_hz / fs), -math.sin(2 * math.pi * f_hz / fs))

    def h(fc):
        a = 1 - math.exp(-2 * math.pi * fc / fs)
        return a / (1 - (1 - a) * z_inv)

    return abs(h(high_hz) - h(low_hz))


def test_iir_bandpass_removes_dc_and_passes_in_band_with_the_theoretical_gain():
    low, high, f = 0.5, 3.0, 1.5
    expected = iir_theoretical_gain(f, FPS, low, high)
    # A first-order difference passes the band only partially (about 0.71 at 1.5 Hz here); DC gets exactly 0.
    assert 0.3 < expected < 0.9 and iir_theoretical_gain(0.0, FPS, low, high) < 1e-12
    n = 900
    x = (0.7 + 0.3 * sinusoid(f, n)).float().unsqueeze(1)
    y = iir_bandpass(x, FPS, low, high)[300:, 0]  # steady state: transients decay within ~10/(a_low) frames
    assert abs(amplitude_at(y, f) / 0.3 / expected - 1) < 0.02
    assert abs(float(y.mean())) < 0.01 * 0.3
    const = iir_bandpass(torch.full((50, 4, 5), 0.7), FPS, low, high)
    assert const.abs().max().item() == 0.0


@pytest.mark.parametrize("low, high, fs", [(-0.1, 1.0, 30), (2.0, 1.0, 30), (1.0, 1.0, 30), (1.0, 15.5, 30),
                                           (1.0, 3.0, 0.0), (float("nan"), 3.0, 30)])
@pytest.mark.parametrize("band_pass", [ideal_bandpass, iir_bandpass])
def test_invalid_band_raises(band_pass, low, high, fs):
    with pytest.raises(MMKitError):
        band_pass(torch.zeros(64, 3), fs, low, high)


def test_ideal_bandpass_refuses_a_band_without_frequency_bins():
    with pytest.raises(MMKitError, match="no frequency bin"):
        ideal_bandpass(torch.zeros(16, 3), 30.0, 0.4, 1.0)  # bins are 1.875 Hz apart


# ---------------------------------------------------------------- magnification

def render(d: np.ndarray, gratings, contrast: float = 0.12) -> np.ndarray:
    """(T, H, W, 3) float32 grey frames of a sum of cosine gratings rendered analytically at x - d(t)."""
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    frames = [0.5 + sum(contrast * np.cos(2 * np.pi * ((x - dt) / lx + y / ly) + ph) for lx, ly, ph in gratings)
              for dt in d]
    return np.repeat(np.stack(frames).astype(np.float32)[..., None], 3, axis=-1)


def measured_gain(frames: np.ndarray, d: np.ndarray, border: int = 8) -> float:
    """Motion gain of a clip: least-squares optical flow of every frame against frame 0,
    d_t = -sum(I_t - I_0) I_x / sum(I_x^2) on the grey image (8 px border dropped), regressed on d(t)."""
    g = frames.astype(np.float64).mean(-1)[:, border:-border, border:-border]
    ix = np.gradient(frames[0].astype(np.float64).mean(-1), axis=1)[border:-border, border:-border]
    flow = -((g - g[0]) * ix).sum((1, 2)) / (ix ** 2).sum()
    dc = d - d.mean()
    return float((flow - flow.mean()) @ dc / (dc @ dc))


SMOOTH = [(32, np.inf, 0.0), (48, 64, 1.0)]  # wavelengths 32 px and 38 px
FINE = [(8, np.inf, 0.0), (8, 32, 1.0)]      # wavelength 8 px
t_frames = np.arange(T)


def test_small_motion_is_magnified_by_one_plus_alpha():
    """0.05 px at 2 Hz, alpha 10, band 1-3 Hz: the output moves (1 + alpha) times as far, within 15 %.

    lambda_c = 0 switches off the wavelength attenuation, to test the first-order model itself. Measured:
    input gain 1.005, output gain 9.71 (0.88 of 11; 7.33 with the default lambda_c = 16). The shortfall is
    expected: 2 Hz is not on a DFT bin of 64 frames at 30 fps, so the ideal filter keeps ~95 % of it, and
    ~6 % of the pattern's gradient sits in the finest band and the residual, which Wu's convention leaves
    unamplified.
    """
    alpha, d = 10.0, 0.05 * np.sin(2 * np.pi * 2.0 * t_frames / FPS)
    clip = render(d, SMOOTH)
    out = magnify_linear(clip, LinearConfig(alpha=alpha, low_hz=1.0, high_hz=3.0, lambda_c=0.0), fps=FPS)
    assert out.shape == clip.shape and out.dtype == np.float32
    assert abs(measured_gain(clip, d) - 1) < 0.03  # the estimator itself is sound
    assert abs(measured_gain(out, d) / (1 + alpha) - 1) < 0.15
    # with the default cut-off wavelength lambda_c = 16 px the finer levels get less gain: less, but still > 1
    damped = magnify_linear(clip, LinearConfig(alpha=alpha, low_hz=1.0, high_hz=3.0), fps=FPS)
    assert 2.0 < measured_gain(damped, d) < measured_gain(out, d) - 1.0


def test_large_motion_on_fine_texture_breaks_the_linear_approximation():
    """Wu et al.'s bound (1 + alpha) delta < lambda / 8: 21 * 2 px = 42 px >> 8 / 8 = 1 px.

    The same 8 px texture moving 0.05 px is magnified about 10x (the finest band, which holds about half of
    an 8 px texture, is never amplified); moving 2 px, the amplified intensity differences overshoot and
    clip instead of moving the pattern, and the measured gain collapses (measured: 10.5 vs 0.27).
    lambda_c = 0 so the attenuation that would protect against this is off.
    """
    alpha = 20.0
    cfg = LinearConfig(alpha=alpha, low_hz=1.0, high_hz=3.0, lambda_c=0.0)
    gains = {}
    for amp in (0.05, 2.0):
        d = amp * np.sin(2 * np.pi * 2.0 * t_frames / FPS)
        clip = render(d, FINE)
        gains[amp] = measured_gain(magnify_linear(clip, cfg, fps=FPS), d) / measured_gain(clip, d)
    assert gains[0.05] > 0.4 * (1 + alpha)  # small motion: magnified
    assert gains[2.0] < 0.6 * (1 + alpha) and gains[2.0] < 0.25 * gains[0.05]


def test_level_alphas_follow_the_bound_and_spare_finest_and_residual():
    gains = level_alphas(64, 96, 5, alpha=10.0, lambda_c=16.0)
    assert gains[0] == 0.0 and gains[-1] == 0.0
    assert gains[1] < gains[2] < gains[3] == 10.0  # coarse levels (lambda_k >= lambda_c) get the full alpha
    lam_1 = math.hypot(64, 96) / 3 / 2 ** 3  # level 1 stands for 1/8 of the coarsest level's wavelength
    assert gains[1] == pytest.approx(11 * lam_1 / 16 - 1)
    assert level_alphas(64, 96, 5, alpha=10.0, lambda_c=0.0) == [0.0, 10.0, 10.0, 10.0, 0.0]
    assert level_alphas(64, 96, 5, alpha=10.0, lambda_c=1000.0) == [0.0] * 5


def uint8_clip(n: int = 16, h: int = 32, w: int = 48) -> np.ndarray:
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:h, 0:w]
    base = 128 + 60 * np.sin(2 * np.pi * x / 16) * np.cos(2 * np.pi * y / 24)
    frames = base[None, :, :, None] + np.array([0, 20, -30]) + rng.normal(0, 3, (n, h, w, 3))
    return np.clip(frames, 0, 255).astype(np.uint8)


def test_uint8_in_gives_uint8_out_and_alpha_zero_returns_the_input():
    clip = uint8_clip()
    out = magnify_linear(clip, LinearConfig(alpha=5.0, low_hz=1.0, high_hz=5.0), fps=FPS)
    assert out.shape == clip.shape and out.dtype == np.uint8
    for filt in ("ideal", "iir"):
        same = magnify_linear(clip, LinearConfig(alpha=0.0, low_hz=1.0, high_hz=5.0, filter=filt), fps=FPS)
        assert np.abs(same.astype(int) - clip.astype(int)).max() <= 1


@pytest.mark.parametrize("frames, match", bad_frames(8))
def test_magnify_rejects_bad_frames(frames, match):
    with pytest.raises(MMKitError, match=match):
        magnify_linear(frames, LinearConfig(low_hz=1.0, high_hz=5.0), fps=FPS)


@pytest.mark.parametrize("kwargs, match", [
    ({"alpha": -1.0}, "alpha"), ({"alpha": float("inf")}, "alpha"), ({"levels": 2}, "levels"),
    ({"filter": "butter"}, "filter"), ({"lambda_c": float("nan")}, "lambda_c"), ({"fps": 0.0}, "fps"),
])
def test_config_rejects_bad_values(kwargs, match):
    with pytest.raises(MMKitError, match=match):
        LinearConfig(**kwargs)


def test_magnify_checks_band_against_fps_and_the_memory_estimate():
    clip = uint8_clip()
    with pytest.raises(MMKitError, match="Nyquist"):
        magnify_linear(clip, LinearConfig(low_hz=1.0, high_hz=20.0), fps=FPS)
    with pytest.raises(MMKitError, match="Nyquist"):  # cfg.fps overrides the video's
        magnify_linear(clip, LinearConfig(low_hz=1.0, high_hz=5.0, fps=8.0), fps=FPS)
    with pytest.raises(MMKitError, match="GiB"):
        magnify_linear(clip, LinearConfig(low_hz=1.0, high_hz=5.0), fps=FPS, max_memory_gb=1e-4)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu():
    clip = uint8_clip().astype(np.float32) / 255
    cfg = LinearConfig(alpha=10.0, low_hz=1.0, high_hz=5.0)
    cpu = magnify_linear(clip, cfg, fps=FPS)
    gpu = magnify_linear(clip, cfg, fps=FPS, device="cuda")
    assert np.abs(cpu - gpu).max() < 1e-4
