"""Animations over every output position, as self-contained HTML (plays without a kernel) or GIF."""

from __future__ import annotations

import html
import re

import matplotlib
from matplotlib.animation import FuncAnimation, PillowWriter

from convlib.plotting import style
from convlib.plotting.conv_diagram import ConvStepDiagram


def animate_conv(
    input_size,
    kernel_size,
    stride=1,
    padding=0,
    dilation=1,
    values=None,
    weights=None,
    show_numbers=False,
    interval=700,
) -> FuncAnimation:
    """Animate :class:`ConvStepDiagram` over all output positions, one frame each (raster order).

    ``len(list(anim.new_frame_seq()))`` equals the number of output positions.
    """
    diagram = ConvStepDiagram(
        input_size, kernel_size, stride, padding, dilation, values, weights, show_numbers
    )
    return animate_diagram(diagram, interval)


def animate_diagram(diagram, interval=700) -> FuncAnimation:
    """Animate any diagram with ``positions``, ``show(position)`` and ``figure``."""
    positions = list(diagram.positions)

    def update(frame: int):
        diagram.show(positions[frame])
        return []

    animation = FuncAnimation(
        diagram.figure, update, frames=len(positions), interval=interval, blit=False, repeat=True
    )
    animation.diagram = diagram
    return animation


def to_html(animation: FuncAnimation, alt: str | None = None) -> str:
    """Self-contained HTML player (``to_jshtml``) with alt text and a labelled frame slider.

    The frames are embedded SVGs in the book's style (:mod:`convlib.plotting.style`: sharp at any
    screen density, text as text, recoloured on a dark page), so the animation plays in the static
    book. The player shows the figure at its size in CSS pixels (96 per inch, the size of the
    book's static figures) and shrinks it to the width of a narrow screen. ``alt`` (default: the
    figure's title) describes it for screen readers.
    """
    figure = animation._fig
    style.readable_text(figure)
    with matplotlib.rc_context({**style.BOOK_RC, "animation.frame_format": "svg"}):
        player = animation.to_jshtml(default_mode="loop")
    player = style.theme_svg_frames(player)
    # matplotlib's player links Font Awesome 4 from a CDN for its button icons; the book's theme
    # already ships Font Awesome, and a page must not reach other hosts (offline reading).
    player = re.sub(r'<link rel="stylesheet"[^>]*font-awesome[^>]*>', "", player)
    title = getattr(getattr(animation, "diagram", None), "title", "") or "convolution animation"
    description = html.escape(alt or f"Animation: {title}".replace("\n", " "), quote=True)
    width = round(figure.get_figwidth() * style.CSS_PX_PER_INCH)
    player = re.sub(
        r'<img id="(_anim_img\w+)"',
        rf'<img id="\1" alt="{description}" width="{width}" style="max-width: 100%; height: auto"',
        player,
    )
    player = re.sub(r'(<input id="_anim_slider\w+" type="range")', r'\1 aria-label="Frame"', player)
    player = re.sub(r"(<select[^>]*)>", r'\1 aria-label="Loop mode">', player)
    return player


def save_gif(animation: FuncAnimation, path, fps: int = 2, dpi: int = 80) -> None:
    """Save for slides (Pillow's GIF writer, no external program)."""
    animation.save(path, writer=PillowWriter(fps=fps), dpi=dpi)
