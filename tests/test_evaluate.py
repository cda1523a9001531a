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
