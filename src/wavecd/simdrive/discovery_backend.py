"""A stand-in for the servers behind aggregated APIs (metrics-server behind `v1beta1.metrics.k8s.io`): an HTTPS
server in the `wavecd sim controllers` process that answers each group/version's discovery document.

kube-apiserver's aggregator judges an `APIService` backed by a Service itself (its availability controller,
kube-aggregator `pkg/controllers/status/remote`): it resolves the Service to one of its ready EndpointSlice
addresses (with `--enable-aggregator-routing`), GETs `/apis/<group>/<version>` there over TLS without verifying
the certificate, within 5 s, and takes any 2xx answer as Available. The pods the sim runs have made-up IPs that
nothing listens on, so the Service's EndpointSlice points here instead (`endpointslices.py`). The address must
be one the server can dial and that an EndpointSlice may hold: not loopback, not link-local (kube-apiserver's
`ValidateEndpointIP`), so it is this host's address on its outgoing interface.

It serves no resources: the document lists none, as nothing rehearsed reads metrics.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from wavecd.sprig.certs import gen_self_signed

__all__ = ["DiscoveryBackend", "host_address"]

# Any address outside this host: connecting a UDP socket sends nothing, it only picks the outgoing interface.
_PROBE = ("192.0.2.1", 9)
# How long a client may take over its handshake or its request; the address is reachable from the network.
_CLIENT_TIMEOUT = 5.0


def host_address() -> str | None:
    """This host's address on its outgoing interface; None when it has only loopback or link-local ones,
    which kube-apiserver refuses in an EndpointSlice."""
    candidates: list[str] = []
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(_PROBE)
        candidates.append(str(probe.getsockname()[0]))
    with contextlib.suppress(OSError):
        candidates += [str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    for candidate in candidates:
        ip = ipaddress.ip_address(candidate)
        if not (ip.is_loopback or ip.is_link_local or ip.is_unspecified):
            return candidate
    return None


class DiscoveryBackend:
    """The HTTPS server, on `address`:`port` once `start`ed; `serve(group, version)` adds a group/version."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._lock = threading.Lock()
        self._served: dict[str, set[str]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "start() first"
        return int(self._server.server_address[1])

    def serve(self, group: str, version: str) -> None:
        with self._lock:
            self._served.setdefault(group, set()).add(version)

    def document(self, path: str) -> dict[str, object] | None:
        """The discovery document at `path` (`/apis`, `/apis/<group>/<version>`), None when not served."""
        parts = [p for p in path.split("?", 1)[0].split("/") if p]
        with self._lock:
            served = {group: sorted(versions) for group, versions in self._served.items()}
        if parts == ["apis"]:
            groups = [
                {
                    "name": group,
                    "versions": [{"groupVersion": f"{group}/{v}", "version": v} for v in versions],
                    "preferredVersion": {"groupVersion": f"{group}/{versions[0]}", "version": versions[0]},
                }
                for group, versions in sorted(served.items())
            ]
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
        if len(parts) == 3 and parts[0] == "apis" and parts[2] in served.get(parts[1], ()):
            group_version = f"{parts[1]}/{parts[2]}"
            return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": []}
        return None

    def start(self) -> DiscoveryBackend:
        server = ThreadingHTTPServer((self.address, 0), _handler(self))
        server.daemon_threads = True
        # The handshake runs in the request's thread, under the handler's timeout: done on accept, in the one
        # thread that accepts, a client that connects and sends nothing would stall every later check.
        server.socket = _tls(self.address).wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="wavecd-simdrive-discovery", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _tls(address: str) -> ssl.SSLContext:
    """A server context with a self-signed certificate for `address` (the aggregator does not verify it)."""
    made = gen_self_signed("wavecd-sim-discovery", [address], None, 365)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory(prefix="wavecd-simdrive-") as folder:
        cert, key = Path(folder) / "tls.crt", Path(folder) / "tls.key"
        cert.write_text(made.Cert)
        key.touch(mode=0o600)
        key.write_text(made.Key)
        context.load_cert_chain(cert, key)
    return context


def _handler(backend: DiscoveryBackend) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = _CLIENT_TIMEOUT  # the aggregator gives up after 5 s; a silent client is dropped as soon

        def do_GET(self) -> None:
            document = backend.document(self.path)
            if document is None:
                status = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404}
                self._answer(404, status)
            else:
                self._answer(200, document)

        def _answer(self, code: int, body: dict[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the aggregator checks every few seconds."""

    return Handler
