"""How fast does the kit magnify on this machine? Every path, the default's end to end, and the course's widget.

Run: ``python -m mmkit.bench`` (about 3-4 minutes on a 2-core CPU; ``--quick`` for a smoke run). In one run it prints

1. the CPU, whether it has bf16 kernels, the torch and OpenVINO versions;
2. per network (light, base) and frame size (720 px and the course's size), the frames per second of each path
   that :func:`mmkit.magnify` can take on a CPU: torch channels-last, torch compiled (with its compile time),
   torch ``--bf16`` (where the CPU has bf16 kernels), OpenVINO fp32 (with its conversion time, and its read-back
   from the disk cache); the ratio to torch channels-last; and the largest difference from torch fp32 on the
   sample clip at alpha 20, in 0..255 levels. ``*`` marks what ``mmkit.magnify`` picks by default for a short and
   for a long clip;
3. ``mmkit.magnify(frames, 10)`` end to end on a clip of 720 x 720 frames in memory, in the dynamic and the
   temporal mode, default options against ``runtime="torch"`` (every wait included: conversion or cache read,
   first-frame set-up, compiling: OpenVINO's cache starts empty, as on a first run);
4. the widget of notebook 04 at the course's settings (:mod:`mmkit.bench.widget_speed`): the seconds from a
   control move to the redraw.

Speeds move with the host's load (10-15 % between runs here): read the ratios, measured in one run.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
from typing import Iterator

import numpy as np
import torch

from ..course import FULL
from ..engine import MagnifyConfig, magnify, resolve_options
from ..hardware import cpu_has_bf16_kernels, cpu_name
from ..openvino_runtime import have_openvino, openvino_version
from .inference import frames_per_second, make_call, model_for, run, sample_pairs

LABEL = 26


def header() -> str:
    bf16 = {True: "yes (bf16 autocast runs natively)", False: "no (bf16 would be emulated: slow)",
            None: "unknown"}[cpu_has_bf16_kernels()]
    ov = openvino_version() or 'not installed (pip install "mmkit[fast]")'
    return (f"CPU: {cpu_name()}; bf16 kernels: {bf16}\n"
            f"torch {torch.__version__} ({torch.get_num_threads()} threads); OpenVINO {ov}")


def default_paths(method: str, size: int) -> dict[str, str]:
    """The path ``mmkit.magnify`` takes on this CPU for a short (40-frame) and a long (1,000-frame) clip."""
    cpu = torch.device("cpu")
    out = {}
    for clip, n in (("short", 40), ("long", 1000)):
        cfg = resolve_options(MagnifyConfig(method=method), cpu, n, (size, size))
        out[clip] = ("OpenVINO f32" if cfg.runtime == "openvino" else
                     "torch compiled + CL" if cfg.compile else "torch CL")
    return out


@contextlib.contextmanager
def _empty_openvino_cache() -> Iterator[None]:
    """An empty disk cache and no compiled model in memory: what a first run on a machine meets."""
    from .. import openvino_runtime as ovr

    saved = os.environ.get("MMKIT_CACHE_DIR")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MMKIT_CACHE_DIR"] = tmp
        ovr.clear_compiled()
        try:
            yield
        finally:
            ovr.clear_compiled()
            if saved is None:
                os.environ.pop("MMKIT_CACHE_DIR", None)
            else:
                os.environ["MMKIT_CACHE_DIR"] = saved


def _openvino_call(net: torch.nn.Module) -> tuple[object, float, float]:
    """OpenVINO's call for ``net``, the seconds to convert it (an empty cache) and to read it back (a warm one)."""
    from .. import openvino_runtime as ovr

    with _empty_openvino_cache():
        t0 = time.perf_counter()
        ovr.OpenVINONet(net)
        convert = time.perf_counter() - t0
        ovr.clear_compiled()
        t0 = time.perf_counter()
        call = ovr.OpenVINONet(net)
        cached = time.perf_counter() - t0
    return call, convert, cached


def paths_table(name: str, sizes: list[int], repeats: int, compile_: bool) -> None:
    net, source = model_for(name)
    prev, cur = sample_pairs()
    ref = run(net, prev, cur, 20.0)
    defaults = default_paths(name, max(sizes))
    said = (f"{defaults['short']} for every clip" if defaults["short"] == defaults["long"] else
            f"{defaults['short']} for a short clip, {defaults['long']} for a long one")
    print(f"\n{name} ({source}); mmkit.magnify's default here: {said}")
    print(f"{'path':<{LABEL}}" + "".join(f"{f'fps {s}':>10}{'ratio':>7}" for s in sizes) + f"{'max diff':>10}   set-up")
    base_fps: dict[int, float] = {}
    rows: list[tuple[str, object, bool, str]] = []
    skipped: list[str] = []
    net.to(memory_format=torch.channels_last)
    rows.append(("torch CL", make_call(net), True, ""))
    if compile_:
        rows.append(("torch compiled + CL", make_call(net, compile=True), True, "compile"))
    if cpu_has_bf16_kernels() is not False:
        rows.append(("torch --bf16 + CL", make_call(net, bf16=True), True, ""))
    else:
        skipped.append(f"{'torch --bf16 + CL':<{LABEL}}skipped: this CPU has no bf16 kernels (emulated: slower)")
    if have_openvino():
        call, convert, cached = _openvino_call(net)
        rows.append(("OpenVINO f32", call, False, f"convert {convert:.1f} s (cached: {cached:.1f} s)"))
    else:
        skipped.append(f"{'OpenVINO f32':<{LABEL}}skipped: OpenVINO is not installed")
    for label, call, cl, setup in rows:
        cells, warm = "", []
        for size in sizes:
            fps, seconds = frames_per_second(call, size, 1, repeats, cl)
            base_fps.setdefault(size, fps)
            warm.append(f"{seconds:.1f} s at {size}")
            cells += f"{fps:>10.2f}{fps / base_fps[size]:>7.2f}"
        diff = float((run(call, prev, cur, 20.0, cl) - ref).abs().max()) * 127.5
        mark = " *" if label in defaults.values() else ""
        first = ("compiling " if setup == "compile" else "first frame ") + ", ".join(warm)
        print(f"{label + mark:<{LABEL}}{cells}{diff:>10.2f}   " + (setup + "; " if setup and setup != "compile" else "")
              + first)
    for line in skipped:
        print(line)
    net.to(memory_format=torch.contiguous_format)


def end_to_end(method: str, size: int, n_frames: int) -> None:
    """``mmkit.magnify`` on ``n_frames`` of ``size`` px from memory, in the dynamic and the temporal mode: the
    default against ``runtime="torch"``."""
    from ..data.samples import VibrationClip

    clip = VibrationClip(height=size, width=size, n_frames=n_frames, radius=size / 4)
    frames = clip.render()
    print(f"\nmmkit.magnify(frames, 10, method={method!r}) on {n_frames} frames of {size} x {size} px from memory, "
          "end to end")
    for mode in ("dynamic", "temporal"):
        outs, fps = {}, {}
        for label, options in (("default", {}), ("torch", {"runtime": "torch"})):
            with _empty_openvino_cache():  # the default pays OpenVINO's conversion, as on a first run
                t0 = time.perf_counter()
                outs[label] = magnify(frames, 10.0, method=method, mode=mode, fps=clip.fps, low_hz=2.0,
                                      high_hz=3.0, **options)
                fps[label] = n_frames / (time.perf_counter() - t0)
        diff = int(np.abs(outs["default"].astype(int) - outs["torch"]).max())
        print(f"  mode={mode!r}: default {fps['default']:.2f} frames/s, runtime='torch' {fps['torch']:.2f} "
              f"(x{fps['default'] / fps['torch']:.2f}); largest difference {diff} level(s)")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", default=["light", "base"])
    p.add_argument("--sizes", type=int, nargs="+", default=[720, FULL.frame_size])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-compile", action="store_true", help="skip torch.compile (about 15-30 s per network)")
    p.add_argument("--frames", type=int, default=40, help="frames of the end-to-end clip (0: skip it)")
    p.add_argument("--widget", nargs="*", default=["light", "base", "linear"],
                   help="methods whose widget redraw is timed (none: skip)")
    p.add_argument("--quick", action="store_true", help="a smoke run: small sizes, one repeat, no compile")
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.repeats, args.no_compile, args.frames = [48], 1, True, min(args.frames, 4)
    print(header())
    print("frames per second at batch 1; ratio: to torch CL at that size; max diff: largest difference from torch "
          "fp32 on the sample clip at alpha 20, in 0..255 levels")
    for name in args.models:
        paths_table(name, args.sizes, args.repeats, not args.no_compile)
    if args.frames:
        end_to_end(args.models[0], max(args.sizes), args.frames)
    if args.widget:
        from . import widget_speed

        print()
        widget_speed.main(["--methods", *args.widget] + (["--quick"] if args.quick else []))


if __name__ == "__main__":
    main()
