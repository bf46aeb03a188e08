"""How fast does `wavecd serve` react to a push, what does it cost idle, and what does a burst of webhooks cost?

Usage: .venv/bin/python bench/controller.py [--runs 5] [--apps 1000] [--idle 60] [--burst 200] [--quick]
       .venv/bin/python bench/controller.py --only push,burst   (skip the 1,000-app tree)

Everything runs as a user runs it: `wavecd sim serve` and `wavecd serve` are subprocesses, the repository
`wavecd serve` reads is a bare git remote, CI pushes to it and sends a signed GitHub push webhook.

* push: examples/staging; a commit bumps `image.tag` in `staging-webs/values-seat.yaml` (to a new tag each time),
  is pushed, and one webhook is sent; the clock stops when the API shows both seat apps (`staging-seat`,
  `loadtest-seat`) at the pushed commit, Synced and Healthy. The split comes from the controller's log lines,
  stamped as they arrive: the walk done (`walk: …`), both auto-sync operations recorded, both apps' syncs
  finished (`<app> (wave N): Synced, Healthy in …`), then the status the API shows; and the requests the
  cluster answered meanwhile, dry runs apart (counts that a busy machine does not blur).
* idle: the synthetic tree of `--apps` apps (bench/synthetic.py, every app automated) synced by the
  controller from nothing (timed), then left alone: CPU seconds of the controller process (its reaped render
  workers included) over `--idle` seconds, as % of one core, and its RSS now and at its peak.
* burst: examples/staging again, one push, then `--burst` signed webhooks for it spread over 10 s: how many
  walks and renders they caused, next to a single webhook's, and the renders per affected app (the goal: 1).

The sim's delays are zero: it runs at 10^6 simulated seconds per real second, so a Pod is Ready at the
sim controllers' next tick (every 20 ms); `ARGOCD_SYNC_WAVE_DELAY=0` as in the tests. What is left of a
rollout is the cluster's and the sync's own polling. Renders are counted twice: by the controller's
`walk:` lines, and by the entries the render cache gained (which also counts the renders a reconcile or
a sync does outside a walk).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import hmac
import json
import os
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

import yaml
from synthetic import URL as SYNTHETIC_URL
from synthetic import synthetic_repo

ROOT = Path(__file__).resolve().parents[1]
# The controller proofs' helpers (tests/support) are the one home of driving `wavecd serve` from outside.
sys.path.insert(0, str(ROOT / "tests"))
from support.gitops import git  # noqa: E402
from support.serve import ServeProcess, synced_and_healthy  # noqa: E402
from support.sim_server import SimServer  # noqa: E402

EXAMPLES = ROOT / "examples"
SIM_SPEED = 1_000_000.0
REPO_URL = "https://github.com/ca-platform/303-gitops.git"
BRANCH = "argocd-sync/staging"
SECRET = "bench-webhook-secret"
VALUES = "ca-staging/values/apps/staging-webs/values-seat.yaml"
SEAT_APPS = ("staging-seat", "loadtest-seat")
TAG_LINE = re.compile(r'^  tag: "[^"]*"$', re.MULTILINE)
TICKS = os.sysconf("SC_CLK_TCK")
WALK = re.compile(r"walk: (\d+) apps, (\d+) rendered, (\d+) from cache, (\d+) changed \(([\d.]+) s\)")


# -- processes ---------------------------------------------------------------------------------------------------------
def _env(work: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "WAVECD_CACHE_DIR": str(work / "cache"),
        "WAVECD_STATE_DIR": str(work / "state"),
        "ARGOCD_SYNC_WAVE_DELAY": "0",
        "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "wavecd-bench-pycache"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


class LogLines:
    """A process's stderr, each line stamped with `time.monotonic()` as it arrives (`follow` reads it)."""

    def __init__(self) -> None:
        self.lines: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def follow(self, stream: IO[bytes]) -> None:
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        for raw in stream:
            with self._lock:
                self.lines.append((time.monotonic(), raw.decode(errors="replace").rstrip()))

    def since(self, start: float) -> list[tuple[float, str]]:
        with self._lock:
            return [(t, line) for t, line in self.lines if t >= start]

    def text(self) -> str:
        with self._lock:
            return "\n".join(line for _, line in self.lines)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of process `pid` and its reaped children (a controller's render workers)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICKS


class Sim(SimServer):
    """`wavecd sim serve` with zero delays, its request log, and its CPU."""

    def __init__(self, work: Path, state: Path | None):
        self.request_log = work / "requests.jsonl"
        self.request_log.unlink(missing_ok=True)
        super().__init__(work, speed=SIM_SPEED, state=state, request_log=self.request_log)

    def cpu_seconds(self) -> float:
        assert self.process is not None
        return cpu_seconds(self.process.pid)

    def requests(self) -> list[dict[str, Any]]:
        """Every request served so far, watches left out (each is one long request, logged when it ends)."""
        lines = self.request_log.read_text().splitlines() if self.request_log.exists() else []
        return [entry for line in lines if "watch=" not in (entry := json.loads(line))["path"]]


def by_method(requests: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for request in requests:
        dry_run = request["method"] == "PATCH" and "dryRun=All" in request["path"]
        method = "PATCH (dry run)" if dry_run else request["method"]
        counts[method] = counts.get(method, 0) + 1
    return ", ".join(f"{count} {method}" for method, count in sorted(counts.items())) or "none"


@contextmanager
def sim_server(work: Path, state: Path | None = None) -> Iterator[Sim]:
    """The sim for one case (keeping its objects in `state` when given), stopped after it."""
    sim = Sim(work, state).start(timeout=600)
    try:
        yield sim
    finally:
        sim.stop()


class Serve(ServeProcess):
    """`wavecd serve ROOT` started, with its stderr stamped line by line (`lines`), its CPU and memory."""

    def __init__(self, root: Path, kubeconfig: Path, work: Path, *args: str, timeout: float = 600):
        self.lines = LogLines()
        super().__init__(root, kubeconfig, work, *args, env=_env(work), stderr=self.lines.follow)
        self.started = time.monotonic()
        self.start(timeout=timeout)
        self.up = time.monotonic() - self.started  # seconds until the API answered: the first walk is done

    def log(self) -> str:
        return self.lines.text()

    def cpu_seconds(self) -> float:
        assert self.process is not None
        return cpu_seconds(self.process.pid)

    def memory_mb(self) -> tuple[float, float]:
        """(VmRSS, VmHWM) in MB."""
        assert self.process is not None
        status = dict(line.split(":", 1) for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines())
        return tuple(int(status[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM"))  # type: ignore[return-value]

    def stop(self, log_to: Path | None) -> None:
        """Stop it; with `log_to`, keep its log there, each line stamped with seconds since the start."""
        if log_to is not None:
            log_to.write_text("".join(f"{t - self.started:9.3f} {line}\n" for t, line in self.lines.since(0)))
        self.close()


def all_synced(count: int) -> Callable[[dict[str, dict[str, Any]]], bool]:
    return lambda apps: len(apps) >= count and all(map(synced_and_healthy, apps.values()))


def rendered_entries(work: Path) -> int:
    """Entries in the render cache: each is one render (a hit writes none)."""
    folder = work / "cache" / "rendered"
    return sum(1 for _ in folder.rglob("*.pickle")) if folder.exists() else 0


# -- the GitOps repository ---------------------------------------------------------------------------------------------
def publish(clone: Path, remote: Path, branch: str) -> None:
    """Commit `clone` as it is and push it to a new bare `remote`, which CI pushes to from now on."""
    git(clone, "init", "-q", "-b", branch)
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "initial")
    git(clone.parent, "clone", "-q", "--bare", str(clone), str(remote))
    git(clone, "remote", "add", "origin", str(remote))


def staging_repo(work: Path) -> Path:
    """examples/ copied, staging's wavecd.yaml pointed at a bare remote with a GitHub webhook secret;
    returns CI's clone (the staging folder)."""
    shutil.copytree(EXAMPLES, work / "examples")
    staging = work / "examples" / "staging"
    remote = work / "remote.git"
    config = staging / "wavecd.yaml"
    text = config.read_text()
    if "    path: .\n" not in text or "    worktree: true\n" not in text:
        sys.exit("examples/staging/wavecd.yaml no longer maps the repository to `path: .` with `worktree: true`")
    text = text.replace("    path: .\n", f"    path: {remote}\n").replace("    worktree: true\n", "")
    config.write_text(text + f"\nwebhook:\n  github:\n    secret: {SECRET}\n")
    publish(staging, remote, BRANCH)
    return staging


def push_bump(staging: Path, number: int) -> str:
    """Bump the seat apps' image tag to one never pushed before (a tag seen before would be a render cache
    hit, which CI's bumps never are), commit, push; the new commit."""
    values = staging / VALUES
    text = values.read_text()
    if TAG_LINE.search(text) is None:
        sys.exit(f"{VALUES} no longer holds an image tag line")
    values.write_text(TAG_LINE.sub(f'  tag: "2.3.{number}-b{os.getpid()}-{time.time_ns()}"', text, count=1))
    git(staging, "commit", "-q", "-am", f"seat: bump ({number})")
    git(staging, "push", "-q", "origin", BRANCH)
    return git(staging, "rev-parse", "HEAD")


def github_push(
    sha: str, repo_url: str = REPO_URL, branch: str = BRANCH, files: tuple[str, ...] = (VALUES,)
) -> tuple[dict[str, str], bytes]:
    """The headers and body of GitHub's push webhook, signed with SECRET."""
    body = json.dumps(
        {
            "ref": f"refs/heads/{branch}",
            "after": sha,
            "repository": {"html_url": repo_url.removesuffix(".git"), "default_branch": "main"},
            "commits": [{"id": sha, "added": [], "modified": list(files), "removed": []}],
        }
    ).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"X-GitHub-Event": "push", "X-Hub-Signature-256": signature, "Content-Type": "application/json"}, body


def seat_apps_at(sha: str) -> Callable[[dict[str, dict[str, Any]]], bool]:
    return apps_at(sha, SEAT_APPS)


def apps_at(sha: str, names: tuple[str, ...]) -> Callable[[dict[str, dict[str, Any]]], bool]:
    def check(apps: dict[str, dict[str, Any]]) -> bool:
        return all(_at(apps[name], sha) and synced_and_healthy(apps[name]) for name in names)

    return check


def _at(app: dict[str, Any], sha: str) -> bool:
    sync = (app.get("status") or {}).get("sync") or {}
    return sha in (sync.get("revision", ""), *(sync.get("revisions") or []))


# -- push: webhook -> both seat apps Synced and Healthy ----------------------------------------------------------------
def _first(lines: list[tuple[float, str]], match: Callable[[str], bool]) -> float | None:
    return next((t for t, line in lines if match(line)), None)


def _last_of_seats(lines: list[tuple[float, str]], match: Callable[[str, str], bool]) -> float | None:
    """When the later of the two seat apps' lines matching `match(line, app)` arrived."""
    times = [_first(lines, lambda line, app=app: match(line, app)) for app in SEAT_APPS]
    return None if None in times else max(t for t in times if t is not None)


def one_push(serve: Serve, sim: Sim, staging: Path, number: int) -> dict[str, float | None]:
    """Push, send one webhook, wait for both seat apps; seconds from the webhook to each step, and the
    requests the cluster answered meanwhile (counts a loaded machine does not blur, as it blurs seconds)."""
    sha = push_bump(staging, number)
    headers, body = github_push(sha)
    served = len(sim.requests())
    cpu = serve.cpu_seconds()
    start = time.monotonic()
    response = serve.api.post("/api/webhook", headers=headers, content=body)
    if response.status_code != 200:
        sys.exit(f"the webhook was refused: {response.status_code} {response.text}")
    # Read every 50 ms: at wait_for's default half second, the wait for the next read was a fifth of the time.
    done = serve.wait_for(
        "the seat apps at the pushed commit", seat_apps_at(sha), timeout=120, every=0.05, names=SEAT_APPS
    )
    cpu = serve.cpu_seconds() - cpu
    requests = sim.requests()[served:]
    lines = serve.lines.since(start)
    walked = _first(lines, lambda line: line.startswith("walk: "))
    recorded = _last_of_seats(lines, lambda line, app: line.startswith(f"{app}: "))
    synced = _last_of_seats(lines, lambda line, app: line.startswith(f"{app} (wave ") and ": Synced, " in line)
    walk = next((WALK.search(line) for _, line in lines if WALK.search(line)), None)
    return {
        "total": done - start,
        "walk": None if walked is None else walked - start,
        "recorded": None if recorded is None else recorded - start,
        "synced": None if synced is None else synced - start,
        "cpu": cpu,
        "walk_seconds": float(walk.group(5)) if walk else None,
        "rendered": float(walk.group(2)) if walk else None,
        "requests": len(requests),
        "dry_runs": sum(r["method"] == "PATCH" and "dryRun=All" in r["path"] for r in requests),
    }


def _stats(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return f"{'-':>22}"
    return f"{statistics.median(known):7.2f} {min(known):6.2f} {max(known):6.2f}  "


def push_bench(runs: int, burst: int, burst_seconds: float, log_to: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="wavecd-bench-ctl-") as folder:
        work = Path(folder)
        staging = staging_repo(work)
        with sim_server(work) as sim:
            serve = Serve(staging / "root-staging.yaml", sim.kubeconfig, work, "--poll", "0")
            try:
                up = serve.up
                synced = serve.wait_for("every app Synced and Healthy", all_synced(46), timeout=600, every=0.2)
                print(
                    f"examples/staging (46 apps): API up after {up:.1f} s, every app Synced and Healthy after "
                    f"{synced - serve.started:.1f} s, {serve.cpu_seconds():.1f} CPU s\n"
                )
                time.sleep(3)  # the catch-up reconciles of the first sync land
                results = [one_push(serve, sim, staging, number) for number in range(runs)]
                _push_table(results)
                if burst:
                    burst_bench(serve, staging, work, runs, burst, burst_seconds, results)
            finally:
                serve.stop(log_to)


def _push_table(results: list[dict[str, float | None]]) -> None:
    print(f"push: one signed webhook -> both seat apps Synced and Healthy at the commit ({len(results)} pushes)")
    print(f"  {'seconds from the webhook to':40} {'median':>7} {'min':>6} {'max':>6}")
    steps = [
        ("the walk done (`walk:` logged)", "walk"),
        ("both auto-sync operations recorded", "recorded"),
        ("both syncs finished (logged)", "synced"),
        ("the API shows both Synced+Healthy", "total"),
        ("controller CPU s over that time", "cpu"),
        ("the walk itself (its log line)", "walk_seconds"),
        ("requests the cluster answered", "requests"),
        ("of which dry runs", "dry_runs"),
    ]
    for label, key in steps:
        print(f"  {label:40} {_stats([r[key] for r in results])}")
    print(f"  apps rendered by each walk: {sorted({int(r['rendered'] or 0) for r in results})}\n")


# -- burst: many webhooks for one push ---------------------------------------------------------------------------------
def burst_bench(
    serve: Serve,
    staging: Path,
    work: Path,
    number: int,
    count: int,
    seconds: float,
    single: list[dict[str, float | None]],
) -> None:
    sha = push_bump(staging, number)
    headers, body = github_push(sha)
    entries = rendered_entries(work)
    cpu = serve.cpu_seconds()
    start = time.monotonic()
    statuses: list[int] = []
    for index in range(count):
        due = start + index * seconds / count
        time.sleep(max(0.0, due - time.monotonic()))
        statuses.append(serve.api.post("/api/webhook", headers=headers, content=body).status_code)
    sent = time.monotonic() - start
    serve.wait_for("the seat apps at the pushed commit", seat_apps_at(sha), timeout=300, names=SEAT_APPS)
    _quiet(serve, 3.0)
    lines = serve.lines.since(start)
    walks = [WALK.search(line) for _, line in lines]
    walks = [w for w in walks if w]
    accepted = sum(1 for s in statuses if s == 200)
    print(f"burst: {count} signed webhooks for one push over {sent:.1f} s ({accepted} answered 200)")
    renders = rendered_entries(work) - entries
    affected = sum(int(w.group(4)) for w in walks)
    print(f"  walks: {len(walks)}; apps rendered by them: {[int(w.group(2)) for w in walks]}")
    print(f"  apps the walks found changed: {[int(w.group(4)) for w in walks]}")
    print(
        f"  renders caused (render cache entries added by walks, reconciles and syncs): {renders} for {affected} "
        f"apps affected = {renders / max(affected, 1):.1f} per affected app"
    )
    print(f"  controller CPU s from the first webhook until quiet: {serve.cpu_seconds() - cpu:.1f}")
    print(f"  one webhook's walk, for comparison: {sorted({int(r['rendered'] or 0) for r in single})} rendered\n")


def _quiet(serve: Serve, seconds: float) -> None:
    """Wait until the controller has logged nothing for `seconds`."""
    while True:
        time.sleep(seconds / 3)
        lines = serve.lines.since(time.monotonic() - seconds)
        if not lines:
            return


# -- idle: the controller of a synthetic tree, synced and left alone ---------------------------------------------------
def _settle(serve: Serve, window: float = 5.0, share: float = 0.1, limit: float = 900.0) -> float:
    """Seconds until the controller used under `share` of one core over `window`: after every app shows
    Synced and Healthy, the sim still finishes rollouts and each status update it writes is a reconcile
    (which logs nothing when nothing changed)."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        cpu = serve.cpu_seconds()
        time.sleep(window)
        if serve.cpu_seconds() - cpu < share * window:
            break
    return time.monotonic() - start


def synthetic_gitops(work: Path, apps: int) -> Path:
    """The synthetic tree in a git repository with a bare remote that wavecd.yaml maps its URL to; ROOT."""
    repo = synthetic_repo(work / "synthetic", apps, automated=True)
    remote = work / "synthetic.git"
    (repo / "wavecd.yaml").write_text(
        yaml.safe_dump(
            {
                "root": "root.yaml",
                "repositories": [{"url": SYNTHETIC_URL, "path": str(remote)}],
                "webhook": {"github": {"secret": SECRET}},
            }
        )
    )
    publish(repo, remote, "main")
    return repo / "root.yaml"


def idle_bench(apps: int, seconds: float, windows: int, poll: str, log_to: Path | None, keep: Path | None) -> None:
    """With `keep`, the repository, the render cache and the sim's objects live there: the first run syncs
    the tree from nothing, the next ones restart both processes on the synced cluster (the controller's
    first pass then reconciles every app once: the per-reconcile requests are counted from it)."""
    with ExitStack() as stack:
        work = keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wavecd-bench-ctl-")))
        work.mkdir(parents=True, exist_ok=True)
        reused = (work / "synthetic.git").exists()
        if reused and (work / "apps").read_text() != str(apps):
            sys.exit(f"{work} holds a tree of {(work / 'apps').read_text()} apps, not {apps}")
        root = work / "synthetic" / "root.yaml" if reused else synthetic_gitops(work, apps)
        (work / "apps").write_text(str(apps))
        with sim_server(work, work / "sim.db" if keep else None) as sim:
            serve = Serve(root, sim.kubeconfig, work, "--poll", poll, timeout=1800)
            try:
                up = serve.up
                cpu_up, served_up = serve.cpu_seconds(), len(sim.requests())
                synced = serve.wait_for(
                    f"the {apps}-app tree Synced and Healthy", all_synced(apps + 1), timeout=7200, every=2.0
                )
                sync_cpu = serve.cpu_seconds()
                settle = _settle(serve)
                first_pass = sim.requests()[served_up:]
                rss, _ = serve.memory_mb()
                measured = [_idle_window(serve, sim, seconds) for _ in range(windows)]
                rss_after, hwm_after = serve.memory_mb()
                walks = [m for _, line in serve.lines.since(serve.started) if (m := WALK.search(line))]
                print(f"idle: the synthetic tree of {apps} apps x 20 objects, `--poll {poll}`")
                if reused:
                    print(f"  (restarted on the tree synced in {work}: the first pass reconciles every app)")
                print(f"  API up (first walk) after        {up:8.1f} s wall, {cpu_up:7.1f} CPU s")
                print(
                    f"  every app Synced and Healthy after {synced - serve.started:6.1f} s wall, "
                    f"{sync_cpu:7.1f} CPU s (controller)"
                )
                print(
                    f"  settled (a 5 s window under 10% of a core) {settle:.0f} s later: the reconciles of the "
                    "sim's last status updates"
                )
                print(
                    f"  requests from the API up until settled: {len(first_pass)} ({by_method(first_pass)}), "
                    f"{len(first_pass) / (apps + 1):.1f} per app"
                )
                print(
                    f"  walks so far: {len(walks)}, seconds each: {[float(w.group(5)) for w in walks]}, "
                    f"rendered: {[int(w.group(2)) for w in walks]}"
                )
                print(f"  idle, {windows} windows of {seconds:.0f} s, % of one core (median; each window):")
                for label, index in (("controller", 0), ("sim", 1)):
                    shares = [float(w[index]) for w in measured]
                    each = ", ".join(f"{share:.2f}" for share in shares)
                    print(f"    {label:10} {statistics.median(shares):6.2f}%  ({each})")
                idle_requests = [r for w in measured for r in w[2]]
                print(f"  requests while idle: {len(idle_requests)} ({by_method(idle_requests)})")
                print(f"  RSS {rss:.0f} MB idle at first, {rss_after:.0f} MB at its end, peak {hwm_after:.0f} MB")
                print(f"  render cache entries: {rendered_entries(work)}")
                push_one_app(serve, root.parent, work, sim)
            finally:
                serve.stop(log_to)


def _idle_window(serve: Serve, sim: Sim, seconds: float) -> tuple[float, float, list[dict[str, Any]]]:
    """% of one core the controller and the sim used over `seconds` of wall time, and the requests served."""
    controller, cluster, served, start = serve.cpu_seconds(), sim.cpu_seconds(), len(sim.requests()), time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - start
    shares = 100 * (serve.cpu_seconds() - controller) / wall, 100 * (sim.cpu_seconds() - cluster) / wall
    return *shares, sim.requests()[served:]


def push_one_app(serve: Serve, repo: Path, work: Path, sim: Sim) -> None:
    """Change one app's ConfigMap, push, send one webhook; time it until that app is Synced at the commit."""
    file = "services/svc-0000/configmaps.yaml"
    path = repo / file
    text = path.read_text()
    old, new = ("LOG_LEVEL: info", "LOG_LEVEL: debug") if "LOG_LEVEL: info" in text else ("LOG_LEVEL: debug", "")
    path.write_text(text.replace(old, new or "LOG_LEVEL: info", 1))
    served = len(sim.requests())
    git(repo, "commit", "-q", "-am", f"svc-0000: {new or 'LOG_LEVEL: info'}")
    git(repo, "push", "-q", "origin", "main")
    sha = git(repo, "rev-parse", "HEAD")
    headers, body = github_push(sha, SYNTHETIC_URL, "main", (file,))
    entries, cpu, start = rendered_entries(work), serve.cpu_seconds(), time.monotonic()
    response = serve.api.post("/api/webhook", headers=headers, content=body)
    if response.status_code != 200:
        sys.exit(f"the webhook was refused: {response.status_code} {response.text}")
    done = serve.wait_for("svc-0000 at the pushed commit", apps_at(sha, ("svc-0000",)), 1800, 0.1, ("svc-0000",))
    cpu = serve.cpu_seconds() - cpu
    lines = serve.lines.since(start)
    walk = next((m for _, line in lines if (m := WALK.search(line))), None)
    walked = _first(lines, lambda line: line.startswith("walk: "))
    print("  one push changing one app's ConfigMap, one webhook:")
    print(
        f"    webhook -> svc-0000 Synced and Healthy {done - start:.1f} s wall, {cpu:.1f} CPU s; the walk done "
        f"after {(walked or start) - start:.1f} s: {walk.group(0) if walk else 'no walk logged'}"
    )
    print(f"    render cache entries added: {rendered_entries(work) - entries}")
    requests = sim.requests()[served:]
    print(f"    requests: {len(requests)} ({by_method(requests)})")


# -- profile: where a walk's time goes ---------------------------------------------------------------------------------
def profile_walk(apps: int, top: int) -> None:
    """The controller's walk of the synthetic tree in this process, under cProfile: cold (every app rendered,
    in worker processes cProfile does not see), again at the same commit (every app from the render cache,
    as the walks of a webhook burst), and after a push (every app rendered again), then `changed_apps`."""
    from wavecd.apps.session import TreeRequest
    from wavecd.server.tree_state import changed_apps, walk

    with tempfile.TemporaryDirectory(prefix="wavecd-bench-ctl-") as folder:
        work = Path(folder)
        root = synthetic_gitops(work, apps)
        os.environ["WAVECD_CACHE_DIR"] = str(work / "cache")
        request = TreeRequest(root=root)
        timed: list[tuple[str, float, float, cProfile.Profile]] = []

        def run(label: str, step: Callable[[], Any]) -> Any:
            profile = cProfile.Profile()
            wall, cpu = time.perf_counter(), time.process_time()
            result = profile.runcall(step)
            timed.append((label, time.perf_counter() - wall, time.process_time() - cpu, profile))
            return result

        cold = run("walk, cold", lambda: walk(request))
        cached = run("walk, same commit (all from cache)", lambda: walk(request))
        run("changed_apps (fingerprints of both walks)", lambda: changed_apps(cold, cached))
        path = root.parent / "services" / "svc-0000" / "configmaps.yaml"
        path.write_text(path.read_text().replace("LOG_LEVEL: info", "LOG_LEVEL: debug", 1))
        git(root.parent, "commit", "-q", "-am", "svc-0000: debug logs")
        git(root.parent, "push", "-q", "origin", "main")
        pushed = run("walk after a push changing one app", lambda: walk(request))
        changed = run("changed_apps after the push", lambda: changed_apps(cached, pushed))
    print(f"the controller's walk of the synthetic tree of {apps} apps, in-process (CPU s: this process only)")
    for label, wall, cpu, _ in timed:
        print(f"  {label:44} {wall:7.2f} s wall {cpu:7.2f} CPU s")
    print(f"  apps changed by the push: {len(changed)}; rendered by its walk: {pushed.session.tree.rendered}\n")
    for label, _, _, profile in timed[1:3]:
        print(f"--- {label}: top {top} by own time")
        pstats.Stats(profile).sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="pushes timed")
    parser.add_argument("--apps", type=int, default=1000, help="apps of the synthetic tree watched idle")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of each idle window measured")
    parser.add_argument("--windows", type=int, default=3, help="idle windows measured (their median is shown)")
    parser.add_argument("--poll", default="3m", help="the idle controller's --poll")
    parser.add_argument("--burst", type=int, default=200, help="webhooks in the burst (0: none)")
    parser.add_argument("--burst-seconds", type=float, default=10.0)
    parser.add_argument("--only", default="push,burst,idle", help="which of push,burst,idle to run")
    parser.add_argument("--keep", type=Path, help="idle: keep the synced tree and cluster here, reuse it next time")
    parser.add_argument("--logs", type=Path, help="keep the controllers' logs in this folder")
    parser.add_argument("--profile-walk", type=int, metavar="N", help="profile the walk of an N-app tree instead")
    parser.add_argument("--top", type=int, default=15, help="functions listed by --profile-walk")
    parser.add_argument("--quick", action="store_true", help="3 pushes, 30 s idle")
    args = parser.parse_args()
    if args.profile_walk:
        profile_walk(args.profile_walk, args.top)
        return
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
    runs, idle = (3, 30.0) if args.quick else (args.runs, args.idle)
    only = set(args.only.split(","))
    print(
        f"wavecd serve benchmark ({os.cpu_count()} CPUs): `wavecd sim serve --speed {SIM_SPEED:g}` (simulated "
        "delays zero), ARGOCD_SYNC_WAVE_DELAY=0, both as subprocesses; CPU is the controller's own\n",
        flush=True,
    )
    if only & {"push", "burst"}:
        log = args.logs / "staging.log" if args.logs else None
        push_bench(runs if "push" in only else 1, args.burst if "burst" in only else 0, args.burst_seconds, log)
    if "idle" in only:
        idle_bench(
            args.apps,
            idle,
            args.windows,
            args.poll,
            args.logs / f"synthetic-{args.apps}.log" if args.logs else None,
            args.keep,
        )


if __name__ == "__main__":
    main()
