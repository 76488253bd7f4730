// The im2col explorer (convlib.widgets.im2col_explorer): the window matrix of a convolution
// built column by column as the kernel slides (the current window lit in every input channel,
// its column filled in the matrix), the GEMM's shapes and what the matrix costs in memory.
// describe() mirrors describe_im2col and windowMatrix() window_matrix, which call convlib's
// conv_output_size, convlib.algorithms.im2col and Conv2d; tests/node sweeps the control grid.
import { bind, codeLine, controlsError, el, errorBox, floorDiv, frame, paddedOutputSize, range,
  slider, svg, thousands } from "./_common.mjs";
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
    return { o: paddedOutputSize(n, k, s, [p, p], d) };
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
    macs: m * rows * columns,
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
.cl-im2col g.cl-c rect { fill: var(--cl-cell); stroke: var(--cl-line); stroke-width: 0.6; }
.cl-im2col g.cl-c.pad rect { fill: var(--cl-pad); stroke-dasharray: 2 2; }
.cl-im2col g.cl-c.empty rect { fill: none; stroke-dasharray: 1 2; }
.cl-im2col g.cl-c.empty text { display: none; }
.cl-im2col g.cl-c text { fill: var(--cl-fg); font: 11px system-ui, sans-serif; pointer-events: none; }
.cl-im2col g.cl-c.pad text { fill: var(--cl-muted); }
.cl-im2col g.cl-c.lit rect, .cl-im2col g.cl-c.cur rect { fill: var(--cl-read); }
.cl-im2col g.cl-c.lit text, .cl-im2col g.cl-c.cur text { fill: var(--cl-bg); }
.cl-im2col svg:focus { outline: 2px solid var(--cl-focus); }
`;

function cellMarkup(x, y, cs, classes, label, attrs = "") {
  const text = label === "" ? "" : `<text x="${x + (cs - 1) / 2}" y="${y + cs / 2 + 4}" text-anchor="middle">${label}</text>`;
  return `<g class="cl-c ${classes}"${attrs}><rect x="${x}" y="${y}" width="${cs - 1}" height="${cs - 1}"></rect>${text}</g>`;
}

/** Draw the input channels (window lit) and the matrix filled up to column `position`. */
export function draw(area, setting, info, built, position, onPick) {
  const { in_channels: channels, input_size: n, padding: p } = setting;
  const o = info.out[0];
  const l = Math.min(position, info.columns - 1);
  const size = n + 2 * p;
  const cs = Math.max(14, Math.min(24, Math.floor(330 / size)));
  const inputs = range(channels).map((c) => {
    const parts = [];
    for (const r of range(size, -p)) {
      for (const q of range(size, -p)) {
        const inside = r >= 0 && r < n && q >= 0 && q < n;
        parts.push(cellMarkup(4 + (q + p) * cs, 20 + (r + p) * cs, cs, inside ? "" : "pad",
          inside ? setting.input_values[c][r][q] : "0", ` data-cell="${c},${r},${q}"`));
      }
    }
    const image = svg("svg", { viewBox: `0 0 ${size * cs + 8} ${size * cs + 24}`, width: size * cs + 8,
      height: size * cs + 24, role: "img", "aria-label": `input channel ${c}, ${n}\u00d7${n}, padding ${p}; the window of column ${l} is lit` });
    image.innerHTML = `<text x="4" y="13">channel ${c}${p ? ` (padding ${p})` : ""}</text>${parts.join("")}`;
    return image;
  });
  const { rows, columns } = info;
  const ms = Math.max(14, Math.min(22, Math.floor(340 / columns)));
  const left = 4;
  const parts = [];
  for (const row of range(rows)) {
    for (const column of range(columns)) {
      const pad = built.cells[row][column] < 0;
      const state = column > l ? "empty" : column === l ? "cur" : "";
      parts.push(cellMarkup(left + column * ms, 20 + row * ms, ms, `${state}${pad ? " pad" : ""}`,
        String(built.matrix[row][column]), ` data-column="${column}"`));
    }
  }
  const width = Math.max(left + columns * ms + 4, 160);
  const height = 20 + rows * ms + 4;
  const matrix = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, tabindex: 0, role: "slider",
    "aria-label": `window matrix, ${rows} rows by ${columns} columns; columns 0 to ${l} filled. Left and right arrows move the window.`,
    "aria-valuemin": 0, "aria-valuemax": columns - 1, "aria-valuenow": l });
  matrix.style.maxWidth = "none"; // wide matrices scroll in their own box, not the page
  matrix.innerHTML = `<text x="${left}" y="13">window matrix ${rows}\u00d7${columns}</text>${parts.join("")}`;
  area.replaceChildren(el("div", { class: "cl-grids" }, inputs), el("div", { class: "cl-matrix" }, [matrix]));
  // light the current window: the cells column l copies
  for (const row of range(rows)) {
    const index = built.cells[row][l];
    if (index < 0) {
      const { c, r, q } = entryCell(setting, o, row, l);
      inputs[c].querySelector(`g[data-cell="${c},${r},${q}"]`)?.classList.add("lit");
      continue;
    }
    const c = floorDiv(index, n * n);
    inputs[c].querySelector(`g[data-cell="${c},${floorDiv(index % (n * n), n)},${index % n}"]`).classList.add("lit");
  }
  matrix.addEventListener("click", (event) => {
    const node = event.target.closest?.("g[data-column]");
    if (node) onPick(Number(node.dataset.column));
  });
  matrix.addEventListener("keydown", (event) => {
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -1, ArrowDown: 1 }[event.key];
    if (step === undefined) return;
    onPick(Math.min(Math.max(l + step, 0), columns - 1), true);
    event.preventDefault();
  });
  return matrix;
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
  const redraw = () => {
    const setting = settingOf(model);
    const info = describe({ ...setting, position: model.get("position") });
    for (const control of Object.values(c)) control.sync();
    if (info.error) {
      ui.drawing.replaceChildren(el("p", { class: "cl-muted", text: "Nothing to draw for this setting." }));
      ui.text.replaceChildren(errorBox(info.error));
      return;
    }
    columns = info.columns;
    c.position.setRange(0, columns - 1);
    const matrix = draw(ui.drawing, setting, info, windowMatrix(setting), model.get("position"), pick);
    if (refocus) matrix.focus();
    refocus = false;
    ui.text.replaceChildren(
      ...lines(setting, info, model.get("position")).map((line) => el("div", { text: line })),
      copyableCode("PyTorch:", info.torch),
      codeLine("convlib:", info.call),
    );
  };
  const unshare = shareState(model, "im2col", [...SETTING.filter((name) => name !== "input_values"), "position"]);
  const unbind = bind(model, [...SETTING, "position"], redraw);
  return () => {
    stop();
    unshare();
    unbind();
  };
}

export default { render };
