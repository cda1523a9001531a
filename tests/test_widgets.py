"""The interactive session behind notebook 04: cached frames equal mmkit.magnify's, moving alpha never
re-runs the encoder or the decomposition, bad settings raise MMKitError, and the widget's callbacks work."""
import math

import numpy as np
import pytest
import torch

import mmkit
from mmkit.classical.linear import LinearConfig, magnify_linear
from mmkit.classical.registry import ClassicalMethod
from mmkit.data.samples import VibrationClip
from mmkit.engine import CLASSICAL
from mmkit.errors import MMKitError
from mmkit.pretrained import load_pretrained
from mmkit.widgets import Magnifier, build_widget, classical_backends, opening_frame, plot_session, slice_pair_image
from mmkit.widgets.view import _png

FPS = 30.0
BAND = (2.0, 3.0)   # holds the clip's 2.5 Hz vibration (and an FFT bin of the 24-frame clip)
#: Same operations as mmkit.magnify; only float rounding may differ (different batches; for linear, the
#: collapse summed level by level): at most 1 level of 0..255, on at most 0.1 % of the values.
MAX_LEVELS, MAX_FRACTION = 1, 1e-3


@pytest.fixture(scope="module")
def frames():
    # Odd sizes, not multiples of 4: the networks' padding and cropping are on the path.
    return VibrationClip(height=46, width=62, n_frames=24, radius=14).render()


class Counter:
    """Counts the calls of a module and the frames (batch entries) they carried."""

    def __init__(self, module: torch.nn.Module) -> None:
        self.calls = self.frames = 0
        module.register_forward_hook(self)

    def __call__(self, module, inputs, output) -> None:
        self.calls += 1
        self.frames += inputs[0].shape[0]


def assert_close_to_magnify(out: np.ndarray, ref: np.ndarray, frames: np.ndarray) -> None:
    assert out.shape == ref.shape and out.dtype == np.uint8
    diff = np.abs(out.astype(int) - ref)
    assert diff.max() <= MAX_LEVELS, diff.max()
    assert np.mean(diff > 0) <= MAX_FRACTION
    assert np.abs(ref.astype(int) - frames).max() > 20  # something was magnified: the check is not vacuous


CASES = [("light", "dynamic"), ("light", "static"), ("light", "temporal"), ("light_no_lm", "static"),
         ("base", "static"), ("oh2018", "dynamic"), ("oh2018", "static"), ("linear", "dynamic"), ("phase", "dynamic"),
         ("riesz", "dynamic"), ("acceleration", "dynamic"), ("jerk", "dynamic"), ("anisotropy", "dynamic")]


@pytest.mark.parametrize("method,mode", CASES)
def test_cached_frames_equal_mmkit_magnify(frames, method, mode):
    # anisotropy's normalised weights (<= 1) magnify about half as much: at 15 its largest change is 20 levels
    alpha = 50.0 if method == "anisotropy" else 15.0
    ref = mmkit.magnify(frames, alpha, mode=mode, method=method, fps=FPS, low_hz=BAND[0], high_hz=BAND[1])
    mag = Magnifier(frames, FPS, method=method, mode=mode, alpha=3.0, low_hz=1.0, high_hz=4.0)
    mag.frame(7)                      # built at other settings first: the caches must follow the changes
    mag.set_band(*BAND)
    mag.set_alpha(alpha)
    assert_close_to_magnify(mag.clip(), ref, frames)
    assert np.array_equal(mag.frame(11), mag.clip()[11])


@pytest.mark.parametrize("method", ["jerk", "anisotropy"])
def test_propagated_jerk_weights_equal_mmkit_magnify(frames, method):
    """Eq. 7 (propagation > 1) takes the bands coarsest first: the widget's cache must match the pipeline."""
    params, alpha = {"propagation": 3}, {"jerk": 120.0, "anisotropy": 300.0}[method]
    ref = mmkit.magnify(frames, alpha, method=method, fps=FPS, low_hz=BAND[0], high_hz=BAND[1], params=params)
    mag = Magnifier(frames, FPS, method=method, alpha=alpha, low_hz=BAND[0], high_hz=BAND[1],
                    params={method: params})
    assert_close_to_magnify(mag.clip(), ref, frames)


@pytest.mark.parametrize("options", [{"filter": "fir", "fir_taps": 9}, {"reference": 5}])
def test_temporal_options_equal_mmkit_magnify(frames, options):
    ref = mmkit.magnify(frames, 12.0, mode="temporal", fps=FPS, low_hz=BAND[0], high_hz=BAND[1], **options)
    mag = Magnifier(frames, FPS, mode="temporal", alpha=12.0, low_hz=BAND[0], high_hz=BAND[1], **options)
    assert_close_to_magnify(mag.clip(), ref, frames)


def test_moving_alpha_runs_only_manipulator_and_decoder(frames):
    net = load_pretrained("light")
    enc, man, dec = Counter(net.encoder), Counter(net.manipulator), Counter(net.decoder)
    mag = Magnifier(frames, FPS, method="light", mode="static", alpha=10.0, nets={"light": net}, device="cpu")
    assert enc.calls == 0                           # nothing happens before a frame is asked for
    mag.frame(5)
    assert enc.frames == len(frames)                # every pair against the reference, once
    encoded = enc.calls
    for alpha in (0.0, 5.0, 37.5, 80.0):
        mag.set_alpha(alpha)
        mag.frame(5)
    assert enc.calls == encoded                     # alpha never re-encodes
    assert (man.frames, dec.frames) == (5, 5)       # one frame through manipulator and decoder per alpha
    mag.frame(5)
    assert dec.frames == 5                          # a frame already rendered at these settings is kept
    mag.slice(row=20)
    assert enc.calls == encoded and dec.frames == 5 + len(frames) - 1
    mag.set_mode("temporal")                        # same pairs as static: no encoding, one band-pass
    mag.frame(5)
    mag.set_alpha(20.0)
    mag.frame(5)
    assert enc.calls == encoded and mag.stats["band_passes"] == 1
    mag.set_band(1.0, 4.0)                          # a new band re-filters the kept features only
    mag.frame(5)
    assert enc.calls == encoded and mag.stats["band_passes"] == 2
    mag.set_mode("dynamic")                         # new pairs (each frame with the previous): encoded once
    mag.frame(5)
    mag.set_alpha(3.0)
    mag.frame(6)
    assert enc.frames == len(frames) + len(frames) - 1
    mag.set_mode("static")
    mag.set_alpha(7.0)
    mag.frame(2)
    assert enc.frames == 2 * len(frames) - 1 and mag.stats["encoder_frames"] == enc.frames


def test_oh2018_encodes_each_frame_once_for_both_modes(frames):
    net = load_pretrained("oh2018")
    stem, dec = Counter(net.stem), Counter(net.decoder)
    mag = Magnifier(frames, FPS, method="oh2018", mode="dynamic", nets={"oh2018": net}, device="cpu")
    mag.frame(3)
    for alpha in (2.0, 30.0):
        mag.set_alpha(alpha)
        mag.frame(3)
    mag.set_mode("static")
    mag.frame(3)
    assert stem.frames == len(frames) and dec.frames == 4


@pytest.mark.parametrize("method,decomposition", [("linear", "laplacian_pyramid"), ("riesz", "riesz_pyramid"),
                                                  ("phase", "phase_differences"),
                                                  ("anisotropy", "phase_differences")])
def test_classical_alpha_redoes_only_the_last_stage(frames, monkeypatch, method, decomposition):
    calls = {"decomposition": 0}
    original = getattr(classical_backends, decomposition)

    def counted(*args, **kwargs):
        calls["decomposition"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(classical_backends, decomposition, counted)
    mag = Magnifier(frames, FPS, method=method, alpha=5.0, low_hz=BAND[0], high_hz=BAND[1])
    mag.frame(4)
    built = calls["decomposition"]
    assert built > 0 and mag.stats["band_passes"] == 1
    for alpha in (0.0, 10.0, 20.0):
        mag.set_alpha(alpha)
        mag.frame(4)
    assert calls["decomposition"] == built and mag.stats["band_passes"] == 1
    mag.set_band(1.5, 3.5)
    mag.frame(4)
    assert calls["decomposition"] == built and mag.stats["band_passes"] == 2
    assert mag.stats["pyramid_frames"] == len(frames) and mag.stats["rendered_frames"] == 5


def test_linear_alpha_zero_returns_the_input(frames):
    mag = Magnifier(frames, FPS, method="linear", alpha=0.0, low_hz=BAND[0], high_hz=BAND[1])
    assert np.abs(mag.clip().astype(int) - frames).max() <= 1


def test_switching_methods_keeps_each_cache(frames):
    mag = Magnifier(frames, FPS, method="linear", alpha=5.0, low_hz=BAND[0], high_hz=BAND[1])
    mag.frame(1)
    mag.set_method("riesz")
    mag.frame(1)
    mag.set_method("linear")
    mag.set_alpha(6.0)
    mag.frame(1)
    assert mag.stats["pyramid_frames"] == 2 * len(frames)


def test_unregistered_speedup_falls_back_to_the_whole_method(frames, monkeypatch):
    runs = []

    def run(clip, cfg, fps, device="cpu", max_memory_gb=4.0):
        runs.append(cfg.alpha)
        return magnify_linear(clip, cfg, fps)

    monkeypatch.setitem(CLASSICAL, "plain", ClassicalMethod(LinearConfig, run, "test", lambda shape, cfg, fs: 0.0))
    mag = Magnifier(frames, FPS, method="plain", alpha=5.0, low_hz=BAND[0], high_hz=BAND[1])
    mag.frame(2)
    mag.frame(3)
    mag.set_alpha(9.0)
    mag.frame(3)
    assert runs == [5.0, 9.0]   # said in the docstring: without a cached path, alpha re-runs the method


def test_frames_are_kept_and_read_only(frames):
    mag = Magnifier(frames, FPS, method="riesz", alpha=5.0, low_hz=BAND[0], high_hz=BAND[1])
    a = mag.frame(3)
    assert mag.frame(3) is a and mag.stats["rendered_frames"] == 1
    with pytest.raises(ValueError):
        a[0, 0, 0] = 0
    assert mag.slice(col=10).shape == (len(frames), frames.shape[1], 3)
    assert np.array_equal(mag.input_slice(row=3), frames[:, 3])


@pytest.mark.parametrize("alpha,match", [(-1.0, "alpha must be a finite number > 0, got -1"),
                                         (float("nan"), "got nan"), (math.inf, "got inf"),
                                         ("ten", "alpha must be a number"), (5000.0, "at most 1000"),
                                         (None, "alpha must be a number")])
def test_bad_alpha(frames, alpha, match):
    mag = Magnifier(frames, FPS, alpha=2.0)
    with pytest.raises(MMKitError, match=match):
        mag.set_alpha(alpha)
    with pytest.raises(MMKitError, match=match):
        Magnifier(frames, FPS, alpha=alpha)
    assert mag.alpha == 2.0   # a refused setting leaves the session as it was


@pytest.mark.parametrize("band", [(0.0, 2.0), (-1.0, 2.0), (2.0, 2.0), (3.0, 2.0), (1.0, 15.0), (1.0, 20.0),
                                  (1.0, float("nan"))])
def test_band_outside_zero_to_nyquist(frames, band):
    mag = Magnifier(frames, FPS)
    with pytest.raises(MMKitError, match=r"0 < low < high < fs/2 = 15 Hz|finite"):
        mag.set_band(*band)
    assert mag.band == (0.5, 3.0)


@pytest.mark.parametrize("t", [-1, 24, 100])
def test_frame_index_out_of_range(frames, t):
    mag = Magnifier(frames, FPS, method="linear", low_hz=BAND[0], high_hz=BAND[1])
    with pytest.raises(MMKitError, match=rf"frame index {t} is out of range: valid are 0 to 23"):
        mag.frame(t)


def test_other_bad_inputs(frames):
    mag = Magnifier(frames, FPS)
    with pytest.raises(MMKitError, match="frame index must be an integer"):
        mag.frame(2.5)
    with pytest.raises(MMKitError, match="slice row 46 is out of range"):
        mag.slice(row=46)
    with pytest.raises(MMKitError, match="not both"):
        mag.slice(row=1, col=1)
    with pytest.raises(MMKitError, match="unknown method 'magic'"):
        mag.set_method("magic")
    with pytest.raises(MMKitError, match="unknown mode 'slow'"):
        mag.set_mode("slow")
    mag.set_mode("temporal")
    with pytest.raises(MMKitError, match="oh2018 has no temporal mode"):
        mag.set_method("oh2018")
    mag.set_mode("static")
    mag.set_method("oh2018")
    with pytest.raises(MMKitError, match="oh2018 has no temporal mode"):
        mag.set_mode("temporal")
    with pytest.raises(MMKitError, match="uint8"):
        Magnifier(frames.astype(np.float32), FPS)
    with pytest.raises(MMKitError, match=r"\(T, H, W, 3\)"):
        Magnifier(frames[..., 0], FPS)
    with pytest.raises(MMKitError, match="at least 2 frames"):
        Magnifier(frames[:1], FPS)
    with pytest.raises(MMKitError, match="fps must be a finite number > 0"):
        Magnifier(frames, 0.0)
    with pytest.raises(MMKitError, match="reference frame 24 is out of range"):
        Magnifier(frames, FPS, reference=24)
    with pytest.raises(MMKitError, match="bad parameters for method 'riesz'"):
        Magnifier(frames, FPS, method="riesz", params={"riesz": {"no_such_field": 1}}).frame(0)
    with pytest.raises(MMKitError, match="needs about .* GiB"):
        Magnifier(frames, FPS, method="phase", max_memory_gb=1e-4).frame(0)


def test_widget_callbacks_drive_the_session(frames):
    net = load_pretrained("light")
    enc = Counter(net.encoder)
    mag = Magnifier(frames, FPS, method="light", mode="static", alpha=10.0, low_hz=BAND[0], high_hz=BAND[1],
                    nets={"light": net}, device="cpu")
    ui = build_widget(mag)
    networks = list(ui.method.options)                       # the paper's networks, then the other shipped weights
    assert networks[:3] == ["light", "base", "oh2018"] and {"light_no_lm", "light_paper", "base_paper"} <= set(networks)
    first_frame, first_slice = ui.frame_view.value, ui.slice_view.value
    assert first_frame[:4] == b"\x89PNG" and first_slice[:4] == b"\x89PNG"
    assert ui.band.disabled and not ui.mode.disabled       # static mode: the band does not matter
    encoded = enc.calls
    ui.alpha.value = 40.0
    assert ui.wait(timeout=60)                               # the exact slice, rendered in the background
    assert mag.alpha == 40.0 and enc.calls == encoded
    assert ui.frame_view.value != first_frame and ui.slice_view.value != first_slice
    rendered = mag.stats["rendered_frames"]
    ui.frame.value = 9                                       # already rendered for the slice: nothing to do
    assert mag.stats["rendered_frames"] == rendered
    ui.mode.value = "temporal"                               # same pairs as static: one band-pass, no encoding
    assert not ui.band.disabled and mag.stats["band_passes"] == 1
    ui.band.value = (1.0, 4.0)
    assert mag.band == (1.0, 4.0) and mag.stats["band_passes"] == 2 and enc.calls == encoded
    ui.method.value = "oh2018"                               # refused in temporal mode: message, control reverted
    assert mag.method == "light" and ui.method.value == "light" and "no temporal mode" in ui.status.value
    ui.band.value = (2.0, 2.0)
    assert mag.band == (1.0, 4.0) and ui.band.value == (1.0, 4.0) and "0 &lt; low &lt; high" in ui.status.value
    ui.method.value = "linear"
    assert ui.mode.disabled and not ui.band.disabled and "linear" in ui.frame_caption.value
    assert "error" not in ui.status.value and "#b00" not in ui.status.value
    ui.row.value = 3
    assert mag.stats["band_passes"] == 3   # linear's band-pass, once
    bundle = ui._repr_mimebundle_()
    assert bundle["text/plain"].startswith("MagnifierWidget for Magnifier(24 frames of 46x62")


def test_widget_opens_on_a_frame_where_alpha_acts(frames):
    d = VibrationClip(height=46, width=62, n_frames=24, radius=14).displacement()   # the fixture's motion
    mag = Magnifier(frames, FPS, method="light", mode="static", alpha=10.0, device="cpu")
    t = build_widget(mag).frame.value
    assert t == opening_frame(mag) and abs(d[t]) == pytest.approx(abs(d).max())   # not the reference frame 0

    def alpha_effect(t):
        low = mag.frame(t).astype(int)
        mag.set_alpha(40.0)
        high = mag.frame(t).astype(int)
        mag.set_alpha(10.0)
        return np.abs(high - low).mean()

    assert alpha_effect(t) > 5 * alpha_effect(0)
    mag.set_mode("dynamic")                  # pairs with the previous frame: where the frame-to-frame change is
    speed = np.abs(np.diff(d))
    assert speed[opening_frame(mag) - 1] == pytest.approx(speed.max())
    assert build_widget(mag, frame=2).frame.value == 2
    with pytest.raises(MMKitError, match="frame index 24 is out of range"):
        build_widget(mag, frame=24)


def test_plot_session_draws_frames_and_slices(frames):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mag = Magnifier(frames, FPS, method="linear", alpha=5.0, low_hz=BAND[0], high_hz=BAND[1])
    fig = plot_session(mag, t=4, row=20, truth=frames)
    assert len(fig.axes) == 6 and fig.axes[3].get_ylabel() == "time (s)"
    plt.close(fig)


def test_configure_sets_method_and_mode_in_an_order_that_works(frames):
    mag = Magnifier(frames, FPS, method="base", mode="temporal", alpha=5.0, low_hz=BAND[0], high_hz=BAND[1])
    with pytest.raises(MMKitError, match="oh2018"):
        mag.set_method("oh2018")                  # one by one: refused while the mode is temporal
    mag.configure(method="oh2018", mode="static", alpha=20.0)
    assert (mag.method, mag.mode, mag.alpha) == ("oh2018", "static", 20.0)
    mag.configure(method="linear", band=(1.0, 4.0))                      # the mode is kept, unused
    assert (mag.method, mag.mode, mag.band) == ("linear", "static", (1.0, 4.0))
    with pytest.raises(MMKitError, match="no temporal mode"):
        mag.configure(method="oh2018", mode="temporal", alpha=50.0)
    assert (mag.method, mag.mode, mag.alpha) == ("linear", "static", 20.0)   # a refused call changes nothing
    assert mag.stats["encoder_frames"] == 0                                  # and nothing is computed


def test_slices_figure_rows_take_the_height_asked(frames):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mmkit.widgets import slices_figure

    s = frames[:12, 20]
    fig = slices_figure([s] * 5, [f"s{i}" for i in range(5)], FPS, width=8, ncols=3, row_height=2.5)
    assert tuple(fig.get_size_inches()) == (8, 5.0) and fig.axes[3].get_ylabel() == "time (s)"
    assert fig.axes[0].get_ylim() == (12 / FPS, 0)        # time in seconds, down
    plt.close(fig)


def test_motion_trace_follows_the_true_motion():
    from mmkit.widgets import motion_gain, motion_trace

    clip = VibrationClip(height=96, width=96, n_frames=12, radius=24)
    region = (36, 60, 36, 60)
    d = clip.displacement() - clip.displacement()[0]
    trace = motion_trace(clip.render(10.0), region)
    assert trace.shape == (12,) and trace[0] == pytest.approx(0, abs=1e-6)
    assert np.corrcoef(trace, d)[0, 1] > 0.99
    assert trace @ d / (d @ d) == pytest.approx(motion_gain(clip.render(10.0), clip.displacement(), region))


#: A clip taller than twice the networks' reach (33 feature rows each side of a line), so that a band of
#: ``REACH`` rows each side of rows 60 and 88 is cut by one edge of the frame only.
REACH = 34
PREVIEW_CASES = [("light", "static"), ("light", "dynamic"), ("light", "temporal"), ("base", "static"),
                 ("oh2018", "dynamic"), ("oh2018", "static")]


@pytest.fixture(scope="module")
def tall_frames():
    return VibrationClip(height=150, width=38, n_frames=6, radius=17).render()


@pytest.mark.parametrize("method,mode", PREVIEW_CASES)
def test_slice_preview_with_the_networks_reach_is_the_exact_slice(tall_frames, method, mode):
    """The band decode reads the right rows and frames: with a margin as wide as the layers reach, it is the
    full decode's line (float rounding aside), for a row and a column, and a dynamic clip's frame 0."""
    mag = Magnifier(tall_frames, FPS, method=method, mode=mode, alpha=15.0, low_hz=BAND[0], high_hz=BAND[1])
    for where in ({"row": 60}, {"row": 88}, {"col": 20}):   # bands cut at the top, at the bottom, in a column
        rendered = mag.stats["rendered_frames"]
        preview, exact = mag.quick_slice(**where, margin=REACH)
        assert not exact and mag.stats["rendered_frames"] == rendered   # no frame rendered: the band decode alone
        assert_close_to_magnify(preview, mag.slice(**where), mag.input_slice(**where))
        mag._rendered.clear()
    mag.clip()
    cached, exact = mag.quick_slice(row=70)
    assert exact and np.array_equal(cached, mag.slice(row=70))    # every frame rendered: the exact slice


def test_slice_preview_is_close_and_a_fraction_of_the_work(frames):
    net = load_pretrained("light")
    rows = []
    net.decoder.register_forward_hook(lambda m, i, o: rows.append(i[0].shape[0] * i[0].shape[2]))
    mag = Magnifier(frames, FPS, method="light", mode="static", alpha=20.0, nets={"light": net}, device="cpu")
    preview, exact = mag.quick_slice(row=23)
    preview_rows = sum(rows)
    rows.clear()
    full = mag.slice(row=23)
    diff = np.abs(preview.astype(int) - full)
    assert not exact and diff.mean() < 2.0 and diff.max() <= 40, (diff.mean(), diff.max())
    assert preview_rows <= 0.6 * sum(rows)     # 13 of the 23 feature rows of this small clip; 13 of 80 at 160 px
    assert np.array_equal(mag.quick_slice(row=5)[0], mag.slice(row=5))   # now every frame is rendered: exact
    assert mag.quick_slice(row=5)[1]
    lin = Magnifier(frames, FPS, method="linear", alpha=20.0, low_hz=BAND[0], high_hz=BAND[1])
    quick, exact = lin.quick_slice(row=23)
    assert exact and np.array_equal(quick, lin.slice(row=23))     # classical: the exact slice is already fast


def _watched(frames, background=True):
    mag = Magnifier(frames, FPS, method="light", mode="static", alpha=10.0, low_hz=BAND[0], high_hz=BAND[1],
                    device="cpu")
    ui = build_widget(mag, background=background)
    shown, said = [], []
    ui.slice_view.observe(lambda c: shown.append(c["new"]), names="value")
    ui.status.observe(lambda c: said.append(c["new"]), names="value")
    return mag, ui, shown, said


def test_widget_shows_a_preview_then_the_exact_slice(frames):
    mag, ui, shown, said = _watched(frames, background=False)
    assert not ui._slice_is_preview                      # the first drawing is exact (a notebook stores it)
    ui.alpha.value = 35.0
    assert set(ui.timings) == {"frame", "slice preview", "slice"}
    assert len(shown) == 2 and shown[0] != shown[1]                      # the preview, then the exact slice
    assert shown[1] == _png(slice_pair_image(mag, ui.row.value))
    assert any("computing the exact slice" in s for s in said) and "computing" not in said[-1]
    assert "exact slice coming" not in ui.slice_caption.value
    shown.clear()
    ui.row.value = 4                                    # every frame is rendered now: the exact slice at once
    assert len(shown) == 1 and set(ui.timings) == {"frame", "slice"}


def test_widget_renders_the_exact_slice_in_the_background(frames):
    mag, ui, shown, said = _watched(frames)
    ui.alpha.value = 35.0                               # returns once the frame and the preview are drawn
    assert ui.wait(timeout=60) and not ui._slice_is_preview
    assert len(shown) == 2 and shown[1] == _png(slice_pair_image(mag, ui.row.value))
    assert set(ui.timings) == {"frame", "slice preview", "slice"}
    assert "while the controls stay live" in said[-2] and "computing" not in said[-1]
    assert "frames rendered" in said[-1] and "exact slice coming" not in ui.slice_caption.value
    assert mag.missing_batches() == []


class _SlowBatches:
    """Wraps ``mag.render``: the first batch waits until the widget asks its thread to stop, like a batch that is
    still running when the next move comes; records the alpha of every batch."""

    def __init__(self, mag, ui, release=None):
        import threading

        self.mag, self.ui, self.render, self.release = mag, ui, mag.render, release
        self.alphas, self.entered = [], threading.Event()
        mag.render = self

    def __call__(self, ts):
        self.alphas.append(self.mag.alpha)
        self.entered.set()
        if len(self.alphas) == 1:
            assert (self.release or self.ui._stop).wait(timeout=60)
        self.render(ts)


def test_a_move_stops_the_exact_slice_within_one_batch(frames):
    mag, ui, shown, said = _watched(frames)
    slow = _SlowBatches(mag, ui)
    ui.alpha.value = 35.0
    assert slow.entered.wait(timeout=60)
    ui.alpha.value = 50.0                               # while the first exact slice is being rendered
    assert slow.alphas.count(35.0) == 1                 # it stopped after the batch it was in
    assert ui.wait(timeout=60) and not ui._slice_is_preview
    batches = len(range(0, mag.n_frames, mag.opts["batch_size"]))
    assert slow.alphas.count(50.0) == batches           # every frame at the new alpha, once
    assert shown[-1] == _png(slice_pair_image(mag, ui.row.value)) and "alpha=50" in ui.frame_caption.value
    assert "computing" not in said[-1]


def test_a_frame_move_goes_on_with_the_exact_slice(frames):
    mag, ui, shown, said = _watched(frames)
    slow = _SlowBatches(mag, ui)
    ui.alpha.value = 35.0
    assert slow.entered.wait(timeout=60)
    n_shown = len(shown)
    ui.frame.value = (ui.frame.value + 5) % mag.n_frames   # the frame is drawn; the exact slice goes on
    assert ui.wait(timeout=60) and mag.missing_batches() == []
    assert len(shown) == n_shown + 1                    # no second preview: the exact slice only
    assert shown[-1] == _png(slice_pair_image(mag, ui.row.value))
    assert "exact slice coming" not in ui.slice_caption.value


def test_a_refused_setting_goes_on_with_the_exact_slice(frames):
    mag, ui, shown, said = _watched(frames)
    slow = _SlowBatches(mag, ui)
    ui.alpha.value = 35.0
    assert slow.entered.wait(timeout=60)
    ui.band.value = (2.0, 2.0)                          # refused: nothing changed, so the exact slice goes on
    assert ui.band.value == BAND and ui.wait(timeout=60) and mag.missing_batches() == []
    assert shown[-1] == _png(slice_pair_image(mag, ui.row.value))
    assert "0 &lt; low &lt; high" in said[-1] and "computing" not in said[-1]


def test_settings_changed_outside_the_widget_are_said(frames):
    import threading

    mag, ui, shown, said = _watched(frames)
    slow = _SlowBatches(mag, ui, release=threading.Event())
    ui.alpha.value = 35.0
    assert slow.entered.wait(timeout=60)
    mag.set_alpha(12.0)                                 # a cell changes the session while the thread renders
    slow.release.set()                                  # let the held batch go (the widget was not told)
    assert not ui.wait(timeout=60)
    assert "changed outside the widget" in said[-1] and "computing" not in said[-1]


def test_a_failed_exact_slice_says_why(frames):
    mag, ui, shown, said = _watched(frames)

    def fails(ts):
        raise MMKitError("no memory left for the frames")

    mag.render = fails
    ui.alpha.value = 35.0
    assert not ui.wait(timeout=60)                      # the preview stays on show
    assert "no memory left" in said[-1] and "#b00" in said[-1]


def test_sliders_redraw_and_store_a_picture_of_the_first_figure():
    import base64

    import matplotlib.pyplot as plt
    from ipywidgets import FloatSlider

    from mmkit.widgets import sliders

    drawn = []

    def draw(a=1.0):
        drawn.append(a)
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, a])
        return fig

    open_before = set(plt.get_fignums())
    box = sliders(draw, a=FloatSlider(value=2.0, min=0.0, max=4.0))
    assert drawn == [2.0] and set(plt.get_fignums()) == open_before   # drawn once, and its figure closed
    first = box.first_png
    box.box.children[0].value = 3.0                             # a slider move redraws; the picture stays the first
    assert drawn == [2.0, 3.0] and box.first_png == first
    bundle = box._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]) == first and first[:4] == b"\x89PNG"
    assert bundle["text/plain"] == "sliders for draw"
    assert "application/vnd.jupyter.widget-view+json" in bundle
