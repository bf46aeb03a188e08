"""The stand-in discovery backend keeps answering the aggregator while other clients hold connections open:
it listens on an address the network reaches, so anyone may connect to it and send nothing."""

from __future__ import annotations

import json
import socket
import ssl

from wavecd.simdrive.discovery_backend import DiscoveryBackend


def _get(address: str, port: int, path: str) -> tuple[str, dict[str, object]]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # as the aggregator: it does not verify the backend's certificate
    with socket.create_connection((address, port), timeout=10) as raw, context.wrap_socket(raw) as conn:
        conn.sendall(f"GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n".encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n", 1)[0].decode(), json.loads(body)


def test_a_client_that_never_starts_tls_does_not_stall_the_discovery_answers() -> None:
    backend = DiscoveryBackend("127.0.0.1").start()
    try:
        backend.serve("metrics.k8s.io", "v1beta1")
        with socket.create_connection(("127.0.0.1", backend.port)):  # connected, silent
            status, document = _get("127.0.0.1", backend.port, "/apis/metrics.k8s.io/v1beta1")
    finally:
        backend.stop()
    assert status == "HTTP/1.0 200 OK"
    assert document == {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": "metrics.k8s.io/v1beta1",
        "resources": [],
    }
