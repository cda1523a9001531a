"""Training speed of committed runs, from their loss logs: steps per second of each stretch between resumes
(the ``seconds`` column restarts at each resume), e.g. the H100 part and the CPU continuation of a run.

    .venv/bin/python scripts/run_speeds.py data/runs/light_student data/runs/light_no_lm
"""
import sys

import numpy as np

from mmkit.plots import read_loss_log

for run in sys.argv[1:] or ["data/runs/light_student", "data/runs/light_no_lm"]:
    log = read_loss_log(run)
    step, seconds = log["step"], log["seconds"]
    starts = [0, *np.flatnonzero(np.diff(seconds) < 0) + 1, len(step)]
    for a, b in zip(starts, starts[1:]):
        if b - a > 1:
            rate = (step[b - 1] - step[a]) / (seconds[b - 1] - seconds[a])
            print(f"{run}: steps {step[a]:.0f} -> {step[b - 1]:.0f}: {rate:.2f} steps/s")
