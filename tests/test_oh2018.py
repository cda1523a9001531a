"""Oh et al. (2018), the comparison network: size against the paper's Table 1, any size, trainable."""

import pytest
import torch

from mmkit.checkpoints import model_from_checkpoint
from mmkit.data.pairs import DataConfig
from mmkit.losses import LossWeights
from mmkit.models import PAPER_TABLE1, Oh2018Net, build_model, complexity
from mmkit.train import TrainConfig, train


def test_cost_matches_the_paper_and_params_are_close():
    c = complexity(build_model("oh2018"), 720, 720)
    params, gflops = PAPER_TABLE1["oh2018"]
    assert abs(c.gflops / gflops - 1) < 0.03      # 2 x MACs reproduces the paper's 268.6 GFLOPs
    assert 0.85 < c.params / params < 1.0         # 0.88 M counted vs 0.98 M printed


@pytest.mark.parametrize("h, w", [(30, 41), (4, 4), (17, 64)])
def test_any_size(h, w):
    net = Oh2018Net().eval()
    x = torch.rand(2, 3, h, w) * 2 - 1
    with torch.no_grad():
        assert net(x, x.flip(-1), 5.0).shape == (2, 3, h, w)


@pytest.mark.parametrize("h, w", [(16, 16), (17, 9)])
def test_motion_only_equals_the_full_pass_motion(h, w):
    torch.manual_seed(0)
    net = Oh2018Net().eval()
    x = torch.rand(2, 3, h, w) * 2 - 1
    y = (x + 0.05 * torch.randn_like(x)).clamp(-1, 1)
    with torch.no_grad():
        assert torch.equal(net.motion_only(x, y, 20.0), net.intermediates(x, y, 20.0).motion)


def test_one_shared_encoder_and_alpha_zero_ignores_the_second_frame():
    net = Oh2018Net().eval()
    x = torch.rand(1, 3, 16, 16) * 2 - 1
    with torch.no_grad():
        it = net.intermediates(x, x.clone(), 50.0)
        assert torch.equal(it.e_a, it.e_b)  # one encoder for both frames: equal frames, equal shapes
        y = torch.rand(1, 3, 16, 16) * 2 - 1
        torch.testing.assert_close(net(x, y, 0.0), net(x, x, 0.0))  # alpha 0: prev's representation


def test_trainable_by_the_same_command(tmp_path):
    cfg = TrainConfig(model="oh2018", steps=2, batch_size=1, data=DataConfig(size=32),
                      weights=LossWeights(perceptual=0.0))
    train(cfg, tmp_path, progress=False)
    net = model_from_checkpoint(tmp_path / "checkpoint.pt")
    assert isinstance(net, Oh2018Net)
