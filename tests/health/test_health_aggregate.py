"""App health aggregation (Argo CD `controller/health.go`), and the ranking of codes (`health.go`)."""

from __future__ import annotations

from wavecd.health import Health, HealthStatus, ManagedResource, aggregate

H, P, D, M, U, S = (
    HealthStatus.HEALTHY,
    HealthStatus.PROGRESSING,
    HealthStatus.DEGRADED,
    HealthStatus.MISSING,
    HealthStatus.UNKNOWN,
    HealthStatus.SUSPENDED,
)


def pvc(name, phase, annotations=None):
    meta = {"name": name, "namespace": "ns"}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta, "status": {"phase": phase}}


def res(live, name=None, target=None, kind="PersistentVolumeClaim", group=""):
    name = name or (live or target)["metadata"]["name"]
    return ManagedResource(group, kind, "ns", name, target=target or live, live=live)


def child_app(name, status):
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "status": {"health": {"status": status}},
    }


def test_worst_child_wins_with_causes():
    result = aggregate([res(pvc("a", "Bound")), res(pvc("b", "Pending")), res(pvc("c", "Lost"))])
    assert result.health == Health(D, "Caused by PersistentVolumeClaim:ns/c")


def test_causes_are_truncated_after_three():
    result = aggregate([res(pvc(n, "Pending")) for n in "abcde"])
    assert result.health.message == (
        "Caused by PersistentVolumeClaim:ns/a, PersistentVolumeClaim:ns/b, PersistentVolumeClaim:ns/c and 2 more"
    )


def test_missing_resources_do_not_lower_health_unless_all_are_missing():
    gone = res(None, target=pvc("x", "Bound"))
    assert aggregate([res(pvc("a", "Bound")), gone]).health.status == H
    assert aggregate([gone]).health == Health(M, "")


def test_skipped_hooks_ignored_and_no_health():
    hook = pvc("h", "Lost", {"argocd.argoproj.io/hook": "PreSync"})
    helm_test = pvc("t", "Lost", {"helm.sh/hook": "test"})
    ignored = pvc("i", "Lost", {"argocd.argoproj.io/ignore-healthcheck": "true"})
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "ns"}}
    result = aggregate([res(hook), res(helm_test), res(ignored), res(cm, kind="ConfigMap"), res(pvc("a", "Bound"))])
    assert result.health == Health(H, "")
    # only hooks: nothing counts, the app stays Healthy (not Missing)
    assert aggregate([res(hook)]).health.status == H


def test_child_applications():
    kids = [
        res(child_app("a", "Healthy"), kind="Application", group="argoproj.io"),
        res(child_app("b", "Missing"), kind="Application", group="argoproj.io"),
        res(child_app("c", "Unknown"), kind="Application", group="argoproj.io"),
    ]
    assert aggregate(kids).health.status == H
    kids.append(res(child_app("d", "Progressing"), kind="Application", group="argoproj.io"))
    assert aggregate(kids).health == Health(P, "Caused by argoproj.io/Application:ns/d")


def test_self_managed_app_is_skipped():
    me = ManagedResource("argoproj.io", "Application", "argocd", "root", live=child_app("root", "Degraded"))
    assert aggregate([me], app=("argocd", "root")).health.status == H
    assert aggregate([me]).health.status == D
