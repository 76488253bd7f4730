// The pooling explorer (convlib.widgets.pooling_explorer): max or average pooling of a small
// grid of integers, computed in the page; hovering or focusing an output cell lights its window
// and writes how its value was obtained (the maximum and where it is, or the sum over the
// divisor PyTorch uses). describe() mirrors describe_pooling, which calls convlib's public
// max_pool2d, avg_pool2d and pool_output_size; tests/node sweeps the whole control grid.
import { bind, codeLine, controlsError, dropdown, el, errorBox, floorDiv, frame, pyRepr, range,
  slider, svg } from "./_common.mjs";
import { poolOutputSize, span } from "./geometry.mjs";
import { copyableCode, shareState } from "./share.mjs";

export const MODES = ["max", "avg"];
export const LIMITS = { input_size: [1, 8], kernel_size: [1, 4], stride: [1, 4], padding: [0, 2],
  dilation: [1, 3] };
/** The integer controls PoolingExplorer checks, with their smallest values. */
export const CONTROLS = [["input_size", 1], ["kernel_size", 1], ["stride", 1], ["padding", 0],
  ["dilation", 1], ["position", 0]];

/** Input indices (one axis) the taps of output o's window meet; < 0 or >= n is outside. */
export const windowTaps = (o, k, s, p, d) => range(k).map((j) => o * s - p + j * d);

/** Average pooling's divisor along one axis: the window's cells inside the padded input
 * (a ceil_mode window is cut where the padding ends), or inside the input alone. */
export function axisDivisor(o, n, k, s, p, countPad) {
  let start = o * s - p;
  let end = Math.min(start + k, n + p);
  if (!countPad) [start, end] = [Math.max(start, 0), Math.min(end, n)];
  return end - start;
}

/** The setting's geometry: mode-resolved dilation and the output size, or {error}. */
function geometry(setting) {
  const invalid = controlsError(setting, CONTROLS);
  if (invalid) return { error: invalid };
  const { mode, input_size: n, kernel_size: k, stride: s, padding: p } = setting;
  const d = mode === "max" ? setting.dilation : 1; // average pooling has no dilation
  try {
    return { n, k, s, p, d, o: poolOutputSize(n, k, s, p, d, Boolean(setting.ceil_mode)) };
  } catch (error) {
    return { error: error.message };
  }
}

/** One output cell: its window's taps as {r, c, value} (value null outside the input). */
export function windowCells(g, values, r, c) {
  const rows = windowTaps(r, g.k, g.s, g.p, g.d);
  const cols = windowTaps(c, g.k, g.s, g.p, g.d);
  const inside = (i) => i >= 0 && i < g.n;
  return rows.flatMap((i) => cols.map((j) => ({ r: i, c: j,
    value: inside(i) && inside(j) ? values[i][j] : null })));
}

/** Everything the explorer shows for a setting (describe_pooling's dict), or {error}. */
export function describe(setting) {
  const g = geometry(setting);
  if (g.error) return g;
  const { n, k, s, p, d, o } = g;
  const x = setting.input_values;
  const ceil = Boolean(setting.ceil_mode);
  const info = { out: [o, o] };
  const reads = range(o).map((t) => windowTaps(t, k, s, p, d).filter((i) => i >= 0 && i < n));
  if (setting.mode === "max") {
    info.values = [];
    info.indices = [];
    for (const r of range(o)) {
      const valueRow = [];
      const indexRow = [];
      for (const c of range(o)) {
        let best = null;
        let at = null;
        for (const cell of windowCells(g, x, r, c)) {
          if (cell.value !== null && (best === null || cell.value > best)) [best, at] = [cell.value, cell];
        }
        if (at === null) { // padding only: PyTorch reports the first tap at a position >= 0
          const corner = (t) => t * s - p + d * Math.max(0, -floorDiv(t * s - p, d));
          at = { r: corner(r), c: corner(c) };
        }
        valueRow.push(best);
        indexRow.push(at.r * n + at.c);
      }
      info.values.push(valueRow);
      info.indices.push(indexRow);
    }
    info.torch = `nn.MaxPool2d(kernel_size=${k}, stride=${s}, padding=${p}, dilation=${d}, ceil_mode=${pyRepr(ceil)})`;
    info.call = `convlib.max_pool2d(x, kernel_size=${k}, stride=${s}, padding=${p}, dilation=${d}, ceil_mode=${pyRepr(ceil)})`;
  } else {
    const countPad = Boolean(setting.count_include_pad);
    const divisor = range(o).map((t) => axisDivisor(t, n, k, s, p, countPad));
    info.sums = range(o).map((r) => range(o).map((c) =>
      windowCells(g, x, r, c).reduce((total, cell) => total + (cell.value ?? 0), 0)));
    info.divisors = range(o).map((r) => range(o).map((c) => divisor[r] * divisor[c]));
    info.values = info.sums.map((row, r) => row.map((sum, c) => sum / info.divisors[r][c]));
    let extra = ceil ? ", ceil_mode=True" : "";
    if (!countPad) extra += ", count_include_pad=False";
    info.torch = `nn.AvgPool2d(kernel_size=${k}, stride=${s}, padding=${p}${extra})`;
    info.call = `convlib.avg_pool2d(x, kernel_size=${k}, stride=${s}, padding=${p}, ceil_mode=${pyRepr(ceil)}, count_include_pad=${pyRepr(countPad)})`;
  }
  info.reads = reads;
  return info;
}

/** A value as the page writes it: an int as is, else rounded to `digits` decimals; -inf. */
export function formatValue(value, digits = 2) {
  if (value === null) return "\u2212\u221e";
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(digits)));
}

/** How output cell (r, c) was obtained, in words (the hover / focus text). */
export function derivation(setting, info, r, c) {
  const g = geometry(setting);
  const cells = windowCells(g, setting.input_values, r, c);
  const shown = cells.map((cell) => (cell.value === null ? (setting.mode === "max" ? "\u2212\u221e" : "0") : String(cell.value)));
  const where = `output (${r}, ${c})`;
  if (setting.mode === "max") {
    const value = info.values[r][c];
    if (value === null) {
      return `${where} = max(${shown.join(", ")}) = \u2212\u221e: its window holds padding only (padding is \u2212\u221e in max pooling).`;
    }
    const index = info.indices[r][c];
    const [i, j] = [floorDiv(index, g.n), index % g.n];
    const ties = cells.filter((cell) => cell.value === value).length;
    return (
      `${where} = max(${shown.join(", ")}) = ${value}, at input (${i}, ${j})` +
      (ties > 1 ? `; ${ties} cells tie and the first in reading order wins (the index PyTorch returns).` : ".")
    );
  }
  const divisor = info.divisors[r][c];
  const inPadded = cells.filter((cell) => cell.r < g.n + g.p && cell.c < g.n + g.p).length;
  const inInput = cells.filter((cell) => cell.value !== null).length;
  let why;
  if (setting.count_include_pad) {
    why = `divisor ${divisor}: the window's cells inside the padded input (count_include_pad=True)`;
    if (inPadded < cells.length) why += `; ${cells.length - inPadded} of its ${cells.length} cells lie past the padding (ceil_mode) and are not counted`;
  } else {
    why = `divisor ${divisor}: the window's cells inside the input (count_include_pad=False)`;
    if (inInput < cells.length) why += `; ${cells.length - inInput} of its ${cells.length} cells are padding or past it`;
  }
  return `${where} = (${shown.join(" + ")}) / ${divisor} = ${info.sums[r][c]} / ${divisor} = ${formatValue(info.values[r][c], 4)}; ${why}.`;
}

/** The formula of the output size with the numbers substituted (floor, or ceil_mode's ceiling). */
export function formula(setting, info) {
  const { input_size: n, kernel_size: k, stride: s, padding: p } = setting;
  const d = setting.mode === "max" ? setting.dilation : 1;
  const [open, close] = setting.ceil_mode ? ["\u2308", "\u2309"] : ["\u230a", "\u230b"];
  const inner = n + 2 * p - span(k, d);
  let text = `o = ${open}(n + 2p \u2212 d(k\u22121) \u2212 1)/s${close} + 1 = ${open}(${n} + 2\u00b7${p} \u2212 ${d}\u00b7${k - 1} \u2212 1)/${s}${close} + 1 = ${open}${inner}/${s}${close} + 1`;
  const raw = (setting.ceil_mode ? -floorDiv(-inner, s) : floorDiv(inner, s)) + 1;
  if (raw !== info.out[0]) text += ` = ${raw}, less the window that would start in the right padding = ${info.out[0]}`;
  else text += ` = ${info.out[0]}`;
  return text;
}

const SETTING = ["mode", "input_size", "kernel_size", "stride", "padding", "dilation", "ceil_mode",
  "count_include_pad", "input_values"];

export function settingOf(model) {
  return Object.fromEntries(SETTING.map((name) => [name, model.get(name)]));
}

const POOL_STYLE = `
.cl-pool .cl-grids { display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: flex-start; }
.cl-pool g.cl-c rect { fill: var(--cl-cell); stroke: var(--cl-line); stroke-width: 0.6; }
.cl-pool g.cl-c.pad rect { fill: var(--cl-pad); stroke-dasharray: 2 2; }
.cl-pool g.cl-c.past rect { fill: none; stroke-dasharray: 1 3; }
.cl-pool g.cl-c.out rect { fill: var(--cl-out); }
.cl-pool g.cl-c text { fill: var(--cl-fg); font: 12px system-ui, sans-serif; pointer-events: none; }
.cl-pool g.cl-c.pad text, .cl-pool g.cl-c.past text { fill: var(--cl-muted); }
.cl-pool g.cl-c.lit rect { fill: var(--cl-read); }
.cl-pool g.cl-c.lit text, .cl-pool g.cl-c.best text, .cl-pool g.cl-c.cur text { fill: var(--cl-bg); }
.cl-pool g.cl-c.best rect, .cl-pool g.cl-c.cur rect { fill: var(--cl-focus); }
.cl-pool g.cl-c:focus { outline: none; }
.cl-pool g.cl-c:focus rect { stroke: var(--cl-fg); stroke-width: 2.5; }
.cl-pool .cl-derivation { min-height: 2.9em; font-variant-numeric: tabular-nums; }
`;

const BOOLEANS = [[false, "False"], [true, "True"]];

/** SVG markup of one cell: a group holding the square and its number. */
function cellMarkup(x, y, cs, classes, attrs, label) {
  const extra = Object.entries(attrs).map(([k, v]) => ` ${k}="${v}"`).join("");
  return `<g class="cl-c ${classes}"${extra}><rect x="${x}" y="${y}" width="${cs - 1}" height="${cs - 1}"></rect>` +
    `<text x="${x + (cs - 1) / 2}" y="${y + cs / 2 + 4}" text-anchor="middle">${label}</text></g>`;
}

/** Draw the input (padding, and the cells a ceil_mode window reaches past it) and the output. */
export function draw(area, setting, info, position, onPick, onShow) {
  const g = geometry(setting);
  const { n, p, o } = g;
  const reach = Math.max(n + p, (o - 1) * g.s - p + span(g.k, g.d)); // last cell any window reads
  const size = reach + p; // drawn cells per axis, from -p
  const cs = Math.max(20, Math.min(30, Math.floor(330 / size)));
  const x = setting.input_values;
  const padLabel = setting.mode === "max" ? "\u2212\u221e" : "0";
  const inParts = [];
  for (const r of range(size, -p)) {
    for (const c of range(size, -p)) {
      const inside = r >= 0 && r < n && c >= 0 && c < n;
      const past = r >= n + p || c >= n + p;
      const kind = inside ? "" : past ? "past" : "pad";
      const label = inside ? x[r][c] : past ? "" : padLabel;
      inParts.push(cellMarkup(4 + (c + p) * cs, 22 + (r + p) * cs, cs, kind,
        { "data-r": r, "data-c": c, role: "img",
          "aria-label": `input (${r}, ${c})${inside ? ` = ${x[r][c]}` : past ? ", past the padding" : ", padding"}` }, label));
    }
  }
  const outParts = [];
  for (const r of range(o)) {
    for (const c of range(o)) {
      const flat = r * o + c;
      outParts.push(cellMarkup(4 + c * cs, 22 + r * cs, cs, "out",
        { "data-flat": flat, tabindex: flat === Math.min(position, o * o - 1) ? 0 : -1, role: "button",
          "aria-label": `output (${r}, ${c}) = ${formatValue(info.values[r][c])}` },
        formatValue(info.values[r][c], 1)));
    }
  }
  const picture = (width, rows, title, parts, label) => {
    const image = svg("svg", { viewBox: `0 0 ${width} ${rows}`, width, height: rows, role: "group", "aria-label": label });
    image.innerHTML = `<text x="4" y="14">${title}</text>${parts.join("")}`;
    return image;
  };
  const dims = `${n}\u00d7${n}`;
  const padText = p ? `, padding ${p} (${padLabel})` : "";
  const input = picture(size * cs + 8, size * cs + 26, `input ${dims}${padText}`, inParts,
    `Input ${dims}${padText}; the window of the output cell shown is lit.`);
  const output = picture(Math.max(o * cs + 8, 120), o * cs + 26, `output ${o}\u00d7${o}`, outParts,
    `Output ${o}\u00d7${o}: hover, focus or press an output cell to see how its value was obtained.`);
  area.replaceChildren(el("div", { class: "cl-grids" }, [input, output]));
  const inCells = new Map([...input.querySelectorAll("g.cl-c")].map((node) => [`${node.dataset.r},${node.dataset.c}`, node]));
  const outCells = [...output.querySelectorAll("g.cl-c")];
  let lit = [];
  const show = (flat) => {
    for (const node of lit) node.classList.remove("lit", "best", "cur");
    const [r, c] = [floorDiv(flat, o), flat % o];
    lit = [outCells[flat]];
    outCells[flat].classList.add("cur");
    for (const cell of windowCells(g, x, r, c)) {
      const node = inCells.get(`${cell.r},${cell.c}`);
      if (node) { node.classList.add("lit"); lit.push(node); }
    }
    if (setting.mode === "max" && info.values[r][c] !== null) {
      const index = info.indices[r][c];
      const node = inCells.get(`${floorDiv(index, n)},${index % n}`);
      node.classList.add("best");
    }
    onShow(derivation(setting, info, r, c));
  };
  const rest = () => show(Math.min(position, o * o - 1));
  const target = (event) => event.target.closest?.("g[data-flat]");
  const enter = (event) => {
    const node = target(event);
    if (node) show(Number(node.dataset.flat));
  };
  output.addEventListener("mouseover", enter);
  output.addEventListener("focusin", enter);
  output.addEventListener("mouseleave", rest);
  output.addEventListener("focusout", rest);
  output.addEventListener("click", (event) => {
    const node = target(event);
    if (node) onPick(Number(node.dataset.flat));
  });
  output.addEventListener("keydown", (event) => {
    const node = target(event);
    if (!node) return;
    const flat = Number(node.dataset.flat);
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    if (moves[event.key]) {
      const [dr, dc] = moves[event.key];
      const r = Math.min(Math.max(floorDiv(flat, o) + dr, 0), o - 1);
      const c = Math.min(Math.max((flat % o) + dc, 0), o - 1);
      node.setAttribute("tabindex", -1);
      outCells[r * o + c].setAttribute("tabindex", 0);
      outCells[r * o + c].focus();
      event.preventDefault();
    } else if (event.key === "Enter" || event.key === " ") {
      onPick(flat);
      event.preventDefault();
    }
  });
  rest();
  return { show };
}

function text(setting, info) {
  if (info.error) return [errorBox(info.error)];
  const o = info.out[0];
  return [
    el("div", { text: formula(setting, info) }),
    el("div", { text: `output shape (1, 1, ${o}, ${o}) as (N, C, H, W); pooling has no weights: nothing to learn.` }),
    copyableCode("PyTorch:", info.torch),
    codeLine("convlib:", info.call),
  ];
}

function render({ model, el: host }) {
  const ui = frame(host, "Pooling explorer");
  ui.root.classList.add("cl-pool");
  ui.root.prepend(el("style", { text: POOL_STYLE }));
  const c = {
    mode: dropdown(model, "mode", "pooling", [["max", "max"], ["avg", "average"]]),
    input_size: slider(model, "input_size", "input size n", ...LIMITS.input_size),
    kernel_size: slider(model, "kernel_size", "window k", ...LIMITS.kernel_size),
    stride: slider(model, "stride", "stride s", ...LIMITS.stride),
    padding: slider(model, "padding", "padding p", ...LIMITS.padding),
    dilation: slider(model, "dilation", "dilation d", ...LIMITS.dilation),
    ceil_mode: dropdown(model, "ceil_mode", "ceil_mode", BOOLEANS),
    count_include_pad: dropdown(model, "count_include_pad", "count_include_pad", BOOLEANS),
    position: slider(model, "position", "output position", 0, 0),
  };
  const play = el("button", { type: "button", "aria-pressed": "false", text: "Play" });
  ui.controls.append(...Object.values(c).map((x) => x.node), play);
  const said = el("div", { class: "cl-derivation", "aria-live": "polite" });
  ui.drawing.after(said);
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
    const info = describe({ ...setting, position: model.get("position") });
    for (const control of Object.values(c)) control.sync();
    c.dilation.node.hidden = setting.mode !== "max";
    c.count_include_pad.node.hidden = setting.mode !== "avg";
    if (info.error) {
      ui.drawing.replaceChildren(el("p", { class: "cl-muted", text: "Nothing to draw for this setting." }));
      said.textContent = "";
    } else {
      outputs = info.out[0] ** 2;
      c.position.setRange(0, outputs - 1);
      draw(ui.drawing, setting, info, model.get("position"), pick, (line) => { said.textContent = line; });
    }
    ui.text.replaceChildren(...text(setting, info));
  };
  const unshare = shareState(model, "pool", [...SETTING.filter((name) => name !== "input_values"), "position"]);
  const unbind = bind(model, [...SETTING, "position"], redraw);
  return () => {
    stop();
    unshare();
    unbind();
  };
}

export default { render };
