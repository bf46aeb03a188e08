"""How fast does the web UI draw a big tree? The Applications page and the tree by waves, loaded in a real
headless Chromium from `wavecd serve --sim` over the synthetic tree of bench/synthetic.py.

Usage: .venv/bin/python bench/ui.py [--apps 1000] [--runs 7] [--keep DIR] [--baseline SRC]

`wavecd serve ROOT --sim --poll 0` runs as a subprocess over an N-app synthetic tree whose root alone is
automated: its sync records every Application, which the controller reconciles (OutOfSync, Missing) but
never syncs, so the page is measured on a still tree. Once the API lists every app with a status, one
Chromium (Debian's `chromium` and `chromium-driver`, driven by Selenium) signs in, then loads the two pages
in turn, `--runs` times each, interleaved: each load is a full page load (new document, modules fetched
again), and the clock stops when the page is painted with its data (the `wavecd:rendered` mark main.js
sets after the first paint; the Applications table then has its first screenful of rows, the tree its first
cards of each wave; "every row drawn" is the table's `wavecd:rows-complete` mark, "every card drawn" the
tree's `wavecd:cards-complete`).

With `--baseline SRC` a second server runs another wavecd source (say main's, before a change) over its own
copy of the same tree, and its pages are loaded in the same browser, interleaved with this checkout's: before
and after measured in one run, under the same load of a shared machine.

Per page: the median and spread of that time from navigation start (wall, in the browser), the renderer's
CPU over the load (Chrome's own `TaskDuration`, and of it `ScriptDuration` and `LayoutDuration`, from the
DevTools `Performance.getMetrics`), the API's list request alone (its transfer size and time, from the
Resource Timing entry), and the time a name filter takes over every row.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml
from selenium import webdriver
from synthetic import synthetic_repo

ROOT = Path(__file__).resolve().parents[1]
WAVECD = ROOT / ".venv" / "bin" / "wavecd"
PAGES = {"apps": "#/apps", "tree": "#/tree"}


def _serve(work: Path, apps: int, source: Path | None = None) -> tuple[subprocess.Popen[bytes], str, str]:
    """`wavecd serve` over a fresh synthetic tree in `work`; `source`: another wavecd `src` folder to run."""
    env = {
        **os.environ,
        **({"PYTHONPATH": str(source)} if source is not None else {}),
        "WAVECD_STATE_DIR": str(work / "state"),
        "WAVECD_CACHE_DIR": str(work / "cache"),
        "ARGOCD_SYNC_WAVE_DELAY": "0",  # the root's sync of 1,000 Applications in 5 waves: no pause between
    }
    token = subprocess.run(
        [str(WAVECD), "serve", "token", "create", "--role", "admin"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()[-1]
    root = synthetic_repo(work / "tree", apps)
    # Only the root is automated: its sync records every Application, which the controller then reconciles
    # (OutOfSync, Missing) but never syncs, so the page is measured on a still tree of recorded apps.
    application = yaml.safe_load((root / "root.yaml").read_text())
    application["spec"]["syncPolicy"]["automated"] = {}
    (root / "root.yaml").write_text(yaml.safe_dump(application, sort_keys=False))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(work / "serve.err", "wb")  # noqa: SIM115 - open for the server's whole life
    process = subprocess.Popen(
        [
            str(WAVECD),
            "serve",
            str(root),
            "--sim",
            "--sim-speed",
            "1000000",
            "--poll",
            "0",
            "--listen",
            f"127.0.0.1:{port}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        try:
            items = httpx.get(f"{url}/api/v1/applications", headers=headers, timeout=60).json()["items"]
            if len(items) == apps + 1 and all((i.get("status") or {}).get("sync") for i in items):
                return process, url, token
        except (httpx.TransportError, KeyError, ValueError):
            pass
        if process.poll() is not None:
            sys.exit(f"wavecd serve exited: see {work / 'serve.err'}")
        time.sleep(1)
    process.terminate()
    sys.exit("the tree was not reconciled within 15 minutes")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _browser(profile: Path) -> Any:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        sys.exit("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1440,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver), options=options)
    browser.execute_cdp_cmd("Performance.enable", {"timeDomain": "threadTicks"})
    return browser


def _metrics(browser: Any) -> dict[str, float]:
    return {m["name"]: m["value"] for m in browser.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]}


def _load(browser: Any, url: str, fragment: str, incremental: bool = True) -> dict[str, float]:
    """One full load of a page: ms from navigation start to the data drawn; the renderer's CPU ms over it."""
    browser.get("about:blank")
    before = _metrics(browser)
    browser.get(f"{url}/{fragment}")
    deadline = time.monotonic() + 120
    while not browser.execute_script("return performance.getEntriesByName('wavecd:rendered').length"):
        if time.monotonic() > deadline:
            sys.exit(f"{fragment} did not draw within 120 s")
        time.sleep(0.02)
    drawn = browser.execute_script("return performance.getEntriesByName('wavecd:rendered')[0].startTime")
    complete = drawn
    if incremental:  # the first screenful of rows (or cards), then the rest a chunk a frame
        mark = "wavecd:rows-complete" if fragment == PAGES["apps"] else "wavecd:cards-complete"
        marked = f"return performance.getEntriesByName('{mark}')"
        while not browser.execute_script(f"{marked}.length"):
            if time.monotonic() > deadline:
                sys.exit(f"{fragment} did not draw every row or card within 120 s")
            time.sleep(0.02)
        complete = browser.execute_script(f"{marked}[0].startTime")
    after = _metrics(browser)
    listing = browser.execute_script(
        "const e = performance.getEntriesByType('resource')"
        ".find((r) => new URL(r.name).pathname === '/api/v1/applications');"
        " return e ? [e.duration, e.encodedBodySize, e.decodedBodySize] : [0, 0, 0]"
    )
    cpu = {k: (after.get(k, 0) - before.get(k, 0)) * 1000 for k in ("TaskDuration", "ScriptDuration", "LayoutDuration")}
    return {
        "drawn": drawn,
        "complete": complete,
        **cpu,
        "list_ms": listing[0],
        "list_kb": listing[1] / 1024,
        "list_raw_kb": listing[2] / 1024,
    }


def _filter(browser: Any) -> float:
    """ms the name filter takes to hide every row but one and draw (the input event and the next frame)."""
    return browser.execute_async_script(
        """const done = arguments[0]; const input = document.querySelector('#f-name');
        const start = performance.now(); input.value = 'svc-0999'; input.dispatchEvent(new Event('input'));
        requestAnimationFrame(() => setTimeout(() => { const t = performance.now() - start;
          input.value = ''; input.dispatchEvent(new Event('input')); done(t); }, 0));"""
    )


def _row(name: str, values: list[float]) -> str:
    return f"{name:<28} {statistics.median(values):>9.0f} {min(values):>9.0f} {max(values):>9.0f}"


def _sign_in(browser: Any, url: str, token: str) -> None:
    browser.get(url + "/")
    browser.execute_script("sessionStorage.setItem('wavecd.token', arguments[0])", token)


def _report(name: str, runs: dict[str, list[dict[str, float]]], filters: list[float], alone: list[float]) -> None:
    print(f"\n== {name}")
    print(f"{'ms (median, min, max)':<28} {'median':>9} {'min':>9} {'max':>9}")
    for page, loads in runs.items():
        print(f"-- {page} page ({PAGES[page]})")
        print(_row("  drawn after navigation", [r["drawn"] for r in loads]))
        print(_row(f"  every {'row' if page == 'apps' else 'card'} drawn", [r["complete"] for r in loads]))
        print(_row("  renderer CPU (tasks)", [r["TaskDuration"] for r in loads]))
        print(_row("    of it script", [r["ScriptDuration"] for r in loads]))
        print(_row("    of it layout", [r["LayoutDuration"] for r in loads]))
        print(_row("  GET /api/v1/applications", [r["list_ms"] for r in loads]))
    print(_row("-- name filter, all rows", filters))
    print(_row("-- the whole list (httpx)", alone))
    sent = statistics.median(r["list_kb"] for r in runs["apps"])
    raw = statistics.median(r["list_raw_kb"] for r in runs["apps"])
    print(f"the page's list: {sent:.0f} KiB over the wire, {raw:.0f} KiB of JSON")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="keep the work folder (tree, state, the server's log) here")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another wavecd src folder (e.g. `git archive main src | tar -x -C /tmp/base`, then /tmp/base/src)"
        " served beside this one; its loads interleave with this one's in the same browser",
    )
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="wavecd-bench-ui-"))
    work.mkdir(parents=True, exist_ok=True)
    sources = {"this checkout": None, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    started = time.monotonic()
    served = {name: _serve(work / f"serve-{n}", args.apps, source) for n, (name, source) in enumerate(sources.items())}
    took = time.monotonic() - started
    print(f"{args.apps} apps reconciled by wavecd serve --sim ({len(served)} servers) in {took:.0f} s")
    browser = _browser(work / "chromium")
    try:
        runs = {name: {page: [] for page in PAGES} for name in served}
        filters: dict[str, list[float]] = {name: [] for name in served}
        alone: dict[str, list[float]] = {name: [] for name in served}
        for _, url, token in served.values():
            _sign_in(browser, url, token)
            _load(browser, url, PAGES["tree"], incremental=False)  # warm-up: Chromium's start, the first list
        for _ in range(args.runs):
            # Interleaved: a slow moment of the shared machine hits every page of every server alike.
            for name, (_, url, token) in served.items():
                for page, fragment in PAGES.items():
                    # A baseline from before the pages drew a chunk a frame has everything when drawn.
                    runs[name][page].append(_load(browser, url, fragment, incremental=name != "baseline"))
                    if page == "apps":
                        filters[name].append(_filter(browser))
                start = time.perf_counter()
                headers = {"Authorization": f"Bearer {token}"}
                httpx.get(f"{url}/api/v1/applications", headers=headers, timeout=120).raise_for_status()
                alone[name].append((time.perf_counter() - start) * 1000)
        print(f"over {args.runs} loads of each page of each server")
        for name in served:
            _report(name, runs[name], filters[name], alone[name])
    finally:
        browser.quit()
        for process, _, _ in served.values():
            process.terminate()
            process.wait(timeout=60)
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
