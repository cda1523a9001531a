"""The bundled sample clips in ``data/samples``, made by this code (``mmkit samples`` rewrites them).

Each clip is rendered exactly (see :mod:`mmkit.data.render`), so its magnified ground truth is known:
the same scene with every displacement multiplied by ``alpha`` (the learning-based methods' convention;
the linear Eulerian method's output moves by ``1 + alpha`` times the input's motion).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .render import Disc, paint, random_texture, render, to_uint8


@dataclass(frozen=True)
class VibrationClip:
    """A still textured scene with one disc vibrating horizontally: ``dx(t) = amplitude * sin(2 pi f t)``.

    The sub-pixel amplitude is invisible to the eye; magnified by ``alpha`` = 20 it becomes several pixels.
    """

    height: int = 160
    width: int = 160
    n_frames: int = 96
    fps: float = 30.0
    amplitude_px: float = 0.25
    frequency_hz: float = 2.5
    radius: float = 40.0
    seed: int = 2023

    motion = "dx(t) = amplitude_px * sin(2 pi frequency_hz t); the background is still"

    def displacement(self, scale: float = 1.0) -> np.ndarray:
        """Horizontal displacement of the disc per frame, in pixels (times ``scale``)."""
        t = np.arange(self.n_frames) / self.fps
        return scale * self.amplitude_px * np.sin(2 * np.pi * self.frequency_hz * t)

    def render(self, alpha: float = 1.0) -> np.ndarray:
        """The clip with its motion multiplied by ``alpha`` (1 = the input), (T, H, W, 3) uint8."""
        rng = np.random.default_rng(self.seed)
        background = random_texture(rng, min_period=6.0, max_period=64.0)
        disc = Disc(random_texture(rng, min_period=12.0, max_period=80.0, contrast=0.5),
                    self.width / 2 - 0.5, self.height / 2 - 0.5, self.radius)
        still = render(self.height, self.width, background, [])  # the background never moves: render once
        return np.stack([to_uint8(paint(still.copy(), disc, (d, 0.0))) for d in self.displacement(alpha)])


@dataclass(frozen=True)
class SlidingClip:
    """The paper's toy-video situation: a disc slides across the frame while it vibrates slightly.

    The slide (``speed_px_per_s``) is a large motion that should not be magnified; the vertical vibration
    is the small one that should. Its ground truth magnifies the vibration only, which is what the
    acceleration, jerk-aware and anisotropy methods aim at.
    """

    height: int = 128
    width: int = 192
    n_frames: int = 96
    fps: float = 30.0
    speed_px_per_s: float = 30.0
    amplitude_px: float = 0.2
    frequency_hz: float = 3.0
    radius: float = 28.0
    seed: int = 7

    motion = "x(t) = x0 + speed_px_per_s t (slide), dy(t) = amplitude_px * sin(2 pi frequency_hz t) (vibration)"

    def render(self, alpha: float = 1.0) -> np.ndarray:
        """The clip with the vibration (not the slide) multiplied by ``alpha``, (T, H, W, 3) uint8."""
        rng = np.random.default_rng(self.seed)
        background = random_texture(rng, min_period=6.0, max_period=64.0)
        disc = Disc(random_texture(rng, min_period=10.0, max_period=60.0, contrast=0.5),
                    self.radius + 8.0, self.height / 2 - 0.5, self.radius)
        still = render(self.height, self.width, background, [])
        t = np.arange(self.n_frames) / self.fps
        dx = self.speed_px_per_s * t
        dy = alpha * self.amplitude_px * np.sin(2 * np.pi * self.frequency_hz * t)
        return np.stack([to_uint8(paint(still.copy(), disc, (x, y))) for x, y in zip(dx, dy)])


@dataclass(frozen=True)
class PulsingClip:
    """A breathing blob: a disc whose radius swells and shrinks by a fraction of a pixel.

    ``r(t) = radius + amplitude_px * sin(2 pi frequency_hz t)``; its texture stays put (like skin over a
    pulse), only the outline moves. Ground truth: the same with the amplitude multiplied by ``alpha``.
    """

    height: int = 128
    width: int = 128
    n_frames: int = 90
    fps: float = 30.0
    amplitude_px: float = 0.3
    frequency_hz: float = 1.0
    radius: float = 36.0
    seed: int = 11

    motion = "r(t) = radius + amplitude_px * sin(2 pi frequency_hz t); texture and background still"

    def render(self, alpha: float = 1.0) -> np.ndarray:
        """The clip with the radius change multiplied by ``alpha``, (T, H, W, 3) uint8."""
        rng = np.random.default_rng(self.seed)
        background = random_texture(rng, min_period=8.0, max_period=64.0)
        texture = random_texture(rng, min_period=16.0, max_period=80.0, contrast=0.4)
        still = render(self.height, self.width, background, [])
        t = np.arange(self.n_frames) / self.fps
        radii = self.radius + alpha * self.amplitude_px * np.sin(2 * np.pi * self.frequency_hz * t)
        cx, cy = self.width / 2 - 0.5, self.height / 2 - 0.5
        return np.stack([to_uint8(paint(still.copy(), Disc(texture, cx, cy, r))) for r in radii])


SAMPLES = {"vibrating_still": VibrationClip(), "sliding_vibrating": SlidingClip(), "pulsing_blob": PulsingClip()}
_REPO_DATA = Path(__file__).resolve().parents[2] / "data"
#: ``data/samples`` in a source checkout; a per-user cache when mmkit is installed as a wheel.
SAMPLES_DIR = _REPO_DATA / "samples" if _REPO_DATA.is_dir() else Path.home() / ".cache" / "mmkit" / "samples"


def write_samples(out_dir: str | Path = SAMPLES_DIR, truth_alpha: float = 20.0) -> list[Path]:
    """Write every sample clip as mp4, its magnified ground truth, and a JSON of how it was made."""
    from ..video_io import write_video

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, clip in SAMPLES.items():
        written.append(write_video(out_dir / f"{name}.mp4", clip.render(), clip.fps, overwrite=True))
        written.append(write_video(out_dir / f"{name}_truth_x{truth_alpha:g}.mp4", clip.render(truth_alpha),
                                   clip.fps, overwrite=True))
        meta = {"made_by": "mmkit.data.samples.write_samples", "class": type(clip).__name__,
                "params": asdict(clip), "truth_alpha": truth_alpha,
                "motion": clip.motion}
        meta_path = out_dir / f"{name}.json"
        meta_path.write_text(json.dumps(meta, indent=2) + "\n")
        written.append(meta_path)
    return written


def sample_path(name: str = "vibrating_still") -> Path:
    """Path of a bundled sample clip; rendered on the spot if it is missing (e.g. an installed wheel)."""
    if name not in SAMPLES:
        from ..errors import MMKitError
        raise MMKitError(f"unknown sample {name!r}; choose one of {sorted(SAMPLES)}")
    path = SAMPLES_DIR / f"{name}.mp4"
    if not path.exists():
        write_samples(SAMPLES_DIR)
    return path
