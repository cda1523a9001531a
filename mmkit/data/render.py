"""Exact subpixel rendering of moving textured layers.

A texture here is a continuous function: a sum of coloured plane waves (a random Fourier series). It can
be evaluated at any real coordinates, so moving it by ``d`` pixels is sampling ``I(x - d)``: exact to
floating point, with no resampling blur and no rounding. Wave frequencies are kept below a half-pixel
Nyquist margin so that the sampled frame is free of aliasing. Shapes (discs, bars) get an antialiased
edge from their signed distance, which also moves continuously with the layer.

Coordinates: ``x`` runs along columns, ``y`` along rows, both in pixels, pixel centres at integers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FourierTexture:
    """``I(x, y) = mean + sum_k amp_k * colour_k * cos(2 pi (fx_k x + fy_k y) + phase_k)``, RGB in [0, 1]."""

    freqs: np.ndarray    # (K, 2) cycles per pixel, (fx, fy)
    amps: np.ndarray     # (K,)
    phases: np.ndarray   # (K,)
    colours: np.ndarray  # (K, 3) per-wave colour weights
    mean: np.ndarray     # (3,) mean colour

    def __call__(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Evaluate at coordinate arrays ``x``, ``y`` of one shape S; returns (*S, 3) float64."""
        arg = 2 * np.pi * (x[..., None] * self.freqs[:, 0] + y[..., None] * self.freqs[:, 1]) + self.phases
        waves = np.cos(arg) * self.amps                          # (*S, K)
        return np.clip(self.mean + waves @ self.colours, 0.0, 1.0)

    def grid(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Evaluate on the grid ``xs`` (W,) x ``ys`` (H,); returns (H, W, 3), equal to ``__call__`` there.

        A plane wave factors into a row and a column term, ``e^{i 2 pi (fx x + fy y)} = e^{i 2 pi fy y}
        e^{i 2 pi fx x}``, so the whole sum is one (H, K) x (K, W) complex matrix product per colour:
        exact, and much faster than K cosines per pixel.
        """
        rows = self.amps * np.exp(1j * (2 * np.pi * np.outer(ys, self.freqs[:, 1]) + self.phases))  # (H, K)
        cols = np.exp(2j * np.pi * np.outer(self.freqs[:, 0], xs))                                  # (K, W)
        waves = (rows[None] * self.colours.T[:, None, :]) @ cols                               # (3, H, W)
        return np.clip(self.mean + waves.real.transpose(1, 2, 0), 0.0, 1.0)


def random_texture(rng: np.random.Generator, n_waves: int = 24, min_period: float = 4.0,
                   max_period: float = 64.0, contrast: float = 0.35) -> FourierTexture:
    """A random band-limited colour texture with wave periods between ``min_period`` and ``max_period`` px.

    Periods are drawn log-uniformly (every scale equally likely); amplitudes fall as 1/sqrt(K) so the
    contrast stays near ``contrast`` whatever ``n_waves`` is.
    """
    if min_period < 2.0:
        raise ValueError("min_period below 2 px would alias when sampled")
    period = np.exp(rng.uniform(np.log(min_period), np.log(max_period), n_waves))
    angle = rng.uniform(0, np.pi, n_waves)
    freqs = np.stack([np.cos(angle), np.sin(angle)], 1) / period[:, None]
    amps = contrast * rng.uniform(0.5, 1.0, n_waves) / np.sqrt(n_waves)
    colours = rng.uniform(0.4, 1.0, (n_waves, 3))
    mean = rng.uniform(0.3, 0.7, 3)
    return FourierTexture(freqs, amps, rng.uniform(0, 2 * np.pi, n_waves), colours, mean)


@dataclass(frozen=True)
class OffsetTexture:
    """A texture moved so that its origin lies at ``(x0, y0)``: ``grid(xs, ys) = texture.grid(xs - x0, ys - y0)``.
    Put at a shape's top-left corner, the shape shows the whole of a texture made to span it."""

    texture: object   # anything with grid(xs, ys) -> (H, W, 3)
    x0: float
    y0: float

    def grid(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        return self.texture.grid(np.asarray(xs) - self.x0, np.asarray(ys) - self.y0)


@dataclass(frozen=True)
class Shape:
    """A textured ellipse or box centred at ``(cx, cy)``, half-axes ``a`` and ``b`` px, rotated by ``angle``.

    Its texture and outline move together; the edge is antialiased by a one-pixel ramp of the signed
    distance, so sub-pixel moves of the outline are rendered too.
    """

    texture: FourierTexture
    cx: float
    cy: float
    a: float
    b: float
    angle: float = 0.0
    kind: str = "ellipse"  # "ellipse" or "box"

    @property
    def radius(self) -> float:
        """Radius of a circle that holds the shape (for bounding boxes)."""
        return float(np.hypot(self.a, self.b)) if self.kind == "box" else max(self.a, self.b)

    def coverage(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Fraction of each pixel inside the shape: ``clip(0.5 - signed_distance, 0, 1)``."""
        c, s = np.cos(self.angle), np.sin(self.angle)
        u = (x - self.cx) * c + (y - self.cy) * s
        v = -(x - self.cx) * s + (y - self.cy) * c
        if self.kind == "box":
            qu, qv = np.abs(u) - self.a, np.abs(v) - self.b
            dist = np.hypot(np.maximum(qu, 0), np.maximum(qv, 0)) + np.minimum(np.maximum(qu, qv), 0)
        elif self.a == self.b:
            dist = np.hypot(u, v) - self.a
        else:  # first-order distance to an ellipse: f / |grad f|
            f = (u / self.a) ** 2 + (v / self.b) ** 2 - 1
            grad = 2 * np.sqrt((u / self.a**2) ** 2 + (v / self.b**2) ** 2) + 1e-12
            dist = f / grad
        return np.clip(0.5 - dist, 0.0, 1.0)


def Disc(texture: FourierTexture, cx: float, cy: float, radius: float) -> Shape:  # noqa: N802
    """A textured disc (an ellipse with equal half-axes)."""
    return Shape(texture, cx, cy, radius, radius)


def paint(frame: np.ndarray, obj: Shape, shift: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """Composite ``obj`` moved by ``shift = (dx, dy)`` px over ``frame`` (H, W, 3), in place; returns it.

    Only the object's bounding box is evaluated, which keeps rendering cheap for small objects.
    """
    h, w = frame.shape[:2]
    dx, dy = shift
    r = obj.radius + 2
    x0, x1 = max(int(np.floor(obj.cx + dx - r)), 0), min(int(np.ceil(obj.cx + dx + r)) + 1, w)
    y0, y1 = max(int(np.floor(obj.cy + dy - r)), 0), min(int(np.ceil(obj.cy + dy + r)) + 1, h)
    if x0 >= x1 or y0 >= y1:
        return frame
    xs, ys = np.arange(x0, x1) - dx, np.arange(y0, y1) - dy
    a = obj.coverage(xs[None, :], ys[:, None])[..., None]
    frame[y0:y1, x0:x1] = (1 - a) * frame[y0:y1, x0:x1] + a * obj.texture.grid(xs, ys)
    return frame


def render(height: int, width: int, background: FourierTexture, objects: list[Shape],
           bg_shift: tuple[float, float] = (0.0, 0.0),
           shifts: list[tuple[float, float]] | None = None) -> np.ndarray:
    """Render one frame, (H, W, 3) float64 in [0, 1].

    The background is moved by ``bg_shift`` and object i (texture and outline together) by ``shifts[i]``,
    each ``(dx, dy)`` in pixels; objects later in the list are in front.
    """
    frame = background.grid(np.arange(width) - bg_shift[0], np.arange(height) - bg_shift[1])
    for obj, shift in zip(objects, shifts or [(0.0, 0.0)] * len(objects)):
        paint(frame, obj, shift)
    return frame


def to_uint8(frame: np.ndarray) -> np.ndarray:
    """[0, 1] floats to uint8 with rounding (8-bit quantisation)."""
    return np.clip(np.rint(frame * 255.0), 0, 255).astype(np.uint8)
