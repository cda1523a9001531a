"""The kit's main job on bundled defaults: magnify the sample clip, write the video and a slice figure.

Until trained weights ship (issue 4), the demo uses the classical linear Eulerian method of
Wu et al. (2012) and says so when it runs.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from .classical.linear import LinearConfig, magnify_linear
from .data.samples import SAMPLES, sample_path
from .errors import MMKitError
from .plots import save_slices_png
from .video_io import read_video, write_video

NAME = "vibrating_still"


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

    print("mmkit demo: trained network weights are not shipped yet, so this demo uses the classical "
          "linear Eulerian method (Wu et al., SIGGRAPH 2012), not the paper's network.")
    src = sample_path(NAME)
    frames, fps = read_video(src)
    print(f"input:  {src} ({len(frames)} frames, {frames.shape[2]} x {frames.shape[1]} px, {fps:g} fps; "
          f"a disc vibrating by {clip.amplitude_px} px at {clip.frequency_hz} Hz)")

    # Pass a band around the known vibration; the linear method's output moves (1 + alpha) times as far.
    cfg = LinearConfig(alpha=alpha, low_hz=0.5 * clip.frequency_hz, high_hz=1.5 * clip.frequency_hz)
    t0 = time.perf_counter()
    magnified = magnify_linear(frames, cfg, fps)
    seconds = time.perf_counter() - t0
    truth = clip.render(1 + alpha)

    write_video(video_out, np.concatenate([frames, magnified], axis=2), fps, overwrite=overwrite)
    row = int(round(clip.height / 2 - 0.5))
    save_slices_png(slice_out, [frames, magnified, truth],
                    ["input", f"linear Eulerian, alpha={alpha:g}", f"ground truth x{1 + alpha:g}"], fps, row=row)
    print(f"magnified in {seconds:.2f} s ({len(frames) / seconds:.0f} frames/s)")
    print(f"video (input | magnified): {video_out}")
    print(f"spatio-temporal slice:     {slice_out}")
    return {"video": video_out, "slice": slice_out}
