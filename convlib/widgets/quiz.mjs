// A predict-then-check question (convlib.widgets.quiz): the reader types a prediction (a whole
// number) or picks a choice, and the feedback region (aria-live) says "Correct" or names what to
// check, never the answer, as convlib.exercises does; after a real try, "Show the answer" reveals
// it. The answer is the widget's state, computed by convlib when the notebook cell ran, so the
// question works in the static book with no kernel. Nothing here touches the DOM at import time.
import { el, STYLE, thousands, uid } from "./_common.mjs";

/** A typed whole number ("1,024", "1 024", "1_024", "+3" too), or null if it is not one. */
export function parseCount(text) {
  const cleaned = String(text).trim().replace(/[\s,_]/g, "");
  if (!/^[+-]?\d+$/.test(cleaned)) return null;
  return Number(cleaned);
}

const capitalized = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/** The answer as the page shows it when revealed. */
export function answerText(quiz) {
  return quiz.kind === "choice" ? quiz.answer : thousands(quiz.answer);
}

/**
 * The feedback on `typed` (the text typed, or the choice picked) for `quiz` = {kind, answer,
 * choices, name, hint}: {correct, tried, message}. `tried` is false when there was nothing to
 * judge (empty, not a whole number, no choice): that try does not unlock the answer.
 */
export function checkPrediction(quiz, typed) {
  if (quiz.kind === "choice") {
    if (typed === null || typed === undefined || !quiz.choices.includes(typed)) {
      return { correct: false, tried: false, message: "Pick one of the choices first." };
    }
    if (typed === quiz.answer) return { correct: true, tried: true, message: `Correct: ${typed}.` };
    return { correct: false, tried: true, message: `“${typed}” is not right: ${quiz.hint}.` };
  }
  const text = String(typed ?? "").trim();
  if (text === "") {
    return { correct: false, tried: false, message: "Type your prediction first: a whole number." };
  }
  const value = parseCount(text);
  if (value === null) {
    return {
      correct: false,
      tried: false,
      message: `${text} is not a whole number: ${quiz.name} is a count, an integer (where you divide, round down, as // does).`,
    };
  }
  if (value === quiz.answer) {
    return { correct: true, tried: true, message: `Correct: ${quiz.name} is ${thousands(value)}.` };
  }
  return {
    correct: false,
    tried: true,
    message: `${capitalized(quiz.name)} is not ${thousands(value)}: ${quiz.hint}.`,
  };
}

const QUIZ_STYLE = `
.cl-x.quiz { margin: 8px 0; }
.cl-x .quiz-question { margin: 0 0 6px; }
.cl-x .quiz-form { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; }
.cl-x .quiz-form input[type=text] { width: 9em; }
.cl-x fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 2px; }
.cl-x legend { padding: 0; margin: 0 0 2px; font-size: 1em; font-weight: normal; float: none; width: auto; }
.cl-x button:disabled { opacity: 0.6; }
.cl-x .quiz-feedback:not(:empty), .cl-x .quiz-answer { border-left: 4px solid var(--cl-line);
  padding: 2px 8px; margin: 6px 0 0; }
.cl-x .quiz-feedback.quiz-right { border-left-color: var(--cl-read); }
.cl-x .quiz-feedback.quiz-wrong { border-left-color: var(--cl-focus); }
`;

function quizOf(model) {
  const get = (name) => model.get(name);
  return {
    kind: get("kind"),
    answer: get("answer"),
    choices: get("choices"),
    name: get("name"),
    hint: get("hint"),
    why: get("why"),
    question: get("question"),
  };
}

function render({ model, el: host }) {
  const quiz = quizOf(model);
  const root = el("div", { class: "cl-x quiz", role: "group", "aria-label": `Predict, then check: ${quiz.question}` });
  root.addEventListener("keydown", (event) => event.stopPropagation());
  const question = el("p", { class: "quiz-question" }, [el("b", { text: "Predict, then check. " }), quiz.question]);
  const form = el("form", { class: "quiz-form" });
  let read;
  if (quiz.kind === "choice") {
    const group = uid("quiz");
    const radios = quiz.choices.map((choice) => el("input", { type: "radio", name: group, value: choice }));
    form.append(
      el("fieldset", {}, [
        el("legend", { text: "Your prediction:" }),
        ...radios.map((radio, i) => el("label", {}, [radio, quiz.choices[i]])),
      ]),
    );
    read = () => radios.find((radio) => radio.checked)?.value ?? null;
  } else {
    const id = uid("quiz");
    const input = el("input", { type: "text", id, inputmode: "numeric", autocomplete: "off", class: "quiz-input" });
    form.append(el("label", { for: id }, ["Your prediction:", input]));
    read = () => input.value;
  }
  const check = el("button", { type: "submit", class: "quiz-check", text: "Check" });
  const reveal = el("button", { type: "button", class: "quiz-reveal", text: "Show the answer", disabled: true });
  form.append(check, reveal);
  const feedback = el("p", { class: "quiz-feedback", "aria-live": "polite", role: "status" });
  const answer = el("p", { class: "quiz-answer", hidden: true });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const result = checkPrediction(quiz, read());
    feedback.textContent = result.message;
    feedback.classList.toggle("quiz-right", result.correct);
    feedback.classList.toggle("quiz-wrong", result.tried && !result.correct);
    if (result.tried) reveal.disabled = false;
  });
  reveal.addEventListener("click", () => {
    answer.replaceChildren(el("b", { text: "Answer: " }), answerText(quiz), quiz.why ? ` (${quiz.why})` : "");
    answer.hidden = false;
  });
  root.append(el("style", { text: STYLE + QUIZ_STYLE }), question, form, feedback, answer);
  host.replaceChildren(root);
}

export default { render };
