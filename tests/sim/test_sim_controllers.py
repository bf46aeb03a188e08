"""Simulated controllers on a manual clock: objects stay Progressing until their delay passes, then read
healthy by `wavecd.health` (Argo CD's rules); per-object annotations rehearse failures."""

from __future__ import annotations

import json

from wavecd.health import HealthStatus, assess

APPLY = {"Content-Type": "application/apply-patch+yaml"}
H, P, D = HealthStatus.HEALTHY, HealthStatus.PROGRESSING, HealthStatus.DEGRADED


def apply(client, path, obj):
    response = client.patch(f"{path}?fieldManager=test", content=json.dumps(obj), headers=APPLY)
    assert response.status_code in (200, 201), response.text
    return response.json()


def health(client, path):
    return assess(client.get(path).json()).status


def workload(kind, name, replicas=2, annotations=None, **spec):
    meta = {"name": name, "namespace": "app", **({"annotations": annotations} if annotations else {})}
    body = {
        "replicas": replicas,
        "selector": {"matchLabels": {"app": name}},
        "template": {
            "metadata": {"labels": {"app": name}},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]},
        },
        **spec,
    }
    if kind == "DaemonSet":
        del body["replicas"]
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": body}


DEPLOY = "/apis/apps/v1/namespaces/app/deployments/web"


def test_deployment_progressing_until_its_delay(client, sim, ns):
    apply(client, DEPLOY, workload("Deployment", "web", annotations={"sim.wavecd.io/ready-after": "10s"}))
    sim.settle()
    assert health(client, DEPLOY) == P
    sim.advance(9)
    assert health(client, DEPLOY) == P
    sim.advance(1)
    assert health(client, DEPLOY) == H
    rs = client.get("/apis/apps/v1/namespaces/app/replicasets").json()["items"]
    pods = client.get("/api/v1/namespaces/app/pods").json()["items"]
    assert len(rs) == 1 and rs[0]["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    assert assess(rs[0]).status == H
    assert len(pods) == 2 and all(assess(p).status == H for p in pods)
    status = client.get(DEPLOY).json()["status"]
    assert {c["type"]: c["reason"] for c in status["conditions"]} == {
        "Available": "MinimumReplicasAvailable",
        "Progressing": "NewReplicaSetAvailable",
    }


def test_rolling_update_replaces_the_replicaset(client, sim, ns):
    apply(client, DEPLOY, workload("Deployment", "web"))
    sim.advance(5)
    changed = workload("Deployment", "web")
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26"
    apply(client, DEPLOY, changed)
    sim.settle()
    assert health(client, DEPLOY) == P
    sim.advance(5)
    assert health(client, DEPLOY) == H
    sets = client.get("/apis/apps/v1/namespaces/app/replicasets").json()["items"]
    assert sorted(r["spec"]["replicas"] for r in sets) == [0, 2]
    images = {p["spec"]["containers"][0]["image"] for p in client.get("/api/v1/namespaces/app/pods").json()["items"]}
    assert images == {"nginx:1.26"}


def test_deployment_that_fails(client, sim, ns):
    apply(
        client,
        DEPLOY,
        workload(
            "Deployment",
            "web",
            annotations={"sim.wavecd.io/outcome": "fail", "sim.wavecd.io/fail-after": "30s"},
        ),
    )
    sim.advance(29)
    assert health(client, DEPLOY) == P
    sim.advance(1)
    result = assess(client.get(DEPLOY).json())
    assert (result.status, result.message) == (D, 'Deployment "web" exceeded its progress deadline')
    pods = client.get("/api/v1/namespaces/app/pods").json()["items"]
    assert all(assess(p).status == D for p in pods)  # CrashLoopBackOff


def test_deployment_that_never_settles(client, sim, ns):
    apply(client, DEPLOY, workload("Deployment", "web", annotations={"sim.wavecd.io/outcome": "never"}))
    sim.advance(3600)
    assert health(client, DEPLOY) == P


def test_statefulset_daemonset_with_volume_claims(client, sim, ns):
    sts = workload(
        "StatefulSet",
        "db",
        replicas=2,
        serviceName="db",
        volumeClaimTemplates=[
            {
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
            }
        ],
    )
    apply(client, "/apis/apps/v1/namespaces/app/statefulsets/db", sts)
    apply(client, "/apis/apps/v1/namespaces/app/daemonsets/agent", workload("DaemonSet", "agent"))
    sim.settle()
    assert health(client, "/apis/apps/v1/namespaces/app/statefulsets/db") == P
    assert health(client, "/apis/apps/v1/namespaces/app/daemonsets/agent") == P
    sim.advance(5)
    assert health(client, "/apis/apps/v1/namespaces/app/statefulsets/db") == H
    assert health(client, "/apis/apps/v1/namespaces/app/daemonsets/agent") == H
    pvc = client.get("/api/v1/namespaces/app/persistentvolumeclaims/data-db-1").json()
    assert pvc["status"] == {
        "phase": "Bound",
        "accessModes": ["ReadWriteOnce"],
        "capacity": {"storage": "1Gi"},
    }
    assert pvc["spec"]["storageClassName"] == "standard"
    volume = client.get(f"/api/v1/persistentvolumes/{pvc['spec']['volumeName']}").json()
    assert volume["spec"]["claimRef"]["name"] == "data-db-1"
    client.delete("/api/v1/namespaces/app/persistentvolumeclaims/data-db-1")
    sim.settle()
    assert client.get(f"/api/v1/persistentvolumes/{pvc['spec']['volumeName']}").status_code == 404
    names = sorted(p["metadata"]["name"] for p in client.get("/api/v1/namespaces/app/pods").json()["items"])
    assert names[1:] == ["db-0", "db-1"] and names[0].startswith("agent-")


def job(name, annotations=None):
    meta = {"name": name, "namespace": "app", **({"annotations": annotations} if annotations else {})}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta,
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}},
    }


def test_jobs_complete_or_fail(client, sim, ns):
    apply(client, "/apis/batch/v1/namespaces/app/jobs/ok", job("ok"))
    apply(client, "/apis/batch/v1/namespaces/app/jobs/bad", job("bad", {"sim.wavecd.io/outcome": "fail"}))
    sim.settle()
    assert health(client, "/apis/batch/v1/namespaces/app/jobs/ok") == P
    sim.advance(5)
    ok = client.get("/apis/batch/v1/namespaces/app/jobs/ok").json()
    assert assess(ok).status == H
    assert [c["type"] for c in ok["status"]["conditions"]] == ["SuccessCriteriaMet", "Complete"]
    bad = assess(client.get("/apis/batch/v1/namespaces/app/jobs/bad").json())
    assert (bad.status, bad.message) == (D, "Job has reached the specified backoff limit")


def test_load_balancer_service_ingress_and_pvc(client, sim, ns):
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "lb", "namespace": "app"},
        "spec": {"type": "LoadBalancer", "ports": [{"port": 80}], "selector": {"app": "web"}},
    }
    ing = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "app"},
        "spec": {"rules": [{"host": "web.example.com"}]},
    }
    pvc = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data", "namespace": "app"},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "2Gi"}},
            "storageClassName": "missing",
        },
    }
    apply(client, "/api/v1/namespaces/app/services/lb", svc)
    apply(client, "/apis/networking.k8s.io/v1/namespaces/app/ingresses/web", ing)
    apply(client, "/api/v1/namespaces/app/persistentvolumeclaims/data", pvc)
    sim.settle()
    assert health(client, "/api/v1/namespaces/app/services/lb") == P
    assert health(client, "/apis/networking.k8s.io/v1/namespaces/app/ingresses/web") == P
    sim.advance(5)
    assert health(client, "/api/v1/namespaces/app/services/lb") == H
    assert health(client, "/apis/networking.k8s.io/v1/namespaces/app/ingresses/web") == H
    assert health(client, "/api/v1/namespaces/app/persistentvolumeclaims/data") == P  # no such StorageClass


CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "nodepools.karpenter.sh"},
    "spec": {
        "group": "karpenter.sh",
        "scope": "Cluster",
        "names": {"plural": "nodepools", "singular": "nodepool", "kind": "NodePool"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
            }
        ],
    },
}
POOL = "/apis/karpenter.sh/v1/nodepools/default"


def test_crd_establishment_gates_its_resources(client, sim):
    pool = {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "default"}, "spec": {}}
    refused = client.patch(f"{POOL}?fieldManager=test", content=json.dumps(pool), headers=APPLY)
    assert refused.status_code == 404
    assert refused.json()["message"] == 'no matches for kind "NodePool" in version "karpenter.sh/v1"'
    apply(client, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/nodepools.karpenter.sh", CRD)
    sim.settle()
    assert client.patch(f"{POOL}?fieldManager=test", content=json.dumps(pool), headers=APPLY).status_code == 404
    sim.advance(0.2)
    crd = client.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/nodepools.karpenter.sh").json()
    assert {c["type"]: c["status"] for c in crd["status"]["conditions"]} == {
        "NamesAccepted": "True",
        "Established": "True",
    }
    apply(client, POOL, pool)
    sim.settle()
    assert assess(client.get(POOL).json()) is None  # custom resources have no health without a rule
    sim.advance(1)
    conditions = client.get(POOL).json()["status"]["conditions"]
    assert [(c["type"], c["status"]) for c in conditions] == [("Ready", "True")]
    client.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/nodepools.karpenter.sh")
    sim.advance(1)
    assert client.get(POOL).status_code == 404
    names = {r["name"] for r in client.get("/apis/karpenter.sh/v1").json().get("resources", [])}
    assert "nodepools" not in names


def test_namespace_deletion_and_garbage_collection(client, sim, ns):
    apply(client, DEPLOY, workload("Deployment", "web"))
    sim.advance(5)
    assert len(client.get("/api/v1/namespaces/app/pods").json()["items"]) == 2
    client.request("DELETE", DEPLOY, json={"propagationPolicy": "Foreground"})
    sim.advance(1)
    assert client.get("/api/v1/namespaces/app/pods").json()["items"] == []
    assert client.get(DEPLOY).status_code == 404
    held = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "held", "namespace": "app", "finalizers": ["example.com/hold"]},
    }
    client.post("/api/v1/namespaces/app/configmaps", json=held)
    client.delete("/api/v1/namespaces/app")
    sim.advance(2)
    assert client.get("/api/v1/namespaces/app").json()["status"]["phase"] == "Terminating"
    client.patch(
        "/api/v1/namespaces/app/configmaps/held?fieldManager=t",
        json={"metadata": {"finalizers": None}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    sim.advance(1)
    assert client.get("/api/v1/namespaces/app").status_code == 404


def test_fresh_cluster_has_system_objects_and_argocd_crds(client):
    names = {n["metadata"]["name"] for n in client.get("/api/v1/namespaces").json()["items"]}
    assert {"default", "kube-system", "argocd"} <= names
    assert client.get("/api/v1/nodes/sim-node-1").json()["status"]["conditions"][0]["type"] == "Ready"
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "child", "namespace": "argocd"},
        "spec": {"project": "default"},
    }
    created = client.post("/apis/argoproj.io/v1alpha1/namespaces/argocd/applications", json=app)
    assert created.status_code == 201
    assert assess(created.json()).status == P  # the Application rule: Progressing until it reports health


def test_pod_disruption_budget_follows_its_pods(client, sim, ns):
    apply(client, DEPLOY, workload("Deployment", "web", replicas=3))
    pdb = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "web", "namespace": "app"},
        "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}},
    }
    path = "/apis/policy/v1/namespaces/app/poddisruptionbudgets/web"
    apply(client, path, pdb)
    sim.settle()
    assert client.get(path).json()["status"]["currentHealthy"] == 0
    sim.advance(5)
    status = client.get(path).json()["status"]
    assert (status["expectedPods"], status["currentHealthy"], status["disruptionsAllowed"]) == (3, 3, 1)
    assert assess(client.get(path).json()).status == H  # Argo's shipped PodDisruptionBudget check


def test_hpa_reads_healthy_through_v2_and_v1(client, sim, ns):
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "app"},
        "spec": {
            "minReplicas": 2,
            "maxReplicas": 4,
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
        },
    }
    apply(client, "/apis/autoscaling/v2/namespaces/app/horizontalpodautoscalers/web", hpa)
    sim.settle()
    assert health(client, "/apis/autoscaling/v2/namespaces/app/horizontalpodautoscalers/web") == P
    sim.advance(1)
    assert health(client, "/apis/autoscaling/v2/namespaces/app/horizontalpodautoscalers/web") == H
    v1 = client.get("/apis/autoscaling/v1/namespaces/app/horizontalpodautoscalers/web").json()
    assert "conditions" not in v1["status"] and assess(v1).status == H
