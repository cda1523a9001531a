"""The README's picture (docs/demo_slice.png): `make demo`'s slice figure, 1024 px wide, 256 colours.

    .venv/bin/python scripts/demo_figure.py
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from PIL import Image

from mmkit.demo import run_demo

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        figure = run_demo(out_dir=tmp)["slice"]
        im = Image.open(figure).convert("RGB")
        im = im.resize((1024, round(im.height * 1024 / im.width)), Image.LANCZOS)
        out = ROOT / "docs" / "demo_slice.png"
        im.quantize(256).save(out, optimize=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
