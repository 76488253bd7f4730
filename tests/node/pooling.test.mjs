// The pooling explorer's ES module computes what convlib computes, over its whole control grid:
// output sizes (convlib.pool_output_size), values (max_pool2d / avg_pool2d), the position of each
// maximum (return_indices), each average's sum and divisor, the windows (one-hot max_pool1d), the
// messages of impossible settings and the PyTorch call. Expected values: tests/node/make_fixture.py.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "node:test";
import { gunzipSync } from "node:zlib";

import * as pool from "../../convlib/widgets/pooling.mjs";

const folder = process.env.CONVLIB_NODE_FIXTURE ?? path.join(process.cwd(), "_build", "node-fixture");
const fixture = JSON.parse(gunzipSync(readFileSync(path.join(folder, "explorers.json.gz")))).pooling;
const settings = fixture.cases.map(([values, expected]) => [
  { ...Object.fromEntries(fixture.keys.map((k, i) => [k, values[i]])), input_values: fixture.input_values },
  expected,
]);
const span = (lo, hi) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

test("the pooling explorer's grid is its controls", () => {
  assert.deepStrictEqual(fixture.grid.mode, pool.MODES);
  for (const [name, [lo, hi]] of Object.entries(pool.LIMITS)) assert.deepStrictEqual(fixture.grid[name], span(lo, hi), name);
  assert.deepStrictEqual(fixture.grid.ceil_mode, [false, true]);
  assert.deepStrictEqual(fixture.grid.count_include_pad, [false, true]);
});

test("pooling explorer: every setting's sizes, values, maxima, sums, divisors, windows and code equal convlib", () => {
  const mismatches = [];
  let errors = 0;
  for (const [setting, expected] of settings) {
    const actual = pool.describe(setting);
    errors += expected.error ? 1 : 0;
    try {
      assert.deepStrictEqual(actual, expected);
    } catch {
      mismatches.push({ setting: { ...setting, input_values: "..." }, expected, actual });
    }
  }
  const shown = mismatches.slice(0, 3).map((m) => JSON.stringify(m)).join("\n");
  assert.equal(mismatches.length, 0, `${mismatches.length} of ${settings.length} settings differ:\n${shown}`);
  assert.equal(settings.length, 2 * 8 * 4 * 4 * 3 * 3 * 2 * 2);
  assert.ok(errors > 100 && errors < settings.length / 2, `${errors} impossible settings`);
});

test("pooling explorer: the lit window is the cells convlib's output reads, and holds the maximum", () => {
  let checked = 0;
  for (const [setting, expected] of settings) {
    if (expected.error) continue;
    const info = pool.describe(setting);
    const o = expected.out[0];
    const n = setting.input_size;
    for (let r = 0; r < o; r += 1) {
      for (let c = 0; c < o; c += 1) {
        const inside = pool.windowCells({ ...geometryOf(setting), o }, setting.input_values, r, c)
          .filter((cell) => cell.value !== null)
          .map((cell) => cell.r * n + cell.c);
        const reads = expected.reads[r].flatMap((i) => expected.reads[c].map((j) => i * n + j));
        assert.deepStrictEqual([...inside].sort((a, b) => a - b), reads.sort((a, b) => a - b));
        if (setting.mode === "max" && expected.values[r][c] !== null) {
          assert.ok(inside.includes(info.indices[r][c]));
        }
        checked += 1;
      }
    }
  }
  assert.ok(checked > 40000, `only ${checked} output cells`);
});

function geometryOf(setting) {
  const d = setting.mode === "max" ? setting.dilation : 1;
  return { n: setting.input_size, k: setting.kernel_size, s: setting.stride, p: setting.padding, d };
}

test("pooling explorer: each output's derivation writes convlib's numbers", () => {
  let checked = 0;
  for (const [setting, expected] of settings) {
    if (expected.error) continue;
    const info = pool.describe(setting);
    const o = expected.out[0];
    const n = setting.input_size;
    for (let r = 0; r < o; r += 1) {
      for (let c = 0; c < o; c += 1) {
        const line = pool.derivation(setting, info, r, c);
        const value = expected.values[r][c];
        if (setting.mode === "max") {
          if (value === null) {
            assert.match(line, /= −∞: its window holds padding only/);
          } else {
            const index = expected.indices[r][c];
            assert.ok(line.includes(`) = ${value}, at input (${Math.floor(index / n)}, ${index % n})`), line);
          }
        } else {
          const sum = expected.sums[r][c];
          const divisor = expected.divisors[r][c];
          const tail = new RegExp(`\\) / ${divisor} = ${sum} / ${divisor} = ([0-9.]+); divisor ${divisor}: `);
          const shownValue = Number(tail.exec(line)?.[1]);
          assert.ok(Math.abs(shownValue - value) <= 5e-5, line);
          const shownTerms = /= \(([^)]*)\)/.exec(line)[1].split(" + ").map(Number);
          assert.equal(shownTerms.reduce((a, b) => a + b, 0), sum, line);
          assert.equal(shownTerms.length, setting.kernel_size ** 2, line);
        }
        const cell = Number(pool.formatValue(value, 1).replace("\u2212\u221e", "-Infinity"));
        assert.ok(value === null ? cell === -Infinity : Math.abs(cell - value) <= 0.05 + 1e-9);
        checked += 1;
      }
    }
  }
  assert.ok(checked > 40000, `only ${checked} output cells`);
});

test("pooling explorer: the output-size formula ends at convlib's size", () => {
  for (const [setting, expected] of settings) {
    if (expected.error) continue;
    assert.ok(pool.formula(setting, expected).endsWith(` = ${expected.out[0]}`));
  }
});

test("pooling explorer: an impossible control shows its Python class's message", () => {
  const { defaults, cases } = fixture.refused;
  assert.equal(pool.describe(defaults).error, undefined);
  const seen = new Set();
  for (const [control, value, message] of cases) {
    assert.equal(pool.describe({ ...defaults, [control]: value }).error, message, `${control}=${value}`);
    seen.add(control);
  }
  for (const name of ["input_size", "kernel_size", "stride", "padding", "dilation", "position"]) assert.ok(seen.has(name), name);
});
