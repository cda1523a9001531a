"""The magnify engine behind ``mmkit.magnify(source, alpha, mode=..., method=...)``: the kit's main job.

Learned methods (the paper's ``light`` and ``base`` networks, ``oh2018``, or a checkpoint path) stream:
frames are read, paired, pushed through the network in small batches and written as they come, so
memory does not grow with the length of the video. Modes:

- ``dynamic`` (the paper's use): output frame t is ``net(F_{t-1}, F_t, alpha)``, the motion between
  consecutive frames magnified; frame 0 has no predecessor and is passed through, so the output has
  exactly as many frames as the input;
- ``static``: output frame t is ``net(F_ref, F_t, alpha)``, every frame's motion from a reference frame
  (``reference``, the first by default) magnified;
- ``temporal``: the motion features ``D_t = E_b - E_a`` of each frame against the reference are
  band-passed over time (Butterworth IIR or windowed-sinc FIR, :mod:`mmkit.filters`) before the
  manipulator and decoder, so that only motion in ``[low_hz, high_hz]`` is magnified (how a pulse or a
  machine's hum is isolated). The filter runs as the frames stream; its state starts from the first
  frame's features, so a still scene stays still.

The classical methods (:mod:`mmkit.classical.registry`: ``linear`` after Wu et al. 2012, and the others as
they land) need the whole clip for their temporal filters; they are routed through the same call, with
their own parameters in ``params``.
"""
from __future__ import annotations

import contextlib
import itertools
import math
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

import numpy as np
import torch

from .checkpoints import model_from_checkpoint
from .checks import check_int, check_number, is_int, is_number
from .compiling import compile_or_eager
from .devices import resolve_device
from .errors import MMKitError
from .hardware import warn_if_bf16_is_slow
from .memory import GIB, NETWORK_BYTES_PER_PIXEL, check_fits, device_gib
from .pretrained import DEFAULT_NETWORK, architecture, load_pretrained, network_names

if TYPE_CHECKING:
    from .models import MagnificationNet

MODES = ("dynamic", "static", "temporal")
RUNTIMES = ("auto", "torch", "openvino")
CLASSICAL_MEMORY_GB = 4.0  # default memory limit of the classical methods, which hold the whole clip
from .classical.registry import METHODS as CLASSICAL  # noqa: E402  (name -> ClassicalMethod)


@dataclass
class MagnifyConfig:
    """How to magnify. ``method``: a model name, a checkpoint path, or a classical method's name."""

    alpha: float = 10.0
    mode: str = "dynamic"
    method: str = DEFAULT_NETWORK   # the best light weights on held-out content (mmkit.pretrained)
    batch_size: int | None = None  # frame pairs per network call; None: 1 on a CPU (measured fastest at every
                                   # size from 384 px up: python -m mmkit.bench), 4 on a GPU
    reference: int = 0           # static mode: index of the reference frame
    device: str = "auto"
    roi: tuple[int, int, int, int] | None = None  # (y0, y1, x0, x1): magnify only this region
    scale: float | None = None   # resize frames by this factor first (e.g. 0.5 for a quick look)
    channels_last: bool = True   # exact, and faster on CPUs (python -m mmkit.bench)
    bf16: bool = False           # manipulator and decoder under bf16 autocast (encoder fp32): faster on AMX
                                 # CPUs, 1-3 levels off fp32 (python -m mmkit.bench); see network_call
    compile: bool | str = "auto"  # torch.compile (inductor): exact, 1.1-3x eager fp32 at 720 px on a 2-core CPU
                                  # (by CPU), after ~15 s of compiling once per frame size; "auto": for a network
                                  # that torch runs on a CPU in dynamic or static mode, when the clip is long
                                  # enough to pay that back (COMPILE_WORTH_S) and a C++ compiler is there; falls
                                  # back to eager if it fails
    runtime: str = "auto"        # "openvino": light and base run by OpenVINO on the CPU, fp32, within 1 level of
                                 # torch, faster (mmkit.openvino_runtime; python -m mmkit.bench); "torch"; "auto":
                                 # OpenVINO for the shipped light and base weights where it is installed and
                                 # applies (CPU, no --bf16) and the clip is long enough to pay its ~2 s
                                 # conversion (OPENVINO_WORTH_S), else torch; torch again if it fails
    low_hz: float = 0.5          # pass band of the temporal mode and of the linear method
    high_hz: float = 3.0
    capture_fps: float | None = None  # frame rate the filters assume (a high-speed capture); None: the video's
    filter: str = "butter"       # temporal mode: "butter" (IIR) or "fir"
    order: int = 2               # Butterworth prototype order
    fir_taps: int = 31           # FIR length (odd)
    params: dict = field(default_factory=dict)  # a classical method's other config fields (e.g. LinearConfig)
    max_memory_gb: float | None = None  # refuse a run estimated to need more; None: 4 GiB for a classical
                                        # method (whole clip in memory), the device's memory for a network

    def validate(self) -> None:
        if is_number(self.alpha) and self.alpha == 0:
            raise MMKitError("alpha 0 magnifies nothing (the output would be the input); use alpha > 0, e.g. 10")
        check_number("alpha", self.alpha, strict=True)
        if self.alpha > 1000:
            raise MMKitError(f"alpha {self.alpha:g} is far beyond what any method supports (the networks were "
                             "trained up to 100); use at most 1000")
        if self.mode not in MODES:
            raise MMKitError(f"unknown mode {self.mode!r}; choose one of {list(MODES)}")
        if not isinstance(self.method, (str, os.PathLike)):
            raise MMKitError(f"method must be a name or a checkpoint path, got {self.method!r}")
        check_int("batch_size", self.batch_size, 1, optional=True)
        if self.compile not in (True, False, "auto"):
            raise MMKitError(f"compile must be True, False or 'auto', got {self.compile!r}")
        if self.runtime not in RUNTIMES:
            raise MMKitError(f"unknown runtime {self.runtime!r}; choose one of {list(RUNTIMES)}")
        check_int("reference frame", self.reference, 0)
        for name, flag in (("capture_fps", "--fps"), ("max_memory_gb", "--max-memory-gb")):
            check_number(f"{name} ({flag})", getattr(self, name), strict=True, optional=True)
        if self.scale is not None and not (math.isfinite(self.scale) and 0.01 <= self.scale <= 8):
            raise MMKitError(f"scale must be between 0.01 and 8, got {self.scale}")
        if self.roi is not None and (len(self.roi) != 4 or self.roi[0] >= self.roi[1] or self.roi[2] >= self.roi[3]
                                     or min(self.roi) < 0):
            raise MMKitError(f"roi must be (y0, y1, x0, x1) with 0 <= y0 < y1 and 0 <= x0 < x1, got {self.roi}")
        if self.filter not in ("butter", "fir"):
            raise MMKitError(f"unknown temporal filter {self.filter!r}; choose 'butter' or 'fir'")


#: Eager seconds of work above which ``compile="auto"`` compiles: four times the ~15 s that compiling first
#: takes on a 2-core CPU (measured for light and base at 720 px; inductor then caches it on disk), so that the
#: 1.1-3x faster frames (by CPU) pay it back with a margin on slower machines too.
COMPILE_WORTH_S = 60.0
#: Torch seconds of work above which ``runtime="auto"`` converts a network for OpenVINO: about twice the ~2 s that
#: converting takes the first time (after that it is read back from the disk cache in 0.1-0.2 s).
OPENVINO_WORTH_S = 5.0
#: Pixels per second of eager fp32 + channels-last on one 2-core CPU (python -m mmkit.bench, 720 x 720),
#: for that estimate; other models count as base.
EAGER_PIXELS_PER_S = {"light": 2.0e6, "base": 0.4e6, "oh2018": 0.4e6}


def resolve_options(cfg: MagnifyConfig, device: torch.device, n_frames: int | None = None,
                    size: tuple[int, int] | None = None) -> MagnifyConfig:
    """``cfg`` with ``batch_size``, ``runtime`` and ``compile`` decided for ``device`` and, when its length and frame
    size are known, the clip: ``runtime="auto"`` runs OpenVINO where it applies and the clip holds
    :data:`OPENVINO_WORTH_S` of torch work (its conversion, ~2 s, is then paid back), else torch; ``compile="auto"``
    compiles a torch network only for a clip long enough to pay for it. The result is the same for the same
    request, whatever is cached."""
    from dataclasses import replace

    batch = cfg.batch_size if cfg.batch_size is not None else (4 if device.type == "cuda" else 1)
    applies = openvino_applies(cfg, device)  # first: an impossible runtime="openvino" is an error at once
    work_s = None
    if n_frames is not None and size is not None:
        rate = EAGER_PIXELS_PER_S.get(_network_of(str(cfg.method)), EAGER_PIXELS_PER_S["base"])
        work_s = n_frames * size[0] * size[1] / rate
    runtime = cfg.runtime
    if runtime == "auto":  # the shipped paper networks by name; a checkpoint path runs torch unless asked
        named = str(cfg.method) in network_names()
        runtime = "openvino" if applies and named and work_s is not None and work_s >= OPENVINO_WORTH_S else "torch"
    compile_ = cfg.compile
    if compile_ == "auto":
        compile_ = (device.type == "cpu" and runtime == "torch" and cfg.mode != "temporal" and work_s is not None
                    and work_s >= COMPILE_WORTH_S and _have_cxx_compiler())
    if runtime == "openvino":
        compile_ = False  # torch.compile has nothing to do where OpenVINO runs the network
    return replace(cfg, batch_size=batch, compile=bool(compile_), runtime=runtime)


def openvino_applies(cfg: MagnifyConfig, device: torch.device, net: torch.nn.Module | None = None) -> bool:
    """Whether OpenVINO can run ``cfg``'s network: installed, the device a CPU, ``--bf16`` off, the network
    (``net``, or the one ``cfg.method`` names) one of the paper's. False for ``runtime="torch"``; for
    ``runtime="openvino"`` a combination it cannot run is an error that says why."""
    from .models import MagnificationNet
    from .openvino_runtime import INSTALL_HINT, have_openvino

    if cfg.runtime == "torch":
        return False
    if net is not None:
        paper = isinstance(net, MagnificationNet)
    else:
        method = str(cfg.method)
        paper = _network_of(method) in ("light", "base") if method in network_names() else True  # a checkpoint: see net
    problem = ("it runs on the CPU only" if device.type != "cpu" else
               "--bf16 runs torch (OpenVINO runs fp32 here, the exact path)" if cfg.bf16
               else "it runs the paper's networks (light, base), not this one" if not paper
               else f"OpenVINO is not installed: {INSTALL_HINT}" if not have_openvino() else None)
    if problem and cfg.runtime == "openvino":
        raise MMKitError(f"runtime 'openvino': {problem}; use runtime='torch' (--runtime torch) or 'auto'")
    return problem is None


def _network_of(method: str) -> str:
    """The network a method name stands for (``light_no_lm`` is ``light``); a checkpoint path stays as it is."""
    return architecture(method) if method in network_names() else method


def _have_cxx_compiler() -> bool:
    """torch.compile on a CPU builds C++: is there a compiler to build it with?"""
    import shutil

    return any(shutil.which(c) for c in (os.environ.get("CXX", "g++"), "g++", "c++", "clang++"))


def network_call(net: torch.nn.Module, cfg: MagnifyConfig, device: torch.device) -> Callable[..., torch.Tensor]:
    """How the engine runs the network on a batch of pairs ``(prev, cur, alpha) -> frames``, as configured.

    With ``cfg.bf16`` the paper's networks keep their **encoder in fp32** and run the manipulator and decoder
    under bf16 autocast: the encoder's rounding would be multiplied by alpha in ``D = (E_b - E_a) * alpha``
    (bf16 everywhere: 4.7 levels off for light, 2.0 for base; this way 1.2 and 1.0, python -m mmkit.bench).
    Oh et al.'s network runs wholly under autocast. With ``cfg.compile`` the call is compiled.
    """
    from .models import MagnificationNet

    if cfg.bf16 and isinstance(net, MagnificationNet):
        def call(prev: torch.Tensor, cur: torch.Tensor, alpha: float) -> torch.Tensor:
            return encoder_fp32_forward(net, prev, cur, alpha, torch.autocast(device.type, dtype=torch.bfloat16))
    elif cfg.bf16:
        def call(prev: torch.Tensor, cur: torch.Tensor, alpha: float) -> torch.Tensor:
            with torch.autocast(device.type, dtype=torch.bfloat16):
                return net(prev, cur, alpha).float()
    else:
        call = net
    from .openvino_runtime import OpenVINONet

    fast = _on_openvino(OpenVINONet, net, cfg, device)
    if fast is not None:
        return fast
    if cfg.compile and cfg.mode != "temporal":
        return compile_or_eager(call)
    return call


def _on_openvino(kind: Callable, net: torch.nn.Module, cfg: MagnifyConfig, device: torch.device):
    """``kind(net)`` (:class:`~mmkit.openvino_runtime.OpenVINONet` or ``OpenVINOStages``) when ``cfg.runtime`` is
    "openvino" and it applies, else None (torch runs). A conversion that fails warns and gives None: torch runs the
    same network, said aloud."""
    if not (cfg.runtime == "openvino" and openvino_applies(cfg, device, net)):
        return None
    try:
        return kind(net)
    except Exception as err:
        first = (str(err).strip().splitlines() or [""])[0][:200]
        warnings.warn(f"OpenVINO could not run the network ({type(err).__name__}: {first}); running torch "
                      "instead (runtime='torch' avoids it)", stacklevel=3)
        return None


def encoder_fp32_forward(net: MagnificationNet, prev: torch.Tensor, cur: torch.Tensor, alpha: float | torch.Tensor,
                         autocast: contextlib.AbstractContextManager) -> torch.Tensor:
    """``net(prev, cur, alpha)`` with the encoder and ``D = (E_b - E_a) * alpha`` in fp32 and the manipulator and
    decoder inside ``autocast`` (a reduced-precision context); output in fp32."""
    enc = net.encode(prev, cur)
    motion = net.motion(enc, alpha)
    with autocast:
        return net.decode(enc, net.manipulator(motion)).float()


def load_method(method: str, device: torch.device) -> torch.nn.Module:
    """A network by name (shipped weights) or by checkpoint path, in eval mode on ``device``."""
    if method in network_names():
        net = load_pretrained(method)
    elif Path(method).suffix == ".pt" or Path(method).exists():
        net = model_from_checkpoint(method)
    else:
        raise MMKitError(f"unknown method {method!r}; choose one of {network_names() + list(CLASSICAL)} "
                         "or give a checkpoint path")
    return net.to(device).eval()


def _to_batch(frames: list[np.ndarray], device: torch.device) -> torch.Tensor:
    """uint8 (H, W, 3) frames -> (B, 3, H, W) float in [-1, 1] (channels-last in memory, for free)."""
    x = torch.from_numpy(np.stack(frames)).to(device).permute(0, 3, 1, 2).float()
    return x / 127.5 - 1


def _to_frames(x: torch.Tensor) -> np.ndarray:
    """(B, 3, H, W) in [-1, 1] -> uint8 (B, H, W, 3), rounded."""
    return ((x.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()


def _pairs(frames: Iterator[np.ndarray], cfg: MagnifyConfig) -> Iterator[tuple[np.ndarray | None, np.ndarray]]:
    """(first, second) frames to feed the network per output frame; first is None to pass a frame through."""
    if cfg.mode == "dynamic":
        prev = None
        for frame in frames:
            yield prev, frame
            prev = frame
        return
    head = list(itertools.islice(frames, cfg.reference + 1))
    if len(head) <= cfg.reference:
        raise MMKitError(f"reference frame {cfg.reference} does not exist: the clip has {len(head)} frames")
    ref = head[cfg.reference]
    for frame in itertools.chain(head, frames):
        yield ref, frame


def make_filter(cfg: MagnifyConfig, fps: float):
    """The streaming band-pass of the temporal mode, for ``fps`` (or ``cfg.fps`` when given)."""
    from .filters import StreamingFIR, StreamingIIR, butter_bandpass_sos, fir_bandpass_taps

    fs = cfg.capture_fps or fps
    if cfg.filter == "fir":
        return StreamingFIR(fir_bandpass_taps(cfg.fir_taps, cfg.low_hz, cfg.high_hz, fs))
    return StreamingIIR(butter_bandpass_sos(cfg.order, cfg.low_hz, cfg.high_hz, fs))


def _batches(frames: Iterator[np.ndarray], size: int) -> Iterator[list[np.ndarray]]:
    while batch := list(itertools.islice(frames, size)):
        yield batch


@torch.no_grad()
def temporal_motion(net: torch.nn.Module, frames: Iterable[np.ndarray], cfg: MagnifyConfig, fps: float,
                    device: torch.device, encode: Callable | None = None) -> Iterator[tuple[object, torch.Tensor]]:
    """Yield ``(encoded, band-passed D_t)`` per frame: the encoder (``encode``, by default ``net.encode``)
    against the reference, then the filter."""
    from .models import MagnificationNet

    if not isinstance(net, MagnificationNet):
        raise MMKitError("temporal mode needs one of the paper's networks (light, base, or their checkpoints)")
    encode = encode or net.encode
    frames = iter(frames)
    head = list(itertools.islice(frames, cfg.reference + 1))
    if len(head) <= cfg.reference:
        raise MMKitError(f"reference frame {cfg.reference} does not exist: the clip has {len(head)} frames")
    ref = _to_batch([head[cfg.reference]], device)
    filt = make_filter(cfg, fps)
    primed = False
    for batch in _batches(itertools.chain(head, frames), cfg.batch_size):
        cur = _to_batch(batch, device)
        enc = encode(ref.expand_as(cur), cur)
        motion = enc.e_b - enc.e_a                       # (B, 2C, H/2, W/2), not yet times alpha
        if not primed and hasattr(filt, "prime"):
            filt.prime(motion[0])
        primed = True
        for i in range(len(batch)):
            one = type(enc)(enc.e_a[i:i + 1], enc.e_b[i:i + 1], enc.appearance[i:i + 1], enc.size)
            yield one, filt(motion[i:i + 1])


@torch.no_grad()
def magnify_frames(frames: Iterable[np.ndarray], cfg: MagnifyConfig,
                   net: torch.nn.Module | None = None, fps: float = 30.0) -> Iterator[np.ndarray]:
    """Yield magnified frames, one per input frame, streaming (learned methods only)."""
    cfg.validate()
    device = resolve_device(cfg.device)
    cfg = resolve_options(cfg, device)
    net = net if net is not None else load_method(cfg.method, device)
    if cfg.channels_last:
        net = net.to(memory_format=torch.channels_last)
    yield from _magnify_frames(frames, cfg, net, fps, device)


def _magnify_frames(frames: Iterable[np.ndarray], cfg: MagnifyConfig, net: torch.nn.Module, fps: float,
                    device: torch.device) -> Iterator[np.ndarray]:
    if cfg.bf16:
        warn_if_bf16_is_slow(device, "magnifying with --bf16")
    if cfg.mode == "temporal":
        from .openvino_runtime import OpenVINOStages

        stages = _on_openvino(OpenVINOStages, net, cfg, device)
        for enc, motion in temporal_motion(net, frames, cfg, fps, device, stages.encode if stages else None):
            if stages:
                out = stages.magnify_motion(enc, motion * float(cfg.alpha))
            else:
                with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cfg.bf16):  # encoder stays fp32
                    out = net.decode(enc, net.manipulator(motion * float(cfg.alpha)))
            yield _to_frames(out.float())[0]
        return
    call = network_call(net, cfg, device)
    batch: list[tuple[np.ndarray | None, np.ndarray]] = []

    def flush() -> Iterator[np.ndarray]:
        todo = [i for i, (a, _) in enumerate(batch) if a is not None]
        out: list[np.ndarray] = [b for _, b in batch]
        if todo:
            firsts, seconds = [batch[i][0] for i in todo], [batch[i][1] for i in todo]
            if cfg.compile:  # one shape for every call: pad a short batch with copies of its last pair
                firsts += firsts[-1:] * (cfg.batch_size - len(todo))
                seconds += seconds[-1:] * (cfg.batch_size - len(todo))
            a = _to_batch(firsts, device)  # type: ignore[arg-type]
            b = _to_batch(seconds, device)
            if cfg.channels_last and cfg.runtime != "openvino":  # OpenVINO takes plain NCHW arrays
                a, b = (x.contiguous(memory_format=torch.channels_last) for x in (a, b))
            for i, frame in zip(todo, _to_frames(call(a, b, float(cfg.alpha)))):
                out[i] = frame
        batch.clear()
        yield from out

    shape = None
    for pair in _pairs(iter(frames), cfg):
        if shape is None:
            shape = pair[1].shape
        elif pair[1].shape != shape:
            raise MMKitError(f"frames change size within the clip: {shape} then {pair[1].shape}")
        batch.append(pair)
        if len(batch) == cfg.batch_size:
            yield from flush()
    yield from flush()


def magnify(source: str | os.PathLike | np.ndarray, alpha: float = 10.0, *, mode: str = "dynamic",
            method: str = DEFAULT_NETWORK, out: str | os.PathLike | None = None, overwrite: bool = False,
            fps: float | None = None, progress: bool = False, side_by_side: bool = False,
            slice_png: str | os.PathLike | None = None, slice_row: int | None = None,
            slice_col: int | None = None, **options) -> np.ndarray | Path:
    """Magnify a clip (a path, or a (T, H, W, 3) uint8 array) by ``alpha``.

    With ``out`` the result is streamed to that file (any format of :mod:`mmkit.video_io`, written
    atomically, never over the source) and its path returned; without it the frames are returned.
    ``side_by_side`` writes input | magnified. ``slice_png`` also saves the spatio-temporal slice of
    input and output at ``slice_row`` (default: the middle row) or ``slice_col``; the slice rows are
    collected while streaming (one row per frame), so it costs no extra pass. ``options`` are further
    :class:`MagnifyConfig` fields.
    """
    from . import video_io

    cfg = MagnifyConfig(alpha=alpha, mode=mode, method=method, **options)
    cfg.validate()
    check_number("fps (frames per second)", fps, strict=True, optional=True)
    if isinstance(source, np.ndarray):
        frames_in, n_frames, size = _check_array(source), len(source), source.shape[1:3]
        src_fps = float(fps) if fps is not None else 30.0
    elif isinstance(source, (str, os.PathLike)):
        info = video_io.probe(source)
        if info.n_frames == 0:
            raise MMKitError(f"{source} holds no frames; check that it is the clip you meant")
        if out is not None:
            video_io.check_not_input(out, source)
        frames_in, n_frames, size = video_io.iter_frames(source), info.n_frames, (info.height, info.width)
        src_fps = float(fps) if fps is not None else info.fps
    else:
        hint = "; for a list of frames pass np.stack(frames)" if isinstance(source, (list, tuple)) else ""
        raise MMKitError(f"source must be a file path or a (T, H, W, 3) uint8 array, got {type(source).__name__}"
                         + hint)
    if out is not None:
        video_io.check_output(out, overwrite)
    size = _prepared_size(size, cfg.roi, cfg.scale)
    _check_slice(source, out, overwrite, slice_png, slice_row, slice_col, size)
    if cfg.method not in CLASSICAL:
        cfg = resolve_options(cfg, resolve_device(cfg.device), n_frames, size)
        _check_network_memory(cfg, size, n_frames)
    if cfg.roi is not None or cfg.scale is not None:
        frames_in = prepare(frames_in, cfg.roi, cfg.scale)
    decorate = side_by_side or slice_png is not None
    if decorate:  # a second view of the input, consumed in step with the output
        frames_in, originals = itertools.tee(frames_in)
    if cfg.method in CLASSICAL:
        result = _magnify_classical(frames_in, cfg, src_fps, (n_frames, *size, 3))
    else:
        result = magnify_frames(frames_in, cfg, fps=src_fps)
    slices: tuple[list, list] = ([], [])
    if decorate:
        result = _decorate(originals, result, side_by_side, slices if slice_png is not None else None,
                           slice_row, slice_col)
    if progress:
        from tqdm.auto import tqdm
        result = tqdm(result, total=n_frames, unit="frame", desc=f"magnify x{alpha:g}")
    if out is None:
        written: np.ndarray | Path = np.stack(list(result))
    else:
        written = video_io.write_video(out, result, src_fps, overwrite=overwrite)
    if slice_png is not None:
        from .plots import save_slice_figure
        save_slice_figure(slice_png, [np.stack(s) for s in slices],
                          ["input", f"{cfg.method}{'' if cfg.method in CLASSICAL else ', ' + cfg.mode}, "
                                    f"alpha={alpha:g}"], src_fps,
                          axis="y" if slice_col is not None else "x")
    return written


def _decorate(inputs: Iterator[np.ndarray], outputs: Iterable[np.ndarray], side_by_side: bool,
              slices: tuple[list, list] | None, row: int | None, col: int | None) -> Iterator[np.ndarray]:
    """Pair each output frame with its input: keep the slice lines, and join them side by side if asked."""
    for frame_in, frame_out in zip(inputs, outputs):
        if slices is not None:
            for store, f in zip(slices, (frame_in, frame_out)):
                store.append(f[:, col] if col is not None else f[f.shape[0] // 2 if row is None else row])
        yield np.concatenate([frame_in, frame_out], axis=1) if side_by_side else frame_out


def prepare(frames: Iterable[np.ndarray], roi: tuple[int, int, int, int] | None,
            scale: float | None) -> Iterator[np.ndarray]:
    """Crop each frame to ``roi`` and resize it by ``scale`` (area averaging down, bilinear up)."""
    for frame in frames:
        if roi is not None:
            y0, y1, x0, x1 = roi
            if y1 > frame.shape[0] or x1 > frame.shape[1]:
                raise MMKitError(f"roi {roi} reaches outside the {frame.shape[0]} x {frame.shape[1]} frame")
            frame = frame[y0:y1, x0:x1]
        if scale is not None and scale != 1:
            h, w = (max(1, round(n * scale)) for n in frame.shape[:2])
            x = torch.from_numpy(np.ascontiguousarray(frame)).permute(2, 0, 1)[None].float()
            x = torch.nn.functional.interpolate(x, size=(h, w), mode="area" if scale < 1 else "bilinear",
                                                align_corners=None if scale < 1 else False)
            frame = x[0].permute(1, 2, 0).round().clamp(0, 255).to(torch.uint8).numpy()
        yield frame


def _check_array(frames: np.ndarray) -> Iterator[np.ndarray]:
    if frames.ndim != 4 or frames.shape[-1] != 3:
        hint = ""
        if frames.ndim == 3:
            hint = "; grey (T, H, W) frames: pass np.repeat(frames[..., None], 3, axis=-1)"
            hint += "; one (H, W, 3) frame: pass frame[None]" if frames.shape[-1] == 3 else ""
        elif frames.ndim == 4 and frames.shape[-1] in (1, 4):
            hint = "; grey: pass np.repeat(frames, 3, axis=-1)" if frames.shape[-1] == 1 else "; RGBA: pass frames[..., :3]"
        raise MMKitError(f"frames must be (T, H, W, 3), got shape {frames.shape}{hint}")
    if frames.dtype != np.uint8:
        raise MMKitError(f"frames must be uint8, got {frames.dtype}; convert with (x * 255).round().astype(np.uint8)")
    if len(frames) == 0:
        raise MMKitError("the clip has no frames")
    if 0 in frames.shape[1:3]:
        raise MMKitError(f"frames of {frames.shape[1]}x{frames.shape[2]} px are empty; a frame needs at least 1x1 px")
    return iter(frames)


def _prepared_size(size: tuple[int, int], roi: tuple[int, int, int, int] | None,
                   scale: float | None) -> tuple[int, int]:
    """Frame size after :func:`prepare` (checked now, before any frame is read)."""
    h, w = size
    if h == 0 or w == 0:
        raise MMKitError(f"frames of {h}x{w} px are empty; a frame needs at least 1x1 px")
    if roi is not None:
        y0, y1, x0, x1 = roi
        if y1 > h or x1 > w:
            raise MMKitError(f"roi {roi} reaches outside the {h} x {w} frame")
        h, w = y1 - y0, x1 - x0
    if scale is not None and scale != 1:
        h, w = (max(1, round(n * scale)) for n in (h, w))
    return h, w


def _check_slice(source: object, out: str | os.PathLike | None, overwrite: bool,
                 slice_png: str | os.PathLike | None, row: int | None, col: int | None,
                 size: tuple[int, int]) -> None:
    """The slice figure's line lies in the frame; its file is an image, neither the input nor the output,
    and replaces nothing without ``overwrite``."""
    for name, value, n in (("slice_row", row, size[0]), ("slice_col", col, size[1])):
        if value is not None and not (is_int(value) and 0 <= value < n):
            raise MMKitError(f"{name} must be a whole number from 0 to {n - 1} (the magnified frame is "
                             f"{size[0]} x {size[1]}), got {value!r}")
    if slice_png is None:
        return
    from matplotlib.backend_bases import FigureCanvasBase

    from .video_io import check_not_input

    path = Path(slice_png).expanduser()
    if not isinstance(source, np.ndarray):
        check_not_input(path, source)
    kinds = FigureCanvasBase.get_supported_filetypes()
    if path.suffix.lower().lstrip(".") not in kinds:
        raise MMKitError(f"slice_png {slice_png} must be an image file: end it in .png (or {', '.join(sorted(kinds))})")
    if out is not None and Path(out).expanduser().resolve() == path.resolve():
        raise MMKitError(f"slice_png {slice_png} is the output video's path; give the figure another name")
    if path.exists() and not overwrite:
        raise MMKitError(f"{path} exists; pass overwrite=True (--overwrite) to replace it")


def _check_network_memory(cfg: MagnifyConfig, size: tuple[int, int], n_frames: int) -> None:
    """A network streams, so only the frame size (times the batch) can be too big for the device."""
    device = resolve_device(cfg.device)
    limit = cfg.max_memory_gb if cfg.max_memory_gb is not None else device_gib(device)
    h, w = size
    batch = max(1, min(resolve_options(cfg, device).batch_size, n_frames))
    smaller = " or a batch of 1 (--batch-size 1)" if batch > 1 else ""
    check_fits(batch * h * w * NETWORK_BYTES_PER_PIXEL / GIB, limit,
               f"the {cfg.method} network on batches of {batch} frame{'s' if batch > 1 else ''} of {h} x {w} px "
               f"({device.type})",
               f"magnify a smaller picture (--scale 0.5, --roi){smaller}")


def _magnify_classical(frames: Iterable[np.ndarray], cfg: MagnifyConfig, fps: float,
                       shape: tuple[int, ...]) -> Iterator[np.ndarray]:
    """A classical method from :mod:`mmkit.classical.registry` over the whole clip (their filters need it).

    Its parameters, band and memory (``shape``: the clip's ``(T, H, W, 3)``) are checked now, before a
    frame is read: a clip too big for memory is refused before it is loaded.
    """
    from .filters import check_band

    method = CLASSICAL[cfg.method]
    try:
        params = method.config(alpha=float(cfg.alpha), low_hz=cfg.low_hz, high_hz=cfg.high_hz,
                               fps=cfg.capture_fps, **cfg.params)
    except TypeError as e:
        raise MMKitError(f"bad parameters for method {cfg.method!r}: {e}") from None
    params.validate()
    fs = float(fps if params.fps is None else params.fps)
    check_band(fs, params.low_hz, params.high_hz)
    limit = cfg.max_memory_gb if cfg.max_memory_gb is not None else CLASSICAL_MEMORY_GB
    what = f"{cfg.method} on {shape[0]} frames of {shape[1]} x {shape[2]} px (the whole clip in memory)"
    advice = ("use fewer frames, a smaller picture (--scale 0.5, --roi), a network method (it streams), "
              "or raise the limit (--max-memory-gb, max_memory_gb=)")
    clip_gib = math.prod(shape) / GIB  # the clip itself, as uint8
    check_fits(clip_gib, limit, what, advice)
    check_fits(clip_gib + method.estimate(shape, params, fs), limit, what, advice)
    device = resolve_device(cfg.device)

    def run() -> Iterator[np.ndarray]:
        clip = np.stack(list(frames))
        yield from method.run(clip, params, fps, device=device, max_memory_gb=limit)

    return run()
