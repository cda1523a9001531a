"""Held-out circles scores split by the scene's background (docs/findings.md, finding 10).

    python scripts/held_out_by_kind.py --size 128 --noise 0 --pretrained light_no_lm oh2018 [--checkpoint RUN.pt]

Prints, per network and background kind, the output's MSE over the unchanged input's MSE (lower is better), and
for each kind how much of the output's error lies away from the discs (on the still background, more than 4 px
from any disc's path): a network that cannot reproduce a still picture errs there.
"""
from __future__ import annotations

import argparse

import numpy as np

from mmkit.checkpoints import model_from_checkpoint
from mmkit.data.benchmarks import circles_pairs, held_out_circles, pair_mse
from mmkit.evaluate import from_network, to_network
from mmkit.pretrained import load_pretrained


def _moving(pair: dict, grow: int = 4) -> np.ndarray:
    """Pixels a disc covers at rest or in the target, grown by ``grow`` px."""
    moved = np.abs(pair["target"] - pair["prev_clean"]).max(-1) > 1e-3
    out = moved.copy()
    for dy in range(-grow, grow + 1):
        for dx in range(-grow, grow + 1):
            out |= np.roll(np.roll(moved, dy, 0), dx, 1)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--noise", type=float, default=0.0)
    p.add_argument("--pretrained", nargs="*", default=["light_no_lm"])
    p.add_argument("--checkpoint", nargs="*", default=[])
    args = p.parse_args()
    cfg = held_out_circles(args.size)
    pairs = list(circles_pairs(cfg, args.noise))
    nets = {n: load_pretrained(n) for n in args.pretrained}
    nets.update({c: model_from_checkpoint(c) for c in args.checkpoint})
    kinds = sorted({q["kind"] for q in pairs})
    print(f"held-out circles, {cfg.n_scenes} scenes, {cfg.size} px, noise {args.noise:g}: ratio to the input's MSE "
          "by background (share of the output's error away from the discs)")
    print(f"{'network':<28}" + "".join(f"{k:>22}" for k in kinds))
    for name, net in nets.items():
        cells = []
        for kind in kinds:
            err = inp = away = 0.0
            for q in (q for q in pairs if q["kind"] == kind):
                out = from_network(net(to_network(q["prev"]), to_network(q["cur"]), q["alpha"]))
                b = q["border"]
                sq = ((out - q["target"]) ** 2).mean(-1)[b:-b, b:-b]
                err += pair_mse(q, out)
                inp += pair_mse(q, q["cur"])
                away += sq[~_moving(q)[b:-b, b:-b]].sum() / sq.sum()
            n = sum(q["kind"] == kind for q in pairs)
            cells.append(f"{err / inp:.2f} ({away / n:.0%})")
        print(f"{name:<28}" + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    import torch

    with torch.no_grad():
        main()
