// share.mjs: explorer settings in the URL hash survive the round trip, several explorers share one
// hash, and a value the hash holds is restored unchecked (the explorer shows its own message).
import assert from "node:assert/strict";
import test from "node:test";

import { decodeValue, encodeValue, parseHash, shareKey, shareState, withEntries } from "../../convlib/widgets/share.mjs";

/** The part of an anywidget model shareState uses, with Backbone's change events. */
function fakeModel(values) {
  const listeners = {};
  const state = { ...values };
  return {
    saved: 0,
    get: (name) => state[name],
    set(name, value) {
      const changed = JSON.stringify(state[name]) !== JSON.stringify(value);
      state[name] = value;
      if (changed) for (const f of listeners[`change:${name}`] ?? []) f();
    },
    save_changes() {
      this.saved += 1;
    },
    on: (event, f) => (listeners[event] ??= []).push(f),
    off: (event, f) => (listeners[event] = (listeners[event] ?? []).filter((g) => g !== f)),
  };
}

/** A page URL: location.hash and history.replaceState, as a browser keeps them. */
function fakePage(hash) {
  const page = { pathname: "/notebooks/01_convolution.html", search: "", hash };
  globalThis.location = page;
  globalThis.history = {
    state: null,
    replaceState(_state, _title, url) {
      page.hash = url.slice(url.indexOf("#") === -1 ? url.length : url.indexOf("#"));
    },
  };
  return page;
}

test("every kind of control value reads back from the hash as itself", () => {
  const values = [0, 7, -1, 2.5, "same", "full", "2-D", "3,1,1; 3,1,2; 3,1,4", "3", "true", true, false,
    "a&b=c#d", "'quoted'", "100%"];
  for (const value of values) {
    const text = encodeValue(value);
    assert.doesNotMatch(text, /[&#=\s]/, `${JSON.stringify(value)} -> ${text}`);
    assert.deepStrictEqual(decodeValue(text), value, `${JSON.stringify(value)} -> ${text}`);
  }
  assert.equal(decodeValue("%E0%A4%A"), "%E0%A4%A"); // a broken escape is text, not an exception
});

test("explorers keep their own entries in one hash", () => {
  let hash = withEntries("#heading", "conv", [["kernel_size", 3], ["stride", 2]]);
  assert.equal(hash, "#conv.kernel_size=3&conv.stride=2");
  hash = withEntries(hash, "pool", [["kernel_size", 2]]);
  hash = withEntries(hash, "conv", [["padding", "same"]]);
  assert.equal(hash, "#pool.kernel_size=2&conv.padding=same");
  assert.deepStrictEqual(parseHash(hash), [["pool", "kernel_size", "2"], ["conv", "padding", "same"]]);
  assert.equal(withEntries(hash, "pool", []).length > 0, true);
  assert.equal(withEntries("#conv.stride=2", "conv", []), "");
});

test("the second explorer of a kind on a page gets its own key", () => {
  assert.equal(shareKey(fakeModel({ _share_index: 0 }), "conv"), "conv");
  assert.equal(shareKey(fakeModel({ _share_index: 1 }), "conv"), "conv2");
  assert.equal(shareKey(fakeModel({}), "conv"), "conv");
});

test("a control that moves writes the hash, and the hash restores it on the next load", () => {
  const page = fakePage("");
  const first = fakeModel({ kernel_size: 3, stride: 1, padding: 0, _share_index: 0 });
  const second = fakeModel({ kernel_size: 3, stride: 1, padding: 0, _share_index: 1 });
  shareState(first, "conv", ["kernel_size", "stride", "padding"]);
  shareState(second, "conv", ["kernel_size", "stride", "padding"]);
  first.set("stride", 2);
  second.set("padding", "same");
  assert.equal(page.hash, "#conv.stride=2&conv2.padding=same");
  first.set("stride", 1); // back to the value the page opened with: no entry
  assert.equal(page.hash, "#conv2.padding=same");
  first.set("kernel_size", 5);
  // reload: new models with the notebook's values, the hash from before
  const url = page.hash;
  fakePage(url);
  const again = fakeModel({ kernel_size: 3, stride: 1, padding: 0, _share_index: 0 });
  const again2 = fakeModel({ kernel_size: 3, stride: 1, padding: 0, _share_index: 1 });
  shareState(again, "conv", ["kernel_size", "stride", "padding"]);
  shareState(again2, "conv", ["kernel_size", "stride", "padding"]);
  assert.equal(again.get("kernel_size"), 5);
  assert.equal(again.get("padding"), 0);
  assert.equal(again2.get("padding"), "same");
  assert.equal(again.saved, 1);
});

test("a value no control takes is restored as is (the explorer shows its message), never thrown", () => {
  fakePage("#conv.stride=0&conv.padding=bogus&conv.kernel_size=%ZZ&conv.unknown=3&other.stride=9");
  const model = fakeModel({ kernel_size: 3, stride: 1, padding: 0 });
  shareState(model, "conv", ["kernel_size", "stride", "padding"]);
  assert.equal(model.get("stride"), 0);
  assert.equal(model.get("padding"), "bogus");
  assert.equal(model.get("kernel_size"), "%ZZ");
  assert.equal(model.get("unknown"), undefined);
  // a model that refuses a value (a live kernel's) leaves the explorer as it was
  const strict = fakeModel({ stride: 1 });
  strict.set = () => {
    throw new Error("refused");
  };
  const warn = console.warn;
  console.warn = () => {};
  try {
    assert.doesNotThrow(() => shareState(strict, "conv", ["stride"]));
  } finally {
    console.warn = warn;
  }
});

test("no URL to write (about:blank, node) is not an error", () => {
  globalThis.location = undefined;
  globalThis.history = undefined;
  const model = fakeModel({ stride: 1 });
  assert.doesNotThrow(() => {
    shareState(model, "conv", ["stride"]);
    model.set("stride", 2);
  });
});
