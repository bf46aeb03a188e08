"""The HTTP front of the simulated cluster: a threaded stdlib server speaking the Kubernetes REST dialect.

Why stdlib `ThreadingHTTPServer` and not starlette/uvicorn: watches are long-lived streams that block on the
store's condition variable, which a thread per connection does naturally; it needs no event loop shared with
the controllers, starts in milliseconds inside tests, and keeps `sim` free of async plumbing.
"""

from __future__ import annotations

import collections
import contextlib
import io
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

from wavecd.common import DEFAULT_KUBE_VERSION
from wavecd.goyaml import GoYamlError, load_manifest
from wavecd.sim import apierrors, discovery, openapi
from wavecd.sim.api import APPLY, PATCH_TYPES, Api
from wavecd.sim.apierrors import ApiError
from wavecd.sim.bodies import MAX_REQUEST_BODY_BYTES, REQUEST_READ_TIMEOUT, DeadlineReader, FramingError, read_body
from wavecd.sim.routes import GroupVersionRoute, ResourceRoute, parse_resource
from wavecd.sim.scale import scale_of, scale_patch, set_replicas
from wavecd.sim.selectors import field_selector, label_selector
from wavecd.sim.table import TABLE_TYPE, table, wants_table
from wavecd.sim.watch import WatchRequest, serve_watch

_MAJOR, _MINOR, _ = DEFAULT_KUBE_VERSION.removeprefix("v").split(".")
SERVER_VERSION = {
    "major": _MAJOR,
    "minor": _MINOR,
    "gitVersion": f"{DEFAULT_KUBE_VERSION}-wavecd-sim",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z",
    "goVersion": "go1.24.0",
    "compiler": "gc",
    "platform": "linux/amd64",
}
_JSON_TYPES = ("application/json", "application/yaml", "")
_BINARY_TYPES = ("application/vnd.kubernetes.protobuf", "application/cbor")


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    status: int
    user_agent: str
    content_type: str


class SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], api: Api, read_timeout: float = REQUEST_READ_TIMEOUT):
        super().__init__(address, _Handler)
        self.api = api
        self.read_timeout = read_timeout
        self.stopping = threading.Event()
        self.request_log: collections.deque[LoggedRequest] = collections.deque(maxlen=100_000)
        self.on_request: Callable[[LoggedRequest], None] | None = None
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def shutdown(self) -> None:
        """Stop serving and drop every open connection, as a stopped apiserver's are dropped: a kept-alive
        connection would otherwise go on being answered from this server's store by its handler thread, and a
        client would never notice the restart behind it."""
        self.stopping.set()
        with self.api.store.changed:
            self.api.store.changed.notify_all()
        super().shutdown()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def opened(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def closed(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)


def _truthy(value: str | None) -> bool:
    return value in ("true", "1", "True")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SimHTTPServer

    def setup(self) -> None:
        """No Nagle delay: headers and body go out as separate writes, and a client's delayed ACK would
        otherwise add ~40 ms to every request."""
        super().setup()
        self.server.opened(self.connection)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile.close()  # the stdlib's reader has no deadline; it must be closed or the socket stays open
        self._reader = DeadlineReader(self.connection, self.server.read_timeout)
        self.rfile = io.BufferedReader(self._reader)

    def finish(self) -> None:
        self.server.closed(self.connection)
        super().finish()

    def handle_expect_100(self) -> bool:
        """`100 Continue` only for a body the server will read: a client that declares one over the limit gets
        the 413 without sending it (Go's server, too, sends 100 only once the handler reads the body)."""
        declared = (self.headers.get("Content-Length") or "").strip()
        if declared.isdigit() and int(declared) > MAX_REQUEST_BODY_BYTES:
            return True
        return super().handle_expect_100()

    def handle_one_request(self) -> None:
        """Each request, and the wait for it on a kept-alive connection, gets the read timeout afresh."""
        self._reader.restart()
        super().handle_one_request()
        if self.server.stopping.is_set():  # e.g. a watch that shutdown ended: nothing more on this connection
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        """Requests go to the request log, not stderr."""

    # -- plumbing -----------------------------------------------------------------------------------------------
    def _log(self, status: int) -> None:
        entry = LoggedRequest(
            self.command,
            self.path,
            status,
            self.headers.get("User-Agent", ""),
            self.headers.get("Content-Type", ""),
        )
        self.server.request_log.append(entry)
        if self.server.on_request is not None:
            self.server.on_request(entry)

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        for warning in getattr(self.server.api.request, "warnings", []):
            escaped = warning.replace("\\", "\\\\").replace('"', '\\"')
            self.send_header("Warning", f'299 - "{escaped}"')
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache, private")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        # Logged before the body goes out, so a client that has its answer also finds it in the log.
        self._log(status)
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, obj: object, content_type: str = "application/json") -> None:
        self._send(status, json.dumps(obj, separators=(",", ":")).encode(), content_type)

    def _error(self, err: ApiError) -> None:
        self._json(err.code, err.status())

    def _body(self) -> bytes:
        """The request body, read once at dispatch so every answer leaves the connection in sync."""
        return self._raw

    def _parsed_body(self) -> object:
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        raw = self._body()
        if content_type in _BINARY_TYPES:
            raise apierrors.unsupported_media(content_type)
        if not raw.strip():
            return None
        try:
            if content_type == "application/json" or not content_type:
                return json.loads(raw)
            return load_manifest(raw.decode("utf-8", "surrogateescape"))
        except (ValueError, GoYamlError) as err:
            raise apierrors.bad_request(f"error decoding request body: {err}") from None

    def _route(self) -> tuple[str, dict[str, str]]:
        parsed = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query, keep_blank_values=True).items()}
        path = parsed.path.rstrip("/") or "/"
        return path, query

    def _manager(self, query: dict[str, str]) -> str:
        manager = query.get("fieldManager")
        if manager:
            return manager
        agent = self.headers.get("User-Agent") or "unknown"
        return agent.split("/", 1)[0] or "unknown"

    # -- verbs ---------------------------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        if not self._read_body():
            return
        try:
            path, query = self._route()
            self.server.api.request.field_validation = query.get("fieldValidation", "Warn")
            self.server.api.request.warnings = []
            if method == "GET" and self._static(path):
                return
            segments = [s for s in path.split("/") if s]
            if not segments or segments[0] not in ("api", "apis"):
                raise apierrors.no_route()
            route = parse_resource(self.server.api.registry, segments[1:])
            if route is None:
                raise apierrors.no_route()
            if isinstance(route, GroupVersionRoute):
                if method != "GET":
                    raise apierrors.method_not_allowed()
                self._group_version(route)
                return
            self._resource(method, route, query)
        except ApiError as err:
            self._error(self._explain(err))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as err:  # a bug in the sim must still answer with a Status, not drop the connection
            self.close_connection = True
            self._error(ApiError(500, "InternalError", f"Internal error occurred: {type(err).__name__}: {err}"))

    def _read_body(self) -> bool:
        """Read the body into `_raw`; False when the request was answered (or dropped) instead."""
        try:
            self._raw = read_body(self.rfile, self.headers, MAX_REQUEST_BODY_BYTES)
            return True
        except ApiError as err:  # too large: refused before the body is read, so the connection cannot go on
            self.close_connection = True
            self._error(err)
            self._linger()
        except FramingError as err:
            self.close_connection = True
            self._send(err.code, err.text.encode(), "text/plain; charset=utf-8")
        except (TimeoutError, ConnectionError):  # a client that stopped sending: the connection is dropped
            self.close_connection = True
        return False

    def _linger(self) -> None:
        """Half-close, then discard what the client still sends (up to the cap, within the request's read
        deadline), so that it reads the answer: closing a socket with unread data sends a reset, which can
        destroy the answer in transit."""
        try:
            self.connection.shutdown(socket.SHUT_WR)
            left = MAX_REQUEST_BODY_BYTES
            while left > 0 and (received := len(self.rfile.read1(64 * 1024))):
                left -= received
        except OSError:  # the deadline passed, or the client is gone
            pass

    def _explain(self, err: ApiError) -> ApiError:
        """A write to a resource nothing serves names the body's kind, as clients word it for users."""
        if err.code != 404 or err.details != {} or self.command not in ("POST", "PUT", "PATCH") or not self._raw:
            return err
        try:
            body = yaml.load(self._raw, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            return err
        if isinstance(body, dict) and body.get("kind") and body.get("apiVersion"):
            return apierrors.no_kind(str(body["kind"]), str(body["apiVersion"]))
        return err

    def _static(self, path: str) -> bool:
        api = self.server.api
        if path == "/version":
            self._json(200, SERVER_VERSION)
        elif path in ("/healthz", "/readyz", "/livez"):
            self._send(200, b"ok", "text/plain; charset=utf-8")
        elif path in ("/api", "/apis"):
            core = path == "/api"
            if discovery.wants_aggregated(self.headers.get("Accept") or ""):
                self._json(200, discovery.aggregated(api.registry, core), discovery.AGGREGATED_TYPE)
            elif core:
                host, port = self.server.server_address[:2]
                self._json(200, discovery.api_versions(f"{host}:{port}"))
            else:
                self._json(200, discovery.api_group_list(api.registry))
        elif path == "/openapi/v2":
            self._send(200, openapi.V2_STUB, openapi.V2_TYPE)
        elif path == "/openapi/v3":
            self._json(200, openapi.root(api.registry))
        elif path.startswith("/openapi/v3/"):
            parts = path[len("/openapi/v3/") :].split("/")
            group, version = (
                ("", parts[1])
                if parts[0] == "api" and len(parts) == 2
                else ((parts[1], parts[2]) if parts[0] == "apis" and len(parts) == 3 else (None, None))
            )
            doc = openapi.group_version(api.registry, group, version) if version else None
            if doc is None:
                raise apierrors.no_route()
            self._json(200, doc)
        elif path.startswith("/apis/") and path.count("/") == 2:
            doc = discovery.api_group(api.registry, path.split("/")[2])
            if doc is None:
                raise apierrors.no_route()
            self._json(200, doc)
        else:
            return False
        return True

    def _group_version(self, route: GroupVersionRoute) -> None:
        doc = discovery.resource_list(self.server.api.registry, route.group, route.version)
        if doc is None:
            raise apierrors.no_route()
        self._json(200, doc)

    def _resource(self, method: str, route: ResourceRoute, query: dict[str, str]) -> None:
        api = self.server.api
        kind, ns, name, sub = route.kind, route.namespace, route.name, route.subresource
        dry_run = query.get("dryRun") == "All"
        if method == "GET" and _truthy(query.get("watch")):
            if name is not None:  # the deprecated single-object watch path
                query = {**query, "fieldSelector": f"metadata.name={name}"}
                route = ResourceRoute(kind, ns, None, None)
            self._watch(route, query)
            return
        if method == "GET" and name is None:
            # Labels read the same in every version: the stored objects are filtered before they are copied.
            items, rv = api.list(kind, ns, match=label_selector(query.get("labelSelector")))
            fields = field_selector(query.get("fieldSelector"))
            items = [o for o in items if fields(o)]
            if wants_table(self.headers.get("Accept") or ""):
                self._json(200, table(kind, items, str(rv), api.now()), TABLE_TYPE)
                return
            self._json(
                200,
                {
                    "kind": f"{kind.kind}List",
                    "apiVersion": kind.api_version,
                    "metadata": {"resourceVersion": str(rv)},
                    "items": items,
                },
            )
            return
        if name is None:
            if method == "POST":
                body = self._parsed_body()
                obj = api.create(kind, ns, body, manager=self._manager(query), dry_run=dry_run)
                self._json(201, obj)
                return
            if method == "DELETE":
                self._delete_collection(route, query)
                return
            raise apierrors.method_not_allowed()
        if sub == "scale":
            self._scale(method, route, query, dry_run)
            return
        if sub == "finalize" and method != "PUT":
            raise apierrors.method_not_allowed()
        if method == "GET":
            obj = api.get(kind, ns, name)
            if sub is None and wants_table(self.headers.get("Accept") or ""):
                self._json(200, table(kind, [obj], obj["metadata"].get("resourceVersion", ""), api.now()), TABLE_TYPE)
                return
            self._json(200, obj)
        elif method == "PUT":
            body = self._parsed_body()
            obj, created = api.update(
                kind,
                ns,
                name,
                body,
                manager=self._manager(query),
                subresource=sub,
                dry_run=dry_run,
            )
            self._json(201 if created else 200, obj)
        elif method == "PATCH":
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            raw = self._body()
            if content_type not in PATCH_TYPES:
                raise apierrors.unsupported_media(content_type)
            manager = query.get("fieldManager") or (None if content_type == APPLY else self._manager(query))
            obj, created = api.patch(
                kind,
                ns,
                name,
                content_type,
                raw,
                manager=manager,
                force=_truthy(query.get("force")),
                subresource="status" if sub == "status" else None,
                dry_run=dry_run,
            )
            self._json(201 if created else 200, obj)
        elif method == "DELETE":
            options = self._parsed_body() or {}
            if not isinstance(options, dict):
                raise apierrors.bad_request("DeleteOptions must be an object")
            preconditions = options.get("preconditions") or {}
            obj = api.delete(
                kind,
                ns,
                name,
                propagation=options.get("propagationPolicy") or query.get("propagationPolicy"),
                dry_run=dry_run or "All" in (options.get("dryRun") or []),
                precondition_uid=preconditions.get("uid"),
                precondition_rv=preconditions.get("resourceVersion"),
            )
            self._json(200, apierrors.deleted(kind, obj))
        else:
            raise apierrors.method_not_allowed()

    def _delete_collection(self, route: ResourceRoute, query: dict[str, str]) -> None:
        api = self.server.api
        options = self._parsed_body() or {}
        labels, fields = (
            label_selector(query.get("labelSelector")),
            field_selector(query.get("fieldSelector")),
        )
        items, rv = api.list(route.kind, route.namespace)
        deleted = []
        for obj in items:
            if labels(obj) and fields(obj):
                meta = obj["metadata"]
                deleted.append(
                    api.delete(
                        route.kind,
                        meta.get("namespace"),
                        meta["name"],
                        propagation=(options or {}).get("propagationPolicy"),
                    )
                )
        self._json(
            200,
            {
                "kind": f"{route.kind.kind}List",
                "apiVersion": route.kind.api_version,
                "metadata": {"resourceVersion": str(rv)},
                "items": deleted,
            },
        )

    def _scale(self, method: str, route: ResourceRoute, query: dict[str, str], dry_run: bool) -> None:
        api = self.server.api
        assert route.name is not None
        obj = api.get(route.kind, route.namespace, route.name)
        if method == "GET":
            self._json(200, scale_of(route.kind, obj))
            return
        if method not in ("PUT", "PATCH"):
            raise apierrors.method_not_allowed()
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        raw = self._body()
        replicas = scale_patch(route.kind, obj, method, content_type, raw)
        updated = set_replicas(route.kind, obj, replicas)
        new, _ = api.update(
            route.kind,
            route.namespace,
            route.name,
            updated,
            manager=self._manager(query),
            subresource="scale",
            dry_run=dry_run,
        )
        self._json(200, scale_of(route.kind, new))

    def _watch(self, route: ResourceRoute, query: dict[str, str]) -> None:
        request = WatchRequest.from_query(route.kind, route.namespace, query)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self._log(200)
        started = time.monotonic()

        def write(line: bytes) -> None:
            self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
            self.wfile.flush()

        transform = None
        if wants_table(self.headers.get("Accept") or ""):
            api = self.server.api

            def transform(obj: dict, first: bool) -> dict:
                rows = table(route.kind, [obj], obj["metadata"].get("resourceVersion", ""), api.now())
                if not first:  # column definitions travel with the first event only
                    rows["columnDefinitions"] = []
                return rows

        serve_watch(self.server.api, request, write, self.server.stopping, started, transform)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
