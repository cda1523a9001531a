"""The network of "Lightweight Network for Video Motion Magnification" (Singh, Murala, Kosuru, WACV 2023).

Layer graph of the authors' released model (``docs/design.md`` walks through it): a feature-sharing encoder
(two full-resolution branches that each see both frames, then three half-resolution branches giving ``E_a``,
``E_b`` and the appearance features), a manipulator that multiplies the feature difference by the magnification factor,
``D = (E_b - E_a) * alpha``, and a decoder that adds the manipulated motion to the appearance features and
upsamples back to full resolution. A 1x1 appearance head (training only) ties the appearance features to the
input frames (loss L_A, paper Eq. 1).

Frames are ``(B, 3, H, W)`` floats in [-1, 1]; ``prev`` is frame t-1 (F_a), ``cur`` is frame t (F_b).
The model is split into :meth:`MagnificationNet.encode`, :meth:`~MagnificationNet.manipulate` and
:meth:`~MagnificationNet.decode` so that a widget can encode once and re-run only the cheap part when alpha
changes, and so that temporal filtering can act on the encoder's features.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Union

import torch
import torch.nn.functional as F
from torch import Tensor, nn

Alpha = Union[float, Tensor]


@dataclass(frozen=True)
class ModelConfig:
    """Width and depth of the network.

    ``channels`` is C of the paper: C channels at full resolution, 2C after down-sampling.
    The depths are those of the released lightweight graph; change them only for experiments.
    """

    channels: int = 8
    encoder_blocks: int = 2       # ResBlocks per encoder branch, at each of the two levels
    manipulator_blocks: int = 3   # ResBlocks after the manipulator's residual unit
    decoder_blocks: int = 10      # ResBlocks at half resolution, before up-sampling
    decoder_full_blocks: int = 3  # ResBlocks at full resolution, after up-sampling
    #: Share weights between the encoder's a and b branches (a Siamese encoder). The released graph
    #: does not (False); tying them makes D exactly 0 for equal frames and D(prev, cur) = -D(cur, prev),
    #: at the cost of ~13 % fewer parameters than the paper's count.
    tied_encoder: bool = False

    @classmethod
    def light(cls) -> "ModelConfig":
        """The lightweight model M2 (C = 8, about 0.112 M parameters)."""
        return cls(channels=8)

    @classmethod
    def base(cls) -> "ModelConfig":
        """The base model M1 (C = 24, about 1.0 M parameters)."""
        return cls(channels=24)

    def to_dict(self) -> dict:
        return asdict(self)


def conv3x3(c_in: int, c_out: int) -> nn.Conv2d:
    return nn.Conv2d(c_in, c_out, 3, padding=1)


class ResBlock(nn.Module):
    """``y = elu(x + conv3x3(elu(conv3x3(x))))``: the network's only building block."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = conv3x3(channels, channels)
        self.conv2 = conv3x3(channels, channels)

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x + self.conv2(F.elu(self.conv1(x))))


def res_stack(channels: int, n: int) -> nn.Sequential:
    return nn.Sequential(*[ResBlock(channels) for _ in range(n)])


class Branch(nn.Module):
    """``conv3x3 -> ELU -> ResBlock x n``: one encoder branch (own weights, shared shape)."""

    def __init__(self, c_in: int, c_out: int, n_blocks: int) -> None:
        super().__init__()
        self.conv = conv3x3(c_in, c_out)
        self.blocks = res_stack(c_out, n_blocks)

    def forward(self, x: Tensor) -> Tensor:
        return self.blocks(F.elu(self.conv(x)))


class Encoder(nn.Module):
    """Feature-sharing encoder E plus the appearance encoder A (paper Fig. 2 A)."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        c, n = cfg.channels, cfg.encoder_blocks
        self.level1_a = Branch(6, c, n)
        self.level1_b = self.level1_a if cfg.tied_encoder else Branch(6, c, n)
        self.level2_a = Branch(2 * c, 2 * c, n)
        self.level2_b = self.level2_a if cfg.tied_encoder else Branch(2 * c, 2 * c, n)
        self.appearance = Branch(2 * c, 2 * c, n)

    def forward(self, prev: Tensor, cur: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        ab, ba = self.shared(prev, cur)
        return self.level2_a(ab), self.level2_b(ba), self.appearance(ab)

    def shared(self, prev: Tensor, cur: Tensor) -> tuple[Tensor, Tensor]:
        """``zeta(E'_a, E'_b)`` in both orders, ``(B, 2C, H/2, W/2)`` each: what level 2 and A take."""
        # Each branch sees both frames, in its own order: the "feature sharing".
        p_a = F.max_pool2d(self.level1_a(torch.cat([prev, cur], 1)), 2)  # (B, C, H/2, W/2) = E'_a
        p_b = F.max_pool2d(self.level1_b(torch.cat([cur, prev], 1)), 2)  # (B, C, H/2, W/2) = E'_b
        return torch.cat([p_a, p_b], 1), torch.cat([p_b, p_a], 1)

    def shape_features(self, prev: Tensor, cur: Tensor) -> tuple[Tensor, Tensor]:
        """``(E_a, E_b)`` without the appearance branch (all that the motion ``D`` needs)."""
        ab, ba = self.shared(prev, cur)
        return self.level2_a(ab), self.level2_b(ba)


class Manipulator(nn.Module):
    """``M(D)``: a residual unit on the magnified difference, then ResBlocks."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        c2 = 2 * cfg.channels
        self.unit = ResBlock(c2)  # elu(D + conv(elu(conv(D)))) has exactly the ResBlock form
        self.blocks = res_stack(c2, cfg.manipulator_blocks)

    def forward(self, motion: Tensor) -> Tensor:
        return self.blocks(self.unit(motion))


class Decoder(nn.Module):
    """Decoder: half-resolution ResBlocks, transposed-conv up-sampling, full-resolution ResBlocks, tanh."""

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        c = cfg.channels
        self.conv_half = conv3x3(2 * c, 2 * c)
        self.blocks_half = res_stack(2 * c, cfg.decoder_blocks)
        self.up = nn.ConvTranspose2d(2 * c, c, kernel_size=2, stride=2)
        self.conv_full = conv3x3(c, c)
        self.blocks_full = res_stack(c, cfg.decoder_full_blocks)
        self.head = nn.Conv2d(c, 3, kernel_size=1)

    def forward(self, z: Tensor) -> Tensor:
        x = self.blocks_half(self.conv_half(z))        # (B, 2C, H/2, W/2)
        x = F.elu(self.up(x))                          # (B, C, H, W)
        x = self.blocks_full(self.conv_full(x))        # (B, C, H, W)
        return torch.tanh(self.head(x))                # (B, 3, H, W)


@dataclass
class Encoded:
    """What the encoder gives for one pair: enough to magnify by any alpha without encoding again."""

    e_a: Tensor          # (B, 2C, H'/2, W'/2) motion features of prev
    e_b: Tensor          # (B, 2C, H'/2, W'/2) motion features of cur
    appearance: Tensor   # (B, 2C, H'/2, W'/2) appearance features A(zeta(E'_a, E'_b))
    size: tuple[int, int]  # the (H, W) of the input before padding, to crop the output back


@dataclass
class Intermediates:
    """Named intermediates of one forward pass (for the notebooks and the losses)."""

    e_a: Tensor
    e_b: Tensor
    appearance: Tensor
    motion: Tensor           # D = (E_b - E_a) * alpha, where L_M is taken
    manipulated: Tensor      # M(D)
    appearance_head: Tensor  # phi(App): (B, 3, H'/2, W'/2), tanh, for L_A
    output: Tensor           # the magnified frame, (B, 3, H, W)


class MagnificationNet(nn.Module):
    """The paper's network; ``MagnificationNet(ModelConfig.light())`` is M2, ``.base()`` is M1.

    Examples:
        >>> net = MagnificationNet(ModelConfig.light())
        >>> prev = torch.zeros(1, 3, 33, 47)
        >>> net(prev, prev, alpha=10.0).shape
        torch.Size([1, 3, 33, 47])
    """

    #: The input's height and width are padded up to a multiple of this (one 2x2 max-pool).
    multiple = 2

    def __init__(self, cfg: ModelConfig | None = None) -> None:
        super().__init__()
        self.cfg = cfg or ModelConfig()
        self.encoder = Encoder(self.cfg)
        self.manipulator = Manipulator(self.cfg)
        self.decoder = Decoder(self.cfg)
        self.appearance_head = nn.Conv2d(2 * self.cfg.channels, 3, kernel_size=1)

    # -- the three stages -------------------------------------------------------------------------
    def encode(self, prev: Tensor, cur: Tensor) -> Encoded:
        """Encode a pair of frames ``(B, 3, H, W)``; any H, W (padded inside, cropped in decode)."""
        _check_pair(prev, cur)
        size = (prev.shape[-2], prev.shape[-1])
        prev, cur = self._pad(prev), self._pad(cur)
        e_a, e_b, app = self.encoder(prev, cur)
        return Encoded(e_a, e_b, app, size)

    @staticmethod
    def motion(enc: Encoded, alpha: Alpha) -> Tensor:
        """``D = (E_b - E_a) * alpha`` (the released graph multiplies by alpha, not alpha - 1)."""
        return (enc.e_b - enc.e_a) * _alpha_like(alpha, enc.e_a)

    def decode(self, enc: Encoded, manipulated: Tensor) -> Tensor:
        """Add the manipulated motion to the appearance features and decode; crop to the input size."""
        out = self.decoder(manipulated + enc.appearance)
        h, w = enc.size
        return out[..., :h, :w]

    def magnify(self, enc: Encoded, alpha: Alpha) -> Tensor:
        """Manipulator and decoder only: the cheap part to re-run when alpha changes."""
        return self.decode(enc, self.manipulator(self.motion(enc, alpha)))

    def motion_only(self, prev: Tensor, cur: Tensor, alpha: Alpha) -> Tensor:
        """``D = (E_b - E_a) * alpha`` alone: the encoder without its appearance branch, no manipulator or
        decoder. Equal to ``intermediates(...).motion`` at under half the cost: what the frozen proxy gives L_M."""
        _check_pair(prev, cur)
        e_a, e_b = self.encoder.shape_features(self._pad(prev), self._pad(cur))
        return (e_b - e_a) * _alpha_like(alpha, e_a)

    # -- entry points -----------------------------------------------------------------------------
    def forward(self, prev: Tensor, cur: Tensor, alpha: Alpha) -> Tensor:
        """Magnify the motion from ``prev`` to ``cur`` by ``alpha``; returns ``(B, 3, H, W)`` in [-1, 1]."""
        return self.magnify(self.encode(prev, cur), alpha)

    def intermediates(self, prev: Tensor, cur: Tensor, alpha: Alpha) -> Intermediates:
        """Run the whole network and return every named intermediate (see :class:`Intermediates`)."""
        enc = self.encode(prev, cur)
        motion = self.motion(enc, alpha)
        manipulated = self.manipulator(motion)
        return Intermediates(
            e_a=enc.e_a,
            e_b=enc.e_b,
            appearance=enc.appearance,
            motion=motion,
            manipulated=manipulated,
            appearance_head=torch.tanh(self.appearance_head(enc.appearance)),
            output=self.decode(enc, manipulated),
        )

    def _pad(self, x: Tensor) -> Tensor:
        """Pad bottom/right by edge replication up to a multiple of :attr:`multiple`."""
        m = self.multiple
        ph, pw = (-x.shape[-2]) % m, (-x.shape[-1]) % m
        if ph or pw:
            x = F.pad(x, (0, pw, 0, ph), mode="replicate")
        return x


def _check_pair(prev: Tensor, cur: Tensor) -> None:
    if prev.shape != cur.shape:
        raise ValueError(f"prev and cur must have the same shape, got {tuple(prev.shape)} and {tuple(cur.shape)}")


def _alpha_like(alpha: Alpha, ref: Tensor) -> Tensor:
    """Broadcast alpha (a number, or one value per sample) to ``(B, 1, 1, 1)``."""
    a = torch.as_tensor(alpha, dtype=ref.dtype, device=ref.device)
    if a.ndim == 0:
        return a.reshape(1, 1, 1, 1)
    if a.ndim == 1 and a.shape[0] in (1, ref.shape[0]):
        return a.reshape(-1, 1, 1, 1)
    raise ValueError(f"alpha must be a number or have one value per sample ({ref.shape[0]}), got shape {tuple(a.shape)}")
