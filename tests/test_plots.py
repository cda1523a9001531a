"""mmkit.plots: the figures hold the numbers they were given (image data, colour scales, curves, bars)."""
from dataclasses import replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from mmkit.data import DataConfig, render_pair
from mmkit.errors import MMKitError
from mmkit.evaluate import CirclesScore
from mmkit.plots import (
    crop,
    feature_grid,
    feature_rows,
    plot_circle_scores,
    plot_loss_curves,
    read_loss_log,
    running_mean,
    show_images,
    show_outputs,
    show_training_samples,
    temporal_slice,
)
from mmkit.pretrained import info

RUNS = Path(__file__).resolve().parents[1] / "data" / "runs"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _images(fig):
    return [ax.images[0] for ax in fig.axes if ax.images]


def test_read_loss_log_reads_the_committed_student_run():
    log = read_loss_log(RUNS / "light_student")          # a folder means its loss_log.csv
    assert log["step"][:2].tolist() == [100.0, 200.0]
    assert log["total"][0] == pytest.approx(5.895050048828125)
    assert log["proxy"][0] == pytest.approx(2.8277931213378906)
    assert np.isnan(log["perceptual"]).all()               # no VGG-16 file: L_p off, an empty column
    rows = (RUNS / "light_student" / "loss_log.csv").read_text().splitlines()[1:]
    step = info("light_paper")["step"]               # the shipped light_paper is light_student's last checkpoint
    assert len(log["step"]) == len(rows) and log["step"][-1] == step   # every row, up to the checkpoint
    assert np.isnan(read_loss_log(RUNS / "light_no_lm" / "loss_log.csv")["proxy"]).all()


def test_read_loss_log_errors(tmp_path):
    with pytest.raises(MMKitError, match="no loss log"):
        read_loss_log(tmp_path)
    (tmp_path / "loss_log.csv").write_text("step,total\n")
    with pytest.raises(MMKitError, match="no rows"):
        read_loss_log(tmp_path)


def test_running_mean():
    steps, values = running_mean(np.arange(1, 6), np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 3)
    assert steps.tolist() == [3, 4, 5] and values.tolist() == pytest.approx([2.0, 3.0, 4.0])
    same = running_mean(np.arange(3), np.ones(3), 1)
    assert same[1].tolist() == [1.0, 1.0, 1.0]
    assert len(running_mean(np.arange(2), np.ones(2), 10)[1]) == 1   # the window shrinks to the data
    with pytest.raises(MMKitError):
        running_mean(np.arange(2), np.ones(2), 0)


def test_loss_curves_draw_each_logged_term_with_one_colour_per_run():
    runs = {"student": RUNS / "light_student", "no L_M": RUNS / "light_no_lm"}
    fig = plot_loss_curves(runs)
    titles = [ax.get_title() for ax in fig.axes if ax.lines]
    assert titles == ["total (Eq. 6, weighted)", "L_1", "L_edge", "L_A", "L_M (proxy)"]   # no L_p: never logged
    by_title = {ax.get_title(): ax for ax in fig.axes}
    student = read_loss_log(runs["student"])
    l1 = by_title["L_1"].lines
    assert len(l1) == 2
    np.testing.assert_allclose(l1[0].get_xdata(), student["step"])
    np.testing.assert_allclose(l1[0].get_ydata(), student["l1"])
    proxy_lines = by_title["L_M (proxy)"].lines
    assert len(proxy_lines) == 1 and proxy_lines[0].get_color() == l1[0].get_color()   # only the student has L_M
    assert l1[1].get_color() != l1[0].get_color()
    assert by_title["L_1"].get_yscale() == "log" and by_title["L_1"].get_ylabel() == "loss (log scale)"
    assert l1[0].get_markevery() == [len(student["l1"]) - 1]                      # a dot where the log ends
    legend = [t.get_text() for t in fig.axes[-1].get_legend().get_texts()]   # in the spare sixth panel
    assert legend == ["student", "no L_M"]
    four = plot_loss_curves(runs, terms=("total", "l1", "edge"))                  # no spare panel: on the first
    assert [t.get_text() for t in four.axes[0].get_legend().get_texts()] == ["student", "no L_M"]


def test_loss_curves_give_each_run_its_own_line_style_so_a_hidden_curve_shows():
    same = {"step": np.arange(1.0, 4.0), "l1": np.array([0.3, 0.2, 0.1])}
    fig = plot_loss_curves({"proxy": same, "student": dict(same), "third": dict(same)}, terms=("l1",))
    lines = fig.axes[0].lines
    assert len({line.get_linestyle() for line in lines}) == 3          # equal curves, three visible styles
    legend = fig.axes[0].get_legend()
    assert [h.get_linestyle() for h in legend.legend_handles] == [line.get_linestyle() for line in lines]
    assert min(t.get_fontsize() for t in legend.get_texts()) >= 9
    assert fig.axes[0].get_xscale() == "linear"
    assert plot_loss_curves({"proxy": same}, terms=("l1",), log_x=True).axes[0].get_xscale() == "log"
    narrow = plot_loss_curves({"run": {"step": np.arange(1.0, 4.0), "total": np.array([16.0, 9.0, 6.0])}},
                              terms=("total",)).axes[0]
    lo, hi = narrow.get_ylim()
    assert sum(lo <= t <= hi for t in narrow.get_yticks()) >= 2            # a readable scale, not one lone tick


def test_loss_curves_smooth_and_accept_logs_read_already():
    log = {"step": np.arange(1.0, 5.0), "total": np.array([4.0, 2.0, 6.0, 0.0])}
    fig = plot_loss_curves({"run": log}, smooth=2, log_y=False)
    line = fig.axes[0].lines[0]
    assert line.get_xdata().tolist() == [2.0, 3.0, 4.0] and line.get_ydata().tolist() == [3.0, 4.0, 3.0]
    with pytest.raises(MMKitError, match="none of the terms"):
        plot_loss_curves({"run": log}, terms=("proxy",))


def test_feature_grid_shows_every_channel_on_one_symmetric_scale():
    rng = np.random.default_rng(0)
    f = rng.normal(size=(5, 6, 7))
    f[3, 2, 1] = -9.0
    fig = feature_grid(f, "D")
    ims = _images(fig)
    assert len(ims) == 5
    for c, im in enumerate(ims):
        np.testing.assert_array_equal(im.get_array(), f[c])
        assert im.get_clim() == (-9.0, 9.0)
    assert fig._suptitle.get_text() == "D"
    picked = _images(feature_grid(f, channels=[4, 1], limit=2.0))
    np.testing.assert_array_equal(picked[0].get_array(), f[4])
    assert picked[1].get_clim() == (-2.0, 2.0)
    with pytest.raises(MMKitError, match=r"\(C, h, w\)"):
        feature_grid(np.zeros((3, 3)))


def test_feature_rows_colour_scales():
    a = np.zeros((3, 2, 2))
    b = np.zeros((3, 2, 2))
    a[0, 0, 0], a[2, 0, 0], b[0, 0, 0], b[2, 0, 0] = 1.0, 4.0, -3.0, 0.5
    rows = {"a": a, "b": b}
    col = _images(feature_rows(rows, channels=[0, 2], scale="column"))
    assert [im.get_clim()[1] for im in col] == [3.0, 4.0, 3.0, 4.0]            # row-major: a0, a2, b0, b2
    np.testing.assert_array_equal(col[3].get_array(), b[2])
    row = _images(feature_rows(rows, channels=[0, 2], scale="row"))
    assert [im.get_clim()[1] for im in row] == [4.0, 4.0, 3.0, 3.0]
    every = _images(feature_rows(rows, channels=[0, 2], scale="all"))
    assert {im.get_clim() for im in every} == {(-4.0, 4.0)}
    with pytest.raises(MMKitError, match="scale"):
        feature_rows(rows, channels=[0], scale="channel")
    assert feature_rows(rows, channels=[0, 2]).axes[0].get_title() == "ch 0\nrms 0.5"   # sqrt(1 / 4)


def test_a_percentile_limit_keeps_spikes_from_washing_out_the_maps():
    f = np.ones((2, 10, 10))
    f[1, 0, 0] = 100.0
    assert _images(feature_grid(f))[0].get_clim() == (-100.0, 100.0)
    assert _images(feature_grid(f, percentile=99))[0].get_clim() == pytest.approx((-1.0, 1.0))
    spiky = _images(feature_rows({"a": f}, channels=[0, 1], scale="row", percentile=99))
    assert spiky[1].get_clim() == pytest.approx((-1.0, 1.0))
    with pytest.raises(MMKitError, match="percentile"):
        feature_grid(f, percentile=0)


def test_show_images_and_crop():
    imgs = [np.full((4, 8, 3), 255, np.uint8), np.linspace(0, 1, 32).reshape(4, 8)]
    fig = show_images(imgs, ["white", "ramp"], xlabel="x (pixels)", ylabel="time (frames)", panel_height=2.0)
    ims = _images(fig)
    assert ims[0].get_array().max() == 1.0                                    # uint8 shown in [0, 1]
    np.testing.assert_allclose(ims[1].get_array(), imgs[1])
    assert fig.axes[1].get_title() == "ramp" and fig.axes[0].get_ylabel() == "time (frames)"
    assert fig.axes[0].get_aspect() == "auto"
    assert len(_images(show_images(imgs * 3, ncols=4))) == 6
    with pytest.raises(MMKitError):
        show_images([])
    frame = np.arange(100).reshape(10, 10)
    assert crop(frame, 0, 0, 2)[0, 0] == 0 and crop(frame, 9, 9, 2)[-1, -1] == 99   # kept inside the frame
    assert crop(frame, 5, 5, 2)[0, 0] == 33
    with pytest.raises(MMKitError, match="does not fit"):
        crop(frame, 5, 5, 6)


def test_show_outputs_titles_carry_the_mse_against_the_target():
    target = np.zeros((20, 20, 3))
    pair = {"cur": np.full((20, 20, 3), 0.1), "target": target}
    fig = show_outputs(pair, {"half": np.full((20, 20, 3), 0.5), "exact": target}, zoom=5)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["input (cur)\nMSE 10.00e-3", "target", "half\nMSE 250.00e-3", "exact\nMSE 0.00e-3"]
    assert all(im.get_array().shape[:2] == (10, 10) for im in _images(fig))


def test_show_training_samples_has_alpha_in_the_titles_and_maps_the_noise_with_a_colour_bar():
    samples = [render_pair(DataConfig(size=32), i) for i in range(2)]
    fig = show_training_samples(samples)
    ims = _images(fig)
    assert len(ims) == 8                                                   # four panels a row
    assert fig.axes[2].get_title() == f"target\nalpha = {samples[0]['alpha']:.1f}"
    assert fig.axes[3].get_title() == f"noise in cur\ns = {samples[0]['noise']:.2f}"
    np.testing.assert_allclose(ims[0].get_array(), samples[0]["prev"])
    np.testing.assert_allclose(ims[3].get_array(), 255 * (samples[0]["cur"] - samples[0]["cur_clean"])[..., 1])
    assert ims[3].get_clim()[0] == -ims[3].get_clim()[1] == -ims[7].get_clim()[1]   # one signed scale
    assert "levels of 255" in fig.axes[-1].get_ylabel()                   # the colour bar
    assert _images(show_training_samples(samples, zoom=8))[3].get_array().shape == (16, 16)


def test_circle_score_bars_hold_the_ratios():
    scores = {"a": [CirclesScore(0.0, 1.0, 2.0), CirclesScore(5.0, 3.0, 2.0)],
              "b": [CirclesScore(0.0, 0.5, 2.0)]}
    fig = plot_circle_scores(scores)
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights[:2] == [0.5, 1.5] and heights[2] == 0.25 and np.isnan(heights[3])   # b has no noise-5 score
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["noise 0", "noise 5"]
    assert "1 = returning the input unchanged" in [t.get_text() for t in fig.axes[0].texts]   # the dashed line


def test_noise_path_bars_hold_each_mixtures_mse_and_leave_out_an_unmeasured_teacher():
    from mmkit.noise_paths import NoisePaths
    from mmkit.plots import plot_noise_paths

    a = NoisePaths(5.0, 2, identity=0.02, noisy=0.012, clean=0.007, clean_motion=0.0075, clean_appearance=0.0119,
                   teacher_motion=None, motion_noise=2.1, noise_rms=0.02,
                   signal_rms=0.01)
    fig = plot_noise_paths({"a": a, "b": replace(a, noisy=0.010)})
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == pytest.approx([12.0, 11.9, 7.5, 7.0, 10.0, 11.9, 7.5, 7.0])
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["all noisy", "clean appearance", "clean D",
                                                                            "all clean"]
    assert "2.10" in fig.axes[0].get_legend().get_texts()[0].get_text()


def test_temporal_slice_still_cuts_rows_and_columns():
    frames = np.arange(2 * 3 * 4 * 3).reshape(2, 3, 4, 3)
    np.testing.assert_array_equal(temporal_slice(frames), frames[:, 1])
    np.testing.assert_array_equal(temporal_slice(frames, col=3), frames[:, :, 3])


def test_every_colour_scale_of_the_feature_figures_has_its_colour_bar():
    rows = {"a": np.ones((3, 2, 2)), "b": -np.ones((3, 2, 2))}
    for scale, bars in (("column", 2), ("row", 2), ("all", 1)):
        fig = feature_rows(rows, channels=[0, 2], scale=scale)
        assert len(fig.axes) == 4 + bars, scale
    fig = feature_grid(np.ones((5, 6, 7)), ncols=3, label="E_b - E_a")
    assert len(fig.axes) == 6 + 1 and fig.axes[-1].get_ylabel() == "E_b - E_a"   # 2 x 3 panels (one off), a bar


def test_show_images_gives_value_maps_one_symmetric_scale_and_a_colour_bar():
    frame = np.full((4, 4, 3), 0.5)
    maps = [np.full((4, 4), 0.2), np.full((4, 4), -0.05)]
    fig = show_images([frame] + maps, ["frame", "a", "b"], colorbar="change (0..1)", cmap="RdBu_r")
    ims = _images(fig)
    assert ims[0].get_array().shape == (4, 4, 3)                                  # the picture stays a picture
    assert ims[1].get_clim() == ims[2].get_clim() == pytest.approx((-0.2, 0.2))
    np.testing.assert_allclose(ims[2].get_array(), maps[1])                       # values are not clipped to [0, 1]
    assert len(fig.axes) == 4 and fig.axes[-1].get_ylabel() == "change (0..1)"
    assert len(show_images(maps).axes) == 2                                       # no bar unless asked
