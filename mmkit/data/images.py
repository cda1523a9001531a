"""Photographic textures from matplotlib's bundled sample images, moved by exact sub-pixel amounts.

:func:`sample_images` loads the images matplotlib ships in ``mpl-data/sample_data`` (no network, no new
dependency): a photograph (Grace Hopper), two RGBA drawings (a gift box icon, the matplotlib logo), two
elevation maps (shown through a colour map) and an MRI slice.

:class:`ImageTexture` turns a crop of one of them into a *continuous* texture with the interface of
:class:`~mmkit.data.render.FourierTexture` (``grid(xs, ys) -> (H, W, 3)``), so it can be the background
of :func:`~mmkit.data.render.render` or the texture of a :class:`~mmkit.data.render.Shape`.
Moving it by ``d`` is sampling ``I(x - d)`` of a band-limited function: exact, no resampling blur.

How the crop becomes a band-limited function:

* **Seams.** The ``N x N`` crop is mirrored into a ``2N x 2N`` image (half-sample symmetric:
  ``a0 .. a(N-1), a(N-1) .. a0``), which is periodic with no jump at its seams (only a kink, so its
  Fourier coefficients fall as ``1/k^2``, not ``1/k``). A mirrored periodic image has a Fourier series
  of cosines only: ``I(u) = sum_k c_k cos(pi k (u + 1/2) / N)`` per axis, where ``c`` is the DCT-II of
  the crop (scaled by ``1/N``, ``2/N``). This *is* the complex Fourier series of the ``2N x 2N`` mirrored
  image (its ``+k`` and ``-k`` terms paired up), evaluated with real arithmetic and half the frequencies.
* **Evaluation.** Separable: with ``Ey`` (H, Ky) and ``Ex`` (W, Kx) the cosine matrices at the requested
  coordinates, ``I = Ey @ C @ Ex.T`` per colour: two matrix products, exact for any real ``xs``, ``ys``.
* **Anti-alias cut-off.** Frequencies at or above ``cutoff`` (default 0.4 cycles per *output* pixel) are
  zeroed, so the rendered frame has no energy near Nyquist (0.5) and sampling it at any offset does not
  alias. The top ``rolloff`` fraction of the pass band (default a quarter) is a raised-cosine ramp rather
  than a brick wall, which keeps the Gibbs ringing at sharp edges low. The zeroed coefficients are
  dropped, which keeps the matrices small (``Kx ~ 0.8 N``).
* **Zoom.** The texture is the crop magnified ``zoom`` times: output pixel ``x`` shows source
  coordinate ``u = x / zoom``, so a source frequency ``f`` (cycles/source px) appears at ``f / zoom``
  cycles/output px. Two limits apply: the output limit ``f / zoom < cutoff``, i.e. ``f < cutoff * zoom``,
  which binds when ``zoom < 1`` (shrinking); and the source's own limit ``f < SOURCE_CUTOFF`` = 0.4,
  which binds when ``zoom >= 1`` (what is near the source's Nyquist frequency is mostly JPEG and
  demosaicing residue, and its interpolation is ambiguous). So the kept band is
  ``f < min(SOURCE_CUTOFF, cutoff * zoom)`` source cycles/px; with ``zoom`` in [1, 2] that is 0.4 cycles
  per source px, i.e. at most ``0.4 / zoom`` <= 0.4 cycles per output px.
* The texture is periodic with period ``2 N zoom`` output px; a mirrored copy of the crop starts
  ``N zoom`` px from the origin (beyond a 128 px frame for the default 128 px crop).

Output is clipped to [0, 1], like :class:`~mmkit.data.render.FourierTexture` (clipping is pointwise, so
a shifted clipped frame is still exactly the clipped function sampled at ``x - d``).
"""
from __future__ import annotations

import functools
import gzip

import numpy as np

from ..errors import MMKitError
from .render import FourierTexture, random_texture

#: Source band limit, cycles per source pixel (see the module notes on zoom).
SOURCE_CUTOFF = 0.4
#: RGBA drawings are composited over this grey.
MATTE = 0.5


# --------------------------------------------------------------------------------------------------------
# Sample images
# --------------------------------------------------------------------------------------------------------

def _sample_path(name: str):
    from matplotlib import cbook
    return cbook.get_sample_data(name, asfileobj=False)


def _rgb(img: np.ndarray) -> np.ndarray:
    """uint8 / float, grey / RGB / RGBA to float64 RGB in [0, 1]; alpha composited over :data:`MATTE`."""
    img = np.asarray(img)
    img = img / 255.0 if img.dtype == np.uint8 else img.astype(np.float64)
    if img.ndim == 2:
        img = img[..., None]
    if img.shape[-1] == 4:
        alpha = img[..., 3:]
        img = img[..., :3] * alpha + MATTE * (1 - alpha)
    if img.shape[-1] == 1:
        img = np.repeat(img, 3, axis=-1)
    return np.clip(img[..., :3], 0.0, 1.0)


def _picture(filename: str) -> np.ndarray:
    import matplotlib.image as mpimg
    return _rgb(mpimg.imread(_sample_path(filename)))


def _elevation(filename: str, key: str, cmap: str) -> np.ndarray:
    """An elevation map, normalised to [0, 1] by its range and shown through a matplotlib colour map."""
    import matplotlib

    with np.load(_sample_path(filename)) as z:
        elev = z[key].astype(np.float64)
    elev = (elev - elev.min()) / max(elev.max() - elev.min(), 1e-12)
    return _rgb(matplotlib.colormaps[cmap](elev)[..., :3])


def _mri() -> np.ndarray:
    """The 256 x 256 MRI slice: raw big-endian uint16 (values 0 .. 215), normalised by its maximum."""
    with gzip.open(_sample_path("s1045.ima.gz"), "rb") as f:
        img = np.frombuffer(f.read(), dtype=">u2").reshape(256, 256).astype(np.float64)
    return _rgb(img / max(img.max(), 1.0))


_LOADERS = {
    "grace_hopper": lambda: _picture("grace_hopper.jpg"),                       # 600 x 512 photograph
    "gift_box": lambda: _picture("Minduka_Present_Blue_Pack.png"),             # 128 x 128 RGBA icon
    "logo": lambda: _picture("logo2.png"),                                      # 130 x 542 RGBA logo
    "jacksboro_fault": lambda: _elevation("jacksboro_fault_dem.npz", "elevation", "gist_earth"),  # 344 x 403
    "topobathy": lambda: _elevation("topobathy.npz", "topo", "terrain"),        # 91 x 120
    "mri": _mri,                                                                # 256 x 256
}


@functools.lru_cache(maxsize=None)
def _load_all() -> tuple[tuple[str, np.ndarray], ...]:
    images = []
    for name, load in _LOADERS.items():
        try:
            img = load()
        except (OSError, ValueError, KeyError):  # a stripped matplotlib install: skip what is missing
            continue
        img.setflags(write=False)
        images.append((name, img))
    return tuple(images)


def sample_images() -> dict[str, np.ndarray]:
    """matplotlib's sample images that load here, as read-only float64 RGB (H, W, 3) in [0, 1].

    Loaded once per process and cached; each call returns a new dict of the same (read-only) arrays.

    Examples:
        >>> imgs = sample_images()
        >>> sorted(imgs)
        ['gift_box', 'grace_hopper', 'jacksboro_fault', 'logo', 'mri', 'topobathy']
        >>> imgs["mri"].shape, imgs["mri"].dtype
        ((256, 256, 3), dtype('float64'))
    """
    images = dict(_load_all())
    if not images:
        raise MMKitError("none of matplotlib's sample images could be read (mpl-data/sample_data missing?); "
                         "reinstall matplotlib")
    return images


# --------------------------------------------------------------------------------------------------------
# The texture
# --------------------------------------------------------------------------------------------------------

def lowpass_weights(n: int, cut: float, rolloff: float = 0.25) -> np.ndarray:
    """Weights of the cosine frequencies ``k / (2 n)`` cycles/px, ``k = 0, 1, ...``, that are kept.

    1 up to ``(1 - rolloff) * cut``, a raised-cosine ramp down to 0 at ``cut``; only ``k / (2 n) < cut``
    is returned (never beyond ``k = n - 1``, the last frequency the mirrored crop has).
    """
    k = np.arange(min(n, int(np.ceil(2 * n * cut))))
    f = k / (2 * n)
    f = f[f < cut]
    f1 = (1 - rolloff) * cut
    if rolloff <= 0:
        return np.ones_like(f)
    ramp = np.cos(0.5 * np.pi * np.clip((f - f1) / (cut - f1), 0.0, 1.0)) ** 2
    return np.where(f <= f1, 1.0, ramp)


def _dct_analysis(n: int, weights: np.ndarray) -> np.ndarray:
    """(K, n) matrix: the weighted cosine-series coefficients of a length-n sequence, mirrored to 2n."""
    k = np.arange(len(weights))[:, None]
    scale = np.where(k == 0, 1.0, 2.0) / n
    return weights[:, None] * scale * np.cos(np.pi * k * (2 * np.arange(n) + 1) / (2 * n))


def _orient(crop: np.ndarray, orient: int) -> np.ndarray:
    """One of the 8 symmetries of the square: bit 0 transposes, bit 1 flips rows, bit 2 flips columns."""
    if orient & 1:
        crop = crop.transpose(1, 0, 2)
    if orient & 2:
        crop = crop[::-1]
    if orient & 4:
        crop = crop[:, ::-1]
    return crop


class ImageTexture:
    """A crop of a sample image as a band-limited, periodic, continuous RGB texture (see the module notes).

    ``image`` is a sample name (a key of :func:`sample_images`) or an (H, W, 3) array in [0, 1]; the crop is
    ``image[y0:y0+size, x0:x0+size]``, shown ``zoom`` times larger with its pixel ``(0, 0)`` at ``x = y = 0``.
    ``orient`` transforms the crop first: bit 0 transposes it, bit 1 flips it upside down, bit 2 left-right
    (the 8 symmetries of the square). Colour channel ``c`` of the crop becomes ``gain[c] * value + offset[c]``
    (a scalar applies to all three).

    Examples:
        >>> tex = ImageTexture("grace_hopper", 200, 150, 64, zoom=1.5)
        >>> frame = tex.grid(np.arange(48) - 0.25, np.arange(32) + 0.5)  # moved by (0.25, -0.5) px
        >>> frame.shape, bool(0 <= frame.min() and frame.max() <= 1)
        ((32, 48, 3), True)
        >>> tex.period   # 2 * size * zoom
        192.0
    """

    def __init__(self, image: str | np.ndarray, y0: int, x0: int, size: int, zoom: float = 1.0, *,
                 orient: int = 0, gain=1.0, offset=0.0, cutoff: float = 0.4,
                 rolloff: float = 0.25) -> None:
        if isinstance(image, str):
            images = sample_images()
            if image not in images:
                raise MMKitError(f"unknown sample image {image!r}; choose one of {sorted(images)}")
            self.name, image = image, images[image]
        else:
            self.name = "array"
        image = np.asarray(image, dtype=np.float64)
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"image must be (H, W, 3), got {image.shape}")
        h, w = image.shape[:2]
        if not (0 <= y0 and 0 <= x0 and size >= 2 and y0 + size <= h and x0 + size <= w):
            raise ValueError(f"crop ({y0}, {x0}) of size {size} does not fit in an image of {image.shape[:2]}")
        if not zoom > 0:
            raise ValueError(f"zoom must be positive, got {zoom}")
        if not 0 < cutoff <= 0.5 or not 0 <= rolloff < 1:
            raise ValueError("need 0 < cutoff <= 0.5 and 0 <= rolloff < 1")
        gain, offset = (np.broadcast_to(np.asarray(v, np.float64), (3,)) for v in (gain, offset))
        crop = _orient(image[y0:y0 + size, x0:x0 + size], orient)
        self.crop = np.ascontiguousarray(crop * gain + offset)
        self.crop.setflags(write=False)
        self.y0, self.x0, self.size, self.zoom = int(y0), int(x0), int(size), float(zoom)
        self.orient, self.gain, self.offset = int(orient), tuple(map(float, gain)), tuple(map(float, offset))
        self.cutoff, self.rolloff = float(cutoff), float(rolloff)
        #: Kept band in cycles per source pixel.
        self.source_cut = min(SOURCE_CUTOFF, cutoff * zoom)
        self.weights = lowpass_weights(size, self.source_cut, rolloff)
        analysis = _dct_analysis(size, self.weights)                        # (K, N)
        coef = analysis @ self.crop.transpose(2, 0, 1) @ analysis.T        # (3, Ky, Kx)
        self.coef = np.ascontiguousarray(coef)
        self.coef.setflags(write=False)
        k = len(self.weights)
        self._coef_y = np.ascontiguousarray(coef.transpose(1, 0, 2)).reshape(k, 3 * k)  # [ky, (c, kx)]
        self._coef_x = np.ascontiguousarray(coef.transpose(2, 0, 1)).reshape(k, 3 * k)  # [kx, (c, ky)]

    @classmethod
    def random(cls, rng: np.random.Generator, size: int = 128, zoom_range: tuple[float, float] = (1.0, 2.0),
               gain_range: tuple[float, float] = (0.6, 0.88), margin: float = 0.06, min_std: float = 0.05,
               names: tuple[str, ...] | None = None, **kwargs) -> "ImageTexture":
        """A random sample image (of ``names``, default all), crop (``size`` px, or the image's short side if smaller), zoom, one of
        the 8 flips/transpositions and colour; the same for the same ``rng`` state.

        Colour: channel ``c`` becomes ``gain[c] * value + offset[c]`` with ``gain ~ U(gain_range)`` and the
        offset uniform such that [0, 1] maps inside ``[margin, 1 - margin]`` (room for ringing at sharp
        edges before the clip). A crop whose part seen by a ``size`` px frame at the origin (the top-left
        ``size / zoom`` source px, after orientation) is flatter than ``min_std`` (luminance std), e.g. the
        black corners of the MRI, is drawn again (up to 20 times).
        """
        images = sample_images()
        names = sorted(images) if names is None else sorted(n for n in names if n in images)
        if not names:
            raise MMKitError("none of the sample images asked for could be read; reinstall matplotlib")
        name = names[int(rng.integers(len(names)))]
        img = images[name]
        zoom = float(rng.uniform(*zoom_range))
        orient = int(rng.integers(8))
        n = min(size, img.shape[0], img.shape[1])
        seen = min(n, int(np.ceil(size / zoom)))
        for _ in range(20):
            y0, x0 = int(rng.integers(img.shape[0] - n + 1)), int(rng.integers(img.shape[1] - n + 1))
            view = _orient(img[y0:y0 + n, x0:x0 + n], orient)[:seen, :seen]
            if (view @ np.array([0.299, 0.587, 0.114])).std() >= min_std:
                break
        gain = rng.uniform(*gain_range, 3)
        offset = margin + rng.uniform(0, 1, 3) * np.maximum(1 - 2 * margin - gain, 0)
        return cls(name, y0, x0, n, zoom, orient=orient, gain=gain, offset=offset, **kwargs)

    @property
    def period(self) -> float:
        """The texture repeats every ``2 * size * zoom`` px in x and y."""
        return 2 * self.size * self.zoom

    def _basis(self, coords: np.ndarray) -> np.ndarray:
        """(..., K) cosine basis at output coordinates."""
        u = np.asarray(coords, dtype=np.float64)[..., None] / self.zoom
        return np.cos(np.pi * np.arange(len(self.weights)) * (u + 0.5) / self.size)

    def grid(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Evaluate on the grid ``xs`` (W,) x ``ys`` (H,); returns C-contiguous (H, W, 3) float64 in [0, 1].

        ``I_c = Ey @ C_c @ Ex.T`` for the three colours as two plain 2-D matrix products: the colours ride
        along in the inner dimension, ``(H, Ky) @ (Ky, 3 Kx)`` then ``(3 H, Kx) @ (Kx, W)``, and the
        shorter side is contracted first (costs ``3 K (H K + H W)`` against ``3 K (W K + H W)``).
        """
        ex, ey = self._basis(np.ravel(xs)), self._basis(np.ravel(ys))   # (W, K), (H, K)
        h, w, k = len(ey), len(ex), len(self.weights)
        if h <= w:
            out = (ey @ self._coef_y).reshape(h * 3, k) @ ex.T          # (3 H, W), rows (y, c)
            out = out.reshape(h, 3, w).transpose(0, 2, 1)
        else:
            out = (ex @ self._coef_x).reshape(w * 3, k) @ ey.T          # (3 W, H), rows (x, c)
            out = out.reshape(w, 3, h).transpose(2, 0, 1)
        out = np.ascontiguousarray(out)
        return np.clip(out, 0.0, 1.0, out=out)

    def __call__(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Evaluate at coordinate arrays ``x``, ``y`` of one shape S; returns (*S, 3) (slower than grid)."""
        x, y = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(y, np.float64))
        xf, yf = x.ravel(), y.ravel()
        out = np.empty((xf.size, 3))
        rows = self.coef.transpose(1, 0, 2)                 # (Ky, 3, Kx)
        for s in range(0, xf.size, 4096):
            ey, ex = self._basis(yf[s:s + 4096]), self._basis(xf[s:s + 4096])
            t = np.tensordot(ey, rows, axes=(1, 0))          # (n, 3, Kx)
            out[s:s + 4096] = np.einsum("nck,nk->nc", t, ex)
        return np.clip(out.reshape(*x.shape, 3), 0.0, 1.0)

    def __repr__(self) -> str:
        return (f"ImageTexture({self.name!r}, y0={self.y0}, x0={self.x0}, size={self.size}, zoom={self.zoom:.3f}, "
                f"orient={self.orient}, gain=({', '.join(f'{g:.3f}' for g in self.gain)}), "
                f"offset=({', '.join(f'{o:.3f}' for o in self.offset)}))")


def random_background(rng: np.random.Generator, size: int, p_image: float = 0.5, crop: int = 128,
                      names: tuple[str, ...] | None = None, **texture_kwargs) -> ImageTexture | FourierTexture:
    """With probability ``p_image`` an :meth:`ImageTexture.random` (``crop`` px, of the sample images ``names``,
    default all), else a
    :func:`~mmkit.data.render.random_texture` with periods 3 to ``size`` px (``texture_kwargs`` override).

    ``size`` is the frame side; with a ``crop`` px crop a mirrored copy shows from ``crop * zoom`` px on.

    Examples:
        >>> bg = random_background(np.random.default_rng(0), 64)
        >>> bg.grid(np.arange(64.0), np.arange(64.0)).shape
        (64, 64, 3)
    """
    if rng.random() < p_image:
        return ImageTexture.random(rng, size=crop, names=names)
    return random_texture(rng, **{"min_period": 3.0, "max_period": float(size), **texture_kwargs})
