// Every Application of the tree, kept current from one list and then the stream. Pages subscribe and are
// told which apps changed, at most every 200 ms, so a burst of events during a sync costs one repaint.

import { followApplications, listApplications } from "./api.js";

const apps = new Map();
const listeners = new Set();
const changed = new Set();
let timer = null;
let stop = null;
let loaded = null;

function notify() {
  timer = null;
  const names = new Set(changed);
  changed.clear();
  for (const listener of listeners) listener(names);
}

function touch(name) {
  changed.add(name);
  if (timer === null) timer = setTimeout(notify, 200);
}

const version = (app) => (app && app.metadata && app.metadata.resourceVersion) || "";

/** The same object at the same place in the tree: nothing to redraw. */
function same(known, app) {
  return (
    known !== undefined &&
    version(known) !== "" &&
    version(known) === version(app) &&
    JSON.stringify(known.wavecd) === JSON.stringify(app.wavecd)
  );
}

export const store = {
  apps,
  /** Load the list once per sign-in, then follow the stream; resolves when the list is in. */
  start(onState) {
    if (loaded) return loaded;
    loaded = listApplications().then((data) => {
      for (const app of data.items || []) apps.set(app.metadata.name, app);
      stop = followApplications((event) => {
        const name = event.application.metadata && event.application.metadata.name;
        if (!name) return;
        if (event.type === "DELETED") apps.delete(name);
        else if (same(apps.get(name), event.application)) return; // the stream's replay of what the list gave
        else apps.set(name, event.application);
        touch(name);
      }, onState);
    });
    loaded.catch(() => {
      loaded = null;
    });
    return loaded;
  },
  stop() {
    if (stop) stop();
    stop = null;
    loaded = null;
    apps.clear();
  },
  /** `listener(changedNames)`; returns the unsubscribe function. */
  subscribe(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** An answer of a write (the app with its new operation) shown at once, before the stream says it. */
  put(app) {
    apps.set(app.metadata.name, app);
    touch(app.metadata.name);
  },
};

// What every page reads from an Application, in one place.
export const health = (app) => ((app.status || {}).health || {}).status || "Unknown";
export const healthMessage = (app) => ((app.status || {}).health || {}).message || "";
export const syncStatus = (app) => ((app.status || {}).sync || {}).status || "Unknown";
export const opState = (app) => (app.status || {}).operationState || null;
export const wave = (app) => (app.wavecd && typeof app.wavecd.wave === "number" ? app.wavecd.wave : null);
export const destination = (app) => (app.spec || {}).destination || {};
export const namespace = (app) => destination(app).namespace || "";

export function revision(app) {
  const sync = (app.status || {}).sync || {};
  const value = sync.revision || (sync.revisions || []).find(Boolean) || "";
  return value.length > 14 && /^[0-9a-f]{40}$/.test(value) ? value.slice(0, 8) : value;
}

export function targetRevision(app) {
  const spec = app.spec || {};
  const source = spec.source || (spec.sources || []).find((s) => s && s.path) || (spec.sources || [])[0] || {};
  return source.targetRevision || "HEAD";
}

/** The operation's state word: Running while an operation is recorded but not yet started, too. */
export function phase(app) {
  const state = opState(app);
  if (app.operation && (!state || state.phase !== "Running")) return "Queued";
  return state ? state.phase : "";
}

/** How far the app's resources are: [Synced and Healthy (or without health), all]. */
export function progress(app) {
  const resources = (app.status || {}).resources || [];
  const done = resources.filter(
    (r) => r.status === "Synced" && (!r.health || r.health.status === "Healthy" || !r.health.status),
  ).length;
  return [done, resources.length];
}

/** The app's resources that are not yet Synced and Healthy: what its wave waits on. */
export function pending(app) {
  return ((app.status || {}).resources || []).filter(
    (r) => r.status !== "Synced" || (r.health && r.health.status && r.health.status !== "Healthy"),
  );
}
