"""The kit's main job on bundled defaults: magnify the sample clip, write the video and a slice figure.

It uses the kit's default network (:data:`mmkit.defaults.DEFAULT_NETWORK`: the paper's light network with the
best shipped weights on held-out content, and the fastest) in static mode (every frame against the first: the
clip's truth is the motion from rest, magnified), and puts the classical linear Eulerian method (Wu et al. 2012)
and the ground truth beside it in the slice figure. ``scripts/demo_figure.py`` makes the README's picture from it.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from .classical.linear import LinearConfig, magnify_linear
from .engine import magnify
from .data.samples import SAMPLES, sample_path
from .defaults import DEFAULT_NETWORK
from .errors import MMKitError
from .plots import save_slices_png
from .video_io import read_video, write_video

NAME = "vibrating_still"
METHOD = DEFAULT_NETWORK


def run_demo(out_dir: str | Path = "out/demo", alpha: float = 20.0, overwrite: bool = False) -> dict[str, Path]:
    """Magnify the bundled ``vibrating_still`` clip by ``alpha``; returns the paths it wrote."""
    clip = SAMPLES[NAME]
    out_dir = Path(out_dir)
    video_out = out_dir / f"{NAME}_x{alpha:g}.mp4"
    slice_out = out_dir / f"{NAME}_x{alpha:g}_slice.png"
    if not overwrite:
        for p in (video_out, slice_out):
            if p.exists():
                raise MMKitError(f"{p} exists; pass --overwrite to replace it")

    print(f"mmkit demo: the {METHOD} network (the default; shipped weights), static mode, beside the classical "
          "linear Eulerian method (Wu et al., SIGGRAPH 2012) and the ground truth.")
    src = sample_path(NAME)
    frames, fps = read_video(src)
    print(f"input:  {src} ({len(frames)} frames, {frames.shape[2]} x {frames.shape[1]} px, {fps:g} fps; "
          f"a disc vibrating by {clip.amplitude_px} px at {clip.frequency_hz} Hz)")

    t0 = time.perf_counter()
    magnified = magnify(frames, alpha, mode="static", method=METHOD, fps=fps)
    seconds = time.perf_counter() - t0
    # The linear method's output moves (1 + alpha) times as far: give it alpha - 1 for the same gain, and a
    # band around the known vibration.
    cfg = LinearConfig(alpha=max(alpha - 1, 0.0), low_hz=0.5 * clip.frequency_hz, high_hz=1.5 * clip.frequency_hz)
    linear = magnify_linear(frames, cfg, fps)
    truth = clip.render(alpha)

    write_video(video_out, np.concatenate([frames, magnified], axis=2), fps, overwrite=overwrite)
    row = int(round(clip.height / 2 - 0.5))
    save_slices_png(slice_out, [frames, magnified, linear, truth],
                    ["input", f"{METHOD} network, alpha={alpha:g}", f"linear Eulerian, gain {alpha:g}",
                     f"ground truth x{alpha:g}"], fps, row=row)
    mse = {name: float(np.mean((x.astype(np.float64) / 255 - truth / 255) ** 2))
           for name, x in (("input unchanged", frames), (f"{METHOD} network", magnified), ("linear", linear))}
    print("MSE against the ground truth (x 1e-3): " + ", ".join(f"{k} {1e3 * v:.3f}" for k, v in mse.items()))
    print(f"magnified in {seconds:.2f} s ({len(frames) / seconds:.0f} frames/s)")
    print(f"video (input | magnified): {video_out}")
    print(f"spatio-temporal slice:     {slice_out}")
    return {"video": video_out, "slice": slice_out}
