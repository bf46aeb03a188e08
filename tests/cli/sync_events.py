"""Hand-made event sequences for the renderer tests: a small sync that stops at a failing wave, and one that
ends Healthy after syncing an app again once the last wave installed what its chart looks for."""

from __future__ import annotations

from dataclasses import replace

from wavecd.sync.events import (
    AppFinished,
    AppStarted,
    HookDeleted,
    NodeProvisioned,
    PlanReady,
    ResourceApplied,
    ResourcePruned,
    Resync,
    Retrying,
    Summary,
    TreeRendered,
    WaitingOn,
    WaveFinished,
    WaveStarted,
)

DEPLOY = {"group": "apps", "kind": "Deployment", "namespace": "web", "name": "api"}
BLOCKING = {**DEPLOY, "health": "Degraded", "message": 'Deployment "api" exceeded its progress deadline'}


LAUNCHING = NodeProvisioned(
    app="web",
    wave=2,
    nodeclaim="default-x7k2p",
    state="launching",
    nodepool="default",
    instance_type="c6a.2xlarge",
    capacity_type="spot",
)


def failed_sync() -> list:
    return [
        TreeRendered(
            apps=4, errors=[{"app": "broken", "message": "values.yaml: line 3: mapping expected"}], seconds=0.42
        ),
        PlanReady(
            root="root",
            waves=[
                {"wave": -1, "apps": ["namespaces"]},
                {"wave": 2, "apps": ["web", "broken"]},
                {"wave": 5, "apps": ["later"]},
            ],
            server="http://127.0.0.1:6443",
            kube_version="v1.31.0",
        ),
        AppStarted(app="root", resources=4, steps=1),
        ResourceApplied(
            app="root",
            group="argoproj.io",
            kind="Application",
            namespace="argocd",
            resource="namespaces",
            result="created",
        ),
        AppFinished(app="root", health="Healthy", sync="Synced", seconds=1.0),
        WaveStarted(wave=-1, apps=["namespaces"]),
        AppStarted(app="namespaces", wave=-1, resources=1, steps=1),
        ResourceApplied(app="namespaces", wave=-1, kind="Namespace", resource="web", result="created"),
        ResourcePruned(
            app="namespaces", wave=-1, kind="Namespace", resource="old", result="skipped", message="prune disabled"
        ),
        AppFinished(app="namespaces", wave=-1, health="Healthy", sync="Synced", seconds=0.5),
        WaveFinished(wave=-1, health="Healthy", seconds=2.5),
        WaveStarted(wave=2, apps=["web", "broken"]),
        AppStarted(app="web", wave=2, resources=2, steps=2),
        ResourceApplied(
            app="web",
            wave=2,
            resource_wave=-1,
            phase="PreSync",
            group="batch",
            kind="Job",
            namespace="web",
            resource="migrate",
            result="created",
            hook=True,
        ),
        HookDeleted(
            app="web", wave=2, resource_wave=-1, kind="Job", namespace="web", resource="migrate", policy="HookSucceeded"
        ),
        ResourceApplied(
            app="web", wave=2, group="apps", kind="Deployment", namespace="web", resource="api", result="configured"
        ),
        WaitingOn(
            app="web",
            wave=2,
            resource_wave=0,
            blockers=[{**DEPLOY, "health": "Progressing", "message": "0 of 2 updated replicas are available"}],
            elapsed=3.0,
        ),
        LAUNCHING,
        replace(LAUNCHING, state="joined", node="ip-10-0-1-7.ec2.internal", zone="eu-west-1a"),
        Retrying(app="web", wave=2, attempt=1, delay=5.0, message="one or more objects failed to apply"),
        AppFinished(
            app="web",
            wave=2,
            health="Degraded",
            sync="Failed",
            message="health gate failed",
            blocking=BLOCKING,
            seconds=40.0,
        ),
        AppFinished(
            app="broken",
            wave=2,
            health="Unknown",
            sync="Failed",
            message="values.yaml: line 3: mapping expected",
            seconds=0.0,
        ),
        WaveFinished(wave=2, health="Degraded", seconds=41.0),
        Summary(
            health="Degraded",
            phase="Failed",
            message="wave 2 failed",
            seconds=45.5,
            apps={"Healthy": 2, "Degraded": 1, "Unknown": 1, "NotStarted": 1},
            stopped_at=2,
            blocking=BLOCKING,
            exit_code=1,
        ),
    ]


def resynced_sync() -> list:
    monitor = {"group": "monitoring.coreos.com", "kind": "ServiceMonitor", "namespace": "mesh", "resource": "istiod"}
    return [
        TreeRendered(apps=3, seconds=0.1),
        PlanReady(
            root="root",
            waves=[{"wave": -2, "apps": ["mesh"]}, {"wave": -1, "apps": ["prometheus"]}],
            server="http://127.0.0.1:6443",
            kube_version="v1.33.0",
        ),
        AppStarted(app="root", resources=2, steps=1),
        WaveStarted(wave=-2, apps=["mesh"]),
        AppStarted(app="mesh", wave=-2, resources=1, steps=1),
        AppFinished(app="mesh", wave=-2, health="Healthy", sync="Synced", seconds=1.0),
        WaveFinished(wave=-2, health="Healthy", seconds=1.0),
        WaveStarted(wave=-1, apps=["prometheus"]),
        AppStarted(app="prometheus", wave=-1, resources=3, steps=2),
        AppFinished(app="prometheus", wave=-1, health="Healthy", sync="Synced", seconds=4.0),
        WaveFinished(wave=-1, health="Healthy", seconds=4.0),
        Resync(app="mesh", wave=-2, reason="the cluster now serves monitoring.coreos.com/v1"),
        AppStarted(app="mesh", wave=-2, resources=2, steps=1),
        ResourceApplied(app="mesh", wave=-2, **monitor, result="created"),
        AppFinished(app="mesh", wave=-2, health="Healthy", sync="Synced", seconds=1.5),
        AppFinished(app="root", health="Healthy", sync="Synced", seconds=9.0),
        Summary(health="Healthy", phase="Succeeded", message="every app is Healthy", seconds=9.0, apps={"Healthy": 3}),
    ]
