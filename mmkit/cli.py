"""The ``mmkit`` command line: ``info``, ``demo``, ``magnify``, ``evaluate``, ``train``, ``samples``.

Every problem a user can cause ends as one line ``mmkit: error: ...`` and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from typing import TYPE_CHECKING, Sequence

from . import __version__
from .defaults import DEFAULT_NETWORK
from .errors import MMKitError

if TYPE_CHECKING:
    import torch

    from .data.benchmarks import CirclesConfig


def cmd_info(args: argparse.Namespace) -> None:
    """Models with their parameters and cost at one size, beside the paper's Table 1."""
    from .models import MODEL_NAMES, PAPER_TABLE1, build_model, complexity

    h, w = args.size
    rows = []
    for name in MODEL_NAMES:
        net = build_model(name)
        c = complexity(net, h, w)
        paper_params, paper_gflops = PAPER_TABLE1[name]
        rows.append({"model": name, "channels": getattr(getattr(net, "cfg", None), "channels", "-"),
                     "params": c.params,
                     "gmacs": round(c.gmacs, 2), "gflops": round(c.gflops, 2),
                     "paper_params": paper_params, "paper_gflops_720": paper_gflops})
    if args.json:
        print(json.dumps({"height": h, "width": w, "models": rows}, indent=2))
        return
    print(f"mmkit {__version__}: models at {h} x {w} (GFLOPs = 2 x MACs; paper Table 1 is at 720 x 720)")
    print(f"{'model':<7}{'C':>4}{'params':>11}{'GMACs':>10}{'GFLOPs':>10}{'paper params':>14}{'paper GFLOPs':>14}")
    for r in rows:
        print(f"{r['model']:<7}{r['channels']:>4}{r['params']:>11,}{r['gmacs']:>10.2f}{r['gflops']:>10.2f}"
              f"{r['paper_params'] / 1e6:>13.2f}M{r['paper_gflops_720']:>14.1f}")
    _print_held_out()
    _print_runtime()


def _print_runtime() -> None:
    """What runs the networks on this machine's CPU (python -m mmkit.bench times it)."""
    from .hardware import cpu_has_bf16_kernels, cpu_name
    from .openvino_runtime import INSTALL_HINT, openvino_version

    version = openvino_version()
    bf16 = {True: "yes", False: "no", None: "unknown"}[cpu_has_bf16_kernels()]
    print(f"\nCPU: {cpu_name()}, bf16 kernels: {bf16}. Runtime for light and base on the CPU: "
          + (f"OpenVINO {version.split('-')[0]} for clips long enough to pay its conversion, else torch"
             if version else f"torch (for about twice the speed at 720 px: {INSTALL_HINT})")
          + "; python -m mmkit.bench times every path")


def _print_held_out(size: int = 720) -> None:
    """The shipped weights' committed scores on the held-out-content benchmark (mmkit.tables.held_out)."""
    from .tables.held_out import held_out_table

    try:
        table = held_out_table(size)
    except MMKitError as e:   # a stripped install without the score files: say so, do not fail `info`
        print(f"\n(held-out scores not available: {e})")
        return
    print(f"\nshipped weights, circles benchmark on held-out content at {size} px (pictures no training pair used): "
          "output MSE / input MSE, lower is better, +- standard error over scenes; seen content at 128 px beside it "
          "(`mmkit evaluate --size 720` / `--content seen` rescore them)")
    print(table)


def cmd_demo(args: argparse.Namespace) -> None:
    from .demo import run_demo

    run_demo(out_dir=args.out, alpha=args.alpha, overwrite=args.overwrite)


def cmd_magnify(args: argparse.Namespace) -> None:
    from .engine import magnify

    out = magnify(args.input, args.alpha, mode=args.mode, method=args.method, out=args.output,
                  overwrite=args.overwrite, progress=not args.quiet, batch_size=args.batch_size,
                  reference=args.reference, device=args.device, low_hz=args.low_hz, high_hz=args.high_hz,
                  filter=args.filter, capture_fps=args.fps, bf16=args.bf16, compile=args.compile, scale=args.scale,
                  runtime=args.runtime, roi=tuple(args.roi) if args.roi else None,
                  side_by_side=args.side_by_side, slice_png=args.slice_png, slice_row=args.slice_row,
                  slice_col=args.slice_col, max_memory_gb=args.max_memory_gb)
    print(f"wrote {out}" + (f" and {args.slice_png}" if args.slice_png else ""))


def cmd_samples(args: argparse.Namespace) -> None:
    from .data.samples import SAMPLES_DIR, write_samples

    for p in write_samples(args.out or SAMPLES_DIR):
        print(p)


#: ``mmkit train`` flags named otherwise than the TrainConfig field they set (the others are named as theirs)
_RENAMED_FLAGS = {"proxy": "proxy_checkpoint", "vgg": "vgg_path", "cache": "cache_dir"}


def train_config_from_flags(args: argparse.Namespace):  # -> mmkit.train.TrainConfig
    """The run's config: each flag given; the rest from the run that this call continues (``--resume`` of a run with
    a checkpoint) or branches from (``--branch-from``), as saved in its checkpoint (``mmkit.train.saved_config``),
    else TrainConfig's defaults. So ``mmkit train --out RUN --resume --steps N`` goes on with RUN as it was trained.
    A flag that differs from the saved setting is the trainer's to allow (the schedule; a branch's loss terms,
    teacher, stage and rate) or refuse (the rest)."""
    import dataclasses

    from .data.pairs import config_from_flags
    from .losses import LossWeights
    from .train import TrainConfig, saved_config

    base = saved_config(args.out) if args.resume else None
    if base is None and args.branch_from:
        base = saved_config(args.branch_from)
    base = base or TrainConfig()
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    given = {_RENAMED_FLAGS.get(flag, flag): value for flag, value in vars(args).items()
             if value is not None and _RENAMED_FLAGS.get(flag, flag) in fields}
    if args.ablate is not None:
        given["weights"] = LossWeights(**{name: 0.0 for name in args.ablate})
    elif args.proxy is not None and base.weights.proxy == 0:
        off = ", ".join(name for name, w in base.weights.to_dict().items() if w == 0)
        raise MMKitError(f"--proxy is given, but the run this continues has L_M switched off (--ablate {off}); "
                         "give --ablate with the terms to switch off, without proxy (--ablate alone: none), "
                         "to train with L_M against that proxy")
    given["data"] = config_from_flags(args.size, args.data_seed, args.shot_noise_max, base=base.data,
                                      images=args.images, leaves_prob=args.leaves_prob,
                                      gauss_noise_max=args.gauss_noise_max)
    return dataclasses.replace(base, **given)


def cmd_train(args: argparse.Namespace) -> None:
    from .train import train

    cfg = train_config_from_flags(args)
    train(cfg, args.out, resume=args.resume, progress=not args.quiet, branch_from=args.branch_from)
    if os.environ.get("RANK", "0") == "0":
        print(f"run folder: {args.out} (checkpoint.pt, config.json, loss_log.csv)")


def cmd_snapshot(args: argparse.Namespace) -> None:
    from .train import snapshot_run

    out = snapshot_run(args.checkpoint, args.out, logs=args.logs)
    print(f"run folder: {out} (checkpoint.pt without Adam's moments, config.json, logs up to its step)")


def cmd_evaluate(args: argparse.Namespace) -> None:
    """Circles benchmark (paper Table 3): MSE of each model against the exact target, beside doing nothing."""
    import dataclasses

    from .checks import check_int
    from .data.benchmarks import CirclesConfig, held_out_circles
    from .evaluate import CirclesScore, across_pairs, compare_paired, score_circles

    if args.scenes is not None:
        check_int("--scenes", args.scenes, 1)
    check_int("--scene-seed", args.scene_seed, 0)
    check_int("--size", args.size, 64)
    if args.content == "seen":
        cfg = dataclasses.replace(CirclesConfig(), size=args.size, n_scenes=args.scenes or CirclesConfig.n_scenes,
                                  seed=args.scene_seed)
    else:
        cfg = held_out_circles(args.size, args.scenes, seed=args.scene_seed)
    models: list[tuple[str, torch.nn.Module]] = []   # a list: --paired may name one checkpoint in two pairs
    for name in args.pretrained:
        from .pretrained import load_pretrained
        models.append((name, load_pretrained(name)))
    for path in args.checkpoint:
        from .checkpoints import model_from_checkpoint
        models.append((path, model_from_checkpoint(path, average=not args.last)))
    if args.noise_paths:
        return _print_noise_paths(args, cfg, models)
    if args.teacher:
        raise MMKitError("--teacher goes with --noise-paths (it gives the D* that L_M pulls each model toward)")
    if args.paired and (not models or len(models) % 2):
        raise MMKitError("--paired compares models two by two (the first minus the second, the third minus the "
                         f"fourth, ...): give an even number, got {len(models)}")
    drawn = f" (scene seed {cfg.seed})" if cfg.seed else ""
    content = "held-out content" if cfg.content == "held_out" else "seen content (the training pairs' textures)"
    border = f", MSE inside a {cfg.border} px border" if cfg.border else ""
    print(f"circles benchmark, {content}: {cfg.n_scenes} scenes{drawn}, {cfg.size} px, input motion "
          f"{cfg.input_motion} px, alpha {cfg.alpha:g}{border}; MSE in [0, 1] units (x 1e-3); ratio = MSE / input MSE, "
          "+- its standard error over scenes")
    width = max([40, *(len(name) + 1 for name, _ in models)])   # whole names, so that the output can be read back
    print(f"{'model':<{width}}{'noise':>6}{'MSE':>10}{'input MSE':>11}{'ratio':>8}{'+-':>8}")

    def row(name: str, s: CirclesScore) -> None:
        print(f"{name:<{width}}{s.noise:>6g}{1e3 * s.mse:>10.3f}{1e3 * s.identity_mse:>11.3f}{s.ratio:>8.3f}"
              f"{s.ratio_stderr:>8.3f}")

    for noise in args.noise:
        if not models:
            from .data.benchmarks import circles_pairs, identity_mse
            print(f"{'(input frame, unchanged)':<{width}}{noise:>6g}{'':>10}"
                  f"{1e3 * identity_mse(circles_pairs(cfg, noise)):>11.3f}{'':>8}")
        if args.paired:
            scores = []
            for (a, net_a), (b, net_b) in zip(models[::2], models[1::2]):
                c = compare_paired(net_a, net_b, cfg, noise)
                scores.append(c)
                row(a, c.a)
                row(b, c.b)
                print(f"{'  first minus second, scene by scene':<{width}}{noise:>6g}"
                      f"{1e3 * (c.a.mse - c.b.mse):>+10.3f}{'':>11}{c.ratio_diff:>+8.3f}  +- {c.ratio_stderr:.3f} "
                      f"(standard error); first better on {c.a_better} of {c.n} scenes")
            if len(scores) > 1:
                s = across_pairs(scores)
                print(f"{f'  mean over the {s.n} pairs':<{width}}{noise:>6g}{'':>21}{s.mean_ratio_diff:>+8.3f}  "
                      f"+- {s.ratio_stderr:.3f} (standard error between pairs); first better in {s.a_better} "
                      f"of {s.n} pairs")
        else:
            for name, net in models:
                row(name, score_circles(net, cfg, noise))


def _print_noise_paths(args: argparse.Namespace, cfg: CirclesConfig, models: list[tuple[str, torch.nn.Module]]) -> None:
    """``mmkit evaluate --noise-paths``: the table of :mod:`mmkit.noise_paths`, one row per model and noise."""
    from .noise_paths import check_inputs, noise_paths
    from .checkpoints import model_from_checkpoint

    if not models:
        raise MMKitError("--noise-paths needs models: give --pretrained NAMES and/or --checkpoint PATHS")
    teacher = model_from_checkpoint(args.teacher) if args.teacher else None
    check_inputs([net for _, net in models] + ([teacher] if teacher is not None else []), args.noise)
    width = max([24, *(len(name) + 1 for name, _ in models)])
    print(f"where the noise reaches the output (mmkit.noise_paths), circles benchmark: {cfg.n_scenes} scenes, "
          f"{cfg.size} px, alpha {cfg.alpha:g}")
    print("MSE (x 1e-3) of the output decoded from the noisy pair (noisy), the clean pair (clean), the noisy pair with "
          "the clean pair's motion features D (clean D) or appearance features (clean App)"
          + (", or with the teacher's D* of the clean pair (teacher D)" if teacher else ""))
    print("via D / via App" + (" / via D*" if teacher else "") + ": the share of the noise's cost (noisy - clean) "
          "that a clean D / clean App" + (" / the teacher's D*" if teacher else "") + " removes ('-' where the "
          "noise costs under 1 % of the clean MSE); D noise / D motion: rms of the noise in D = E_b - E_a and of "
          "the part the motion causes (mmkit.features.feature_noise_parts); "
          "noise/mot: their ratio, scene by scene")
    if teacher is not None:
        print(f"teacher: {args.teacher}")
    cols = ["noisy", "clean", "clean D", "clean App"] + (["teacher D"] if teacher else [])
    cols += ["via D", "via App"] + (["via D*"] if teacher else []) + ["D noise", "D motion", "noise/mot"]
    print(f"{'model':<{width}}{'noise':>6}" + "".join(f"{c:>10}" for c in cols))
    for noise in args.noise:
        for name, net in models:
            r = noise_paths(net, cfg, noise, teacher)
            mses = [r.noisy, r.clean, r.clean_motion, r.clean_appearance] + ([r.teacher_motion] if teacher else [])
            shares = [r.share(r.clean_motion), r.share(r.clean_appearance)]
            shares += [r.share(r.teacher_motion)] if teacher else []
            print(f"{name:<{width}}{noise:>6g}" + "".join(f"{1e3 * m:>10.3f}" for m in mses)
                  + "".join(f"{v:>10.3f}" if v == v else f"{'-':>10}" for v in shares)  # '-': no cost to share
                  + f"{r.noise_rms:>10.4f}{r.signal_rms:>10.4f}"
                  + f"{r.motion_noise:>10.3f}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mmkit", description="Video motion magnification: make motions too small to see large enough to see.")
    parser.add_argument("--version", action="version", version=f"mmkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("info", help="the models, their parameters and multiply-accumulates at a given size")
    p.add_argument("--size", type=int, nargs=2, default=(720, 720), metavar=("H", "W"),
                   help="frame height and width (default: 720 720, as in the paper's Table 1)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("demo", help="magnify the bundled sample clip; write a video and a slice PNG")
    p.add_argument("--out", default="out/demo", help="output folder (default: out/demo)")
    p.add_argument("--alpha", type=float, default=20.0, help="magnification factor (default: 20)")
    p.add_argument("--overwrite", action="store_true", help="replace outputs that already exist")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("evaluate", help="score models on the circles benchmark (paper Table 3)")
    p.add_argument("--pretrained", nargs="*", default=[], help="shipped model names (light, base, oh2018, light_no_lm)")
    p.add_argument("--checkpoint", nargs="*", default=[], help="checkpoints written by mmkit train")
    p.add_argument("--noise", type=float, nargs="+", default=[0.0, 2.0, 5.0], help="noise std, 0..255 units")
    p.add_argument("--content", choices=("held-out", "seen"), default="held-out",
                   help="held-out (default): photographs and textures no training pair uses, discs of 6-11 %% of the "
                        "frame, MSE inside a border (mmkit.data.content); seen: the paper-style benchmark painted with "
                        "the training pairs' own kind of texture")
    p.add_argument("--size", type=int, default=128,
                   help="frame side in px (default 128; the held-out benchmark is also scored at 384 and 720)")
    p.add_argument("--scenes", type=int, default=None,
                   help="number of scenes (default: all; seen 25, held-out 25 at 128 px and 12 at 384 and 720)")
    p.add_argument("--scene-seed", type=int, default=0,
                   help="draw another set of scenes and noise (default 0: the benchmark every figure in docs/ "
                        "uses); scores over several seeds show how much a difference between two models is luck")
    p.add_argument("--last", action="store_true",
                   help="score checkpoints' last-step weights, not the moving average of runs trained with --ema")
    p.add_argument("--paired", action="store_true",
                   help="models two by two (e.g. with and without a loss): each pair's difference scene by scene, "
                        "with its standard error and how many scenes the first wins (use many --scenes to tell a "
                        "real lead from luck); with several pairs (e.g. one per training seed) also their mean "
                        "difference and its standard error between pairs")
    p.add_argument("--noise-paths", action="store_true",
                   help="where each model's magnified noise comes from: decode with the motion features D or the "
                        "appearance features of the same pair without noise (mmkit.noise_paths); noise above 0")
    p.add_argument("--teacher", metavar="CHECKPOINT",
                   help="with --noise-paths: the frozen proxy whose clean D* L_M pulls toward; adds its D* as the "
                        "motion features and each model's distance to it")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("train", help="train the proxy model or the student (paper Sec. 3)",
                       description="Train a network. Unset flags take TrainConfig's defaults (shown) or, with "
                                   "--resume (or --branch-from), the settings saved in that run's checkpoint: "
                                   "`mmkit train --out RUN --resume --steps N` continues RUN to step N as it was "
                                   "trained.")
    p.add_argument("--out", required=True, help="run folder (checkpoint.pt, config.json, loss_log.csv)")
    p.add_argument("--model", choices=["light", "base", "oh2018"], help="(default light)")
    p.add_argument("--stage", choices=["proxy", "student"],
                   help="proxy: clean inputs, no L_M; student: noisy inputs and L_M against --proxy (default proxy)")
    p.add_argument("--proxy", help="checkpoint of the trained proxy model (stage student)")
    p.add_argument("--steps", type=int, help="train to this step (default 1000)")
    p.add_argument("--batch-size", type=int, help="(default 4)")
    p.add_argument("--size", type=int, help="training crop size in pixels (default 128)")
    p.add_argument("--lr", type=float, help="Adam's learning rate (default 1e-4, the paper's)")
    p.add_argument("--lr-decay", type=int, metavar="N",
                   help="over the last N steps the rate falls to 0 (half a cosine); 0: constant (default, the paper's)")
    p.add_argument("--seed", type=int, help="model initialisation seed (default 0)")
    p.add_argument("--data-seed", type=int, help="synthetic data seed (default 0)")
    p.add_argument("--shot-noise-max", type=float,
                   help="students' input noise: std = s * sqrt(255 v) / 255 at intensity v, s ~ U(0, this) "
                        "(default: DataConfig's, up to ~3.4 of 255 at mid grey); a --cache must match")
    p.add_argument("--images", choices=["training", "all"],
                   help="sample images the backgrounds may show: training (default; the held-out benchmark's are "
                        "left out, mmkit.data.content) or all (as the shipped weights were trained)")
    p.add_argument("--leaves-prob", type=float,
                   help="chance that a background, or a shape's texture, is a dead-leaves picture: flat colours, "
                        "edges and every scale, as photographs of objects have (default 0)")
    p.add_argument("--gauss-noise-max", type=float,
                   help="Gaussian sensor noise on students' inputs too, std ~ U(0, this), 0..255 units (default 0)")
    p.add_argument("--init-from", metavar="WEIGHTS",
                   help="start a new run from these weights (a checkpoint, a shipped name such as light_no_lm, or an "
                        "exported .pt), with fresh Adam moments at step 0: fine-tuning, or base grown from a "
                        "trained model of the same architecture")
    p.add_argument("--ablate", nargs="*", choices=["proxy", "edge", "perceptual", "appearance"],
                   help="switch loss terms off (paper Table 4; default: none)")
    p.add_argument("--checkpoint-every", type=int, help="(default 200)")
    p.add_argument("--log-every", type=int, help="(default 10)")
    p.add_argument("--eval-every", type=int,
                   help="score on 5 circles-benchmark scenes every N steps (eval_log.csv); 0: never (default)")
    p.add_argument("--vgg", help="torchvision's vgg16-*.pth (else $MMKIT_VGG16, else hub cache)")
    p.add_argument("--device", help="auto (CUDA when present; the default), cpu, cuda, cuda:1 ...; "
                                    "not taken from the checkpoint at a --resume")
    p.add_argument("--dataset-size", type=int,
                   help="train on pairs 0..N-1 in epochs, as 8-bit images (Oh et al.: 100000); 0: a fresh pair "
                        "for every sample (default)")
    p.add_argument("--cache",
                   help="folder of pre-rendered pairs (python -m mmkit.data.cache); needs --dataset-size; not "
                        "taken from the checkpoint at a --resume (without it the same pairs are rendered)")
    p.add_argument("--time-limit", type=float,
                   help="stop after this many seconds with a checkpoint (--resume continues); 0: no limit "
                        "(default; a limit counts for its own call only)")
    p.add_argument("--bf16", action=argparse.BooleanOptionalAction, help="bf16 autocast (default off)")
    p.add_argument("--channels-last", action=argparse.BooleanOptionalAction, help="(default off)")
    p.add_argument("--workers", type=int,
                   help="processes that render batches ahead of the training loop (the same run as 0, the default; "
                        "on a GPU machine this replaces the cache: one process renders ~9 batches of 16 pairs of "
                        "128 px per second on this project's 2-core CPU); not taken from the checkpoint")
    p.add_argument("--ema", type=float,
                   help="keep a moving average of the weights with this decay (e.g. 0.999; 0: none, the default), "
                        "used by evaluation and export; may be switched on at a --resume")
    p.add_argument("--compile", action=argparse.BooleanOptionalAction,
                   help="torch.compile the network's forward and backward (and the proxy's): the light student's "
                        "cached step 1.25x faster on a 2-core CPU after ~30 s of compiling "
                        "(scripts/measure_student_step.py --compile); the same run, rounded differently (default "
                        "off)")
    p.add_argument("--resume", action="store_true",
                   help="continue the run in --out from its checkpoint, with its saved settings; flags given change "
                        "them where a resume may (the schedule: --steps, --bf16 / --no-bf16, --compile, --ema ...)")
    p.add_argument("--branch-from", default=None, metavar="RUN",
                   help="start this new run from another run's checkpoint (weights, Adam's moments, weight average, "
                        "step, data position), e.g. to switch L_M on or off from there (--ablate, --proxy, --stage "
                        "--lr and --lr-decay may differ; the rest must match); with --resume the same command continues it")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("snapshot", help="a run folder from one checkpoint of a run that trains on (for comparisons "
                                        "at equal length)")
    p.add_argument("checkpoint", help="checkpoint.pt (or a copy of it taken while the run trained), or a run folder")
    p.add_argument("out", help="the new run folder (must not exist)")
    p.add_argument("--logs", default=None,
                   help="the run folder whose loss and evaluation logs are cut at the checkpoint's step "
                        "(default: the checkpoint's folder)")
    p.set_defaults(func=cmd_snapshot)

    p = sub.add_parser("magnify", help="magnify the motion in a video (mp4/avi/mov/gif, PNG folder, npy/npz)")
    p.add_argument("input", help="the clip to magnify")
    p.add_argument("-o", "--output", required=True, help="where to write the result (format from its suffix)")
    p.add_argument("--alpha", type=float, required=True, help="magnification factor")
    p.add_argument("--mode", default="dynamic", choices=["dynamic", "static", "temporal"])
    p.add_argument("--method", default=DEFAULT_NETWORK,
                   help=f"{DEFAULT_NETWORK} (the default: the best light weights on held-out content, `mmkit info`), "
                        "light, base, oh2018 (the paper's networks), a checkpoint path, or a classical method "
                        "(mmkit.classical.registry: linear, ...)")
    p.add_argument("--reference", type=int, default=0, help="static mode: the reference frame")
    p.add_argument("--batch-size", type=int, default=None,
                   help="frame pairs per network call (default: 1 on a CPU, the fastest there; 4 on a GPU)")
    p.add_argument("--low-hz", type=float, default=0.5, help="temporal mode / linear method: pass band low cut-off")
    p.add_argument("--high-hz", type=float, default=3.0, help="temporal mode / linear method: high cut-off")
    p.add_argument("--fps", type=float, default=None, help="capture frame rate for the filters (default: the video's)")
    p.add_argument("--filter", default="butter", choices=["butter", "fir"], help="temporal mode's band-pass")
    p.add_argument("--device", default="auto")
    p.add_argument("--roi", type=int, nargs=4, default=None, metavar=("Y0", "Y1", "X0", "X1"),
                   help="magnify only this region (rows Y0:Y1, columns X0:X1)")
    p.add_argument("--scale", type=float, default=None, help="resize frames by this factor first")
    p.add_argument("--bf16", action="store_true",
                   help="manipulator and decoder in bf16 (the encoder stays fp32, since alpha would multiply its "
                        "rounding): faster on CPUs with AMX, 1-3 levels off fp32 (python -m mmkit.bench)")
    p.add_argument("--compile", dest="compile", action="store_const", const=True, default="auto",
                   help="always torch.compile the network: exact, 2.3-2.9x faster per frame on a CPU, after ~15 s "
                        "of compiling (default: only for a clip long enough to pay that back, on a CPU)")
    p.add_argument("--no-compile", dest="compile", action="store_const", const=False,
                   help="never torch.compile the network")
    p.add_argument("--runtime", default="auto", choices=["auto", "torch", "openvino"],
                   help="what runs light and base on a CPU: openvino (pip install \"mmkit[fast]\"): torch's output "
                        "within 1 level, 1.4-2.3x its frames/s, ~2 s to convert a network the first time; auto "
                        "(default): openvino where it is installed and the clip holds over ~5 s of torch work, "
                        "else torch")
    p.add_argument("--side-by-side", action="store_true", help="write input | magnified")
    p.add_argument("--slice-png", default=None, help="also save a spatio-temporal slice figure here")
    p.add_argument("--slice-row", type=int, default=None, help="row of the slice (default: the middle)")
    p.add_argument("--slice-col", type=int, default=None, help="a column instead of a row")
    p.add_argument("--max-memory-gb", type=float, default=None,
                   help="refuse a run estimated to need more memory (default: 4 for a classical method, which "
                        "holds the whole clip; the machine's memory for a network, which streams)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_magnify)

    p = sub.add_parser("samples", help="(re)write the bundled sample clips from their recipes")
    p.add_argument("--out", default=None, help="output folder (default: data/samples in a checkout)")
    p.set_defaults(func=cmd_samples)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    size = getattr(args, "size", None)
    if size is not None and min(size if isinstance(size, (list, tuple)) else [size]) < 1:
        print(f"mmkit: error: --size must be positive, got {size}", file=sys.stderr)
        return 2
    # SIGTERM (kill, timeout, a job scheduler) unwinds like Ctrl-C, so partial outputs are removed
    previous = _on_sigterm(_terminate)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning  # one line, like the errors, not Python's file and source line
            args.func(args)
    except MMKitError as e:
        print(f"mmkit: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mmkit: interrupted", file=sys.stderr)
        return 130
    except _Terminated:
        print("mmkit: terminated", file=sys.stderr)
        return 143
    finally:
        _on_sigterm(previous)
    return 0


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    print(f"mmkit: warning: {message}", file=sys.stderr)


class _Terminated(BaseException):
    """Raised by SIGTERM inside :func:`main`."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


def _on_sigterm(handler: object) -> object:
    """Install a SIGTERM handler (main thread only; elsewhere nothing changes); return the previous one."""
    import signal
    import threading

    if handler is None or threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, handler)


if __name__ == "__main__":
    sys.exit(main())
