"""Files wavecd leaves on disk: the cache and the sim's state are its user's alone, and the caches that hold
pickles (compiled templates, rendered apps) never load an entry someone else could have written."""

from __future__ import annotations

import hmac
import os
import pickle
import pwd
import stat
import subprocess
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from wavecd.apps.render_app import RenderOutput
from wavecd.apps.render_cache import DiskCache
from wavecd.cli.main import main
from wavecd.core import ManualClock
from wavecd.gotemplate import template_set
from wavecd.helm import engine
from wavecd.sim.cluster import SimCluster
from wavecd.sources.cache import ChartCache
from wavecd.sources.config import RepositoryMapping, WavecdConfig
from wavecd.sources.resolver import SourceResolver

CONFORMANCE = Path(__file__).resolve().parent.parent / "conformance"
CHART = ["rel", "charts/deps"]


def recorded_stdout() -> bytes:
    here = str(CONFORMANCE).encode()
    return (CONFORMANCE / "expected" / "v4" / "deps.out").read_bytes().replace(b"$CONFORMANCE", here)


def render() -> tuple[bytes, str]:
    """`wavecd helm template` as a new process would run it: nothing parsed or compiled in memory."""
    engine._SETS.clear()
    template_set.clear_cache()
    result = CliRunner().invoke(main, ["helm", "template", "--helm-compat", "v4", *CHART])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes, result.stderr


class RunsCode:
    """Unpickled, it creates the folder `marker`: what a planted entry would do with the user's rights."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (str(self.marker),)


def planted_state(obj: object) -> bytes:
    """A template cache entry of the layout wavecd reads (its version first), whose pickle builds `obj`."""
    return template_set._STATE_FORMAT + pickle.dumps(obj)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "home" / "cache"
    monkeypatch.setenv("WAVECD_CACHE_DIR", str(root))
    monkeypatch.chdir(CONFORMANCE)
    yield root
    engine._SETS.clear()
    template_set.clear_cache()


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request):
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def git_repository(path: Path) -> Path:
    path.mkdir()
    (path / "bin").mkdir()
    (path / "bin" / "run.sh").write_text("#!/bin/sh\n")
    (path / "bin" / "run.sh").chmod(0o755)
    (path / "values.yaml").write_text("a: 1\n")
    for args in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"]):
        subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True)
    return path


def modes(root: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        if not path.is_symlink():
            found[str(path.relative_to(root))] = stat.S_IMODE(path.stat().st_mode)
    return found


def test_a_fresh_cache_is_private_whatever_the_umask(cache: Path, tmp_path: Path, umask: int):
    assert render()[0] == recorded_stdout()
    repo = git_repository(tmp_path / "repo")
    resolver = SourceResolver(WavecdConfig(repositories=(RepositoryMapping("https://git.example/r", repo),)))
    tree = resolver.git_tree("https://git.example/r", "HEAD")
    charts = ChartCache(cache)
    digest, _ = charts.put(b"an archive")
    charts.remember("https://charts.example", "demo", "1.0.0", digest)
    DiskCache(cache / "rendered", cache).put("ab" * 32, RenderOutput(objects=[{"kind": "Secret"}]))

    found = modes(cache)
    assert {"templates", "git", "charts", "rendered", "entries.key"} <= set(found)
    executable = str((tree.root / "bin" / "run.sh").relative_to(cache))
    for name, mode in found.items():
        path = cache / name
        expected = 0o700 if path.is_dir() or name == executable else 0o600
        assert mode == expected, f"{name}: {mode:04o}"
    assert stat.S_IMODE((tmp_path / "home").stat().st_mode) == 0o700, "missing parents are made private too"


def test_the_sims_state_is_private_whatever_the_umask(tmp_path: Path, umask: int):
    state = tmp_path / "state.db"
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"password": "p"}}
    with SimCluster(clock=ManualClock(), state_path=str(state)) as sim, httpx.Client(base_url=sim.url) as client:
        assert client.post("/api/v1/namespaces/default/secrets", json=secret).status_code == 201
        files = sorted(tmp_path.iterdir())
        assert [f.name for f in files] == ["state.db", "state.db-shm", "state.db-wal"]
        assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files), [oct(f.stat().st_mode) for f in files]


def test_a_state_file_left_readable_is_made_private(tmp_path: Path):
    state = tmp_path / "state.db"
    with SimCluster(clock=ManualClock(), state_path=str(state)):
        pass
    state.chmod(0o644)
    with SimCluster(clock=ManualClock(), state_path=str(state)):
        assert stat.S_IMODE(state.stat().st_mode) == 0o600


def seal(entry: Path, payload: bytes) -> bytes:
    """`payload` sealed with the user's own key (which only the user can read) as the entry at `entry`, in a
    folder of the cache: the HMAC-SHA256 of `<folder>/<name>`, NUL and the payload, then the payload."""
    key = (entry.parent.parent / "entries.key").read_bytes()
    place = f"{entry.parent.name}/{entry.name}\0".encode()
    return hmac.digest(key, place + payload, "sha256") + payload


def only_entry(cache: Path) -> Path:
    (entry,) = [p for p in (cache / "templates").iterdir() if not p.name.startswith(".")]
    return entry


@pytest.mark.parametrize(
    "tamper",
    [
        lambda good, evil: good[:40] + bytes(b ^ 0xFF for b in good[40:80]) + good[80:],
        lambda good, evil: evil,
        lambda good, evil: good[:32] + evil,
    ],
    ids=["bytes-flipped", "a-pickle-that-runs-code", "that-pickle-behind-a-forged-seal"],
)
def test_a_tampered_template_cache_entry_is_discarded_never_run(cache: Path, tmp_path: Path, tamper):
    marker = tmp_path / "marker"
    render()
    entry = only_entry(cache)
    entry.write_bytes(tamper(entry.read_bytes(), planted_state(RunsCode(marker))))
    stdout, stderr = render()
    assert stdout == recorded_stdout()
    assert not marker.exists()
    assert stderr == ""
    assert hmac.compare_digest(entry.read_bytes(), seal(entry, entry.read_bytes()[32:])), "compiled afresh and stored"


def group_writable(cache: Path) -> Path:
    (cache / "templates").chmod(0o770)
    return cache / "templates"


def root_folder_writable_by_others(cache: Path) -> Path:
    cache.chmod(0o707)
    return cache


@pytest.mark.parametrize("expose", [group_writable, root_folder_writable_by_others])
def test_a_folder_of_the_users_left_writable_by_others_is_tightened_and_used(cache: Path, tmp_path: Path, expose):
    """Older wavecd made its folders under the umask, 002 for ordinary users on Debian, Ubuntu and Fedora:
    such a folder is the user's, so it loses its group/other write bits and the cache stays on. The seal
    is what keeps a planted entry out: one sealed under the user's key is loaded, a tampered one is not."""
    render()
    entry = only_entry(cache)
    sealed_marker = tmp_path / "sealed"
    entry.write_bytes(seal(entry, planted_state(RunsCode(sealed_marker))))
    folder = expose(cache)

    stdout, stderr = render()
    assert stdout == recorded_stdout()
    assert stderr == "", "no warning: the cache is used"
    assert stat.S_IMODE(folder.stat().st_mode) & 0o022 == 0, "group/other write bits removed"
    assert sealed_marker.exists(), "the entry sealed under the user's key was loaded"

    tampered_marker = tmp_path / "tampered"
    entry.write_bytes(planted_state(RunsCode(tampered_marker)))
    expose(cache)
    stdout, stderr = render()
    assert stdout == recorded_stdout()
    assert stderr == ""
    assert not tampered_marker.exists(), "a pickle without the user's seal is never run"


def owned_by_nobody(cache: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving a folder to another user needs root")
    os.chown(cache / "templates", pwd.getpwnam("nobody").pw_uid, -1)


def key_readable_by_others(cache: Path) -> None:
    (cache / "entries.key").chmod(0o644)


@pytest.mark.parametrize("expose", [owned_by_nobody, key_readable_by_others])
def test_a_cache_others_could_have_written_is_not_loaded(cache: Path, tmp_path: Path, expose):
    """Even an entry that carries the user's seal is not loaded from a folder someone else owns (they can
    make it writable again at any time) or under a key others can read (they could seal their own entry);
    wavecd warns once and renders without the cache."""
    marker = tmp_path / "marker"
    render()
    entry = only_entry(cache)
    planted = seal(entry, planted_state(RunsCode(marker)))
    entry.write_bytes(planted)
    expose(cache)

    first, warning = render()
    second, silent = render()
    assert first == second == recorded_stdout()
    assert not marker.exists()
    assert warning.startswith(f"wavecd: warning: not using the cache in {cache / 'templates'}: ")
    assert silent == ""
    assert entry.read_bytes() == planted, "the folder is neither read nor written"


def test_the_same_sealed_entry_is_loaded_from_a_private_folder(cache: Path, tmp_path: Path):
    """The control for the test above: in a private folder the user's seal is trusted, so it was the folder
    check, not the seal, that kept the planted entry from running."""
    marker = tmp_path / "marker"
    render()
    entry = only_entry(cache)
    entry.write_bytes(seal(entry, planted_state(RunsCode(marker))))
    assert render()[0] == recorded_stdout()
    assert marker.exists()


def test_a_tampered_rendered_app_is_discarded_never_run(cache: Path, tmp_path: Path):
    marker = tmp_path / "marker"
    digest = "cd" * 32
    DiskCache(cache / "rendered", cache).put(digest, RenderOutput(objects=[{"kind": "ConfigMap"}]))
    (entry,) = (cache / "rendered").rglob("*.pickle")
    entry.write_bytes(pickle.dumps(RunsCode(marker)))
    assert DiskCache(cache / "rendered", cache).get(digest) is None
    assert not marker.exists()
    assert not entry.exists()
