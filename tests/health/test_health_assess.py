"""Table-driven health checks. Each case is an object shaped like a real API object, modelled on the
situation of a gitops-engine fixture (named in the case id, `pkg/health/testdata/<id>.yaml`); expected codes
and messages are Argo CD's (gitops-engine `health_*.go`, in-tree in argo-cd 3.6)."""

from __future__ import annotations

import json

import pytest

from wavecd.health import Health, HealthStatus, assess

H, P, D, S, U = (
    HealthStatus.HEALTHY,
    HealthStatus.PROGRESSING,
    HealthStatus.DEGRADED,
    HealthStatus.SUSPENDED,
    HealthStatus.UNKNOWN,
)


def deploy(gen=1, observed=1, replicas=2, updated=2, total=2, available=2, paused=False, conditions=()):
    spec = {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}}}
    if paused:
        spec["paused"] = True
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "app", "generation": gen},
        "spec": spec,
        "status": {
            "observedGeneration": observed,
            "replicas": total,
            "updatedReplicas": updated,
            "readyReplicas": available,
            "availableReplicas": available,
            "conditions": list(conditions),
        },
    }


def sts(gen=1, observed=1, replicas=3, ready=3, updated=3, strategy=None, cur="web-1", upd="web-1"):
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db", "generation": gen},
        "spec": {"replicas": replicas, **({"updateStrategy": strategy} if strategy else {})},
        "status": {
            "observedGeneration": observed,
            "readyReplicas": ready,
            "updatedReplicas": updated,
            "currentReplicas": ready,
            "currentRevision": cur,
            "updateRevision": upd,
        },
    }


def pod(phase, policy="Always", ready=None, containers=(), annotations=None, message=None, init=()):
    status = {"phase": phase, "containerStatuses": list(containers)}
    if init:
        status["initContainerStatuses"] = list(init)
    if ready is not None:
        status["conditions"] = [{"type": "Ready", "status": "True" if ready else "False"}]
    if message:
        status["message"] = message
    meta = {"name": "p"}
    if annotations:
        meta["annotations"] = annotations
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {"restartPolicy": policy},
        "status": status,
    }


def waiting(reason, message):
    return {"name": "main", "state": {"waiting": {"reason": reason, "message": message}}}


def job(*conditions):
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "j"},
        "status": {"conditions": list(conditions)},
    }


def hpa_v2(*conditions):
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h"},
        "status": {"conditions": list(conditions)},
    }


def hpa_v1(conditions):
    meta = {"name": "h"}
    if conditions is not None:
        meta["annotations"] = {"autoscaling.alpha.kubernetes.io/conditions": json.dumps(conditions)}
    return {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": meta}


def svc(kind="ClusterIP", ingress=None):
    status = {"loadBalancer": {"ingress": ingress} if ingress is not None else {}}
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"type": kind},
        "status": status,
    }


def ing(api="networking.k8s.io/v1", ingress=None):
    status = {"loadBalancer": {"ingress": ingress} if ingress is not None else {}}
    return {"apiVersion": api, "kind": "Ingress", "metadata": {"name": "i"}, "status": status}


def apisvc(version, cond):
    status = {"conditions": [cond]} if cond else {}
    return {
        "apiVersion": f"apiregistration.k8s.io/{version}",
        "kind": "APIService",
        "metadata": {"name": "a"},
        "status": status,
    }


def app(health):
    obj = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "child"}}
    if health is not None:
        obj["status"] = {"health": health}
    return obj


ROLLOUT = "Waiting for rollout to finish: "
CASES = [
    # Deployments (nginx.yaml, deployment-progressing/-suspended/-degraded.yaml)
    ("deployment-healthy", deploy(), H, ""),
    (
        "deployment-progressing",
        deploy(updated=1, available=1),
        P,
        ROLLOUT + "1 out of 2 new replicas have been updated...",
    ),
    ("deployment-old-replicas", deploy(total=3), P, ROLLOUT + "1 old replicas are pending termination..."),
    ("deployment-unavailable", deploy(available=1), P, ROLLOUT + "1 of 2 updated replicas are available..."),
    (
        "deployment-generation",
        deploy(gen=2),
        P,
        ROLLOUT + "observed deployment generation less than desired generation",
    ),
    ("deployment-suspended", deploy(paused=True, gen=5, observed=0), S, "Deployment is paused"),
    (
        "deployment-degraded",
        deploy(
            updated=1,
            conditions=[{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}],
        ),
        D,
        'Deployment "web" exceeded its progress deadline',
    ),
    # StatefulSets (statefulset.yaml, statefulset-ondelete.yaml)
    (
        "statefulset-partition-complete",
        sts(strategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
        H,
        "partitioned roll out complete: 3 new pods have been updated...",
    ),
    (
        "statefulset-partition-waiting",
        sts(updated=1, strategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}),
        P,
        "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...",
    ),
    (
        "statefulset-never-observed",
        sts(observed=0),
        P,
        "Waiting for statefulset spec update to be observed...",
    ),
    ("statefulset-not-ready", sts(ready=1), P, "Waiting for 2 pods to be ready..."),
    (
        "statefulset-ondelete",
        sts(strategy={"type": "OnDelete"}, upd="web-2"),
        H,
        "statefulset has 3 ready pods",
    ),
    (
        "statefulset-revision",
        sts(strategy={"type": "RollingUpdate"}, upd="web-2"),
        P,
        "waiting for statefulset rolling update to complete 3 pods at revision web-2...",
    ),
    (
        "statefulset-revision-done",
        sts(strategy={"type": "RollingUpdate"}),
        H,
        "statefulset rolling update complete 3 pods at revision web-1...",
    ),
    # DaemonSet (daemonset-ondelete.yaml)
    (
        "daemonset-ondelete",
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": "d", "generation": 1},
            "spec": {"updateStrategy": {"type": "OnDelete"}},
            "status": {"observedGeneration": 1, "desiredNumberScheduled": 2, "updatedNumberScheduled": 1},
        },
        H,
        "daemon set 1 out of 2 new pods have been updated",
    ),
    (
        "daemonset-updating",
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": "d", "generation": 1},
            "status": {"observedGeneration": 1, "desiredNumberScheduled": 2, "updatedNumberScheduled": 1},
        },
        P,
        'Waiting for daemon set "d" rollout to finish: 1 out of 2 new pods have been updated...',
    ),
    (
        "daemonset-unavailable",
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": "d", "generation": 1},
            "status": {
                "observedGeneration": 1,
                "desiredNumberScheduled": 2,
                "updatedNumberScheduled": 2,
                "numberAvailable": 1,
            },
        },
        P,
        'Waiting for daemon set "d" rollout to finish: 1 of 2 updated pods are available...',
    ),
    # ReplicaSet
    (
        "replicaset-failure",
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {"name": "r", "generation": 1},
            "spec": {"replicas": 2},
            "status": {
                "observedGeneration": 1,
                "conditions": [
                    {"type": "ReplicaFailure", "status": "True", "message": 'pods "r-x" is forbidden: quota'}
                ],
            },
        },
        D,
        'pods "r-x" is forbidden: quota',
    ),
    (
        "replicaset-available",
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {"name": "r", "generation": 1},
            "spec": {"replicas": 2},
            "status": {"observedGeneration": 1, "availableReplicas": 1},
        },
        P,
        ROLLOUT + "1 out of 2 new replicas are available...",
    ),
    # Jobs (job-running/-failed/-succeeded/-suspended.yaml)
    ("job-running", job(), P, ""),
    (
        "job-failed",
        job({"type": "Failed", "status": "True", "message": "Job has reached the specified backoff limit"}),
        D,
        "Job has reached the specified backoff limit",
    ),
    ("job-succeeded", job({"type": "Complete", "status": "True"}), H, ""),
    (
        "job-suspended",
        job({"type": "Suspended", "status": "True", "message": "Job suspended"}),
        S,
        "Job suspended",
    ),
    (
        "job-suspended-false-quirk",
        job({"type": "Suspended", "status": "False", "message": "Job resumed"}),
        H,
        "Job resumed",
    ),
    # Pods (pod-*.yaml)
    ("pod-pending", pod("Pending"), P, ""),
    ("pod-running-not-ready", pod("Running", ready=False), P, ""),
    (
        "pod-crashloop",
        pod("Running", ready=False, containers=[waiting("CrashLoopBackOff", "back-off 5m0s")]),
        D,
        "back-off 5m0s",
    ),
    (
        "pod-imagepullbackoff",
        pod("Pending", containers=[waiting("ImagePullBackOff", "Back-off pulling image")]),
        D,
        "Back-off pulling image",
    ),
    (
        "pod-error",
        pod("Running", containers=[waiting("CreateContainerConfigError", "a"), waiting("ErrImagePull", "b")]),
        D,
        "a, b",
    ),
    ("pod-running-restart-always", pod("Running", ready=True), H, ""),
    ("pod-running-restart-never", pod("Running", policy="Never", ready=True), P, ""),
    ("pod-running-restart-onfailure", pod("Running", policy="OnFailure", ready=True), P, ""),
    (
        "pod-running-restart-never-with-ignore-annotation",
        pod(
            "Running",
            policy="Never",
            ready=True,
            annotations={"argocd.argoproj.io/ignore-restart-policy": "true"},
        ),
        H,
        "",
    ),
    (
        "pod-running-restart-never-with-ignore-annotation-backoff",
        pod(
            "Running",
            policy="Never",
            containers=[waiting("ImagePullBackOff", "x")],
            annotations={"argocd.argoproj.io/ignore-restart-policy": "true"},
        ),
        D,
        "x",
    ),
    (
        "pod-never-backoff-not-degraded",
        pod("Pending", policy="Never", containers=[waiting("ImagePullBackOff", "x")]),
        P,
        "",
    ),
    (
        "pod-failed-message",
        pod("Failed", policy="Never", message="The node was low on resource"),
        D,
        "The node was low on resource",
    ),
    (
        "pod-failed-exitcode",
        pod("Failed", policy="Never", containers=[{"name": "main", "state": {"terminated": {"exitCode": 2}}}]),
        D,
        'container "main" failed with exit code 2',
    ),
    (
        "pod-failed-oom",
        pod(
            "Failed",
            policy="Never",
            init=[{"name": "init", "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}],
        ),
        D,
        "OOMKilled",
    ),
    (
        "pod-running-last-terminated",
        pod(
            "Running",
            ready=False,
            containers=[{"name": "main", "lastState": {"terminated": {"exitCode": 1}}, "state": {"running": {}}}],
        ),
        D,
        "",
    ),
    ("pod-succeeded", pod("Succeeded", policy="Never"), H, ""),
    ("pod-unknown-phase", pod("Unknown"), U, ""),
    # PVC (pvc-bound/-pending.yaml)
    ("pvc-bound", {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "status": {"phase": "Bound"}}, H, ""),
    (
        "pvc-pending",
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "status": {"phase": "Pending"}},
        P,
        "",
    ),
    ("pvc-lost", {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "status": {"phase": "Lost"}}, D, ""),
    ("pvc-no-status", {"apiVersion": "v1", "kind": "PersistentVolumeClaim"}, U, ""),
    # Services and Ingresses (svc-*.yaml, ingress*.yaml)
    ("svc-clusterip", svc(), H, ""),
    ("svc-loadbalancer", svc("LoadBalancer", [{"ip": "10.0.0.1"}]), H, ""),
    ("svc-loadbalancer-unassigned", svc("LoadBalancer"), P, ""),
    ("svc-loadbalancer-emptylist", svc("LoadBalancer", []), P, ""),
    ("ingress", ing(ingress=[{"hostname": "lb.example.com"}]), H, ""),
    ("ingress-extensions", ing("extensions/v1beta1", [{"ip": "1.2.3.4"}]), H, ""),
    ("ingress-unassigned", ing(), P, ""),
    # HPA (hpa-v1-*.yaml, hpa-v2-*.yaml)
    (
        "hpa-v2-healthy",
        hpa_v2(
            {
                "type": "AbleToScale",
                "status": "True",
                "reason": "ReadyForNewScale",
                "message": "recommended size matches current size",
            }
        ),
        H,
        "recommended size matches current size",
    ),
    (
        "hpa-v2-degraded",
        hpa_v2(
            {
                "type": "ScalingActive",
                "status": "False",
                "reason": "FailedGetResourceMetric",
                "message": "missing request for cpu",
            }
        ),
        D,
        "missing request for cpu",
    ),
    (
        "hpa-v2-progressing",
        hpa_v2({"type": "AbleToScale", "status": "False", "reason": "X"}),
        P,
        "Waiting to Autoscale",
    ),
    (
        "hpa-v1-degraded-failedgetobjectmetric",
        hpa_v1([{"type": "ScalingActive", "status": "False", "reason": "FailedGetObjectMetric", "message": "m"}]),
        D,
        "m",
    ),
    (
        "hpa-v1-healthy-toofew",
        hpa_v1(
            [
                {
                    "type": "ScalingLimited",
                    "status": "True",
                    "reason": "TooFewReplicas",
                    "message": "the desired replica count is less than the minimum",
                }
            ]
        ),
        H,
        "the desired replica count is less than the minimum",
    ),
    ("hpa-v1-progressing", hpa_v1([]), P, "Waiting to Autoscale"),
    ("hpa-v1-progressing-with-no-annotations", hpa_v1(None), P, "Waiting to Autoscale"),
    # APIService (apiservice-v1*-true/-false.yaml)
    (
        "apiservice-v1-true",
        apisvc(
            "v1",
            {
                "type": "Available",
                "status": "True",
                "reason": "Local",
                "message": "Local APIServices are always available",
            },
        ),
        H,
        "Local: Local APIServices are always available",
    ),
    (
        "apiservice-v1beta1-false",
        apisvc(
            "v1beta1",
            {"type": "Available", "status": "False", "reason": "FailedDiscoveryCheck", "message": "no"},
        ),
        P,
        "FailedDiscoveryCheck: no",
    ),
    ("apiservice-none", apisvc("v1", None), P, "Waiting to be processed"),
    # Argo Workflow
    (
        "workflow-running",
        {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Workflow",
            "status": {"phase": "Running", "message": "This node is running"},
        },
        P,
        "This node is running",
    ),
    (
        "workflow-error",
        {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "status": {"phase": "Error"}},
        D,
        "",
    ),
    # Application: wavecd's default rule (the argocd-cm Lua of the 1.7→1.8 upgrade notes)
    ("application-healthy", app({"status": "Healthy"}), H, ""),
    ("application-degraded", app({"status": "Degraded", "message": "child failed"}), D, "child failed"),
    ("application-no-status", app(None), P, ""),
    ("application-invalid", app({"message": "x"}), U, "Lua returned an invalid health status"),
    # Deletion (pod-deletion.yaml)
    (
        "pod-deletion",
        {
            **pod("Running", ready=True),
            "metadata": {"name": "p", "deletionTimestamp": "2024-01-01T00:00:00Z"},
        },
        P,
        "Pending deletion",
    ),
    # Conversion failures are Unknown with the error, as gitops-engine reports them
    ("deployment-bad-type", {**deploy(), "status": {"observedGeneration": "one"}}, U, None),
]


@pytest.mark.parametrize(("obj", "status", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_assess(obj, status, message):
    health = assess(obj)
    assert health is not None
    assert health.status == status
    if message is not None:
        assert health.message == message


def test_custom_resources_have_no_health():
    # knative-service.yaml: a CR with a status Argo has no built-in check for
    ksvc = {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "status": {"conditions": [{"type": "Ready", "status": "True"}]},
    }
    assert assess(ksvc) is None
    assert assess({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}) is None


def test_application_without_rules_has_no_health():
    # application-healthy.yaml / application-degraded.yaml: Argo CD itself ships no Application check
    assert assess(app({"status": "Degraded"}), rules={}) is None


def test_configured_rule_overrides_and_falls_through():
    def ready(obj):
        conds = (obj.get("status") or {}).get("conditions") or []
        ok = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)
        return Health(HealthStatus.HEALTHY if ok else HealthStatus.PROGRESSING)

    nodepool = {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "status": {"conditions": []}}
    assert assess(nodepool, rules={"karpenter.sh/NodePool": ready}).status == P
    assert assess(deploy(), rules={"apps/Deployment": lambda o: None}).status == H
    assert assess(deploy(), rules={"apps/Deployment": ready}).status == P


def test_hook_pod_ignores_restart_policy_annotation():
    # pod-running-restart-never-hook-with-ignore-annotation.yaml
    obj = pod(
        "Running",
        policy="Never",
        ready=True,
        annotations={"argocd.argoproj.io/ignore-restart-policy": "true"},
    )
    assert assess(obj, is_hook=True).status == P


def test_deletion_with_hook_finalizer_is_judged_normally():
    obj = pod("Succeeded", policy="Never")
    obj["metadata"] = {
        "name": "h",
        "deletionTimestamp": "2024-01-01T00:00:00Z",
        "finalizers": ["argocd.argoproj.io/hook-finalizer"],
    }
    assert assess(obj).status == H


def test_unsupported_version_is_unknown():
    old = {**deploy(), "apiVersion": "apps/v1beta2"}
    assert assess(old) == Health(U, "unsupported Deployment GVK: apps/v1beta2, Kind=Deployment")


def cronjob(spec=None, status=None):
    obj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": spec or {}}
    if status is not None:
        obj["status"] = status
    return obj


SHIPPED = [
    # argo-cd resource_customizations/batch/CronJob/health.lua (its testdata situations)
    ("cronjob-suspended", cronjob({"suspend": True}), H, "CronJob is Suspended"),
    ("cronjob-no-status", cronjob(), P, "Waiting for CronJob"),
    ("cronjob-not-scheduled", cronjob(status={}), H, "CronJob has not been scheduled yet"),
    (
        "cronjob-never-succeeded",
        cronjob(status={"lastScheduleTime": "2024-01-01T00:00:00Z"}),
        H,
        "The CronJob never completed successfully. It may not be healthy",
    ),
    (
        "cronjob-running",
        cronjob(
            status={
                "lastScheduleTime": "2024-01-02T00:00:00Z",
                "lastSuccessfulTime": "2024-01-01T00:00:00Z",
                "active": [{"name": "j"}],
            }
        ),
        H,
        "The job is running. Its last execution may not have been successful",
    ),
    (
        "cronjob-last-failed",
        cronjob(status={"lastScheduleTime": "2024-01-02T00:00:00Z", "lastSuccessfulTime": "2024-01-01T00:00:00Z"}),
        D,
        "CronJob has not completed its last execution successfully",
    ),
    (
        "cronjob-last-succeeded",
        cronjob(status={"lastScheduleTime": "2024-01-02T00:00:00Z", "lastSuccessfulTime": "2024-01-02T00:01:00Z"}),
        H,
        "CronJob has completed its last execution successfully",
    ),
    # policy/PodDisruptionBudget/health.lua
    ("pdb-waiting", {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "status": {}}, P, "Waiting for status"),
    (
        "pdb-healthy",
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "status": {"conditions": [{"type": "DisruptionAllowed", "status": "True", "reason": "SufficientPods"}]},
        },
        H,
        "PodDisruptionBudget has SufficientPods",
    ),
    (
        "pdb-insufficient-is-healthy",
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "status": {"conditions": [{"type": "DisruptionAllowed", "status": "False", "reason": "InsufficientPods"}]},
        },
        H,
        "PodDisruptionBudget has InsufficientPods",
    ),
    (
        "pdb-degraded",
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "status": {"conditions": [{"type": "DisruptionAllowed", "status": "False", "reason": "SyncFailed"}]},
        },
        D,
        "PodDisruptionBudget has SyncFailed",
    ),
    # argoproj.io/ApplicationSet/health.lua
    (
        "appset-error",
        {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "ApplicationSet",
            "status": {
                "conditions": [
                    {"type": "ResourcesUpToDate", "status": "True", "message": "ok"},
                    {"type": "ErrorOccurred", "status": "True", "message": "boom"},
                ]
            },
        },
        D,
        "boom",
    ),
    (
        "appset-healthy",
        {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "ApplicationSet",
            "status": {
                "conditions": [
                    {"type": "ResourcesUpToDate", "status": "True", "message": "All applications have been generated"}
                ]
            },
        },
        H,
        "All applications have been generated",
    ),
    (
        "appset-waiting",
        {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet"},
        P,
        "Waiting for the status to be reported",
    ),
]


@pytest.mark.parametrize(("obj", "status", "message"), [c[1:] for c in SHIPPED], ids=[c[0] for c in SHIPPED])
def test_checks_argo_cd_ships_as_lua(obj, status, message):
    assert assess(obj) == Health(status, message)


def test_configured_rule_replaces_a_shipped_check():
    assert assess(cronjob(), rules={"batch/CronJob": lambda o: Health(D, "mine")}) == Health(D, "mine")
