"""How long does the course's widget take to redraw after a slider move, method by method?

Run: ``python -m mmkit.bench.widget_speed [--methods light base linear] [--quick]``. Builds notebook 04's clip at
the course's lesson settings (``--quick``: the CI ones), opens :class:`mmkit.widgets.MagnifierWidget` on it for
each method and moves its controls as a student would, through the same callbacks the browser calls: alpha,
then the frame slider, then the slice row. For each move it prints the seconds until both images are redrawn
(the frame, then the slice or its preview), and until the exact slice is on show. A network's slice comes first
as a preview (:meth:`mmkit.widgets.Magnifier.quick_slice`), then exactly, rendered in a background thread while
the controls stay live; the classical methods draw theirs exactly at once. "alpha again" moves alpha while the
exact slice of the move before is still being rendered: the move stops it within one batch of frames. The time to open a method (its encoder or decomposition over the whole clip) is printed apart:
it is paid once per clip and method. No browser is involved; ``tests/test_browser.py`` measures the same moves
in JupyterLab.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace

import numpy as np
import torch

from ..course import FULL, QUICK
from ..data.samples import VibrationClip
from ..hardware import cpu_name
from ..widgets import Magnifier, MagnifierWidget, methods


@dataclass
class Move:
    """Seconds of one control move: until both images are redrawn, and until the exact slice is shown."""

    control: str
    redrawn: float
    exact: float


def moves(ui: MagnifierWidget) -> list[Move]:
    """Move alpha, the frame and the slice row of ``ui`` once each, each after the last one's exact slice is
    on show; the seconds of each (its caches warm). Then alpha twice, the second while the first one's exact
    slice is still being rendered in the background: what a student who keeps moving a slider waits."""
    out = []
    for control, value in (("alpha", ui.alpha.value + 10.0), ("frame", (ui.frame.value + 7) % ui.mag.n_frames),
                           ("slice row", (ui.row.value + 9) % ui.mag.frames.shape[1])):
        start = time.perf_counter()
        {"alpha": ui.alpha, "frame": ui.frame, "slice row": ui.row}[control].value = value
        redrawn = time.perf_counter() - start          # the frame and the slice (or its preview) are on show
        ui.wait()
        out.append(Move(control, redrawn, time.perf_counter() - start))
    rendered = ui.mag.stats["rendered_frames"]
    ui.alpha.value += 5.0
    while ui.mag.stats["rendered_frames"] == rendered and not ui.wait(timeout=0.005):
        pass                                           # until the exact slice's first batch is done
    start = time.perf_counter()
    ui.alpha.value += 5.0                              # the exact slice of the move before is still coming
    redrawn = time.perf_counter() - start
    ui.wait()
    out.append(Move("alpha again", redrawn, time.perf_counter() - start))
    return out


def preview_error(mag: Magnifier) -> tuple[int, float] | None:
    """Largest and mean difference (levels of 0..255) between the slice preview and the exact slice at a new
    alpha; None for a method that has no preview (its exact slice comes at once)."""
    mag.set_alpha(mag.alpha + 5.0)
    preview, exact = mag.quick_slice()
    if exact:
        return None
    diff = np.abs(preview.astype(int) - mag.slice())
    return int(diff.max()), float(diff.mean())


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--methods", nargs="+", default=["light", "base", "oh2018", "linear", "phase", "riesz",
                                                     "acceleration", "jerk", "anisotropy"], choices=methods())
    p.add_argument("--quick", action="store_true", help="the course's CI settings (a smaller, shorter clip)")
    args = p.parse_args(argv)
    s = QUICK if args.quick else FULL
    clip = replace(VibrationClip(), height=s.frame_size, width=s.frame_size, n_frames=s.clip_frames,
                   radius=s.frame_size / 4)
    frames = clip.render()
    print(f"notebook 04's clip at the {'quick' if args.quick else 'lesson'} settings: {len(frames)} frames of "
          f"{s.frame_size} x {s.frame_size} px; {cpu_name()}, "
          f"{torch.get_num_threads()} torch threads")
    print("seconds until both images are redrawn (frame + slice or its preview) / until the exact slice is shown")
    print(f"{'method':>13} {'open':>6} | " + " | ".join(f"{c:>17}" for c in ("alpha", "frame", "slice row",
                                                                            "alpha again"))
          + " | preview - exact slice (levels, max / mean)")
    for name in args.methods:
        mode = "static"
        mag = Magnifier(frames, clip.fps, method=name, mode=mode, alpha=20.0, low_hz=2.0, high_hz=3.0)
        start = time.perf_counter()
        ui = MagnifierWidget(mag)
        opened = time.perf_counter() - start
        cells = " | ".join(f"{m.redrawn:7.2f} / {m.exact:7.2f}" for m in moves(ui))
        err = preview_error(mag)
        print(f"{name:>13} {opened:6.1f} | {cells} | " + ("no preview" if err is None else f"{err[0]} / {err[1]:.2f}"),
              flush=True)


if __name__ == "__main__":
    main()
