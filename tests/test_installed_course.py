"""A Colab or Binder session, simulated: the kit built as a wheel and installed into a fresh virtual environment,
only the notebooks copied into an empty folder, and every lesson run there at the quick settings. A lesson that
reads a file of the source checkout (data/runs, ../shared) fails here, as it would on Colab.

The fresh environment borrows the test environment's third-party packages (torch, numpy, jupyter...) through a
path file, so that nothing is downloaded; the kit itself comes only from the wheel."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True, **kwargs)


def fresh_venv(folder: Path) -> Path:
    """A new virtual environment that borrows this one's third-party packages; its python."""
    run(sys.executable, "-m", "venv", "--without-pip", folder)
    python = folder / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    (site / "borrowed_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The python of a fresh venv with the kit installed from its wheel."""
    tmp = tmp_path_factory.mktemp("colab")
    src = tmp / "src"  # built from a copy: setuptools writes build/ and *.egg-info beside the sources it builds
    shutil.copytree(ROOT / "mmkit", src / "mmkit", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", tmp / "dist",
        src, cwd=tmp)
    wheel = next((tmp / "dist").glob("mmkit-*.whl"))
    python = fresh_venv(tmp / "venv")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", wheel)
    return python


def test_the_kit_comes_from_the_wheel_with_its_package_data(installed):
    out = run(installed, "-c", "import mmkit, mmkit.course as c; print(mmkit.__file__); "
              "print(c.course_file('light_proxy/checkpoint.pt').stat().st_size); "
              "print(mmkit.load_pretrained('light_no_lm').__class__.__name__)", cwd=installed.parent).stdout.split()
    assert not out[0].startswith(str(ROOT)) and "site-packages" in out[0]
    assert int(out[1]) > 100_000 and out[2] == "MagnificationNet"


def test_every_lesson_runs_from_a_folder_of_notebooks_alone(installed, tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        shutil.copy(nb, course)
    env = {**os.environ, "MMKIT_QUICK": "1", "PYTHONPATH": ""}
    result = subprocess.run([str(installed), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
                             "--nbval-lax", "--nbval-current-env", "--rootdir", str(course), str(course)],
                            cwd=course, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert not any(course.glob("*.ipynb.tmp"))


def test_colab_install_cell_adds_the_kit_and_keeps_what_is_there(installed, tmp_path):
    """The first cell's pip command, pointed at the wheel, in an environment that has the kit's requirements
    (as Colab has torch, numpy, matplotlib, ipywidgets): pip would install the kit and nothing else."""
    import json
    import shlex

    from mmkit.course import COLAB_INSTALL, REPO, SETUP_CELL

    assert f"!{COLAB_INSTALL}" in SETUP_CELL and f"git+https://github.com/{REPO}" in COLAB_INSTALL
    wheel = next(installed.parents[2].glob("dist/mmkit-*.whl"))   # venv/bin/python -> the folder of dist/
    args = [a if not a.startswith("mmkit @") else f"mmkit @ {wheel.as_uri()}" for a in shlex.split(COLAB_INSTALL)]
    assert args[:2] == ["pip", "install"]
    colab = fresh_venv(tmp_path / "colab")      # the requirements there, the kit not yet (as on Colab)
    run(sys.executable, "-m", "pip", "--python", colab, *args[1:], "--dry-run", "--no-index", "--report",
        tmp_path / "report.json")
    to_install = [item["metadata"]["name"] for item in json.loads((tmp_path / "report.json").read_text())["install"]]
    assert to_install == ["mmkit"]
