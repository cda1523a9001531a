"""The shared setting checks: what they accept and what their refusals say."""
import math

import numpy as np
import pytest

from mmkit.checks import check_choice, check_flag, check_int, check_number
from mmkit.classical import JerkConfig, PhaseConfig
from mmkit.errors import MMKitError


def test_numbers_accept_numpy_scalars_and_refuse_bools_and_non_finite():
    check_number("x", np.float32(2.5))
    check_number("x", np.int64(0))
    for bad in (True, math.nan, math.inf, "1", None):
        with pytest.raises(MMKitError, match=r"x must be a finite number >= 0, got"):
            check_number("x", bad)
    with pytest.raises(MMKitError, match=r"x must be a finite number > 0, got 0"):
        check_number("x", 0, strict=True)
    check_number("x", None, optional=True)
    with pytest.raises(MMKitError, match=r"> 1 or None, got -2"):
        check_number("x", -2, 1, strict=True, optional=True)


def test_ints_ranges_evenness_and_why():
    check_int("n", np.int32(4), 2, 16, even=True)
    check_int("n", None, 2, optional=True)
    for bad in (1, 17, 4.0, True, np.bool_(True)):
        with pytest.raises(MMKitError, match=r"^n must be an int from 2 to 16 \(why\), got"):
            check_int("n", bad, 2, 16, why=" (why)")
    with pytest.raises(MMKitError, match=r"must be None or an even int >= 2, got 3"):
        check_int("n", 3, 2, even=True, optional=True)


def test_choices_and_flags():
    check_choice("c", "a", {"a", "b"})
    with pytest.raises(MMKitError, match=r"c must be one of"):
        check_choice("c", ["unhashable"], {"a", "b"})
    check_flag("f", np.bool_(False))
    with pytest.raises(MMKitError, match="f must be True or False, got 'no'"):
        check_flag("f", "no")


def test_configs_name_their_class_and_field():
    with pytest.raises(MMKitError, match=r"^JerkConfig.propagation must be an int from 1 to 16 \(N_p"):
        JerkConfig(propagation=0)
    with pytest.raises(MMKitError, match=r"^JerkConfig.sigma must be a finite number >= 0"):
        JerkConfig(sigma=-1.0)
    assert PhaseConfig(orientations=np.int64(6)).orientations == 6  # numpy ints are ints
