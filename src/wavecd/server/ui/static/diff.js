// What a sync would change, for reading: the live object cut down to the fields the desired manifest sets
// (what the cluster added — status, managedFields, defaults, other managers' fields — left out), both
// written as YAML, and a line diff of the two. The API's own `diff` compares the whole objects; the page
// offers it too ("full diff").

import { toYaml } from "./yaml.js";

const MAX_CELLS = 4_000_000; // beyond this the line diff would be slow: the API's full diff is shown instead

/** `live` with only the keys `desired` has, lists of named items matched by name. */
export function restrictTo(live, desired) {
  if (Array.isArray(live) && Array.isArray(desired)) {
    const named = desired.every((d) => d && typeof d === "object" && "name" in d);
    if (named) {
      return desired
        .map((d) => [live.find((l) => l && l.name === d.name), d])
        .filter(([l]) => l !== undefined)
        .map(([l, d]) => restrictTo(l, d));
    }
    return live.map((l, i) => (i < desired.length ? restrictTo(l, desired[i]) : l));
  }
  if (isObject(live) && isObject(desired)) {
    const out = {};
    for (const key of Object.keys(desired)) if (key in live) out[key] = restrictTo(live[key], desired[key]);
    return out;
  }
  return live;
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** A unified-style listing of every line: [" " | "-" | "+", text]; null when too big to compute here. */
export function lineDiff(before, after) {
  const a = before ? before.replace(/\n$/, "").split("\n") : [];
  const b = after ? after.replace(/\n$/, "").split("\n") : [];
  if ((a.length + 1) * (b.length + 1) > MAX_CELLS) return null;
  // Longest common subsequence, filled from the end, then walked from the start.
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1] + 1 : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push([" ", a[i]]);
      i += 1;
      j += 1;
    } else if (i < a.length && (j === b.length || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])) {
      out.push(["-", a[i]]);
      i += 1;
    } else {
      out.push(["+", b[j]]);
      j += 1;
    }
  }
  return out;
}

/** The readable diff of a ResourceDiff's masked manifests: lines, or null when the API's must do. */
export function readableDiff(live, desired) {
  if (live === null || desired === null) return lineDiff(toYaml(live), toYaml(desired));
  return lineDiff(toYaml(restrictTo(live, desired)), toYaml(desired));
}
