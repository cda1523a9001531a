"""The paper's losses (Eq. 1-6): L_1, L_edge, L_p, L_A, L_M and their weighted total.

``L_total = 10 * L_1 + 0.1 * L_p + L_edge + L_A + L_M`` with lambda_1 = 10 and lambda_2 = 0.1.
Every term is a mean over elements (the paper writes sums; a mean keeps the weights independent of the
image size and only rescales the learning rate). All images are ``(B, 3, H, W)`` in [-1, 1].
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from .models.singh2023 import Intermediates
from .vgg import PerceptualFeatures, feature_l1


def l1_loss(y_hat: Tensor, y: Tensor) -> Tensor:
    """L_1 (Eq. 3): mean absolute error between output and target."""
    return F.l1_loss(y_hat, y)


def image_gradients(x: Tensor) -> tuple[Tensor, Tensor]:
    """Horizontal and vertical forward differences, ``(B, C, H, W-1)`` and ``(B, C, H-1, W)``."""
    return x[..., :, 1:] - x[..., :, :-1], x[..., 1:, :] - x[..., :-1, :]


def edge_loss(y_hat: Tensor, y: Tensor) -> Tensor:
    """L_edge (Eq. 4): L1 between the finite differences of output and target, both directions."""
    gx_hat, gy_hat = image_gradients(y_hat)
    gx, gy = image_gradients(y)
    return F.l1_loss(gx_hat, gx) + F.l1_loss(gy_hat, gy)


def perceptual_loss(y_hat: Tensor, y: Tensor, vgg: PerceptualFeatures) -> Tensor:
    """L_p (Eq. 5): L1 between VGG-16 activations of output and target, summed over layers."""
    with torch.no_grad():
        target_feats = vgg(y)
    return feature_l1(vgg(y_hat), target_feats)


def appearance_loss(head: Tensor, clean_prev: Tensor, clean_cur: Tensor) -> Tensor:
    """L_A (Eq. 1): the appearance head against both clean frames, at the head's (half) resolution.

    The frames are area-averaged to the head's size, which also covers inputs padded to an even size.
    """
    size = head.shape[-2:]
    down_prev = F.adaptive_avg_pool2d(clean_prev, size)
    down_cur = F.adaptive_avg_pool2d(clean_cur, size)
    return F.l1_loss(head, down_cur) + F.l1_loss(head, down_prev)


def proxy_loss(motion: Tensor, proxy_motion: Tensor) -> Tensor:
    """L_M: L1 between the student's D (noisy inputs) and the frozen proxy's D* (clean inputs)."""
    return F.l1_loss(motion, proxy_motion.detach())


@dataclass(frozen=True)
class LossWeights:
    """Weights of Eq. 6; a weight of 0 switches a term off (the ablations of paper Table 4)."""

    l1: float = 10.0
    perceptual: float = 0.1
    edge: float = 1.0
    appearance: float = 1.0
    proxy: float = 1.0

    def to_dict(self) -> dict:
        return asdict(self)


def total_loss(
    out: Intermediates,
    target: Tensor,
    clean_prev: Tensor,
    clean_cur: Tensor,
    weights: LossWeights = LossWeights(),
    vgg: PerceptualFeatures | None = None,
    proxy_motion: Tensor | None = None,
) -> tuple[Tensor, dict[str, float]]:
    """Eq. 6 for one batch; returns the total and a dict of each (unweighted) term for logging.

    ``vgg=None`` means no ImageNet weights were found: L_p is skipped and ``perceptual_enabled`` is
    0.0 in the returned dict. ``proxy_motion=None`` (proxy-model training, stage 1) skips L_M.
    """
    terms: dict[str, Tensor] = {}
    if weights.l1:
        terms["l1"] = l1_loss(out.output, target)
    if weights.edge:
        terms["edge"] = edge_loss(out.output, target)
    if weights.perceptual and vgg is not None:
        terms["perceptual"] = perceptual_loss(out.output, target, vgg)
    if weights.appearance and out.appearance_head is not None:  # Oh et al. (2018) has no appearance head
        terms["appearance"] = appearance_loss(out.appearance_head, clean_prev, clean_cur)
    if weights.proxy and proxy_motion is not None:
        terms["proxy"] = proxy_loss(out.motion, proxy_motion)
    w = weights.to_dict()
    total = sum((w[name] * value for name, value in terms.items()), target.new_zeros(()))
    log = {name: float(value.detach()) for name, value in terms.items()}
    log["total"] = float(total.detach())
    log["perceptual_enabled"] = float(vgg is not None and weights.perceptual > 0)
    return total, log
