"""Finding the kubeconfig and choosing a context as kubectl does (`KUBECONFIG` lists merged, first one wins),
with clear errors where kubectl would fail. The kubectl texts quoted were observed with kubectl 1.37.1."""

from __future__ import annotations

import datetime
import os

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from wavecd.core import UserInputError
from wavecd.kube import KubeClient, KubeConfigError


def write(path, contexts, clusters, users=(), current=None):
    data = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": n, "cluster": body} for n, body in clusters.items()],
        "users": [{"name": n, "user": body} for n, body in dict(users).items()],
        "contexts": [{"name": n, "context": body} for n, body in contexts.items()],
    }
    if current:
        data["current-context"] = current
    path.write_text(yaml.safe_dump(data))
    return str(path)


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def test_the_current_context_of_an_explicit_file_reaches_the_cluster(sim, tmp_path, no_env):
    path = tmp_path / "kc"
    sim.write_kubeconfig(str(path), context="sim")
    with KubeClient.from_kubeconfig(str(path)) as kube:
        assert (kube.context, kube.namespace, kube.server) == ("sim", "default", sim.url)
        assert kube.server_version().major == "1"


def test_a_named_context_wins_over_the_current_one(tmp_path, no_env):
    path = write(
        tmp_path / "kc",
        {"a": {"cluster": "one", "namespace": "team-a"}, "b": {"cluster": "two", "namespace": "team-b"}},
        {"one": {"server": "http://127.0.0.1:1"}, "two": {"server": "http://127.0.0.1:2"}},
        current="a",
    )
    with KubeClient.from_kubeconfig(path, context="b") as kube:
        assert (kube.context, kube.namespace, kube.server) == ("b", "team-b", "http://127.0.0.1:2")


def test_kubeconfig_env_lists_are_merged_first_definition_wins(tmp_path, no_env, monkeypatch):
    first = write(
        tmp_path / "first",
        {"shared": {"cluster": "c1"}},
        {"c1": {"server": "http://127.0.0.1:11"}},
        current="shared",
    )
    second = write(
        tmp_path / "second",
        {"shared": {"cluster": "c2"}, "extra": {"cluster": "c2", "namespace": "x"}},
        {"c2": {"server": "http://127.0.0.1:22"}},
        current="extra",
    )
    missing = str(tmp_path / "missing")
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([missing, first, second]))
    with KubeClient.from_kubeconfig() as kube:
        assert (kube.context, kube.server) == ("shared", "http://127.0.0.1:11")
    with KubeClient.from_kubeconfig(context="extra") as kube:
        assert (kube.server, kube.namespace) == ("http://127.0.0.1:22", "x")


def test_home_kubeconfig_is_the_default(tmp_path, no_env):
    home = tmp_path / "home" / ".kube"
    home.mkdir(parents=True)
    write(home / "config", {"h": {"cluster": "c"}}, {"c": {"server": "http://127.0.0.1:3"}}, current="h")
    with KubeClient.from_kubeconfig() as kube:
        assert kube.context == "h"


def test_missing_explicit_file_is_reported_like_kubectl(tmp_path, no_env):
    with pytest.raises(KubeConfigError) as caught:
        KubeClient.from_kubeconfig(str(tmp_path / "nope"))
    assert caught.value.message == f"stat {tmp_path / 'nope'}: no such file or directory"
    assert isinstance(caught.value, UserInputError)


def test_no_kubeconfig_anywhere_says_where_it_looked(no_env):
    with pytest.raises(KubeConfigError, match=r"no kubeconfig found \(looked in ~/.kube/config\)"):
        KubeClient.from_kubeconfig()


def test_unknown_context_is_reported_like_kubectl_with_the_choices(tmp_path, no_env):
    path = write(tmp_path / "kc", {"a": {"cluster": "c"}, "b": {"cluster": "c"}}, {"c": {"server": "http://x"}})
    with pytest.raises(KubeConfigError) as caught:
        KubeClient.from_kubeconfig(path, context="nope")
    assert caught.value.message == "context was not found for specified context: nope"
    assert caught.value.context == ["contexts: a, b"]


def test_no_current_context_asks_for_one(tmp_path, no_env):
    path = write(tmp_path / "kc", {"a": {"cluster": "c"}}, {"c": {"server": "http://x"}})
    with pytest.raises(KubeConfigError, match="sets no current-context"):
        KubeClient.from_kubeconfig(path)


def test_context_naming_an_undefined_cluster_or_user(tmp_path, no_env):
    path = write(tmp_path / "kc", {"a": {"cluster": "zz"}}, {}, current="a")
    with pytest.raises(KubeConfigError, match='refers to cluster "zz"'):
        KubeClient.from_kubeconfig(path)
    path = write(tmp_path / "kc2", {"a": {"cluster": "c", "user": "u"}}, {"c": {"server": "http://x"}}, current="a")
    with pytest.raises(KubeConfigError, match='refers to user "u"'):
        KubeClient.from_kubeconfig(path)


def test_unreadable_yaml_is_reported_like_kubectl(tmp_path, no_env):
    path = tmp_path / "kc"
    path.write_text(": [\n")
    with pytest.raises(KubeConfigError, match=f'^error loading config file "{path}": '):
        KubeClient.from_kubeconfig(str(path))


def self_signed_ca() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-ca")])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def test_relative_certificate_paths_resolve_against_their_file(tmp_path, no_env, monkeypatch):
    """kubectl reads `certificate-authority: ca.crt` next to the kubeconfig that says so, whatever the working
    directory; a CA file that is not there is a config error, not a crash."""
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "ca.crt").write_bytes(self_signed_ca())
    clusters = {"c": {"server": "https://127.0.0.1:6443", "certificate-authority": "ca.crt"}}
    path = write(conf / "kc", {"a": {"cluster": "c"}}, clusters, current="a")
    monkeypatch.chdir(tmp_path)
    with KubeClient.from_kubeconfig(path) as kube:
        assert kube.server == "https://127.0.0.1:6443"
    (conf / "ca.crt").unlink()
    with pytest.raises(KubeConfigError, match="cannot use the kubeconfig context 'a'"):
        KubeClient.from_kubeconfig(path)
