"""Record what the REAL helm does with a chart whose dependency comes from a Helm repository.

Writes into `tests/helm/data/depbuild/`:
- `repo/`: the dependency `sub` at 0.1.0 and 0.2.0, packaged by `helm package` from `sub/` (VERSION filled in),
  and its `index.yaml` by `helm repo index` (relative URLs, so any server can serve it);
- `parent/Chart.lock`: written by `helm dependency update` while the repository held only 0.1.0, so that it
  pins an older version than the highest;
- `legacy/requirements.lock`: the same for an `apiVersion: v1` chart (requirements.yaml, an alias);
- `expected/<mode>/locked.out` and `latest.out`: `helm template rel parent` after `helm repo add` and
  `helm dependency build` (Argo CD's steps) with that lock, and without it (the highest version `>=0.1.0`
  accepts, 0.2.0); `legacy.out`: the v1 chart with its requirements.lock.

Helm reaches the repository at its fixed URL `http://charts.wavecd.invalid/stable` through a loopback HTTP proxy
(`HTTP_PROXY`), so the digest in Chart.lock does not depend on a port. Run: `python tools/golden_depbuild.py`.
"""

from __future__ import annotations

import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "helm" / "data" / "depbuild"
REPO_URL = "http://charts.wavecd.invalid/stable"
VERSIONS = ("0.1.0", "0.2.0")
sys.path.insert(0, str(ROOT / "tools"))

import golden  # noqa: E402
import realhelm  # noqa: E402


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """A proxy that answers `GET http://charts.wavecd.invalid/stable/<file>` from `folder`."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            path = urllib.parse.urlsplit(self.path).path
            target = folder / path.removeprefix("/stable/")
            if not path.startswith("/stable/") or not target.is_file():
                self.send_response(404)
                self.end_headers()
                return
            body = target.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def helm(binary: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run([str(binary), *args], env=env, capture_output=True, timeout=300, check=False)
    if done.returncode:
        raise SystemExit(f"helm {' '.join(args)} failed: {done.stderr.decode()}")
    return done


def package(binary: Path, env: dict[str, str], work: Path, version: str, into: Path) -> None:
    source = work / f"sub-{version}"
    shutil.copytree(DATA / "sub", source)
    for name in ("Chart.yaml", "values.yaml"):
        path = source / name
        path.write_text(path.read_text().replace("VERSION", version))
    helm(binary, env, "package", str(source), "--destination", str(into))


def main() -> None:
    binaries = {mode: realhelm.helm_path(mode) for mode in realhelm.REFERENCE_MODES}
    with tempfile.TemporaryDirectory(prefix="wavecd-golden-depbuild-") as tmp:
        work = Path(tmp)
        env = golden.hermetic_env(work / "home")
        repo = DATA / "repo"
        shutil.rmtree(repo, ignore_errors=True)
        repo.mkdir()
        for version in VERSIONS:
            package(binaries["v4"], env, work, version, repo)
        helm(binaries["v4"], env, "repo", "index", str(repo))
        old = work / "old-repo"
        old.mkdir()
        shutil.copy(repo / "sub-0.1.0.tgz", old)
        helm(binaries["v4"], env, "repo", "index", str(old))

        server, proxy = serve(old)
        for name, lock in (("parent", "Chart.lock"), ("legacy", "requirements.lock")):
            chart = work / "lock" / name
            shutil.copytree(DATA / name, chart, ignore=shutil.ignore_patterns(lock, "charts"))
            helm(binaries["v4"], {**env, "HTTP_PROXY": proxy}, "dependency", "update", str(chart))
            shutil.copy(chart / lock, DATA / name / lock)
        server.shutdown()

        server, proxy = serve(repo)
        for mode, binary in binaries.items():
            home = work / f"home-{mode}"
            run_env = {**golden.hermetic_env(home), "HTTP_PROXY": proxy}
            # as Argo CD's repo-server does before `helm dependency build` (which needs every repository added)
            helm(binary, run_env, "repo", "add", "stable", REPO_URL)
            for case, name, ignore in (
                ("locked", "parent", ("charts",)),
                ("latest", "parent", ("charts", "Chart.lock")),
                ("legacy", "legacy", ("charts",)),
            ):
                chart = work / mode / case / name
                shutil.copytree(DATA / name, chart, ignore=shutil.ignore_patterns(*ignore))
                helm(binary, run_env, "dependency", "build", str(chart))
                out = helm(binary, run_env, "template", "rel", str(chart)).stdout
                target = DATA / "expected" / mode / f"{case}.out"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(out)
                print(f"{mode} {case}: {len(out)} bytes")
        server.shutdown()


if __name__ == "__main__":
    main()
