"""Photographic textures: sample images load; ImageTexture is an exact band-limited continuous function."""
import numpy as np
import pytest

from mmkit.data.images import ImageTexture, random_background, sample_images
from mmkit.data.render import Disc, FourierTexture, render
from mmkit.measure import phase_correlation

NAMES = ["gift_box", "grace_hopper", "jacksboro_fault", "logo", "mri", "topobathy"]


def _mirrored(crop: np.ndarray) -> np.ndarray:
    """The N x N crop as a 2N x 2N half-sample-symmetric periodic image."""
    m = np.concatenate([crop, crop[::-1]], 0)
    return np.concatenate([m, m[:, ::-1]], 1)


def _window(n2: int, cut: float, rolloff: float) -> np.ndarray:
    """Weight of each DFT frequency of a length-n2 period (written out here, not taken from the module)."""
    f = np.abs(np.fft.fftfreq(n2))
    f1 = (1 - rolloff) * cut
    ramp = np.cos(0.5 * np.pi * np.clip((f - f1) / max(cut - f1, 1e-12), 0, 1)) ** 2
    return np.where(f < cut, np.where(f <= f1, 1.0, ramp), 0.0)


def _ifft_reference(tex: ImageTexture, rolloff: float) -> np.ndarray:
    """The same Fourier synthesis by np.fft: low-passed DFT of the mirrored crop, at integer source points."""
    m = _mirrored(tex.crop)
    w = _window(len(m), tex.source_cut, rolloff)
    spec = np.fft.fft2(m, axes=(0, 1)) * (w[:, None] * w[None, :])[..., None]
    out = np.fft.ifft2(spec, axes=(0, 1))
    assert np.abs(out.imag).max() < 1e-12
    return np.clip(out.real, 0, 1)


def test_every_sample_image_loads_as_float_rgb_in_0_1():
    imgs = sample_images()
    assert sorted(imgs) == NAMES
    for name, img in imgs.items():
        assert img.ndim == 3 and img.shape[2] == 3 and min(img.shape[:2]) >= 64, name
        assert img.dtype == np.float64 and 0 <= img.min() and img.max() <= 1, name
        assert img.std() > 0.05, name                      # not blank
        assert not img.flags.writeable
    assert sample_images()["mri"] is imgs["mri"]           # cached, not reloaded
    mri = imgs["mri"]
    assert mri.shape == (256, 256, 3) and np.array_equal(mri[..., 0], mri[..., 2])  # grey to 3 channels


@pytest.mark.parametrize("rolloff", [0.0, 0.25])
@pytest.mark.parametrize("zoom", [1.0, 2.0])
def test_integer_points_reproduce_the_lowpassed_crop(rolloff, zoom):
    tex = ImageTexture("grace_hopper", 150, 200, 64, zoom, rolloff=rolloff)
    ref = _ifft_reference(tex, rolloff)                   # (128, 128, 3): one whole period of the source
    u = np.arange(-64, 192)                                # source points, over two periods
    got = tex.grid(zoom * u, zoom * u)
    np.testing.assert_allclose(got, ref[np.ix_(u % 128, u % 128)], atol=1e-6)
    # Low-passed, not the raw crop, but close to it.
    assert 0 < np.abs(got[64:128, 64:128] - tex.crop).mean() < 0.05


def test_call_matches_grid():
    tex = ImageTexture.random(np.random.default_rng(2), size=48)
    xs, ys = np.linspace(-5, 30, 7), np.linspace(3, 20, 5)
    np.testing.assert_allclose(tex(*np.meshgrid(xs, ys)), tex.grid(xs, ys), atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("zoom", [0.75, 1.0, 1.5])
def test_subpixel_shift_is_the_fourier_shift(seed, zoom):
    """Over one whole period, moving by d is multiplying the DFT by exp(-2 pi i f d): the shift is exact."""
    t = ImageTexture.random(np.random.default_rng(seed), size=64)
    # Contrast squeezed into [0.15, 0.85] so that ringing at sharp edges (up to ~11 % of a step) is not clipped.
    tex = ImageTexture(t.name, t.y0, t.x0, t.size, zoom, orient=t.orient, gain=np.multiply(0.7, t.gain), offset=0.15)
    p = int(round(tex.period))
    assert p == tex.period
    a = render(p, p, tex, [])
    assert 0 < a.min() and a.max() < 1                    # nothing clipped: the frame is band-limited
    f = np.fft.fftfreq(p)
    spec = np.fft.fft2(a, axes=(0, 1))
    for d in [(0.3, -0.2), (0.05, 0.0), (1.7, 0.4)]:
        ramp = np.exp(-2j * np.pi * (f[None, :] * d[0] + f[:, None] * d[1]))[..., None]
        np.testing.assert_allclose(render(p, p, tex, [], bg_shift=d),
                                   np.fft.ifft2(spec * ramp, axes=(0, 1)).real, atol=1e-9)


# Crops with enough texture everywhere for phase correlation to be accurate to a few thousandths of a pixel
# (on smooth or nearly flat crops its own bias, not the rendering, reaches a few hundredths).
TEXTURED = [("grace_hopper", 177, 384, 128), ("gift_box", 0, 0, 128), ("logo", 0, 255, 128),
            ("mri", 128, 48, 128), ("topobathy", 0, 16, 91)]


@pytest.mark.parametrize("crop", TEXTURED, ids=[c[0] for c in TEXTURED])
@pytest.mark.parametrize("zoom", [1.0, 1.5])
def test_rendered_shift_is_measured_back_within_002_px(crop, zoom):
    name, y0, x0, n = crop
    tex = ImageTexture(name, y0, x0, n, zoom)
    a = render(n, n, tex, [])
    for d in [(0.3, -0.2), (0.05, 0.0), (1.7, 0.4)]:
        assert np.allclose(phase_correlation(a, render(n, n, tex, [], bg_shift=d)), d, atol=0.02), d


def test_integer_shift_is_slicing_and_the_texture_is_periodic_and_mirrored():
    tex = ImageTexture.random(np.random.default_rng(7), size=64)
    h, w = 40, 56
    big = tex.grid(np.arange(-8, w + 8), np.arange(-8, h + 8))
    b = render(h, w, tex, [], bg_shift=(3, -5))            # xs = arange(w) - 3, ys = arange(h) + 5
    np.testing.assert_allclose(b, big[13:13 + h, 5:5 + w], atol=1e-12)
    assert np.array_equal(np.roll(big, -1, axis=1)[:, :-1], big[:, 1:])  # rolling and slicing agree
    xs = np.arange(-3.3, 20)
    np.testing.assert_allclose(tex.grid(xs + tex.period, xs - 2 * tex.period), tex.grid(xs, xs), atol=1e-9)
    one = ImageTexture(tex.name, tex.y0, tex.x0, tex.size, 1.0)  # mirror axis at -1/2 (zoom 1)
    np.testing.assert_allclose(one.grid(-1 - xs, xs), one.grid(xs, xs), atol=1e-12)


def test_random_is_deterministic_and_varied():
    a, b = ImageTexture.random(np.random.default_rng(11)), ImageTexture.random(np.random.default_rng(11))
    assert repr(a) == repr(b)
    xs = np.arange(32) + 0.5
    assert np.array_equal(a.grid(xs, xs), b.grid(xs, xs))
    texs = [ImageTexture.random(np.random.default_rng(s)) for s in range(30)]
    assert len({t.name for t in texs}) >= 4 and len({t.orient for t in texs}) >= 5
    assert all(1 <= t.zoom <= 2 and t.size == min(128, *sample_images()[t.name].shape[:2]) for t in texs)


def test_works_as_a_shape_texture():
    rng = np.random.default_rng(3)
    tex = ImageTexture("grace_hopper", 177, 384, 128)
    disc = Disc(tex, 64.0, 64.0, 44.0)
    bg = random_background(rng, 128, p_image=1.0)
    a = render(128, 128, bg, [disc])
    b = render(128, 128, bg, [disc], shifts=[(0.25, 0.0)])
    assert np.array_equal(a[:, :10], b[:, :10])             # the background stays put
    np.testing.assert_allclose(b[40:88, 40:88], tex.grid(np.arange(40, 88) - 0.25, np.arange(40, 88)),
                               atol=1e-12)                  # inside the disc: the texture, moved
    dx, dy = phase_correlation(a[36:92, 36:92], b[36:92, 36:92])
    assert abs(dx - 0.25) < 0.02 and abs(dy) < 0.02


def test_random_background_mixes_images_and_fourier_textures():
    kinds = [type(random_background(np.random.default_rng(s), 64)) for s in range(40)]
    assert set(kinds) == {ImageTexture, FourierTexture}
    assert isinstance(random_background(np.random.default_rng(0), 64, p_image=0.0), FourierTexture)
    assert isinstance(random_background(np.random.default_rng(0), 64, p_image=1.0), ImageTexture)
    a = random_background(np.random.default_rng(5), 64).grid(np.arange(64.0), np.arange(64.0))
    b = random_background(np.random.default_rng(5), 64).grid(np.arange(64.0), np.arange(64.0))
    assert np.array_equal(a, b)


def test_bad_crops_are_refused():
    with pytest.raises(ValueError):
        ImageTexture("topobathy", 0, 0, 128)               # 91 x 120 image
    with pytest.raises(ValueError):
        ImageTexture("mri", 0, 0, 64, zoom=0.0)
