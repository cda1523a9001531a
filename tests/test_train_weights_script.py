"""scripts/train_weights.sh, the recipe of the shipped weights, and scripts/gpu_continue.sh, the short-lease
continuation, run end to end with tiny settings."""
import os
import subprocess
import tarfile
from pathlib import Path

import torch

from mmkit.checkpoints import load_checkpoint
from mmkit.hardware import cpu_has_bf16_kernels
from mmkit.pretrained import load_pretrained

ROOT = Path(__file__).resolve().parents[1]


def test_recipe_trains_proxy_student_ablation_and_exports(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PROXY_STEPS": "1", "STUDENT_STEPS": "1", "SIZE": "32",
           "BATCH": "1", "RUNS": str(tmp_path / "runs"), "WEIGHTS": str(tmp_path / "weights"),
           "MMKIT": str(Path(os.sys.executable).parent / "mmkit"), "PYTHON": os.sys.executable}
    subprocess.run(["bash", str(ROOT / "scripts" / "train_weights.sh"), "light"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=600)
    for run in ("light_proxy", "light_student", "light_no_lm"):
        assert (tmp_path / "runs" / run / "checkpoint.pt").exists()
    assert load_pretrained("light", tmp_path / "weights").cfg.channels == 8
    # bf16 only where it is fast: a GPU, or a CPU with bf16 kernels
    fast = torch.cuda.is_available() or cpu_has_bf16_kernels() is not False
    assert load_checkpoint(tmp_path / "runs" / "light_student" / "checkpoint.pt")["train_config"]["bf16"] is fast
    env.update(BF16="1" if not fast else "0", RUNS=str(tmp_path / "forced"))   # forced the other way
    subprocess.run(["bash", str(ROOT / "scripts" / "train_weights.sh"), "oh2018"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=600)
    assert load_checkpoint(tmp_path / "forced" / "oh2018" / "checkpoint.pt")["train_config"]["bf16"] is not fast


def test_gpu_continue_brings_both_light_runs_to_one_step_and_scores_them(tmp_path):
    """The GPU script on the CPU: tiny runs 3 and 1 steps long, a 30 s lease, one rendering worker each: the
    ablation catches up, both train on together, end at one step, and keep a weight average."""
    mmkit_bin = str(Path(os.sys.executable).parent / "mmkit")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    tiny = ["--size", "32", "--batch-size", "1", "--dataset-size", "100000", "--bf16", "--channels-last", "--quiet"]
    src = tmp_path / "runs"
    subprocess.run([mmkit_bin, "train", "--out", str(src / "light_proxy"), "--steps", "2", *tiny], env=env,
                   check=True, capture_output=True, timeout=300)
    subprocess.run([mmkit_bin, "train", "--out", str(src / "light_student"), "--stage", "student", "--proxy",
                    str(src / "light_proxy" / "checkpoint.pt"), "--steps", "3", *tiny], env=env, check=True,
                   capture_output=True, timeout=300)
    subprocess.run([mmkit_bin, "train", "--out", str(src / "light_no_lm_long"), "--stage", "student", "--ablate",
                    "proxy", "--steps", "1", *tiny], env=env, check=True, capture_output=True, timeout=300)
    out = tmp_path / "out"
    env.update(T="30", WORKERS="1", EMA="0.9", PYTHON=os.sys.executable, RUNS=str(tmp_path / "work"), BATCH="1", SIZE="32",
               SCENES="1", MMKIT_GIT_COMMIT="test")
    subprocess.run(["bash", str(ROOT / "scripts" / "gpu_continue.sh"), str(src), str(out)], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=600)
    ckpts = {run: load_checkpoint(tmp_path / "work" / run / "checkpoint.pt")
             for run in ("light_student", "light_no_lm_long")}
    assert ckpts["light_student"]["step"] == ckpts["light_no_lm_long"]["step"] >= 4        # both continued, to one step
    assert all(c["train_config"]["ema"] == 0.9 and c["ema_updates"] > 0 for c in ckpts.values())
    log = (out / "gpu_continue.log").read_text()
    assert "light_no_lm_long catches up alone to step 3" in log and "both together for" in log
    assert "light_no_lm_long/checkpoint.pt" in (out / "evaluation.txt").read_text()
    with tarfile.open(out / "runs.tar") as tar:
        assert {"light_student/checkpoint.pt", "light_no_lm_long/loss_log.csv"} <= set(tar.getnames())
