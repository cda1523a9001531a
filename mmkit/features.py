"""Looking inside the network: motion features, appearance features and the manipulator (paper Figure 3).

Singh, Murala and Kosuru (WACV 2023), Sec. 3: the feature sharing encoder maps the two frames
``F_a = prev`` and ``F_b = cur`` to features ``E_a`` and ``E_b``; "motion information is extracted by taking
the feature differences as shown in Figure 3". The manipulator multiplies the difference by the
magnification factor, ``D = (E_b - E_a) * alpha``, and transforms it with residual blocks into ``M(D)``;
the decoder adds ``M(D)`` to the appearance features ``A`` and makes the output frame. The proxy loss L_M
(paper Eq. 2) is taken on ``D``.

This module turns those intermediates into numpy arrays one pair at a time and measures them:

- :func:`pair_features`: every named intermediate of one pair, ``(2C, H/2, W/2)`` per feature map;
- :func:`feature_difference` and :func:`motion_response`: ``E_b - E_a``, and the part of it that the motion
  causes (the released graph's untied encoder gives a non-zero difference even for two equal frames);
- :func:`channel_rms`, :func:`energy_fraction` with :func:`disc_mask`: where the features' energy lies;
- :func:`feature_noise_ratio` (of :func:`feature_noise_parts`) beside :func:`pixel_noise_ratio`: how much noise
  the motion features carry relative to the motion they encode, against the same ratio for the plain frame difference
  (:func:`mean_noise_ratios`: both, for several networks, over circles-benchmark scenes);
- :func:`magnify_pair`: one magnified frame, as an image.

Frames are ``(H, W, 3)``, float in [0, 1] or uint8 (mmkit's vocabulary); the network gets them in [-1, 1].

Examples:
    >>> from mmkit.models import MagnificationNet, ModelConfig
    >>> net = MagnificationNet(ModelConfig(tied_encoder=True)).eval()
    >>> frame = np.full((12, 16, 3), 0.5)
    >>> feats = pair_features(net, frame, frame, alpha=20.0)
    >>> feats.difference.shape          # (2C, H/2, W/2)
    (16, 6, 8)
    >>> float(np.abs(feats.motion).max())  # a tied encoder sees no motion between equal frames
    0.0
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .data.benchmarks import CirclesConfig, circles_pair
from .errors import MMKitError
from .evaluate import from_network, to_network


def to_input(frame: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """A frame ``(H, W, 3)`` (uint8, or float in [0, 1]) as the network's input ``(1, 3, H, W)`` in [-1, 1].

    Examples:
        >>> to_input(np.full((2, 3, 3), 255, np.uint8)).flatten().tolist()[:3]
        [1.0, 1.0, 1.0]
    """
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[-1] != 3:
        raise MMKitError(f"a frame must be (H, W, 3), got shape {frame.shape}")
    return to_network(frame.astype(np.float32) / 255.0 if frame.dtype == np.uint8 else frame, device)


def _device(net: nn.Module) -> torch.device:
    return next(net.parameters()).device


@dataclass(frozen=True)
class PairFeatures:
    """The named intermediates of one pair as numpy arrays (batch dimension dropped).

    Feature maps are ``(2C, h, w)`` with ``h, w`` half the (even-padded) frame size; ``C = 8`` for the light
    model, so 16 channels.
    """

    alpha: float
    e_a: np.ndarray              # (2C, h, w) encoder features of prev (F_a)
    e_b: np.ndarray              # (2C, h, w) encoder features of cur (F_b)
    appearance: np.ndarray       # (2C, h, w) appearance features A
    motion: np.ndarray           # (2C, h, w) D = (E_b - E_a) * alpha, where L_M is taken
    manipulated: np.ndarray      # (2C, h, w) M(D), the manipulator's output
    appearance_head: np.ndarray  # (h, w, 3) in [0, 1]: phi(A), what L_A compares with the frames
    output: np.ndarray           # (H, W, 3) in [0, 1]: the magnified frame

    @property
    def difference(self) -> np.ndarray:
        """``E_b - E_a``, the motion features before the multiplication by alpha (paper Figure 3)."""
        return self.e_b - self.e_a


@torch.no_grad()
def pair_features(net: nn.Module, prev: np.ndarray, cur: np.ndarray, alpha: float = 1.0) -> PairFeatures:
    """Run ``net`` (a :class:`~mmkit.models.MagnificationNet`) on one pair and keep every intermediate.

    Args:
        net: the network; its mode is left as it is (call ``.eval()`` first for a trained model).
        prev: frame t-1, ``(H, W, 3)`` uint8 or float in [0, 1].
        cur: frame t, the same shape.
        alpha: the magnification factor.

    Returns:
        :class:`PairFeatures`; ``output`` equals ``net(prev, cur, alpha)`` mapped to [0, 1].
    """
    if not hasattr(net, "intermediates") or not hasattr(net, "encode"):
        raise MMKitError(f"{type(net).__name__} has no encoder features to show; use a MagnificationNet")
    dev = _device(net)
    out = net.intermediates(to_input(prev, dev), to_input(cur, dev), float(alpha))

    def arr(t: torch.Tensor) -> np.ndarray:
        return t[0].detach().float().cpu().numpy()

    return PairFeatures(float(alpha), arr(out.e_a), arr(out.e_b), arr(out.appearance), arr(out.motion),
                        arr(out.manipulated), from_network(out.appearance_head), from_network(out.output))


@torch.no_grad()
def magnify_pair(net: nn.Module, prev: np.ndarray, cur: np.ndarray, alpha: float) -> np.ndarray:
    """``net(prev, cur, alpha)`` for frames ``(H, W, 3)`` (uint8 or float in [0, 1]); float ``(H, W, 3)`` in [0, 1]."""
    dev = _device(net)
    return from_network(net(to_input(prev, dev), to_input(cur, dev), float(alpha)))


@torch.no_grad()
def feature_difference(net: nn.Module, prev: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """``E_b - E_a`` for one pair, ``(2C, H/2, W/2)``: the encoder only (cheaper than :func:`pair_features`)."""
    dev = _device(net)
    enc = net.encode(to_input(prev, dev), to_input(cur, dev))
    return (enc.e_b - enc.e_a)[0].float().cpu().numpy()


def motion_response(net: nn.Module, prev: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """The part of ``E_b - E_a`` that the motion from ``prev`` to ``cur`` causes, ``(2C, H/2, W/2)``.

    The released graph's two encoder branches have their own weights, so two *equal* frames already give
    a non-zero difference, an offset that depends on the picture. This returns
    ``diff(prev, cur) - diff(prev, prev)``, which is 0 without motion for any encoder.
    """
    return feature_difference(net, prev, cur) - feature_difference(net, prev, prev)


def channel_rms(features: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Root mean square of each channel of ``features`` ``(C, h, w)``, over ``mask`` ``(h, w)`` if given.

    Examples:
        >>> channel_rms(np.stack([np.full((2, 2), 3.0), np.zeros((2, 2))])).tolist()
        [3.0, 0.0]
    """
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 3:
        raise MMKitError(f"features must be (C, h, w), got shape {features.shape}")
    if mask is None:
        return np.sqrt(np.mean(features ** 2, axis=(1, 2)))
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != features.shape[1:]:
        raise MMKitError(f"mask {mask.shape} does not match the features' {features.shape[1:]}")
    if not mask.any():
        raise MMKitError("the mask is empty")
    return np.sqrt(np.mean(features[:, mask] ** 2, axis=1))


def disc_mask(shape: tuple[int, int], centres: np.ndarray, radii: np.ndarray, scale: float = 1.0,
              margin: float = 0.0) -> np.ndarray:
    """Boolean ``(h, w)`` map of the pixels within ``radius + margin`` (frame pixels) of any disc centre.

    ``centres`` ``(n, 2)`` as ``(x, y)`` and ``radii`` ``(n,)`` are in frame pixels (as a circles pair gives
    them); ``scale`` is how many frame pixels one pixel of the map covers (2 for the network's feature maps,
    whose pixel ``j`` covers frame pixels ``2j`` and ``2j + 1``, centre ``2j + 0.5``).

    Examples:
        >>> int(disc_mask((9, 9), np.array([[4.0, 4.0]]), np.array([1.0])).sum())  # the centre and 4 neighbours
        5
    """
    h, w = shape
    xs = (np.arange(w) + 0.5) * scale - 0.5   # (w,) frame x of each map pixel's centre
    ys = (np.arange(h) + 0.5) * scale - 0.5   # (h,)
    mask = np.zeros((h, w), bool)
    for (cx, cy), r in zip(np.asarray(centres, float).reshape(-1, 2), np.asarray(radii, float).reshape(-1)):
        mask |= (xs[None, :] - cx) ** 2 + (ys[:, None] - cy) ** 2 <= (r + margin) ** 2
    return mask


def energy_fraction(features: np.ndarray, mask: np.ndarray) -> float:
    """Share of the features' energy (sum of squares over all channels) that lies inside ``mask`` ``(h, w)``.

    Examples:
        >>> f = np.zeros((2, 4, 4)); f[:, :2] = 1.0
        >>> energy_fraction(f, np.arange(4)[:, None].repeat(4, 1) < 2)
        1.0
    """
    features = np.asarray(features, dtype=np.float64)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != features.shape[1:]:
        raise MMKitError(f"mask {mask.shape} does not match the features' {features.shape[1:]}")
    total = float(np.sum(features ** 2))
    if total == 0:
        raise MMKitError("the features are all zero: no energy to share out")
    return float(np.sum(features[:, mask] ** 2)) / total


def rms(x: np.ndarray) -> float:
    """Root mean square of all elements."""
    return float(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2)))


def feature_noise_parts(net: nn.Module, pair: dict) -> tuple[float, float]:
    """``(noise, signal)`` of the motion features ``D = E_b - E_a`` for one pair with clean frames, as rms.

    ``noise = rms(D(prev, cur) - D(prev_clean, cur_clean))``, ``signal = rms(motion_response(prev_clean,
    cur_clean))``: the part of ``D`` that the noise adds, and the part that the motion causes. ``pair`` has
    ``prev``, ``cur``, ``prev_clean`` and ``cur_clean`` (a circles pair or a training pair, as ``render_pair``
    gives it).
    """
    noisy = feature_difference(net, pair["prev"], pair["cur"])
    clean = feature_difference(net, pair["prev_clean"], pair["cur_clean"])
    signal = rms(clean - feature_difference(net, pair["prev_clean"], pair["prev_clean"]))  # motion_response
    return rms(noisy - clean), signal


def feature_noise_ratio(net: nn.Module, pair: dict) -> float:
    """Noise in the motion features relative to the motion they encode, for one pair with clean frames.

    ``noise / signal`` of :func:`feature_noise_parts`: 0 when noise does not reach the features, 1 when it is as
    strong as the motion signal. Compare with :func:`pixel_noise_ratio`, the same ratio for the frames.
    """
    noise, signal = feature_noise_parts(net, pair)
    if signal == 0:
        raise MMKitError("the clean pair gives no motion response: nothing to compare the noise with")
    return noise / signal


def pixel_noise_ratio(pair: dict) -> float:
    """The frame difference's noise relative to its motion: ``rms(noise in cur - prev) / rms(clean cur - prev)``.

    Examples:
        >>> z = np.zeros((4, 4, 3)); one = np.ones((4, 4, 3))
        >>> pixel_noise_ratio({"prev": z, "cur": 0.5 * one, "prev_clean": z, "cur_clean": one})
        0.5
    """
    noisy = np.asarray(pair["cur"], np.float64) - np.asarray(pair["prev"], np.float64)
    clean = np.asarray(pair["cur_clean"], np.float64) - np.asarray(pair["prev_clean"], np.float64)
    signal = rms(clean)
    if signal == 0:
        raise MMKitError("the clean frames are equal: there is no motion to compare the noise with")
    return rms(noisy - clean) / signal


def mean_noise_ratios(nets: Mapping[str, nn.Module], noises: Sequence[float], scenes: int,
                      cfg: CirclesConfig | None = None) -> dict[str, list[float]]:
    """Mean :func:`feature_noise_ratio` of each network over the first ``scenes`` circles scenes, per noise level.

    Returns ``{name: [ratio at noises[0], ...]}`` for every network, and first a ``"frame difference"`` entry
    with the mean :func:`pixel_noise_ratio` of the same pairs (the same for every network: the reference).
    ``cfg`` is the circles benchmark's configuration (default: the paper's, 128 px).
    """
    cfg = cfg or CirclesConfig()
    if not 1 <= scenes <= cfg.n_scenes:
        raise MMKitError(f"scenes must be 1 .. {cfg.n_scenes}, got {scenes}")
    pairs = {n: [circles_pair(cfg, k, n) for k in range(scenes)] for n in noises}
    out = {"frame difference": [float(np.mean([pixel_noise_ratio(p) for p in pairs[n]])) for n in noises]}
    for name, net in nets.items():
        out[name] = [float(np.mean([feature_noise_ratio(net, p) for p in pairs[n]])) for n in noises]
    return out
