// The JSON API with the bearer token: the token lives in sessionStorage (this tab only, gone when it
// closes), goes only in the Authorization header — never in a URL, so no access log or history holds it.

const KEY = "wavecd.token";

export const session = {
  get token() {
    return sessionStorage.getItem(KEY);
  },
  role: null,
  username: null,
  get admin() {
    return this.role === "admin";
  },
  save(token) {
    sessionStorage.setItem(KEY, token);
  },
  clear() {
    sessionStorage.removeItem(KEY);
    this.role = null;
    this.username = null;
  },
};

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** A request to the API; the parsed JSON answer, or an ApiError with the server's own message. */
export async function api(path, { method = "GET", body, signal } = {}) {
  const headers = { Authorization: `Bearer ${session.token}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
    cache: "no-store",
    credentials: "omit",
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = (data && (data.message || data.error)) || `${response.status} ${response.statusText}`;
    if (response.status === 401) window.dispatchEvent(new CustomEvent("wavecd:unauthenticated", { detail: message }));
    throw new ApiError(response.status, message);
  }
  return data;
}

/** Who the token is: `{username, role}`; throws ApiError (401) for a token the server did not issue. */
export async function signIn(token) {
  session.save(token);
  try {
    const info = await api("/api/v1/session/userinfo");
    session.role = info.wavecd && info.wavecd.role;
    session.username = info.username;
    return info;
  } catch (error) {
    session.clear();
    throw error;
  }
}

const app = (name) => `/api/v1/applications/${encodeURIComponent(name)}`;

/** `paths` (e.g. "metadata.name"): only those of each Application (the API's `?fields=`); none: all. */
export const listApplications = (paths) =>
  api(`/api/v1/applications${paths ? `?fields=${encodeURIComponent(paths.map((p) => `items.${p}`).join(","))}` : ""}`);
export const getApplication = (name) => api(app(name));
export const refreshApplication = (name, hard) => api(`${app(name)}?refresh=${hard ? "hard" : "normal"}`);
export const resourceTree = (name) => api(`${app(name)}/resource-tree`);
export const managedResources = (name) => api(`${app(name)}/managed-resources`);
/** The Events of one node of the app's resource tree (its namespace, name and uid must match one). */
export const resourceEvents = (name, r) =>
  api(`${app(name)}/events?${new URLSearchParams({ resourceNamespace: r.namespace || "", resourceName: r.name, resourceUID: r.uid || "" })}`);
export const syncApplication = (name, body) => api(`${app(name)}/sync`, { method: "POST", body });
export const rollbackApplication = (name, id) => api(`${app(name)}/rollback`, { method: "PUT", body: { id } });
export const terminateOperation = (name) => api(`${app(name)}/operation`, { method: "DELETE" });

/**
 * Follow `/api/v1/stream/applications` as server-sent events read through fetch(), which — unlike
 * EventSource — can send the Authorization header. `onEvent({type, application})` per event; `onState`
 * with "live" / "reconnecting". Reconnects with a growing pause; returns a function that stops it.
 * `paths`: only those of each Application, as listApplications. `listed`: the client has just listed every
 * app, so the first connection skips the stream's replay of them; a reconnection, which may have missed
 * events, asks for the replay.
 */
export function followApplications(onEvent, onState, { paths, listed = false } = {}) {
  const controller = new AbortController();
  const query = paths ? [`fields=${encodeURIComponent(["result.type", ...paths.map((p) => `result.application.${p}`)].join(","))}`] : [];
  let skipReplay = listed;
  let pause = 1000;
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const params = skipReplay ? [...query, "resourceVersion=listed"] : query;
        skipReplay = false;
        const response = await fetch(`/api/v1/stream/applications${params.length ? `?${params.join("&")}` : ""}`, {
          headers: { Authorization: `Bearer ${session.token}`, Accept: "text/event-stream" },
          signal: controller.signal,
          cache: "no-store",
          credentials: "omit",
        });
        if (response.status === 401) {
          window.dispatchEvent(new CustomEvent("wavecd:unauthenticated", { detail: "the token was refused" }));
          return;
        }
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        onState("live");
        pause = 1000;
        await readEvents(response.body, onEvent);
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      onState("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 15000);
    }
  };
  run();
  return () => controller.abort();
}

async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n");
      if (!data) continue; // a keep-alive comment
      try {
        const event = JSON.parse(data).result;
        if (event && event.application) onEvent(event);
      } catch {
        // a frame that is not JSON is skipped; the next one may be whole
      }
    }
  }
}
