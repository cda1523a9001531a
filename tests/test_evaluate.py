"""Scoring on the circles benchmark: returning the input scores exactly the identity baseline."""
import pytest
import torch

from mmkit.data.benchmarks import CirclesConfig
from mmkit.evaluate import score_circles


class ReturnsInput(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, prev, cur, alpha):
        return cur


def test_returning_the_input_scores_the_identity_mse():
    s = score_circles(ReturnsInput(), CirclesConfig(n_scenes=2), noise=2.0)
    assert s.mse == pytest.approx(s.identity_mse, rel=1e-5)
    assert s.ratio == pytest.approx(1.0, rel=1e-5)
    assert s.identity_mse > 0
