"""JupyterLab in headless Chromium, driven as a student would: the helpers of ``tests/test_browser.py``.

:class:`Lab` starts JupyterLab on 127.0.0.1 (token auth, its settings and workspaces in a temporary folder, the
app exposed to the page so that a test can run commands) on a copy of some notebooks. :class:`Student` opens a
notebook in Chromium (Debian's package, run by the Python ``playwright`` package: ``executable_path`` is the
system browser, so nothing is downloaded), runs every cell, and moves the widgets' controls, timing each move
from the action to the redraw of an image.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

#: What tells a student that a widget or a cell failed.
ERRORS = ("Error displaying widget", "Traceback", "Error:")


def chromium() -> str | None:
    """The system's Chromium (``apt-get install chromium``), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """JupyterLab serving ``folder`` on 127.0.0.1 with the kit's Python (and its environment, e.g.
    ``MMKIT_QUICK``); a context manager that stops it."""

    def __init__(self, folder: Path, env: dict | None = None) -> None:
        self.folder, self.port, self.token = folder, _free_port(), "mmkit-browser-test"
        private = folder.parent / "jupyter"
        cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={folder}",
               "--LabApp.expose_app_in_browser=True", f"--LabApp.user_settings_dir={private / 'settings'}",
               f"--LabApp.workspaces_dir={private / 'workspaces'}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        full_env = {**os.environ, **(env or {}), "JUPYTER_RUNTIME_DIR": str(private / "runtime")}
        self.log = open(folder.parent / "jupyterlab.log", "w")
        self.proc = subprocess.Popen(cmd, env=full_env, stdout=self.log, stderr=subprocess.STDOUT)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def wait(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: {self.tail()}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"JupyterLab did not start in {timeout:.0f} s: {self.tail()}")

    def tail(self) -> str:
        self.log.flush()
        return (self.folder.parent / "jupyterlab.log").read_text()[-3000:]

    def __enter__(self) -> "Lab":
        self.wait()
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


#: True when every code cell of the notebook on show has run and its kernel is idle.
_ALL_RAN = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  if (!nb || !nb.content || !nb.sessionContext) return false;
  const kernel = nb.sessionContext.session && nb.sessionContext.session.kernel;
  const code = nb.content.widgets.filter(c => c.model.type === 'code');
  return !!kernel && kernel.status === 'idle' && code.every(c => c.model.executionCount !== null);
}"""

#: The kernel of the notebook on show is ready (idle, its session started).
_KERNEL_IDLE = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const kernel = nb && nb.sessionContext && nb.sessionContext.session && nb.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}"""


@dataclass
class Timing:
    """One control move: what was done, and per watched image the seconds until it showed a new picture and
    whether its pixels changed."""

    action: str
    seconds: dict[str, float]
    pixels_changed: dict[str, bool]


@dataclass
class Student:
    """A Chromium page on a :class:`Lab`; ``timings`` collects every move's :class:`Timing`."""

    page: object
    lab: Lab
    timings: list[Timing] = field(default_factory=list)

    def open(self, notebook: str, timeout_s: float = 120.0) -> None:
        self.page.goto(self.lab.url(f"lab/tree/{notebook}"))
        self.page.wait_for_function("name => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
                                    " return !!w && !!w.content && w.context && w.context.path.endsWith(name); }",
                                    arg=notebook, timeout=timeout_s * 1000)   # its tab, not the one open before
        self.page.wait_for_function(_KERNEL_IDLE, timeout=timeout_s * 1000)

    def run_all(self, timeout_s: float) -> float:
        """Clear the stored outputs, run every cell; the seconds it took."""
        self.page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
        start = time.monotonic()
        self.page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        self.page.wait_for_function(_ALL_RAN, timeout=timeout_s * 1000, polling=500)
        return time.monotonic() - start

    def errors(self) -> list[str]:
        """The outputs that show an error (a traceback, a widget that failed to display)."""
        texts = self.page.locator(".jp-OutputArea-output").all_inner_texts()
        return [t[:300] for t in texts if any(e in t for e in ERRORS)]

    # -- controls ---------------------------------------------------------------------------------------
    def control(self, kind: str, label: str, within: object | None = None):
        """The widget of ``kind`` (``"slider"``, ``"dropdown"``) whose label is ``label``."""
        root = within or self.page
        box = {"slider": ".widget-slider", "dropdown": ".widget-dropdown"}[kind]
        found = root.locator(box).filter(has=self.page.locator(".widget-label", has_text=re.compile(
            rf"^\s*{re.escape(label)}\s*$")))
        found.first.wait_for(state="attached", timeout=30_000)
        found.first.scroll_into_view_if_needed()   # JupyterLab renders the cells in view only
        return found.first

    def set_slider(self, label: str, value: float, images: dict, within=None) -> Timing:
        """Type ``value`` into the slider's read-out and press Enter (what a student does for an exact value)."""
        readout = self.control("slider", label, within).locator(".widget-readout")
        readout.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(f"{value:g}")
        return self._timed(f"{label} -> {value:g}", images, lambda: self.page.keyboard.press("Enter"))

    def choose(self, label: str, option: str, images: dict, within=None) -> Timing:
        select = self.control("dropdown", label, within).locator("select")
        return self._timed(f"{label} -> {option}", images, lambda: select.select_option(label=option))

    def _timed(self, action: str, images: dict, act, timeout_s: float = 120.0) -> Timing:
        """Do ``act``; wait until each of ``images`` (name: <img> locator, found again each time, since an
        output may replace its element) shows a new picture; time each, and compare its pixels."""
        before = {name: _settled(image) for name, image in images.items()}
        start = time.monotonic()
        act()
        seconds: dict[str, float] = {}
        while len(seconds) < len(images):
            for name, image in images.items():
                if name not in seconds and image.get_attribute("src") not in (before[name][0], None) \
                        and image.evaluate("el => el.complete"):
                    seconds[name] = time.monotonic() - start
            if time.monotonic() - start > timeout_s:
                raise TimeoutError(f"{action}: {sorted(set(images) - set(seconds))} not redrawn in {timeout_s:.0f} s")
            time.sleep(0.02)
        changed = {name: _settled(image)[1] != before[name][1] for name, image in images.items()}
        t = Timing(action, seconds, changed)
        self.timings.append(t)
        return t

    def report(self) -> str:
        return "\n".join(f"  {t.action:<22}" + ", ".join(
            f"{name} {sec:.2f} s{'' if t.pixels_changed[name] else ' (same pixels)'}" for name, sec in t.seconds.items())
            for t in self.timings)


def _settled(image, timeout_s: float = 30.0) -> tuple[str | None, bytes]:
    """The ``src`` and a screenshot of ``image`` once both hold still: an output that is still drawing may replace
    its ``<img>`` between the two reads (Playwright's "not attached to the DOM"), so read again until the element
    is the same before and after its screenshot."""
    from playwright.sync_api import Error

    start = time.monotonic()
    while True:
        try:
            image.scroll_into_view_if_needed(timeout=5_000)
            src = image.get_attribute("src", timeout=5_000)
            png = image.screenshot(timeout=5_000)
            if image.get_attribute("src", timeout=5_000) == src:
                return src, png
        except Error:
            if time.monotonic() - start > timeout_s:
                raise
        if time.monotonic() - start > timeout_s:
            raise TimeoutError(f"an image kept changing for {timeout_s:.0f} s")
        time.sleep(0.2)


def copy_notebooks(names: list[str], source: Path, to: Path) -> list[str]:
    """Copy the notebooks whose file names start with ``names`` (e.g. ``"04"``) into ``to`` (JupyterLab's
    autosave writes into the files it opens); their file names."""
    to.mkdir(parents=True, exist_ok=True)
    out = []
    for prefix in names:
        (path,) = sorted(source.glob(f"{prefix}_*.ipynb"))
        shutil.copy(path, to / path.name)
        json.loads((to / path.name).read_text())   # a readable notebook
        out.append(path.name)
    return out
