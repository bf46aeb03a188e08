"""Real registries for the sources and `helm template` tests, all on loopback and torn down at the end of the
session (one of each per test process: with `--dist loadgroup` their users share the `sources-registries` group).

- `open_registry`: Debian's `docker-registry` with no authentication.
- `basic_registry`: the same with htpasswd (basic) authentication.
- `token_registry`: the same with `auth: token`, backed by a small token issuer in this process that
  signs RS256 JWTs with a throw-away key; anonymous callers may pull `public/*`, `alice` may do anything.
- `helm_repo`: an `http.server` Helm repository (index.yaml + archives) behind basic auth.

The registry binary is installed by `.ci/run`; without it the registry tests are skipped.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import hashlib
import http.server
import io
import json
import shutil
import socket
import subprocess
import tarfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from support.processes import die_with_parent

REGISTRY_BINARY = shutil.which("docker-registry") or "/usr/bin/docker-registry"
USER, PASSWORD = "alice", "wonderland"
SERVICE, ISSUER = "wavecd-test-registry", "wavecd-test-issuer"
FIXED_MTIME = 1_700_000_000


def chart_archive(name: str, version: str, *, app_version: str = "1.0", value: str = "hello") -> bytes:
    """A small chart `.tgz` built the way `helm package` lays it out (files under `<name>/`),
    byte-stable so its digest is the same in every run."""
    files = {
        "Chart.yaml": f'apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: "{app_version}"\n'
        f"description: test chart {name}\n",
        "values.yaml": f"greeting: {value}\n",
        "templates/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"
        "data:\n  greeting: {{ .Values.greeting | quote }}\n",
    }
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}/{path}")
            info.size, info.mtime, info.mode = len(data), FIXED_MTIME, 0o644
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=FIXED_MTIME) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Registry:
    host: str  # 127.0.0.1:<port>
    process: subprocess.Popen


class _RegistryExited(RuntimeError):
    """The registry stopped before it answered: most likely its port was taken meanwhile."""


def _wait_ready(url: str, process: subprocess.Popen, log: Path, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise _RegistryExited(f"docker-registry exited ({process.returncode}): {log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=1.0).status_code in (200, 401):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"docker-registry did not become ready within {timeout}s: {log.read_text()[-2000:]}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _launch(folder: Path, auth: dict | None) -> tuple[subprocess.Popen, int]:
    """Start a registry on a free port; a port taken between choosing and binding it is retried."""
    attempts_left = 3
    while True:
        attempts_left -= 1
        port = free_port()
        config = {
            "version": 0.1,
            "log": {"level": "error", "accesslog": {"disabled": True}},
            "storage": {"filesystem": {"rootdirectory": str(folder / "data")}, "delete": {"enabled": True}},
            "http": {"addr": f"127.0.0.1:{port}", "secret": "wavecd-tests"},
            **({"auth": auth} if auth else {}),
        }
        (folder / "config.yml").write_text(json.dumps(config))
        log = folder / "registry.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [REGISTRY_BINARY, "serve", str(folder / "config.yml")],
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
            )
        try:
            _wait_ready(f"http://127.0.0.1:{port}/v2/", process, log)
            return process, port
        except _RegistryExited:
            if not attempts_left:
                raise
        except BaseException:
            _stop(process)
            raise


def _start_registry(folder: Path, auth: dict | None) -> Iterator[Registry]:
    if not Path(REGISTRY_BINARY).is_file():
        pytest.skip("docker-registry is not installed (apt-get install docker-registry; .ci/run does this)")
    folder.mkdir(parents=True)
    process, port = _launch(folder, auth)
    try:
        yield Registry(f"127.0.0.1:{port}", process)
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def open_registry(tmp_path_factory) -> Iterator[Registry]:
    yield from _start_registry(tmp_path_factory.mktemp("open") / "registry", None)


@pytest.fixture(scope="session")
def basic_registry(tmp_path_factory) -> Iterator[Registry]:
    folder = tmp_path_factory.mktemp("basic")
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    (folder / "htpasswd").write_text(f"{USER}:{hashed}\n")
    auth = {"htpasswd": {"realm": "wavecd-basic", "path": str(folder / "htpasswd")}}
    yield from _start_registry(folder / "registry", auth)


# --- the token issuer ----------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenIssuer:
    """Signs registry tokens: RS256 JWTs whose `x5c` header carries the self-signed certificate that
    the registry trusts (its `rootcertbundle`)."""

    def __init__(self, folder: Path):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
        now = datetime.datetime.now(datetime.UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.bundle = folder / "root.pem"
        self.bundle.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        self.requests: list[tuple[str | None, str]] = []

    def grant(self, user: str | None, scope: str) -> list[dict]:
        access = []
        for item in scope.split(" ") if scope else []:
            kind, _, rest = item.partition(":")
            name, _, actions = rest.rpartition(":")
            wanted = actions.split(",")
            allowed = wanted if user == USER else [a for a in wanted if a == "pull" and name.startswith("public/")]
            access.append({"type": kind, "name": name, "actions": allowed})
        return access

    def token(self, user: str | None, scope: str) -> str:
        self.requests.append((user, scope))
        header = {
            "typ": "JWT",
            "alg": "RS256",
            "x5c": [base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()],
        }
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": user or "",
            "aud": SERVICE,
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": hashlib.sha256(f"{now}{scope}{user}".encode()).hexdigest()[:16],
            "access": self.grant(user, scope),
        }
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"


def _basic_user(header: str | None) -> tuple[str | None, bool]:
    """(user, credentials ok) of an Authorization header; no header is the anonymous user."""
    if not header:
        return None, True
    scheme, _, encoded = header.partition(" ")
    try:
        user, _, password = base64.b64decode(encoded).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None, False
    return user, scheme.lower() == "basic" and (user, password) == (USER, PASSWORD)


class _QuietHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def reply(self, status: int, body: bytes, content_type: str = "application/json", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)


def _serve(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class TokenRegistry(Registry):
    issuer: TokenIssuer


@pytest.fixture(scope="session")
def token_registry(tmp_path_factory) -> Iterator[TokenRegistry]:
    folder = tmp_path_factory.mktemp("token")
    issuer = TokenIssuer(folder)

    class Handler(_QuietHandler):
        def do_GET(self) -> None:
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            user, ok = _basic_user(self.headers.get("Authorization"))
            if not ok or query.get("service", [""])[0] != SERVICE:
                self.reply(401, b'{"details":"bad credentials"}')
                return
            token = issuer.token(user, " ".join(query.get("scope", [])))
            self.reply(200, json.dumps({"token": token, "expires_in": 300}).encode())

    for server in _serve(Handler):
        auth = {
            "token": {
                "realm": f"http://127.0.0.1:{server.server_address[1]}/token",
                "service": SERVICE,
                "issuer": ISSUER,
                "rootcertbundle": str(issuer.bundle),
            }
        }
        for registry in _start_registry(folder / "registry", auth):
            yield TokenRegistry(registry.host, registry.process, issuer)


# --- a classic Helm repository ---------------------------------------------------------------------


@dataclass
class HelmRepo:
    url: str
    folder: Path
    requests: list[tuple[str, str | None]]


@pytest.fixture(scope="session")
def helm_repo(tmp_path_factory) -> Iterator[HelmRepo]:
    """Serves `folder` (test modules write index.yaml and archives into it); every path asks for
    basic credentials, except under `/open/`."""
    folder = tmp_path_factory.mktemp("helmrepo")
    requests: list[tuple[str, str | None]] = []

    class Handler(_QuietHandler):
        def do_GET(self) -> None:
            path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
            user, ok = _basic_user(self.headers.get("Authorization"))
            requests.append((path, user))
            if not path.startswith("/open/") and (user is None or not ok):
                self.reply(401, b"unauthorized", "text/plain", WWW_Authenticate='Basic realm="charts"')
                return
            target = (folder / path.lstrip("/")).resolve()
            if not target.is_relative_to(folder.resolve()) or not target.is_file():
                self.reply(404, b"not found", "text/plain")
                return
            self.reply(200, target.read_bytes(), "application/octet-stream")

    for server in _serve(Handler):
        yield HelmRepo(f"http://127.0.0.1:{server.server_address[1]}", folder, requests)
