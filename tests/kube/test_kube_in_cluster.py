"""wavecd inside a pod: with no kubeconfig it reaches the API as client-go does, with the pod's service account
(`token`, `ca.crt` and `namespace` under the service-account folder, `KUBERNETES_SERVICE_HOST`/`_PORT`).

The API here is the simulated cluster behind a TLS front that, like a real API server, serves only a client
holding the current token, with a certificate signed by the service account's CA.
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from wavecd.kube import KubeClient, KubeConfigError, kubeconfig

NAMESPACE = "wavecd-system"
TOKEN = "first-token"


def _certificate(subject: str, key, issuer: x509.Name | None = None, issuer_key=None, *, ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        builder = builder.add_extension(san, critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


@dataclass
class ApiFront:
    """An HTTPS server in front of the sim: it forwards what carries `Bearer <token>` and answers 401 otherwise."""

    upstream: str
    token: str = TOKEN
    seen: list[str] = field(default_factory=list)  # the Authorization header of every request
    port: int = 0


def _serve(front: ApiFront, cert: Path, key: Path) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _forward(self) -> None:
            header = self.headers.get("Authorization", "")
            front.seen.append(header)
            if header != f"Bearer {front.token}":
                self._reply(401, b'{"kind":"Status","status":"Failure","reason":"Unauthorized","code":401}', {})
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
            response = httpx.request(self.command, front.upstream + self.path, content=body, headers=headers)
            self._reply(response.status_code, response.content, {"Content-Type": response.headers["content-type"]})

        def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    front.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def service_account(tmp_path, monkeypatch) -> Path:
    """A service-account folder as the kubelet mounts it, and no kubeconfig anywhere."""
    folder = tmp_path / "serviceaccount"
    folder.mkdir()
    (folder / "token").write_text(TOKEN)
    (folder / "namespace").write_text(NAMESPACE)
    monkeypatch.setattr(kubeconfig, "SERVICE_ACCOUNT", str(folder))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return folder


@pytest.fixture
def api(sim, service_account, tmp_path, monkeypatch) -> Iterator[ApiFront]:
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("cluster-ca", ca_key, ca=True)
    server_cert = _certificate("kube-apiserver", server_key, ca.subject, ca_key, ca=False)
    (service_account / "ca.crt").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert, key = tmp_path / "server.crt", tmp_path / "server.key"
    cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    front = ApiFront(sim.url)
    server = _serve(front, cert, key)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", str(front.port))
    try:
        yield front
    finally:
        server.shutdown()
        server.server_close()


def config_map(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}}


def test_without_a_kubeconfig_a_pod_reaches_the_api_with_its_service_account(api, sim):
    with KubeClient.from_kubeconfig() as kube:
        assert kube.server == f"https://127.0.0.1:{api.port}"
        assert kube.namespace == NAMESPACE
        assert kube.server_version().major == "1"
        kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
        kube.apply(config_map("settings"))  # no namespace: the service account's, as kubectl does in a pod
    with KubeClient.for_server(sim.url) as direct:
        assert direct.get("v1", "ConfigMap", "settings", NAMESPACE)["data"] == {"k": "v"}
    assert set(api.seen) == {f"Bearer {TOKEN}"}


def test_a_rotated_token_is_read_again_after_the_api_refuses_the_old_one(api, service_account):
    with KubeClient.from_kubeconfig() as kube:
        kube.server_version()
        api.token = "second-token"
        (service_account / "token").write_text("second-token\n")  # the kubelet rotates the projected token
        assert kube.server_version().major == "1"
    assert api.seen[-2:] == [f"Bearer {TOKEN}", "Bearer second-token"]


def test_a_kubeconfig_wins_over_the_service_account(api, sim, tmp_path, monkeypatch):
    path = tmp_path / "kc"
    sim.write_kubeconfig(str(path), context="sim")
    monkeypatch.setenv("KUBECONFIG", str(path))
    with KubeClient.from_kubeconfig() as kube:
        assert (kube.context, kube.server) == ("sim", sim.url)
    assert api.seen == []


def test_a_context_cannot_be_chosen_in_cluster(api):
    with pytest.raises(KubeConfigError) as caught:
        KubeClient.from_kubeconfig(context="prod")
    assert caught.value.message == "context was not found for specified context: prod"


@pytest.mark.parametrize("unset", ["KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"])
def test_outside_a_pod_no_kubeconfig_is_an_error_naming_where_it_looked(api, monkeypatch, unset):
    monkeypatch.delenv(unset)
    with pytest.raises(KubeConfigError, match=r"^no kubeconfig found \(looked in ~/.kube/config\)$"):
        KubeClient.from_kubeconfig()


def test_a_token_file_without_its_namespace_is_a_clear_error(api, service_account):
    (service_account / "namespace").unlink()
    with pytest.raises(KubeConfigError, match=r"^invalid in-cluster configuration: "):
        KubeClient.from_kubeconfig()
