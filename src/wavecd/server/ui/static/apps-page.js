// The Applications page: every app of the tree in one table, filters, and counts at the top. Rows are built
// once and kept by name; a stream event rebuilds only its row, a filter only flips `hidden`, so 1,000 apps
// stay quick to load and to filter.

import { ago, clear, h, healthBadge, phaseBadge, put, syncBadge } from "./dom.js";
import {
  destination,
  health,
  namespace,
  opState,
  phase,
  revision,
  store,
  syncStatus,
  targetRevision,
  wave,
} from "./store.js";

const HEALTHS = ["Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"];
const SYNCS = ["Synced", "OutOfSync", "Unknown"];
const filters = { name: "", health: "", sync: "", wave: "", namespace: "" };

export function render(view) {
  const rows = new Map();
  const tbody = h("tbody");
  const counts = h("div.counts", { role: "group", "aria-label": "Counts" });
  const shown = h("span.shown", { role: "status" });
  const waveSelect = h("select#f-wave", { "aria-label": "Wave" });
  const nsSelect = h("select#f-namespace", { "aria-label": "Namespace" });

  const select = (id, label, values) =>
    h(`select#f-${id}`, { "aria-label": label, onchange: (e) => setFilter(id, e.target.value) },
      h("option", { value: "" }, `${label}: all`), values.map((v) => h("option", { value: v }, v)));

  const nameInput = h("input#f-name", {
    type: "search",
    placeholder: "Filter by name  ( / )",
    "aria-label": "Filter by name",
    value: filters.name,
    oninput: (e) => setFilter("name", e.target.value.trim().toLowerCase()),
  });
  waveSelect.addEventListener("change", (e) => setFilter("wave", e.target.value));
  nsSelect.addEventListener("change", (e) => setFilter("namespace", e.target.value));
  const healthSelect = select("health", "Health", HEALTHS);
  const syncSelect = select("sync", "Sync", SYNCS);
  healthSelect.value = filters.health;
  syncSelect.value = filters.sync;

  const table = h("table.apps", { "aria-label": "Applications" },
    h("thead", {}, h("tr", {},
      ["Name", "Health", "Sync", "Wave", "Parent", "Destination", "Revision", "Last sync"].map((c) => h("th", { scope: "col" }, c)))),
    tbody);

  clear(view).append(
    h("div.page-head", {}, h("h1", {}, "Applications"), shown),
    counts,
    h("div.filters", {}, nameInput, healthSelect, syncSelect, waveSelect, nsSelect,
      h("button.ghost", { type: "button", onclick: reset }, "Clear filters")),
    h("div.table-wrap", {}, table),
  );

  function setFilter(key, value) {
    filters[key] = value;
    applyFilters();
    renderCounts();
  }

  function reset() {
    Object.assign(filters, { name: "", health: "", sync: "", wave: "", namespace: "" });
    nameInput.value = "";
    for (const el of [healthSelect, syncSelect, waveSelect, nsSelect]) el.value = "";
    applyFilters();
    renderCounts();
  }

  function matches(app) {
    return (
      (!filters.name || app.metadata.name.toLowerCase().includes(filters.name)) &&
      (!filters.health || health(app) === filters.health) &&
      (!filters.sync || syncStatus(app) === filters.sync) &&
      (!filters.wave || String(wave(app) ?? "none") === filters.wave) &&
      (!filters.namespace || namespace(app) === filters.namespace)
    );
  }

  function row(app) {
    const name = app.metadata.name;
    const w = wave(app);
    const state = opState(app);
    const last = phase(app);
    const dest = destination(app);
    const parent = app.wavecd && (app.wavecd.generatedBy || app.wavecd.parent);
    return h("tr", { "data-app": name },
      h("th", { scope: "row" }, h("a", { href: `#/app/${encodeURIComponent(name)}` }, name)),
      h("td", {}, healthBadge(health(app))),
      h("td", {}, syncBadge(syncStatus(app))),
      h("td.num", {}, w === null ? "—" : String(w)),
      h("td.muted", {}, parent ? [app.wavecd.generatedBy ? h("span.tag", { title: "ApplicationSet" }, "set") : null, parent] : "—"),
      h("td", { title: dest.server || dest.name || "" }, namespace(app) || "—"),
      h("td.mono", { title: targetRevision(app) }, revision(app) || "—"),
      h("td", {}, last ? [phaseBadge(last === "Queued" ? "" : last), " ", h("span.muted", {}, last === "Queued" ? "queued" : ago(state && (state.finishedAt || state.startedAt)))] : h("span.muted", {}, "never")),
    );
  }

  // The first screenful of rows is drawn at once, the rest a chunk a frame after it: laying out a
  // 1,000-row table in one go is most of a page load's work, and nobody reads row 900 first.
  const FIRST = 60;
  const CHUNK = 150;
  let unbuilt = []; // names whose row is still to come, in order
  let building = null;

  function renderAll() {
    cancelAnimationFrame(building);
    rows.clear();
    unbuilt = [...store.apps.keys()];
    put(tbody, buildRows(FIRST));
    renderOptions();
    renderCounts();
    const next = () => {
      tbody.append(buildRows(CHUNK));
      building = unbuilt.length ? requestAnimationFrame(next) : null;
      if (!unbuilt.length) performance.mark("wavecd:rows-complete");
    };
    building = unbuilt.length ? requestAnimationFrame(next) : null;
    if (!unbuilt.length) performance.mark("wavecd:rows-complete");
  }

  function buildRows(count) {
    const fragment = document.createDocumentFragment();
    for (const name of unbuilt.splice(0, count)) {
      const app = store.apps.get(name);
      if (!app) continue; // deleted meanwhile
      const tr = row(app);
      tr.hidden = !matches(app);
      rows.set(name, tr);
      fragment.append(tr);
    }
    return fragment;
  }

  function update(names) {
    if (names.size > 100) return renderAll(); // a burst (a whole wave's events): one pass over every row
    for (const name of names) {
      if (unbuilt.length && !rows.has(name)) { // its row is still to come, built from the app as it is then
        if (!unbuilt.includes(name)) unbuilt.push(name);
        continue;
      }
      const app = store.apps.get(name);
      const old = rows.get(name);
      if (!app) {
        if (old) old.remove();
        rows.delete(name);
        continue;
      }
      const tr = row(app);
      tr.hidden = !matches(app);
      if (old) old.replaceWith(tr);
      else {
        const next = [...rows.keys()].sort().find((other) => other > name);
        tbody.insertBefore(tr, next ? rows.get(next) : null);
      }
      rows.set(name, tr);
    }
    renderOptions();
    renderCounts();
  }

  function applyFilters() {
    for (const [name, tr] of rows) tr.hidden = !matches(store.apps.get(name));
  }

  function renderOptions() {
    const waves = new Set();
    const namespaces = new Set();
    for (const app of store.apps.values()) {
      waves.add(wave(app) === null ? "none" : wave(app));
      namespaces.add(namespace(app));
    }
    const sortedWaves = [...waves].sort((a, b) => (a === "none" ? -1e9 : a) - (b === "none" ? -1e9 : b));
    fill(waveSelect, "Wave", sortedWaves.map(String), filters.wave);
    fill(nsSelect, "Namespace", [...namespaces].filter(Boolean).sort(), filters.namespace);
  }

  function fill(el, label, values, current) {
    const key = values.join("\n");
    if (el.dataset.key === key) return;
    el.dataset.key = key;
    put(el, h("option", { value: "" }, `${label}: all`), values.map((v) => h("option", { value: v }, v)));
    el.value = current;
  }

  function renderCounts() {
    const byHealth = Object.fromEntries(HEALTHS.map((k) => [k, 0]));
    const bySync = Object.fromEntries(SYNCS.map((k) => [k, 0]));
    let running = 0;
    for (const app of store.apps.values()) {
      byHealth[health(app)] = (byHealth[health(app)] || 0) + 1;
      bySync[syncStatus(app)] = (bySync[syncStatus(app)] || 0) + 1;
      if (phase(app) === "Running" || phase(app) === "Queued") running += 1;
    }
    const chip = (key, value, n, badge) =>
      h("button.chip", { type: "button", "aria-pressed": String(filters[key] === value), "data-count": `${key}:${value}`,
        onclick: () => { setFilter(key, filters[key] === value ? "" : value); syncSelects(); } },
        badge(value), h("strong", {}, String(n)));
    put(counts,
      h("div.total", {}, h("strong", {}, String(store.apps.size)), " apps"),
      h("div.chips", {}, HEALTHS.filter((k) => byHealth[k]).map((k) => chip("health", k, byHealth[k], healthBadge))),
      h("div.chips", {}, SYNCS.filter((k) => bySync[k]).map((k) => chip("sync", k, bySync[k], syncBadge))),
      running ? h("div.chips", {}, h("span.badge.busy", {}, `${running} syncing`)) : null,
    );
    let visible = 0; // counted over the apps, not the rows: some rows may still be to come
    for (const app of store.apps.values()) if (matches(app)) visible += 1;
    shown.textContent = visible === store.apps.size ? `${visible} shown` : `${visible} of ${store.apps.size} shown`;
  }

  function syncSelects() {
    healthSelect.value = filters.health;
    syncSelect.value = filters.sync;
  }

  const onKey = (event) => {
    if (event.key === "/" && document.activeElement !== nameInput && !event.target.closest("input,select,textarea")) {
      event.preventDefault();
      nameInput.focus();
    }
  };
  document.addEventListener("keydown", onKey);
  renderAll();
  const unsubscribe = store.subscribe(update);
  return () => {
    unsubscribe();
    cancelAnimationFrame(building);
    document.removeEventListener("keydown", onKey);
  };
}
