"""Inference speed of the networks under each of torch's execution options, measured in one run.

Run: ``python -m mmkit.bench.inference --sizes 384`` (``python -m mmkit.bench`` gives the summary: these paths'
main ones beside OpenVINO, end to end and in the widget). For each model and
size it prints frames per second for eager fp32, channels-last, batching, bf16 autocast (everywhere, and the
engine's ``--bf16``: manipulator and decoder only), torch.compile (inductor; its compilation at each shape is
in the warm-up, not in the timing, and printed), the ratio to eager fp32, and the largest difference of the
output from fp32 on the bundled sample clip at alpha 20, in 0..255 levels (the kit's tolerance for a default
path is 2 levels). Every variant but "bf16 everywhere" is the engine's own call (:func:`mmkit.engine.network_call`).
Shipped weights are used when they exist, else a freshly initialised network (said in the output: its
differences are only indicative).
"""
from __future__ import annotations

import argparse
import time
from typing import Callable

import torch

from ..engine import COMPILE_WORTH_S, MagnifyConfig, network_call
from ..errors import MMKitError
from ..models import build_model

VARIANTS = {"eager fp32": {}, "channels-last": {"channels_last": True},
            "channels-last, batch 4": {"channels_last": True, "batch": 4},
            "bf16 everywhere + CL": {"bf16": "all", "channels_last": True},
            "--bf16 + CL": {"bf16": True, "channels_last": True},
            "compiled + CL": {"compile": True, "channels_last": True},
            "compiled + --bf16 + CL": {"compile": True, "bf16": True, "channels_last": True},
            "compiled, batch 4": {"compile": True, "channels_last": True, "batch": 4}}
#: What mmkit.magnify's torch path does on a CPU (channels-last, batch 1, compiled for a long clip)
DEFAULT_PATH = "compiled + CL"
LABEL = 24  # width of the variant column


def model_for(name: str) -> tuple[torch.nn.Module, str]:
    from ..pretrained import load_pretrained
    try:
        return load_pretrained(name), "shipped weights"
    except MMKitError:
        torch.manual_seed(0)
        return build_model(name).eval(), "untrained (no shipped weights yet)"


def make_call(net: torch.nn.Module, bf16: bool | str = False, compile: bool = False) -> Callable[..., torch.Tensor]:
    """The network call of a variant: the engine's (``bf16`` True: its manipulator-and-decoder autocast), or
    ``bf16="all"``: the whole network under autocast, to show why the engine does not do that."""
    if bf16 == "all":
        def call(prev: torch.Tensor, cur: torch.Tensor, alpha: float) -> torch.Tensor:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                return net(prev, cur, alpha).float()
    else:
        call = network_call(net, MagnifyConfig(bf16=bool(bf16), compile=False, runtime="torch"), torch.device("cpu"))
    if compile:
        torch._dynamo.reset()  # a fresh cache: shapes compiled for other variants must not count to its limit
        return torch.compile(call, dynamic=False)
    return call


def run(call: Callable[..., torch.Tensor], prev: torch.Tensor, cur: torch.Tensor, alpha: float,
        channels_last: bool = False) -> torch.Tensor:
    """One forward pass, output in fp32."""
    if channels_last:
        prev, cur = (x.contiguous(memory_format=torch.channels_last) for x in (prev, cur))
    with torch.no_grad():
        return call(prev, cur, alpha).float()


def frames_per_second(call: Callable[..., torch.Tensor], size: int, batch: int, repeats: int,
                      channels_last: bool = False) -> tuple[float, float]:
    """Frames per second, and the seconds of the warm-up call (for a compiled network: its compilation)."""
    x = torch.rand(batch, 3, size, size) * 2 - 1
    t0 = time.perf_counter()
    run(call, x, x, 10.0, channels_last)  # warm-up (and, for a compiled call, its compilation at this shape)
    warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(repeats):
        run(call, x, x.flip(-1), 10.0, channels_last)
    return repeats * batch / (time.perf_counter() - t0), warm


def sample_pairs() -> tuple[torch.Tensor, torch.Tensor]:
    """Consecutive frame pairs of the bundled sample clip, in [-1, 1]."""
    from ..data.samples import sample_path
    from ..video_io import read_video

    frames, _ = read_video(sample_path())
    x = torch.from_numpy(frames[:9]).permute(0, 3, 1, 2).float() / 127.5 - 1
    return x[:-1], x[1:]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", default=["light", "base"])
    p.add_argument("--sizes", type=int, nargs="+", default=[720, 384])
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-compile", action="store_true", help="skip the torch.compile variants")
    args = p.parse_args(argv)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; output difference on the sample "
          "clip, in 0..255 levels")
    prev, cur = sample_pairs()
    for name in args.models:
        net, source = model_for(name)
        print(f"\n{name} ({source})")
        print(f"{'variant':<{LABEL}}" + "".join(f"{f'fps {s}':>11}{'x fp32':>8}" for s in args.sizes)
              + f"{'max diff':>10}")
        ref_fps: dict[int, float] = {}
        ref_out = run(net, prev, cur, 20.0)
        for variant, opts in VARIANTS.items():
            if args.no_compile and opts.get("compile"):
                continue
            cl, batch, compiled = opts.get("channels_last", False), opts.get("batch", args.batch), opts.get("compile", False)
            net.to(memory_format=torch.channels_last if cl else torch.contiguous_format)
            call = make_call(net, opts.get("bf16", False), compiled)
            cells, warm = "", []
            for size in args.sizes:
                fps, seconds = frames_per_second(call, size, batch, args.repeats, cl)
                warm.append(f"{seconds:.0f} s at {size}")
                ref_fps.setdefault(size, fps)
                cells += f"{fps:>11.2f}{fps / ref_fps[size]:>8.2f}"
            diff = float((run(call, prev, cur, 20.0, cl) - ref_out).abs().max()) * 127.5
            label = variant + (" *" if variant == DEFAULT_PATH else "")
            print(f"{label:<{LABEL}}{cells}{diff:>10.2f}" + (f"   compiling: {', '.join(warm)}" if compiled else ""))
        net.to(memory_format=torch.contiguous_format)
    print(f"\n* the torch path of mmkit.magnify on a CPU for a clip long enough to pay for compiling "
          f"(MagnifyConfig compile='auto': over {COMPILE_WORTH_S:.0f} s of estimated eager work); a shorter clip "
          "runs channels-last, batch 1, uncompiled. Where OpenVINO is installed, light and base run with it "
          "instead (runtime='auto'): python -m mmkit.bench times both")


if __name__ == "__main__":
    main()
