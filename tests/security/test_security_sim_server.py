"""The simulated API server against oversized, lying and slow request bodies.

Expectations are the apiserver's: `MaxRequestBodyBytes` 3 MiB (`pkg/server/config.go`) and `limitedReadBody`'s
413 Status (`pkg/endpoints/handlers/rest.go`).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time

import httpx
import pytest

from wavecd.cli.sim_cmd import serve
from wavecd.core import ManualClock
from wavecd.sim.bodies import REQUEST_READ_TIMEOUT
from wavecd.sim.cluster import SimCluster

LIMIT = 3 * 1024 * 1024
TOO_LARGE = {
    "kind": "Status",
    "apiVersion": "v1",
    "metadata": {},
    "status": "Failure",
    "message": "Request entity too large: limit is 3145728",
    "reason": "RequestEntityTooLarge",
    "code": 413,
}
CONFIGMAPS = "/api/v1/namespaces/default/configmaps"


@pytest.fixture
def sim():
    with SimCluster(clock=ManualClock()) as cluster:
        yield cluster


@pytest.fixture
def impatient_sim():
    """A sim that gives a client half a second to send a request."""
    with SimCluster(clock=ManualClock(), request_timeout=0.5) as cluster:
        yield cluster


def configmap_body(size: int) -> bytes:
    """A ConfigMap `big` whose JSON is exactly `size` bytes."""
    empty = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"}, "data": {"k": ""}})
    body = empty.replace('"k": ""', '"k": "' + "x" * (size - len(empty)) + '"').encode()
    assert len(body) == size
    return body


def raw_request(port: int, head: str) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    conn.sendall(head.encode())
    return conn


def read_all(conn: socket.socket) -> bytes:
    received = b""
    while chunk := conn.recv(65536):
        received += chunk
    return received


def test_a_body_over_the_limit_is_refused_with_the_apiservers_status_and_nothing_is_stored(sim):
    with httpx.Client(base_url=sim.url, timeout=10) as client:
        headers = {"Content-Type": "application/json"}
        response = client.post(CONFIGMAPS, content=configmap_body(LIMIT + 1), headers=headers)
        assert response.status_code == 413
        assert response.json() == TOO_LARGE
        assert client.get(f"{CONFIGMAPS}/big").status_code == 404
        assert client.post(CONFIGMAPS, content=configmap_body(LIMIT), headers=headers).status_code == 201


def test_a_chunked_body_has_the_same_limit(sim):
    def chunks(size: int):
        body = configmap_body(size)
        for start in range(0, len(body), 100_000):
            yield body[start : start + 100_000]

    with httpx.Client(base_url=sim.url, timeout=10) as client:
        headers = {"Content-Type": "application/json"}
        response = client.post(CONFIGMAPS, content=chunks(LIMIT + 1), headers=headers)
        assert response.status_code == 413
        assert response.json() == TOO_LARGE
        assert client.get(f"{CONFIGMAPS}/big").status_code == 404
        stored = client.post(CONFIGMAPS, content=chunks(200_000), headers=headers)
        assert stored.status_code == 201
        assert len(client.get(f"{CONFIGMAPS}/big").json()["data"]["k"]) > 190_000


def test_a_declared_ten_gigabytes_is_refused_before_any_body_is_sent(sim):
    conn = raw_request(
        sim.port,
        f"POST {CONFIGMAPS} HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\n"
        "Content-Length: 10000000000\r\n\r\n",
    )
    with conn:
        answer = read_all(conn)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert b"Connection: close" in head
    assert json.loads(body) == TOO_LARGE


def test_a_client_that_asks_before_sending_a_body_over_the_limit_is_refused_without_continue(sim):
    conn = raw_request(
        sim.port,
        f"POST {CONFIGMAPS} HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\n"
        "Expect: 100-continue\r\nContent-Length: 4000000\r\n\r\n",
    )
    with conn:
        answer = read_all(conn)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert json.loads(answer.partition(b"\r\n\r\n")[2]) == TOO_LARGE


def test_a_client_that_asks_before_sending_a_body_within_the_limit_is_told_to_continue(sim):
    body = configmap_body(1000)
    conn = raw_request(
        sim.port,
        f"POST {CONFIGMAPS} HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\nConnection: close\r\n"
        f"Expect: 100-continue\r\nContent-Length: {len(body)}\r\n\r\n",
    )
    with conn:
        assert conn.recv(100).startswith(b"HTTP/1.1 100 Continue")
        conn.sendall(body)
        assert b"HTTP/1.1 201 " in read_all(conn)


@pytest.mark.parametrize(
    "framing",
    ["Content-Length: -5\r\n", "Content-Length: 5\r\nContent-Length: 6\r\n", "Transfer-Encoding: chunked\r\n"],
)
def test_a_body_whose_length_cannot_be_trusted_is_refused_and_the_connection_closed(sim, framing):
    body = "zz\r\n" if "chunked" in framing else ""
    conn = raw_request(sim.port, f"POST {CONFIGMAPS} HTTP/1.1\r\nHost: sim\r\n{framing}\r\n{body}")
    with conn:
        answer = read_all(conn)
    assert answer.startswith(b"HTTP/1.1 400 ")


def test_a_client_that_stops_sending_is_disconnected_and_others_are_served(impatient_sim):
    conn = raw_request(
        impatient_sim.port,
        f"POST {CONFIGMAPS} HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n" + "{" * 10,
    )
    with conn, httpx.Client(base_url=impatient_sim.url, timeout=10) as client:
        assert client.get("/version").status_code == 200  # served while the other client hangs
        assert read_all(conn) == b""  # closed without an answer once its time is up
        assert client.get("/version").status_code == 200
    assert impatient_sim.requests[-1].path == "/version"
    assert all(entry.method == "GET" for entry in impatient_sim.requests)


def test_a_client_that_drips_its_body_is_disconnected_before_it_finishes(impatient_sim):
    conn = raw_request(impatient_sim.port, f"POST {CONFIGMAPS} HTTP/1.1\r\nHost: sim\r\nContent-Length: 100\r\n\r\n")
    sent = 0
    with conn:
        try:
            for _ in range(100):  # one byte every 0.1 s would take 10 s; the server allows 0.5 s a request
                conn.sendall(b" ")
                sent += 1
                time.sleep(0.1)
        except OSError:
            pass
        conn.settimeout(10)
        try:
            answer = read_all(conn)
        except ConnectionResetError:
            answer = b""
    assert sent < 100
    assert answer == b""


def test_an_idle_kept_alive_connection_is_closed():
    with SimCluster(clock=ManualClock(), request_timeout=0.3) as cluster:
        conn = raw_request(cluster.port, "GET /version HTTP/1.1\r\nHost: sim\r\n\r\n")
        with conn:
            answer = read_all(conn)  # returns only because the server closes the idle connection after its answer
    assert answer.startswith(b"HTTP/1.1 200 ")


def test_the_cli_default_timeout_is_the_servers():
    option = next(param for param in serve.params if param.name == "request_timeout")
    assert option.default == REQUEST_READ_TIMEOUT


SERVER = textwrap.dedent(
    """
    import resource, sys, threading
    limit = 1024 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from wavecd.core import ManualClock
    from wavecd.sim.cluster import SimCluster
    with SimCluster(clock=ManualClock()) as cluster:
        print(cluster.port, flush=True)
        sys.stdin.read()
    """
)


def test_a_ten_gigabyte_body_is_refused_within_bounded_memory():
    """The server runs under a 1 GiB address-space limit while a client declares and streams 10 GB."""
    with subprocess.Popen(
        [sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=os.environ
    ) as server:
        assert server.stdout is not None and server.stdin is not None
        port = int(server.stdout.readline())
        conn = raw_request(
            port,
            f"POST {CONFIGMAPS} HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\n"
            "Content-Length: 10000000000\r\n\r\n",
        )
        with conn:
            try:
                for _ in range(1024):  # up to 64 MiB of the body, until the server stops taking it
                    conn.sendall(b"x" * 65536)
            except OSError:
                pass
            conn.settimeout(10)
            answer = read_all(conn)
        assert answer.startswith(b"HTTP/1.1 413 ")
        assert json.loads(answer.partition(b"\r\n\r\n")[2]) == TOO_LARGE
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            assert client.get("/version").status_code == 200
        server.stdin.close()
        assert server.wait(timeout=30) == 0
