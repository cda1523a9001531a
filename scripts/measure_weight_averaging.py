"""Circles scores of a run's last checkpoint beside the average of the weights of its last k checkpoints.

A side measurement for #4 (what would make short-trained weights better): with Adam at a constant 1e-4 the
weights wander from checkpoint to checkpoint, and averaging the last few (Polyak / "checkpoint averaging")
often scores better than any one of them. Give copies of one run's checkpoint.pt taken at different steps:

    python scripts/measure_weight_averaging.py --k 1,2,4 snaps/ckpt_*.pt

Scores are `mmkit evaluate`'s (all 25 circles scenes, MSE / MSE of the unchanged input at noise 0, 2, 5).

The run checkpoints of data/runs (data/runs/*/checkpoint.pt) left the working tree; they are in git history:
``git checkout a811fe1 -- data/runs`` restores them.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

from mmkit.checkpoints import load_checkpoint
from mmkit.evaluate import score_circles
from mmkit.models import build_model


def average(states: list[dict]) -> dict[str, torch.Tensor]:
    """Mean of the checkpoints' floating-point weights; other buffers from the last one."""
    last = states[-1]["model"]
    return {k: torch.stack([s["model"][k].float() for s in states]).mean(0).to(v.dtype) if v.is_floating_point()
            else v for k, v in last.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoints", nargs="+", help="checkpoints of one run at different steps")
    ap.add_argument("--k", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2, 4],
                    help="how many of the last checkpoints to average, comma-separated (default 1,2,4)")
    args = ap.parse_args()
    missing = [p for p in args.checkpoints if not Path(p).is_file()]
    if missing:
        ap.error(f"no checkpoint {', '.join(missing)} (the run checkpoints of data/runs are in git history: "
                 "git checkout a811fe1 -- data/runs restores them)")
    states = sorted((load_checkpoint(p) for p in args.checkpoints), key=lambda s: s["step"])
    print("checkpoints at steps", [s["step"] for s in states])
    print("averaged              noise 0  noise 2  noise 5")
    for k in args.k:
        used = states[-k:]
        net = build_model(used[-1]["model_name"], used[-1]["model_config"])
        net.load_state_dict(average(used))
        ratios = [score_circles(net.eval(), noise=n).ratio for n in (0.0, 2.0, 5.0)]
        print(f"last {len(used)} ({used[0]['step']}-{used[-1]['step']})".ljust(22)
              + "".join(f"{r:7.3f}  " for r in ratios).rstrip())


if __name__ == "__main__":
    main()
