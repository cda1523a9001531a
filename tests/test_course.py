"""The course's shared parts: every notebook opens with its Binder and Colab badges and the Colab set-up cell,
reads its sizes from mmkit.course.settings(), and keeps its stored outputs small; the README links them all."""
import json
from pathlib import Path

import pytest

from mmkit.course import REPO, SETUP_CELL, badges

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_NOTEBOOK_BYTES = 400_000   # a few small figures; no inlined video
MAX_OUTPUT_BYTES = 200_000     # one output: a figure, no more


def test_there_are_the_seven_lessons():
    assert [p.stem[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(7)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_opens_with_badges_setup_cell_and_settings(path):
    cells = json.loads(path.read_text())["cells"]
    first_md = "".join(cells[0]["source"])
    assert cells[0]["cell_type"] == "markdown" and first_md.startswith("# ")
    assert badges(path.stem) in first_md
    code = [c for c in cells if c["cell_type"] == "code"]
    assert "".join(code[0]["source"]) == SETUP_CELL
    assert any("settings()" in "".join(c["source"]) for c in code[:3])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_outputs_are_small_and_clean(path):
    nb = json.loads(path.read_text())
    assert path.stat().st_size < MAX_NOTEBOOK_BYTES
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{path.name} was stored with an error"
            assert len(json.dumps(out)) < MAX_OUTPUT_BYTES
            assert not any(k.startswith("video/") for k in out.get("data", {}))


def test_readme_links_every_notebook_on_binder_and_colab():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        assert badges(path.stem) in readme, path.stem
    assert f"github.com/{REPO}" in SETUP_CELL


def test_binder_environment_pins_the_cpu_torch_and_the_fixed_choices():
    env = (ROOT / "environment.yml").read_text()
    assert "python=3.11" in env and "torch==2.13.0" in env and "whl/cpu" in env
    for package in ("numpy", "matplotlib", "ipywidgets", "jupyterlab", "moviepy", "imageio-ffmpeg", "nbval"):
        assert package in env, package
    assert "torchvision" not in env.replace("torchvision is not used", "")
    assert "pip install" in (ROOT / "postBuild").read_text()
