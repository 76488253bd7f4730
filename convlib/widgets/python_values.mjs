// Python values as the "paste your model" explorer reads them from print(model) text: a float is a
// PyFloat (2.0 is not the int 2 for convlib's checks), and Python's repr and truth value, so the
// messages read as convlib's.
import { pyRepr } from "./_common.mjs";

export class PyFloat {
  constructor(value) {
    this.value = value;
  }
}
export const num = (v) => (v instanceof PyFloat ? v.value : typeof v === "boolean" ? Number(v) : v);

/** Python's repr of a float. */
export function floatRepr(v) {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  if (v !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e16)) {
    const [m, e] = v.toExponential().split("e");
    const exp = Number(e);
    return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (Number.isNaN(v)) return "nan";
  return String(v);
}

/** Python's repr of a str. */
export function strRepr(s) {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let body = s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
  if (quote === "'") body = body.replace(/'/g, "\\'");
  return quote + body + quote;
}

/** Python's repr of a parsed literal (int, float, bool, None, str, tuple, list). */
export function repr(v) {
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (typeof v === "string") return strRepr(v);
  if (Array.isArray(v)) {
    const inner = v.map(repr);
    if (v.isList) return `[${inner.join(", ")}]`;
    return inner.length === 1 ? `(${inner[0]},)` : `(${inner.join(", ")})`;
  }
  return pyRepr(v);
}

/** Python's truth value. */
export const truthy = (v) => !(v === false || v === null || v === 0 || v === "" ||
  (v instanceof PyFloat && v.value === 0) || (Array.isArray(v) && v.length === 0));

