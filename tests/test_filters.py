"""Temporal band-pass filters: Butterworth and FIR designs against their defining properties."""
import numpy as np
import pytest
import torch

from mmkit.errors import MMKitError
from mmkit.filters import (StreamingFIR, StreamingIIR, butter_bandpass_sos, check_band, fir_bandpass_taps,
                           sos_response)


@pytest.mark.parametrize("order, low, high, fs", [(1, 1.0, 3.0, 30.0), (2, 0.8, 1.6, 30.0), (3, 5.0, 15.0, 240.0),
                                                  (4, 0.2, 0.6, 60.0)])
def test_butterworth_gains_at_centre_cutoffs_dc_and_nyquist(order, low, high, fs):
    sos = butter_bandpass_sos(order, low, high, fs)
    assert sos.shape == (order, 6)
    mag = lambda f: abs(sos_response(sos, f, fs))  # noqa: E731
    assert mag(low) == pytest.approx(1 / np.sqrt(2), abs=1e-6)
    assert mag(high) == pytest.approx(1 / np.sqrt(2), abs=1e-6)
    assert mag(1e-9) < 1e-6 and mag(fs / 2) < 1e-6
    f = np.linspace(0.001, fs / 2 - 0.001, 2000)
    assert np.abs(sos_response(sos, f, fs)).max() <= 1 + 1e-9       # Butterworth: maximally flat, no ripple
    assert all(abs(p) < 1 for sec in sos for p in np.roots(sec[3:]))  # stable


def test_butterworth_matches_scipy_when_installed():
    signal = pytest.importorskip("scipy.signal")
    ours = butter_bandpass_sos(3, 0.7, 2.5, 30.0)
    ref = signal.butter(3, [0.7, 2.5], btype="bandpass", fs=30.0, output="sos")
    f = np.linspace(0.01, 14.9, 500)
    np.testing.assert_allclose(np.abs(sos_response(ours, f, 30.0)), np.abs(signal.sosfreqz(ref, f, fs=30.0)[1]),
                               atol=1e-9)


def test_streaming_iir_filters_a_sinusoid_by_its_gain():
    fs, f0 = 30.0, 2.0
    sos = butter_bandpass_sos(2, 1.0, 3.0, fs)
    filt = StreamingIIR(sos)
    t = np.arange(600) / fs
    x = torch.tensor(np.sin(2 * np.pi * f0 * t))[:, None].repeat(1, 3)  # three identical "pixels"
    y = torch.stack([filt(v) for v in x])[300:, 0].numpy()              # after the transient
    assert np.abs(y).max() == pytest.approx(abs(sos_response(sos, f0, fs)), rel=0.01)


def test_primed_iir_gives_zero_for_a_constant_input():
    filt = StreamingIIR(butter_bandpass_sos(2, 1.0, 3.0, 30.0))
    x = torch.full((4,), 0.7, dtype=torch.float64)
    filt.prime(x)
    assert max(float(filt(x).abs().max()) for _ in range(20)) < 1e-12


def test_fir_passes_the_band_and_streams():
    fs = 30.0
    taps = fir_bandpass_taps(61, 1.0, 3.0, fs)
    h = lambda f: abs(np.sum(taps * np.exp(-2j * np.pi * f / fs * np.arange(61))))  # noqa: E731
    assert h(2.0) == pytest.approx(1.0, abs=0.02) and h(0.0) < 0.05 and h(10.0) < 0.05
    filt = StreamingFIR(taps)
    x = torch.tensor(np.sin(2 * np.pi * 2.0 * np.arange(200) / fs))
    y = torch.stack([filt(v) for v in x]).numpy()
    np.testing.assert_allclose(y, np.convolve(x.numpy(), taps)[:200], atol=1e-12)


@pytest.mark.parametrize("fs, low, high", [(30, 0, 3), (30, 3, 1), (30, 1, 15), (30, 1, 20), (0, 1, 2),
                                           (30, float("nan"), 2)])
def test_bands_outside_nyquist_are_clear_errors(fs, low, high):
    with pytest.raises(MMKitError, match="band|frame rate|finite"):
        check_band(fs, low, high)
