"""Peak memory of the phase-family methods against their estimates (``mmkit.classical.phase.estimate_gib``, which
the memory check before a run uses): each run in a fresh process, 60 random frames of 256 x 256, CPU.

    OMP_NUM_THREADS=1 .venv/bin/python scripts/measure_phase_memory.py
"""
import subprocess
import sys

CHILD = r"""
import resource, sys
import numpy as np
from mmkit.classical import registry
name, k, pyramid, n_p = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
m = registry.METHODS[name]
extra = {"propagation": n_p} if name in ("jerk", "anisotropy") else {}
cfg = m.config(alpha=10.0, low_hz=2.0, high_hz=4.0, orientations=k, pyramid=pyramid, **extra)
frames = np.random.default_rng(0).integers(0, 255, (60, 256, 256, 3), dtype=np.uint8)
est = m.estimate(frames.shape, cfg, 30.0)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
m.run(frames, cfg, 30.0)
grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 2**20
label = f"{name}, {k} orientations, {pyramid}" + (f", N_p={n_p}" if extra else "")
print(f"{label:45s} estimate {est:.2f} GiB   peak resident memory grew {grew:.2f} GiB   ({est / grew:.2f}x)")
"""

CASES = [("phase", 4, "octave", 1), ("acceleration", 4, "octave", 1), ("jerk", 4, "octave", 5),
         ("jerk", 4, "octave", 1), ("jerk", 8, "half_octave", 5), ("anisotropy", 4, "octave", 5),
         ("anisotropy", 8, "half_octave", 5), ("anisotropy", 8, "half_octave", 1)]
for case in CASES:
    subprocess.run([sys.executable, "-c", CHILD, *map(str, case)], check=True)
