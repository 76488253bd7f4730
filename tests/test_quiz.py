"""Predict-then-check quizzes: convlib computes every answer, and the page's check (quiz.mjs,
run under node) accepts exactly that answer and answers anything else with the hint alone."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from quiz_cells import CHAPTERS, ROOT, answer_argument, quiz_sources, run_quiz

from convlib.widgets import quiz

QUIZ_MJS = ROOT / "convlib" / "widgets" / "quiz.mjs"
ALL_QUIZZES = [
    pytest.param(source, id=f"{path.stem[:2]}-{i}")
    for path in CHAPTERS
    for i, source in enumerate(quiz_sources(path), start=1)
]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_has_at_least_two_quizzes(chapter: Path):
    assert len(quiz_sources(chapter)) >= 2


@pytest.mark.parametrize("source", ALL_QUIZZES)
def test_quiz_answer_is_computed_by_convlib_not_typed(source: str):
    answer = answer_argument(source)
    assert not isinstance(answer, ast.Constant), "answer= is a literal"
    assert "convlib." in ast.unparse(answer) or "convlib." in source
    q = run_quiz(source)
    if q.kind == "count":
        assert not quiz.gives_away(source, q.answer), f"{q.answer} is written in the cell"
    assert not quiz.gives_away(q.hint, q.answer)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_quiz_cells_show_only_the_quiz_in_the_book(chapter: Path):
    import nbformat

    cells = nbformat.read(chapter, as_version=4).cells
    for cell in cells:
        if "quiz" in cell.metadata.get("tags", []):
            assert "remove-input" in cell.metadata["tags"]


BAD_ARGUMENTS = [
    (quiz.predict, {"answer": 2.5}, TypeError, "answer must be an int"),
    (quiz.predict, {"answer": True}, TypeError, "answer must be an int"),
    (quiz.predict, {"answer": 1024, "hint": "it is 1,024"}, ValueError, "hint must"),
    (quiz.predict, {"answer": 16, "hint": "16 outputs"}, ValueError, "received hint='16 outputs'"),
    (quiz.predict, {"answer": 3, "hint": ""}, TypeError, "hint must be a non-empty str"),
    (quiz.predict, {"answer": 3, "question": 3}, TypeError, "question must be"),
    (quiz.choose, {"choices": ["a"], "answer": "a"}, ValueError, "choices must hold at least"),
    (quiz.choose, {"choices": ["a", "a"], "answer": "a"}, ValueError, "distinct"),
    (quiz.choose, {"choices": ["a", "b"], "answer": "c"}, ValueError, "answer must be one of"),
    (quiz.choose, {"choices": "ab", "answer": "a"}, TypeError, "choices must be a sequence"),
    (quiz.choose, {"choices": ["a", "b"], "answer": "b", "hint": "B it is"}, ValueError, "hint"),
]


@pytest.mark.parametrize(("function", "arguments", "error", "message"), BAD_ARGUMENTS)
def test_bad_quiz_arguments_are_refused_with_the_parameter_named(
    function, arguments, error, message
):
    arguments = {"question": "Q?", "hint": "check the formula", **arguments}
    with pytest.raises(error, match=message):
        function(**arguments)


@pytest.mark.parametrize(
    ("text", "answer", "expected"),
    [
        ("it is 1024.", 1024, True),
        ("it is 1,024", 1024, True),
        ("10240 cells", 1024, False),
        ("a 1024x1024 image", 24, False),
        ("stride 2.5", 2, False),
        ("The Gaussian", "the gaussian", True),
    ],
)
def test_gives_away_finds_the_answer_as_a_whole_number_or_choice(text, answer, expected):
    assert quiz.gives_away(text, answer) is expected


NODE_SCRIPT = """
import { readFileSync } from "node:fs";
const q = await import(process.argv[1]);
const quizzes = JSON.parse(readFileSync(0, "utf8"));
const out = quizzes.map(({ quiz, typed }) => ({
  results: typed.map((t) => q.checkPrediction(quiz, t)),
  shown: q.answerText(quiz),
}));
process.stdout.write(JSON.stringify(out));
"""


def page_check(cases: list[tuple[dict, list]]) -> list[dict]:
    """quiz.mjs's checkPrediction on each typed value, and its answerText, run by node."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not found (install Node.js 18+)")
    payload = json.dumps([{"quiz": quiz_state, "typed": typed} for quiz_state, typed in cases])
    done = subprocess.run(
        [node, "--input-type=module", "-e", NODE_SCRIPT, QUIZ_MJS.as_uri()],
        input=payload,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def state(q: quiz.Quiz) -> dict:
    return {name: getattr(q, name) for name in ("kind", "answer", "choices", "name", "hint")}


def wrong_predictions(q: quiz.Quiz) -> list:
    if q.kind == "choice":
        return [c for c in q.choices if c != q.answer]
    return [str(q.answer + 1), str(q.answer - 1), str(10 * q.answer), "0"]


def right_predictions(q: quiz.Quiz) -> list:
    return [q.answer] if q.kind == "choice" else [str(q.answer), f" {q.answer:,} "]


def test_page_check_accepts_exactly_convlibs_answer_of_every_chapter_quiz():
    quizzes = [run_quiz(p.values[0]) for p in ALL_QUIZZES]
    cases = [(state(q), right_predictions(q) + wrong_predictions(q)) for q in quizzes]
    for q, page in zip(quizzes, page_check(cases), strict=True):
        n_right = len(right_predictions(q))
        right, wrong = page["results"][:n_right], page["results"][n_right:]
        assert all(r["correct"] and r["message"].startswith("Correct") for r in right), right
        for typed, result in zip(wrong_predictions(q), wrong, strict=True):
            assert not result["correct"] and result["tried"], (q.question, typed, result)
            assert q.hint in result["message"]
            assert not quiz.gives_away(result["message"].replace(typed, ""), q.answer), result
        assert page["shown"] == (q.answer if q.kind == "choice" else f"{q.answer:,}")


def test_page_check_refuses_what_is_not_a_prediction_without_unlocking_the_answer():
    count = quiz.predict("Q?", answer=16, hint="check the floor", name="the output size")
    choice = quiz.choose("Q?", choices=["a", "b"], answer="b", hint="check the rank")
    typed = ["", "  ", "15.5", "16.0", "sixteen", "1e1"]
    [on_count, on_choice] = page_check([(state(count), typed), (state(choice), [None, "z"])])
    for text, result in zip(typed, on_count["results"], strict=True):
        assert not result["correct"] and not result["tried"], result
        assert not quiz.gives_away(result["message"].replace(text.strip() or "@", ""), 16)
    for result in on_choice["results"]:
        assert not result["correct"] and not result["tried"]
        assert result["message"] == "Pick one of the choices first."
    assert "not a whole number" in on_count["results"][3]["message"]
