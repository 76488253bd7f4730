// The volume explorer (convlib.widgets.volume_explorer): a convolution layer drawn as the 3-D
// tensors it reads and writes. The input volume C_in x H x W, the filters as volumes
// (C_in / groups x k x k each), the output volume C_out x H x W; a slider walks groups from
// standard through grouped to depthwise, kernel size 1 is pointwise, "separable" draws the
// depthwise and the pointwise step, "pixel_shuffle" draws nn.PixelShuffle(r). Hovering, focusing
// or clicking an output channel or cell lights the input it depends on. describe() mirrors
// describe_volume (convlib's layer specs, conv2d and pixel_shuffle); tests/node sweeps the grid.
import { bind, controlsError, dropdown, el, errorBox, floorDiv, frame, groupsError, range, slider,
  svg, thousands } from "./_common.mjs";
import { convKind, convMacs, convOutputSize } from "./geometry.mjs";
import { copyableCode, shareState } from "./share.mjs";

export const MODES = ["convolution", "separable", "pixel_shuffle"];
export const LIMITS = { in_channels: [1, 12], out_channels: [1, 12], groups: [1, 12],
  kernel_size: [1, 5], size: [2, 6], upscale_factor: [1, 3] };
/** The integer controls VolumeExplorer checks, with their smallest values. */
export const CONTROLS = [["in_channels", 1], ["out_channels", 1], ["groups", 1], ["kernel_size", 1],
  ["size", 1], ["upscale_factor", 1], ["channel", 0], ["position", 0]];

/** volume_explorer's message for a mode it does not draw, or null. */
export function modeError(mode) {
  if (MODES.includes(mode)) return null;
  return `mode must be one of ${MODES.map((m) => `'${m}'`).join(", ")}; received mode=${typeof mode === "string" ? `'${mode}'` : String(mode)}`;
}

/** The common divisors of the channel counts: the groups a convolution may take. */
export const commonDivisors = (cin, cout) => range(Math.min(cin, cout), 1).filter((g) => cin % g === 0 && cout % g === 0);

/** Input channels output channel `o` reads: the C_in / g channels of its group. */
export const channelReads = (cin, cout, g, o) => range(cin / g, floorDiv(o, cout / g) * (cin / g));

/** Input rows (or columns) output row `t` reads: its k-tap window at stride 1, padding k // 2,
 * inside the input. */
export const windowReads = (n, k, t) => range(k, t - floorDiv(k, 2)).filter((i) => i >= 0 && i < n);

/** The nn.Conv2d(cin, cout, k, padding=k // 2, groups=g) layer of a step, as convlib counts it. */
function convStep(cin, cout, k, g, n) {
  const p = floorDiv(k, 2);
  const o = convOutputSize(n, k, 1, [p, p], 1);
  const outs = range(cout);
  return {
    kind: convKind({ kernel: [k, k], groups: g, inChannels: cin }),
    input: [cin, n, n],
    output: [cout, o, o],
    params: floorDiv(cin * cout, g) * k * k + cout,
    macs: convMacs(o * o, cin, cout, g, k * k),
    torch: `nn.Conv2d(${cin}, ${cout}, kernel_size=${k}, stride=1, padding=${p}, dilation=1${g !== 1 ? `, groups=${g}` : ""})`,
    reads: outs.map((c) => channelReads(cin, cout, g, c)),
    window: range(o).map((t) => windowReads(n, k, t)),
  };
}

/** Everything the explorer shows for a setting (describe_volume's dict), or {error}. */
export function describe(setting) {
  const error = modeError(setting.mode) ?? controlsError(setting, CONTROLS);
  if (error) return { error };
  const { mode, in_channels: cin, out_channels: cout, groups: g, kernel_size: k, size: n } = setting;
  if (mode === "pixel_shuffle") {
    const r = setting.upscale_factor;
    if (cin % (r * r)) {
      return { error: `PixelShuffle needs input channels divisible by upscale_factor**2 = ${r * r}; received input_shape (${cin}, ${n}, ${n})` };
    }
    const c = cin / (r * r);
    const m = n * r;
    const source = [];
    for (const ch of range(c)) {
      for (const y of range(m)) {
        for (const x of range(m)) source.push(((ch * r * r + (y % r) * r + (x % r)) * n + floorDiv(y, r)) * n + floorDiv(x, r));
      }
    }
    return { input: [cin, n, n], output: [c, m, m], params: 0, macs: 0, torch: `nn.PixelShuffle(upscale_factor=${r})`, source };
  }
  let steps;
  if (mode === "separable") {
    steps = [convStep(cin, cin, k, cin, n)];
    steps.push(convStep(cin, cout, 1, 1, steps[0].output[1]));
  } else {
    const wrong = groupsError(cin, cout, g);
    if (wrong) return { error: wrong };
    steps = [convStep(cin, cout, k, g, n)];
  }
  const sum = (key) => steps.reduce((total, step) => total + step[key], 0);
  return { steps, output: steps.at(-1).output, params: sum("params"), macs: sum("macs") };
}

const flat = (c, y, x, n) => (c * n + y) * n + x;
const sorted = (values) => [...new Set(values)].sort((a, b) => a - b);

/** The input cells (flat c * H * W + y * W + x) a step's output cell (o, y, x) reads. */
function stepCell(step, o, y, x) {
  const n = step.input[1];
  return step.reads[o].flatMap((c) => step.window[y].flatMap((i) => step.window[x].map((j) => flat(c, i, j, n))));
}

/**
 * What a target lights: {input, middle} as sorted flat indices of the input volume (and, in
 * separable mode, of the depthwise step's output), and the filters of each step it uses.
 * The target is an output channel `o` (y, x undefined: the whole channel) or its cell (o, y, x).
 */
export function lit(info, setting, o, y, x) {
  const whole = y === undefined;
  if (setting.mode === "pixel_shuffle") {
    const [c, m] = [info.output[0], info.output[1]];
    const cells = whole ? range(m * m).map((i) => info.source[o * m * m + i]) : [info.source[flat(o, y, x, m)]];
    return { input: sorted(cells) };
  }
  const last = info.steps.at(-1);
  const cellsOf = (step, c, cy, cx) => {
    if (cy !== undefined) return stepCell(step, c, cy, cx);
    const m = step.output[1];
    return range(m * m).flatMap((i) => stepCell(step, c, floorDiv(i, m), i % m));
  };
  const result = { filters: [[o]] };
  if (info.steps.length === 1) {
    result.input = sorted(cellsOf(last, o, y, x));
    return result;
  }
  const [first] = info.steps;
  const middle = sorted(cellsOf(last, o, y, x)); // pointwise: the same cell of every channel
  const m = first.output[1];
  result.middle = middle;
  result.input = sorted(middle.flatMap((i) => stepCell(first, floorDiv(i, m * m), floorDiv(i % (m * m), m), i % m)));
  result.filters = [sorted(middle.map((i) => floorDiv(i, m * m))), [o]];
  return result;
}

/** The hover / focus sentence for a target (see lit). */
export function sentence(info, setting, o, y, x) {
  const lights = lit(info, setting, o, y, x);
  const n = setting.size;
  const channels = sorted(lights.input.map((i) => floorDiv(i, n * n)));
  const where = y === undefined ? `output channel ${o}` : `output channel ${o}, cell (${y}, ${x}),`;
  const list = (values) => (values.length > 1 ? `channels ${values[0]}\u2013${values.at(-1)} (${values.length})` : `channel ${values[0]}`);
  if (setting.mode === "pixel_shuffle") {
    if (y === undefined) return `${where} is filled from input ${list(channels)}, one cell of each per ${setting.upscale_factor}\u00d7${setting.upscale_factor} block.`;
    const i = lights.input[0];
    return `${where} is input channel ${floorDiv(i, n * n)}, cell (${floorDiv(i % (n * n), n)}, ${i % n}): channel ${o}\u00b7r\u00b2 + ${y % setting.upscale_factor}\u00b7r + ${x % setting.upscale_factor} with r = ${setting.upscale_factor}.`;
  }
  const values = lights.input.length;
  const separable = info.steps.length > 1 ? " through the depthwise step" : "";
  return `${where} reads ${values} input value${values === 1 ? "" : "s"}${separable}: input ${list(channels)}` +
    (y === undefined ? ", whole." : `, rows ${windowText(info.steps[0].window[y])}, columns ${windowText(info.steps[0].window[x])}.`);
}

/** Step `s`'s kernel size and groups: the setting's, or separable's (k, C_in) then (1, 1). */
function stepKernelGroups(setting, s) {
  if (setting.mode !== "separable") return [setting.kernel_size, setting.groups];
  return s === 0 ? [setting.kernel_size, setting.in_channels] : [1, 1];
}

const windowText = (rows) => (rows.length > 1 ? `${rows[0]}\u2013${rows.at(-1)}` : String(rows[0]));

// ---- drawing: each channel a card seen obliquely, the cards side by side along the depth axis

const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"];
const colour = (i) => COLOURS[i % COLOURS.length];

const VOLUME_STYLE = `
.cl-vol .cl-vols { display: flex; flex-direction: column; gap: 4px; }
.cl-vol polygon.v { fill: var(--cl-cell); stroke: var(--cl-line); stroke-width: 0.5; }
.cl-vol polygon.v.o { fill: var(--cl-out); }
.cl-vol polygon.v.lit { fill: var(--cl-read) !important; }
.cl-vol polygon.v.cur { fill: var(--cl-focus) !important; }
.cl-vol polygon.v:focus { outline: none; stroke: var(--cl-fg); stroke-width: 2; }
.cl-vol polygon.ph { fill-opacity: 0.55; }
.cl-vol polygon.ph.lit, .cl-vol polygon.ph.cur { fill-opacity: 1; }
.cl-vol .edge { stroke: var(--cl-line); stroke-width: 0.8; stroke-dasharray: 3 3; fill: none; }
.cl-vol g.f polygon { stroke: var(--cl-line); stroke-width: 0.5; fill-opacity: 0.35; }
.cl-vol g.f path { stroke: var(--cl-line); stroke-width: 0.5; fill: none; }
.cl-vol g.f.lit polygon { fill-opacity: 1; stroke: var(--cl-fg); }
.cl-vol g.f.lit path { stroke: var(--cl-fg); }
.cl-vol g.ch { cursor: pointer; }
.cl-vol g.ch:focus { outline: none; }
.cl-vol g.ch:focus text, .cl-vol g.ch.cur text { text-decoration: underline; font-weight: bold; }
.cl-vol .cl-said { min-height: 2.9em; font-variant-numeric: tabular-nums; }
`;

const [SX, RISE] = [0.72, 0.36]; // a step along x on screen, per cell: right and up

/** The corners of cell (y, x) of a card at left edge `left`: x recedes up-right, y goes down. */
function cellPoints(left, top, cs, y, x) {
  const sx = cs * SX;
  const rise = cs * RISE;
  const at = (yy, xx) => `${(left + xx * sx).toFixed(1)},${(top + yy * cs - xx * rise).toFixed(1)}`;
  return [at(y, x), at(y, x + 1), at(y + 1, x + 1), at(y + 1, x)].join(" ");
}

/** A whole m x m card as one outline and one path of its inner grid lines (a filter's card: its
 * cells are never lit one by one, so two elements instead of m^2). */
function cardMarkup(left, top, cs, m, fill) {
  const at = (yy, xx) => `${(left + xx * cs * SX).toFixed(1)},${(top + yy * cs - xx * cs * RISE).toFixed(1)}`;
  const lines = range(m - 1, 1).map((i) => `M${at(i, 0)}L${at(i, m)}M${at(0, i)}L${at(m, i)}`).join("");
  return `<polygon points="${[at(0, 0), at(0, m), at(m, m), at(m, 0)].join(" ")}" style="fill:${fill}"></polygon>` +
    (lines ? `<path d="${lines}"></path>` : "");
}

/** The layout of a volume of c cards of m x m cells in a box `width` wide. */
function volumeLayout(c, m, width, most = 26) {
  const gapOf = (cs) => Math.max(m * cs * SX + 6, 20);
  let cs = most;
  while (cs > 5 && 10 + c * gapOf(cs) > width) cs -= 1;
  const gap = gapOf(cs);
  return { cs, gap, top: 18 + m * cs * RISE, width: Math.ceil(12 + (c - 1) * gap + m * cs * SX), height: Math.ceil(18 + m * cs * RISE + m * cs + 20) };
}

/** A volume: its cards (cells with data-i, the flat index), dashed edges joining the first and
 * last cards, channel labels under the cards (focusable when `channels`). */
function volume(title, c, m, width, { out = false, phase = null, label } = {}) {
  const L = volumeLayout(c, m, width);
  const image = svg("svg", { viewBox: `0 0 ${L.width} ${L.height}`, width: L.width, height: L.height, role: "group", "aria-label": label });
  image.append(svg("text", { x: 4, y: 12, text: title }));
  const lastLeft = 6 + (c - 1) * L.gap;
  const sx = L.cs * SX;
  const rise = L.cs * RISE;
  for (const [yy, xx] of [[0, 0], [0, m], [m, 0], [m, m]]) {
    const y0 = L.top + yy * L.cs - xx * rise;
    image.append(svg("line", { class: "edge", x1: 6 + xx * sx, y1: y0, x2: lastLeft + xx * sx, y2: y0 }));
  }
  const cells = [];
  const labels = [];
  let parts = "";
  for (const ch of range(c)) {
    const left = 6 + ch * L.gap;
    for (const y of range(m)) {
      for (const x of range(m)) {
        const i = flat(ch, y, x, m);
        const fill = phase ? ` style="fill:${colour(phase(ch, y, x))}"` : "";
        const cls = `v${out ? " o" : ""}${phase ? " ph" : ""}`;
        const extra = out
          ? ` tabindex="${i === 0 ? 0 : -1}" role="button" aria-label="output channel ${ch}, cell (${y}, ${x})"`
          : "";
        parts += `<polygon class="${cls}" data-i="${i}" points="${cellPoints(left, L.top, L.cs, y, x)}"${fill}${extra}></polygon>`;
      }
    }
  }
  const group = svg("g");
  group.innerHTML = parts;
  image.append(group);
  cells.push(...group.children);
  for (const ch of range(c)) {
    const g = svg("g", { class: "ch", "data-channel": ch, ...(out ? { tabindex: ch === 0 ? 0 : -1, role: "button", "aria-label": `output channel ${ch}, whole` } : {}) });
    g.append(svg("text", { x: 6 + ch * L.gap + (m * sx) / 2, y: L.height - 4, "text-anchor": "middle", text: String(ch) }));
    labels.push(g);
    image.append(g);
  }
  return { image, cells, labels };
}

/** The filters of a step as small volumes (C_in / g cards of k x k), coloured by group. */
function filterRow(title, count, depth, k, groups, width) {
  const fs = Math.max(4, Math.min(7, Math.floor(40 / k)));
  const one = volumeLayout(depth, k, 10 + depth * 40, fs);
  const w = Math.max(one.width + 6, 24);
  const perRow = Math.max(1, Math.floor((width - 8) / w));
  const rows = Math.ceil(count / perRow);
  const height = 18 + rows * (one.height + 2);
  const total = Math.max(Math.min(count, perRow) * w + 8, Math.min(title.length * 6.6 + 10, width));
  const image = svg("svg", { viewBox: `0 0 ${total} ${height}`, width: total, height, role: "img",
    "aria-label": `${count} filters, each ${depth} channel${depth === 1 ? "" : "s"} \u00d7 ${k} \u00d7 ${k}` });
  image.append(svg("text", { x: 4, y: 12, text: title }));
  const filters = range(count).map((f) => {
    const g = svg("g", { class: "f", transform: `translate(${4 + (f % perRow) * w}, ${16 + floorDiv(f, perRow) * (one.height + 2)})` });
    let parts = "";
    for (const ch of range(depth)) parts += cardMarkup(6 + ch * one.gap, one.top, one.cs, k, colour(floorDiv(f, count / groups)));
    g.innerHTML = `${parts}<text x="${one.width / 2}" y="${one.height - 4}" text-anchor="middle">${f}</text>`;
    image.append(g);
    return g;
  });
  return { image, filters };
}

/** The text alternative of the drawing: what it shows, in words. */
export function summary(setting, info) {
  const shape = (dims) => dims.join("\u00d7");
  if (setting.mode === "pixel_shuffle") {
    const r = setting.upscale_factor;
    return `Pixel shuffle with r = ${r}: an input volume ${shape(info.input)} (channels \u00d7 height \u00d7 width), its channels coloured by phase, ` +
      `rearranged into an output volume ${shape(info.output)}: each ${r}\u00d7${r} block of an output channel takes one cell from each of ${r * r} consecutive input channels.`;
  }
  const steps = info.steps.map((step, s) => {
    const [k, g] = stepKernelGroups(setting, s);
    return `${step.output[0]} filters of ${step.input[0] / g}\u00d7${k}\u00d7${k} (${step.kind}, groups=${g}) give a volume ${shape(step.output)}`;
  });
  return `An input volume ${shape(info.steps[0].input)} (channels \u00d7 height \u00d7 width); ${steps.join("; then ")}. ` +
    "Each output channel reads only the input channels of its group, each output cell a window across them.";
}

/** Draw a setting into `area`; returns {show(o, y, x)} to light a target (y undefined: channel)
 * and {rest()} to light the chosen one (the setting's channel, and its cell unless `whole()`). */
export function draw(area, setting, info, pick, say, whole = () => false, focusTarget = null) {
  // the room the drawing has: the area's width once it is on the page; before (an explorer is
  // drawn before the page shows it) the window's, less the page's margins
  const room = area.clientWidth || (globalThis.innerWidth ? globalThis.innerWidth - 50 : 640);
  const width = Math.max(Math.min(room, 640), 280);
  const n = setting.size;
  const parts = [];
  const [cin] = info.input ?? info.steps[0].input;
  const input = volume(`input ${cin}\u00d7${n}\u00d7${n} (C\u00d7H\u00d7W)`, cin, n, width, {
    label: `Input volume: ${cin} channels of ${n}\u00d7${n}.`,
    phase: setting.mode === "pixel_shuffle" ? (ch) => ch % setting.upscale_factor ** 2 : null,
  });
  parts.push(input.image);
  const filterSets = [];
  let middle = null;
  if (info.steps) {
    info.steps.forEach((step, s) => {
      const [ci] = step.input;
      const [co, m] = step.output;
      const [k, g] = stepKernelGroups(setting, s);
      const name = info.steps.length > 1 ? ["depthwise step: ", "pointwise step: "][s] : "";
      const row = filterRow(`${name}${co} filters, ${ci / g}\u00d7${k}\u00d7${k} each`, co, ci / g, k, g, width);
      filterSets.push(row.filters);
      parts.push(row.image);
      if (s === 0 && info.steps.length > 1) {
        middle = volume(`depthwise output ${co}\u00d7${m}\u00d7${m}`, co, m, width, { label: `The depthwise step's output: ${co} channels of ${m}\u00d7${m}.` });
        parts.push(middle.image);
      }
    });
  }
  const [cout, mo] = info.output;
  const r = setting.upscale_factor;
  const output = volume(`output ${cout}\u00d7${mo}\u00d7${mo}`, cout, mo, width, {
    out: true,
    label: `Output volume: ${cout} channels of ${mo}\u00d7${mo}; hover, focus or press an output channel's number or an output cell to light the input it reads.`,
    phase: setting.mode === "pixel_shuffle" ? (ch, y, x) => (y % r) * r + (x % r) : null,
  });
  parts.push(output.image);
  area.replaceChildren(el("div", { class: "cl-vols", role: "group", "aria-label": summary(setting, info) }, parts));
  let shown = [];
  const mark = (node, cls) => {
    node.classList.add(cls);
    shown.push([node, cls]);
  };
  const show = (o, y, x) => {
    for (const [node, cls] of shown) node.classList.remove(cls);
    shown = [];
    const lights = lit(info, setting, o, y, x);
    for (const i of lights.input) mark(input.cells[i], "lit");
    for (const i of lights.middle ?? []) mark(middle.cells[i], "lit");
    (lights.filters ?? []).forEach((list, s) => list.forEach((f) => mark(filterSets[s][f], "lit")));
    if (y === undefined) {
      mark(output.labels[o], "cur");
      for (const i of range(mo * mo)) mark(output.cells[o * mo * mo + i], "cur");
    } else {
      mark(output.cells[flat(o, y, x, mo)], "cur");
    }
    say(sentence(info, setting, o, y, x));
  };
  const rest = () => {
    const o = Math.min(setting.channel, cout - 1);
    const p = Math.min(setting.position, mo * mo - 1);
    if (whole()) show(o);
    else show(o, floorDiv(p, mo), p % mo);
  };
  const targetOf = (node) => {
    const cell = node?.closest?.("polygon[data-i]");
    if (cell) {
      const i = Number(cell.dataset.i);
      return [floorDiv(i, mo * mo), floorDiv(i % (mo * mo), mo), i % mo];
    }
    const label = node?.closest?.("g[data-channel]");
    return label ? [Number(label.dataset.channel)] : null;
  };
  const enter = (event) => {
    const target = targetOf(event.target);
    if (target) show(...target);
  };
  output.image.addEventListener("mouseover", enter);
  output.image.addEventListener("focusin", enter);
  output.image.addEventListener("mouseleave", rest);
  output.image.addEventListener("focusout", rest);
  output.image.addEventListener("click", (event) => {
    const target = targetOf(event.target);
    if (target) pick(...target);
  });
  output.image.addEventListener("keydown", (event) => {
    const node = event.target.closest?.("polygon[data-i]");
    if (!node) {
      const label = event.target.closest?.("g[data-channel]");
      if (!label) return;
      const o = Number(label.dataset.channel);
      const step = { ArrowLeft: -1, ArrowRight: 1 }[event.key];
      if (step !== undefined) {
        const next = output.labels[Math.min(Math.max(o + step, 0), cout - 1)];
        label.setAttribute("tabindex", -1);
        next.setAttribute("tabindex", 0);
        next.focus();
        event.preventDefault();
      } else if (event.key === "Enter" || event.key === " ") {
        pick(o, undefined, undefined, true);
        event.preventDefault();
      }
      return;
    }
    const [o, y, x] = targetOf(node);
    const moves = { ArrowLeft: [0, 0, -1], ArrowRight: [0, 0, 1], ArrowUp: [0, -1, 0], ArrowDown: [0, 1, 0],
      PageUp: [-1, 0, 0], PageDown: [1, 0, 0] };
    if (moves[event.key]) {
      const [dc, dy, dx] = moves[event.key];
      const clamp = (v, hi) => Math.min(Math.max(v, 0), hi - 1);
      const next = output.cells[flat(clamp(o + dc, cout), clamp(y + dy, mo), clamp(x + dx, mo), mo)];
      node.setAttribute("tabindex", -1);
      next.setAttribute("tabindex", 0);
      next.focus();
      event.preventDefault();
    } else if (event.key === "Enter" || event.key === " ") {
      pick(o, y, x, true);
      event.preventDefault();
    }
  });
  rest();
  if (focusTarget) { // chosen with the keyboard: the redrawn cell (or channel number) keeps focus
    const [o, y, x] = focusTarget;
    const node = y === undefined ? output.labels[o] : output.cells[flat(o, y, x, mo)];
    if (node) {
      for (const other of [output.cells[0], output.labels[0]]) other.setAttribute("tabindex", -1);
      node.setAttribute("tabindex", 0);
      node.focus();
    }
  }
  return { show, rest };
}

/** The counts in words: parameters and MACs of each step, with the formula's numbers. */
export function countsText(setting, info) {
  if (setting.mode === "pixel_shuffle") {
    const r = setting.upscale_factor;
    return [`nn.PixelShuffle(${r}): ${info.input.join("\u00d7")} \u2192 ${info.output.join("\u00d7")} (C\u00b7r\u00b2 \u00d7 H \u00d7 W \u2192 C \u00d7 rH \u00d7 rW); parameters 0, MACs 0: it only moves values.`];
  }
  const lines = info.steps.map((step, s) => {
    const [ci, n] = step.input;
    const [co, m] = step.output;
    const [k, g] = stepKernelGroups(setting, s);
    const name = info.steps.length > 1 ? ["depthwise step", "pointwise step"][s] : `${step.kind} convolution`;
    return `${name}: ${ci}\u00d7${n}\u00d7${n} \u2192 ${co}\u00d7${m}\u00d7${m}; parameters ${thousands(step.params)} = ${ci}\u00b7${co}\u00b7${k}\u00b2/${g} + ${co} bias; ` +
      `MACs ${thousands(step.macs)} = ${m}\u00b7${m} positions \u00b7 ${ci}\u00b7${co}/${g} \u00b7 ${k}\u00b2`;
  });
  if (info.steps.length > 1) lines.push(`together: parameters ${thousands(info.params)}, MACs ${thousands(info.macs)}`);
  return lines;
}

const SETTING = ["mode", "in_channels", "out_channels", "groups", "kernel_size", "size", "upscale_factor"];
const TRAITS = [...SETTING, "channel", "position"];

function render({ model, el: host }) {
  const ui = frame(host, "Volume explorer: channels, groups and filters in 3-D");
  ui.root.classList.add("cl-vol");
  ui.root.prepend(el("style", { text: VOLUME_STYLE }));
  let divisors = [1];
  let whole = false; // the chosen target is a whole output channel (its number was pressed)
  let lastPosition = model.get("position");
  let view = null;
  let refocus = null; // the target chosen with the keyboard, focused again once redrawn
  const c = {
    mode: dropdown(model, "mode", "layer", [["convolution", "convolution (groups)"], ["separable", "depthwise separable"], ["pixel_shuffle", "pixel shuffle"]]),
    in_channels: slider(model, "in_channels", "C_in", ...LIMITS.in_channels),
    out_channels: slider(model, "out_channels", "C_out", ...LIMITS.out_channels),
    groups: slider(model, "groups", "groups", 0, 0, { values: divisors }),
    kernel_size: slider(model, "kernel_size", "kernel k", ...LIMITS.kernel_size),
    size: slider(model, "size", "H = W", ...LIMITS.size),
    upscale_factor: slider(model, "upscale_factor", "r", ...LIMITS.upscale_factor),
    channel: slider(model, "channel", "output channel", 0, 0),
    position: slider(model, "position", "output cell", 0, 0),
  };
  ui.controls.append(...Object.values(c).map((x) => x.node));
  const said = el("div", { class: "cl-said", "aria-live": "polite" });
  ui.drawing.after(said);
  const redraw = () => {
    const setting = Object.fromEntries(TRAITS.map((name) => [name, model.get(name)]));
    const info = describe(setting);
    divisors.splice(0, divisors.length, ...commonDivisors(setting.in_channels, setting.out_channels));
    if (!divisors.includes(setting.groups) && Number.isInteger(setting.groups)) {
      divisors.push(setting.groups);
      divisors.sort((a, b) => a - b);
    }
    c.groups.setRange(0, divisors.length - 1);
    for (const control of Object.values(c)) control.sync();
    const shuffle = setting.mode === "pixel_shuffle";
    c.groups.node.hidden = setting.mode !== "convolution";
    c.out_channels.node.hidden = shuffle;
    c.kernel_size.node.hidden = shuffle;
    c.upscale_factor.node.hidden = !shuffle;
    if (info.error) {
      ui.drawing.replaceChildren(el("p", { class: "cl-muted", text: "Nothing to draw for this setting." }));
      said.textContent = "";
      ui.text.replaceChildren(errorBox(info.error));
      return;
    }
    const [cout, mo] = info.output;
    c.channel.setRange(0, cout - 1);
    c.position.setRange(0, mo * mo - 1);
    if (setting.position !== lastPosition) whole = false; // a cell was chosen
    lastPosition = setting.position;
    const choose = (o, y, x, keyboard = false) => {
      whole = y === undefined;
      refocus = keyboard ? [o, y, x] : null;
      model.set("channel", o);
      if (!whole) model.set("position", y * mo + x);
      model.save_changes();
      view?.rest();
      refocus = null;
    };
    view = draw(ui.drawing, setting, info, choose, (line) => { said.textContent = line; }, () => whole, refocus);
    const code = shuffle ? info.torch : info.steps.map((step) => step.torch).join(", ");
    ui.text.replaceChildren(...countsText(setting, info).map((line) => el("div", { text: line })), copyableCode("PyTorch:", code));
  };
  const unshare = shareState(model, "volume", TRAITS);
  const unbind = bind(model, TRAITS, redraw);
  return () => {
    unshare();
    unbind();
  };
}

export default { render };
