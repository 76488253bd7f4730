// A stack of layers typed as "kernel, stride, dilation; ..." (chapter 2's receptive field
// explorer, and the model explorer, which also reads it): convlib.geometry.receptive.parse_layers,
// with its messages.
import { strRepr } from "./python_values.mjs";

/** convlib.geometry.receptive.parse_layers: [[kernel, stride, dilation], ...]; throws convlib's
 *  message for a malformed layer or an empty stack. */
export function parseLayers(text) {
  const layers = [];
  for (const part of text.split(";").map((p) => p.trim()).filter((p) => p)) {
    const numbers = part.split(",");
    if (numbers.length !== 3 || !numbers.every((n) => /^\d+$/.test(n.trim()))) {
      throw new Error(
        "each layer must be three positive integers 'kernel, stride, dilation' separated by ';'; " +
          `received ${strRepr(part)}`,
      );
    }
    const values = numbers.map((n) => Number.parseInt(n.trim(), 10));
    ["kernel_size", "stride", "dilation"].forEach((name, i) => {
      if (values[i] < 1) throw new Error(`${name} must be a positive int; received ${name}=${values[i]}`);
    });
    layers.push(values);
  }
  if (!layers.length) {
    throw new Error(`give at least one layer as 'kernel, stride, dilation'; received ${strRepr(text)}`);
  }
  return layers;
}
