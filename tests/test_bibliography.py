"""The references page labels its entries author-year, as the chapters cite them."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

sphinx_application = pytest.importorskip("sphinx.application")
pytest.importorskip("sphinxcontrib.bibtex")


@pytest.fixture(scope="module")
def bibliography_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Every entry of book/references.bib rendered by Sphinx's text builder, as the book is."""
    source = tmp_path_factory.mktemp("bib")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    (source / "conf.py").write_text(
        "extensions = ['sphinxcontrib.bibtex', 'author_year_bib']\n"
        f"bibtex_bibfiles = [{str(ROOT / 'book' / 'references.bib')!r}]\n"
        f"bibtex_reference_style = {config['bibtex_reference_style']!r}\n"
        f"bibtex_default_style = {config['bibtex_default_style']!r}\n"
    )
    (source / "index.rst").write_text(
        "Test\n====\n\n:cite:t:`lecun1989backpropagation`\n\n.. bibliography::\n   :all:\n"
    )
    out = source / "_build"
    app = sphinx_application.Sphinx(
        str(source), str(source), str(out), str(out / ".doctrees"), "text", status=None
    )
    app.build()
    return (out / "index.txt").read_text()


def test_bibliography_labels_are_author_year_like_the_citations(bibliography_text: str) -> None:
    labels = re.findall(r"^\[([^\]]+)\]", bibliography_text, flags=re.MULTILINE)
    assert len(labels) > 40
    assert "LeCun et al., 1989" in labels and "LeCun et al., 1998" in labels
    assert "Dumoulin and Visin, 2016" in labels and "Sifre, 2014" in labels
    assert not [label for label in labels if label.isdigit()]  # no numbered list
    assert all(re.search(r", (\d{4}|n\.d\.)[a-z]?$", label) for label in labels), labels
    assert len(set(labels)) == len(labels)  # equal labels get a, b, ...


def test_bibliography_is_sorted_by_author_with_corporate_authors_in_place(
    bibliography_text: str,
) -> None:
    labels = re.findall(r"^\[([^\]]+)\]", bibliography_text, flags=re.MULTILINE)
    first_letters = [label.lstrip("{").lower()[0] for label in labels]
    assert first_letters == sorted(first_letters)


def test_author_year_label_names_one_two_or_many_authors() -> None:
    from author_year_bib import author_year_label
    from pybtex.database import Entry, Person

    def entry(*authors: str, year: str | None = "2020") -> Entry:
        fields = {"title": "T"} | ({"year": year} if year else {})
        return Entry("misc", fields=fields, persons={"author": [Person(a) for a in authors]})

    assert author_year_label(entry("Sifre, Laurent")) == "Sifre, 2020"
    assert author_year_label(entry("Yu, Fisher", "Koltun, Vladlen")) == "Yu and Koltun, 2020"
    assert author_year_label(entry("Yu, F", "Koltun, V", "Funkhouser, T")) == "Yu et al., 2020"
    assert author_year_label(entry("{U.S. Navy}", year=None)) == "U.S. Navy, n.d."
    assert author_year_label(entry("Chollet, François", "others")) == "Chollet et al., 2020"
    assert author_year_label(entry("van den Oord, Aaron", "B, C", "D, E")).startswith(
        "van den Oord et al."
    )
