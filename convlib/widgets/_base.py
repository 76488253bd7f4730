"""An explorer is controls around a pure render function.

``render(**values) -> Rendered`` draws a Figure and writes the text under it; it raises
``ValueError``/``TypeError`` for an impossible setting. The widget shows the rendered PNG in an
``ipywidgets.Image`` (whose state the static book embeds, so the figure shows without a
kernel) and, for an impossible setting, the library's own message in plain words instead of a
traceback. The next valid setting draws normally again.
"""

from __future__ import annotations

import dataclasses
import html
import time
from collections.abc import Callable

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..plotting.grid import to_png

ERROR_STYLE = (
    "border-left: 4px solid #D55E00; background: #FBEAE0; color: #1A1A1A; padding: 6px 10px;"
)
# an explicit light card with dark text: readable on the book's light and dark themes alike
INFO_STYLE = (
    "background: #FFFFFF; color: #1A1A1A; font-size: 0.95em; line-height: 1.5; padding: 4px 8px;"
)
CODE_STYLE = "color: #1A1A1A; background: #F2F2F2; padding: 0 3px;"


@dataclasses.dataclass
class Rendered:
    """What a render function returns: the figure and the HTML text shown under it."""

    figure: Figure
    text: str = ""


def code_block(label: str, code: str | None) -> str:
    if code is None:
        return ""
    return (
        f"<div><b>{html.escape(label)}</b> <code style='{CODE_STYLE}'>{html.escape(code)}</code>"
        "</div>"
    )


class Explorer(widgets.VBox):
    """Controls, a figure and a text panel; every change re-renders.

    Attributes
    ----------
    controls : dict
        Name -> ipywidgets control; setting ``controls[name].value`` re-renders.
    error : str or None
        The explanation shown for the current setting if it is impossible, else None.
    last_render_seconds : float
        How long the last render (figure to PNG) took.
    """

    def __init__(
        self, render: Callable[..., Rendered], controls: dict, title: str, dpi: int = 90
    ) -> None:
        self.render, self.controls, self.dpi = render, controls, dpi
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.info = widgets.HTML()
        self.error: str | None = None
        self.last_render_seconds = 0.0
        header = widgets.HTML(f"<b>{html.escape(title)}</b>")
        box = widgets.Box(
            list(controls.values()),
            layout=widgets.Layout(display="flex", flex_flow="row wrap"),
        )
        super().__init__([header, box, self.image, self.info])
        for control in controls.values():
            control.observe(self._changed, names="value")
        self.update()

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def _changed(self, change) -> None:
        self.update()

    def before_render(self, values: dict) -> None:
        """Hook: adjust dependent controls (e.g. a slider's range) before rendering."""

    def update(self) -> None:
        start = time.perf_counter()
        values = self.values()
        try:
            self.before_render(values)
            values = self.values()
            rendered = self.render(**values)
        except (ValueError, TypeError) as error:
            self.error = str(error)
            self.info.value = (
                f"<div style='{ERROR_STYLE}' role='alert'><b>This setting is impossible.</b> "
                f"{html.escape(self.error)}</div>"
            )
            self.last_render_seconds = time.perf_counter() - start
            return
        self.error = None
        self.image.value = to_png(rendered.figure, dpi=self.dpi)
        self.info.value = f"<div style='{INFO_STYLE}'>{rendered.text}</div>"
        self.last_render_seconds = time.perf_counter() - start


def slider(value, low, high, description, step=1) -> widgets.IntSlider:
    return widgets.IntSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        continuous_update=False,
        style={"description_width": "initial"},
    )


def dropdown(value, options, description) -> widgets.Dropdown:
    return widgets.Dropdown(
        value=value,
        options=options,
        description=description,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="200px"),
    )


def toggle(value, options, description) -> widgets.ToggleButtons:
    return widgets.ToggleButtons(
        value=value,
        options=options,
        description=description,
        style={"description_width": "initial", "button_width": "auto"},
    )
