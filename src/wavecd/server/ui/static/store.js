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

// What the pages read from the list and the stream: each Application cut down to these paths (the API's
// `?fields=`), a few hundred bytes an app rather than kilobytes (its resources, history and last sync result
// stay on the server until one app's page asks for it). `metadata.resourceVersion` is there so that every
// change of an app still comes through; `wavecd.progress` stands for the resources.
export const LIST_PATHS = [
  "metadata.name",
  "metadata.resourceVersion",
  "spec.destination",
  "spec.source.targetRevision",
  "spec.source.path",
  "spec.sources",
  "operation.sync.revision",
  "status.sync.status",
  "status.sync.revision",
  "status.sync.revisions",
  "status.health",
  "status.operationState.phase",
  "status.operationState.message",
  "status.operationState.startedAt",
  "status.operationState.finishedAt",
  "wavecd",
];

// resourceVersions are opaque to clients, but the cluster's (and the sim's) are integers that grow.
const newer = (a, b) => !/^\d+$/.test(version(a)) || !/^\d+$/.test(version(b)) || BigInt(version(a)) > BigInt(version(b));

export const store = {
  apps,
  /** Follow the stream, then load the list once per sign-in; resolves when the list is in. The stream is
   *  opened first, without its replay of every app: what changes while the list is read is kept and put
   *  over the list where it is newer, so nothing falls between the two. */
  start(onState) {
    if (loaded) return loaded;
    let early = [];
    let opened;
    const open = new Promise((resolve) => { opened = resolve; });
    const onEvent = (event) => {
      if (early !== null) return void early.push(event);
      const name = event.application.metadata && event.application.metadata.name;
      if (!name) return;
      if (event.type === "DELETED") apps.delete(name);
      else if (same(apps.get(name), event.application)) return; // a reconnection's replay of what we have
      else apps.set(name, event.application);
      touch(name);
    };
    stop = followApplications(onEvent, (state) => { opened(); onState(state); }, { paths: LIST_PATHS, listed: true });
    loaded = open.then(() => listApplications(LIST_PATHS)).then((data) => {
      for (const app of data.items || []) apps.set(app.metadata.name, app);
      const pending = early;
      early = null;
      for (const event of pending) {
        const known = apps.get(event.application.metadata.name);
        if (event.type === "DELETED" || !known || newer(event.application, known)) onEvent(event);
      }
    });
    loaded.catch(() => {
      if (stop) stop();
      stop = null;
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

// The list and the stream leave `status.resources` out (LIST_PATHS); the server's summary of them,
// `wavecd.progress`, says the same. A whole Application (one app's page) has both.
const summary = (app) => (app.wavecd && app.wavecd.progress) || null;

/** How far the app's resources are: [Synced and Healthy (or without health), all]. */
export function progress(app) {
  const resources = (app.status || {}).resources;
  if (!resources && summary(app)) return [summary(app).done, summary(app).total];
  const done = (resources || []).filter(
    (r) => r.status === "Synced" && (!r.health || r.health.status === "Healthy" || !r.health.status),
  ).length;
  return [done, (resources || []).length];
}

/** The first of the app's resources that is not yet Synced and Healthy (what its wave waits on), or null. */
export function waitingOn(app) {
  const resources = (app.status || {}).resources;
  if (!resources && summary(app)) return summary(app).waitingOn;
  return (resources || []).find(
    (r) => r.status !== "Synced" || (r.health && r.health.status && r.health.status !== "Healthy"),
  ) || null;
}
