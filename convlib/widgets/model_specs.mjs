// The layer specs of the "paste your model" explorer: each printed torch layer convlib has a spec
// for, with the spec's argument checks (convlib.nn.layers, convlib.nn.pooling), its output shape,
// parameters, MACs and the input cells each output cell reads (convlib.nn.receptive's _leaf), in
// convlib's words. Geometry rules come from geometry.mjs; model.mjs parses the text and tabulates.
import { floorDiv, product, pyRepr } from "./_common.mjs";
import { convOutputSize, convTransposeNaturalSize, poolOutputSize, resolvePadding, span } from "./geometry.mjs";
import { PyFloat, num, repr, strRepr, truthy } from "./python_values.mjs";
import { composeCells, mod, resizeCells, transposeCells, windowCells } from "./receptive_cells.mjs";

const isInt = (v) => typeof v === "number" && Number.isInteger(v);
const isSeq = (v) => Array.isArray(v);
const allowed = (minimum) => ({ 0: "non-negative", 1: "positive" })[minimum] ?? `>= ${minimum}`;

function typeError(message) {
  const error = new Error(message);
  error.pyType = "TypeError";
  return error;
}

/** convlib._validation.check_positive_int. */
export function checkInt(value, name, minimum = 1) {
  const message = `${name} must be a ${allowed(minimum)} int; received ${name}=${repr(value)}`;
  if (!isInt(value)) throw typeError(message);
  if (value < minimum) throw new Error(message);
  return value;
}

/** convlib._validation.as_tuple. */
export function asTuple(value, n, name, minimum = 1) {
  const kind = allowed(minimum);
  const expected = `${name} must be a ${kind} int or a tuple of ${n} ${kind} ints; received ${name}=`;
  if (isInt(value)) {
    if (value < minimum) throw new Error(expected + repr(value));
    return Array(n).fill(value);
  }
  if (isSeq(value)) {
    if (!value.every(isInt)) throw typeError(expected + repr(value));
    if (value.length !== n) throw new Error(`${expected}${repr(value)} (length ${value.length})`);
    if (value.some((v) => v < minimum)) throw new Error(expected + repr(value));
    return [...value];
  }
  throw typeError(expected + repr(value));
}

/** convlib._validation.expand_single. */
const expandSingle = (v, n) => (isSeq(v) && v.length === 1 && !isSeq(v[0]) ? Array(n).fill(v[0]) : v);

function checkGroups(cin, cout, groups) {
  const g = checkInt(groups, "groups");
  for (const [label, channels] of [["input channels", cin], ["output channels", cout]]) {
    if (channels !== null && channels % g) {
      throw new Error(`groups must divide the number of ${label}; received groups=${g} with ${channels} ${label}`);
    }
  }
  return g;
}

const PADDING_MODES = ["zeros", "reflect", "replicate", "circular"];
const SPATIAL_NAMES = { 1: "L", 2: "H, W", 3: "D, H, W" };

/** Layer._check_sample's message. */
function checkSample(type, rank, sample, channels = null) {
  if ((rank !== null && sample.length !== rank) || (channels !== null && sample[0] !== channels)) {
    const spatial = SPATIAL_NAMES[(rank ?? 1) - 1] ?? "*spatial";
    const wanted = channels !== null ? ` with ${channels} input channels` : "";
    throw new Error(`${type} expected input_shape (C, ${spatial}) or (N, C, ${spatial})${wanted}; ` +
      `received input_shape ${pyRepr(sample)}`);
  }
  return sample;
}

// ---- the specs
const ELEMENTWISE = new Set(("Identity GELU SiLU Sigmoid Tanh Hardswish Hardsigmoid Hardtanh LeakyReLU ELU " +
  "CELU SELU Mish Softplus Softsign Tanhshrink PReLU Dropout1d Dropout2d Dropout3d AlphaDropout " +
  "FeatureAlphaDropout gelu silu sigmoid tanh hardswish hardsigmoid hardtanh leaky_relu elu mish " +
  "softplus dropout dropout2d mul add sub truediv neg clamp contiguous").split(" "));

function base(type, extra = {}) {
  return {
    type, params: 0, runningStats: 0, rank: null, emptyOk: false,
    out: (sample) => sample, macs: () => 0, field: (maps) => maps, ...extra,
  };
}

function conv(nd, transposed) {
  return (a) => {
    if (transposed && a.padding_mode !== "zeros") {
      throw new Error("transposed convolutions only support padding_mode='zeros' (as in PyTorch); " +
        `received padding_mode=${repr(a.padding_mode)}`);
    }
    const cin = checkInt(a.in_channels, "in_channels");
    const cout = checkInt(a.out_channels, "out_channels");
    const groups = checkGroups(cin, cout, a.groups);
    const k = asTuple(a.kernel_size, nd, "kernel_size");
    const s = asTuple(expandSingle(a.stride, nd), nd, "stride");
    const d = asTuple(expandSingle(a.dilation, nd), nd, "dilation");
    let padding;
    if (typeof a.padding === "string" && !transposed) {
      padding = a.padding;
      pads(padding, k, s, d); // checks it
    } else {
      padding = asTuple(a.padding_mode === "zeros" ? expandSingle(a.padding, nd) : a.padding, nd, "padding", 0);
    }
    const bias = truthy(a.bias);
    if (!PADDING_MODES.includes(a.padding_mode)) {
      throw new Error(`padding_mode must be one of ${PADDING_MODES.map(repr).join(", ")}; ` +
        `received padding_mode=${repr(a.padding_mode)}`);
    }
    const op = transposed ? asTuple(expandSingle(a.output_padding, nd), nd, "output_padding", 0) : null;
    const rank = nd + 1;
    const plan = (sample) => {
      const spatial = checkSample(`${transposed ? "ConvTranspose" : "Conv"}${nd}d`, rank, sample, cin).slice(1);
      if (!transposed) {
        const p = pads(padding, k, s, d);
        const size = spatial.map((n, i) => {
          try {
            return convOutputSize(n, k[i], s[i], p[i], d[i]);
          } catch (error) {
            throw new Error(error.message.replace("spatial dimension 0", `spatial dimension ${i}`));
          }
        });
        return { size, cells: spatial, before: p.map((pair) => pair[0]) };
      }
      op.forEach((o, i) => {
        if (o >= s[i] && o >= d[i]) {
          throw new Error("output_padding must be smaller than either stride or dilation (as in PyTorch); " +
            `received output_padding=${o} with stride=${s[i]}, dilation=${d[i]}`);
        }
      });
      const size = spatial.map((n, i) => convTransposeNaturalSize(n, k[i], s[i], padding[i], d[i]) + op[i]);
      if (size.some((o) => o < 1)) {
        throw new Error("padding removes the whole output of the transposed convolution: output size " +
          `${pyRepr(size)}; received padding=${pyRepr(padding)} for input_size=${pyRepr(spatial)}, ` +
          `kernel_size=${pyRepr(k)}, stride=${pyRepr(s)}, dilation=${pyRepr(d)}`);
      }
      return { size, cells: spatial, before: padding };
    };
    if (transposed) plan([cin, ...padding.map((p) => 2 * p + 1)]); // torch checks output_padding now
    return base(`${transposed ? "ConvTranspose" : "Conv"}${nd}d`, {
      rank,
      params: floorDiv(cin * cout, groups) * product(k) + (bias ? cout : 0),
      conv: { transposed, kernel: k, groups, inChannels: cin, dilation: d },
      out: (sample) => [cout, ...plan(sample).size],
      macs: (sample) => {
        const p = plan(sample);
        return product(transposed ? p.cells : p.size) * floorDiv(cin * cout, groups) * product(k);
      },
      field: (maps, sample) => {
        const { before } = plan(sample);
        const cells = transposed ? transposeCells : windowCells;
        return composeCells(maps, (i) => (x, y) => cells(x, y, k[i], s[i], d[i], before[i]));
      },
    });
  };
}

/** resolve_padding of a conv spec's padding, with its messages for the whole tuples. */
function pads(padding, k, s, d) {
  if (typeof padding !== "string") return padding.map((p) => [p, p]);
  if (padding === "same" && s.some((x) => x !== 1)) {
    throw new Error(`padding='same' is only supported for stride 1 (as in PyTorch); received stride=${pyRepr(s)}`);
  }
  return k.map((ki, i) => resolvePadding(padding, ki, 1, d[i]));
}

function pool(nd, max) {
  return (a) => {
    const [kernel, stride, padding, dilation] = [a.kernel_size, a.stride, a.padding, max ? a.dilation : 1]
      .map((v) => expandSingle(v, nd));
    const k = asTuple(kernel, nd, "kernel_size");
    const noStride = stride === null || (isSeq(stride) && stride.length === 0);
    const s = noStride ? k : asTuple(stride, nd, "stride");
    const p = asTuple(padding, nd, "padding", 0);
    const d = asTuple(dilation, nd, "dilation");
    const ceil = truthy(a.ceil_mode);
    if (!max && a.divisor_override !== null && a.divisor_override !== undefined) {
      const v = a.divisor_override;
      const message = `divisor_override must be None or a non-zero int; received divisor_override=${repr(v)}`;
      if (!isInt(v)) throw typeError(message);
      if (v === 0) throw new Error("divisor_override must be None or a non-zero int; received 0");
    }
    const type = `${max ? "Max" : "Avg"}Pool${nd}d`;
    const sizes = (spatial) => spatial.map((n, i) => {
      try {
        return poolOutputSize(n, k[i], s[i], p[i], d[i], ceil);
      } catch (error) {
        if (error.message.startsWith("padding must be at most")) {
          throw new Error(`padding must be at most half of the kernel size, kernel_size // 2 = ${floorDiv(k[i], 2)} ` +
            "(PyTorch: 'pad should be at most half of effective kernel size'); " +
            `received padding=${pyRepr(p)} with kernel_size=${pyRepr(k)}`);
        }
        const o = floorDiv(n + 2 * p[i] - span(k[i], d[i]) + (ceil ? s[i] - 1 : 0), s[i]) + 1;
        throw new Error(`the pooling window is larger than the padded input: input_size=${pyRepr(spatial)} ` +
          `with kernel_size=${pyRepr(k)}, stride=${pyRepr(s)}, padding=${pyRepr(p)}, dilation=${pyRepr(d)} ` +
          `gives output size ${o}`);
      }
    });
    sizes(k.map((ki, i) => span(ki, d[i]))); // the padding rule, checked now
    const out = (sample) => {
      const spatial = checkSample(type, nd + 1, sample).slice(1);
      if (type === "AvgPool3d" && spatial.some((n, i) => n < k[i])) {
        throw new Error("AvgPool3d needs an input at least as large as the kernel before padding (as " +
          `PyTorch's avg_pool3d); received input_shape ${pyRepr(sample)} with kernel_size=${pyRepr(k)}`);
      }
      return [sample[0], ...sizes(spatial)];
    };
    return base(type, {
      rank: nd + 1, out,
      field: (maps, sample) => {
        out(sample);
        return composeCells(maps, (i) => (x, y) => windowCells(x, y, k[i], s[i], d[i], p[i]));
      },
    });
  };
}

const resized = (mode, corners, out) => (maps, sample) => {
  const o = out(sample);
  return composeCells(maps, (i) => (x, y) => resizeCells(x, y, sample[i + 1], o[i + 1], mode, corners));
};

const UPSAMPLE_MODES = { nearest: null, "nearest-exact": null, linear: 1, bilinear: 2, bicubic: 2, trilinear: 3 };

function upsample(a) {
  const { size, scale_factor: scale, mode, align_corners: corners } = a;
  if ((size === null) === (scale === null)) {
    const which = size === null ? "either" : "only one of";
    throw new Error(`Upsample needs ${which} size or scale_factor; received size=${repr(size)}, scale_factor=${repr(scale)}`);
  }
  if (!(typeof mode === "string" && mode in UPSAMPLE_MODES)) {
    throw new Error(`mode must be one of ${Object.keys(UPSAMPLE_MODES).map(repr).join(", ")}; received mode=${repr(mode)}`);
  }
  if (corners !== null && UPSAMPLE_MODES[mode] === null) {
    throw new Error("align_corners can only be set with the interpolating modes linear, bilinear, " +
      `bicubic and trilinear; received align_corners=${repr(corners)}, mode=${repr(mode)}`);
  }
  if (scale !== null) {
    const factors = isSeq(scale) ? scale : [scale];
    if (!factors.every((f) => (typeof f === "number" || typeof f === "boolean" || f instanceof PyFloat) && num(f) > 0)) {
      throw new Error(`scale_factor must be a positive number or a tuple of them; received scale_factor=${repr(scale)}`);
    }
  }
  const out = (sample) => {
    const nd = sample.length - 1;
    const wanted = UPSAMPLE_MODES[mode];
    if (![1, 2, 3].includes(nd) || (wanted !== null && nd !== wanted)) {
      const allowedRank = wanted === null ? "3-D to 5-D" : `${wanted + 2}-D`;
      throw new Error(`Upsample(mode=${repr(mode)}) expected a ${allowedRank} input_shape (N, C, *spatial); ` +
        `received input_shape with sample shape ${pyRepr(sample)}`);
    }
    if (size !== null) return [sample[0], ...asTuple(size, nd, "size")];
    const factors = isSeq(scale) ? scale : Array(nd).fill(scale);
    if (factors.length !== nd) {
      throw new Error(`scale_factor must have one entry per spatial dimension (${nd}); received scale_factor=${repr(scale)}`);
    }
    return [sample[0], ...sample.slice(1).map((n, i) => Math.floor(n * num(factors[i])))];
  };
  const fieldMode = { bilinear: "linear", trilinear: "linear" }[mode] ?? mode;
  return base("Upsample", { out, field: resized(fieldMode, corners, out) });
}

function shuffle(type, r, up) {
  const factor = checkInt(r, up ? "upscale_factor" : "downscale_factor");
  const out = (sample) => {
    const [c, h, w] = checkSample(type, 3, sample);
    if (up && c % (factor * factor)) {
      throw new Error(`PixelShuffle needs input channels divisible by upscale_factor**2 = ${factor * factor}; ` +
        `received input_shape ${pyRepr(sample)}`);
    }
    if (!up && (h % factor || w % factor)) {
      throw new Error(`PixelUnshuffle needs height and width divisible by downscale_factor = ${factor}; ` +
        `received input_shape ${pyRepr(sample)}`);
    }
    return up ? [c / (factor * factor), h * factor, w * factor] : [c * factor * factor, h / factor, w / factor];
  };
  const field = up ? resized("nearest", null, out) : (maps, sample) => {
    out(sample);
    return composeCells(maps, () => (x, y) => windowCells(x, y, factor, factor, 1, 0));
  };
  return base(type, { rank: 3, emptyOk: true, out, field });
}

function linear(a) {
  const fin = checkInt(a.in_features, "in_features");
  const fout = checkInt(a.out_features, "out_features");
  const out = (sample) => {
    if (!sample.length || sample[sample.length - 1] !== fin) {
      throw new Error(`Linear expected an input_shape ending in ${fin} features; received input_shape ${pyRepr(sample)}`);
    }
    return [...sample.slice(0, -1), fout];
  };
  return base("Linear", {
    params: fin * fout + (truthy(a.bias) ? fout : 0), out, linear: true,
    macs: (sample) => product(out(sample).slice(0, -1)) * fin * fout,
    field: () => "global",
  });
}

function flatten(a) {
  return base("Flatten", {
    out: (sample) => {
      const full = [1, ...sample];
      const n = full.length;
      const end = mod(a.end_dim, n);
      const start = a.start_dim < 0 ? Math.max(n + a.start_dim, 0) : Math.min(a.start_dim, n);
      return [...full.slice(0, start), product(full.slice(start, end + 1)), ...full.slice(end + 1)].slice(1);
    },
    field: () => "global",
  });
}

function adaptive(a) {
  let size = a.output_size;
  if (isSeq(size) && size.includes(null)) {
    if (size.length !== 2) {
      throw new Error(`output_size must be an int or a tuple of 2 ints or None; received output_size=${repr(size)}`);
    }
  } else {
    size = asTuple(size, 2, "output_size");
  }
  const out = (sample) => {
    checkSample("AdaptiveAvgPool2d", 3, sample);
    return [sample[0], ...size.map((o, i) => (o === null ? sample[i + 1] : o))];
  };
  return base("AdaptiveAvgPool2d", { rank: 3, out, field: resized("adaptive", null, out) });
}

function batchNorm(a) {
  const c = checkInt(a.num_features, "num_features");
  return base("BatchNorm2d", {
    rank: 3, params: truthy(a.affine) ? (1 + Number(truthy(a.bias))) * c : 0,
    runningStats: truthy(a.track_running_stats) ? 2 * c : 0,
    out: (sample) => checkSample("BatchNorm2d", 3, sample, c),
  });
}

/** A layer convlib has no spec for (convlib.PassThrough): keeps the shape; its field is known only
 * when it acts on each cell alone. */
export function passThrough(typeName, params) {
  return base("PassThrough", { params, passThrough: typeName,
    field: (maps) => (ELEMENTWISE.has(typeName) ? maps : "unknown") });
}

const CONV = ["in_channels", "out_channels", "kernel_size", ["stride", 1], ["padding", 0], ["dilation", 1],
  ["groups", 1], ["bias", true], ["padding_mode", "zeros"]];
const TRANSPOSE = ["in_channels", "out_channels", "kernel_size", ["stride", 1], ["padding", 0],
  ["output_padding", 0], ["groups", 1], ["bias", true], ["dilation", 1], ["padding_mode", "zeros"]];
const MAXPOOL = ["kernel_size", ["stride", null], ["padding", 0], ["dilation", 1], ["return_indices", false],
  ["ceil_mode", false]];
const AVGPOOL = ["kernel_size", ["stride", null], ["padding", 0], ["ceil_mode", false], ["count_include_pad", true],
  ["divisor_override", null]];

/** type -> [qualified name of its __init__, signature ([name, default] or a required name;
 * "*" starts the keyword-only ones), constructor]: the printed layers convlib has a spec for. */
export const SPECS = {
  ...Object.fromEntries([1, 2, 3].flatMap((nd) => [
    [`Conv${nd}d`, ["_ConvNd", CONV, conv(nd, false)]],
    [`ConvTranspose${nd}d`, ["_ConvTransposeNd", TRANSPOSE, conv(nd, true)]],
    [`MaxPool${nd}d`, ["_MaxPoolNd", MAXPOOL, pool(nd, true)]],
    [`AvgPool${nd}d`, nd === 1 ? ["AvgPool1d", AVGPOOL.slice(0, -1), pool(1, false)] : ["_AvgPoolNd", AVGPOOL, pool(nd, false)]],
  ])),
  Linear: ["Linear", ["in_features", "out_features", ["bias", true]], linear],
  BatchNorm2d: ["BatchNorm2d", ["num_features", ["eps", new PyFloat(1e-5)], ["momentum", new PyFloat(0.1)],
    ["affine", true], ["track_running_stats", true], "*", ["bias", true]], batchNorm],
  ReLU: ["ReLU", [["inplace", false]], () => base("ReLU")],
  ReLU6: ["ReLU", [["inplace", false]], () => base("ReLU6")],
  Dropout: ["Dropout", [["p", new PyFloat(0.5)], ["inplace", false]], () => base("Dropout")],
  LocalResponseNorm: ["LocalResponseNorm", ["size", ["alpha", new PyFloat(1e-4)], ["beta", new PyFloat(0.75)],
    ["k", new PyFloat(1)]], () => base("LocalResponseNorm")],
  Flatten: ["Flatten", [["start_dim", 1], ["end_dim", -1]], flatten],
  ChannelShuffle: ["ChannelShuffle", ["groups"], (a) => {
    const g = checkInt(a.groups, "groups");
    return base("ChannelShuffle", { rank: 3, out: (sample) => {
      checkSample("ChannelShuffle", 3, sample);
      checkGroups(sample[0], null, g);
      return sample;
    } });
  }],
  AdaptiveAvgPool2d: ["AdaptiveAvgPool2d", ["output_size"], adaptive],
  Upsample: ["Upsample", [["size", null], ["scale_factor", null], ["mode", "nearest"], ["align_corners", null],
    ["recompute_scale_factor", null]], upsample],
  PixelShuffle: ["PixelShuffle", ["upscale_factor"], (a) => shuffle("PixelShuffle", a.upscale_factor, true)],
  PixelUnshuffle: ["PixelUnshuffle", ["downscale_factor"], (a) => shuffle("PixelUnshuffle", a.downscale_factor, false)],
};
SPECS.NonDynamicallyQuantizableLinear = SPECS.Linear; // MultiheadAttention's out_proj

/** Bind printed arguments to a spec's signature as Python calls it, with Python's TypeErrors. */
export function bindArguments(qualname, signature, args, kwargs) {
  const star = signature.indexOf("*");
  const positional = star < 0 ? signature : signature.slice(0, star);
  const all = signature.filter((p) => p !== "*").map((p) => (Array.isArray(p) ? p : [p]));
  const bound = {};
  const fn = `${qualname}.__init__()`;
  if (args.length > positional.length) {
    const required = positional.filter((p) => !Array.isArray(p)).length + 1;
    const total = positional.length + 1;
    const takes = required === total ? `${total}` : `from ${required} to ${total}`;
    throw typeError(`${fn} takes ${takes} positional arguments but ${args.length + 1} were given`);
  }
  args.forEach((v, i) => { bound[all[i][0]] = v; });
  for (const [name, value] of Object.entries(kwargs)) {
    if (!all.some(([p]) => p === name)) throw typeError(`${fn} got an unexpected keyword argument ${strRepr(name)}`);
    if (name in bound) throw typeError(`${fn} got multiple values for argument ${strRepr(name)}`);
    bound[name] = value;
  }
  const missing = all.filter((p) => p.length === 1 && !(p[0] in bound)).map(([p]) => strRepr(p));
  if (missing.length) {
    const list = missing.length === 1 ? missing[0] : missing.length === 2 ? missing.join(" and ")
      : `${missing.slice(0, -1).join(", ")}, and ${missing.at(-1)}`;
    throw typeError(`${fn} missing ${missing.length} required positional argument${missing.length > 1 ? "s" : ""}: ${list}`);
  }
  for (const p of all) if (p.length === 2 && !(p[0] in bound)) bound[p[0]] = p[1];
  return bound;
}
