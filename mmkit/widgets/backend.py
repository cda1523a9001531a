"""What every method's cache in a :class:`~mmkit.widgets.session.Magnifier` is: a back end that renders frames at a
setting (mode, alpha, band), and the check that its kept features fit in memory. The back ends themselves are in
:mod:`mmkit.widgets.network_backends` and :mod:`mmkit.widgets.classical_backends`."""
from __future__ import annotations

import collections
from dataclasses import dataclass
from typing import Callable, TypeVar

import numpy as np

from ..engine import MODES
from ..errors import MMKitError

Stats = collections.Counter
T = TypeVar("T")


def _check_memory(n_bytes: float, what: str, max_memory_gb: float) -> None:
    gib = n_bytes / 2**30
    if gib > max_memory_gb:
        raise MMKitError(f"keeping {what} needs about {gib:.2f} GiB (> max_memory_gb={max_memory_gb}): use fewer "
                         "frames, crop or down-scale the clip, or raise max_memory_gb")


@dataclass(frozen=True)
class _Setting:
    """What one rendered frame depends on besides its index."""

    mode: str
    alpha: float
    band: tuple[float, float]


class _Backend:
    """One method's cache: ``render(ts, setting)`` gives the frames ``ts`` (uint8) at ``setting``."""

    uses_mode = False
    uses_band = True
    modes: tuple[str, ...] = MODES

    def render(self, ts: list[int], s: _Setting) -> list[np.ndarray]:
        raise NotImplementedError

    def _per_band(self, band: tuple[float, float], compute: Callable[[tuple[float, float]], T]) -> T:
        """``compute(band)``, kept until another band is asked for; each new band counts in ``stats["band_passes"]``."""
        if getattr(self, "_band", None) != band:
            self._band_value = compute(band)
            self._band = band
            self.stats["band_passes"] += 1
        return self._band_value

    def preview_line(self, axis: int, index: int, s: _Setting, margin: int) -> np.ndarray | None:
        """Line ``index`` (a row for ``axis`` 0, a column for 1) of every frame at ``s``, approximately and
        cheaply; None where the method has no cheaper way than rendering every frame."""
        return None

