// The parameter budget explorer (convlib.widgets.param_budget_explorer): one C_in -> C_out,
// k x k layer built four ways. describe() mirrors describe_budget (convlib.nn.layers' counts).
import {
  bind,
  controlsError,
  dropdown,
  el,
  errorBox,
  floorDiv,
  frame,
  groupsError,
  slider,
  svg,
  thousands,
} from "./_common.mjs";
import { convMacs, convOutputSize } from "./geometry.mjs";
import { copyableCode, shareState } from "./share.mjs";

/** A stride-1 Conv2d spec without bias: kernel [kh, kw], padding [ph, pw]. */
function conv(cin, cout, kernel, padding, groups = 1) {
  return { cin, cout, kernel, padding, groups };
}

const repr = ([a, b]) => (a === b ? String(a) : `(${a}, ${b})`);

export function torchCode(layer) {
  const args = [`${layer.cin}`, `${layer.cout}`, `kernel_size=${repr(layer.kernel)}`, "stride=1",
    `padding=${repr(layer.padding)}`, "dilation=1"];
  if (layer.groups !== 1) args.push(`groups=${layer.groups}`);
  args.push("bias=False");
  return `nn.Conv2d(${args.join(", ")})`;
}

/** Parameters and MACs of a stack at an input of size x size; [params, macs]. */
function count(stack, size) {
  let [h, w] = [size, size];
  let params = 0;
  let macs = 0;
  for (const layer of stack) {
    const taps = layer.kernel[0] * layer.kernel[1];
    const weights = floorDiv(layer.cin * layer.cout, layer.groups) * taps;
    h = convOutputSize(h, layer.kernel[0], 1, [layer.padding[0], layer.padding[0]], 1);
    w = convOutputSize(w, layer.kernel[1], 1, [layer.padding[1], layer.padding[1]], 1);
    params += weights;
    macs += convMacs(h * w, layer.cin, layer.cout, layer.groups, taps);
  }
  return [params, macs];
}

/** The controls ParamBudgetExplorer checks. */
export const CONTROLS = [["in_channels", 1], ["out_channels", 1], ["kernel_size", 1], ["groups", 1],
  ["size", 1]];

export function describe(setting) {
  const { in_channels: cin, out_channels: cout, kernel_size: k, groups: g, size } = setting;
  const p = floorDiv(k, 2);
  const error = controlsError(setting, CONTROLS) ?? groupsError(cin, cout, g);
  if (error) return { error };
  const stacks = [
    ["standard", [conv(cin, cout, [k, k], [p, p])]],
    [`grouped (g=${g})`, [conv(cin, cout, [k, k], [p, p], g)]],
    ["depthwise separable", [conv(cin, cin, [k, k], [p, p], cin), conv(cin, cout, [1, 1], [0, 0])]],
    ["asymmetric (k x 1, 1 x k)", [conv(cin, cout, [k, 1], [p, 0]), conv(cout, cout, [1, k], [0, p])]],
  ];
  return {
    variants: stacks.map(([name, stack]) => [name, ...count(stack, size), stack.map(torchCode).join(", ")]),
  };
}

const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"];

/** Horizontal bars of one column (1 params, 2 MACs) on a log or linear axis. */
function bars(variants, column, label, scale, x0, width) {
  const values = variants.map((v) => v[column]);
  const top = Math.max(...values);
  const length = (v) => {
    if (scale === "log") return v <= 1 ? 2 : (Math.log10(v) / Math.log10(top * 8)) * width;
    return (v / (top * 1.45)) * width;
  };
  const group = svg("g", { role: "img", "aria-label": `${label}: ${variants.map((v) => `${v[0]} ${thousands(v[column])}`).join("; ")}` });
  group.append(svg("text", { x: x0, y: 14, text: `${label} (${scale} axis)` }));
  if (scale === "log") {
    // powers of ten under the bars, so a short bar reads as its value (3% is two decades down)
    const decades = Math.floor(Math.log10(top * 8));
    const every = decades > 6 ? 2 : 1;
    for (let e = 0; e <= decades; e += every) {
      const x = x0 + (e === 0 ? 0 : length(10 ** e));
      group.append(
        svg("line", { x1: x, x2: x, y1: 126, y2: 131, stroke: "currentColor", "stroke-width": 1 }),
        svg("text", { x, y: 146, "text-anchor": "middle", text: e < 3 ? String(10 ** e) : `1e${e}` }),
      );
    }
  }
  values.forEach((v, i) => {
    const y = 24 + i * 26;
    group.append(
      svg("rect", { x: x0, y, width: Math.max(length(v), 2), height: 18, fill: COLOURS[i] }),
      svg("text", { x: x0 + Math.max(length(v), 2) + 4, y: y + 13, text: thousands(v) }),
    );
  });
  return group;
}

function render({ model, el: host }) {
  const ui = frame(host, "Parameter budget of one layer");
  const channels = model.get("_channel_options");
  const c = {
    in_channels: slider(model, "in_channels", "C_in", 0, channels.length - 1, { values: channels }),
    out_channels: slider(model, "out_channels", "C_out", 0, channels.length - 1, { values: channels }),
    kernel_size: slider(model, "kernel_size", "kernel", 1, 7),
    groups: dropdown(model, "groups", "groups", model.get("_group_options")),
    size: slider(model, "size", "H = W", 0, model.get("_size_options").length - 1, { values: model.get("_size_options") }),
    scale: dropdown(model, "scale", "axis", ["log", "linear"]),
  };
  ui.controls.append(...Object.values(c).map((x) => x.node));
  const redraw = () => {
    for (const control of Object.values(c)) control.sync();
    const setting = Object.fromEntries(Object.keys(c).map((name) => [name, model.get(name)]));
    const info = describe(setting);
    if (info.error) {
      ui.drawing.replaceChildren(el("p", { class: "cl-muted", text: "Nothing to draw for this setting." }));
      ui.text.replaceChildren(errorBox(info.error));
      return;
    }
    const k = setting.kernel_size;
    const names = svg("g", {}, info.variants.map((v, i) => svg("text", { x: 4, y: 37 + i * 26, text: v[0] })));
    ui.drawing.replaceChildren(
      svg("svg", { viewBox: "0 0 720 152", width: 720, height: 152, role: "group",
        "aria-label": `${setting.in_channels} to ${setting.out_channels} channels, ${k} by ${k} kernel, ${setting.size} by ${setting.size} input` }, [
        names,
        bars(info.variants, 1, "parameters", setting.scale, 185, 195),
        bars(info.variants, 2, "MACs", setting.scale, 440, 200),
      ]),
    );
    const standard = info.variants[0][1];
    ui.text.replaceChildren(
      el("table", {}, [
        el("tr", {}, ["layer", "parameters", "MACs", "vs standard"].map((t) => el("th", { text: t }))),
        ...info.variants.map(([name, p, m]) =>
          el("tr", {}, [el("td", { text: name }), el("td", { text: thousands(p) }), el("td", { text: thousands(m) }),
            el("td", { text: (p / standard).toFixed(3) })])),
      ]),
      ...info.variants.map(([name, , , code]) => copyableCode(`${name} (PyTorch):`, code)),
    );
  };
  const unshare = shareState(model, "budget", Object.keys(c));
  const unbind = bind(model, Object.keys(c), redraw);
  return () => {
    unshare();
    unbind();
  };
}

export default { render };
