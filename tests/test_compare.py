"""mmkit.compare: the measuring helpers recover known motions and noise, and the comparisons they make give the
numbers notebook 05 reports (linear overshoots past lambda / 8, phase does not; acceleration keeps a slide)."""
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from mmkit.compare import (  # noqa: E402
    CLASSICAL,
    add_noise,
    compact_png,
    fit_vibration,
    format_table,
    gain_sweep,
    grating_clip,
    jerk_weight_traces,
    motion_gain,
    plot_tracks,
    run_methods,
    show_slices,
    sized_sample,
    still_noise,
    track,
)
from mmkit.errors import MMKitError  # noqa: E402

FPS = 30.0
T = 24
t = np.arange(T)


# ---------------------------------------------------------------------------------------------- clips

def test_sized_sample_scales_the_scene_and_keeps_the_motion():
    clip = sized_sample("sliding_vibrating", 96, 12)
    assert (clip.height, clip.width, clip.n_frames, clip.radius) == (96, 144, 12, 21.0)
    assert (clip.amplitude_px, clip.frequency_hz, clip.speed_px_per_s) == (0.2, 3.0, 30.0)
    assert clip.render().shape == (12, 96, 144, 3)
    with pytest.raises(MMKitError, match="unknown sample"):
        sized_sample("nope", 96, 12)


def test_grating_is_exact_and_periodic():
    g = grating_clip(np.array([0.0, 16.0, 8.0]), 16.0, 32)
    assert g.dtype == np.uint8 and g.shape == (3, 32, 32, 3)
    assert np.abs(g[0].astype(int) - g[1]).max() <= 1              # moved by one wavelength: the same frame
    assert int(g[0, 0, 0, 0]) == 204 and int(g[2, 0, 0, 0]) == 51  # 0.5 +- 0.3, in levels
    assert (g[..., 0] == g[..., 2]).all() and (g[:, 0] == g[:, 31]).all()


def test_add_noise_has_the_asked_std_and_is_reproducible():
    flat = np.full((100, 16, 16, 3), 128, np.uint8)
    a, b = add_noise(flat, 3.0, seed=1), add_noise(flat, 3.0, seed=1)
    assert (a == b).all() and not (a == add_noise(flat, 3.0, seed=2)).all()
    assert a.astype(float).std() == pytest.approx(3.0, rel=0.03)


# ---------------------------------------------------------------------------------------------- measuring

def test_track_recovers_a_known_subpixel_motion():
    """A 16 px grating moved by 0.3 sin(2 pi 2.5 t) px, 8-bit: measured against frame 0 within 0.006 px (measured
    0.0059); step by step the steps' errors add up (0.072 px by frame 20)."""
    d = 0.3 * np.sin(2 * np.pi * 2.5 * t / FPS)
    clip = grating_clip(d, 16.0, 64)
    m = track(clip, (8, 56, 0, 64))
    assert m.shape == (T, 2) and np.abs(m[:, 0] - d).max() < 0.01 and np.abs(m[:, 1]).max() < 1e-6
    m = track(clip, (8, 56, 0, 64), step=True, wrap=16.0)
    assert np.abs(m[:, 0] - d).max() < 0.08 and np.abs(m[:, 1]).max() < 1e-6
    assert motion_gain(track(clip)[:, 0], d) == pytest.approx(1.0, abs=0.02)


def test_step_tracking_with_wrap_follows_a_motion_of_many_wavelengths():
    d = 1.5 * t                                                  # 34.5 px in all, 1.5 px per frame
    m = track(grating_clip(d, 16.0, 64), step=True, wrap=16.0)[:, 0]
    assert np.abs(m - d).max() < 0.05


def test_track_carries_the_window_along_a_path():
    """The sliding disc (1 px/frame, 0.2 px at 3 Hz vertically): measured velocity 1.00 px/frame and vibration
    0.20 px with the window carried along the slide."""
    clip = sized_sample("sliding_vibrating", 96, T)
    path = np.stack([clip.speed_px_per_s * t / clip.fps, np.zeros(T)], axis=1)
    cy, cx, h = 48, round(clip.radius + 8), int(0.45 * clip.radius)
    m = track(clip.render(), (cy - h, cy + h, cx - h, cx + h), path=path)
    assert np.abs(m[:, 0] - path[:, 0]).max() < 0.05
    assert fit_vibration(m[:, 0], 3.0, FPS).velocity == pytest.approx(1.0, abs=0.01)
    assert fit_vibration(m[:, 1], 3.0, FPS).in_phase == pytest.approx(0.2, abs=0.01)
    with pytest.raises(MMKitError, match="leaves the frame"):
        track(clip.render(), (cy - h, cy + h, cx - h, cx + h), path=path * 10)
    with pytest.raises(MMKitError, match="not inside"):
        track(clip.render(), (0, 200, 0, 10))
    with pytest.raises(MMKitError, match="path must be"):
        track(clip.render(), path=path[:3])


def test_fit_vibration_and_motion_gain_are_least_squares_exact():
    w = 2 * np.pi * 3.0 * t / FPS
    f = fit_vibration(1.0 - 0.25 * t + 0.3 * np.sin(w) - 0.4 * np.cos(w), 3.0, FPS)
    assert (f.velocity, f.in_phase, f.quadrature) == pytest.approx((-0.25, 0.3, -0.4), abs=1e-9)
    assert f.amplitude == pytest.approx(0.5, abs=1e-9)
    assert motion_gain(-2.0 * np.sin(w) + 7, np.sin(w)) == pytest.approx(-2.0, abs=1e-9)
    with pytest.raises(MMKitError, match="constant"):
        motion_gain(np.ones(T), np.zeros(T))


def test_still_noise_measures_temporal_noise_and_ignores_what_the_clean_clip_does():
    flat = np.full((200, 16, 16, 3), 100, np.uint8)
    noisy = add_noise(flat, 3.0, seed=0)
    assert still_noise(flat, (0, 16, 0, 16)) == 0.0
    assert still_noise(noisy, (0, 16, 0, 16)) == pytest.approx(3.0 * 0.668, rel=0.05)  # luma of RGB noise
    moving = flat.copy()
    moving[::2] += 50                                            # a flicker: "noise" 25 levels without clean
    assert still_noise(moving, (0, 16, 0, 16)) == pytest.approx(25.0)
    assert still_noise(moving + (noisy - flat), (0, 16, 0, 16), clean=moving) == pytest.approx(
        still_noise(noisy, (0, 16, 0, 16)))
    with pytest.raises(MMKitError, match="differ in shape"):
        still_noise(noisy, (0, 4, 0, 4), clean=flat[:10])


# ---------------------------------------------------------------------------------------------- comparisons

def test_run_methods_runs_every_method_and_a_tiny_alpha_is_about_the_input():
    frames = sized_sample("vibrating_still", 64, T).render()
    runs = run_methods(frames, 1e-3, FPS, 1.5, 3.5)
    assert list(runs) == list(CLASSICAL) == ["linear", "riesz", "phase", "acceleration", "jerk", "anisotropy"]
    for name, r in runs.items():
        assert r.name == name and r.seconds > 0 and r.frames.dtype == np.uint8
        assert np.abs(r.frames.astype(int) - frames).max() <= 1, name
    with pytest.raises(MMKitError, match="alpha 0 magnifies nothing"):
        run_methods(frames, 0.0, FPS, 1.5, 3.5)
    with pytest.raises(MMKitError, match="unknown classical"):
        run_methods(frames, 1.0, FPS, 1.5, 3.5, methods=["linear", "light"])


def test_vibrating_disc_measured_gains():
    """vibrating_still at 64 px, 24 frames, alpha 9 (ideal output 10 x 0.25 = 2.5 px). Measured in-phase
    vibration: input 0.225 (the small window's bias), linear 0.887 (default lambda_c), riesz 1.089, phase 1.816,
    acceleration 1.732, jerk 0.228, anisotropy 0.225 (no quick motion to be aware of: the jerk-aware weight
    shuts out the lone smooth vibration): the ranking notebook 05 reports."""
    clip = sized_sample("vibrating_still", 64, T)
    frames = clip.render()
    window = (24, 40, 24, 40)
    runs = run_methods(frames, 9.0, FPS, 1.5, 3.5, params={"linear": {"lambda_c": 16.0}})
    vib = {n: fit_vibration(track(r.frames, window)[:, 0], 2.5, FPS).in_phase for n, r in runs.items()}
    expected = {"linear": 0.887, "riesz": 1.089, "phase": 1.816, "acceleration": 1.732, "jerk": 0.228,
                "anisotropy": 0.225}
    assert vib == pytest.approx(expected, abs=0.03)


def test_gain_sweep_linear_overshoots_past_lambda_over_8_phase_does_not():
    """16 px grating, 0.25 px at 2.5 Hz (lambda / 8 = 2 px is reached at alpha 7). Measured: phase 5.02 / 19.97 /
    31.00 at alpha 4 / 19 / 30 with the contrast unchanged; linear (lambda_c = 0) 4.37 / 11.69 / 14.17, its
    intensity range 1.17 / 1.67 / 1.67 times the input's (1.67: clipped at 0 and 255)."""
    d = 0.25 * np.sin(2 * np.pi * 2.5 * t / FPS)
    g = grating_clip(d, 16.0, 48)
    phase = gain_sweep(g, d, "phase", [4.0, 19.0, 30.0], FPS, 1.5, 3.5, wrap=16.0)
    linear = gain_sweep(g, d, "linear", [4.0, 19.0, 30.0], FPS, 1.5, 3.5, params={"lambda_c": 0.0}, wrap=16.0)
    assert phase.method == "phase" and phase.alphas.tolist() == [4.0, 19.0, 30.0]
    assert phase.gains == pytest.approx([5.0, 20.0, 31.0], rel=0.02)
    assert phase.contrast == pytest.approx([1.0, 1.0, 1.0], abs=0.01)
    assert linear.gains == pytest.approx([4.37, 11.69, 14.17], abs=0.1)
    assert linear.contrast == pytest.approx([1.17, 1.667, 1.667], abs=0.01)


def test_sliding_disc_acceleration_keeps_the_slide_phase_does_not():
    """sliding_vibrating at 96 px, 24 frames, alpha 19 (the notebook's quick run). Measured: acceleration
    velocity 1.01 px/frame, vibration 3.25 px (truth 3.97), slide error 1.31 px; phase slide error 36.7 px."""
    clip = sized_sample("sliding_vibrating", 96, T)
    path = np.stack([clip.speed_px_per_s * t / clip.fps, np.zeros(T)], axis=1)
    cy, cx, h = 48, round(clip.radius + 8), int(0.45 * clip.radius)
    window = (cy - h, cy + h, cx - h, cx + h)
    runs = run_methods(clip.render(), 19.0, FPS, 2.0, 4.0, methods=["phase", "acceleration"])
    acc = track(runs["acceleration"].frames, window, path=path)
    assert fit_vibration(acc[:, 0], 3.0, FPS).velocity == pytest.approx(1.0, abs=0.03)
    assert fit_vibration(acc[:, 1], 3.0, FPS).in_phase == pytest.approx(3.25, abs=0.1)
    assert np.abs(acc[:, 0] - path[:, 0]).max() < 1.5
    phase = track(runs["phase"].frames, window, path=path)
    assert np.abs(phase[:, 0] - path[:, 0]).max() > 20


def test_jerk_weight_is_zero_on_a_lone_vibration_and_kept_beside_a_quick_jump():
    t = np.arange(96)
    vibration = 0.25 * np.sin(2 * np.pi * 2.5 * t / FPS)
    jump = 4.0 * np.clip((t - 46) / 3, 0, 1)                   # 4 px in 3 frames, mid-clip
    alone = jerk_weight_traces(np.stack([vibration, 0 * t], axis=1), FPS, 2.5)
    assert alone[:90, 0].max() < 1e-6 and alone[:, 0].max() < 0.1   # the vibration is the largest jerk: weight 0
    assert alone[:, 1].min() == 1.0                                # (but at the clip's last few frames)
    beside = jerk_weight_traces(np.stack([vibration, 0 * t, jump], axis=1), FPS, 2.5)
    assert beside[:, 0].min() > 0.7                             # the jump sets the largest jerk
    assert beside[44:50, 2].max() == 0.0 and beside[:20, 2].min() == 1.0   # cut at the jump, kept far from it
    assert np.array_equal(jerk_weight_traces(np.stack([vibration, jump], 1), FPS, 2.5, beta=0.0), np.ones((96, 2)))
    with pytest.raises(MMKitError, match=r"\(T, N\)"):
        jerk_weight_traces(vibration, FPS, 2.5)


# ---------------------------------------------------------------------------------------------- showing

def test_format_table_aligns_and_leaves_missing_cells_empty():
    text = format_table({"input": {"noise": 1.94}, "phase": {"noise": 2.2349, "gain": 13.333}}, digits=2)
    assert text.splitlines() == ["method  noise   gain", "input    1.94", "phase    2.23  13.33"]
    assert format_table({"a": {"x": "text", "y": 1}}, digits=0, first="m") == "m     x  y\na  text  1"


def test_show_slices_and_plot_tracks_label_their_axes():
    clips = {"input": np.zeros((6, 10, 12, 3), np.uint8), "out": np.full((6, 10, 12, 3), 255, np.uint8),
             "third": np.zeros((6, 10, 12, 3), np.uint8)}
    fig = show_slices(clips, ncols=2)
    axes = fig.axes
    assert len(axes) == 4 and not axes[3].axison                    # 3 panels, the 4th switched off
    assert axes[0].get_xlabel() == "x (pixels)" and axes[0].get_ylabel() == "time (frames)"
    assert axes[1].get_title() == "out" and fig._suptitle.get_text() == "spatio-temporal slices at row 5"
    assert axes[0].images[0].get_array().shape == (6, 12, 3)
    fig = show_slices(clips, col=3, span=(2, 8))
    assert fig.axes[0].get_xlabel() == "y (pixels)" and fig.axes[0].images[0].get_array().shape == (6, 6, 3)
    ax = plot_tracks({"a": np.arange(5.0)}, truth=np.zeros(5))
    assert ax.get_xlabel() == "time (frames)" and ax.get_ylabel() == "displacement (pixels)"
    assert [line.get_label() for line in ax.lines] == ["truth", "a"]
    plt.close("all")


def test_compact_png_is_smaller_and_looks_the_same():
    fig, ax = plt.subplots(figsize=(6, 3))
    for k in range(6):
        ax.plot(np.sin(np.arange(50) / 4 + k), label=str(k))
    ax.legend()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    small = compact_png(buf.getvalue())
    before = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"), float)
    after = np.asarray(Image.open(io.BytesIO(small)).convert("RGB"), float)
    assert after.shape == before.shape and len(small) < 0.5 * len(buf.getvalue())
    assert np.abs(after - before).mean() < 1.0                 # levels, out of 255
