"""Channel animations draw what convlib computes: grouped reads and the two separable stages."""

from __future__ import annotations

import numpy as np
import pytest

import convlib
from convlib import plotting


@pytest.mark.parametrize("c_in, c_out, groups", [(8, 8, 2), (6, 12, 3), (4, 4, 4), (4, 8, 1)])
def test_grouped_diagram_highlights_exactly_the_inputs_each_output_reads(c_in, c_out, groups):
    diagram = plotting.GroupedConvDiagram(c_in, c_out, groups)
    animation = plotting.animate_diagram(diagram)
    assert len(list(animation.new_frame_seq())) == c_out
    for o in diagram.positions:
        diagram.show(o)
        # a one-hot weight through convlib's grouped convolution reveals which inputs o reads
        weight = np.ones((c_out, c_in // groups, 1, 1))
        reads = [
            c
            for c in range(c_in)
            if convlib.conv2d(np.eye(c_in)[c][:, None, None], weight, groups=groups)[o, 0, 0]
        ]
        assert diagram.highlighted == reads


def test_separable_diagram_shows_convlibs_depthwise_then_pointwise_outputs():
    image = np.random.default_rng(0).random((3, 10, 12))
    diagram = plotting.SeparableConvDiagram(image, out_channels=2, kernel_size=3, seed=1)
    assert diagram.positions == [("depthwise", 0), ("depthwise", 1), ("depthwise", 2)] + [
        ("pointwise", 0),
        ("pointwise", 1),
    ]
    expected = convlib.separable_conv(
        image, diagram.depthwise_weight, diagram.pointwise_weight, padding=1
    )
    for stage, index in diagram.positions:
        diagram.show((stage, index))
        if stage == "depthwise":
            single = convlib.conv2d(
                image[index : index + 1], diagram.depthwise_weight[index : index + 1], padding=1
            )
            assert np.allclose(diagram.shown, single[0])
        else:
            assert np.allclose(diagram.shown, expected[index])
    with pytest.raises(ValueError, match="image must be"):
        plotting.SeparableConvDiagram(image[0])
