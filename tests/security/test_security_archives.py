"""Chart archives are untrusted: decompression bombs, link entries and oversized downloads.

Helm reads a chart archive through `LoadArchiveFiles` (helm v4.1.4 pkg/chart/loader/archive/archive.go;
helm v3.17.3+ pkg/chart/loader/archive.go, the fix of CVE-2025-32386): streamed through Go's gzip and tar
readers, refused at `MaxDecompressedFileSize` (5 MiB) a file and `MaxDecompressedChartSize` (100 MiB) an
archive. Go's tar reader gives a symlink or hardlink entry no content (`isHeaderOnlyType`), and Helm keeps
it as an empty file. Helm 4's `LoadFile` (pkg/chart/loader/load.go) reports any error of that reader only as
"unable to load chart archive"; Helm 3 prints the reader's own text.

Each bomb is built here, written as it is made (gzip members of compressed zeros, never the inflated bytes).
The renders that meet one run in a subprocess whose address space is limited to 1 GiB, a third of what the
bomb inflates to: finishing there with Helm's error shows memory stayed bounded.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from wavecd.helm.loader import LoadError, load_chart, read_archive
from wavecd.sources.cache import ChartCache
from wavecd.sources.config import RegistryMirror, WavecdConfig
from wavecd.sources.errors import ChartArchiveError, ChartFetchError, SourceError
from wavecd.sources.oci import OciRegistry
from wavecd.sources.ocicharts import chart_metadata, push_chart
from wavecd.sources.resolver import SourceResolver

GIB = 1 << 30
MIB = 1 << 20
ADDRESS_SPACE = 1 * GIB
CHART_YAML = b"apiVersion: v2\nname: bomb\nversion: 0.1.0\n"
V3_CHART_TOO_LARGE = "Error: decompressed chart is larger than the maximum file size 104857600"
V4_CHART_TOO_LARGE = "decompressed chart is larger than the maximum size 104857600"
V4_ARCHIVE_ERROR = "Error: unable to load chart archive"


def _header(name: str, size: int, kind: bytes = tarfile.REGTYPE, linkname: str = "") -> bytes:
    info = tarfile.TarInfo(name)
    info.size, info.type, info.linkname, info.mode = size, kind, linkname, 0o644
    return info.tobuf(tarfile.USTAR_FORMAT)


def _block(data: bytes) -> bytes:
    return data + bytes(-len(data) % 512)


def _member(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def write_bomb(path: Path, *, inflated: int = 3 * GIB, file_size: int = 5 * MIB) -> Path:
    """A chart archive of `inflated` bytes of zeros in files of `file_size` (5 MiB: each within Helm's file
    limit, so only the chart limit can stop it), about 1000 times smaller than it inflates to."""
    zeros = _member(bytes(file_size))
    with path.open("wb") as out:
        out.write(_member(_header("bomb/Chart.yaml", len(CHART_YAML)) + _block(CHART_YAML)))
        for index in range(inflated // file_size):
            out.write(_member(_header(f"bomb/files/zeros-{index:05d}", file_size)))
            out.write(zeros)
        out.write(_member(bytes(1024)))
    return path


def archive(*entries: bytes) -> bytes:
    """A chart archive of raw tar entries (headers and blocks), its Chart.yaml first."""
    return gzip.compress(_header("bomb/Chart.yaml", len(CHART_YAML)) + _block(CHART_YAML) + b"".join(entries))


def run_limited(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    """`wavecd ARGS` in a subprocess limited to ADDRESS_SPACE bytes of address space."""
    program = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({ADDRESS_SPACE}, {ADDRESS_SPACE}))\n"
        "from wavecd.cli.main import main\n"
        "sys.argv[0] = 'wavecd'\n"
        "main()\n"
    )
    env = {**os.environ, "WAVECD_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-c", program, *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def first_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    return next(line for line in result.stderr.splitlines() if line.strip())


def cached_archives(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.tgz"))


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = write_bomb(tmp_path_factory.mktemp("bomb") / "bomb-0.1.0.tgz")
    assert path.stat().st_size < 4 * MIB  # a 3 MB archive
    return path


# --- a bomb from a folder -------------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "error"), [("v3", V3_CHART_TOO_LARGE), ("v4", V4_ARCHIVE_ERROR)])
def test_a_bomb_fails_with_helms_error_in_bounded_memory(bomb: Path, tmp_path: Path, mode: str, error: str) -> None:
    result = run_limited("helm", "template", "--helm-compat", mode, "x", str(bomb), cache=tmp_path)
    assert first_error(result) == error


def test_a_bomb_inside_a_chart_folder_names_the_subchart(bomb: Path, tmp_path: Path) -> None:
    """helm v4.1.4 `helm template x parent` with the bomb in charts/ prints this line."""
    parent = tmp_path / "parent"
    (parent / "charts").mkdir(parents=True)
    (parent / "Chart.yaml").write_text("apiVersion: v2\nname: parent\nversion: 0.1.0\n")
    shutil.copy(bomb, parent / "charts" / bomb.name)
    result = run_limited("helm", "template", "x", str(parent), cache=tmp_path / "cache")
    assert first_error(result) == f"Error: error unpacking subchart {bomb.name} in parent: {V4_CHART_TOO_LARGE}"


def render_from_folder_mirror(root: Path) -> subprocess.CompletedProcess[str]:
    """`wavecd render` of the app of chart bomb 0.1.0, served from the folder mirror `root/mirror`."""
    (root / "wavecd.yaml").write_text("registries:\n  - registry: https://charts.example.com\n    mirror: mirror\n")
    (root / "app.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: bomb, namespace: argocd}\n"
        "spec:\n  project: default\n  destination: {server: https://kubernetes.default.svc, namespace: x}\n"
        "  source: {repoURL: https://charts.example.com, chart: bomb, targetRevision: 0.1.0}\n"
    )
    result = run_limited("render", "--offline", str(root / "app.yaml"), cache=root / "cache")
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    return result


def test_a_bomb_in_a_folder_mirror_renders_to_helms_error(bomb: Path, tmp_path: Path) -> None:
    """`wavecd render` reads the chart for its cache digest before Helm loads it; that read stays within
    Helm's limits too, so the render reports Helm's error rather than running out of memory."""
    (tmp_path / "mirror").mkdir()
    shutil.copy(bomb, tmp_path / "mirror" / bomb.name)
    result = render_from_folder_mirror(tmp_path)
    assert "failed: bomb: Error: unable to load chart archive" in result.stderr, result.stderr


def test_a_huge_file_in_a_mirrored_chart_folder_renders_to_helms_error(tmp_path: Path) -> None:
    """A 1.5 GB file in a chart folder is never read whole for the digest; Helm refuses it by its size."""
    chart = tmp_path / "mirror" / "bomb"
    (chart / "files").mkdir(parents=True)
    (chart / "Chart.yaml").write_bytes(CHART_YAML)
    with (chart / "files" / "huge").open("wb") as huge:
        huge.truncate(3 * GIB // 2)  # sparse: no disk used
    result = render_from_folder_mirror(tmp_path)
    assert 'failed: bomb: Error: chart file "huge" is larger than the maximum file size 5242880' in result.stderr, (
        result.stderr
    )


def sibling_bombs(folder: Path, count: int) -> Path:
    """A 3 MB chart archive holding `count` subchart archives of 99 KB, each inflating to 95 MiB: each
    within the chart limit, together 30 times over it."""
    sub = write_bomb(folder / "sub.tgz", inflated=95 * MIB).read_bytes()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in [("Chart.yaml", b"apiVersion: v2\nname: top\nversion: 1.0.0\n")] + [
            (f"charts/bomb-{index}.tgz", sub) for index in range(count)
        ]:
            info = tarfile.TarInfo(f"top/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path = folder / "top-1.0.0.tgz"
    path.write_bytes(out.getvalue())
    return path


def test_sibling_subchart_bombs_share_one_chart_limit(tmp_path: Path) -> None:
    """Every archive read while loading one chart draws on one 100 MiB budget: 30 subchart archives of
    95 MiB each stop at the second with Helm's chart-size error, in bounded memory."""
    top = sibling_bombs(tmp_path, 30)
    result = run_limited("helm", "template", "x", str(top), cache=tmp_path / "cache")
    assert first_error(result) == f"Error: error unpacking subchart bomb-1.tgz in top: {V4_CHART_TOO_LARGE}"


def test_sibling_subchart_bombs_are_not_cached(tmp_path: Path) -> None:
    """The cache refuses an archive whose subchart archives together break the chart limit, as the loader
    would refuse it."""
    cache = ChartCache(tmp_path / "cache")
    with pytest.raises(ChartArchiveError, match=V4_CHART_TOO_LARGE):
        cache.put(sibling_bombs(tmp_path, 2).read_bytes())
    assert cached_archives(tmp_path / "cache") == []


def test_a_chart_of_thousands_of_files_and_a_large_one_loads_as_in_helm() -> None:
    """The tar headers of 4,500 small files come near the bound on what is not file content; the bytes of
    a 4 MiB file read after them are content, not more of that, so the chart loads as Helm loads it."""
    entries = [_header(f"bomb/files/f{index}.txt", 1) + _block(b"x") for index in range(4500)]
    big = os.urandom(4 * MIB)
    files = read_archive(io.BytesIO(archive(*entries, _header("bomb/files/big.bin", len(big)) + _block(big))))
    assert len(files) == 4502
    assert files[-1].name == "files/big.bin" and files[-1].data == big


def test_a_file_over_five_mib_is_refused_by_its_declared_size() -> None:
    data = archive(_header("bomb/files/big", 5 * MIB + 1))  # no content follows: only the header is read
    with pytest.raises(LoadError) as caught:
        read_archive(io.BytesIO(data))
    assert str(caught.value) == 'decompressed chart file "bomb/files/big" is larger than the maximum file size 5242880'


def test_a_file_larger_than_the_chart_limit_is_refused_before_the_file_limit() -> None:
    """Helm compares the declared size with what is left of the chart budget first."""
    data = archive(_header("bomb/files/huge", 3 * GIB))
    with pytest.raises(LoadError) as caught:
        read_archive(io.BytesIO(data))
    assert str(caught.value) == V4_CHART_TOO_LARGE


def test_an_oversized_pax_header_is_refused_as_go_refuses_it() -> None:
    """Go's tar reader reads at most 1 MiB of a pax or GNU long-name header (readSpecialFile)."""
    data = archive(_header("././@LongLink", 2 * MIB, tarfile.GNUTYPE_LONGNAME), bytes(2 * MIB))
    with pytest.raises(LoadError) as caught:
        read_archive(io.BytesIO(data))
    assert str(caught.value) == "archive/tar: header field too long"


def test_a_flood_of_empty_entries_stops_at_the_chart_error() -> None:
    """Go holds nothing but file contents; Python's tarfile holds every header, so what is not file content
    is bounded too (wavecd's bound; Helm would read all 40,000 entries)."""
    data = archive(_header("bomb/files/empty", 0) * 40_000)
    with pytest.raises(LoadError) as caught:
        read_archive(io.BytesIO(data))
    assert str(caught.value) == V4_CHART_TOO_LARGE


# --- links ----------------------------------------------------------------------------------------------


LINKS_TEMPLATE = (
    b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: links\ndata:\n"
    b'{{- range $path, $data := .Files }}\n  {{ $path | replace "/" "." }}: {{ toString $data | quote }}\n'
    b"{{- end }}\n"
)


def links_archive() -> bytes:
    """Symlinks and hardlinks to a file of the archive and to files outside it."""
    real = b"inside\n"
    return archive(
        _header("bomb/templates/cm.yaml", len(LINKS_TEMPLATE)) + _block(LINKS_TEMPLATE),
        _header("bomb/files/real.txt", len(real)) + _block(real),
        _header("bomb/files/sym-inside.txt", 0, tarfile.SYMTYPE, "real.txt"),
        _header("bomb/files/hard-inside.txt", 0, tarfile.LNKTYPE, "bomb/files/real.txt"),
        _header("bomb/files/sym-outside.txt", 0, tarfile.SYMTYPE, "/etc/passwd"),
        _header("bomb/files/hard-outside.txt", 0, tarfile.LNKTYPE, "/etc/passwd"),
        _header("bomb/templates/linked.yaml", 0, tarfile.SYMTYPE, "cm.yaml"),
    )


@pytest.mark.parametrize("major", [3, 4])
def test_link_entries_load_as_empty_files_as_helm_loads_them(tmp_path: Path, major: int) -> None:
    """Helm 3.17.2 and 4.1.4 render this chart with every link an empty file (`helm template x links.tgz`
    printed `files.real.txt: "inside\\n"` and `""` for each link); the link is never followed."""
    path = tmp_path / "links.tgz"
    path.write_bytes(links_archive())
    chart = load_chart(str(path), helm_major=major)
    assert {f.name: f.data for f in chart.files} == {
        "files/real.txt": b"inside\n",
        "files/sym-inside.txt": b"",
        "files/hard-inside.txt": b"",
        "files/sym-outside.txt": b"",
        "files/hard-outside.txt": b"",
    }
    assert {t.name: t.data for t in chart.templates} == {
        "templates/cm.yaml": LINKS_TEMPLATE,
        "templates/linked.yaml": b"",
    }


def test_a_link_that_declares_a_size_is_refused_as_helm_4_refuses_it() -> None:
    """Go reads no content for a link whatever its header says, so Helm's short-read check fires (helm v4.1.4
    prints "unable to load chart archive" for this archive)."""
    data = archive(_header("bomb/files/hard.txt", 10, tarfile.LNKTYPE, "bomb/Chart.yaml"))
    with pytest.raises(LoadError) as caught:
        read_archive(io.BytesIO(data))
    assert str(caught.value) == V4_CHART_TOO_LARGE


# --- a bomb from a Helm repository ------------------------------------------------------------------------


class _Repository(http.server.BaseHTTPRequestHandler):
    """`/index.yaml`, `/bomb-0.1.0.tgz` (the bomb) and `/endless-1.0.0.tgz`: a body that never ends
    (chunked, no Content-Length), or `/liar-1.0.0.tgz`, which declares 3 GiB."""

    folder: Path
    served: dict[str, int]

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        name = self.path.lstrip("/")
        if name == "endless-1.0.0.tgz":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = bytes(MIB)
            try:
                for _ in range(3 * 1024):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.served[name] = self.served.get(name, 0) + len(chunk)
            except OSError:
                return  # the client went away: what the test wants
            self.wfile.write(b"0\r\n\r\n")
            return
        if name == "liar-1.0.0.tgz":
            self.send_response(200)
            self.send_header("Content-Length", str(3 * GIB))
            self.end_headers()
            return
        target = self.folder / name
        data = target.read_bytes() if target.is_file() else b""
        self.send_response(200 if data else 404)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def helm_repository(bomb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    folder = tmp_path_factory.mktemp("repository")
    shutil.copy(bomb, folder / bomb.name)
    entries = {
        "bomb": [
            {
                "version": "0.1.0",
                "urls": [bomb.name],
                "digest": hashlib.sha256(bomb.read_bytes()).hexdigest(),
            }
        ],
        "endless": [{"version": "1.0.0", "urls": ["endless-1.0.0.tgz"]}],
        "liar": [{"version": "1.0.0", "urls": ["liar-1.0.0.tgz"]}],
    }
    (folder / "index.yaml").write_text(json.dumps({"apiVersion": "v1", "entries": entries}))
    served: dict[str, int] = {}
    handler = type("Handler", (_Repository,), {"folder": folder, "served": served})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", served
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("mode", "error"), [("v3", V3_CHART_TOO_LARGE), ("v4", V4_ARCHIVE_ERROR)])
def test_a_bomb_from_a_helm_repository_fails_and_is_not_cached(
    helm_repository: tuple[str, dict[str, int]], tmp_path: Path, mode: str, error: str
) -> None:
    """helm v4.1.4 `helm template x bomb --repo …` prints "unable to load chart archive" for it too."""
    url, _ = helm_repository
    result = run_limited("helm", "template", "--helm-compat", mode, "x", "bomb", "--repo", url, cache=tmp_path)
    assert first_error(result) == error
    assert cached_archives(tmp_path) == []


def test_an_endless_download_is_abandoned_past_the_largest_loadable_archive(
    helm_repository: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    url, served = helm_repository
    result = run_limited("helm", "template", "--helm-compat", "v3", "x", "endless", "--repo", url, cache=tmp_path)
    assert first_error(result) == V3_CHART_TOO_LARGE
    assert cached_archives(tmp_path) == []
    time.sleep(0.5)  # the server notices the closed connection
    assert served["endless-1.0.0.tgz"] < 200 * MIB


def test_a_declared_length_over_the_limit_is_refused_before_reading(
    helm_repository: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    url, _ = helm_repository
    resolver = SourceResolver(WavecdConfig(), cache_dir=tmp_path)
    try:
        with pytest.raises(ChartFetchError) as caught:
            resolver.chart(url, "liar", "1.0.0")
    finally:
        resolver.close()
    assert isinstance(caught.value.reason, ChartArchiveError)
    assert f"its Content-Length is {3 * GIB}" in caught.value.message
    assert cached_archives(tmp_path) == []


# --- a bomb from an OCI registry ----------------------------------------------------------------------------


def test_reading_a_charts_metadata_stops_at_the_same_limits() -> None:
    """The version of a chart pulled by digest comes from its Chart.yaml, read within Helm's limits too."""
    with pytest.raises(SourceError) as caught:
        chart_metadata(gzip.compress(_header("bomb/files/huge", 3 * GIB)))
    assert caught.value.message == f"not a valid chart archive: {V4_CHART_TOO_LARGE}"


REGISTRY_BINARY = shutil.which("docker-registry") or "/usr/bin/docker-registry"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Debian's docker-registry on loopback, no authentication."""
    if not Path(REGISTRY_BINARY).is_file():
        pytest.skip("docker-registry is not installed (apt-get install docker-registry; .ci/run does this)")
    folder = tmp_path_factory.mktemp("registry")
    port = _free_port()
    config = {
        "version": 0.1,
        "log": {"level": "error", "accesslog": {"disabled": True}},
        "storage": {"filesystem": {"rootdirectory": str(folder / "data")}},
        "http": {"addr": f"127.0.0.1:{port}", "secret": "wavecd-tests"},
    }
    (folder / "config.yml").write_text(json.dumps(config))
    with (folder / "registry.log").open("wb") as log:
        process = subprocess.Popen([REGISTRY_BINARY, "serve", str(folder / "config.yml")], stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v2/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"docker-registry did not start: {(folder / 'registry.log').read_text()[-2000:]}")
            time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(("mode", "error"), [("v3", V3_CHART_TOO_LARGE), ("v4", V4_ARCHIVE_ERROR)])
def test_a_bomb_from_an_oci_registry_fails_and_is_not_cached(
    registry: str, bomb: Path, tmp_path: Path, mode: str, error: str
) -> None:
    with httpx.Client() as client:
        push_chart(OciRegistry(registry, client, plain_http=True), "charts", bomb.read_bytes())
    reference = f"oci://{registry}/charts/bomb"
    result = run_limited(
        "helm", "template", "--helm-compat", mode, "x", reference, "--version", "0.1.0", "--plain-http", cache=tmp_path
    )
    assert first_error(result) == error
    assert cached_archives(tmp_path) == []


def test_a_registry_mirror_serving_a_bomb_is_not_cached_either(registry: str, bomb: Path, tmp_path: Path) -> None:
    with httpx.Client() as client:
        push_chart(OciRegistry(registry, client, plain_http=True), "mirror", bomb.read_bytes())
    mirror = RegistryMirror(registry="charts.example.com", url=f"{registry}/mirror", plain_http=True)
    resolver = SourceResolver(WavecdConfig(registries=(mirror,)), cache_dir=tmp_path)
    try:
        with pytest.raises(ChartFetchError) as caught:
            resolver.chart("charts.example.com", "bomb", "0.1.0")
    finally:
        resolver.close()
    assert f"registry mirror: chart {registry}/mirror/bomb@0.1.0: the archive cannot be loaded: " in "\n".join(
        caught.value.context
    )
    assert cached_archives(tmp_path) == []
