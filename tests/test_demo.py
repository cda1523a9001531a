"""The demo (the README's first command) runs on the bundled clip and writes what it says."""
import numpy as np
import pytest

from mmkit.cli import main
from mmkit.demo import METHOD
from mmkit.measure import measure_shift
from mmkit.video_io import probe, read_video


def test_demo_writes_video_and_slice(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--alpha", "10"]) == 0
    out = capsys.readouterr().out
    assert f"{METHOD} network" in out and "linear Eulerian" in out  # says which methods it used
    video, png = tmp_path / "vibrating_still_x10.mp4", tmp_path / "vibrating_still_x10_slice.png"
    assert str(video) in out and str(png) in out
    frames, fps = read_video(video)
    from mmkit.data.samples import sample_path
    info = probe(sample_path())
    assert frames.shape == (info.n_frames, info.height, 2 * info.width, 3) and fps == pytest.approx(info.fps)
    left, right = frames[..., :info.width, :], frames[..., info.width:, :]
    # The disc's horizontal motion, measured inside it, is several times larger in the magnified half.
    c = info.height // 2
    def motion_size(v):  # the median of |shift|: one frame that the lossy video codec spoils (a shift read of
        # 27 px, seen) must not decide it, as it would a standard deviation
        return np.median(np.abs([measure_shift(v[0], f, (c - 20, c + 20, c - 20, c + 20))[0] for f in v]))
    from mmkit.data.samples import SAMPLES
    ratio = motion_size(right) / motion_size(SAMPLES["vibrating_still"].render(10.0))
    assert 0.6 < ratio < 1.3, ratio  # the magnified disc moves about as far as in the truth x10
    assert motion_size(right) > 5 * motion_size(left)
    # The network is closer to the truth than the unchanged input.
    mse = dict(part.rsplit(" ", 1) for part in out.split("(x 1e-3): ")[1].splitlines()[0].split(", "))
    assert float(mse[f"{METHOD} network"]) < float(mse["input unchanged"])
    assert png.stat().st_size > 10_000
    # A second run refuses to overwrite without --overwrite.
    assert main(["demo", "--out", str(tmp_path), "--alpha", "10"]) == 2
    assert "--overwrite" in capsys.readouterr().err
