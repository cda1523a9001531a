"""VGG-16 features for the perceptual loss L_p (Johnson et al. 2016; paper Eq. 5), without torchvision.

mmkit defines the convolutional part of VGG-16 itself, with torchvision's parameter names
(``features.0.weight`` ...), so that torchvision's ImageNet file ``vgg16-397923af.pth`` loads into it.
The kit never downloads that file at run time. It is looked for, in order:

1. the ``path`` argument;
2. the ``MMKIT_VGG16`` environment variable;
3. the torch hub cache: ``$TORCH_HOME/hub/checkpoints/vgg16-*.pth`` (where torchvision keeps it).

To use the perceptual term on a machine without network, copy the file there and set ``MMKIT_VGG16``.
When no file is found the perceptual term is switched off with one warning, and callers can see that in
:attr:`PerceptualFeatures.source` being ``None``.
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .errors import MMKitError

#: Conv widths of VGG-16's five stages ("M" = 2x2 max-pool), as in Simonyan & Zisserman (2015).
VGG16_LAYOUT = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]

#: Index in ``features`` of the ReLU after each named conv (torchvision numbering).
RELU_INDEX = {
    "relu1_2": 3, "relu2_2": 8, "relu3_3": 15, "relu4_3": 22, "relu5_3": 29,
}
DEFAULT_LAYERS = ("relu1_2", "relu2_2", "relu3_3")
ENV_VAR = "MMKIT_VGG16"
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


def vgg16_features() -> nn.Sequential:
    """VGG-16's ``features`` block with torchvision's layer indices (randomly initialised)."""
    layers: list[nn.Module] = []
    c_in = 3
    for v in VGG16_LAYOUT:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c_in, int(v), 3, padding=1), nn.ReLU(inplace=True)]
            c_in = int(v)
    return nn.Sequential(*layers)


def find_vgg16_weights(path: str | os.PathLike | None = None) -> Path | None:
    """Where the ImageNet VGG-16 file is: ``path``, then ``$MMKIT_VGG16``, then the torch hub cache."""
    if path is not None:
        p = Path(path).expanduser()
        if not p.is_file():
            raise MMKitError(f"VGG-16 weights not found at {p}: pass the path of torchvision's vgg16-*.pth file")
        return p
    env = os.environ.get(ENV_VAR)
    if env:
        p = Path(env).expanduser()
        if not p.is_file():
            raise MMKitError(f"{ENV_VAR}={env} does not name a file: point it at torchvision's vgg16-*.pth file")
        return p
    checkpoints = Path(torch.hub.get_dir()) / "checkpoints"
    found = sorted(checkpoints.glob("vgg16-*.pth")) if checkpoints.is_dir() else []
    return found[0] if found else None


class PerceptualFeatures(nn.Module):
    """Frozen VGG-16 activations at the named ReLUs, for images in [-1, 1].

    Args:
        layers: names from :data:`RELU_INDEX`; the default stops at relu3_3, which keeps the loss
            affordable on a CPU.
        state_dict: torchvision-style state dict (``features.*`` keys; ``classifier.*`` are ignored).
        source: where the weights came from (for logs), or ``None`` for random weights.
    """

    def __init__(self, layers: Sequence[str] = DEFAULT_LAYERS, state_dict: dict | None = None,
                 source: str | None = None) -> None:
        super().__init__()
        unknown = [n for n in layers if n not in RELU_INDEX]
        if unknown or not layers:
            raise MMKitError(f"unknown VGG-16 layers {unknown}; choose from {list(RELU_INDEX)}")
        self.layers = tuple(layers)
        last = max(RELU_INDEX[n] for n in self.layers)
        self.features = vgg16_features()[: last + 1]
        if state_dict is not None:
            self._load(state_dict)
        self.source = source
        self.requires_grad_(False)
        self.eval()
        self.register_buffer("mean", torch.tensor(_IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(_IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def _load(self, state_dict: dict) -> None:
        own = self.features.state_dict()
        wanted = {f"features.{k}": k for k in own}
        missing = [k for k in wanted if k not in state_dict]
        if missing:
            raise MMKitError(f"not a VGG-16 state dict: keys {missing[:3]}... are missing")
        for full, k in wanted.items():
            if tuple(state_dict[full].shape) != tuple(own[k].shape):
                raise MMKitError(f"not a VGG-16 state dict: {full} has shape {tuple(state_dict[full].shape)}, "
                                 f"expected {tuple(own[k].shape)}")
        self.features.load_state_dict({k: state_dict[full] for full, k in wanted.items()})

    @classmethod
    def from_file(cls, path: str | os.PathLike, layers: Sequence[str] = DEFAULT_LAYERS) -> "PerceptualFeatures":
        """Load torchvision's ImageNet VGG-16 file (or any file with the same keys)."""
        try:
            sd = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as e:  # a truncated or foreign file: say which one, not torch's internals
            raise MMKitError(f"could not read VGG-16 weights from {path}: {type(e).__name__}: {e}") from None
        if not isinstance(sd, dict):
            raise MMKitError(f"{path} does not hold a state dict")
        return cls(layers, sd, source=str(path))

    def forward(self, x: Tensor) -> list[Tensor]:
        """Activations for ``x`` of shape ``(B, 3, H, W)`` in [-1, 1], one tensor per layer."""
        x = ((x + 1) / 2 - self.mean) / self.std
        wanted = {RELU_INDEX[n] for n in self.layers}
        out = []
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in wanted:
                out.append(x)
        return out


_warned = False


def load_perceptual(path: str | os.PathLike | None = None,
                    layers: Sequence[str] = DEFAULT_LAYERS) -> PerceptualFeatures | None:
    """VGG-16 features from the first file found (see module docstring), or ``None`` with one warning.

    ``None`` means: no ImageNet weights here, so the perceptual term is off. Training records that.
    """
    global _warned
    found = find_vgg16_weights(path)
    if found is None:
        if not _warned:
            warnings.warn(
                "VGG-16 ImageNet weights not found: the perceptual loss L_p is switched off. "
                f"Set {ENV_VAR}=/path/to/vgg16-397923af.pth (torchvision's file) to switch it on.",
                stacklevel=2,
            )
            _warned = True
        return None
    return PerceptualFeatures.from_file(found, layers)


def feature_l1(feats_a: list[Tensor], feats_b: list[Tensor]) -> Tensor:
    """``sum_i mean|phi_i(a) - phi_i(b)|``."""
    return sum(F.l1_loss(a, b) for a, b in zip(feats_a, feats_b))  # type: ignore[return-value]
