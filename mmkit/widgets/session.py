"""The session: a :class:`Magnifier` on one clip, that keeps what each method computes before alpha enters (its back
end) and re-renders only what a changed setting needs. What each method keeps is in :mod:`mmkit.widgets`."""
from __future__ import annotations

import collections
import operator
import threading

import numpy as np
import torch

from ..checks import check_clip, check_number
from ..classical.registry import PHASE_METHODS
from ..devices import resolve_device
from ..engine import CLASSICAL, MODES, MagnifyConfig, load_method
from ..errors import MMKitError
from ..filters import check_band
from ..pretrained import DEFAULT_NETWORK
from ..models import MagnificationNet, Oh2018Net
from ..plots import temporal_slice
from ..pretrained import network_names
from .backend import Stats, _Backend, _Setting
from .classical_backends import _classical_config, _LinearBackend, _PhaseBackend, _RieszBackend, _WholeClipBackend
from .network_backends import _NetworkBackend, _Oh2018Backend

#: Every method the session and the widget offer: the networks (the paper's, then other shipped weights such as
#: ``light_no_lm``), then the classical methods by name.
METHODS: tuple[str, ...] = tuple(network_names()) + tuple(CLASSICAL)


def methods() -> list[str]:
    """:data:`METHODS`, plus any classical method registered since import."""
    return network_names() + list(CLASSICAL)


#: Settings whose rendered frames are kept (moving a slider back to a recent value costs nothing).
RENDER_CACHE_SETTINGS = 8
#: Feature rows each side of the line that a network's slice preview decodes (:meth:`Magnifier.quick_slice`):
#: 6 of the 80 at the course's 160 px keeps a preview within a few levels of the exact slice at a fifth of its cost.
PREVIEW_MARGIN = 6



# ---------------------------------------------------------------------------------------------- checks

def _number(value: object, what: str) -> float:
    if isinstance(value, bool):
        raise MMKitError(f"{what} must be a number, got {value!r}")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise MMKitError(f"{what} must be a number, got {value!r}") from None


def check_alpha(alpha: object) -> float:
    """``alpha`` as a float, or :class:`MMKitError` unless it is finite, >= 0 and at most 1000.

    >>> check_alpha(20)
    20.0
    >>> check_alpha(float("nan"))
    Traceback (most recent call last):
    ...
    mmkit.errors.MMKitError: alpha must be a finite number > 0, got nan
    """
    a = _number(alpha, "alpha")
    if a != 0:  # 0 is the slider's resting point here (the input), though mmkit.magnify refuses it
        MagnifyConfig(alpha=a).validate()  # the engine's rule, one definition
    return a


def check_index(index: object, n: int, what: str = "frame index") -> int:
    """``index`` as an int in ``0 .. n - 1``, or :class:`MMKitError` saying the valid range."""
    if isinstance(index, bool):
        raise MMKitError(f"{what} must be an integer, got {index!r}")
    try:
        i = operator.index(index)  # type: ignore[arg-type]
    except TypeError:
        raise MMKitError(f"{what} must be an integer, got {index!r}") from None
    if not 0 <= i < n:
        raise MMKitError(f"{what} {i} is out of range: valid are 0 to {n - 1}")
    return i


def _check_frames(frames: object) -> np.ndarray:
    check_clip(frames, for_what="to see motion")
    if frames.dtype != np.uint8:
        raise MMKitError(f"frames must be uint8, got {frames.dtype}; convert with (x * 255).round().astype(np.uint8)")
    return frames


def _read_only(frame: np.ndarray) -> np.ndarray:
    frame.flags.writeable = False  # cached: a caller must not change it in place
    return frame



# ---------------------------------------------------------------------------------------------- the session

class Magnifier:
    """A magnification session on one clip: set alpha, method, mode or band, then ask for frames or slices.

    Nothing is computed until a frame is asked for; then the method's expensive part runs once (see
    :mod:`mmkit.widgets` for what is kept) and later calls redo only what the changed setting needs. Each method's
    cache stays while the session lives, so switching back to a method costs nothing.

    Args:
        frames: the clip, ``(T, H, W, 3)`` uint8, ``T >= 2``.
        fps: its frame rate (the temporal filters' sampling rate).
        method: a name of :data:`METHODS` or a checkpoint path of one of the paper's networks.
        mode: ``"dynamic"``, ``"static"`` or ``"temporal"`` (networks; classical methods ignore it).
        alpha: magnification factor (networks: motion x alpha; classical: x (1 + alpha)).
        low_hz, high_hz: the pass band, ``0 < low < high < fps / 2`` (temporal mode and classical methods).
        reference: the reference frame of static and temporal mode.
        filter, order, fir_taps: the temporal mode's filter, as in :class:`mmkit.engine.MagnifyConfig`.
        params: per classical method, its other config fields, e.g. ``{"riesz": {"riesz": "fourier"}}``.
        nets: networks to use instead of the shipped weights, by method name (e.g. a model just trained).
        batch_size: frames per encoder and decoder call.
        device: ``"auto"`` (a GPU when there is one), ``"cpu"``, ``"cuda"``.
        max_memory_gb: a method whose cache would need more raises :class:`MMKitError` instead.

    Shape:
        :meth:`frame` ``(H, W, 3)`` uint8; :meth:`clip` ``(T, H, W, 3)`` uint8; :meth:`slice` ``(T, W, 3)`` for a
        row, ``(T, H, 3)`` for a column.

    :attr:`stats` counts the work done: ``encoder_frames`` (frames or pairs through a network's encoder),
    ``pyramid_frames`` (frames decomposed by a classical method), ``band_passes`` (temporal filterings of a whole
    clip's features) and ``rendered_frames`` (frames through the last stage).
    """

    def __init__(self, frames: np.ndarray, fps: float = 30.0, method: str = DEFAULT_NETWORK, mode: str = "dynamic",
                 alpha: float = 10.0, low_hz: float = 0.5, high_hz: float = 3.0, *, reference: int = 0,
                 filter: str = "butter", order: int = 2, fir_taps: int = 31, params: dict | None = None,
                 nets: dict | None = None, batch_size: int = 4, device: str = "auto", channels_last: bool = True,
                 max_memory_gb: float = 4.0) -> None:
        self.frames = _check_frames(frames)
        check_number("fps", fps, strict=True)
        self.fps = float(fps)
        check_index(reference, len(frames), "reference frame")
        cfg = MagnifyConfig(reference=reference, filter=filter, order=order, fir_taps=fir_taps, batch_size=batch_size)
        cfg.validate()
        self.opts = {"reference": int(reference), "filter": filter, "order": order, "fir_taps": fir_taps,
                     "batch_size": batch_size, "max_memory_gb": max_memory_gb}
        self.params = dict(params or {})
        self.nets = dict(nets or {})
        self.device = resolve_device(device)
        self.channels_last = channels_last
        self.stats: Stats = collections.Counter(encoder_frames=0, pyramid_frames=0, band_passes=0, rendered_frames=0,
                                                preview_lines=0)
        self._backends: dict[str, _Backend] = {}
        self._rendered: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.RLock()   # the widget renders exact slices in a thread; one render at a time
        self._method, self._mode = "light", "dynamic"
        with self._lock:
            self._alpha = check_alpha(alpha)
        with self._lock:
            self._band = self._check_band(low_hz, high_hz)
        self.set_method(method)
        self.set_mode(mode)

    # -- settings ---------------------------------------------------------------------------------------
    @property
    def method(self) -> str:
        return self._method

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def alpha(self) -> float:
        return self._alpha

    @property
    def band(self) -> tuple[float, float]:
        return self._band

    @property
    def n_frames(self) -> int:
        return len(self.frames)

    @property
    def uses_mode(self) -> bool:
        """Whether the current method has modes (the networks do; classical methods ignore the mode)."""
        return self.method not in CLASSICAL

    @property
    def uses_band(self) -> bool:
        """Whether the pass band matters now: classical methods, and the networks' temporal mode."""
        return self.method in CLASSICAL or self.mode == "temporal"

    def set_alpha(self, alpha: float) -> None:
        """Set alpha (finite, >= 0). Costs nothing now; the next frame re-runs only the method's last stage."""
        self._alpha = check_alpha(alpha)

    def set_band(self, low_hz: float, high_hz: float) -> None:
        """Set the pass band in Hz (``0 < low < high < fps / 2``); the next frame re-filters the kept features."""
        self._band = self._check_band(low_hz, high_hz)

    def set_mode(self, mode: str) -> None:
        """``"dynamic"``, ``"static"`` or ``"temporal"``; oh2018 has no temporal mode."""
        if mode not in MODES:
            raise MMKitError(f"unknown mode {mode!r}; choose one of {list(MODES)}")
        if mode == "temporal" and self._method == "oh2018":
            raise MMKitError("oh2018 has no temporal mode (only the paper's networks band-pass their motion "
                             "features); choose dynamic or static")
        with self._lock:
            self._mode = mode

    def set_method(self, method: str) -> None:
        """A name of :data:`METHODS` or a checkpoint path; its cache is built at the first frame asked for."""
        if not isinstance(method, str):
            raise MMKitError(f"method must be a name or a checkpoint path, got {method!r}")
        if method not in methods() and not method.endswith(".pt"):
            raise MMKitError(f"unknown method {method!r}; choose one of {methods()} or give a checkpoint path")
        if method == "oh2018" and self._mode == "temporal":
            raise MMKitError("oh2018 has no temporal mode (only the paper's networks band-pass their motion "
                             "features); switch the mode to dynamic or static first")
        with self._lock:
            self._method = method

    def configure(self, method: str | None = None, mode: str | None = None, alpha: float | None = None,
                  band: tuple[float, float] | None = None) -> None:
        """Set several settings at once (None keeps one), in an order that always works: one by one, going from
        the base network in temporal mode to oh2018 in static mode would fail (oh2018 has no temporal mode), so
        the method is set while the mode is static. A refused setting raises :class:`MMKitError` and changes
        nothing. Costs nothing now, like each ``set_...``."""
        with self._lock:          # the widget's thread renders under this lock: it never sees a half-set state
            self._configure(method, mode, alpha, band)

    def _configure(self, method: str | None, mode: str | None, alpha: float | None,
                   band: tuple[float, float] | None) -> None:
        before = (self._method, self._mode, self._alpha, self._band)
        try:
            self._mode = "static"               # valid with every method, so that any method can be set next
            if method is not None:
                self.set_method(method)
            self.set_mode(before[1] if mode is None else mode)
            if alpha is not None:
                self.set_alpha(alpha)
            if band is not None:
                self.set_band(*band)
        except MMKitError:
            self._method, self._mode, self._alpha, self._band = before
            raise

    def _check_band(self, low_hz: object, high_hz: object) -> tuple[float, float]:
        band = (_number(low_hz, "low cut-off"), _number(high_hz, "high cut-off"))
        check_band(self.fps, *band)
        return band

    # -- frames -----------------------------------------------------------------------------------------
    def frame(self, t: int) -> np.ndarray:
        """Magnified frame ``t`` at the current settings, ``(H, W, 3)`` uint8 (read-only; copy to change it)."""
        t = check_index(t, self.n_frames)
        return self._render([t])[0]

    def clip(self) -> np.ndarray:
        """Every magnified frame at the current settings, ``(T, H, W, 3)`` uint8."""
        return np.stack(self._render(list(range(self.n_frames))))

    def missing_batches(self) -> list[list[int]]:
        """The frames not yet rendered at the current settings, in batches of ``batch_size`` aligned as the
        engine's (a batch rendered on its own rounds as the engine does); ``[]`` when every frame is kept."""
        with self._lock:
            done = self._rendered.get((self.method, self._setting()), {})
            bs = self.opts["batch_size"]
            batches = [[t for t in range(s, min(s + bs, self.n_frames)) if t not in done]
                       for s in range(0, self.n_frames, bs)]
            return [b for b in batches if b]

    def render(self, ts: list[int]) -> None:
        """Render frames ``ts`` at the current settings and keep them (what :meth:`frame` and :meth:`slice` do
        on demand; the widget calls it a batch at a time, so that the next slider move can stop it)."""
        self._render([check_index(t, self.n_frames) for t in ts])

    def slice(self, row: int | None = None, col: int | None = None) -> np.ndarray:
        """Spatio-temporal slice of the magnified clip at ``row`` (``(T, W, 3)``, x-t) or ``col`` (``(T, H, 3)``).

        With neither, the middle row. It needs every frame at the current settings (rendered once, then kept).
        """
        row, col = self._slice_at(row, col)
        return temporal_slice(self.clip(), row=row, col=col)

    def quick_slice(self, row: int | None = None, col: int | None = None,
                    margin: int | None = None) -> tuple[np.ndarray, bool]:
        """The slice as :meth:`slice`, fast: ``(slice, exact)``.

        Exact (``True``) when every frame is already rendered at these settings, or for the classical methods
        (whose slices take a fraction of a second). For a network otherwise, a preview: the manipulator and
        decoder run on a band of ``margin`` (default :data:`PREVIEW_MARGIN`) feature rows each side of the
        line, all frames at once, instead of on every whole frame. At the course's 160 px, a preview costs
        a fifth to a sixth of the exact slice and differs from it by about a grey level on average (the
        band's cut edges; ``tests/test_widgets.py`` bounds it). The widget shows it first, then the exact one.
        """
        row, col = self._slice_at(row, col)
        axis, index = (0, row) if row is not None else (1, col)
        with self._lock:
            key = (self.method, self._setting())
            done = self._rendered.get(key, {})
            if len(done) < self.n_frames:
                line = self.backend().preview_line(axis, index, self._full_setting(),
                                                   PREVIEW_MARGIN if margin is None else margin)
                if line is not None:
                    return line, False
            return self.slice(row=row, col=col), True

    def input_slice(self, row: int | None = None, col: int | None = None) -> np.ndarray:
        """The same slice of the input clip."""
        row, col = self._slice_at(row, col)
        return temporal_slice(self.frames, row=row, col=col)

    def _slice_at(self, row: int | None, col: int | None) -> tuple[int | None, int | None]:
        if row is not None and col is not None:
            raise MMKitError("give a row or a column for the slice, not both")
        h, w = self.frames.shape[1:3]
        if col is not None:
            return None, check_index(col, w, "slice column")
        return check_index(h // 2 if row is None else row, h, "slice row"), None

    def _full_setting(self) -> _Setting:
        """Every setting, for the backend (which ignores what its method does not use)."""
        return _Setting(self.mode, self.alpha, self.band)

    def _setting(self) -> _Setting:
        uses_mode, uses_band = self.uses_mode, self.uses_band
        return _Setting(self.mode if uses_mode else "", self.alpha, self.band if uses_band else (0.0, 0.0))

    def _render(self, ts: list[int]) -> list[np.ndarray]:
        with self._lock:   # the settings cannot change meanwhile: the setters take the lock
            key = (self.method, self._setting())
            done = self._rendered.setdefault(key, {})
            self._rendered.move_to_end(key)
            while len(self._rendered) > RENDER_CACHE_SETTINGS:
                self._rendered.popitem(last=False)
            todo = [t for t in ts if t not in done]
            if todo:
                setting = self._full_setting()
                for t, f in zip(todo, self.backend().render(todo, setting)):
                    done[t] = _read_only(f)
            return [done[t] for t in ts]

    def backend(self) -> _Backend:
        """The current method's cache, built on first use."""
        if self.method not in self._backends:
            self._backends[self.method] = self._make_backend(self.method)
        b = self._backends[self.method]
        if b.uses_mode and self.mode not in b.modes:
            raise MMKitError(f"{self.method} has no {self.mode} mode (only the paper's networks band-pass their "
                             "motion features); choose dynamic or static")
        return b

    def _make_backend(self, name: str) -> _Backend:
        args = (self.frames, self.fps)
        if name in CLASSICAL:
            params = self.params.get(name, {})
            if name == "linear":
                return _LinearBackend(*args, _classical_config(name, self.alpha, self.band, params), self.opts,
                                      self.stats, self.device)
            if name == "riesz":
                return _RieszBackend(*args, _classical_config(name, self.alpha, self.band, params), self.opts,
                                     self.stats, self.device)
            if name in PHASE_METHODS:
                return _PhaseBackend(name, *args, _classical_config(name, self.alpha, self.band, params), self.opts,
                                     self.stats, self.device)
            return _WholeClipBackend(name, *args, params, self.stats, self.device)
        net = self.nets.get(name)
        net = load_method(name, self.device) if net is None else net.to(self.device).eval()
        if self.channels_last:
            net = net.to(memory_format=torch.channels_last)
        if isinstance(net, Oh2018Net):
            return _Oh2018Backend(net, *args, self.opts, self.stats, self.device)
        if isinstance(net, MagnificationNet):
            return _NetworkBackend(net, *args, self.opts, self.stats, self.device)
        raise MMKitError(f"{name!r} is not one of mmkit's networks (got {type(net).__name__})")

    def __repr__(self) -> str:
        t, h, w, _ = self.frames.shape
        extra = f", mode={self.mode}" if self.uses_mode else ""
        band = f", band={self.band[0]:g}-{self.band[1]:g} Hz" if self.uses_band else ""
        return f"Magnifier({t} frames of {h}x{w} at {self.fps:g} fps, method={self.method}{extra}, alpha={self.alpha:g}{band})"


def _label(mag: Magnifier) -> str:
    mode = f" {mag.mode}" if mag.uses_mode else ""
    return f"{mag.method}{mode}, alpha={mag.alpha:g}"

