"""The classical methods' back ends: each keeps its method's decomposition of the clip (Wu et al.'s Laplacian pyramid,
the phase family's steerable bands, Wadhwa et al.'s Riesz pyramid), re-filters it when the band moves and redoes only
the last stage when alpha moves; a method registered without such a path runs whole (:class:`_WholeClipBackend`)."""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import torch
from torch import Tensor

from ..classical.acceleration import check_dog
from ..classical.linear import LinearConfig, _frames_to_tensor, level_alphas, rgb_to_yiq, yiq_to_rgb
from ..classical.phase import (
    FRAME_CHUNK,
    PYRAMIDS,
    PhaseBase,
    band_groups,
    group_shifts,
    phase_differences,
)
from ..classical.pyramids import collapse_laplacian, laplacian_pyramid, max_pyramid_levels, upsample
from ..classical.registry import PHASE_METHODS
from ..classical.riesz import (
    RieszConfig,
    amplitude_weighted_blur,
    bandpass_sos,
    phase_shift,
    quaternion_phase_difference,
    riesz_pyramid,
)
from ..classical.steerable import SteerablePyramid
from ..classical.temporal import ideal_bandpass, iir_bandpass
from ..engine import CLASSICAL
from ..errors import MMKitError
from ..filters import StreamingIIR, check_band
from .backend import Stats, _Backend, _check_memory, _Setting


def _to_uint8(rgb01: Tensor) -> np.ndarray:
    """``(..., 3, H, W)`` RGB in [0, 1] (clipped already) -> uint8 ``(..., H, W, 3)``, as the classical methods."""
    return rgb01.mul(255.0).round_().to(torch.uint8).movedim(-3, -1).cpu().numpy()


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

    def expanded(self, band: tuple[float, float]) -> dict[int, Tensor]:
        """Level k's band-passed signal, expanded to full size (what it adds to the collapse), per middle level."""
        return self._per_band(band, self._expand)

    def _expand(self, band: tuple[float, float]) -> dict[int, Tensor]:
        check_band(self.fs, *band)
        expanded = {}
        band_pass = {"ideal": ideal_bandpass, "iir": iir_bandpass}[self.cfg.filter]
        for k in range(1, len(self.pyr) - 1):   # the finest band and the residual are never amplified
            img = band_pass(self.pyr[k], self.fs, *band)
            for j in reversed(range(k)):
                img = upsample(img, tuple(self.pyr[j].shape[-2:]))
            expanded[k] = img
        return expanded

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

    def shifts(self, band: tuple[float, float]) -> list[tuple[Tensor, Tensor | None]]:
        """Per band ``(filtered smoothed phase, weight or None)``: the phase to add is their product times the gain."""
        return self._per_band(band, self._shifts)

    def _shifts(self, band: tuple[float, float]) -> list[tuple[Tensor, Tensor | None]]:
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
        return shifts

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

    def blurred(self, band: tuple[float, float]) -> list[list[Tensor]]:
        """Per frame and level, the band-passed phase after the amplitude-weighted blur (the shift per unit alpha)."""
        return self._per_band(band, self._blur)

    @torch.no_grad()
    def _blur(self, band: tuple[float, float]) -> list[list[Tensor]]:
        sos = bandpass_sos(replace(self.cfg, low_hz=band[0], high_hz=band[1]), self.fs)
        filters = [StreamingIIR(sos) for _ in self.coeffs[0]]
        return [[amplitude_weighted_blur(filters[k](sig), amp, self.cfg.sigma)
                 for k, (sig, amp) in enumerate(zip(signals, amps))]
                for signals, amps in zip(self.signal, self.amplitude)]

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

