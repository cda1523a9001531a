"""Evaluation benchmarks with exact ground truth: the circles set and the vibrating rod.

**Circles** (Singh et al., WACV 2023, section 4.2 and Table 3): 25 scenes, each a still background with
three textured discs that move by 0.1 px between two frames, one horizontally, one vertically and one
diagonally. Magnified by alpha = 100 the discs should move by 10 px; the target is that scene rendered
anew, so it is exact. Inputs come at several levels of additive Gaussian noise (std in 0..255 units),
then 8-bit quantisation, as in the paper's noise study. Methods are scored by the MSE of their output
against the target in [0, 1] units squared; :func:`identity_mse` (the score of returning the input
unchanged) is the reference a method must beat.

**Vibrating rod** (after the paper's Table 2, physical accuracy): a horizontal textured rod on a still
textured background, filmed by a "high-speed camera" (240 fps), moves up and down by a known sum of
sinusoids of a small fraction of a pixel. A magnified video is physically accurate when the motion
measured in it (:func:`measure_vertical_motion`) is alpha times :func:`rod_signal`.

Everything is rendered exactly (see :mod:`mmkit.data.render`): moving by ``d`` is sampling the texture
at ``x - d``, so 0.1 px is 0.1 px. A scene depends only on ``(seed, scene)``, its noise only on
``(seed, scene, noise)``.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from ..atomic import atomic_path
from ..errors import MMKitError
from ..measure import measure_shift, measure_vertical_motion  # noqa: F401  (re-exported for the rod)
from .content import HELD_OUT_SOURCES, held_out_texture
from .images import ImageTexture
from .render import FourierTexture, OffsetTexture, Shape, paint, random_texture, render, to_uint8

# --------------------------------------------------------------------------------------------------------
# Circles (section 4.2, Table 3)
# --------------------------------------------------------------------------------------------------------

#: Background kind of scene k is ``BACKGROUND_KINDS[k % 8]``: textures at three scales, and a few plain ones.
BACKGROUND_KINDS = ("fine", "medium", "smooth", "fine", "medium", "smooth", "flat", "gradient")
#: Background source of held-out scene k is ``HELD_OUT_BACKGROUNDS[k % 6]``: photographs half the time.
HELD_OUT_BACKGROUNDS = ("grace_hopper", "cells", "jacksboro_fault", "pink", "grace_hopper", "checks")
#: What the circles scenes are made of: the training pairs' own kind of texture, or content held out of training.
CONTENTS = ("seen", "held_out")
#: Held-out scenes per frame size: fewer at the larger sizes, where a network's pass costs more.
HELD_OUT_SCENES = {128: 25, 384: 12, 720: 12}
#: Unit directions of the three discs, (dx, dy): horizontal, vertical, diagonal (y runs down the rows).
DIRECTIONS = np.array([[1.0, 0.0], [0.0, 1.0], [np.sqrt(0.5), np.sqrt(0.5)]])


@dataclass(frozen=True)
class CirclesConfig:
    """The circles benchmark. Defaults follow the paper (25 scenes, 0.1 px, alpha 100) where it says."""

    n_scenes: int = 25
    size: int = 128                                  # height = width of a frame
    input_motion: float = 0.1                        # px per frame (or between the two frames of a pair)
    alpha: float = 100.0                             # ground-truth motion = alpha * input_motion = 10 px
    noise_levels: tuple[float, ...] = (0.0, 2.0, 5.0)  # Gaussian noise std, 0..255 units
    radius_min: float = 14.0                         # disc radii ~ U(radius_min, radius_max), px
    radius_max: float = 20.0
    n_frames: int = 16                               # length of circles_video
    fps: float = 30.0
    seed: int = 0
    content: str = "seen"                            # "seen": the training pairs' Fourier textures; "held_out":
    #                                                  pictures no training pair uses (mmkit.data.content)
    border: int = 0                                  # px at each edge left out of the MSE

    def __post_init__(self) -> None:
        if self.content not in CONTENTS:
            raise MMKitError(f"content must be one of {CONTENTS}, got {self.content!r}")
        if not 0 <= self.border < self.size / 2:
            raise MMKitError(f"border must be 0 .. {self.size // 2 - 1} px for {self.size} px frames, got {self.border}")

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def reach(self) -> float:
        """Furthest a disc is ever moved, px: by the target of a pair or by the last truth frame of a video."""
        return self.input_motion * (self.alpha + max(self.n_frames - 2, 0))


@dataclass(frozen=True)
class CirclesScene:
    """One scene: a still background and three discs at rest; disc i moves along ``DIRECTIONS[i]``."""

    kind: str                   # background kind: one of BACKGROUND_KINDS, or of HELD_OUT_BACKGROUNDS
    background: FourierTexture | ImageTexture
    discs: tuple[Shape, ...]    # 3 discs, in the order of DIRECTIONS

    @property
    def centres(self) -> np.ndarray:
        return np.array([[d.cx, d.cy] for d in self.discs])  # (3, 2)

    @property
    def radii(self) -> np.ndarray:
        return np.array([d.a for d in self.discs])            # (3,)


def _rng(*key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(list(key)))


def _noise_key(noise: float) -> int:
    if not noise >= 0:
        raise MMKitError(f"noise must be a standard deviation >= 0 (0..255 units), got {noise}")
    return int(round(noise * 1000))


def _background(rng: np.random.Generator, kind: str, n: int) -> FourierTexture:
    if kind == "fine":
        return random_texture(rng, min_period=3.0, max_period=32.0)
    if kind == "medium":
        return random_texture(rng, min_period=6.0, max_period=float(n))
    if kind == "smooth":
        return random_texture(rng, min_period=32.0, max_period=256.0)
    mean = rng.uniform(0.3, 0.7, 3)
    if kind == "flat":  # no waves at all: one colour
        return FourierTexture(np.zeros((0, 2)), np.zeros(0), np.zeros(0), np.zeros((0, 3)), mean)
    # "gradient": a quarter of one wave of period 4n, its steepest part across the frame (nearly linear)
    angle = rng.uniform(0, 2 * np.pi)
    freq = np.array([[np.cos(angle), np.sin(angle)]]) / (4.0 * n)
    centre = (n - 1) / 2
    phase = np.pi / 2 - 2 * np.pi * freq[0].sum() * centre  # cos crosses zero at the frame centre
    return FourierTexture(freq, np.array([0.3]), np.array([phase]), rng.uniform(0.5, 1.0, (1, 3)), mean)


def _place_discs(rng: np.random.Generator, cfg: CirclesConfig, tries: int = 2000) -> list[tuple[float, float, float]]:
    """Centres and radii ``(cx, cy, r)`` so that every disc stays inside the frame and clear of the others
    over its whole path, from rest to ``reach`` px along its direction.

    A disc's path (a capsule) lies in the circle of radius ``r + reach / 2`` around its midpoint; those
    circles are kept 2 px apart, and the capsules 2 px inside the frame.
    """
    n, reach, gap = cfg.size, cfg.reach, 2.0
    for _ in range(tries):
        placed: list[tuple[float, float, float]] = []
        for u in DIRECTIONS:
            r = rng.uniform(cfg.radius_min, cfg.radius_max)
            lo, hi = r + gap, n - 1 - gap - r - reach * u   # (2,) centre range along x and y
            if np.any(hi < lo):
                break
            c = rng.uniform(lo, hi)
            mid = c + reach * u / 2
            if all(np.hypot(*(mid - (np.array(q[:2]) + reach * v / 2))) > r + q[2] + reach + gap
                   for q, v in zip(placed, DIRECTIONS)):
                placed.append((float(c[0]), float(c[1]), float(r)))
            else:
                break
        if len(placed) == 3:
            return placed
    raise MMKitError(f"three discs of radius {cfg.radius_min}-{cfg.radius_max} px moving {reach:g} px do not fit "
                     f"in {n} x {n} frames; raise size or lower the radii, alpha or n_frames")


def circles_scene(cfg: CirclesConfig, scene: int) -> CirclesScene:
    """Scene ``scene`` (0 .. n_scenes - 1) at rest; depends only on ``(cfg.seed, scene)`` and the geometry."""
    if not 0 <= scene < cfg.n_scenes:
        raise MMKitError(f"scene {scene} is out of range: the benchmark has scenes 0 .. {cfg.n_scenes - 1}")
    if cfg.content == "held_out":
        return _held_out_scene(cfg, scene)
    rng = _rng(cfg.seed, scene)
    kind = BACKGROUND_KINDS[scene % len(BACKGROUND_KINDS)]
    background = _background(rng, kind, cfg.size)
    discs = tuple(Shape(random_texture(rng, min_period=4.0, max_period=32.0, contrast=0.5), cx, cy, r, r)
                  for cx, cy, r in _place_discs(rng, cfg))
    return CirclesScene(kind, background, discs)


def _held_out_scene(cfg: CirclesConfig, scene: int) -> CirclesScene:
    """A scene of held-out content: a background of ``HELD_OUT_BACKGROUNDS[scene % 6]`` spanning the frame, and
    discs textured by held-out sources drawn at random, each texture spanning its disc."""
    rng = _rng(cfg.seed, scene, 2)   # its own stream: not the seen scene's draws
    kind = HELD_OUT_BACKGROUNDS[scene % len(HELD_OUT_BACKGROUNDS)]
    background = held_out_texture(rng, kind, cfg.size)
    discs = []
    for cx, cy, r in _place_discs(rng, cfg):
        source = HELD_OUT_SOURCES[int(rng.integers(len(HELD_OUT_SOURCES)))]
        texture = held_out_texture(rng, source, max(2 * r, 8.0))
        # the texture's own origin at the disc's top-left corner, so the disc shows the whole of it
        discs.append(Shape(OffsetTexture(texture, cx - r, cy - r), cx, cy, r, r))
    return CirclesScene(kind, background, tuple(discs))


def held_out_circles(size: int = 720, n_scenes: int | None = None, **overrides) -> CirclesConfig:
    """The held-out-content circles benchmark at ``size`` px: discs of radius 6-11 % of the frame, a still
    background, MSE over the frame less a border of ``16 * size / 720`` px (16 px at 720), scenes per
    :data:`HELD_OUT_SCENES` (25 at sizes not listed) unless ``n_scenes`` is given.

    Examples:
        >>> cfg = held_out_circles(128)
        >>> cfg.content, cfg.n_scenes, cfg.border, round(cfg.radius_min, 2), round(cfg.radius_max, 2)
        ('held_out', 25, 3, 7.68, 14.08)
    """
    if not isinstance(size, (int, np.integer)) or size < 64:
        raise MMKitError(f"size must be a whole number of pixels >= 64, got {size!r}")
    scenes = HELD_OUT_SCENES.get(int(size), 25) if n_scenes is None else n_scenes
    fields = dict(content="held_out", size=int(size), n_scenes=scenes, radius_min=0.06 * size,
                  radius_max=0.11 * size, border=int(round(16 * size / 720)))
    return CirclesConfig(**{**fields, **overrides})


def _scene_renderer(cfg: CirclesConfig, sc: CirclesScene) -> Callable[[float], np.ndarray]:
    """``frame(s)``: the scene, (H, W, 3) float64, with each disc moved ``s`` px along its direction."""
    still = render(cfg.size, cfg.size, sc.background, [])  # the background never moves: render it once

    def frame(s: float) -> np.ndarray:
        img = still.copy()
        for disc, u in zip(sc.discs, DIRECTIONS):
            paint(img, disc, (s * u[0], s * u[1]))
        return img

    return frame


def _add_noise(rng: np.random.Generator, clean: np.ndarray, noise: float) -> np.ndarray:
    """Gaussian noise of std ``noise / 255``, clipping and 8-bit quantisation; float in [0, 1]."""
    noisy = clean + (noise / 255.0) * rng.standard_normal(clean.shape) if noise > 0 else clean
    return to_uint8(noisy) / 255.0


def circles_pair(cfg: CirclesConfig, scene: int, noise: float) -> dict:
    """Scene ``scene`` as a pair at noise std ``noise`` (0..255 units); frames (H, W, 3) float in [0, 1].

    Keys: ``prev``, ``cur`` (noisy, 8-bit quantised inputs, even at noise 0), ``prev_clean``, ``cur_clean``,
    ``target`` (clean: the discs moved ``alpha * input_motion`` px from their place in ``prev``, the
    background still), ``alpha``, ``motions`` (3, 2) px (dx, dy) from prev to cur, ``noise``; and, to locate
    the discs, ``centres`` (3, 2) in ``prev``, ``radii`` (3,), ``kind`` (of background), ``scene``.
    """
    rng = _rng(cfg.seed, scene, 0, _noise_key(noise))  # the noise's own stream: the scene does not depend on it
    sc = circles_scene(cfg, scene)
    frame = _scene_renderer(cfg, sc)
    prev_clean, cur_clean = frame(0.0), frame(cfg.input_motion)
    target = frame(cfg.alpha * cfg.input_motion)
    return {
        "prev": _add_noise(rng, prev_clean, noise), "cur": _add_noise(rng, cur_clean, noise),
        "prev_clean": prev_clean, "cur_clean": cur_clean, "target": target, "alpha": cfg.alpha,
        "motions": cfg.input_motion * DIRECTIONS, "noise": float(noise),
        "centres": sc.centres, "radii": sc.radii, "kind": sc.kind, "scene": scene, "border": cfg.border,
    }


def circles_target(cfg: CirclesConfig, scene: int, alpha: float) -> np.ndarray:
    """The clean target of scene ``scene`` at another magnification ``alpha`` (<= ``cfg.alpha``), (H, W, 3) in [0, 1].

    The discs of a scene are placed for ``cfg.alpha`` (a config with another alpha places them elsewhere), so a
    smaller alpha's truth for the *same* scene comes from here: the discs moved ``alpha * input_motion`` px from
    their place in ``prev``. ``circles_target(cfg, k, cfg.alpha)`` equals ``circles_pair(cfg, k, ...)["target"]``.
    """
    if not 0 <= alpha <= cfg.alpha:
        raise MMKitError(f"alpha must be 0 .. {cfg.alpha:g} (the scene is laid out for that), got {alpha}")
    return _scene_renderer(cfg, circles_scene(cfg, scene))(alpha * cfg.input_motion)


def circles_pairs(cfg: CirclesConfig, noise: float) -> Iterator[dict]:
    """:func:`circles_pair` for every scene, in order, at one noise level."""
    for scene in range(cfg.n_scenes):
        yield circles_pair(cfg, scene, noise)


def pair_mse(pair: dict, output: np.ndarray) -> float:
    """MSE of ``output`` (H, W, 3) in [0, 1] against ``pair["target"]``, leaving out ``pair["border"]`` px at each
    edge (0 when the pair has none)."""
    b = int(pair.get("border", 0))
    inner = (slice(b, -b), slice(b, -b)) if b else (slice(None), slice(None))
    return float(np.mean((output[inner] - pair["target"][inner]) ** 2))


def identity_mse(pairs: Iterable[dict]) -> float:
    """Mean over pairs of MSE(``cur``, ``target``), in [0, 1] units squared: the score of doing nothing.

    Methods are scored the same way (MSE of their output against ``target``, [0, 1] units); a method that
    does not beat this has not magnified anything usefully.
    """
    errors = [pair_mse(p, p["cur"]) for p in pairs]
    if not errors:
        raise MMKitError("no pairs to score")
    return float(np.mean(errors))


def circles_video(cfg: CirclesConfig, scene: int, noise: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Scene ``scene`` as a clip for *dynamic mode*, with its exact ground truth.

    The discs drift steadily, ``input_motion`` px per frame along their directions: input frame t has them
    at ``t * input_motion`` (noise of std ``noise``, 8-bit). Dynamic mode outputs, for each t >= 1,
    ``net(F_{t-1}, F_t)``: frame t-1 with the motion from t-1 to t magnified by alpha. So truth frame t
    (t >= 1) is the clean scene with the discs at ``(t - 1 + alpha) * input_motion``, i.e. 10 px past their
    place in frame t-1 (a steady drift is magnified into a constant 10 px lead, not a growing one). Frame
    0 has no predecessor; its truth is the clean frame 0 (the output passes it through).

    Returns ``(frames, truth, fps)``: frames and truth (T, H, W, 3) uint8.
    """
    rng = _rng(cfg.seed, scene, 1, _noise_key(noise))
    sc = circles_scene(cfg, scene)
    frame = _scene_renderer(cfg, sc)
    m, t = cfg.input_motion, np.arange(cfg.n_frames)
    frames = np.stack([to_uint8(_add_noise(rng, frame(k * m), noise)) for k in t])  # (T, H, W, 3)
    truth = np.stack([to_uint8(frame(0.0 if k == 0 else (k - 1 + cfg.alpha) * m)) for k in t])
    return frames, truth, cfg.fps


# --------------------------------------------------------------------------------------------------------
# Vibrating rod (Table 2, physical accuracy)
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RodConfig:
    """A horizontal rod vibrating vertically by ``sum_i a_i sin(2 pi f_i t + phi_i)`` px, at 240 fps."""

    height: int = 96
    width: int = 160
    n_frames: int = 120
    fps: float = 240.0                                        # a high-speed camera: 70 Hz < 120 Hz Nyquist
    thickness: float = 28.0                                   # px; the measuring region lies inside it
    end_margin: float = 10.0                                  # px between the rod's ends and the frame edge
    seed: int = 2023                                          # textures of the rod and the background
    frequencies_hz: tuple[float, ...] = (20.0, 45.0, 70.0)
    amplitudes_px: tuple[float, ...] = (0.08, 0.04, 0.02)     # subpixel
    phases_rad: tuple[float, ...] = (0.0, 1.1, 2.3)

    def to_dict(self) -> dict:
        return asdict(self)


def rod_signal(cfg: RodConfig) -> np.ndarray:
    """The rod's vertical displacement per frame, px, (T,); positive is down (towards higher rows).

    Examples:
        >>> s = rod_signal(RodConfig(n_frames=4))
        >>> s.shape, bool(abs(s).max() <= 0.08 + 0.04 + 0.02)
        ((4,), True)
    """
    f, a, p = (np.asarray(v, dtype=np.float64) for v in (cfg.frequencies_hz, cfg.amplitudes_px, cfg.phases_rad))
    if not f.shape == a.shape == p.shape:
        raise MMKitError(f"frequencies_hz, amplitudes_px and phases_rad must be equally long, got "
                         f"{len(f)}, {len(a)}, {len(p)}")
    if np.any(f >= cfg.fps / 2):
        raise MMKitError(f"frequencies {cfg.frequencies_hz} Hz must be below Nyquist, fps / 2 = {cfg.fps / 2:g} Hz")
    t = np.arange(cfg.n_frames) / cfg.fps
    return np.sin(2 * np.pi * np.outer(t, f) + p) @ a


def _rod_scene(cfg: RodConfig) -> tuple[FourierTexture, Shape]:
    rng = np.random.default_rng(cfg.seed)
    background = random_texture(rng, min_period=6.0, max_period=96.0)
    # The rod's periods (6-16 px) lie in the band the phase-correlation fit uses (< 0.2 cycles/px) and fit
    # several times into the ~20-row measuring region, so its vertical motion is well measurable there.
    rod = Shape(random_texture(rng, min_period=6.0, max_period=16.0, contrast=0.5),
                cx=(cfg.width - 1) / 2, cy=(cfg.height - 1) / 2,
                a=cfg.width / 2 - cfg.end_margin, b=cfg.thickness / 2, kind="box")
    return background, rod


def rod_video(cfg: RodConfig = RodConfig(), alpha: float = 1.0) -> np.ndarray:
    """The rod clip, (T, H, W, 3) uint8, its displacement ``alpha * rod_signal(cfg)`` (alpha = 1: the input;
    alpha > 1: the exact magnified truth, in the learning-based methods' convention)."""
    background, rod = _rod_scene(cfg)
    still = render(cfg.height, cfg.width, background, [])
    return np.stack([to_uint8(paint(still.copy(), rod, (0.0, alpha * d))) for d in rod_signal(cfg)])


def rod_region(cfg: RodConfig, alpha: float = 1.0) -> tuple[int, int, int, int]:
    """``(y0, y1, x0, x1)``: a region inside the rod, even when it is moved by ``alpha * rod_signal``.

    Its rows keep ``ceil(alpha * sum|a_i|) + 2`` px from the rod's edges at rest, so the background (which
    does not move) never enters it and biases the measurement.
    """
    margin = int(np.ceil(abs(alpha) * np.sum(np.abs(cfg.amplitudes_px)))) + 2
    cy, half = (cfg.height - 1) / 2, cfg.thickness / 2
    y0, y1 = int(np.ceil(cy - half)) + margin, int(np.floor(cy + half)) + 1 - margin
    x0 = int(np.ceil(cfg.end_margin)) + 4
    x1 = cfg.width - x0
    if y1 - y0 < 8 or x1 - x0 < 8:
        raise MMKitError(f"a rod {cfg.thickness:g} px thick leaves a region of {y1 - y0} rows when moved by up to "
                         f"{margin - 2} px (alpha {alpha:g}); use a thicker rod or a smaller alpha")
    return y0, y1, x0, x1


def write_rod(path: str | os.PathLike, cfg: RodConfig = RodConfig(), *, overwrite: bool = False) -> list[Path]:
    """Write ``<path>.mp4`` (the clip), ``<path>_signal.csv`` (frame,time_s,displacement_px) and
    ``<path>.json`` (the config); each appears only when complete. Returns the three paths.

    The mp4 is H.264 (lossy), for running methods on; the CSV is the exact truth to compare against.
    """
    from ..video_io import write_video

    base = Path(path).expanduser()
    if base.suffix.lower() == ".mp4":
        base = base.with_suffix("")
    video, csv, meta = (base.with_name(base.name + s) for s in (".mp4", "_signal.csv", ".json"))
    if not overwrite:
        for p in (video, csv, meta):
            if p.exists():
                raise MMKitError(f"{p} exists; pass overwrite=True (--overwrite) to replace it")
    signal = rod_signal(cfg)
    write_video(video, rod_video(cfg), cfg.fps, overwrite=overwrite)
    with atomic_path(csv) as tmp:
        rows = (f"{i},{i / cfg.fps!r},{d!r}" for i, d in enumerate(signal.tolist()))
        tmp.write_text("frame,time_s,displacement_px\n" + "\n".join(rows) + "\n")
    info = {"made_by": "mmkit.data.benchmarks.write_rod", "config": cfg.to_dict(),
            "signal": "displacement_px(t) = sum_i amplitudes_px[i] * sin(2 pi frequencies_hz[i] t + phases_rad[i])",
            "direction": "vertical, positive down (image rows)", "video": video.name, "signal_csv": csv.name}
    with atomic_path(meta) as tmp:
        tmp.write_text(json.dumps(info, indent=2) + "\n")
    return [video, csv, meta]
