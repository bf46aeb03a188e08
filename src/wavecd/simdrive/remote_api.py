"""The sim's `Api`, as its controllers use it, over another API server: reads come from a mirror of that server
(a sim `Store` that its watches keep current), writes go to the server as its own controllers would send them.

The controllers are written against the simulated API's verbs; a real kube-apiserver takes some of those
writes only through subresources, so `update` chooses the request: a Pod given a node is bound (`binding`),
a status goes to `status`, a Namespace's finalizers to `finalize`. Each answer is put in the mirror at once,
so the controller's next read sees its own write before the watch brings it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from wavecd.kube import KubeClient, KubeError, NotFoundError
from wavecd.sim.api import Api
from wavecd.sim.apierrors import ApiError
from wavecd.sim.registry import Kind, Registry
from wavecd.sim.store import Store

__all__ = ["RemoteApi"]


class RemoteApi(Api):
    """`Api` whose writes go to `client`'s server; `store` is the mirror its watches fill (see `Mirror`)."""

    def __init__(self, client: KubeClient, store: Store, registry: Registry, refused: Callable[[str], None]):
        super().__init__(store, registry, time.time)
        self.client = client
        self._refused = refused
        self._said: set[str] = set()

    def mirror(self, kind: Kind, obj: dict[str, Any]) -> dict[str, Any]:
        """Keep `obj`, as the server answered it, in the mirror (with the server's resourceVersion)."""
        meta = obj.get("metadata") or {}
        return self.store.put(self.key(kind, meta.get("namespace"), meta.get("name", "")), obj, keep_version=True)

    def observed(self, kind: Kind, event_type: str, obj: dict[str, Any]) -> None:
        """A change the server's watch reported: kept in the mirror, and told to the controllers as the sim
        tells them of its own writes."""
        meta = obj.get("metadata") or {}
        if event_type == "DELETED":
            self.store.delete(self.key(kind, meta.get("namespace"), meta.get("name", "")))
            self._notify(kind, event_type, obj)
        else:
            self._notify(kind, event_type, self.mirror(kind, obj))

    # -- the verbs the controllers use -------------------------------------------------------------------------------
    def create(
        self, kind: Kind, namespace: str | None, body: object, *, manager: str, dry_run: bool = False
    ) -> dict[str, Any]:
        obj = _addressed(kind, namespace, body)
        with self._as_api_error("create", kind, namespace, obj["metadata"].get("name") or ""):
            return self.mirror(kind, self.client.create(obj, field_manager=manager, dry_run=dry_run))

    def update(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        body: object,
        *,
        manager: str,
        subresource: str | None = None,
        dry_run: bool = False,
    ) -> tuple[dict[str, Any], bool]:
        obj = _addressed(kind, namespace, body)
        obj["metadata"]["name"] = name
        before = self.find(kind, namespace, name)
        with self._as_api_error("update", kind, namespace, name):
            if subresource == "status":
                answer = self.client.write_subresource(obj, "status", field_manager=manager)
            elif _binds(kind, before, obj):
                self.client.bind_pod(name, str(namespace), obj["spec"]["nodeName"], field_manager=manager)
                found = self.client.get(kind.api_version, kind.kind, name, namespace)
                if found is None:
                    raise NotFoundError(f'pods "{name}" not found', reason="NotFound", code=404)
                answer = found
            elif _finalizes(kind, before, obj):
                answer = self.client.write_subresource(obj, "finalize", field_manager=manager)
            else:
                answer = self.client.replace(obj, field_manager=manager, dry_run=dry_run)
        changed = before is None or before.get("metadata", {}).get("resourceVersion") != answer.get("metadata", {}).get(
            "resourceVersion"
        )
        return self.mirror(kind, answer), changed

    def delete(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        *,
        propagation: str | None = None,
        dry_run: bool = False,
        precondition_uid: str | None = None,
        precondition_rv: str | None = None,
    ) -> dict[str, Any]:
        last = self.find(kind, namespace, name) or {}
        with self._as_api_error("delete", kind, namespace, name):
            self.client.delete(
                kind.api_version,
                kind.kind,
                name,
                namespace,
                propagation="Foreground" if propagation == "Foreground" else "Background",
                dry_run=dry_run,
            )
        return last

    @contextmanager
    def _as_api_error(self, verb: str, kind: Kind, namespace: str | None, name: str) -> Iterator[None]:
        """The server's refusal as the sim's `ApiError`, which the controllers already handle (a conflict or a
        missing object is reconciled again with fresh state); any other refusal is said once, since the
        controllers would otherwise wait on it silently."""
        try:
            yield
        except KubeError as err:
            if err.code not in (404, 409):
                where = f"{namespace}/{name}" if namespace else name
                self.say_once(f"{verb} {kind.kind} {where} refused: {err.message}")
            raise ApiError(err.code or 500, err.reason or "InternalError", err.message) from err

    def say_once(self, line: str) -> None:
        """Say `line` unless it was said before: a refused write is tried again and again, a reconcile runs often."""
        if line not in self._said:
            self._said.add(line)
            self._refused(line)

    def patch(self, *args: Any, **kwargs: Any) -> tuple[dict[str, Any], bool]:
        """The controllers never patch; a new use must say how it is sent to the server."""
        raise NotImplementedError("RemoteApi.patch: the sim controllers write by update, create and delete")


def _addressed(kind: Kind, namespace: str | None, body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "BadRequest", f"a {kind.kind} must be an object")
    obj = {**body, "apiVersion": kind.api_version, "kind": kind.kind, "metadata": dict(body.get("metadata") or {})}
    if kind.namespaced and namespace:
        obj["metadata"]["namespace"] = namespace
    return obj


def _binds(kind: Kind, before: dict[str, Any] | None, after: dict[str, Any]) -> bool:
    """A Pod given its node: kube-scheduler's write, which a real server takes only as a Binding."""
    if kind.group or kind.kind != "Pod":
        return False
    node = (after.get("spec") or {}).get("nodeName")
    return bool(node) and node != ((before or {}).get("spec") or {}).get("nodeName")


def _finalizes(kind: Kind, before: dict[str, Any] | None, after: dict[str, Any]) -> bool:
    """A Namespace's `spec.finalizers` changed: the namespace controller's write, through `finalize`."""
    if kind.group or kind.kind != "Namespace":
        return False
    return (after.get("spec") or {}).get("finalizers") != ((before or {}).get("spec") or {}).get("finalizers")
