"""Video I/O: every format round-trips frame count, fps and pixels; writes are atomic; bad input says what to do."""
import warnings

import numpy as np
import pytest

from mmkit.errors import MMKitError
from mmkit.video_io import (DEFAULT_FPS, VideoInfo, check_not_input, iter_frames, probe, read_video,
                            write_video)

# name, whether pixels survive exactly
FORMATS = [("clip.mp4", False), ("clip.mov", False), ("clip.avi", True), ("clip.gif", False),
           ("frames/", True), ("clip.npy", True), ("clip.npz", True)]


def gradient(t=7, h=32, w=48):
    """A smooth colour gradient whose blue level steps by 36 a frame, so frames are easy to tell apart."""
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([np.stack([x * 255 // (w - 1), y * 255 // (h - 1), np.full_like(x, 20 + 36 * i)], -1)
                     for i in range(t)]).astype(np.uint8)


def assert_same_clip(got, want, exact):
    assert got.shape == want.shape and got.dtype == np.uint8
    err = np.abs(got.astype(int) - want.astype(int))
    if exact:
        assert err.max() == 0
        return
    assert err.mean() < 8
    # each frame is closest to the frame written at its place: none dropped, repeated or reordered
    per_pair = np.abs(got[:, None].astype(int) - want[None].astype(int)).mean(axis=(2, 3, 4))
    assert list(per_pair.argmin(axis=1)) == list(range(len(want)))


@pytest.mark.filterwarnings("ignore:.*npy stores no frame rate")
@pytest.mark.parametrize("name,exact", FORMATS)
def test_round_trip_keeps_frames_count_and_fps(tmp_path, name, exact):
    frames, fps = gradient(), 25.0
    out = write_video(str(tmp_path / name), iter(frames), fps)  # a generator: consumed frame by frame
    info = probe(out)
    want_fps = DEFAULT_FPS if name.endswith(".npy") else fps  # .npy has no place for a frame rate
    assert info == VideoInfo(out, want_fps, 7, 32, 48)
    got, got_fps = read_video(out)
    assert got_fps == want_fps
    assert_same_clip(got, frames, exact)
    streamed = list(iter_frames(out))
    assert len(streamed) == 7 and all(f.shape == (32, 48, 3) and f.flags.writeable for f in streamed)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no partial files left behind


@pytest.mark.parametrize("name,fps", [("a.mp4", 12.5), ("a.mp4", 30000 / 1001), ("a.avi", 24000 / 1001),
                                      ("a.gif", 20.0), ("a.gif", 50.0), ("frames", 29.97), ("a.npz", 7.3)])
def test_other_frame_rates_survive(tmp_path, name, fps):
    out = write_video(tmp_path / name, gradient(3), fps)
    assert probe(out).fps == fps and probe(out).n_frames == 3


def test_gif_rounds_fps_to_hundredths_and_warns(tmp_path):
    with pytest.warns(UserWarning, match="hundredths"):
        out = write_video(tmp_path / "a.gif", gradient(3), 30.0)
    assert probe(out).fps == pytest.approx(100 / 3)  # a 3/100 s delay


def test_npy_warns_that_fps_is_lost(tmp_path):
    with pytest.warns(UserWarning, match="npz"):
        write_video(tmp_path / "a.npy", gradient(2), 25)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_video(tmp_path / "b.npy", gradient(2), DEFAULT_FPS)


def test_odd_size_mp4_keeps_its_size(tmp_path):
    frames = gradient(5, 31, 45)
    out = write_video(tmp_path / "odd.mp4", frames, 25)
    assert probe(out) == VideoInfo(out, 25.0, 5, 31, 45)
    assert_same_clip(read_video(out)[0], frames, exact=False)


@pytest.mark.parametrize("store", ["npy", "npz"])
def test_grey_and_rgba_arrays_read_as_rgb(tmp_path, store):
    rgb = gradient(3)
    grey = rgb[..., 0]
    rgba = np.concatenate([rgb, np.full_like(rgb[..., :1], 7)], axis=-1)
    for name, array, want in [("grey", grey, np.repeat(grey[..., None], 3, -1)), ("grey1", grey[..., None],
                              np.repeat(grey[..., None], 3, -1)), ("rgba", rgba, rgb)]:
        path = tmp_path / f"{name}.{store}"
        np.save(path, array) if store == "npy" else np.savez(path, frames=array, fps=12.0)
        got, fps = read_video(path)
        assert np.array_equal(got, want) and fps == (DEFAULT_FPS if store == "npy" else 12.0)
        assert probe(path).n_frames == 3


def test_grey_and_rgba_frames_are_written_as_rgb(tmp_path):
    rgb = gradient(2)
    rgba = np.concatenate([rgb, np.zeros_like(rgb[..., :1])], axis=-1)
    assert np.array_equal(read_video(write_video(tmp_path / "a.npz", rgba, 25))[0], rgb)
    grey = [f[..., 1] for f in rgb]
    assert np.array_equal(read_video(write_video(tmp_path / "g/", grey, 25))[0][..., 2], rgb[..., 1])


def test_png_folder_reads_grey_and_rgba_pngs(tmp_path):
    from PIL import Image
    rgb = gradient(2)
    Image.fromarray(rgb[0, ..., 0]).save(tmp_path / "f1.png")
    Image.fromarray(np.concatenate([rgb[1], rgb[1, ..., :1]], -1)).save(tmp_path / "f2.png")
    got, fps = read_video(tmp_path)
    assert fps == DEFAULT_FPS
    assert np.array_equal(got[0], np.repeat(rgb[0, ..., :1], 3, -1)) and np.array_equal(got[1], rgb[1])


class Boom(RuntimeError):
    pass


def failing(frames, after):
    yield from frames[:after]
    raise Boom("the frame source failed")


@pytest.mark.filterwarnings("ignore:.*npy stores no frame rate")
@pytest.mark.parametrize("name", ["a.mp4", "a.gif", "a.avi", "a.npy", "a.npz", "frames"])
def test_failed_write_leaves_nothing_behind(tmp_path, name):
    with pytest.raises(Boom):
        write_video(tmp_path / name, failing(gradient(), 3), 25)
    assert list(tmp_path.iterdir()) == []


def test_failed_overwrite_keeps_the_old_file(tmp_path):
    out = write_video(tmp_path / "a.npz", gradient(2), 25)
    with pytest.raises(Boom):
        write_video(out, failing(gradient(), 3), 25, overwrite=True)
    assert probe(out).n_frames == 2 and len(list(tmp_path.iterdir())) == 1


def test_overwrite_needs_the_flag(tmp_path):
    for name in ("a.mp4", "frames"):
        out = write_video(tmp_path / name, gradient(2), 25)
        with pytest.raises(MMKitError, match=r"exists; pass overwrite=True \(--overwrite\)"):
            write_video(out, gradient(3), 25)
        assert probe(out).n_frames == 2
        write_video(out, gradient(3), 25, overwrite=True)
        assert probe(out).n_frames == 3


def test_overwrite_refuses_a_folder_of_other_things(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(MMKitError, match="more than frames"):
        write_video(tmp_path, gradient(2), 25, overwrite=True)
    assert (tmp_path / "notes.txt").exists()


def test_output_equal_to_input_is_refused(tmp_path):
    clip = write_video(tmp_path / "in.mp4", gradient(2), 25)
    with pytest.raises(MMKitError, match="is the input"):
        check_not_input(tmp_path / "sub" / ".." / "in.mp4", tmp_path / "other.mp4", clip)
    (tmp_path / "link.mp4").symlink_to(clip)
    with pytest.raises(MMKitError, match="is the input"):
        check_not_input(tmp_path / "link.mp4", clip)
    check_not_input(tmp_path / "out.mp4", clip, None)


def test_bad_inputs_give_helpful_errors(tmp_path):
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "text.mp4").write_text("this is not a video\n")
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "empty_dir").mkdir()
    np.savez(tmp_path / "nokey.npz", video=gradient(2))
    np.save(tmp_path / "float.npy", gradient(2) / 255.0)
    cases = [("missing.mp4", "does not exist"), ("empty.mp4", "is empty"),
             ("text.mp4", "could not read .*text.mp4 as a video: .*check that it is a complete video"),
             ("notes.txt", "cannot read '.txt'"), ("empty_dir", "no .png frames"),
             ("nokey.npz", "no array named 'frames'"), ("float.npy", "float64 .*uint8")]
    for name, message in cases:
        for read in (probe, read_video, iter_frames):
            with pytest.raises(MMKitError, match=message) as caught:
                read(tmp_path / name)
            assert "libav" not in str(caught.value) and len(str(caught.value)) < 300


def test_bad_writes_give_helpful_errors(tmp_path):
    frames = gradient(2)
    cases = [("a.xyz", frames, "cannot write '.xyz'"),
             ("a.mp4", [], "no frames to write"),
             ("a.mp4", iter([frames[0], frames[0, :16]]), "frame 1 .* is 16x48 but frame 0 is 32x48"),
             ("a.npz", frames / 255.0, "float64; mmkit frames are uint8"),
             ("a.mp4", frames[0], r"shape \(32, 48, 3\); expected \(T, H, W, 3\)")]
    for name, source, message in cases:
        with pytest.raises(MMKitError, match=message):
            write_video(tmp_path / name, source, 25)
        assert list(tmp_path.iterdir()) == []
    with pytest.raises(MMKitError, match="positive"):
        write_video(tmp_path / "a.mp4", frames, 0)
    with pytest.raises(MMKitError, match="quality"):
        write_video(tmp_path / "a.mp4", frames, 25, quality="best")
