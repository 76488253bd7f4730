// The "paste your model" explorer's ES module reads printed models as convlib does: for every
// model of the fixture (torch's print(model) text of hand-written and seeded random models, the
// explorer's presets, receptive explorer stacks, malformed text), model.mjs's describe() gives
// convlib.widgets.describe_model's result, i.e. summary(from_torch_repr(text), shape): rows,
// output shapes, parameters, MACs, receptive fields, totals, str(summary), warnings and messages.
// Expected values: tests/node/make_model_fixture.py.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import test from "node:test";
import { gunzipSync } from "node:zlib";

import * as explorer from "../../convlib/widgets/model.mjs";
import { SPECS } from "../../convlib/widgets/model_specs.mjs";

const folder = process.env.CONVLIB_NODE_FIXTURE ?? path.join(process.cwd(), "_build", "node-fixture");
const fixture = JSON.parse(gunzipSync(readFileSync(path.join(folder, "model.json.gz"))));

// Python's message for arguments it cannot parse ends with the parser's own words
// ("(invalid syntax ...)", "(malformed node or string ...: <ast.Call object at 0x...>)"), which
// name Python internals and memory addresses; those cases are compared up to that detail.
const syntaxDetail = /^(line \d+: cannot read the arguments .*) \(.*\)$/s;

function comparable(result) {
  if (!result.error) return result;
  const match = syntaxDetail.exec(result.error);
  return match ? { ...result, error: match[1] } : result;
}

test("the printed layers model.mjs has a spec for are convlib's", () => {
  assert.deepStrictEqual(Object.keys(SPECS).sort(), fixture.specs);
});

test("paste your model: every fixture model's table, warnings and messages equal convlib's", () => {
  const mismatches = [];
  const seen = { table: 0, error: 0, warned: 0, rows: 0 };
  for (const [text, shape, expected] of fixture.cases) {
    const actual = explorer.describe(text, shape);
    seen.table += expected.cells ? 1 : 0;
    seen.error += expected.error ? 1 : 0;
    seen.warned += expected.warnings?.length ? 1 : 0;
    seen.rows += expected.cells?.length ?? 0;
    try {
      assert.deepStrictEqual(comparable(actual), comparable(expected));
    } catch {
      mismatches.push({ text, shape, expected, actual });
    }
  }
  const shown = mismatches.slice(0, 2).map((m) => JSON.stringify(m, null, 1)).join("\n");
  assert.equal(mismatches.length, 0, `${mismatches.length} of ${fixture.cases.length} models differ:\n${shown}`);
  assert.ok(fixture.cases.length > 400, `${fixture.cases.length} models`);
  assert.ok(seen.table > 300 && seen.error > 40 && seen.warned > 5 && seen.rows > 1500, JSON.stringify(seen));
});

test("paste your model: the fixture holds every kind of layer, convolution, padding and resampling", () => {
  const types = new Set();
  const kinds = new Set();
  for (const [, , expected] of fixture.cases) {
    for (const row of expected.cells ?? []) types.add(/\((\w+)\)$/.exec(row[0])[1]);
    for (const kind of expected.kinds ?? []) kinds.add(kind);
  }
  for (const type of ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool2d",
    "Upsample", "PixelShuffle", "PixelUnshuffle", "Linear", "BatchNorm2d", "ReLU", "ReLU6", "Dropout",
    "Flatten", "ChannelShuffle", "LocalResponseNorm", "PassThrough"]) {
    assert.ok(types.has(type), type);
  }
  assert.deepStrictEqual([...kinds].filter((k) => k).sort(),
    ["depthwise", "dilated", "grouped", "pointwise", "standard", "transposed"]);
  const tabled = fixture.cases.filter(([, , expected]) => expected.cells).map(([text]) => text).join("\n");
  for (const argument of ["padding=same", "padding=valid", "padding_mode=reflect", "padding_mode=replicate",
    "padding_mode=circular", "output_padding=(1, 1)", "ceil_mode=True", "mode='bilinear'", "mode='nearest-exact'",
    "mode='bicubic'", "align_corners=True", "groups=", "dilation=(2, 2)", ": 3 x "]) {
    assert.ok(tabled.includes(argument), argument);
  }
});

test("paste your model: malformed text shows convlib's message, never a JavaScript error", () => {
  for (const text of ["Sequential(\n  (0): Conv2d(3, 8, kernel_size=(3, 3)\n)", "Sequential(\n  (0): Conv2d(3, 8, [)\n)",
    "Sequential(\n  (0): Conv2d(3, 8, 3, 3=4)\n)", "))))", "Sequential(\n  (a-b): 2 x ReLU()\n)"]) {
    const result = explorer.describe(text, "3, 8, 8");
    assert.ok(result.error, text);
    assert.doesNotMatch(result.error, /undefined|TypeError|is not a function|Cannot read/, result.error);
  }
});
