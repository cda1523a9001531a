"""Read and write clips as RGB uint8 frames: videos (mp4, mov, avi, gif), PNG-frame folders, .npy and .npz.

Every reader yields frames of shape (H, W, 3) uint8 and every writer takes them, so the rest of the kit
sees one vocabulary whatever the file. Readers stream (one frame in memory at a time) and writers consume
their frames one by one, so long clips never have to fit in memory.

Writers are atomic: they write ``.NAME.partial-XXXX.ext`` next to the output and rename it onto the real
name only once every frame is in, so an interrupted run never leaves a half-written file under that name.

Formats and their caveats:

- ``.mp4`` / ``.mov``: H.264 (libx264), yuv420p when H and W are even, else yuv444p (which keeps odd sizes
  exactly but some players, browsers and QuickTime among them, cannot play 4:4:4). Lossy; ``quality`` picks
  the rate factor.
- ``.avi``: PNG-in-AVI, lossless (exact frames), plays in ffmpeg-based players such as VLC and mpv.
- ``.gif``: 256 colours per frame (a palette per frame, dithered), so lossy. Frame delays are whole
  hundredths of a second, so only rates 100/k survive (50, 33.3, 25, 20, 12.5, 10, ...); others are rounded,
  with a warning.
- a folder (a path ending in '/' or with no suffix): lossless ``frame_000000.png`` ... plus ``fps.txt``.
- ``.npy``: the (T, H, W, 3) uint8 array, lossless; it has no room for a frame rate, which reads back as
  DEFAULT_FPS (writing another rate warns). ``.npz``: arrays ``frames`` and ``fps``, lossless.

ffmpeg reports frame rates to two decimals; readings near the NTSC rates (23.98, 29.97, 59.94, ...) are taken
as the exact 24000/1001, 30000/1001, 60000/1001, ... that cameras record.
"""
from __future__ import annotations

import io
import itertools
import math
import os
import re
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator, Union

import imageio_ffmpeg
import numpy as np
from PIL import Image

from .atomic import atomic_path
from .errors import MMKitError

PathLike = Union[str, "os.PathLike[str]"]

WRITE_VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".gif")
READ_VIDEO_SUFFIXES = WRITE_VIDEO_SUFFIXES + (".m4v", ".mkv", ".webm")  # ffmpeg reads these too
DEFAULT_FPS = 30.0  # frame rate of inputs that store none: .npy, PNG folders without fps.txt
QUALITY_CRF = {"high": 16, "medium": 23, "low": 30}  # libx264 constant rate factor: lower is better, larger
FRAME_NAME = "frame_{:06d}.png"
FPS_FILE = "fps.txt"
# A palette per frame: better colours than one global palette, and ffmpeg need not buffer the whole clip.
_GIF_FILTER = "split[a][b];[a]palettegen=stats_mode=single[p];[b][p]paletteuse=new=1"
_NPY_HEADER_BYTES = 128  # room reserved for a streamed .npy header; numpy pads (T, H, W, 3) headers to this


@dataclass
class VideoInfo:
    """What a clip holds, read from its header (and, for videos, one decoding pass for the exact count)."""

    path: Path
    fps: float
    n_frames: int
    height: int
    width: int


# ---------------------------------------------------------------- reading


def probe(path: PathLike) -> VideoInfo:
    """Frame rate, exact frame count and size of a clip, without keeping its frames."""
    p, kind = _check_input(path)
    if kind == "video":
        fps, height, width = _video_meta(p)
        try:
            n_frames, _ = imageio_ffmpeg.count_frames_and_secs(str(p))
        except Exception as err:
            raise _video_error(p, err) from None
        return VideoInfo(p, fps, n_frames, height, width)
    if kind == "png":
        files = _png_files(p)
        with _open_png(files[0]) as im:
            width, height = im.size
        n_frames = len(files)
    else:
        shape, _, _ = _array_header(p, kind)
        n_frames, height, width = shape[:3]
    return VideoInfo(p, _fps(p, kind), n_frames, height, width)


def iter_frames(path: PathLike) -> Iterator[np.ndarray]:
    """Yield the clip's frames one at a time, each (H, W, 3) uint8 RGB (grey repeated, alpha dropped).

    The path is checked now; decoding happens as the iterator is consumed.
    """
    p, kind = _check_input(path)
    if kind == "video":
        _, height, width = _video_meta(p)
        return _iter_video(p, height, width)
    if kind == "png":
        return _iter_png(_png_files(p))
    if kind == "npy":
        return _iter_array(_load_npy(p), p)
    _array_header(p, kind)  # fail now, not at the first frame
    return _iter_npz(p)


def read_video(path: PathLike) -> tuple[np.ndarray, float]:
    """All frames as one (T, H, W, 3) uint8 array, and the frame rate."""
    p, kind = _check_input(path)
    frames = list(iter_frames(p))
    if not frames:
        raise MMKitError(f"{p} holds no frames; check that it is the clip you meant")
    return np.stack(frames), _fps(p, kind)


def _check_input(path: PathLike) -> tuple[Path, str]:
    """The path as a Path and its kind ('video', 'png', 'npy', 'npz'), or a clear error if it cannot be read."""
    p = Path(path).expanduser()
    if not p.exists():
        raise MMKitError(f"{p} does not exist; check the path")
    if p.is_dir():
        return p, "png"
    if p.stat().st_size == 0:
        raise MMKitError(f"{p} is empty (0 bytes), perhaps from an interrupted copy or write; re-create it")
    suffix = p.suffix.lower()
    if suffix in READ_VIDEO_SUFFIXES:
        return p, "video"
    if suffix in (".npy", ".npz"):
        return p, suffix[1:]
    what = repr(suffix) if suffix else "files without a suffix"
    raise MMKitError(f"{p}: cannot read {what}; use a video "
                     f"({', '.join(READ_VIDEO_SUFFIXES)}), a folder of PNG frames, .npy or .npz")


def _fps(p: Path, kind: str) -> float:
    """The clip's frame rate (DEFAULT_FPS where the format stores none)."""
    if kind == "video":
        return _video_meta(p)[0]
    if kind == "png":
        fps_file = p / FPS_FILE
        return _positive_fps(fps_file.read_text().strip(), fps_file) if fps_file.is_file() else DEFAULT_FPS
    if kind == "npz":
        with np.load(p) as npz:
            return _positive_fps(npz["fps"], p) if "fps" in npz.files else DEFAULT_FPS
    return DEFAULT_FPS


def _positive_fps(value: object, where: Path) -> float:
    try:
        fps = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        fps = math.nan
    if not (math.isfinite(fps) and fps > 0):
        raise MMKitError(f"frame rate {value!r} for {where} is not a positive number")
    return fps


# videos, through ffmpeg


def _video_error(p: Path, err: BaseException) -> MMKitError:
    """ffmpeg's last line of complaint, without the pages of build information around it."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    reason = lines[-1].rsplit(": ", 1)[-1] if lines else type(err).__name__
    return MMKitError(f"could not read {p} as a video: {reason}; check that it is a complete video file "
                      "that plays in a media player")


def _video_meta(p: Path) -> tuple[float, int, int]:
    """Frame rate, height and width from ffmpeg's header, stopping ffmpeg before it decodes anything."""
    try:
        reader = imageio_ffmpeg.read_frames(str(p), pix_fmt="rgb24")
        try:
            meta = next(reader)
        finally:
            reader.close()
        width, height = meta["size"]
        fps = float(meta.get("fps") or 0) or _header_fps(p)
        if fps <= 0:
            raise ValueError("no frame rate found in its video stream")
    except Exception as err:
        raise _video_error(p, err) from None
    return _snap_fps(fps, gif=p.suffix.lower() == ".gif"), int(height), int(width)


def _header_fps(p: Path) -> float:
    """The video stream's rate from ffmpeg's own header, for the ``1k fps`` form (whole thousands) that
    imageio_ffmpeg does not parse; 0 if none is found."""
    import subprocess

    try:
        text = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(p)], check=False,
                              capture_output=True, text=True, errors="replace", timeout=60).stderr
    except (OSError, subprocess.SubprocessError):
        return 0.0
    for line in text.splitlines():
        if line.lstrip().startswith("Stream ") and " Video: " in line:
            match = re.search(r" (\d+(?:\.\d+)?)(k?) fps", line)
            return float(match[1]) * (1000 if match[2] else 1) if match else 0.0
    return 0.0


def _snap_fps(fps: float, gif: bool) -> float:
    """Undo ffmpeg's two-decimal rounding where the true rate is known: 100/k for GIFs, x*1000/1001 for NTSC."""
    if gif:
        return 100 / max(1, round(100 / fps))
    for base in (24, 30, 48, 60, 120, 240):
        if abs(fps - base * 1000 / 1001) < 0.006:
            return base * 1000 / 1001
    return fps


def _iter_video(p: Path, height: int, width: int) -> Iterator[np.ndarray]:
    """Decode frame by frame, exactly the frames the file holds: ``-fps_mode passthrough`` stops ffmpeg from
    repeating or dropping frames to fit the rate it guessed (a 2-frame GIF at 25 fps otherwise reads as 8)."""
    reader = imageio_ffmpeg.read_frames(str(p), pix_fmt="rgb24", output_params=["-fps_mode", "passthrough"])
    try:
        while True:
            try:
                data = next(reader)
                if isinstance(data, dict):
                    continue  # ffmpeg's header, already read by _video_meta
                frame = np.frombuffer(data, np.uint8).reshape(height, width, 3).copy()  # a writable copy
            except StopIteration:
                return
            except Exception as err:
                raise _video_error(p, err) from None
            yield frame
    finally:
        reader.close()


# PNG folders


def _png_files(folder: Path) -> list[Path]:
    """The folder's PNG frames in natural order (frame_2 before frame_10)."""
    files = [f for f in folder.iterdir() if f.suffix.lower() == ".png" and f.is_file()]
    if not files:
        raise MMKitError(f"{folder} holds no .png frames; a folder input must hold the frames as PNG files")
    return sorted(files, key=lambda f: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", f.name)])


def _open_png(file: Path) -> Image.Image:
    try:
        return Image.open(file)
    except Exception as err:
        raise MMKitError(f"could not read {file} as an image: {err}; re-create or remove it") from None


def _iter_png(files: list[Path]) -> Iterator[np.ndarray]:
    size = None
    for file in files:
        with _open_png(file) as im:
            size = size or im.size
            if im.size != size:
                raise MMKitError(f"{file} is {im.size[1]}x{im.size[0]} but {files[0].name} is {size[1]}x{size[0]}; "
                                 "all frames of a clip must have the same size")
            yield np.array(im.convert("RGB"))  # grey repeated, alpha dropped, palettes expanded


# numpy arrays


def _check_array(shape: tuple[int, ...], dtype: np.dtype, p: Path) -> None:
    if dtype != np.uint8:
        raise MMKitError(f"{p} holds {dtype} frames; mmkit frames are uint8 0-255: save "
                         "(np.clip(frames, 0, 1) * 255).round().astype(np.uint8) for floats in [0, 1]")
    if not (len(shape) == 3 or (len(shape) == 4 and shape[3] in (1, 3, 4))):
        raise MMKitError(f"{p} holds an array of shape {shape}; expected (T, H, W) grey, or (T, H, W, C) with "
                         "C = 1, 3 (RGB) or 4 (RGBA)")


def _load_npy(p: Path) -> np.ndarray:
    """Memory-map the array, so frames are read from disk only as they are used."""
    try:
        array = np.load(p, mmap_mode="r")
    except Exception as err:
        raise MMKitError(f"could not read {p} as a numpy array: {err}") from None
    _check_array(array.shape, array.dtype, p)
    return array


def _npy_stream_header(f: IO[bytes], p: Path) -> tuple[tuple[int, ...], np.dtype, bool]:
    try:
        version = np.lib.format.read_magic(f)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran_order, dtype = read(f)
    except Exception as err:
        raise MMKitError(f"could not read {p} as a numpy array: {err}") from None
    _check_array(shape, dtype, p)
    return shape, dtype, fortran_order


def _npz_frames(zf: zipfile.ZipFile, p: Path) -> IO[bytes]:
    if "frames.npy" not in zf.namelist():
        keys = [n.removesuffix(".npy") for n in zf.namelist()]
        raise MMKitError(f"{p} has no array named 'frames' (it has {keys}); save with "
                         "np.savez(path, frames=frames, fps=fps)")
    return zf.open("frames.npy")


def _open_zip(p: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError) as err:
        raise MMKitError(f"could not read {p} as an .npz archive: {err}; re-create it with np.savez") from None


def _array_header(p: Path, kind: str) -> tuple[tuple[int, ...], np.dtype, bool]:
    """Shape, dtype and Fortran order of a .npy file or of an .npz file's 'frames', without reading the data."""
    if kind == "npy":
        array = _load_npy(p)
        return array.shape, array.dtype, False
    with _open_zip(p) as zf, _npz_frames(zf, p) as f:
        return _npy_stream_header(f, p)


def _to_rgb(frame: np.ndarray, where: str) -> np.ndarray:
    """One frame as contiguous (H, W, 3) uint8: grey is repeated, alpha dropped, other dtypes refused."""
    if frame.dtype != np.uint8:
        raise MMKitError(f"{where} has dtype {frame.dtype}; mmkit frames are uint8 0-255: convert floats in [0, 1] "
                         "with (np.clip(f, 0, 1) * 255).round().astype(np.uint8)")
    if frame.ndim == 2:
        frame = frame[..., None]
    if frame.ndim != 3 or frame.shape[2] not in (1, 3, 4):
        raise MMKitError(f"{where} has shape {frame.shape}; expected (H, W, 3) RGB, (H, W, 4) RGBA or (H, W) grey")
    if frame.shape[2] == 1:
        return np.repeat(frame, 3, axis=2)
    return np.ascontiguousarray(frame[..., :3])


def _iter_array(array: np.ndarray, p: Path) -> Iterator[np.ndarray]:
    for i in range(len(array)):
        yield _to_rgb(np.array(array[i]), f"frame {i} of {p}")  # a copy, not a view into the file


def _iter_npz(p: Path) -> Iterator[np.ndarray]:
    """Stream 'frames' out of the archive frame by frame (zip members cannot be memory-mapped)."""
    with _open_zip(p) as zf, _npz_frames(zf, p) as f:
        shape, dtype, fortran_order = _npy_stream_header(f, p)
        if fortran_order:  # rare (saved from a transposed array): frames are not contiguous, so load it whole
            with np.load(p) as npz:
                yield from _iter_array(npz["frames"], p)
            return
        frame_shape = shape[1:]
        frame_bytes = math.prod(frame_shape) * dtype.itemsize
        for i in range(shape[0]):
            try:
                data = f.read(frame_bytes)
            except (zipfile.BadZipFile, OSError, EOFError) as err:
                raise MMKitError(f"{p} is corrupt after {i} of its {shape[0]} frames ({err}); re-create it") from None
            if len(data) != frame_bytes:
                raise MMKitError(f"{p} ends after {i} of its {shape[0]} frames; re-create it")
            yield _to_rgb(np.frombuffer(data, dtype).reshape(frame_shape).copy(), f"frame {i} of {p}")


# ---------------------------------------------------------------- writing


def check_output(path: PathLike, overwrite: bool = False) -> tuple[Path, str]:
    """The output path and its kind, if a clip can be written there: a known format, and not an existing
    file unless ``overwrite``. Called before any work, so that a long run does not fail at its end."""
    out = Path(path).expanduser()
    kind = _output_kind(path, out)
    if out.exists() or out.is_symlink():
        if not overwrite:
            raise MMKitError(f"{out} exists; pass overwrite=True (--overwrite) to replace it")
        _check_replaceable(out, kind)
    return out, kind


def check_not_input(out: PathLike, *inputs: PathLike | None) -> None:
    """Refuse an output path that is one of the inputs: writing it would destroy the clip being read."""
    out_path = Path(out).expanduser().resolve()
    for inp in inputs:
        if inp is None:
            continue
        in_path = Path(inp).expanduser().resolve()
        if out_path == in_path or (out_path.exists() and in_path.exists() and os.path.samefile(out_path, in_path)):
            raise MMKitError(f"output {out} is the input {inp}; choose a different output path")


def write_video(path: PathLike, frames: Iterable[np.ndarray] | np.ndarray, fps: float, *,
                overwrite: bool = False, quality: str = "high") -> Path:
    """Write frames ((H, W, 3) uint8 each; grey and RGBA are converted) to path; the format follows its suffix.

    Frames may be a (T, H, W, C) array or any iterable, a generator included; they are consumed one by one.
    The file appears under its name only when complete. ``quality`` ('high', 'medium', 'low') applies to
    mp4/mov. Returns the written path.
    """
    out, kind = check_output(path, overwrite)
    fps = _positive_fps(fps, out)
    if quality not in QUALITY_CRF:
        raise MMKitError(f"quality {quality!r} is not one of {list(QUALITY_CRF)}")
    if isinstance(frames, np.ndarray) and frames.ndim != 4:
        raise MMKitError(f"frames for {out} have shape {frames.shape}; expected (T, H, W, 3) "
                         "(for a single frame pass frame[None], for grey (T, H, W) frames pass frames[..., None])")
    fps = _format_fps(out, kind, fps)

    checked = _checked_frames(frames, out)
    first = next(checked, None)
    if first is None:
        raise MMKitError(f"no frames to write to {out}: the frame source was empty")
    stream = itertools.chain([first], checked)
    size = first.shape[:2]

    with atomic_path(out, is_dir=kind == "png") as tmp:
        if kind == "video":
            _write_ffmpeg(tmp, stream, fps, size, quality, out)
        elif kind == "png":
            _write_png(tmp, stream, fps)
        elif kind == "npy":
            _write_npy(tmp, stream, size)
        else:
            _write_npz(tmp, stream, fps, size)
    return out


def _output_kind(path: PathLike, out: Path) -> str:
    """'video', 'png' (a folder: a path ending in '/' or without suffix), 'npy' or 'npz'."""
    if str(path).endswith(("/", os.sep)) or out.suffix == "":
        return "png"
    suffix = out.suffix.lower()
    if suffix in WRITE_VIDEO_SUFFIXES:
        return "video"
    if suffix in (".npy", ".npz"):
        return suffix[1:]
    raise MMKitError(f"{out}: cannot write {suffix!r}; use {', '.join(WRITE_VIDEO_SUFFIXES)}, .npy, .npz, "
                     "or a folder (a path ending in '/') for PNG frames")


def _format_fps(out: Path, kind: str, fps: float) -> float:
    """The rate the format can store, warning where it differs from the one asked for."""
    if out.suffix.lower() == ".gif" and kind == "video":
        # players treat delays under 2/100 s as slow, so 50 fps at most; a delay is 16 bits, so 0.0015 at least
        gif_fps = 100 / min(65535, max(2, round(100 / fps)))
        if abs(gif_fps - fps) > 1e-9:
            warnings.warn(f"{out}: GIF frame delays are whole hundredths of a second, so {fps:g} fps is written "
                          f"as {gif_fps:g} fps", stacklevel=3)
        return gif_fps
    if kind == "npy" and fps != DEFAULT_FPS:
        warnings.warn(f"{out}: .npy stores no frame rate, so it will read back as {DEFAULT_FPS:g} fps, not {fps:g}; "
                      "use .npz to keep it", stacklevel=3)
    return fps


def _check_replaceable(out: Path, kind: str) -> None:
    """Overwriting may replace a file, or a folder that holds only frames; never a folder of other things."""
    if kind != "png" and out.is_dir():
        raise MMKitError(f"{out} is a folder; choose a file name for the {out.suffix} output")
    if kind == "png" and out.is_dir():
        others = [f.name for f in out.iterdir() if not (f.is_file() and (f.suffix == ".png" or f.name == FPS_FILE))]
        if others:
            raise MMKitError(f"{out} holds more than frames ({others[0]!r}); refusing to replace it: "
                             "choose a new or empty folder")


def _checked_frames(frames: Iterable[np.ndarray], out: Path) -> Iterator[np.ndarray]:
    """Each frame as (H, W, 3) uint8, all of the first frame's size."""
    size = None
    for i, frame in enumerate(frames):
        rgb = _to_rgb(np.asarray(frame), f"frame {i} for {out}")
        if 0 in rgb.shape[:2]:
            raise MMKitError(f"frame {i} for {out} is {rgb.shape[0]}x{rgb.shape[1]} px; a frame needs at least 1x1 px")
        size = size or rgb.shape[:2]
        if rgb.shape[:2] != size:
            raise MMKitError(f"frame {i} for {out} is {rgb.shape[0]}x{rgb.shape[1]} but frame 0 is "
                             f"{size[0]}x{size[1]}; all frames of a video must have the same size")
        yield rgb


def _write_ffmpeg(tmp: Path, frames: Iterator[np.ndarray], fps: float, size: tuple[int, int], quality: str,
                  out: Path) -> None:
    """Pipe frames into ffmpeg, never rescaled, then check that every frame arrived."""
    height, width = size
    suffix = tmp.suffix.lower()
    if suffix == ".gif":
        codec, pix_fmt, params = "gif", "pal8", ["-vf", _GIF_FILTER]
    elif suffix == ".avi":
        codec, pix_fmt, params = "png", "rgb24", []  # lossless
    else:
        even = height % 2 == 0 and width % 2 == 0  # 4:2:0 halves the chroma, so it needs even sizes
        codec, pix_fmt, params = "libx264", "yuv420p" if even else "yuv444p", ["-crf", str(QUALITY_CRF[quality])]

    def failed(err: BaseException) -> MMKitError:
        return MMKitError(f"ffmpeg could not write {out}: {str(err).splitlines()[0] if str(err) else err!r} "
                          "(its own message is printed above)")

    writer = imageio_ffmpeg.write_frames(str(tmp), (width, height), fps=fps, codec=codec, pix_fmt_out=pix_fmt,
                                         quality=None, macro_block_size=1, ffmpeg_log_level="error",
                                         output_params=params)
    n_written = 0
    try:
        try:
            writer.send(None)  # starts ffmpeg
        except Exception as err:
            raise failed(err) from None
        for frame in frames:  # the caller's errors pass through untouched
            try:
                writer.send(frame)
            except Exception as err:
                raise failed(err) from None
            n_written += 1
    finally:
        writer.close()  # waits for ffmpeg to finish the file
    try:
        n_read, _ = imageio_ffmpeg.count_frames_and_secs(str(tmp))
    except Exception as err:
        raise failed(err) from None
    if n_read != n_written:
        raise MMKitError(f"ffmpeg wrote {n_read} of {n_written} frames to {out}; see its message above")
    try:
        got = _video_meta(tmp)[0]
    except MMKitError:
        got = math.nan
    if not abs(got - fps) <= max(0.006, 1e-4 * fps):  # ffmpeg reports rates to two decimals
        raise MMKitError(f"{out}: a {out.suffix} file cannot hold {fps:g} fps (it reads back as {got:g}); "
                         "use .npz or a PNG folder, which keep any rate")


def _write_png(folder: Path, frames: Iterator[np.ndarray], fps: float) -> None:
    for i, frame in enumerate(frames):
        Image.fromarray(frame).save(folder / FRAME_NAME.format(i), compress_level=1)  # fast; PNG is lossless anyway
    (folder / FPS_FILE).write_text(f"{fps!r}\n")


def _write_npy(tmp: Path, frames: Iterator[np.ndarray], size: tuple[int, int]) -> None:
    """Stream frames into a .npy: data first, then the header, once the frame count is known."""
    n_frames = 0
    with open(tmp, "wb") as f:
        f.seek(_NPY_HEADER_BYTES)
        for frame in frames:
            f.write(frame.tobytes())
            n_frames += 1
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            header, {"descr": "|u1", "fortran_order": False, "shape": (n_frames, *size, 3)})
        if header.tell() != _NPY_HEADER_BYTES:  # cannot happen for uint8 (T, H, W, 3) below 10**20 frames
            raise MMKitError(f"internal error: .npy header of {header.tell()} bytes for {tmp}")
        f.seek(0)
        f.write(header.getvalue())


def _write_npz(tmp: Path, frames: Iterator[np.ndarray], fps: float, size: tuple[int, int]) -> None:
    """An uncompressed archive like np.savez: frames streamed through a .npy beside it, then fps."""
    fd, name = tempfile.mkstemp(prefix=f"{tmp.name}-", suffix=".npy", dir=tmp.parent)
    os.close(fd)
    try:
        _write_npy(Path(name), frames, size)
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            zf.write(name, "frames.npy")
            with zf.open("fps.npy", "w") as f:
                np.lib.format.write_array(f, np.asarray(fps, dtype=np.float64))
    finally:
        os.remove(name)
