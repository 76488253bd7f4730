// The "paste your model" explorer (convlib.widgets.model_explorer): the text print(model) shows,
// or the receptive explorer's "kernel, stride, dilation; ..." stack, read in the browser into the
// table convlib.summary(convlib.from_torch_repr(text), input_shape) gives: each row's output
// shape, parameters, MACs and receptive field, and the totals. parsePrinted mirrors
// convlib.nn.printed_model, summarize convlib.nn.summaries.summary with convlib.nn.receptive;
// describe mirrors describe_model, with convlib's messages and warnings.
import { bind, el, frame, product, pyRepr, thousands, uid } from "./_common.mjs";
import { convKind, span } from "./geometry.mjs";
import { SPECS } from "./model_specs.mjs";
import { parsePrinted, sequential } from "./printed_model.mjs";
import { floatRepr, strRepr } from "./python_values.mjs";
import { parseLayers } from "./layer_text.mjs";
import { fdiv, fmul, frac, fsub } from "./receptive_cells.mjs";
import { shareState } from "./share.mjs";

// ---- the receptive explorer's stack and the input shape (convlib.widgets.model_explorer)
export const LAYER_TEXT = /^[0-9,;\s]+$/;

/** model_explorer.stack_model: "k, s, d; ..." as 'same'-padded Conv2d(C, C, ...) layers. */
export function stackModel(layers, channels) {
  const children = layers.map(([k, s, d], i) => [String(i), SPECS.Conv2d[2]({
    in_channels: channels, out_channels: channels, kernel_size: k, stride: s,
    padding: Math.floor((span(k, d) - 1) / 2), dilation: d, groups: 1, bias: true, padding_mode: "zeros",
  })]);
  return sequential(children, "Sequential");
}

/** model_explorer.parse_shape. */
export function parseShape(text) {
  const parts = text.trim().replace(/^[([]/, "").replace(/[)\]]$/, "").split(",").map((p) => p.trim());
  if (parts.length && parts[parts.length - 1] === "") parts.pop();
  if (!parts.length || !parts.every((p) => /^[0-9]+$/.test(p))) {
    throw new Error("input shape must be non-negative ints separated by commas, (C, H, W) or " +
      `(N, C, H, W) for images; received ${strRepr(text)}`);
  }
  return parts.map(Number);
}

// ---- the summary (convlib.nn.summaries.summary, convlib.nn.receptive)
function leaves(node, prefix, out = []) {
  if (!node.container) {
    out.push([prefix || node.type, node]);
    return out;
  }
  for (const [name, child] of node.children) leaves(child, prefix ? `${prefix}.${name}` : name, out);
  return out;
}

function inputRank(node) {
  if (!node.container) return node.rank;
  for (const [, child] of node.children) {
    const rank = inputRank(child);
    if (rank !== null) return rank;
  }
  return null;
}

const PROBE = 12;

/** convlib.geometry.receptive.field_of over the probed output cells. */
function fieldOf(reads, size) {
  const middle = Math.floor(size / 2);
  const spans = [];
  for (let o = Math.max(middle - PROBE, 0); o <= middle + PROBE; o += 1) {
    const got = reads(o, o);
    if (got !== null) spans.push([o, got]);
  }
  if (!spans.length) return { size: 0, jump: frac(0), start: frac(0) };
  const width = Math.max(...spans.map(([, [lo, hi]]) => hi - lo + 1));
  const [first, last] = [spans[0], spans[spans.length - 1]];
  const centre = ([lo, hi]) => frac(lo + hi, 2);
  const zero = reads(0, 0);
  const jump = last[0] !== first[0]
    ? fdiv(fsub(centre(last[1]), centre(first[1])), frac(last[0] - first[0])) : frac(1);
  const start = zero !== null ? centre(zero) : fsub(centre(first[1]), fmul(frac(first[0]), jump));
  return { size: width, jump, start };
}

function numberText([n, d]) {
  if (d === 1) return String(n);
  return (d & (d - 1)) === 0 ? floatRepr(n / d) : `${n}/${d}`;
}

/** convlib.nn.receptive.format_field: [size, jump, start]. */
export function formatField(field) {
  if (typeof field === "string") return [field, "", ""];
  if (!field.length) return ["", "", ""];
  const starts = field.map((f) => numberText(f.start)).join(", ");
  return [field.map((f) => f.size).join("x"), field.map((f) => numberText(f.jump)).join("x"),
    field.length > 1 ? `(${starts})` : starts];
}

/** summary(model, input_shape): rows, totals, the text str(summary) prints; or throws convlib's
 * message. `top` is the model's class name (split_batch's message). */
export function summarize(model, shape, top) {
  const rank = inputRank(model);
  let batch;
  let sample;
  if (rank === null || shape.length === rank + 1) [batch, sample] = [shape.slice(0, 1), shape.slice(1)];
  else if (shape.length === rank) [batch, sample] = [[], shape];
  else {
    const spatial = { 1: "L", 2: "H, W", 3: "D, H, W" }[rank - 1] ?? "*spatial";
    throw new Error(`${top} expected input_shape (C, ${spatial}) or (N, C, ${spatial}); received input_shape ${pyRepr(shape)}`);
  }
  const all = leaves(model, "");
  if (sample.includes(0)) {
    throw new Error("input_shape must have positive sizes after its batch dimension (only the batch may be 0); " +
      `received input_shape=${pyRepr(shape)}`);
  }
  const count = product(batch);
  const rows = [];
  const kinds = [];
  let current = sample;
  let maps = Array.from({ length: sample.length - 1 }, () => (a, b) => [a, b]);
  for (const [name, layer] of all) {
    let out;
    let macs;
    try {
      out = layer.out(current);
      macs = count * layer.macs(current);
    } catch (error) {
      throw new Error(`layer '${name}' (${layer.type}): ${error.message}`);
    }
    kinds.push(layer.conv ? convKind(layer.conv) : null);
    maps = typeof maps === "string" ? maps : layer.field(maps, current);
    const field = typeof maps === "string" ? maps : maps.map((m, i) => fieldOf(m, out[i + 1]));
    rows.push({ name, type: layer.type, shape: [...batch, ...out], params: layer.params, macs,
      field: formatField(field), layer: layer.passThrough ?? layer.type });
    current = out;
  }
  const outputShape = [...batch, ...current];
  const output = rows.length ? rows[rows.length - 1].field : formatField(maps.map((m, i) => fieldOf(m, current[i + 1])));
  const totalParams = rows.reduce((t, r) => t + r.params, 0);
  const totalMacs = rows.reduce((t, r) => t + r.macs, 0);
  const header = ["Layer", "Output shape", "Params", "MACs", "RF size", "Jump", "Start"];
  const cells = rows.map((r) => [`${r.name} (${r.type})`, pyRepr(r.shape), thousands(r.params), thousands(r.macs), ...r.field]);
  const [size, jump, start] = output;
  const fieldLine = `Receptive field of the output: ${size}${jump ? ` (jump ${jump}, start ${start})` : ""}`;
  const widths = header.map((_, i) => Math.max(...[header, ...cells].map((c) => c[i].length)));
  const line = (c) => `${c[0].padEnd(widths[0])}  ${c[1].padEnd(widths[1])}  ` +
    c.slice(2).map((v, i) => v.padStart(widths[i + 2])).join("  ");
  const rule = "-".repeat(line(header).length);
  const text = [line(header), rule, ...cells.map(line), rule,
    `Input shape: ${pyRepr(shape)}   Output shape: ${pyRepr(outputShape)}`,
    `Total params: ${thousands(totalParams)}`, `Total MACs: ${thousands(totalMacs)}`, fieldLine,
    "(parameters as PyTorch's parameters() (no batch-norm running statistics); operations counted as " +
      "multiply-accumulates)"].join("\n");
  return { header, cells, total: ["Total", pyRepr(outputShape), thousands(totalParams), thousands(totalMacs), ...output],
    outputShape, totalParams, totalMacs, kinds, text };
}

function parameterCount(node) {
  return node.container ? node.children.reduce((t, [, c]) => t + parameterCount(c), 0) : node.params;
}

/** model_explorer.describe_model: what the explorer shows for a text and an input shape. */
export function describe(text, shapeText) {
  let model;
  let top = "PrintedModel";
  let warnings = [];
  let shape = null;
  try {
    if (LAYER_TEXT.test(text) && /[0-9]/.test(text)) {
      const layers = parseLayers(text);
      shape = parseShape(shapeText);
      model = stackModel(layers, shape.length >= 3 ? shape[shape.length - 3] : shape[0] ?? 1);
      top = "Sequential";
    } else {
      ({ model, warnings } = parsePrinted(text));
    }
  } catch (error) {
    return { error: error.message };
  }
  const result = { warnings, params: parameterCount(model) };
  try {
    shape = shape ?? parseShape(shapeText);
    return { ...result, ...summarize(model, shape, top) };
  } catch (error) {
    return { ...result, error: error.message };
  }
}

// ---- the panel
const MODEL_STYLE = `
.cl-model textarea { font: 12px/1.35 ui-monospace, monospace; width: 100%; box-sizing: border-box;
  color: var(--cl-fg); background: var(--cl-bg); border: 1px solid var(--cl-line); border-radius: 4px; }
.cl-model .cl-table-box { overflow-x: auto; max-width: 100%; }
.cl-model table { font-size: 12px; font-variant-numeric: tabular-nums; }
.cl-model td, .cl-model th { white-space: nowrap; }
.cl-model td:first-child, .cl-model th:first-child { text-align: left; }
.cl-model .cl-controls label { flex-wrap: wrap; max-width: 100%; }
.cl-model select { max-width: 100%; min-width: 0; }
.cl-model .cl-warn { border-left: 4px solid var(--cl-read); padding: 4px 10px; margin: 6px 0; }
.cl-model .cl-warn, .cl-model .cl-error { overflow-wrap: anywhere; }
.cl-model label.cl-block { display: flex; flex-direction: column; align-items: stretch; width: 100%; }
`;

function table(info) {
  const head = el("tr", {}, info.header.map((h) => el("th", { scope: "col", text: h })));
  const body = info.cells.map((c) => el("tr", {}, c.map((v) => el("td", { text: v }))));
  const foot = el("tr", {}, info.total.map((v, i) => el(i === 0 ? "th" : "td", i === 0 ? { scope: "row", text: v } : { text: v })));
  return el("div", { class: "cl-table-box", tabindex: 0, role: "region", "aria-label": "summary table (scrolls sideways)" }, [
    el("table", { class: "cl-summary" }, [el("thead", {}, [head]), el("tbody", {}, body), el("tfoot", {}, [foot])]),
  ]);
}

function render({ model, el: host }) {
  const ui = frame(host, "Paste your model: print(model) to summary");
  ui.root.classList.add("cl-model");
  ui.root.prepend(el("style", { text: MODEL_STYLE }));
  const id = uid("model");
  const presets = model.get("_presets");
  const preset = el("select", { id: `${id}-preset`, "data-trait": "preset" }, [
    el("option", { value: "", text: "(your own text)" }),
    ...presets.map(([name], i) => el("option", { value: i, text: name })),
  ]);
  const text = el("textarea", { id: `${id}-text`, rows: 10, spellcheck: "false", "data-trait": "text" });
  const shape = el("input", { type: "text", id: `${id}-shape`, size: 16, "data-trait": "input_shape" });
  const apply = () => { // a preset chosen here, in Python or from the page URL sets its text
    const chosen = presets.find(([name]) => name === model.get("preset"));
    if (chosen && (model.get("text") !== chosen[1] || model.get("input_shape") !== chosen[2])) {
      model.set("text", chosen[1]);
      model.set("input_shape", chosen[2]);
      model.save_changes();
    }
  };
  model.on("change:preset", apply);
  preset.addEventListener("change", () => {
    model.set("preset", preset.value === "" ? "" : presets[Number(preset.value)][0]);
    model.save_changes();
  });
  let typing = null;
  const typed = () => {
    clearTimeout(typing);
    if (text.value === model.get("text")) return;
    model.set("text", text.value);
    model.set("preset", "");
    model.save_changes();
  };
  text.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(typed, 400);
  });
  text.addEventListener("change", typed);
  shape.addEventListener("change", () => {
    model.set("input_shape", shape.value);
    model.save_changes();
  });
  ui.controls.append(
    el("label", { for: `${id}-preset` }, ["example", preset]),
    el("label", { for: `${id}-shape` }, ["input shape (C, H, W) or (N, C, H, W)", shape]),
  );
  ui.drawing.append(el("label", { for: `${id}-text`, class: "cl-block" },
    ["print(model) text, or a stack 'kernel, stride, dilation; ...'", text]));
  const redraw = () => {
    const index = presets.findIndex(([name]) => name === model.get("preset"));
    preset.value = index < 0 ? "" : String(index);
    if (text.value !== model.get("text")) text.value = model.get("text");
    shape.value = model.get("input_shape");
    const info = describe(model.get("text"), model.get("input_shape"));
    const parts = (info.warnings ?? []).map((w) => el("div", { class: "cl-warn", role: "note", text: w }));
    if (info.params !== undefined) {
      parts.push(el("p", { text: `Parameters: ${thousands(info.params)}` }));
    }
    if (info.error) {
      parts.push(el("div", { class: "cl-error", role: "alert" }, [el("b", { text: "convlib says: " }), info.error]));
    }
    else {
      const [, , , , size, jump, start] = info.total;
      parts.push(el("p", { text: `Input shape ${pyRepr(parseShape(model.get("input_shape")))}; output shape ` +
        `${pyRepr(info.outputShape)}; receptive field of the output: ${size}${jump ? ` (jump ${jump}, start ${start})` : ""}` }),
      table(info), el("p", { class: "cl-muted", text: "Parameters as PyTorch's parameters(); MACs are multiply-accumulates." }));
    }
    ui.text.replaceChildren(...parts);
  };
  const unshare = shareState(model, "model", ["preset"]);
  apply();
  const unbind = bind(model, ["text", "input_shape", "preset"], redraw);
  return () => {
    model.off("change:preset", apply);
    unshare();
    unbind();
  };
}

export default { render };
