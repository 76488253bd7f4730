"""Each check gives the right verdict and a plain message: correct, wrong, crashing, unanswered;
and the notebooks' exercises read their answers by names no other cell of the chapter assigns."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import convlib
from convlib.teaching import exercises

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def correct_size(n, k, s=1, p=0, d=1):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def float_size(n, k, s=1, p=0, d=1):
    return int((n + 2 * p - d * (k - 1) - 1) / s) + 1 if s == 1 else (n + 2 * p - k) // s + 1


def crashing(n, k, s=1, p=0, d=1):
    return n // 0


def unanswered(n, k, s=1, p=0, d=1):
    raise NotImplementedError()


def unanswered_anything(*args, **kwargs):
    raise NotImplementedError()


def no_return(n, k, s=1, p=0, d=1):
    n + 2 * p - d * (k - 1)


def test_correct_answer_prints_a_success_message_and_returns_nothing(capsys):
    assert exercises.check_output_size(correct_size) is None
    assert re.fullmatch(
        r"Correct: the output size matches on all \d+ hidden cases\.\n", capsys.readouterr().out
    )
    assert exercises.check_value(138_357_544, 138_357_544, "VGG-16 parameters") is None
    assert capsys.readouterr().out == "Correct: VGG-16 parameters = 138,357,544.\n"


def test_wrong_answer_names_the_failing_case_and_a_hint_but_not_the_expected_value(capsys):
    with pytest.raises(
        exercises.AnswerIncorrect,
        match=r"^For n=5, k=3, s=2, p=0, d=2 you returned 2, which is wrong: check the floor",
    ) as error:
        exercises.check_output_size(float_size)
    assert "expected 1" not in str(error.value)  # the old message gave the answer away
    assert capsys.readouterr().out == ""  # the error carries the message, nothing is shown twice


def test_crashing_answer_names_the_exception():
    with pytest.raises(
        exercises.AnswerIncorrect,
        match=r"Your function raised ZeroDivisionError: integer division or modulo by zero for n=5",
    ):
        exercises.check_output_size(crashing)


def test_function_without_return_is_wrong_and_says_so():
    with pytest.raises(exercises.AnswerIncorrect, match=r"returned None: add a `return`"):
        exercises.check_output_size(no_return)


def test_placeholder_raise_is_not_answered_and_names_the_function():
    with pytest.raises(
        exercises.ExerciseNotAnswered,
        match=r"^Not answered yet: replace the `raise NotImplementedError\(\)` line in `unanswered`",
    ):
        exercises.check_output_size(unanswered)


def test_answers_by_name_are_looked_up_where_the_check_is_called(capsys):
    stem_side = 112
    exercises.check_value("stem_side", 112)
    assert capsys.readouterr().out == "Correct: `stem_side` = 112.\n"
    exercises.check_output_size("correct_size")  # a module-level function, by name
    with pytest.raises(
        exercises.AnswerIncorrect, match=r"^`stem_side` is 112, which is not right: "
    ) as error:
        exercises.check_value("stem_side", 113)
    assert "113" not in str(error.value)
    assert stem_side == 112


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: exercises.check_value("never_defined", 1), r"`never_defined` is not defined"),
        (lambda: exercises.check_output_size("no_such_fn"), r"`no_such_fn` is not defined"),
        (lambda: exercises.check_value(None, 1), r"your answer is still None"),
        (lambda: exercises.check_value(..., 1), r"your answer is still \.\.\."),
        (lambda: exercises.check_rank1_factors(..., [1], [[1]]), r"still \.\.\."),
        (lambda: exercises.check_rank1_factors("nowhere", [1], [[1]]), r"`nowhere` is not"),
        (lambda: exercises.check_grouped_params(unanswered_anything), r"NotImplementedError\(\)"),
    ],
)
def test_every_placeholder_reads_not_answered_never_wrong_or_name_error(call, message):
    with pytest.raises(exercises.ExerciseNotAnswered, match=rf"^Not answered yet: .*{message}"):
        call()


def test_a_name_still_none_is_not_answered():
    mobilenet_params = None  # what an answer cell predeclares before its solution
    with pytest.raises(
        exercises.ExerciseNotAnswered,
        match=r"`mobilenet_params` is still None. Write your answer in the exercise cell above",
    ):
        exercises.check_value("mobilenet_params", 3_538_984)
    assert mobilenet_params is None


def test_feedback_exceptions_render_without_traceback():
    error = exercises.AnswerIncorrect("For n=5 you returned 2, which is wrong")
    assert error._render_traceback_() == ["For n=5 you returned 2, which is wrong"]
    assert isinstance(exercises.ExerciseNotAnswered("x"), NotImplementedError)
    assert not isinstance(exercises.ExerciseNotAnswered("x"), AssertionError)


def test_success_html_is_escaped_and_announced():
    assert exercises._feedback_html("Correct: a < b") == (
        "<div role='status' style='border-left:4px solid #009E73;padding:4px 10px'>"
        "Correct: a &lt; b</div>"
    )


def test_conv_params_and_conv2d_checks():
    exercises.check_conv_params(
        lambda c_in, c_out, k, bias=True: c_in * c_out * k * k + (c_out if bias else 0)
    )
    with pytest.raises(exercises.AnswerIncorrect, match="plus one bias"):
        exercises.check_conv_params(lambda c_in, c_out, k, bias=True: c_in * c_out * k * k)

    def correlate(x, w):
        kh, kw = w.shape
        return np.array(
            [
                [np.sum(x[i : i + kh, j : j + kw] * w) for j in range(x.shape[1] - kw + 1)]
                for i in range(x.shape[0] - kh + 1)
            ]
        )

    exercises.check_conv2d(correlate)
    with pytest.raises(exercises.AnswerIncorrect, match="without flipping"):
        exercises.check_conv2d(lambda x, w: correlate(x, w[::-1, ::-1]))


def test_other_checks(capsys):
    exercises.check_effective_kernel_size(lambda k, d: d * (k - 1) + 1)
    exercises.check_transpose_output_size(
        lambda n, k, s=1, p=0, output_padding=0, d=1: (
            (n - 1) * s - 2 * p + d * (k - 1) + output_padding + 1
        )
    )
    exercises.check_grouped_params(lambda c_in, c_out, k, groups: c_in // groups * c_out * k * k)
    exercises.check_rank1_factors(np.full(3, 1 / 3), np.full(3, 1 / 3), np.full((3, 3), 1 / 9))
    assert capsys.readouterr().out.count("Correct:") == 4
    with pytest.raises(exercises.AnswerIncorrect, match=r"^the count is 12, which is not right"):
        exercises.check_value(12, 10, "the count")
    with pytest.raises(exercises.AnswerIncorrect, match=r"should be a number; received \[10\]"):
        exercises.check_value([10], 10, "the count")
    with pytest.raises(exercises.AnswerIncorrect, match=r"has shape \(3, 2\), not the kernel's"):
        exercises.check_rank1_factors(np.ones(3), np.ones(2), np.ones((3, 3)))


def test_conv_params_check_rejects_an_answer_that_always_counts_the_bias():
    with pytest.raises(exercises.AnswerIncorrect, match="bias=False"):
        exercises.check_conv_params(lambda c_in, c_out, k, bias=True: c_in * c_out * k * k + c_out)


def test_transpose_output_size_check_rejects_an_answer_that_ignores_dilation():
    with pytest.raises(exercises.AnswerIncorrect, match=r"d=2 you returned"):
        exercises.check_transpose_output_size(
            lambda n, k, s=1, p=0, output_padding=0, d=1: (
                (n - 1) * s - 2 * p + (k - 1) + output_padding + 1
            )
        )


# --- the notebooks' exercise cells ---------------------------------------------------------


def _passes(source: str, is_pass) -> str:
    """``source`` with every line ``is_pass`` accepts replaced by an equally indented pass."""
    return "\n".join(
        line[: len(line) - len(line.lstrip())] + "pass" if is_pass(line) else line
        for line in source.splitlines()
    )


def assigned_names(source: str) -> set[str]:
    """Names a code cell binds (assignments, loops, definitions, imports); magics read as pass."""
    try:  # magics read as pass
        tree = ast.parse(_passes(source, lambda line: line.lstrip().startswith(("%", "!"))))
    except SyntaxError:  # a body emptied by removing a solution: its blank line reads as pass
        tree = ast.parse(_passes(source, lambda line: line.lstrip()[:1] in "%!"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return names


def checked_names(source: str) -> list[str]:
    """The answer names a check cell passes to the checks as strings."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "").startswith("check_"):
            names += [a.value for a in node.args[:2] if isinstance(a, ast.Constant)]
    return [n for n in names if isinstance(n, str) and n.isidentifier()]


def grade_id(cell) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_checks_read_answers_by_a_name_only_their_answer_cell_assigns(path):
    """A check names its answers; nothing else in the chapter binds them, so an answer replaced
    by nbgrader's placeholder cannot pick up a same-named variable from earlier in the chapter."""
    cells = nbformat.read(path, as_version=4).cells
    code = [c for c in cells if c.cell_type == "code"]
    owners: dict[str, set[str]] = {}
    for cell in code:
        for name in assigned_names(cell.source):
            owners.setdefault(name, set()).add(grade_id(cell) or cell.id)
    for check in (c for c in code if grade_id(c).endswith("-check")):
        label = grade_id(check).removesuffix("-check")
        tree = ast.parse(check.source)
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
        assert any(getattr(n.func, "id", "").startswith("check_") for n in calls), label
        for call in (n for n in calls if getattr(n.func, "id", "").startswith("check_")):
            first = call.args[0]
            assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                f"{label}: pass the answer by name, {ast.unparse(call)}"
            )
        for name in checked_names(check.source):
            assert owners.get(name) == {f"{label}-answer"}, (label, name, owners.get(name))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_checked_answers_are_predeclared_outside_the_solution(path):
    """nbgrader replaces the solution with `raise NotImplementedError()`: the names the check
    reads exist anyway (as None), so the check says "not answered"."""
    cells = {grade_id(c): c for c in nbformat.read(path, as_version=4).cells if grade_id(c)}
    for gid, check in cells.items():
        if gid.endswith("-check"):
            answer = cells[gid.replace("-check", "-answer")]
            outside = re.sub(
                r"### BEGIN SOLUTION.*?### END SOLUTION", "", answer.source, flags=re.S
            )
            missing = set(checked_names(check.source)) - assigned_names(outside)
            assert not missing, f"{gid}: predeclare {sorted(missing)} before the solution"
    with pytest.raises(exercises.ExerciseNotAnswered):
        exercises.check_value(..., 10)


def test_checks_of_the_why_and_computing_chapters():
    assert exercises.check_pointwise(lambda x, w: np.einsum("oc,nchw->nohw", w, x)) is None
    with pytest.raises(exercises.AnswerIncorrect, match="channels last"):
        exercises.check_pointwise(lambda x, w: np.einsum("co,nchw->nohw", w.T, x) + 1)

    def step(w, x, y, lr):
        residual = convlib.conv2d(x, w) - y
        return (
            w
            - lr
            * convlib.functional.grad.conv_weight_grad(x, residual, w.shape[2:])
            / residual.size
        )

    assert exercises.check_gradient_step(step) is None
    with pytest.raises(exercises.AnswerIncorrect, match="goes against it"):
        exercises.check_gradient_step(lambda w, x, y, lr: 2 * w - step(w, x, y, lr))

    def intensity(h, w, c_in, c_out, k, bytes_per_value=4):
        macs = h * w * c_out * c_in * k * k
        return macs / bytes_per_value / (h * w * c_in + c_out * c_in * k * k + h * w * c_out)

    assert exercises.check_intensity(intensity) is None
    with pytest.raises(exercises.AnswerIncorrect, match=r"you returned 1\.0, which is wrong: MACs"):
        exercises.check_intensity(lambda h, w, c_in, c_out, k, bytes_per_value=4: 1.0)
