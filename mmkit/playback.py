"""Short clips played inside a notebook: input beside magnified, labelled, as a small looping H.264 video.

A lesson shows motion magnification as moving video, not only as slices. :func:`side_by_side` puts clips next to
each other under their titles; :func:`video_html` encodes frames as an mp4 (through the ffmpeg that
imageio-ffmpeg ships, as :func:`mmkit.video_io.write_video` does) and returns HTML with the video inlined, so that
the notebook plays it offline and on a static page (GitHub previews do not play it; nbviewer and JupyterLab do).

Examples:
    >>> clip = np.zeros((4, 16, 20, 3), np.uint8)
    >>> side_by_side([clip, clip], ["input", "x20"]).shape[2]
    42
"""
from __future__ import annotations

import base64
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .errors import MMKitError

TITLE_PX = 18       # height of the title bar above each clip
GAP_PX = 2          # white gap between clips
MAX_VIDEO_BYTES = 150_000   # a lesson's inline clip stays well under the course's 200 kB per output


def _title_bar(text: str, width: int) -> np.ndarray:
    from PIL import Image, ImageDraw

    bar = Image.new("RGB", (width, TITLE_PX), "white")
    ImageDraw.Draw(bar).text((3, 3), text, fill="black")
    return np.asarray(bar)


def side_by_side(clips: Sequence[np.ndarray], titles: Sequence[str]) -> np.ndarray:
    """Clips ``(T, H, W, 3)`` uint8 of one length and height, next to each other with their titles above."""
    if len(clips) == 0 or len(clips) != len(titles):
        raise MMKitError(f"give one title per clip (got {len(clips)} clips and {len(titles)} titles)")
    shapes = {c.shape[:2] for c in clips}
    if len(shapes) != 1 or any(c.ndim != 4 or c.shape[3] != 3 or c.dtype != np.uint8 for c in clips):
        raise MMKitError("clips must be (T, H, W, 3) uint8 arrays of one length and height, got "
                         + ", ".join(f"{c.shape} {c.dtype}" for c in clips))
    t = clips[0].shape[0]
    parts = []
    for i, (clip, title) in enumerate(zip(clips, titles)):
        bar = np.broadcast_to(_title_bar(title, clip.shape[2]), (t, TITLE_PX, clip.shape[2], 3))
        parts.append(np.concatenate([bar, clip], axis=1))
        if i < len(clips) - 1:
            parts.append(np.full((t, TITLE_PX + clip.shape[1], GAP_PX, 3), 255, np.uint8))
    return np.concatenate(parts, axis=2)


def encode_mp4(frames: np.ndarray, fps: float, quality: str = "medium") -> bytes:
    """``frames`` (T, H, W, 3) uint8 as the bytes of an H.264 mp4 (even sizes: the last row or column is
    repeated where needed)."""
    from .video_io import write_video

    h, w = frames.shape[1:3]
    frames = np.pad(frames, ((0, 0), (0, h % 2), (0, w % 2), (0, 0)), mode="edge")
    with tempfile.TemporaryDirectory() as tmp:
        path = write_video(Path(tmp) / "clip.mp4", frames, fps, quality=quality)
        return path.read_bytes()


def video_html(frames: np.ndarray, fps: float, width: int | None = None, quality: str = "medium",
               max_bytes: int = MAX_VIDEO_BYTES):
    """An ``IPython.display.HTML`` that plays ``frames`` in a loop (muted, with controls), at ``width`` px on
    screen (default: the frames' own width). A clip over ``max_bytes`` (default :data:`MAX_VIDEO_BYTES`, for a
    clip stored in a lesson) is refused: show fewer or smaller frames."""
    from IPython.display import HTML

    data = encode_mp4(frames, fps, quality)
    if len(data) > max_bytes:
        raise MMKitError(f"the clip encodes to {len(data) / 1e3:.0f} kB, over the {max_bytes / 1e3:.0f} kB an "
                         "inline clip may take: pass fewer frames or smaller ones")
    width = frames.shape[2] if width is None else width
    src = "data:video/mp4;base64," + base64.b64encode(data).decode("ascii")
    return HTML(f'<video width="{width}" controls loop autoplay muted playsinline src="{src}"></video>')
