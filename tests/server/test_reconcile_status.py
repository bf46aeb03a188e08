"""`application_status`: the `status` a reconcile writes, in the shape Argo CD's controller persists
(`persistAppStatus`, `CompareAppState`; spec §2): `sync.comparedTo` names `source` or `sources`, `revision`
or `revisions` with the other nulled (a merge patch removes it), `resources` sorted by group, kind,
namespace, name with `requiresPruning` on extras, app health with a message only when not Healthy, and a
`ComparisonError` condition when the comparison failed."""

from __future__ import annotations

from wavecd.health import ManagedResource
from wavecd.server.reconcile import Reconciled, application_status, failed_reconcile
from wavecd.sync.compare import DIFFERS, EXTRA, ResourceComparison

SHA_A, SHA_B = "a" * 40, "b" * 40
SOURCE = {"repoURL": "https://git.example.com/gitops.git", "path": "apps/web", "targetRevision": "main"}
CHART = {"repoURL": "https://charts.example.com", "chart": "web", "targetRevision": "1.2.3"}
DESTINATION = {"server": "https://kubernetes.default.svc", "namespace": "web"}
READY = {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1}


def obj(api_version: str, kind: str, name: str, namespace: str = "", **extra) -> dict:
    meta = {"name": name, "generation": 1, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, **extra}


def resource(api_version: str, kind: str, name: str, namespace: str = "", *, target=True, live=True, **extra):
    group = api_version.rpartition("/")[0]
    body = obj(api_version, kind, name, namespace, **extra)
    return ManagedResource(group, kind, namespace, name, body if target else None, body if live else None)


def verdict(r: ManagedResource, status: str, reason: str = "") -> ResourceComparison:
    return ResourceComparison(r.group, r.kind, r.namespace, r.name, status, reason)


def test_one_source_names_source_and_revision_and_nulls_the_plural_fields():
    status = application_status(Reconciled("web", "Synced", "Healthy", revisions=(SHA_A,)), [SOURCE], DESTINATION)
    assert status["sync"] == {
        "status": "Synced",
        "comparedTo": {"destination": DESTINATION, "source": SOURCE},
        "revision": SHA_A,
        "revisions": None,
    }
    assert status["health"] == {"status": "Healthy"}
    assert status["conditions"] == []
    assert status["resources"] == []


def test_several_sources_name_sources_and_revisions_and_null_the_single_fields():
    reconciled = Reconciled("web", "OutOfSync", "Healthy", revisions=(SHA_A, SHA_B))
    status = application_status(reconciled, [SOURCE, CHART], DESTINATION)
    assert status["sync"] == {
        "status": "OutOfSync",
        "comparedTo": {"destination": DESTINATION, "sources": [SOURCE, CHART]},
        "revisions": [SHA_A, SHA_B],
        "revision": None,
    }


def test_resources_are_sorted_by_group_kind_namespace_name_with_sync_status_and_health():
    deploy = resource("apps/v1", "Deployment", "web", "web", spec={"replicas": 1}, status=READY)
    config_b = resource("v1", "ConfigMap", "b", "web")
    config_a_other_ns = resource("v1", "ConfigMap", "z", "aaa")
    namespace = resource("v1", "Namespace", "web")
    missing = resource("v1", "Service", "web", "web", live=False)
    changed = resource("v1", "ConfigMap", "a", "web")
    reconciled = Reconciled(
        "web",
        "OutOfSync",
        "Missing",
        resources=(deploy, config_b, missing, config_a_other_ns, namespace, changed),
        verdicts={
            ("v1", "ConfigMap", "web", "a"): verdict(changed, "OutOfSync", DIFFERS),
            ("", "Service", "web", "web"): verdict(missing, "OutOfSync", "missing"),
        },
    )
    entries = application_status(reconciled, [SOURCE], DESTINATION)["resources"]
    assert [(e["group"], e["kind"], e.get("namespace"), e["name"]) for e in entries] == [
        ("", "ConfigMap", "aaa", "z"),
        ("", "ConfigMap", "web", "a"),
        ("", "ConfigMap", "web", "b"),
        ("", "Namespace", None, "web"),  # cluster-scoped: no namespace key, as Go's omitempty leaves it out
        ("", "Service", "web", "web"),
        ("apps", "Deployment", "web", "web"),
    ]
    by_name = {(e["kind"], e["name"]): e for e in entries}
    assert by_name[("Deployment", "web")] == {
        "group": "apps",
        "version": "v1",
        "kind": "Deployment",
        "namespace": "web",
        "name": "web",
        "status": "Synced",
        "health": {"status": "Healthy"},
    }
    assert by_name[("Service", "web")]["health"] == {"status": "Missing"}
    assert by_name[("Service", "web")]["status"] == "OutOfSync"
    assert by_name[("ConfigMap", "b")] == {
        "group": "",
        "version": "v1",
        "kind": "ConfigMap",
        "namespace": "web",
        "name": "b",
        "status": "Synced",
    }  # no health of its own: none is written
    assert not any("requiresPruning" in e for e in entries)


def test_an_extra_resource_requires_pruning():
    extra = resource("v1", "ConfigMap", "old", "web", target=False)
    reconciled = Reconciled(
        "web",
        "OutOfSync",
        "Healthy",
        resources=(extra,),
        verdicts={("", "ConfigMap", "web", "old"): verdict(extra, "OutOfSync", EXTRA)},
    )
    (entry,) = application_status(reconciled, [SOURCE], DESTINATION)["resources"]
    assert entry["requiresPruning"] is True
    assert entry["status"] == "OutOfSync"


def test_health_carries_its_message_only_when_not_healthy():
    degraded = Reconciled("web", "Synced", "Degraded", health_message="Deployment web: timed out")
    assert application_status(degraded, [SOURCE], DESTINATION)["health"] == {
        "status": "Degraded",
        "message": "Deployment web: timed out",
    }
    healthy = Reconciled("web", "Synced", "Healthy", health_message="all ready")
    assert application_status(healthy, [SOURCE], DESTINATION)["health"] == {"status": "Healthy"}


def test_a_failed_comparison_is_unknown_with_a_comparison_error_condition():
    failed = failed_reconcile("web", "Failed to load target state: no such path", [SHA_A])
    status = application_status(failed, [SOURCE], DESTINATION)
    assert status["sync"]["status"] == "Unknown"
    assert status["sync"]["revision"] == SHA_A
    assert status["health"] == {"status": "Unknown"}
    assert status["conditions"] == [{"type": "ComparisonError", "message": "Failed to load target state: no such path"}]
