// The receptive field explorer (convlib.widgets.receptive_field_explorer): a stack typed as
// "kernel, stride, dilation; ..." and the input cells its output really sees. describe()
// mirrors describe_receptive (convlib.geometry.receptive: parse_layers, receptive_field,
// contribution_counts).
import { bind, dropdown, el, errorBox, floorDiv, frame, pyRepr, range, svg } from "./_common.mjs";
import { span } from "./geometry.mjs";
import { parseLayers } from "./layer_text.mjs";
import { copyableCode, shareState } from "./share.mjs";

export const VIEWS = ["2-D", "1-D causal (WaveNet)"];

/** Path counts over the input cells output 0 sees, after each depth (one axis). */
export function contributionCounts(stack) {
  return range(stack.length, 1).map((depth) => {
    let counts = [1];
    for (const [k, s, d] of stack.slice(0, depth).reverse()) {
      const next = new Array((counts.length - 1) * s + span(k, d)).fill(0);
      counts.forEach((v, i) => {
        for (let j = 0; j < k; j += 1) next[i * s + j * d] += v;
      });
      counts = next;
    }
    return counts;
  });
}

export function describe(text) {
  let stack;
  try {
    stack = parseLayers(text);
  } catch (error) {
    return { error: error.message };
  }
  let size = 1;
  let jump = 1;
  const sizes = [];
  const jumps = [];
  for (const [k, s, d] of stack) {
    size += (span(k, d) - 1) * jump;
    jump *= s;
    sizes.push(size);
    jumps.push(jump);
  }
  const perLayer = contributionCounts(stack);
  const counts = perLayer[perLayer.length - 1];
  const seen = counts.filter((c) => c > 0).length;
  const convs = stack.map(([k, s, d]) =>
    `nn.Conv2d(1, 1, kernel_size=${k}, stride=${s}, padding=${floorDiv(span(k, d) - 1, 2)}, dilation=${d})`);
  return {
    stack,
    sizes,
    jumps,
    reach: perLayer.map((c) => c.map((v) => (v > 0 ? 1 : 0))),
    counts,
    holes: counts.length * counts.length - seen * seen,
    torch: `nn.Sequential(${convs.join(", ")})`,
  };
}

/** Colour of a path count on a light-to-dark ramp (holes are drawn apart). */
function ramp(t) {
  const a = [255, 247, 188];
  const b = [204, 76, 2];
  return `rgb(${a.map((v, i) => Math.round(v + (b[i] - v) * t)).join(",")})`;
}

function heatmap(counts, holes) {
  const n = counts.length;
  const px = Math.max(1, Math.min(10, Math.floor(300 / n)));
  const canvas = el("canvas", { width: n * px, height: n * px, role: "img",
    "aria-label": `path counts over the ${n} by ${n} receptive field; ${holes} holes (cells never seen) in grey` });
  const context = canvas.getContext("2d");
  if (!context) return canvas;
  const top = Math.max(...counts) ** 2;
  for (let r = 0; r < n; r += 1) {
    for (let c = 0; c < n; c += 1) {
      const v = counts[r] * counts[c];
      context.fillStyle = v === 0 ? "#9a9a9a" : ramp(v / top);
      context.fillRect(c * px, r * px, px, px);
    }
  }
  return canvas;
}

function growth(sizes) {
  const width = 300;
  const height = 170;
  const top = Math.max(...sizes);
  const x = (i) => 40 + (sizes.length === 1 ? 0 : (i * (width - 60)) / (sizes.length - 1));
  const y = (v) => height - 30 - (v / top) * (height - 60);
  const points = sizes.map((v, i) => `${x(i)},${y(v)}`).join(" ");
  return svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": `receptive field after each layer: ${sizes.join(", ")} cells` }, [
    svg("text", { x: 40, y: 14, text: "receptive field (cells) per layer" }),
    svg("polyline", { points, fill: "none", stroke: "currentColor", "stroke-width": 2 }),
    ...sizes.flatMap((v, i) => [
      svg("circle", { cx: x(i), cy: y(v), r: 4, fill: "#D55E00" }),
      svg("text", { x: x(i) - 6, y: y(v) - 8, text: v }),
      svg("text", { x: x(i) - 4, y: height - 10, text: i + 1 }),
    ]),
  ]);
}

function causal(info) {
  const width = info.counts.length;
  const cs = Math.max(3, Math.min(16, Math.floor(600 / width)));
  const rows = info.reach.length;
  const row = Math.max(cs, 14) + 4; // a row is at least as tall as its 12 px label
  const image = svg("svg", { viewBox: `0 0 ${width * cs + 90} ${rows * row + 24}`, width: width * cs + 90,
    height: rows * row + 24, role: "img",
    "aria-label": `causal dilated stack: output t sees the ${info.sizes[rows - 1]} steps up to t` });
  image.append(svg("text", { x: 0, y: 14, text: "time steps seen by the output at the right edge" }));
  [...info.reach].reverse().forEach((reach, index) => {
    const y = 20 + index * row;
    const depth = rows - index;
    image.append(svg("text", { x: 0, y: y + row - 6, text: `${depth} layer${depth === 1 ? "" : "s"}` }));
    reach.forEach((seen, i) => {
      const x = 80 + (width - reach.length + i) * cs;
      image.append(svg("rect", { x, y, width: cs - 1, height: row - 4, class: seen ? "cell lit" : "cell pad" }));
    });
  });
  return image;
}

function render({ model, el: host }) {
  const ui = frame(host, "Receptive field of a stack");
  const id = `layers-${Math.random().toString(36).slice(2, 8)}`;
  const input = el("input", { type: "text", id, size: 34, "data-trait": "layers" });
  input.addEventListener("change", () => {
    model.set("layers", input.value);
    model.save_changes();
  });
  const presets = model.get("_presets");
  const preset = el("select", { id: `${id}-preset`, "data-trait": "preset" }, [
    el("option", { value: "", text: "choose a preset" }),
    ...presets.map(([name, value]) => el("option", { value, text: name })),
  ]);
  preset.addEventListener("change", () => {
    if (!preset.value) return;
    model.set("layers", preset.value);
    model.save_changes();
  });
  const view = dropdown(model, "view", "view", VIEWS);
  ui.controls.append(
    el("label", { for: `${id}-preset` }, ["preset", preset]),
    el("label", { for: id }, ["layers (k, s, d; ...)", input]),
    view.node,
  );
  const redraw = () => {
    input.value = model.get("layers");
    view.sync();
    const info = describe(model.get("layers"));
    if (info.error) {
      ui.drawing.replaceChildren(el("p", { class: "cl-muted", text: "Nothing to draw for this setting." }));
      ui.text.replaceChildren(errorBox(info.error));
      return;
    }
    const last = info.sizes.length - 1;
    if (model.get("view") === VIEWS[1]) {
      ui.drawing.replaceChildren(causal(info));
      ui.text.replaceChildren(el("div", { text: `receptive field ${info.sizes[last]} time steps` }));
      return;
    }
    const n = info.counts.length;
    ui.drawing.replaceChildren(
      el("p", { text: `stack (kernel, stride, dilation): ${info.stack.map((l) => pyRepr(l)).join(", ")}` }),
      el("div", { style: "display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start" }, [
        el("figure", { style: "margin:0" }, [heatmap(info.counts, info.holes),
          el("figcaption", { text: `paths from each input cell: ${n}\u00d7${n} field, ${info.holes} holes (grey)` })]),
        growth(info.sizes),
      ]),
    );
    ui.text.replaceChildren(
      el("table", {}, [
        el("tr", {}, ["layer", "k, s, d", "receptive field", "jump"].map((t) => el("th", { text: t }))),
        ...info.stack.map(([k, s, d], i) => el("tr", {}, [el("td", { text: i + 1 }), el("td", { text: `${k}, ${s}, ${d}` }),
          el("td", { text: info.sizes[i] }), el("td", { text: info.jumps[i] })])),
      ]),
      copyableCode("PyTorch:", info.torch),
    );
  };
  const unshare = shareState(model, "receptive", ["layers", "view"]);
  const unbind = bind(model, ["layers", "view"], redraw);
  return () => {
    unshare();
    unbind();
  };
}

export default { render };
