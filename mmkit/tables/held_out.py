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
from .ablation import committed_scores, evaluate_rows
from .circles import CirclesResult
from .common import Table

#: Frame sizes the held-out benchmark is committed at.
HELD_OUT_SIZES = (128, 384, 720)
#: The shipped networks the score files list, in table order.
SCORED = ("light", "light_no_lm", "base", "oh2018")


def held_out_file(size: int) -> Path:
    """The committed ``mmkit evaluate`` output of the shipped networks on held-out content at ``size`` px."""
    from ..course import course_file

    if size not in HELD_OUT_SIZES:
        raise MMKitError(f"held-out scores are committed at {HELD_OUT_SIZES} px, not {size}")
    return course_file(f"held_out_{size}.txt")


def held_out_scores(size: int = 720) -> dict[str, list[CirclesResult]]:
    """``{shipped name: results at noise 0, 2, 5}`` on the held-out benchmark at ``size`` px, as committed."""
    return evaluate_rows(held_out_file(size))


def held_out_table(size: int = 720, noises: Sequence[float] = (0.0, 2.0, 5.0),
                   names: Sequence[str] = SCORED, seen: bool = True) -> Table:
    """Ratio to the unchanged input on held-out content at ``size`` px per noise, each with its standard error over
    scenes (the ``+-`` column after it); with ``seen``, the seen-content ratios at 128 px beside them (the gap is the
    lesson). Lower is better; 1 is no better than returning the input."""
    held = held_out_scores(size)
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
        row += [_at(seen_scores[name], n).ratio for n in noises] if seen else []
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
    """The seen-content scores (``course_file("evaluation.txt")``) of shipped networks, by shipped name."""
    from ..course import course_file
    from .ablation import _run_folder

    return committed_scores({name: _run_folder(name) for name in names}, course_file("evaluation.txt"))
