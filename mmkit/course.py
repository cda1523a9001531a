"""The course notebooks' one set-up call, their settings, and the badges that open them on Binder and Colab.

Every lesson starts with ``S = setup()``: it picks the sizes and step counts (:class:`CourseSettings`), sets a
readable figure style, and stores each inline figure as the smaller of PNG and JPEG, so that a lesson full of
rendered textures stays small on GitHub. The quick run (CI, nbval) is switched on by the environment variable
``MMKIT_QUICK=1``; a learner gets the lesson settings by leaving it unset.

Examples:
    >>> settings(quick=True).train_steps < settings(quick=False).train_steps
    True
"""
from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import torch


@dataclass(frozen=True)
class CourseSettings:
    """The knobs of the course notebooks (quick values are for CI; lesson values for a class on a 2-core CPU)."""

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

#: Figure style of the lessons: 8 in wide, fonts of at least 9 pt (the course issue's readability rules).
FIGURE_STYLE = {
    "figure.figsize": (8.0, 3.6),
    "figure.dpi": 80,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "figure.titlesize": 11,
}


#: What the lessons read besides the shipped weights, installed with the kit (so that Colab and Binder need no
#: source checkout): the proxy model that teaches the lessons' students (a checkpoint of ``mmkit train``, its
#: optimiser state dropped, with its config and loss log) and the score files ``mmkit evaluate`` wrote for the
#: kit's trained networks.
COURSE_DATA = Path(__file__).resolve().parent / "course_data"


def course_file(name: str) -> Path:
    """A file of :data:`COURSE_DATA`, e.g. ``course_file("paired_lm.txt")`` or ``course_file("light_proxy")``."""
    from .errors import MMKitError

    path = COURSE_DATA / name
    if not path.exists():
        known = ", ".join(sorted(p.name for p in COURSE_DATA.iterdir()))
        raise MMKitError(f"the course has no file {name!r}; it has: {known}")
    return path


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


def figure_bytes(fig, fmt: str, jpeg_quality: int = 80) -> bytes:
    """``fig`` rendered as ``fmt`` ("png" or "jpeg") the way the inline backend does (tight bounding box)."""
    buf = io.BytesIO()
    kwargs = {"pil_kwargs": {"quality": jpeg_quality}} if fmt == "jpeg" else {}
    fig.savefig(buf, format=fmt, bbox_inches="tight", **kwargs)
    return buf.getvalue()


def smaller_format(fig, jpeg_quality: int = 80, png_margin: float = 1.5) -> tuple[str, bytes]:
    """The format a lesson stores ``fig`` in: PNG (sharp lines and text) unless JPEG is ``png_margin`` times
    smaller, as it is for rendered textures and noise, which hardly compress as PNG."""
    png = figure_bytes(fig, "png")
    jpeg = figure_bytes(fig, "jpeg", jpeg_quality)
    return ("jpeg", jpeg) if len(jpeg) * png_margin < len(png) else ("png", png)


def _register_figure_formatter(jpeg_quality: int) -> bool:
    """Make IPython show each matplotlib figure as PNG or JPEG, whichever :func:`smaller_format` picks."""
    try:
        from IPython import get_ipython
        from matplotlib.figure import Figure
    except ImportError:
        return False
    ip = get_ipython()
    if ip is None:
        return False
    if "ipykernel" in sys.modules:  # activate the inline backend now, so that it does not later re-register its PNG
        ip.run_line_magic("matplotlib", "inline")

    def as_png(fig):  # IPython asks for PNG before JPEG
        if not fig.axes:
            return None
        fmt, data = smaller_format(fig, jpeg_quality)
        fig._mmkit_jpeg = data if fmt == "jpeg" else None
        return data if fmt == "png" else None

    def as_jpeg(fig):
        data, fig._mmkit_jpeg = getattr(fig, "_mmkit_jpeg", None), None
        return data

    formatters = ip.display_formatter.formatters
    formatters["image/png"].for_type(Figure, as_png)
    formatters["image/jpeg"].for_type(Figure, as_jpeg)
    formatters["image/svg+xml"].pop(Figure, None)
    return True


def setup(quick: bool | None = None, jpeg_quality: int = 80) -> CourseSettings:
    """The first call of every lesson: returns the settings, sets the figure style (:data:`FIGURE_STYLE`) and
    stores each figure as the smaller of PNG and JPEG. Outside IPython only the style is set."""
    import matplotlib

    _register_figure_formatter(jpeg_quality)
    matplotlib.rcParams.update(FIGURE_STYLE)
    return settings(quick)


#: GitHub ``owner/name`` that the notebooks' Binder and Colab badges and the Colab install cell point at
#: (tests/test_course.py checks that every notebook agrees with it).
REPO = "mmkit/mmkit"


def badges(notebook: str) -> str:
    """The Binder and Colab badges (markdown) for ``notebooks/<notebook>.ipynb``."""
    binder = f"https://mybinder.org/v2/gh/{REPO}/HEAD?labpath=notebooks%2F{notebook}.ipynb"
    colab = f"https://colab.research.google.com/github/{REPO}/blob/main/notebooks/{notebook}.ipynb"
    return (f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder}) "
            f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab})")


#: What the first cell runs on Colab: pip installs the kit from GitHub and, with its default "only if needed"
#: strategy, only the requirements Colab lacks (imageio-ffmpeg); Colab's torch, numpy, matplotlib and ipywidgets
#: satisfy the kit's lower bounds, so they stay as they are (tests/test_installed_course.py checks the command).
COLAB_INSTALL = f'pip install -q --upgrade-strategy only-if-needed "mmkit @ git+https://github.com/{REPO}"'

#: The first code cell of every lesson: on Colab, the install above; everywhere, the one set-up call.
SETUP_CELL = f'''import sys
if "google.colab" in sys.modules:  # on Colab: install mmkit and what Colab lacks (a minute); keeps Colab's torch
    !{COLAB_INSTALL}
from mmkit.course import setup
S = setup()  # the lesson's sizes, and readable figures'''
