// The explorers' geometry, written once in JavaScript. Each function mirrors the convlib function
// of the same name (snake_case there) along one spatial axis, with convlib's messages: the span
// of a dilated kernel, padding, output sizes, the MAC rule and the kind rule. The explorers'
// modules import these and write none of these rules themselves; the node tests compare what
// they show with convlib's public functions over every control grid.
import { DIAGRAM_PADDING_STRINGS, floorDiv, paddingError } from "./_common.mjs";

/** convlib.geometry.shapes.span: the cells one application of a k-tap kernel, dilation d, covers. */
export const span = (k, d) => d * (k - 1) + 1;

/** convlib.geometry.shapes.resolve_padding for one axis: [before, after], or throws convlib's
 * message. */
export function resolvePadding(padding, k, s, d) {
  if (typeof padding !== "string") return [padding, padding];
  const error = paddingError(padding);
  if (error) throw new Error(error);
  const total = span(k, d) - 1;
  if (padding === "valid") return [0, 0];
  if (padding === "same") {
    if (s !== 1) {
      throw new Error(
        `padding='same' is only supported for stride 1 (as in PyTorch); received stride=${s}`,
      );
    }
    return [floorDiv(total, 2), total - floorDiv(total, 2)];
  }
  return [total, 0]; // causal
}

/** convlib.geometry.shapes.resolve_diagram_padding for one axis: 'full' (d(k-1) on both sides),
 * every other form resolvePadding's; throws convlib's message. */
export function resolveDiagramPadding(padding, k, s, d) {
  const error = paddingError(padding, DIAGRAM_PADDING_STRINGS);
  if (error) throw new Error(error);
  if (padding === "full") return [span(k, d) - 1, span(k, d) - 1];
  return resolvePadding(padding, k, s, d);
}

/** convlib.geometry.shapes.conv_geometry's output size along spatial dimension 0, for padding
 * [before, after], or throws convlib's message. */
export function convOutputSize(n, k, s, [lo, hi], d) {
  const padded = n + lo + hi;
  const extent = span(k, d);
  if (extent > padded) {
    throw new Error(
      `kernel is larger than the padded input along spatial dimension 0: kernel_size=${k} ` +
        `with dilation=${d} spans ${extent} cells but the input of size ${n} padded by ` +
        `(${lo}, ${hi}) has ${padded}`,
    );
  }
  return floorDiv(padded - extent, s) + 1;
}

/** A transposed convolution's output size at output_padding = 0 (conv_transpose_output_size). */
export const convTransposeNaturalSize = (n, k, s, p, d) => (n - 1) * s - 2 * p + span(k, d);

/** convlib.geometry.shapes.pool_geometry's output size along one axis, or throws its message. */
export function poolOutputSize(n, k, s, p, d, ceil) {
  if (p > floorDiv(k, 2)) {
    throw new Error(
      `padding must be at most half of the kernel size, kernel_size // 2 = ${floorDiv(k, 2)} ` +
        "(PyTorch: 'pad should be at most half of effective kernel size'); " +
        `received padding=${p} with kernel_size=${k}`,
    );
  }
  let o = floorDiv(n + 2 * p - span(k, d) + (ceil ? s - 1 : 0), s) + 1;
  if (ceil && (o - 1) * s >= n + p) o -= 1; // a last window may not start in the right padding
  if (o < 1) {
    throw new Error(
      `the pooling window is larger than the padded input: input_size=${n} with ` +
        `kernel_size=${k}, stride=${s}, padding=${p}, dilation=${d} gives output size ${o}`,
    );
  }
  return o;
}

/** Geometry.macs: every position the kernel visits (output cells of a convolution, input cells of
 * a transposed one) costs C_in C_out / groups products per kernel tap. */
export const convMacs = (positions, cin, cout, groups, taps) =>
  positions * floorDiv(cin * cout, groups) * taps;

/** convlib.conv_kind of a convolution spec: transposed, pointwise, depthwise, grouped, dilated or
 * standard, checked in that order. */
export function convKind({ transposed = false, kernel, groups = 1, inChannels, dilation = [1] }) {
  if (transposed) return "transposed";
  if (kernel.every((k) => k === 1)) return "pointwise";
  if (groups > 1) return inChannels === groups ? "depthwise" : "grouped";
  return Math.max(...dilation) > 1 ? "dilated" : "standard";
}
