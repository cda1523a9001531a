"""Settings the course notebooks read, in one place: a quick run on CI, the full run for a learner.

Every notebook starts with ``S = settings()`` and takes its sizes and step counts from ``S``. The quick run
is switched on by the environment variable ``MMKIT_QUICK=1`` (the test suite sets it, so nbval runs each
notebook in well under two minutes on a 2-core CPU); a learner turns the knobs up by leaving it unset, or
with ``dataclasses.replace(settings(), train_steps=2000)``.

Examples:
    >>> settings(quick=True).train_steps < settings(quick=False).train_steps
    True
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class CourseSettings:
    """The knobs of the course notebooks (quick values are for CI; full values for a 10-20 minute lesson)."""

    quick: bool
    train_steps: int        # steps of each training run in 02_proxy_model_training
    train_size: int         # training pair size, px
    batch_size: int
    clip_frames: int        # frames of the synthetic clips the notebooks magnify
    frame_size: int         # their height = width, px
    eval_scenes: int        # circles-benchmark scenes in the tables
    timing_repeats: int     # repeats of the run-time measurements (Table 1)
    paired_scenes: int      # circles scenes when two committed runs are compared scene by scene (Table 4)


QUICK = CourseSettings(quick=True, train_steps=30, train_size=48, batch_size=4, clip_frames=24, frame_size=96,
                       eval_scenes=3, timing_repeats=1, paired_scenes=30)
FULL = CourseSettings(quick=False, train_steps=600, train_size=96, batch_size=8, clip_frames=96, frame_size=160,
                      eval_scenes=25, timing_repeats=3, paired_scenes=250)


def is_quick() -> bool:
    """True when ``MMKIT_QUICK`` is set to something other than 0/false/no (CI, nbval)."""
    return os.environ.get("MMKIT_QUICK", "").strip().lower() not in ("", "0", "false", "no")


def settings(quick: bool | None = None) -> CourseSettings:
    """The course settings: :data:`QUICK` under ``MMKIT_QUICK=1`` (or ``quick=True``), else :data:`FULL`."""
    return QUICK if (is_quick() if quick is None else quick) else FULL


def where() -> str:
    """One line on where the notebook runs: Colab or not, and the GPU if there is one."""
    place = "Colab" if "google.colab" in sys.modules else "local/Binder"
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU (CPU only; everything still runs)"
    mode = "quick run (MMKIT_QUICK=1)" if is_quick() else "full run"
    return f"mmkit on {place}, {gpu}, torch {torch.__version__}, {mode}"


#: GitHub ``owner/name`` that the notebooks' Binder and Colab badges and the Colab install cell point at
#: (tests/test_notebooks.py checks that every notebook agrees with it).
REPO = "mmkit/mmkit"


def badges(notebook: str) -> str:
    """The Binder and Colab badges (markdown) for ``notebooks/<notebook>.ipynb``."""
    binder = f"https://mybinder.org/v2/gh/{REPO}/HEAD?labpath=notebooks%2F{notebook}.ipynb"
    colab = f"https://colab.research.google.com/github/{REPO}/blob/main/notebooks/{notebook}.ipynb"
    return (f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder}) "
            f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab})")


#: The first code cell of every notebook: on Colab install the kit (Binder and local installs have it).
SETUP_CELL = f'''import sys
if "google.colab" in sys.modules:  # Colab: install mmkit from GitHub (a minute; torch is already there)
    !pip -q install "mmkit @ git+https://github.com/{REPO}"'''
