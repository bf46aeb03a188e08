// The tree by waves: one column per tree wave from −10 to 17 (and any wave beyond), the root above them,
// each app a card, the apps an ApplicationSet generated grouped under it. Live from the stream: the wave
// that runs, each app's progress (its resources Synced and Healthy), and what the running wave waits on.

import { session, syncApplication } from "./api.js";
import { clear, elapsed, h, healthBadge, healthTone, icon, modal, phaseBadge, put, syncBadge, toast } from "./dom.js";
import { health, healthMessage, opState, phase, progress, store, syncStatus, waitingOn, wave } from "./store.js";

const FIRST_WAVE = -10;
const LAST_WAVE = 17;

export function render(view) {
  const roots = h("div.roots");
  const head = h("div.page-head", {}, h("h1", {}, "Tree by waves"), roots, h("div.spacer"),
    session.admin ? h("button.primary#sync-tree", { type: "button", onclick: () => syncTree([...store.apps.values()]) }, icon("spin"), "Sync tree") : null);
  const banner = h("section.banner", { "aria-live": "polite" });
  const board = h("div.board", { role: "list", "aria-label": "Waves" });
  clear(view).append(head, banner, board);
  let followed = null;

  // Built once and kept: a column per wave (its header, and where each of its cards goes), a card per app.
  // An event redraws the changed apps' cards and the headers whose state moved; a column is built again
  // only when which apps it holds changes. The first cards of each column are drawn at once, the rest a
  // chunk a frame after, so the first screen does not wait for card 900.
  const columns = new Map(); // wave → {section, header, key, order: [[container, name]]}
  const cards = new Map(); // name → element, for the cards drawn so far
  let pending = []; // [container, name] still to draw, in order
  let building = null;

  function grouped() {
    const waves = new Map();
    for (let w = FIRST_WAVE; w <= LAST_WAVE; w += 1) waves.set(w, []);
    for (const app of store.apps.values()) {
      const w = wave(app);
      if (w === null) continue;
      if (!waves.has(w)) waves.set(w, []);
      waves.get(w).push(app);
    }
    return new Map([...waves].sort(([a], [b]) => a - b));
  }

  /** Which apps the column holds, and under which ApplicationSet: when this changes, it is built again. */
  const membership = (apps) => apps.map((a) => `${a.wavecd.generatedBy || ""}/${a.metadata.name}`).join("\n");

  function buildColumn(w, apps) {
    const header = h("header");
    const plain = h("div.cards"); // `display: contents`: its cards lay out as the column's own
    const section = h("section.wave", { role: "listitem", "data-wave": w }, header, plain);
    const order = [];
    const sets = new Map();
    for (const app of apps) {
      const set = app.wavecd.generatedBy;
      if (!set) order.push([plain, app.metadata.name]);
      else {
        if (!sets.has(set)) sets.set(set, []);
        sets.get(set).push(app.metadata.name);
      }
    }
    for (const [set, names] of sets) {
      const group = h("div.appset", { "data-appset": set }, h("div.appset-name", { title: `ApplicationSet ${set}` }, h("span.tag", {}, "set"), set));
      section.append(group);
      for (const name of names) order.push([group, name]);
    }
    const column = { section, header, key: membership(apps), order };
    columns.set(w, column);
    return column;
  }

  function place([container, name]) {
    const app = store.apps.get(name);
    if (!app) return;
    const element = card(app);
    cards.set(name, element);
    container.append(element);
  }

  function drawAll() {
    cancelAnimationFrame(building);
    columns.clear();
    cards.clear();
    pending = [];
    const waves = grouped();
    const built = [...waves].map(([w, apps]) => buildColumn(w, apps));
    for (const column of built) {
      column.order.slice(0, FIRST).forEach(place);
      pending.push(...column.order.slice(FIRST));
    }
    put(board, built.map((c) => c.section));
    paintState(waves);
    const next = () => {
      pending.splice(0, CHUNK).forEach(place);
      building = pending.length ? requestAnimationFrame(next) : null;
      if (!pending.length) performance.mark("wavecd:cards-complete");
    };
    building = pending.length ? requestAnimationFrame(next) : null;
    if (!pending.length) performance.mark("wavecd:cards-complete");
  }

  function update(names) {
    const waves = grouped();
    const moved = [...waves].some(([w, apps]) => !columns.has(w) || columns.get(w).key !== membership(apps));
    if (moved || columns.size !== waves.size) return drawAll();
    for (const name of names) {
      const old = cards.get(name);
      const app = store.apps.get(name);
      if (!old || !app) continue; // not drawn yet: drawn from the app as it is then
      const fresh = card(app);
      old.replaceWith(fresh);
      cards.set(name, fresh);
    }
    paintState(waves);
  }

  /** The roots, every column's header (when its state moved) and the banner. */
  function paintState(waves) {
    const running = runningWave(waves);
    put(roots, [...store.apps.values()].filter((app) => !app.wavecd || !app.wavecd.parent).map(rootCard));
    for (const [w, apps] of waves) {
      const { section, header } = columns.get(w);
      const tone = columnTone(apps, w, running);
      const label = `Wave ${w}: ${apps.length} apps, ${tone}`;
      if (section.dataset.state === tone && section.getAttribute("aria-label") === label) continue;
      section.className = `wave ${tone}${apps.length ? "" : " empty"}`;
      section.dataset.state = tone;
      section.setAttribute("aria-label", label);
      put(header, h("span.wave-no", {}, w > 0 ? `+${w}` : String(w)),
        apps.length ? h("span.wave-state", {}, waveIcon(tone), stateText(tone)) : null);
    }
    paintBanner(running, waves);
    if (running !== null && running !== followed) {
      // The rollout moved on: bring its wave into view (the banner stays on top, it is sticky).
      columns.get(running).section.scrollIntoView({ block: "nearest" });
    }
    followed = running;
  }

  function paintBanner(running, waves) {
    if (running === null) {
      const apps = [...store.apps.values()];
      const healthy = apps.filter((a) => health(a) === "Healthy").length;
      const synced = apps.filter((a) => syncStatus(a) === "Synced").length;
      banner.className = "banner idle";
      put(banner, icon(healthy === apps.length ? "heart" : "clock"),
        h("span", {}, `No sync running. ${healthy} of ${apps.length} apps Healthy, ${synced} Synced.`));
      return;
    }
    const apps = waves.get(running);
    const waiting = apps.filter((a) => phase(a) === "Running" || phase(a) === "Queued" || health(a) !== "Healthy");
    const since = waiting.map((a) => (opState(a) || {}).startedAt).filter(Boolean).sort()[0];
    banner.className = "banner running";
    put(banner,
      h("div.banner-title", {}, icon("spin", "spinning"), h("strong", { id: "running-wave" }, `Wave ${running} is running`),
        since ? h("span.muted", {}, ` for ${elapsed(since)}`) : null),
      h("ul.waits", { "aria-label": `What wave ${running} waits on` },
        waiting.slice(0, 6).map((app) => {
          const first = waitingOn(app);
          const what = first
            ? `${first.kind} ${first.namespace ? first.namespace + "/" : ""}${first.name}: ${first.status !== "Synced" ? first.status : ""}${first.health && first.health.status && first.health.status !== "Healthy" ? " " + first.health.status : ""}${first.health && first.health.message ? " — " + first.health.message : ""}`
            : healthMessage(app) || (opState(app) || {}).message || WAITING[phase(app)] || health(app);
          const started = (opState(app) || {}).startedAt;
          return h("li", {}, h("a", { href: `#/app/${encodeURIComponent(app.metadata.name)}` }, app.metadata.name), " waits on ",
            h("span", {}, what), started ? h("span.muted", {}, ` · ${elapsed(started)}`) : null);
        }),
        waiting.length > 6 ? h("li.muted", {}, `and ${waiting.length - 6} more`) : null),
    );
  }

  drawAll();
  const unsubscribe = store.subscribe(update);
  // The banner's clocks move on while a wave runs: only the banner is drawn again for them.
  const tick = setInterval(() => { if (banner.classList.contains("running")) { const waves = grouped(); paintBanner(runningWave(waves), waves); } }, 1000);
  return () => {
    unsubscribe();
    clearInterval(tick);
    cancelAnimationFrame(building);
  };
}

// The cards drawn at once in each column (more than a 1440×900 screen shows), then a chunk a frame.
const FIRST = 30;
const CHUNK = 200;

/** One app's card: a link holding its name, and its states in words when it is not Healthy and Synced. The
 *  health and sync icons are drawn by CSS from `data-health` and `data-sync` (app.css): three nodes a card,
 *  not a dozen, for a 1,000-app tree. */
function card(app) {
  const name = app.metadata.name;
  const hs = health(app);
  const ss = syncStatus(app);
  const p = phase(app);
  const title = `${name}: ${hs}, ${ss}${p ? ", " + p : ""}`;
  const element = h(`a.card.${healthTone(hs)}`, { href: `#/app/${encodeURIComponent(name)}`, "data-app": name, "data-health": hs, "data-sync": ss, title, "aria-label": title },
    h("span.card-name", {}, name));
  if (hs !== "Healthy" || ss !== "Synced") element.append(h(`span.card-state.sync-${ss}`, {}, `${hs} · ${ss}`));
  if (p === "Running" || p === "Queued") {
    const [done, total] = progress(app);
    const bar = h("span.bar", { role: "progressbar", "aria-valuemin": 0, "aria-valuemax": total, "aria-valuenow": done, "aria-label": `${done} of ${total} resources ready` }, h("span"));
    bar.firstChild.style.width = total ? `${Math.round((done / total) * 100)}%` : "0%";
    element.append(h("span.card-op", {}, bar, h("span.muted", {}, p === "Queued" ? "queued" : `${done}/${total}`)));
  }
  return element;
}

function rootCard(app) {
  return h("a.root", { href: `#/app/${encodeURIComponent(app.metadata.name)}`, "data-app": app.metadata.name },
    h("span.muted", {}, "root"), h("strong", {}, app.metadata.name), healthBadge(health(app)), syncBadge(syncStatus(app)),
    phase(app) ? phaseBadge(phase(app) === "Queued" ? "Running" : phase(app)) : null);
}

/** The lowest wave with an operation recorded or running: the one the tree's rollout is at. */
function runningWave(waves) {
  for (const w of waves.keys()) {
    if (waves.get(w).some((a) => phase(a) === "Running" || phase(a) === "Queued")) return w;
  }
  return null;
}

/** A column's state, in the order a reader needs it: what runs, what failed, then what the apps are — a wave
 *  nobody synced yet is Missing, not Progressing (its apps' resources do not exist; nothing is moving). */
function columnTone(apps, w, running) {
  if (!apps.length) return "none";
  if (w === running) return "running";
  if (apps.some((a) => phase(a) === "Running" || phase(a) === "Queued")) return "queued";
  if (apps.some((a) => health(a) === "Degraded" || phase(a) === "Failed" || phase(a) === "Error")) return "degraded";
  if (apps.every((a) => health(a) === "Healthy" && syncStatus(a) === "Synced")) return "healthy";
  if (apps.some((a) => health(a) === "Progressing")) return "progressing";
  if (apps.every((a) => health(a) === "Missing")) return "missing";
  if (apps.some((a) => syncStatus(a) === "OutOfSync" || health(a) === "Missing")) return "outofsync";
  if (apps.some((a) => health(a) === "Suspended")) return "suspended";
  return "unknown";
}

const WAITING = { Running: "its sync operation, still running", Queued: "its sync operation, not started yet" };
const STATE_TEXT = {
  running: "running", queued: "queued", degraded: "Degraded", healthy: "Healthy", outofsync: "OutOfSync",
  progressing: "Progressing", missing: "Missing", suspended: "Suspended", unknown: "Unknown",
};
const STATE_ICON = {
  running: "spin", queued: "clock", degraded: "cross", healthy: "heart", outofsync: "up", progressing: "spin",
  missing: "ghost", suspended: "pause", unknown: "question",
};
const stateText = (tone) => STATE_TEXT[tone] || "";
const waveIcon = (tone) => icon(STATE_ICON[tone] || "question");

async function syncTree(apps) {
  // In tree order (the root, then wave by wave), so the first waves' operations are recorded first.
  const targets = apps
    .filter((a) => !a.operation && phase(a) !== "Running")
    .sort((a, b) => (wave(a) ?? -1e9) - (wave(b) ?? -1e9) || a.metadata.name.localeCompare(b.metadata.name));
  const answer = await modal("Sync the whole tree?",
    h("p", {}, `A sync operation is recorded on each of ${targets.length} apps; the controller runs them in the tree's waves, each wave only after the earlier ones are Healthy.`),
    "Sync tree");
  if (answer !== "ok") return;
  let failed = 0;
  for (const app of targets) {
    try {
      store.put(await syncApplication(app.metadata.name, {}));
    } catch (error) {
      failed += 1;
      toast(`${app.metadata.name}: ${error.message}`);
    }
  }
  toast(failed ? `${targets.length - failed} syncs started, ${failed} refused` : `${targets.length} syncs started`, failed ? "bad" : "ok");
}
