// Which input cells output cells a..b of a layer read, along one axis: the functions of
// convlib.geometry.receptive that convlib.summary's receptive-field columns compose (window_cells,
// transpose_cells, resize_cells), with exact fractions for the jump and start of a field.
import { span } from "./geometry.mjs";
import { truthy } from "./python_values.mjs";

export const windowCells = (a, b, k, s, d, p) => [a * s - p, b * s - p + span(k, d) - 1];
export const mod = (a, m) => ((a % m) + m) % m;

export function transposeCells(a, b, k, s, d, p) {
  const reads = (o) => {
    const out = [];
    for (let j = 0; j < k; j += 1) if (mod(o + p - d * j, s) === 0) out.push((o + p - d * j) / s);
    return out;
  };
  const lows = [];
  for (let o = a; o <= Math.min(b, a + s - 1); o += 1) { const r = reads(o); if (r.length) lows.push(Math.min(...r)); }
  const highs = [];
  for (let o = Math.max(a, b - s + 1); o <= b; o += 1) { const r = reads(o); if (r.length) highs.push(Math.max(...r)); }
  return lows.length ? [Math.min(...lows), Math.max(...highs)] : null;
}

// exact fractions [numerator, denominator] (the field's jump and start are fractions)
const gcd = (a, b) => (b ? gcd(b, a % b) : Math.abs(a));
export function frac(n, d = 1) {
  const g = gcd(n, d) || 1;
  const sign = d < 0 ? -1 : 1;
  return [(sign * n) / g, (sign * d) / g];
}
export const fadd = (x, y) => frac(x[0] * y[1] + y[0] * x[1], x[1] * y[1]);
export const fsub = (x, y) => frac(x[0] * y[1] - y[0] * x[1], x[1] * y[1]);
export const fmul = (x, y) => frac(x[0] * y[0], x[1] * y[1]);
export const fdiv = (x, y) => frac(x[0] * y[1], x[1] * y[0]);
const ffloor = (x) => Math.floor(x[0] / x[1]);
const fceil = (x) => Math.ceil(x[0] / x[1]);

/** convlib.geometry.receptive.resize_cells. */
export function resizeCells(a, b, nIn, nOut, mode, corners) {
  const ratio = frac(nIn, nOut);
  const half = frac(1, 2);
  if (mode === "nearest") return [ffloor(fmul(frac(a), ratio)), ffloor(fmul(frac(b), ratio))];
  if (mode === "nearest-exact") {
    return [ffloor(fmul(fadd(frac(a), half), ratio)), ffloor(fmul(fadd(frac(b), half), ratio))];
  }
  if (mode === "adaptive") return [ffloor(fmul(frac(a), ratio)), fceil(fmul(frac(b + 1), ratio)) - 1];
  const source = (o) => {
    if (truthy(corners)) return frac(o * (nIn - 1), Math.max(nOut - 1, 1));
    const x = fsub(fmul(fadd(frac(o), half), ratio), half);
    return x[0] < 0 ? frac(0) : x;
  };
  const low = source(a);
  const high = source(b);
  if (mode === "bicubic") return [Math.max(ffloor(low) - 1, 0), Math.min(ffloor(high) + 2, nIn - 1)];
  const last = ffloor(high) + (high[1] !== 1 ? 1 : 0);
  return [ffloor(low), Math.min(last, nIn - 1)];
}

/** maps (one function per axis, or 'global' / 'unknown') after cells(axis) then maps. */
export function composeCells(maps, cells) {
  return maps.map((previous, axis) => (a, b) => {
    const got = cells(axis)(a, b);
    return got === null ? null : previous(...got);
  });
}

