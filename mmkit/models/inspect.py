"""Looking inside a network: layer-by-layer shapes and cost, a text diagram of the stages, the receptive field.

For the course notebook ``01_architecture`` and for anyone who changes :class:`~mmkit.models.ModelConfig`.

- :func:`trace_layers` runs the model once on PyTorch's ``meta`` device (no arithmetic, so 720 x 720 costs
  milliseconds) with hooks on its modules down to a given depth, and records each module's output shape,
  parameters and multiply-accumulates (counted as in :mod:`mmkit.models.complexity`).
- :func:`stage_diagram` draws the four stages of the paper's network (feature-sharing encoder, appearance
  encoder, manipulator, decoder; Singh et al. 2023, Fig. 2) as text, with the traced shapes.
- :func:`receptive_field` *measures* which input pixels one output pixel depends on, from the gradient of
  that output pixel with respect to the input (non-zero exactly where the input can change it);
  :func:`chain_receptive_field` and :func:`receptive_field_by_stage` *compute* it from kernel sizes and
  strides, ``r_out = r_in + (k - 1) * j_in``, ``j_out = j_in * s`` (Araujo et al., Distill 2019).
"""
from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from .complexity import _layer_macs, count_params
from .singh2023 import MagnificationNet, ModelConfig

_COUNTED = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)


@dataclass(frozen=True)
class LayerInfo:
    """One module call in a traced forward pass."""

    name: str                  # qualified module name, e.g. "decoder.blocks_half"
    kind: str                  # the module's class name
    shape: tuple[int, ...]     # output shape (the first output, when a module returns several)
    params: int                # parameters of the module, its children included
    macs: int                  # multiply-accumulates of this call, its children included

    @property
    def depth(self) -> int:
        return self.name.count(".") + 1


def trace_layers(model: nn.Module, height: int = 720, width: int = 720, alpha: float = 20.0,
                 depth: int = 2) -> list[LayerInfo]:
    """Every call of a module at most ``depth`` levels deep during ``model(prev, cur, alpha)``, in call order.

    The pair is ``(1, 3, height, width)`` on the meta device (the model is copied there, the original is
    untouched). Parents come before their children; a module called twice (a tied encoder) gives two rows.
    Training-only parts that inference does not call (the appearance head) do not appear.

    Examples:
        >>> from mmkit.models import build_model
        >>> rows = trace_layers(build_model("light"), 64, 64, depth=1)
        >>> [(r.name, r.shape) for r in rows]  # doctest: +NORMALIZE_WHITESPACE
        [('encoder', (1, 16, 32, 32)), ('manipulator', (1, 16, 32, 32)), ('decoder', (1, 3, 64, 64))]
    """
    meta = copy.deepcopy(model).to("meta")
    names = {m: n for n, m in meta.named_modules() if n and n.count(".") < depth}
    stack: list[list] = []  # open calls: [name, module, macs so far]
    rows: list[tuple[int, LayerInfo]] = []
    order = 0

    def pre(module: nn.Module, inputs: tuple) -> None:
        nonlocal order
        stack.append([names[module], module, 0, order])
        order += 1

    def count(module: nn.Module, inputs: tuple, output: Tensor) -> None:
        macs = _layer_macs(module, inputs, output)
        for entry in stack:
            entry[2] += macs

    def post(module: nn.Module, inputs: tuple, output: Tensor | tuple) -> None:
        name, _, macs, start = stack.pop()
        first = output[0] if isinstance(output, (tuple, list)) else output
        rows.append((start, LayerInfo(name, type(module).__name__, tuple(first.shape), count_params(module), macs)))

    handles = []
    for m in meta.modules():
        if m in names:
            handles.append(m.register_forward_pre_hook(pre))
        if isinstance(m, _COUNTED):  # before `post`, so that a traced conv counts its own MACs
            handles.append(m.register_forward_hook(count))
        if m in names:
            handles.append(m.register_forward_hook(post))
    try:
        with torch.no_grad():
            x = torch.empty(1, 3, height, width, device="meta")
            model_out = meta(x, x, alpha)
        del model_out
    finally:
        for h in handles:
            h.remove()
    return [info for _, info in sorted(rows, key=lambda r: r[0])]


def format_layers(rows: Sequence[LayerInfo]) -> str:
    """A fixed-width table of :func:`trace_layers` rows (children indented under their parents).

    Examples:
        >>> print(format_layers([LayerInfo("decoder", "Decoder", (1, 3, 8, 8), 1234, 5_000_000)]))
        module                  kind             output shape         params     MMACs
        decoder                 Decoder          (1, 3, 8, 8)          1,234      5.00
    """
    lines = [f"{'module':<24}{'kind':<17}{'output shape':<19}{'params':>8}{'MMACs':>10}"]
    for r in rows:
        name = "  " * (r.depth - 1) + r.name.rsplit(".", 1)[-1] if r.depth > 1 else r.name
        lines.append(f"{name:<24}{r.kind:<17}{r.shape!s:<19}{r.params:>8,}{r.macs / 1e6:>10.2f}")
    return "\n".join(lines)


def stage_diagram(net: MagnificationNet, height: int = 720, width: int = 720) -> str:
    """The paper's four stages as a text diagram, with the output shape of each step at ``height`` x ``width``.

    Shapes come from :func:`trace_layers`; block counts from ``net.cfg``.

    Examples:
        >>> from mmkit.models import build_model
        >>> print(stage_diagram(build_model("light"), 64, 64).splitlines()[0])
        prev (F_a), cur (F_b)                                         (1, 3, 64, 64) each
    """
    cfg = net.cfg
    s = {r.name: r.shape for r in trace_layers(net, height, width, depth=2)}
    h2, w2 = (height + 1) // 2, (width + 1) // 2
    half = (1, cfg.channels, h2, w2)
    n, m, d, f = cfg.encoder_blocks, cfg.manipulator_blocks, cfg.decoder_blocks, cfg.decoder_full_blocks
    tied = " (same weights as a)" if cfg.tied_encoder else ""
    rows = [
        ("prev (F_a), cur (F_b)", f"{(1, 3, height, width)} each"),
        ("|", ""),
        ("+- feature-sharing encoder E", ""),
        (f"|    level 1 a: conv3x3(cat[prev, cur]) + {n} ResBlocks", s["encoder.level1_a"]),
        (f"|    level 1 b: conv3x3(cat[cur, prev]) + {n} ResBlocks{tied}", s.get("encoder.level1_b", s["encoder.level1_a"])),
        ("|    max-pool 2x2 -> E'_a, E'_b", f"{half} each"),
        (f"|    level 2 a: E_a = branch(cat[E'_a, E'_b]), {n} ResBlocks", s["encoder.level2_a"]),
        (f"|    level 2 b: E_b = branch(cat[E'_b, E'_a]), {n} ResBlocks{tied}", s.get("encoder.level2_b", s["encoder.level2_a"])),
        ("+- appearance encoder A", ""),
        (f"|    App = branch(cat[E'_a, E'_b]), {n} ResBlocks", s["encoder.appearance"]),
        ("+- manipulator M", ""),
        ("|    D = alpha * (E_b - E_a)", s["encoder.level2_a"]),
        (f"|    M(D) = ResBlock unit + {m} ResBlocks", s["manipulator.blocks"]),
        ("+- decoder", ""),
        ("     z = M(D) + App", s["manipulator.blocks"]),
        (f"     conv3x3 + {d} ResBlocks (half resolution)", s["decoder.blocks_half"]),
        ("     transposed conv 2x2, stride 2, ELU", s["decoder.up"]),
        (f"     conv3x3 + {f} ResBlocks (full resolution)", s["decoder.blocks_full"]),
        ("     conv1x1, tanh -> magnified frame F_o", s["decoder.head"]),
    ]
    return "\n".join(f"{left:<62}{right}".rstrip() for left, right in rows)


# -- receptive field -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReceptiveField:
    """Which input pixels one output pixel depends on, measured from a gradient.

    ``gradient`` is ``|d out[pixel] / d input|`` summed over channels (and over the random inputs used),
    ``(H, W)``; the receptive field is the bounding box of its non-zero entries, ``top..bottom`` and
    ``left..right`` inclusive, in input pixels.
    """

    pixel: tuple[int, int]
    top: int
    bottom: int
    left: int
    right: int
    gradient: np.ndarray

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1

    @property
    def width(self) -> int:
        return self.right - self.left + 1

    def effective_size(self, mass: float = 0.9) -> int:
        """Side of the smallest square centred on ``pixel`` that holds ``mass`` of the gradient's total.

        Usually far smaller than the theoretical receptive field: the influence of an input pixel falls
        off roughly like a Gaussian away from the centre (Luo et al., "effective receptive field", 2016).
        """
        g = self.gradient
        total = g.sum()
        y, x = self.pixel
        for r in range(max(g.shape)):
            if g[max(0, y - r):y + r + 1, max(0, x - r):x + r + 1].sum() >= mass * total:
                return 2 * r + 1
        return 2 * max(g.shape) + 1

    def falloff(self, distance: int | Sequence[int] | np.ndarray) -> float | np.ndarray:
        """The strongest gradient among input pixels ``distance`` px from ``pixel``, relative to the gradient's maximum.

        The distance is the larger of the row and column offsets (Chebyshev), so that the rings are squares like
        the receptive field: every pixel at distance ``d`` lies on the border of the ``(2d + 1)``-wide square
        around ``pixel``. 0 where no input pixel is that far away. It says how
        much less the most influential input pixel at that distance counts than the most influential one of
        all: a measured claim about the network's weights, untrained or trained, not one about its layers.

        Examples:
            >>> g = np.zeros((9, 9)); g[4, 4], g[4, 6], g[1, 4] = 4.0, 1.0, 0.5
            >>> ReceptiveField((4, 4), 1, 4, 4, 6, g).falloff([0, 2, 3, 20]).tolist()
            [1.0, 0.25, 0.125, 0.0]
            >>> g[7, 7] = 2.0  # the corner 3 rows and 3 columns away is at distance 3
            >>> ReceptiveField((4, 4), 1, 7, 4, 7, g).falloff(3)
            0.5
        """
        g = self.gradient / self.gradient.max()
        y, x = self.pixel
        rows, cols = np.indices(g.shape)
        ring = np.maximum(np.abs(rows - y), np.abs(cols - x))
        strongest = np.zeros(ring.max() + 2)          # one more, for every distance beyond the input
        np.maximum.at(strongest, ring.ravel(), g.ravel())
        d = np.asarray(distance, dtype=int)
        out = strongest[np.clip(d, 0, len(strongest) - 1)]
        return float(out) if out.ndim == 0 else out


def receptive_field(fn: Callable[[Tensor], Tensor], shape: Sequence[int], pixel: tuple[int, int] | None = None,
                    n_inputs: int = 2, seed: int = 0, dtype: torch.dtype = torch.float64) -> ReceptiveField:
    """Measure the receptive field of output ``pixel`` (default: the centre) of ``fn`` on inputs of ``shape``.

    ``fn`` maps a ``(1, C, H, W)`` input to a ``(1, C', H', W')`` output; ``pixel`` is in output coordinates.
    A module is copied and cast to ``dtype`` first; any other callable must accept inputs of ``dtype``.
    The gradient of the output pixel (summed over its channels) with respect to the input is non-zero only
    where the input can change it. A max-pool passes the gradient to one element of each window, so the
    gradient maps of ``n_inputs`` random inputs (uniform in [-1, 1], from ``seed``) are summed; float64 keeps
    the far, tiny gradients from underflowing. The input must be larger than the receptive field, or the
    measurement is cut at the borders.

    Shape:
        ``shape``: ``(1, C, H, W)``; :attr:`ReceptiveField.gradient`: ``(H, W)``.

    Examples:
        >>> stack = nn.Sequential(nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 3))  # two 3x3 convs: 5 x 5
        >>> rf = receptive_field(stack, (1, 1, 16, 16), pixel=(5, 5))
        >>> (rf.height, rf.width, rf.top, rf.left)
        (5, 5, 5, 5)
    """
    if isinstance(fn, nn.Module):
        fn = copy.deepcopy(fn).to(dtype)
    g = torch.Generator().manual_seed(seed)
    total = torch.zeros(tuple(shape[-2:]), dtype=torch.float64)
    for _ in range(n_inputs):
        x = (torch.rand(tuple(shape), generator=g, dtype=torch.float64) * 2 - 1).to(dtype).requires_grad_(True)
        out = fn(x)
        y, xx = pixel if pixel is not None else (out.shape[-2] // 2, out.shape[-1] // 2)
        (grad,) = torch.autograd.grad(out[0, :, y, xx].sum(), x, allow_unused=True)
        if grad is not None:
            total += grad.detach().abs().sum(dim=(0, 1)).to(torch.float64)
    where = torch.nonzero(total)
    if len(where) == 0:
        raise ValueError("the output pixel does not depend on the input at all")
    (top, left), (bottom, right) = where.min(0).values.tolist(), where.max(0).values.tolist()
    return ReceptiveField((int(y), int(xx)), top, bottom, left, right, total.numpy())


def network_receptive_field(net: nn.Module, size: int = 192, alpha: float = 20.0,
                            pixel: tuple[int, int] | None = None, n_inputs: int = 2, seed: int = 0,
                            dtype: torch.dtype = torch.float64) -> ReceptiveField:
    """:func:`receptive_field` of a magnification network ``net(prev, cur, alpha)`` on ``size`` x ``size`` frames.

    The gradient is taken with respect to both frames (``prev`` and ``cur`` stacked as 6 channels), so the
    field is where either frame can change the output pixel. The network is copied (``dtype``, eval mode).
    """
    model = copy.deepcopy(net).to(dtype).eval()
    return receptive_field(lambda x: model(x[:, :3], x[:, 3:], alpha), (1, 6, size, size), pixel, n_inputs,
                           seed, dtype)


def chain_receptive_field(layers: Sequence[tuple[int, float]]) -> tuple[int, float]:
    """Receptive field and jump (input pixels per output pixel) of a chain of ``(kernel, stride)`` layers.

    ``r_out = r_in + (kernel - 1) * j_in`` and ``j_out = j_in * stride``, from ``r = 1, j = 1``. An
    up-sampling layer whose outputs each see one input (a 2x2 transposed conv of stride 2) is ``(1, 0.5)``.

    Examples:
        >>> chain_receptive_field([(3, 1), (3, 1)])          # two 3x3 convs
        (5, 1)
        >>> chain_receptive_field([(3, 1), (2, 2), (3, 1)])  # conv, 2x2 max-pool, conv
        (8, 2)
    """
    r, j = 1, 1
    for kernel, stride in layers:
        r += (kernel - 1) * j
        j = j * stride
    return round(r), j if j != int(j) else int(j)


def receptive_field_by_stage(cfg: ModelConfig | None = None) -> list[tuple[str, int]]:
    """Theoretical receptive field (px, one side) of :class:`MagnificationNet` after each stage of its longest path.

    The path: level-1 branch (conv + 2 convs per ResBlock), max-pool, level-2 branch, manipulator (its
    residual unit is a ResBlock), decoder at half resolution, up-sampling, decoder at full resolution, head.
    Shorter paths (the residual skips, the appearance branch) see less, never more.

    Examples:
        >>> receptive_field_by_stage(ModelConfig.light())[-1]
        ('output head (1x1)', 162)
    """
    cfg = cfg or ModelConfig()
    conv, pool = (3, 1), (2, 2)
    stages = [
        ("encoder level 1", [conv] * (1 + 2 * cfg.encoder_blocks)),
        ("max-pool 2x2", [pool]),
        ("encoder level 2", [conv] * (1 + 2 * cfg.encoder_blocks)),
        ("manipulator", [conv] * (2 + 2 * cfg.manipulator_blocks)),
        ("decoder, half resolution", [conv] * (1 + 2 * cfg.decoder_blocks)),
        ("up-sampling", [(1, 0.5)]),
        ("decoder, full resolution", [conv] * (1 + 2 * cfg.decoder_full_blocks)),
        ("output head (1x1)", [(1, 1)]),
    ]
    out, chain = [], []
    for name, layers in stages:
        chain += layers
        out.append((name, chain_receptive_field(chain)[0]))
    return out


def encode_share(net: MagnificationNet, height: int = 720, width: int = 720) -> float:
    """Fraction of one forward pass's MACs spent in the encoder: what re-running ``net.magnify`` saves.

    Examples:
        >>> from mmkit.models import build_model
        >>> 0.0 < encode_share(build_model("light"), 64, 64) < 0.5
        True
    """
    rows = {r.name: r.macs for r in trace_layers(net, height, width, depth=1)}
    total = sum(rows.values())
    return rows["encoder"] / total if total else math.nan


def table1_rows(height: int = 720, width: int = 720, names: Sequence[str] = ("oh2018", "base", "light")) -> list[dict]:
    """Parameters and cost of the named models (freshly built) beside the paper's Table 1 (at 720 x 720).

    Each row: ``model``, ``params``, ``gmacs``, ``gflops`` (2 x MACs, see :mod:`mmkit.models.complexity`),
    ``paper_params``, ``paper_gflops``.

    Examples:
        >>> [(r["model"], r["params"]) for r in table1_rows(names=["light"])]
        [('light', 112318)]
    """
    from . import PAPER_TABLE1, build_model
    from .complexity import complexity

    rows = []
    for name in names:
        c = complexity(build_model(name), height, width)
        paper_params, paper_gflops = PAPER_TABLE1[name]
        rows.append({"model": name, "params": c.params, "gmacs": c.gmacs, "gflops": c.gflops,
                     "paper_params": paper_params, "paper_gflops": paper_gflops})
    return rows


def format_table1(rows: Sequence[dict]) -> str:
    """:func:`table1_rows` as a fixed-width table, with the ratios counted / paper."""
    lines = [f"{'model':<8}{'params':>10}{'paper':>8}{'ratio':>7}{'GFLOPs':>9}{'paper':>8}{'ratio':>7}"]
    for r in rows:
        lines.append(f"{r['model']:<8}{r['params']:>10,}{r['paper_params'] / 1e6:>7.2f}M"
                     f"{r['params'] / r['paper_params']:>7.2f}{r['gflops']:>9.1f}{r['paper_gflops']:>8.1f}"
                     f"{r['gflops'] / r['paper_gflops']:>7.2f}")
    return "\n".join(lines)


__all__ = ["LayerInfo", "ReceptiveField", "chain_receptive_field", "encode_share", "format_layers", "format_table1",
           "network_receptive_field", "receptive_field", "receptive_field_by_stage", "stage_diagram",
           "table1_rows", "trace_layers"]
