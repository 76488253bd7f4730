// The volume explorer's ES module computes what convlib computes, over its whole control grid:
// kinds (conv_kind), shapes, parameter and MAC counts (convlib.nn.layers.Conv2d), the PyTorch
// code, the channels and windows each output reads (convlib.conv2d / conv1d of one-hot inputs),
// pixel shuffle's source cells (convlib.pixel_shuffle), the messages of impossible settings, and
// the input cells it lights for each output cell and channel (convlib.conv2d of one-hot inputs
// through both steps). Expected values: tests/node/make_fixture.py (DIR/volume.json.gz).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "node:test";
import { gunzipSync } from "node:zlib";

import * as volume from "../../convlib/widgets/volume.mjs";

const folder = process.env.CONVLIB_NODE_FIXTURE ?? path.join(process.cwd(), "_build", "node-fixture");
const fixture = JSON.parse(gunzipSync(readFileSync(path.join(folder, "volume.json.gz"))));
const settingOf = (values) => Object.fromEntries(fixture.keys.map((k, i) => [k, values[i]]));
const span = (lo, hi) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
const TARGET = { channel: 0, position: 0 };

test("the volume explorer's grid is its controls", () => {
  assert.deepStrictEqual(fixture.grid.mode, volume.MODES);
  for (const [name, [lo, hi]] of Object.entries(volume.LIMITS)) assert.deepStrictEqual(fixture.grid[name], span(lo, hi), name);
});

test("volume explorer: every setting's kinds, shapes, counts, code, reads and messages equal convlib", () => {
  const mismatches = [];
  const seen = { errors: 0, kinds: new Set() };
  for (const [values, expected] of fixture.cases) {
    const setting = { ...settingOf(values), ...TARGET };
    const actual = volume.describe(setting);
    if (expected.error) seen.errors += 1;
    for (const step of expected.steps ?? []) seen.kinds.add(step.kind);
    try {
      assert.deepStrictEqual(actual, expected);
    } catch {
      mismatches.push({ setting, expected, actual });
    }
  }
  const shown = mismatches.slice(0, 3).map((m) => JSON.stringify(m).slice(0, 1500)).join("\n");
  assert.equal(mismatches.length, 0, `${mismatches.length} of ${fixture.cases.length} settings differ:\n${shown}`);
  assert.equal(fixture.cases.length, 12 ** 3 * 5 * 5 + 12 * 12 * 2 * 5 * 5 + 12 * 5 * 3);
  // most groups divide neither channel count: the slider offers only the common divisors
  assert.ok(seen.errors > 1000 && fixture.cases.length - seen.errors > 10000, `${seen.errors} impossible settings`);
  assert.deepStrictEqual([...seen.kinds].sort(), ["depthwise", "grouped", "pointwise", "standard"]);
});

test("volume explorer: each output cell and channel lights exactly the input cells convlib's output depends on", () => {
  let cells = 0;
  const modes = new Set();
  for (const [setting, dependencies] of fixture.lit) {
    const full = { ...setting, ...TARGET };
    const info = volume.describe(full);
    const [c, m] = info.output;
    assert.equal(dependencies.length, c * m * m);
    for (let o = 0; o < c; o += 1) {
      const channel = new Set();
      for (let y = 0; y < m; y += 1) {
        for (let x = 0; x < m; x += 1) {
          const expected = dependencies[(o * m + y) * m + x];
          assert.deepStrictEqual(volume.lit(info, full, o, y, x).input, expected, JSON.stringify({ setting, o, y, x }));
          for (const i of expected) channel.add(i);
          cells += 1;
        }
      }
      assert.deepStrictEqual(volume.lit(info, full, o).input, [...channel].sort((a, b) => a - b), JSON.stringify({ setting, o }));
    }
    modes.add(setting.mode);
  }
  assert.deepStrictEqual([...modes].sort(), ["convolution", "pixel_shuffle", "separable"]);
  assert.ok(cells > 10000, `${cells} output cells`);
});

test("volume explorer: a value Python refuses shows the same message", () => {
  const { defaults, cases } = fixture.refused;
  assert.ok(cases.length >= 17);
  for (const [name, value, message] of cases) {
    assert.equal(volume.describe({ ...defaults, [name]: value }).error, message, `${name}=${value}`);
  }
  assert.equal(volume.describe(defaults).error, undefined);
});

test("volume explorer: the groups slider walks the common divisors, standard to depthwise", () => {
  assert.deepStrictEqual(volume.commonDivisors(4, 8), [1, 2, 4]);
  assert.deepStrictEqual(volume.commonDivisors(12, 8), [1, 2, 4]);
  const kinds = volume.commonDivisors(4, 8).map((groups) => volume.describe({ ...fixture.refused.defaults, in_channels: 4, out_channels: 8, groups }).steps[0].kind);
  assert.deepStrictEqual(kinds, ["standard", "grouped", "depthwise"]);
});
