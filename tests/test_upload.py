"""A student's own clip (mmkit.upload): a FileUpload value in the ipywidgets 8 and 7 formats is read, shrunk and
trimmed with a message saying so; bad uploads are refused with a clear MMKitError; the panel magnifies it."""
import datetime

import numpy as np
import pytest

from mmkit.data.samples import VibrationClip
from mmkit.errors import MMKitError
from mmkit.upload import UploadPanel, read_upload, uploaded_files
from mmkit.video_io import write_video

FPS = 20.0


def mp4_bytes(tmp_path, frames, fps=FPS, name="clip.mp4"):
    return write_video(tmp_path / name, frames, fps, quality="high").read_bytes()


def v8(name, content):
    """FileUpload.value in ipywidgets 8: a tuple of dicts, the content a memoryview."""
    return ({"name": name, "type": "video/mp4", "size": len(content), "content": memoryview(content),
             "last_modified": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)},)


def v7(name, content):
    """FileUpload.value in ipywidgets 7 (Colab): a dict by name, the content bytes."""
    return {name: {"metadata": {"name": name, "type": "video/mp4", "size": len(content)}, "content": content}}


@pytest.fixture(scope="module")
def phone(tmp_path_factory):
    """A 3 s, 200 x 320 px clip (a vibrating disc): larger and longer than the limits used below."""
    frames = VibrationClip(height=200, width=320, n_frames=60, fps=FPS, radius=50).render(alpha=8)
    return frames, mp4_bytes(tmp_path_factory.mktemp("up"), frames)


@pytest.mark.parametrize("fmt", [v8, v7])
def test_upload_is_shrunk_and_trimmed_with_a_message(phone, fmt):
    frames, content = phone
    clip = read_upload(fmt("phone.MP4", content), max_side=256, max_seconds=2.0)
    assert clip.frames.shape == (40, 160, 256, 3) and clip.frames.dtype == np.uint8
    assert clip.fps == pytest.approx(FPS) and clip.name == "phone.MP4"
    assert "320 x 200 px, 3.0 s" in clip.message
    assert "the first 2.0 s (40 frames), shrunk to 256 x 160 px" in clip.message
    assert read_upload(fmt("phone.mp4", content), max_frames=30).frames.shape[0] == 30   # e.g. a 60 fps clip
    # the same picture, smaller: compare with the input shrunk the same way (mp4 is lossy)
    from PIL import Image
    small = np.asarray(Image.fromarray(frames[5]).resize((256, 160), Image.Resampling.LANCZOS)).astype(int)
    assert np.abs(clip.frames[5].astype(int) - small).mean() < 4


def test_both_formats_give_the_same_frames(phone):
    _, content = phone
    np.testing.assert_array_equal(read_upload(v8("a.mp4", content)).frames, read_upload(v7("a.mp4", content)).frames)


def test_small_short_clip_is_used_as_it_is(tmp_path):
    frames = VibrationClip(height=48, width=64, n_frames=12, fps=FPS, radius=12).render()
    clip = read_upload(v8("small.mov", mp4_bytes(tmp_path, frames, name="small.mov")))
    assert clip.frames.shape == frames.shape and "Used as it is" in clip.message


def test_uploaded_files_reads_both_formats_and_nothing():
    assert uploaded_files(v8("a.mp4", b"xy")) == [("a.mp4", b"xy")]
    assert uploaded_files(v7("a.mp4", b"xy")) == [("a.mp4", b"xy")]
    assert uploaded_files(()) == uploaded_files({}) == uploaded_files(None) == []


@pytest.mark.parametrize("value, kwargs, match", [
    ((), {}, "no clip uploaded yet"),
    ({}, {}, "no clip uploaded yet"),
    (None, {}, "no clip uploaded yet"),
    (v8("a.mp4", b""), {}, "is empty"),
    (v7("notes.txt", b"hello"), {}, "'notes.txt' is not a video"),
    (v8("fake.mp4", b"this is not a video at all" * 20), {}, "could not read 'fake.mp4' as a video"),
    ("a.mp4", {}, "FileUpload's value"),
    (({"name": "a.mp4"},), {}, "with its 'content'"),
])
def test_bad_uploads_are_refused(value, kwargs, match):
    with pytest.raises(MMKitError, match=match):
        read_upload(value, **kwargs)


def test_too_long_too_large_and_single_frame_are_refused(phone, tmp_path):
    _, content = phone
    with pytest.raises(MMKitError, match=r"3 s long, over the 2 s an upload may be: trim it"):
        read_upload(v8("long.mp4", content), max_upload_seconds=2.0)
    with pytest.raises(MMKitError, match="MB, over the .* MB an upload may take"):
        read_upload(v7("big.mp4", content), max_bytes=1000)
    one = mp4_bytes(tmp_path, np.zeros((1, 32, 32, 3), np.uint8), name="one.mp4")
    with pytest.raises(MMKitError, match="needs at least 2"):
        read_upload(v8("one.mp4", one))


def test_panel_magnifies_the_upload_and_keeps_its_session(tmp_path):
    frames = VibrationClip(height=48, width=64, n_frames=24, fps=FPS, radius=12).render()
    panel = UploadPanel(method="light", mode="temporal", alpha=10.0, low_hz=1.0, high_hz=4.0, device="cpu")
    panel.on_magnify()                                         # nothing uploaded: a message, nothing else
    assert "no clip uploaded yet" in panel.status.value and panel.magnified is None
    panel.upload.value = v8("mine.mp4", mp4_bytes(tmp_path, frames))
    panel.on_magnify()
    assert panel.magnified.shape == frames.shape and "<video" in panel.view.value
    assert "Shown: light temporal, alpha=10, band 1-4 Hz" in panel.status.value
    encoded = panel.session.stats["encoder_frames"]
    panel.alpha.value = 30.0
    panel.button.click()                                       # same file: the kept encoder outputs are reused
    assert panel.session.alpha == 30.0 and panel.session.stats["encoder_frames"] == encoded
    panel.method.value = "oh2018"                              # oh2018 has no temporal mode: refused, said plainly
    panel.on_magnify()
    assert "no temporal mode" in panel.status.value and not panel.button.disabled
    panel.mode.value = "static"
    panel.on_magnify()
    assert "Shown: oh2018 static" in panel.status.value
    assert panel._repr_mimebundle_()["text/plain"].startswith("UploadPanel")
