// The im2col explorer (convlib.widgets.im2col_explorer): the window matrix of a convolution
// built column by column as the kernel slides (the current window lit in every input channel,
// its column filled in the matrix), the GEMM's shapes and what the matrix costs in memory.
// describe() mirrors describe_im2col and windowMatrix() window_matrix, which call convlib's
// conv_output_size, convlib.algorithms.im2col and Conv2d; tests/node sweeps the control grid.
import { bind, codeLine, controlsError, el, errorBox, floorDiv, frame, range,
  slider, svg, thousands } from "./_common.mjs";
import { convMacs, convOutputSize } from "./geometry.mjs";
import { copyableCode, shareState } from "./share.mjs";

export const LIMITS = { in_channels: [1, 3], out_channels: [1, 4], input_size: [1, 6],
  kernel_size: [1, 4], stride: [1, 3], padding: [0, 2], dilation: [1, 3] };
/** The integer controls Im2colExplorer checks, with their smallest values. */
export const CONTROLS = [["in_channels", 1], ["out_channels", 1], ["input_size", 1],
  ["kernel_size", 1], ["stride", 1], ["padding", 0], ["dilation", 1], ["position", 0]];
export const BYTES_PER_VALUE = 4; // float32

/** The output size along one axis (convlib.conv_output_size), or {error}. */
function outputSize(setting) {
  const invalid = controlsError(setting, CONTROLS);
  if (invalid) return { error: invalid };
  const { input_size: n, kernel_size: k, stride: s, padding: p, dilation: d } = setting;
  try {
    return { o: convOutputSize(n, k, s, [p, p], d) };
  } catch (error) {
    return { error: error.message };
  }
}

/** What the explorer writes for a setting (describe_im2col's dict), or {error}. */
export function describe(setting) {
  const { o, error } = outputSize(setting);
  if (error) return { error };
  const { in_channels: c, out_channels: m, input_size: n, kernel_size: k, stride: s, padding: p,
    dilation: d } = setting;
  const rows = c * k * k;
  const columns = o * o;
  return {
    out: [o, o],
    rows,
    columns,
    weight: [m, rows],
    product: [m, columns],
    macs: convMacs(columns, c, m, 1, k * k),
    column_bytes: rows * columns * BYTES_PER_VALUE,
    input_bytes: c * n * n * BYTES_PER_VALUE,
    duplication: (rows * columns) / (c * n * n),
    torch: `F.unfold(x, kernel_size=${k}, dilation=${d}, padding=${p}, stride=${s})`,
    call: `convlib.algorithms.im2col(x, ${k}, dilation=${d}, padding=${p}, stride=${s})`,
  };
}

/** The input cell (channel, row, column) that entry (row, column) of the matrix copies: row
 * c k^2 + i k + j is channel c at tap (i, j); column l is output position (l // o, l % o). */
export function entryCell(setting, o, row, column) {
  const { kernel_size: k, stride: s, padding: p, dilation: d } = setting;
  const [c, tap] = [floorDiv(row, k * k), row % (k * k)];
  return { c, r: floorDiv(column, o) * s - p + floorDiv(tap, k) * d, q: (column % o) * s - p + (tap % k) * d };
}

/** The window matrix (window_matrix's dict): the values, and the flat input index each entry
 * copies (c n^2 + r n + q), -1 for padding. */
export function windowMatrix(setting) {
  const { o, error } = outputSize({ ...setting, out_channels: 1 });
  if (error) return { error };
  const n = setting.input_size;
  const x = setting.input_values;
  const matrix = [];
  const cells = [];
  for (const row of range(setting.in_channels * setting.kernel_size ** 2)) {
    const values = [];
    const indices = [];
    for (const column of range(o * o)) {
      const { c, r, q } = entryCell(setting, o, row, column);
      const inside = r >= 0 && r < n && q >= 0 && q < n;
      values.push(inside ? x[c][r][q] : 0);
      indices.push(inside ? c * n * n + r * n + q : -1);
    }
    matrix.push(values);
    cells.push(indices);
  }
  return { matrix, cells };
}

/** A byte count as the page writes it: "1,728 bytes". */
export const bytes = (count) => `${thousands(count)} bytes`;
/** The duplication factor to two decimals ("4", "2.25"). */
export const factor = (ratio) => String(Number(ratio.toFixed(2)));

/** The lines the explorer writes under its drawing. */
export function lines(setting, info, position) {
  const { in_channels: c, out_channels: m, input_size: n, kernel_size: k } = setting;
  const o = info.out[0];
  const l = Math.min(position, info.columns - 1);
  return [
    `Column ${l} of ${info.columns} is output position (${floorDiv(l, o)}, ${l % o}): its ${info.rows} entries are the window's ${k}\u00d7${k} cells in each of the ${c} channel${c > 1 ? "s" : ""} (zeros where it covers padding).`,
    `GEMM: weight (C_out, C_in\u00b7k\u00b2) = (${info.weight.join(", ")}) \u00d7 columns (C_in\u00b7k\u00b2, H_out\u00b7W_out) = (${info.rows}, ${info.columns}) \u2192 (${info.product.join(", ")}), reshaped to (1, ${m}, ${o}, ${o}); ${thousands(info.macs)} MACs.`,
    `Memory (float32): the column matrix takes ${bytes(info.column_bytes)}, the input (${c}\u00d7${n}\u00d7${n}) ${bytes(info.input_bytes)}: ${factor(info.duplication)}\u00d7 the input.`,
  ];
}

const SETTING = ["in_channels", "out_channels", "input_size", "kernel_size", "stride", "padding",
  "dilation", "input_values"];

export function settingOf(model) {
  return Object.fromEntries(SETTING.map((name) => [name, model.get(name)]));
}

const IM2COL_STYLE = `
.cl-im2col .cl-grids { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: flex-start; }
.cl-im2col .cl-matrix { overflow-x: auto; max-width: 100%; margin-top: 6px; }
.cl-im2col rect.cl-c { fill: var(--cl-cell); stroke: var(--cl-line); stroke-width: 0.6; }
.cl-im2col rect.cl-c.pad { fill: var(--cl-pad); stroke-dasharray: 2 2; }
.cl-im2col text.cl-v { fill: var(--cl-fg); font: 11px system-ui, sans-serif; pointer-events: none; }
.cl-im2col rect.cl-lit, .cl-im2col rect.cl-cur { fill: none; stroke: var(--cl-focus); stroke-width: 2.5;
  pointer-events: none; }
.cl-im2col rect.cl-rest { fill: var(--cl-bg); opacity: 0.75; pointer-events: none; }
.cl-im2col svg:focus { outline: 2px solid var(--cl-focus); }
`;

/** SVG markup of a grid of cells: the squares, then one text per row holding the row's numbers
 * (one text element per row, each number placed by the x list: hundreds of cells redraw in a
 * few milliseconds). `label(r, c)` is a cell's number or "" (nothing written). */
function gridMarkup(rows, cols, cs, x0, y0, isPad, label, attrs = () => "") {
  const parts = [];
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      parts.push(`<rect class="cl-c${isPad(r, c) ? " pad" : ""}" x="${x0 + c * cs}" y="${y0 + r * cs}" ` +
        `width="${cs - 1}" height="${cs - 1}"${attrs(r, c)}></rect>`);
    }
  }
  for (let r = 0; r < rows; r += 1) parts.push(rowText(r, cols, cs, x0, y0, label));
  return parts.join("");
}

function rowText(r, cols, cs, x0, y0, label) {
  const xs = [];
  const chars = [];
  for (let c = 0; c < cols; c += 1) {
    const text = String(label(r, c));
    [...text].forEach((ch, i) => {
      xs.push(x0 + c * cs + (cs - 1) / 2 + (i - (text.length - 1) / 2) * 6.5);
      chars.push(ch);
    });
  }
  if (!chars.length) return `<text class="cl-v" data-row="${r}"></text>`;
  return `<text class="cl-v" data-row="${r}" x="${xs.join(" ")}" y="${y0 + r * cs + cs / 2 + 4}" ` +
    `text-anchor="middle">${chars.join("")}</text>`;
}

const outline = (x, y, w, h, cls) => `<rect class="${cls}" x="${x}" y="${y}" width="${w}" height="${h}"></rect>`;

/** Draw the input channels and the window matrix; returns `show(position)`, which moves the
 * window and fills the matrix up to that column without redrawing the cells. */
export function draw(area, setting, info, built, position, onPick) {
  const { in_channels: channels, input_size: n, padding: p } = setting;
  const o = info.out[0];
  const size = n + 2 * p;
  const cs = Math.max(14, Math.min(24, Math.floor(330 / size)));
  const top = 20;
  const inputs = range(channels).map((c) => {
    const inside = (r, q) => r >= p && r < n + p && q >= p && q < n + p;
    const image = svg("svg", { viewBox: `0 0 ${size * cs + 8} ${size * cs + 24}`, width: size * cs + 8,
      height: size * cs + 24, role: "img", "aria-label": `input channel ${c}, ${n}\u00d7${n}, padding ${p}; the current window is outlined` });
    image.innerHTML = `<text x="4" y="13">channel ${c}${p ? ` (padding ${p})` : ""}</text>` +
      gridMarkup(size, size, cs, 4, top, (r, q) => !inside(r, q),
        (r, q) => (inside(r, q) ? setting.input_values[c][r - p][q - p] : 0)) +
      '<g class="cl-window"></g>';
    return image;
  });
  const { rows, columns } = info;
  const ms = Math.max(14, Math.min(22, Math.floor(340 / columns)));
  const left = 4;
  const width = Math.max(left + columns * ms + 4, 160);
  const height = top + rows * ms + 4;
  const matrix = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, tabindex: 0, role: "slider",
    "aria-valuemin": 0, "aria-valuemax": columns - 1 });
  matrix.style.maxWidth = "none"; // wide matrices scroll in their own box, not the page
  matrix.innerHTML = `<text x="${left}" y="13">window matrix ${rows}\u00d7${columns}</text>` +
    gridMarkup(rows, columns, ms, left, top, (r, q) => built.cells[r][q] < 0, () => "",
      (r, q) => ` data-column="${q}"`) +
    '<g class="cl-values"></g>' +
    outline(0, top, 0, rows * ms, "cl-rest") + outline(0, top - 1, ms + 1, rows * ms + 1, "cl-cur");
  area.replaceChildren(el("div", { class: "cl-grids" }, inputs), el("div", { class: "cl-matrix" }, [matrix]));
  const values = matrix.querySelector("g.cl-values");
  const rest = matrix.querySelector("rect.cl-rest");
  const cur = matrix.querySelector("rect.cl-cur");
  const windows = inputs.map((image) => image.querySelector("g.cl-window"));
  let l = 0;
  const show = (at) => {
    l = Math.min(Math.max(at, 0), columns - 1);
    // the matrix: the numbers of columns 0..l, the rest greyed out, column l outlined
    values.innerHTML = range(rows).map((r) => rowText(r, l + 1, ms, left, top,
      (row, q) => built.matrix[row][q])).join("");
    rest.setAttribute("x", left + (l + 1) * ms);
    rest.setAttribute("width", (columns - l - 1) * ms);
    cur.setAttribute("x", left + l * ms - 1);
    // the input: the cells column l copies, outlined in their channel
    const marks = range(channels).map(() => []);
    for (const row of range(rows)) {
      const { c, r, q } = entryCell(setting, o, row, l);
      marks[c].push(outline(4 + (q + p) * cs, top + (r + p) * cs, cs - 1, cs - 1, "cl-lit"));
    }
    windows.forEach((g, c) => { g.innerHTML = marks[c].join(""); });
    matrix.setAttribute("aria-valuenow", l);
    matrix.setAttribute("aria-label", `window matrix, ${rows} rows by ${columns} columns; columns 0 to ${l} filled. Left and right arrows move the window.`);
  };
  matrix.addEventListener("click", (event) => {
    const node = event.target.closest?.("rect[data-column]");
    if (node) onPick(Number(node.dataset.column));
  });
  matrix.addEventListener("keydown", (event) => {
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -1, ArrowDown: 1 }[event.key];
    if (step === undefined) return;
    onPick(Math.min(Math.max(l + step, 0), columns - 1), true);
    event.preventDefault();
  });
  show(position);
  return { matrix, show };
}

function render({ model, el: host }) {
  const ui = frame(host, "im2col explorer");
  ui.root.classList.add("cl-im2col");
  ui.root.prepend(el("style", { text: IM2COL_STYLE }));
  const c = {
    in_channels: slider(model, "in_channels", "channels C_in", ...LIMITS.in_channels),
    out_channels: slider(model, "out_channels", "C_out", ...LIMITS.out_channels),
    input_size: slider(model, "input_size", "input size n", ...LIMITS.input_size),
    kernel_size: slider(model, "kernel_size", "kernel k", ...LIMITS.kernel_size),
    stride: slider(model, "stride", "stride s", ...LIMITS.stride),
    padding: slider(model, "padding", "padding p", ...LIMITS.padding),
    dilation: slider(model, "dilation", "dilation d", ...LIMITS.dilation),
    position: slider(model, "position", "column", 0, 0),
  };
  const play = el("button", { type: "button", "aria-pressed": "false", text: "Play" });
  ui.controls.append(...Object.values(c).map((x) => x.node), play);
  let timer = null;
  let columns = 1;
  let refocus = false;
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
      model.set("position", (model.get("position") + 1) % columns);
      model.save_changes();
    }, 700);
  });
  const pick = (column, keyboard = false) => {
    refocus = keyboard;
    model.set("position", column);
    model.save_changes();
  };
  let drawn = null; // the drawing of the current setting, or null
  const writeText = (setting, info) => {
    ui.text.replaceChildren(
      ...lines(setting, info, model.get("position")).map((line) => el("div", { text: line })),
      copyableCode("PyTorch:", info.torch),
      codeLine("convlib:", info.call),
    );
  };
  const redraw = () => {
    const setting = settingOf(model);
    const info = describe({ ...setting, position: model.get("position") });
    for (const control of Object.values(c)) control.sync();
    drawn = null;
    if (info.error) {
      ui.drawing.replaceChildren(el("p", { class: "cl-muted", text: "Nothing to draw for this setting." }));
      ui.text.replaceChildren(errorBox(info.error));
      return;
    }
    columns = info.columns;
    c.position.setRange(0, columns - 1);
    drawn = { setting, info, ...draw(ui.drawing, setting, info, windowMatrix(setting), model.get("position"), pick) };
    writeText(setting, info);
  };
  const move = () => { // a new position alone: move the window, fill the matrix, rewrite the text
    const at = model.get("position");
    if (!drawn || !Number.isInteger(at) || at < 0) return redraw(); // redraw shows the message
    c.position.sync();
    drawn.show(model.get("position"));
    writeText(drawn.setting, drawn.info);
    if (refocus) drawn.matrix.focus();
    refocus = false;
  };
  const unshare = shareState(model, "im2col", [...SETTING.filter((name) => name !== "input_values"), "position"]);
  const unbind = bind(model, SETTING, redraw);
  model.on("change:position", move);
  return () => {
    stop();
    unshare();
    unbind();
    model.off("change:position", move);
  };
}

export default { render };
