"""Print the numbers quoted in tests/test_acceleration.py and the issue notes for the acceleration, jerk-aware
and anisotropy methods, on the same synthetic scenes the tests use (their helpers are imported from there).

    .venv/bin/python scripts/measure_phase_family.py
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from dataclasses import replace  # noqa: E402

import numpy as np  # noqa: E402
from test_acceleration import (  # noqa: E402
    BOTTOM, FPS, JUMP, METHODS, STILL, TOP, VIB, VIBRATING, JerkConfig, dynamic_scene, fit, gratings,
    magnify_acceleration, magnify_jerk, noisy_scene, t, track,
)


def variants(authors: bool = False):
    """Each method at its defaults; the jerk-aware ones also with Eq. 7's propagation over 5 scales, and (with
    ``authors``) the authors' pointwise jerk (jerk_window=0) with and without it."""
    for run, config in METHODS:
        cfg = config(alpha=10.0, low_hz=2.0, high_hz=4.0)
        yield run.__name__, run, cfg
        if run is not magnify_acceleration:
            yield run.__name__ + " N_p=5", run, replace(cfg, propagation=5)
            if authors:
                yield run.__name__ + " pointwise", run, replace(cfg, jerk_window=0.0)
                yield run.__name__ + " pointwise N_p=5", run, replace(cfg, jerk_window=0.0, propagation=5)


print("dynamic scene (0.4 px/frame + 0.05 px at 3 Hz above, a 4 px jump below), alpha 10:")
clip = dynamic_scene()
for name, run, cfg in variants(authors=True):
    out = run(clip, cfg, fps=FPS)
    v, a, _ = fit(track(out, TOP))
    jump = np.abs(track(out, BOTTOM) - JUMP).max()
    print(f"  {name:32s} velocity {v:.4f} px/frame  vibration {a:.3f} px ({a / 0.55:.2f} of 11x)  "
          f"jump artefact {jump:.2f} px")

print("vibration only, jerk-aware: default envelope / pointwise jerk (jerk_window=0):")
clip = gratings((64, 0.4 * t + 0.05 * VIB))
for window in (2.0, 0.0):
    for n_p in (1, 5):
        cfg = JerkConfig(alpha=10.0, low_hz=2.0, high_hz=4.0, jerk_window=window, propagation=n_p)
        v, a, _ = fit(track(magnify_jerk(clip, cfg, fps=FPS), None))
        print(f"  jerk_window {window:g}, N_p={n_p}: velocity {v:.4f}, vibration {a:.3f} px (input 0.05)")

print("noisy clip (std 0.01): noise added in a still region, vibration magnified, alpha 10:")
clip = noisy_scene()
for name, run, cfg in variants():
    out = run(clip, cfg, fps=FPS)
    added = float((out - clip)[STILL].std())
    vib = fit(track(out, VIBRATING), slice(None))[1]
    print(f"  {name:32s} added noise {added:.4f}  vibration {vib:.3f} px")
