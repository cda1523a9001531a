"""Scoring on the circles benchmark: returning the input scores exactly the identity baseline."""
import pytest

from helpers import ReturnsInput
from mmkit.data.benchmarks import CirclesConfig
from mmkit.evaluate import score_circles


def test_returning_the_input_scores_the_identity_mse():
    s = score_circles(ReturnsInput(), CirclesConfig(n_scenes=2), noise=2.0)
    assert s.mse == pytest.approx(s.identity_mse, rel=1e-5)
    assert s.ratio == pytest.approx(1.0, rel=1e-5)
    assert s.identity_mse > 0


def test_paired_comparison_is_the_two_scores_and_the_scatter_of_their_per_scene_difference():
    import numpy as np
    import torch

    from mmkit.data.benchmarks import circles_pairs
    from mmkit.evaluate import compare_paired, scene_errors
    from mmkit.models import build_model

    cfg = CirclesConfig(n_scenes=4)
    torch.manual_seed(0)
    net = build_model("light")
    c = compare_paired(net, ReturnsInput(), cfg, noise=5.0)
    alone = score_circles(net, cfg, noise=5.0)
    assert c.a.mse == pytest.approx(alone.mse) and c.b.ratio == pytest.approx(1.0, rel=1e-5)
    d = scene_errors(net, list(circles_pairs(cfg, 5.0))) - np.array(
        [float(np.mean((p["cur"] - p["target"]) ** 2)) for p in circles_pairs(cfg, 5.0)])
    assert c.ratio_diff == pytest.approx(d.mean() / c.a.identity_mse)
    assert c.ratio_stderr == pytest.approx(d.std(ddof=1) / 2 / c.a.identity_mse) and c.ratio_stderr > 0
    assert c.a_better == int((d < 0).sum()) and c.n == 4
    same = compare_paired(ReturnsInput(), ReturnsInput(), cfg, noise=5.0)
    assert same.ratio_diff == 0 and same.ratio_stderr == 0 and same.a_better == 0


def test_run_pairs_average_the_pairs_differences_and_take_their_scatter_between_pairs():
    import numpy as np

    from mmkit.evaluate import CirclesScore, PairedScore, across_pairs

    def pair(a_mse: float, b_mse: float, noise: float = 5.0) -> PairedScore:
        return PairedScore(noise, CirclesScore(noise, a_mse, 2.0), CirclesScore(noise, b_mse, 2.0), (a_mse - b_mse,))

    s = across_pairs([pair(1.0, 1.2), pair(1.1, 1.0), pair(0.8, 1.0)])
    d = np.array([-0.1, 0.05, -0.1])   # ratio differences: MSE differences over the input's 2.0
    assert s.n == 3 and s.noise == 5.0 and s.a_better == 2
    assert s.mean_ratio_diff == pytest.approx(d.mean())
    assert s.ratio_stderr == pytest.approx(d.std(ddof=1) / np.sqrt(3))
    assert np.isnan(across_pairs([pair(1.0, 1.2)]).ratio_stderr)
    with pytest.raises(ValueError, match="different noise levels"):
        across_pairs([pair(1.0, 1.2), pair(1.0, 1.2, noise=2.0)])
    with pytest.raises(ValueError, match="at least one"):
        across_pairs([])
