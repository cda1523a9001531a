"""Training and held-out content (mmkit.data.content), the held-out circles benchmark and the data levers."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import torch

from mmkit.cli import main
from mmkit.data.benchmarks import (HELD_OUT_BACKGROUNDS, CirclesConfig, circles_pair, circles_scene, held_out_circles,
                                   identity_mse, pair_mse)
from mmkit.data.content import (HELD_OUT_GENERATORS, HELD_OUT_IMAGES, HELD_OUT_SOURCES, TRAINING_IMAGES, dead_leaves,
                                held_out_texture, leaves_texture)
from mmkit.data.images import ImageTexture, sample_images
from mmkit.data.pairs import LEGACY, DataConfig, render_pair
from mmkit.data.render import to_uint8
from mmkit.errors import MMKitError
from mmkit.evaluate import ratio_stderr, score_circles
from mmkit.pretrained import WEIGHTS_DIR, load_pretrained


def test_the_image_split_is_disjoint_and_covers_every_sample_image():
    assert not set(TRAINING_IMAGES) & set(HELD_OUT_IMAGES)
    assert set(TRAINING_IMAGES) | set(HELD_OUT_IMAGES) == set(sample_images())
    assert HELD_OUT_SOURCES == HELD_OUT_IMAGES + HELD_OUT_GENERATORS
    assert set(HELD_OUT_BACKGROUNDS) <= set(HELD_OUT_SOURCES)


def test_training_pairs_draw_only_training_images():
    names = {ImageTexture.random(np.random.default_rng(k), names=TRAINING_IMAGES).name for k in range(60)}
    assert names == set(TRAINING_IMAGES)
    assert DataConfig().images == "training"


@pytest.mark.parametrize("source", HELD_OUT_SOURCES)
def test_held_out_textures_are_seeded_in_range_and_span_their_cover(source):
    a = held_out_texture(np.random.default_rng(1), source, 48)
    b = held_out_texture(np.random.default_rng(1), source, 48)
    xs = np.arange(48.0)
    img = a.grid(xs, xs)
    assert img.shape == (48, 48, 3) and np.array_equal(img, b.grid(xs, xs))
    assert 0 <= img.min() and img.max() <= 1 and img.std() > 0.01
    assert a.size * a.zoom == pytest.approx(48)        # the whole crop spans the cover


def test_held_out_texture_refuses_unknown_sources_and_tiny_covers():
    with pytest.raises(MMKitError, match="unknown held-out source"):
        held_out_texture(np.random.default_rng(0), "mri", 64)     # a training image
    with pytest.raises(MMKitError, match="at least 8 px"):
        held_out_texture(np.random.default_rng(0), "cells", 4)


def test_dead_leaves_cover_the_frame_with_flat_patches():
    img = dead_leaves(np.random.default_rng(0), 64)
    assert img.shape == (64, 64, 3) and 0 <= img.min() and img.max() <= 1
    colours = np.unique(img.reshape(-1, 3), axis=0)
    assert 5 < len(colours) < 64 * 64 / 10          # patches of one colour, many of them
    tex = leaves_texture(np.random.default_rng(0), 40)
    assert tex.grid(np.arange(40.0), np.arange(40.0)).shape == (40, 40, 3)


def test_held_out_config_scales_with_the_frame():
    for size in (128, 384, 720):
        cfg = held_out_circles(size)
        assert cfg.content == "held_out"
        assert cfg.radius_min == pytest.approx(0.06 * size) and cfg.radius_max == pytest.approx(0.11 * size)
        assert cfg.border == round(16 * size / 720)
    assert held_out_circles(720).n_scenes == 12 and held_out_circles(128).n_scenes == 25
    assert held_out_circles(256, 3).n_scenes == 3
    with pytest.raises(MMKitError, match="content"):
        CirclesConfig(content="photos")
    with pytest.raises(MMKitError, match="border"):
        CirclesConfig(border=64)
    with pytest.raises(MMKitError, match="size"):
        held_out_circles(32)


def test_held_out_scene_moves_only_its_discs_by_exactly_the_input_motion():
    cfg = held_out_circles(128, 6)
    for scene in range(6):
        p = circles_pair(cfg, scene, 0.0)
        assert p["kind"] == HELD_OUT_BACKGROUNDS[scene] and p["border"] == cfg.border
        moved = np.abs(p["target"] - p["prev_clean"]).max(-1) > 0
        ys, xs = np.nonzero(moved)
        # every changed pixel lies on a disc's path (its disc at rest, or moved by up to alpha * input motion)
        near = np.zeros_like(moved)
        for (cx, cy), r, u in zip(p["centres"], p["radii"], [(1, 0), (0, 1), (np.sqrt(.5), np.sqrt(.5))]):
            for s in np.linspace(0, cfg.alpha * cfg.input_motion, 21):
                near |= np.hypot(np.arange(128)[None] - cx - s * u[0], np.arange(128)[:, None] - cy - s * u[1]) < r + 2
        assert moved.any() and near[ys, xs].all()
    # a disc moved by d is the disc's texture sampled at x - d: the held-out scene renders it so
    sc = circles_scene(cfg, 0)
    disc = sc.discs[0]
    xs = np.arange(10.0)
    assert np.allclose(disc.texture.grid(xs - 0.1, xs), disc.texture.texture.grid(xs - 0.1 - disc.texture.x0,
                                                                                   xs - disc.texture.y0))


def test_held_out_scenes_differ_from_seen_ones_and_repeat_exactly():
    seen, held = CirclesConfig(n_scenes=2), held_out_circles(128, 2)
    a, b = circles_pair(held, 1, 2.0), circles_pair(held, 1, 2.0)
    assert np.array_equal(a["prev"], b["prev"])
    assert not np.allclose(circles_pair(seen, 1, 0.0)["prev"], a["prev"])


def test_pair_mse_leaves_out_the_border():
    target = np.zeros((20, 20, 3))
    out = target.copy()
    out[:2] = 1.0                             # wrong only in the top two rows
    assert pair_mse({"target": target, "border": 2}, out) == 0
    assert pair_mse({"target": target, "border": 1}, out) > 0
    assert pair_mse({"target": target}, out) == pytest.approx(2 / 20)
    pairs = [circles_pair(held_out_circles(128, 1), 0, 0.0)]
    inner = slice(pairs[0]["border"], -pairs[0]["border"])
    assert identity_mse(pairs) == pytest.approx(np.mean((pairs[0]["cur"] - pairs[0]["target"])[inner, inner] ** 2))


def test_ratio_stderr_is_the_scatter_of_the_ratio_of_means():
    inputs = np.array([1.0, 2.0, 3.0, 4.0])
    assert ratio_stderr(0.5 * inputs, inputs) == pytest.approx(0)        # the same ratio in every scene
    errors = np.array([0.5, 1.5, 1.0, 2.5])
    ratio = errors.mean() / inputs.mean()
    spread = np.std(errors - ratio * inputs, ddof=1) / np.sqrt(4) / inputs.mean()
    assert ratio_stderr(errors, inputs) == pytest.approx(spread) and spread > 0
    assert np.isnan(ratio_stderr(errors[:1], inputs[:1]))


def test_score_circles_reports_a_standard_error_on_held_out_scenes():
    s = score_circles(load_pretrained("light"), held_out_circles(96, 3), noise=2.0)
    assert s.mse > 0 and s.identity_mse > 0 and s.ratio_stderr > 0


def test_legacy_data_configs_keep_their_pairs():
    saved = json.loads((WEIGHTS_DIR / "light_paper.json").read_text())["train_config"]["data"]
    assert "images" not in saved                          # written before the split
    cfg = DataConfig.from_dict(saved)
    assert cfg.images == LEGACY["images"] == "all" and cfg.leaves_prob == 0 and cfg.gauss_noise_max == 0
    # the pairs the shipped runs drew: digest of pairs 0-3 at 48 px as rendered before the split existed (commit
    # 9a18646), so the committed runs resume on the same pairs
    h = hashlib.sha256()
    for i in range(4):
        p = render_pair(DataConfig.from_dict({**saved, "size": 48}), i)
        h.update(to_uint8(p["prev"]).tobytes())
        h.update(to_uint8(p["target"]).tobytes())
    assert h.hexdigest() == "de4730bc1a3eedff40b044566c9c5cb452ecfbb0d71aefae1a09611e59b77710"


def test_gaussian_noise_and_leaves_in_training_pairs():
    cfg = DataConfig(size=48, gauss_noise_max=8.0, shot_noise_max=0.0, leaves_prob=1.0, quantise=False)
    stds = []
    for i in range(6):
        p = render_pair(cfg, i)
        assert 0 <= p["gauss_noise"] <= 8
        inside = (p["prev_clean"] > 0.05) & (p["prev_clean"] < 0.95)   # away from the clip
        stds.append((np.std((p["prev"] - p["prev_clean"])[inside]) * 255, p["gauss_noise"]))
    got, want = np.array(stds).T
    assert np.allclose(got, want, rtol=0.15, atol=0.3)
    assert render_pair(DataConfig(size=48), 0)["gauss_noise"] == 0
    with pytest.raises(MMKitError, match="leaves_prob"):
        DataConfig(leaves_prob=1.5).validate()
    with pytest.raises(MMKitError, match="images"):
        DataConfig(images="held_out").validate()


def test_init_from_starts_a_run_from_shipped_weights(tmp_path):
    from mmkit.train import TrainConfig, Trainer, initial_weights

    cfg = TrainConfig(model="light", stage="student", steps=1, batch_size=1, data=DataConfig(size=32),
                      weights=LossWeights_no_proxy(), init_from="light_no_lm")
    trainer = Trainer(cfg, tmp_path / "run", progress=False)
    shipped = load_pretrained("light_no_lm").state_dict()
    assert all(torch.equal(trainer.model.state_dict()[k], v) for k, v in shipped.items())
    with pytest.raises(MMKitError, match="holds light weights"):
        initial_weights("light", "base")
    with pytest.raises(MMKitError, match="no such checkpoint"):
        initial_weights(str(tmp_path / "nothing.pt"), "light")


def LossWeights_no_proxy():  # noqa: N802
    from mmkit.losses import LossWeights
    return LossWeights(proxy=0.0, perceptual=0.0)


def test_evaluate_defaults_to_held_out_content_and_keeps_seen(capsys):
    assert main(["evaluate", "--scenes", "2", "--noise", "0", "--pretrained", "light"]) == 0
    out = capsys.readouterr().out
    assert "held-out content" in out and "3 px border" in out and "+-" in out
    assert main(["evaluate", "--content", "seen", "--scenes", "2", "--noise", "0"]) == 0
    assert "seen content" in capsys.readouterr().out
    assert main(["evaluate", "--size", "10", "--scenes", "1"]) == 2


def test_committed_held_out_scores_are_mmkit_evaluates_output_and_the_table_reads_them():
    from mmkit.tables import HELD_OUT_SIZES, held_out_file, held_out_files, held_out_scores, held_out_table

    for size in HELD_OUT_SIZES:
        for path in held_out_files(size):
            head = path.read_text().splitlines()[0]
            assert head.startswith("circles benchmark, held-out content:") and f", {size} px," in head
        scores = held_out_scores(size)
        assert {"light", "light_no_lm", "base", "oh2018"} <= set(scores)
        for results in scores.values():
            assert sorted(r.noise for r in results) == [0.0, 2.0, 5.0]
            assert all(r.ratio_stderr > 0 for r in results)
    table = held_out_table(720)
    oh = held_out_scores(720)["oh2018"]
    assert table.value("oh2018", "held-out, noise 0") == pytest.approx(oh[0].ratio)
    assert table.value("oh2018", "+- (0)") == oh[0].ratio_stderr
    assert 0 < table.value("oh2018", "seen, noise 0") < 1
    with pytest.raises(MMKitError, match="committed at"):
        held_out_file(256)


def test_the_default_network_is_the_best_shipped_light_weights_on_held_out_content():
    from mmkit.defaults import DEFAULT_NETWORK
    from mmkit.pretrained import architecture
    from mmkit.tables import held_out_scores

    scores = held_out_scores(720)
    light = {name: np.mean([r.ratio for r in results if r.noise in (0.0, 2.0)])
             for name, results in scores.items() if architecture(name) == "light"}
    assert DEFAULT_NETWORK == min(light, key=light.get)


def test_mmkit_info_prints_the_held_out_scores(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "held-out content at 720 px" in out and "light_no_lm" in out and "oh2018" in out


def test_a_cache_built_before_the_new_data_fields_serves_the_runs_that_made_it(tmp_path):
    from mmkit.data.cache import CachedPairs, build_cache

    cfg = DataConfig.from_dict({"size": 32})                  # an old run's config: the legacy values
    build_cache(tmp_path / "c", cfg, 2, workers=1)
    meta = json.loads((tmp_path / "c" / "meta.json").read_text())
    for field in LEGACY:                                      # as a cache written before those fields existed
        del meta["data"][field]
    (tmp_path / "c" / "meta.json").write_text(json.dumps(meta))
    assert CachedPairs(tmp_path / "c", cfg, 2).n == 2
    with pytest.raises(MMKitError, match="another data config"):
        CachedPairs(tmp_path / "c", DataConfig(size=32), 2)   # today's default draws other pictures
