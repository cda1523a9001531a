"""The networks' back ends: the paper's (:class:`_NetworkBackend`, light, base and their checkpoints) keep the encoder
outputs of every pair and re-run the manipulator and decoder when alpha moves; Oh et al.'s (:class:`_Oh2018Backend`)
keep texture, shape and ``g(M_b - M_a)`` and re-run ``h`` and the decoder. Both also draw a slice preview cheaply
(:meth:`_NetworkBackend.preview_line`)."""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ..engine import MagnifyConfig, _to_batch, _to_frames, make_filter
from ..errors import MMKitError
from ..models import Encoded, MagnificationNet, Oh2018Net
from ..models.singh2023 import _alpha_like
from .backend import Stats, _Backend, _check_memory, _Setting

#: Frames per decoder call in a preview (on a 2-core CPU, 16 thin bands decode faster than 4 or 96).
PREVIEW_CHUNK = 16


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
        shape, gd = shape.narrow(dim, lo, hi - lo), gd.narrow(dim, lo, hi - lo)   # views: index the band only
        parts = []
        for c in range(0, len(first), PREVIEW_CHUNK):
            f = first[c:c + PREVIEW_CHUNK]
            manipulated = shape[f] + self.net.h(gd[c:c + len(f)] * s.alpha)
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


def _consecutive_runs(ts: list[int]) -> list[list[int]]:
    """``[1, 2, 3, 5, 6]`` -> ``[[1, 2, 3], [5, 6]]`` (sorted input)."""
    runs: list[list[int]] = []
    for t in ts:
        if runs and runs[-1][-1] == t - 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    return runs

