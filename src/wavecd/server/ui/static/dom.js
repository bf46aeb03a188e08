// Small DOM helpers: elements built from data with textContent only (never innerHTML), so nothing the
// API sends can become markup; and the status badges every page shares (colour AND icon AND text).

const SVG = "http://www.w3.org/2000/svg";

/** h("div.card#id", {onclick, title, "data-x": 1}, child, "text", [more]) */
export function h(tag, attrs, ...children) {
  const [head, id] = tag.split("#");
  const [name, ...classes] = head.split(".");
  const node = document.createElement(name || "div");
  if (classes.length) node.className = classes.join(" ");
  if (id) node.id = id;
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

export function s(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.setAttribute("class", value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

/** Replace the node's children as h() adds them: arrays flattened, null and false left out. */
export function put(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

// One icon per state, drawn in a 16×16 box (currentColor), so the state reads without colour too.
const ICONS = {
  check: "M3 8.5l3.2 3L13 4.5",
  heart: "M8 13.5S2 10 2 6a3 3 0 0 1 6-1 3 3 0 0 1 6 1c0 4-6 7.5-6 7.5z",
  cross: "M4 4l8 8M12 4l-8 8",
  pause: "M5.5 3.5v9M10.5 3.5v9",
  question: "M6 6a2 2 0 1 1 2.8 1.8C8.2 8.1 8 8.6 8 9.3M8 12v.2",
  ghost: "M8 2.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11zM5 8h6",
  spin: "M8 2.5A5.5 5.5 0 1 1 2.5 8",
  up: "M8 13V3.5M4 7l4-4 4 4",
  clock: "M8 2.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11zM8 5v3.2l2 1.3",
  bang: "M8 3v6.5M8 12v.2",
};

export function icon(name, cls = "") {
  return s(
    "svg",
    { class: `icon ${cls}`, viewBox: "0 0 16 16", width: 14, height: 14, "aria-hidden": "true" },
    s("path", { d: ICONS[name] || ICONS.question }),
  );
}

const HEALTH = {
  Healthy: ["ok", "heart"],
  Progressing: ["busy", "spin"],
  Degraded: ["bad", "cross"],
  Suspended: ["paused", "pause"],
  Missing: ["warn", "ghost"],
  Unknown: ["neutral", "question"],
};
const SYNC = {
  Synced: ["ok", "check"],
  OutOfSync: ["warn", "up"],
  Unknown: ["neutral", "question"],
};
const PHASE = {
  Running: ["busy", "spin"],
  Terminating: ["busy", "spin"],
  Succeeded: ["ok", "check"],
  Failed: ["bad", "cross"],
  Error: ["bad", "bang"],
};

function badge(table, value, prefix) {
  const text = value || "Unknown";
  const [tone, glyph] = table[text] || ["neutral", "question"];
  // The icon is drawn by CSS from `data-icon` (app.css): one node less and no <svg> in each of 1,000 rows.
  return h(`span.badge.${tone}`, { title: `${prefix}: ${text}`, "data-state": text, "data-icon": glyph }, text);
}

export const healthBadge = (value) => badge(HEALTH, value, "Health");
export const syncBadge = (value) => badge(SYNC, value, "Sync");
export const phaseBadge = (value) => badge(PHASE, value, "Last operation");
export const healthTone = (value) => (HEALTH[value || "Unknown"] || HEALTH.Unknown)[0];
export const healthIcon = (value) => icon((HEALTH[value || "Unknown"] || HEALTH.Unknown)[1]);
export const syncIcon = (value) => icon((SYNC[value || "Unknown"] || SYNC.Unknown)[1]);

export function toast(message, tone = "bad") {
  const box = h(`div.toast.${tone}`, {}, message);
  document.getElementById("toasts").append(box);
  setTimeout(() => box.remove(), 4000);
}

export function ago(iso) {
  if (!iso) return "";
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}

export function elapsed(iso) {
  if (!iso) return "";
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
}

/** A modal <dialog> that resolves with the button pressed ("ok" / "cancel"). */
export function modal(title, body, okText, { danger = false } = {}) {
  return new Promise((resolve) => {
    const dialog = h(
      "dialog.modal",
      { "aria-label": title },
      h("form", { method: "dialog" }, h("h2", {}, title), body,
        h("div.actions", {},
          h("button.ghost", { value: "cancel", type: "submit" }, "Cancel"),
          h(`button.${danger ? "danger" : "primary"}`, { value: "ok", type: "submit", autofocus: true }, okText))),
    );
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(dialog.returnValue || "cancel");
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
