// The groups explorer (convlib.widgets.groups_explorer): a C -> C layer from standard (groups=1)
// through grouped to depthwise (groups=C). describe() mirrors describe_groups (convlib.nn.layers).
import {
  bind,
  codeLine,
  controlsError,
  dropdown,
  el,
  errorBox,
  floorDiv,
  frame,
  groupsError,
  range,
  slider,
  svg,
  thousands,
} from "./_common.mjs";
import { convKind, convMacs, convOutputSize } from "./geometry.mjs";
import { copyableCode, shareState } from "./share.mjs";

export const divisors = (c) => range(c, 1).filter((g) => c % g === 0);

/** The controls GroupsExplorer checks. */
export const CONTROLS = [["channels", 1], ["groups", 1], ["kernel_size", 1], ["size", 1]];

export function describe(setting) {
  const { channels: c, groups: g, kernel_size: k, size } = setting;
  const error = controlsError(setting, CONTROLS) ?? groupsError(c, c, g);
  if (error) return { error };
  const p = floorDiv(k, 2);
  const taps = k * k;
  const o = convOutputSize(size, k, 1, [p, p], 1);
  const keras = 2 * p === k - 1
    ? `layers.Conv2D(${c}, kernel_size=${k}, strides=1, padding="${p === 0 ? "valid" : "same"}", dilation_rate=1${g !== 1 ? `, groups=${g}` : ""}, use_bias=True)`
    : null;
  return {
    kind: convKind({ kernel: [k, k], groups: g, inChannels: c }),
    params: floorDiv(c * c, g) * taps + c,
    macs: convMacs(o * o, c, c, g, taps),
    torch: `nn.Conv2d(${c}, ${c}, kernel_size=${k}, stride=1, padding=${p}, dilation=1${g !== 1 ? `, groups=${g}` : ""})`,
    keras,
  };
}

const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"];
const colour = (i) => COLOURS[i % COLOURS.length];

/** Input channels output channel `o` reads: the ones in its group. */
export const readsOf = (c, g, o) => {
  const per = c / g;
  const group = Math.floor(o / per);
  return range(per, group * per);
};

/** Output channels that read input channel `i`: the cout/g outputs of its group,
 * floor(i / (cin/g)) (the groups explorer's layer is C -> C: cout = cin). */
export const readersOf = (cin, g, i, cout = cin) => {
  const group = Math.floor(i / (cin / g));
  const per = cout / g;
  return range(per, group * per);
};

function diagram(c, g, onKey) {
  const rowH = Math.max(8, Math.min(22, Math.floor(240 / c)));
  const height = 30 + c * rowH;
  const per = c / g;
  const image = svg("svg", { viewBox: `0 0 640 ${height}`, width: 640, height, role: "group",
    "aria-label": `${g} groups of ${c} channels: each output channel reads the ${per} input channels of its group` });
  image.append(svg("text", { x: 10, y: 14, text: "input channels" }), svg("text", { x: 220, y: 14, text: "output channels" }),
    svg("text", { x: 380, y: 14, text: "weight blocks (output \u00d7 input)" }));
  const lines = [];
  const inputs = [];
  const outputs = [];
  const cells = [];
  const y = (i) => 26 + i * rowH + rowH / 2;
  for (let o = 0; o < c; o += 1) {
    for (const i of readsOf(c, g, o)) {
      const line = svg("line", { x1: 60, y1: y(i), x2: 220, y2: y(o), stroke: colour(Math.floor(o / per)), "stroke-width": 1, opacity: 0.6 });
      line.dataset.out = o;
      line.dataset.in = i;
      lines.push(line);
      image.append(line);
    }
  }
  for (let i = 0; i < c; i += 1) {
    const r = svg("rect", { x: 40, y: 26 + i * rowH, width: 20, height: rowH - 2, class: "cell", tabindex: i === 0 ? 0 : -1, role: "img",
      "aria-label": `input channel ${i}, read by output channels ${readersOf(c, g, i).join(", ")}` });
    inputs.push(r);
    const out = svg("rect", { x: 220, y: 26 + i * rowH, width: 20, height: rowH - 2, class: "cell out", tabindex: i === 0 ? 0 : -1, role: "img",
      "aria-label": `output channel ${i}, reads input channels ${readsOf(c, g, i).join(", ")}` });
    outputs.push(out);
    image.append(r, out);
    for (let j = 0; j < c; j += 1) {
      const inBlock = Math.floor(i / per) === Math.floor(j / per);
      const cell = svg("rect", { x: 380 + j * rowH, y: 26 + i * rowH, width: rowH - 1, height: rowH - 1,
        fill: inBlock ? colour(Math.floor(i / per)) : "none", class: inBlock ? "" : "cell pad" });
      cells.push(cell);
      image.append(cell);
    }
  }
  // kind "out": output channel `index` and the inputs it reads; "in": input channel `index` and
  // the outputs that read it
  const light = (kind, index) => {
    const [mine, others, lit] = kind === "out"
      ? [outputs, inputs, readsOf(c, g, index)]
      : [inputs, outputs, readersOf(c, g, index)];
    const set = new Set(lit);
    mine.forEach((r, i) => r.classList.toggle("cur", i === index));
    mine.forEach((r) => r.classList.remove("lit"));
    others.forEach((r, i) => r.classList.toggle("lit", set.has(i)));
    others.forEach((r) => r.classList.remove("cur"));
    const key = kind === "out" ? "out" : "in";
    lines.forEach((l) => l.setAttribute("stroke-width", Number(l.dataset[key]) === index ? 3 : 1));
  };
  for (const [kind, rects] of [["out", outputs], ["in", inputs]]) {
    rects.forEach((r, index) => {
      r.addEventListener("mouseenter", () => light(kind, index));
      r.addEventListener("focus", () => light(kind, index));
      r.addEventListener("click", () => light(kind, index)); // a tap on a touch screen
      r.addEventListener("keydown", (event) => {
        const next = { ArrowUp: index - 1, ArrowDown: index + 1 }[event.key];
        if (next === undefined || next < 0 || next >= c) return;
        r.setAttribute("tabindex", -1);
        rects[next].setAttribute("tabindex", 0);
        rects[next].focus();
        event.preventDefault();
      });
    });
  }
  const show = (o) => light("out", o);
  show(0);
  onKey(show);
  return image;
}

function render({ model, el: host }) {
  const ui = frame(host, "From standard to depthwise: groups");
  const c = {
    groups: dropdown(model, "groups", "groups", divisors(model.get("channels"))),
    kernel_size: slider(model, "kernel_size", "kernel", 1, 7),
    size: slider(model, "size", "H = W", 4, 64),
  };
  const channels = el("span", { text: `channels ${model.get("channels")}` });
  ui.controls.append(channels, ...Object.values(c).map((x) => x.node));
  const redraw = () => {
    const setting = Object.fromEntries(["channels", ...Object.keys(c)].map((name) => [name, model.get(name)]));
    channels.textContent = `channels ${setting.channels}`;
    c.groups.setOptions(divisors(setting.channels));
    for (const control of Object.values(c)) control.sync();
    const info = describe(setting);
    if (info.error) {
      ui.drawing.replaceChildren(el("p", { class: "cl-muted", text: "Nothing to draw for this setting." }));
      ui.text.replaceChildren(errorBox(info.error));
      return;
    }
    const { channels: ch, groups: g, kernel_size: k, size } = setting;
    ui.drawing.replaceChildren(el("p", { text: `${info.kind} convolution: groups=${g} of ${ch} channels` }), diagram(ch, g, () => {}));
    ui.text.replaceChildren(
      el("div", { text: `parameters ${thousands(info.params)} = ${ch}\u00b7${ch}\u00b7${k}\u00b2/${g} + ${ch} bias; MACs at ${size}\u00d7${size}: ${thousands(info.macs)}` }),
      copyableCode("PyTorch:", info.torch),
      codeLine("Keras:", info.keras ?? "no exact equivalent (Keras pads only 'valid'/'same')"),
    );
  };
  const unshare = shareState(model, "groups", ["channels", ...Object.keys(c)]);
  const unbind = bind(model, ["channels", ...Object.keys(c)], redraw);
  return () => {
    unshare();
    unbind();
  };
}

export default { render };
