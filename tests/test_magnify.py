"""The magnify engine: modes, streaming, frame count, the linear method through the same call, errors."""
from dataclasses import replace

import numpy as np
import pytest
import torch

from mmkit.data.samples import VibrationClip
from mmkit.errors import MMKitError
from mmkit.engine import MagnifyConfig, magnify, magnify_frames
from mmkit.models import build_model
from mmkit.video_io import probe, write_video


@pytest.fixture(scope="module")
def net():
    torch.manual_seed(0)
    return build_model("light").eval()


@pytest.fixture(scope="module")
def clip():
    return VibrationClip(height=24, width=30, n_frames=7, radius=8).render(1.0)


def test_dynamic_mode_pairs_consecutive_frames(net, clip):
    out = list(magnify_frames(clip, MagnifyConfig(alpha=5.0, batch_size=3), net))
    assert len(out) == len(clip) and out[0].dtype == np.uint8
    assert np.array_equal(out[0], clip[0])  # no predecessor: passed through
    with torch.no_grad():
        a = torch.from_numpy(clip[2:4]).permute(0, 3, 1, 2).float() / 127.5 - 1
        ref = net(a[:1], a[1:], 5.0)
    expect = ((ref.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)[0].permute(1, 2, 0).numpy()
    assert np.array_equal(out[3], expect)


def test_static_mode_uses_the_reference_and_batching_does_not_matter(net, clip):
    a = list(magnify_frames(clip, MagnifyConfig(alpha=5.0, mode="static", reference=2, batch_size=1), net))
    b = list(magnify_frames(clip, MagnifyConfig(alpha=5.0, mode="static", reference=2, batch_size=4), net))
    assert len(a) == len(clip)
    for x, y in zip(a, b):
        assert np.abs(x.astype(int) - y).max() <= 1  # batch of 4 vs 1: float rounding only


def test_streaming_consumes_frames_lazily(net, clip):
    seen = []

    def source():
        for f in clip:
            seen.append(1)
            yield f

    it = magnify_frames(source(), MagnifyConfig(alpha=2.0, batch_size=2), net)
    next(it)
    assert len(seen) <= 3  # only the first batch has been read


def test_other_shipped_weights_are_methods_by_name(clip):
    """``method="light_no_lm"`` is the shipped ablation's weights in the light network (``mmkit.load_pretrained``)."""
    from mmkit.engine import _network_of, load_method
    from mmkit.pretrained import load_pretrained

    cfg = MagnifyConfig(alpha=5.0, batch_size=2, compile=False)
    by_name = list(magnify_frames(clip, replace(cfg, method="light_no_lm")))
    by_net = list(magnify_frames(clip, cfg, load_pretrained("light_no_lm")))
    assert all(np.array_equal(a, b) for a, b in zip(by_name, by_net))
    assert not all(np.array_equal(a, b) for a, b in zip(by_name, magnify_frames(clip, cfg)))  # not light's
    assert _network_of("light_no_lm") == "light" and _network_of("base") == "base"
    with pytest.raises(MMKitError, match=r"unknown method 'light_no_l'; choose one of \[.*'light_no_lm'"):
        load_method("light_no_l", torch.device("cpu"))


def test_file_round_trip_keeps_frame_count_and_rate(tmp_path, clip, net, monkeypatch):
    import mmkit.engine as m
    monkeypatch.setattr(m, "load_method", lambda method, device: net)
    src = write_video(tmp_path / "in.mp4", clip, 24.0)
    out = magnify(src, 3.0, out=tmp_path / "out.mp4")
    info = probe(out)
    assert (info.n_frames, info.fps, info.height, info.width) == (len(clip), 24.0, 24, 30)
    with pytest.raises(MMKitError, match="is the input"):
        magnify(src, 3.0, out=src, overwrite=True)
    with pytest.raises(MMKitError, match="exists"):
        magnify(src, 3.0, out=tmp_path / "out.mp4")


def test_linear_method_through_the_same_call():
    clip = VibrationClip(n_frames=32, height=64, width=64, radius=20).render(1.0)
    out = magnify(clip, 10.0, method="linear", fps=30.0, low_hz=1.5, high_hz=3.5)
    assert out.shape == clip.shape and np.abs(out.astype(int) - clip).max() > 0


@pytest.mark.parametrize("bad, message", [
    ({"alpha": -1.0}, "alpha"), ({"alpha": float("nan")}, "alpha"), ({"alpha": 1e6}, "far beyond"),
    ({"mode": "sideways"}, "unknown mode"), ({"method": "nonsense"}, "unknown method"),
])
def test_bad_arguments_are_clear_errors(clip, bad, message):
    args = {"alpha": 2.0, **bad}
    with pytest.raises(MMKitError, match=message):
        magnify(clip, **args)


def test_bad_arrays_and_missing_files(tmp_path):
    with pytest.raises(MMKitError, match="uint8"):
        magnify(np.zeros((3, 8, 8, 3), np.float32), 2.0)
    with pytest.raises(MMKitError, match=r"\(T, H, W, 3\)"):
        magnify(np.zeros((8, 8, 3), np.uint8), 2.0)
    with pytest.raises(MMKitError, match="does not exist"):
        magnify(tmp_path / "nope.mp4", 2.0)


def test_command_line_magnify(tmp_path, capsys):
    from mmkit.cli import main
    from mmkit.data.samples import sample_path

    out = tmp_path / "lin.mp4"
    assert main(["magnify", str(sample_path()), "-o", str(out), "--alpha", "5", "--method", "linear",
                 "--low-hz", "1.5", "--high-hz", "3.5", "--quiet"]) == 0
    assert probe(out).n_frames == probe(sample_path()).n_frames
    assert main(["magnify", str(sample_path()), "-o", str(out), "--alpha", "5", "--method", "light",
                 "--quiet", "--overwrite"]) == 0                 # the shipped network
    assert probe(out).n_frames == probe(sample_path()).n_frames
    assert main(["magnify", str(sample_path()), "-o", str(out), "--alpha", "5", "--method",
                 str(tmp_path / "missing.pt"), "--quiet", "--overwrite"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_side_by_side_and_slice_png(tmp_path, clip, net, monkeypatch):
    import mmkit.engine as m
    monkeypatch.setattr(m, "load_method", lambda method, device: net)
    frames = magnify(clip, 4.0, side_by_side=True, slice_png=tmp_path / "s.png", slice_col=5)
    assert frames.shape == (len(clip), 24, 60, 3)
    assert np.array_equal(frames[:, :, :30], clip)  # the left half is the input
    assert (tmp_path / "s.png").stat().st_size > 5000


def test_temporal_mode_band_passes_the_motion_features_like_scipy(net, clip):
    """The engine's filtered D_t equals scipy's sosfilt of the same feature sequence started at rest on
    the first frame's value (sosfilt_zi), i.e. the streaming filter is the textbook one."""
    signal = pytest.importorskip("scipy.signal")
    from mmkit.engine import temporal_motion
    from mmkit.filters import butter_bandpass_sos

    cfg = MagnifyConfig(alpha=10.0, mode="temporal", low_hz=2.0, high_hz=6.0, batch_size=3)
    got = torch.stack([m[0] for _, m in temporal_motion(net, clip, cfg, 24.0, torch.device("cpu"))]).double()
    with torch.no_grad():
        x = torch.from_numpy(clip).permute(0, 3, 1, 2).float() / 127.5 - 1
        enc = net.encode(x[:1].expand_as(x), x)
        d = (enc.e_b - enc.e_a).double().numpy()
    sos = butter_bandpass_sos(2, 2.0, 6.0, 24.0)
    zi = signal.sosfilt_zi(sos)[:, :, None] * d[0].reshape(1, 1, -1)
    ref = signal.sosfilt(sos, d.reshape(len(d), -1), axis=0, zi=zi)[0].reshape(d.shape)
    np.testing.assert_allclose(got.numpy(), ref, atol=1e-5)


def test_temporal_mode_keeps_a_still_clip_still_for_any_alpha(net, clip):
    still = np.repeat(clip[:1], 6, axis=0)
    outs = [magnify_frames(still, MagnifyConfig(alpha=a, mode="temporal", low_hz=1, high_hz=5), net, fps=24.0)
            for a in (1.0, 50.0)]
    a, b = (np.stack(list(o)) for o in outs)
    assert np.array_equal(a, b)  # no motion in the band: alpha changes nothing
    fir = list(magnify_frames(clip, MagnifyConfig(alpha=5.0, mode="temporal", filter="fir", fir_taps=5,
                                                  low_hz=2, high_hz=6), net, fps=24.0))
    assert len(fir) == len(clip)


def test_temporal_band_must_fit_below_nyquist(net, clip):
    with pytest.raises(MMKitError, match="Nyquist"):
        list(magnify_frames(clip, MagnifyConfig(mode="temporal", low_hz=2, high_hz=20), net, fps=24.0))


def test_bf16_and_channels_last_stay_close_to_fp32(net, clip):
    ref = np.stack(list(magnify_frames(clip, MagnifyConfig(alpha=10.0, channels_last=False), net)))
    cl = np.stack(list(magnify_frames(clip, MagnifyConfig(alpha=10.0, channels_last=True), net)))
    bf = np.stack(list(magnify_frames(clip, MagnifyConfig(alpha=10.0, bf16=True), net)))
    net.to(memory_format=torch.contiguous_format)
    assert np.abs(cl.astype(int) - ref).max() <= 1          # a different summation order at most
    assert 0 < np.abs(bf.astype(int) - ref).max() <= 8      # bf16 changes numbers (1 level measured here)


def test_roi_and_scale(net, clip, monkeypatch):
    import mmkit.engine as m
    monkeypatch.setattr(m, "load_method", lambda method, device: net)
    out = magnify(clip, 3.0, roi=(2, 20, 4, 25))
    assert out.shape == (len(clip), 18, 21, 3)
    out = magnify(clip, 3.0, scale=0.5)
    assert out.shape == (len(clip), 12, 15, 3)
    with pytest.raises(MMKitError, match="outside"):
        magnify(clip, 3.0, roi=(0, 100, 0, 10))
    with pytest.raises(MMKitError, match="scale"):
        magnify(clip, 3.0, scale=0.0)


def test_compiled_network_gives_the_eager_frames(clip):
    torch.manual_seed(0)
    small = build_model("light", {"channels": 4}).eval()
    cfg = MagnifyConfig(alpha=10.0, batch_size=3, runtime="torch")  # 7 frames: the last batch is padded
    eager = np.stack(list(magnify_frames(clip, cfg, small)))
    compiled = np.stack(list(magnify_frames(clip, replace(cfg, compile=True), small)))
    assert compiled.shape == eager.shape
    assert np.abs(compiled.astype(int) - eager).max() <= 1


def test_default_path_batch_one_on_cpu_and_compile_only_for_long_clips(monkeypatch):
    """The default path (python -m mmkit.bench): batch 1 on a CPU, compiled when the clip is long enough to pay
    back ~1 min of compiling; never for the temporal mode; an explicit choice is kept."""
    import mmkit.engine as engine

    cpu = torch.device("cpu")
    monkeypatch.setattr(engine, "_have_cxx_compiler", lambda: True)
    on_openvino = engine.openvino_applies
    monkeypatch.setattr(engine, "openvino_applies", lambda *a, **k: False)  # the torch path's choices
    short = engine.resolve_options(MagnifyConfig(), cpu, 30, (720, 720))
    assert short.batch_size == 1 and short.compile is False
    long = engine.resolve_options(MagnifyConfig(), cpu, 1000, (720, 720))     # ~4 min of eager light frames
    assert long.compile is True
    assert engine.resolve_options(MagnifyConfig(method="base"), cpu, 100, (720, 720)).compile is True
    assert engine.resolve_options(MagnifyConfig(mode="temporal"), cpu, 1000, (720, 720)).compile is False
    assert engine.resolve_options(MagnifyConfig(), cpu).compile is False      # length unknown: no
    assert engine.resolve_options(MagnifyConfig(compile=False), cpu, 1000, (720, 720)).compile is False
    assert engine.resolve_options(MagnifyConfig(compile=True, batch_size=3), cpu).batch_size == 3
    assert engine.resolve_options(MagnifyConfig(), torch.device("cuda")).batch_size == 4
    monkeypatch.setattr(engine, "_have_cxx_compiler", lambda: False)
    assert engine.resolve_options(MagnifyConfig(), cpu, 1000, (720, 720)).compile is False
    with pytest.raises(MMKitError, match="compile must be"):
        magnify(np.zeros((3, 16, 16, 3), np.uint8), 5.0, compile="yes")
    # Where OpenVINO runs the network, nothing is compiled: it has no such wait.
    monkeypatch.setattr(engine, "openvino_applies", on_openvino)
    monkeypatch.setattr(engine, "_have_cxx_compiler", lambda: True)  # (set False above)
    if on_openvino(MagnifyConfig(), cpu):
        assert engine.resolve_options(MagnifyConfig(), cpu, 1000, (720, 720)).compile is False
    assert engine.resolve_options(MagnifyConfig(runtime="torch"), cpu, 1000, (720, 720)).compile is True


def test_a_failing_compile_falls_back_to_the_eager_network(clip, monkeypatch):
    def broken(net, **kwargs):
        def call(*args):
            raise RuntimeError("no C++ compiler found\nmore detail")
        return call

    monkeypatch.setattr(torch, "compile", broken)
    torch.manual_seed(0)
    small = build_model("light", {"channels": 4}).eval()
    eager = np.stack(list(magnify_frames(clip, MagnifyConfig(alpha=10.0, compile=False, runtime="torch"), small)))
    with pytest.warns(UserWarning, match="torch.compile failed .*no C\\+\\+ compiler found.*continuing without it"):
        fallen = np.stack(list(magnify_frames(clip, MagnifyConfig(alpha=10.0, compile=True, runtime="torch"), small)))
    assert np.array_equal(fallen, eager)


def test_bf16_keeps_the_encoder_in_fp32_and_stays_within_a_few_levels():
    """alpha multiplies the encoder's rounding in D = (E_b - E_a) * alpha, so --bf16 autocasts only the
    manipulator and decoder: on the sample clip at alpha 20 the shipped light network stays within 3 levels of
    fp32 and under half a level on average (38,000-step weights: 3 at 2e-6 of the values, mean 0.29; bf16
    everywhere is 5.1 levels off, python -m mmkit.bench.inference --models light --sizes 384 --no-compile)."""
    from mmkit.data.samples import sample_path
    from mmkit.pretrained import load_pretrained
    from mmkit.video_io import read_video

    frames = read_video(sample_path())[0][:6]
    net = load_pretrained("light")
    dtypes = {}

    def record(part):
        def hook(module, inputs, output):
            dtypes.setdefault(part, (output[0] if isinstance(output, tuple) else output).dtype)
        return hook

    for part in ("encoder", "manipulator", "decoder"):  # the dtype its convolutions compute in
        for conv in (m for m in getattr(net, part).modules() if isinstance(m, torch.nn.Conv2d)):
            conv.register_forward_hook(record(part))
    cfg = MagnifyConfig(alpha=20.0, compile=False, runtime="torch")
    fp32 = np.stack(list(magnify_frames(frames, cfg, net)))
    dtypes.clear()
    bf16 = np.stack(list(magnify_frames(frames, replace(cfg, bf16=True), net)))
    assert dtypes == {"encoder": torch.float32, "manipulator": torch.bfloat16, "decoder": torch.bfloat16}
    diff = np.abs(bf16.astype(int) - fp32)
    assert 0 < diff.max() <= 3 and diff.mean() < 0.5
