"""Interactive magnification: the expensive work once, then only the last stage on every slider move.

The course's notebook 04 puts sliders on a clip (alpha, method, mode, frame, slice row, pass band). Behind
them is a :class:`Magnifier`, a session on one clip that keeps what each method computes before alpha enters,
so that moving alpha only redoes what comes after it (the pattern of pyro's ``prior_predictive`` notebook: the
callback is a named library function, the expensive part is cached).

What is kept, and what each setting recomputes (``T`` frames; "frames shown" is the frame slider's frame, and
every frame for the spatio-temporal slice, which needs them all):

============================  ===================================  =======================  ======================
method                        kept (computed once per clip)        band change              alpha change
============================  ===================================  =======================  ======================
light, base, checkpoints      encoder outputs of every pair:       Butterworth/FIR band-    manipulator + decoder,
(Singh et al. 2023)           motion features ``E_b - E_a`` and    pass of the kept motion  frames shown
                              appearance features                  features (temporal mode)
oh2018 (Oh et al. 2018)       texture and shape of every frame,    (no temporal mode)       ``h`` + decoder,
                              ``g(M_b - M_a)`` of every pair                                frames shown
linear (Wu et al. 2012)       YIQ Laplacian pyramid                band-pass of each level, weighted sum of the
                                                                   expanded to full size    kept images, frames
                                                                                            shown
phase, acceleration, jerk,    complex steerable bands of the luma  temporal filter,         phase rotation of each
anisotropy (phase family)     and their phase change               smoothing, weights       band + collapse,
                                                                                            frames shown
riesz (Wadhwa et al. 2014)    Riesz pyramid of every frame, its    causal band-pass +       phase shift + collapse,
                              quaternionic phase and amplitude     amplitude-weighted blur  frames shown
other registered methods      nothing                              the whole method         the whole method
============================  ===================================  =======================  ======================

Which pairs the networks encode depends on the mode: ``dynamic`` pairs each frame with the previous one,
``static`` and ``temporal`` pair it with the reference frame, so switching between static and temporal encodes
nothing; the first switch to dynamic encodes its pairs once. Classical methods have their own temporal filter
and ignore the mode (as :func:`mmkit.magnify` does).

Every frame equals :func:`mmkit.magnify`'s for the same settings to within 1 level of 0..255 (the same
operations; batches of a different size and, for linear, the sum of the pyramid taken in a different order
change the float rounding only; ``tests/test_widgets.py`` checks each method). The networks magnify the motion
``alpha`` times, the classical methods ``1 + alpha`` times.

Examples:
    >>> from mmkit.data.samples import VibrationClip
    >>> frames = VibrationClip(height=32, width=40, n_frames=8, radius=10).render()
    >>> mag = Magnifier(frames, fps=30.0, method="light", mode="static", alpha=20.0)
    >>> mag.frame(3).shape
    (32, 40, 3)
    >>> mag.stats["encoder_frames"], mag.stats["rendered_frames"]
    (8, 1)
    >>> mag.set_alpha(40.0); mag.slice(row=16).shape     # a new alpha: the decoder only
    (8, 40, 3)
    >>> mag.stats["encoder_frames"], mag.stats["rendered_frames"]
    (8, 9)
"""
from __future__ import annotations

import base64
import collections
import io
import math
import operator
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from .classical.acceleration import check_dog
from .classical.linear import LinearConfig, _frames_to_tensor, level_alphas, rgb_to_yiq, yiq_to_rgb
from .classical.phase import (
    FRAME_CHUNK,
    PYRAMIDS,
    PhaseBase,
    band_groups,
    group_shifts,
    phase_differences,
)
from .classical.pyramids import collapse_laplacian, laplacian_pyramid, max_pyramid_levels, upsample
from .classical.registry import PHASE_METHODS
from .classical.riesz import (
    RieszConfig,
    amplitude_weighted_blur,
    bandpass_sos,
    phase_shift,
    quaternion_phase_difference,
    riesz_pyramid,
)
from .classical.steerable import SteerablePyramid
from .classical.temporal import ideal_bandpass, iir_bandpass
from .checks import check_clip, check_number
from .compare import compact_png
from .engine import CLASSICAL, MODES, MagnifyConfig, _to_batch, _to_frames, load_method, make_filter
from .errors import MMKitError
from .filters import StreamingIIR, check_band
from .models import Encoded, MagnificationNet, Oh2018Net
from .pretrained import network_names
from .models.singh2023 import _alpha_like
from .plots import temporal_slice

#: Every method the session and the widget offer: the networks (the paper's, then other shipped weights such as
#: ``light_no_lm``), then the classical methods by name.
METHODS: tuple[str, ...] = tuple(network_names()) + tuple(CLASSICAL)


def methods() -> list[str]:
    """:data:`METHODS`, plus any classical method registered since import."""
    return network_names() + list(CLASSICAL)


#: Settings whose rendered frames are kept (moving a slider back to a recent value costs nothing).
RENDER_CACHE_SETTINGS = 8
#: Feature rows each side of the line that a network's slice preview decodes (:meth:`Magnifier.quick_slice`):
#: 6 of the 80 at the course's 160 px keeps a preview within a few levels of the exact slice at a fifth of its cost.
PREVIEW_MARGIN = 6
#: Frames per decoder call in a preview (on a 2-core CPU, 16 thin bands decode faster than 4 or 96).
PREVIEW_CHUNK = 16

Stats = collections.Counter


# ---------------------------------------------------------------------------------------------- checks

def _number(value: object, what: str) -> float:
    if isinstance(value, bool):
        raise MMKitError(f"{what} must be a number, got {value!r}")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise MMKitError(f"{what} must be a number, got {value!r}") from None


def check_alpha(alpha: object) -> float:
    """``alpha`` as a float, or :class:`MMKitError` unless it is finite, >= 0 and at most 1000.

    >>> check_alpha(20)
    20.0
    >>> check_alpha(float("nan"))
    Traceback (most recent call last):
    ...
    mmkit.errors.MMKitError: alpha must be a finite number > 0, got nan
    """
    a = _number(alpha, "alpha")
    if a != 0:  # 0 is the slider's resting point here (the input), though mmkit.magnify refuses it
        MagnifyConfig(alpha=a).validate()  # the engine's rule, one definition
    return a


def check_index(index: object, n: int, what: str = "frame index") -> int:
    """``index`` as an int in ``0 .. n - 1``, or :class:`MMKitError` saying the valid range."""
    if isinstance(index, bool):
        raise MMKitError(f"{what} must be an integer, got {index!r}")
    try:
        i = operator.index(index)  # type: ignore[arg-type]
    except TypeError:
        raise MMKitError(f"{what} must be an integer, got {index!r}") from None
    if not 0 <= i < n:
        raise MMKitError(f"{what} {i} is out of range: valid are 0 to {n - 1}")
    return i


def _check_frames(frames: object) -> np.ndarray:
    check_clip(frames, for_what="to see motion")
    if frames.dtype != np.uint8:
        raise MMKitError(f"frames must be uint8, got {frames.dtype}; convert with (x * 255).round().astype(np.uint8)")
    return frames


def _check_memory(n_bytes: float, what: str, max_memory_gb: float) -> None:
    gib = n_bytes / 2**30
    if gib > max_memory_gb:
        raise MMKitError(f"keeping {what} needs about {gib:.2f} GiB (> max_memory_gb={max_memory_gb}): use fewer "
                         "frames, crop or down-scale the clip, or raise max_memory_gb")


def _read_only(frame: np.ndarray) -> np.ndarray:
    frame.flags.writeable = False  # cached: a caller must not change it in place
    return frame


def _to_uint8(rgb01: Tensor) -> np.ndarray:
    """``(..., 3, H, W)`` RGB in [0, 1] (clipped already) -> uint8 ``(..., H, W, 3)``, as the classical methods."""
    return rgb01.mul(255.0).round_().to(torch.uint8).movedim(-3, -1).cpu().numpy()


# ---------------------------------------------------------------------------------------------- back ends

@dataclass(frozen=True)
class _Setting:
    """What one rendered frame depends on besides its index."""

    mode: str
    alpha: float
    band: tuple[float, float]


class _Backend:
    """One method's cache: ``render(ts, setting)`` gives the frames ``ts`` (uint8) at ``setting``."""

    uses_mode = False
    uses_band = True
    modes: tuple[str, ...] = MODES

    def render(self, ts: list[int], s: _Setting) -> list[np.ndarray]:
        raise NotImplementedError

    def preview_line(self, axis: int, index: int, s: _Setting, margin: int) -> np.ndarray | None:
        """Line ``index`` (a row for ``axis`` 0, a column for 1) of every frame at ``s``, approximately and
        cheaply; None where the method has no cheaper way than rendering every frame."""
        return None


def _window(n: int, index: int, margin: int) -> tuple[int, int]:
    """Rows ``[lo, hi)`` of a half-resolution feature map of ``n`` rows that a decode of full-resolution row
    ``index`` reads when its reach is cut to ``margin`` feature rows each side."""
    centre = index // 2
    return max(0, centre - margin), min(n, centre + margin + 1)


class _NetworkBackend(_Backend):
    """The paper's networks: encoder outputs of every pair kept; alpha re-runs the manipulator and decoder."""

    uses_mode = True

    def __init__(self, net: MagnificationNet, frames: np.ndarray, fps: float, opts: dict, stats: Stats,
                 device: torch.device) -> None:
        self.net, self.frames, self.fps, self.opts, self.stats, self.device = net, frames, fps, opts, stats, device
        self._features: dict[str, tuple[Tensor, Tensor, tuple[int, int]]] = {}
        self._filtered: tuple[tuple[float, float], Tensor] | None = None

    def _groups(self, pairing: str) -> list[list[int]]:
        """Output frames in the engine's batches (so that the float rounding is the same), pairs only."""
        t_len, bs = len(self.frames), self.opts["batch_size"]
        first = 1 if pairing == "previous" else 0
        return [[t for t in range(s, min(s + bs, t_len)) if t >= first] for s in range(0, t_len, bs)]

    def _first(self, pairing: str, t: int) -> int:
        return t - 1 if pairing == "previous" else self.opts["reference"]

    @torch.no_grad()
    def features(self, pairing: str) -> tuple[Tensor, Tensor, tuple[int, int]]:
        """``(motion (N, 2C, H'/2, W'/2), appearance (same), size)`` of every pair; encoded on first use."""
        if pairing not in self._features:
            c2 = 2 * self.net.cfg.channels
            h, w = self.frames.shape[1:3]
            n = len(self.frames) - (pairing == "previous")
            _check_memory(3 * n * c2 * math.ceil(h / 2) * math.ceil(w / 2) * 4, "the encoder outputs",
                          self.opts["max_memory_gb"])
            motion, appearance, size = [], [], (h, w)
            for group in self._groups(pairing):
                if not group:
                    continue
                prev = _to_batch([self.frames[self._first(pairing, t)] for t in group], self.device)
                cur = _to_batch([self.frames[t] for t in group], self.device)
                enc = self.net.encode(prev, cur)
                self.stats["encoder_frames"] += len(group)
                motion.append(enc.e_b - enc.e_a)            # (B, 2C, H'/2, W'/2), D before alpha
                appearance.append(enc.appearance)
                size = enc.size
            self._features[pairing] = (torch.cat(motion), torch.cat(appearance), size)
        return self._features[pairing]

    @torch.no_grad()
    def filtered(self, band: tuple[float, float]) -> Tensor:
        """Motion features of every frame against the reference, band-passed in time (engine's temporal mode)."""
        if self._filtered is None or self._filtered[0] != band:
            self._filtered = None  # free the old band first
            motion = self.features("reference")[0]
            cfg = MagnifyConfig(mode="temporal", low_hz=band[0], high_hz=band[1], filter=self.opts["filter"],
                                order=self.opts["order"], fir_taps=self.opts["fir_taps"])
            filt = make_filter(cfg, self.fps)
            if hasattr(filt, "prime"):
                filt.prime(motion[0])                        # start at rest on frame 0: a still scene stays still
            self._filtered = (band, torch.cat([filt(motion[t:t + 1]) for t in range(len(motion))]))
            self.stats["band_passes"] += 1
        return self._filtered[1]

    @torch.no_grad()
    def render(self, ts: list[int], s: _Setting) -> list[np.ndarray]:
        pairing = "previous" if s.mode == "dynamic" else "reference"
        out: dict[int, np.ndarray] = {}
        want = set(ts)
        for group in self._groups(pairing):
            wanted = [t for t in group if t in want]
            # The engine decodes temporal frames one at a time and the others in its batches: decode the same
            # batches where all their frames are wanted (consecutive runs otherwise), so the rounding agrees.
            runs = [[t] for t in wanted] if s.mode == "temporal" else _consecutive_runs(wanted)
            for r in runs:
                out.update(zip(r, self._decode(pairing, r[0], r[-1] + 1, s)))
        for t in ts:
            if t not in out:           # dynamic frame 0: no predecessor, passed through as the engine does
                out[t] = self.frames[t].copy()
        return [out[t] for t in ts]

    def _decode(self, pairing: str, t0: int, t1: int, s: _Setting) -> np.ndarray:
        motion, appearance, size = self.features(pairing)
        r0, r1 = (t0 - 1, t1 - 1) if pairing == "previous" else (t0, t1)
        if s.mode == "temporal":
            manipulated = self.net.manipulator(self.filtered(s.band)[r0:r1] * s.alpha)
        else:
            d = motion[r0:r1]
            manipulated = self.net.manipulator(d * _alpha_like(s.alpha, d))
        enc = Encoded(e_a=None, e_b=None, appearance=appearance[r0:r1], size=size)  # type: ignore[arg-type]
        self.stats["rendered_frames"] += t1 - t0
        return _to_frames(self.net.decode(enc, manipulated))  # decode reads the appearance and the size only

    @torch.no_grad()
    def preview_line(self, axis: int, index: int, s: _Setting, margin: int) -> np.ndarray:
        """The manipulator and decoder run on a band of ``2 margin + 1`` feature rows (or columns) around the
        line only, every frame in one batch: the band's edges are zero-padded where the full map has
        neighbours, so the line is off by a few levels of 0..255 (``margin`` 33 reaches as far as the
        networks' layers do, and gives the full decode's line to float rounding)."""
        pairing = "previous" if s.mode == "dynamic" else "reference"
        motion, appearance, size = self.features(pairing)
        dim = 2 + axis
        lo, hi = _window(motion.shape[dim], index, margin)
        d = (self.filtered(s.band) if s.mode == "temporal" else motion).narrow(dim, lo, hi - lo)
        app = appearance.narrow(dim, lo, hi - lo)
        out = torch.cat([self.net.decoder(self.net.manipulator(d[c:c + PREVIEW_CHUNK] * s.alpha)
                                          + app[c:c + PREVIEW_CHUNK]).select(dim, index - 2 * lo)
                         for c in range(0, len(d), PREVIEW_CHUNK)])[..., :size[1 - axis]]   # (N, 3, L)
        self.stats["preview_lines"] += 1
        return _line_frames(out, self.frames, axis, index, first=int(pairing == "previous"))


class _Oh2018Backend(_NetworkBackend):
    """Oh et al. (2018): texture and shape of every frame kept, and ``g(M_b - M_a)`` of every pair (the part of
    its manipulator before alpha); alpha re-runs ``h`` and the decoder. No temporal mode (as the engine)."""

    modes = ("dynamic", "static")

    def __init__(self, net: Oh2018Net, *args) -> None:
        super().__init__(net, *args)  # type: ignore[arg-type]
        self._per_frame: tuple[Tensor, Tensor] | None = None
        self._g: dict[str, Tensor] = {}

    @torch.no_grad()
    def per_frame(self) -> tuple[Tensor, Tensor]:
        """``(texture (T, 32, H/4, W/4), shape (T, 32, H/2, W/2))`` of every (padded) frame."""
        if self._per_frame is None:
            t_len, h, w, _ = self.frames.shape
            m, least = self.net.multiple, self.net.min_size
            pad = (0, max((-w) % m, least - w), 0, max((-h) % m, least - h))   # as Oh2018Net.intermediates
            _check_memory(t_len * 32 * (h * w / 4 + h * w / 16 + h * w / 4) * 4, "the encoder outputs",
                          self.opts["max_memory_gb"])
            tex, shape = [], []
            bs = self.opts["batch_size"]
            for s in range(0, t_len, bs):
                x = _to_batch(list(self.frames[s:s + bs]), self.device)
                x = F.pad(x, pad, mode="replicate") if any(pad) else x
                a, b = self.net.encode(x)
                tex.append(a)
                shape.append(b)
                self.stats["encoder_frames"] += len(x)
            self._per_frame = (torch.cat(tex), torch.cat(shape))
        return self._per_frame

    @torch.no_grad()
    def g(self, pairing: str) -> Tensor:
        if pairing not in self._g:
            shape = self.per_frame()[1]
            parts = []
            for group in self._groups(pairing):
                if group:
                    first = [self._first(pairing, t) for t in group]
                    parts.append(self.net.g(shape[group] - shape[first]))
            self._g[pairing] = torch.cat(parts)
        return self._g[pairing]

    def _decode(self, pairing: str, t0: int, t1: int, s: _Setting) -> np.ndarray:
        if s.mode == "temporal":
            raise MMKitError("oh2018 has no temporal mode (only the paper's networks band-pass their motion "
                             "features); choose dynamic or static")
        tex, shape = self.per_frame()
        gd = self.g(pairing)
        r0, r1 = (t0 - 1, t1 - 1) if pairing == "previous" else (t0, t1)
        first = [self._first(pairing, t) for t in range(t0, t1)]
        motion = gd[r0:r1] * _alpha_like(s.alpha, gd)                        # alpha * g(M_b - M_a)
        manipulated = shape[first] + self.net.h(motion)
        texture = F.interpolate(tex[first], scale_factor=2, mode="nearest")  # (B, 32, H/2, W/2)
        h, w = self.frames.shape[1:3]
        out = self.net.decoder(torch.cat([texture, manipulated], 1))[..., :h, :w]
        self.stats["rendered_frames"] += t1 - t0
        return _to_frames(out)

    @torch.no_grad()
    def preview_line(self, axis: int, index: int, s: _Setting, margin: int) -> np.ndarray:
        """As :meth:`_NetworkBackend.preview_line`: ``h`` and the decoder on a band of the half-resolution maps
        (reflection-padded at the band's edges, as the network pads its borders)."""
        if s.mode == "temporal":
            raise MMKitError("oh2018 has no temporal mode (only the paper's networks band-pass their motion "
                             "features); choose dynamic or static")
        pairing = "previous" if s.mode == "dynamic" else "reference"
        tex, shape = self.per_frame()
        gd = self.g(pairing)
        dim = 2 + axis
        lo, hi = _window(shape.shape[dim], index, margin)
        first = [self._first(pairing, t) for t in range(int(pairing == "previous"), len(self.frames))]
        parts = []
        for c in range(0, len(first), PREVIEW_CHUNK):
            f = first[c:c + PREVIEW_CHUNK]
            manipulated = shape[f].narrow(dim, lo, hi - lo) + self.net.h(gd[c:c + len(f)].narrow(dim, lo, hi - lo)
                                                                         * s.alpha)
            texture = F.interpolate(tex[f], scale_factor=2, mode="nearest").narrow(dim, lo, hi - lo)
            parts.append(self.net.decoder(torch.cat([texture, manipulated], 1)).select(dim, index - 2 * lo))
        h, w = self.frames.shape[1:3]
        out = torch.cat(parts)[..., :(w if axis == 0 else h)]
        self.stats["preview_lines"] += 1
        return _line_frames(out, self.frames, axis, index, first=int(pairing == "previous"))


def _line_frames(out: Tensor, frames: np.ndarray, axis: int, index: int, first: int) -> np.ndarray:
    """Decoded lines ``(N, 3, L)`` in [-1, 1] as a uint8 slice ``(T, L, 3)``; the ``first`` frames (dynamic
    mode's frame 0, which has no predecessor) are the input's line, as the engine passes that frame through."""
    lines = _to_frames(out.unsqueeze(2))[:, 0]                                 # (N, L, 3)
    given = frames[:first, index] if axis == 0 else frames[:first, :, index]
    return np.concatenate([given, lines]) if first else lines


class _LinearBackend(_Backend):
    """Wu et al. (2012): the YIQ Laplacian pyramid kept; per band, every amplified level band-passed in time
    and expanded to full size; alpha then only weighs those images (the collapse is linear)."""

    def __init__(self, frames: np.ndarray, fps: float, cfg: LinearConfig, opts: dict, stats: Stats,
                 device: torch.device) -> None:
        self.cfg, self.stats = cfg, stats
        self.fs = float(fps if cfg.fps is None else cfg.fps)
        t_len, h, w, _ = frames.shape
        self.size = (h, w)
        n_levels = min(cfg.levels, max_pyramid_levels(h, w))
        _check_memory(t_len * 3 * h * w * 4 * (2 + 4 / 3 + n_levels), "the Laplacian pyramid and its bands",
                      opts["max_memory_gb"])
        x, _ = _frames_to_tensor(frames, float("inf"))
        self.pyr = laplacian_pyramid(rgb_to_yiq(x.to(device)), cfg.levels)         # finest first, (T, 3, h_k, w_k)
        self.base = collapse_laplacian(self.pyr)                                    # (T, 3, H, W), YIQ
        self.stats["pyramid_frames"] += t_len
        self.channel = torch.tensor([1.0, cfg.chroma_attenuation, cfg.chroma_attenuation], device=device)
        self._band: tuple[float, float] | None = None
        self._expanded: dict[int, Tensor] = {}

    def expanded(self, band: tuple[float, float]) -> dict[int, Tensor]:
        """Level k's band-passed signal, expanded to full size (what it adds to the collapse), per middle level."""
        if self._band != band:
            check_band(self.fs, *band)
            self._expanded = {}
            band_pass = {"ideal": ideal_bandpass, "iir": iir_bandpass}[self.cfg.filter]
            for k in range(1, len(self.pyr) - 1):   # the finest band and the residual are never amplified
                img = band_pass(self.pyr[k], self.fs, *band)
                for j in reversed(range(k)):
                    img = upsample(img, tuple(self.pyr[j].shape[-2:]))
                self._expanded[k] = img
            self._band = band
            self.stats["band_passes"] += 1
        return self._expanded

    @torch.no_grad()
    def render(self, ts: list[int], s: _Setting) -> list[np.ndarray]:
        expanded = self.expanded(s.band)
        gains = level_alphas(*self.size, len(self.pyr), s.alpha, self.cfg.lambda_c)
        out = []
        for t in ts:
            y = self.base[t].clone()
            for k, gain in enumerate(gains):
                if gain > 0:
                    y += (gain * self.channel).view(3, 1, 1) * expanded[k][t]
            out.append(_to_uint8(yiq_to_rgb(y).clamp_(0.0, 1.0)))
            self.stats["rendered_frames"] += 1
        return out


def _consecutive_runs(ts: list[int]) -> list[list[int]]:
    """``[1, 2, 3, 5, 6]`` -> ``[[1, 2, 3], [5, 6]]`` (sorted input)."""
    runs: list[list[int]] = []
    for t in ts:
        if runs and runs[-1][-1] == t - 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    return runs


class _PhaseBackend(_Backend):
    """The phase family on the complex steerable pyramid (:func:`mmkit.classical.phase.run_phase_pipeline`, in
    the same steps): the bands of the luma and their phase change kept; per band, the filtered, smoothed phase
    (and the method's weights); alpha then redoes the phase rotation of each band and the collapse."""

    def __init__(self, name: str, frames: np.ndarray, fps: float, cfg: PhaseBase, opts: dict, stats: Stats,
                 device: torch.device) -> None:
        self.name, self.frames, self.fps, self.cfg, self.stats = name, frames, fps, cfg, stats
        t_len, h, w, _ = frames.shape
        if min(h, w) < 16:
            raise MMKitError(f"frames of {h}x{w} px are too small for a steerable pyramid with a band to magnify: "
                             "use at least 16 px on the shorter side")
        self.pyr = SteerablePyramid(h, w, cfg.orientations, PYRAMIDS[cfg.pyramid], cfg.depth, device=device)
        samples = sum(b.size[0] * b.size[1] for b in self.pyr.bands)
        _check_memory(t_len * (h * w * 28 + samples * (8 + 4 + 4 + 4 + 4)), "the steerable pyramid and its phases",
                      opts["max_memory_gb"])
        x, _ = _frames_to_tensor(frames, float("inf"))
        self.yiq = rgb_to_yiq(x.to(device))                                     # (T, 3, H, W)
        spec = self.pyr.spectrum(self.yiq[:, 0])                                # (T, H, W) complex, centred
        self.bands = [torch.cat([self.pyr.band(spec[s:s + FRAME_CHUNK], i) for s in range(0, t_len, FRAME_CHUNK)])
                      for i in range(len(self.pyr.bands))]                      # (T, h_i, w_i) complex each
        self.dphis = [phase_differences(b, cfg.reference) for b in self.bands]  # (T, h_i, w_i)
        self.stats["pyramid_frames"] += t_len
        self._band: tuple[float, float] | None = None
        self._shift: list[tuple[Tensor, Tensor | None]] = []

    def shifts(self, band: tuple[float, float]) -> list[tuple[Tensor, Tensor | None]]:
        """Per band ``(filtered smoothed phase, weight or None)``: the phase to add is their product times the gain."""
        if self._band != band:
            cfg = replace(self.cfg, low_hz=band[0], high_hz=band[1])
            if self.name == "phase":
                fs = float(self.fps if cfg.fps is None else cfg.fps)
                check_band(fs, *band)
            else:
                fs = check_dog(cfg, self.fps, self.frames)  # type: ignore[arg-type]
            method = PHASE_METHODS[self.name](cfg, fs)
            shifts: list = [None] * len(self.bands)
            for group in band_groups(self.pyr, method.by_scale, method.coarse_first):
                found = group_shifts([self.dphis[i] for i in group], [self.bands[i].abs() for i in group],
                                     method, fs, cfg.sigma, self.pyr, group)
                for i, shift in zip(group, found):
                    shifts[i] = shift
            self._shift = shifts
            self._band = band
            self.stats["band_passes"] += 1
        return self._shift

    @torch.no_grad()
    def render(self, ts: list[int], s: _Setting) -> list[np.ndarray]:
        shifts = self.shifts(s.band)
        cfg = self.cfg
        gain = 1.0 + s.alpha if cfg.attenuate_other else s.alpha
        limit = None if cfg.shift_limit is None else 2 * math.pi * cfg.shift_limit
        out = []
        for t in ts:
            sl = slice(t, t + 1)
            correction = torch.zeros((1, self.pyr.height, self.pyr.width), dtype=torch.complex64,
                                     device=self.yiq.device)
            for i, (filtered, weight) in enumerate(shifts):
                shift = filtered[sl] * gain
                if weight is not None:
                    shift.mul_(weight[sl])
                if limit is not None:
                    shift.clamp_(-limit, limit)
                band = self.bands[i]
                rot = torch.polar(torch.ones_like(shift), shift)
                if cfg.attenuate_other:   # phase phi_ref + (1 + alpha) B~
                    ref = band[0] / band[0].abs().clamp_min(1e-30)
                    delta = band[sl].abs() * ref * rot - band[sl]
                else:                     # phase phi + alpha B~
                    delta = band[sl] * (rot - 1)
                self.pyr.add_band(correction, delta, i)
            y = self.yiq[sl].clone()
            y[:, 0] += self.pyr.image(correction)
            out.append(_to_uint8(yiq_to_rgb(y).clamp_(0.0, 1.0))[0])
            self.stats["rendered_frames"] += 1
        return out


class _RieszBackend(_Backend):
    """Wadhwa et al. (2014), the steps of :class:`mmkit.classical.riesz.RieszMagnifier`: every frame's Riesz
    pyramid, quaternionic phase signal and amplitude kept; per band, the causal band-pass and amplitude-weighted
    blur of the phase over the clip; alpha then redoes the phase shift and the collapse."""

    def __init__(self, frames: np.ndarray, fps: float, cfg: RieszConfig, opts: dict, stats: Stats,
                 device: torch.device) -> None:
        self.cfg, self.stats = cfg, stats
        self.fs = float(fps if cfg.fps is None else cfg.fps)
        t_len, h, w, _ = frames.shape
        if min(h, w) < 8:
            raise MMKitError(f"frames of {h}x{w} px are too small: the Riesz pyramid needs >= 8 px on the shorter "
                             "side for one band-pass level")
        _check_memory(t_len * h * w * 4 * (3 + 11 * 4 / 3), "the Riesz pyramid and its phases", opts["max_memory_gb"])
        self.iq, self.coeffs, self.residual, self.signal, self.amplitude = [], [], [], [], []
        ref: list[Tensor] = []
        phase: list[Tensor] = []
        with torch.no_grad():
            for t in range(t_len):
                x = torch.from_numpy(np.ascontiguousarray(frames[t])).to(device).permute(2, 0, 1).float() / 255.0
                yiq = rgb_to_yiq(x.to(device, torch.float32))
                coeffs, residual = riesz_pyramid(yiq[0], cfg.levels, cfg.riesz)   # (3, h_k, w_k) per level
                if t == 0:
                    ref = [c.clone() for c in coeffs]
                    phase = [c.new_zeros(2, *c.shape[-2:]) for c in coeffs]
                signals, amps = [], []
                for k, coeff in enumerate(coeffs):
                    diff, amplitude = quaternion_phase_difference(coeff, ref[k])    # (2, h, w), (h, w)
                    if cfg.reference == "previous":
                        phase[k] = phase[k] + diff
                        ref[k] = coeff
                        signals.append(phase[k])
                    else:
                        signals.append(diff)
                    amps.append(amplitude)
                self.iq.append(yiq[1:])
                self.coeffs.append(coeffs)
                self.residual.append(residual)
                self.signal.append(signals)
                self.amplitude.append(amps)
        self.stats["pyramid_frames"] += t_len
        self._band: tuple[float, float] | None = None
        self._blurred: list[list[Tensor]] = []

    @torch.no_grad()
    def blurred(self, band: tuple[float, float]) -> list[list[Tensor]]:
        """Per frame and level, the band-passed phase after the amplitude-weighted blur (the shift per unit alpha)."""
        if self._band != band:
            sos = bandpass_sos(replace(self.cfg, low_hz=band[0], high_hz=band[1]), self.fs)
            filters = [StreamingIIR(sos) for _ in self.coeffs[0]]
            self._blurred = [[amplitude_weighted_blur(filters[k](sig), amp, self.cfg.sigma)
                              for k, (sig, amp) in enumerate(zip(signals, amps))]
                             for signals, amps in zip(self.signal, self.amplitude)]
            self._band = band
            self.stats["band_passes"] += 1
        return self._blurred

    @torch.no_grad()
    def render(self, ts: list[int], s: _Setting) -> list[np.ndarray]:
        blurred = self.blurred(s.band)
        limit = self.cfg.phase_limit
        out = []
        for t in ts:
            bands = []
            for coeff, b in zip(self.coeffs[t], blurred[t]):
                shift = s.alpha * b
                if limit is not None:
                    length = torch.sqrt((shift * shift).sum(0, keepdim=True))
                    shift = shift * (limit / length.clamp_min(limit))
                bands.append(phase_shift(coeff, shift))
            luma = collapse_laplacian(bands + [self.residual[t]])
            rgb = yiq_to_rgb(torch.cat([luma.unsqueeze(0), self.iq[t]])).clamp_(0.0, 1.0)
            out.append(_to_uint8(rgb))
            self.stats["rendered_frames"] += 1
        return out


class _WholeClipBackend(_Backend):
    """A registered method without a cached path: the whole method runs for each new (alpha, band)."""

    def __init__(self, name: str, frames: np.ndarray, fps: float, params: dict, stats: Stats,
                 device: torch.device) -> None:
        self.name, self.frames, self.fps, self.params, self.stats, self.device = name, frames, fps, params, stats, device
        self._last: tuple[_Setting, np.ndarray] | None = None

    def render(self, ts: list[int], s: _Setting) -> list[np.ndarray]:
        key = _Setting("", s.alpha, s.band)
        if self._last is None or self._last[0] != key:
            method = CLASSICAL[self.name]
            cfg = _classical_config(self.name, s.alpha, s.band, self.params)
            self._last = (key, method.run(self.frames, cfg, self.fps, device=self.device))
            self.stats["pyramid_frames"] += len(self.frames)
            self.stats["band_passes"] += 1
            self.stats["rendered_frames"] += len(self.frames)
        return [self._last[1][t].copy() for t in ts]


def _classical_config(name: str, alpha: float, band: tuple[float, float], params: dict):
    try:
        return CLASSICAL[name].config(alpha=alpha, low_hz=band[0], high_hz=band[1], fps=None, **params)
    except TypeError as e:
        raise MMKitError(f"bad parameters for method {name!r}: {e}") from None


# ---------------------------------------------------------------------------------------------- the session

class Magnifier:
    """A magnification session on one clip: set alpha, method, mode or band, then ask for frames or slices.

    Nothing is computed until a frame is asked for; then the method's expensive part runs once (see the module
    docstring for what is kept) and later calls redo only what the changed setting needs. Each method's cache
    stays while the session lives, so switching back to a method costs nothing.

    Args:
        frames: the clip, ``(T, H, W, 3)`` uint8, ``T >= 2``.
        fps: its frame rate (the temporal filters' sampling rate).
        method: a name of :data:`METHODS` or a checkpoint path of one of the paper's networks.
        mode: ``"dynamic"``, ``"static"`` or ``"temporal"`` (networks; classical methods ignore it).
        alpha: magnification factor (networks: motion x alpha; classical: x (1 + alpha)).
        low_hz, high_hz: the pass band, ``0 < low < high < fps / 2`` (temporal mode and classical methods).
        reference: the reference frame of static and temporal mode.
        filter, order, fir_taps: the temporal mode's filter, as in :class:`mmkit.engine.MagnifyConfig`.
        params: per classical method, its other config fields, e.g. ``{"riesz": {"riesz": "fourier"}}``.
        nets: networks to use instead of the shipped weights, by method name (e.g. a model just trained).
        batch_size: frames per encoder and decoder call.
        device: ``"auto"`` (a GPU when there is one), ``"cpu"``, ``"cuda"``.
        max_memory_gb: a method whose cache would need more raises :class:`MMKitError` instead.

    Shape:
        :meth:`frame` ``(H, W, 3)`` uint8; :meth:`clip` ``(T, H, W, 3)`` uint8; :meth:`slice` ``(T, W, 3)`` for a
        row, ``(T, H, 3)`` for a column.

    :attr:`stats` counts the work done: ``encoder_frames`` (frames or pairs through a network's encoder),
    ``pyramid_frames`` (frames decomposed by a classical method), ``band_passes`` (temporal filterings of a whole
    clip's features) and ``rendered_frames`` (frames through the last stage).
    """

    def __init__(self, frames: np.ndarray, fps: float = 30.0, method: str = "light", mode: str = "dynamic",
                 alpha: float = 10.0, low_hz: float = 0.5, high_hz: float = 3.0, *, reference: int = 0,
                 filter: str = "butter", order: int = 2, fir_taps: int = 31, params: dict | None = None,
                 nets: dict | None = None, batch_size: int = 4, device: str = "auto", channels_last: bool = True,
                 max_memory_gb: float = 4.0) -> None:
        from .train import resolve_device

        self.frames = _check_frames(frames)
        check_number("fps", fps, strict=True)
        self.fps = float(fps)
        check_index(reference, len(frames), "reference frame")
        cfg = MagnifyConfig(reference=reference, filter=filter, order=order, fir_taps=fir_taps, batch_size=batch_size)
        cfg.validate()
        self.opts = {"reference": int(reference), "filter": filter, "order": order, "fir_taps": fir_taps,
                     "batch_size": batch_size, "max_memory_gb": max_memory_gb}
        self.params = dict(params or {})
        self.nets = dict(nets or {})
        self.device = resolve_device(device)
        self.channels_last = channels_last
        self.stats: Stats = collections.Counter(encoder_frames=0, pyramid_frames=0, band_passes=0, rendered_frames=0,
                                                preview_lines=0)
        self._backends: dict[str, _Backend] = {}
        self._rendered: collections.OrderedDict = collections.OrderedDict()
        self._method, self._mode = "light", "dynamic"
        self._alpha = check_alpha(alpha)
        self._band = self._check_band(low_hz, high_hz)
        self.set_method(method)
        self.set_mode(mode)

    # -- settings ---------------------------------------------------------------------------------------
    @property
    def method(self) -> str:
        return self._method

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def alpha(self) -> float:
        return self._alpha

    @property
    def band(self) -> tuple[float, float]:
        return self._band

    @property
    def n_frames(self) -> int:
        return len(self.frames)

    @property
    def uses_mode(self) -> bool:
        """Whether the current method has modes (the networks do; classical methods ignore the mode)."""
        return self.method not in CLASSICAL

    @property
    def uses_band(self) -> bool:
        """Whether the pass band matters now: classical methods, and the networks' temporal mode."""
        return self.method in CLASSICAL or self.mode == "temporal"

    def set_alpha(self, alpha: float) -> None:
        """Set alpha (finite, >= 0). Costs nothing now; the next frame re-runs only the method's last stage."""
        self._alpha = check_alpha(alpha)

    def set_band(self, low_hz: float, high_hz: float) -> None:
        """Set the pass band in Hz (``0 < low < high < fps / 2``); the next frame re-filters the kept features."""
        self._band = self._check_band(low_hz, high_hz)

    def set_mode(self, mode: str) -> None:
        """``"dynamic"``, ``"static"`` or ``"temporal"``; oh2018 has no temporal mode."""
        if mode not in MODES:
            raise MMKitError(f"unknown mode {mode!r}; choose one of {list(MODES)}")
        if mode == "temporal" and self._method == "oh2018":
            raise MMKitError("oh2018 has no temporal mode (only the paper's networks band-pass their motion "
                             "features); choose dynamic or static")
        self._mode = mode

    def set_method(self, method: str) -> None:
        """A name of :data:`METHODS` or a checkpoint path; its cache is built at the first frame asked for."""
        if not isinstance(method, str):
            raise MMKitError(f"method must be a name or a checkpoint path, got {method!r}")
        if method not in methods() and not method.endswith(".pt"):
            raise MMKitError(f"unknown method {method!r}; choose one of {methods()} or give a checkpoint path")
        if method == "oh2018" and self._mode == "temporal":
            raise MMKitError("oh2018 has no temporal mode (only the paper's networks band-pass their motion "
                             "features); switch the mode to dynamic or static first")
        self._method = method

    def configure(self, method: str | None = None, mode: str | None = None, alpha: float | None = None,
                  band: tuple[float, float] | None = None) -> None:
        """Set several settings at once (None keeps one), in an order that always works: one by one, going from
        the base network in temporal mode to oh2018 in static mode would fail (oh2018 has no temporal mode), so
        the method is set while the mode is static. A refused setting raises :class:`MMKitError` and changes
        nothing. Costs nothing now, like each ``set_...``."""
        before = (self._method, self._mode, self._alpha, self._band)
        try:
            self._mode = "static"               # valid with every method, so that any method can be set next
            if method is not None:
                self.set_method(method)
            self.set_mode(before[1] if mode is None else mode)
            if alpha is not None:
                self.set_alpha(alpha)
            if band is not None:
                self.set_band(*band)
        except MMKitError:
            self._method, self._mode, self._alpha, self._band = before
            raise

    def _check_band(self, low_hz: object, high_hz: object) -> tuple[float, float]:
        band = (_number(low_hz, "low cut-off"), _number(high_hz, "high cut-off"))
        check_band(self.fps, *band)
        return band

    # -- frames -----------------------------------------------------------------------------------------
    def frame(self, t: int) -> np.ndarray:
        """Magnified frame ``t`` at the current settings, ``(H, W, 3)`` uint8 (read-only; copy to change it)."""
        t = check_index(t, self.n_frames)
        return self._render([t])[0]

    def clip(self) -> np.ndarray:
        """Every magnified frame at the current settings, ``(T, H, W, 3)`` uint8."""
        return np.stack(self._render(list(range(self.n_frames))))

    def slice(self, row: int | None = None, col: int | None = None) -> np.ndarray:
        """Spatio-temporal slice of the magnified clip at ``row`` (``(T, W, 3)``, x-t) or ``col`` (``(T, H, 3)``).

        With neither, the middle row. It needs every frame at the current settings (rendered once, then kept).
        """
        row, col = self._slice_at(row, col)
        return temporal_slice(self.clip(), row=row, col=col)

    def quick_slice(self, row: int | None = None, col: int | None = None,
                    margin: int | None = None) -> tuple[np.ndarray, bool]:
        """The slice as :meth:`slice`, fast: ``(slice, exact)``.

        Exact (``True``) when every frame is already rendered at these settings, or for the classical methods
        (whose slices take a fraction of a second). For a network otherwise, a preview: the manipulator and
        decoder run on a band of ``margin`` (default :data:`PREVIEW_MARGIN`) feature rows each side of the
        line, all frames at once, instead of on every whole frame. At the course's 160 px, a preview costs
        a fifth to a sixth of the exact slice and differs from it by about a grey level on average (the
        band's cut edges; ``tests/test_widgets.py`` bounds it). The widget shows it first, then the exact one.
        """
        row, col = self._slice_at(row, col)
        axis, index = (0, row) if row is not None else (1, col)
        key = (self.method, self._setting())
        done = self._rendered.get(key, {})
        if len(done) < self.n_frames:
            line = self.backend().preview_line(axis, index, _Setting(self.mode, self.alpha, self.band),
                                               PREVIEW_MARGIN if margin is None else margin)
            if line is not None:
                return line, False
        return self.slice(row=row, col=col), True

    def input_slice(self, row: int | None = None, col: int | None = None) -> np.ndarray:
        """The same slice of the input clip."""
        row, col = self._slice_at(row, col)
        return temporal_slice(self.frames, row=row, col=col)

    def _slice_at(self, row: int | None, col: int | None) -> tuple[int | None, int | None]:
        if row is not None and col is not None:
            raise MMKitError("give a row or a column for the slice, not both")
        h, w = self.frames.shape[1:3]
        if col is not None:
            return None, check_index(col, w, "slice column")
        return check_index(h // 2 if row is None else row, h, "slice row"), None

    def _setting(self) -> _Setting:
        uses_mode, uses_band = self.uses_mode, self.uses_band
        return _Setting(self.mode if uses_mode else "", self.alpha, self.band if uses_band else (0.0, 0.0))

    def _render(self, ts: list[int]) -> list[np.ndarray]:
        key = (self.method, self._setting())
        done = self._rendered.setdefault(key, {})
        self._rendered.move_to_end(key)
        while len(self._rendered) > RENDER_CACHE_SETTINGS:
            self._rendered.popitem(last=False)
        todo = [t for t in ts if t not in done]
        if todo:
            setting = _Setting(self.mode, self.alpha, self.band)
            for t, f in zip(todo, self.backend().render(todo, setting)):
                done[t] = _read_only(f)
        return [done[t] for t in ts]

    def backend(self) -> _Backend:
        """The current method's cache, built on first use."""
        if self.method not in self._backends:
            self._backends[self.method] = self._make_backend(self.method)
        b = self._backends[self.method]
        if b.uses_mode and self.mode not in b.modes:
            raise MMKitError(f"{self.method} has no {self.mode} mode (only the paper's networks band-pass their "
                             "motion features); choose dynamic or static")
        return b

    def _make_backend(self, name: str) -> _Backend:
        args = (self.frames, self.fps)
        if name in CLASSICAL:
            params = self.params.get(name, {})
            if name == "linear":
                return _LinearBackend(*args, _classical_config(name, self.alpha, self.band, params), self.opts,
                                      self.stats, self.device)
            if name == "riesz":
                return _RieszBackend(*args, _classical_config(name, self.alpha, self.band, params), self.opts,
                                     self.stats, self.device)
            if name in PHASE_METHODS:
                return _PhaseBackend(name, *args, _classical_config(name, self.alpha, self.band, params), self.opts,
                                     self.stats, self.device)
            return _WholeClipBackend(name, *args, params, self.stats, self.device)
        net = self.nets.get(name)
        net = load_method(name, self.device) if net is None else net.to(self.device).eval()
        if self.channels_last:
            net = net.to(memory_format=torch.channels_last)
        if isinstance(net, Oh2018Net):
            return _Oh2018Backend(net, *args, self.opts, self.stats, self.device)
        if isinstance(net, MagnificationNet):
            return _NetworkBackend(net, *args, self.opts, self.stats, self.device)
        raise MMKitError(f"{name!r} is not one of mmkit's networks (got {type(net).__name__})")

    def __repr__(self) -> str:
        t, h, w, _ = self.frames.shape
        extra = f", mode={self.mode}" if self.uses_mode else ""
        band = f", band={self.band[0]:g}-{self.band[1]:g} Hz" if self.uses_band else ""
        return f"Magnifier({t} frames of {h}x{w} at {self.fps:g} fps, method={self.method}{extra}, alpha={self.alpha:g}{band})"


# ---------------------------------------------------------------------------------------------- figures

def slices_figure(slices: list[np.ndarray], titles: list[str], fps: float, axis: str = "x", width: float = 7.5,
                  ncols: int | None = None, row_height: float = 1.8):
    """A matplotlib figure of slices ``(T, L, 3)``: space in pixels across, time in seconds down, ``ncols`` a row,
    each row ``row_height`` inches tall (taller rows give each second of time more room)."""
    import matplotlib.pyplot as plt

    ncols = ncols or len(slices)
    nrows = math.ceil(len(slices) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, row_height * nrows), squeeze=False)
    for ax in axes.flat[len(slices):]:
        ax.axis("off")
    for ax, s, title in zip(axes.flat, slices, titles):
        ax.imshow(s, aspect="auto", extent=(0, s.shape[1], s.shape[0] / fps, 0), interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(f"{axis} (pixels)")
    for ax in axes[:, 0]:
        ax.set_ylabel("time (s)")
    fig.tight_layout()
    return fig


def motion_gain(frames: np.ndarray, displacement: np.ndarray, region: tuple[int, int, int, int]) -> float:
    """How many times the known horizontal motion the content of ``region`` moves in ``frames``.

    ``displacement``: the true input motion per frame in px (e.g. ``VibrationClip.displacement()``);
    ``region = (y0, y1, x0, x1)``: a patch of the moving object. The shift of the patch from frame 0 is measured
    in every frame (:func:`mmkit.measure.measure_shift`) and the least-squares gain against the true motion is
    returned: about 1 for the input, alpha for a perfect static-mode output (``1 + alpha`` for the classical
    methods' convention). The measurement reads a few per cent low on small patches (its window; see
    :func:`~mmkit.measure.phase_correlation`), the same for every clip, so compare gains with the truth's.

    Examples:
        >>> from mmkit.data.samples import VibrationClip
        >>> clip = VibrationClip(height=96, width=96, n_frames=12, radius=24)
        >>> round(motion_gain(clip.render(10.0), clip.displacement(), (36, 60, 36, 60)), 1)   # the truth for alpha 10
        9.9
    """
    d = np.asarray(displacement, dtype=np.float64)
    if d.shape != (len(frames),):
        raise MMKitError(f"displacement must have one value per frame ({len(frames)}), got shape {d.shape}")
    d = d - d[0]
    if not np.any(d):
        raise MMKitError("the true displacement never changes: there is no motion to measure a gain against")
    dx = motion_trace(frames, region)
    return float(dx @ d / (d @ d))


def motion_trace(frames: np.ndarray, region: tuple[int, int, int, int]) -> np.ndarray:
    """The horizontal shift in px of the content of ``region = (y0, y1, x0, x1)`` from frame 0 to every frame,
    ``(T,)``: what :func:`motion_gain` fits against the true motion, to plot over time (where a method starts
    slowly, overshoots, or smears the patch so badly that the measurement jumps).

    Examples:
        >>> from mmkit.data.samples import VibrationClip
        >>> clip = VibrationClip(height=96, width=96, n_frames=12, radius=24)
        >>> trace = motion_trace(clip.render(10.0), (36, 60, 36, 60))
        >>> np.round(trace[:4], 1)          # the truth for alpha 10: 10 x 0.25 px each way, a quarter period in
        array([-0. ,  1.2,  2.2,  2.5])
    """
    from .measure import measure_shift

    return np.array([measure_shift(frames[0], f, region)[0] for f in frames])


def plot_session(mag: Magnifier, t: int = 0, row: int | None = None, truth: np.ndarray | None = None,
                 width: float = 6.5):
    """One static view of a session: input and magnified frame ``t`` with the slice row in red, and the x-t
    slices of input, output and (when given) the ground-truth clip ``truth`` below them."""
    import matplotlib.pyplot as plt

    row = mag._slice_at(row, None)[0]
    t = check_index(t, mag.n_frames)
    label = _label(mag)
    slices = [mag.input_slice(row=row), mag.slice(row=row)] + ([temporal_slice(truth, row=row)] if truth is not None
                                                               else [])
    names = ["input", label] + (["ground truth"] if truth is not None else [])
    n = len(slices)
    fig, axes = plt.subplots(2, n, figsize=(width, 0.68 * width), squeeze=False)
    frames = [mag.frames[t], mag.frame(t)] + ([truth[t]] if truth is not None else [])
    for i in range(n):
        top, bottom = axes[0, i], axes[1, i]
        top.imshow(frames[i], interpolation="nearest")
        top.axhline(row, color="red", lw=1)
        top.set_title(f"{names[i]}, frame {t}", fontsize=9)
        top.set_xlabel("x (pixels)")
        s = slices[i]
        bottom.imshow(s, aspect="auto", extent=(0, s.shape[1], s.shape[0] / mag.fps, 0), interpolation="nearest")
        bottom.set_title(f"x-t slice at row {row}", fontsize=9)
        bottom.set_xlabel("x (pixels)")
    axes[0, 0].set_ylabel("y (pixels)")
    axes[1, 0].set_ylabel("time (s)")
    fig.tight_layout()
    return fig


def _label(mag: Magnifier) -> str:
    mode = f" {mag.mode}" if mag.uses_mode else ""
    return f"{mag.method}{mode}, alpha={mag.alpha:g}"


# ---------------------------------------------------------------------------------------------- the widget

def _png(image: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buf, format="png")
    return buf.getvalue()


def frame_pair_image(mag: Magnifier, t: int, row: int) -> np.ndarray:
    """Input | magnified frame ``t``, side by side, with the slice row drawn in red on both, ``(H, 2W + 2, 3)``."""
    a, b = mag.frames[t].copy(), mag.frame(t).copy()
    for img in (a, b):
        img[row] = (255, 0, 0)
    gap = np.full((a.shape[0], 2, 3), 255, np.uint8)
    return np.concatenate([a, gap, b], axis=1)


def slice_pair_image(mag: Magnifier, row: int, magnified: np.ndarray | None = None) -> np.ndarray:
    """Input | magnified x-t slice at ``row`` (``magnified``, by default :meth:`Magnifier.slice`); each frame's
    line repeated so the slice is about as tall as a frame."""
    rep = max(1, round(mag.frames.shape[1] / mag.n_frames))
    magnified = mag.slice(row=row) if magnified is None else magnified
    a, b = (np.repeat(s, rep, axis=0) for s in (mag.input_slice(row=row), magnified))
    gap = np.full((a.shape[0], 2, 3), 255, np.uint8)
    return np.concatenate([a, gap, b], axis=1)


def opening_frame(mag: Magnifier) -> int:
    """The frame the widget opens on: the one whose input differs most from the frame it is compared with (the
    previous frame in dynamic mode, else the reference frame), so that moving alpha visibly acts at once. Frame 0
    would not do: in static mode it is the reference itself, in dynamic mode it has no previous frame, so there is
    no motion there to magnify."""
    frames = mag.frames.astype(np.float32)
    if mag.uses_mode and mag.mode == "dynamic":
        change = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2, 3))
        return int(np.argmax(change)) + 1
    change = np.abs(frames - frames[mag.opts["reference"]]).mean(axis=(1, 2, 3))
    return int(np.argmax(change))


#: Width of :meth:`MagnifierWidget.picture`: the course's figure width (8 in at 80 dpi).
PICTURE_WIDTH_PX = 640


class MagnifierWidget:
    """The sliders of a :class:`Magnifier` and the two images they drive; each control calls one method here.

    ``on_method``, ``on_mode``, ``on_alpha``, ``on_band``, ``on_frame`` and ``on_row`` are the callbacks (each
    takes an ipywidgets change dict). A setting the session refuses (e.g. oh2018 in temporal mode) puts its
    message in :attr:`status` and the control back where it was. The band slider is active only where the band
    matters, the mode menu only for the networks. Sliders update on release (``continuous_update=False``).
    It opens on ``frame``, by default :func:`opening_frame`: where the motion is, so that alpha acts at once.
    """

    def __init__(self, mag: Magnifier, display_scale: float = 2.0, alpha_max: float = 100.0,
                 frame: int | None = None) -> None:
        import ipywidgets as W

        self.mag = mag
        h, w = mag.frames.shape[1:3]
        nyquist = mag.fps / 2
        step = 0.1 if nyquist > 1 else nyquist / 20
        style = {"description_width": "90px"}
        self.method = W.Dropdown(options=list(dict.fromkeys(methods() + [mag.method])), value=mag.method,
                                 description="method", style=style)
        self.mode = W.Dropdown(options=list(MODES), value=mag.mode, description="mode", style=style)
        self.alpha = W.FloatSlider(value=mag.alpha, min=0.0, max=max(alpha_max, mag.alpha), step=0.5,
                                   description="alpha", continuous_update=False, style=style)
        lo, hi = mag.band
        self.band = W.FloatRangeSlider(value=(lo, hi), min=min(step, lo), max=max(hi, nyquist - step), step=step,
                                       description="band (Hz)", continuous_update=False, readout_format=".1f",
                                       style=style)
        frame = opening_frame(mag) if frame is None else check_index(frame, mag.n_frames)
        self.frame = W.IntSlider(value=frame, min=0, max=mag.n_frames - 1, description="frame",
                                 continuous_update=False, style=style)
        self.row = W.IntSlider(value=h // 2, min=0, max=h - 1, description="slice row", continuous_update=False,
                               style=style)
        self.frame_view = W.Image(format="png", layout=W.Layout(width=f"{int((2 * w + 2) * display_scale)}px"))
        self.slice_view = W.Image(format="png", layout=W.Layout(width=f"{int((2 * w + 2) * display_scale)}px"))
        self.frame_caption = W.HTML()
        self.slice_caption = W.HTML()
        self.status = W.HTML()
        self._busy = False
        self.timings: dict[str, float] = {}                     # seconds of each step of the last refresh
        self._shown_frame: tuple[int, int, str] | None = None   # (frame, slice row, label) of the frame on show
        self._shown_slice: tuple[int, str] | None = None        # (slice row, label) of the slice on show
        for control, callback in ((self.method, self.on_method), (self.mode, self.on_mode),
                                  (self.alpha, self.on_alpha), (self.band, self.on_band),
                                  (self.frame, self.on_frame), (self.row, self.on_row)):
            control.observe(callback, names="value")
        controls = W.VBox([W.HBox([self.method, self.mode]), W.HBox([self.alpha, self.band]),
                           W.HBox([self.frame, self.row])])
        views = W.HBox([W.VBox([self.frame_caption, self.frame_view]), W.VBox([self.slice_caption, self.slice_view])])
        self.box = W.VBox([controls, views, self.status])
        self._sync_enabled()
        self.refresh()

    # -- callbacks --------------------------------------------------------------------------------------
    def on_method(self, change: dict) -> None:
        self._apply(self.mag.set_method, change, self.method)

    def on_mode(self, change: dict) -> None:
        self._apply(self.mag.set_mode, change, self.mode)

    def on_alpha(self, change: dict) -> None:
        self._apply(self.mag.set_alpha, change, self.alpha)

    def on_band(self, change: dict) -> None:
        self._apply(lambda band: self.mag.set_band(*band), change, self.band)

    def on_frame(self, change: dict) -> None:
        self.refresh(slice_too=False)

    def on_row(self, change: dict) -> None:
        self.refresh()

    def _apply(self, setter: Callable, change: dict, control) -> None:
        if self._busy:
            return
        try:
            setter(change["new"])
        except MMKitError as e:
            self._busy = True
            try:
                control.value = change["old"]
            finally:
                self._busy = False
            self._say(str(e), error=True)
            return
        self._sync_enabled()
        self.refresh()

    # -- drawing ----------------------------------------------------------------------------------------
    def _sync_enabled(self) -> None:
        self.mode.disabled = not self.mag.uses_mode
        self.band.disabled = not self.mag.uses_band

    def refresh(self, slice_too: bool = True) -> None:
        """Draw the frame (and the slice) at the session's current settings; a refused one shows its message.

        The status line says "computing ..." while work goes on. For a network whose frames at these settings
        are not all rendered yet, the slice comes in two steps: a preview (:meth:`Magnifier.quick_slice`, a
        fraction of a second), then the exact slice, which renders every frame (so that later frame and row moves
        cost nothing). :attr:`timings` keeps the seconds of each step of the last refresh.
        """
        t, row = self.frame.value, self.row.value
        before = dict(self.mag.stats)
        self.timings = {}
        try:
            self._say(f"computing frame {t}...", busy=True)
            start = time.perf_counter()
            self.frame_view.value = _png(frame_pair_image(self.mag, t, row))
            self.timings["frame"] = time.perf_counter() - start
            self.frame_caption.value = f"<b>input | {_label(self.mag)}</b>, frame {t} (slice row {row} in red)"
            self._shown_frame = (t, row, _label(self.mag))
            msg = f"frame: {self.timings['frame']:.2f} s"
            if slice_too:
                n = self.mag.n_frames
                self._say(f"computing the x-t slice ({n} frames)...", busy=True)
                _let_the_browser_draw()
                start = time.perf_counter()
                quick, exact = self.mag.quick_slice(row=row)
                if not exact:
                    self._show_slice(row, quick, preview=True)
                    self.timings["slice preview"] = time.perf_counter() - start
                    self._say(f"preview of the slice shown ({self.timings['slice preview']:.2f} s); computing the "
                              f"exact slice ({n} frames)...", busy=True)
                    _let_the_browser_draw()
                    start = time.perf_counter()
                    quick = self.mag.slice(row=row)
                self._show_slice(row, quick, preview=False)
                self.timings["slice"] = time.perf_counter() - start
                if exact:
                    msg += f"; slice ({n} frames): {self.timings['slice']:.2f} s"
                else:
                    msg += (f"; slice preview: {self.timings['slice preview']:.2f} s, then the exact slice ({n} "
                            f"frames): {self.timings['slice']:.2f} s")
        except MMKitError as e:
            self._say(str(e), error=True)
            return
        done = {k: self.mag.stats[k] - before.get(k, 0) for k in self.mag.stats}
        self._say(f"{msg}. Work for this update: {done['encoder_frames']} encoded, {done['pyramid_frames']} "
                  f"decomposed, {done['band_passes']} band-passes, {done['rendered_frames']} frames rendered.")

    def _show_slice(self, row: int, image: np.ndarray, preview: bool) -> None:
        self.slice_view.value = _png(slice_pair_image(self.mag, row, image))
        what = "preview, exact slice coming" if preview else f"time down, {self.mag.n_frames / self.mag.fps:.2f} s"
        self.slice_caption.value = f"<b>x-t slice at row {row}</b>: input | magnified ({what})"
        self._shown_slice = (row, _label(self.mag))

    def _say(self, text: str, error: bool = False, busy: bool = False) -> None:
        import html

        colour = "#b00" if error else "#06c" if busy else "#555"
        weight = "bold" if busy else "normal"
        self.status.value = f"<span style='color:{colour}; font-weight:{weight}'>{html.escape(text)}</span>"

    def picture(self, width_px: int = PICTURE_WIDTH_PX) -> bytes | None:
        """PNG of what the widget shows now: input and magnified frame (slice row in red), input and magnified
        x-t slice, titled, axes in pixels and seconds, ``width_px`` wide; None before anything is drawn.

        Drawn from the PNGs the two image views hold, so it is exactly what is on show. A notebook's stored
        output keeps it beside the widget's view: before a kernel runs (GitHub, nbviewer, a Colab preview) the
        view cannot be drawn, and the picture shows what the sliders act on instead of a line of text.
        """
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from PIL import Image

        if not (self.frame_view.value and self.slice_view.value and self._shown_frame and self._shown_slice):
            return None
        frame_pair, slice_pair = (np.asarray(Image.open(io.BytesIO(bytes(v))).convert("RGB"))
                                  for v in (self.frame_view.value, self.slice_view.value))
        w = self.mag.frames.shape[2]                  # each pair: input | 2 px gap | magnified
        (t, row, label), (slice_row, slice_label) = self._shown_frame, self._shown_slice
        seconds = self.mag.n_frames / self.mag.fps
        dpi = 80
        fig = Figure(figsize=(width_px / dpi, 0.4 * width_px / dpi), dpi=dpi)
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, 4)
        panels = [(frame_pair[:, :w], f"input, frame {t}"), (frame_pair[:, w + 2:], label),
                  (slice_pair[:, :w], f"input, x-t at row {slice_row}"), (slice_pair[:, w + 2:], slice_label)]
        for i, (ax, (image, title)) in enumerate(zip(axes, panels)):
            if i < 2:
                ax.imshow(image, interpolation="nearest")
            else:
                ax.imshow(image, aspect="auto", extent=(0, w, seconds, 0), interpolation="nearest")
            ax.set_title(title, fontsize=9)
            ax.set_xlabel("x (pixels)", fontsize=9)
            ax.tick_params(labelsize=9)
        axes[0].set_ylabel("y (pixels)", fontsize=9)
        axes[2].set_ylabel("time (s)", fontsize=9)
        fig.suptitle("The widget's view (its sliders need a running kernel)", fontsize=10)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        return compact_png(buf.getvalue())  # 256 colours: a quarter of the bytes, so a stored notebook stays small

    def _repr_mimebundle_(self, **kwargs):
        bundle = widget_bundle(self.box, f"MagnifierWidget for {self.mag!r}", **kwargs)
        png = self.picture()
        if png is not None:
            bundle["image/png"] = base64.b64encode(png).decode("ascii")
        return bundle


#: Seconds the widget waits after sending an image before a longer computation: on a laptop that runs the browser
#: and the kernel on the same two cores, the browser gets no time to draw while torch's threads hold both, and
#: the frame (or the slice preview) would appear only when the next step ends.
DRAW_PAUSE_S = 0.05


def _let_the_browser_draw() -> None:
    time.sleep(DRAW_PAUSE_S)


def widget_bundle(box, text: str, **kwargs) -> dict:
    """The display bundle of an ipywidgets ``box`` with ``text`` as its text/plain: the box's own bundle under
    ipywidgets 8, its view by model id under ipywidgets 7 (Colab's), whose widgets give no ``_repr_mimebundle_``."""
    if not hasattr(box, "_repr_mimebundle_"):
        return {"text/plain": text, "application/vnd.jupyter.widget-view+json": {
            "version_major": 2, "version_minor": 0, "model_id": box.model_id}}
    bundle = box._repr_mimebundle_(**kwargs)
    if isinstance(bundle, tuple):
        bundle = bundle[0]
    bundle = dict(bundle)
    bundle["text/plain"] = text
    return bundle


def build_widget(mag: Magnifier, display_scale: float = 2.0, alpha_max: float = 100.0,
                 frame: int | None = None) -> MagnifierWidget:
    """The interactive view of ``mag``: method, mode, alpha, band, frame and slice-row controls wired to it,
    opened on ``frame`` (by default :func:`opening_frame`, where alpha visibly acts).

    Display the returned :class:`MagnifierWidget` in a notebook (last expression of a cell, or ``display``).
    """
    return MagnifierWidget(mag, display_scale=display_scale, alpha_max=alpha_max, frame=frame)


class Sliders:
    """``ipywidgets.interactive(draw, **controls)`` for a ``draw`` that returns a matplotlib figure, whose stored
    output is also a picture: the figure of its first drawing.

    A lesson's stored outputs are what a student sees first (GitHub, nbviewer, a Colab preview), and there a
    widget's view cannot be drawn: ``interact`` leaves one line of text. This box's display bundle holds the
    widget's view, which a running notebook shows, and a PNG of the first figure, which the others show.
    """

    def __init__(self, draw: Callable, **controls) -> None:
        import ipywidgets as W

        self.draw = draw
        self.first_png: bytes | None = None
        self.box = W.interactive(self._show, **controls)

    def _show(self, **kwargs) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import display

        fig = self.draw(**kwargs)
        if self.first_png is None:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", bbox_inches="tight")
            self.first_png = compact_png(buf.getvalue())
        display(fig)
        plt.close(fig)

    def _repr_mimebundle_(self, **kwargs):
        bundle = widget_bundle(self.box, f"sliders for {getattr(self.draw, '__name__', 'a figure')}", **kwargs)
        if self.first_png is not None:
            bundle["image/png"] = base64.b64encode(self.first_png).decode("ascii")
        return bundle


def sliders(draw: Callable, **controls) -> Sliders:
    """Sliders (or other ipywidgets controls, as for ``interact``) that redraw the figure ``draw(**values)``
    returns; display the result (last expression of a cell). See :class:`Sliders`.
    """
    return Sliders(draw, **controls)
