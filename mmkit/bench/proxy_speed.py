"""What the frozen proxy costs in a student training step, the way the trainer runs it and the way it did before.

Run: ``python -m mmkit.bench.proxy_speed`` (``--model base``, ``--size``, ``--batch``). L_M needs only the
proxy's motion ``D``. Each row times one batch through the proxy without gradients, with its speed-up over the
whole pass (what the trainer ran until it took ``motion_only``) and how far its ``D`` is from the whole pass's
fp32 ``D`` (mean absolute difference over mean ``|D|``, as ``D`` scales with alpha), so that a speed-up is never
bought with a silent change of the numbers. Weights do not change the cost: the proxy is a freshly initialised
network of the chosen model.
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch

from ..models import build_model

#: name -> (motion_only instead of the whole pass, channels-last, bf16 autocast)
VARIANTS = {"whole pass fp32": (False, False, False), "motion_only fp32": (True, False, False),
            "motion_only c-last": (True, True, False), "motion_only bf16 + c-last": (True, True, True)}


def seconds_per_call(fn: Callable[[], torch.Tensor], repeats: int) -> float:
    """Mean seconds of ``fn`` over ``repeats`` calls after one warm-up call."""
    fn()
    t0 = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - t0) / repeats


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="light")
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    torch.manual_seed(0)
    net = build_model(args.model).eval().requires_grad_(False)
    prev = torch.rand(args.batch, 3, args.size, args.size) * 2 - 1
    cur = (prev + 0.02 * torch.randn_like(prev)).clamp(-1, 1)
    alpha = torch.linspace(1.0, 100.0, args.batch)
    print(f"proxy {args.model}, batch {args.batch} of {args.size} x {args.size}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")
    print(f"{'variant':<28}{'s/batch':>9}{'speed-up':>9}{'|D - D_fp32| / |D|':>20}")
    with torch.no_grad():
        reference = net.intermediates(prev, cur, alpha).motion
        ref_seconds = None
        for name, (only, channels_last, bf16) in VARIANTS.items():
            fmt = torch.channels_last if channels_last else torch.contiguous_format
            model = net.to(memory_format=fmt)
            a, b = prev.contiguous(memory_format=fmt), cur.contiguous(memory_format=fmt)

            def call() -> torch.Tensor:
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                    d = model.motion_only(a, b, alpha) if only else model.intermediates(a, b, alpha).motion
                return d.float()

            seconds = seconds_per_call(call, args.repeats)
            ref_seconds = ref_seconds or seconds
            diff = float((call() - reference).abs().mean() / reference.abs().mean())
            print(f"{name:<28}{seconds:>9.3f}{ref_seconds / seconds:>9.2f}{diff:>20.2e}")


if __name__ == "__main__":
    main()
