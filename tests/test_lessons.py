"""The course's 1-D lesson and figure helpers (mmkit.lessons): exact values, and figures that show the data."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from mmkit import lessons
from mmkit.models.inspect import LayerInfo, ReceptiveField


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_slope_is_the_derivative_of_the_signal():
    x = np.linspace(0, 40, 4001)
    numeric = np.gradient(lessons.signal(x, 13.0), x)
    assert np.abs(numeric - lessons.signal_slope(x, 13.0))[1:-1].max() < 1e-4


def test_shift_moves_the_pattern_towards_smaller_x():
    # f(x + 4) at x is f at x + 4: the crest at x = 0 now sits at x = -4, i.e. one wavelength on at x = 12.
    x = np.array([12.0])
    assert lessons.shifted(x, 4.0, 16.0)[0] == pytest.approx(1.0)


@pytest.mark.parametrize("shift, wavelength", [(0.1, 16.0), (1.0, 16.0), (2.0, 16.0), (5.0, 16.0), (3.0, 7.0)])
def test_first_order_error_closed_form_matches_the_largest_error_on_a_fine_grid(shift, wavelength):
    x = np.linspace(0, wavelength, 20001)
    numeric = np.abs(lessons.first_order(x, shift, wavelength) - lessons.shifted(x, shift, wavelength)).max()
    assert lessons.first_order_error(shift, wavelength) == pytest.approx(numeric, rel=1e-6)


def test_first_order_error_values():
    assert lessons.first_order_error(0.0, 16.0) == 0.0
    # small shifts: about phi^2 / 2, phi = 2 pi shift / wavelength
    phi = 2 * np.pi * 0.01 / 16
    assert lessons.first_order_error(0.01, 16.0) == pytest.approx(phi ** 2 / 2, rel=1e-3)
    # only the ratio shift / wavelength matters; at Wu et al.'s lambda / 8 the error is 0.303 of the amplitude
    assert lessons.first_order_error(1.0, 8.0) == pytest.approx(lessons.first_order_error(4.0, 32.0))
    assert lessons.first_order_error(lessons.WU_BOUND, 1.0) == pytest.approx(0.303176, abs=1e-6)
    # vectorised, and growing with the shift
    errs = lessons.first_order_error(np.array([0.5, 1.0, 2.0]), 16.0)
    assert errs.shape == (3,) and np.all(np.diff(errs) > 0)


def test_one_d_video_is_the_signal_moved_by_the_vibration():
    v = lessons.one_d_video(amplitude=0.25, alpha=20.0, wavelength=16.0, frequency_hz=2.5, fps=30.0,
                            n_frames=12, width=32)
    x = np.arange(32.0)
    # frame 0: no displacement, all three equal f(x)
    for img in v.values():
        np.testing.assert_allclose(img[0], lessons.signal(x, 16.0), atol=1e-12)
    # frame 3 (t = 0.1 s) is the crest of the 2.5 Hz sine: delta = 0.25 px, magnified 5 px
    np.testing.assert_allclose(v["input"][3], lessons.signal(x + 0.25, 16.0), atol=1e-12)
    np.testing.assert_allclose(v["true"][3], lessons.signal(x + 5.0, 16.0), atol=1e-12)
    np.testing.assert_allclose(v["first order"][3], lessons.first_order(x, 5.0, 16.0), atol=1e-12)
    # a long wavelength: the first-order video is close to the true one (error below 1 %)
    w = lessons.one_d_video(amplitude=0.25, alpha=20.0, wavelength=400.0)
    assert np.abs(w["first order"] - w["true"]).max() < 0.01


def test_plot_first_order_draws_the_three_signals_and_marks_the_setting():
    fig = lessons.plot_first_order(delta=0.25, alpha=20.0, wavelength=16.0)
    ax, ax_err = fig.axes
    lines = ax.get_lines()
    assert len(lines) == 3  # input, true, first order: f(x) would lie under the input
    x, y = lines[2].get_data()  # the first-order curve
    np.testing.assert_allclose(y, lessons.first_order(x, 5.0, 16.0))
    mx, my = ax_err.get_lines()[-1].get_data()
    assert mx[0] == pytest.approx(5.0 / 16.0)
    assert my[0] == pytest.approx(lessons.first_order_error(5.0, 16.0))
    assert tuple(fig.get_size_inches()) == (8, 3.6)


def test_plot_1d_video_shows_each_panel_clipped_like_a_display():
    v = lessons.one_d_video(n_frames=6, width=16)
    fig = lessons.plot_1d_video(v)
    assert [a.get_title() for a in fig.axes[:3]] == list(v)
    for ax, img in zip(fig.axes, v.values()):
        np.testing.assert_array_equal(ax.images[0].get_array(), img)
        assert ax.images[0].get_clim() == (-1, 1)
    assert fig.axes[3].get_ylabel() == "intensity (clipped)"  # the colourbar
    assert tuple(fig.get_size_inches()) == (8, 3.6)


def test_analytic_band_keeps_the_wavelengths_asked_for():
    x = np.arange(128.0)
    y = lessons.signal(x, 16.0) + 0.5 * lessons.signal(x, 64.0) + 3.0
    np.testing.assert_allclose(lessons.analytic_band(y, 0.0, 32.0), np.exp(2j * np.pi * x / 16), atol=1e-12)
    np.testing.assert_allclose(lessons.analytic_band(y, 32.0).real, 0.5 * lessons.signal(x, 64.0), atol=1e-12)
    np.testing.assert_allclose(lessons.analytic_band(y).real, y - 3.0, atol=1e-12)  # the mean is left out


def test_a_shift_moves_the_phase_by_two_pi_delta_over_lambda():
    x = np.arange(128.0)
    b0, b1 = (lessons.analytic_band(lessons.shifted(x, d, 16.0)) for d in (0.0, 0.25))
    np.testing.assert_allclose(np.angle(b1 * np.conj(b0)), 2 * np.pi * 0.25 / 16, atol=1e-12)


def test_phase_magnify_moves_a_wave_without_overshoot_and_needs_one_band_per_wavelength():
    x = np.arange(128.0)
    out = lessons.phase_magnify(lessons.signal(x, 16.0), lessons.shifted(x, 0.25, 16.0), alpha=20.0)
    np.testing.assert_allclose(out, lessons.shifted(x, 5.0, 16.0), atol=1e-12)  # exact where first order is not
    assert np.abs(lessons.first_order(x, 5.0, 16.0)).max() > 2.0

    def two(d):
        return lessons.shifted(x, d, 16.0) + lessons.shifted(x, d, 64.0)
    one_phase = lessons.phase_magnify(two(0.0), two(0.25), 20.0)
    per_band = lessons.phase_magnify(two(0.0), two(0.25), 20.0, [(0.0, 32.0), (32.0, np.inf)])
    np.testing.assert_allclose(per_band, two(5.0), atol=1e-12)
    assert np.abs(one_phase - two(5.0)).max() > 1.0


def test_the_shift_read_from_the_phase_wraps_at_half_a_wavelength():
    read = lessons.shift_read_from_phase(np.array([0.0, 3.0, 7.9, 8.0, 9.6, 16.0, -3.0]), 16.0)
    np.testing.assert_allclose(read, [0.0, 3.0, 7.9, -8.0, -6.4, 0.0, -3.0], atol=1e-12)
    assert isinstance(lessons.shift_read_from_phase(5.0, 16.0), float)


def test_plot_local_phase_draws_the_three_panels():
    fig = lessons.plot_local_phase(delta=0.25, alpha=20.0, wavelength=16.0, long_wavelength=64.0, width=128)
    ax, ax_wrap, ax_two = fig.axes
    x, y = ax.get_lines()[2].get_data()  # phase change x alpha: on the truth
    np.testing.assert_allclose(y, lessons.shifted(x, 5.0, 16.0), atol=1e-12)
    mx, my = ax_wrap.get_lines()[-1].get_data()
    assert (mx[0], my[0]) == pytest.approx((5.0 / 16.0, 5.0 / 16.0))
    assert len(ax_two.get_lines()) == 3
    assert fig.get_size_inches()[0] == 8
    for a in fig.axes:
        assert a.get_xlabel() and a.get_ylabel()


def test_plot_slices_shows_the_cropped_slice_of_each_clip():
    rng = np.random.default_rng(0)
    clips = [rng.integers(0, 256, (5, 8, 12, 3), dtype=np.uint8) for _ in range(2)]
    fig = lessons.plot_slices(clips, ["a", "b"], fps=10.0, row=3, x_range=(2, 9))
    for ax, clip in zip(fig.axes, clips):
        np.testing.assert_array_equal(ax.images[0].get_array(), clip[:, 3, 2:9])
        assert ax.images[0].get_extent() == [2, 9, 0.5, 0]
    with_frame = lessons.plot_slices(clips, ["a", "b"], fps=10.0, row=3, x_range=(2, 9), show_frame=True)
    assert len(with_frame.axes) == 3
    np.testing.assert_array_equal(with_frame.axes[0].images[0].get_array(), clips[0][0, 0:6, 2:9])  # rows 3 -/+ 3
    np.testing.assert_array_equal(with_frame.axes[0].get_lines()[0].get_ydata(), [3, 3])
    np.testing.assert_array_equal(with_frame.axes[2].images[0].get_array(), clips[1][:, 3, 2:9])


def test_plot_table1_bars_are_the_rows():
    rows = [{"model": "light", "params": 112_318, "gflops": 36.3, "paper_params": 0.12e6, "paper_gflops": 42.4}]
    fig = lessons.plot_table1(rows)
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == pytest.approx([0.112318, 0.12])
    assert [p.get_height() for p in fig.axes[1].patches] == pytest.approx([36.3, 42.4])


def test_plot_layer_costs_shows_the_deepest_rows():
    rows = [LayerInfo("encoder", "Encoder", (1,), 10, 3_000_000_000), LayerInfo("encoder.a", "Branch", (1,), 5, 1e9),
            LayerInfo("encoder.b", "Branch", (1,), 5, 2e9), LayerInfo("decoder", "Decoder", (1,), 1, 0),
            LayerInfo("decoder.head", "Conv2d", (1,), 1, 5e8)]
    fig = lessons.plot_layer_costs(rows)
    assert [p.get_width() for p in fig.axes[0].patches] == pytest.approx([1.0, 2.0, 0.5])
    # plain labels, and every bar's value written beside it (the smallest would be invisible otherwise)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["encoder, a", "encoder, b", "decoder, 1x1 conv to RGB"]
    assert [t.get_text() for t in fig.axes[0].texts] == ["1.00", "2.00", "0.50"]


def test_plot_receptive_fields_draws_the_box():
    g = np.zeros((20, 20))
    g[5:12, 6:15] = 1.0
    rf = ReceptiveField((8, 10), 5, 11, 6, 14, g)
    fig = lessons.plot_receptive_fields([rf], ["toy"])
    box = fig.axes[0].patches[0]
    assert (box.get_x(), box.get_y(), box.get_width(), box.get_height()) == (5.5, 4.5, 9, 7)
    assert "receptive field 7 x 9" in fig.axes[0].get_title()
    # a colourbar (below the maps) says what the colour is: log10 of the gradient relative to its maximum
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(bars) == 1 and "log10" in bars[0].get_xlabel() and bars[0].get_xlim() == (-24, 0)
    # the last panel is the fall-off in the same log10 units, as ReceptiveField.falloff gives it
    prof = fig.axes[1]
    d, strongest = prof.lines[0].get_data()
    np.testing.assert_allclose(10 ** strongest[:4], rf.falloff(d[:4]))
    assert "log10" in prof.get_ylabel()
    assert fig.get_size_inches()[0] == 8


def test_plot_pair_stages_shows_input_the_busiest_motion_channel_and_each_output():
    rng = np.random.default_rng(0)
    frame = rng.uniform(-1, 1, (1, 3, 8, 10))
    motion = np.zeros((1, 4, 4, 5))
    motion[0, 2] = rng.normal(size=(4, 5))     # channel 2 varies most
    outs = [np.clip(frame + 0.1 * k, -1, 1) for k in range(3)]
    fig = lessons.plot_pair_stages(frame, motion, outs, [5, 20, 50], motion_alpha=20)
    titles = [ax.get_title() for ax in fig.axes]
    assert "motion D, channel 2 of 4 (α = 20)" in titles
    assert [t for t in titles if t.startswith("output")] == ["output, α = 5", "output, α = 20", "output, α = 50"]
    assert any(ax.get_label() == "<colorbar>" for ax in fig.axes)
    assert tuple(fig.get_size_inches()) == (8, 5.6)
    with pytest.raises(ValueError):
        lessons.plot_pair_stages(frame, motion, outs[:2], [5, 20, 50], motion_alpha=20)
