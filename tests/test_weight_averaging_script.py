"""scripts/measure_weight_averaging.py: its average of checkpoints, and the script end to end on tiny runs."""
import subprocess
import sys
from dataclasses import replace

import torch

from helpers import SCRIPTS, load_script
from mmkit.train import TrainConfig, train

SCRIPT = SCRIPTS / "measure_weight_averaging.py"


def test_average_is_the_mean_of_float_weights_and_keeps_the_last_integer_buffers():
    states = [{"model": {"w": torch.tensor([0.0, 2.0]), "n": torch.tensor(1)}},
              {"model": {"w": torch.tensor([2.0, 6.0]), "n": torch.tensor(7)}}]
    out = load_script("measure_weight_averaging").average(states)
    assert torch.equal(out["w"], torch.tensor([1.0, 4.0])) and int(out["n"]) == 7


def test_script_scores_a_run_at_two_steps(tmp_path):
    cfg = TrainConfig(steps=1, batch_size=1, checkpoint_every=1, log_every=1, eval_every=0)
    cfg = replace(cfg, data=replace(cfg.data, size=32), weights=replace(cfg.weights, perceptual=0.0))
    train(cfg, tmp_path / "run", progress=False)
    (tmp_path / "run" / "checkpoint.pt").rename(tmp_path / "one.pt")
    train(replace(cfg, steps=2), tmp_path / "run2", progress=False)
    out = subprocess.run([sys.executable, str(SCRIPT), "--k", "1,2", str(tmp_path / "one.pt"),
                          str(tmp_path / "run2" / "checkpoint.pt")], capture_output=True, text=True, check=True).stdout
    assert "checkpoints at steps [1, 2]" in out
    rows = [line.split() for line in out.splitlines() if line.startswith("last ")]
    assert [r[:3] for r in rows] == [["last", "1", "(2-2)"], ["last", "2", "(1-2)"]]
    assert all(0 < float(x) < 10 for r in rows for x in r[3:6])
