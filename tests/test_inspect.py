"""Looking inside the networks (mmkit.models.inspect): traced shapes and costs, the measured receptive field."""
import numpy as np
import pytest
import torch
from torch import nn

from mmkit.models import MagnificationNet, ModelConfig, build_model, complexity, count_macs, count_params
from mmkit.models.inspect import (
    ReceptiveField,
    chain_receptive_field,
    encode_share,
    format_layers,
    format_table1,
    network_receptive_field,
    receptive_field,
    receptive_field_by_stage,
    stage_diagram,
    table1_rows,
    trace_layers,
)

SMALL = ModelConfig(channels=2, encoder_blocks=1, manipulator_blocks=1, decoder_blocks=1, decoder_full_blocks=1)


# -- receptive field of known conv stacks ------------------------------------------------------------------

@pytest.mark.parametrize("layers, expected", [
    ([nn.Conv2d(1, 1, 3)], 3),
    ([nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 3)], 5),
    ([nn.Conv2d(1, 1, 5), nn.Conv2d(1, 1, 3)], 7),
    ([nn.Conv2d(1, 1, 3, dilation=2)], 5),
    ([nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 3, stride=2), nn.Conv2d(1, 1, 3)], 9),   # 1+2+2+2*2
    ([nn.Conv2d(1, 1, 3), nn.MaxPool2d(2), nn.Conv2d(1, 1, 3)], 8),                 # 1+2+1+2*2
    ([nn.Conv2d(1, 1, 3), nn.AvgPool2d(2), nn.Conv2d(1, 1, 3), nn.AvgPool2d(2), nn.Conv2d(1, 1, 3)], 18),
])
def test_measured_receptive_field_of_known_stacks(layers, expected):
    torch.manual_seed(0)
    stack = nn.Sequential(*layers)   # float32; receptive_field casts a module to float64
    for layer in stack:              # the layers were made at import, with whatever RNG state: fix their weights
        if isinstance(layer, nn.Conv2d):
            layer.reset_parameters()
    # a max-pool passes each input's gradient to one element per window: enough inputs to reach every element
    rf = receptive_field(stack, (1, 1, 48, 48), pixel=(4, 4), n_inputs=8)
    assert (rf.height, rf.width) == (expected, expected)
    assert rf.gradient.shape == (48, 48)
    assert rf.gradient[rf.top:rf.bottom + 1, rf.left:rf.right + 1].sum() == pytest.approx(rf.gradient.sum())


def test_measured_receptive_field_position_with_padding():
    """A padded 3x3 then 5x5 conv: output pixel (y, x) sees input rows y-3..y+3 and columns x-3..x+3."""
    torch.manual_seed(0)
    stack = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ELU(), nn.Conv2d(4, 3, 5, padding=2)).double()
    rf = receptive_field(stack, (1, 2, 30, 40), pixel=(12, 20))
    assert (rf.top, rf.bottom, rf.left, rf.right) == (9, 15, 17, 23)
    centre = receptive_field(stack, (1, 2, 30, 40))   # default: the centre of the output
    assert centre.pixel == (15, 20)


def test_receptive_field_is_cut_by_the_border():
    stack = nn.Sequential(nn.Conv2d(1, 1, 5, padding=2)).double()
    rf = receptive_field(stack, (1, 1, 10, 10), pixel=(0, 0))
    assert (rf.top, rf.bottom, rf.left, rf.right) == (0, 2, 0, 2)


def test_an_output_that_ignores_its_input_is_an_error():
    with pytest.raises(ValueError, match="does not depend"):
        receptive_field(lambda x: 0 * x, (1, 1, 4, 4))
    with pytest.raises(ValueError, match="does not depend"):
        receptive_field(lambda x: torch.ones(1, 1, 4, 4, dtype=x.dtype, requires_grad=True), (1, 1, 4, 4))


@pytest.mark.parametrize("chain, expected", [
    ([(3, 1)] * 5, (11, 1)),
    ([(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)], (18, 4)),
    ([(3, 1), (2, 2), (3, 1), (1, 0.5), (3, 1)], (10, 1)),
])
def test_chain_receptive_field(chain, expected):
    assert chain_receptive_field(chain) == expected


def test_effective_size():
    g = np.zeros((11, 11))
    g[5, 5] = 1.0
    assert ReceptiveField((5, 5), 5, 5, 5, 5, g).effective_size() == 1
    g = np.ones((11, 11))
    assert ReceptiveField((5, 5), 0, 10, 0, 10, g).effective_size(0.9) == 11   # 9x9 holds 81/121 < 0.9
    assert ReceptiveField((5, 5), 0, 10, 0, 10, g).effective_size(0.5) == 9    # 7x7 holds 49/121 < 0.5


def test_falloff_is_the_strongest_gradient_at_each_distance():
    g = np.zeros((21, 21))
    g[10, 10], g[10, 13], g[6, 10], g[10, 6], g[13, 15] = 8.0, 2.0, 1.0, 0.5, 4.0   # distances 0, 3, 4, 4, 5
    g[14, 14] = 3.0   # a corner: 4 rows and 4 columns away is distance 4 (the larger offset), not 5.7
    rf = ReceptiveField((10, 10), 6, 13, 6, 14, g)
    assert rf.falloff(0) == 1.0 and isinstance(rf.falloff(3), float)
    np.testing.assert_allclose(rf.falloff([0, 1, 3, 4, 5]), [1.0, 0.0, 0.25, 0.375, 0.5])   # the largest at 4
    assert rf.falloff(100) == 0.0                                    # farther than any input pixel
    g[1, 1] = 16.0                                                   # relative to the maximum, not the centre
    assert rf.falloff(0) == 0.5


# -- the paper's network -------------------------------------------------------------------------------------

def test_receptive_field_by_stage_of_the_light_model():
    stages = dict(receptive_field_by_stage(ModelConfig.light()))
    assert stages == {"encoder level 1": 11, "max-pool 2x2": 12, "encoder level 2": 32, "manipulator": 64,
                      "decoder, half resolution": 148, "up-sampling": 148, "decoder, full resolution": 162,
                      "output head (1x1)": 162}
    # width does not change it, depth does
    assert receptive_field_by_stage(ModelConfig.base())[-1][1] == 162
    # 1 + level 1 (3 convs) + pool + 2 x (level 2: 3, manipulator: 4, decoder: 3 convs) + full resolution (3 convs)
    assert receptive_field_by_stage(SMALL)[-1][1] == 1 + 2 * 3 + 1 + 2 * 2 * (3 + 4 + 3) + 2 * 3 == 54


def test_measured_receptive_field_of_a_small_network_equals_the_layer_graph():
    torch.manual_seed(0)
    net = MagnificationNet(SMALL)
    rf = network_receptive_field(net, size=64, pixel=(30, 31))
    expected = receptive_field_by_stage(SMALL)[-1][1]
    assert (rf.height, rf.width) == (expected, expected)


def test_measured_receptive_field_of_the_light_model_is_162_pixels():
    torch.manual_seed(0)
    rf = network_receptive_field(build_model("light"), size=192)
    assert rf.pixel == (96, 96)
    assert (rf.top, rf.bottom, rf.left, rf.right) == (15, 176, 15, 176)   # 81 above / left, 80 below / right
    assert rf.height == rf.width == receptive_field_by_stage(ModelConfig.light())[-1][1] == 162
    assert rf.effective_size(0.9) < 81   # most of the influence is near the pixel
    # untrained weights: the strongest pixel 60 px away counts less than a billionth; none beyond the corners
    assert rf.falloff(0) > 0.01 and rf.falloff(60) < 1e-9 and rf.falloff(120) == 0.0


def test_trace_layers_shapes_params_and_macs_add_up():
    net = build_model("light")
    rows = trace_layers(net, 720, 720, depth=2)
    top = [r for r in rows if r.depth == 1]
    assert [r.name for r in top] == ["encoder", "manipulator", "decoder"]
    assert sum(r.macs for r in top) == complexity(net, 720, 720).macs
    # the appearance head is the only part inference does not run
    assert sum(r.params for r in top) + count_params(net.appearance_head) == count_params(net)
    shapes = {r.name: r.shape for r in rows}
    assert shapes["encoder.level1_a"] == (1, 8, 720, 720)
    assert shapes["encoder.level2_b"] == (1, 16, 360, 360)
    assert shapes["decoder.up"] == (1, 8, 720, 720)
    assert shapes["decoder.head"] == (1, 3, 720, 720)
    # each parent's MACs are its children's
    for parent in top:
        children = [r for r in rows if r.name.startswith(parent.name + ".")]
        assert sum(r.macs for r in children) == parent.macs
    # the first layer, by hand: 720 * 720 outputs x 8 channels x (6 x 3 x 3) weights, plus 2 ResBlocks of 8 -> 8
    assert rows[1].name == "encoder.level1_a" and rows[1].macs == 720 * 720 * 8 * (6 * 9 + 4 * 8 * 9)


def test_trace_layers_pads_odd_sizes_and_leaves_the_model_alone():
    net = build_model("light")
    before = next(net.parameters()).device
    rows = {r.name: r.shape for r in trace_layers(net, 33, 47, depth=1)}
    assert rows["encoder"] == (1, 16, 17, 24)
    assert rows["decoder"] == (1, 3, 34, 48)   # cropped back to 33 x 47 after the decoder
    assert next(net.parameters()).device == before


def test_tied_encoder_branch_is_traced_once_per_call():
    rows = trace_layers(MagnificationNet(ModelConfig(tied_encoder=True)), 32, 32, depth=2)
    assert [r.name for r in rows if r.name.startswith("encoder.level1")] == ["encoder.level1_a"] * 2


def test_format_layers_and_stage_diagram():
    net = build_model("base")
    table = format_layers(trace_layers(net, 720, 720))
    assert "  blocks_half" in table and "(1, 48, 360, 360)" in table
    diagram = stage_diagram(net, 720, 720)
    assert "(1, 24, 360, 360) each" in diagram          # after the max-pool
    assert "conv3x3 + 10 ResBlocks (half resolution)" in diagram
    last = diagram.splitlines()[-1]
    assert last.startswith("     conv1x1, tanh") and last.endswith("(1, 3, 720, 720)")


def test_encode_share_is_the_encoders_part_of_the_macs():
    net = build_model("light")
    x = torch.empty(1, 3, 96, 96, device="meta")
    encoder_macs = count_macs(net, lambda m, d: m.encode(x.to(d), x.to(d)))
    assert encode_share(net, 96, 96) == pytest.approx(encoder_macs / complexity(net, 96, 96).macs)
    assert encode_share(net) == pytest.approx(0.4032, abs=1e-4)


def test_table1_rows():
    rows = table1_rows()
    by = {r["model"]: r for r in rows}
    assert by["light"]["params"] == count_params(build_model("light")) == 112_318
    assert by["base"]["gflops"] == pytest.approx(complexity(build_model("base")).gflops)
    assert by["oh2018"]["paper_gflops"] == 268.6
    text = format_table1(rows)
    assert "light      112,318   0.12M   0.94     36.3    42.4   0.86" in text
