"""What every table shares: the paper's numbers, method labels, the :class:`Table` type that shows as
markdown in a notebook, and :func:`run_method`, which runs any method (network or classical) on a clip."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
from torch import nn

from ..classical.registry import METHODS as CLASSICAL
from ..engine import MagnifyConfig, magnify, magnify_frames
from ..errors import MMKitError
from ..models import MODEL_NAMES


# --------------------------------------------------------------------------------------------------------
# The paper's numbers
# --------------------------------------------------------------------------------------------------------

#: Table 1, run time per frame at 720 x 720 on an NVIDIA RTX 2080, ms.
PAPER_RUNTIME_MS = {"oh2018": 95.0, "base": 142.0, "light": 38.0}
#: Table 2, MAE between the rescaled (0..1) measured and sensor signals of the vibrating rod.
PAPER_TABLE2_MAE = {"anisotropy": 0.146, "jerk": 0.149, "acceleration": 0.146, "oh2018": 0.144, "base": 0.121,
                    "light": 0.131}
#: Table 3, aggregate MSE on 25 synthetic circles videos (units not stated in the paper).
PAPER_TABLE3_MSE = {"anisotropy": 36.4, "jerk": 55.3, "acceleration": 68.0, "oh2018": 38.8, "base": 23.07,
                    "light": 27.8}
#: Table 4 (ablations of the *base* model M1), aggregate MSE on the synthetic videos.
PAPER_TABLE4_MSE = {"all terms": 23.07, "no L_M": 27.85, "no feature sharing encoder": 30.1,
                    "no appearance encoder": 37.7, "no L_edge": 31.1, "no L_p": 40.2}
#: The paper's training: 47 epochs of Oh et al.'s (2018) data set of 100,000 pairs of 384 x 384 px.
PAPER_EPOCHS = 47
PAPER_PAIR_SIZE = 384

NETWORKS = MODEL_NAMES                                    # ("light", "base", "oh2018")
#: The shipped weights that train each of the paper's networks by the paper's recipe, which the reproduction's
#: tables run: the default ``light`` and ``base`` were trained on further, on varied content (:mod:`mmkit.pretrained`).
PAPER_WEIGHTS = {"light": "light_paper", "base": "base_paper", "oh2018": "oh2018"}
CLASSICAL_METHODS = tuple(CLASSICAL)                      # linear, riesz, phase, acceleration, jerk, anisotropy
#: The methods of the paper's figures and Tables 2-3, in its order (b)-(g): three hand-crafted, three learned.
PAPER_METHODS = ("acceleration", "jerk", "anisotropy", "oh2018", "base", "light")
#: Table 4's loss ablations that the training loop can switch off (TrainConfig.weights); "all terms" first.
ABLATIONS: dict[str, dict[str, float]] = {"all terms": {}, "no L_M": {"proxy": 0.0},
                                          "no L_A": {"appearance": 0.0}, "no L_edge": {"edge": 0.0}}
#: Our ablation -> the paper's closest row. Removing L_A keeps the appearance encoder (it then learns only from
#: the output losses), which is not the paper's "(c) without appearance encoder".
ABLATION_PAPER_ROW = {"all terms": "all terms", "no L_M": "no L_M", "no L_A": "no appearance encoder",
                      "no L_edge": "no L_edge", "with L_M": "all terms", "without L_M": "no L_M"}

#: Temporal band (Hz) of the classical methods on the 30 fps circles videos: everything but the mean.
CIRCLES_BAND = (1.0, 14.0)
#: Temporal band (Hz) of the classical methods on the 240 fps rod: its 20, 45 and 70 Hz, centred on 45 Hz
#: (the acceleration methods are tuned to the band's centre).
ROD_BAND = (10.0, 80.0)


def label(method: str) -> str:
    """A method's name with its source, for tables and figures.

    Examples:
        >>> label("light"), label("jerk")
        ('light (M2)', 'jerk (after Takeda et al., CVPR 2018)')
    """
    nets = {"light": "light (M2)", "base": "base (M1)", "oh2018": "oh2018 (Oh et al. 2018)"}
    if method in nets:
        return nets[method]
    if method in CLASSICAL:
        return f"{method} ({CLASSICAL[method].reference.split(' (')[0]})"
    return method


# --------------------------------------------------------------------------------------------------------
# A small table type that shows as markdown in a notebook
# --------------------------------------------------------------------------------------------------------


def _fmt(v: object, spec: str | None = None) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool) or isinstance(v, str):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return f"{v:,}"
    if isinstance(v, (float, np.floating)) and spec is not None and math.isfinite(v):
        return format(v, spec)
    if isinstance(v, (float, np.floating)):
        return "nan" if not math.isfinite(v) else f"{v:.3f}" if abs(v) < 100 else f"{v:.1f}"
    return str(v)


@dataclass(frozen=True)
class Table:
    """Rows of values under named columns; shown as markdown in Jupyter and as aligned text elsewhere.

    Values stay numbers (for tests and further use): :meth:`value` reads one. ``None`` shows as ``-``; a float
    shows with three decimals (one from 100 on) unless ``formats`` gives its column a format spec (e.g. ``".1f"``).

    Examples:
        >>> t = Table("T", ("model", "params"), (("light", 112318),))
        >>> t.value("light", "params")
        112318
        >>> print(t.to_markdown())
        **T**
        <BLANKLINE>
        | model | params |
        | --- | --- |
        | light | 112,318 |
    """

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    note: str = ""
    formats: tuple[tuple[str, str], ...] = ()   # (column, format spec) pairs

    def _cells(self, row: tuple[object, ...]) -> list[str]:
        spec = dict(self.formats)
        return [_fmt(v, spec.get(c)) for c, v in zip(self.columns, row)]

    def value(self, row: str, column: str) -> object:
        """The value in the row whose first cell is ``row``, under ``column``."""
        j = self.columns.index(column)
        for r in self.rows:
            if r[0] == row:
                return r[j]
        raise KeyError(f"no row {row!r} in table {self.title!r}")

    def to_markdown(self) -> str:
        lines = [f"**{self.title}**", "", "| " + " | ".join(self.columns) + " |",
                 "| " + " | ".join("---" for _ in self.columns) + " |"]
        lines += ["| " + " | ".join(self._cells(r)) + " |" for r in self.rows]
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __str__(self) -> str:
        cells = [list(self.columns)] + [self._cells(r) for r in self.rows]
        widths = [max(len(row[j]) for row in cells) for j in range(len(self.columns))]
        text = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
        return "\n".join([self.title, *text] + ([self.note] if self.note else []))

    __repr__ = __str__


# --------------------------------------------------------------------------------------------------------
# Running any method on a clip
# --------------------------------------------------------------------------------------------------------


def load_networks(names: Iterable[str] = NETWORKS,
                  weights: Mapping[str, str] = PAPER_WEIGHTS) -> dict[str, nn.Module]:
    """The shipped trained networks by name (:func:`mmkit.load_pretrained`), in eval mode on the CPU. The paper's
    networks load as the paper trained them (``weights``: ``"light"`` is ``light_paper``'s weights); another name,
    e.g. ``"light_no_lm"``, loads as itself. ``weights={}`` loads each name's own weights (the default ``light``)."""
    from ..pretrained import load_pretrained

    return {name: load_pretrained(weights.get(name, name)) for name in names}


def training_table(names: Sequence[str] = ("light_paper", "light_no_lm", "base_paper", "oh2018")) -> Table:
    """How much training each shipped network saw, beside the paper's: pairs seen, epochs of its data set, the share
    of the paper's :data:`PAPER_EPOCHS`, the pair size and whether the perceptual loss L_p was on (read from the
    ``NAME.json`` that ships with the weights). Differences here explain most of the gaps in Tables 2-4.

    Examples:
        >>> t = training_table(["light_paper"])
        >>> t.value("light_paper", "pair size (px)"), t.value("light_paper", "L_p on")
        (128, False)
    """
    from ..pretrained import info

    rows = []
    for name in names:
        meta = info(name)
        cfg = meta["train_config"]
        seen = meta["step"] * cfg["batch_size"]
        epochs = seen / cfg["dataset_size"] if cfg["dataset_size"] else None   # None: a fresh pair every sample
        rows.append((label(name), seen, epochs, epochs / PAPER_EPOCHS if epochs else None, cfg["data"]["size"],
                     bool(meta.get("perceptual_enabled", False))))
    rows.append(("paper", None, float(PAPER_EPOCHS), 1.0, PAPER_PAIR_SIZE, True))
    return Table("Training of the shipped networks and the paper's",
                 ("model", "pairs seen", "epochs", "share of the paper's epochs", "pair size (px)", "L_p on"),
                 tuple(rows), formats=(("epochs", ".1f"), ("share of the paper's epochs", ".1%")))


def run_method(method: str, frames: np.ndarray, gain: float, fps: float, *, mode: str = "dynamic",
               band: tuple[float, float] = CIRCLES_BAND, nets: Mapping[str, nn.Module] | None = None,
               **params) -> np.ndarray:
    """Magnify ``frames`` (T, H, W, 3) uint8 with ``method`` so that the output motion is ``gain`` times the input's.

    A network (a name in ``nets``, else its shipped weights) runs in ``mode`` (``dynamic``: each frame against
    the previous one, the paper's use; ``static``: against frame 0) with ``alpha = gain``. A classical method
    runs on the whole clip with ``alpha = gain - 1`` (its ``1 + alpha`` convention) and the temporal ``band``
    (Hz); ``params`` go to its config. Returns (T, H, W, 3) uint8.
    """
    if method in CLASSICAL:
        return magnify(frames, gain - 1.0, method=method, fps=fps, low_hz=band[0], high_hz=band[1],
                       params=params, device="cpu")
    if method not in MODEL_NAMES and (nets is None or method not in nets):
        raise MMKitError(f"unknown method {method!r}; choose one of {list(MODEL_NAMES) + list(CLASSICAL)}")
    net = nets[method] if nets is not None and method in nets else load_networks([method])[method]
    cfg = MagnifyConfig(alpha=gain, mode=mode, method=method, device="cpu")
    return np.stack(list(magnify_frames(iter(frames), cfg, net=net, fps=fps)))
