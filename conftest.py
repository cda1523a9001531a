"""pytest set-up for the whole repository: notebooks run in quick mode under nbval."""
import os

# Set before nbval starts the notebook kernels, which inherit this environment (see mmkit.course).
os.environ.setdefault("MMKIT_QUICK", "1")


def pytest_collectstart(collector):
    """Outputs that differ from run to run by construction are not compared (widget ids, HTML reprs)."""
    if getattr(collector, "fspath", None) is not None and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("text/html", "application/javascript", "application/vnd.jupyter.widget-view+json",
                                   "application/vnd.jupyter.widget-state+json")
