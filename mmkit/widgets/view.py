"""The interactive views (ipywidgets): :class:`MagnifierWidget`, the sliders of a
:class:`~mmkit.widgets.session.Magnifier` and the two images they drive, and :class:`Sliders`, sliders on any
figure; both also store a picture of what they show, for a notebook read without a kernel."""
from __future__ import annotations

import base64
import io
import sys
import threading
import time
from collections.abc import Callable

import numpy as np

from ..compare import compact_png
from ..course import figure_bytes
from ..engine import MODES
from ..errors import MMKitError
from .session import Magnifier, _label, check_index, methods


def _png(image: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buf, format="png")
    return buf.getvalue()


def frame_pair_image(mag: Magnifier, t: int, row: int) -> np.ndarray:
    """Input | magnified frame ``t``, side by side, with the slice row drawn in red on both, ``(H, 2W + 2, 3)``."""
    a, b = mag.frames[t].copy(), mag.frame(t).copy()
    for img in (a, b):
        img[row] = (255, 0, 0)
    gap = np.full((a.shape[0], 2, 3), 255, np.uint8)
    return np.concatenate([a, gap, b], axis=1)


def slice_pair_image(mag: Magnifier, row: int, magnified: np.ndarray | None = None) -> np.ndarray:
    """Input | magnified x-t slice at ``row`` (``magnified``, by default :meth:`Magnifier.slice`); each frame's
    line repeated so the slice is about as tall as a frame."""
    rep = max(1, round(mag.frames.shape[1] / mag.n_frames))
    magnified = mag.slice(row=row) if magnified is None else magnified
    a, b = (np.repeat(s, rep, axis=0) for s in (mag.input_slice(row=row), magnified))
    gap = np.full((a.shape[0], 2, 3), 255, np.uint8)
    return np.concatenate([a, gap, b], axis=1)


def opening_frame(mag: Magnifier) -> int:
    """The frame the widget opens on: the one whose input differs most from the frame it is compared with (the
    previous frame in dynamic mode, else the reference frame), so that moving alpha visibly acts at once. Frame 0
    would not do: in static mode it is the reference itself, in dynamic mode it has no previous frame, so there is
    no motion there to magnify."""
    frames = mag.frames.astype(np.float32)
    if mag.uses_mode and mag.mode == "dynamic":
        change = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2, 3))
        return int(np.argmax(change)) + 1
    change = np.abs(frames - frames[mag.opts["reference"]]).mean(axis=(1, 2, 3))
    return int(np.argmax(change))


#: Width of :meth:`MagnifierWidget.picture`: the course's figure width (8 in at 80 dpi).
PICTURE_WIDTH_PX = 640


class MagnifierWidget:
    """The sliders of a :class:`Magnifier` and the two images they drive; each control calls one method here.

    ``on_method``, ``on_mode``, ``on_alpha``, ``on_band``, ``on_frame`` and ``on_row`` are the callbacks (each
    takes an ipywidgets change dict). A setting the session refuses (e.g. oh2018 in temporal mode) puts its
    message in :attr:`status` and the control back where it was. The band slider is active only where the band
    matters, the mode menu only for the networks. Sliders update on release (``continuous_update=False``).
    It opens on ``frame``, by default :func:`opening_frame`: where the motion is, so that alpha acts at once.

    With ``background`` (the default, but on Colab), a network's exact slice after a move is rendered in a
    thread, a batch of frames at a time, while the controls stay live: the next move stops it within one batch
    and redraws at once, instead of waiting seconds behind an exact slice nobody will look at. :meth:`wait`
    waits for it. The first drawing is always exact, so that a notebook's stored picture is. Colab's page does
    not show what a thread changes in a widget (googlecolab/colabtools#3373), so there the exact slice comes
    in the foreground, as with ``background=False``.
    """

    def __init__(self, mag: Magnifier, display_scale: float = 2.0, alpha_max: float = 100.0,
                 frame: int | None = None, background: bool | None = None) -> None:
        import ipywidgets as W

        self.mag = mag
        h, w = mag.frames.shape[1:3]
        nyquist = mag.fps / 2
        step = 0.1 if nyquist > 1 else nyquist / 20
        style = {"description_width": "90px"}
        self.method = W.Dropdown(options=list(dict.fromkeys(methods() + [mag.method])), value=mag.method,
                                 description="method", style=style)
        self.mode = W.Dropdown(options=list(MODES), value=mag.mode, description="mode", style=style)
        self.alpha = W.FloatSlider(value=mag.alpha, min=0.0, max=max(alpha_max, mag.alpha), step=0.5,
                                   description="alpha", continuous_update=False, style=style)
        lo, hi = mag.band
        self.band = W.FloatRangeSlider(value=(lo, hi), min=min(step, lo), max=max(hi, nyquist - step), step=step,
                                       description="band (Hz)", continuous_update=False, readout_format=".1f",
                                       style=style)
        frame = opening_frame(mag) if frame is None else check_index(frame, mag.n_frames)
        self.frame = W.IntSlider(value=frame, min=0, max=mag.n_frames - 1, description="frame",
                                 continuous_update=False, style=style)
        self.row = W.IntSlider(value=h // 2, min=0, max=h - 1, description="slice row", continuous_update=False,
                               style=style)
        self.frame_view = W.Image(format="png", layout=W.Layout(width=f"{int((2 * w + 2) * display_scale)}px"))
        self.slice_view = W.Image(format="png", layout=W.Layout(width=f"{int((2 * w + 2) * display_scale)}px"))
        self.frame_caption = W.HTML()
        self.slice_caption = W.HTML()
        self.status = W.HTML()
        self._busy = False
        self.timings: dict[str, float] = {}                     # seconds of each step of the last refresh
        self._shown_frame: tuple[int, int, str] | None = None   # (frame, slice row, label) of the frame on show
        self._shown_slice: tuple[int, str] | None = None        # (slice row, label) of the slice on show
        self.background = threads_show() if background is None else background
        self._slice_is_preview = False
        self._refiner: threading.Thread | None = None            # renders the exact slice after a preview
        self._stop = threading.Event()
        for control, callback in ((self.method, self.on_method), (self.mode, self.on_mode),
                                  (self.alpha, self.on_alpha), (self.band, self.on_band),
                                  (self.frame, self.on_frame), (self.row, self.on_row)):
            control.observe(callback, names="value")
        controls = W.VBox([W.HBox([self.method, self.mode]), W.HBox([self.alpha, self.band]),
                           W.HBox([self.frame, self.row])])
        views = W.HBox([W.VBox([self.frame_caption, self.frame_view]), W.VBox([self.slice_caption, self.slice_view])])
        self.box = W.VBox([controls, views, self.status])
        self._sync_enabled()
        self.refresh(background=False)

    # -- callbacks --------------------------------------------------------------------------------------
    def on_method(self, change: dict) -> None:
        self._apply(self.mag.set_method, change, self.method)

    def on_mode(self, change: dict) -> None:
        self._apply(self.mag.set_mode, change, self.mode)

    def on_alpha(self, change: dict) -> None:
        self._apply(self.mag.set_alpha, change, self.alpha)

    def on_band(self, change: dict) -> None:
        self._apply(lambda band: self.mag.set_band(*band), change, self.band)

    def on_frame(self, change: dict) -> None:
        self.refresh(slice_too=False)

    def on_row(self, change: dict) -> None:
        self.refresh()

    def _apply(self, setter: Callable, change: dict, control) -> None:
        if self._busy:
            return
        self.stop_refining()        # the session's settings change under it otherwise
        try:
            setter(change["new"])
        except MMKitError as e:
            self._busy = True
            try:
                control.value = change["old"]
            finally:
                self._busy = False
            self._say(str(e), error=True)
            if self._slice_is_preview and self.background:     # nothing changed: go on with the exact slice
                self._start_refining(self._shown_slice[0], f"{e}; the exact slice", dict(self.mag.stats))
            return
        self._sync_enabled()
        self.refresh()

    # -- drawing ----------------------------------------------------------------------------------------
    def _sync_enabled(self) -> None:
        self.mode.disabled = not self.mag.uses_mode
        self.band.disabled = not self.mag.uses_band

    def refresh(self, slice_too: bool = True, background: bool | None = None) -> None:
        """Draw the frame (and the slice) at the session's current settings; a refused one shows its message.

        The status line says "computing ..." while work goes on. For a network whose frames at these settings
        are not all rendered yet, the slice comes in two steps: a preview (:meth:`Magnifier.quick_slice`, a
        fraction of a second), then the exact slice, which renders every frame (so that later frame and row moves
        cost nothing): in a thread when ``background`` (by default :attr:`background`), here otherwise.
        :attr:`timings` keeps the seconds of each step of the last refresh ("slice" once the exact slice is on
        show).
        """
        self.stop_refining()
        background = self.background if background is None else background
        t, row = self.frame.value, self.row.value
        before = dict(self.mag.stats)
        self.timings = {}
        try:
            self._say(f"computing frame {t}...", busy=True)
            start = time.perf_counter()
            self.frame_view.value = _png(frame_pair_image(self.mag, t, row))
            self.timings["frame"] = time.perf_counter() - start
            self.frame_caption.value = f"<b>input | {_label(self.mag)}</b>, frame {t} (slice row {row} in red)"
            self._shown_frame = (t, row, _label(self.mag))
            msg = f"frame: {self.timings['frame']:.2f} s"
            if not slice_too and self._slice_is_preview and background:
                # a frame move stopped the exact slice of the preview on show: go on with it
                self._say(f"{msg}; computing the exact slice ({self.mag.n_frames} frames) while the controls stay "
                          "live...", busy=True)
                self._start_refining(self._shown_slice[0], msg + "; then the exact slice", before)
                return
            if slice_too:
                n = self.mag.n_frames
                self._say(f"computing the x-t slice ({n} frames)...", busy=True)
                _let_the_browser_draw()
                start = time.perf_counter()
                quick, exact = self.mag.quick_slice(row=row)
                if not exact:
                    self._show_slice(row, quick, preview=True)
                    self.timings["slice preview"] = time.perf_counter() - start
                    msg += f"; slice preview: {self.timings['slice preview']:.2f} s, then the exact slice ({n} frames)"
                    if background:
                        self._say(f"preview of the slice shown ({self.timings['slice preview']:.2f} s); computing "
                                  f"the exact slice ({n} frames) while the controls stay live...", busy=True)
                        self._start_refining(row, msg, before)
                        return
                    self._say(f"preview of the slice shown ({self.timings['slice preview']:.2f} s); computing the "
                              f"exact slice ({n} frames)...", busy=True)
                    _let_the_browser_draw()
                    start = time.perf_counter()
                    quick = self.mag.slice(row=row)
                    msg += f": {time.perf_counter() - start:.2f} s"
                else:
                    msg += f"; slice ({n} frames): {time.perf_counter() - start:.2f} s"
                self._show_slice(row, quick, preview=False)
                self.timings["slice"] = time.perf_counter() - start
        except MMKitError as e:
            self._say(str(e), error=True)
            return
        self._say_done(msg, before)

    def _say_done(self, msg: str, before: dict) -> None:
        done = {k: self.mag.stats[k] - before.get(k, 0) for k in self.mag.stats}
        self._say(f"{msg}. Work for this update: {done['encoder_frames']} encoded, {done['pyramid_frames']} "
                  f"decomposed, {done['band_passes']} band-passes, {done['rendered_frames']} frames rendered.")

    # -- the exact slice in the background -----------------------------------------------------------------
    def _start_refining(self, row: int, msg: str, before: dict) -> None:
        self._stop = threading.Event()
        self._refiner = threading.Thread(target=self._refine, args=(row, repr(self.mag), msg, before, self._stop),
                                         name="mmkit-exact-slice", daemon=True)
        self._refiner.start()

    def _refine(self, row: int, settings: str, msg: str, before: dict, stop: threading.Event) -> None:
        """Render the frames the exact slice needs, a batch at a time, unless ``stop`` is set; then show it.
        If the session's ``settings`` (its repr) were changed from outside the widget meanwhile, say so."""
        if stop.wait(DRAW_PAUSE_S):    # the preview is drawn first: the batches below take both cores
            return
        start = time.perf_counter()
        try:
            for batch in self.mag.missing_batches():
                if stop.is_set():
                    return
                self.mag.render(batch)
            if stop.is_set():
                return
            if repr(self.mag) != settings:
                self._say("the settings were changed outside the widget: move a control to redraw")
                return
            image = self.mag.slice(row=row)
            self._show_slice(row, image, preview=False)
            self.timings["slice"] = time.perf_counter() - start
            self._say_done(f"{msg}: {self.timings['slice']:.2f} s", before)
        except Exception as e:     # a thread's exception would go nowhere: say it where the student looks
            try:
                self._say(str(e) if isinstance(e, MMKitError) else f"the exact slice failed: {e!r}", error=True)
                self.slice_caption.value = self.slice_caption.value.replace("exact slice coming",
                                                                            "the exact slice failed")
            except Exception:
                import traceback

                traceback.print_exc()

    def stop_refining(self) -> None:
        """Stop the exact slice being rendered in the background, if any (within one batch of frames)."""
        if self._refiner is not None and self._refiner is not threading.current_thread():
            self._stop.set()
            self._refiner.join()
            self._refiner = None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the exact slice being rendered in the background, if any; True when the slice on show is
        exact, False when it is still a preview (``timeout`` seconds passed, or the exact slice failed)."""
        if self._refiner is not None:
            self._refiner.join(timeout)
            if self._refiner.is_alive():
                return False
            self._refiner = None
        return not self._slice_is_preview

    def _show_slice(self, row: int, image: np.ndarray, preview: bool) -> None:
        self.slice_view.value = _png(slice_pair_image(self.mag, row, image))
        self._slice_is_preview = preview
        what = "preview, exact slice coming" if preview else f"time down, {self.mag.n_frames / self.mag.fps:.2f} s"
        self.slice_caption.value = f"<b>x-t slice at row {row}</b>: input | magnified ({what})"
        self._shown_slice = (row, _label(self.mag))

    def _say(self, text: str, error: bool = False, busy: bool = False) -> None:
        import html

        colour = "#b00" if error else "#06c" if busy else "#555"
        weight = "bold" if busy else "normal"
        self.status.value = f"<span style='color:{colour}; font-weight:{weight}'>{html.escape(text)}</span>"

    def picture(self, width_px: int = PICTURE_WIDTH_PX) -> bytes | None:
        """PNG of what the widget shows now: input and magnified frame (slice row in red), input and magnified
        x-t slice, titled, axes in pixels and seconds, ``width_px`` wide; None before anything is drawn.

        Drawn from the PNGs the two image views hold, so it is exactly what is on show. A notebook's stored
        output keeps it beside the widget's view: before a kernel runs (GitHub, nbviewer, a Colab preview) the
        view cannot be drawn, and the picture shows what the sliders act on instead of a line of text.
        """
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from PIL import Image

        if not (self.frame_view.value and self.slice_view.value and self._shown_frame and self._shown_slice):
            return None
        frame_pair, slice_pair = (np.asarray(Image.open(io.BytesIO(bytes(v))).convert("RGB"))
                                  for v in (self.frame_view.value, self.slice_view.value))
        w = self.mag.frames.shape[2]                  # each pair: input | 2 px gap | magnified
        (t, _, label), (slice_row, slice_label) = self._shown_frame, self._shown_slice
        seconds = self.mag.n_frames / self.mag.fps
        dpi = 80
        fig = Figure(figsize=(width_px / dpi, 0.4 * width_px / dpi), dpi=dpi)
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, 4)
        panels = [(frame_pair[:, :w], f"input, frame {t}"), (frame_pair[:, w + 2:], label),
                  (slice_pair[:, :w], f"input, x-t at row {slice_row}"), (slice_pair[:, w + 2:], slice_label)]
        for i, (ax, (image, title)) in enumerate(zip(axes, panels)):
            if i < 2:
                ax.imshow(image, interpolation="nearest")
            else:
                ax.imshow(image, aspect="auto", extent=(0, w, seconds, 0), interpolation="nearest")
            ax.set_title(title, fontsize=9)
            ax.set_xlabel("x (pixels)", fontsize=9)
            ax.tick_params(labelsize=9)
        axes[0].set_ylabel("y (pixels)", fontsize=9)
        axes[2].set_ylabel("time (s)", fontsize=9)
        fig.suptitle("The widget's view (its sliders need a running kernel)", fontsize=10)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        return compact_png(buf.getvalue())  # 256 colours: a quarter of the bytes, so a stored notebook stays small

    def _repr_mimebundle_(self, **kwargs):
        bundle = widget_bundle(self.box, f"MagnifierWidget for {self.mag!r}", **kwargs)
        png = self.picture()
        if png is not None:
            bundle["image/png"] = base64.b64encode(png).decode("ascii")
        return bundle


#: Seconds the widget waits after sending an image before a longer computation: on a laptop that runs the browser
#: and the kernel on the same two cores, the browser gets no time to draw while torch's threads hold both, and
#: the frame (or the slice preview) would appear only when the next step ends.
DRAW_PAUSE_S = 0.05


def _let_the_browser_draw() -> None:
    time.sleep(DRAW_PAUSE_S)


def widget_bundle(box, text: str, **kwargs) -> dict:
    """The display bundle of an ipywidgets ``box`` with ``text`` as its text/plain: the box's own bundle under
    ipywidgets 8, its view by model id under ipywidgets 7 (Colab's), whose widgets give no ``_repr_mimebundle_``."""
    if not hasattr(box, "_repr_mimebundle_"):
        return {"text/plain": text, "application/vnd.jupyter.widget-view+json": {
            "version_major": 2, "version_minor": 0, "model_id": box.model_id}}
    bundle = box._repr_mimebundle_(**kwargs)
    if isinstance(bundle, tuple):
        bundle = bundle[0]
    bundle = dict(bundle)
    bundle["text/plain"] = text
    return bundle


def threads_show() -> bool:
    """Whether a widget change made in a thread reaches the page: not on Colab (googlecolab/colabtools#3373)."""
    return "google.colab" not in sys.modules


def build_widget(mag: Magnifier, display_scale: float = 2.0, alpha_max: float = 100.0,
                 frame: int | None = None, background: bool | None = None) -> MagnifierWidget:
    """The interactive view of ``mag``: method, mode, alpha, band, frame and slice-row controls wired to it,
    opened on ``frame`` (by default :func:`opening_frame`, where alpha visibly acts).

    Display the returned :class:`MagnifierWidget` in a notebook (last expression of a cell, or ``display``).
    """
    return MagnifierWidget(mag, display_scale=display_scale, alpha_max=alpha_max, frame=frame, background=background)


class Sliders:
    """``ipywidgets.interactive(draw, **controls)`` for a ``draw`` that returns a matplotlib figure, whose stored
    output is also a picture: the figure of its first drawing.

    A lesson's stored outputs are what a student sees first (GitHub, nbviewer, a Colab preview), and there a
    widget's view cannot be drawn: ``interact`` leaves one line of text. This box's display bundle holds the
    widget's view, which a running notebook shows, and a PNG of the first figure, which the others show.
    """

    def __init__(self, draw: Callable, **controls) -> None:
        import ipywidgets as W

        self.draw = draw
        self.first_png: bytes | None = None
        self.box = W.interactive(self._show, **controls)

    def _show(self, **kwargs) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import display

        fig = self.draw(**kwargs)
        if self.first_png is None:
            self.first_png = compact_png(figure_bytes(fig, "png"))
        display(fig)
        plt.close(fig)

    def _repr_mimebundle_(self, **kwargs):
        bundle = widget_bundle(self.box, f"sliders for {getattr(self.draw, '__name__', 'a figure')}", **kwargs)
        if self.first_png is not None:
            bundle["image/png"] = base64.b64encode(self.first_png).decode("ascii")
        return bundle


def sliders(draw: Callable, **controls) -> Sliders:
    """Sliders (or other ipywidgets controls, as for ``interact``) that redraw the figure ``draw(**values)``
    returns; display the result (last expression of a cell). See :class:`Sliders`.
    """
    return Sliders(draw, **controls)
