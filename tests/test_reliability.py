"""Reliability (issue #8): bad input to every entry point is one clear MMKitError (CLI: exit 2 and one
``mmkit: error:`` line), never a traceback from torch, numpy or ffmpeg, nor a hang; nothing the user has is
lost or overwritten; a killed run leaves nothing under the output's name and does not block the next one.

Entry points: ``mmkit.magnify`` with arrays and with files, the classical methods by name through it, the
``mmkit magnify`` / ``train`` / ``evaluate`` commands, and ``video_io.write_video``. Random inputs are in
tests/test_properties.py.
"""
import math
import os
import re
import signal
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pytest
import torch

import mmkit
import mmkit.engine as engine
from mmkit.atomic import _host, clean_stale_partials
from mmkit.classical.registry import METHODS as CLASSICAL
from mmkit.cli import main
from mmkit.errors import MMKitError
from mmkit.models import build_model
from mmkit.video_io import probe, read_video, write_video

ENV = {**os.environ, "OMP_NUM_THREADS": "1"}
FPS = 25.0


@pytest.fixture(scope="module")
def tiny_net():
    torch.manual_seed(0)
    return build_model("light", {"channels": 4}).eval()


@pytest.fixture
def net(tiny_net, monkeypatch):
    """Every network method name loads the tiny untrained network (fast, and the same for API and CLI)."""
    monkeypatch.setattr(engine, "load_method", lambda method, device: tiny_net)
    return tiny_net


def moving(t=6, h=24, w=24):
    """A bright square drifting right by a pixel a frame over a gradient."""
    y, x = np.mgrid[0:h, 0:w]
    frames = np.empty((t, h, w, 3), np.uint8)
    for i in range(t):
        frames[i] = (x * 4 + y * 2)[..., None] % 200
        frames[i, h // 3:h // 3 + 6, 2 + i:8 + i] = 250
    return frames


def run_cli(capsys, *argv):
    """``mmkit ARGV`` in this process: (exit code, stderr)."""
    capsys.readouterr()
    rc = main([str(a) for a in argv])
    return rc, capsys.readouterr().err


def assert_clear_error(rc, err, pattern):
    """Exit 2 with one ``mmkit: error:`` line that matches ``pattern``; no traceback."""
    assert rc == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert lines and lines[-1].startswith("mmkit: error: "), err
    assert re.search(pattern, lines[-1]), lines[-1]
    assert len(lines[-1]) < 400


def small_gib_peak(fn):
    """Run ``fn`` (which must raise MMKitError) under tracemalloc; return the error and the peak in GiB."""
    tracemalloc.start()
    try:
        with pytest.raises(MMKitError) as caught:
            fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**30
    finally:
        tracemalloc.stop()
    return caught.value, peak


def sparse_npy(path, shape):
    """A valid .npy of uint8 zeros of ``shape`` that takes no disk space (the data part is a hole)."""
    header = {"descr": "|u1", "fortran_order": False, "shape": shape}
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
        f.truncate(f.tell() + math.prod(shape))
    return path


# ---------------------------------------------------------------- bad files, every entry point


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    """name -> (path, what the error must say)."""
    d = tmp_path_factory.mktemp("bad")
    clip = moving()
    data = write_video(d / "full.mp4", clip, FPS).read_bytes()
    (d / "half.mp4").write_bytes(data[: len(data) // 2])
    (d / "empty.mp4").write_bytes(b"")
    (d / "text.mp4").write_text("this is not a video\n")
    (d / "notes.txt").write_text("hello")
    np.save(d / "zero.npy", np.zeros((0, 24, 24, 3), np.uint8))
    np.savez(d / "zero.npz", frames=np.zeros((0, 24, 24, 3), np.uint8), fps=FPS)
    np.save(d / "flat.npy", np.zeros((3, 0, 24, 3), np.uint8))
    nan = clip.astype(np.float32) / 255
    nan[0, 0, 0] = np.nan
    np.save(d / "float.npy", nan)
    np.save(d / "two_channel.npy", clip[..., :2])
    npz = bytearray(write_video(d / "good.npz", clip, FPS).read_bytes())
    mid = len(npz) // 2
    npz[mid:mid + 64] = bytes(b ^ 0x55 for b in npz[mid:mid + 64])
    (d / "corrupt.npz").write_bytes(bytes(npz))
    (d / "mixed").mkdir()
    from PIL import Image
    Image.fromarray(clip[0]).save(d / "mixed" / "frame_1.png")
    Image.fromarray(clip[1, :12]).save(d / "mixed" / "frame_2.png")
    (d / "no_png").mkdir()
    return {
        "missing": (d / "missing.mp4", "does not exist"),
        "empty": (d / "empty.mp4", "is empty"),
        "truncated mp4": (d / "half.mp4", r"could not read .*half.mp4 as a video.*complete video file"),
        "text named .mp4": (d / "text.mp4", r"could not read .*text.mp4 as a video"),
        "unknown suffix": (d / "notes.txt", r"cannot read '.txt'"),
        "zero frames npy": (d / "zero.npy", "holds no frames"),
        "zero frames npz": (d / "zero.npz", "holds no frames"),
        "0 px frames": (d / "flat.npy", r"0x24 px are empty"),
        "float with NaN": (d / "float.npy", r"float32 frames; mmkit frames are uint8"),
        "two channels": (d / "two_channel.npy", r"shape \(6, 24, 24, 2\); expected"),
        "corrupt npz": (d / "corrupt.npz", r"corrupt"),
        "mixed sizes": (d / "mixed", r"12x24 but frame_1.png is 24x24; all frames of a clip must have the same size"),
        "folder without frames": (d / "no_png", r"no .png frames"),
    }


BAD_FILES = ["missing", "empty", "truncated mp4", "text named .mp4", "unknown suffix", "zero frames npy",
             "zero frames npz", "0 px frames", "float with NaN", "two channels", "corrupt npz", "mixed sizes",
             "folder without frames"]


@pytest.mark.parametrize("case", BAD_FILES)
@pytest.mark.parametrize("method", ["light", "linear"])
def test_bad_file_is_a_clear_error_from_the_api(bad_files, net, tmp_path, case, method):
    path, message = bad_files[case]
    with pytest.raises(MMKitError, match=message):
        mmkit.magnify(path, 5.0, method=method, low_hz=2.0, high_hz=6.0)
    with pytest.raises(MMKitError, match=message):
        mmkit.magnify(path, 5.0, method=method, low_hz=2.0, high_hz=6.0, out=tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == []  # no output, not even a partial one


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_file_is_one_error_line_from_the_cli(bad_files, net, tmp_path, capsys, case):
    path, message = bad_files[case]
    for method in ("light", "phase"):
        rc, err = run_cli(capsys, "magnify", path, "-o", tmp_path / "out.mp4", "--alpha", 5, "--method", method,
                          "--low-hz", 2, "--high-hz", 6, "--quiet")
        assert_clear_error(rc, err, message)
    assert list(tmp_path.iterdir()) == []


def test_a_real_process_exits_2_with_one_line_for_a_truncated_video(bad_files, tmp_path):
    path, _ = bad_files["truncated mp4"]
    r = subprocess.run([sys.executable, "-m", "mmkit", "magnify", str(path), "-o", str(tmp_path / "o.mp4"),
                        "--alpha", "5", "--quiet"], capture_output=True, text=True, env=ENV, timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().count("\n") == 0 and r.stderr.startswith("mmkit: error: could not read")


def test_one_frame_is_passed_through_by_a_network_and_refused_by_a_temporal_filter(net, tmp_path):
    clip = moving(1)
    assert np.array_equal(mmkit.magnify(clip, 5.0), clip)           # dynamic mode: frame 0 has no predecessor
    assert mmkit.magnify(clip, 5.0, mode="static").shape == clip.shape
    one = write_video(tmp_path / "one.npz", clip, FPS)
    assert probe(mmkit.magnify(one, 5.0, out=tmp_path / "out.npz")).n_frames == 1
    for method in CLASSICAL:
        with pytest.raises(MMKitError, match="at least"):
            mmkit.magnify(moving(1, 32, 32), 5.0, method=method, fps=30.0, low_hz=2, high_hz=6)


# ---------------------------------------------------------------- bad arrays


@pytest.mark.parametrize("source, message", [
    (np.zeros((0, 16, 16, 3), np.uint8), "no frames"),
    (np.zeros((3, 0, 16, 3), np.uint8), r"0x16 px are empty"),
    (np.zeros((3, 16, 0, 3), np.uint8), r"16x0 px are empty"),
    (np.full((3, 16, 16, 3), np.nan, np.float32), r"uint8, got float32; convert"),
    (np.full((3, 16, 16, 3), np.inf), r"uint8, got float64"),
    (np.zeros((3, 16, 16, 3), np.int16), r"uint8, got int16"),
    (np.zeros((3, 16, 16, 3), bool), r"uint8, got bool"),
    (np.zeros((3, 16, 16), np.uint8), r"\(T, H, W, 3\), got shape \(3, 16, 16\); grey"),
    (np.zeros((16, 16, 3), np.uint8), r"one \(H, W, 3\) frame: pass frame\[None\]"),
    (np.zeros((3, 16, 16, 4), np.uint8), r"RGBA: pass frames\[..., :3\]"),
    (np.zeros((3, 16, 16, 1), np.uint8), r"grey: pass np.repeat"),
    (np.zeros((3, 16, 16, 2), np.uint8), r"\(T, H, W, 3\), got shape \(3, 16, 16, 2\)"),
    (list(np.zeros((3, 16, 16, 3), np.uint8)), r"got list; for a list of frames pass np.stack\(frames\)"),
    (None, r"source must be a file path or a \(T, H, W, 3\) uint8 array, got NoneType"),
])
@pytest.mark.parametrize("method", ["light", "linear", "riesz"])
def test_bad_arrays_are_clear_errors(net, source, message, method):
    with pytest.raises(MMKitError, match=message):
        mmkit.magnify(source, 5.0, method=method)


@pytest.mark.parametrize("alpha", [-1.0, -1e-9, 0, 0.0, np.float32(0), float("nan"), float("inf"), -float("inf"),
                                   1e9, 1001, True, "5", None, [5.0]])
@pytest.mark.parametrize("method", ["light", "linear", "anisotropy"])
def test_bad_alpha_is_refused(net, alpha, method):
    with pytest.raises(MMKitError, match="alpha"):
        mmkit.magnify(moving(), alpha, method=method, fps=30.0, low_hz=2.0, high_hz=6.0)


def test_numpy_numbers_are_good_alphas_and_rates(net):
    """np.float32(5) is not a Python float, but it is a number: it used to be refused as an alpha."""
    clip = moving(8, 32, 32)
    for alpha in (np.float32(5), np.int64(5), np.float64(5), 1e-3, 1000):
        assert mmkit.magnify(clip, alpha, fps=np.float32(30)).shape == clip.shape
    assert mmkit.magnify(clip, np.float32(5), method="linear", fps=np.int32(30), low_hz=2,
                         high_hz=6).shape == clip.shape


@pytest.mark.parametrize("args", ["--alpha nan", "--alpha -1", "--alpha 0", "--alpha inf", "--alpha 1e9"])
def test_bad_alpha_from_the_cli(net, tmp_path, capsys, args):
    clip = write_video(tmp_path / "in.npz", moving(), FPS)
    rc, err = run_cli(capsys, "magnify", clip, "-o", tmp_path / "out.mp4", *args.split(), "--quiet")
    assert_clear_error(rc, err, "alpha")
    assert not (tmp_path / "out.mp4").exists()


# ---------------------------------------------------------------- bands, rates, options


BAD_BANDS = [(0.0, 5.0), (-1.0, 5.0), (5.0, 2.0), (3.0, 3.0), (2.0, 12.0), (2.0, 15.0), (float("nan"), 5.0),
             (2.0, float("inf"))]  # at 24 fps: the band must lie in (0, 12)


@pytest.mark.parametrize("method", sorted(CLASSICAL))
@pytest.mark.parametrize("low, high", BAD_BANDS)
def test_bands_outside_zero_to_nyquist_are_refused_by_every_classical_method(method, low, high):
    with pytest.raises(MMKitError, match=r"band|low_hz|high_hz|cut-off"):
        mmkit.magnify(moving(30, 32, 32), 5.0, method=method, fps=24.0, low_hz=low, high_hz=high)


@pytest.mark.parametrize("low, high", BAD_BANDS)
def test_bands_outside_zero_to_nyquist_are_refused_by_the_temporal_mode(net, low, high):
    with pytest.raises(MMKitError, match=r"band|cut-off"):
        mmkit.magnify(moving(), 5.0, mode="temporal", fps=24.0, low_hz=low, high_hz=high)


def test_the_band_is_checked_against_the_file_rate_and_the_capture_rate(net, tmp_path, capsys):
    clip = write_video(tmp_path / "in.npz", moving(30, 32, 32), 10.0)   # Nyquist 5 Hz
    out = tmp_path / "out.npz"
    for method in ("linear", "light"):
        rc, err = run_cli(capsys, "magnify", clip, "-o", out, "--alpha", 5, "--method", method, "--mode", "temporal",
                          "--low-hz", 2, "--high-hz", 6, "--quiet")
        assert_clear_error(rc, err, r"fs/2 = 5 Hz")
        rc, err = run_cli(capsys, "magnify", clip, "-o", out, "--alpha", 5, "--method", method, "--mode", "temporal",
                          "--low-hz", 2, "--high-hz", 6, "--fps", 0, "--quiet")
        assert_clear_error(rc, err, r"capture_fps \(--fps\) must be a finite number > 0")
    assert not out.exists()
    # a high-speed capture played back at 10 fps: --fps gives the true rate and the same band is fine
    assert run_cli(capsys, "magnify", clip, "-o", out, "--alpha", 5, "--method", "linear", "--low-hz", 2,
                   "--high-hz", 6, "--fps", 60, "--quiet")[0] == 0


@pytest.mark.parametrize("fps", [0, -24.0, float("nan"), float("inf"), "24", True])
@pytest.mark.parametrize("method", ["light", "linear"])
def test_bad_frame_rates_are_refused_not_replaced(net, fps, method):
    """fps=0 used to mean 'unset' (``fps or 30``): a linear run silently filtered at 30 fps."""
    with pytest.raises(MMKitError, match="fps"):
        mmkit.magnify(moving(30, 32, 32), 5.0, method=method, fps=fps, low_hz=2.0, high_hz=6.0)


@pytest.mark.parametrize("option, message", [
    ({"batch_size": 0}, "batch_size"), ({"batch_size": 2.5}, "batch_size"), ({"reference": -1}, "reference"),
    ({"reference": 1.5}, "reference"), ({"capture_fps": -3.0}, "capture_fps"), ({"max_memory_gb": 0}, "max_memory_gb"),
    ({"device": "gpu9"}, "unknown device 'gpu9'"), ({"method": None}, "method must be"),
    ({"mode": "static", "reference": 99}, "reference frame 99 does not exist"),
    ({"roi": (0, 99, 0, 8)}, "reaches outside the 24 x 24 frame"), ({"scale": float("nan")}, "scale"),
    ({"params": {"no_such_field": 1}}, "bad parameters"),
])
def test_bad_options_are_clear_errors(net, option, message):
    option = dict(option)
    method = "linear" if "params" in option else option.pop("method", "light")
    with pytest.raises(MMKitError, match=message):
        mmkit.magnify(moving(), 5.0, method=method, low_hz=2.0, high_hz=6.0, **option)


def test_a_device_that_is_not_there_is_a_clear_error(net, tmp_path, capsys):
    if torch.cuda.device_count() >= 8:
        pytest.skip("this machine has a cuda:7")
    with pytest.raises(MMKitError, match=r"'cuda:7' is not available here"):
        mmkit.magnify(moving(), 5.0, device="cuda:7")
    with pytest.raises(MMKitError, match=r"'cuda:7' is not available here"):
        mmkit.magnify(moving(30, 32, 32), 5.0, method="phase", device="cuda:7", fps=24.0, low_hz=2, high_hz=6)
    rc, err = run_cli(capsys, "train", "--out", tmp_path / "run", "--steps", 1, "--size", 32, "--device", "cuda:7",
                      "--quiet")
    assert_clear_error(rc, err, r"not available here")


# ---------------------------------------------------------------- too big for memory: refused before allocating


@pytest.mark.parametrize("method", sorted(CLASSICAL))
def test_a_classical_method_refuses_a_huge_clip_before_loading_it(method):
    """1000 frames of 1080p is 6.2 GB as uint8: refused from its shape, with next to nothing allocated
    (the clip is a zero-stride view that costs no memory; the old engine stacked it before any check)."""
    huge = np.broadcast_to(np.zeros((), np.uint8), (1000, 1080, 1920, 3))
    err, peak = small_gib_peak(lambda: mmkit.magnify(huge, 5.0, method=method, fps=30.0, low_hz=2, high_hz=6))
    assert re.search(r"needs about [\d.]+ GiB, more than the 4 GiB.*--max-memory-gb", str(err)), err
    assert f"{method} on 1000 frames of 1080 x 1920 px" in str(err)
    assert peak < 0.05


def test_the_methods_own_estimate_refuses_before_the_clip_is_stacked():
    """100 frames of 1080p fit in 4 GiB as uint8 (0.6 GiB), but linear needs 7 GiB of float copies: the
    engine says so before stacking the 0.6 GiB."""
    clip = np.broadcast_to(np.zeros((), np.uint8), (100, 1080, 1920, 3))
    err, peak = small_gib_peak(lambda: mmkit.magnify(clip, 5.0, method="linear", fps=30.0, low_hz=2, high_hz=6))
    assert "needs about 7.53 GiB" in str(err)
    assert peak < 0.05
    err, _ = small_gib_peak(lambda: mmkit.magnify(moving(8, 32, 32), 5.0, method="phase", fps=30.0, low_hz=2,
                                                  high_hz=6, max_memory_gb=1e-4))
    assert "more than the 0.0001 GiB" in str(err)


def test_a_huge_file_is_refused_from_its_header(tmp_path, capsys):
    """A 1.2 GB .npy (sparse: no disk used) through the API and the command line: refused from the header."""
    path = sparse_npy(tmp_path / "huge.npy", (200, 1080, 1920, 3))
    err, peak = small_gib_peak(lambda: mmkit.magnify(path, 5.0, method="linear", low_hz=2, high_hz=6))
    assert "linear on 200 frames of 1080 x 1920 px" in str(err) and peak < 0.05
    rc, err = run_cli(capsys, "magnify", path, "-o", tmp_path / "out.mp4", "--alpha", 5, "--method", "riesz",
                      "--low-hz", 2, "--high-hz", 6, "--max-memory-gb", 1, "--quiet")
    assert_clear_error(rc, err, r"riesz on 200 frames .* more than the 1 GiB")
    # the way out that the message offers works: a region of the frame fits
    rc, err = run_cli(capsys, "magnify", path, "-o", tmp_path / "out.mp4", "--alpha", 5, "--method", "riesz",
                      "--low-hz", 2, "--high-hz", 6, "--roi", 0, 32, 0, 32, "--max-memory-gb", 1, "--quiet")
    assert rc == 0, err
    assert probe(tmp_path / "out.mp4").n_frames == 200


def test_a_network_refuses_an_absurd_frame_size_before_allocating(net, tmp_path, capsys):
    """A network streams, so the length never matters, but one 100,000 x 100,000 frame cannot fit."""
    absurd = np.broadcast_to(np.zeros((), np.uint8), (2, 100_000, 100_000, 3))
    err, peak = small_gib_peak(lambda: mmkit.magnify(absurd, 5.0))
    assert re.search(r"light(_varied)? network on batches of (1 frame|2 frames) of 100000 x 100000 px \((cpu|cuda)\) needs about "
                     r"[\d,]+ GiB", str(err)) and "--scale 0.5" in str(err)
    assert peak < 0.05
    long = np.broadcast_to(np.zeros((), np.uint8), (100_000, 64, 64, 3))  # a long clip is fine: it streams
    engine._check_network_memory(engine.MagnifyConfig(), long.shape[1:3], len(long))
    path = sparse_npy(tmp_path / "absurd.npy", (1, 40_000, 40_000, 3))
    rc, err = run_cli(capsys, "magnify", path, "-o", tmp_path / "out.mp4", "--alpha", 5, "--quiet")
    assert_clear_error(rc, err, r"batches of 1 frame of 40000 x 40000 px")


def test_training_refuses_absurd_crops_and_bad_run_folders(tmp_path, capsys):
    rc, err = run_cli(capsys, "train", "--out", tmp_path / "a", "--size", 100_000, "--steps", 1, "--quiet")
    assert_clear_error(rc, err, r"training on batches of 4 crops of 100000 px \((cpu|cuda)\) needs about")
    rc, err = run_cli(capsys, "train", "--out", tmp_path / "b", "--size", 4, "--steps", 1, "--quiet")
    assert_clear_error(rc, err, r"too small to render; use --size 16")
    (tmp_path / "file").write_text("x")
    rc, err = run_cli(capsys, "train", "--out", tmp_path / "file", "--size", 32, "--steps", 1, "--quiet")
    assert_clear_error(rc, err, r"is a file")
    rc, err = run_cli(capsys, "train", "--out", tmp_path / "c", "--size", 32, "--steps", 1, "--device", "gpu9",
                      "--quiet")
    assert_clear_error(rc, err, r"unknown device 'gpu9'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # no run folder made by a refused run


def test_evaluate_refuses_bad_checkpoints_and_arguments(tmp_path, capsys):
    (tmp_path / "text.pt").write_text("not a checkpoint")
    for args, message in [(["--checkpoint", tmp_path / "missing.pt"], "does not exist"),
                          (["--checkpoint", tmp_path / "text.pt"], "corrupt or truncated"),
                          (["--checkpoint", tmp_path], "does not exist"),
                          (["--pretrained", "nonexistent"], "nonexistent"),
                          (["--noise", "-5"], "noise must be"), (["--noise", "nan"], "noise must be"),
                          (["--scenes", "0"], "--scenes must be an int >= 1")]:
        rc, err = run_cli(capsys, "evaluate", "--scenes", 1, *args)
        assert_clear_error(rc, err, message)


# ---------------------------------------------------------------- writing: nothing lost


@pytest.mark.filterwarnings("ignore:.*npy stores no frame rate")
@pytest.mark.parametrize("name", ["a.mp4", "a.mov", "a.avi", "a.gif", "frames/", "a.npy", "a.npz"])
@pytest.mark.parametrize("n_frames", [1, 2])
def test_very_short_clips_keep_their_frame_count_in_every_format(tmp_path, name, n_frames):
    """A 2-frame GIF used to read back as 8 frames (ffmpeg repeated frames to fill the rate it guessed)."""
    out = write_video(tmp_path / name, moving(n_frames), FPS)
    assert probe(out).n_frames == n_frames
    frames, fps = read_video(out)
    assert len(frames) == n_frames and fps == (30.0 if name.endswith(".npy") else FPS)


@pytest.mark.parametrize("name, fps", [("a.mp4", 1000.0), ("a.mov", 2400.0), ("a.mp4", 10000.0), ("a.avi", 1000.0),
                                       ("a.npz", 10000.0), ("frames", 54321.5)])
def test_high_speed_rates_survive(tmp_path, name, fps):
    """ffmpeg writes whole thousands as '1k fps', which the reader used to miss: 'no frame rate found'."""
    out = write_video(tmp_path / name, moving(3), fps)
    assert probe(out).fps == fps and probe(out).n_frames == 3


def test_a_rate_the_container_cannot_hold_is_an_error_not_another_rate(tmp_path):
    """PNG-in-AVI tops out at 600 fps here: 2000 fps used to be written as 600 without a word."""
    with pytest.raises(MMKitError, match=r"a .avi file cannot hold 2000 fps .*use .npz or a PNG folder"):
        write_video(tmp_path / "a.avi", moving(3), 2000.0)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["a.mp4", "a.gif", "a.npy", "a.npz", "frames"])
def test_empty_frames_are_refused_before_writing(tmp_path, name):
    """0-pixel frames used to reach ffmpeg (an unreadable message), PIL (SystemError) or an empty .npy."""
    with pytest.raises(MMKitError, match=r"frame 0 for .* is 0x5 px; a frame needs at least 1x1 px"):
        write_video(tmp_path / name, np.zeros((2, 0, 5, 3), np.uint8), FPS)
    assert list(tmp_path.iterdir()) == []


def test_a_path_that_cannot_be_a_folder_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(MMKitError, match=r"cannot write .*choose a folder you can write to"):
        write_video(tmp_path / "file" / "out.mp4", moving(2), FPS)


@pytest.mark.parametrize("name", ["in.mp4", "in.avi", "in.gif", "in.npz", "frames"])
def test_magnify_keeps_frame_count_and_rate_in_every_format(net, tmp_path, name):
    src = write_video(tmp_path / name, moving(5, 16, 16), 12.5)
    out = mmkit.magnify(src, 5.0, out=tmp_path / f"out_{name}")
    info_in, info_out = probe(src), probe(out)
    assert (info_out.n_frames, info_out.fps, info_out.height, info_out.width) == \
        (info_in.n_frames, info_in.fps, info_in.height, info_in.width) == (5, 12.5, 16, 16)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("spelling", ["in.npz", "./in.npz", "sub/../in.npz", "{abs}", "link.npz", "hard.npz"])
def test_the_input_is_never_the_output_however_it_is_spelt(net, in_tmp, capsys, spelling):
    clip = write_video(in_tmp / "in.npz", moving(), FPS)
    (in_tmp / "sub").mkdir()
    (in_tmp / "link.npz").symlink_to(clip)
    os.link(clip, in_tmp / "hard.npz")
    before = clip.read_bytes()
    out = spelling.format(abs=clip)
    with pytest.raises(MMKitError, match="is the input"):
        mmkit.magnify("in.npz", 5.0, out=out, overwrite=True)
    rc, err = run_cli(capsys, "magnify", "in.npz", "-o", out, "--alpha", 5, "--overwrite", "--quiet")
    assert_clear_error(rc, err, "is the input")
    assert clip.read_bytes() == before


def test_a_frame_folder_is_never_its_own_output(net, in_tmp):
    write_video(in_tmp / "frames", moving(), FPS)
    before = sorted((p.name, p.read_bytes()) for p in (in_tmp / "frames").iterdir())
    for out in ("frames", "frames/", "./frames/"):
        with pytest.raises(MMKitError, match="is the input"):
            mmkit.magnify("frames/", 5.0, out=out, overwrite=True)
    assert sorted((p.name, p.read_bytes()) for p in (in_tmp / "frames").iterdir()) == before


def test_an_existing_output_needs_overwrite_on_the_command_line(net, tmp_path, capsys):
    clip = write_video(tmp_path / "in.npz", moving(), FPS)
    out = write_video(tmp_path / "out.npz", moving(2), FPS)
    before = out.read_bytes()
    rc, err = run_cli(capsys, "magnify", clip, "-o", out, "--alpha", 5, "--quiet")
    assert_clear_error(rc, err, r"out.npz exists; pass overwrite=True \(--overwrite\)")
    assert out.read_bytes() == before
    assert run_cli(capsys, "magnify", clip, "-o", out, "--alpha", 5, "--overwrite", "--quiet")[0] == 0
    assert probe(out).n_frames == 6


def test_the_slice_figure_is_checked_before_the_run(net, tmp_path, capsys, monkeypatch):
    """The slice PNG is written after the whole run: its problems used to surface only then, as matplotlib's
    ValueError or numpy's IndexError, or it silently replaced a file."""
    clip = write_video(tmp_path / "in.npz", moving(), FPS)
    (tmp_path / "old.png").write_bytes(b"keep me")
    runs = []
    monkeypatch.setattr(engine, "magnify_frames", lambda *a, **k: runs.append(1) or iter([]))
    cases = [({"slice_png": tmp_path / "old.png"}, r"old.png exists; pass overwrite=True"),
             ({"slice_png": clip}, "is the input"),
             ({"slice_png": tmp_path / "out.gif", "out": tmp_path / "out.gif"}, "output video.s path"),
             ({"slice_png": tmp_path / "s.mp3"}, r"must be an image file: end it in .png"),
             ({"slice_png": tmp_path / "s.png", "slice_row": 24}, r"slice_row must be a whole number from 0 to 23"),
             ({"slice_png": tmp_path / "s.png", "slice_col": -1}, r"slice_col must be .* 0 to 23"),
             ({"slice_png": tmp_path / "s.png", "slice_col": 30, "roi": (0, 24, 0, 12)}, r"0 to 11")]
    for kwargs, message in cases:
        with pytest.raises(MMKitError, match=message):
            mmkit.magnify(clip, 5.0, **kwargs)
    rc, err = run_cli(capsys, "magnify", clip, "-o", tmp_path / "o.mp4", "--alpha", 5, "--slice-png",
                      tmp_path / "old.png", "--quiet")
    assert_clear_error(rc, err, "exists")
    assert runs == [] and (tmp_path / "old.png").read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.npz", "old.png"]


# ---------------------------------------------------------------- interruption


def magnify_process(src, out, *extra):
    """``mmkit magnify`` in a process of its own, with Ctrl-C's default meaning even if ours ignores it."""
    return subprocess.Popen([sys.executable, "-m", "mmkit", "magnify", str(src), "-o", str(out), "--alpha", "5",
                             "--quiet", *extra], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def partials(folder):
    return sorted(p.name for p in folder.iterdir() if ".partial-" in p.name)


def wait_for_partial(proc, folder, timeout=120):
    """Wait until the run has begun writing (a partial file with data in it)."""
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        found = [p for p in folder.iterdir() if ".partial-" in p.name] if folder.is_dir() else []
        if found and any(p.stat().st_size > 0 for p in found):
            return
        time.sleep(0.05)
    raise AssertionError(f"no partial output appeared (exit code {proc.poll()})")


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory):
    """400 frames of 96 x 96: several seconds of the light network on one thread."""
    return write_video(tmp_path_factory.mktemp("long") / "long.npy", np.repeat(moving(8, 96, 96), 50, axis=0), 30.0)


def test_sigkill_leaves_no_output_and_the_next_run_cleans_up(long_clip, tmp_path):
    out = tmp_path / "out" / "result.mp4"
    proc = magnify_process(long_clip, out, "--method", "light")
    try:
        wait_for_partial(proc, out.parent)
        time.sleep(0.3)
        assert proc.poll() is None, "the run finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    left = partials(out.parent)
    assert left and all(re.match(rf"\.result\.partial-{_host()}-{proc.pid}-", n) for n in left)
    # the next run is not blocked (no --overwrite needed: nothing has the final name) and removes the leftovers
    rerun = magnify_process(long_clip, out, "--method", "linear", "--low-hz", "2", "--high-hz", "6")
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert probe(out).n_frames == 400 and probe(out).fps == 30.0
    assert partials(out.parent) == []


@pytest.mark.parametrize("sig, code, word", [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")])
def test_sigterm_and_ctrl_c_remove_their_partial_output(long_clip, tmp_path, sig, code, word):
    out = tmp_path / "result.npz"
    proc = magnify_process(long_clip, out, "--method", "light")
    try:
        wait_for_partial(proc, tmp_path)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait(timeout=60)
    assert proc.returncode == code and err.strip().endswith(f"mmkit: {word}"), err
    assert list(tmp_path.iterdir()) == []


def test_only_partials_of_ended_writers_on_this_host_are_removed(tmp_path):
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    dead = int(done.stdout)
    names = {"dead file": f".a.partial-{_host()}-{dead}-x1.mp4",
             "dead npz part": f".a.partial-{_host()}-{dead}-x2.npz-y.npy",
             "dead frame folder": f".frames.partial-{_host()}-{dead}-x3",
             "running (us)": f".b.partial-{_host()}-{os.getpid()}-x4.mp4",
             "another host": f".c.partial-{(int(_host(), 16) ^ 1):08x}-{dead}-x5.mp4",
             "not a partial": ".hidden-notes.txt"}
    for what, name in names.items():
        if "folder" in what:
            (tmp_path / name).mkdir()
            (tmp_path / name / "frame_000000.png").write_bytes(b"x")
        else:
            (tmp_path / name).write_bytes(b"x")
    write_video(tmp_path / "new.npz", moving(2), FPS)   # any atomic write into the folder cleans it
    kept = {p.name for p in tmp_path.iterdir()}
    assert kept == {"new.npz", names["running (us)"], names["another host"], names["not a partial"]}
    assert clean_stale_partials(tmp_path) == []


def test_a_bad_or_existing_output_is_refused_before_any_work(net, tmp_path, monkeypatch):
    """It used to surface only when the first magnified frame was written (after the progress bar started)."""
    clip = write_video(tmp_path / "in.npz", moving(), FPS)
    (tmp_path / "old.mp4").write_bytes(b"keep me")
    runs = []
    monkeypatch.setattr(engine, "magnify_frames", lambda *a, **k: runs.append(1) or iter([]))
    for out, message in [(tmp_path / "old.mp4", "exists; pass overwrite=True"), (tmp_path / "o.xyz", "cannot write '.xyz'")]:
        with pytest.raises(MMKitError, match=message):
            mmkit.magnify(clip, 5.0, out=out)
    assert runs == [] and (tmp_path / "old.mp4").read_bytes() == b"keep me"
