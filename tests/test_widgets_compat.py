"""The magnifier widget displays under ipywidgets 8 (JupyterLab, Binder) and 7 (Colab's), whose widgets give no
``_repr_mimebundle_``: the kit accepts both (pyproject: ipywidgets>=7.6), so Colab keeps its own widget stack."""
from mmkit.data.samples import VibrationClip
from mmkit.widgets import Magnifier, build_widget


def widget():
    frames = VibrationClip(height=24, width=32, n_frames=6, radius=8).render()
    return build_widget(Magnifier(frames, 30.0, method="linear", alpha=5.0, low_hz=2.0, high_hz=3.0))


def test_the_widget_shows_its_box_and_names_its_session():
    ui = widget()
    bundle = ui._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ui.box.model_id
    assert bundle["text/plain"].startswith("MagnifierWidget for Magnifier(6 frames of 24x32")


def test_under_ipywidgets_7_the_box_is_shown_by_its_model_id(monkeypatch):
    ui = widget()

    class Box7:  # an ipywidgets 7 box: displayed through its model id, no _repr_mimebundle_
        model_id = ui.box.model_id

    monkeypatch.setattr(ui, "box", Box7())
    bundle = ui._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"] == {"version_major": 2, "version_minor": 0,
                                                                   "model_id": ui.box.model_id}
    assert bundle["text/plain"].startswith("MagnifierWidget for Magnifier(6 frames of 24x32")
