// The values the convolution explorer draws equal convlib's: every output cell of every setting of
// its control grid (both modes, 1-D and 2-D), on the explorer's preset integers, against the
// outputs of convlib.conv1d/conv2d/conv_transpose1d/conv_transpose2d written by
// tests/node/make_values_fixture.py; and the sum of products written out for an output cell adds
// up to that cell's value, from the input cells the cell lights.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "node:test";
import { gunzipSync } from "node:zlib";

import * as conv from "../../convlib/widgets/conv.mjs";
import * as values from "../../convlib/widgets/values.mjs";

const folder = process.env.CONVLIB_NODE_FIXTURE ?? path.join(process.cwd(), "_build", "node-fixture");
const fixture = JSON.parse(gunzipSync(readFileSync(path.join(folder, "values.json.gz"))));
const bytes = gunzipSync(readFileSync(path.join(folder, "values.i16.gz")));
const expected = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);

/** Each case: the setting, its presets and, where convlib computes it, the expected outputs. */
function* cases() {
  let offset = 0;
  for (const [row, inputValues, kernelValues, shape] of fixture.cases) {
    const setting = Object.fromEntries(fixture.keys.map((k, i) => [k, row[i]]));
    Object.assign(setting, { input_values: inputValues, kernel_values: kernelValues });
    const count = shape ? shape.reduce((a, b) => a * b, 1) : 0;
    yield { setting, shape, y: shape ? expected.subarray(offset, offset + count) : null };
    offset += count;
  }
  assert.equal(offset, expected.length, "the fixture's outputs and cases disagree");
}

function computed(setting) {
  const info = conv.describe(setting);
  if (info.error) return { info };
  const nd = setting.dims === "1-D" ? 1 : 2;
  const x = values.presetValues("input", setting.input_values, setting.input_size, nd);
  const w = values.presetValues("kernel", setting.kernel_values, setting.kernel_size, nd);
  return { info, x, w, ...values.outputValues(setting, info, x, w) };
}

test("the presets are convlib.widgets.conv_explorer.preset_values, every size", () => {
  for (const [kind, names] of [["input", values.INPUT_PRESETS], ["kernel", values.KERNEL_PRESETS]]) {
    assert.deepStrictEqual(Object.keys(fixture.presets[kind]), names);
    for (const name of names) {
      for (const nd of [1, 2]) {
        fixture.presets[kind][name][nd].forEach((want, i) => {
          assert.deepStrictEqual(values.presetValues(kind, name, i + 1, nd), want, `${kind} ${name} ${nd}-D size ${i + 1}`);
        });
      }
    }
  }
});

test("every output value of every setting equals convlib's, and the explorer draws exactly where convlib computes", () => {
  const mismatches = [];
  let settings = 0;
  let cells = 0;
  for (const { setting, shape, y } of cases()) {
    const { info, y: actual } = computed(setting);
    if (!shape) {
      if (!info.error) mismatches.push({ setting, problem: "convlib refuses it, the explorer draws it" });
      continue;
    }
    if (info.error) {
      mismatches.push({ setting, problem: `convlib computes it, the explorer says: ${info.error}` });
      continue;
    }
    const same = actual.length === y.length && actual.every((v, i) => v === y[i]);
    if (!same) mismatches.push({ setting, expected: [...y].slice(0, 12), actual: actual.slice(0, 12) });
    assert.deepStrictEqual(info.out, shape);
    settings += 1;
    cells += y.length;
  }
  const shown = mismatches.slice(0, 3).map((m) => JSON.stringify(m)).join("\n");
  assert.equal(mismatches.length, 0, `${mismatches.length} settings differ:\n${shown}`);
  assert.ok(settings > 50000 && cells > 10_000_000, `only ${settings} settings, ${cells} cells`);
});

/** The products a sum text writes out ("3·1 + 0·(−1) (x[..]·w[..]) + … = 7"), and its total. */
function readSum(text) {
  const number = (s) => Number(s.replace("\u2212", "-").replace(/[()]/g, ""));
  const [, body] = text.split(/\] = /, 2);
  const total = body.slice(body.lastIndexOf(" = ") + 3);
  const terms = body.slice(0, body.lastIndexOf(" = "));
  const products = [...terms.matchAll(/(\(\u2212\d+\)|\d+)\u00b7(\(\u2212\d+\)|\d+)/g)]
    .filter((m) => !terms.slice(0, m.index).endsWith("x["))
    .map((m) => [number(m[1]), number(m[2])]);
  return { products, total: number(total) };
}

test("every output cell's written-out sum adds up to convlib's value, over the lit input cells", () => {
  let checked = 0;
  for (const { setting, shape, y } of cases()) {
    if (!shape || setting.input_values !== "random" || setting.kernel_values !== "random") continue;
    const result = computed(setting);
    const nd = setting.dims === "1-D" ? 1 : 2;
    const map = conv.links(setting, result.info);
    for (let flat = 0; flat < y.length; flat += 1) {
      const text = values.sumText(setting, result.info, result, flat);
      const list = result.terms[flat];
      if (!list.length) {
        assert.equal(y[flat], 0);
        assert.match(text, /= 0 \(no input cell scatters/);
        continue;
      }
      const { products, total } = readSum(text);
      assert.equal(products.length, list.length, text);
      assert.equal(products.reduce((sum, [a, b]) => sum + a * b, 0), y[flat], `${JSON.stringify(setting)}: ${text}`);
      assert.equal(total, y[flat], text);
      // the products read the input cells the cell lights, each once per weight
      const lit = new Set(conv.litCells(map, nd, "out", flat));
      assert.deepStrictEqual(new Set(list.map(([i]) => i)), lit, text);
      checked += 1;
    }
  }
  assert.ok(checked > 5_000_000, `only ${checked} output cells`);
});
