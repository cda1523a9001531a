"""The course's lessons as a class meets them: each opens with badges, the one set-up cell and what the student
will be able to do; ends with what we saw and exercises; is short; keeps its plumbing out of sight; stores the
outputs of the lesson settings; and prints every number its prose quotes in a cell above the quote."""
from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pytest

from mmkit.course import REPO, SETUP_CELL, badges

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_NOTEBOOK_BYTES = 400_000   # a few small figures; no inlined video
MAX_OUTPUT_BYTES = 200_000     # one output: a figure, no more
MAX_WORDS = 1_500              # of markdown in one lesson
MIN_FIGURE_PX = 560            # 7 in at the course's 80 dpi: the style asks for 8 in, a tight box trims a little

#: Plumbing that stays out of a lesson's cells (mmkit.course.setup() does all of it).
PLUMBING = ("NBVAL", "%config", "compact_inline_figures", "MMKIT_QUICK", "bf16_is_fast", "settings()",
            "../shared", "data/runs", "set_matplotlib_formats")
#: Lab-journal words: run names, step counts, machines and history belong in docs/, not in a lesson's prose.
JOURNAL = (r"\bquick run\b", r"\bsessions? \d+", r"\d[\d,]*\s+(training\s+)?steps\b", r"\b(light|base)_\w*\d{4,}",
           r"_long\b", r"\b(H100|H200|EPYC|AVX\S*|AMX)\b", r"\bscripts/", r"\bcommitted\b")


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def text(cell: dict) -> str:
    return "".join(cell["source"])


def markdown_words(path: Path) -> int:
    """Words of prose: markdown cells less links' addresses and the badge line."""
    words = 0
    for cell in cells(path):
        if cell["cell_type"] == "markdown":
            words += len(re.sub(r"\]\([^)]*\)", "]", text(cell)).split())
    return words


def output_text(cell: dict) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            parts.append("".join(out["text"]))
        for mime in ("text/plain", "text/markdown"):
            if mime in out.get("data", {}):
                parts.append("".join(out["data"][mime]))
    return "\n".join(parts)


def prose(md: str) -> str:
    """Markdown less what is not prose: math, code spans, link addresses."""
    md = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", md, flags=re.S)
    md = re.sub(r"`[^`]*`", " ", md)
    return re.sub(r"\]\([^)]*\)", "]", md)


DECIMAL = re.compile(r"(?<![\w.,])(\d+\.\d+)(?![\w.]*\d)")
PERCENT = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?)\s?%")


def quoted_numbers_missing(path: Path) -> list[str]:
    """Decimals and percentages in a lesson's prose that no cell above prints (in its stored outputs) or sets
    (in its code), nor the code cell just below, whose settings the prose may announce."""
    missing, seen = [], []
    cs = cells(path)
    for i, cell in enumerate(cs):
        if cell["cell_type"] == "code":
            seen.append(text(cell))
            seen.append(output_text(cell))
            continue
        below = next((text(c) for c in cs[i + 1:] if c["cell_type"] == "code"), "")
        above = "\n".join(seen + [below])
        values = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", above)]
        md = prose(text(cell))
        for m in PERCENT.finditer(md):
            v = float(m.group(1))
            digits = len(m.group(1).split(".")[1]) if "." in m.group(1) else 0
            if m.group(1) not in above and not any(round(100 * x, digits) == v or round(x, digits) == v
                                                    for x in values):
                missing.append(f"cell {i}: {m.group(0)!r}")
        for m in DECIMAL.finditer(PERCENT.sub(" ", md)):
            if m.group(1) not in above:
                missing.append(f"cell {i}: {m.group(1)!r}")
    return missing


def images(path: Path):
    from PIL import Image
    for i, cell in enumerate(cells(path)):
        for out in cell.get("outputs", []):
            for mime in ("image/png", "image/jpeg"):
                if mime in out.get("data", {}):
                    yield i, Image.open(io.BytesIO(base64.b64decode(out["data"][mime])))


def test_there_are_the_seven_lessons():
    assert [p.stem[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(7)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_lesson_opens_with_badges_setup_and_goals(path):
    cs = cells(path)
    first_md = text(cs[0])
    assert cs[0]["cell_type"] == "markdown" and first_md.startswith("# ")
    assert badges(path.stem) in first_md
    assert "able to" in first_md and re.search(r"\d+ minutes", first_md), "say what the student will do, and how long"
    assert len(re.findall(r"^[-*] ", first_md, flags=re.M)) >= 3, "three goals as bullets"
    code = [c for c in cs if c["cell_type"] == "code"]
    assert text(code[0]) == SETUP_CELL


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_lesson_ends_with_what_we_saw_and_exercises(path):
    tail = "\n".join(text(c) for c in cells(path)[-4:] if c["cell_type"] == "markdown")
    assert re.search(r"^## What we saw", tail, flags=re.M), "end with '## What we saw'"
    assert re.search(r"^##+ Exercises?", tail, flags=re.M), "end with one or two exercises"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_lesson_is_short(path):
    assert markdown_words(path) <= MAX_WORDS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_plumbing_and_lab_journal_stay_out_of_sight(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for i, cell in enumerate(nb["cells"]):
        src = text(cell) if i else text(cell).replace(badges(path.stem), "")
        if cell["cell_type"] == "code" and src == SETUP_CELL:
            continue
        for word in PLUMBING:
            assert word not in src, f"cell {i}: {word!r}"
        assert set(cell.get("metadata", {})) <= {"tags"}, f"cell {i}: metadata other than tags"
        if cell["cell_type"] == "markdown":
            for pattern in JOURNAL:
                assert not re.search(pattern, prose(src), flags=re.I), f"cell {i}: {pattern!r} in the prose"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_numbers_in_the_prose_are_printed_above(path):
    assert quoted_numbers_missing(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_outputs_come_from_the_lesson_settings(path):
    meta = json.loads(path.read_text())["metadata"].get("mmkit", {})
    assert meta.get("settings") == "lesson", "store outputs with scripts/run_notebooks.py (lesson settings)"
    assert meta.get("run_seconds", 1e9) <= 5 * 60, "at most 5 minutes of compute at the lesson settings"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_outputs_are_small_clean_and_readable(path):
    nb = json.loads(path.read_text())
    assert path.stat().st_size < MAX_NOTEBOOK_BYTES
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{path.name} was stored with an error"
            assert len(json.dumps(out)) < MAX_OUTPUT_BYTES
            assert "cannot run" not in output_text(cell)
    for i, img in images(path):
        assert img.width >= MIN_FIGURE_PX, f"cell {i}: a figure {img.width} px wide"


def test_quoted_numbers_check_finds_a_number_not_printed(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": ["print(0.25)"], "metadata": {},
                     "outputs": [{"output_type": "stream", "name": "stdout", "text": ["0.25 and 0.303\n"]}]},
                    {"cell_type": "markdown", "metadata": {},
                     "source": ["0.25 is printed, so is 30 %; 0.77 is not, nor 12 %; `0.99` and $0.5$ are code."]}],
          "metadata": {}}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    assert quoted_numbers_missing(path) == ["cell 1: '12 %'", "cell 1: '0.77'"]


def test_readme_links_every_notebook_on_binder_and_colab():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        assert badges(path.stem) in readme, path.stem
    assert f"github.com/{REPO}" in SETUP_CELL


def test_binder_environment_pins_the_cpu_torch_and_the_fixed_choices():
    env = (ROOT / "environment.yml").read_text()
    assert "python=3.11" in env and "torch==2.13.0" in env and "whl/cpu" in env
    for package in ("numpy", "matplotlib", "ipywidgets", "jupyterlab", "imageio-ffmpeg", "nbval"):
        assert package in env, package
    assert "torchvision" not in env.replace("torchvision is not used", "")
    assert "pip install" in (ROOT / "postBuild").read_text()


def test_binder_installs_every_requirement_of_the_kit_and_the_kit_alone():
    """postBuild installs the kit without its dependencies (conda has them from environment.yml): so every
    requirement in pyproject.toml must be in environment.yml, and postBuild must install nothing else."""
    import re
    import tomllib

    env = (ROOT / "environment.yml").read_text()
    listed = {re.split(r"[<>=!\s]", line.strip()[2:].strip())[0].lower()
              for line in env.splitlines() if line.strip().startswith("- ") and not line.strip()[2:].startswith("-")}
    required = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    missing = [r for r in required if re.split(r"[<>=!\s\[]", r)[0].lower() not in listed]
    assert missing == [], f"environment.yml lacks {missing}"
    commands = [line for line in (ROOT / "postBuild").read_text().splitlines()
                if line.strip() and not line.startswith("#") and line.strip() != "set -e"]
    assert commands == ["pip install --no-deps -e ."]


def test_course_data_is_the_committed_runs_files():
    """The package's copies of the score files and the proxy's log are the files the repo's commands wrote, and
    the course's proxy checkpoint is that run's last step (data/runs keeps the run's records, not its
    checkpoint: `git checkout a811fe1 -- data/runs/light_proxy/checkpoint.pt` restores it)."""
    from mmkit.checkpoints import load_checkpoint
    from mmkit.course import course_file
    from mmkit.errors import MMKitError
    from mmkit.plots import read_loss_log
    runs = ROOT / "data" / "runs"
    for name in ("evaluation.txt", "paired_lm.txt", "paired_lm_sweep.txt", "noise_paths.txt"):
        assert course_file(name).read_text() == (runs / name).read_text(), name
    for name in ("config.json", "loss_log.csv"):
        assert (course_file("light_proxy") / name).read_text() == (runs / "light_proxy" / name).read_text()
    ours = load_checkpoint(course_file("light_proxy") / "checkpoint.pt")
    assert ours["optimizer"] is None
    assert ours["step"] == int(read_loss_log(runs / "light_proxy")["step"][-1])
    config = json.loads((runs / "light_proxy" / "config.json").read_text())
    assert {**ours["train_config"], "world_size": ours.get("world_size", 1)} == config
    with pytest.raises(MMKitError, match="no file 'nope'"):
        course_file("nope")


def test_course_readme_gives_each_lessons_recorded_compute_time():
    """notebooks/README.md's times are the ones scripts/run_notebooks.py recorded when it stored the outputs."""
    readme = (ROOT / "notebooks" / "README.md").read_text()
    for path in NOTEBOOKS:
        seconds = json.loads(path.read_text())["metadata"]["mmkit"]["run_seconds"]
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{path.stem}`"))
        assert row.rstrip(" |").endswith(f"| {seconds} s"), (path.stem, row[-30:])
