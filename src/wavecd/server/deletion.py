"""Applications leaving the cluster, as Argo CD's application controller lets them go.

Two pieces the controller needs after each tree re-expansion and on each Application it sees being deleted:

- `removed_applications`: the Applications and ApplicationSets a parent app tracks but no longer renders.
  In Argo CD the parent's sync prunes them (only when that sync prunes: `automated.prune` or a manual sync
  with prune), like any other object the parent stopped rendering.
- `finalize_application_deletion`: one pass of `finalizeApplicationDeletion` for an Application whose
  deletion was asked for. With the resources finalizer its tracked objects go first, one sync wave per
  pass, highest first, each pass waiting until the wave before is gone; then the finalizer is lifted and
  the API server removes the Application. Without it the objects are left in place (orphaned).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from wavecd.apps.destination import destination_server
from wavecd.apps.errors import AppSpecError
from wavecd.apps.model import IN_CLUSTER_SERVER, Destination
from wavecd.apps.node import Tree, is_argo_object
from wavecd.common import APPLICATION, ARGOCD_NAMESPACE
from wavecd.kube import ConflictError, KubeClient
from wavecd.server.app_fields import is_deleting, mapping, metadata, spec
from wavecd.sync.finalize import (
    cascade_finalizers,
    cascade_propagation,
    deletion_approved,
    needs_confirmation,
    next_deletion_wave,
    should_be_deleted,
)
from wavecd.sync.live import identity
from wavecd.sync.tracking import instance_name, owner_of

__all__ = ["DeletionPass", "RemovedApp", "destination_known", "finalize_application_deletion", "removed_applications"]

# The hook finalizers a deletion also drops when the app's cluster is gone (`UnSetPreDeleteFinalizerAll`,
# `UnSetPostDeleteFinalizerAll`: by prefix, stages included).
_HOOK_FINALIZERS = ("pre-delete-finalizer.argocd.argoproj.io", "post-delete-finalizer.argocd.argoproj.io")


@dataclass(frozen=True)
class RemovedApp:
    """A live Application or ApplicationSet that `parent` (an app of the tree) tracks but renders no more."""

    parent: str
    obj: dict[str, Any]


def removed_applications(tree: Tree, live: Iterable[dict[str, Any]]) -> list[RemovedApp]:
    """The live Applications and ApplicationSets (`live`, as listed from the cluster) that an app of `tree`
    tracks but no longer renders. An app whose render failed renders nothing trustworthy, so nothing it
    tracks is reported: Argo CD never prunes from a failed comparison. What the parent tracks is left to
    its own deletion when the parent itself is gone from the tree."""
    rendered: dict[str, set[tuple[str, str, str]]] = {}
    for node in tree.nodes:
        if node.kind != APPLICATION or node.error:
            continue
        declared = rendered.setdefault(instance_name(node.name, node.namespace), set())
        for manifest in node.manifests:
            if is_argo_object(manifest):
                # Recorded where the sync records it: in `argocd` when the manifest names no namespace.
                _, kind, namespace, name = identity(manifest, ARGOCD_NAMESPACE)
                declared.add((kind, namespace, name))
    parents = {instance_name(n.name, n.namespace): n.name for n in tree.nodes if n.kind == APPLICATION}
    out: list[RemovedApp] = []
    for obj in live:
        owner = owner_of(obj)
        if owner is None or owner not in rendered or not is_argo_object(obj):
            continue
        _, kind, namespace, name = identity(obj)
        if (kind, namespace, name) not in rendered[owner]:
            out.append(RemovedApp(parents[owner], obj))
    return out


@dataclass(frozen=True)
class DeletionPass:
    """What one pass did: the objects whose deletion it asked for, and whether the Application is free to
    go (its cascading finalizers lifted, or it had none)."""

    deleted: list[dict[str, Any]]
    finished: bool


def destination_known(app: dict[str, Any], clusters: Iterable[tuple[str, str]]) -> bool:
    """Whether the app deploys to a cluster the controller knows — `clusters` as (name, server) pairs,
    `in-cluster` always known — as Argo CD's `GetDestinationCluster` resolves it."""
    known = list(clusters)
    dest = mapping(spec(app).get("destination"))
    try:
        server = destination_server(Destination(str(dest.get("server") or ""), str(dest.get("name") or "")), known)
    except AppSpecError:
        return False
    return server == IN_CLUSTER_SERVER or any(server == s.rstrip("/") for _, s in known)


def _exists(client: KubeClient, obj: dict[str, Any]) -> bool:
    _, kind, namespace, name = identity(obj)
    return client.get(str(obj.get("apiVersion")), kind, name, namespace or None) is not None


def finalize_application_deletion(
    client: KubeClient,
    app: dict[str, Any],
    tracked: list[dict[str, Any]],
    *,
    clusters: Iterable[tuple[str, str]] | None = None,
) -> DeletionPass:
    """One pass over an Application being deleted (`app` as live, `tracked` the live objects its tracking
    annotation claims: `wavecd.sync.inventory.tracked_by_instance`). Call it again, with a fresh listing,
    until `finished`: a pass waits while any tracked object is still being deleted or while a
    `Delete=confirm` object awaits `argocd.argoproj.io/deletion-approved`. A pass on an app not being
    deleted does nothing. Given `clusters` (name, server) and an app whose cluster is not among them, its
    resources cannot be reached: its cascading and hook finalizers are dropped at once. Errors from the API
    are raised as `KubeError` for the caller to report (Argo CD's DeletionError condition)."""
    meta = metadata(app)
    if not is_deleting(app):
        return DeletionPass([], False)
    if clusters is not None and not destination_known(app, clusters):
        cascading = cascade_finalizers(app)
        dropped = [f for f in meta.get("finalizers") or [] if f in cascading or f.startswith(_HOOK_FINALIZERS)]
        return DeletionPass([], _lift(client, app, dropped))
    policy = cascade_propagation(app)
    if policy is None:
        return DeletionPass([], True)
    if any(is_deleting(obj) for obj in tracked):
        return DeletionPass([], False)
    candidates = [obj for obj in tracked if should_be_deleted(app, obj)]
    if not deletion_approved(app) and any(needs_confirmation(app, obj) for obj in candidates):
        return DeletionPass([], False)
    wave = next_deletion_wave(candidates)
    for obj in wave:
        _, kind, namespace, name = identity(obj)
        client.delete(str(obj.get("apiVersion")), kind, name, namespace or None, propagation=policy)
    if any(_exists(client, obj) for obj in candidates):
        return DeletionPass(wave, False)
    return DeletionPass(wave, _lift(client, app, cascade_finalizers(app)))


def _lift(client: KubeClient, app: dict[str, Any], dropped: list[str]) -> bool:
    """Take `dropped` off the app's finalizers; False when the app changed meanwhile (the next pass retries)."""
    meta = metadata(app)
    kept = [f for f in meta.get("finalizers") or [] if f not in dropped]
    try:
        client.patch(
            str(app.get("apiVersion")),
            APPLICATION,
            str(meta.get("name")),
            # The resourceVersion makes the patch fail rather than drop a finalizer added meanwhile.
            {"metadata": {"finalizers": kept or None, "resourceVersion": meta.get("resourceVersion")}},
            namespace=meta.get("namespace") or None,
        )
    except ConflictError:
        return False
    return True
