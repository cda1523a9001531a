"""Complex steerable pyramid built in the frequency domain (Portilla & Simoncelli 2000; Wadhwa et al. 2013).

Every filter is a product of a radial and an angular window on the image's DFT grid, so building a pyramid is
one FFT, a multiplication per band and one inverse FFT per band; collapsing is the adjoint. Frequencies are in
radians per pixel: ``r = 2 pi |f|`` with ``f`` the DFT frequency in cycles/px (``r = pi`` is the Nyquist
frequency), ``theta = atan2(f_y, f_x)`` (``f_y`` along rows).

**Radial windows.** With ``n`` filters per octave (1: octave, 2: half-octave, 4: quarter-octave bandwidth) and
``u = log2(r)``, band ``j = 0 .. J-1`` (finest first) is centred at ``u_j = log2(pi) - (j + 1) / n``, i.e.
``r_j = pi * 2**(-(j + 1) / n)``, wavelength ``lambda_j = 2 pi / r_j = 2 * 2**((j + 1) / n)`` px, and is the
raised cosine in log-frequency

    ``R_j(r) = cos(pi / 2 * n * (u - u_j))`` for ``|u - u_j| < 1 / n``, else 0,

which spans ``2 / n`` octaves and overlaps each neighbour by half. The high-pass residual is ``R_{-1}`` on its
low side and 1 above ``r = pi`` (the corners of the spectrum); the low-pass residual is ``R_J`` on its high side
and 1 below. Because ``cos^2(a) + cos^2(a - pi/2) = 1``, the squares of all radial windows sum to 1 at every
frequency. For ``n = 1`` these are exactly Portilla & Simoncelli's windows (``twidth = 1``); for ``n > 1`` they
are the same raised cosine narrowed in log-frequency, the construction Wadhwa et al. (2013, Sec. 4 and their
supplement) describe for their sub-octave pyramids (our own derivation; not their code). The number of octaves
``depth`` defaults to ``floor(log2(min(H, W))) - 2`` (Portilla & Simoncelli's maximal height), so ``J = n * depth``
and the low-pass residual holds frequencies below ``pi / 2**depth`` for every ``n``.

**Angular windows.** ``K`` orientations ``theta_k = pi k / K`` and
``A_k(theta) = c_K cos(theta - theta_k)**(K - 1)`` with ``c_K**2 = 2**(2(K-1)) ((K-1)!)**2 / (K (2(K-1))!)``, for
which ``sum_k A_k**2 = 1`` (Freeman & Adelson's steerability; Portilla & Simoncelli). The *complex* filter keeps
one half-plane only: ``C_{j,k} = sqrt(2) R_j A_k [cos(theta - theta_k) > 0]``. Its output is analytic along
``theta_k``: a grating ``cos(w . x + p)`` with ``w`` in the band gives ``b(x) ~ a exp(i (w . x + p))``, so the
band's phase is the grating's local phase and a shift of the input by ``d`` px changes it by ``w . d``
(the property phase-based magnification uses).

**Tight frame.** For a real image ``x`` with spectrum ``X``, ``X(-w) = conj(X(w))``, so each filter acts through
its symmetrised power ``(|F(w)|^2 + |F(-w)|^2) / 2``; the half-plane masks of ``w`` and ``-w`` add to 1, hence

    ``sum over all filters (|F(w)|^2 + |F(-w)|^2) / 2 = |H|^2 + |L|^2 + sum_j R_j^2 sum_k A_k^2 = 1``.

Collapse multiplies each band's spectrum by its (real) filter again, sums, and keeps the real part of the
inverse FFT: ``x`` comes back exactly (float rounding only). The ``sqrt(2)`` makes the transform energy
preserving (a Parseval frame). ``pyrtools``' complex pyramid has ``2 A_k`` and a factor ``(-i)**(K-1)``, i.e. its
bands are ours times ``sqrt(2) (-i)**(K-1)``; the tests check that against it.

**Sub-sampling.** Each band is cropped, in the centred spectrum, to the smallest odd-sized centred rectangle
that holds its support (``r < r_j 2**(1/n)``), and inverse-transformed at that size: a band of an ``H x W``
image whose support reaches ``r_max`` has about ``H r_max / pi x W r_max / pi`` samples, scaled by
``(h w) / (H W)`` so that its values match the uncropped band at the kept sample positions. Nothing of the
band's spectrum is cut, so the crop is exact. Sample ``(i, j)`` of a cropped band sits at
``(i H / h, j W / w)`` px of the image (the grid is uniform but its spacing need not be an integer).

Images are ``(..., H, W)`` real tensors (any leading dims, e.g. ``(T, H, W)``); bands ``(..., h_k, w_k)`` complex.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from mmkit.checks import check_int
from mmkit.errors import MMKitError

#: Allowed numbers of filters per octave: octave, half-octave, quarter-octave bandwidth.
FILTERS_PER_OCTAVE = (1, 2, 4)


@dataclass(frozen=True)
class Band:
    """One oriented band: scale ``j`` (finest first), orientation ``k`` and where its spectrum is cropped."""

    scale: int
    orientation: int
    centre: float        # centre radial frequency r_j, rad/px
    rows: tuple[int, int]  # [start, stop) in the centred (fftshifted) spectrum
    cols: tuple[int, int]

    @property
    def wavelength(self) -> float:
        """Wavelength in px of the band's centre frequency, ``2 pi / r_j``."""
        return 2.0 * math.pi / self.centre

    @property
    def size(self) -> tuple[int, int]:
        return self.rows[1] - self.rows[0], self.cols[1] - self.cols[0]


@dataclass
class Pyramid:
    """A built pyramid: real high-pass ``(..., H, W)``, complex bands (order of ``SteerablePyramid.bands``) and
    the real, cropped low-pass residual."""

    highpass: Tensor
    bands: list[Tensor]
    lowpass: Tensor


def angular_constant(n_orientations: int) -> float:
    """``c_K`` of the angular window ``c_K cos(theta - theta_k)**(K-1)``, making ``sum_k A_k**2 = 1``.

    >>> round(angular_constant(4) ** 2 * 4, 6)  # K c_K^2 = 2^6 (3!)^2 / 6! = 3.2
    3.2
    """
    k = n_orientations - 1
    return math.sqrt(2.0 ** (2 * k) * math.factorial(k) ** 2 / (n_orientations * math.factorial(2 * k)))


def max_depth(height: int, width: int) -> int:
    """Default number of octaves: ``floor(log2(min(H, W))) - 2`` (at least 1).

    >>> max_depth(64, 96), max_depth(37, 53), max_depth(8, 8)
    (4, 3, 1)
    """
    return max(1, math.floor(math.log2(min(height, width))) - 2)


def _centred_freqs(n: int, device: torch.device) -> Tensor:
    """DFT frequencies in cycles/px in fftshift order (DC at index ``n // 2``), float64."""
    return torch.fft.fftshift(torch.fft.fftfreq(n, dtype=torch.float64, device=device))


def _crop(n: int, r_max: float) -> tuple[int, int]:
    """Centred index range holding every frequency with ``2 pi |f| < r_max`` along an axis of ``n`` bins."""
    m = math.floor(r_max * n / (2 * math.pi)) + 1
    if 2 * m + 1 >= n:
        return 0, n
    c = n // 2
    return c - m, c + m + 1


class SteerablePyramid:
    """Complex steerable pyramid for ``height x width`` images; the filters are made once, on ``device``.

    Args:
        height, width: image size in px (any, odd included; at least 8).
        n_orientations: ``K``, 2 to 16 (4 by default: Portilla & Simoncelli's choice, also the octave
            pyramid of Wadhwa et al.; 8 separates orientations better at twice the cost).
        filters_per_octave: 1, 2 or 4 (octave, half-octave, quarter-octave bandwidth).
        depth: octaves covered by the bands (default :func:`max_depth`); ``J = filters_per_octave * depth``.
        device: where filters live and the work runs.

    Shape:
        - build: ``(..., H, W)`` real -> :class:`Pyramid` with bands ``(..., h_k, w_k)`` complex64
        - collapse: :class:`Pyramid` -> ``(..., H, W)`` real

    Examples:
        >>> pyr = SteerablePyramid(37, 52, n_orientations=4, filters_per_octave=2)
        >>> x = torch.rand(3, 37, 52)
        >>> (pyr.collapse(pyr.build(x)) - x).abs().max().item() < 1e-5
        True
        >>> len(pyr.bands), [b.size for b in pyr.bands[::8]]
        (24, [(37, 52), (21, 29), (11, 15)])
    """

    def __init__(self, height: int, width: int, n_orientations: int = 4, filters_per_octave: int = 1,
                 depth: int | None = None, device: str | torch.device = "cpu") -> None:
        if min(height, width) < 8:
            raise MMKitError(f"a steerable pyramid needs images of at least 8x8 px, got {height}x{width}")
        check_int("n_orientations", n_orientations, 2, 16, why=" (a complex pyramid needs >= 2)")
        if filters_per_octave not in FILTERS_PER_OCTAVE:
            raise MMKitError(f"filters_per_octave must be one of {FILTERS_PER_OCTAVE} (octave, half-octave, "
                             f"quarter-octave), got {filters_per_octave!r}")
        if depth is None:
            depth = max_depth(height, width)
        check_int("depth (octaves)", depth, 1)
        self.height, self.width = int(height), int(width)
        self.n_orientations, self.filters_per_octave, self.depth = n_orientations, filters_per_octave, depth
        self.device = torch.device(device)
        n, k_or = filters_per_octave, n_orientations

        fy = _centred_freqs(self.height, self.device)[:, None]
        fx = _centred_freqs(self.width, self.device)[None, :]
        r = 2 * math.pi * torch.sqrt(fx**2 + fy**2)                      # (H, W) rad/px
        theta = torch.atan2(fy.expand_as(r), fx.expand_as(r))
        u = torch.log2(r.clamp_min(1e-300))
        u_top = math.log2(math.pi)
        n_bands = n * depth

        def window(centre: float) -> Tensor:  # raised cosine in log2 radius, 2/n octaves wide
            d = (u - centre) * n
            return torch.where(d.abs() < 1, torch.cos(math.pi / 2 * d), torch.zeros_like(d))

        self._highpass = torch.where(u >= u_top, torch.ones_like(u), window(u_top))
        low_centre = u_top - (n_bands + 1) / n
        self._lowpass = torch.where(u <= low_centre, torch.ones_like(u), window(low_centre))
        self._low_rows = _crop(self.height, math.pi * 2.0 ** (low_centre - u_top + 1 / n))
        self._low_cols = _crop(self.width, math.pi * 2.0 ** (low_centre - u_top + 1 / n))

        c_k = angular_constant(k_or)
        self.bands: list[Band] = []
        self._filters: list[Tensor] = []  # cropped, float32
        for j in range(n_bands):
            centre = u_top - (j + 1) / n
            r_max = 2.0 ** (centre + 1 / n)
            rows, cols = _crop(self.height, r_max), _crop(self.width, r_max)
            radial = window(centre)[rows[0]:rows[1], cols[0]:cols[1]]
            th = theta[rows[0]:rows[1], cols[0]:cols[1]]
            for k in range(k_or):
                cos = torch.cos(th - math.pi * k / k_or)
                ang = math.sqrt(2.0) * c_k * cos.clamp_min(0.0) ** (k_or - 1) * (cos > 0)
                self.bands.append(Band(j, k, 2.0 ** centre, rows, cols))
                self._filters.append((radial * ang).float())
        self._highpass = self._highpass.float()
        self._lowpass = self._lowpass[self._low_rows[0]:self._low_rows[1], self._low_cols[0]:self._low_cols[1]].float()

    # ------------------------------------------------------------------ spectra
    def spectrum(self, x: Tensor) -> Tensor:
        """Centred DFT of ``(..., H, W)`` real images (complex64), the input of :meth:`band`."""
        self._check_image(x)
        return torch.fft.fftshift(torch.fft.fft2(x.to(self.device, torch.float32)), dim=(-2, -1))

    def band(self, spec: Tensor, index: int) -> Tensor:
        """Complex band ``index`` (cropped) from a centred spectrum: ``(..., H, W) -> (..., h, w)``."""
        b = self.bands[index]
        crop = spec[..., b.rows[0]:b.rows[1], b.cols[0]:b.cols[1]] * self._filters[index]
        h, w = b.size
        scale = h * w / (self.height * self.width)
        return torch.fft.ifft2(torch.fft.ifftshift(crop, dim=(-2, -1))) * scale

    def add_band(self, out_spec: Tensor, band: Tensor, index: int) -> None:
        """Add band ``index``'s contribution to a centred spectrum being collapsed (in place; adjoint of
        :meth:`band`)."""
        b = self.bands[index]
        h, w = b.size
        scale = self.height * self.width / (h * w)
        contrib = torch.fft.fftshift(torch.fft.fft2(band), dim=(-2, -1)) * (self._filters[index] * scale)
        out_spec[..., b.rows[0]:b.rows[1], b.cols[0]:b.cols[1]] += contrib

    def image(self, spec: Tensor) -> Tensor:
        """Real image from a collapsed centred spectrum: ``Re(IFFT)``, which symmetrises the half-plane filters."""
        return torch.fft.ifft2(torch.fft.ifftshift(spec, dim=(-2, -1))).real

    # ------------------------------------------------------------------ build / collapse
    def build(self, x: Tensor) -> Pyramid:
        """Build the pyramid of ``(..., H, W)`` real images."""
        spec = self.spectrum(x)
        high = torch.fft.ifft2(torch.fft.ifftshift(spec * self._highpass, dim=(-2, -1))).real
        lr, lc = self._low_rows, self._low_cols
        h, w = lr[1] - lr[0], lc[1] - lc[0]
        low = spec[..., lr[0]:lr[1], lc[0]:lc[1]] * self._lowpass
        low = torch.fft.ifft2(torch.fft.ifftshift(low, dim=(-2, -1))).real * (h * w / (self.height * self.width))
        return Pyramid(high, [self.band(spec, i) for i in range(len(self.bands))], low)

    def collapse(self, pyr: Pyramid) -> Tensor:
        """Rebuild ``(..., H, W)`` images from a :class:`Pyramid` (exact inverse of :meth:`build`)."""
        if len(pyr.bands) != len(self.bands):
            raise MMKitError(f"this pyramid has {len(self.bands)} bands, got {len(pyr.bands)}")
        spec = torch.fft.fftshift(torch.fft.fft2(pyr.highpass.to(torch.float32)), dim=(-2, -1)) * self._highpass
        lr, lc = self._low_rows, self._low_cols
        h, w = lr[1] - lr[0], lc[1] - lc[0]
        low = torch.fft.fftshift(torch.fft.fft2(pyr.lowpass.to(torch.float32)), dim=(-2, -1))
        spec[..., lr[0]:lr[1], lc[0]:lc[1]] += low * (self._lowpass * (self.height * self.width / (h * w)))
        for i, band in enumerate(pyr.bands):
            self.add_band(spec, band, i)
        return self.image(spec)

    # ------------------------------------------------------------------ inspection
    def filter_response(self, index: int | str) -> Tensor:
        """Full-size ``(H, W)`` response (centred spectrum) of band ``index``, or ``"highpass"``/``"lowpass"``."""
        full = torch.zeros(self.height, self.width, device=self.device)
        if index == "highpass":
            return self._highpass.clone()
        if index == "lowpass":
            lr, lc = self._low_rows, self._low_cols
            full[lr[0]:lr[1], lc[0]:lc[1]] = self._lowpass
            return full
        b = self.bands[int(index)]
        full[b.rows[0]:b.rows[1], b.cols[0]:b.cols[1]] = self._filters[int(index)]
        return full

    def coefficients_per_pixel(self) -> float:
        """Complex band samples per image pixel (the pyramid's over-completeness, residuals excluded)."""
        return sum(b.size[0] * b.size[1] for b in self.bands) / (self.height * self.width)

    def _check_image(self, x: Tensor) -> None:
        if x.ndim < 2 or tuple(x.shape[-2:]) != (self.height, self.width):
            raise MMKitError(f"this pyramid is for {self.height}x{self.width} images, got shape {tuple(x.shape)}")
        if x.is_complex():
            raise MMKitError("the steerable pyramid takes real images")
