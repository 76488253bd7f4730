// Shared helpers of the explorers' front-ends: Python-style formatting (so the text equals what
// convlib prints), DOM/SVG builders and the labelled controls. Nothing here touches the DOM at
// import time, so node can import the modules for the tests. The Python side inlines this file
// into each explorer's module (a Blob-URL module cannot import a relative file).

/** Python's repr of an int, a str or a tuple of ints. */
export function pyRepr(value) {
  if (Array.isArray(value)) {
    return value.length === 1 ? `(${pyRepr(value[0])},)` : `(${value.map(pyRepr).join(", ")})`;
  }
  if (typeof value === "string") return `'${value}'`;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (value === null || value === undefined) return "None";
  return String(value);
}

/** convlib.nn.layers' _tuple_repr: one number when all entries agree, else the tuple. */
export function tupleRepr(values) {
  return values.every((v) => v === values[0]) ? String(values[0]) : pyRepr(values);
}

/** Python's f"{value:,}" for an int. */
export function thousands(value) {
  const sign = value < 0 ? "-" : "";
  return sign + String(Math.abs(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export const range = (n, start = 0) => Array.from({ length: Math.max(n, 0) }, (_, i) => i + start);
export const product = (values) => values.reduce((a, b) => a * b, 1);
/** Python's floor division of ints. */
export const floorDiv = (a, b) => Math.floor(a / b);

// ---- the checks of convlib._validation and convlib.geometry.shapes, with their messages

const KIND = { 0: "non-negative", 1: "positive" };

/** convlib._validation.check_positive_int's message for control `name`, or null. */
export function countError(value, name, minimum = 1) {
  if (Number.isInteger(value) && value >= minimum) return null;
  const kind = KIND[minimum] ?? `>= ${minimum}`;
  return `${name} must be a ${kind} int; received ${name}=${pyRepr(value)}`;
}

/** The padding strings convlib.geometry.shapes.resolve_padding takes (PyTorch's, and causal). */
export const PADDING_STRINGS = ["valid", "same", "causal"];
/** The ones resolve_diagram_padding takes: 'full' too (the diagrams and the conv explorer). */
export const DIAGRAM_PADDING_STRINGS = [...PADDING_STRINGS, "full"];

/** A padding control's message (a non-negative int or one of `names`), as
 * convlib.widgets._base.checked_padding raises it, or null. */
export function paddingError(value, names = PADDING_STRINGS) {
  if (typeof value !== "string") return countError(value, "padding", 0);
  if (names.includes(value)) return null;
  return (
    "padding must be a non-negative int, a tuple of non-negative ints, or one of " +
    `${names.map(pyRepr).join(", ")}; received padding=${pyRepr(value)}`
  );
}

/** The first control of `setting` holding a value no setting can take, as the explorer's Python
 * class refuses it: `controls` lists [name, minimum] (integer controls) and "padding". */
export function controlsError(setting, controls, paddingNames = PADDING_STRINGS) {
  for (const control of controls) {
    if (control === "padding") {
      const error = "padding" in setting ? paddingError(setting.padding, paddingNames) : null;
      if (error) return error;
      continue;
    }
    const [name, minimum] = control;
    if (!(name in setting)) continue;
    const error = countError(setting[name], name, minimum);
    if (error) return error;
  }
  return null;
}

/** convlib.check_groups' message, or null. */
export function groupsError(cin, cout, g) {
  for (const [label, channels] of [["input channels", cin], ["output channels", cout]]) {
    if (channels % g) return `groups must divide the number of ${label}; received groups=${g} with ${channels} ${label}`;
  }
  return null;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An HTML element: el("div", {class: "x"}, [children or strings]). */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  for (const child of children) node.append(child);
  return node;
}

/** An SVG element. */
export function svg(tag, attrs = {}, children = []) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  for (const child of children) node.append(child);
  return node;
}

function setAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
}

let counter = 0;
/** A page-unique id (several explorers share one page). */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}-${counter}`;
}

export const STYLE = `
.cl-x { --cl-bg: #ffffff; --cl-fg: #1a1a1a; --cl-muted: #4d4d4d; --cl-line: #6b6b6b;
  --cl-cell: #dbe9f6; --cl-pad: #f2f2f2; --cl-read: #0072b2; --cl-focus: #d55e00;
  --cl-out: #e0f0e3; --cl-code: #f2f2f2; --cl-err-bg: #fbeae0; color-scheme: light;
  background: var(--cl-bg); color: var(--cl-fg); font: 14px/1.45 system-ui, sans-serif;
  padding: 8px 10px; border: 1px solid var(--cl-line); border-radius: 6px; max-width: 100%; }
html[data-theme="dark"] .cl-x, body[data-jp-theme-light="false"] .cl-x, body.vscode-dark .cl-x {
  --cl-bg: #1e1e1e; --cl-fg: #ececec; --cl-muted: #c4c4c4; --cl-line: #9a9a9a;
  --cl-cell: #24435e; --cl-pad: #333333; --cl-read: #56b4e9; --cl-focus: #f0a35e;
  --cl-out: #2a4a33; --cl-code: #2d2d2d; --cl-err-bg: #4a2a1c; color-scheme: dark; }
.cl-x [hidden] { display: none !important; }
.cl-x h3 { font-size: 1em; margin: 0 0 6px; color: var(--cl-fg); }
.cl-x .cl-controls { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center;
  margin-bottom: 6px; }
.cl-x label { display: inline-flex; gap: 6px; align-items: center; color: var(--cl-fg); }
.cl-x input[type=range] { width: 110px; accent-color: var(--cl-read); }
.cl-x select, .cl-x input[type=text], .cl-x button { font: inherit; color: var(--cl-fg);
  background: var(--cl-bg); border: 1px solid var(--cl-line); border-radius: 4px; padding: 1px 6px; }
.cl-x button[aria-pressed="true"] { background: var(--cl-read); color: var(--cl-bg); }
.cl-x button[aria-pressed]::before { content: ""; display: inline-block; width: 0.65em;
  height: 0.75em; margin-right: 0.4em; background: currentColor;
  clip-path: polygon(0 0, 100% 50%, 0 100%); }
.cl-x button[aria-pressed="true"]::before { clip-path: none;
  background: linear-gradient(to right, currentColor 0 35%, transparent 35% 65%, currentColor 65%); }
.cl-x output { min-width: 2.5em; font-variant-numeric: tabular-nums; }
.cl-x svg { display: block; max-width: 100%; height: auto; color: var(--cl-fg); }
.cl-x svg text { fill: var(--cl-fg); font: 12px system-ui, sans-serif; }
.cl-x .cell { fill: var(--cl-cell); stroke: var(--cl-line); stroke-width: 0.6; }
.cl-x .cell.pad { fill: var(--cl-pad); stroke-dasharray: 2 2; }
.cl-x .cell.out { fill: var(--cl-out); }
.cl-x .cell.lit { fill: var(--cl-read); }
.cl-x .cell.cur { fill: var(--cl-focus); }
.cl-x .cell:focus { outline: none; stroke: var(--cl-focus); stroke-width: 2.5; }
.cl-x .cl-text { margin-top: 6px; overflow-x: auto; }
.cl-x .cl-drawing { overflow-x: auto; }
.cl-x code { background: var(--cl-code); color: var(--cl-fg); padding: 0 3px; border-radius: 3px;
  overflow-wrap: anywhere; }
.cl-x .cl-error { border-left: 4px solid var(--cl-focus); background: var(--cl-err-bg);
  color: var(--cl-fg); padding: 6px 10px; margin: 6px 0; }
.cl-x table { border-collapse: collapse; margin: 4px 0; }
.cl-x th, .cl-x td { border: 1px solid var(--cl-line); padding: 1px 8px; text-align: right;
  color: var(--cl-fg); }
.cl-x caption, .cl-x figcaption { text-align: left; color: var(--cl-fg); }
.cl-x .cl-muted { color: var(--cl-muted); }
`;

/**
 * The explorer's frame: a root that keeps its keys (JupyterLab's shortcuts would take the arrow
 * keys from a range input), a title, a controls row, a drawing area and a text area.
 */
export function frame(host, title) {
  const root = el("div", { class: "cl-x", role: "group", "aria-label": title });
  root.addEventListener("keydown", (event) => event.stopPropagation());
  const controls = el("div", { class: "cl-controls" });
  const drawing = el("div", { class: "cl-drawing" });
  const text = el("div", { class: "cl-text", "aria-live": "polite" });
  root.append(el("style", { text: STYLE }), el("h3", { text: title }), controls, drawing, text);
  host.replaceChildren(root);
  // On a narrow screen a drawing shrinks only while its 12 px text stays >= 10 px, then scrolls
  // inside its own box (.cl-drawing) instead of becoming unreadable.
  const readable = () => {
    for (const node of drawing.querySelectorAll("svg[width]")) {
      if (node.parentElement.closest("svg")) continue;
      node.style.minWidth = `${Math.ceil((Number(node.getAttribute("width")) * 10) / 12)}px`;
    }
  };
  new MutationObserver(readable).observe(drawing, { childList: true, subtree: true });
  return { root, controls, drawing, text };
}

/** A labelled range input bound to an integer trait; ``values`` (optional) maps index -> value. */
export function slider(model, name, label, min, max, { values = null, step = 1 } = {}) {
  const id = uid(name);
  const input = el("input", { type: "range", id, min, max, step, "data-trait": name });
  const shown = el("output", { for: id });
  const toValue = (i) => (values ? values[Number(i)] : Number(i));
  const toIndex = (v) => (values ? Math.max(values.indexOf(v), 0) : v);
  const sync = () => {
    input.value = String(toIndex(model.get(name)));
    shown.textContent = String(model.get(name));
    input.setAttribute("aria-valuetext", String(model.get(name)));
  };
  input.addEventListener("input", () => {
    model.set(name, toValue(input.value));
    model.save_changes();
  });
  sync();
  const node = el("label", { for: id }, [label, input, shown]);
  return { node, input, sync, setRange(lo, hi) { input.min = lo; input.max = hi; sync(); } };
}

/** A labelled drop-down bound to a trait; options are values (ints or strings) or [value, text]. */
export function dropdown(model, name, label, options) {
  const id = uid(name);
  const select = el("select", { id, "data-trait": name });
  let values = [];
  const setOptions = (list) => {
    values = list.map((o) => (Array.isArray(o) ? o[0] : o));
    select.replaceChildren(
      ...list.map((o, i) => el("option", { value: i, text: Array.isArray(o) ? o[1] : String(o) })),
    );
    sync();
  };
  const sync = () => {
    const index = values.findIndex((v) => v === model.get(name));
    select.value = String(Math.max(index, 0));
  };
  select.addEventListener("change", () => {
    model.set(name, values[Number(select.value)]);
    model.save_changes();
  });
  setOptions(options);
  const node = el("label", { for: id }, [label, select]);
  return { node, input: select, sync, setOptions };
}

/** Draw ``fn()`` into ``area`` and the text into ``text`` whenever any of ``names`` changes. */
export function bind(model, names, redraw) {
  const listener = () => redraw();
  for (const name of names) model.on(`change:${name}`, listener);
  redraw();
  return () => {
    for (const name of names) model.off(`change:${name}`, listener);
  };
}

/** A line of code with its label, as the Python explorers printed it. */
export function codeLine(label, code) {
  return el("div", {}, [el("b", { text: label }), " ", el("code", { text: code })]);
}

export function errorBox(message) {
  return el("div", { class: "cl-error", role: "alert" }, [
    el("b", { text: "This setting is impossible. " }),
    message,
  ]);
}
