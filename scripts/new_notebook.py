"""Start a course notebook with the parts every notebook shares: title, badges, set-up cell, settings.

    python scripts/new_notebook.py 03_feature_differences "Feature differences"
"""
import sys
from pathlib import Path

import nbformat as nbf

from mmkit.course import SETUP_CELL, badges

name, title = sys.argv[1], sys.argv[2]
path = Path(__file__).resolve().parents[1] / "notebooks" / f"{name}.ipynb"
if path.exists():
    raise SystemExit(f"{path} exists")
nb = nbf.v4.new_notebook()
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nb.cells = [
    nbf.v4.new_markdown_cell(f"# {title}\n\n{badges(name)}"),
    nbf.v4.new_code_cell(SETUP_CELL),
    nbf.v4.new_markdown_cell("Sizes and step counts come from one place, `mmkit.course.settings()`: small on CI "
                             "(`MMKIT_QUICK=1`), lesson-sized otherwise."),
    nbf.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nfrom mmkit.course import settings, where\n\nS = settings()\nprint(where())"),
]
nbf.write(nb, path)
print(path)
