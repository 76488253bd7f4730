"""A progress bar with a time estimate, for the book's longer cells and the study script.

In a Jupyter kernel it is an ipywidgets ``IntProgress`` with a label ("12/35 runs, 40 s elapsed,
about 1 min 10 s left"); elsewhere (a terminal, ``make study``) it prints the same text as one
line on standard error per update. The estimate assumes the remaining steps take as long, on
average, as those done so far.
"""

from __future__ import annotations

import sys
import time

from convlib._validation import check_positive_int


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class Progress:
    """Count ``total`` steps of ``unit`` and show how far along and how long is left.

    Parameters
    ----------
    total : int
        Number of steps.
    unit : str
        What a step is, plural ("runs", "epochs").
    widget : bool, optional
        Show an ipywidgets bar (default: when running in a Jupyter kernel) or print lines.
    """

    def __init__(self, total: int, unit: str = "steps", widget: bool | None = None) -> None:
        self.total = check_positive_int(total, "total")
        self.unit, self.done, self.start = unit, 0, time.perf_counter()
        self._bar = self._label = None
        if widget if widget is not None else _in_kernel():
            import ipywidgets
            from IPython.display import display

            self._bar = ipywidgets.IntProgress(value=0, min=0, max=self.total)
            self._label = ipywidgets.Label(self.text())
            display(ipywidgets.HBox([self._bar, self._label]))

    def text(self) -> str:
        """``"done/total unit, elapsed, about ... left"``."""
        elapsed = time.perf_counter() - self.start
        text = f"{self.done}/{self.total} {self.unit}, {_duration(elapsed)} elapsed"
        if 0 < self.done < self.total:
            text += f", about {_duration(elapsed / self.done * (self.total - self.done))} left"
        return text

    def update(self, steps: int = 1, note: str = "") -> None:
        """Record ``steps`` more steps done; ``note`` is appended to the text."""
        self.done = min(self.total, self.done + steps)
        text = self.text() + (f" ({note})" if note else "")
        if self._bar is not None:
            self._bar.value, self._label.value = self.done, text
        else:
            print(text, file=sys.stderr, flush=True)
