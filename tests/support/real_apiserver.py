"""A real kube-apiserver and its etcd, started on loopback for the tests marked `real_apiserver`.

The binaries are built from the Go module proxy by tools/build_apiserver.sh (`make apiserver`) into a cache
folder outside the repository; without them the tests are skipped with the command that builds them. The
server gets certificates, service-account keys and a static token (a `system:masters` user under RBAC) that
this module generates, and is reached only through the kubeconfig it writes, as a user's cluster would be.
No kubelet and no controllers: pods never run, a deleted namespace stays `Terminating`.

Fixture `real_apiserver` (session-scoped, so one per xdist worker; the tests that use it share the xdist group
`real-apiserver`, so one worker starts it).
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import secrets
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from support.paths import TESTS
from support.processes import die_with_parent

BUILD_SCRIPT = TESTS.parent / "tools" / "build_apiserver.sh"
BUILD_COMMAND = "make apiserver"


def binaries_folder() -> Path:
    """Where tools/build_apiserver.sh puts (or has put) the binaries: its own answer, so the rule has one home."""
    out = subprocess.run([str(BUILD_SCRIPT), "--print"], check=True, capture_output=True, text=True)
    return Path(out.stdout.strip())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pem_key(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def write_credentials(folder: Path) -> dict[str, Path]:
    """A CA, a serving certificate for 127.0.0.1 signed by it, a service-account key pair and a token file."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wavecd-test-ca")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.DNSName("kubernetes.default.svc")]
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in ("127.0.0.1", "10.96.0.1")]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    files = {
        "ca": folder / "ca.crt",
        "cert": folder / "apiserver.crt",
        "key": folder / "apiserver.key",
        "sa_key": folder / "sa.key",
        "sa_pub": folder / "sa.pub",
        "tokens": folder / "tokens.csv",
    }
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files["key"].write_bytes(_pem_key(key))
    files["sa_key"].write_bytes(_pem_key(sa_key))
    files["sa_pub"].write_bytes(
        sa_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    # token,user,uid,"groups"
    files["tokens"].write_text(f'{secrets.token_hex(16)},wavecd-test,wavecd-test,"system:masters"\n')
    for path in files.values():
        path.chmod(0o600)
    return files


class RealApiserver:
    """etcd and kube-apiserver in subprocesses, logs in `folder/etcd.log` and `folder/apiserver.log`."""

    def __init__(self, binaries: Path, folder: Path, flags: tuple[str, ...] = ()):
        self.binaries = binaries
        self.folder = folder
        self.flags = flags
        self.kubeconfig = folder / "kubeconfig"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.url = ""

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        with open(self.folder / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent
            )
        self.processes.append(process)
        return process

    def _log_tail(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")[-4000:]

    def _wait(self, name: str, process: subprocess.Popen[bytes], check: httpx.Client, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited: {self._log_tail(name)}")
            try:
                if check.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{name} not ready in {timeout} s: {(self.folder / f'{name}.log').read_text()[-4000:]}"
                )
            time.sleep(0.2)

    def start(self, timeout: float = 120) -> RealApiserver:
        files = write_credentials(self.folder)
        client_port, peer_port, secure_port = free_port(), free_port(), free_port()
        etcd_url = f"http://127.0.0.1:{client_port}"
        peer_url = f"http://127.0.0.1:{peer_port}"
        etcd = self._spawn(
            "etcd",
            [
                str(self.binaries / "etcd"),
                "--name=default",
                f"--data-dir={self.folder / 'etcd-data'}",
                f"--listen-client-urls={etcd_url}",
                f"--advertise-client-urls={etcd_url}",
                f"--listen-peer-urls={peer_url}",
                f"--initial-advertise-peer-urls={peer_url}",
                f"--initial-cluster=default={peer_url}",
                "--unsafe-no-fsync",
                "--log-level=warn",
            ],
        )
        with httpx.Client() as plain:
            self._wait("etcd", etcd, plain, f"{etcd_url}/health", timeout)
        apiserver = self._spawn(
            "apiserver",
            [
                str(self.binaries / "kube-apiserver"),
                f"--etcd-servers={etcd_url}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={secure_port}",
                f"--cert-dir={self.folder / 'certs'}",
                f"--tls-cert-file={files['cert']}",
                f"--tls-private-key-file={files['key']}",
                f"--token-auth-file={files['tokens']}",
                "--authorization-mode=Node,RBAC",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-key-file={files['sa_pub']}",
                f"--service-account-signing-key-file={files['sa_key']}",
                "--service-cluster-ip-range=10.96.0.0/16",
                "--profiling=false",
                "--v=1",
                *self.flags,
            ],
        )
        self.url = f"https://127.0.0.1:{secure_port}"
        token = files["tokens"].read_text().split(",", 1)[0]
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(verify=ssl.create_default_context(cafile=files["ca"]), headers=headers) as tls:
            self._wait("apiserver", apiserver, tls, f"{self.url}/readyz", timeout)
        self._write_kubeconfig(files["ca"].read_bytes(), token)
        return self

    def _write_kubeconfig(self, ca: bytes, token: str) -> None:
        name = "real-apiserver"
        ca_data = base64.b64encode(ca).decode()
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": {"server": self.url, "certificate-authority-data": ca_data}}],
            "users": [{"name": name, "user": {"token": token}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name, "namespace": "default"}}],
            "current-context": name,
        }
        self.kubeconfig.write_text(yaml.safe_dump(config, sort_keys=False))
        self.kubeconfig.chmod(0o600)

    def stop(self) -> None:
        """The apiserver first, then its store; each gets 15 s to stop on SIGTERM before SIGKILL."""
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


@contextmanager
def started_apiserver(folder: Path, flags: tuple[str, ...] = ()) -> Iterator[RealApiserver]:
    """A real kube-apiserver of its own in `folder` (with `flags` besides the fixed ones), stopped on leaving;
    the test is skipped without the binaries."""
    binaries = binaries_folder()
    if not (binaries / "kube-apiserver").exists() or not (binaries / "etcd").exists():
        pytest.skip(f"no real kube-apiserver in {binaries}: build it with `{BUILD_COMMAND}`")
    server = RealApiserver(binaries, folder, flags)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def real_apiserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealApiserver]:
    """One per xdist worker, shared by the tests that only send requests (nothing drives its objects)."""
    with started_apiserver(tmp_path_factory.mktemp("real-apiserver")) as server:
        yield server
