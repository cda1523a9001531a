"""Interactive magnification: the expensive work once, then only the last stage on every slider move.

The course's notebook 04 puts sliders on a clip (alpha, method, mode, frame, slice row, pass band). Behind
them is a :class:`Magnifier`, a session on one clip that keeps what each method computes before alpha enters,
so that moving alpha only redoes what comes after it (the pattern of pyro's ``prior_predictive`` notebook: the
callback is a named library function, the expensive part is cached).

What is kept, and what each setting recomputes (``T`` frames; "frames shown" is the frame slider's frame, and
every frame for the spatio-temporal slice, which needs them all):

============================  ===================================  =======================  ======================
method                        kept (computed once per clip)        band change              alpha change
============================  ===================================  =======================  ======================
light, base, checkpoints      encoder outputs of every pair:       Butterworth/FIR band-    manipulator + decoder,
(Singh et al. 2023)           motion features ``E_b - E_a`` and    pass of the kept motion  frames shown
                              appearance features                  features (temporal mode)
oh2018 (Oh et al. 2018)       texture and shape of every frame,    (no temporal mode)       ``h`` + decoder,
                              ``g(M_b - M_a)`` of every pair                                frames shown
linear (Wu et al. 2012)       YIQ Laplacian pyramid                band-pass of each level, weighted sum of the
                                                                   expanded to full size    kept images, frames
                                                                                            shown
phase, acceleration, jerk,    complex steerable bands of the luma  temporal filter,         phase rotation of each
anisotropy (phase family)     and their phase change               smoothing, weights       band + collapse,
                                                                                            frames shown
riesz (Wadhwa et al. 2014)    Riesz pyramid of every frame, its    causal band-pass +       phase shift + collapse,
                              quaternionic phase and amplitude     amplitude-weighted blur  frames shown
other registered methods      nothing                              the whole method         the whole method
============================  ===================================  =======================  ======================

Which pairs the networks encode depends on the mode: ``dynamic`` pairs each frame with the previous one,
``static`` and ``temporal`` pair it with the reference frame, so switching between static and temporal encodes
nothing; the first switch to dynamic encodes its pairs once. Classical methods have their own temporal filter
and ignore the mode (as :func:`mmkit.magnify` does).

Every frame equals :func:`mmkit.magnify`'s for the same settings to within 1 level of 0..255 (the same
operations; batches of a different size and, for linear, the sum of the pyramid taken in a different order
change the float rounding only; ``tests/test_widgets.py`` checks each method). The networks magnify the motion
``alpha`` times, the classical methods ``1 + alpha`` times.

Where the parts are:

- :mod:`~mmkit.widgets.session`: :class:`Magnifier` (the settings, the cache of rendered frames, slices) and the
  checks of its settings;
- :mod:`~mmkit.widgets.backend`: what each method's cache (its back end) provides; the back ends themselves in
  :mod:`~mmkit.widgets.network_backends` (light, base, checkpoints, oh2018) and
  :mod:`~mmkit.widgets.classical_backends` (linear, the phase family, riesz, any other registered method);
- :mod:`~mmkit.widgets.figures`: static figures (slices side by side, :func:`motion_gain`, :func:`motion_trace`,
  :func:`plot_session`);
- :mod:`~mmkit.widgets.view`: the ipywidgets views, :class:`MagnifierWidget` (:func:`build_widget`) and
  :class:`Sliders` (:func:`sliders`).

Examples:
    >>> from mmkit.data.samples import VibrationClip
    >>> frames = VibrationClip(height=32, width=40, n_frames=8, radius=10).render()
    >>> mag = Magnifier(frames, fps=30.0, method="light", mode="static", alpha=20.0)
    >>> mag.frame(3).shape
    (32, 40, 3)
    >>> mag.stats["encoder_frames"], mag.stats["rendered_frames"]
    (8, 1)
    >>> mag.set_alpha(40.0); mag.slice(row=16).shape     # a new alpha: the decoder only
    (8, 40, 3)
    >>> mag.stats["encoder_frames"], mag.stats["rendered_frames"]
    (8, 9)
"""
from __future__ import annotations

from .figures import motion_gain, motion_trace, plot_session, slices_figure
from .session import METHODS, PREVIEW_MARGIN, RENDER_CACHE_SETTINGS, Magnifier, check_alpha, check_index, methods
from .view import (
    MagnifierWidget,
    Sliders,
    build_widget,
    frame_pair_image,
    opening_frame,
    slice_pair_image,
    sliders,
    widget_bundle,
)

__all__ = ["METHODS", "PREVIEW_MARGIN", "RENDER_CACHE_SETTINGS", "Magnifier", "MagnifierWidget", "Sliders",
           "build_widget", "check_alpha", "check_index", "frame_pair_image", "methods", "motion_gain", "motion_trace",
           "opening_frame", "plot_session", "slice_pair_image", "slices_figure", "sliders", "widget_bundle"]
