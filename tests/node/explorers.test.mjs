// The explorers' ES modules compute what convlib computes, over each explorer's whole control
// grid: zero mismatches. The expected values come from tests/node/make_fixture.py (convlib);
// run both with `make node-tests`, or `node --test tests/node/` after writing the fixture to
// $CONVLIB_NODE_FIXTURE (default _build/node-fixture).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "node:test";
import { gunzipSync } from "node:zlib";

import { STYLE } from "../../convlib/widgets/_common.mjs";
import * as budget from "../../convlib/widgets/budget.mjs";
import * as conv from "../../convlib/widgets/conv.mjs";
import * as groups from "../../convlib/widgets/groups.mjs";
import * as image from "../../convlib/widgets/image.mjs";
import * as receptive from "../../convlib/widgets/receptive.mjs";

const folder = process.env.CONVLIB_NODE_FIXTURE ?? path.join(process.cwd(), "_build", "node-fixture");
const fixture = JSON.parse(gunzipSync(readFileSync(path.join(folder, "explorers.json.gz"))));

/** Compare describe() with convlib over every case; report the count and the first few. */
function sweep(part, describe) {
  const keys = part.keys;
  const mismatches = [];
  for (const [values, expected] of part.cases) {
    const setting = keys ? Object.fromEntries(keys.map((k, i) => [k, values[i]])) : values;
    const actual = describe(setting);
    try {
      assert.deepStrictEqual(actual, expected);
    } catch {
      mismatches.push({ setting, expected, actual });
    }
  }
  const shown = mismatches.slice(0, 3).map((m) => JSON.stringify(m)).join("\n");
  assert.equal(mismatches.length, 0, `${mismatches.length} of ${part.cases.length} settings differ:\n${shown}`);
  return part.cases.length;
}

const values = (grid, name) => grid[name];
const span = (lo, hi) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

test("the conv explorer's grid is its controls", () => {
  const grid = fixture.conv.grid;
  assert.deepStrictEqual(values(grid, "padding"), conv.PADDINGS);
  for (const [name, [lo, hi]] of Object.entries(conv.LIMITS)) assert.deepStrictEqual(grid[name], span(lo, hi), name);
});

test("conv explorer: every setting, both modes, 1-D and 2-D, equals convlib", () => {
  const count = sweep(fixture.conv, conv.describe);
  assert.ok(count > 100000, `only ${count} settings`);
});

test("conv explorer: hover maps are each other's inverse and match the windows", () => {
  let checked = 0;
  for (const [values] of fixture.conv.cases) {
    const setting = Object.fromEntries(fixture.conv.keys.map((k, i) => [k, values[i]]));
    if (setting.dims !== "1-D") continue;
    const info = conv.describe(setting);
    if (info.error) continue;
    const map = conv.links(setting, info);
    map.reads.forEach((inputs, o) => {
      for (const i of inputs) assert.ok(map.readers[i].includes(o));
    });
    map.readers.forEach((outputs, i) => {
      for (const o of outputs) assert.ok(map.reads[o].includes(i));
    });
    if (info.windows) {
      // convolution: output o reads its window (padded coordinates), nothing else
      info.windows.forEach((w, o) => assert.deepStrictEqual(map.reads[o], w.map((i) => i + info.pads[0])));
    } else {
      // transposed: input i writes exactly its scatter window, cropped to the output
      info.scatter.forEach((w, i) => assert.deepStrictEqual(map.readers[i], w.filter((m) => m >= 0 && m < info.out[0])));
    }
    // 2-D lights the product of the two axes
    const two = { ...setting, dims: "2-D" };
    const info2 = conv.describe(two);
    const map2 = conv.links(two, info2);
    const o = map2.outputs - 1;
    const flat = o * map2.outputs + o;
    const lit = conv.litCells(map2, 2, "out", flat);
    assert.equal(lit.length, map2.reads[o].length ** 2);
    checked += 1;
  }
  assert.ok(checked > 10000);
});

test("photo explorer: every setting's output size, message and code equal convlib", () => {
  const { photo_shape: shape, kernels } = fixture.image;
  const count = sweep(fixture.image, (setting) => {
    const w = kernels[setting.kernel];
    return image.describe(setting, shape, [w.length, w[0].length]);
  });
  assert.equal(count, 8 * 4 * 8 * 7 * 4 * 2);
  assert.deepStrictEqual(fixture.image.grid.padding, image.PADDINGS);
  assert.deepStrictEqual(fixture.image.grid.padding_mode, image.PADDING_MODES);
});

test("photo explorer: the JS convolution equals convlib.conv2d within 1e-5, every kernel and padding mode", () => {
  const { photo_shape: shape, kernels, photo_cases: cases } = fixture.image;
  const photo = image.decodePhoto(fixture.image.photo);
  const bytes = readFileSync(path.join(folder, "photo.f64"));
  const expected = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
  let offset = 0;
  let worst = 0;
  const seen = new Set();
  for (const [setting, outShape] of cases) {
    const { data, out } = image.conv2d(photo, shape, kernels[setting.kernel], setting);
    assert.deepStrictEqual(out, outShape);
    for (let i = 0; i < data.length; i += 1) worst = Math.max(worst, Math.abs(data[i] - expected[offset + i]));
    offset += data.length;
    seen.add(`${setting.kernel}/${setting.padding_mode}`);
  }
  assert.equal(offset, expected.length);
  assert.equal(seen.size, Object.keys(kernels).length * image.PADDING_MODES.length);
  assert.ok(worst <= 1e-5, `largest difference ${worst}`);
});

test("budget explorer: every setting equals convlib's layer specs", () => {
  assert.equal(sweep(fixture.budget, budget.describe), 12 * 12 * 7 * 6 * 6);
});

test("groups explorer: every channels/groups/kernel/size equals convlib", () => {
  sweep(fixture.groups, groups.describe);
});

test("receptive field explorer: presets, stacks and bad text equal convlib.geometry.receptive", () => {
  sweep(fixture.receptive, receptive.describe);
  const presets = Object.values(fixture.receptive.presets);
  assert.ok(presets.length >= 5);
});

test("every explorer's module refuses an impossible control with its Python class's message", () => {
  const { photo_shape: shape, kernels } = fixture.image;
  const describes = {
    conv: conv.describe,
    image: (setting) => {
      const w = kernels[setting.kernel];
      return image.describe(setting, shape, [w.length, w[0].length]);
    },
    budget: budget.describe,
    groups: groups.describe,
  };
  const seen = [];
  for (const [name, describe] of Object.entries(describes)) {
    const { defaults, cases } = fixture[name].refused;
    assert.equal(describe(defaults).error, undefined, `${name}'s defaults are possible`);
    for (const [control, value, message] of cases) {
      const actual = describe({ ...defaults, [control]: value });
      assert.equal(actual.error, message, `${name} ${control}=${JSON.stringify(value)}`);
      seen.push(`${name}.${control}`);
    }
  }
  for (const expected of ["conv.stride", "conv.padding", "conv.position", "conv.output_padding",
    "image.padding", "image.dilation", "budget.groups", "groups.channels"]) {
    assert.ok(seen.includes(expected), expected);
  }
  // the two settings of issue 28: a RangeError, and 'bogus' drawn as causal
  const conv0 = fixture.conv.refused;
  assert.deepStrictEqual(conv.describe({ ...conv0.defaults, stride: 0 }), {
    error: "stride must be a positive int; received stride=0",
  });
  assert.match(conv.describe({ ...conv0.defaults, padding: "bogus" }).error, /'full'; received padding='bogus'$/);
});

test("groups explorer: an input channel lights the output channels convlib's grouped conv feeds from it", () => {
  let checked = 0;
  for (const [cin, cout, g, readers] of fixture.groups.readers) {
    readers.forEach((expected, i) => {
      assert.deepStrictEqual(groups.readersOf(cin, g, i, cout), expected, `C_in=${cin} C_out=${cout} g=${g} i=${i}`);
      checked += 1;
    });
    if (cin === cout) {
      // C -> C (the explorer's layer): output o reads input i exactly when i lights o
      for (let i = 0; i < cin; i += 1) {
        for (let o = 0; o < cout; o += 1) {
          assert.equal(groups.readsOf(cin, g, o).includes(i), readers[i].includes(o));
        }
      }
    }
  }
  assert.ok(checked > 500, `only ${checked} channels`);
});

test("the explorers' style hides a [hidden] control even where a rule gives it a display", () => {
  // .cl-x label { display: inline-flex } beats the browser's [hidden] { display: none }: the
  // conv explorer's output_padding slider showed in convolution mode
  const rules = STYLE.replace(/\s+/g, " ");
  assert.match(rules, /\.cl-x \[hidden\] \{ display: none !important; \}/);
});
