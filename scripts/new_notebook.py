"""Start a course notebook with the parts every lesson shares: title, badges, goals, the set-up cell, the ending.

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
    nbf.v4.new_markdown_cell(f"# {title}\n\n{badges(name)}\n\nIn about 20 minutes you will be able to:\n\n- ...\n- ...\n- ..."),
    nbf.v4.new_code_cell(SETUP_CELL),
    nbf.v4.new_markdown_cell("## What we saw\n\n- ..."),
    nbf.v4.new_markdown_cell("## Exercises\n\n1. ..."),
]
nbf.write(nb, path)
print(path)
