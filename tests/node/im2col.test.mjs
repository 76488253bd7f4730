// The im2col explorer's ES module computes what convlib computes, over its whole control grid:
// the output size (convlib.conv_output_size), the window matrix's shape, values and the input
// cell each entry copies (convlib.algorithms.im2col), the GEMM shapes, the MACs (convlib.Conv2d),
// the float32 bytes and the duplication factor, the messages of impossible settings.
// Expected values: tests/node/make_fixture.py.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "node:test";
import { gunzipSync } from "node:zlib";

import * as im2col from "../../convlib/widgets/im2col.mjs";

const folder = process.env.CONVLIB_NODE_FIXTURE ?? path.join(process.cwd(), "_build", "node-fixture");
const all = JSON.parse(gunzipSync(readFileSync(path.join(folder, "explorers.json.gz"))));
const fixture = all.im2col;
const matrices = all.im2col_matrix;
const settingOf = (part, values, extra = {}) => ({ ...Object.fromEntries(part.keys.map((k, i) => [k, values[i]])), ...extra });
const span = (lo, hi) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

function sweep(part, describe, extra = {}) {
  const mismatches = [];
  for (const [values, expected] of part.cases) {
    const setting = settingOf(part, values, extra);
    const actual = describe(setting);
    try {
      assert.deepStrictEqual(actual, expected);
    } catch {
      mismatches.push({ setting: { ...setting, input_values: "..." }, expected, actual });
    }
  }
  const shown = mismatches.slice(0, 3).map((m) => JSON.stringify(m)).join("\n");
  assert.equal(mismatches.length, 0, `${mismatches.length} of ${part.cases.length} settings differ:\n${shown}`);
}

test("the im2col explorer's grid is its controls", () => {
  for (const [name, [lo, hi]] of Object.entries(im2col.LIMITS)) assert.deepStrictEqual(fixture.grid[name], span(lo, hi), name);
  assert.deepStrictEqual(Object.keys(fixture.grid).sort(), Object.keys(im2col.LIMITS).sort());
});

test("im2col explorer: every setting's sizes, GEMM shapes, MACs, bytes and duplication equal convlib", () => {
  sweep(fixture, im2col.describe);
  assert.equal(fixture.cases.length, 3 * 4 * 6 * 4 * 3 * 3 * 3);
  const errors = fixture.cases.filter(([, expected]) => expected.error).length;
  assert.ok(errors > 100 && errors < fixture.cases.length / 2, `${errors} impossible settings`);
});

test("im2col explorer: the window matrix's values and the cell each entry copies equal convlib.algorithms.im2col", () => {
  sweep(matrices, im2col.windowMatrix, { input_values: matrices.input_values });
  assert.equal(matrices.cases.length, 3 * 6 * 4 * 3 * 3 * 3);
});

test("im2col explorer: the lines it writes carry convlib's numbers", () => {
  let checked = 0;
  for (const [values, expected] of fixture.cases) {
    if (expected.error) continue;
    const setting = settingOf(fixture, values);
    const last = expected.columns - 1;
    const [column, gemm, memory] = im2col.lines(setting, expected, last + 5); // clamped to the last
    assert.ok(column.startsWith(`Column ${last} of ${expected.columns} is output position (${expected.out[0] - 1}, ${expected.out[0] - 1}): its ${expected.rows} entries`), column);
    assert.ok(gemm.includes(`= (${expected.weight.join(", ")}) \u00d7 columns`), gemm);
    assert.ok(gemm.includes(`= (${expected.rows}, ${expected.columns}) \u2192 (${expected.product.join(", ")})`), gemm);
    assert.ok(gemm.endsWith(`; ${expected.macs.toLocaleString("en-US")} MACs.`), gemm);
    assert.ok(memory.includes(`takes ${expected.column_bytes.toLocaleString("en-US")} bytes`), memory);
    assert.ok(memory.includes(`) ${expected.input_bytes.toLocaleString("en-US")} bytes`), memory);
    const shown = Number(/: ([0-9.]+)\u00d7 the input\.$/.exec(memory)[1]);
    assert.ok(Math.abs(shown - expected.duplication) <= 0.005 + 1e-12, memory);
    checked += 1;
  }
  assert.ok(checked > 3000, `only ${checked} settings`);
});

test("im2col explorer: an impossible control shows its Python class's message", () => {
  const { defaults, cases } = fixture.refused;
  assert.equal(im2col.describe(defaults).error, undefined);
  const seen = new Set();
  for (const [control, value, message] of cases) {
    assert.equal(im2col.describe({ ...defaults, [control]: value }).error, message, `${control}=${value}`);
    seen.add(control);
  }
  for (const name of Object.keys(im2col.LIMITS)) assert.ok(seen.has(name), name);
});
