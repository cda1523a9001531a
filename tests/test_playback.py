"""mmkit.playback: labelled side-by-side clips, encoded as small inline mp4s that decode back to the frames."""
import base64

import numpy as np
import pytest

from mmkit.errors import MMKitError
from mmkit.playback import GAP_PX, TITLE_PX, encode_mp4, side_by_side, video_html
from mmkit.video_io import read_video


def ramp(t=12, h=32, w=40):
    x = np.linspace(0, 255, w)[None, None, :, None]
    return np.broadcast_to(x + np.zeros((t, h, 1, 3)), (t, h, w, 3)).astype(np.uint8)


def test_side_by_side_keeps_each_clip_under_its_title():
    a, b = ramp(), 255 - ramp()
    out = side_by_side([a, b], ["input", "magnified"])
    assert out.shape == (12, 32 + TITLE_PX, 2 * 40 + GAP_PX, 3)
    np.testing.assert_array_equal(out[:, TITLE_PX:, :40], a)
    np.testing.assert_array_equal(out[:, TITLE_PX:, 40 + GAP_PX:], b)
    assert out[0, :TITLE_PX, :40].min() < 128, "the title is drawn"


@pytest.mark.parametrize("clips, titles, match", [
    ([ramp()], ["a", "b"], "one title per clip"),
    ([ramp(), ramp(h=30)], ["a", "b"], "one length and height"),
    ([ramp().astype(np.float32)], ["a"], "uint8"),
])
def test_side_by_side_refuses_clips_that_do_not_fit(clips, titles, match):
    with pytest.raises(MMKitError, match=match):
        side_by_side(clips, titles)


def test_encoded_clip_decodes_to_the_frames(tmp_path):
    clip = ramp(t=10, h=31, w=41)                      # odd sizes are padded to even ones
    path = tmp_path / "c.mp4"
    path.write_bytes(encode_mp4(clip, 25.0, quality="high"))
    back, fps = read_video(path)
    assert back.shape == (10, 32, 42, 3) and fps == pytest.approx(25.0)
    assert np.abs(back[:, :31, :41].astype(int) - clip).mean() < 3


def test_video_html_inlines_a_small_mp4_and_refuses_a_large_one():
    html = video_html(ramp(), 30.0, width=200).data
    assert 'width="200"' in html and "loop" in html
    data = base64.b64decode(html.split("base64,")[1].split('"')[0])
    assert data[4:8] == b"ftyp"
    noise = np.random.default_rng(0).integers(0, 256, (60, 256, 256, 3), dtype=np.uint8)
    with pytest.raises(MMKitError, match="fewer frames or smaller"):
        video_html(noise, 30.0)
    assert "<video" in video_html(noise, 30.0, max_bytes=10 ** 8).data   # a larger cap, e.g. for a student's upload
