"""Property-based tests (hypothesis): random shapes, dtypes and values fed to the array entry points.

Whatever the array, each entry point either does its job (the right shape and dtype back) or raises
:class:`mmkit.errors.MMKitError`; never a bare exception from inside numpy, torch or ffmpeg, and never a hang
(every example is small). ``derandomize`` makes the examples the same on every run, so CI is repeatable.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mmkit
from mmkit.errors import MMKitError
from mmkit.video_io import read_video, write_video
from mmkit.widgets import Magnifier

DTYPES = st.sampled_from([np.uint8, np.int16, np.int64, np.float32, np.float64, np.bool_, np.complex64])
SETTINGS = settings(max_examples=50, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@st.composite
def arrays(draw, min_dims: int = 1, max_dims: int = 5, max_side: int = 24) -> np.ndarray:
    """Any array: 1-5 dims, sides 0-24 (last dim often 3), any of several dtypes, NaN and inf included."""
    ndim = draw(st.integers(min_dims, max_dims))
    shape = list(draw(st.lists(st.integers(0, max_side), min_size=ndim, max_size=ndim)))
    if ndim >= 3 and draw(st.booleans()):
        shape[-1] = 3
    dtype = np.dtype(draw(DTYPES))
    elements = None
    if dtype.kind == "f":
        width = dtype.itemsize * 8
        elements = st.one_of(st.floats(-2.0, 300.0, width=width), st.sampled_from([np.nan, np.inf, -np.inf]))
    return draw(hnp.arrays(dtype, tuple(shape), elements=elements, fill=elements))


@st.composite
def clips(draw, min_side: int = 1) -> np.ndarray:
    """Mostly well-formed (T, H, W, 3) clips with random sizes and contents, some of them bad."""
    t, h, w = draw(st.integers(0, 8)), draw(st.integers(min_side, 40)), draw(st.integers(min_side, 40))
    dtype = np.dtype(draw(st.sampled_from([np.uint8, np.uint8, np.uint8, np.float32])))
    return draw(hnp.arrays(dtype, (t, h, w, 3)))


GOOD_ALPHAS = st.floats(0.0, 100.0)
ALPHAS = st.one_of(GOOD_ALPHAS, GOOD_ALPHAS, GOOD_ALPHAS, st.floats(allow_nan=True, allow_infinity=True),
                   st.integers(-5, 2000), st.just(True), st.none(), st.text(max_size=3))


def _ok_or_clear(call) -> object:
    try:
        return call()
    except MMKitError as err:
        assert str(err), "an MMKitError must say what is wrong"
        return None


@pytest.mark.parametrize("method", ["light", "linear", "riesz"])
@SETTINGS
@given(source=st.one_of(arrays(), clips(), clips(min_side=13)), alpha=ALPHAS)
def test_magnify_returns_frames_or_a_clear_error(method, source, alpha):
    out = _ok_or_clear(lambda: mmkit.magnify(source, alpha, method=method, fps=30.0, low_hz=2.0, high_hz=6.0))
    if out is not None:
        assert isinstance(out, np.ndarray) and out.dtype == np.uint8 and out.shape == source.shape


@SETTINGS
@given(frames=st.one_of(arrays(), clips()), fps=st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                                                           st.sampled_from([30.0, 24.0, 1.0])))
def test_writing_an_array_keeps_it_or_is_a_clear_error(tmp_path_factory, frames, fps):
    path = tmp_path_factory.mktemp("w") / "clip.npz"
    written = _ok_or_clear(lambda: write_video(path, frames, fps))
    if written is not None:
        back, rate = read_video(written)
        assert back.dtype == np.uint8 and len(back) == len(frames) and rate == pytest.approx(fps)
    else:
        assert not path.exists()


@SETTINGS
@given(frames=st.one_of(arrays(max_side=16), clips()), method=st.sampled_from(["light", "linear"]))
def test_the_widget_session_accepts_a_clip_or_says_why_not(frames, method):
    def session():
        mag = Magnifier(frames, 30.0, method=method, alpha=5.0, low_hz=2.0, high_hz=6.0)
        return mag.frame(0)

    frame = _ok_or_clear(session)
    if frame is not None:
        assert frame.dtype == np.uint8 and frame.shape == frames.shape[1:]
