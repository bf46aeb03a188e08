"""The Events Kubernetes' components write during a rollout, as `kubectl get events` shows them: the
deployment controller scales ReplicaSets, the replicaset controller creates pods, the scheduler places them
and the kubelet starts their containers (or backs off a crashing one)."""

from __future__ import annotations

from test_sim_controllers import DEPLOY, apply, workload


def events(client) -> list[tuple[str, str, str, str, str]]:
    """(type, involved kind, involved name, reason, message) of the namespace's Events, in the order written."""
    items = client.get("/api/v1/namespaces/app/events").json()["items"]
    items.sort(key=lambda e: int(e["metadata"]["resourceVersion"]))
    return [
        (e["type"], e["involvedObject"]["kind"], e["involvedObject"]["name"], e["reason"], e["message"]) for e in items
    ]


def test_a_rollout_writes_the_events_kubectl_shows(client, sim, ns):
    apply(client, DEPLOY, workload("Deployment", "web", replicas=1))
    sim.advance(5)
    rs = client.get("/apis/apps/v1/namespaces/app/replicasets").json()["items"][0]
    pod = client.get("/api/v1/namespaces/app/pods").json()["items"][0]
    rs_name, pod_name, node = rs["metadata"]["name"], pod["metadata"]["name"], pod["spec"]["nodeName"]
    assert events(client) == [
        ("Normal", "Deployment", "web", "ScalingReplicaSet", f"Scaled up replica set {rs_name} from 0 to 1"),
        ("Normal", "ReplicaSet", rs_name, "SuccessfulCreate", f"Created pod: {pod_name}"),
        ("Normal", "Pod", pod_name, "Scheduled", f"Successfully assigned app/{pod_name} to {node}"),
        ("Normal", "Pod", pod_name, "Pulled", 'Container image "nginx:1.25" already present on machine'),
        ("Normal", "Pod", pod_name, "Created", "Created container: c"),
        ("Normal", "Pod", pod_name, "Started", "Started container c"),
    ]
    items = client.get("/api/v1/namespaces/app/events").json()["items"]
    involved = next(e["involvedObject"] for e in items if e["reason"] == "ScalingReplicaSet")
    deployment = client.get(DEPLOY).json()
    assert (involved["apiVersion"], involved["namespace"], involved["uid"]) == (
        "apps/v1",
        "app",
        deployment["metadata"]["uid"],
    )


def test_events_of_one_object_by_field_selector(client, sim, ns):
    apply(client, DEPLOY, workload("Deployment", "web", replicas=1))
    sim.advance(5)
    uid = client.get(DEPLOY).json()["metadata"]["uid"]
    selector = f"involvedObject.name=web,involvedObject.namespace=app,involvedObject.uid={uid}"
    items = client.get(f"/api/v1/namespaces/app/events?fieldSelector={selector}").json()["items"]
    assert [e["reason"] for e in items] == ["ScalingReplicaSet"]


def test_a_crashing_container_is_backed_off_once(client, sim, ns):
    apply(client, DEPLOY, workload("Deployment", "web", replicas=1, annotations={"sim.wavecd.io/outcome": "fail"}))
    sim.advance(120)
    warnings = [e for e in events(client) if e[0] == "Warning"]
    pod = client.get("/api/v1/namespaces/app/pods").json()["items"][0]["metadata"]
    assert warnings == [
        (
            "Warning",
            "Pod",
            pod["name"],
            "BackOff",
            f"Back-off restarting failed container c in pod {pod['name']}_app({pod['uid']})",
        )
    ]
