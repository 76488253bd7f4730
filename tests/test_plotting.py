"""The pictures agree with the maths: highlighted cells are what the reference reads, animations
have one frame per output position, overlap counts are convlib's."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import convlib
from convlib import plotting, reference

matplotlib.use("Agg")


@st.composite
def diagram_settings(draw):
    nd = draw(st.sampled_from([1, 2]))
    size = tuple(draw(st.integers(1, 7)) for _ in range(nd))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    padding = draw(st.one_of(st.sampled_from(["same", "valid"]), st.integers(0, 2)))
    stride = (1,) * nd if padding == "same" else tuple(draw(st.integers(1, 3)) for _ in range(nd))
    try:
        out = convlib.conv_output_size(size, kernel, stride, padding, dilation)
    except ValueError:
        out = None
    return size, kernel, stride, padding, dilation, out


@given(diagram_settings(), st.data())
def test_highlighted_cells_are_exactly_what_the_reference_reads(settings, data):
    size, kernel, stride, padding, dilation, out = settings
    assume(out is not None)
    position = tuple(data.draw(st.integers(0, o - 1)) for o in out)
    inside, padding_cells = plotting.highlighted_cells(
        size, kernel, stride, padding, dilation, position
    )
    assert inside == reference.windows_read(position, size, kernel, stride, padding, dilation)
    for cell in padding_cells:
        assert any(c < 0 or c >= n for c, n in zip(cell, size, strict=True))
    assert len(inside) + len(padding_cells) == int(np.prod(kernel))


@pytest.mark.parametrize(
    "size,kernel,stride,padding,dilation",
    [
        (5, 3, 1, 0, 1),
        (5, 3, 2, 1, 1),
        (6, 3, 2, 1, 1),
        ((7,), 3, 1, "same", 2),
        (4, 4, 1, "same", 1),
    ],
)
def test_animation_has_one_frame_per_output_position(size, kernel, stride, padding, dilation):
    animation = plotting.animate_conv(size, kernel, stride, padding, dilation)
    sizes = convlib.conv_output_size(
        (size,) if isinstance(size, int) else size, kernel, stride, padding, dilation
    )
    expected = int(np.prod(sizes)) if not isinstance(size, int) else sizes[0] ** 2
    assert len(list(animation.new_frame_seq())) == expected
    html = plotting.to_html(animation)
    assert 'alt="Animation: input' in html and 'aria-label="Frame"' in html


@pytest.mark.parametrize(
    "size,kernel,stride,padding", [(3, 3, 2, 0), (4, 4, 2, 1), (3, 2, 3, 0), ((5,), 3, 2, 1)]
)
def test_scatter_view_overlaps_equal_the_stamps_counted_cell_by_cell(size, kernel, stride, padding):
    diagram = plotting.draw_transposed_scatter(size, kernel, stride, padding)
    counts = np.zeros(diagram.out, dtype=int)
    for position in diagram.positions:
        for cell in diagram.stamp(position):
            counts[cell] += 1
    np.testing.assert_array_equal(counts, diagram.counts)
    assert len(list(plotting.animate_diagram(diagram).new_frame_seq())) == len(diagram.positions)


@pytest.mark.parametrize(
    "size,kernel,stride,padding,output_padding",
    [(2, 3, 2, 0, 0), (3, 3, 2, 1, 1), ((4,), 4, 2, 1, 0)],
)
def test_zero_inserted_view_is_the_transposed_convolution(
    size, kernel, stride, padding, output_padding
):
    """A stride-1 conv over the zero-inserted, padded input with the flipped kernel equals
    conv_transpose, and the diagram draws that input's geometry."""
    shape = (size, size) if isinstance(size, int) else size
    nd = len(shape)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 1, *shape))
    w = rng.standard_normal((1, 1, *(kernel,) * nd))
    layout = plotting.zero_insertion_layout(shape, kernel, stride, padding, output_padding)
    expanded = np.zeros((1, 1, *(inner for inner, _, _ in layout)))
    expanded[(0, 0, *(slice(None, None, stride),) * nd)] = x[0, 0]
    expanded = np.pad(expanded, [(0, 0), (0, 0), *((lo, hi) for _, lo, hi in layout)])
    direct = convlib.conv(expanded, np.flip(w, axis=tuple(range(2, 2 + nd))))
    np.testing.assert_allclose(
        direct,
        convlib.conv_transpose(x, w, stride=stride, padding=padding, output_padding=output_padding),
    )
    diagram = plotting.draw_transposed_as_conv(size, kernel, stride, padding, output_padding)
    assert diagram.out == direct.shape[2:]


def test_diagram_numbers_come_from_convlib():
    values = np.arange(16).reshape(4, 4)
    weights = np.array([[1, 0], [0, -1]])
    diagram = plotting.draw_conv_step((4, 4), 2, stride=2, values=values, weights=weights)
    np.testing.assert_array_equal(
        diagram.result, convlib.conv2d(values[None, None], weights[None, None], stride=2)[0, 0]
    )


def test_every_figure_is_titled_and_drawing_is_deterministic():
    figures = [
        plotting.draw_conv_step(5, 3, padding="full").figure,
        plotting.draw_transposed_as_conv(3, 3, 2).figure,
        plotting.draw_transposed_scatter(3, 3, 2).figure,
        plotting.draw_group_connections(6, 6, 3).figure,
        plotting.draw_block_diagonal(6, 6, 3).figure,
        plotting.plot_conv_matrix((1, 5), np.ones((1, 1, 3))).figure,
        plotting.draw_outer_product(convlib.teaching.kernels.sobel_x()).figure,
        plotting.draw_separable_stages().figure,
        plotting.draw_volumes((3, 8, 8), 4, 3, padding=1).figure,
        plotting.draw_volumes((64, 56, 56), 128, 3, stride=2).figure,
    ]
    for figure in figures:
        assert all(ax.get_title() for ax in figure.axes if ax.get_label() != "<colorbar>")
    first = plotting.to_png(plotting.draw_conv_step(5, 3, show_numbers=True).figure)
    assert first == plotting.to_png(plotting.draw_conv_step(5, 3, show_numbers=True).figure)


def test_connectivity_walks_from_standard_to_depthwise():
    assert (plotting.connectivity(4, 4, 1) > 0).all()
    np.testing.assert_array_equal(plotting.connectivity(4, 4, 4) > 0, np.eye(4, dtype=bool))
    assert (plotting.connectivity(8, 4, 2) > 0).sum() == 8 * 4 // 2


def test_impossible_diagram_settings_raise_the_library_message():
    with pytest.raises(ValueError, match="kernel is larger than the padded input"):
        plotting.draw_conv_step(3, 5)
    with pytest.raises(ValueError, match="output_padding must be smaller"):
        plotting.draw_transposed_as_conv(3, 3, 2, output_padding=2)


def test_animation_saves_as_a_gif_with_one_frame_per_position(tmp_path):
    from PIL import Image

    animation = plotting.animate_conv((5,), 3, stride=2)
    path = tmp_path / "conv.gif"
    plotting.save_gif(animation, path, dpi=40)
    with Image.open(path) as gif:
        assert gif.n_frames == 2
