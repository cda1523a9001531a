"""Execute course notebooks and store their outputs: the lesson settings by default (what a student sees first
on GitHub, nbviewer or a Colab preview), the quick settings with ``--quick`` (what nbval runs on CI).

    .venv/bin/python scripts/run_notebooks.py notebooks/00_what_is_motion_magnification.ipynb
    .venv/bin/python scripts/run_notebooks.py            # all seven lessons

Cell metadata other than tags is dropped, the kernelspec is set, and each notebook's run time is printed.
Runs are serialised with a lock file, so that two authors' runs on one machine do not time each other.
"""
from __future__ import annotations

import argparse
import fcntl
import json
import os
import sys
import time
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parents[1]
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LOCK = Path(os.environ.get("TMPDIR", "/tmp")) / "mmkit-run-notebooks.lock"


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def clean(nb: nbformat.NotebookNode, quick: bool, seconds: float) -> None:
    """Keep only the tags of each cell's metadata; the notebook's metadata says which settings made the stored
    outputs and how long the run took (tests/test_course.py reads both). A widget's view reference is dropped
    where its output has something else to show (a picture, a text): no widget state is stored, so before the
    kernel runs, the reference could only say that its model is missing."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data and set(data) - {WIDGET_VIEW, "text/plain"}:
                del data[WIDGET_VIEW]
        tags = cell.metadata.get("tags")
        cell.metadata = nbformat.NotebookNode({"tags": tags} if tags else {})
    nb.metadata = nbformat.NotebookNode({"kernelspec": KERNELSPEC,
                                         "language_info": {"name": "python"},
                                         "mmkit": {"settings": "quick" if quick else "lesson",
                                                   "run_seconds": round(seconds)}})


def run(path: Path, quick: bool) -> float:
    nb = nbformat.read(path, as_version=4)
    env_quick = os.environ.pop("MMKIT_QUICK", None)
    if quick:
        os.environ["MMKIT_QUICK"] = "1"
    try:
        t0 = time.perf_counter()
        nbclient.NotebookClient(nb, timeout=3600, kernel_name="python3", record_timing=False,
                                resources={"metadata": {"path": str(path.parent)}}).execute()
        seconds = time.perf_counter() - t0
    finally:
        os.environ.pop("MMKIT_QUICK", None)
        if env_quick is not None:
            os.environ["MMKIT_QUICK"] = env_quick
    clean(nb, quick, seconds)
    tmp = path.with_suffix(".ipynb.tmp")
    tmp.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--quick", action="store_true", help="the CI settings (MMKIT_QUICK=1) instead of the lesson's")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    LOCK.touch(exist_ok=True)
    with open(LOCK) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for path in paths:
            seconds = run(path.resolve(), args.quick)
            print(f"{path.name}: {seconds:.0f} s ({'quick' if args.quick else 'lesson'} settings), "
                  f"{path.stat().st_size / 1e3:.0f} kB", flush=True)


if __name__ == "__main__":
    sys.exit(main())
