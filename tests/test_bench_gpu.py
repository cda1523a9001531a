"""The GPU benchmark: a clear exit without CUDA, real (rendered) inputs, and a smoke run where CUDA exists."""
import pytest
import torch

from mmkit.bench import gpu


def test_without_cuda_main_exits_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(SystemExit) as exc:
        gpu.main(["--models", "light", "--sizes", "32"])
    assert "needs a CUDA GPU" in str(exc.value.code) and "mmkit.bench.inference" in str(exc.value.code)


def test_inputs_are_consecutive_rendered_frames():
    prev, cur = gpu.real_pairs(48, 2, device="cpu")
    assert prev.shape == cur.shape == (2, 3, 48, 48)
    assert -1 <= float(prev.min()) and float(prev.max()) <= 1
    assert torch.equal(prev[1], cur[0])  # a clip, not independent noise
    assert 0 < float((cur - prev).abs().max()) < 0.5  # the disc moves by a fraction of a pixel


def test_forward_fn_matches_the_network_on_cpu():
    net = gpu.model_for("light")[0]
    prev, cur = gpu.real_pairs(32, 1, device="cpu")
    out = gpu.forward_fn(net, prev, cur)()
    with torch.no_grad():
        assert torch.equal(out, net(prev, cur, gpu.ALPHA))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_gpu_bench_prints_every_variant(capsys):
    gpu.main(["--models", "light", "--sizes", "64", "--repeats", "2"])
    out = capsys.readouterr().out
    assert torch.cuda.get_device_name() in out and torch.__version__ in out
    rows = {line[:36].strip(): line.split() for line in out.splitlines() if line.strip()}
    assert set(gpu.VARIANTS) <= set(rows) and "CUDA graph, batch 4" in rows
    assert float(rows["eager fp32"][-1]) == 0.0  # fp32 against itself
    assert all(float(row[-1]) < 255 for label, row in rows.items() if label in gpu.VARIANTS)


def test_encoder_fp32_variant_is_the_engines_bf16_path_on_cpu():
    """The GPU bench's --bf16 row computes what mmkit.engine.network_call does (checked here on the CPU, where
    the same autocast applies): equal outputs, and different from bf16 everywhere."""
    from mmkit.engine import MagnifyConfig, network_call
    from mmkit.pretrained import load_pretrained

    net = load_pretrained("light")
    prev, cur = gpu.real_pairs(64, 2, device="cpu")
    ours = gpu.forward_fn(net, prev, cur, dtype=torch.bfloat16, encoder_fp32=True)()
    with torch.no_grad():
        engine = network_call(net, MagnifyConfig(bf16=True, compile=False), torch.device("cpu"))(prev, cur, 20.0)
    assert torch.equal(ours, engine)
    assert not torch.equal(ours, gpu.forward_fn(net, prev, cur, dtype=torch.bfloat16)())
