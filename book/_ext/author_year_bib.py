"""Label the bibliography author-year ("LeCun et al., 1989"), as the chapters cite.

The chapters cite with sphinxcontrib-bibtex's ``author_year`` reference style, which writes
"LeCun et al. [1989]" in the text; its default bibliography style, pybtex's ``plain``, labels the
list with numbers, so a reader looking up "LeCun et al. 1989" found "[17]". This extension
registers ``author_year_list``: pybtex's ``plain`` formatting and sorting (by author, year,
title) with labels made like the text's citations: the first author's last name, "and" the
second's when there are two, "et al." when there are more, then the year; "a", "b", ... tell
apart equal labels. ``_config.yml`` selects it with ``bibtex_default_style: author_year_list``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from pybtex.database import Entry, Person
from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle
from sphinx.application import Sphinx


def _last_name(person: Person) -> str:
    """The person's last name as plain text ("{TorchVision maintainers}" loses its braces)."""
    return Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")


def author_year_label(entry: Entry) -> str:
    """``"Last, year"``, ``"Last and Other, year"`` or ``"Last et al., year"`` for one entry."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    if len(persons) == 2 and _last_name(persons[1]) == "others":  # BibTeX's "and others"
        return f"{_last_name(persons[0])} et al., {entry.fields.get('year', 'n.d.')}"
    if not persons:
        names = entry.key
    elif len(persons) == 1:
        names = _last_name(persons[0])
    elif len(persons) == 2:
        names = f"{_last_name(persons[0])} and {_last_name(persons[1])}"
    else:
        names = f"{_last_name(persons[0])} et al."
    return f"{names}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    """Author-year labels, with a letter after the year when two entries would share one."""

    def format_labels(self, sorted_entries: Iterable[Entry]) -> Iterator[str]:
        labels = [author_year_label(entry) for entry in sorted_entries]
        repeated = Counter(labels)
        used: Counter[str] = Counter()
        for label in labels:
            if repeated[label] == 1:
                yield label
            else:
                yield label + "abcdefghijklmnopqrstuvwxyz"[used[label]]
                used[label] += 1


class AuthorYearSorting(SortingStyle):
    """pybtex's author-year-title order, a braced corporate author ("{U.S. Navy}") read as text."""

    def person_key(self, person: Person) -> str:
        return super().person_key(person).replace("{", "").replace("}", "")


class AuthorYearListStyle(PlainStyle):
    """pybtex's ``plain`` style, :class:`AuthorYearLabels`, :class:`AuthorYearSorting`."""

    default_label_style = AuthorYearLabels
    default_sorting_style = AuthorYearSorting


def setup(app: Sphinx) -> dict[str, object]:
    register_plugin("pybtex.style.labels", "author_year_labels", AuthorYearLabels)
    register_plugin("pybtex.style.sorting", "author_year_braces", AuthorYearSorting)
    register_plugin("pybtex.style.formatting", "author_year_list", AuthorYearListStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
