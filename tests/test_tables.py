"""mmkit.tables: the paper's tables measured here. Checked against known answers: the model counts, the committed
evaluation record, exact rod signals, and a network that returns its input."""
from dataclasses import replace

import matplotlib
import numpy as np
import pytest
import torch

from helpers import ReturnsInput
from mmkit import tables as T
from mmkit.course import course_file
from mmkit.data.benchmarks import CirclesConfig, RodConfig, circles_video, rod_signal
from mmkit.errors import MMKitError
from mmkit.losses import LossWeights
from mmkit.pretrained import info, load_pretrained
from mmkit.train import TrainConfig

matplotlib.use("Agg")

ROD = RodConfig(n_frames=24, width=96)


@pytest.fixture(scope="module")
def light():
    return T.load_networks(["light"])


# ---- Table ----------------------------------------------------------------------------------------------

def test_table_shows_numbers_and_finds_values():
    t = T.Table("t", ("name", "n", "x", "paper"), (("a", 1234, 0.5, None), ("b", 7, 123.456, 2.5)),
                formats=(("paper", "g"),))
    md = t.to_markdown()
    assert "| a | 1,234 | 0.500 | - |" in md and "| b | 7 | 123.5 | 2.5 |" in md
    assert t.value("b", "x") == 123.456 and t._repr_markdown_() == md
    assert str(t).splitlines()[1].split() == ["name", "n", "x", "paper"]
    with pytest.raises(KeyError):
        t.value("c", "x")


def test_labels_name_the_source():
    assert T.label("base") == "base (M1)"
    assert T.label("acceleration") == "acceleration (Zhang et al., CVPR 2017)"
    assert T.label("something") == "something"


# ---- Table 1 --------------------------------------------------------------------------------------------

def test_table1_counts_the_models_beside_the_paper():
    t = T.table1()
    assert t.value("light (M2)", "params") == 112_318
    assert t.value("base (M1)", "params") == 1_000_110
    assert t.value("oh2018 (Oh et al. 2018)", "params") == 879_843
    assert t.value("light (M2)", "GFLOPs") == pytest.approx(36.29, abs=0.01)
    assert t.value("base (M1)", "GFLOPs") / t.value("light (M2)", "GFLOPs") == pytest.approx(8.85, abs=0.01)
    # Oh et al.'s network matches the paper within 1 %; ours are 0.86 x it, both by the same factor
    assert t.value("oh2018 (Oh et al. 2018)", "ours / paper GFLOPs") == pytest.approx(1.0, abs=0.011)
    for name in ("light (M2)", "base (M1)"):
        assert t.value(name, "ours / paper GFLOPs") == pytest.approx(0.855, abs=0.002)
    assert t.value("light (M2)", "paper GFLOPs") == 42.4 and t.value("base (M1)", "paper params") == 1_100_000
    # parameters come out 6-10 % below the paper's, unlike GFLOPs not by one factor
    assert t.value("light (M2)", "ours / paper params") == pytest.approx(112_318 / 120_000)
    assert 0.89 < t.value("oh2018 (Oh et al. 2018)", "ours / paper params") < 0.9
    assert "paper ms (RTX 2080)" not in t.columns


def test_run_times_are_measured_and_tabled():
    ms = T.time_models(T.load_networks(["light"]), 48, 48, repeats=2)
    assert set(ms) == {"light"} and 0 < ms["light"] < 10_000
    t = T.table1(ms, names=("light",), where="test")
    assert t.value("light (M2)", "ms per frame, test") == ms["light"]
    assert t.value("light (M2)", "paper ms (RTX 2080)") == 38.0
    with pytest.raises(MMKitError, match="repeats"):
        T.time_forward(ReturnsInput(), 8, 8, repeats=0)


# ---- Table 3 --------------------------------------------------------------------------------------------

def test_network_pairs_reproduce_the_committed_evaluation(light):
    """The row of light_student (= the shipped light) at noise 0 in data/runs/evaluation.txt (`mmkit evaluate`
    on all 25 scenes): the table's scoring of network pairs gives the same MSE, input MSE and ratio."""
    rows = [line.split() for line in (T.RUNS_DIR / "evaluation.txt").read_text().splitlines()]
    mse, identity, ratio = next(map(float, r[2:5]) for r in rows
                                if r[:2] == ["data/runs/light_student/checkpoint.pt", "0"])
    (r,) = T.score_network_pairs(light, 25, noises=(0.0,))
    assert (r.method, r.form, r.scenes) == ("light", "pairs", 25)
    assert 1e3 * r.identity_mse == pytest.approx(identity, abs=0.001)
    assert 1e3 * r.mse == pytest.approx(mse, abs=0.01)
    assert r.ratio == pytest.approx(ratio, abs=0.002)


def test_committed_scores_read_the_evaluation_file(tmp_path):
    scores = T.committed_scores({"all terms": "light_student", "no L_M": "light_no_lm"})
    rows = [line.split() for line in (T.RUNS_DIR / "evaluation.txt").read_text().splitlines()]
    for name, run in (("all terms", "light_student"), ("no L_M", "light_no_lm")):
        assert [r.noise for r in scores[name]] == [0.0, 2.0, 5.0] and {r.scenes for r in scores[name]} == {25}
        for r in scores[name]:
            (row,) = [x for x in rows if x[:2] == [f"data/runs/{run}/checkpoint.pt", f"{r.noise:g}"]]
            assert 1e3 * r.mse == float(row[2]) and r.ratio == pytest.approx(float(row[4]), abs=6e-4)
    table = T.table4(scores, "t")
    assert table.value("no L_M", "paper MSE (base M1)") == T.PAPER_TABLE4_MSE["no L_M"]
    with pytest.raises(MMKitError, match="no scores of"):
        T.committed_scores({"x": "no_such_run"})
    (tmp_path / "e.txt").write_text("something else\n")
    with pytest.raises(MMKitError, match="does not start like"):
        T.committed_scores({"x": "light_student"}, tmp_path / "e.txt")
    with pytest.raises(MMKitError, match="not here"):
        T.committed_scores({"x": "light_student"}, tmp_path / "missing.txt")


def test_shipped_scores_and_paired_use_the_lessons_labels_and_the_package_files(tmp_path):
    from mmkit.course import course_file

    scores = T.shipped_scores()
    assert list(scores) == ["with L_M", "without L_M", "proxy (clean inputs)"]
    rows = [line.split() for line in course_file("evaluation.txt").read_text().splitlines()]
    for label, run in (("with L_M", "light_student"), ("without L_M", "light_no_lm_long"),
                       ("proxy (clean inputs)", "light_proxy")):
        assert [r.noise for r in scores[label]] == [0.0, 2.0, 5.0]
        (row,) = [x for x in rows if x[:2] == [f"data/runs/{run}/checkpoint.pt", "5"]]
        assert scores[label][2].ratio == pytest.approx(float(row[4]), abs=6e-4)
    t = T.table4(scores, "shipped")                              # the plain labels find the paper's rows
    assert [t.value(k, "paper MSE (base M1)") for k in scores] == [23.07, 27.85, None]
    lines = T.shipped_paired()
    assert [ln.noise for ln in lines] == [0.0, 2.0, 5.0]
    assert {(ln.first, ln.second, ln.scenes) for ln in lines} == {("with L_M", "without L_M", 250)}
    assert all(ln.ratio_first > ln.ratio_second for ln in lines)        # as the file says: L_M behind
    (tmp_path / "p.txt").write_text(course_file("paired_lm.txt").read_text().replace("light_no_lm_long", "x"))
    with pytest.raises(MMKitError, match="no paired scores of light_student"):
        T.shipped_paired(tmp_path / "p.txt")


def test_video_score_of_returning_the_input_is_the_baseline():
    cfg = replace(CirclesConfig(), n_frames=4)
    r = T.score_video("same", 2, 2.0, cfg, nets={"same": ReturnsInput()})
    assert r.form == "videos" and r.scenes == 2
    assert r.mse == pytest.approx(r.identity_mse, rel=1e-12) and r.ratio == pytest.approx(1.0)
    frames, truth, _ = circles_video(cfg, 0, 2.0)
    assert T.video_mse(frames, truth) > 0.01          # the missing 10 px lead
    assert T.video_mse(truth, truth) == 0.0
    with pytest.raises(MMKitError, match="shape"):
        T.video_mse(frames[:2], truth)


def test_light_scores_the_same_on_videos_and_pairs(light):
    """A dynamic-mode video is a chain of pairs: the two forms agree (notebook 06's bridge row)."""
    cfg = replace(CirclesConfig(), n_frames=5)
    video = T.score_video("light", 2, 0.0, cfg, nets=light)
    (pairs,) = T.score_network_pairs(light, 2, noises=(0.0,))
    assert video.ratio < 0.9 and pairs.ratio < 0.9
    assert video.ratio == pytest.approx(pairs.ratio, abs=0.03)


@pytest.mark.parametrize("method", ["linear", "phase", "acceleration", "jerk", "anisotropy"])
def test_classical_methods_cannot_run_on_two_frame_pairs(method):
    frames, _, fps = circles_video(replace(CirclesConfig(), n_frames=2), 0, 0.0)
    with pytest.raises(MMKitError):
        T.run_method(method, frames, 100.0, fps)


def test_run_method_refuses_unknown_methods():
    with pytest.raises(MMKitError, match="unknown method"):
        T.run_method("nope", np.zeros((2, 8, 8, 3), np.uint8), 10.0, 30.0)


def test_table3_rows_baselines_and_paper_column():
    rs = [T.CirclesResult(m, f, n, mse, 0.02, 3) for m, f, mse in
          (("light", "pairs", 0.01), ("linear", "videos", 0.03)) for n in (0.0, 2.0, 5.0)]
    t = T.table3(rs)
    assert [r[0] for r in t.rows] == ["input unchanged (pairs)", "light (M2)", "input unchanged (videos)",
                                      "linear (Wu et al., SIGGRAPH 2012)"]
    assert t.value("input unchanged (pairs)", "MSE, noise 2") == pytest.approx(20.0)
    assert t.value("light (M2)", "ratio, noise 5") == pytest.approx(0.5)
    assert t.value("light (M2)", "paper MSE") == 27.8
    assert t.value("linear (Wu et al., SIGGRAPH 2012)", "paper MSE") is None      # not in the paper
    assert t.title.endswith("pairs: 3 scenes, videos: 3 scenes")
    assert T.table3(rs[:3]).title.endswith("pairs: 3 scenes")


# ---- Table 2 --------------------------------------------------------------------------------------------

def test_fit_sinusoids_and_rescaled_mae_on_known_signals():
    s = rod_signal(ROD)
    np.testing.assert_allclose(T.fit_sinusoids(s, ROD.fps, ROD.frequencies_hz), ROD.amplitudes_px, atol=1e-12)
    assert T.rescaled_mae(0.05 * s + 3, s) < 1e-12    # shape only: the gain and offset are invisible to it
    assert T.rescaled_mae(-s, s) > 0.2
    assert T.rescaled_mae(np.zeros(5), np.arange(5.0)) == pytest.approx(0.5)


def test_rod_truth_is_exact_and_the_input_is_one_gain_short():
    truth = T.rod_accuracy("truth", ROD, 20.0)
    np.testing.assert_allclose(truth.amplitude_ratio, 1.0, atol=0.005)
    assert truth.mae_px < 0.005 and truth.rescaled_mae < 0.005
    np.testing.assert_allclose(truth.true_amplitudes, 20 * np.array(ROD.amplitudes_px))
    inp = T.rod_accuracy("input", ROD, 20.0)
    np.testing.assert_allclose(inp.amplitude_ratio, 1 / 20, atol=0.001)
    assert inp.mae_px > 0.9                           # most of the magnified motion is missing ...
    assert inp.rescaled_mae < 0.01                    # ... which the paper's metric cannot see
    t = T.table2([inp, truth])
    assert t.value("truth (exact magnified clip)", "amplitude x, 45 Hz") == pytest.approx(1.0, abs=0.005)
    assert t.value("input (not magnified)", "paper rescaled MAE") is None


def test_phase_method_magnifies_the_rod_uniformly_across_its_band():
    r = T.rod_accuracy("phase", ROD, 20.0)
    assert np.all((r.amplitude_ratio > 0.6) & (r.amplitude_ratio < 0.85)), r.amplitude_ratio  # measured 0.71-0.73
    assert np.ptp(r.amplitude_ratio) < 0.05
    assert T.table2([r]).value("phase (Wadhwa et al., SIGGRAPH 2013)", "paper rescaled MAE") is None


def test_acceleration_is_tuned_to_the_centre_of_its_band():
    r = T.rod_accuracy("acceleration", ROD, 20.0)
    a20, a45, a70 = r.amplitude_ratio                 # measured 0.33, 0.67, 0.49
    assert a45 > a70 > a20 and a45 > 0.5
    assert T.table2([r]).value("acceleration (Zhang et al., CVPR 2017)", "paper rescaled MAE") == 0.146


# ---- Table 4 --------------------------------------------------------------------------------------------

def test_ablation_configs_switch_off_one_term_each():
    base = TrainConfig(stage="student", proxy_checkpoint="proxy.pt", weights=LossWeights(perceptual=0.0))
    cfgs = T.ablation_configs(base)
    assert list(cfgs) == ["all terms", "no L_M", "no L_A", "no L_edge"]
    assert cfgs["all terms"] == base
    assert cfgs["no L_M"].weights == LossWeights(perceptual=0.0, proxy=0.0)
    assert cfgs["no L_A"].weights.appearance == 0 and cfgs["no L_A"].weights.proxy == 1.0
    assert cfgs["no L_edge"].weights.edge == 0 and cfgs["no L_edge"].steps == base.steps


def test_train_ablations_and_table4(tmp_path):
    from mmkit.data.pairs import DataConfig

    proxy = str(course_file("light_proxy") / "checkpoint.pt")
    base = TrainConfig(model="light", stage="student", proxy_checkpoint=proxy, steps=2, batch_size=1,
                       data=DataConfig(size=32), weights=LossWeights(perceptual=0.0), checkpoint_every=2, device="cpu")
    models = T.train_ablations(base, tmp_path, {"all terms": {}, "no L_M": {"proxy": 0.0}})
    assert list(models) == ["all terms", "no L_M"] and not models["no L_M"].training
    assert (tmp_path / "run1" / "checkpoint.pt").exists()
    scores = T.score_models(models, 1, noises=(0.0,))
    t = T.table4(scores, "fresh")
    assert t.value("no L_M", "paper MSE (base M1)") == 27.85
    assert t.value("all terms", "MSE, noise 0") == pytest.approx(1e3 * scores["all terms"][0].mse)
    assert "input unchanged:" in t.note


def test_committed_runs_are_found_or_refused(tmp_path, monkeypatch):
    """data/runs keeps the runs' records; a checkpoint restored from git history is found, a missing one is refused
    with the command that restores it, and the runs whose networks ship are loaded from the package."""
    import shutil

    with pytest.raises(MMKitError, match="git checkout a811fe1 -- data/runs/light_no_lm/checkpoint.pt"):
        T.committed_run("light_no_lm")
    with pytest.raises(MMKitError, match="git checkout a811fe1"):
        T.committed_network("no_such_run")
    shipped = T.committed_network("light_no_lm_long")                  # mmkit/weights/light_no_lm.json's run
    for key, value in load_pretrained("light_no_lm").state_dict().items():
        assert torch.equal(shipped.state_dict()[key], value), key
    course = T.committed_network("light_proxy")                         # the course's copy of the proxy
    assert not course.training
    monkeypatch.setattr(T.ablation, "RUNS_DIR", tmp_path)               # a restored checkpoint comes first
    shutil.copytree(course_file("light_proxy"), tmp_path / "light_no_lm")
    assert T.committed_run("light_no_lm") == tmp_path / "light_no_lm" / "checkpoint.pt"
    restored = T.committed_network("light_no_lm")
    for key, value in course.state_dict().items():
        assert torch.equal(restored.state_dict()[key], value), key


# ---- figures --------------------------------------------------------------------------------------------

def test_sample_clips_are_scaled_and_sliced_across_their_motion():
    c = T.sample_clip("vibrating_still", 12, 80)
    assert (c.height, c.width, c.radius, c.n_frames) == (80, 80, 20.0, 12)
    assert c.amplitude_px == 0.25                     # the motion to magnify is not scaled
    assert T.slice_line(c) == {"row": 40}
    s = T.sample_clip("sliding_vibrating", 24, 96)
    assert T.slice_line(s) == {"col": 28}             # the disc's centre at frame 12: 14 + 8 + 15 px/s * 0.4 s
    with pytest.raises(MMKitError, match="unknown sample"):
        T.sample_clip("nope", 10, 64)


def test_slice_clips_run_or_explain_and_plot(capsys):
    import matplotlib.pyplot as plt

    clip = T.sample_clip("vibrating_still", 8, 48)
    panels = T.slice_clips(clip, methods=("acceleration", "jerk", "same"), nets={"same": ReturnsInput()})
    assert list(panels) == ["input", "acceleration", "jerk", "same", "truth"]
    assert "at least" in panels["acceleration"]       # its filter needs a longer clip: the error is kept
    assert np.array_equal(panels["same"], panels["input"])
    assert panels["truth"].shape == (8, 48, 48, 3)
    fig = T.plot_slices(panels, clip.fps, title="t", **T.slice_line(clip))
    # a method that cannot run gets no panel; one printed line says which and why
    assert [ax.get_title() for ax in fig.axes] == ["input, frame 0 (red: slice)", "(a) input", "same", "truth"]
    line = capsys.readouterr().out.strip()
    assert line == T.not_drawn(panels) and line.startswith("not drawn: acceleration, jerk (") and "\n" not in line
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)
    plt.close(fig)
    fig = T.plot_slices({k: v for k, v in panels.items() if not isinstance(v, str)} | {"b": panels["same"],
                        "c": panels["same"], "d": panels["same"], "e": panels["same"], "f": panels["same"]},
                        clip.fps, **T.slice_line(clip))
    assert capsys.readouterr().out == "" and len(fig.axes) == 9
    assert fig.axes[3].get_subplotspec().colspan.start == 0    # nine panels: three rows of three
    plt.close(fig)


def test_training_table_reads_the_shipped_metadata():
    t = T.training_table()
    assert t.value("light_paper", "pairs seen") == t.value("light_no_lm", "pairs seen")
    assert t.value("paper", "epochs") == T.PAPER_EPOCHS and t.value("paper", "share of the paper's epochs") == 1.0
    for row in t.rows[:-1]:
        assert row[3] == pytest.approx(row[2] / T.PAPER_EPOCHS) and row[4] == 128 and row[5] is False
    # the default light trained on fresh pairs (no data set of N pairs): its epochs are not a number
    (row,) = T.training_table(["light"]).rows[:-1]
    assert row[1] == info("light")["step"] * 16 and row[2:4] == (None, None)


def test_the_reproduction_runs_the_papers_recipe():
    """Tables 1-4 run each of the paper's networks as the paper trained it: "light" is light_paper's weights."""
    nets = T.load_networks()
    assert set(nets) == set(T.NETWORKS)
    paper, default = load_pretrained("light_paper").state_dict(), load_pretrained("light").state_dict()
    assert all(torch.equal(v, paper[k]) for k, v in nets["light"].state_dict().items())
    assert not all(torch.equal(v, default[k]) for k, v in nets["light"].state_dict().items())
    (own,) = T.load_networks(["light"], weights={}).values()
    assert all(torch.equal(v, default[k]) for k, v in own.state_dict().items())


def test_ablation_config_uses_the_course_proxy_and_bf16_only_where_fast():
    from mmkit.course import course_file
    from mmkit.hardware import bf16_is_fast

    cfg = T.ablation_config(7, 2, 32)
    assert cfg.proxy_checkpoint == str(course_file("light_proxy") / "checkpoint.pt")
    assert (cfg.steps, cfg.batch_size, cfg.data.size, cfg.checkpoint_every) == (7, 2, 32, 7)
    assert cfg.weights.perceptual == 0 and cfg.weights.proxy == 1 and cfg.bf16 == bf16_is_fast("cpu")
    assert list(T.ablation_configs(cfg)) == list(T.ABLATIONS)


def test_paired_table_of_the_course_sweep():
    from mmkit.course import course_file

    lines = T.committed_paired(course_file("paired_lm_sweep.txt"))
    t = T.paired_table(lines)
    assert [r[0] for r in t.rows] == [ln.noise for ln in lines]
    assert t.value(5.0, "light_paper minus light_no_lm") == lines[[ln.noise for ln in lines].index(5.0)].diff
    assert "250 circles scenes" in t.title and t.value(0.0, "light_paper better on").endswith("of 250")


def test_table_plots_draw():
    import matplotlib.pyplot as plt

    rs = [T.CirclesResult("light", "pairs", n, 0.01, 0.02, 1) for n in (0.0, 5.0)]
    rod = [T.rod_accuracy("truth", replace(ROD, n_frames=8))]
    for fig in (T.plot_circles(rs), T.plot_rod(rod),
                T.plot_loss_logs({"light_no_lm": T.RUNS_DIR / "light_no_lm"})):
        assert fig.axes[0].get_ylabel()
        plt.close(fig)
    rod2 = [T.rod_accuracy(m, replace(ROD, n_frames=8)) for m in ("truth", "input", "phase")]
    fig = T.plot_rod(rod2, ["input", "phase"])                     # one colour per method across the panels
    colours = [{ln.get_label(): ln.get_color() for ln in ax.lines} for ax in fig.axes]
    assert colours[0]["input"] != colours[1]["phase"]
    for ax in fig.axes:                                            # legends below the curves, not on them
        assert ax.get_legend().get_window_extent().y1 < ax.get_window_extent().y0
    plt.close(fig)


def test_paired_runs_agree_with_the_committed_evaluation_and_plot():
    """The first 25 scenes of a paired score are the benchmark: the committed evaluation's rows come back."""
    import matplotlib.pyplot as plt

    # the shipped pair (mmkit/weights: light = light_student, light_no_lm = light_no_lm_long)
    (c,) = T.paired_runs({"L_M vs not": ("light_student", "light_no_lm_long")}, 25, noise=5.0).values()
    rows = {r[0]: r for r in (line.split() for line in (T.RUNS_DIR / "evaluation.txt").read_text().splitlines())
            if len(r) == 5 and r[1] == "5"}
    for score, run in ((c.a, "light_student"), (c.b, "light_no_lm_long")):
        assert score.ratio == pytest.approx(float(rows[f"data/runs/{run}/checkpoint.pt"][4]), abs=6e-4)
    assert c.n == 25 and c.ratio_diff == pytest.approx(sum(c.diffs) / 25 / c.a.identity_mse)
    fig = T.plot_paired({"L_M vs not": c, "again": c})
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["L_M vs not", "again"]
    plt.close(fig)
    from mmkit.evaluate import across_pairs

    fig = T.plot_paired({"L_M vs not": c}, runs={"both": across_pairs([c, c])})
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["L_M vs not", "both"]
    assert f"{c.ratio_diff:+.3f} +- 0.000\nfirst better in {2 * int(c.ratio_diff < 0)} / 2 pairs" in [
        t.get_text() for t in fig.axes[0].texts]
    plt.close(fig)


def test_committed_paired_reads_mmkit_evaluate_paired_output_pair_by_pair(tmp_path):
    """Each difference goes with the two models printed before it: the difference of their ratios, to rounding."""
    lines = T.committed_paired(T.RUNS_DIR / "paired_lm_sweep.txt")
    assert [ln.noise for ln in lines] == sorted(ln.noise for ln in lines) and len(lines) >= 10
    assert {(ln.first, ln.second, ln.scenes) for ln in lines} == {("light_paper", "light_no_lm", 250)}
    for ln in lines:
        assert abs(ln.diff - (ln.ratio_first - ln.ratio_second)) <= 0.0015 and ln.stderr > 0
    fig = T.plot_paired_by_noise(lines)
    assert len(fig.axes) == 2 and len(fig.axes[1].lines) == 3        # two models and the line at 1
    assert [x.get_text() for x in fig.axes[0].get_legend().get_texts()] == ["bars: ± 2 standard errors"]
    (tmp_path / "none.txt").write_text("circles benchmark: 25 scenes\n")
    with pytest.raises(MMKitError, match="holds no paired scores"):
        T.committed_paired(tmp_path / "none.txt")
    with pytest.raises(MMKitError, match="is not here"):
        T.committed_paired(tmp_path / "missing.txt")
