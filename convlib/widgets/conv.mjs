// The convolution explorer (convlib.widgets.conv_explorer): any 1-D or 2-D convolution or
// transposed convolution of one channel, its windows, formula, shape, counts and code.
// describe() mirrors convlib.widgets.conv_explorer.describe_conv, which calls convlib.geometry.shapes
// and convlib.nn.layers; tests/node sweeps the whole control grid against it.
import {
  bind,
  codeLine,
  controlsError,
  DIAGRAM_PADDING_STRINGS,
  dropdown,
  el,
  errorBox,
  floorDiv,
  frame,
  product,
  pyRepr,
  range,
  slider,
  svg,
  tupleRepr,
} from "./_common.mjs";
import {
  convMacs,
  convOutputSize,
  convTransposeNaturalSize,
  resolveDiagramPadding,
  span,
} from "./geometry.mjs";
import { copyableCode, shareState } from "./share.mjs";
import {
  INPUT_PRESETS,
  KERNEL_PRESETS,
  VALUE_STYLE,
  cellLabels,
  drawnInputs,
  inputText,
  kernelGrid,
  outputValues,
  presetError,
  presetValues,
  sumText,
} from "./values.mjs";

export const PADDINGS = [0, 1, 2, 3, 4, "same", "valid", "full", "causal"];
export const LIMITS = { input_size: [1, 12], kernel_size: [1, 7], stride: [1, 4], dilation: [1, 4],
  output_padding: [0, 3] };

/** Input indices output o reads (convlib.geometry.shapes.input_window); < 0 or >= n is padding. */
export const inputWindow = (o, k, s, before, d) => range(k).map((j) => o * s - before + j * d);
/** Output indices input i of a transposed convolution writes (transpose_scatter_window). */
export const scatterWindow = (i, k, s, p, d) => range(k).map((j) => i * s - p + j * d);

export function convFormula(n, k, s, [lo, hi], d) {
  const inner = n + lo + hi - span(k, d);
  return (
    "o = \u230a(n + p_before + p_after \u2212 d(k\u22121) \u2212 1)/s\u230b + 1" +
    ` = \u230a(${n} + ${lo} + ${hi} \u2212 ${d}\u00b7${k - 1} \u2212 1)/${s}\u230b + 1` +
    ` = \u230a${inner}/${s}\u230b + 1 = ${floorDiv(inner, s) + 1}`
  );
}

export function transposeFormula(n, k, s, p, op, d) {
  const value = convTransposeNaturalSize(n, k, s, p, d) + op;
  return (
    "o = (n\u22121)s \u2212 2p + d(k\u22121) + output_padding + 1" +
    ` = ${n - 1}\u00b7${s} \u2212 2\u00b7${p} + ${d}\u00b7${k - 1} + ${op} + 1 = ${value}`
  );
}

const fill = (value, nd) => Array(nd).fill(value);

/** convlib.nn.layers' torch_code of a one-channel Conv/ConvTranspose layer. */
export function torchCode(nd, transposed, k, s, padding, d, op = 0) {
  const name = `nn.Conv${transposed ? "Transpose" : ""}${nd}d`;
  const pad = typeof padding === "string" ? pyRepr(padding) : tupleRepr(fill(padding, nd));
  const args = ["1", "1", `kernel_size=${k}`, `stride=${s}`, `padding=${pad}`];
  args.push(`dilation=${d}`);  // torch's order (extra_repr): dilation, then output_padding
  if (transposed) args.push(`output_padding=${op}`);
  return `${name}(${args.join(", ")})`;
}

/** convlib.nn.layers' keras_code, or null where Keras has no equivalent. */
export function kerasCode(nd, transposed, k, s, padding, d, op = 0) {
  let keras;
  if (typeof padding === "string") keras = padding === "causal" && nd !== 1 ? null : padding;
  else if (padding === 0) keras = "valid";
  else keras = padding * 2 === span(k, d) - 1 && s === 1 ? "same" : null;
  if (keras === null) return null;
  const args = ["1", `kernel_size=${k}`, `strides=${s}`, `padding="${keras}"`];
  args.push(`dilation_rate=${d}`);
  if (transposed && op) args.push(`output_padding=${op}`);
  args.push("use_bias=True");
  return `layers.Conv${nd}D${transposed ? "Transpose" : ""}(${args.join(", ")})`;
}

/** The controls ConvExplorer checks (a setting's `position` is checked when it has one). */
export const CONTROLS = [["input_size", 1], ["kernel_size", 1], ["stride", 1], "padding",
  ["dilation", 1], ["output_padding", 0], ["position", 0]];

/** Everything the explorer shows for a setting, or {error} for an impossible one. */
export function describe(setting) {
  const invalid = controlsError(setting, CONTROLS, DIAGRAM_PADDING_STRINGS);
  if (invalid) return { error: invalid };
  const { dims, mode, input_size: n, kernel_size: k, stride: s, dilation: d } = setting;
  const nd = dims === "1-D" ? 1 : 2;
  if (mode === "transposed") return describeTransposed(nd, n, k, s, setting.padding, d, setting.output_padding);
  let pads, o;
  try { // the one plan: 'full' resolves like convlib's diagram_conv_geometry
    pads = resolveDiagramPadding(setting.padding, k, s, d);
    o = convOutputSize(n, k, s, pads, d);
  } catch (error) {
    return { error: error.message };
  }
  const padding = setting.padding === "full" ? pads[0] : setting.padding; // PyTorch's int
  const out = fill(o, nd);
  let torch = torchCode(nd, false, k, s, padding === "causal" ? 0 : padding, d);
  if (padding === "causal") torch = `F.pad(x, ${pyRepr(range(nd).flatMap(() => pads))}) then ${torch}`;
  return {
    out,
    pads,
    formula: convFormula(n, k, s, pads, d),
    shape: pyRepr([1, 1, ...out]),
    params: k ** nd + 1,
    macs: convMacs(product(out), 1, 1, 1, k ** nd),
    torch,
    keras: kerasCode(nd, false, k, s, padding, d),
    call: `convlib.conv${nd}d(x, w, stride=${s}, padding=${pyRepr(padding)}, dilation=${d})`,
    windows: range(o).map((i) => inputWindow(i, k, s, pads[0], d)),
  };
}

function describeTransposed(nd, n, k, s, p, d, op) {
  if (typeof p === "string") {
    return {
      error: `padding must be a non-negative int or a tuple of ${nd} non-negative ints; received padding=${pyRepr(p)}`,
    };
  }
  if (op >= s && op >= d) {
    return {
      error:
        "output_padding must be smaller than either stride or dilation (as in PyTorch); " +
        `received output_padding=${op} with stride=${s}, dilation=${d}`,
    };
  }
  const natural = convTransposeNaturalSize(n, k, s, p, d);
  const o = natural + op;
  const out = fill(o, nd);
  if (o < 1) {
    return {
      error:
        `padding removes the whole output of the transposed convolution: output size ` +
        `${pyRepr(out)}; received padding=${p} for input_size=${pyRepr(fill(n, nd))}, ` +
        `kernel_size=${k}, stride=${s}, dilation=${d}`,
    };
  }
  const smallest = Math.max(natural, 1);
  const largest = natural + s - 1;
  return {
    out,
    formula: transposeFormula(n, k, s, p, op, d),
    shape: pyRepr([1, 1, ...out]),
    params: k ** nd + 1,
    macs: convMacs(n ** nd, 1, 1, 1, k ** nd),
    torch: torchCode(nd, true, k, s, p, d, op),
    keras: kerasCode(nd, true, k, s, p, d, op),
    call: `convlib.conv_transpose${nd}d(x, w, stride=${s}, padding=${p}, output_padding=${op}, dilation=${d})`,
    range: largest >= 1 ? [smallest, largest] : null,
    choices: range(largest - smallest + 1, smallest).map((m) => [m, m - natural]),
    scatter: range(n).map((i) => scatterWindow(i, k, s, p, d)),
  };
}

/**
 * Which cells light up: in padded-input coordinates for a convolution (index + before),
 * plain indices for a transposed one. reads[o] = inputs output o uses; readers[i] = outputs
 * that use input i. One axis; a 2-D cell is the product of two axes.
 */
export function links(setting, info) {
  if (info.windows) {
    const size = setting.input_size + info.pads[0] + info.pads[1];
    const reads = info.windows.map((w) => w.map((i) => i + info.pads[0]));
    const readers = range(size).map(() => []);
    reads.forEach((w, o) => w.forEach((i) => readers[i].push(o)));
    return { inputs: size, outputs: info.out[0], reads, readers };
  }
  const o = info.out[0];
  const readers = info.scatter.map((w) => w.filter((m) => m >= 0 && m < o));
  const reads = range(o).map(() => []);
  readers.forEach((w, i) => w.forEach((m) => reads[m].push(i)));
  return { inputs: setting.input_size, outputs: o, reads, readers };
}

/** Flat cell indices lit when `kind` ('in'/'out') cell `flat` is active (2-D: row-major). */
export function litCells(map, nd, kind, flat) {
  const [size, table] = kind === "out" ? [map.outputs, map.reads] : [map.inputs, map.readers];
  const other = kind === "out" ? map.inputs : map.outputs;
  if (nd === 1) return table[flat] ?? [];
  const r = Math.floor(flat / size);
  const c = flat % size;
  return (table[r] ?? []).flatMap((a) => (table[c] ?? []).map((b) => a * other + b));
}

const SETTING = ["dims", "mode", "input_size", "kernel_size", "stride", "padding", "dilation",
  "output_padding", "input_values", "kernel_values"];

export function settingOf(model) {
  return Object.fromEntries(SETTING.map((name) => [name, model.get(name)]));
}

/** SVG markup of a grid of cells (markup, not nodes: hundreds of cells parse in one go). */
function grid(count, nd, cs, x0, y0, kind, isPad, label) {
  const rows = nd === 1 ? 1 : count;
  const role = kind === "out" ? "button" : "img";
  const parts = [`<g role="group" aria-label="${label} cells">`];
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < count; c += 1) {
      const flat = r * count + c;
      const pad = isPad(nd === 1 ? [c] : [r, c]);
      const name = nd === 1 ? `${c}` : `${r}, ${c}`;
      parts.push(
        `<rect x="${x0 + c * cs}" y="${y0 + r * cs}" width="${cs - 1}" height="${cs - 1}" ` +
          `class="cell ${kind}${pad ? " pad" : ""}" tabindex="${flat === 0 ? 0 : -1}" ` +
          `data-kind="${kind}" data-flat="${flat}" role="${role}" ` +
          `aria-label="${label} cell (${name})${pad ? ", padding" : ""}"></rect>`,
      );
    }
  }
  parts.push("</g>");
  return { markup: parts.join(""), rows, count };
}

/** Arrow keys move the focus within a grid (one tab stop per grid); Enter picks a cell. */
function moveFocus(event, cells, rows, count, onActivate) {
  const flat = Number(event.target.dataset.flat);
  const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  const move = moves[event.key];
  if (move) {
    const r = Math.min(Math.max(Math.floor(flat / count) + move[0], 0), rows - 1);
    const c = Math.min(Math.max((flat % count) + move[1], 0), count - 1);
    const next = cells[r * count + c];
    event.target.setAttribute("tabindex", -1);
    next.setAttribute("tabindex", 0);
    next.focus();
    event.preventDefault();
  } else if (event.key === "Enter" || event.key === " ") {
    onActivate(flat);
    event.preventDefault();
  }
}

/** Draw the setting into `area` as SVG, hover/focus lighting included; with `values`
 * ({x, w, y, terms}) the cells carry their numbers and onShow(kind, flat) hears each hover. */
export function draw(area, setting, info, position, onPick, values = null, onShow = () => {}) {
  const nd = setting.dims === "1-D" ? 1 : 2;
  const map = links(setting, info);
  const transposed = setting.mode === "transposed";
  const biggest = Math.max(map.inputs, map.outputs);
  const cs = Math.max(6, Math.min(28, Math.floor((nd === 1 ? 620 : 300) / biggest)));
  const gap = 40;
  const top = 22;
  const inW = map.inputs * cs;
  const outW = map.outputs * cs;
  const n = setting.input_size;
  const before = transposed ? 0 : info.pads[0];
  const padCell = (idx) => idx.some((i) => i - before < 0 || i - before >= n);
  const dim = (m) => (nd === 1 ? `${m}` : `${m}\u00d7${m}`);
  const inLabel = transposed ? `input ${dim(n)}` : `input ${dim(n)} padded to ${dim(map.inputs)}`;
  const outLabel = `output ${dim(map.outputs)}`;
  const outX = nd === 1 ? 4 : 4 + inW + gap;
  const outY = nd === 1 ? top + cs + gap : top;
  const width = nd === 1 ? Math.max(inW, outW, 200) + 8 : inW + gap + outW + 8;
  const height = nd === 1 ? top + cs + gap + cs + 8 : top + Math.max(inW, outW) + 8;
  const inputGrid = grid(map.inputs, nd, cs, 4, top, "in", padCell, "input");
  const outputGrid = grid(map.outputs, nd, cs, outX, outY, "out", () => false, "output");
  const title = transposed
    ? "Transposed convolution: each input cell scatters into the output cells it lights"
    : "Convolution: each output cell reads the input cells it lights";
  const image = svg("svg", {
    viewBox: `0 0 ${width} ${height}`, width, height, role: "group",
    "aria-label": `${title}. Input ${dim(transposed ? n : map.inputs)}, output ${dim(map.outputs)}.`,
  });
  image.innerHTML =
    `<text x="4" y="14">${inLabel}</text><text x="${outX}" y="${outY - 8}">${outLabel}</text>` +
    inputGrid.markup + outputGrid.markup +
    (values ? cellLabels(drawnInputs(setting, info, values.x), map.inputs, nd, cs, 4, top, "in") +
      cellLabels(values.y, map.outputs, nd, cs, outX, outY, "out") : "");
  area.replaceChildren(image);
  const cells = { in: [...image.querySelectorAll("rect.in")], out: [...image.querySelectorAll("rect.out")] };
  const shape = { in: inputGrid, out: outputGrid };
  const labels = { in: [...image.querySelectorAll("text.val.in")], out: [...image.querySelectorAll("text.val.out")] };
  let lit = [];
  let current = [];
  const show = (kind, flat) => {
    for (const node of lit) node.classList.remove("lit");
    for (const node of current) node.classList.remove("cur");
    const otherKind = kind === "out" ? "in" : "out";
    const indices = litCells(map, nd, kind, flat);
    lit = [...indices.map((i) => cells[otherKind][i]), ...indices.map((i) => labels[otherKind][i])].filter(Boolean);
    for (const node of lit) node.classList.add("lit");
    current = [cells[kind][flat], labels[kind][flat]].filter(Boolean);
    for (const node of current) node.classList.add("cur");
    onShow(kind, flat);
  };
  const clampPos = Math.min(position, cells.out.length - 1);
  const rest = () => show("out", clampPos);
  const target = (event) => event.target.closest?.("rect[data-kind]");
  const enter = (event) => {
    const rect = target(event);
    if (rect) show(rect.dataset.kind, Number(rect.dataset.flat));
  };
  image.addEventListener("mouseover", enter);
  image.addEventListener("focusin", enter);
  image.addEventListener("mouseleave", rest);
  image.addEventListener("focusout", rest);
  image.addEventListener("click", (event) => {
    const rect = target(event);
    if (rect && rect.dataset.kind === "out") onPick(Number(rect.dataset.flat));
  });
  image.addEventListener("keydown", (event) => {
    const rect = target(event);
    if (!rect) return;
    const kind = rect.dataset.kind;
    moveFocus(event, cells[kind], shape[kind].rows, shape[kind].count, kind === "out" ? onPick : () => {});
  });
  rest();
  return { show, cells };
}

function text(setting, info) {
  if (info.error) return [errorBox(info.error)];
  const nd = setting.dims === "1-D" ? 1 : 2;
  const parts = [
    el("div", { text: info.formula }),
    el("div", {
      text:
        `output shape ${info.shape} as (N, C, ${nd === 1 ? "L" : "H, W"}); parameters ` +
        `${info.params} (= ${setting.kernel_size}^${nd} weights + 1 bias); MACs ${info.macs}`,
    }),
  ];
  if (info.choices) {
    const n = setting.input_size;
    const rows = info.choices.map(([m, op]) =>
      el("tr", {}, [
        el("td", { text: m }), el("td", { text: n }), el("td", { text: `output_padding=${op}` }),
        el("td", { text: op === setting.output_padding ? "\u2190 this setting" : "" }),
      ]),
    );
    parts.push(
      el("table", {}, [
        el("caption", {
          text: `Input sizes a Conv with these arguments maps to size ${n}; output_padding picks which one the transposed convolution gives back`,
        }),
        el("tr", {}, ["conv input", "conv output", "transposed conv", "this?"].map((t) => el("th", { text: t }))),
        ...rows,
      ]),
    );
  }
  parts.push(
    copyableCode("PyTorch:", info.torch),
    codeLine("Keras:", info.keras ?? "no exact equivalent (Keras pads only 'valid'/'same'/'causal')"),
    codeLine("convlib:", info.call),
  );
  return parts;
}

function render({ model, el: host }) {
  const ui = frame(host, "Convolution explorer");
  const c = {
    dims: dropdown(model, "dims", "input", ["1-D", "2-D"]),
    mode: dropdown(model, "mode", "mode", ["convolution", "transposed"]),
    input_size: slider(model, "input_size", "input size n", ...LIMITS.input_size),
    kernel_size: slider(model, "kernel_size", "kernel k", ...LIMITS.kernel_size),
    stride: slider(model, "stride", "stride s", ...LIMITS.stride),
    padding: dropdown(model, "padding", "padding p", PADDINGS),
    dilation: slider(model, "dilation", "dilation d", ...LIMITS.dilation),
    output_padding: slider(model, "output_padding", "output_padding", ...LIMITS.output_padding),
    position: slider(model, "position", "output position", 0, 0),
    input_values: dropdown(model, "input_values", "input values", INPUT_PRESETS),
    kernel_values: dropdown(model, "kernel_values", "weights", KERNEL_PRESETS),
  };
  const play = el("button", { type: "button", "aria-pressed": "false", text: "Play" });
  ui.controls.append(...Object.values(c).map((x) => x.node), play);
  const sum = el("div", { class: "cl-sum" });
  const sumLine = el("p", { "aria-live": "polite" });
  ui.drawing.after(sum);
  ui.root.append(el("style", { text: VALUE_STYLE }));
  let timer = null;
  let outputs = 1;
  const stop = () => {
    clearInterval(timer);
    timer = null;
    play.setAttribute("aria-pressed", "false");
    play.textContent = "Play";
  };
  play.addEventListener("click", () => {
    if (timer) return stop();
    play.setAttribute("aria-pressed", "true");
    play.textContent = "Pause";
    timer = setInterval(() => {
      model.set("position", (model.get("position") + 1) % outputs);
      model.save_changes();
    }, 700);
  });
  const pick = (flat) => {
    model.set("position", flat);
    model.save_changes();
  };
  const redraw = () => {
    const setting = settingOf(model);
    const wrong = presetError(setting);
    const info = wrong ? { error: wrong } : describe({ ...setting, position: model.get("position") });
    for (const control of Object.values(c)) control.sync();
    c.output_padding.node.hidden = setting.mode !== "transposed";
    if (info.error) {
      ui.drawing.replaceChildren(el("p", { class: "cl-muted", text: "Nothing to draw for this setting." }));
      sum.replaceChildren();
    } else {
      outputs = product(info.out);
      c.position.setRange(0, outputs - 1);
      const nd = setting.dims === "1-D" ? 1 : 2;
      const x = presetValues("input", setting.input_values, setting.input_size, nd);
      const w = presetValues("kernel", setting.kernel_values, setting.kernel_size, nd);
      const values = { x, w, ...outputValues(setting, info, x, w) };
      const explain = (kind, flat) => {
        sumLine.textContent = kind === "out" ? sumText(setting, info, values, flat) : inputText(setting, info, x, flat);
      };
      sum.replaceChildren(kernelGrid(setting, w), sumLine);
      draw(ui.drawing, setting, info, model.get("position"), pick, values, explain);
    }
    ui.text.replaceChildren(...text(setting, info));
  };
  const unshare = shareState(model, "conv", [...SETTING, "position"]);
  const unbind = bind(model, [...SETTING, "position"], redraw);
  return () => {
    stop();
    unshare();
    unbind();
  };
}

export default { render };
