"""The weights that ship in mmkit/weights: made by mmkit train (the committed run folders), loadable, useful."""
import json
from pathlib import Path

import pytest
import torch

from mmkit.checkpoints import checkpoint_weights, load_checkpoint
from mmkit.data.benchmarks import CirclesConfig
from mmkit.evaluate import score_circles
from mmkit.plots import read_loss_log
from mmkit.pretrained import WEIGHTS_DIR, architecture, available, info, load_pretrained

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("light", "base", "oh2018", "light_no_lm", "light_paper", "base_paper")


def test_every_model_ships():
    assert set(SHIPPED) <= set(available())


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_weights_are_those_of_the_committed_run(name):
    """Each export's record is its run folder's: the run's config, its loss log and its last step (data/runs keeps
    the runs' records; their checkpoints left the working tree, see the test below)."""
    meta = json.loads((WEIGHTS_DIR / f"{name}.json").read_text())
    assert meta["step"] > 0 and meta["train_config"]["model"] == architecture(name) and meta["git_commit"]
    log = (WEIGHTS_DIR / f"{name}_loss_log.csv").read_text()
    run = ROOT / meta["run_dir"]
    if not run.exists():
        pytest.skip("run folders are not part of an installed package")
    assert log == (run / "loss_log.csv").read_text()
    assert int(read_loss_log(run)["step"][-1]) == meta["step"]
    config = json.loads((run / "config.json").read_text())
    assert {k: v for k, v in config.items() if k != "world_size"} == meta["train_config"]
    said = meta.get("weights", "last step's weights")   # (exports made before weight averages do not say)
    assert said.startswith("moving average") == (meta["train_config"].get("ema") is not None)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_weights_are_those_of_the_run_checkpoint(name):
    """The exported weights are the run checkpoint's (its weight average where it kept one). The checkpoints are in
    git history, not in the working tree: this test runs where they have been restored."""
    meta = json.loads((WEIGHTS_DIR / f"{name}.json").read_text())
    ckpt = ROOT / meta["run_dir"] / "checkpoint.pt"
    if not ckpt.is_file():
        pytest.skip(f"{meta['run_dir']}/checkpoint.pt is not in the working tree: "
                    f"`git checkout a811fe1 -- {meta['run_dir']}/checkpoint.pt` restores it")
    state = load_checkpoint(ckpt)
    assert state["step"] == meta["step"]
    assert (state.get("ema") is not None) == (meta["train_config"].get("ema") is not None)
    shipped = checkpoint_weights(state)          # the run's weight average where it kept one (light), else its weights
    net = load_pretrained(name)
    for key, value in net.state_dict().items():
        assert torch.equal(value, shipped[key]), key


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_models_beat_returning_the_input_on_circles(name):
    score = score_circles(load_pretrained(name), CirclesConfig(n_scenes=3), noise=0.0)
    assert score.ratio < 1.0, score


def test_light_no_lm_is_light_papers_ablation_of_equal_length():
    """The pair a learner compares: the same recipe, pairs, noise, seed, schedule and length, L_M off."""
    light, ablation = info("light_paper")["train_config"], info("light_no_lm")["train_config"]
    assert architecture("light_no_lm") == architecture("light_paper") == "light"
    assert info("light_paper")["step"] == info("light_no_lm")["step"]
    assert light["weights"]["proxy"] > 0 and light["proxy_checkpoint"]
    assert ablation["weights"]["proxy"] == 0 and ablation["proxy_checkpoint"] is None
    # where and how long each sitting ran (cache folder, time limit), not what was trained, may differ
    same = {k for k in light if k not in ("weights", "proxy_checkpoint", "cache_dir", "time_limit")}
    assert {k: ablation[k] for k in same} == {k: light[k] for k in same}
    assert {k: v for k, v in ablation["weights"].items() if k != "proxy"} == \
        {k: v for k, v in light["weights"].items() if k != "proxy"}
    assert "L_M" in info("light_no_lm")["description"]
    a, b = load_pretrained("light_paper").state_dict(), load_pretrained("light_no_lm").state_dict()
    assert a.keys() == b.keys() and any(not torch.equal(a[k], b[k]) for k in a)


def test_base_is_base_paper_trained_on_varied_content():
    """The shipped base's record: the paper-recipe base weights (named base when the run started, base_paper now)
    trained on without L_M on the training split, with dead leaves and Gaussian noise."""
    cfg, paper = info("base")["train_config"], info("base_paper")["train_config"]
    assert architecture("base") == architecture("base_paper") == "base" and cfg["init_from"] == "base"
    assert paper["weights"]["proxy"] > 0 and cfg["weights"]["proxy"] == 0 and cfg["data"]["images"] == "training"
    assert cfg["data"]["leaves_prob"] > 0 and cfg["data"]["gauss_noise_max"] > 0
    assert "base_paper" in info("base")["description"]


def test_light_is_light_no_lm_trained_on_varied_content():
    """The default network's record: started from light_no_lm's weights, trained on the training split only, with
    dead leaves and Gaussian noise, without L_M."""
    cfg = info("light")["train_config"]
    assert architecture("light") == "light" and cfg["init_from"] == "light_no_lm"
    assert cfg["weights"]["proxy"] == 0 and cfg["data"]["images"] == "training"
    assert cfg["data"]["leaves_prob"] > 0 and cfg["data"]["gauss_noise_max"] > 0
