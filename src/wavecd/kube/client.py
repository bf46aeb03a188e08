"""`KubeClient`: the typed facade the sync engine talks to a cluster through, on plain dict manifests.

Reads and writes go through lightkube (its generic resources, so any kind discovered at runtime works, CRDs
included); discovery, `/version` and stoppable watches use lightkube's authenticated session, since lightkube
has no API for them. A real cluster and wavecd's simulated one are reached the same way.
"""

from __future__ import annotations

import builtins
import ipaddress
import platform
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, cast

import httpx
from lightkube import Client
from lightkube.config.client_adapter import ConnectionParams
from lightkube.config.kubeconfig import KubeConfig, SingleConfig
from lightkube.core.exceptions import ConfigError, NotReadyError
from lightkube.core.generic_client import ALL_NS
from lightkube.generic_resource import GenericNamespacedResource
from lightkube.types import CascadeType, PatchType

from wavecd import __version__
from wavecd.kube import kubeconfig
from wavecd.kube.discovery import ApiResource, Discovery
from wavecd.kube.errors import (
    InvalidError,
    KubeConfigError,
    KubeConnectionError,
    NoKindMatchError,
    NotFoundError,
    from_response,
    from_transport,
)
from wavecd.kube.resources import resource_class
from wavecd.kube.watch import Watch

FIELD_MANAGER = "wavecd"
# Objects per list request when a whole kind is read for a watch, as Argo CD's cluster cache pages its lists.
LIST_PAGE_SIZE = 500
Propagation = Literal["Background", "Foreground", "Orphan"]
PatchKind = Literal["merge", "strategic", "json"]
Subresource = Literal["status", "finalize"]
PatchBody = dict[str, Any] | list[Any]  # a merge patch is an object, a JSON patch a list of operations
_CASCADE = {"Background": CascadeType.BACKGROUND, "Foreground": CascadeType.FOREGROUND, "Orphan": CascadeType.ORPHAN}
_PATCH = {"merge": PatchType.MERGE, "strategic": PatchType.STRATEGIC, "json": PatchType.JSON}
# Go's names for the machine types Python reports, as client-go's User-Agent spells them (GOARCH).
_GOARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i386": "386", "i686": "386"}


def user_agent(component: str = "") -> str:
    """The User-Agent wavecd sends: `wavecd/<version> (<os>/<arch>)`, client-go's shape (`kubectl/v1.31.0
    (linux/amd64) kubernetes/<commit>`), so an API server's audit log names the program behind a request.
    `component` is appended, as kube-controller-manager appends each controller's name: `wavecd serve` puts
    its replica's identity there, so the requests of two replicas can be told apart."""
    machine = platform.machine().lower()
    agent = f"wavecd/v{__version__} ({platform.system().lower()}/{_GOARCH.get(machine, machine)})"
    return f"{agent} {component}" if component else agent


@dataclass(frozen=True)
class ServerVersion:
    """The server's `/version` (what Helm's `.Capabilities.KubeVersion` is made of on a live cluster)."""

    major: str
    minor: str
    git_version: str


class KubeClient:
    """One connection to one Kubernetes API. Thread-safe; close it (or use `with`) when done."""

    def __init__(self, config: SingleConfig, *, timeout: float = 30.0, agent: str | None = None):
        self._config = config
        self._agent = agent
        self._server = config.cluster.server
        http_timeout = httpx.Timeout(timeout)
        # Proxy variables apply as with kubectl, which never sends loopback traffic through a proxy.
        trust_env = not _is_loopback(self._server)
        self._http_timeout, self._trust_env = http_timeout, trust_env
        # One lightkube client (one httpx connection pool) per thread: the sync's workers each send their
        # own requests, instead of queueing on one pool's lock. A thread's client goes with the thread (only
        # its thread-local holds it); close() closes those still alive.
        self._local = threading.local()
        self._clients: weakref.WeakSet[Client] = weakref.WeakSet()
        self._clients_lock = threading.Lock()
        try:
            self._local.client = self._new_client()
            # Every open watch holds a connection of this session's pool for as long as it runs, and a cluster
            # cache keeps one per kind: httpx's cap of 100 would leave the next watch, and discovery beside
            # them, waiting for a connection until they time out. Idle connections kept stay httpx's 20.
            params = ConnectionParams(timeout=http_timeout, trust_env=trust_env).httpx_params(config)
            self._session = httpx.Client(**params, limits=httpx.Limits(max_connections=None))
            self._session.headers["User-Agent"] = agent or user_agent()
        except (ConfigError, OSError, ValueError) as err:
            raise KubeConfigError(f"cannot use the kubeconfig context {config.context_name!r}: {err}") from err
        self._context = config.context_name
        self._namespace = config.namespace
        self._discovery = Discovery(self._fetch_json)

    def sibling(self, *, timeout: float) -> KubeClient:
        """A new client of the same cluster and identity with another request timeout (a leader election must
        give up on a hung renewal well within its renew deadline); the caller closes it."""
        return KubeClient(self._config, timeout=timeout, agent=self._agent)

    @classmethod
    def from_kubeconfig(
        cls, path: str | None = None, context: str | None = None, *, timeout: float = 30.0, agent: str | None = None
    ) -> KubeClient:
        """Connect as kubectl would: `path`, else `KUBECONFIG`, else `~/.kube/config`; `context` or the current
        one. `agent` is the User-Agent to send (default `user_agent()`)."""
        return cls(kubeconfig.load(path, context), timeout=timeout, agent=agent)

    @classmethod
    def for_server(
        cls, url: str, *, namespace: str | None = None, timeout: float = 30.0, agent: str | None = None
    ) -> KubeClient:
        """Connect to `url` without credentials (a local API such as the simulated cluster)."""
        single = KubeConfig.from_server(url, namespace=namespace).get()
        assert single is not None
        return cls(kubeconfig.with_user(single), timeout=timeout, agent=agent)

    def _new_client(self) -> Client:
        client = Client(
            self._config, timeout=self._http_timeout, field_manager=FIELD_MANAGER, trust_env=self._trust_env
        )
        # lightkube has no option for the User-Agent: it goes on the httpx client lightkube sends through.
        client._client._client.headers["User-Agent"] = self._agent or user_agent()
        with self._clients_lock:
            self._clients.add(client)
        return client

    @property
    def _client(self) -> Client:
        """This thread's lightkube client, made on its first request."""
        client: Client | None = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self._new_client()
        return client

    def close(self) -> None:
        with self._clients_lock:
            clients = list(self._clients)
            self._clients.clear()
        for client in clients:
            client.close()
        self._session.close()

    def __enter__(self) -> KubeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def server(self) -> str:
        return self._server

    @property
    def context(self) -> str:
        return self._context

    @property
    def namespace(self) -> str:
        """The context's namespace: where namespaced objects without one go, as with kubectl."""
        return self._namespace

    # -- discovery -------------------------------------------------------------------------------------------------
    def server_version(self) -> ServerVersion:
        body = self._fetch_json("/version", "application/json")[1]
        return ServerVersion(
            major=str(body.get("major", "")),
            minor=str(body.get("minor", "")),
            git_version=str(body.get("gitVersion", "")),
        )

    def resources(self, *, refresh: bool = False) -> list[ApiResource]:
        """Every kind served, at every version; `refresh=True` reads discovery again (after CRDs are
        established)."""
        snapshot = self._discovery.refresh() if refresh else self._discovery.snapshot()
        return list(snapshot.resources)

    def refresh_discovery(self) -> None:
        self._discovery.refresh()

    def resource_for(self, api_version: str, kind: str) -> ApiResource:
        """How `kind` at `api_version` is served; `NoKindMatchError` when it is not (after one refresh)."""
        return self._discovery.resolve(api_version, kind)

    def is_namespaced(self, api_version: str, kind: str) -> bool:
        return self._discovery.resolve(api_version, kind).namespaced

    def api_versions(self) -> list[str]:
        """What `helm template --api-versions` would get from this cluster (sorted)."""
        return self._discovery.snapshot().api_versions()

    # -- reads -------------------------------------------------------------------------------------------------------
    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        """The live object, or None when it does not exist."""
        res = self._discovery.resolve(api_version, kind)
        try:
            with self._errors():
                found = self._client.get(_lightkube_class(res), _named(name), namespace=self._scope(res, namespace))
        except NotFoundError:
            return None
        return dict(found)

    def list(
        self,
        api_version: str,
        kind: str,
        namespace: str | None = None,
        label_selector: Mapping[str, str] | None = None,
        field_selector: Mapping[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """The objects of a kind; a namespaced kind without `namespace` is listed across all namespaces.
        `field_selector` is ANDed equalities (`involvedObject.uid=…`), as the API server filters them."""
        res = self._discovery.resolve(api_version, kind)
        scope = (namespace or ALL_NS) if res.namespaced else None
        with self._errors():
            items = self._client.list(
                _lightkube_class(res),
                namespace=scope,
                labels=dict(label_selector or {}) or None,
                fields=dict(field_selector or {}) or None,
            )
            return [dict(item) for item in items]

    def list_for_watch(self, api_version: str, kind: str) -> tuple[builtins.list[dict[str, Any]], str]:
        """Every object of a kind (all namespaces, in pages of `LIST_PAGE_SIZE`) and the resourceVersion the
        list was read at: a watch started from it neither repeats nor misses a change (client-go's reflector).
        """
        res = self._discovery.resolve(api_version, kind)
        with self._errors():
            pages = self._client.list(
                _lightkube_class(res), namespace=ALL_NS if res.namespaced else None, chunk_size=LIST_PAGE_SIZE
            )
            items = [dict(item) for item in pages]
        try:
            resource_version = pages.resourceVersion
        except NotReadyError:
            raise KubeConnectionError(f"the server at {self._server} listed {kind} without a resourceVersion") from None
        return items, resource_version

    def watch(
        self,
        api_version: str,
        kind: str,
        namespace: str | None = None,
        resource_version: str | None = None,
        *,
        label_selector: Mapping[str, str] | None = None,
        field_selector: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Watch:
        """A `Watch` of a kind (all namespaces when `namespace` is None); see `Watch` for how it ends."""
        res = self._discovery.resolve(api_version, kind)
        params: dict[str, str] = {}
        if label_selector:
            params["labelSelector"] = ",".join(f"{k}={v}" for k, v in label_selector.items())
        if field_selector:
            params["fieldSelector"] = ",".join(f"{k}={v}" for k, v in field_selector.items())
        path = _collection_path(res, namespace if res.namespaced else None)
        return Watch(
            self._session,
            path,
            params,
            api_version=res.api_version,
            kind=res.kind,
            resource_version=resource_version,
            timeout=timeout,
            server=self._server,
        )

    # -- writes ------------------------------------------------------------------------------------------------------
    def apply(
        self,
        obj: Mapping[str, Any],
        *,
        field_manager: str = FIELD_MANAGER,
        force: bool = False,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Server-side apply of one object (created if missing); returns the object as the server has it now
        (or would have it, with `dry_run`). Fields another manager owns raise `ApplyConflictError` unless
        `force`."""
        res, body, namespace = self._prepare(obj)
        name = body["metadata"].get("name")
        if not name:
            raise InvalidError(f"{_describe(body)}: metadata.name: Required value: name is required for apply")
        with self._kind_gone(res), self._errors():
            applied = self._client.patch(
                _lightkube_class(res),
                name,
                body,
                namespace=namespace,
                patch_type=PatchType.APPLY,
                field_manager=field_manager,
                force=force,
                dry_run=dry_run,
            )
        return dict(applied)

    def create(
        self, obj: Mapping[str, Any], *, field_manager: str = FIELD_MANAGER, dry_run: bool = False
    ) -> dict[str, Any]:
        """Create one object (`generateName` allowed, as hooks use it); `AlreadyExistsError` if it exists."""
        res, body, namespace = self._prepare(obj)
        cls = _lightkube_class(res)
        with self._kind_gone(res), self._errors():
            created = self._client.create(
                cls.from_dict(body), namespace=namespace, field_manager=field_manager, dry_run=dry_run
            )
        return dict(created)

    def replace(
        self, obj: Mapping[str, Any], *, field_manager: str = FIELD_MANAGER, dry_run: bool = False
    ) -> dict[str, Any]:
        """Replace an existing object with exactly `obj`, as `kubectl replace`: fields other managers set and
        `obj` lacks are gone afterwards. Without `metadata.resourceVersion` the update is unconditional; with
        it, it is optimistic: `ConflictError` if the object changed since that version was read."""
        res, body, namespace = self._prepare(obj)
        _named(body["metadata"].get("name"))
        cls = _lightkube_class(res)
        with self._kind_gone(res), self._errors():
            # lightkube's replace() takes `namespace` for a namespaced object, but its overloads leave it out.
            replaced = self._client.replace(  # type: ignore[call-overload]
                cls.from_dict(body), namespace=namespace, field_manager=field_manager, dry_run=dry_run
            )
        return dict(replaced)

    def patch(
        self,
        api_version: str,
        kind: str,
        name: str,
        patch: PatchBody,
        *,
        namespace: str | None = None,
        patch_type: PatchKind = "merge",
        field_manager: str = FIELD_MANAGER,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """A merge, strategic-merge or JSON patch of one object; returns the patched object."""
        if patch_type not in _PATCH:
            raise ValueError(f"unknown patch type {patch_type!r}")
        res = self._discovery.resolve(api_version, kind)
        with self._errors():
            patched = self._client.patch(
                _lightkube_class(res),
                _named(name),
                patch,
                namespace=self._scope(res, namespace),
                patch_type=_PATCH[patch_type],
                field_manager=field_manager,
                dry_run=dry_run,
            )
        return dict(patched)

    def delete(
        self,
        api_version: str,
        kind: str,
        name: str,
        namespace: str | None = None,
        *,
        propagation: Propagation = "Background",
        dry_run: bool = False,
        grace_period: int | None = None,
    ) -> bool:
        """Ask for deletion (finalizers and dependents are the server's business); False when already gone.
        `grace_period` overrides a pod's `terminationGracePeriodSeconds` (0: gone now, the kubelet's last word)."""
        if propagation not in _CASCADE:
            raise ValueError(f"unknown propagation policy {propagation!r}")
        res = self._discovery.resolve(api_version, kind)
        try:
            with self._errors():
                self._client.delete(
                    _lightkube_class(res),
                    _named(name),
                    namespace=self._scope(res, namespace),
                    cascade=_CASCADE[propagation],
                    dry_run=dry_run,
                    grace_period=grace_period,
                )
        except NotFoundError:
            return False
        return True

    def write_subresource(
        self, obj: Mapping[str, Any], subresource: Subresource, *, field_manager: str = FIELD_MANAGER
    ) -> dict[str, Any]:
        """Replace what a controller owns beside the object itself: its `status`, or a Namespace's
        `spec.finalizers` (`finalize`, as the namespace controller ends a deletion). Optimistic on the body's
        resourceVersion, like `replace`; returns the object as the server has it now."""
        res, body, namespace = self._prepare(obj)
        path = f"{_collection_path(res, namespace)}/{_named(body['metadata'].get('name'))}/{subresource}"
        return self._send("PUT", res, path, body, field_manager)

    def bind_pod(self, name: str, namespace: str, node: str, *, field_manager: str = FIELD_MANAGER) -> None:
        """Place a Pod on a Node as kube-scheduler does: a `Binding` posted to the pod's `binding` subresource
        (a Pod's `spec.nodeName` cannot be updated)."""
        res = self._discovery.resolve("v1", "Pod")
        path = f"{_collection_path(res, namespace)}/{_named(name)}/binding"
        binding = {
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": name, "namespace": namespace},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node},
        }
        self._send("POST", res, path, binding, field_manager)

    def _send(self, method: str, res: ApiResource, path: str, body: dict[str, Any], manager: str) -> dict[str, Any]:
        with self._kind_gone(res), self._errors():
            response = self._session.request(method, path, json=body, params={"fieldManager": manager})
            response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    # -- plumbing ----------------------------------------------------------------------------------------------------
    def _prepare(self, obj: Mapping[str, Any]) -> tuple[ApiResource, dict[str, Any], str | None]:
        """The resource, a body safe to send, and the namespace a write goes to."""
        if not isinstance(obj, Mapping):
            raise InvalidError(f"a Kubernetes object must be a mapping, not {type(obj).__name__}")
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if not isinstance(api_version, str) or not api_version:
            raise InvalidError(f"{_describe(obj)}: apiVersion not set")
        if not isinstance(kind, str) or not kind:
            raise InvalidError(f"{_describe(obj)}: kind not set")
        metadata = obj.get("metadata")
        if not isinstance(metadata, Mapping):
            raise InvalidError(f"{_describe(obj)}: metadata not set")
        res = self._discovery.resolve(api_version, kind)
        # Only metadata is touched, so a shallow copy of the two levels keeps the caller's manifest intact.
        body = dict(obj)
        body["metadata"] = dict(metadata)
        if res.namespaced:
            namespace = metadata.get("namespace") or self._namespace
            body["metadata"]["namespace"] = namespace
            return res, body, namespace
        # A namespace on a cluster-scoped object means nothing; the API server ignores it and so do we.
        body["metadata"].pop("namespace", None)
        return res, body, None

    def _scope(self, res: ApiResource, namespace: str | None) -> str | None:
        return (namespace or self._namespace) if res.namespaced else None

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """lightkube's and httpx's exceptions, as the `KubeError` family."""
        try:
            yield
        except httpx.HTTPStatusError as err:
            raise from_response(err.response) from err
        except httpx.HTTPError as err:
            raise from_transport(err, self._server) from err

    @contextmanager
    def _kind_gone(self, res: ApiResource) -> Iterator[None]:
        """A write answered 404 may mean discovery is stale (the CRD was deleted since): check once, and say
        "no matches" then, as kubectl would after its own refresh."""
        try:
            yield
        except NotFoundError as err:
            if res.namespaced and err.details.get("kind") == "namespaces":
                raise  # the object's namespace is missing: discovery has nothing to do with it
            current = self._discovery.refresh().by_kind.get((res.api_version, res.kind))
            if current is None:
                raise NoKindMatchError(res.api_version, res.kind) from None
            raise

    def _fetch_json(self, path: str, accept: str) -> tuple[str, Any]:
        with self._errors():
            response = self._session.get(path, headers={"Accept": accept})
        if response.status_code >= 400:
            raise from_response(response)
        try:
            body = response.json()
        except ValueError as err:
            raise KubeConnectionError(
                f"the server at {self._server} answered {path} with something that is not JSON"
            ) from err
        if not isinstance(body, dict):
            raise KubeConnectionError(f"the server at {self._server} answered {path} with unexpected JSON")
        return response.headers.get("content-type", ""), body


def _collection_path(res: ApiResource, namespace: str | None) -> str:
    base = f"/apis/{res.group}/{res.version}" if res.group else f"/api/{res.version}"
    if namespace:
        return f"{base}/namespaces/{namespace}/{res.plural}"
    return f"{base}/{res.plural}"


def _is_loopback(server: str) -> bool:
    host = httpx.URL(server).host
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _lightkube_class(res: ApiResource) -> type[GenericNamespacedResource]:
    """The class of `res` as lightkube's signatures take it. lightkube chooses a call's signature by the class's
    scope, known statically; a class made from discovery has its scope only at run time, and every call here
    passes `namespace=None` for a cluster-scoped one, which lightkube accepts, so the namespaced signatures
    describe both."""
    return cast(type[GenericNamespacedResource], resource_class(res))


def _named(name: str) -> str:
    """A name for a single-object request: an empty one would silently address the whole collection."""
    if not isinstance(name, str) or not name:
        raise InvalidError(f"a resource name is required, got {name!r}")
    return name


def _describe(obj: Mapping[str, Any]) -> str:
    """`Kind ns/name` for messages about a bad object, from whatever of it is there."""
    metadata = obj.get("metadata")
    meta = metadata if isinstance(metadata, Mapping) else {}
    name = meta.get("name") or meta.get("generateName") or "<unnamed>"
    namespace = meta.get("namespace")
    return f"{obj.get('kind') or '<no kind>'} {namespace + '/' if namespace else ''}{name}"
