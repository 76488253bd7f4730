// The photo explorer (convlib.widgets.image_filter_explorer): a classic kernel applied to a
// downsized photograph in the browser. describe() mirrors describe_image (convlib.geometry.shapes and
// convlib.nn.layers); conv2d() equals convlib.conv2d within 1e-5 (tests/node).
import {
  bind,
  codeLine,
  controlsError,
  dropdown,
  el,
  errorBox,
  frame,
  pyRepr,
  range,
  slider,
} from "./_common.mjs";
import { convOutputSize, resolvePadding, span } from "./geometry.mjs";
import { copyableCode, shareState } from "./share.mjs";

export const PADDINGS = ["same", "valid", 0, 1, 2, 3, 8];
export const PADDING_MODES = ["zeros", "reflect", "replicate", "circular"];
export const FLIPS = ["cross-correlation", "true convolution"];

/** convlib.geometry.shapes.conv_geometry's padding and output size, per axis; throws its message. */
function geometry(shape, kshape, s, padding, d) {
  const pads = kshape.map((k) => resolvePadding(padding, k, s, d));
  const out = shape.map((n, axis) => {
    try {
      return convOutputSize(n, kshape[axis], s, pads[axis], d);
    } catch (error) {
      throw new Error(error.message.replace("spatial dimension 0", `spatial dimension ${axis}`));
    }
  });
  return { pads, out };
}

/** convlib.nn.layers.Conv2d(1, 1, k, s, padding, d, bias=False, padding_mode).torch_code(). */
export function torchCode(k, s, padding, d, mode) {
  const pad = typeof padding === "string" ? pyRepr(padding) : String(padding);
  const args = ["1", "1", `kernel_size=${k}`, `stride=${s}`, `padding=${pad}`, `dilation=${d}`, "bias=False"];
  if (mode !== "zeros") args.push(`padding_mode=${pyRepr(mode)}`);
  return `nn.Conv2d(${args.join(", ")})`;
}

export function kerasCode(k, s, padding, d, mode) {
  if (mode !== "zeros") return null;
  let keras;
  if (typeof padding === "string") keras = padding;
  else if (padding === 0) keras = "valid";
  else keras = padding * 2 === span(k, d) - 1 && s === 1 ? "same" : null;
  if (keras === null) return null;
  return `layers.Conv2D(1, kernel_size=${k}, strides=${s}, padding="${keras}", dilation_rate=${d}, use_bias=False)`;
}

/** The controls ImageFilterExplorer checks. */
export const CONTROLS = [["stride", 1], ["dilation", 1], "padding"];

export function describe(setting, shape, kshape) {
  const invalid = controlsError(setting, CONTROLS);
  if (invalid) return { error: invalid };
  const { kernel, stride: s, dilation: d, padding, padding_mode: mode, flip } = setting;
  let g;
  try {
    g = geometry(shape, kshape, s, padding, d);
  } catch (error) {
    return { error: error.message };
  }
  const weights = `kernels.${kernel}()${flip === FLIPS[1] ? "[::-1, ::-1]" : ""}`;
  return {
    out: g.out,
    pads: g.pads,
    torch: torchCode(kshape[0], s, padding, d, mode),
    keras: kerasCode(kshape[0], s, padding, d, mode),
    call:
      `convlib.conv2d(photo, ${weights}[None, None], stride=${s}, padding=${pyRepr(padding)}, ` +
      `dilation=${d}, padding_mode=${pyRepr(mode)})`,
  };
}

/** Index of padded coordinate i (may be < 0 or >= n) in the input, or -1 for a zero. */
export function sourceIndex(i, n, mode) {
  if (i >= 0 && i < n) return i;
  if (mode === "zeros") return -1;
  if (mode === "replicate") return i < 0 ? 0 : n - 1;
  if (mode === "circular") return ((i % n) + n) % n;
  // reflect (the edge is not repeated), bouncing as often as needed
  const period = 2 * (n - 1);
  if (period === 0) return 0;
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/**
 * convlib.conv2d of one channel: `photo` (Float32Array/array, row-major `shape`) with the 2-D
 * `weights` (nested array), flipped first for a true convolution. Returns {data, out}.
 */
export function conv2d(photo, shape, weights, setting) {
  const kernel = setting.flip === FLIPS[1] ? weights.map((row) => row.slice().reverse()).reverse() : weights;
  const kshape = [kernel.length, kernel[0].length];
  const { pads, out } = geometry(shape, kshape, setting.stride, setting.padding, setting.dilation);
  const [H, W] = shape;
  const { stride: s, dilation: d, padding_mode: mode } = setting;
  const rows = range(out[0]).map((r) => range(kshape[0]).map((j) => sourceIndex(r * s - pads[0][0] + j * d, H, mode)));
  const cols = range(out[1]).map((c) => range(kshape[1]).map((j) => sourceIndex(c * s - pads[1][0] + j * d, W, mode)));
  const data = new Float64Array(out[0] * out[1]);
  for (let r = 0; r < out[0]; r += 1) {
    for (let c = 0; c < out[1]; c += 1) {
      let sum = 0;
      for (let a = 0; a < kshape[0]; a += 1) {
        const y = rows[r][a];
        if (y < 0) continue;
        for (let b = 0; b < kshape[1]; b += 1) {
          const x = cols[c][b];
          if (x >= 0) sum += photo[y * W + x] * kernel[a][b];
        }
      }
      data[r * out[1] + c] = sum;
    }
  }
  return { data, out };
}

export function decodePhoto(base64) {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** RGBA pixels: grey from min to max, or blue-white-red symmetric about 0 for signed kernels. */
export function colours(data, signed) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const limit = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const rgba = new Uint8ClampedArray(data.length * 4);
  data.forEach((v, i) => {
    let rgb;
    if (signed) {
      const t = Math.max(-1, Math.min(1, v / limit));
      rgb = t >= 0 ? [255, 255 * (1 - t), 255 * (1 - t)] : [255 * (1 + t), 255 * (1 + t), 255];
      rgb = t >= 0 ? [255 - 75 * t, rgb[1], rgb[2]] : [rgb[0], rgb[1], 255 - 75 * -t];
    } else {
      const g = hi > lo ? (255 * (v - lo)) / (hi - lo) : 128;
      rgb = [g, g, g];
    }
    rgba.set([...rgb, 255], i * 4);
  });
  return rgba;
}

const SCALE = 4; // CSS px per image pixel

function canvasOf(data, [h, w], signed, label) {
  const canvas = el("canvas", { width: w, height: h, role: "img", "aria-label": label });
  canvas.style.width = `${w * SCALE}px`;
  canvas.style.maxWidth = "100%";
  canvas.style.height = "auto";
  canvas.style.imageRendering = "pixelated";
  const context = canvas.getContext("2d");
  if (context) context.putImageData(new ImageData(colours(data, signed), w, h), 0, 0);
  return canvas;
}

/** A colour bar for ``data`` as colours() draws it: its ends and, when signed, its zero. */
function legend(data, signed) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const limit = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const [from, to] = signed ? [-limit, limit] : [lo, hi];
  const steps = 101;
  const ramp = Float32Array.from({ length: steps }, (_, i) => from + ((to - from) * i) / (steps - 1));
  const canvas = el("canvas", { width: steps, height: 1, "aria-hidden": "true" });
  canvas.style.cssText = "width:200px;max-width:100%;height:12px;display:block";
  const context = canvas.getContext("2d");
  if (context) context.putImageData(new ImageData(colours(ramp, signed), steps, 1), 0, 0);
  const number = (v) => Number(v.toPrecision(3)).toString();
  const ticks = signed ? [from, 0, to] : [from, to];
  const labels = el("div", { style: "display:flex;justify-content:space-between;width:200px;max-width:100%" },
    ticks.map((v) => el("span", { text: number(v) })));
  const name = signed ? "output colours: blue negative, white 0, red positive" : "output colours: dark low, light high";
  return el("div", { role: "img", "aria-label": `${name}, from ${number(from)} to ${number(to)}` }, [
    canvas, labels]);
}

function render({ model, el: host }) {
  const ui = frame(host, "Filter the photograph");
  const names = Object.keys(model.get("_kernels"));
  const c = {
    kernel: dropdown(model, "kernel", "kernel", names),
    stride: slider(model, "stride", "stride", 1, 4),
    dilation: slider(model, "dilation", "dilation", 1, 8),
    padding: dropdown(model, "padding", "padding", PADDINGS),
    padding_mode: dropdown(model, "padding_mode", "padding mode", PADDING_MODES),
    flip: dropdown(model, "flip", "apply as", FLIPS),
  };
  ui.controls.append(...Object.values(c).map((x) => x.node));
  const photo = decodePhoto(model.get("_photo"));
  const shape = model.get("_photo_shape");
  const redraw = () => {
    for (const control of Object.values(c)) control.sync();
    const setting = Object.fromEntries(Object.keys(c).map((name) => [name, model.get(name)]));
    const weights = model.get("_kernels")[setting.kernel];
    const kshape = [weights.length, weights[0].length];
    const info = describe(setting, shape, kshape);
    if (info.error) {
      ui.drawing.replaceChildren(el("p", { class: "cl-muted", text: "Nothing to draw for this setting." }));
      ui.text.replaceChildren(errorBox(info.error));
      return;
    }
    const result = conv2d(photo, shape, weights, setting);
    const signed = weights.flat().some((v) => v < 0);
    const applied = setting.flip === FLIPS[1] ? weights.map((r) => r.slice().reverse()).reverse() : weights;
    const table = el("table", { "aria-label": `${setting.kernel} kernel as applied` }, applied.map((row) =>
      el("tr", {}, row.map((v) => el("td", { text: Number(v.toPrecision(2)).toString() })))));
    const figure = (node, caption) => el("figure", { style: "margin:0" }, [node, el("figcaption", { text: caption })]);
    ui.drawing.replaceChildren(
      el("div", { style: "display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start" }, [
        figure(canvasOf(photo, shape, false, `input photograph ${shape[0]} by ${shape[1]}`), `input ${shape[0]}\u00d7${shape[1]}`),
        figure(
          canvasOf(result.data, result.out, signed, `output ${result.out[0]} by ${result.out[1]}, ${setting.padding_mode} padding`),
          `output ${result.out[0]}\u00d7${result.out[1]} (${setting.padding_mode} padding)`,
        ),
        figure(legend(result.data, signed), signed ? "blue < 0 < red" : "dark low, light high"),
        figure(table, `${setting.kernel} (${setting.flip === FLIPS[1] ? "flipped" : "as is"})`),
      ]),
    );
    ui.text.replaceChildren(
      copyableCode("PyTorch:", info.torch),
      codeLine("Keras:", info.keras ?? "no exact equivalent (Keras pads zeros only)"),
      codeLine("convlib:", info.call),
    );
  };
  const unshare = shareState(model, "image", Object.keys(c));
  const unbind = bind(model, Object.keys(c), redraw);
  return () => {
    unshare();
    unbind();
  };
}

export default { render };
