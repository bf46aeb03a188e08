// The tree by waves: one column per tree wave from −10 to 17 (and any wave beyond), the root above them,
// each app a card, the apps an ApplicationSet generated grouped under it. Live from the stream: the wave
// that runs, each app's progress (its resources Synced and Healthy), and what the running wave waits on.

import { session, syncApplication } from "./api.js";
import { clear, elapsed, h, healthBadge, healthIcon, healthTone, icon, modal, phaseBadge, put, syncBadge, syncIcon, toast } from "./dom.js";
import { health, healthMessage, opState, phase, progress, store, syncStatus, waitingOn, wave } from "./store.js";

const FIRST_WAVE = -10;
const LAST_WAVE = 17;

export function render(view) {
  const head = h("div.page-head");
  const banner = h("section.banner", { "aria-live": "polite" });
  const board = h("div.board", { role: "list", "aria-label": "Waves" });
  clear(view).append(head, banner, board);
  let followed = null;

  function paint() {
    const all = [...store.apps.values()];
    const roots = all.filter((app) => !app.wavecd || !app.wavecd.parent);
    const members = all.filter((app) => wave(app) !== null);
    const waves = new Map();
    for (let w = FIRST_WAVE; w <= LAST_WAVE; w += 1) waves.set(w, []);
    for (const app of members) {
      if (!waves.has(wave(app))) waves.set(wave(app), []);
      waves.get(wave(app)).push(app);
    }
    const order = [...waves.keys()].sort((a, b) => a - b);
    const running = runningWave(waves, order);

    put(head,
      h("h1", {}, "Tree by waves"),
      h("div.roots", {}, roots.map((app) => rootCard(app))),
      h("div.spacer"),
      session.admin ? h("button.primary#sync-tree", { type: "button", onclick: () => syncTree(all) }, icon("spin"), "Sync tree") : null,
    );
    paintBanner(running, waves);
    put(board, order.map((w) => column(w, waves.get(w), running)));
    if (running !== null && running !== followed) {
      // The rollout moved on: bring its wave into view (the banner stays on top, it is sticky).
      board.querySelector(`[data-wave="${running}"]`).scrollIntoView({ block: "nearest" });
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

  function column(w, apps, running) {
    const tone = columnTone(apps, w, running);
    const plain = apps.filter((a) => !a.wavecd.generatedBy);
    const sets = new Map();
    for (const app of apps.filter((a) => a.wavecd.generatedBy)) {
      if (!sets.has(app.wavecd.generatedBy)) sets.set(app.wavecd.generatedBy, []);
      sets.get(app.wavecd.generatedBy).push(app);
    }
    const label = w > 0 ? `+${w}` : String(w);
    return h(`section.wave.${tone}${apps.length ? "" : ".empty"}`, { role: "listitem", "data-wave": w, "data-state": tone, "aria-label": `Wave ${w}: ${apps.length} apps, ${tone}` },
      h("header", {}, h("span.wave-no", {}, label), apps.length ? h("span.wave-state", {}, waveIcon(tone), stateText(tone)) : null),
      plain.map(card),
      [...sets].map(([set, generated]) =>
        h("div.appset", { "data-appset": set }, h("div.appset-name", { title: `ApplicationSet ${set}` }, h("span.tag", {}, "set"), set), generated.map(card))),
    );
  }

  function card(app) {
    const name = app.metadata.name;
    const [done, total] = progress(app);
    const p = phase(app);
    const bar = h("div.bar", { role: "progressbar", "aria-valuemin": 0, "aria-valuemax": total, "aria-valuenow": done, "aria-label": `${done} of ${total} resources ready` }, h("span"));
    bar.firstChild.style.width = total ? `${Math.round((done / total) * 100)}%` : "0%";
    return h(`a.card.${healthTone(health(app))}`, { href: `#/app/${encodeURIComponent(name)}`, "data-app": name, "data-health": health(app), "data-sync": syncStatus(app), title: `${name}: ${health(app)}, ${syncStatus(app)}${p ? ", " + p : ""}` },
      h("div.card-line", {},
        h("span.card-name", {}, name),
        h("span.st", { "aria-label": `Health ${health(app)}` }, healthIcon(health(app))),
        h("span.st.sync-" + syncStatus(app), { "aria-label": `Sync ${syncStatus(app)}` }, syncIcon(syncStatus(app)))),
      health(app) !== "Healthy" || syncStatus(app) !== "Synced"
        ? h("div.card-state", {}, h("span.st", {}, health(app)), h("span.st.sync-" + syncStatus(app), {}, syncStatus(app)))
        : null,
      p === "Running" || p === "Queued" ? h("div.card-op", {}, bar, h("span.muted", {}, p === "Queued" ? "queued" : `${done}/${total}`)) : null,
    );
  }

  function rootCard(app) {
    return h("a.root", { href: `#/app/${encodeURIComponent(app.metadata.name)}`, "data-app": app.metadata.name },
      h("span.muted", {}, "root"), h("strong", {}, app.metadata.name), healthBadge(health(app)), syncBadge(syncStatus(app)),
      phase(app) ? phaseBadge(phase(app) === "Queued" ? "Running" : phase(app)) : null);
  }

  paint();
  const unsubscribe = store.subscribe(paint);
  const tick = setInterval(() => { if (banner.classList.contains("running")) paint(); }, 1000);
  return () => {
    unsubscribe();
    clearInterval(tick);
  };
}

/** The lowest wave with an operation recorded or running: the one the tree's rollout is at. */
function runningWave(waves, order) {
  for (const w of order) {
    if (waves.get(w).some((a) => phase(a) === "Running" || phase(a) === "Queued")) return w;
  }
  return null;
}

function columnTone(apps, w, running) {
  if (!apps.length) return "none";
  if (w === running) return "running";
  if (apps.some((a) => phase(a) === "Running" || phase(a) === "Queued")) return "queued";
  if (apps.some((a) => health(a) === "Degraded" || phase(a) === "Failed" || phase(a) === "Error")) return "degraded";
  if (apps.every((a) => health(a) === "Healthy" && syncStatus(a) === "Synced")) return "healthy";
  if (apps.every((a) => health(a) === "Healthy")) return "outofsync";
  return "progressing";
}

const WAITING = { Running: "its sync operation, still running", Queued: "its sync operation, not started yet" };
const STATE_TEXT = { running: "running", queued: "queued", degraded: "Degraded", healthy: "Healthy", outofsync: "OutOfSync", progressing: "Progressing" };
const STATE_ICON = { running: "spin", queued: "clock", degraded: "cross", healthy: "heart", outofsync: "up", progressing: "spin" };
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
