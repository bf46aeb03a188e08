"""`wavecd helm template` with CHART as a reference: `oci://…` in a real registry (Debian's docker-registry on
loopback) and `--repo URL NAME` in a loopback Helm repository, both from tests/support/registries.py.

Expected versions and error texts were recorded with `/opt/realhelm/helm-v4` and `helm-v3` (the `--repo` version
fallback lines also with helm 4.2.2 from tools/realhelm.py `v4.2`) (`helm template x
oci://127.0.0.1:PORT/charts/demo … --plain-http`, `helm template x --repo http://127.0.0.1:PORT demo …`) against
the same charts pushed the same way; only the port and the repository path (`charts` there, `helmcmd` here, so
these pushes never touch the sources tests' charts) differ, and the texts below put them back in.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from click.testing import CliRunner

from support.registries import PASSWORD, USER, chart_archive
from wavecd.cli.main import main
from wavecd.sources.oci import OciRegistry
from wavecd.sources.ocicharts import push_chart

# With `--dist loadgroup` these stay on the worker that already runs the sources' registries.
pytestmark = pytest.mark.xdist_group("sources-registries")

VERSIONS = ("1.0.0", "1.1.0", "1.2.0-rc.1")


def _archive(version: str) -> bytes:
    """The test chart at `version`; its ConfigMap says which version was rendered."""
    return chart_archive("demo", version, value=f"v{version}")


def _template(*args: str, mode: str = "v4") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["helm", "template", *args, "--helm-compat", mode])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _rendered_locally(tmp_path: Path, version: str) -> str:
    archive = tmp_path / f"demo-{version}.tgz"
    archive.write_bytes(_archive(version))
    code, out, err = _template("x", str(archive))
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def oci(open_registry) -> dict[str, str]:
    """`oci://<host>/helmcmd` holding demo at every VERSIONS entry; also maps version → manifest digest."""
    with httpx.Client() as client:
        registry = OciRegistry(open_registry.host, client, plain_http=True)
        digests = {v: push_chart(registry, "helmcmd", _archive(v), created="2024-01-01T00:00:00Z") for v in VERSIONS}
    return {"url": f"oci://{open_registry.host}/helmcmd", "host": open_registry.host, **digests}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("flags", "chosen"),
    [
        ((), "1.1.0"),  # no version: the highest stable tag
        (("--version", "^1"), "1.1.0"),
        (("--version", "1.0.0"), "1.0.0"),
        (("--version", " 1.0.0 "), "1.0.0"),  # helm trims the flag
        (("--version", "1.2.0-rc.1"), "1.2.0-rc.1"),
        (("--version", ">=1.2.0-0"), "1.2.0-rc.1"),
    ],
)
def test_an_oci_chart_renders_as_the_same_chart_folder_does(oci, tmp_path, flags, chosen):
    code, out, err = _template("x", oci["url"] + "/demo", *flags, "--plain-http")
    assert (code, err) == (0, "")
    assert out == _rendered_locally(tmp_path, chosen)
    assert f'greeting: "v{chosen}"' in out


@pytest.mark.slow
def test_an_oci_reference_may_carry_its_tag_or_digest(oci, tmp_path):
    expected = _rendered_locally(tmp_path, "1.0.0")
    assert _template("x", oci["url"] + "/demo:1.0.0", "--plain-http")[1] == expected
    assert _template("x", oci["url"] + "/demo@" + oci["1.0.0"], "--plain-http")[1] == expected


@pytest.mark.slow
def test_username_and_password_reach_a_registry_with_basic_auth(basic_registry, tmp_path):
    with httpx.Client() as client:
        registry = OciRegistry(basic_registry.host, client, plain_http=True, username=USER, password=PASSWORD)
        push_chart(registry, "helmcmd", _archive("1.0.0"), created="2024-01-01T00:00:00Z")
    chart = f"oci://{basic_registry.host}/helmcmd/demo"
    code, out, err = _template("x", chart, "--plain-http", "--username", USER, "--password", PASSWORD)
    assert (code, err) == (0, "")
    assert out == _rendered_locally(tmp_path, "1.0.0")
    code, out, err = _template("x", chart, "--plain-http", "--version", "1.0.x")  # no credentials: refused
    assert (code, out) == (1, "") and "HTTP 401" in err and "--username and --password" in err, err


@pytest.mark.slow
@pytest.mark.parametrize(
    ("chart", "flags", "v4_text", "v3_text"),
    [
        (
            "demo",
            ("--version", "9.9.9"),
            'failed to perform "FetchReference" on source: {host}/helmcmd/demo:9.9.9: not found',
            "{host}/helmcmd/demo:9.9.9: not found",
        ),
        (
            "demo",
            ("--version", "~9"),
            "could not locate a version matching provided version string ~9",
            "Could not locate a version matching provided version string ~9",
        ),
        ("demo", ("--version", ">>1"), "improper constraint: >>1", "improper constraint: >>1"),
        (
            "demo",
            ("--version", "sha256:" + "0" * 64),
            "improper constraint: sha256:" + "0" * 64,
            "improper constraint: sha256:" + "0" * 64,
        ),
        (
            "missing",
            (),
            'GET "http://{host}/v2/helmcmd/missing/tags/list": response status code 404: name unknown: '
            "repository name not known to registry: map[name:helmcmd/missing]",
            'GET "http://{host}/v2/helmcmd/missing/tags/list": unexpected status code 404: name unknown: '
            "repository name not known to registry",
        ),
        (
            "missing",
            ("--version", "1.0.0"),
            'failed to perform "FetchReference" on source: {host}/helmcmd/missing:1.0.0: not found',
            "{host}/helmcmd/missing:1.0.0: not found",
        ),
        (
            "demo:1.0.0",
            ("--version", "1.1.0"),
            "chart reference and version mismatch: 1.1.0 is not 1.0.0",
            "chart reference and version mismatch: 1.1.0 is not 1.0.0",
        ),
    ],
)
@pytest.mark.parametrize("mode", ["v4", "v4.2", "v3"])
def test_what_the_registry_does_not_hold_reads_as_helms_error(oci, chart, flags, v4_text, v3_text, mode):
    code, out, err = _template("x", f"{oci['url']}/{chart}", *flags, "--plain-http", mode=mode)
    text = (v3_text if mode == "v3" else v4_text).format(host=oci["host"])
    assert (code, out, err) == (1, "", f"Error: {text}\n")


@pytest.mark.parametrize(
    ("chart", "v4_text", "v3_text"),
    [
        (
            "oci://127.0.0.1:5000",
            "invalid reference: missing registry or repository",
            "invalid_reference: missing repository",
        ),
        ("oci://127.0.0.1:5000/", 'invalid reference: invalid repository ""', "invalid_reference: invalid repository"),
        (
            "oci://127.0.0.1:5000/charts/",
            'invalid reference: invalid repository "charts/"',
            "invalid_reference: invalid repository",
        ),
        (
            "oci://127.0.0.1:5000/charts/De mo",
            'invalid reference: invalid repository "charts/De mo"',
            "invalid_reference: invalid repository",
        ),
    ],
)
@pytest.mark.parametrize("mode", ["v4", "v4.2", "v3"])
def test_a_malformed_oci_reference_is_refused_before_any_request(chart, v4_text, v3_text, mode):
    assert _template("x", chart, mode=mode) == (1, "", f"Error: {v3_text if mode == 'v3' else v4_text}\n")


@pytest.fixture(scope="module")
def repo(helm_repo) -> str:
    """`<url>/helmcmd`, behind basic auth: demo at VERSIONS."""
    folder = helm_repo.folder / "helmcmd"
    folder.mkdir()
    entries = []
    for version in VERSIONS:
        data = _archive(version)
        (folder / f"demo-{version}.tgz").write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        entries.append({"version": version, "urls": [f"demo-{version}.tgz"], "digest": digest})
    (folder / "index.yaml").write_text(yaml.safe_dump({"apiVersion": "v1", "entries": {"demo": entries}}))
    return helm_repo.url + "/helmcmd"


AUTH = ("--username", USER, "--password", PASSWORD)


_FALLBACK = 'level=WARN msg="unable to find exact version requested; falling back to closest available version" '


@pytest.mark.parametrize(
    ("flags", "chosen", "v4_log", "quiet_in_v4_2"),
    [
        ((), "1.1.0", "", True),
        (("--version", "1.0.x"), "1.0.0", _FALLBACK + "chart=demo requested=1.0.x selected=1.0.0\n", True),
        (
            ("--version", ">=1.2.0-0"),
            "1.2.0-rc.1",
            _FALLBACK + 'chart=demo requested=">=1.2.0-0" selected=1.2.0-rc.1\n',
            True,
        ),
        (("--version", "1.2.0-rc.1"), "1.2.0-rc.1", "", True),
        (("--version", "1.0"), "1.0.0", _FALLBACK + "chart=demo requested=1.0 selected=1.0.0\n", False),
        (("--version", "v1.1.0"), "1.1.0", _FALLBACK + "chart=demo requested=v1.1.0 selected=1.1.0\n", False),
    ],
)
@pytest.mark.parametrize("mode", ["v4", "v4.2", "v3"])
def test_a_helm_repository_chart_renders_as_the_same_chart_folder_does(
    repo, tmp_path, flags, chosen, v4_log, quiet_in_v4_2, mode
):
    code, out, err = _template("x", "--repo", repo, "demo", *flags, *AUTH, mode=mode)
    # helm 4.1 logs a constraint's choice, helm 4.2 only when the version asked for is not a range, v3 never
    expected = "" if mode == "v3" or (mode == "v4.2" and quiet_in_v4_2) else v4_log
    assert (code, err) == (0, expected)
    assert out == _rendered_locally(tmp_path, chosen)


@pytest.mark.parametrize(
    ("chart", "flags", "text"),
    [
        ("demo", ("--version", "9.9.9"), 'chart "demo" version "9.9.9" not found in {repo} repository'),
        ("demo", ("--version", "~9"), 'chart "demo" version "~9" not found in {repo} repository'),
        ("demo", ("--version", ">>1"), 'chart "demo" version ">>1" not found in {repo} repository'),
        ("missing", (), 'chart "missing" not found in {repo} repository'),
        ("missing", ("--version", "1.0.0"), 'chart "missing" version "1.0.0" not found in {repo} repository'),
    ],
)
@pytest.mark.parametrize("mode", ["v4", "v4.2", "v3"])
def test_what_the_helm_repository_does_not_hold_reads_as_helms_error(repo, chart, flags, text, mode):
    code, out, err = _template("x", "--repo", repo, chart, *flags, *AUTH, mode=mode)
    assert (code, out, err) == (1, "", f"Error: {text.format(repo=repo)}\n")


def test_a_repository_that_cannot_be_read_is_named(repo):
    code, _, err = _template("x", "--repo", repo, "demo")  # no credentials: 401
    assert code == 1
    assert err.startswith(f'Error: looks like "{repo}" is not a valid chart repository or cannot be reached: ')


def test_with_repo_helm_v4_downloads_while_helm_v3_prefers_a_local_folder(repo, tmp_path, monkeypatch):
    (tmp_path / "demo.tgz").write_bytes(_archive("1.0.0"))
    monkeypatch.chdir(tmp_path)
    local = _template("x", "demo.tgz")[1]
    assert _template("x", "--repo", repo, "demo.tgz", *AUTH, mode="v3")[1] == local
    code, _, err = _template("x", "--repo", repo, "demo.tgz", *AUTH, mode="v4")
    assert (code, err) == (1, f'Error: chart "demo.tgz" not found in {repo} repository\n')


def test_a_local_render_does_not_import_the_sources_layer():
    chart = Path(__file__).parent / "charts" / "order-probe"
    script = (
        "import sys\nfrom click.testing import CliRunner\nfrom wavecd.cli.helm_cmd import helm\n"
        f"result = CliRunner().invoke(helm, ['template', 'x', {str(chart)!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m.startswith(('wavecd.sources', 'httpx'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
