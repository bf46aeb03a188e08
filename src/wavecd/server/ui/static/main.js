// The shell: theme, sign-in and sign-out, the header, and the hash router (#/apps, #/tree, #/app/NAME).

import { ApiError, session, signIn } from "./api.js";
import { clear, h, toast } from "./dom.js";
import { store } from "./store.js";
import * as appPage from "./app-page.js";
import * as appsPage from "./apps-page.js";
import * as treePage from "./tree-page.js";

const view = document.getElementById("view");
const live = document.getElementById("live");
let leave = null;

// Theme: the system's (prefers-color-scheme) until the user picks one with the toggle; the pick is kept.
const THEME = "wavecd.theme";
function applyTheme(theme) {
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
  const dark = theme ? theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
  const button = document.getElementById("theme");
  button.textContent = dark ? "☀ Light" : "☾ Dark";
  button.setAttribute("aria-label", dark ? "Switch to the light theme" : "Switch to the dark theme");
}
document.getElementById("theme").addEventListener("click", () => {
  const dark = document.documentElement.dataset.theme
    ? document.documentElement.dataset.theme === "dark"
    : matchMedia("(prefers-color-scheme: dark)").matches;
  localStorage.setItem(THEME, dark ? "light" : "dark");
  applyTheme(dark ? "light" : "dark");
});
applyTheme(localStorage.getItem(THEME));

document.getElementById("signout").addEventListener("click", signOut);
window.addEventListener("wavecd:unauthenticated", (event) => {
  if (!session.role) return; // the sign-in form reports its own refusal
  signOut();
  toast(`Signed out: ${event.detail}`);
});

function signOut() {
  session.clear();
  store.stop();
  showChrome(false);
  location.hash = "#/";
  route();
}

function showChrome(signedIn) {
  document.getElementById("nav").hidden = !signedIn;
  document.getElementById("signout").hidden = !signedIn;
  const who = document.getElementById("who");
  who.hidden = !signedIn;
  who.textContent = signedIn ? `${session.username} · ${session.role}` : "";
  who.className = `who ${session.role || ""}`;
  live.hidden = !signedIn;
}

function setLive(state) {
  live.textContent = state === "live" ? "● live" : "○ reconnecting…";
  live.className = `live ${state}`;
}

function signInPage() {
  const input = h("input#token", { type: "password", autocomplete: "off", spellcheck: "false", required: true, placeholder: "wcd_…", "aria-describedby": "token-help" });
  const error = h("p.error#signin-error", { role: "alert" });
  const form = h("form.signin", {
    onsubmit: async (event) => {
      event.preventDefault();
      error.textContent = "";
      try {
        await signIn(input.value.trim());
        route();
      } catch (err) {
        error.textContent = err instanceof ApiError && err.status === 401 ? `Sign-in refused: ${err.message}` : `Sign-in failed: ${err.message}`;
      }
    },
  },
    h("h1", {}, "Sign in to wavecd"),
    h("label", { for: "token" }, "API token"),
    input,
    h("p.muted#token-help", {}, "Create one with ", h("code", {}, "wavecd serve token create --role admin"), " (or ", h("code", {}, "--role readonly"), "). It is kept in this tab only and sent only in the Authorization header."),
    error,
    h("button.primary", { type: "submit" }, "Sign in"),
  );
  clear(view).append(h("div.signin-wrap", {}, form));
  input.focus();
}

async function route() {
  if (leave) leave();
  leave = null;
  if (!session.token) {
    showChrome(false);
    return signInPage();
  }
  // The list and the stream need only the token: asked beside the token's role, not after it.
  store.start(setLive).catch(() => {});
  if (!session.role) {
    try {
      await signIn(session.token);
    } catch {
      store.stop();
      showChrome(false);
      return signInPage();
    }
  }
  showChrome(true);
  const hash = location.hash.replace(/^#\/?/, "");
  const [page, ...rest] = hash.split("/");
  for (const link of document.querySelectorAll("#nav a")) {
    link.toggleAttribute("aria-current", link.dataset.page === (page === "app" ? "apps" : page || "apps"));
  }
  clear(view).append(h("p.muted.loading", {}, "Loading applications…"));
  try {
    await store.start(setLive);
  } catch (error) {
    clear(view).append(h("p.error", {}, `Could not load the applications: ${error.message}`));
    return;
  }
  if (page === "tree") leave = treePage.render(view);
  else if (page === "app" && rest.length) leave = appPage.render(view, decodeURIComponent(rest.join("/")));
  else leave = appsPage.render(view);
  document.body.dataset.ready = page || "apps";
  // Once the browser has painted the page (the frame after this one), for bench/ui.py's clock.
  requestAnimationFrame(() => setTimeout(() => performance.mark("wavecd:rendered"), 0));
}

// A page the tab leaves closes its stream at once. Chromium keeps at most six connections to one server, and
// it kept the streams of pages the tab had left open: five page loads in a row held five of them and the
// sixth page's list request waited, stalled in the browser, until the oldest let go (46 s measured with
// bench/ui.py). A page brought back from the back/forward cache opens its stream and reads the list again.
window.addEventListener("pagehide", () => store.stop());
window.addEventListener("pageshow", (event) => {
  if (event.persisted) route();
});

window.addEventListener("hashchange", () => {
  delete document.body.dataset.ready;
  route();
});
route();
