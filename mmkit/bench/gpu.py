"""GPU inference speed of the networks under each execution option, measured in one run (needs CUDA).

Run on a CUDA machine: ``python -m mmkit.bench.gpu`` (or ``--models light --sizes 384 --repeats 5``, or
``--weights run/checkpoint.pt`` for a trained checkpoint). Per model and size: frames per second of eager fp32
(TF32 off), fp32 with TF32, channels-last, fp16/bf16 autocast alone and with channels-last, the fastest of
those in a CUDA graph, and that graph at batch 4 (all but the baseline allow TF32); the ratio to eager fp32;
and the largest output difference from eager fp32, in 0..255 levels, on the vibrating-disc sample clip
rendered at that size. Times: median CUDA-event timings after warm-up, cuDNN autotuning on. Needs only torch
and numpy (no video I/O), so it runs on a bare GPU machine.
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
from collections.abc import Callable
from typing import Any

import torch

from ..data.samples import VibrationClip
from .inference import model_for

Forward = Callable[[], torch.Tensor]
VARIANTS: dict[str, dict[str, Any]] = {
    "eager fp32": {"tf32": False}, "fp32 + TF32": {}, "channels-last": {"channels_last": True},
    "fp16 autocast": {"dtype": torch.float16}, "bf16 autocast": {"dtype": torch.bfloat16},
    "fp16 + channels-last": {"dtype": torch.float16, "channels_last": True},
    "bf16 + channels-last": {"dtype": torch.bfloat16, "channels_last": True},
    # mmkit magnify --bf16: the encoder in fp32 (alpha multiplies its rounding), the rest under autocast
    "--bf16 + channels-last": {"dtype": torch.bfloat16, "channels_last": True, "encoder_fp32": True},
    "fp16 (not encoder) + CL": {"dtype": torch.float16, "channels_last": True, "encoder_fp32": True}}
ALPHA = 20.0
Rows = dict[str, list[tuple[float, float]]]  # variant -> per size: (frames per second, max diff in levels)


def set_tf32(on: bool) -> None:
    torch.backends.cudnn.allow_tf32 = on
    torch.backends.cuda.matmul.allow_tf32 = on


def real_pairs(size: int, batch: int, device: str = "cuda") -> tuple[torch.Tensor, torch.Tensor]:
    """``batch`` consecutive frame pairs of the vibrating-disc clip rendered at ``size`` px square, in [-1, 1]."""
    clip = VibrationClip(height=size, width=size, n_frames=batch + 1, radius=size / 4)
    x = torch.from_numpy(clip.render()).permute(0, 3, 1, 2).float().to(device) / 127.5 - 1
    return x[:-1].contiguous(), x[1:].contiguous()


def forward_fn(net: torch.nn.Module, prev: torch.Tensor, cur: torch.Tensor, channels_last: bool = False,
               dtype: torch.dtype | None = None, encoder_fp32: bool = False, **_: Any) -> Forward:
    """One forward pass on fixed inputs under the given options, output in fp32 (the net's memory format is
    the caller's). Alpha is a device tensor, so that no host-to-device copy happens inside a CUDA graph.
    ``encoder_fp32``: autocast only the manipulator and decoder of the paper's networks, as
    :func:`mmkit.engine.network_call` does for ``--bf16``."""
    from ..engine import encoder_fp32_forward
    from ..models import MagnificationNet

    fmt = torch.channels_last if channels_last else torch.contiguous_format
    alpha = torch.full((), ALPHA, device=prev.device)

    def autocast() -> contextlib.AbstractContextManager:
        return torch.autocast(prev.device.type, dtype=dtype, cache_enabled=False) if dtype else contextlib.nullcontext()

    def fn() -> torch.Tensor:
        a, b = prev.contiguous(memory_format=fmt), cur.contiguous(memory_format=fmt)
        with torch.no_grad():
            if encoder_fp32 and isinstance(net, MagnificationNet):
                return encoder_fp32_forward(net, a, b, alpha, autocast())
            with autocast():
                return net(a, b, alpha).float()
    return fn


def graphed(fn: Forward) -> Forward:
    """``fn`` captured in a CUDA graph (warmed up on the capture stream first); a call replays it."""
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(3):
            fn()
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph, stream=stream):
        out = fn()
    def replay() -> torch.Tensor:
        graph.replay()
        return out
    return replay


def frames_per_second(fn: Forward, batch: int, repeats: int, warmup: int = 3) -> float:
    """Frames per second from the median of ``repeats`` CUDA-event timings of one call each."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))  # ms
    return 1000 * batch / statistics.median(times)


def bench_model(net: torch.nn.Module, sizes: list[int], batch: int, repeats: int) -> Rows:
    """Every variant, then the fastest (by mean ratio over sizes) in a CUDA graph at ``batch`` and at 4."""
    data = {(s, b): real_pairs(s, b) for s in sizes for b in {batch, 4}}
    set_tf32(False)
    refs = {key: forward_fn(net, *pair)().clone() for key, pair in data.items()}
    rows: Rows = {}

    def measure(label: str, opts: dict[str, Any], b: int, graph: bool = False) -> None:
        set_tf32(opts.get("tf32", True))
        net.to(memory_format=torch.channels_last if opts.get("channels_last") else torch.contiguous_format)
        for s in sizes:
            fn = graphed(forward_fn(net, *data[s, b], **opts)) if graph else forward_fn(net, *data[s, b], **opts)
            fps = frames_per_second(fn, b, repeats)  # then the output on the same real frames, vs eager fp32:
            rows.setdefault(label, []).append((fps, float((fn() - refs[s, b]).abs().max()) * 127.5))

    for label, opts in VARIANTS.items():
        measure(label, opts, batch)
    base = rows["eager fp32"]
    fastest = max(VARIANTS, key=lambda v: sum(f / f0 for (f, _), (f0, _) in zip(rows[v], base)))
    measure(f"CUDA graph ({fastest})", VARIANTS[fastest], batch, graph=True)
    measure("CUDA graph, batch 4", VARIANTS[fastest], 4, graph=True)
    net.to(memory_format=torch.contiguous_format)
    return rows


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", default=["light", "base"])
    p.add_argument("--sizes", type=int, nargs="+", default=[720, 384])
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--weights", help="a training checkpoint to time instead of --models")
    args = p.parse_args(argv)
    if not torch.cuda.is_available():
        raise SystemExit(f"mmkit.bench.gpu needs a CUDA GPU, and torch {torch.__version__} sees none "
                         "(torch.cuda.is_available() is False); for the CPU benchmark run "
                         "python -m mmkit.bench.inference")
    saved = (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.benchmark)
    torch.backends.cudnn.benchmark = True
    tables: list[tuple[str, Rows]] = []
    try:
        if args.weights:
            from ..checkpoints import model_from_checkpoint
            nets = [("checkpoint", model_from_checkpoint(args.weights), args.weights)]
        else:
            nets = [(name, *model_for(name)) for name in args.models]
        for name, net, source in nets:
            tables.append((f"{name} ({source})", bench_model(net.cuda().requires_grad_(False), args.sizes,
                                                             args.batch, args.repeats)))
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved[:2]
        torch.backends.cudnn.benchmark = saved[2]
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__} (CUDA {torch.version.cuda}); batch "
          f"{args.batch}, median of {args.repeats}; diff = max |output - eager fp32| on rendered frames, 0..255 levels")
    for title, rows in tables:
        print(f"\n{title}")
        print(f"{'variant':<36}" + "".join(f"{f'fps {s}':>10}{'x fp32':>8}{'diff':>7}" for s in args.sizes))
        for label, cells in rows.items():
            print(f"{label:<36}" + "".join(f"{f:>10.1f}{f / f0:>8.2f}{d:>7.2f}"
                                           for (f, d), (f0, _) in zip(cells, rows["eager fp32"])))


if __name__ == "__main__":
    main()
