"""pytest set-up for the whole repository: notebooks run in quick mode under nbval."""
import os
import tempfile

# Set before nbval starts the notebook kernels, which inherit this environment (see mmkit.course).
os.environ.setdefault("MMKIT_QUICK", "1")
# Networks converted for OpenVINO (mmkit.openvino_runtime) go to a folder of this run, not the user's cache.
if "MMKIT_CACHE_DIR" not in os.environ:
    os.environ["MMKIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="mmkit-test-cache-")


def pytest_collectstart(collector):
    """Outputs that differ from run to run by construction are not compared (widget ids, HTML reprs)."""
    if getattr(collector, "fspath", None) is not None and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("text/html", "application/javascript", "application/vnd.jupyter.widget-view+json",
                                   "application/vnd.jupyter.widget-state+json")
