"""Complex steerable pyramid: exact reconstruction, tight frame, band selectivity, phase of a shift, pyrtools."""
import math

import numpy as np
import pytest
import torch

from mmkit.classical.steerable import SteerablePyramid, angular_constant, max_depth
from mmkit.errors import MMKitError


@pytest.mark.parametrize("size", [(64, 64), (37, 52), (33, 33), (31, 47), (48, 80)])
@pytest.mark.parametrize("per_octave", [1, 2, 4])
@pytest.mark.parametrize("n_orient", [2, 4, 8])
def test_build_then_collapse_returns_the_input(size, per_octave, n_orient):
    pyr = SteerablePyramid(*size, n_orientations=n_orient, filters_per_octave=per_octave)
    x = torch.rand(2, *size, generator=torch.Generator().manual_seed(sum(size)))
    p = pyr.build(x)
    assert all(b.dtype == torch.complex64 for b in p.bands) and p.highpass.dtype == torch.float32
    assert len(p.bands) == n_orient * per_octave * max_depth(*size)
    assert (pyr.collapse(p) - x).abs().max().item() < 1e-4  # measured: < 6e-7


def _flip(f: torch.Tensor) -> torch.Tensor:
    """F(-w) on the centred grid: index i <-> 2c - i with c = n // 2 (for even n the Nyquist row maps to itself)."""
    h, w = f.shape
    rows = (2 * (h // 2) - torch.arange(h)) % h
    cols = (2 * (w // 2) - torch.arange(w)) % w
    return f[rows][:, cols]


@pytest.mark.parametrize("size", [(64, 64), (37, 52), (31, 47)])
@pytest.mark.parametrize("per_octave", [1, 2, 4])
def test_filters_form_a_tight_frame(size, per_octave):
    """sum over all filters of the symmetrised power (|F(w)|^2 + |F(-w)|^2) / 2 is 1 at every frequency,
    so the band energies of a real image add up to its energy (Parseval)."""
    pyr = SteerablePyramid(*size, n_orientations=4, filters_per_octave=per_octave)
    bands = sum(pyr.filter_response(i) ** 2 for i in range(len(pyr.bands)))
    total = pyr.filter_response("highpass") ** 2 + pyr.filter_response("lowpass") ** 2 + (bands + _flip(bands)) / 2
    assert (total - 1).abs().max().item() < 1e-5
    x = torch.rand(*size, generator=torch.Generator().manual_seed(1), dtype=torch.float32)
    p = pyr.build(x)
    h, w = size
    energy = (p.highpass ** 2).sum() + (p.lowpass ** 2).sum() * (h * w) / p.lowpass.numel()
    energy = energy + sum((b.abs() ** 2).sum() * (h * w) / b.numel() for b in p.bands)
    assert energy.item() == pytest.approx((x ** 2).sum().item(), rel=1e-5)


def grating(size, fx, fy, shift=(0.0, 0.0)):
    """cos(2 pi (fx (x - dx) + fy (y - dy))), rendered exactly."""
    y, x = np.mgrid[0:size[0], 0:size[1]].astype(np.float64)
    return torch.from_numpy(np.cos(2 * np.pi * (fx * (x - shift[0]) + fy * (y - shift[1])))).float()


@pytest.mark.parametrize("per_octave, cycles, scale, orient", [
    (1, (8, 0), 1, 0),    # r = pi/4, the centre of octave band 1, horizontal frequency
    (2, (8, 8), 2, 1),    # r = pi 2^-1.5, half-octave band 2, 45 degrees
    (4, (0, 16), 3, 2),   # r = pi/2, quarter-octave band 3, vertical frequency
])
def test_a_grating_lands_in_its_band_and_orientation(per_octave, cycles, scale, orient):
    """A grating on a band's centre frequency and orientation: that band holds c_K^2 = 0.8 of its energy
    (K = 4), the neighbouring orientations of the same scale the rest, other scales nothing."""
    size = (64, 64)
    pyr = SteerablePyramid(*size, n_orientations=4, filters_per_octave=per_octave)
    x = grating(size, cycles[0] / 64, cycles[1] / 64)
    p = pyr.build(x)
    energy = torch.tensor([(b.abs() ** 2).sum() * 64 * 64 / b.numel() for b in p.bands])
    energy = energy / (x ** 2).sum()
    best = int(energy.argmax())
    assert (pyr.bands[best].scale, pyr.bands[best].orientation) == (scale, orient)
    assert energy[best].item() == pytest.approx(angular_constant(4) ** 2, abs=1e-4)
    same_scale = sum(energy[i].item() for i, b in enumerate(pyr.bands) if b.scale == scale)
    assert same_scale == pytest.approx(1.0, abs=1e-4)
    assert pyr.bands[best].wavelength == pytest.approx(64 / math.hypot(*cycles))


@pytest.mark.parametrize("d", [(0.1, 0.0), (0.37, -0.21), (-0.05, 0.6)])
def test_a_subpixel_shift_changes_the_band_phase_by_omega_d(d):
    size, cyc = (48, 64), (6, 4)   # on the DFT grid of both sides: exactly periodic
    f = (cyc[0] / size[1], cyc[1] / size[0])
    pyr = SteerablePyramid(*size, n_orientations=4, filters_per_octave=2)
    a, b = pyr.build(grating(size, *f)), pyr.build(grating(size, *f, shift=d))
    omega_d = 2 * math.pi * (f[0] * d[0] + f[1] * d[1])
    checked = 0
    for ba, bb in zip(a.bands, b.bands):
        strong = ba.abs() > 0.05 * ba.abs().max().clamp_min(1e-3)
        if ba.abs().max() < 1e-2:
            continue
        dphi = torch.angle(bb * ba.conj())[strong]
        # the grating moves by d, so its phase w.(x - d) drops by w.d at every sample
        assert torch.allclose(dphi, torch.full_like(dphi, -omega_d), atol=1e-4)
        checked += 1
    assert checked >= 2


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(MMKitError, match="n_orientations"):
        SteerablePyramid(32, 32, n_orientations=1)
    with pytest.raises(MMKitError, match="filters_per_octave"):
        SteerablePyramid(32, 32, filters_per_octave=3)
    with pytest.raises(MMKitError, match="8x8"):
        SteerablePyramid(6, 32)
    with pytest.raises(MMKitError, match="depth"):
        SteerablePyramid(32, 32, depth=0)
    with pytest.raises(MMKitError, match="32x32"):
        SteerablePyramid(32, 32).build(torch.zeros(31, 32))


@pytest.mark.parametrize("size", [(64, 64), (64, 96)])
def test_octave_bands_match_pyrtools(size):
    """pyrtools' complex SteerablePyramidFreq (independent, numpy): band (i, b) has the spectrum
    sqrt(2) (-i)^(K-1) times ours (its angular window is 2 c_K cos^(K-1), ours sqrt(2) c_K cos^(K-1)).
    pyrtools' grid has no zero frequency for odd sizes, so only even sizes are compared."""
    pt = pytest.importorskip("pyrtools")
    h, w = size
    x = np.random.default_rng(0).random(size)
    ref = pt.pyramids.SteerablePyramidFreq(x, order=3, is_complex=True)
    pyr = SteerablePyramid(h, w, n_orientations=4, filters_per_octave=1)
    assert ref.num_scales == pyr.depth
    spec = torch.fft.fftshift(torch.fft.fft2(torch.from_numpy(x)))
    worst = 0.0
    for i, band in enumerate(pyr.bands):
        ours = pyr.filter_response(i).double() * spec * math.sqrt(2) * (-1j) ** 3
        theirs_band = np.fft.fftshift(np.fft.fft2(ref.pyr_coeffs[(band.scale, band.orientation)]))
        theirs = torch.zeros(h, w, dtype=torch.complex128)
        bh, bw = theirs_band.shape
        theirs[h // 2 - bh // 2:h // 2 - bh // 2 + bh, w // 2 - bw // 2:w // 2 - bw // 2 + bw] = \
            torch.from_numpy(theirs_band)
        worst = max(worst, ((ours - theirs).abs().max() / spec.abs().max()).item())
    assert worst < 1e-5  # measured 2.5e-7 of the largest spectrum value (pyrtools tabulates its windows)
    hp = pyr.build(torch.from_numpy(x).float()).highpass.double().numpy()
    assert np.abs(hp - ref.pyr_coeffs["residual_highpass"]).max() < 1e-5  # measured 2e-6 (float32)
