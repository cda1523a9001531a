"""A student's own clip: an ipywidgets ``FileUpload`` value read as frames small enough for a 2-core CPU.

Notebook 04 ends with "your own clip": a short phone video, uploaded in the browser, magnified with the method
chosen there and played as input beside magnified. A phone clip is large (1080p or 4K, 30-60 fps), and the
networks and pyramids cost time in proportion to its pixels, so :func:`read_upload` shrinks it to at most
:data:`MAX_SIDE` px on its long side and keeps its first :data:`MAX_SECONDS` seconds (at most :data:`MAX_FRAMES`
frames), saying so in its message;
it refuses what it cannot use (no file, an empty file, not a video, a file too large or too long) with an
:class:`~mmkit.errors.MMKitError` that says what to do. :class:`UploadPanel` is the notebook's upload box.

``FileUpload.value`` differs between ipywidgets versions; both are read:

- ipywidgets 8: a tuple of dicts with ``"name"`` and ``"content"`` (a ``memoryview``), among others;
- ipywidgets 7 (Colab): a dict ``{name: {"content": bytes, "metadata": {...}}}``.

Examples:
    >>> from mmkit.video_io import write_video
    >>> import tempfile, pathlib
    >>> path = write_video(pathlib.Path(tempfile.mkdtemp()) / "c.mp4", np.zeros((40, 480, 640, 3), np.uint8), 20)
    >>> clip = read_upload(({"name": "c.mp4", "content": memoryview(path.read_bytes())},))
    >>> clip.frames.shape          # 2 s at 20 fps, 640 x 480 shrunk to 256 px on the long side
    (40, 192, 256, 3)
"""
from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .defaults import DEFAULT_NETWORK
from .errors import MMKitError
from .video_io import READ_VIDEO_SUFFIXES

MAX_SIDE = 256                 # px on the long side: a few seconds of it magnify in well under a minute on 2 cores
MAX_SECONDS = 4.0              # the first seconds kept: enough to see a vibration or a pulse, cheap to magnify
MAX_FRAMES = 120               # and at most this many frames (4 s at 30 fps, 2 s of a 60 fps phone clip)
MAX_UPLOAD_SECONDS = 60.0      # a longer video is refused: trim it on the phone first
MAX_UPLOAD_BYTES = 200_000_000
PREVIEW_BYTES = 3_000_000      # the inline video of an upload (never stored in the lesson) may be this large


@dataclass
class UploadedClip:
    """An uploaded clip as the kit uses it: ``frames`` ``(T, H, W, 3)`` uint8, its frame rate, the file's name,
    and a message saying what was kept (size, length) and why."""

    frames: np.ndarray
    fps: float
    name: str
    message: str


def uploaded_files(value: object) -> list[tuple[str, bytes]]:
    """``(name, content)`` of each file in a ``FileUpload.value`` (the ipywidgets 8 tuple of dicts or the
    ipywidgets 7 dict by name); an empty list when nothing is uploaded."""
    if value is None:
        return []
    if isinstance(value, Mapping):  # ipywidgets 7: {name: {"content": bytes, "metadata": {...}}}
        entries = [dict(entry, name=name) if isinstance(entry, Mapping) else None for name, entry in value.items()]
    elif isinstance(value, (tuple, list)):  # ipywidgets 8: ({"name": ..., "content": memoryview, ...}, ...)
        entries = [entry if isinstance(entry, Mapping) else None for entry in value]
    else:
        raise MMKitError(f"an upload is a FileUpload's value (a tuple or a dict), got {type(value).__name__}")
    files = []
    for entry in entries:
        if entry is None or "content" not in entry:
            raise MMKitError("each uploaded file must be a dict with its 'content', as ipywidgets' FileUpload gives")
        content = entry["content"]
        files.append((str(entry.get("name") or "upload"), bytes(content) if content is not None else b""))
    return files


def read_upload(value: object, max_side: int = MAX_SIDE, max_seconds: float = MAX_SECONDS,
                max_frames: int = MAX_FRAMES, max_upload_seconds: float = MAX_UPLOAD_SECONDS,
                max_bytes: int = MAX_UPLOAD_BYTES) -> UploadedClip:
    """The uploaded video (the last file of a ``FileUpload.value``) as frames of at most ``max_side`` px on the
    long side, its first ``max_seconds`` seconds and at most ``max_frames`` frames, with a message saying what was
    kept.

    Refused with :class:`MMKitError`: no file or an empty one, a file over ``max_bytes``, one that is not a
    video ffmpeg can read, a video longer than ``max_upload_seconds``, one with fewer than 2 frames.
    """
    files = uploaded_files(value)
    if not files:
        raise MMKitError("no clip uploaded yet: press 'Upload', choose a short video (a few seconds), then "
                         "'Magnify'")
    name, content = files[-1]
    if not content:
        raise MMKitError(f"{name!r} is empty (0 bytes): upload the video again")
    if len(content) > max_bytes:
        raise MMKitError(f"{name!r} is {len(content) / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB an upload may "
                         "take: trim it to a few seconds on the phone first")
    suffix = Path(name).suffix.lower()
    if suffix not in READ_VIDEO_SUFFIXES:
        raise MMKitError(f"{name!r} is not a video mmkit reads: upload one of {', '.join(READ_VIDEO_SUFFIXES)}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(content)
        try:
            frames, fps, size, seconds = _read_start(path, max_side, max_seconds, max_frames, max_upload_seconds)
        except MMKitError as err:
            raise MMKitError(str(err).replace(str(path), repr(name))) from None
    if len(frames) < 2:
        raise MMKitError(f"{name!r} holds {len(frames)} frame: a video needs at least 2 to show motion")
    (w0, h0), (h, w) = size, frames.shape[1:3]
    kept = len(frames) / fps
    trimmed = seconds > kept + 0.5 / fps
    parts = [f"{name}: {w0} x {h0} px, {seconds:.1f} s at {fps:.3g} fps."]
    if (w, h) != (w0, h0) or trimmed:
        what = [f"the first {kept:.1f} s ({len(frames)} frames)" if trimmed else f"all {len(frames)} frames"]
        if (w, h) != (w0, h0):
            what.append(f"shrunk to {w} x {h} px")
        parts.append(f"Kept {', '.join(what)}: at most {max_side} px a side, {max_seconds:g} s and {max_frames} "
                     "frames, so that a laptop's CPU magnifies it in about a minute or less.")
    else:
        parts.append("Used as it is (small and short enough).")
    return UploadedClip(frames, fps, name, " ".join(parts))


def _read_start(path: Path, max_side: int, max_seconds: float, max_frames: int,
                max_upload_seconds: float) -> tuple[np.ndarray, float, tuple[int, int], float]:
    """The first ``max_seconds`` (at most ``max_frames`` frames) of the video at ``path``, each frame shrunk to
    ``max_side``; also its frame rate,
    its original (width, height) and its length in seconds. Frames are decoded one at a time, so a 4K video
    never sits in memory whole."""
    from PIL import Image

    from .video_io import _video_meta, iter_frames

    if max_side < 16 or max_seconds <= 0 or max_frames < 2:
        raise MMKitError(f"max_side must be at least 16 px, max_seconds positive and max_frames at least 2, got "
                         f"{max_side}, {max_seconds}, {max_frames}")
    frames_in = iter_frames(path)      # refuses what is not a video, with ffmpeg's reason
    fps, height, width = _video_meta(path)
    seconds = _duration(path)
    if seconds > max_upload_seconds:
        raise MMKitError(f"{path} is {seconds:.0f} s long, over the {max_upload_seconds:g} s an upload may be: "
                         f"trim it to a few seconds (only the first {max_seconds:g} s are used)")
    n_keep = min(max(2, round(max_seconds * fps)), max_frames)
    scale = min(1.0, max_side / max(height, width))
    size = (max(2, round(width * scale)), max(2, round(height * scale)))
    kept, n_read = [], 0
    for frame in frames_in:
        n_read += 1
        if len(kept) < n_keep:
            image = Image.fromarray(frame)
            kept.append(np.asarray(image.resize(size, Image.Resampling.LANCZOS) if scale < 1 else image))
        elif seconds > 0:
            break                      # the header knew the length: no need to decode the rest
        elif n_read > max_upload_seconds * fps:
            raise MMKitError(f"{path} is over {max_upload_seconds:g} s long: trim it to a few seconds (only the "
                             f"first {max_seconds:g} s are used)")
    frames_in.close()
    if seconds <= 0:
        seconds = n_read / fps
    frames = np.stack(kept) if kept else np.zeros((0, size[1], size[0], 3), np.uint8)
    return frames, fps, (width, height), seconds


def _duration(path: Path) -> float:
    """The video's length in seconds from its header (0 when the header does not say), decoding nothing."""
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
    try:
        return float(next(reader).get("duration") or 0.0)
    except Exception:
        return 0.0
    finally:
        reader.close()


def preview_html(clip: UploadedClip, magnified: np.ndarray, label: str, max_bytes: int = PREVIEW_BYTES):
    """Input beside magnified as an inline looping video (``IPython.display.HTML``), titled ``label``."""
    from .playback import side_by_side, video_html

    both = side_by_side([clip.frames, magnified], ["input", label])
    return video_html(both, clip.fps, max_bytes=max_bytes)


class UploadPanel:
    """The "your own clip" box of notebook 04: a ``FileUpload``, the method, mode, alpha and band, and a
    *Magnify* button that reads the clip (:func:`read_upload`), magnifies it in a
    :class:`~mmkit.widgets.Magnifier` and shows input beside magnified as an inline video.

    Nothing happens until a clip is uploaded and the button pressed. The session is kept while the same file
    stays uploaded, so a new alpha or band re-runs only the last stage, as in the lesson's sliders. A refused
    upload or setting puts its message in :attr:`status`.
    """

    def __init__(self, method: str = DEFAULT_NETWORK, mode: str = "temporal", alpha: float = 10.0, low_hz: float = 0.5,
                 high_hz: float = 3.0, max_side: int = MAX_SIDE, max_seconds: float = MAX_SECONDS,
                 max_frames: int = MAX_FRAMES, device: str = "auto") -> None:
        import ipywidgets as W

        from .engine import MODES
        from .widgets import methods

        style = {"description_width": "70px"}
        self.upload = W.FileUpload(accept="video/*", multiple=False, description="Upload")
        self.method = W.Dropdown(options=methods(), value=method, description="method", style=style)
        self.mode = W.Dropdown(options=list(MODES), value=mode, description="mode", style=style)
        self.alpha = W.FloatSlider(value=alpha, min=0.0, max=100.0, step=0.5, description="alpha", style=style)
        self.band = W.FloatRangeSlider(value=(low_hz, high_hz), min=0.1, max=15.0, step=0.1, readout_format=".1f",
                                       description="band (Hz)", style=style)
        self.button = W.Button(description="Magnify", button_style="primary")
        self.status = W.HTML("Upload a short video (a few seconds), then press Magnify.")
        self.view = W.HTML()
        self.button.on_click(self.on_magnify)
        self.box = W.VBox([W.HBox([self.upload, self.button]), W.HBox([self.method, self.mode]),
                           W.HBox([self.alpha, self.band]), self.status, self.view])
        self.max_side, self.max_seconds, self.max_frames, self.device = max_side, max_seconds, max_frames, device
        self.clip: UploadedClip | None = None
        self.session = None            # the Magnifier of the uploaded clip, kept while the same file is uploaded
        self.magnified: np.ndarray | None = None
        self._key: tuple | None = None

    def on_magnify(self, button: object = None) -> None:
        """Read the upload (once per file), magnify it at the panel's settings and show input beside magnified."""
        from .widgets.session import Magnifier, _label

        self.button.disabled = True
        try:
            files = uploaded_files(self.upload.value)
            key = (files[-1][0], len(files[-1][1])) if files else None
            if key is None or key != self._key:
                self.clip = read_upload(self.upload.value, self.max_side, self.max_seconds, self.max_frames)
                self.session = Magnifier(self.clip.frames, self.clip.fps, method="light", mode="static",
                                         device=self.device)
                self._key = key
            self._say(f"{self.clip.message} Magnifying...")
            mag = self.session
            mag.configure(method=self.method.value, mode=self.mode.value, alpha=self.alpha.value)
            if mag.uses_band:
                mag.set_band(*self.band.value)
            self.magnified = mag.clip()
            band = f", band {mag.band[0]:g}-{mag.band[1]:g} Hz" if mag.uses_band else ""
            self.view.value = preview_html(self.clip, self.magnified, _label(mag)).data
            self._say(f"{self.clip.message} Shown: {_label(mag)}{band}.")
        except MMKitError as err:
            self._say(str(err), error=True)
        finally:
            self.button.disabled = False

    def _say(self, text: str, error: bool = False) -> None:
        import html

        colour = "#b00" if error else "#555"
        self.status.value = f"<span style='color:{colour}'>{html.escape(text)}</span>"

    def _repr_mimebundle_(self, **kwargs):
        """The panel's view, and for a stored notebook (no kernel, no widget) a line saying what to do."""
        from .widgets import widget_bundle

        bundle = widget_bundle(self.box, "UploadPanel (upload a short video, then press Magnify)", **kwargs)
        bundle["text/html"] = UPLOAD_HINT_HTML
        return bundle


#: What a stored notebook shows in place of the panel (the widget needs a running kernel).
UPLOAD_HINT_HTML = ("<p><b>Your own clip:</b> upload a short clip (a few seconds) to magnify it here. The upload "
                    "box needs a running kernel: run the notebook (Jupyter, Colab or Binder) to see it.</p>")
