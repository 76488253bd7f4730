"""The built book, in headless Chromium with every other host blocked: every chapter numbers its
exercises, figures and equations "N.k" from 1 (N from the notebook's file name), the instructor
guide shows the same exercise numbers beside the labels, and every chapter's quizzes answer in
the page: a wrong prediction gets the hint without the answer, convlib's answer gets "Correct",
and "Show the answer" (enabled only after a try) shows convlib's answer.

Run after a book build (``make book``; ``CONVLIB_BOOK_HTML`` points at another build).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "book" / "_ext")]
from exercise_numbers import chapter_number, exercise_numbers  # noqa: E402
from quiz_cells import CHAPTERS, quiz_sources, run_quiz  # noqa: E402

from convlib.widgets import quiz as quizzes  # noqa: E402

NUMBERS = """() => ({
    exercises: [...document.querySelectorAll('div.exercise')].map(node =>
        [node.id, node.querySelector('.admonition-title .caption-number').textContent.trim()]),
    figures: [...document.querySelectorAll('figcaption .caption-number')]
        .map(node => node.textContent.trim()),
    equations: [...document.querySelectorAll('.math .eqno')]
        .map(node => node.firstChild.textContent.trim()),
})"""


def page_of(notebook: Path) -> str:
    return f"notebooks/{notebook.stem}.html"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_numbers_exercises_figures_and_equations_from_one(open_page, chapter):
    n = chapter_number(chapter)
    shown = open_page(page_of(chapter)).page.evaluate(NUMBERS)
    exercises = dict(shown["exercises"])
    assert len(exercises) >= 3
    assert list(exercises.values()) == [f"Exercise {n}.{k}" for k in range(1, len(exercises) + 1)]
    assert exercises == {
        label: f"Exercise {number}" for label, number in exercise_numbers(chapter).items()
    }
    figures, equations = shown["figures"], shown["equations"]
    assert figures == [f"Fig. {n}.{k}" for k in range(1, len(figures) + 1)]
    assert equations == [f"({n}.{k})" for k in range(1, len(equations) + 1)]


def test_some_chapters_number_figures_and_equations(open_page):
    """The per-chapter check above is not vacuous: the chapters do have numbered figures, and
    chapters 0 and 8 labelled equations."""
    shown = {c.stem[:2]: open_page(page_of(c)).page.evaluate(NUMBERS) for c in CHAPTERS}
    assert sum(len(s["figures"]) for s in shown.values()) >= 20
    assert shown["03"]["figures"] and shown["07"]["figures"]
    assert shown["00"]["equations"] and shown["08"]["equations"]


def test_instructor_guide_shows_each_exercise_number_with_its_label(open_page):
    rows = open_page("book/instructor.html").page.evaluate(
        """() => [...document.querySelectorAll('td')]
              .filter(td => td.querySelector('.std-numref'))
              .map(td => [td.querySelector('code').textContent.trim(),
                          td.querySelector('.std-numref').textContent.trim(),
                          td.textContent.replace(/\\s+/g, ' ').trim()])"""
    )
    expected = {
        label: f"Exercise {number}"
        for chapter in CHAPTERS
        for label, number in exercise_numbers(chapter).items()
    }
    assert {label: number for label, number, _ in rows} == expected
    assert all(text == f"{number} ({label})" for label, number, text in rows)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_quizzes_answer_in_the_page(open_page, chapter):
    expected = [run_quiz(source) for source in quiz_sources(chapter)]
    page = open_page(page_of(chapter)).page
    shown = page.locator(".quiz")
    assert shown.count() == len(expected) >= 2
    for i, q in enumerate(expected):
        box = shown.nth(i)
        feedback = box.locator("[aria-live]")
        assert feedback.get_attribute("aria-live") == "polite"
        assert q.question in box.inner_text()
        reveal = box.locator(".quiz-reveal")
        assert reveal.is_disabled(), "the answer can be revealed before any try"
        wrong = next(c for c in q.choices if c != q.answer) if q.kind == "choice" else q.answer + 1
        predict(box, q, wrong)
        text = feedback.inner_text()
        assert not text.startswith("Correct") and q.hint in text, text
        assert not quizzes.gives_away(text.replace(str(wrong), ""), q.answer), text
        assert reveal.is_enabled()
        predict(box, q, q.answer)
        assert feedback.inner_text().startswith("Correct"), feedback.inner_text()
        reveal.click()
        answer = box.locator(".quiz-answer")
        assert answer.is_visible()
        assert answer.inner_text().startswith(
            f"Answer: {q.answer if q.kind == 'choice' else f'{q.answer:,}'}"
        )


def predict(box, q, value) -> None:
    """Type (or pick) a prediction and press Check, as a reader would."""
    if q.kind == "choice":
        box.get_by_label(str(value), exact=True).check()
    else:
        box.locator(".quiz-input").fill(str(value))
    box.locator(".quiz-check").click()
