"""The demo (the README's first command) runs on the bundled clip and writes what it says."""
import numpy as np
import pytest

from mmkit.cli import main
from mmkit.measure import measure_shift
from mmkit.video_io import probe, read_video


def test_demo_writes_video_and_slice(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--alpha", "10"]) == 0
    out = capsys.readouterr().out
    assert "linear Eulerian" in out and "not the paper's network" in out  # says which method it used
    video, png = tmp_path / "vibrating_still_x10.mp4", tmp_path / "vibrating_still_x10_slice.png"
    assert str(video) in out and str(png) in out
    frames, fps = read_video(video)
    from mmkit.data.samples import sample_path
    info = probe(sample_path())
    assert frames.shape == (info.n_frames, info.height, 2 * info.width, 3) and fps == pytest.approx(info.fps)
    left, right = frames[..., :info.width, :], frames[..., info.width:, :]
    # The disc's horizontal motion, measured inside it, is several times larger in the magnified half.
    c = info.height // 2
    def motion_std(v):
        return np.std([measure_shift(v[0], f, (c - 20, c + 20, c - 20, c + 20))[0] for f in v])
    gain = motion_std(right) / motion_std(left)
    assert 4 < gain < 11 + 1  # at most the ideal 1 + alpha; lambda_c attenuation keeps it below that
    assert png.stat().st_size > 10_000
    # A second run refuses to overwrite without --overwrite.
    assert main(["demo", "--out", str(tmp_path), "--alpha", "10"]) == 2
    assert "--overwrite" in capsys.readouterr().err
