"""Where the noise reaches the output (mmkit.noise_paths): the mixtures are the benchmark's own outputs where
they should be, a network is its own exact teacher, and bad input is refused before any work."""
from dataclasses import replace

import numpy as np
import pytest
import torch

from mmkit.cli import main
from mmkit.course import course_file
from mmkit.data.benchmarks import CirclesConfig, circles_pair
from mmkit.errors import MMKitError
from mmkit.evaluate import score_circles
from mmkit.features import feature_noise_parts, feature_noise_ratio
from mmkit.models import build_model
from mmkit.noise_paths import NoisePaths, noise_paths, paths_table
from mmkit.pretrained import load_pretrained

PROXY = course_file("light_proxy") / "checkpoint.pt"     # the course's copy of data/runs/light_proxy's weights


def test_all_noisy_and_all_clean_are_the_benchmarks_outputs_at_the_noise_and_at_noise_0():
    torch.manual_seed(0)
    net, cfg = build_model("light"), CirclesConfig(n_scenes=2)
    r = noise_paths(net, cfg, noise=5.0)
    noisy, clean = score_circles(net, cfg, noise=5.0), score_circles(net, cfg, noise=0.0)
    assert r.noisy == pytest.approx(noisy.mse, rel=1e-6) and r.clean == pytest.approx(clean.mse, rel=1e-6)
    assert r.identity == pytest.approx(noisy.identity_mse)
    assert r.teacher_motion is None
    pairs = [circles_pair(cfg, k, 5.0) for k in range(2)]
    assert r.motion_noise == pytest.approx(np.mean([feature_noise_ratio(net, p) for p in pairs])) and r.motion_noise > 0
    assert [r.noise_rms, r.signal_rms] == pytest.approx(np.mean([feature_noise_parts(net, p) for p in pairs], axis=0))


def test_a_share_of_a_cost_of_next_to_nothing_is_not_given():
    r = NoisePaths(5.0, 1, identity=0.02, noisy=0.01001, clean=0.01, clean_motion=0.0, clean_appearance=0.01,
                   teacher_motion=None, motion_noise=1.0, noise_rms=0.01, signal_rms=0.01)
    assert np.isnan(r.share(r.clean_motion))
    assert replace(r, noisy=0.0102).share(0.01) == pytest.approx(1.0)


def test_a_network_is_its_own_exact_teacher():
    net, cfg = load_pretrained("light_paper"), CirclesConfig(n_scenes=2)
    r = noise_paths(net, cfg, noise=5.0, teacher=net)
    assert r.teacher_motion == pytest.approx(r.clean_motion, rel=1e-5)


def test_in_the_shipped_light_network_the_noise_reaches_the_output_through_d():
    """docs/findings.md's finding 6, on 3 scenes: a clean D removes nearly all of the noise's cost, a clean appearance
    next to nothing."""
    r = noise_paths(load_pretrained("light_paper"), CirclesConfig(n_scenes=3), noise=5.0)
    assert r.cost > 0 and r.share(r.clean) == pytest.approx(1.0) and r.share(r.noisy) == 0
    assert r.share(r.clean_motion) > 0.9 and abs(r.share(r.clean_appearance)) < 0.1


def test_paths_table_gives_each_network_its_shares_and_the_noise_in_d():
    r = NoisePaths(5.0, 25, identity=0.02, noisy=0.012, clean=0.007, clean_motion=0.00705, clean_appearance=0.0119,
                   teacher_motion=None, motion_noise=2.1, noise_rms=0.0293, signal_rms=0.0141)
    t = paths_table({"student": replace(r, teacher_motion=0.00703), "no teacher": r,
                     "nothing to share": replace(r, noisy=0.00701)})
    assert t.value("student", "clean D removes") == pytest.approx(0.99)
    assert t.value("student", "teacher's D* removes") == pytest.approx(0.994)
    assert t.value("no teacher", "teacher's D* removes") is None          # shown as '-'
    assert t.value("nothing to share", "clean appearance removes") is None        # a share of next to nothing
    assert "25 circles scenes" in t.title
    assert "| student | 0.99 | 0.02 | 0.99 | 0.0293 | 0.0141 | 2.10 |" in t.to_markdown()


def test_networks_without_a_d_and_noise_0_are_refused():
    cfg = CirclesConfig(n_scenes=1)
    with pytest.raises(MMKitError, match="Oh2018Net"):
        noise_paths(build_model("oh2018"), cfg, noise=5.0)
    with pytest.raises(MMKitError, match="above 0"):
        noise_paths(build_model("light"), cfg, noise=0.0)


def test_mmkit_evaluate_noise_paths_prints_a_row_per_model_and_noise(capsys):
    assert main(["evaluate", "--content", "seen", "--noise-paths", "--scenes", "1", "--noise", "5", "--pretrained",
                 "light_paper", "--teacher", str(PROXY)]) == 0
    out = capsys.readouterr().out
    (row,) = [line.split() for line in out.splitlines() if line.startswith("light_paper ")]
    from mmkit.checkpoints import model_from_checkpoint
    r = noise_paths(load_pretrained("light_paper"), CirclesConfig(n_scenes=1), 5.0, model_from_checkpoint(PROXY))
    assert [float(x) for x in row[1:]] == pytest.approx(
        [5, *(1e3 * m for m in (r.noisy, r.clean, r.clean_motion, r.clean_appearance, r.teacher_motion)),
         r.share(r.clean_motion), r.share(r.clean_appearance), r.share(r.teacher_motion), r.noise_rms, r.signal_rms,
         r.motion_noise],
        abs=6e-4)
    for bad, says in ((["--teacher", str(PROXY), "--pretrained", "light"], "--noise-paths"),
                      (["--noise-paths"], "needs models"),
                      (["--noise-paths", "--pretrained", "oh2018"], "Oh2018Net"),
                      (["--noise-paths", "--noise", "0", "--pretrained", "light"], "above 0")):
        assert main(["evaluate", "--scenes", "1", *bad]) == 2
        assert says in capsys.readouterr().err
