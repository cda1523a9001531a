"""The command line: help, info (counted from the models), clear errors."""
import json
import shutil
import subprocess
import sys

import pytest

from mmkit.cli import main
from mmkit.models import build_model, complexity


def test_help_lists_the_commands(capsys):
    try:
        main(["--help"])
    except SystemExit as e:
        assert e.code == 0
    out = capsys.readouterr().out
    for cmd in ("info", "demo", "samples"):
        assert cmd in out


def test_info_json_matches_the_counter(capsys):
    assert main(["info", "--size", "96", "128", "--json"]) == 0
    rows = {r["model"]: r for r in json.loads(capsys.readouterr().out)["models"]}
    for name in ("light", "base"):
        c = complexity(build_model(name), 96, 128)
        assert rows[name]["params"] == c.params
        assert rows[name]["gmacs"] == round(c.gmacs, 2)


def test_info_table_is_printed(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"{complexity(build_model('light')).params:,}" in out
    assert "42.4" in out and "375.5" in out  # the paper's column is shown beside ours
    from mmkit.openvino_runtime import have_openvino
    assert "bf16 kernels: " in out  # and what runs the networks here
    assert ("Runtime for light and base on the CPU: OpenVINO" in out) == have_openvino()


def test_bad_size_is_a_clear_error(capsys):
    assert main(["info", "--size", "0", "10"]) == 2
    assert "must be positive" in capsys.readouterr().err


def test_console_entry_point_runs_as_module():
    r = subprocess.run([sys.executable, "-m", "mmkit", "--version"], capture_output=True, text=True, check=True)
    assert r.stdout.startswith("mmkit ")


def test_evaluate_prints_the_identity_baseline_and_scores_a_checkpoint(tmp_path, capsys):
    from mmkit.data.benchmarks import CirclesConfig, circles_pairs, held_out_circles, identity_mse
    from mmkit.data.pairs import DataConfig
    from mmkit.losses import LossWeights
    from mmkit.train import TrainConfig, train

    assert main(["evaluate", "--scenes", "2", "--noise", "2"]) == 0
    expected = identity_mse(circles_pairs(held_out_circles(128, 2), 2.0))
    assert f"{1e3 * expected:.3f}" in capsys.readouterr().out
    assert main(["evaluate", "--content", "seen", "--scenes", "2", "--noise", "2"]) == 0
    expected = identity_mse(circles_pairs(CirclesConfig(n_scenes=2), 2.0))
    assert f"{1e3 * expected:.3f}" in capsys.readouterr().out
    train(TrainConfig(steps=1, batch_size=1, data=DataConfig(size=32), weights=LossWeights(perceptual=0)),
          tmp_path / "run", progress=False)
    assert main(["evaluate", "--scenes", "1", "--noise", "0", "--checkpoint", str(tmp_path / "run" / "checkpoint.pt")]) == 0
    assert "checkpoint.pt" in capsys.readouterr().out
    assert main(["evaluate", "--pretrained", "nonexistent"]) == 2
    capsys.readouterr()
    run = str(tmp_path / "run" / "checkpoint.pt")
    assert main(["evaluate", "--scenes", "2", "--noise", "5", "--paired", "--checkpoint", run]) == 2
    assert "--paired compares models two by two" in capsys.readouterr().err
    twin = str(shutil.copy(run, tmp_path / "twin.pt"))
    assert main(["evaluate", "--scenes", "2", "--noise", "5", "--paired", "--checkpoint", run, twin]) == 0
    out = capsys.readouterr().out
    assert "+0.000  +- 0.000 (standard error); first better on 0 of 2 scenes" in out and "mean over" not in out
    third, fourth = (str(shutil.copy(run, tmp_path / f"{n}.pt")) for n in ("third", "fourth"))
    assert main(["evaluate", "--scenes", "2", "--noise", "5", "--paired", "--checkpoint", run, twin, third]) == 2
    assert "give an even number, got 3" in capsys.readouterr().err
    assert main(["evaluate", "--scenes", "2", "--noise", "5", "--paired", "--checkpoint", run, twin, third,
                 fourth]) == 0
    out = capsys.readouterr().out
    assert out.count("first minus second, scene by scene") == 2 and "third.pt" in out and "fourth.pt" in out
    assert "mean over the 2 pairs" in out and "+0.000  +- 0.000 (standard error between pairs); first better in 0 " \
        "of 2 pairs" in out
    # one checkpoint in two pairs (e.g. two runs with L_M against one ablation)
    assert main(["evaluate", "--scenes", "2", "--noise", "5", "--paired", "--checkpoint", run, twin, third, twin]) == 0
    assert capsys.readouterr().out.count("first minus second, scene by scene") == 2


def test_evaluate_scene_seed_draws_other_scenes_and_says_so(capsys):
    from mmkit.data.benchmarks import circles_pairs, held_out_circles, identity_mse

    assert main(["evaluate", "--scenes", "2", "--noise", "2", "--scene-seed", "3"]) == 0
    out = capsys.readouterr().out
    other, usual = (identity_mse(circles_pairs(held_out_circles(128, 2, seed=s), 2.0)) for s in (3, 0))
    assert "scene seed 3" in out and f"{1e3 * other:.3f}" in out and f"{1e3 * usual:.3f}" not in out
    for bad in (["--scene-seed", "-1"], ["--scenes", "0"]):
        assert main(["evaluate", "--noise", "0", *bad]) == 2
        assert bad[0] in capsys.readouterr().err


def test_train_branch_from_switches_l_m_on_from_another_runs_checkpoint(tmp_path):
    import json

    from mmkit.checkpoints import load_checkpoint

    common = ["--steps", "2", "--batch-size", "1", "--size", "32", "--checkpoint-every", "1", "--log-every", "1",
              "--quiet"]
    assert main(["train", "--out", str(tmp_path / "proxy"), "--ablate", "perceptual", *common]) == 0
    assert main(["train", "--out", str(tmp_path / "no_lm"), "--stage", "student", "--ablate", "perceptual", "proxy",
                 *common]) == 0
    assert main(["train", "--out", str(tmp_path / "lm"), "--stage", "student", "--ablate", "perceptual",
                 "--proxy", str(tmp_path / "proxy" / "checkpoint.pt"), "--branch-from", str(tmp_path / "no_lm"),
                 *common[:1], "3", *common[2:]]) == 0
    assert load_checkpoint(tmp_path / "lm" / "checkpoint.pt")["step"] == 3
    assert json.loads((tmp_path / "lm" / "branch.json").read_text())["changed"]["weights"]["proxy"] == 1.0


TINY_RUN = ["--batch-size", "1", "--size", "32", "--checkpoint-every", "1", "--log-every", "1", "--ablate",
            "perceptual", "--ema", "0.9", "--channels-last", "--quiet"]


def test_train_resume_goes_on_with_the_runs_own_settings(tmp_path, capsys):
    """`mmkit train --out RUN --resume --steps N`: the unset flags come from the run's checkpoint, not the defaults,
    and the run goes on exactly as an uninterrupted one; a flag given may switch the schedule (--no-channels-last)
    but not what is learned; a time limit is not carried over."""
    import torch

    from mmkit.checkpoints import load_checkpoint

    run, whole = str(tmp_path / "run"), str(tmp_path / "whole")
    assert main(["train", "--out", run, "--steps", "2", "--time-limit", "3600", *TINY_RUN]) == 0
    assert main(["train", "--out", whole, "--steps", "3", "--time-limit", "3600", *TINY_RUN]) == 0
    assert main(["train", "--out", run, "--resume", "--steps", "3", "--quiet"]) == 0
    state, other = (load_checkpoint(f"{r}/checkpoint.pt") for r in (run, whole))
    cfg = state["train_config"]
    assert (state["step"], cfg["batch_size"], cfg["data"]["size"], cfg["ema"]) == (3, 1, 32, 0.9)
    assert cfg["weights"]["perceptual"] == 0.0 and cfg["channels_last"] and cfg["time_limit"] == 0.0
    assert all(torch.equal(state["model"][k], other["model"][k]) for k in other["model"])
    assert main(["train", "--out", run, "--resume", "--steps", "4", "--no-channels-last", "--quiet"]) == 0
    assert load_checkpoint(f"{run}/checkpoint.pt")["train_config"]["channels_last"] is False
    capsys.readouterr()
    assert main(["train", "--out", run, "--resume", "--steps", "5", "--lr", "1e-3", "--quiet"]) == 2
    assert "another configuration" in capsys.readouterr().err


def test_train_branch_takes_the_parents_settings_and_an_inherited_ablation_is_not_overruled(tmp_path, capsys):
    from mmkit.checkpoints import load_checkpoint

    parent, proxy = str(tmp_path / "no_lm"), str(tmp_path / "proxy")
    assert main(["train", "--out", proxy, "--steps", "1", *TINY_RUN]) == 0
    assert main(["train", "--out", parent, "--stage", "student", "--steps", "2", *TINY_RUN, "--ablate", "perceptual",
                 "proxy"]) == 0
    # L_M on from the parent's step 2: only what changes is given (the ablation list, without proxy now)
    assert main(["train", "--out", str(tmp_path / "lm"), "--branch-from", parent, "--proxy", f"{proxy}/checkpoint.pt",
                 "--ablate", "perceptual", "--steps", "3", "--quiet"]) == 0
    cfg = load_checkpoint(tmp_path / "lm" / "checkpoint.pt")["train_config"]
    assert (cfg["stage"], cfg["batch_size"], cfg["weights"]["proxy"], cfg["weights"]["perceptual"]) == \
        ("student", 1, 1.0, 0.0)
    # a teacher given while the parent's ablation keeps L_M off would train without it: said, not done
    capsys.readouterr()
    assert main(["train", "--out", str(tmp_path / "silent"), "--branch-from", parent, "--proxy",
                 f"{proxy}/checkpoint.pt", "--steps", "3", "--quiet"]) == 2
    assert "--ablate" in capsys.readouterr().err and not (tmp_path / "silent").exists()


def test_train_shot_noise_max_reaches_the_saved_config_and_a_bad_value_is_a_clear_error(tmp_path, capsys):
    common = ["--steps", "1", "--batch-size", "1", "--size", "32", "--ablate", "perceptual", "--quiet"]
    assert main(["train", "--out", str(tmp_path / "loud"), "--shot-noise-max", "0.6", *common]) == 0
    assert json.loads((tmp_path / "loud" / "config.json").read_text())["data"]["shot_noise_max"] == 0.6
    assert main(["train", "--out", str(tmp_path / "bad"), "--shot-noise-max", "-1", *common]) == 2
    assert "shot_noise_max" in capsys.readouterr().err
    assert not (tmp_path / "bad" / "checkpoint.pt").exists()


def test_cache_command_builds_the_noise_level_it_is_given(tmp_path):
    from mmkit.data.cache import CachedPairs, main as cache_main
    from mmkit.data.pairs import DataConfig

    cache_main([str(tmp_path / "c"), "--pairs", "2", "--size", "32", "--workers", "1", "--shot-noise-max", "0.6"])
    assert CachedPairs(tmp_path / "c", DataConfig(size=32, shot_noise_max=0.6)).n == 2


def test_cache_command_refuses_a_negative_noise_range_before_writing_anything(tmp_path):
    from mmkit.data.cache import main as cache_main

    with pytest.raises(SystemExit, match="shot_noise_max.*>= 0"):
        cache_main([str(tmp_path / "c"), "--pairs", "2", "--size", "32", "--workers", "1", "--shot-noise-max", "-1"])
    assert not any(tmp_path.iterdir())


def test_snapshot_command_copies_a_committed_run_and_refuses_bad_input(tmp_path, capsys):
    from mmkit.checkpoints import load_checkpoint
    from mmkit.course import course_file

    run = course_file("light_proxy")        # a real run folder that ships with the package (the course's proxy)
    assert main(["snapshot", str(run), str(tmp_path / "copy")]) == 0
    assert load_checkpoint(tmp_path / "copy" / "checkpoint.pt")["step"] == 10899
    assert (tmp_path / "copy" / "loss_log.csv").read_text() == (run / "loss_log.csv").read_text()
    assert main(["snapshot", str(run), str(tmp_path / "copy")]) == 2
    assert "exists already" in capsys.readouterr().err
    assert main(["snapshot", str(tmp_path / "nothing.pt"), str(tmp_path / "x")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_train_flags_set_the_rate_schedule():
    from mmkit.cli import build_parser, train_config_from_flags

    args = build_parser().parse_args(["train", "--out", "unused", "--steps", "900", "--lr-decay", "300"])
    cfg = train_config_from_flags(args)
    assert (cfg.steps, cfg.lr_decay, cfg.lr) == (900, 300, 1e-4)
    assert train_config_from_flags(build_parser().parse_args(["train", "--out", "unused"])).lr_decay == 0
