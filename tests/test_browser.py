"""The course's widgets in a real browser: JupyterLab in headless Chromium, notebooks 00 and 04 run as a student
runs them ("Run all"), then their controls moved; each move must redraw its image (new pixels), and no output may
show a traceback or "Error displaying widget". The seconds from each move to its redraw are printed (no
threshold: ``python -m mmkit.bench.widget_speed`` measures the widget's own times).

Needs Debian's ``chromium`` (``.ci/run`` installs it where missing) and pip's ``playwright`` (a dev dependency);
quick settings (``MMKIT_QUICK=1``), so that both notebooks run in about a minute each.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from browser import Lab, Student, chromium, copy_notebooks

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

#: ``quick`` (CI); ``MMKIT_BROWSER_SETTINGS=lesson`` runs the learner's settings (about 5 minutes more).
SETTINGS = os.environ.get("MMKIT_BROWSER_SETTINGS", "quick")

pytestmark = pytest.mark.skipif(chromium() is None, reason="no chromium: apt-get install chromium (.ci/run does)")


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    root = tmp_path_factory.mktemp("browser")
    copy_notebooks(["00", "04"], NOTEBOOKS, root / "notebooks")
    with Lab(root / "notebooks", env={"MMKIT_QUICK": "0" if SETTINGS == "lesson" else "1"}) as lab, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            yield Student(page, lab)
        finally:
            browser.close()


def test_notebook_00_sliders_redraw_the_plot(student):
    name = next(p.name for p in NOTEBOOKS.glob("00_*.ipynb"))
    student.open(name)
    seconds = student.run_all(timeout_s=600)
    assert student.errors() == []
    box = student.page.locator(".widget-interact").first
    plot = {"plot": box.locator(".jp-OutputArea-output img").first}
    moves = [student.set_slider("α", 60, plot, within=box), student.set_slider("δ (px)", 0.6, plot, within=box)]
    print(f"\nnotebook 00 in Chromium ({SETTINGS} settings): Run all {seconds:.1f} s; move -> redraw:\n"
          f"{student.report()}")
    assert all(all(m.pixels_changed.values()) for m in moves)
    assert student.errors() == []


def test_notebook_04_widget_answers_every_control(student):
    student.timings.clear()
    name = next(p.name for p in NOTEBOOKS.glob("04_*.ipynb"))
    student.open(name)
    seconds = student.run_all(timeout_s=600)
    assert student.errors() == []
    page = student.page
    widget = (page.locator(".widget-vbox").filter(has=page.locator("img.widget-image"))
              .filter(has=page.locator(".widget-dropdown")).first)               # the MagnifierWidget's box
    frame_img, slice_img = (widget.locator("img.widget-image").nth(i) for i in (0, 1))
    both, frame_only = {"frame": frame_img, "slice": slice_img}, {"frame": frame_img}
    status = widget.locator(".widget-html").last

    def settled():   # the exact slice drawn: time each move on its own, not behind the one before
        page.wait_for_function("el => !el.innerText.includes('computing')", arg=status.element_handle(),
                               timeout=300_000)

    moves, settle = [], True
    for act in (lambda: student.set_slider("alpha", 45, both, within=widget),
                lambda: student.choose("method", "base", both, within=widget),
                lambda: student.choose("mode", "dynamic", both, within=widget),
                lambda: student.set_slider("alpha", 30, both, within=widget),
                None,   # no settling: the next move comes while the exact slice may still be rendered
                lambda: student.set_slider("alpha", 35, both, within=widget),
                lambda: student.set_slider("frame", 5, frame_only, within=widget),
                lambda: student.set_slider("slice row", 20, both, within=widget),
                lambda: student.choose("method", "phase", both, within=widget),
                lambda: student.set_slider("alpha", 20, both, within=widget)):
        if act is not None:
            if settle:
                settled()
            moves.append(act())
        settle = act is not None
    settled()
    print(f"\nnotebook 04 in Chromium ({SETTINGS} settings): Run all {seconds:.1f} s; move -> redraw "
          f"(the slice: its preview for a network):\n{student.report()}\n  last status: {status.inner_text()}")
    assert [m.action for m in moves if not all(m.pixels_changed.values())] == []
    assert student.errors() == []
