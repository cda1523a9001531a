"""The comparison network of Oh et al., "Learning-based Video Motion Magnification" (ECCV 2018).

Written from the paper's description (its Fig. 3), so that the kit can put Singh et al.'s claims against
it on the same data: an encoder shared by both frames that splits a texture representation (quarter
resolution) from a shape representation (half resolution); a manipulator that magnifies the shape
difference, ``M_a + h(alpha * g(M_b - M_a))``; a decoder that joins the up-sampled texture with the
magnified shape, nine residual blocks, up-sampling and a 7x7 output convolution. ReLU activations,
reflection padding, as in the paper.

Oh et al. regularise texture and shape with extra colour-perturbed frames; mmkit trains it with its own
losses (L_1, L_edge, L_p) on the same synthetic pairs as the paper's networks, and says so.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .singh2023 import Alpha, Intermediates, _alpha_like


def conv(c_in: int, c_out: int, k: int = 3, stride: int = 1, relu: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [nn.ReflectionPad2d(k // 2), nn.Conv2d(c_in, c_out, k, stride)]
    return nn.Sequential(*layers, nn.ReLU()) if relu else nn.Sequential(*layers)


class ResBlock(nn.Module):
    """``y = x + conv(relu(conv(x)))`` (no activation after the sum, as in Oh et al.)."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.body = nn.Sequential(conv(c, c), conv(c, c, relu=False))

    def forward(self, x: Tensor) -> Tensor:
        return x + self.body(x)


def blocks(c: int, n: int) -> nn.Sequential:
    return nn.Sequential(*[ResBlock(c) for _ in range(n)])


class Oh2018Net(nn.Module):
    """Oh et al. (2018), with the same call signature as :class:`~mmkit.models.MagnificationNet`.

    Examples:
        >>> net = Oh2018Net()
        >>> x = torch.zeros(1, 3, 30, 41)
        >>> net(x, x, 10.0).shape
        torch.Size([1, 3, 30, 41])
    """

    multiple = 4  # two stride-2 convolutions on the texture path
    min_size = 8  # reflection padding needs at least 2 px at quarter resolution

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(conv(3, 16, k=7), conv(16, 32, stride=2), blocks(32, 3))  # (B, 32, H/2, W/2)
        self.texture = nn.Sequential(conv(32, 32, stride=2), blocks(32, 2))                 # (B, 32, H/4, W/4)
        self.shape = nn.Sequential(conv(32, 32), blocks(32, 2))                             # (B, 32, H/2, W/2)
        self.g = conv(32, 32)
        self.h = nn.Sequential(conv(32, 32, relu=False), ResBlock(32))
        self.decoder = nn.Sequential(blocks(64, 9), nn.Upsample(scale_factor=2, mode="nearest"),
                                     conv(64, 32), conv(32, 3, k=7, relu=False))

    def encode(self, frame: Tensor) -> tuple[Tensor, Tensor]:
        x = self.stem(frame)
        return self.texture(x), self.shape(x)

    def _pad(self, prev: Tensor, cur: Tensor) -> tuple[Tensor, Tensor]:
        """Pad bottom/right by edge replication to a multiple of :attr:`multiple` and at least ``min_size``."""
        h, w = prev.shape[-2:]
        m = self.multiple
        pad = (0, max((-w) % m, self.min_size - w), 0, max((-h) % m, self.min_size - h))
        return (F.pad(prev, pad, mode="replicate"), F.pad(cur, pad, mode="replicate")) if any(pad) else (prev, cur)

    def motion_only(self, prev: Tensor, cur: Tensor, alpha: Alpha) -> Tensor:
        """``alpha * g(M_b - M_a)`` alone (no texture, manipulator or decoder): ``intermediates(...).motion``."""
        prev, cur = self._pad(prev, cur)
        shape_a, shape_b = self.shape(self.stem(prev)), self.shape(self.stem(cur))
        return self.g(shape_b - shape_a) * _alpha_like(alpha, shape_a)

    def intermediates(self, prev: Tensor, cur: Tensor, alpha: Alpha) -> Intermediates:
        """Named intermediates; ``e_a``/``e_b`` are the shape representations, ``appearance`` the texture."""
        h, w = prev.shape[-2:]
        prev, cur = self._pad(prev, cur)
        tex_a, shape_a = self.encode(prev)
        _, shape_b = self.encode(cur)
        motion = self.g(shape_b - shape_a) * _alpha_like(alpha, shape_a)      # alpha * g(M_b - M_a)
        manipulated = shape_a + self.h(motion)
        texture = F.interpolate(tex_a, scale_factor=2, mode="nearest")        # (B, 32, H/2, W/2)
        out = self.decoder(torch.cat([texture, manipulated], 1))[..., :h, :w]
        return Intermediates(e_a=shape_a, e_b=shape_b, appearance=tex_a, motion=motion,
                             manipulated=manipulated, appearance_head=None, output=out)  # type: ignore[arg-type]

    def forward(self, prev: Tensor, cur: Tensor, alpha: Alpha) -> Tensor:
        """The frame ``prev`` with its motion to ``cur`` magnified ``alpha`` times, ``(B, 3, H, W)``."""
        return self.intermediates(prev, cur, alpha).output
