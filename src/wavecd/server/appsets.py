"""The ApplicationSet controller's writes: a set's plan (`wavecd.server.appset_plan`) carried out in the
cluster and its conditions written (Argo CD `applicationset/controllers/applicationset_controller.go`
`Reconcile`).

Deleting an Application is only asking: its finalizer, if any, makes the controller take its resources
first (`wavecd.server.deletion`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wavecd.common import APPLICATION, APPLICATION_SET, ARGO_API_VERSION, ARGOCD_NAMESPACE, RESOURCES_FINALIZER
from wavecd.kube import KubeClient, KubeError
from wavecd.server.app_fields import is_deleting, metadata
from wavecd.server.appset_plan import (
    ALLOW_DELETE,
    ALLOW_UPDATE,
    AppSetPlan,
    AppSetPlanError,
    effective_policy,
    is_owned_by,
    plan_appset,
)
from wavecd.server.deletion import destination_known
from wavecd.sync.records import appset_conditions, write_appset_conditions

__all__ = ["FIELD_MANAGER", "reconcile_appset"]

# Who wrote an Application, as its managedFields say: the set's controller, not a sync.
FIELD_MANAGER = "wavecd-applicationset-controller"


def _name(obj: dict[str, Any]) -> str:
    return str(metadata(obj).get("name") or "")


def _live_applications(client: KubeClient, appset: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The live Applications of the set's namespace: those it controls, and the others."""
    namespace = str(metadata(appset).get("namespace") or ARGOCD_NAMESPACE)
    owned: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for app in client.list(ARGO_API_VERSION, APPLICATION, namespace):
        (owned if is_owned_by(app, appset) else others).append(app)
    return owned, others


def _body(obj: dict[str, Any]) -> dict[str, Any]:
    """What is sent: the object without the fields only the server writes."""
    out = dict(obj)
    meta = dict(metadata(out))
    meta.pop("managedFields", None)
    out["metadata"] = meta
    return out


def reconcile_appset(
    client: KubeClient,
    appset: dict[str, Any],
    generated: list[dict[str, Any]],
    *,
    generation_error: str | None = None,
    clusters: Iterable[tuple[str, str]] | None = None,
    policy_override: str | None = None,
    enable_policy_override: bool | None = None,
) -> AppSetPlan:
    """One reconcile of a live ApplicationSet: create, update and delete its Applications as planned, then
    write its conditions — ResourcesUpToDate when everything was written, else ErrorOccurred with the first
    failure (apps in name order, as Argo CD reports it).

    `generation_error` is the generators' own failure: nothing is written to the Applications then, as in
    Argo CD. `clusters` are the (name, server) pairs the controller knows: given, an app deleted while its
    cluster is unknown loses its resources finalizer first. A set being deleted is left to Kubernetes'
    garbage collector (its Applications go with it through their owner references, unless the policy
    forbids deletes)."""
    meta = metadata(appset)
    name, namespace = str(meta.get("name") or ""), str(meta.get("namespace") or ARGOCD_NAMESPACE)
    if is_deleting(appset):
        _release(client, appset, policy_override, enable_policy_override)
        return AppSetPlan()
    if generation_error is not None:
        write_appset_conditions(
            client, name, namespace, appset_conditions(generation_error, parameters_generated=False)
        )
        return AppSetPlan()
    try:
        owned, others = _live_applications(client, appset)
        plan = plan_appset(
            appset,
            generated,
            owned,
            live_unowned=others,
            policy_override=policy_override,
            enable_policy_override=enable_policy_override,
        )
    except AppSetPlanError as err:
        write_appset_conditions(client, name, namespace, appset_conditions(str(err), reason="ErrorOccurred"))
        return AppSetPlan()
    error = _write(client, plan, None if clusters is None else list(clusters))
    if error is None:
        write_appset_conditions(client, name, namespace, appset_conditions())
    else:
        write_appset_conditions(client, name, namespace, appset_conditions(error[1], reason=error[0]))
    return plan


def _release(
    client: KubeClient, appset: dict[str, Any], policy_override: str | None, enable_policy_override: bool | None
) -> None:
    """A set being deleted (held by a finalizer): under a policy that forbids deletes its Applications lose
    their owner references, so the garbage collector leaves them; then the set's own resources finalizer
    is lifted (Argo CD `Reconcile`, `removeOwnerReferencesOnDeleteAppSet`)."""
    try:
        policy = effective_policy(appset, policy_override, enable_policy_override=enable_policy_override)
    except AppSetPlanError:
        policy = "sync"
    if policy not in ALLOW_DELETE:
        for app in _live_applications(client, appset)[0]:
            released = _body(app)
            released["metadata"].pop("ownerReferences", None)
            client.replace(released, field_manager=FIELD_MANAGER)
    meta = metadata(appset)
    finalizers = list(meta.get("finalizers") or [])
    if RESOURCES_FINALIZER in finalizers:
        kept = [f for f in finalizers if f != RESOURCES_FINALIZER]
        client.patch(
            ARGO_API_VERSION,
            APPLICATION_SET,
            str(meta.get("name") or ""),
            {"metadata": {"finalizers": kept or None}},
            namespace=str(meta.get("namespace") or ARGOCD_NAMESPACE),
        )


def _release_if_cluster_gone(client: KubeClient, app: dict[str, Any], clusters: list[tuple[str, str]]) -> None:
    """Before deleting an app whose cluster is gone, lift its resources finalizer, or the deletion would wait
    forever on a cluster nobody can reach (`removeFinalizerOnInvalidDestination`)."""
    finalizers = list(metadata(app).get("finalizers") or [])
    if RESOURCES_FINALIZER not in finalizers or destination_known(app, clusters):
        return
    kept = [f for f in finalizers if f != RESOURCES_FINALIZER]
    client.patch(
        ARGO_API_VERSION,
        APPLICATION,
        _name(app),
        {"metadata": {"finalizers": kept or None}},
        namespace=metadata(app).get("namespace") or None,
        field_manager=FIELD_MANAGER,
    )


def _write(
    client: KubeClient, plan: AppSetPlan, clusters: list[tuple[str, str]] | None = None
) -> tuple[str, str] | None:
    """Carry the plan out; the failure to report as (reason, message), that of the first app by name. As in
    Argo CD, every app is written even after one fails, nothing is deleted after a failed write, and a
    failed write is reported by the policy's path: UpdateApplicationError where updates are allowed,
    CreateApplicationError where the set only creates."""
    messages = dict(plan.failed)
    for app in plan.create:
        try:
            client.create(_body(app), field_manager=FIELD_MANAGER)
        except KubeError as err:
            messages[_name(app)] = err.message
    for app in plan.update:
        try:
            client.replace(_body(app), field_manager=FIELD_MANAGER)
        except KubeError as err:
            messages[_name(app)] = err.message
    if messages:
        reason = "UpdateApplicationError" if plan.policy in ALLOW_UPDATE else "CreateApplicationError"
        return reason, messages[min(messages)]
    for app in plan.delete:
        try:
            if clusters is not None:
                _release_if_cluster_gone(client, app, clusters)
            client.delete(ARGO_API_VERSION, APPLICATION, _name(app), metadata(app).get("namespace") or None)
        except KubeError as err:
            messages[_name(app)] = err.message
    return ("DeleteApplicationError", messages[min(messages)]) if messages else None
