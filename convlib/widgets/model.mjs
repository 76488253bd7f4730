// The "paste your model" explorer (convlib.widgets.model_explorer): the text print(model) shows,
// or the receptive explorer's "kernel, stride, dilation; ..." stack, read in the browser into the
// table convlib.summary(convlib.from_torch_repr(text), input_shape) gives: each row's output
// shape, parameters, MACs and receptive field, and the totals. parsePrinted mirrors
// convlib.nn.printed_model, summarize convlib.nn.summaries.summary with convlib.nn.receptive;
// describe mirrors describe_model, with convlib's messages and warnings.
import { bind, el, errorBox, frame, product, pyRepr, thousands, uid } from "./_common.mjs";
import { convKind, span } from "./geometry.mjs";
import { PyFloat, SPECS, bindArguments, fadd, fdiv, fmul, frac, fsub, floatRepr, passThrough, repr, strRepr, truthy } from "./model_specs.mjs";
import { shareState } from "./share.mjs";

// ---- Python literals (ast.literal_eval, with bare names read as strings, as torch prints them)
const TOKEN = /\s*(?:(\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)|(\d+)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|([A-Za-z_]\w*)|(.))/y;

function tokens(text) {
  const out = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const m = TOKEN.exec(text);
    if (!m) break;
    if (m[1] !== undefined) out.push({ value: new PyFloat(Number(m[1])) });
    else if (m[2] !== undefined) out.push({ value: Number(m[2]) });
    else if (m[3] !== undefined) out.push({ value: m[3].slice(1, -1).replace(/\\(.)/g, "$1") });
    else if (m[4] !== undefined) out.push({ name: m[4] });
    else if (m[5] !== undefined) out.push({ op: m[5] });
  }
  return out;
}

/** The positional and keyword arguments of a printed call, or throws. */
export function parseArguments(text) {
  const list = tokens(text);
  let i = 0;
  const fail = () => { throw new Error("invalid syntax"); };
  const peek = (op) => list[i] && list[i].op === op;
  const value = () => {
    const t = list[i++];
    if (!t) fail();
    if ("value" in t) return t.value;
    if (t.name) {
      const constants = { True: true, False: false, None: null };
      return t.name in constants ? constants[t.name] : t.name;
    }
    if (t.op === "-" || t.op === "+") {
      const v = value();
      if (typeof v === "number") return t.op === "-" ? -v : v;
      if (v instanceof PyFloat) return new PyFloat(t.op === "-" ? -v.value : v.value);
      fail();
    }
    if (t.op === "(" || t.op === "[") {
      const close = t.op === "(" ? ")" : "]";
      const items = [];
      let comma = false;
      while (!peek(close)) {
        items.push(value());
        if (peek(",")) { i += 1; comma = true; } else if (!peek(close)) fail();
      }
      i += 1;
      if (close === ")" && items.length === 1 && !comma) return items[0];
      if (close === "]") items.isList = true;
      return items;
    }
    return fail();
  };
  const args = [];
  const kwargs = {};
  while (i < list.length) {
    if (list[i].name && list[i + 1] && list[i + 1].op === "=") {
      const name = list[i].name;
      i += 2;
      if (name in kwargs) fail();
      kwargs[name] = value();
    } else {
      if (Object.keys(kwargs).length) fail();
      args.push(value());
    }
    if (i < list.length) { if (!peek(",")) fail(); i += 1; }
  }
  return { args, kwargs };
}

// ---- print(model) text (convlib.nn.printed_model)
const SHAPE_KEEPING = new Set(("Identity GELU SiLU Sigmoid Tanh Hardswish Hardsigmoid Hardtanh LeakyReLU ELU CELU " +
  "SELU Mish Softplus Softsign Tanhshrink Softmax Softmax2d LogSoftmax Dropout1d Dropout2d Dropout3d AlphaDropout " +
  "FeatureAlphaDropout BatchNorm1d BatchNorm3d GroupNorm InstanceNorm1d InstanceNorm2d InstanceNorm3d LayerNorm " +
  "RMSNorm PReLU").split(" "));

const index = (a, i) => {
  if (i >= a.length) { const e = new Error("tuple index out of range"); e.pyType = "IndexError"; throw e; }
  return a[i];
};
const key = (k, name) => {
  if (!(name in k)) { const e = new Error(strRepr(name)); e.pyType = "KeyError"; throw e; }
  return k[name];
};
const prod = (v) => {
  if (!Array.isArray(v)) { const e = new Error(`'${typeof v === "number" ? "int" : "str"}' object is not iterable`); e.pyType = "TypeError"; throw e; }
  return product(v);
};
const norm = (k, affineKey, affineDefault, features) =>
  (truthy(affineKey in k ? k[affineKey] : affineDefault) ? features * (1 + Number(truthy("bias" in k ? k.bias : true))) : 0);

/** printed_model.PARAMETER_RULES: parameters of layers convlib has no spec for, from their arguments. */
export const PARAMETER_RULES = {
  BatchNorm1d: (a, k) => norm(k, "affine", true, index(a, 0)),
  BatchNorm3d: (a, k) => norm(k, "affine", true, index(a, 0)),
  InstanceNorm1d: (a, k) => norm(k, "affine", false, index(a, 0)),
  InstanceNorm2d: (a, k) => norm(k, "affine", false, index(a, 0)),
  InstanceNorm3d: (a, k) => norm(k, "affine", false, index(a, 0)),
  GroupNorm: (a, k) => norm(k, "affine", true, index(a, 1)),
  LayerNorm: (a, k) => norm(k, "elementwise_affine", true, prod(index(a, 0))),
  RMSNorm: (a, k) => (truthy("elementwise_affine" in k ? k.elementwise_affine : true) ? prod(index(a, 0)) : 0),
  PReLU: (a, k) => ("num_parameters" in k ? k.num_parameters : 1),
  Embedding: (a) => index(a, 0) * index(a, 1),
  Bilinear: (a, k) => key(k, "in1_features") * key(k, "in2_features") * key(k, "out_features") +
    (truthy("bias" in k ? k.bias : true) ? key(k, "out_features") : 0),
};

const CHILD = /^\(([^()]*)\): (?:(\d+) x )?(.*)$/;
const CALL = /^([A-Za-z_][\w.]*)\((.*)\)$/;

function sequential(children, typeName) {
  return { container: true, typeName, children };
}

class Parser {
  constructor(text) {
    this.lines = text.split(/\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/)
      .map((line, i) => [i + 1, line.trim()]).filter(([, line]) => line);
    this.position = 0;
    this.ambiguous = [];
    this.unknown = [];
    this.assumed = [];
  }

  leaf(type, argsText, path, where) {
    let parsed;
    try {
      parsed = parseArguments(argsText);
    } catch (error) {
      throw new Error(`${where}: cannot read the arguments ${strRepr(argsText)} (${error.message})`);
    }
    const { args, kwargs } = parsed;
    const label = path ? `${path} (${type})` : type;
    if (type.startsWith("AvgPool")) this.assumed.push(label);
    if (type in SPECS) {
      const [qualname, signature, make] = SPECS[type];
      try {
        return make(bindArguments(qualname, signature, args, kwargs));
      } catch (error) {
        throw new Error(`${where}: ${type}(${argsText}) is not valid: ${error.message}`);
      }
    }
    let params = 0;
    if (type in PARAMETER_RULES) {
      try {
        params = Math.trunc(Number(PARAMETER_RULES[type](args, kwargs)));
      } catch (error) {
        throw new Error(`${where}: cannot count ${type}'s parameters: ${error.message}`);
      }
    } else if (!SHAPE_KEEPING.has(type)) {
      this.unknown.push(label);
    }
    if (!SHAPE_KEEPING.has(type)) this.ambiguous.push(label);
    return passThrough(type, params);
  }

  block(type, path) {
    const children = [];
    const label = path ? `${path} (${type})` : type;
    if (type !== "Sequential") this.ambiguous.push(label);
    if (type === "MultiheadAttention") this.unknown.push(label);
    while (this.position < this.lines.length) {
      const [number, line] = this.lines[this.position];
      this.position += 1;
      if (line === ")") return children;
      const match = CHILD.exec(line);
      if (!match) continue; // a line of the module's extra_repr
      const [, name, count, body] = match;
      const full = path ? `${path}.${name}` : name;
      const where = `line ${number}`;
      let layer;
      if (body.endsWith("(")) {
        const childType = body.slice(0, -1);
        layer = sequential(this.block(childType, full), childType);
      } else {
        const call = CALL.exec(body);
        if (!call) throw new Error(`${where}: expected 'Type(arguments)'; received ${strRepr(line)}`);
        layer = this.leaf(call[1], call[2], full, where);
      }
      let names = [name];
      if (count) {
        const dash = name.indexOf("-");
        const [first, last] = dash < 0 ? [name, ""] : [name.slice(0, dash), name.slice(dash + 1)];
        const toInt = (s) => {
          if (!/^\s*[+-]?\d+\s*$/.test(s)) throw new Error(`invalid literal for int() with base 10: ${strRepr(s)}`);
          return Number.parseInt(s, 10);
        };
        const lo = toInt(first);
        const hi = toInt(last || first);
        names = Array.from({ length: Math.max(hi - lo + 1, 0) }, (_, i) => String(lo + i));
        if (names.length !== Number(count)) throw new Error(`${where}: ${name} does not hold ${count} modules`);
      }
      for (const each of names) children.push([each, layer]);
    }
    throw new Error(`the text ends inside ${type}( : a closing ')' is missing`);
  }
}

/** convlib.from_torch_repr: {model, typeName, ambiguous, unknown, assumed, warnings}, or throws
 * convlib's message. */
export function parsePrinted(text) {
  const parser = new Parser(text);
  if (!parser.lines.length) throw new Error("text is empty; paste what print(model) shows");
  const [number, first] = parser.lines[0];
  parser.position = 1;
  let typeName;
  let children;
  if (first.endsWith("(")) {
    typeName = first.slice(0, -1);
    children = parser.block(typeName, "");
  } else {
    const call = CALL.exec(first);
    if (!call) throw new Error(`line ${number}: expected 'Type(' or 'Type(arguments)'; received ${strRepr(first)}`);
    typeName = call[1];
    children = [[typeName, parser.leaf(typeName, call[2], "", `line ${number}`)]];
  }
  if (parser.position < parser.lines.length) {
    const [n, line] = parser.lines[parser.position];
    throw new Error(`line ${n}: text after the model's closing ')': ${strRepr(line)}`);
  }
  const { ambiguous, unknown, assumed } = parser;
  const warnings = [];
  if (ambiguous.length) {
    warnings.push("print(model) does not show how these modules combine their children or change " +
      `shapes: ${ambiguous.join(", ")}; parameter counts are exact` +
      (unknown.length ? " except for the unknown ones" : "") +
      ", but shapes, MACs and receptive fields assume the printed order");
  }
  if (unknown.length) {
    warnings.push(`the text does not give the parameters of: ${unknown.join(", ")}; they are counted as 0`);
  }
  if (assumed.length) {
    warnings.push("torch does not print AvgPool's ceil_mode and count_include_pad: " +
      `${assumed.join(", ")} assumed ceil_mode=False (the default), which fixes their output size`);
  }
  const model = sequential(children, "PrintedModel");
  return { model, typeName, ambiguous, unknown, assumed, warnings };
}

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
      const layers = parseStack(text);
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

/** convlib.geometry.receptive.parse_layers (as the receptive explorer reads its text). */
export function parseStack(text) {
  const layers = [];
  for (const part of text.split(";").map((p) => p.trim()).filter((p) => p)) {
    const numbers = part.split(",");
    if (numbers.length !== 3 || !numbers.every((n) => /^\d+$/.test(n.trim()))) {
      throw new Error("each layer must be three positive integers 'kernel, stride, dilation' separated by ';'; " +
        `received ${strRepr(part)}`);
    }
    const values = numbers.map((n) => Number.parseInt(n.trim(), 10));
    ["kernel_size", "stride", "dilation"].forEach((name, i) => {
      if (values[i] < 1) throw new Error(`${name} must be a positive int; received ${name}=${values[i]}`);
    });
    layers.push(values);
  }
  if (!layers.length) {
    throw new Error(`give at least one layer as 'kernel, stride, dilation'; received ${strRepr(text)}`);
  }
  return layers;
}

// ---- the panel
const STYLE = `
.cl-model textarea { font: 12px/1.35 ui-monospace, monospace; width: 100%; box-sizing: border-box;
  color: var(--cl-fg); background: var(--cl-bg); border: 1px solid var(--cl-line); border-radius: 4px; }
.cl-model .cl-table-box { overflow-x: auto; max-width: 100%; }
.cl-model table { font-size: 12px; font-variant-numeric: tabular-nums; }
.cl-model td:first-child, .cl-model th:first-child { text-align: left; white-space: nowrap; }
.cl-model .cl-warn { border-left: 4px solid var(--cl-read); padding: 4px 10px; margin: 6px 0; }
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
  ui.root.prepend(el("style", { text: STYLE }));
  const id = uid("model");
  const presets = model.get("_presets");
  const preset = el("select", { id: `${id}-preset`, "data-trait": "preset" }, presets.map(([name], i) =>
    el("option", { value: i, text: name })));
  const text = el("textarea", { id: `${id}-text`, rows: 10, spellcheck: "false", "data-trait": "text" });
  const shape = el("input", { type: "text", id: `${id}-shape`, size: 16, "data-trait": "input_shape" });
  const commit = (name, value) => {
    model.set(name, value);
    model.save_changes();
  };
  preset.addEventListener("change", () => {
    const [name, printed, inputShape] = presets[Number(preset.value)];
    model.set("preset", name);
    model.set("text", printed);
    model.set("input_shape", inputShape);
    model.save_changes();
  });
  text.addEventListener("change", () => commit("text", text.value));
  shape.addEventListener("change", () => commit("input_shape", shape.value));
  ui.controls.append(
    el("label", { for: `${id}-preset` }, ["example", preset]),
    el("label", { for: `${id}-shape` }, ["input shape (C, H, W) or (N, C, H, W)", shape]),
  );
  ui.drawing.append(el("label", { for: `${id}-text`, class: "cl-block" },
    ["print(model) text, or a stack 'kernel, stride, dilation; ...'", text]));
  const redraw = () => {
    const index = presets.findIndex(([name]) => name === model.get("preset"));
    preset.value = String(Math.max(index, 0));
    if (text.value !== model.get("text")) text.value = model.get("text");
    shape.value = model.get("input_shape");
    const info = describe(model.get("text"), model.get("input_shape"));
    const parts = (info.warnings ?? []).map((w) => el("div", { class: "cl-warn", role: "note", text: w }));
    if (info.params !== undefined) {
      parts.push(el("p", { text: `Total parameters (exact where the text gives every layer's arguments): ${thousands(info.params)}` }));
    }
    if (info.error) parts.push(errorBox(info.error));
    else {
      const [, , , , size, jump, start] = info.total;
      parts.push(el("p", { text: `Input shape ${pyRepr(parseShape(model.get("input_shape")))}; output shape ` +
        `${pyRepr(info.outputShape)}; receptive field of the output: ${size}${jump ? ` (jump ${jump}, start ${start})` : ""}` }),
      table(info), el("p", { class: "cl-muted", text: "Parameters as PyTorch's parameters(); MACs are multiply-accumulates." }));
    }
    ui.text.replaceChildren(...parts);
  };
  const unshare = shareState(model, "model", ["preset"]);
  const unbind = bind(model, ["text", "input_shape", "preset"], redraw);
  return () => {
    unshare();
    unbind();
  };
}

export default { render };
