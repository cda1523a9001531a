"""The README is a front door and docs/ pages are about one thing each: short, and every relative link works."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: a markdown link or image: [text](target) / ![alt](target); the target up to a space or ")"
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def test_docs_has_the_four_pages():
    assert {p.name for p in PAGES} >= {"README.md", "training.md", "findings.md", "benchmarks.md", "design.md"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_is_short(page):
    limit = 200 if page.name == "README.md" and page.parent == ROOT else 300
    assert len(page.read_text().splitlines()) <= limit


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_point_at_files_in_the_repository(page):
    for target in LINK.findall(page.read_text()):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        assert path.exists(), f"{page.name}: {target}"
        assert path.is_relative_to(ROOT), f"{page.name}: {target} is outside the repository"


def test_design_md_module_map_names_every_module():
    """docs/design.md says what lives where: every module and subpackage of mmkit is in its map."""
    design = (ROOT / "docs" / "design.md").read_text()
    package = ROOT / "mmkit"
    names = [f"mmkit/{p.name}" for p in package.glob("*.py") if p.stem not in ("__init__", "__main__")]
    names += [f"mmkit/{p.name}/" for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"]
    missing = [n for n in sorted(names) if f"`{n}`" not in design]
    assert missing == [], f"docs/design.md's module map lacks {missing}"
