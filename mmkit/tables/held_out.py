"""The held-out-content benchmark's committed scores: how the shipped networks do on pictures they never trained on.

``mmkit evaluate --pretrained ... --size N`` scores networks on the held-out circles benchmark
(:func:`mmkit.data.benchmarks.held_out_circles`); its output for the shipped weights at 128, 384 and 720 px is kept
in the package (``course_file("held_out_N.txt")``), and the seen-content scores (the paper-style benchmark painted
with the training pairs' own textures) in ``course_file("evaluation.txt")``. :func:`held_out_table` sets the two
side by side, which is the point: the gap between them is how much a network learned its textures rather than motion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..errors import MMKitError
from .ablation import evaluate_rows
from .circles import CirclesResult
from .common import Table

#: Frame sizes the held-out benchmark is committed at.
HELD_OUT_SIZES = (128, 384, 720)
def held_out_file(size: int) -> Path:
    """The committed ``mmkit evaluate`` output of the shipped networks on held-out content at ``size`` px."""
    from ..course import course_file

    if size not in HELD_OUT_SIZES:
        raise MMKitError(f"held-out scores are committed at {HELD_OUT_SIZES} px, not {size}")
    return course_file(f"held_out_{size}.txt")


def held_out_files(size: int) -> list[Path]:
    """Every committed held-out score file at ``size`` px: ``held_out_N.txt`` (the paper's networks and
    ``light_no_lm``), then ``held_out_N_NAME.txt`` for weights shipped later, each one ``mmkit evaluate`` call."""
    first = held_out_file(size)
    return [first] + sorted(first.parent.glob(f"held_out_{size}_*.txt"))


def held_out_scores(size: int = 720) -> dict[str, list[CirclesResult]]:
    """``{shipped name: results at noise 0, 2, 5}`` on the held-out benchmark at ``size`` px, as committed."""
    found: dict[str, list[CirclesResult]] = {}
    for path in held_out_files(size):
        rows = evaluate_rows(path)
        twice = set(rows) & set(found)
        if twice:
            raise MMKitError(f"{path.name} scores {sorted(twice)} again: one file per network")
        found.update(rows)
    return found


def held_out_table(size: int = 720, noises: Sequence[float] = (0.0, 2.0, 5.0),
                   names: Sequence[str] | None = None, seen: bool = True) -> Table:
    """Ratio to the unchanged input on held-out content at ``size`` px per noise, each with its standard error over
    scenes (the ``+-`` column after it); with ``seen``, the seen-content ratios at 128 px beside them (the gap is the
    lesson). Lower is better; 1 is no better than returning the input."""
    held = held_out_scores(size)
    names = list(held) if names is None else names
    seen_scores = _seen_by_name(names) if seen else {}
    columns = ["network"]
    for n in noises:
        columns += [f"held-out, noise {n:g}", f"+- ({n:g})"]
    columns += [f"seen, noise {n:g}" for n in noises] if seen else []
    rows = []
    for name in names:
        if name not in held:
            raise MMKitError(f"{held_out_file(size).name} has no scores of {name!r}; it has {sorted(held)}")
        row: list[object] = [name]
        for n in noises:
            r = _at(held[name], n)
            row += [r.ratio, r.ratio_stderr]
        if seen:   # ("-" for weights whose run the seen-content file does not list)
            row += [_at(seen_scores[name], n).ratio if name in seen_scores else None for n in noises]
        rows.append(tuple(row))
    title = (f"Ratio to the unchanged input on held-out content, {size} px"
             + ("; on seen content (128 px) beside it" if seen else ""))
    formats = tuple((c, ".2f") for c in columns[1:])
    return Table(title, tuple(columns), tuple(rows), formats=formats)


def _at(results: Sequence[CirclesResult], noise: float) -> CirclesResult:
    for r in results:
        if r.noise == noise:
            return r
    raise MMKitError(f"no score at noise {noise:g} (have {sorted(r.noise for r in results)})")


def _seen_by_name(names: Sequence[str]) -> dict[str, list[CirclesResult]]:
    """The seen-content scores of shipped networks, by shipped name: ``course_file("evaluation.txt")`` (the runs'
    checkpoints) and ``seen_NAME.txt`` (``mmkit evaluate --content seen --pretrained NAME``, for weights shipped
    later)."""
    from ..course import course_file
    from .ablation import _run_folder

    path = course_file("evaluation.txt")
    runs = {_run_folder(name): name for name in names}
    found = {Path(model).parent.name: rows for model, rows in evaluate_rows(path).items()}
    scores = {name: found[run] for run, name in runs.items() if run in found}
    for later in sorted(path.parent.glob("seen_*.txt")):   # weights shipped after evaluation.txt was made
        scores.update({model: rows for model, rows in evaluate_rows(later).items() if model in names})
    return scores
