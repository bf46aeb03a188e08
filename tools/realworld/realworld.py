"""Compare wavecd's `helm template` with real helm on real-world charts (never committed).

Given a folder of fetched chart repositories (git directories without work trees, e.g. the
`/work/.mirror/<owner>+<name>/repo` layout the fetch tool produces), this:

1. extracts the chart folders of every repository there (CHART_ROOTS says where known ones keep them;
   others are searched whole; NOT_CHART_REPOS are skipped) into `~/.cache/wavecd/realworld/charts/<repo>/`
   (re-extracted only when the repository's HEAD commit or VENDORING changed);
2. vendors missing dependencies into each chart's `charts/` from the same set of repositories, as
   `helm dependency build` would from their chart repositories: `file://` paths first, else the highest
   version satisfying the constraint, from the repositories of the owner the dependency's `repository` URL
   names (any repository when it names none), among the packaged charts of `gh-pages` branches, the chart folders
   at HEAD, the versions a chart folder had in its git history, and (RELEASED_BY_TAG) a chart packaged at
   each release tag with the tag as its version. When nothing satisfies a constraint the newest is vendored
   and the run says so (`vendored-unmet` lines);
3. for every application chart × (defaults + each values file it ships, see value_sets), renders with
   real helm v4 and v3 and with wavecd (`--helm-compat v4|v3`), and prints per case: identical stdout
   (both exit 0), different, or both failing with the same/different first error line (the first
   `Error:` line: log lines helm prints before failing are not the error); then totals per mode, per
   repository, and how many exit-0 cases also printed the same warnings on stderr. Lines where two helm
   runs of the same case differ (random passwords, generated certificates, the clock) are masked in both.

Diffs of differing cases are written to `~/.cache/wavecd/realworld/diffs/<mode>/` and a JSON summary to
`~/.cache/wavecd/realworld/report.json`.

Usage: python tools/realworld/realworld.py [--mirrors /work/.mirror] [--repo SUBSTR ...] [--chart SUBSTR ...]
       [--mode v4|v3] [--jobs 2] [--wavecd-src SNAPSHOT_OF_SRC]
"""

from __future__ import annotations

import argparse
import difflib
import functools
import io
import itertools
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tarfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import realhelm  # noqa: E402

# Where each known repository keeps its charts; other repositories are searched whole.
CHART_ROOTS: dict[str, tuple[str, ...]] = {
    "prometheus-community+helm-charts": ("charts/",),
    "grafana+helm-charts": ("charts/",),
    "argoproj+argo-helm": ("charts/",),
    "kubernetes+ingress-nginx": ("charts/",),
    "cert-manager+cert-manager": ("deploy/charts/",),
    "external-secrets+external-secrets": ("deploy/charts/",),
    "kubernetes-sigs+external-dns": ("charts/",),
    "open-telemetry+opentelemetry-helm-charts": ("charts/",),
    "kyverno+kyverno": ("charts/",),
    "kyverno+policy-reporter": ("charts/",),
    "aws+karpenter-provider-aws": ("charts/",),
    "istio+istio": ("manifests/charts/",),
    "bitnami+charts": ("bitnami/",),
    "DandyDeveloper+charts": ("charts/",),
    "grafana-community+helm-charts": ("charts/",),
    "elastic+helm-charts": ("",),
    "opensearch-project+helm-charts": ("charts/",),
    "minio+minio": ("helm/",),
    "minio+charts": ("minio/",),
    "grafana+oncall": ("helm/",),
    "external-secrets+bitwarden-sdk-server": ("deploy/charts/",),
    "kyverno+reports-server": ("charts/",),
    "openreports+reports-api": ("charts/",),
    "grafana+alloy": ("operations/helm/charts/",),
    "grafana+loki": ("production/helm/",),
    "traefik+traefik-helm-chart": ("traefik/", "hub-manager/"),
    "hashicorp+vault-helm": ("",),
    "kedacore+charts": ("keda/", "http-add-on/", "external-scaler-azure-cosmos-db/"),
    "vmware-tanzu+helm-charts": ("charts/",),
    "fluent+helm-charts": ("charts/",),
    "kubernetes+autoscaler": ("cluster-autoscaler/charts/", "vertical-pod-autoscaler/charts/"),
    "kubernetes-sigs+metrics-server": ("charts/",),
    "aws+eks-charts": ("stable/",),
    "jaegertracing+helm-charts": ("charts/",),
    "kiali+helm-charts": ("kiali-operator/", "kiali-server/"),
    "jenkinsci+helm-charts": ("charts/",),
    "longhorn+longhorn": ("chart/",),
    "crossplane+crossplane": ("cluster/charts/",),
    "open-policy-agent+gatekeeper": ("charts/",),
    "falcosecurity+charts": ("charts/",),
    "aquasecurity+trivy-operator": ("deploy/helm/",),
    "goharbor+harbor-helm": ("",),
    "hashicorp+consul-k8s": ("charts/",),
    "Kong+charts": ("charts/",),
    "envoyproxy+gateway": ("charts/",),
    "cloudnative-pg+charts": ("charts/",),
    "bitnami-labs+sealed-secrets": ("helm/",),
    "stakater+Reloader": ("deployments/kubernetes/chart/",),
    "kubernetes-sigs+aws-ebs-csi-driver": ("charts/",),
    "kubernetes-sigs+descheduler": ("charts/",),
    "linkerd+linkerd2": ("charts/", "multicluster/charts/", "viz/charts/"),
}
# Mirrored repositories that hold no deployable charts of their own (test fixtures only); every other
# mirrored repository not in CHART_ROOTS is searched whole for charts.
NOT_CHART_REPOS = {"helm+helm", "argoproj+argo-cd", "argoproj+gitops-engine", "kyverno+api"}
# Repositories whose release packages a chart folder at each `v*` tag with `helm package --version <tag>
# --app-version <tag>` (the Chart.yaml in git keeps a placeholder version): chart folder per repository.
RELEASED_BY_TAG: dict[str, str] = {"external-secrets+bitwarden-sdk-server": "deploy/charts/bitwarden-sdk-server"}
# Files outside the chart folders that charts reach through symlinks (karpenter's crds/ link into pkg/).
EXTRA_PATHS: dict[str, tuple[str, ...]] = {"aws+karpenter-provider-aws": ("pkg/apis/crds/",)}
SKIP_PARTS = {
    "templates",
    "testdata",
    "test",
    "tests",
    "examples",
    "example",
    "hack",
    "ci",
    "fixtures",
    "test_fixtures",
    "e2e",
}
MODES = ("v4", "v3")  # rendered by default; v4.2 (helm 4.2.2) on request with --mode v4.2
ALL_MODES = (*MODES, "v4.2")
RELEASE, NAMESPACE = "release", "realworld"
TIMEOUT = 180
MEMORY_LIMIT = 4 << 30
# Rendered last: many similar charts (and a shared `common` library) that say less per minute spent.
LAST_REPOS = ("bitnami+charts",)
# Part of each extraction's stamp: changing how dependencies are vendored re-extracts every repository.
VENDORING = "vendoring-6"
MASK = b"<nondeterministic line: differs between two helm runs>"


@dataclass(frozen=True)
class Result:
    stdout: bytes
    stderr: bytes
    rc: int


@dataclass
class CaseReport:
    repo: str
    chart: str
    values: str
    mode: str
    verdict: str
    helm_rc: int = 0
    wavecd_rc: int = 0
    helm_first_error: str = ""
    wavecd_first_error: str = ""
    # Both exited 0: whether stderr (warnings, e.g. deprecated chart, symlinks) was the same too.
    stderr_same: bool | None = None


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "wavecd" / "realworld"


def git(git_dir: Path, *args: str) -> bytes:
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True, check=True).stdout


def head_commit(git_dir: Path) -> str:
    """The commit HEAD names; `HEAD^{commit}` is unambiguous even where a branch or tag is called HEAD."""
    return git(git_dir, "rev-parse", "--verify", "HEAD^{commit}").decode().strip()


def find_git_dirs(mirrors: Path) -> dict[str, Path]:
    """Repository name → git directory, for `<name>/repo`, `<name>.git` and bare `<name>` layouts."""
    found: dict[str, Path] = {}
    for entry in sorted(mirrors.iterdir()):
        for candidate in (entry / "repo", entry):
            if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
                found[entry.name.removesuffix(".git")] = candidate
                break
    return found


def chart_dirs_in(git_dir: Path, repo: str, commit: str) -> list[str]:
    """Paths of chart roots in the repository (folders holding a Chart.yaml; vendored subcharts, test
    fixtures and hidden folders excluded); "." for a chart at the repository root."""
    names = git(git_dir, "ls-tree", "-r", "--name-only", commit).decode().splitlines()
    roots = CHART_ROOTS.get(repo, ("",))
    charts = []
    for name in names:
        root = next((r for r in roots if name.startswith(r)), None)
        if root is None or not (name == "Chart.yaml" or name.endswith("/Chart.yaml")):
            continue
        folder = name[: -len("Chart.yaml")].rstrip("/")
        parts = folder.split("/") if folder else []
        inside = parts[len(root.strip("/").split("/")) if root else 0 :]
        if SKIP_PARTS & set(parts) or "charts" in inside or any(p.startswith(".") for p in parts):
            continue
        charts.append(folder or ".")
    return sorted(charts)


def extract(git_dir: Path, repo: str, target: Path) -> list[Path]:
    """Extract the repository's chart folders into target (skipped when HEAD is unchanged)."""
    commit = head_commit(git_dir)
    charts = chart_dirs_in(git_dir, repo, commit)
    extra = EXTRA_PATHS.get(repo, ())
    stamp = " ".join([commit, VENDORING, *extra])
    marker = target / ".wavecd-commit"
    if not (marker.is_file() and marker.read_text() == stamp):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        if charts:
            write_tree(git_dir, commit, [*charts, *extra], target)
        marker.write_text(stamp)
    return [target / c for c in charts if (target / c / "Chart.yaml").is_file()]


def write_tree(git_dir: Path, commit: str, paths: list[str], target: Path) -> None:
    """Write the files under paths at commit into target. A mirror snapshot may lack its largest blobs
    (test snapshots, binaries): `git archive` then fails, and the files that are there are written one
    by one, the absent ones left out."""
    try:
        archive = git(git_dir, "archive", "--format=tar", commit, "--", *paths)
    except subprocess.CalledProcessError:
        archive = b""
    if archive:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter="tar")
        return
    listing = git(git_dir, "ls-tree", "-r", "-z", commit, "--", *paths).decode().split("\0")
    entries = [
        (meta.split()[0], meta.split()[2], path)
        for meta, _, path in (line.partition("\t") for line in listing if line)
        if meta.split()[1] == "blob"
    ]
    batch = subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
        check=True,
        capture_output=True,
        input="".join(f"{oid}\n" for _, oid, _ in entries).encode(),
    ).stdout
    offset = 0
    for mode, _oid, path in entries:
        header_end = batch.index(b"\n", offset)
        header = batch[offset:header_end].split()
        offset = header_end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        data, offset = batch[offset : offset + size], offset + size + 1
        out = target / path
        out.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":
            out.symlink_to(data.decode())
        else:
            out.write_bytes(data)


def parse_chart_yaml(text: str | bytes) -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def read_chart_yaml(chart: Path) -> dict:
    try:
        return parse_chart_yaml((chart / "Chart.yaml").read_text(encoding="utf-8"))
    except OSError:
        return {}


def dependencies_of(chart: Path, meta: dict) -> list[dict]:
    deps = meta.get("dependencies")
    if deps is None and (chart / "requirements.yaml").is_file():
        try:
            deps = (yaml.safe_load((chart / "requirements.yaml").read_text(encoding="utf-8")) or {}).get("dependencies")
        except yaml.YAMLError:
            deps = None
    return [d for d in deps or [] if isinstance(d, dict) and d.get("name")]


@dataclass(frozen=True)
class Source:
    """Where a dependency's chart comes from; materialise() writes the chart folder to target."""

    version: str
    repo: str  # the mirrored repository, `owner+name`
    origin: str  # human-readable, for the vendoring log
    git_dir: Path | None = None
    ref: str = ""  # commit or branch in git_dir
    path: str = ""  # folder (history/tag sources) or .tgz file (packages) in ref; a local folder otherwise
    stamp: bool = False  # set version and appVersion to `version`, as `helm package --version --app-version`

    def materialise(self, target: Path) -> None:
        if self.git_dir is None:
            shutil.copytree(self.path, target, symlinks=True)
            return
        staging = target.parent / f".{target.name}.staging"
        shutil.rmtree(staging, ignore_errors=True)
        if self.path.endswith(".tgz"):
            data = git(self.git_dir, "show", f"{self.ref}:{self.path}")
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
                tar.extractall(staging, filter="tar")
            inner = next(p for p in staging.iterdir() if p.is_dir())
        else:
            write_tree(self.git_dir, self.ref, [self.path], staging)
            inner = staging / self.path
        shutil.move(inner, target)
        shutil.rmtree(staging, ignore_errors=True)
        if self.stamp:
            chart_yaml = target / "Chart.yaml"
            text = chart_yaml.read_text(encoding="utf-8")
            text = re.sub(r"(?m)^version:.*$", f"version: {self.version}", text)
            text = re.sub(r"(?m)^appVersion:.*$", f'appVersion: "{self.version}"', text)
            chart_yaml.write_text(text, encoding="utf-8")


PACKAGE = re.compile(r"^(?P<name>.+?)-(?P<version>v?\d+\.\d+\.\d+[^/]*)\.tgz$")


class DependencyIndex:
    """Every version of every chart the mirrored repositories can supply, looked up by chart name."""

    def __init__(self, repos: dict[str, Path], charts: list[tuple[str, Path]]) -> None:
        self.repos = repos
        self.by_name: dict[str, list[Source]] = {}
        self.searched_history: set[tuple[str, str]] = set()
        # (chart name, repo) → folders at HEAD: history looks there too when the folder has another name.
        self.head_folders: dict[tuple[str, str], list[str]] = {}
        self.log: list[str] = []
        for repo, chart in charts:
            meta = read_chart_yaml(chart)
            if meta.get("name"):
                name = str(meta["name"])
                self.add(name, Source(str(meta.get("version", "")), repo, f"{repo} HEAD", path=str(chart)))
                folder = chart.as_posix().partition(f"/charts/{repo}")[2].strip("/")
                self.head_folders.setdefault((name, repo), []).append(f"{folder}/" if folder else "")
        for repo, git_dir in repos.items():
            self._packages(repo, git_dir)
            if repo in RELEASED_BY_TAG:
                self._tags(repo, git_dir, RELEASED_BY_TAG[repo])

    def add(self, name: str, source: Source) -> None:
        self.by_name.setdefault(name, []).append(source)

    def _packages(self, repo: str, git_dir: Path) -> None:
        """Packaged charts on the repository's gh-pages branch (a classic chart repository)."""
        try:
            names = git(git_dir, "ls-tree", "-r", "--name-only", "refs/heads/gh-pages").decode().splitlines()
        except subprocess.CalledProcessError:
            return
        for name in names:
            match = PACKAGE.match(name.rsplit("/", 1)[-1])
            if match:
                self.add(
                    match["name"],
                    Source(match["version"], repo, f"{repo} gh-pages {name}", git_dir, "refs/heads/gh-pages", name),
                )

    def _tags(self, repo: str, git_dir: Path, folder: str) -> None:
        meta = parse_chart_yaml(git(git_dir, "show", f"HEAD:{folder}/Chart.yaml"))
        for tag in git(git_dir, "tag", "--list", "v*").decode().split():
            self.add(
                str(meta.get("name")),
                Source(
                    tag,
                    repo,
                    f"{repo} tag {tag} (packaged --version {tag})",
                    git_dir,
                    f"refs/tags/{tag}",
                    folder,
                    stamp=True,
                ),
            )

    def _history(self, name: str, owners: set[str]) -> None:
        """Versions a chart folder called `name` had in the git history of the owners' repositories
        (removed charts included: grafana's moved to other repositories)."""
        for repo, git_dir in self.repos.items():
            if (name, repo) in self.searched_history or (owners and owner_of(repo) not in owners):
                continue
            self.searched_history.add((name, repo))
            spec = [f":(glob){root}**/{name}/Chart.yaml" for root in CHART_ROOTS.get(repo, ("",))]
            spec += [f"{folder}Chart.yaml" for folder in self.head_folders.get((name, repo), [])]
            # --full-history: versions released from side branches are otherwise simplified away; tags hold
            # releases made from maintenance branches (elastic's 7.17).
            try:
                log = git(git_dir, "log", "--full-history", "--format=%H", "--name-only", "HEAD", "--tags", "--", *spec)
            except subprocess.CalledProcessError as error:
                self.log.append(f"history-unreadable {repo} {name}: {error.stderr.decode(errors='replace').strip()}")
                continue
            out = log.decode().split("\n")
            seen: set[tuple[str, str]] = set()
            commit = ""
            for line in out:
                if len(line) == 40 and "/" not in line:
                    commit = line
                elif line.strip() and commit:
                    try:
                        meta = parse_chart_yaml(git(git_dir, "show", f"{commit}:{line}"))
                    except subprocess.CalledProcessError:
                        continue  # the commit deleted it
                    key = (line, str(meta.get("version")))
                    if meta.get("name") == name and key not in seen:
                        seen.add(key)
                        folder = line.removesuffix("Chart.yaml").rstrip("/") or "."
                        self.add(name, Source(key[1], repo, f"{repo} {commit[:10]}:{line}", git_dir, commit, folder))

    def best(self, name: str, constraint: str, repository: str) -> Source | None:
        """The highest version satisfying constraint (Masterminds semantics via wavecd.semver) from the
        repositories of the owner the dependency's `repository` URL names; packaged charts win ties. Else
        the newest there is, logged as unmet (helm keeps it as a subchart anyway)."""
        owners = owners_of(repository)

        def candidates() -> list[Source]:
            found = self.by_name.get(name, [])
            mine = [c for c in found if owner_of(c.repo) in owners]
            return mine or found

        found = _best_match(candidates(), constraint)
        if found is None or not found[1]:
            self._history(name, owners)
            found = _best_match(candidates(), constraint)
        if found is None:
            self.log.append(f"vendored-missing {name} {constraint}: no chart of that name in the mirrors")
            return None
        source, met = found
        self.log.append(
            f"vendored{'' if met else '-unmet'} {name} {constraint} ({repository}) -> "
            f"{source.version} from {source.origin}"
        )
        return source


# Chart repositories that are not `https://<owner>.github.io/…` or `oci://ghcr.io/<owner>/…`: their owner.
REPOSITORY_OWNERS = {
    "oci://registry-1.docker.io/bitnamicharts": "bitnami",
    "https://charts.bitnami.com/bitnami": "bitnami",
    "https://charts.min.io": "minio",
    "https://helm.min.io": "minio",
    "https://helm.elastic.co": "elastic",
    "https://helm.releases.hashicorp.com": "hashicorp",
    "https://charts.jetstack.io": "cert-manager",
    "https://kubernetes.github.io/ingress-nginx": "kubernetes",
}


def owner_of(repo: str) -> str:
    return repo.split("+", 1)[0].lower()


def owners_of(repository: str) -> set[str]:
    """The GitHub owners whose repositories a chart repository URL serves (empty: unknown, search all)."""
    url = repository.strip().rstrip("/")
    if url in REPOSITORY_OWNERS:
        return {REPOSITORY_OWNERS[url]}
    match = re.match(r"https?://([\w-]+)\.github\.io\b", url) or re.match(r"oci://ghcr\.io/([\w-]+)/", url)
    return {match[1].lower()} if match else set()


def _best_match(candidates: list[Source], constraint: str) -> tuple[Source, bool] | None:
    from wavecd.semver import SemverError, parse_constraints, parse_version

    try:
        wanted = parse_constraints(str(constraint or "*"))
    except SemverError:
        wanted = None
    parsed = []
    for source in candidates:
        try:
            parsed.append((parse_version(source.version), source))
        except SemverError:
            continue
    matching = [item for item in parsed if wanted is None or wanted.check(item[0])]

    def order(a: tuple, b: tuple) -> int:
        return a[0].compare(b[0]) or (a[1].path.endswith(".tgz") - b[1].path.endswith(".tgz"))

    scored = sorted(matching or parsed, key=functools.cmp_to_key(order))
    return (scored[-1][1], bool(matching)) if scored else None


def vendor(chart: Path, index: DependencyIndex, depth: int = 0) -> None:
    """Copy missing dependencies into chart/charts/, recursively (as `helm dependency build` would)."""
    if depth > 6:
        return
    for dep in dependencies_of(chart, read_chart_yaml(chart)):
        name = str(dep["name"])
        charts_dir = chart / "charts"
        if (charts_dir / name).is_dir() or any(charts_dir.glob(f"{name}-*.tgz")):
            continue
        repository = str(dep.get("repository") or "")
        source: Source | None = None
        if repository.startswith("file://"):
            local = (chart / repository.removeprefix("file://")).resolve()
            # a chart inside its dependency's folder (`file://..`, a library's test chart) is not copied
            # into itself: helm would package the parent, here that would recurse without end
            inside = local == chart.resolve() or local in chart.resolve().parents
            if (local / "Chart.yaml").is_file() and not inside:
                source = Source("", "", "file://", path=str(local))
        if source is None:
            source = index.best(name, str(dep.get("version") or "*"), repository)
        if source is None or (source.git_dir is None and Path(source.path).resolve() == chart.resolve()):
            continue
        charts_dir.mkdir(exist_ok=True)
        source.materialise(charts_dir / name)
        vendor(charts_dir / name, index, depth + 1)


def value_sets(chart: Path) -> list[str]:
    """ "" for the chart's defaults plus each values file the chart ships for testing or variants:
    ci/*.yaml|yml, values-*.yaml, values.<variant>.yaml and values/*.yaml (paths relative to the chart)."""
    found = [
        *chart.glob("ci/*.yaml"),
        *chart.glob("ci/*.yml"),
        *chart.glob("values-*.yaml"),
        *chart.glob("values.*.yaml"),
        *chart.glob("values/*.yaml"),
    ]
    names = sorted({p.relative_to(chart).as_posix() for p in found if p.is_file()} - {"values.yaml"})
    return ["", *names]


def render_args(chart_rel: str, values: str) -> list[str]:
    args = ["template", RELEASE, chart_rel, "--namespace", NAMESPACE, "--include-crds"]
    return args + (["-f", f"{chart_rel}/{values}"] if values else [])


def _limit_memory() -> None:
    """Cap a wavecd render's address space: a runaway render must fail, not exhaust a shared machine."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(cmd: list[str], cwd: Path, *, limited: bool = False) -> Result:
    env = dict(os.environ, TZ="UTC", NO_COLOR="1")
    try:
        done = subprocess.run(
            cmd,
            cwd=cwd,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
            env=env,
            preexec_fn=_limit_memory if limited else None,
        )
    except subprocess.TimeoutExpired:
        return Result(b"", f"Error: timed out after {TIMEOUT}s\n".encode(), -1)
    if done.returncode < 0 or (limited and b"MemoryError" in done.stderr):
        return Result(
            done.stdout,
            f"Error: killed (signal {-done.returncode} or out of memory)\n".encode() + done.stderr[-2000:],
            done.returncode,
        )
    return Result(done.stdout, done.stderr, done.returncode)


def first_error(data: bytes) -> str:
    """The first `Error:` line: helm logs warnings (`level=WARN msg=…`, `walk.go:…`) on stderr before an
    error, and those are not the error. Without one (a crash), the last non-blank line."""
    lines = [line for line in data.decode("utf-8", "backslashreplace").splitlines() if line.strip()]
    return next((line for line in lines if line.startswith("Error:")), lines[-1] if lines else "")


def mask_unstable(helm: Result, helm_again: Result, ours: Result) -> tuple[Result, Result]:
    """Blank the output two helm runs disagree on (random passwords, generated certificates) in both
    helm's and wavecd's output, so that only deterministic output is compared. A differing line masks
    its whole block (the lines around it at the same indentation: a certificate whose random serial
    shifts every base64 line after it may agree with the other run on a few lines by chance); wavecd's
    output is aligned with helm's, so a block one line longer or shorter is masked too."""
    if helm.stdout == helm_again.stdout or helm.rc != 0:
        return helm, ours
    first, second = helm.stdout.split(b"\n"), helm_again.stdout.split(b"\n")
    unstable: set[int] = set()
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, first, second, autojunk=False).get_opcodes():
        if tag != "equal":
            unstable.update(range(max(i1 - (i1 == i2), 0), max(i2, i1 + 1)))
    unstable = _whole_blocks(first, {i for i in unstable if i < len(first)})
    mine = ours.stdout.split(b"\n")
    out: list[bytes] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, first, mine, autojunk=False).get_opcodes():
        span = range(i1, i2)
        if tag == "equal":
            out += [MASK if i in unstable else first[i] for i in span]
        elif span and all(i in unstable for i in span):
            out += [MASK] * len(span)
        elif not span and (i1 in unstable or i1 - 1 in unstable):
            continue  # wavecd's block is longer by these lines
        else:
            out += mine[j1:j2]
    helm_masked = b"\n".join(MASK if i in unstable else line for i, line in enumerate(first))
    return Result(helm_masked, helm.stderr, helm.rc), Result(b"\n".join(out), ours.stderr, ours.rc)


def _whole_blocks(lines: list[bytes], unstable: set[int]) -> set[int]:
    """unstable grown over the neighbouring lines of the same indentation that are not YAML keys."""

    def indent(line: bytes) -> int:
        return len(line) - len(line.lstrip(b" "))

    def plain(line: bytes) -> bool:
        return bool(line.strip()) and b": " not in line and not line.rstrip().endswith(b":")

    grown = set(unstable)
    for i in unstable:
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(lines) and j not in grown and plain(lines[j]) and indent(lines[j]) == indent(lines[i]):
                grown.add(j)
                j += step
    return grown


def compare(helm: Result, ours: Result) -> str:
    if helm.rc == 0 and ours.rc == 0:
        return "identical" if helm.stdout == ours.stdout else "different"
    if helm.rc != 0 and ours.rc != 0:
        return "both-fail-same-error" if first_error(helm.stderr) == first_error(ours.stderr) else "both-fail"
    return "helm-fails" if helm.rc != 0 else "wavecd-fails"


def write_diff(folder: Path, name: str, helm: Result, ours: Result) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if helm.rc == 0 and ours.rc == 0:
        lines = difflib.unified_diff(
            helm.stdout.decode("utf-8", "replace").splitlines(keepends=True),
            ours.stdout.decode("utf-8", "replace").splitlines(keepends=True),
            "helm",
            "wavecd",
        )
        text = "".join(lines)
    else:
        text = f"helm rc={helm.rc}\n{helm.stderr.decode('utf-8', 'replace')}\n" + (
            f"wavecd rc={ours.rc}\n{ours.stderr.decode('utf-8', 'replace')}\n"
        )
    (folder / f"{name}.diff").write_text(text, encoding="utf-8")


def interleave(jobs: list[tuple[str, Path, str, str, str]]) -> list[tuple[str, Path, str, str, str]]:
    """Round-robin over repositories (LAST_REPOS at the end), so a partial run still covers every repo."""
    by_repo: dict[str, list[tuple[str, Path, str, str, str]]] = {}
    for job in jobs:
        by_repo.setdefault(job[0], []).append(job)
    first = [queue for repo, queue in by_repo.items() if repo not in LAST_REPOS]
    ordered = [job for group in itertools.zip_longest(*first) for job in group if job is not None]
    return ordered + [job for repo in LAST_REPOS for job in by_repo.get(repo, [])]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"), help="folder of fetched repos")
    parser.add_argument("--repo", action="append", default=[], help="only repos whose name contains this")
    parser.add_argument("--chart", action="append", default=[], help="only charts whose path contains this")
    parser.add_argument("--mode", choices=ALL_MODES, action="append", help="only these modes (default v4 and v3)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel cases (the machine is shared)")
    parser.add_argument(
        "--wavecd-src",
        type=Path,
        help="render with the wavecd package under this folder (a snapshot of src/: the working "
        "tree may change while a long run goes on) instead of the installed one",
    )
    parser.add_argument(
        "--max-values", type=int, default=0, help="at most this many value sets per chart (defaults first; 0 = all)"
    )
    args = parser.parse_args(argv)
    modes = args.mode or list(MODES)
    helms = {mode: realhelm.try_helm_path(mode) for mode in modes}
    missing = [mode for mode, path in helms.items() if path is None]
    if missing:
        print(f"real helm unavailable for {missing}; cannot compare", file=sys.stderr)
        return 1

    cache = cache_root()
    # Every repository is extracted and indexed (dependencies come from any of them); --repo picks the cases.
    repos = {name: d for name, d in find_git_dirs(args.mirrors).items() if name not in NOT_CHART_REPOS}
    all_charts: list[tuple[str, Path]] = []
    for name, git_dir in repos.items():
        for chart in extract(git_dir, name, cache / "charts" / name):
            all_charts.append((name, chart))
    index = DependencyIndex(repos, all_charts)
    for _, chart in all_charts:
        vendor(chart, index)
    for line in sorted(set(index.log)):
        print(line, file=sys.stderr)

    jobs = []
    for repo, chart in all_charts:
        rel = chart.relative_to(cache / "charts" / repo).as_posix()
        if args.repo and not any(s in repo for s in args.repo):
            continue
        if args.chart and not any(s in rel for s in args.chart):
            continue
        if read_chart_yaml(chart).get("type") == "library":
            continue
        sets = value_sets(chart)
        for values in sets[: args.max_values or len(sets)]:
            for mode in modes:
                jobs.append((repo, chart, rel, values, mode))

    wavecd = [sys.executable, "-c", "from wavecd.cli.entry import main; main()"]
    if args.wavecd_src:
        os.environ["PYTHONPATH"] = str(args.wavecd_src.resolve())

    def one(job: tuple[str, Path, str, str, str]) -> CaseReport:
        repo, _chart, rel, values, mode = job
        cwd = cache / "charts" / repo
        # wavecd runs between the two helm runs: output made from the clock (`now | date`) is then either
        # the same in all three or differs between the helm runs, and is masked.
        helm_result = run([str(helms[mode]), *render_args(rel, values)], cwd)
        ours = run(
            [*wavecd, "helm", *render_args(rel, values)[:1], "--helm-compat", mode, *render_args(rel, values)[1:]],
            cwd,
            limited=True,
        )
        helm_again = run([str(helms[mode]), *render_args(rel, values)], cwd)
        helm_result, ours = mask_unstable(helm_result, helm_again, ours)
        verdict = compare(helm_result, ours)
        label = f"{repo}__{rel.replace('/', '_')}__{(values or 'default').replace('/', '_')}"
        if verdict not in ("identical", "both-fail-same-error"):
            write_diff(cache / "diffs" / mode, label, helm_result, ours)
        both_ok = helm_result.rc == 0 and ours.rc == 0
        report = CaseReport(
            repo,
            rel,
            values or "(default)",
            mode,
            verdict,
            helm_result.rc,
            ours.rc,
            first_error(helm_result.stderr) if helm_result.rc else "",
            first_error(ours.stderr) if ours.rc else "",
            helm_result.stderr == ours.stderr if both_ok else None,
        )
        print(f"{mode} {verdict:22} {repo}/{rel} [{report.values}]", file=sys.stderr, flush=True)
        return report

    jobs = interleave(jobs)
    shutil.rmtree(cache / "diffs", ignore_errors=True)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        reports = list(pool.map(one, jobs))
    (cache / "report.json").write_text(json.dumps([asdict(r) for r in reports], indent=1), encoding="utf-8")
    print_summary(reports, modes)
    print(f"\ncharts: {len({(r.repo, r.chart) for r in reports})}; diffs in {cache / 'diffs'}")
    return 0


VERDICTS = ("identical", "different", "both-fail-same-error", "both-fail", "wavecd-fails", "helm-fails")


def print_summary(reports: list[CaseReport], modes: list[str]) -> None:
    """Every case, the totals per mode, the same per repository, and the stderr agreement of exit-0 cases."""
    for r in sorted(reports, key=lambda r: (r.repo, r.chart, r.values, r.mode)):
        warn = "" if r.stderr_same in (None, True) else "  (stderr differs)"
        print(f"{r.mode} {r.verdict:22} {r.repo}/{r.chart} [{r.values}]{warn}")
    print()
    print(f"{'':24}" + "".join(f"{mode:>8}" for mode in modes))
    for verdict in [*VERDICTS, "total"]:
        counts = [
            sum(1 for r in reports if r.mode == m and (verdict == "total" or r.verdict == verdict)) for m in modes
        ]
        print(f"{verdict:24}" + "".join(f"{n:>8}" for n in counts))
    for mode in modes:
        ok = [r for r in reports if r.mode == mode and r.stderr_same is not None]
        print(f"{mode}: stderr identical in {sum(r.stderr_same for r in ok)} of {len(ok)} cases where both exit 0")
    print("\nper repository (identical/same-error/other of total):")
    for repo in sorted({r.repo for r in reports}):
        cells = []
        for mode in modes:
            mine = [r for r in reports if r.repo == repo and r.mode == mode]
            same = sum(r.verdict == "identical" for r in mine)
            err = sum(r.verdict == "both-fail-same-error" for r in mine)
            cells.append(f"{mode} {same}/{err}/{len(mine) - same - err} of {len(mine)}")
        print(f"  {repo:45} " + "   ".join(cells))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
