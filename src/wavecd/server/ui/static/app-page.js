// One app: its state and actions, its resource tree as a graph (health per node), the chosen resource's
// live and desired manifests and their diff side by side (Secrets masked by the server), and its history.

import {
  getApplication,
  managedResources,
  refreshApplication,
  resourceEvents,
  resourceTree,
  rollbackApplication,
  session,
  syncApplication,
  terminateOperation,
} from "./api.js";
import { ago, clear, h, healthBadge, healthIcon, healthTone, icon, modal, phaseBadge, put, s, syncBadge, toast } from "./dom.js";
import { destination, health, healthMessage, opState, phase, revision, store, syncStatus, targetRevision, wave } from "./store.js";
import { readableDiff } from "./diff.js";
import { toYaml } from "./yaml.js";

const NODE_W = 220;
const NODE_H = 46;
const GAP_X = 56;
const GAP_Y = 12;
const key = (r) => `${r.group || ""}/${r.kind}/${r.namespace || ""}/${r.name}`;

export function render(view, name) {
  let tree = [];
  let managed = [];
  let selected = null;
  let fullDiff = false;
  const head = h("div.app-head");
  const graph = h("div.graph", { "aria-label": "Resource tree" });
  const detail = h("section.detail", { "aria-live": "polite" });
  const history = h("section.history");
  clear(view).append(
    h("nav.crumbs", { "aria-label": "Breadcrumb" }, h("a", { href: "#/apps" }, "Applications"), " / ", name),
    head,
    h("section.panel", {}, h("h2", {}, "Resource tree"), graph),
    detail,
    history,
  );

  // The list and the stream carry only what the Applications page shows (store.js); this page reads the
  // whole Application (its history, the last operation's message) and reads it again when the stream says
  // it changed.
  let full = null;
  let missing = false;
  function app() {
    return full || (missing ? undefined : store.apps.get(name));
  }

  async function fetchApp() {
    try {
      full = await getApplication(name);
      missing = false;
    } catch (error) {
      if (error.status !== 404) throw error;
      full = null;
      missing = true;
    }
    paintHead();
    paintHistory();
  }

  async function load() {
    try {
      const [t, m] = await Promise.all([resourceTree(name), managedResources(name)]);
      tree = t.nodes || [];
      managed = m.items || [];
      paintGraph();
      paintDetail();
    } catch (error) {
      put(graph, h("p.muted", {}, `Could not load the resource tree: ${error.message}`));
    }
  }

  function paintHead() {
    const a = app();
    if (!a) {
      put(head, h("h1", {}, name), h("p.muted", {}, "No such application in this tree."));
      return;
    }
    const state = opState(a);
    const dest = destination(a);
    const p = phase(a);
    const running = p === "Running" || p === "Queued";
    put(head,
      h("div.title-row", {}, h("h1", {}, name), healthBadge(health(a)), syncBadge(syncStatus(a)), p ? phaseBadge(p === "Queued" ? "Running" : p) : null,
        h("div.spacer"),
        session.admin ? h("div.actions#actions", {},
          h("button.primary", { type: "button", "data-action": "sync", onclick: openSync }, "Sync…"),
          h("button.ghost", { type: "button", "data-action": "refresh", onclick: () => refresh(false) }, "Refresh"),
          h("button.ghost", { type: "button", "data-action": "hard-refresh", onclick: () => refresh(true) }, "Hard refresh"),
          h("button.danger", { type: "button", "data-action": "terminate", disabled: !running, onclick: terminate }, "Terminate"),
        ) : h("span.muted.readonly-note", {}, "read-only token")),
      failure(a, state),
      h("dl.facts", {},
        fact("Tree wave", wave(a) === null ? "— (root)" : String(wave(a))),
        fact("Parent", parentLink(a)),
        fact("ApplicationSet", (a.wavecd && a.wavecd.generatedBy) || "—"),
        fact("Destination", `${dest.namespace || "—"} @ ${dest.server || dest.name || "—"}`),
        fact("Target", targetRevision(a)),
        fact("Revision", h("span.mono", {}, revision(a) || "—")),
        fact("Last operation", state ? `${state.phase}${state.message ? ": " + state.message : ""}${state.finishedAt ? " · " + ago(state.finishedAt) : ""}` : "none"),
        healthMessage(a) ? fact("Health", healthMessage(a)) : null,
      ),
    );
  }

  // A failed sync never reaches the history (Argo CD keeps only the ones that succeeded there), so the last
  // operation's failure is said at the top of the page: what failed, why, which resources, when, by whom.
  function failure(a, state) {
    if (!state || (state.phase !== "Failed" && state.phase !== "Error")) return null;
    const result = state.syncResult || {};
    const failed = (result.resources || []).filter(
      (r) => r.status === "SyncFailed" || r.hookPhase === "Failed" || r.hookPhase === "Error",
    );
    const rev = result.revision || ((state.operation || {}).sync || {}).revision || "";
    return h("div.banner.failed#last-failure", { role: "alert" },
      h("div.banner-title", {}, icon(state.phase === "Error" ? "bang" : "cross"),
        h("strong", {}, state.phase === "Error" ? "The last sync ended in an error" : "The last sync failed"),
        h("span.muted", {}, ` · ${ago(state.finishedAt || state.startedAt)}`,
          ` · started by ${initiator(state.operation && state.operation.initiatedBy)}`,
          rev ? ` · revision ${rev.length === 40 ? rev.slice(0, 8) : rev}` : "")),
      state.message ? h("p.failure-message", {}, state.message) : null,
      failed.length ? h("ul.failed-resources", { "aria-label": "Resources that failed" },
        failed.slice(0, 8).map((r) => h("li", {}, h("strong", {}, `${r.kind} ${r.namespace ? r.namespace + "/" : ""}${r.name}`),
          r.message ? `: ${r.message}` : ""))) : null,
      failed.length > 8 ? h("p.muted", {}, `and ${failed.length - 8} more`) : null,
      h("p.muted", {}, "A failed sync is not in the history below, which keeps only syncs that succeeded, as Argo CD's does."),
    );
  }

  const parentLink = (a) => {
    const parent = a.wavecd && a.wavecd.parent;
    if (!parent) return "—";
    return store.apps.has(parent) ? h("a", { href: `#/app/${encodeURIComponent(parent)}` }, parent) : parent;
  };
  const fact = (label, value) => h("div", {}, h("dt", {}, label), h("dd", {}, value));

  function paintGraph() {
    const a = app();
    const nodes = new Map(tree.map((n) => [key(n), n]));
    const children = new Map();
    const roots = [];
    for (const node of tree) {
      const parents = (node.parentRefs || []).map(key).filter((k) => nodes.has(k));
      if (!parents.length) roots.push(node);
      for (const parent of parents) {
        if (!children.has(parent)) children.set(parent, []);
        children.get(parent).push(node);
      }
    }
    // A layered layout: the Application, then each managed object, then what it owns, one column per depth.
    const placed = new Map();
    const columns = [];
    let row = 0;
    const place = (node, depth) => {
      const k = key(node);
      if (placed.has(k)) return;
      const kids = children.get(k) || [];
      const first = row;
      placed.set(k, { node, depth, y: 0 });
      if (!columns[depth]) columns[depth] = 0;
      for (const kid of kids) place(kid, depth + 1);
      if (row === first) row += 1;
      placed.get(k).y = (first + row - 1) / 2;
    };
    const sorted = [...roots].sort((x, y) => order(x) - order(y) || x.name.localeCompare(y.name));
    for (const root of sorted) place(root, 1);
    const rows = Math.max(row, 1);
    const width = (Math.max(1, ...[...placed.values()].map((p) => p.depth)) + 1) * (NODE_W + GAP_X);
    const height = rows * (NODE_H + GAP_Y) + GAP_Y;
    const appNode = { kind: "Application", name, health: { status: a ? health(a) : "Unknown" } };
    const pos = (p) => [GAP_Y + p.depth * (NODE_W + GAP_X), GAP_Y + p.y * (NODE_H + GAP_Y)];
    const appY = GAP_Y + ((rows - 1) / 2) * (NODE_H + GAP_Y);
    const svg = s("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `Resource tree of ${name}` });
    const edges = s("g", { class: "edges" });
    svg.append(edges);
    const edge = (x1, y1, x2, y2) => {
      const mid = (x1 + x2) / 2;
      edges.append(s("path", { d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}` }));
    };
    for (const p of placed.values()) {
      const [x, y] = pos(p);
      const parents = (p.node.parentRefs || []).map(key).filter((k) => placed.has(k));
      if (!parents.length) edge(GAP_Y + NODE_W, appY + NODE_H / 2, x, y + NODE_H / 2);
      for (const parent of parents) {
        const [px, py] = pos(placed.get(parent));
        edge(px + NODE_W, py + NODE_H / 2, x, y + NODE_H / 2);
      }
    }
    svg.append(nodeBox(appNode, GAP_Y, appY, 0, false));
    for (const p of placed.values()) {
      const [x, y] = pos(p);
      svg.append(nodeBox(p.node, x, y, p.depth, true));
    }
    put(graph, tree.length ? svg : h("p.muted", {}, "No resources yet."));
  }

  function nodeBox(node, x, y, depth, selectable) {
    const status = node.health && node.health.status;
    const diff = managed.find((m) => key(m) === key(node));
    const outOfSync = diff && diff.status === "OutOfSync";
    const isSelected = selected && key(selected) === key(node);
    const g = s("g", {
      class: `node ${healthTone(status)}${selectable ? " selectable" : ""}${isSelected ? " selected" : ""}`,
      transform: `translate(${x},${y})`,
      "data-kind": node.kind,
      "data-name": node.name,
      "data-depth": depth,
      "data-health": status || "",
      tabindex: selectable ? 0 : undefined,
      role: selectable ? "button" : undefined,
      "aria-label": `${node.kind} ${node.name}${status ? ", " + status : ""}${outOfSync ? ", OutOfSync" : ""}`,
    },
      s("rect", { width: NODE_W, height: NODE_H, rx: 8 }),
      s("rect", { class: "stripe", width: 5, height: NODE_H, rx: 2 }),
      s("text", { x: 14, y: 18, class: "kind" }, node.kind, outOfSync ? " · OutOfSync" : ""),
      s("text", { x: 14, y: 35, class: "name" }, node.name.length > 28 ? node.name.slice(0, 27) + "…" : node.name),
    );
    if (status) {
      const badge = healthIcon(status);
      badge.setAttribute("x", NODE_W - 22);
      badge.setAttribute("y", 8);
      g.append(badge);
      g.append(s("title", {}, `${node.kind} ${node.name}: ${status}${node.health.message ? " — " + node.health.message : ""}`));
    }
    if (selectable) {
      const choose = () => {
        selected = node;
        paintGraph();
        paintDetail();
        detail.scrollIntoView({ block: "nearest" });
      };
      g.addEventListener("click", choose);
      g.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          choose();
        }
      });
    }
    return g;
  }

  // The chosen resource's Events, asked of the cluster (through the API) each time it is shown: Argo CD's
  // Events tab. Newest first; a Warning is marked with its colour, icon and word.
  const eventsBox = h("section.events#resource-events", { "aria-label": "Events" });
  async function loadEvents() {
    const asked = selected;
    if (!asked) return;
    let items;
    try {
      items = (await resourceEvents(name, asked)).items || [];
    } catch (error) {
      if (selected === asked) put(eventsBox, h("h3", {}, "Events"), h("p.muted", {}, `Could not load the events: ${error.message}`));
      return;
    }
    if (selected !== asked) return;
    const when = (e) => e.lastTimestamp || e.eventTime || e.firstTimestamp || "";
    items.sort((a, b) => when(b).localeCompare(when(a)));
    put(eventsBox, h("h3", {}, "Events"),
      items.length
        ? h("table.events", { "aria-label": "Events" },
          h("thead", {}, h("tr", {}, ["Type", "Reason", "Message", "Count", "Last seen"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, items.map((e) => h("tr", { "data-reason": e.reason || "" },
            h("td", {}, e.type === "Warning" ? h("span.badge.warn", { "data-state": "Warning" }, icon("bang"), "Warning") : h("span.muted", {}, e.type || "Normal")),
            h("td", {}, e.reason || ""),
            h("td.message", {}, e.message || ""),
            h("td.num", {}, String(e.count || 1)),
            h("td", { title: when(e) }, ago(when(e)))))))
        : h("p.muted", {}, "No events. The cluster keeps them for an hour."));
  }

  function paintDetail() {
    if (!selected) {
      put(detail, h("h2", {}, "Resource"), h("p.muted", {}, "Choose a resource in the tree (click, or Tab and Enter) to see its live and desired manifests and their diff."));
      return;
    }
    const m = managed.find((r) => key(r) === key(selected));
    const title = `${selected.kind} ${selected.namespace ? selected.namespace + "/" : ""}${selected.name}`;
    if (!m) {
      put(detail, h("h2", {}, title), h("p.muted", {}, "Not managed by the app directly (owned by another object): no desired manifest to compare."), eventsBox);
      loadEvents();
      return;
    }
    const live = parse(m.liveState);
    const target = parse(m.targetState);
    const lines = fullDiff ? null : readableDiff(live, target);
    const toggle = h("button.ghost.small#diff-mode", { type: "button", "aria-pressed": String(fullDiff), onclick: () => { fullDiff = !fullDiff; paintDetail(); } },
      fullDiff ? "Show the fields the repository sets" : "Show the full diff");
    put(detail,
      h("div.title-row", {}, h("h2", {}, title), syncBadge(m.status), m.health ? healthBadge(m.health.status) : null),
      h("div.manifests", {},
        h("figure", {}, h("figcaption", {}, "Live (managedFields hidden)"), h("pre.code#live-manifest", {}, live ? toYaml(withoutManagedFields(live)) : "(not in the cluster)")),
        h("figure", {}, h("figcaption", {}, "Desired"), h("pre.code#desired-manifest", {}, target ? toYaml(target) : "(not in the repository)")),
        h("figure", {}, h("figcaption", {}, lines ? "Diff, live → desired, of the fields the repository sets " : "Diff, live → desired, whole objects ", toggle),
          lines ? compactDiff(lines) : diffView(m.diff))),
      eventsBox,
    );
    loadEvents();
  }

  function paintHistory() {
    const a = app();
    const entries = [...(((a || {}).status || {}).history || [])].reverse();
    const state = a && opState(a);
    put(history,
      h("h2", {}, "Sync history"),
      state ? h("p", {}, "Last operation: ", phaseBadge(state.phase), " ", initiator(state.operation && state.operation.initiatedBy), state.message ? ` — ${state.message}` : "") : null,
      entries.length
        ? h("table.history", { "aria-label": "Sync history" },
          h("thead", {}, h("tr", {}, ["ID", "Revision", "Deployed", "Started by", "Result", ""].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, entries.map((entry, index) => h("tr", { "data-history": entry.id },
            h("td.num", {}, String(entry.id)),
            h("td.mono", { title: entry.revision || (entry.revisions || []).join(", ") }, shortRevisions(entry)),
            h("td", { title: entry.deployedAt }, ago(entry.deployedAt)),
            h("td", {}, initiator(entry.initiatedBy)),
            h("td", {}, phaseBadge("Succeeded")),
            h("td", {}, session.admin && index > 0 ? h("button.ghost.small", { type: "button", "data-action": "rollback", onclick: () => rollback(entry) }, "Roll back") : index === 0 ? h("span.muted", {}, "current") : null)))))
        : h("p.muted", {}, "No sync has completed yet."),
    );
  }

  async function openSync() {
    const prune = h("input", { type: "checkbox", id: "sync-prune" });
    const dryRun = h("input", { type: "checkbox", id: "sync-dry-run" });
    const boxes = managed.map((m) => [m, h("input", { type: "checkbox", "data-resource": key(m) })]);
    const body = h("div.sync-form", {},
      h("label", {}, prune, " Prune (delete what the repository no longer has)"),
      h("label", {}, dryRun, " Dry run (the server checks, nothing is applied)"),
      h("fieldset", {}, h("legend", {}, "Only these resources (none ticked: all)"),
        h("div.resource-list", {}, boxes.map(([m, box]) => h("label", {}, box, ` ${m.kind} ${m.name}`, m.status === "OutOfSync" ? h("span.tag.warn", {}, "OutOfSync") : null)))));
    if ((await modal(`Sync ${name}`, body, "Synchronize")) !== "ok") return;
    const resources = boxes.filter(([, box]) => box.checked).map(([m]) => ({ group: m.group, kind: m.kind, name: m.name, namespace: m.namespace }));
    const request = { prune: prune.checked, dryRun: dryRun.checked };
    if (resources.length) request.resources = resources;
    await act(() => syncApplication(name, request), "Sync started");
  }

  async function refresh(hard) {
    toast(hard ? "Hard refresh: rendering again without the cache…" : "Refreshing…", "ok");
    await act(() => refreshApplication(name, hard), "Refreshed");
    load();
  }

  async function terminate() {
    if ((await modal(`Terminate the operation of ${name}?`, h("p", {}, "The rollout stops at its next safe point; the operation ends Failed."), "Terminate", { danger: true })) !== "ok") return;
    await act(() => terminateOperation(name).then(() => null), "Operation terminated");
  }

  async function rollback(entry) {
    if ((await modal(`Roll ${name} back to #${entry.id}?`, h("p", {}, `Redeploys revision ${entry.revision || (entry.revisions || []).join(", ")}.`), "Roll back", { danger: true })) !== "ok") return;
    await act(() => rollbackApplication(name, entry.id), "Rollback started");
  }

  async function act(call, done) {
    try {
      const answer = await call();
      if (answer && answer.metadata) {
        full = answer;
        store.put(answer);
      }
      toast(done, "ok");
    } catch (error) {
      toast(error.message);
    }
  }

  let reload = null;
  const onChange = (names) => {
    if (!names.has(name)) return;
    clearTimeout(reload);
    reload = setTimeout(() => { // the app and its resources moved: read them again, once per burst
      fetchApp().catch((error) => toast(error.message));
      load();
    }, 300);
  };
  paintHead();
  paintHistory();
  paintDetail();
  put(graph, h("p.muted", {}, "Loading…"));
  fetchApp().catch((error) => toast(error.message));
  load();
  const unsubscribe = store.subscribe(onChange);
  return () => {
    unsubscribe();
    clearTimeout(reload);
  };
}

const KIND_ORDER = ["Namespace", "ServiceAccount", "Secret", "ConfigMap", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "Service", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Ingress"];
const order = (node) => {
  const index = KIND_ORDER.indexOf(node.kind);
  return index < 0 ? KIND_ORDER.length : index;
};

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function initiator(by) {
  if (!by) return "—";
  if (by.automated) return "auto-sync";
  return by.username || "—";
}

/** A history entry's revision(s), commits cut to 8 characters as git shows them. */
function shortRevisions(entry) {
  const all = entry.revision ? [entry.revision] : entry.revisions || [];
  return [...new Set(all.map((r) => (/^[0-9a-f]{40}$/.test(r) ? r.slice(0, 8) : r)))].join(", ");
}

function withoutManagedFields(obj) {
  if (!obj.metadata || !obj.metadata.managedFields) return obj;
  const { managedFields, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** The changed lines with three lines of context around each change; "⋯" where lines are left out. */
function compactDiff(lines) {
  if (!lines.some(([mark]) => mark !== " ")) return h("pre.code.diff#resource-diff", {}, h("span.muted", {}, "No difference in the fields the repository sets."));
  const keep = lines.map(() => false);
  lines.forEach(([mark], i) => {
    if (mark === " ") return;
    for (let k = Math.max(0, i - 3); k <= Math.min(lines.length - 1, i + 3); k += 1) keep[k] = true;
  });
  const out = [];
  lines.forEach(([mark, text], i) => {
    if (keep[i]) out.push(h(mark === "+" ? "span.add" : mark === "-" ? "span.del" : "span", {}, `${mark}${text}\n`));
    else if (i === 0 || keep[i - 1]) out.push(h("span.hunk", {}, "⋯\n"));
  });
  return h("pre.code.diff#resource-diff", {}, out);
}

function diffView(text) {
  if (!text) return h("pre.code.diff#resource-diff", {}, h("span.muted", {}, "No difference."));
  return h("pre.code.diff#resource-diff", {}, text.split("\n").map((line) => {
    const cls = line.startsWith("+++") || line.startsWith("---") ? "file" : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : line.startsWith("@@") ? "hunk" : "";
    return h(cls ? `span.${cls}` : "span", {}, line + "\n");
  }));
}
