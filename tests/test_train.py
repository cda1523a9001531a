"""Training: both stages run, resume is exact (also after a real SIGKILL), checkpoints are checked."""
import csv
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import pytest
import torch

from mmkit.checkpoints import load_checkpoint, model_from_checkpoint
from mmkit.data.pairs import DataConfig
from mmkit.errors import MMKitError
from mmkit.losses import LossWeights
from mmkit.train import TrainConfig, train

TINY = TrainConfig(steps=6, batch_size=2, data=DataConfig(size=32), checkpoint_every=2, log_every=1,
                   weights=LossWeights(perceptual=0.0))


def weights_of(path):
    return load_checkpoint(path)["model"]


def assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k


def test_proxy_then_student_train_and_log(tmp_path):
    train(TINY, tmp_path / "proxy", progress=False)
    ckpt = load_checkpoint(tmp_path / "proxy" / "checkpoint.pt")
    assert ckpt["step"] == 6 and ckpt["train_config"]["stage"] == "proxy"
    assert (tmp_path / "proxy" / "config.json").exists()
    rows = list(csv.DictReader(open(tmp_path / "proxy" / "loss_log.csv")))
    assert [int(r["step"]) for r in rows] == list(range(1, 7))
    assert rows[0]["proxy"] == ""                       # no L_M in stage 1
    student = replace(TINY, stage="student", proxy_checkpoint=str(tmp_path / "proxy" / "checkpoint.pt"))
    train(student, tmp_path / "student", progress=False)
    rows = list(csv.DictReader(open(tmp_path / "student" / "loss_log.csv")))
    assert float(rows[-1]["proxy"]) > 0                 # L_M is on
    net = model_from_checkpoint(tmp_path / "student" / "checkpoint.pt")
    assert not net.training


def test_periodic_evaluation_on_the_circles_benchmark(tmp_path):
    train(replace(TINY, steps=2, eval_every=1, eval_scenes=1), tmp_path, progress=False)
    rows = list(csv.DictReader(open(tmp_path / "eval_log.csv")))
    assert [(r["step"], r["noise"]) for r in rows] == [(step, noise) for step in ("1", "2")
                                                       for noise in ("0.0", "2.0", "5.0")]
    r = rows[-1]
    assert float(r["ratio"]) == pytest.approx(float(r["mse"]) / float(r["identity_mse"]))


def test_training_reduces_the_loss(tmp_path):
    cfg = replace(TINY, steps=30, lr=1e-3, checkpoint_every=30, log_every=1)
    train(cfg, tmp_path, progress=False)
    losses = [float(r["total"]) for r in csv.DictReader(open(tmp_path / "loss_log.csv"))]
    assert sum(losses[-5:]) < sum(losses[:5])


def test_resume_gives_the_same_weights_as_an_uninterrupted_run(tmp_path):
    train(TINY, tmp_path / "full", progress=False)
    train(replace(TINY, steps=4), tmp_path / "cut", progress=False)   # stops at step 4
    train(TINY, tmp_path / "cut", resume=True, progress=False)        # continues to step 6
    assert_same_weights(weights_of(tmp_path / "full" / "checkpoint.pt"), weights_of(tmp_path / "cut" / "checkpoint.pt"))
    full = list(csv.DictReader(open(tmp_path / "full" / "loss_log.csv")))
    cut = list(csv.DictReader(open(tmp_path / "cut" / "loss_log.csv")))
    assert [r["total"] for r in full] == [r["total"] for r in cut]


def test_a_checkpoint_without_optimizer_state_is_smaller_loads_and_resumes_with_a_warning(tmp_path):
    """drop_optimizer_state (used for the committed base and oh2018 runs): the weights stay, Adam's moments go."""
    from mmkit.train import drop_optimizer_state

    train(replace(TINY, steps=4), tmp_path / "run", progress=False)
    ckpt = tmp_path / "run" / "checkpoint.pt"
    before, size = weights_of(ckpt), ckpt.stat().st_size
    drop_optimizer_state(ckpt)
    assert ckpt.stat().st_size < size and load_checkpoint(ckpt)["optimizer"] is None
    assert_same_weights(before, weights_of(ckpt))
    assert_same_weights(before, model_from_checkpoint(ckpt).state_dict())
    with pytest.warns(UserWarning, match="no optimizer state .* fresh Adam moments"):
        train(TINY, tmp_path / "run", resume=True, progress=False)
    assert load_checkpoint(ckpt)["step"] == TINY.steps


def test_snapshot_run_makes_a_run_folder_at_a_copied_checkpoint_of_a_run_that_went_on(tmp_path):
    """snapshot_run (the equal-length snapshots such as light_no_lm_57000): weights of the copied step, no Adam
    moments, config and logs cut at that step; it never writes into an existing folder."""
    import shutil

    from mmkit.train import snapshot_run

    run = tmp_path / "run"
    train(replace(TINY, steps=2, eval_every=1, eval_scenes=1), run, progress=False)
    shutil.copy(run / "checkpoint.pt", tmp_path / "at2.pt")
    train(replace(TINY, steps=4, eval_every=1, eval_scenes=1), run, resume=True, progress=False)
    out = snapshot_run(tmp_path / "at2.pt", tmp_path / "run_2", logs=run)
    snap = load_checkpoint(out / "checkpoint.pt")
    assert snap["step"] == 2 and snap["optimizer"] is None
    assert_same_weights(weights_of(tmp_path / "at2.pt"), snap["model"])
    assert json.loads((out / "config.json").read_text())["steps"] == 2
    assert [int(r["step"]) for r in csv.DictReader(open(out / "loss_log.csv"))] == [1, 2]
    assert {int(r["step"]) for r in csv.DictReader(open(out / "eval_log.csv"))} == {1, 2}
    assert len(list(csv.DictReader(open(run / "loss_log.csv")))) == 4        # the run's own logs untouched
    with pytest.raises(MMKitError, match="exists already"):
        snapshot_run(run / "checkpoint.pt", out)
    with pytest.raises(MMKitError, match="no loss_log.csv"):
        snapshot_run(tmp_path / "at2.pt", tmp_path / "other")


def test_sigkill_then_resume_matches(tmp_path):
    """A real SIGKILL in the middle of `mmkit train`, then --resume: the same final weights."""
    args = ["--steps", "12", "--batch-size", "2", "--size", "32", "--checkpoint-every", "2", "--log-every", "1",
            "--ablate", "perceptual", "--quiet"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    run = lambda out, *extra: [sys.executable, "-m", "mmkit", "train", "--out", str(out), *args, *extra]  # noqa: E731
    subprocess.run(run(tmp_path / "full"), check=True, env=env, capture_output=True)
    proc = subprocess.Popen(run(tmp_path / "killed"), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ckpt = tmp_path / "killed" / "checkpoint.pt"
    deadline = time.time() + 60
    while time.time() < deadline and not (ckpt.exists() and load_checkpoint(ckpt)["step"] >= 4):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    step_at_kill = load_checkpoint(ckpt)["step"]
    assert step_at_kill < 12, "the run finished before it could be killed"
    subprocess.run(run(tmp_path / "killed", "--resume"), check=True, env=env, capture_output=True)
    assert_same_weights(weights_of(tmp_path / "full" / "checkpoint.pt"), weights_of(ckpt))


def test_bad_checkpoints_and_configs_are_clear_errors(tmp_path):
    train(replace(TINY, steps=2), tmp_path / "run", progress=False)
    ckpt = tmp_path / "run" / "checkpoint.pt"
    data = ckpt.read_bytes()
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(MMKitError, match="corrupt or truncated"):
        load_checkpoint(truncated)
    with pytest.raises(MMKitError, match="does not exist"):
        load_checkpoint(tmp_path / "nope.pt")
    with pytest.raises(MMKitError, match="already holds a run"):
        train(TINY, tmp_path / "run", progress=False)
    with pytest.raises(MMKitError, match="another configuration"):
        train(replace(TINY, lr=1e-3), tmp_path / "run", resume=True, progress=False)
    with pytest.raises(MMKitError, match="proxy_checkpoint"):
        train(replace(TINY, stage="student"), tmp_path / "s", progress=False)
    with pytest.raises(MMKitError, match="steps"):
        train(replace(TINY, steps=0), tmp_path / "z", progress=False)


def test_bf16_autocast_and_channels_last_train(tmp_path):
    net = train(replace(TINY, steps=2, bf16=True, channels_last=True), tmp_path, progress=False)
    rows = list(csv.DictReader(open(tmp_path / "loss_log.csv")))
    assert all(torch.isfinite(torch.tensor(float(r["total"]))) for r in rows)
    assert all(p.dtype == torch.float32 for p in net.parameters())  # autocast keeps fp32 master weights


def test_bf16_and_channels_last_may_be_switched_at_a_resume(tmp_path):
    """A run trained in bf16 goes on in fp32 on a machine without bf16 kernels: the same run, rounded differently
    (an uninterrupted fp32 run ends within rounding of it); the rest of the config must still match."""
    bf16 = replace(TINY, steps=4, bf16=True, channels_last=True)
    train(replace(bf16, steps=2), tmp_path / "switched", progress=False)
    fp32 = replace(bf16, bf16=False, channels_last=False)
    train(fp32, tmp_path / "switched", resume=True, progress=False)
    train(fp32, tmp_path / "fp32", progress=False)
    switched = load_checkpoint(tmp_path / "switched" / "checkpoint.pt")
    assert switched["step"] == 4 and switched["train_config"]["bf16"] is False
    plain = load_checkpoint(tmp_path / "fp32" / "checkpoint.pt")["model"]
    for k, v in plain.items():
        torch.testing.assert_close(switched["model"][k], v, rtol=0.05, atol=2e-3)
    assert any(not torch.equal(switched["model"][k], v) for k, v in plain.items())   # rounded differently
    with pytest.raises(MMKitError, match="another configuration"):
        train(replace(fp32, steps=6, lr=1e-3), tmp_path / "switched", resume=True, progress=False)


def run_showing_stderr(cmd: list[str], env: dict, timeout: float = 300) -> None:
    """Run ``cmd``; on a non-zero exit fail with the end of its stderr (torchrun's workers print theirs there)."""
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        pytest.fail(f"{' '.join(cmd[:6])} ... exited {done.returncode}; stderr ends:\n{done.stderr[-4000:]}")


def test_two_process_ddp_on_cpu_ends_with_identical_weights(tmp_path):
    """torchrun, 2 processes, gloo: both ranks end bit-identical, and equal (to float rounding) to one
    process training on the same pairs with twice the batch."""
    import json
    import shutil

    torchrun = shutil.which("torchrun", path=os.path.dirname(sys.executable))
    args = ["--steps", "3", "--size", "32", "--ablate", "perceptual", "--checkpoint-every", "3", "--quiet"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    run_showing_stderr([torchrun, "--standalone", "--nproc_per_node", "2", "-m", "mmkit", "train",
                        "--out", str(tmp_path / "ddp"), "--batch-size", "2", *args], env)
    ranks = json.loads((tmp_path / "ddp" / "ddp_ranks.json").read_text())
    assert ranks["world_size"] == 2 and len(set(ranks["digests"])) == 1
    run_showing_stderr([sys.executable, "-m", "mmkit", "train", "--out", str(tmp_path / "one"), "--batch-size", "4",
                        *args], env)
    a, b = weights_of(tmp_path / "ddp" / "checkpoint.pt"), weights_of(tmp_path / "one" / "checkpoint.pt")
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=1e-4, atol=1e-6)


def test_a_fixed_set_trains_the_same_from_a_cache_as_rendered(tmp_path):
    from mmkit.data.cache import build_cache

    fixed = replace(TINY, steps=4, dataset_size=3)           # 4 steps of 2 pairs: the set of 3 wraps round
    train(fixed, tmp_path / "rendered", progress=False)
    cache = build_cache(tmp_path / "cache", fixed.data, 3, workers=1)
    train(replace(fixed, cache_dir=str(cache)), tmp_path / "cached", progress=False)
    assert_same_weights(weights_of(tmp_path / "rendered" / "checkpoint.pt"),
                        weights_of(tmp_path / "cached" / "checkpoint.pt"))
    with pytest.raises(MMKitError, match="another data config"):
        train(replace(fixed, cache_dir=str(cache), data=DataConfig(size=32, seed=1)), tmp_path / "x", progress=False)
    with pytest.raises(MMKitError, match="fewer than"):
        train(replace(fixed, cache_dir=str(cache), dataset_size=5), tmp_path / "y", progress=False)


def test_time_limit_stops_with_a_checkpoint_and_resume_finishes(tmp_path):
    train(replace(TINY, time_limit=1e-9), tmp_path, progress=False)   # stops after the first step
    assert load_checkpoint(tmp_path / "checkpoint.pt")["step"] == 1
    train(TINY, tmp_path, resume=True, progress=False)               # the limit is a schedule field
    train(TINY, tmp_path / "straight", progress=False)
    assert_same_weights(weights_of(tmp_path / "checkpoint.pt"), weights_of(tmp_path / "straight" / "checkpoint.pt"))


@pytest.mark.parametrize("fast", [False, True])
def test_student_l_m_is_against_the_proxy_on_the_clean_pair(tmp_path, fast):
    # L_M of a step is the L1 between the student's D on the noisy pair and the frozen proxy's D on the clean
    # pair, here computed by whole fp32 passes; the trainer takes the proxy's D from motion_only, in the run's
    # bf16 and channels-last when those are on (then equal within bf16's rounding).
    from mmkit.losses import proxy_loss
    from mmkit.train import Trainer

    train(replace(TINY, steps=2), tmp_path / "proxy", progress=False)
    student = replace(TINY, stage="student", proxy_checkpoint=str(tmp_path / "proxy" / "checkpoint.pt"),
                      bf16=fast, channels_last=fast)
    trainer = Trainer(student, tmp_path / "student", progress=False)
    batch = next(trainer._batches())
    proxy = model_from_checkpoint(tmp_path / "proxy" / "checkpoint.pt")
    with torch.no_grad():
        expected = proxy_loss(trainer.model.intermediates(batch["prev"], batch["cur"], batch["alpha"]).motion,
                              proxy.intermediates(batch["prev_clean"], batch["cur_clean"], batch["alpha"]).motion)
    logged = trainer.train_step(batch)["proxy"]
    assert logged == pytest.approx(float(expected), rel=3e-2 if fast else 1e-5)


def test_a_moved_proxy_resumes_but_another_proxy_is_refused(tmp_path):
    import shutil

    train(replace(TINY, steps=2), tmp_path / "proxy_a", progress=False)
    train(replace(TINY, steps=2, seed=1), tmp_path / "proxy_b", progress=False)
    student = replace(TINY, stage="student", proxy_checkpoint=str(tmp_path / "proxy_a" / "checkpoint.pt"))
    train(replace(student, time_limit=1e-9), tmp_path / "student", progress=False)
    shutil.copytree(tmp_path / "proxy_a", tmp_path / "moved")
    with pytest.raises(MMKitError, match="not the proxy model"):
        train(replace(student, proxy_checkpoint=str(tmp_path / "proxy_b" / "checkpoint.pt")), tmp_path / "student",
              resume=True, progress=False)
    train(replace(student, proxy_checkpoint=str(tmp_path / "moved" / "checkpoint.pt")), tmp_path / "student",
          resume=True, progress=False)
    assert load_checkpoint(tmp_path / "student" / "checkpoint.pt")["step"] == TINY.steps


@pytest.mark.parametrize("dataset_size", [0, 3])
def test_rendering_workers_give_the_same_run(tmp_path, dataset_size):
    """`--workers N` renders batches ahead in DataLoader processes: the same weights as rendering in the loop,
    also when the run is cut by its time limit and resumed with another number of workers."""
    run = replace(TINY, steps=4, dataset_size=dataset_size)
    train(run, tmp_path / "inline", progress=False)
    train(replace(run, workers=2), tmp_path / "workers", progress=False)
    train(replace(run, workers=2, time_limit=1e-9), tmp_path / "cut", progress=False)
    assert load_checkpoint(tmp_path / "cut" / "checkpoint.pt")["step"] == 1
    train(replace(run, workers=1), tmp_path / "cut", resume=True, progress=False)
    inline = weights_of(tmp_path / "inline" / "checkpoint.pt")
    assert_same_weights(inline, weights_of(tmp_path / "workers" / "checkpoint.pt"))
    assert_same_weights(inline, weights_of(tmp_path / "cut" / "checkpoint.pt"))
    with pytest.raises(MMKitError, match="workers"):
        train(replace(run, workers=-1), tmp_path / "bad", progress=False)


def test_compiled_training_is_the_eager_run_to_float_rounding_and_may_be_switched_at_a_resume(tmp_path,
                                                                                             monkeypatch):
    """`--compile` compiles the student's forward (with its backward) and the proxy's D: the same run, rounded
    differently; cut by its time limit, a compiled run resumes eagerly (compile is a schedule field)."""
    import warnings

    compiled = []
    real_compile = torch.compile
    monkeypatch.setattr(torch, "compile", lambda fn, **kw: compiled.append(fn) or real_compile(fn, **kw))
    train(replace(TINY, steps=2), tmp_path / "proxy", progress=False)
    student = replace(TINY, steps=3, stage="student", proxy_checkpoint=str(tmp_path / "proxy" / "checkpoint.pt"))
    train(student, tmp_path / "eager", progress=False)
    assert compiled == []
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="torch.compile failed")   # a fallback to eager would pass unseen
        train(replace(student, compile=True), tmp_path / "compiled", progress=False)
        train(replace(student, compile=True, time_limit=1e-9), tmp_path / "cut", progress=False)
    # each compiled run: the student's forward and the proxy's D
    assert [getattr(f, "__name__", type(f).__name__) for f in compiled] == ["_Forward", "motion_only"] * 2
    train(student, tmp_path / "cut", resume=True, progress=False)
    eager = weights_of(tmp_path / "eager" / "checkpoint.pt")
    for run in ("compiled", "cut"):
        other = weights_of(tmp_path / run / "checkpoint.pt")
        for k in eager:
            torch.testing.assert_close(other[k], eager[k], rtol=1e-4, atol=1e-5)
    logs = {run: [float(r["total"]) for r in csv.DictReader(open(tmp_path / run / "loss_log.csv"))]
            for run in ("eager", "compiled")}
    assert logs["compiled"] == pytest.approx(logs["eager"], rel=1e-4)


def test_a_branch_with_nothing_changed_is_the_run_resumed_bit_for_bit(tmp_path):
    """`--branch-from`: the parent's weights, Adam's moments, weight average, step, data position and random state;
    its logs up to the step are copied, and branch.json says where the branch came from."""
    run = replace(TINY, ema=0.5, eval_every=2, eval_scenes=1)
    train(run, tmp_path / "full", progress=False)
    train(replace(run, steps=4), tmp_path / "parent", progress=False)
    train(run, tmp_path / "branch", progress=False, branch_from=tmp_path / "parent")
    full, branch = (load_checkpoint(tmp_path / name / "checkpoint.pt") for name in ("full", "branch"))
    assert_same_weights(full["model"], branch["model"])
    assert_same_weights(full["ema"], branch["ema"])
    for log in ("loss_log.csv", "eval_log.csv"):
        rows = [list(csv.DictReader(open(tmp_path / name / log))) for name in ("full", "branch")]
        assert [{k: v for k, v in r.items() if k != "seconds"} for r in rows[0]] == \
            [{k: v for k, v in r.items() if k != "seconds"} for r in rows[1]]
    record = json.loads((tmp_path / "branch" / "branch.json").read_text())
    assert record["step"] == 4 and record["changed"] == {}
    assert record["branched_from"] == str(tmp_path / "parent" / "checkpoint.pt")
    # The parent is untouched, and the same command with --resume continues the branch, not the parent.
    assert load_checkpoint(tmp_path / "parent" / "checkpoint.pt")["step"] == 4
    train(replace(run, steps=8), tmp_path / "branch", resume=True, progress=False, branch_from=tmp_path / "parent")
    assert load_checkpoint(tmp_path / "branch" / "checkpoint.pt")["step"] == 8


def test_a_branch_may_switch_l_m_on_and_change_the_rate_but_not_the_model_or_data(tmp_path):
    """The use it is made for: a student trained without L_M, then two branches from one checkpoint, one with L_M
    against a proxy and one without, the same pairs in the same order (paper Table 4 at equal length)."""
    train(replace(TINY, steps=2), tmp_path / "proxy", progress=False)
    no_lm = replace(TINY, stage="student", weights=LossWeights(perceptual=0.0, proxy=0.0))
    train(replace(no_lm, steps=4), tmp_path / "no_lm", progress=False)
    with_lm = replace(no_lm, weights=LossWeights(perceptual=0.0), proxy_checkpoint=str(tmp_path / "proxy"
                                                                                        / "checkpoint.pt"), lr=5e-5)
    train(with_lm, tmp_path / "lm", progress=False, branch_from=tmp_path / "no_lm" / "checkpoint.pt")
    train(no_lm, tmp_path / "still_no_lm", progress=False, branch_from=tmp_path / "no_lm")
    rows = list(csv.DictReader(open(tmp_path / "lm" / "loss_log.csv")))
    assert [r["proxy"] != "" for r in rows] == [False] * 4 + [True] * 2     # L_M from the branch's step on
    ckpt = load_checkpoint(tmp_path / "lm" / "checkpoint.pt")
    assert ckpt["train_config"]["lr"] == 5e-5 and ckpt["proxy_digest"] is not None
    changed = json.loads((tmp_path / "lm" / "branch.json").read_text())["changed"]
    assert set(changed) == {"weights", "proxy_checkpoint", "lr"} and changed["weights"]["proxy"] == 1.0
    assert not all(torch.equal(a, b) for a, b in zip(ckpt["model"].values(),
                                                     weights_of(tmp_path / "still_no_lm" / "checkpoint.pt").values()))
    with pytest.raises(MMKitError, match="other batch_size, data; a branch may change only"):
        train(replace(no_lm, batch_size=3, data=DataConfig(size=40)), tmp_path / "b1", progress=False,
              branch_from=tmp_path / "no_lm")
    with pytest.raises(MMKitError, match="at step 4; give the branch more steps"):
        train(replace(no_lm, steps=4), tmp_path / "b2", progress=False, branch_from=tmp_path / "no_lm")
    with pytest.raises(MMKitError, match="already holds a run"):
        train(no_lm, tmp_path / "lm", progress=False, branch_from=tmp_path / "no_lm")
    with pytest.raises(MMKitError, match="does not exist"):
        train(no_lm, tmp_path / "b3", progress=False, branch_from=tmp_path / "nowhere")


def test_lr_decay_falls_to_zero_over_the_last_steps():
    """--lr-decay N: the paper's constant rate, then half a cosine to 0 over the last N steps (a function of the
    step alone, so a resume or a branch keeps the schedule)."""
    cfg = TrainConfig(steps=10, lr=1e-3, lr_decay=4)
    rates = [cfg.lr_at(s) for s in range(11)]
    assert rates[:7] == [1e-3] * 7
    assert rates[6] > rates[7] > rates[8] > rates[9] > rates[10] == 0.0
    assert rates[8] == pytest.approx(5e-4)                          # half way down, half the rate
    assert [TrainConfig(steps=10).lr_at(s) for s in range(11)] == [1e-4] * 11   # 0: constant
    with pytest.raises(MMKitError, match="lr_decay"):
        TrainConfig(lr_decay=-1).validate()


def test_training_steps_at_the_scheduled_rate_and_a_branch_may_add_a_decay(tmp_path):
    cfg = replace(TINY, steps=4, lr=1e-3, lr_decay=2)
    train(cfg, tmp_path / "run", progress=False)
    state = load_checkpoint(tmp_path / "run" / "checkpoint.pt")
    assert state["optimizer"]["param_groups"][0]["lr"] == pytest.approx(cfg.lr_at(3))   # the last step's rate
    # a constant-rate run, then a branch from its step 4 that decays over its last 2 steps
    train(replace(TINY, steps=4), tmp_path / "flat", progress=False)
    train(replace(TINY, steps=6, lr_decay=2), tmp_path / "branch", progress=False, branch_from=tmp_path / "flat")
    branch = json.loads((tmp_path / "branch" / "branch.json").read_text())
    assert branch["changed"] == {"lr_decay": 2}
    assert load_checkpoint(tmp_path / "branch" / "checkpoint.pt")["optimizer"]["param_groups"][0]["lr"] == \
        pytest.approx(replace(TINY, steps=6, lr_decay=2).lr_at(5))
