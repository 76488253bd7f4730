// Shareable settings: an explorer's controls in the page URL's hash (so a teacher can link "this
// setting"), and a button that copies a line of code. Several explorers share one hash, each
// under its own key: #conv.kernel_size=5&conv.stride=2&budget.groups=4. Nothing here touches the
// DOM at import time; the Python side inlines this file into the modules that import it.
import { codeLine, el } from "./_common.mjs";

const ENTRY = /^([A-Za-z][\w-]*)\.([A-Za-z_]\w*)=(.*)$/;
const LITERAL = /^(-?\d+(\.\d+)?|true|false|'.*')$/;

/** A control's value as hash text: numbers and booleans as written, strings plain unless they
 * would read back as a number or a boolean (then quoted: '3'). */
export function encodeValue(value) {
  const text = typeof value === "string" && LITERAL.test(value) ? `'${value}'` : String(value);
  return encodeURIComponent(text);
}

/** The value hash text stands for (encodeValue's inverse); text that is not a number, a
 * boolean or a quoted string is that string. Never throws (a bad %-escape stays as written). */
export function decodeValue(text) {
  let plain = text;
  try {
    plain = decodeURIComponent(text);
  } catch {
    // keep the text as written
  }
  if (/^'.*'$/.test(plain)) return plain.slice(1, -1);
  if (/^-?\d+(\.\d+)?$/.test(plain)) return Number(plain);
  if (plain === "true" || plain === "false") return plain === "true";
  return plain;
}

/** The explorers' entries of a hash ("#a.b=1&..."), in order: [key, trait, text]. */
export function parseHash(hash) {
  return hash
    .replace(/^#/, "")
    .split("&")
    .map((part) => ENTRY.exec(part))
    .filter(Boolean)
    .map(([, key, trait, text]) => [key, trait, text]);
}

/** `hash` with explorer `key`'s entries replaced by `values` ([trait, value] pairs); other
 * explorers' entries keep their order, anything that is not an entry is dropped. */
export function withEntries(hash, key, values) {
  const kept = parseHash(hash).filter(([k]) => k !== key);
  const entries = [...kept, ...values.map(([trait, value]) => [key, trait, encodeValue(value)])];
  return entries.length ? `#${entries.map(([k, t, v]) => `${k}.${t}=${v}`).join("&")}` : "";
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** This explorer's key on the page: `key`, then key2, key3... for the second and later explorers
 * of a kind (the Python class numbers its instances in `_share_index`, in the notebook's order). */
export function shareKey(model, key) {
  const index = Number(model.get("_share_index") ?? 0);
  return Number.isInteger(index) && index > 0 ? `${key}${index + 1}` : key;
}

function currentHash() {
  try {
    return globalThis.location?.hash ?? "";
  } catch {
    return "";
  }
}

function writeHash(hash) {
  try {
    const { pathname, search } = globalThis.location;
    globalThis.history.replaceState(globalThis.history.state, "", `${pathname}${search}${hash}`);
  } catch {
    // no URL to write (about:blank, a sandboxed frame): the explorer works without it
  }
}

/**
 * Keep `traitNames` of `model` in the page URL under `key` (made unique per explorer on the
 * page, see shareKey): first restore the values the hash holds for this explorer (set unchecked:
 * an impossible value shows the explorer's usual message), then rewrite the hash whenever one of
 * the traits changes, listing the traits that differ from the values the page opened with.
 * Returns a function that stops listening.
 */
export function shareState(model, key, traitNames) {
  const name = shareKey(model, key);
  const initial = Object.fromEntries(traitNames.map((t) => [t, model.get(t)]));
  let restored = false;
  for (const [k, trait, text] of parseHash(currentHash())) {
    if (k !== name || !traitNames.includes(trait)) continue;
    const value = decodeValue(text);
    if (same(value, model.get(trait))) continue;
    try {
      model.set(trait, value);
      restored = true;
    } catch (error) {
      console.warn(`convlib: could not restore ${name}.${trait} from the URL: ${error}`);
    }
  }
  if (restored) {
    try {
      model.save_changes();
    } catch {
      // a static page has no kernel to tell
    }
  }
  const write = () => {
    const changed = traitNames
      .map((t) => [t, model.get(t)])
      .filter(([t, value]) => !same(value, initial[t]));
    writeHash(withEntries(currentHash(), name, changed));
  };
  for (const trait of traitNames) model.on(`change:${trait}`, write);
  return () => {
    for (const trait of traitNames) model.off(`change:${trait}`, write);
  };
}

function selectionCopy(text, near) {
  const area = el("textarea", { readonly: true, "aria-hidden": "true", tabindex: "-1" });
  area.value = text;
  area.style.cssText = "position:fixed;top:0;left:0;width:1px;height:1px;opacity:0";
  near.after(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

/**
 * A "Copy" button that puts `getText()` on the clipboard: the Clipboard API where the page may
 * use it, else a selected hidden text area and the copy command (offline, any page). Says
 * "Copied" for a moment, or asks the reader to copy by hand where neither works.
 */
export function copyButton(getText, label = "Copy code") {
  const button = el("button", { type: "button", class: "cl-copy", "aria-label": label, text: "Copy" });
  let timer = null;
  const say = (message) => {
    button.textContent = message;
    clearTimeout(timer);
    timer = setTimeout(() => {
      button.textContent = "Copy";
    }, 1500);
  };
  button.addEventListener("click", async () => {
    const text = getText();
    try {
      await navigator.clipboard.writeText(text);
      return say("Copied");
    } catch {
      say(selectionCopy(text, button) ? "Copied" : "Select the code and copy it");
    }
  });
  return button;
}

/** codeLine(label, code) with a copy button after the code. */
export function copyableCode(label, code) {
  const line = codeLine(label, code);
  line.append(" ", copyButton(() => code, `Copy the ${label.replace(/:$/, "")} code`));
  return line;
}
