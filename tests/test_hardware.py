"""bf16 autocast is emulated, and slow, on CPUs without bf16 kernels: the kit says so where it is asked for."""
import warnings
from dataclasses import replace

import pytest
import torch

import mmkit.hardware as hw
from mmkit.data.pairs import DataConfig
from mmkit.engine import MagnifyConfig, magnify_frames
from mmkit.losses import LossWeights
from mmkit.models import build_model
from mmkit.train import TrainConfig, Trainer


def test_the_check_answers_for_this_machine():
    assert hw.cpu_has_bf16_kernels() in (True, False, None)


@pytest.mark.parametrize("kernels, device, warned", [(False, "cpu", True), (True, "cpu", False),
                                                      (None, "cpu", False), (False, "cuda", False)])
def test_warns_only_for_a_cpu_without_bf16_kernels(monkeypatch, kernels, device, warned):
    monkeypatch.setattr(hw, "cpu_has_bf16_kernels", lambda: kernels)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert hw.warn_if_bf16_is_slow(torch.device(device), "doing X") is warned
    assert [str(w.message).startswith("doing X: this CPU") and "leave bf16 off" in str(w.message)
            for w in caught] == ([True] if warned else [])


def test_training_and_magnifying_in_bf16_warn_on_such_a_cpu(monkeypatch, tmp_path):
    monkeypatch.setattr(hw, "cpu_has_bf16_kernels", lambda: False)
    cfg = TrainConfig(steps=1, batch_size=1, data=DataConfig(size=32), weights=LossWeights(perceptual=0.0),
                      device="cpu")
    with pytest.warns(UserWarning, match="training with --bf16: this CPU"):
        Trainer(replace(cfg, bf16=True), tmp_path / "a", progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        Trainer(cfg, tmp_path / "b", progress=False)            # fp32: nothing to say
    frames = torch.randint(0, 255, (3, 16, 16, 3), dtype=torch.uint8).numpy()
    net = build_model("light").eval()
    with pytest.warns(UserWarning, match="magnifying with --bf16: this CPU"):
        list(magnify_frames(frames, MagnifyConfig(alpha=5.0, bf16=True, device="cpu", compile=False), net))
