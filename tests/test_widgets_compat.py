"""The magnifier widget displays under ipywidgets 8 (JupyterLab, Binder) and 7 (Colab's), whose widgets give no
``_repr_mimebundle_``: the kit accepts both (pyproject: ipywidgets>=7.6), so Colab keeps its own widget stack.
Beside the view, each bundle has what a stored notebook can show without a kernel: the magnifier a picture of
what it shows, the upload panel a line saying what to do."""
import base64
import io

import numpy as np
import pytest
from PIL import Image

from mmkit.data.samples import VibrationClip
from mmkit.upload import UploadPanel
from mmkit.widgets import Magnifier, build_widget

VIEW = "application/vnd.jupyter.widget-view+json"


def widget():
    frames = VibrationClip(height=24, width=32, n_frames=12, radius=8).render()   # 2.5 Hz bins: the band holds one
    return build_widget(Magnifier(frames, 30.0, method="linear", alpha=5.0, low_hz=2.0, high_hz=3.0))


def test_the_widget_shows_its_box_and_names_its_session():
    ui = widget()
    bundle = ui._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ui.box.model_id
    assert bundle["text/plain"].startswith("MagnifierWidget for Magnifier(12 frames of 24x32")


def test_under_ipywidgets_7_the_box_is_shown_by_its_model_id(monkeypatch):
    ui = widget()

    class Box7:  # an ipywidgets 7 box: displayed through its model id, no _repr_mimebundle_
        model_id = ui.box.model_id

    monkeypatch.setattr(ui, "box", Box7())
    bundle = ui._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"] == {"version_major": 2, "version_minor": 0,
                                                                   "model_id": ui.box.model_id}
    assert bundle["text/plain"].startswith("MagnifierWidget for Magnifier(12 frames of 24x32")


class Box7:
    """An ipywidgets 7 box: displayed through its model id, no _repr_mimebundle_."""

    def __init__(self, model_id):
        self.model_id = model_id


def picture(bundle):
    return Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))


@pytest.mark.parametrize("version", [8, 7])
def test_the_widget_bundle_has_a_picture_of_its_view(monkeypatch, version):
    ui = widget()
    if version == 7:
        monkeypatch.setattr(ui, "box", Box7(ui.box.model_id))
    bundle = ui._repr_mimebundle_()
    assert VIEW in bundle and bundle["text/plain"].startswith("MagnifierWidget for")
    image = picture(bundle)
    image.load()                                  # decodes
    assert image.format == "PNG" and image.width >= 560
    # the input and magnified frames are in it: a picture, not a blank
    assert np.asarray(image.convert("L")).std() > 10


def test_the_picture_follows_the_sliders():
    ui = widget()
    before = ui._repr_mimebundle_()["image/png"]
    ui.alpha.value = 40.0
    assert ui._repr_mimebundle_()["image/png"] != before


def test_the_upload_panel_says_what_to_do_without_a_kernel(monkeypatch):
    panel = UploadPanel()
    bundle = panel._repr_mimebundle_()
    assert bundle[VIEW]["model_id"] == panel.box.model_id
    assert bundle["text/plain"].startswith("UploadPanel")
    assert "short clip" in bundle["text/html"] and "running kernel" in bundle["text/html"]
    monkeypatch.setattr(panel, "box", Box7(panel.box.model_id))      # ipywidgets 7 (Colab's)
    bundle = panel._repr_mimebundle_()
    assert bundle[VIEW] == {"version_major": 2, "version_minor": 0, "model_id": panel.box.model_id}
    assert "running kernel" in bundle["text/html"]
