"""OpenVINO runs the paper's networks with torch's output (within 1 grey level), and the engine falls back to torch
cleanly wherever it cannot."""
from dataclasses import replace

import numpy as np
import pytest
import torch

import mmkit.engine as engine
import mmkit.openvino_runtime as ovr
from mmkit import magnify
from mmkit.engine import MagnifyConfig, magnify_frames, network_call
from mmkit.errors import MMKitError
from mmkit.models import build_model

needs_openvino = pytest.mark.skipif(not ovr.have_openvino(), reason='OpenVINO is not installed (pip install "mmkit[fast]")')


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test converts into its own cache folder and starts with no compiled model in memory."""
    monkeypatch.setenv("MMKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(ovr, "_compiled", {})


@pytest.fixture(scope="module")
def sample():
    from mmkit.data.samples import sample_path
    from mmkit.video_io import read_video

    frames, _ = read_video(sample_path())
    return frames[:12]


@needs_openvino
@pytest.mark.parametrize("name", ["light", "base"])
def test_shipped_networks_give_torchs_frames_on_the_sample_clip(sample, name):
    """The kit's tolerance for the fast path: within 1 level of torch fp32, on almost no pixel (rounding ties)."""
    for mode in ("dynamic", "static", "temporal"):
        cfg = MagnifyConfig(alpha=20.0, mode=mode, method=name)
        band = {"low_hz": 2.0, "high_hz": 3.0}                        # the sample's vibration: 2.5 Hz
        torch_out = magnify(sample, 20.0, mode=mode, method=name, runtime="torch", **band)
        fast = magnify(sample, 20.0, mode=mode, method=name, runtime="openvino", **band)
        diff = np.abs(fast.astype(int) - torch_out)
        assert diff.max() <= 1 and (diff > 0).mean() < 1e-3, (mode, diff.max(), (diff > 0).mean())
        assert engine.openvino_applies(cfg, torch.device("cpu"))
        # OpenVINO did run: the whole network, or (temporal) the encoder and the back half apart
        assert {part for _, part in ovr._compiled} == ({"encoder", "back"} if mode == "temporal" else {"whole"})
        ovr._compiled.clear()


@needs_openvino
def test_auto_runs_openvino_for_clips_that_pay_its_conversion_and_decides_the_same_every_time():
    cpu = torch.device("cpu")
    resolve = engine.resolve_options
    long = resolve(MagnifyConfig(), cpu, 40, (720, 720))           # ~10 s of torch work for light
    assert long.runtime == "openvino" and long.compile is False   # nothing to compile: no such wait
    assert resolve(MagnifyConfig(method="base"), cpu, 10, (720, 720)).runtime == "openvino"
    assert resolve(MagnifyConfig(), cpu, 24, (96, 96)).runtime == "torch"       # a course-sized clip: torch
    assert resolve(MagnifyConfig(), cpu).runtime == "torch"                    # length unknown: torch
    assert resolve(MagnifyConfig(method="some/run/checkpoint.pt"), cpu, 1000, (720, 720)).runtime == "torch"
    assert resolve(MagnifyConfig(method="oh2018"), cpu, 1000, (720, 720)).runtime == "torch"
    assert resolve(MagnifyConfig(mode="temporal"), cpu, 1000, (720, 720)).runtime == "openvino"
    assert resolve(MagnifyConfig(runtime="openvino"), cpu, 2, (32, 32)).runtime == "openvino"  # asked: kept
    assert resolve(long, cpu) == long                                          # resolving twice changes nothing


@needs_openvino
def test_any_frame_size_and_batch_and_alpha_per_sample():
    """One converted graph serves every size: odd sizes are padded and cropped as the network does."""
    torch.manual_seed(0)
    net = build_model("light", {"channels": 4}).eval()
    fast = ovr.OpenVINONet(net)
    for h, w, b in ((33, 47, 1), (64, 20, 3)):
        prev, cur = torch.rand(b, 3, h, w) * 2 - 1, torch.rand(b, 3, h, w) * 2 - 1
        alpha = torch.tensor([5.0, 20.0, 50.0][:b]) if b > 1 else 20.0
        with torch.no_grad():
            want = net(prev, cur, alpha)
        got = fast(prev, cur, alpha)
        assert got.shape == want.shape == (b, 3, h, w)
        assert float((got - want).abs().max()) * 127.5 < 0.05   # fp32 rounding, far below one level
    with pytest.raises(ValueError, match="same shape"):
        fast(torch.zeros(1, 3, 8, 8), torch.zeros(1, 3, 8, 10), 5.0)
    with pytest.raises(ValueError, match="one value per sample"):
        fast(torch.zeros(2, 3, 8, 8), torch.zeros(2, 3, 8, 8), torch.ones(3))


@needs_openvino
def test_a_converted_network_is_kept_on_disk_and_read_back(monkeypatch, tmp_path):
    torch.manual_seed(0)
    net = build_model("light", {"channels": 4}).eval()
    ovr.OpenVINONet(net)
    key = ovr.weights_key(net)
    xml = ovr.cache_dir() / f"{key}.xml"
    assert xml.exists() and xml.with_suffix(".bin").exists()
    assert [p.name for p in ovr.cache_dir().iterdir() if p.name.startswith(".")] == []  # no partial files

    def no_convert(net, part="whole"):
        raise AssertionError("converted again although the cache holds it")

    monkeypatch.setattr(ovr, "_convert", no_convert)
    monkeypatch.setattr(ovr, "_compiled", {})
    x = torch.rand(1, 3, 16, 16) * 2 - 1
    with torch.no_grad():
        assert float((ovr.OpenVINONet(net)(x, x.flip(-1), 10.0) - net(x, x.flip(-1), 10.0)).abs().max()) < 1e-3
    # Other weights are another key; a damaged entry is converted again.
    other = build_model("light", {"channels": 4}).eval()
    assert ovr.weights_key(other) != key
    monkeypatch.undo()
    monkeypatch.setenv("MMKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(ovr, "_compiled", {})
    xml.write_text("not a model")
    ovr.OpenVINONet(net)
    assert xml.read_text().startswith("<?xml")


@needs_openvino
def test_an_unwritable_cache_still_runs(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("MMKIT_CACHE_DIR", str(blocker))  # a file where the folder should be
    torch.manual_seed(0)
    net = build_model("light", {"channels": 4}).eval()
    x = torch.rand(1, 3, 16, 16) * 2 - 1
    with torch.no_grad():
        assert float((ovr.OpenVINONet(net)(x, x, 10.0) - net(x, x, 10.0)).abs().max()) < 1e-3


def test_without_openvino_auto_runs_torch_and_asking_for_it_says_how_to_install(monkeypatch, sample):
    monkeypatch.setattr(ovr, "have_openvino", lambda: False)
    cpu = torch.device("cpu")
    assert not engine.openvino_applies(MagnifyConfig(), cpu)
    assert engine.resolve_options(MagnifyConfig(), cpu, 1000, (720, 720)).runtime == "torch"  # a long clip too
    out = magnify(sample[:3], 10.0)                                  # the default path: torch, no error
    assert np.array_equal(out, magnify(sample[:3], 10.0, runtime="torch"))
    with pytest.raises(MMKitError, match=r"not installed: pip install \"mmkit\[fast\]\""):
        magnify(sample[:3], 10.0, runtime="openvino")
    with pytest.raises(MMKitError, match="not installed"):
        ovr.OpenVINONet(build_model("light", {"channels": 4}))


@pytest.mark.parametrize("options, problem", [
    ({"method": "oh2018"}, "paper's networks"),
    ({"bf16": True}, "--bf16 runs torch"),
    ({"device": "cuda"}, "CPU only"),
])
def test_what_openvino_does_not_run_is_torch_under_auto_and_an_error_when_asked(options, problem):
    device = torch.device(options.get("device", "cpu"))
    cfg = MagnifyConfig(**{k: v for k, v in options.items() if k != "device"})
    assert not engine.openvino_applies(cfg, device)
    with pytest.raises(MMKitError, match=f"runtime 'openvino': .*{problem}"):
        engine.openvino_applies(MagnifyConfig(runtime="openvino", **{k: v for k, v in options.items()
                                                                       if k != "device"}), device)


def test_torch_is_never_openvino_and_an_unknown_runtime_is_refused():
    assert not engine.openvino_applies(MagnifyConfig(runtime="torch"), torch.device("cpu"))
    with pytest.raises(MMKitError, match="unknown runtime"):
        magnify(np.zeros((3, 16, 16, 3), np.uint8), 5.0, runtime="tensorflow")


@needs_openvino
def test_a_failed_conversion_falls_back_to_torch_with_a_warning(monkeypatch, sample):
    def broken(net, part="whole"):
        raise RuntimeError("unsupported operation\nmore detail")

    monkeypatch.setattr(ovr, "_convert", broken)
    torch.manual_seed(0)
    net = build_model("light", {"channels": 4}).eval()
    cpu = torch.device("cpu")
    with pytest.warns(UserWarning, match="OpenVINO could not run the network .*unsupported operation.*running torch"):
        call = network_call(net, MagnifyConfig(runtime="openvino", compile=False), cpu)
    assert call is net
    with pytest.warns(UserWarning, match="running torch"):
        out = np.stack(list(magnify_frames(sample[:4], MagnifyConfig(alpha=10.0, runtime="openvino"), net)))
    assert np.array_equal(out, np.stack(list(magnify_frames(sample[:4], MagnifyConfig(alpha=10.0, runtime="torch"),
                                                              net))))
    temporal = MagnifyConfig(alpha=10.0, mode="temporal", low_hz=2.0, high_hz=3.0)
    with pytest.warns(UserWarning, match="running torch"):
        out = np.stack(list(magnify_frames(sample[:4], replace(temporal, runtime="openvino"), net)))
    assert np.array_equal(out, np.stack(list(magnify_frames(sample[:4], replace(temporal, runtime="torch"), net))))


@needs_openvino
def test_cli_runtime_flag(tmp_path, capsys):
    from mmkit.cli import main
    from mmkit.data.samples import sample_path
    from mmkit.video_io import read_video

    outs = {}
    for runtime in ("torch", "openvino"):
        path = tmp_path / f"{runtime}.npz"
        assert main(["magnify", str(sample_path()), "--alpha", "10", "--runtime", runtime, "-o", str(path),
                     "--quiet"]) == 0
        outs[runtime] = read_video(path)[0]
        assert bool(ovr._compiled) == (runtime == "openvino")  # OpenVINO ran when asked, and only then
    assert np.abs(outs["torch"].astype(int) - outs["openvino"]).max() <= 1
    assert main(["magnify", str(sample_path()), "--alpha", "10", "--method", "oh2018", "--runtime", "openvino", "-o",
                 str(tmp_path / "x.npz")]) == 2
    assert "paper's networks" in capsys.readouterr().err
