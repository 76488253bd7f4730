"""An explorer is an anywidget: traits are its controls, an ES module draws it in the browser.

The module (``<name>.mjs`` in this package, with ``_common.mjs`` inlined) exports pure functions
(geometry, formula text, code strings) and, as its default export, ``render``; it computes in
the browser, so the
explorer moves in the static HTML book with no kernel. The Python side computes the same values
with convlib (each explorer's ``describe``), which the node tests compare with the module over the
whole control grid. Setting a trait from Python redraws; moving a control updates the trait.

The matplotlib render functions (``Rendered``) draw figures for the chapters' text.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import html
import re
import typing
from importlib import resources

import anywidget
import traitlets
from matplotlib.figure import Figure

from convlib._validation import check_positive_int
from convlib.geometry.shapes import resolve_padding

CODE_STYLE = "color: #1A1A1A; background: #F2F2F2; padding: 0 3px;"
_IMPORT_LOCAL = re.compile(r"^import \{[^}]*\} from \"\./([\w.]+\.mjs)\";\n", re.MULTILINE)
_BLOCK_COMMENT = re.compile(r"^\s*/\*\*.*?\*/\n", re.MULTILINE | re.DOTALL)


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


@functools.cache
def esm(name: str) -> str:
    """The self-contained ES module of explorer ``name``: its file with the local modules it
    imports (``_common.mjs``, ``share.mjs``, ...) inlined before it, each once, dependencies
    first (a module loaded from a Blob URL cannot import a relative file)."""
    if "_common.mjs" not in _local_imports(name):
        raise RuntimeError(f"{name} must import _common.mjs")
    return compact("\n".join(_inlined(name, set())))


def _source(name: str) -> str:
    return (resources.files(__package__) / name).read_text(encoding="utf-8")


def _local_imports(name: str) -> list[str]:
    return _IMPORT_LOCAL.findall(_source(name))


def _inlined(name: str, done: set[str]) -> list[str]:
    """Module ``name`` without its local imports, after the modules it imports (not yet in
    ``done``)."""
    parts = []
    for dependency in _local_imports(name):
        if dependency not in done:
            done.add(dependency)
            parts += _inlined(dependency, done)
    body = _IMPORT_LOCAL.sub("", _source(name))
    if re.search(r"^import\b", body, re.MULTILINE):
        raise RuntimeError(f'{name}: only `import {{...}} from "./x.mjs";` can be inlined')
    return [*parts, body]


def compact(source: str) -> str:
    """Drop comment lines and indentation: the module is repeated in the state of every explorer
    on a page. (Safe for these modules: no multi-line string holds code or comment markers.)"""
    source = _BLOCK_COMMENT.sub("", source)
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


NON_NEGATIVE = ("output_padding", "position")
"""Integer controls that may be 0 (every other integer control must be positive)."""


def _as_trait_error(check, *args, **kwargs):
    """Run one of convlib's argument checks; its message becomes a ``TraitError``."""
    try:
        return check(*args, **kwargs)
    except (TypeError, ValueError) as error:
        raise traitlets.TraitError(str(error)) from None


def checked_count(proposal) -> int:
    """``@validate`` handler of an integer control: convlib's check and message for a positive
    (or, for ``NON_NEGATIVE`` controls, non-negative) int of that name."""
    name = proposal["trait"].name
    minimum = 0 if name in NON_NEGATIVE else 1
    return _as_trait_error(check_positive_int, proposal["value"], name, minimum=minimum)


def checked_padding(
    value: object, resolve: typing.Callable[..., object] = resolve_padding
) -> int | str:
    """A padding control: a non-negative int or one of the padding strings ``resolve`` takes
    (:func:`~convlib.geometry.shapes.resolve_padding`, PyTorch's, or the diagrams'
    :func:`~convlib.geometry.shapes.resolve_diagram_padding`, 'full' too), with its messages."""
    if isinstance(value, str):
        _as_trait_error(resolve, value, 1)
        return value
    return _as_trait_error(check_positive_int, value, "padding", minimum=0)


class Explorer(anywidget.AnyWidget):
    """Base of the explorers: keyword arguments set the initial trait values.

    Subclasses set ``_esm`` and implement ``describe()``: what the explorer shows for the
    current setting, computed with convlib (``{"error": message}`` for an impossible setting).
    A value no setting can take (``stride=0``, ``padding='bogus'``) is refused when it is set,
    by ``@validate`` handlers raising ``traitlets.TraitError`` with convlib's message for that
    parameter; the ES module shows the same message if its model holds such a value anyway.
    """

    _share_index = traitlets.Int(0).tag(sync=True)
    """This explorer's number among the explorers of its class made in this Python process (0 for
    the first): share.mjs's shareState keys its URL entries by it, so two explorers of a kind on
    one page (numbered in the notebook's order) keep their settings apart."""
    _made: typing.ClassVar[collections.Counter] = collections.Counter()

    def __init__(self, **initial) -> None:
        unknown = sorted(
            set(initial) - set(self.control_names()) - {n for n in initial if n[0] == "_"}
        )
        if unknown:
            raise TypeError(
                f"{type(self).__name__} has no control {unknown[0]!r}; "
                f"its controls are {', '.join(self.control_names())}"
            )
        super().__init__(**initial)
        kind = type(self).__qualname__  # (anywidget makes a subclass per instance)
        self._share_index = Explorer._made[kind]
        Explorer._made[kind] += 1

    @classmethod
    def control_names(cls) -> list[str]:
        inherited = set(anywidget.AnyWidget.class_trait_names())
        return sorted(
            name
            for name in cls.class_trait_names(sync=True)
            if name not in inherited and not name.startswith("_")
        )

    def values(self) -> dict:
        """The current setting: control name -> value."""
        return {name: getattr(self, name) for name in self.control_names()}

    def describe(self) -> dict:
        raise NotImplementedError

    @property
    def error(self) -> str | None:
        """convlib's message for the current setting if it is impossible, else None."""
        return self.describe().get("error")
