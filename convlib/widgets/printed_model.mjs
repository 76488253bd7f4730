// print(model) text read as convlib.nn.printed_model.from_torch_repr reads it, for the "paste your
// model" explorer: the printed arguments as Python literals (ast.literal_eval, bare names as
// strings), each leaf as convlib's spec of that name (model_specs.mjs) or a pass-through row with
// the parameters its arguments give, and from_torch_repr's warnings and messages.
import { product } from "./_common.mjs";
import { SPECS, bindArguments, passThrough } from "./model_specs.mjs";
import { PyFloat, strRepr, truthy } from "./python_values.mjs";

// ---- Python literals (ast.literal_eval, with bare names read as strings, as torch prints them)
const TOKEN = /\s*(?:(\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)|(\d+)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|([A-Za-z_]\w*)|(.))/y;

function tokens(text) {
  const out = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const m = TOKEN.exec(text);
    if (!m) break;
    if (m[1] !== undefined) out.push({ value: new PyFloat(Number(m[1])) });
    else if (m[2] !== undefined) out.push({ value: Number(m[2]) });
    else if (m[3] !== undefined) out.push({ value: m[3].slice(1, -1).replace(/\\(.)/g, "$1") });
    else if (m[4] !== undefined) out.push({ name: m[4] });
    else if (m[5] !== undefined) out.push({ op: m[5] });
  }
  return out;
}

/** The positional and keyword arguments of a printed call, or throws. */
export function parseArguments(text) {
  const list = tokens(text);
  let i = 0;
  const fail = () => { throw new Error("invalid syntax"); };
  const peek = (op) => list[i] && list[i].op === op;
  const value = () => {
    const t = list[i++];
    if (!t) fail();
    if ("value" in t) return t.value;
    if (t.name) {
      const constants = { True: true, False: false, None: null };
      return t.name in constants ? constants[t.name] : t.name;
    }
    if (t.op === "-" || t.op === "+") {
      const v = value();
      if (typeof v === "number") return t.op === "-" ? -v : v;
      if (v instanceof PyFloat) return new PyFloat(t.op === "-" ? -v.value : v.value);
      fail();
    }
    if (t.op === "(" || t.op === "[") {
      const close = t.op === "(" ? ")" : "]";
      const items = [];
      let comma = false;
      while (!peek(close)) {
        items.push(value());
        if (peek(",")) { i += 1; comma = true; } else if (!peek(close)) fail();
      }
      i += 1;
      if (close === ")" && items.length === 1 && !comma) return items[0];
      if (close === "]") items.isList = true;
      return items;
    }
    return fail();
  };
  const args = [];
  const kwargs = {};
  while (i < list.length) {
    if (list[i].name && list[i + 1] && list[i + 1].op === "=") {
      const name = list[i].name;
      i += 2;
      if (name in kwargs) fail();
      kwargs[name] = value();
    } else {
      if (Object.keys(kwargs).length) fail();
      args.push(value());
    }
    if (i < list.length) { if (!peek(",")) fail(); i += 1; }
  }
  return { args, kwargs };
}

// ---- print(model) text (convlib.nn.printed_model)
const SHAPE_KEEPING = new Set(("Identity GELU SiLU Sigmoid Tanh Hardswish Hardsigmoid Hardtanh LeakyReLU ELU CELU " +
  "SELU Mish Softplus Softsign Tanhshrink Softmax Softmax2d LogSoftmax Dropout1d Dropout2d Dropout3d AlphaDropout " +
  "FeatureAlphaDropout BatchNorm1d BatchNorm3d GroupNorm InstanceNorm1d InstanceNorm2d InstanceNorm3d LayerNorm " +
  "RMSNorm PReLU").split(" "));

const index = (a, i) => {
  if (i >= a.length) { const e = new Error("tuple index out of range"); e.pyType = "IndexError"; throw e; }
  return a[i];
};
const key = (k, name) => {
  if (!(name in k)) { const e = new Error(strRepr(name)); e.pyType = "KeyError"; throw e; }
  return k[name];
};
const prod = (v) => {
  if (!Array.isArray(v)) { const e = new Error(`'${typeof v === "number" ? "int" : "str"}' object is not iterable`); e.pyType = "TypeError"; throw e; }
  return product(v);
};
const norm = (k, affineKey, affineDefault, features) =>
  (truthy(affineKey in k ? k[affineKey] : affineDefault) ? features * (1 + Number(truthy("bias" in k ? k.bias : true))) : 0);

/** printed_model.PARAMETER_RULES: parameters of layers convlib has no spec for, from their arguments. */
export const PARAMETER_RULES = {
  BatchNorm1d: (a, k) => norm(k, "affine", true, index(a, 0)),
  BatchNorm3d: (a, k) => norm(k, "affine", true, index(a, 0)),
  InstanceNorm1d: (a, k) => norm(k, "affine", false, index(a, 0)),
  InstanceNorm2d: (a, k) => norm(k, "affine", false, index(a, 0)),
  InstanceNorm3d: (a, k) => norm(k, "affine", false, index(a, 0)),
  GroupNorm: (a, k) => norm(k, "affine", true, index(a, 1)),
  LayerNorm: (a, k) => norm(k, "elementwise_affine", true, prod(index(a, 0))),
  RMSNorm: (a, k) => (truthy("elementwise_affine" in k ? k.elementwise_affine : true) ? prod(index(a, 0)) : 0),
  PReLU: (a, k) => ("num_parameters" in k ? k.num_parameters : 1),
  Embedding: (a) => index(a, 0) * index(a, 1),
  Bilinear: (a, k) => key(k, "in1_features") * key(k, "in2_features") * key(k, "out_features") +
    (truthy("bias" in k ? k.bias : true) ? key(k, "out_features") : 0),
};

const INTERPOLATING = ["linear", "bilinear", "bicubic", "trilinear"]; // Upsample modes with corners
const CHILD = /^\(([^()]*)\): (?:(\d+) x )?(.*)$/;
const CALL = /^([A-Za-z_][\w.]*)\((.*)\)$/;

export function sequential(children, typeName) {
  return { container: true, typeName, children };
}

class Parser {
  constructor(text) {
    this.lines = text.split(/\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/)
      .map((line, i) => [i + 1, line.trim()]).filter(([, line]) => line);
    this.position = 0;
    this.ambiguous = [];
    this.unknown = [];
    this.assumed = [];
    this.corners = []; // interpolating Upsamples without align_corners
  }

  leaf(type, argsText, path, where) {
    let parsed;
    try {
      parsed = parseArguments(argsText);
    } catch (error) {
      throw new Error(`${where}: cannot read the arguments ${strRepr(argsText)} (${error.message})`);
    }
    const { args, kwargs } = parsed;
    const label = path ? `${path} (${type})` : type;
    if (type.startsWith("AvgPool")) this.assumed.push(label);
    const mode = "mode" in kwargs ? kwargs.mode : args.length > 2 ? args[2] : "nearest";
    const cornersGiven = "align_corners" in kwargs || args.length > 3;
    if (type === "Upsample" && INTERPOLATING.includes(mode) && !cornersGiven) this.corners.push(label);
    if (type in SPECS) {
      const [qualname, signature, make] = SPECS[type];
      try {
        return make(bindArguments(qualname, signature, args, kwargs));
      } catch (error) {
        throw new Error(`${where}: ${type}(${argsText}) is not valid: ${error.message}`);
      }
    }
    let params = 0;
    if (type in PARAMETER_RULES) {
      try {
        params = Math.trunc(Number(PARAMETER_RULES[type](args, kwargs)));
      } catch (error) {
        throw new Error(`${where}: cannot count ${type}'s parameters: ${error.message}`);
      }
    } else if (!SHAPE_KEEPING.has(type)) {
      this.unknown.push(label);
    }
    if (!SHAPE_KEEPING.has(type)) this.ambiguous.push(label);
    return passThrough(type, params);
  }

  block(type, path) {
    const children = [];
    const label = path ? `${path} (${type})` : type;
    if (type !== "Sequential") this.ambiguous.push(label);
    if (type === "MultiheadAttention") this.unknown.push(label);
    while (this.position < this.lines.length) {
      const [number, line] = this.lines[this.position];
      this.position += 1;
      if (line === ")") return children;
      const match = CHILD.exec(line);
      if (!match) continue; // a line of the module's extra_repr
      const [, name, count, body] = match;
      const full = path ? `${path}.${name}` : name;
      const where = `line ${number}`;
      let layer;
      if (body.endsWith("(")) {
        const childType = body.slice(0, -1);
        layer = sequential(this.block(childType, full), childType);
      } else {
        const call = CALL.exec(body);
        if (!call) throw new Error(`${where}: expected 'Type(arguments)'; received ${strRepr(line)}`);
        layer = this.leaf(call[1], call[2], full, where);
      }
      let names = [name];
      if (count) {
        const dash = name.indexOf("-");
        const [first, last] = dash < 0 ? [name, ""] : [name.slice(0, dash), name.slice(dash + 1)];
        const toInt = (s) => {
          if (!/^\s*[+-]?\d+\s*$/.test(s)) throw new Error(`invalid literal for int() with base 10: ${strRepr(s)}`);
          return Number.parseInt(s, 10);
        };
        const lo = toInt(first);
        const hi = toInt(last || first);
        names = Array.from({ length: Math.max(hi - lo + 1, 0) }, (_, i) => String(lo + i));
        if (names.length !== Number(count)) throw new Error(`${where}: ${name} does not hold ${count} modules`);
      }
      for (const each of names) children.push([each, layer]);
    }
    throw new Error(`the text ends inside ${type}( : a closing ')' is missing`);
  }
}

/** convlib.from_torch_repr: {model, typeName, ambiguous, unknown, assumed, warnings}, or throws
 * convlib's message. */
export function parsePrinted(text) {
  const parser = new Parser(text);
  if (!parser.lines.length) throw new Error("text is empty; paste what print(model) shows");
  const [number, first] = parser.lines[0];
  parser.position = 1;
  let typeName;
  let children;
  if (first.endsWith("(")) {
    typeName = first.slice(0, -1);
    children = parser.block(typeName, "");
  } else {
    const call = CALL.exec(first);
    if (!call) throw new Error(`line ${number}: expected 'Type(' or 'Type(arguments)'; received ${strRepr(first)}`);
    typeName = call[1];
    children = [[typeName, parser.leaf(typeName, call[2], "", `line ${number}`)]];
  }
  if (parser.position < parser.lines.length) {
    const [n, line] = parser.lines[parser.position];
    throw new Error(`line ${n}: text after the model's closing ')': ${strRepr(line)}`);
  }
  const { ambiguous, unknown, assumed } = parser;
  const warnings = [];
  if (ambiguous.length) {
    warnings.push("print(model) does not show how these modules combine their children or change " +
      `shapes: ${ambiguous.join(", ")}; parameter counts are exact` +
      (unknown.length ? " except for the unknown ones" : "") +
      ", but shapes, MACs and receptive fields assume the printed order");
  }
  if (unknown.length) {
    warnings.push(`the text does not give the parameters of: ${unknown.join(", ")}; they are counted as 0`);
  }
  if (assumed.length) {
    warnings.push("torch does not print AvgPool's ceil_mode and count_include_pad: " +
      `${assumed.join(", ")} assumed ceil_mode=False (the default), which fixes their output size`);
  }
  if (parser.corners.length) {
    warnings.push("torch does not print Upsample's align_corners: " +
      `${parser.corners.join(", ")} assumed align_corners=False (the default), which their ` +
      "receptive fields depend on (their shapes and MACs do not)");
  }
  const model = sequential(children, "PrintedModel");
  return { model, typeName, ambiguous, unknown, assumed, warnings };
}

