"""Phase-based video motion magnification (Wadhwa, Rubinstein, Durand, Freeman, SIGGRAPH 2013).

A complex steerable pyramid band of a frame moving by ``delta(t)``, ``I(x, t) = f(x + delta(t))``, is locally
``S(x, t) = A(x) exp(i (phi(x) + w . delta(t)))`` (:mod:`mmkit.classical.steerable`): the motion lives in the
band's *phase*. The pipeline, on the luma (Y of YIQ) of every frame:

1. build the complex steerable pyramid (octave, half- or quarter-octave bandwidth, ``orientations`` of them);
2. per band, the phase difference to the reference frame (the first), ``dphi(x, t) = arg(S_t conj(S_0))``
   in ``(-pi, pi]`` (``reference="unwrap"``: the cumulative sum of the wrapped frame-to-frame differences,
   which stays right when the total motion exceeds half a wavelength; used by the acceleration methods);
3. temporal band-pass of ``dphi`` at every sample, ``B = bandpass(dphi)`` (ideal/FFT, Butterworth, or Wu's
   IIR; the temporal filter is what the acceleration, jerk and anisotropy variants replace);
4. amplitude-weighted Gaussian smoothing, ``B~ = (G_sigma * (A B)) / (G_sigma * A)`` with ``A = |S|``
   (``sigma`` in samples of the band, periodic like the band itself), which removes phase noise where the
   band is weak;
5. the magnified band ``S' = S exp(i alpha B~)``: the band's motion ``w . delta`` becomes ``w . (1 + alpha)
   delta``, so **the output motion is (1 + alpha) times the input's** within the temporal band (the same
   convention as :mod:`mmkit.classical.linear`);
6. collapse (high- and low-pass residuals unchanged), YIQ -> RGB, clip to [0, 1].

**Large motions.** Wadhwa et al. show that magnification by phase shifting stays faithful while
``alpha delta(t) < lambda / 4`` for octave-bandwidth pyramids (the linear method's bound is
``(1 + alpha) delta < lambda / 8``), and further for the narrower half- and quarter-octave bands, at the cost of
more bands. Two options limit the damage past it:

* ``shift_limit`` (in wavelengths, e.g. 0.25 for the ``lambda / 4`` bound): the added phase ``alpha B~`` is
  clipped to ``+-2 pi shift_limit``, so no band content is moved by more than that fraction of its own
  wavelength (measured in the tests: a 16 px grating moving 0.5 px, alpha = 20, comes out moved at most
  4.00 px more than the input with ``shift_limit=0.25``);
* ``attenuate_other`` (the paper's "attenuate other frequencies"): the output phase is
  ``phi_ref + (1 + alpha) B~``, i.e. motion outside the temporal band is removed (the frame is held at the
  reference there) while the band's motion is magnified; useful against camera shake.

**Accuracy.** A grating moving by a sub-pixel sinusoid in the band comes out moving ``(1 + alpha)`` times as far
to 0.1 %; a broadband texture about 0.85 to 0.95 times that, because a band's phase change is
``delta`` times its *local* frequency, which varies across a broadband band (narrower pyramids come closer).

**Reference settings.** Wadhwa et al. magnify by ``alpha`` of about 10 to 100 (e.g. the crane clip is commonly
run at ``alpha = 75``, 0.2 to 0.25 Hz), with octave or half-octave pyramids, and blur the phase by a few px;
they note that the phase-based method tolerates larger ``alpha`` and noise better than the linear one. Our
defaults: ``alpha = 10``, octave pyramid, 4 orientations, ``sigma = 2``, ideal temporal filter.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from mmkit.checks import check_choice, check_clip, check_flag, check_int, check_number
from mmkit.errors import MMKitError
from mmkit.filters import StreamingIIR, butter_bandpass_sos

from .linear import _frames_to_tensor, rgb_to_yiq, yiq_to_rgb
from .steerable import Band, SteerablePyramid
from .temporal import check_band, ideal_bandpass, iir_bandpass

#: Pyramid bandwidths by name -> filters per octave.
PYRAMIDS = {"octave": 1, "half_octave": 2, "quarter_octave": 4}
REFERENCES = ("first", "unwrap")
PHASE_FILTERS = ("ideal", "butter", "iir")

#: Frames processed together when computing or collapsing a band (bounds temporaries).
FRAME_CHUNK = 16


@dataclass
class PhaseBase:
    """Fields shared by every phase-based method (see :class:`PhaseConfig` for their meaning)."""

    alpha: float = 10.0
    low_hz: float = 0.5
    high_hz: float = 3.0
    fps: float | None = None
    pyramid: str = "octave"
    orientations: int = 4
    depth: int | None = None
    sigma: float = 2.0
    attenuate_other: bool = False
    shift_limit: float | None = None
    reference: str = "first"

    def __post_init__(self) -> None:
        self.validate()

    def _number(self, name: str, minimum: float = 0.0, strict: bool = False, optional: bool = False) -> None:
        check_number(f"{type(self).__name__}.{name}", getattr(self, name), minimum, strict=strict, optional=optional)

    def validate(self) -> None:
        """Raise :class:`MMKitError` naming the first bad field (the band is checked against fps later)."""
        name = type(self).__name__
        for field_name in ("alpha", "low_hz", "high_hz", "sigma"):
            self._number(field_name)
        self._number("fps", strict=True, optional=True)
        check_choice(f"{name}.pyramid", self.pyramid, PYRAMIDS)
        check_int(f"{name}.orientations", self.orientations, 2, 16)
        check_int(f"{name}.depth", self.depth, 1, optional=True, why=" (None: as deep as the frame allows)")
        check_flag(f"{name}.attenuate_other", self.attenuate_other)
        self._number("shift_limit", strict=True, optional=True)
        check_choice(f"{name}.reference", self.reference, REFERENCES)


@dataclass
class PhaseConfig(PhaseBase):
    """Parameters of phase-based magnification (Wadhwa et al. 2013).

    ``alpha`` (>= 0): the output motion is ``(1 + alpha)`` times the input's in the band; the paper uses about
    5 to 100. ``low_hz``, ``high_hz``: temporal pass band (``0 < low < high < fps / 2``). ``fps``: frame rate to
    assume; None uses the video's. ``pyramid``: ``"octave"``, ``"half_octave"`` or ``"quarter_octave"``
    (narrower bands allow larger magnified motions, at 1.6x / 2.7x the work). ``orientations``: 2 to 16
    (default 4). ``depth``: octaves of bands (default: as many as the frame allows). ``sigma`` (>= 0, default 2):
    amplitude-weighted spatial smoothing of the phase, in band samples (0 switches it off). ``filter``:
    ``"ideal"`` (FFT over the whole clip, sharp), ``"butter"`` (causal Butterworth band-pass of prototype
    ``order``, :func:`mmkit.filters.butter_bandpass_sos`) or ``"iir"`` (Wu et al.'s difference of first-order
    low-passes). ``attenuate_other``: hold motion outside the band at the reference frame. ``shift_limit``:
    largest added phase, in wavelengths (0.25 = the ``alpha delta < lambda / 4`` bound); None: no limit.
    ``reference``: ``"first"`` (phase differences to frame 0, the paper) or ``"unwrap"``.
    """

    filter: str = "ideal"
    order: int = 2

    def validate(self) -> None:
        super().validate()
        check_choice("PhaseConfig.filter", self.filter, PHASE_FILTERS)
        check_int("PhaseConfig.order (Butterworth prototype order)", self.order, 1, 8)


# ---------------------------------------------------------------------------------------------- pieces

def butter_filter(x: Tensor, fs: float, low_hz: float, high_hz: float, order: int = 2) -> Tensor:
    """Causal Butterworth band-pass of ``x`` along dim 0 (state at rest, i.e. the signal is 0 before t = 0)."""
    filt = StreamingIIR(butter_bandpass_sos(order, low_hz, high_hz, fs))
    return torch.stack([filt(x[t].double()).to(x.dtype) for t in range(x.shape[0])])


def smooth_periodic(x: Tensor, sigma: float) -> Tensor:
    """Gaussian blur (std ``sigma`` samples) of ``(..., h, w)`` real tensors, periodic borders (via FFT).

    >>> y = smooth_periodic(torch.ones(2, 9, 7), 1.5)
    >>> (y - 1).abs().max().item() < 1e-6
    True
    """
    if sigma <= 0:
        return x
    h, w = x.shape[-2:]
    fy = torch.fft.fftfreq(h, device=x.device, dtype=torch.float64)[:, None]
    fx = torch.fft.rfftfreq(w, device=x.device, dtype=torch.float64)[None, :]
    gain = torch.exp(-2 * math.pi**2 * sigma**2 * (fx**2 + fy**2)).to(x.dtype)
    return torch.fft.irfft2(torch.fft.rfft2(x) * gain, s=(h, w))


def amplitude_weighted_smooth(x: Tensor, amp: Tensor, sigma: float) -> Tensor:
    """``(G_sigma * (amp x)) / (G_sigma * amp)`` (Wadhwa et al.'s smoothing of the phase; periodic borders)."""
    if sigma <= 0:
        return x
    den = smooth_periodic(amp, sigma)
    eps = 1e-6 * float(amp.mean()) + 1e-20
    return smooth_periodic(amp * x, sigma) / (den + eps)


def phase_differences(band: Tensor, reference: str) -> Tensor:
    """``(T, h, w)`` complex band -> phase change of each frame from frame 0, float32, ``(T, h, w)``.

    ``"first"``: ``arg(S_t conj(S_0))`` in ``(-pi, pi]``. ``"unwrap"``: ``sum_{s <= t} arg(S_s conj(S_{s-1}))``,
    exact as long as the motion between consecutive frames stays under half a wavelength.
    """
    out = torch.empty(band.shape, dtype=torch.float32, device=band.device)
    out[0] = 0
    if reference == "first":
        for t0 in range(1, band.shape[0], FRAME_CHUNK):
            out[t0:t0 + FRAME_CHUNK] = torch.angle(band[t0:t0 + FRAME_CHUNK] * band[0].conj())
        return out
    for t0 in range(1, band.shape[0], FRAME_CHUNK):
        sl = slice(t0, t0 + FRAME_CHUNK)
        out[sl] = torch.angle(band[sl] * band[t0 - 1:t0 - 1 + out[sl].shape[0]].conj())
    return torch.cumsum(out, dim=0, out=out)


# ---------------------------------------------------------------------------------------------- the pipeline

#: ``temporal(dphi (T, h, w), fs) -> filtered (T, h, w)``: the method's temporal filter of the phase.
TemporalFilter = Callable[[Tensor, float], Tensor]
#: ``weight(filtered_smoothed, dphi, amplitude, fs, bands, finest) -> weights``: the first three are lists over
#: one group of bands (all orientations of a scale when ``by_scale``), each ``(T, h, w)``; ``bands`` says which
#: (:class:`~mmkit.classical.steerable.Band`: scale, orientation, size) and ``finest`` is the finest band's
#: ``(h, w)``; returns one weight tensor per band (or one shared by the group), multiplied into the phase shift.
WeightFn = Callable[[list[Tensor], list[Tensor], list[Tensor], float, list[Band], tuple[int, int]], list[Tensor]]


@dataclass(frozen=True)
class PhaseMethod:
    """How a phase-based variant differs from the rest of the pipeline (see :func:`run_phase_pipeline`)."""

    temporal: TemporalFilter
    weight: WeightFn | None = None
    by_scale: bool = False          # weights need all orientations of a scale at once
    extra_bytes: float = 0.0        # extra float32 copies per band sample that the method holds (memory estimate)
    coarse_first: bool = False      # groups come coarsest scale first (weights that use coarser scales' weights)
    held_scales: int = 0            # coarser scales whose float32 weights (all orientations) the method keeps


def estimate_gib(shape: tuple[int, ...], pyr: SteerablePyramid, method: PhaseMethod) -> float:
    """Peak memory of :func:`run_phase_pipeline` in GiB for ``(T, H, W, 3)`` frames (an estimate, float32).

    Held for the whole run: the frames as float YIQ (12 bytes per pixel and frame, 24 while converting), the
    luma spectrum and the output correction spectrum (complex64, 8 each); per group of bands being processed:
    the complex band (8 per band sample), its phase change, filtered phase and amplitude (4 each) plus as
    much again in temporaries, whatever else the method holds, and the weights of coarser scales it keeps
    (:attr:`PhaseMethod.held_scales`). ``python scripts/measure_phase_memory.py`` runs each method on 60 frames
    of 256 x 256 (CPU) and prints the estimate over the growth of peak resident memory: 0.97-1.33x over phase,
    acceleration, jerk-aware and anisotropy at octave and half-octave, 4 and 8 orientations.
    """
    biggest = max(b.size[0] * b.size[1] for b in pyr.bands)
    areas = {b.scale: b.size[0] * b.size[1] for b in pyr.bands}
    held = sum(areas.get(s, 0) for s in range(1, method.held_scales + 1))
    return _estimate_gib(shape, biggest, pyr.n_orientations, method, held)


def clip_estimate_gib(shape: tuple[int, ...], cfg: PhaseBase, method: PhaseMethod) -> float:
    """:func:`estimate_gib` from the frame shape alone, without building the pyramid (which for a huge frame
    is itself big): the pyramid's first band is never cropped, so its biggest band is the whole H x W, and
    scale ``j``'s bands are about ``2**(-j / n)`` of it on each side (``n`` filters per octave)."""
    n = PYRAMIDS[cfg.pyramid]
    held = sum(shape[1] * shape[2] * 2.0 ** (-2 * s / n) for s in range(1, method.held_scales + 1))
    return _estimate_gib(shape, shape[1] * shape[2], cfg.orientations, method, held)


def _estimate_gib(shape: tuple[int, ...], biggest: int, n_orientations: int, method: PhaseMethod,
                  held: float = 0.0) -> float:
    t, h, w = shape[0], shape[1], shape[2]
    per_frame = h * w * (28 + 8 + 8 + 8)  # 4 bytes of margin for the allocator
    group = n_orientations if method.by_scale else 1
    per_frame += biggest * group * (8 + 3 * 4 + 44 + method.extra_bytes)
    per_frame += held * n_orientations * 8  # float32 weights of the coarser scales kept (held_scales), x2 as measured
    return t * per_frame / 2**30


def band_groups(pyr: SteerablePyramid, by_scale: bool, coarse_first: bool = False) -> list[list[int]]:
    """Indices of the pyramid's bands that are processed together, in processing order: all orientations of a
    scale when ``by_scale`` (a method whose weights need them at once), else each band alone; finest scale
    first, or coarsest first when ``coarse_first`` (orientations in order within a scale).

    >>> pyr = SteerablePyramid(32, 32, n_orientations=2, depth=2)
    >>> band_groups(pyr, False), band_groups(pyr, True), band_groups(pyr, False, coarse_first=True)
    ([[0], [1], [2], [3]], [[0, 1], [2, 3]], [[2], [3], [0], [1]])
    """
    scales: list[list[int]] = []
    for i, band in enumerate(pyr.bands):
        if scales and pyr.bands[scales[-1][0]].scale == band.scale:
            scales[-1].append(i)
        else:
            scales.append([i])
    if coarse_first:
        scales.reverse()
    return scales if by_scale else [[i] for scale in scales for i in scale]


def group_shifts(dphis: list[Tensor], amps: list[Tensor], method: PhaseMethod, fs: float, sigma: float,
                 pyr: SteerablePyramid, group: list[int]) -> list[tuple[Tensor, Tensor | None]]:
    """Per band of a group (the bands ``group`` of ``pyr``, see :func:`band_groups`): its temporally filtered,
    amplitude-weighted smoothed phase change, and the method's weight for it (None without weights). The phase
    to add is their product times the gain."""
    filtered = [amplitude_weighted_smooth(method.temporal(d, fs), a, sigma) for d, a in zip(dphis, amps)]
    weights = None
    if method.weight is not None:
        weights = method.weight(filtered, dphis, amps, fs, [pyr.bands[i] for i in group], pyr.bands[0].size)
    return [(f, None if weights is None else weights[n] if len(weights) > 1 else weights[0])
            for n, f in enumerate(filtered)]


def run_phase_pipeline(frames: np.ndarray, cfg: PhaseBase, fs: float, method: PhaseMethod, *,
                       max_memory_gb: float, device: str | torch.device) -> np.ndarray:
    """Magnify ``frames`` with a phase-based ``method``; shared by phase, acceleration, jerk and anisotropy.

    ``frames``: ``(T, H, W, 3)`` uint8 or float in [0, 1]; returns the same shape and dtype kind (uint8, or
    float32 in [0, 1]). Raises :class:`MMKitError` before any work if :func:`estimate_gib` exceeds
    ``max_memory_gb``.
    """
    check_clip(frames, min_frames=0, min_side=16,
               too_small="a steerable pyramid with a band to magnify needs >= 16 px on the shorter side")
    t_len, h, w, _ = frames.shape
    device = torch.device(device)
    pyr = SteerablePyramid(h, w, cfg.orientations, PYRAMIDS[cfg.pyramid], cfg.depth, device=device)
    gib = estimate_gib(frames.shape, pyr, method)
    if gib > max_memory_gb:
        raise MMKitError(f"magnifying {frames.shape} frames with the {cfg.pyramid} pyramid ({cfg.orientations} "
                         f"orientations) needs about {gib:.2f} GiB (> max_memory_gb={max_memory_gb}): use fewer "
                         "frames, crop or down-scale, fewer orientations, or raise max_memory_gb")
    x, was_uint8 = _frames_to_tensor(frames, float("inf"))
    x = rgb_to_yiq(x.to(device))                          # (T, 3, H, W)
    spec = pyr.spectrum(x[:, 0])                          # (T, H, W) complex, centred
    correction = torch.zeros_like(spec)                   # sum over bands of the change, in the same domain

    limit = None if cfg.shift_limit is None else 2 * math.pi * cfg.shift_limit
    for group in band_groups(pyr, method.by_scale, method.coarse_first):
        bands = [torch.cat([pyr.band(spec[s:s + FRAME_CHUNK], i) for s in range(0, t_len, FRAME_CHUNK)])
                 for i in group]
        dphis = [phase_differences(band, cfg.reference) for band in bands]
        amps = [band.abs() for band in bands]
        shifts = group_shifts(dphis, amps, method, fs, cfg.sigma, pyr, group)
        gain = 1.0 + cfg.alpha if cfg.attenuate_other else cfg.alpha
        for n, i in enumerate(group):
            filtered, weight = shifts[n]
            shift = filtered.mul_(gain)                   # the phase to add (or, attenuating, to keep)
            if weight is not None:
                shift.mul_(weight)
            if limit is not None:
                shift.clamp_(-limit, limit)
            band = bands[n]
            ref = band[0] / band[0].abs().clamp_min(1e-30)  # exp(i phi_ref)
            for s in range(0, t_len, FRAME_CHUNK):
                sl = slice(s, s + FRAME_CHUNK)
                rot = torch.polar(torch.ones_like(shift[sl]), shift[sl])
                if cfg.attenuate_other:  # phase phi_ref + (1 + alpha) B~: motion outside the band removed
                    delta = amps[n][sl] * ref * rot - band[sl]
                else:                    # phase phi + alpha B~
                    delta = band[sl] * (rot - 1)
                pyr.add_band(correction[sl], delta, i)
        del bands, dphis, amps, shifts

    del spec
    for s in range(0, t_len, FRAME_CHUNK):
        x[s:s + FRAME_CHUNK, 0] += pyr.image(correction[s:s + FRAME_CHUNK])
    del correction
    out = yiq_to_rgb(x).clamp_(0.0, 1.0).permute(0, 2, 3, 1).cpu()
    if was_uint8:
        return out.mul_(255.0).round_().to(torch.uint8).numpy()
    return out.contiguous().numpy()


def bandpass_method(cfg: PhaseConfig) -> PhaseMethod:
    """The temporal band-pass of :class:`PhaseConfig` as a :class:`PhaseMethod`."""
    def temporal(dphi: Tensor, fs: float) -> Tensor:
        if cfg.filter == "ideal":
            return ideal_bandpass(dphi, fs, cfg.low_hz, cfg.high_hz)
        if cfg.filter == "iir":
            return iir_bandpass(dphi, fs, cfg.low_hz, cfg.high_hz)
        return butter_filter(dphi, fs, cfg.low_hz, cfg.high_hz, cfg.order)

    return PhaseMethod(temporal)


def magnify_phase(frames: np.ndarray, cfg: PhaseConfig, fps: float, *, max_memory_gb: float = 4.0,
                  device: str | torch.device = "cpu") -> np.ndarray:
    """Magnify the motion in ``frames`` by ``1 + cfg.alpha`` in ``[cfg.low_hz, cfg.high_hz]``, phase-based.

    ``frames``: ``(T, H, W, 3)`` RGB, uint8 or float in [0, 1] (at least 16 px on the shorter side); ``fps``:
    the video's frame rate (used unless ``cfg.fps`` is set). Returns the same shape, uint8 if the input was
    uint8, else float32, clipped to [0, 1]. The clip is held in memory (float32/complex64; bands are processed
    one at a time and frames in chunks of :data:`FRAME_CHUNK`); if :func:`estimate_gib` exceeds
    ``max_memory_gb`` GiB an :class:`MMKitError` says so, with the estimate, before anything runs. ``device``
    is where the torch work runs (e.g. ``"cuda"``).

    >>> clip = np.full((16, 24, 24, 3), 128, np.uint8)
    >>> out = magnify_phase(clip, PhaseConfig(low_hz=2, high_hz=6), fps=30)
    >>> out.shape, out.dtype, int(np.abs(out.astype(int) - 128).max())
    ((16, 24, 24, 3), dtype('uint8'), 0)
    """
    if not isinstance(cfg, PhaseConfig):
        raise MMKitError(f"magnify_phase needs a PhaseConfig, got {type(cfg).__name__}")
    cfg.validate()
    fs = float(fps if cfg.fps is None else cfg.fps)
    check_band(fs, cfg.low_hz, cfg.high_hz)
    return run_phase_pipeline(frames, cfg, fs, bandpass_method(cfg), max_memory_gb=max_memory_gb, device=device)
