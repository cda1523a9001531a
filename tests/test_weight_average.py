"""The moving average of the weights (TrainConfig.ema): what it computes, that it never changes training, that
it resumes exactly, may be switched on at a resume, and is what evaluation and export use."""
import json
from dataclasses import replace

import pytest
import torch

from mmkit.checkpoints import load_checkpoint, model_from_checkpoint
from mmkit.errors import MMKitError
from mmkit.evaluate import score_circles
from mmkit.pretrained import export_weights, load_pretrained
from mmkit.train import train
from mmkit.weight_average import warmed_decay

from test_train import TINY, assert_same_weights  # the tiny run and the weight comparison of the training tests

EMA = replace(TINY, ema=0.2)  # a short horizon: the warm-up acts at the first average, the decay after it


def test_the_warm_up_follows_the_run_first_then_holds_the_decay():
    assert warmed_decay(0.999, 0) == pytest.approx(0.1)
    assert warmed_decay(0.999, 90) == pytest.approx(0.91)
    assert warmed_decay(0.999, 10**6) == 0.999
    assert warmed_decay(0.2, 1) == pytest.approx(2 / 11) and warmed_decay(0.2, 2) == 0.2


def test_the_average_is_the_warmed_exponential_average_of_each_step_s_weights(tmp_path):
    """Train one step at a time (resume is exact), keep each step's weights, and average them by hand."""
    per_step = []
    for step in range(1, EMA.steps + 1):
        train(replace(EMA, steps=step), tmp_path, resume=step > 1, progress=False)
        per_step.append(load_checkpoint(tmp_path / "checkpoint.pt")["model"])
    expected = {k: v.clone() for k, v in per_step[0].items()}     # the first update copies
    for n, weights in enumerate(per_step[1:], start=1):
        d = warmed_decay(EMA.ema, n)
        for k in expected:
            expected[k] = d * expected[k] + (1 - d) * weights[k]
    state = load_checkpoint(tmp_path / "checkpoint.pt")
    assert state["ema_updates"] == EMA.steps
    for k in expected:
        torch.testing.assert_close(state["ema"][k], expected[k], rtol=1e-5, atol=1e-6)
    assert any(not torch.equal(state["ema"][k], state["model"][k]) for k in expected)


def test_the_average_never_changes_what_trains(tmp_path):
    train(TINY, tmp_path / "plain", progress=False)
    train(EMA, tmp_path / "ema", progress=False)
    assert_same_weights(load_checkpoint(tmp_path / "plain" / "checkpoint.pt")["model"],
                        load_checkpoint(tmp_path / "ema" / "checkpoint.pt")["model"])
    assert load_checkpoint(tmp_path / "plain" / "checkpoint.pt").get("ema") is None


def test_resume_keeps_the_average_and_it_may_be_switched_on_at_a_resume(tmp_path, capsys):
    train(EMA, tmp_path / "full", progress=False)
    train(replace(EMA, steps=4), tmp_path / "cut", progress=False)
    train(EMA, tmp_path / "cut", resume=True, progress=False)
    full, cut = (load_checkpoint(tmp_path / name / "checkpoint.pt") for name in ("full", "cut"))
    assert_same_weights(full["ema"], cut["ema"])
    # a run without an average, resumed with one: allowed; the average starts from the resumed weights
    train(replace(TINY, steps=4), tmp_path / "late", progress=False)
    at_4 = load_checkpoint(tmp_path / "late" / "checkpoint.pt")["model"]
    train(replace(EMA, steps=5), tmp_path / "late", resume=True, progress=False)
    assert "holds no weight average" in capsys.readouterr().out
    late = load_checkpoint(tmp_path / "late" / "checkpoint.pt")
    assert late["ema_updates"] == 1 and late["train_config"]["ema"] == EMA.ema
    assert_same_weights(late["ema"], late["model"])                # one update: a copy of step 5's weights
    assert any(not torch.equal(late["model"][k], at_4[k]) for k in at_4)


def test_evaluation_and_export_use_the_average_and_last_asks_for_the_step_s_weights(tmp_path):
    train(EMA, tmp_path / "run", progress=False)
    state = load_checkpoint(tmp_path / "run" / "checkpoint.pt")
    assert_same_weights(model_from_checkpoint(tmp_path / "run" / "checkpoint.pt").state_dict(), state["ema"])
    assert_same_weights(model_from_checkpoint(tmp_path / "run" / "checkpoint.pt", average=False).state_dict(),
                        state["model"])
    export_weights(tmp_path / "run", "tiny", tmp_path / "weights")
    assert_same_weights(load_pretrained("tiny", tmp_path / "weights").state_dict(), state["ema"])
    meta = json.loads((tmp_path / "weights" / "tiny.json").read_text())
    assert meta["weights"] == "moving average of the weights (ema 0.2, 6 updates)"
    train(TINY, tmp_path / "plain", progress=False)
    export_weights(tmp_path / "plain", "plain", tmp_path / "weights")
    assert json.loads((tmp_path / "weights" / "plain.json").read_text())["weights"] == "last step's weights"


@pytest.mark.parametrize("decay", [1.0, -0.1, float("nan"), "0.9"])
def test_a_bad_decay_is_a_clear_error(tmp_path, decay):
    with pytest.raises(MMKitError, match="ema"):
        train(replace(TINY, ema=decay), tmp_path, progress=False)


def test_the_command_line_trains_with_an_average_and_evaluates_either_weights(tmp_path, capsys):
    from mmkit.cli import main

    main(["train", "--out", str(tmp_path), "--steps", "2", "--batch-size", "1", "--size", "32",
          "--ablate", "perceptual", "--quiet", "--ema", "0.9"])
    assert load_checkpoint(tmp_path / "checkpoint.pt")["train_config"]["ema"] == 0.9
    capsys.readouterr()
    ckpt = tmp_path / "checkpoint.pt"
    for flags, average in (([], True), (["--last"], False)):
        main(["evaluate", "--content", "seen", "--checkpoint", str(ckpt), "--scenes", "2", "--noise", "0", *flags])
        printed_mse = float(capsys.readouterr().out.splitlines()[-1].split()[2])
        s = score_circles(model_from_checkpoint(ckpt, average=average), scenes=2)
        assert printed_mse == pytest.approx(1e3 * s.mse, abs=6e-4)
