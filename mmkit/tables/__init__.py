"""The paper's Tables 1-4 and its temporal-slice figures, measured here, beside the paper's numbers.

Singh, Murala, Kosuru, "Lightweight Network for Video Motion Magnification" (WACV 2023):

* **Table 1** (size, cost, run time): :func:`table1` from :func:`mmkit.models.complexity` (parameters, and
  GFLOPs = 2 x MACs at 720 x 720) and :func:`time_forward` (one forward pass on this machine);
* **Table 2** (physical accuracy): :func:`rod_accuracy` magnifies the vibrating rod of
  :mod:`mmkit.data.benchmarks`, measures the rod's motion in the output (:func:`mmkit.measure.measure_vertical_motion`)
  and compares it with ``gain * rod_signal``, amplitude by amplitude (:func:`fit_sinusoids`); :func:`table2`;
* **Table 3** (circles benchmark): the networks on the two-frame pairs (:func:`score_network_pairs`, the
  protocol of :func:`mmkit.evaluate.score_circles`) and every method on the circles *videos*
  (:func:`score_video`; the classical methods need a clip for their temporal filters); :func:`table3`;
* **Table 4** (ablation): :func:`train_ablations` trains small runs with one loss term switched off each,
  :func:`score_models` scores them (and the committed runs of ``data/runs``); :func:`table4`; :func:`paired_runs`
  and :func:`plot_paired` set two runs side by side scene by scene, to tell a lead from the scenes' scatter;
* **Figures 1, 4, 5, 6** (temporal slices): :func:`slice_clips` runs the paper's methods on a sample clip of
  :mod:`mmkit.data.samples`, :func:`plot_slices` draws the slices (:func:`mmkit.plots.temporal_slice`).

One convention for every method: ``gain`` is the factor by which the *output* motion exceeds the input's (the
networks' alpha). The classical methods magnify by ``1 + alpha``, so they get ``alpha = gain - 1``: the paper's
"for different methods, to generate the same amount of output motion, their magnification factor is changed".
MSEs are in [0, 1] units squared, as everywhere in mmkit; the paper does not state its units.

Where each part lives: :mod:`.common` (the paper's numbers, :func:`label`, :class:`Table`, :func:`run_method`),
:mod:`.runtime` (Table 1), :mod:`.rod` (Table 2), :mod:`.circles` (Table 3), :mod:`.ablation` (Table 4, the
committed runs and paired scores), :mod:`.held_out` (the held-out-content benchmark's committed scores) and
:mod:`.slices` (the figures); every public name is importable from here.
"""

from __future__ import annotations

from .common import (ABLATION_PAPER_ROW, ABLATIONS, CIRCLES_BAND, CLASSICAL_METHODS, NETWORKS, PAPER_EPOCHS,
                     PAPER_METHODS, PAPER_PAIR_SIZE, PAPER_RUNTIME_MS, PAPER_TABLE2_MAE, PAPER_TABLE3_MSE,
                     PAPER_TABLE4_MSE, PAPER_WEIGHTS, ROD_BAND, Table, label, load_networks, run_method, training_table)
from ..models import PAPER_TABLE1   # notebook 06 reads the paper's Table 1 here
from .runtime import table1, time_forward, time_models
from .rod import RodResult, fit_sinusoids, plot_rod, rescaled_mae, rod_accuracy, table2
from .circles import CirclesResult, plot_circles, score_network_pairs, score_video, table3, video_mse
# RUNS_DIR is read where it is defined: to point the committed runs elsewhere, patch mmkit.tables.ablation.RUNS_DIR.
from .ablation import (RUNS_DIR, SHIPPED_LABELS, PairedLine, ablation_config, ablation_configs, committed_network,
                       committed_paired, committed_run, committed_scores, paired_runs, paired_table, plot_loss_logs,
                       plot_paired, plot_paired_by_noise, score_models, shipped_paired, shipped_scores, table4,
                       train_ablations)
from .held_out import HELD_OUT_SIZES, held_out_file, held_out_files, held_out_scores, held_out_table
from .slices import not_drawn, plot_slices, sample_clip, slice_clips, slice_line
