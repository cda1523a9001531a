"""Shipped weights: exported from a run folder by the kit's own code, loaded by name."""
import json

import pytest
import torch

from mmkit.data.pairs import DataConfig
from mmkit.errors import MMKitError
from mmkit.losses import LossWeights
from mmkit.models import MODEL_NAMES
from mmkit.pretrained import (architecture, available, export_weights, info, load_pretrained, loss_log,
                              network_names)
from mmkit.train import TrainConfig, train


def test_export_then_load_gives_the_trained_model(tmp_path):
    cfg = TrainConfig(steps=2, batch_size=1, data=DataConfig(size=32), weights=LossWeights(perceptual=0.0))
    net = train(cfg, tmp_path / "run", progress=False)
    export_weights(tmp_path / "run", "tiny", tmp_path / "weights", description="two steps, to test export")
    meta = json.loads((tmp_path / "weights" / "tiny.json").read_text())
    assert meta["step"] == 2 and meta["train_config"]["seed"] == 0
    assert meta["description"] == "two steps, to test export"
    assert (tmp_path / "weights" / "tiny_loss_log.csv").exists()
    loaded = load_pretrained("tiny", tmp_path / "weights")
    x = torch.rand(1, 3, 16, 16) * 2 - 1
    with torch.no_grad():
        torch.testing.assert_close(loaded(x, x.flip(-1), 5.0), net(x, x.flip(-1), 5.0))


def test_unknown_or_broken_weights_are_clear_errors(tmp_path):
    with pytest.raises(MMKitError, match="no shipped weights named 'huge'"):
        load_pretrained("huge", tmp_path)
    (tmp_path / "bad.pt").write_bytes(b"junk")
    with pytest.raises(MMKitError, match="could not be loaded"):
        load_pretrained("bad", tmp_path)


def test_network_names_are_the_papers_networks_then_the_other_shipped_weights():
    names = network_names()
    assert names[:len(MODEL_NAMES)] == list(MODEL_NAMES)
    assert set(names) == set(MODEL_NAMES) | set(available()) and len(names) == len(set(names))
    assert "light_no_lm" in names[len(MODEL_NAMES):]
    assert [architecture(n) for n in MODEL_NAMES] == list(MODEL_NAMES)
    assert architecture("light_no_lm") == "light"
    assert info("light_no_lm")["train_config"]["model"] == "light"
    with pytest.raises(MMKitError, match="no shipped weights named 'huge'"):
        info("huge")


def test_loss_log_is_the_shipped_runs_log():
    from mmkit.plots import read_loss_log
    for name in ("light", "light_no_lm"):
        log = read_loss_log(loss_log(name))
        assert log["step"][-1] == info(name)["step"]                  # the log of the run the weights come from
    assert (read_loss_log(loss_log("light_paper"))["proxy"] > 0).all()          # with L_M
    assert (~(read_loss_log(loss_log("light_no_lm"))["proxy"] > 0)).all()  # without
    with pytest.raises(MMKitError, match="no loss log ships with 'huge'"):
        loss_log("huge")
