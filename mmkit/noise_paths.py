"""Where input noise reaches the magnified output: through the motion features ``D`` or the appearance features.

The paper's proxy loss L_M acts on one path only: it pulls the student's ``D = (E_b - E_a) * alpha`` on a noisy
pair toward the frozen teacher's ``D*`` on the clean pair. Whether that can lower the magnified noise depends
on how much of the noise's cost travels through ``D`` at all. This module measures it by swapping paths: for each
circles scene the network encodes the noisy pair and the same pair without noise (:func:`circles_pair` at noise
0: the same scene, 8-bit quantised), then decodes four mixtures,

* ``noisy``: everything from the noisy pair (the benchmark's own output at this noise);
* ``clean``: everything from the clean pair (the benchmark's output at noise 0);
* ``clean motion``: ``D`` from the clean pair, appearance from the noisy one (a perfectly denoised ``D``, the
  best that any loss on ``D`` could reach);
* ``clean appearance``: appearance from the clean pair, ``D`` from the noisy one;

and, given a teacher, ``teacher motion``: the teacher's ``D*`` (clean pair) in place of the network's own ``D``,
with its noisy appearance: what a student that met L_M exactly would output. The noise's cost is
``noisy - clean``; the share of it that a clean ``D`` removes says how much a motion-feature loss can gain. Beside
them, how much noise the network lets into ``D`` and how strongly ``D`` encodes the motion
(:func:`mmkit.features.feature_noise_parts`): L_M is meant to lower the first; the manipulator magnifies their
ratio.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch

from .data.benchmarks import CirclesConfig, circles_pair
from .errors import MMKitError
from .evaluate import from_network, to_network
from .features import feature_noise_parts
from .models import MagnificationNet


@dataclass(frozen=True)
class NoisePaths:
    """Mean MSEs over scenes ([0, 1] units squared) of each mixture, and the noise in ``D``."""

    noise: float
    scenes: int
    identity: float           # the noisy input frame against the target (the benchmark's "input MSE")
    noisy: float
    clean: float
    clean_motion: float
    clean_appearance: float
    teacher_motion: float | None   # None without a teacher
    motion_noise: float       # mean over scenes of feature_noise_ratio: noise in D / the motion response of D
    noise_rms: float          # mean rms of the noise in D = E_b - E_a (without alpha)
    signal_rms: float         # mean rms of the motion response of D (without alpha)

    @property
    def cost(self) -> float:
        """What the noise costs: ``noisy - clean``."""
        return self.noisy - self.clean

    def share(self, mse: float) -> float:
        """The share of the noise's cost that a mixture removes: 1 = all of it, 0 = none, < 0 = worse.

        NaN where the noise costs (next to) nothing, under 1 % of the clean MSE: a share of nothing says nothing.
        """
        return (self.noisy - mse) / self.cost if abs(self.cost) >= 0.01 * self.clean else float("nan")


def _mse(out: torch.Tensor, target: np.ndarray) -> float:
    return float(np.mean((from_network(out) - target) ** 2))


def check_inputs(nets: list, noises: list[float]) -> None:
    """A clear error, before any work, for a network without separate motion and appearance paths or no noise."""
    for net in nets:
        if not isinstance(net, MagnificationNet):
            raise MMKitError("noise paths need the paper's network (light or base), which has separate motion and "
                             f"appearance features; got {type(net).__name__} (Oh et al.'s network has no D to swap)")
    for noise in noises:
        if not noise > 0:
            raise MMKitError(f"noise paths compare a noisy pair with a clean one: give noise stds above 0, got {noise}")


@torch.no_grad()
def noise_paths(net: MagnificationNet, cfg: CirclesConfig = CirclesConfig(), noise: float = 5.0,
                teacher: MagnificationNet | None = None) -> NoisePaths:
    """Swap the noisy and clean pair's motion and appearance features on ``cfg.n_scenes`` circles scenes."""
    check_inputs([net] + ([teacher] if teacher is not None else []), [noise])
    device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    mse = {k: [] for k in ("identity", "noisy", "clean", "clean_motion", "clean_appearance", "teacher_motion")}
    parts = []
    for scene in range(cfg.n_scenes):
        p, c = circles_pair(cfg, scene, noise), circles_pair(cfg, scene, 0.0)
        alpha = float(p["alpha"])
        enc_n = net.encode(to_network(p["prev"], device), to_network(p["cur"], device))
        enc_c = net.encode(to_network(c["prev"], device), to_network(c["cur"], device))
        m_n, m_c = net.manipulator(net.motion(enc_n, alpha)), net.manipulator(net.motion(enc_c, alpha))
        target = p["target"]
        mse["identity"].append(float(np.mean((p["cur"] - target) ** 2)))
        mse["noisy"].append(_mse(net.decode(enc_n, m_n), target))
        mse["clean"].append(_mse(net.decode(enc_c, m_c), target))
        mse["clean_motion"].append(_mse(net.decode(enc_n, m_c), target))
        mse["clean_appearance"].append(_mse(net.decode(enc_c, m_n), target))
        if teacher is not None:
            d_t = teacher.motion_only(to_network(c["prev"], device), to_network(c["cur"], device), alpha)
            mse["teacher_motion"].append(_mse(net.decode(enc_n, net.manipulator(d_t)), target))
        parts.append(feature_noise_parts(net, p))  # p holds the clean frames too
    net.train(was_training)
    mean = {k: float(np.mean(v)) if v else None for k, v in mse.items()}
    return NoisePaths(noise=float(noise), scenes=cfg.n_scenes, identity=mean["identity"], noisy=mean["noisy"],
                      clean=mean["clean"], clean_motion=mean["clean_motion"],
                      clean_appearance=mean["clean_appearance"], teacher_motion=mean["teacher_motion"],
                      motion_noise=float(np.mean([n / s for n, s in parts])),
                      noise_rms=float(np.mean([n for n, _ in parts])), signal_rms=float(np.mean([s for _, s in parts])))


def paths_table(paths: Mapping[str, NoisePaths], title: str | None = None):
    """``{label: NoisePaths}`` as a :class:`mmkit.tables.Table` (markdown in Jupyter): per network, the share of
    the noise's cost that a clean D, clean appearance and the teacher's D* remove ('-' where not measured or where
    the noise costs next to nothing), and the rms of the noise and of the motion in D with their ratio. What a
    lesson quotes beside :func:`mmkit.plots.plot_noise_paths`, from the same measurements."""
    from .tables import Table

    def share(p: NoisePaths, mse: float | None) -> float | None:
        value = p.share(mse) if mse is not None else float("nan")
        return None if value != value else value

    columns = ("network", "clean D removes", "clean appearance removes", "teacher's D* removes", "noise in D (rms)",
               "motion in D (rms)", "noise / motion")
    rows = tuple((label, share(p, p.clean_motion), share(p, p.clean_appearance), share(p, p.teacher_motion),
                  p.noise_rms, p.signal_rms, p.motion_noise) for label, p in paths.items())
    noises = sorted({p.noise for p in paths.values()})
    scenes = sorted({p.scenes for p in paths.values()})
    title = title or (f"Noise {', '.join(f'{n:g}' for n in noises)}, {', '.join(map(str, scenes))} circles scenes: "
                      "what each clean path removes of the noise's cost (1 = all), and the noise in D")
    formats = tuple((c, ".4f" if "rms" in c else ".2f") for c in columns[1:])
    return Table(title, columns, rows, formats=formats)
