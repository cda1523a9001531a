"""The paper's losses: zero on identical inputs, positive otherwise, gradients flow; the VGG-16 loader."""
import warnings

import pytest
import torch

from mmkit import vgg as vgg_mod
from mmkit.errors import MMKitError
from mmkit.losses import (LossWeights, appearance_loss, edge_loss, l1_loss, perceptual_loss, proxy_loss,
                          total_loss)
from mmkit.models import build_model
from mmkit.vgg import PerceptualFeatures, find_vgg16_weights, load_perceptual, vgg16_features


def images(seed=0, shape=(2, 3, 32, 32)):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=g) * 2 - 1


@pytest.fixture(scope="module")
def vgg_file(tmp_path_factory):
    """A randomly initialised VGG-16 state dict with torchvision's keys, classifier included."""
    torch.manual_seed(0)
    sd = {f"features.{k}": v for k, v in vgg16_features().state_dict().items()}
    sd["classifier.0.weight"] = torch.zeros(4, 4)  # foreign keys are ignored
    path = tmp_path_factory.mktemp("vgg") / "vgg16-random.pth"
    torch.save(sd, path)
    return path


@pytest.fixture(scope="module")
def vgg(vgg_file):
    return PerceptualFeatures.from_file(vgg_file)


def test_pixel_losses_zero_on_identical_and_positive_otherwise():
    a, b = images(0), images(1)
    for loss in (l1_loss, edge_loss, proxy_loss):
        assert loss(a, a.clone()) == 0
        assert loss(a, b) > 0


def test_edge_loss_ignores_constant_offsets_but_not_structure():
    a = images(0)
    assert edge_loss(a + 0.3, a) < 1e-6
    assert edge_loss(torch.roll(a, 1, dims=-1), a) > 0


def test_appearance_loss_zero_when_head_matches_both_clean_frames():
    frame = images(0)
    head = torch.nn.functional.avg_pool2d(frame, 2)
    assert appearance_loss(head, frame, frame.clone()) < 1e-7
    assert appearance_loss(head, frame, images(1)) > 0
    # Odd-sized frames are averaged to the head's size.
    assert appearance_loss(head[..., :8, :8], frame[..., :17, :17], frame[..., :17, :17]).isfinite()


def test_perceptual_loss_zero_on_identical_and_positive_otherwise(vgg):
    a, b = images(0), images(1)
    assert perceptual_loss(a, a.clone(), vgg) == 0
    assert perceptual_loss(a, b, vgg) > 0


def test_vgg_loader_reads_the_file_and_matches_its_weights(vgg, vgg_file):
    sd = torch.load(vgg_file, weights_only=True)
    torch.testing.assert_close(vgg.features[0].weight, sd["features.0.weight"])
    torch.testing.assert_close(vgg.features[14].bias, sd["features.14.bias"])
    assert vgg.source == str(vgg_file)
    assert not any(p.requires_grad for p in vgg.parameters())
    feats = vgg(images(0))
    assert [f.shape[1] for f in feats] == [64, 128, 256]


def test_vgg_lookup_order(vgg_file, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.delenv(vgg_mod.ENV_VAR, raising=False)
    assert find_vgg16_weights() is None
    hub = tmp_path / "torch" / "hub" / "checkpoints"
    hub.mkdir(parents=True)
    (hub / "vgg16-397923af.pth").write_bytes(vgg_file.read_bytes())
    assert find_vgg16_weights() == hub / "vgg16-397923af.pth"
    monkeypatch.setenv(vgg_mod.ENV_VAR, str(vgg_file))
    assert find_vgg16_weights() == vgg_file          # the variable beats the cache
    assert find_vgg16_weights(hub / "vgg16-397923af.pth") == hub / "vgg16-397923af.pth"  # the argument beats both
    monkeypatch.setenv(vgg_mod.ENV_VAR, str(tmp_path / "nope.pth"))
    with pytest.raises(MMKitError, match="MMKIT_VGG16"):
        find_vgg16_weights()


def test_missing_weights_switch_perceptual_off_with_one_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.delenv(vgg_mod.ENV_VAR, raising=False)
    monkeypatch.setattr(vgg_mod, "_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert load_perceptual() is None
        assert load_perceptual() is None
    assert len(caught) == 1 and "perceptual loss L_p is switched off" in str(caught[0].message)


def test_bad_vgg_files_get_clear_errors(tmp_path):
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(MMKitError, match="could not read VGG-16"):
        PerceptualFeatures.from_file(junk)
    wrong = tmp_path / "wrong.pth"
    torch.save({"features.0.weight": torch.zeros(1)}, wrong)
    with pytest.raises(MMKitError, match="not a VGG-16 state dict"):
        PerceptualFeatures.from_file(wrong)


def test_total_loss_weights_terms_and_reports_perceptual_state(vgg):
    torch.manual_seed(0)
    net = build_model("light")
    prev, cur, target = images(0, (1, 3, 16, 16)), images(1, (1, 3, 16, 16)), images(2, (1, 3, 16, 16))
    out = net.intermediates(prev, cur, 4.0)
    proxy_motion = torch.zeros_like(out.motion)
    total, log = total_loss(out, target, prev, cur, vgg=vgg, proxy_motion=proxy_motion)
    expected = 10 * log["l1"] + 0.1 * log["perceptual"] + log["edge"] + log["appearance"] + log["proxy"]
    assert total.item() == pytest.approx(expected, rel=1e-5)
    assert log["perceptual_enabled"] == 1.0
    total.backward()
    assert all(p.grad is not None for p in net.parameters())  # gradients reach every parameter

    _, log_off = total_loss(out, target, prev, cur, vgg=None)
    assert log_off["perceptual_enabled"] == 0.0 and "perceptual" not in log_off and "proxy" not in log_off
    _, log_ablate = total_loss(out, target, prev, cur, LossWeights(edge=0, appearance=0), vgg=vgg)
    assert "edge" not in log_ablate and "appearance" not in log_ablate


def test_losses_gradcheck_in_float64():
    a = images(0, (1, 3, 5, 6)).double().requires_grad_()
    b = images(1, (1, 3, 5, 6)).double()
    for loss in (l1_loss, edge_loss, proxy_loss):
        assert torch.autograd.gradcheck(lambda x: loss(x, b), (a,))
    head = images(2, (1, 3, 2, 3)).double().requires_grad_()
    assert torch.autograd.gradcheck(lambda h: appearance_loss(h, b, b.flip(-1)), (head,))
