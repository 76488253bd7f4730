// Values in the convolution explorer: small integer inputs and weights (presets), every output
// value computed in the page, and the sum of products behind one output cell, written out as CNN
// Explainer writes its dot products. Pure functions first (node tests them against
// convlib.conv1d/conv2d/conv_transpose1d/conv_transpose2d over the explorer's whole control grid,
// tests/node/values.test.mjs), then the SVG/HTML pieces conv.mjs draws.
// The presets mirror convlib.widgets.conv_explorer.preset_values.
import { el, range, svg } from "./_common.mjs";

export const INPUT_PRESETS = ["random", "ramp", "impulse", "ones"];
export const KERNEL_PRESETS = ["edge", "box", "identity", "random"];

/** The explorer's pseudo-random small integers: a 32-bit linear congruential generator. */
export function smallIntegers(count, seed, low, high) {
  let state = seed >>> 0;
  return range(count).map(() => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return low + ((state >>> 16) % (high - low + 1));
  });
}

const indexOf = (flat, size, nd) => (nd === 1 ? [flat] : [Math.floor(flat / size), flat % size]);

/**
 * The values of a preset, row-major, for `size` cells along each of `nd` axes. Inputs: "random"
 * (integers 0..9), "ramp" (sum of the indices, mod 10), "impulse" (1 in the middle), "ones".
 * Kernels: "edge" (-1 first, +1 last along the last axis), "box" (ones), "identity" (1 in the
 * middle), "random" (integers -2..2).
 */
export function presetValues(kind, name, size, nd) {
  const count = size ** nd;
  const middle = Math.floor((size - 1) / 2);
  const at = (f) => range(count).map((flat) => f(indexOf(flat, size, nd)));
  if (name === "random") return kind === "input" ? smallIntegers(count, 7, 0, 9) : smallIntegers(count, 11, -2, 2);
  if (name === "ramp") return at((idx) => idx.reduce((a, b) => a + b, 0) % 10);
  if (name === "impulse" || name === "identity") return at((idx) => (idx.every((i) => i === middle) ? 1 : 0));
  if (name === "ones" || name === "box") return at(() => 1);
  if (name === "edge") return at((idx) => (size === 1 ? 1 : idx[nd - 1] === 0 ? -1 : idx[nd - 1] === size - 1 ? 1 : 0));
  throw new Error(`unknown ${kind} preset ${JSON.stringify(name)}`);
}

/**
 * Every output value and the products that add up to it. `setting` and `info` as conv.mjs's
 * describe gives them; x (n^nd values) and w (k^nd), row-major. Returns {y, terms}: terms[o], the
 * [input cell, weight cell, input value, weight] of output o's sum, input cells counted in the
 * drawn grid (padded coordinates for a convolution, a padding cell's value is 0).
 */
export function outputValues(setting, info, x, w) {
  const nd = setting.dims === "1-D" ? 1 : 2;
  const { input_size: n, kernel_size: k, stride: s, dilation: d } = setting;
  const o = info.out[0];
  const terms = range(o ** nd).map(() => []);
  const cells = (m) => (nd === 1 ? range(m).map((i) => [i]) : range(m * m).map((f) => indexOf(f, m, 2)));
  const flat = (idx, m) => (nd === 1 ? idx[0] : idx[0] * m + idx[1]);
  if (info.windows) {
    const before = info.pads[0];
    const width = n + info.pads[0] + info.pads[1];
    for (const out of cells(o)) {
      for (const tap of cells(k)) {
        const at = out.map((i, axis) => i * s + tap[axis] * d); // padded coordinates
        const inside = at.every((i) => i >= before && i < before + n);
        const value = inside ? x[flat(at.map((i) => i - before), n)] : 0;
        terms[flat(out, o)].push([flat(at, width), flat(tap, k), value, w[flat(tap, k)]]);
      }
    }
  } else {
    const p = setting.padding;
    for (const input of cells(n)) {
      for (const tap of cells(k)) {
        const at = input.map((i, axis) => i * s - p + tap[axis] * d);
        if (at.some((m) => m < 0 || m >= o)) continue; // cropped by padding
        terms[flat(at, o)].push([flat(input, n), flat(tap, k), x[flat(input, n)], w[flat(tap, k)]]);
      }
    }
  }
  const y = terms.map((list) => list.reduce((sum, [, , a, b]) => sum + a * b, 0));
  return { y, terms };
}

/** A number as the explorer writes it: a minus sign, not a hyphen. */
export const numberText = (v) => (v < 0 ? `\u2212${-v}` : `${v}`);
const factor = (v) => (v < 0 ? `(${numberText(v)})` : numberText(v));
const cellName = (flat, size, nd) => indexOf(flat, size, nd).join(", ");

/**
 * The sum behind output cell `flat`, written out: "y[1, 2] = 3·1 + 0·(−1) + … = 7". A
 * transposed convolution's terms name the input and weight cells they scatter from.
 */
export function sumText(setting, info, values, flat) {
  const nd = setting.dims === "1-D" ? 1 : 2;
  const { y, terms } = values;
  const head = `y[${cellName(flat, info.out[0], nd)}] = `;
  const list = terms[flat];
  if (!list.length) return `${head}0 (no input cell scatters into this output cell)`;
  const k = setting.kernel_size;
  const products = list.map(([i, j, a, b]) =>
    info.windows
      ? `${factor(a)}\u00b7${factor(b)}`
      : `${factor(a)}\u00b7${factor(b)} (x[${cellName(i, setting.input_size, nd)}]\u00b7w[${cellName(j, k, nd)}])`,
  );
  return `${head}${products.join(" + ")} = ${numberText(y[flat])}`;
}

/** SVG markup of the numbers in a grid's cells (conv.mjs's grid layout), or "" where the cells
 * are too small for them at 9 CSS px or more. */
export function cellLabels(values, count, nd, cs, x0, y0, kind) {
  const rows = nd === 1 ? 1 : count;
  const parts = [];
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < count; c += 1) {
      const flat = r * count + c;
      const text = numberText(values[flat]);
      const size = Math.min(13, Math.floor(cs * 0.5), Math.floor((cs - 3) / (0.62 * text.length)));
      if (size < 9) return "";
      parts.push(
        `<text x="${x0 + c * cs + (cs - 1) / 2}" y="${y0 + r * cs + (cs - 1) / 2}" class="val ${kind}" ` +
          `data-flat="${flat}" font-size="${size}" aria-hidden="true">${text}</text>`,
      );
    }
  }
  return parts.join("");
}

export const VALUE_STYLE = `
.cl-x svg text.val { text-anchor: middle; dominant-baseline: central; pointer-events: none;
  font-size: inherit; font-variant-numeric: tabular-nums; }
.cl-x { --cl-on-cur: #1a1a1a; }
.cl-x svg text.val.lit { fill: var(--cl-bg); }
.cl-x svg text.val.cur { fill: var(--cl-on-cur); }
.cl-x .cl-sum { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: flex-start; margin-top: 6px; }
.cl-x .cl-sum p { margin: 0; flex: 1 1 16em; min-width: 0; overflow-wrap: anywhere;
  font-variant-numeric: tabular-nums; }
.cl-x .cl-sum figure { margin: 0; }
`;

/** The kernel's weights as a small grid (lit: the weight cells of the shown sum). */
export function kernelGrid(setting, w) {
  const nd = setting.dims === "1-D" ? 1 : 2;
  const k = setting.kernel_size;
  const cs = 26;
  const rows = nd === 1 ? 1 : k;
  const image = svg("svg", { viewBox: `0 0 ${k * cs + 2} ${rows * cs + 2}`, width: k * cs + 2, height: rows * cs + 2,
    role: "img", "aria-label": `kernel weights ${nd === 1 ? k : `${k} by ${k}`}: ${w.map(numberText).join(", ")}` });
  const cells = range(k ** nd).map((flat) => {
    const [r, c] = nd === 1 ? [0, flat] : indexOf(flat, k, 2);
    return `<rect x="${1 + c * cs}" y="${1 + r * cs}" width="${cs - 1}" height="${cs - 1}" class="cell" data-flat="${flat}"></rect>`;
  });
  image.innerHTML = cells.join("") + cellLabels(w, k, nd, cs, 1, 1, "w");
  return el("figure", {}, [image, el("figcaption", { text: `weights w (${nd === 1 ? k : `${k}\u00d7${k}`})` })]);
}

/** The values of the drawn input grid: x itself (transposed), or x inside its zero padding. */
export function drawnInputs(setting, info, x) {
  if (!info.windows) return x;
  const nd = setting.dims === "1-D" ? 1 : 2;
  const n = setting.input_size;
  const [before, after] = info.pads;
  const width = n + before + after;
  return range(width ** nd).map((flat) => {
    const idx = indexOf(flat, width, nd).map((i) => i - before);
    return idx.every((i) => i >= 0 && i < n) ? x[nd === 1 ? idx[0] : idx[0] * n + idx[1]] : 0;
  });
}

/** What an input cell holds: "x[1, 2] = 7", or the zero of a padding cell. */
export function inputText(setting, info, x, flat) {
  const nd = setting.dims === "1-D" ? 1 : 2;
  const n = setting.input_size;
  if (!info.windows) return `x[${cellName(flat, n, nd)}] = ${numberText(x[flat])}, scattered as ${numberText(x[flat])}\u00b7w into the lit output cells`;
  const width = n + info.pads[0] + info.pads[1];
  const idx = indexOf(flat, width, nd).map((i) => i - info.pads[0]);
  if (idx.some((i) => i < 0 || i >= n)) return "a padding cell: 0 (zero padding)";
  return `x[${idx.join(", ")}] = ${numberText(x[nd === 1 ? idx[0] : idx[0] * n + idx[1]])}, read by the lit output cells`;
}

/** The message ConvExplorer raises for a preset it does not know, or null. */
export function presetError(setting) {
  for (const [name, options] of [["input_values", INPUT_PRESETS], ["kernel_values", KERNEL_PRESETS]]) {
    const value = setting[name];
    if (!options.includes(value)) {
      const quoted = typeof value === "string" ? `'${value}'` : String(value);
      return `${name} must be one of ${options.map((o) => `'${o}'`).join(", ")}; received ${name}=${quoted}`;
    }
  }
  return null;
}
