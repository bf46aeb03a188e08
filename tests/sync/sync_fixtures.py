"""Tiny GitOps repositories and a harness that syncs them into an in-process simulated cluster.

A test describes its tree as a few `Child` apps (name, tree wave, plain manifests); `write_repo` lays it out
as a real repository (`wavecd.yaml`, a root Application over a folder of Applications, one folder of
manifests per child) so the engine sees exactly what `wavecd sync ROOT` would give it. The sync's clock is `SimTime`
(tests/support/sim.py): its `sleep` advances the sim's manual clock.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from support.sim import SimTime
from wavecd.apps.session import TreeRequest, open_tree
from wavecd.core import Event, ManualClock
from wavecd.kube import KubeClient
from wavecd.plan import plan_tree
from wavecd.sim.cluster import SimCluster
from wavecd.sync import SyncResult, SyncSettings, sync_tree

REPO_URL = "https://git.example.com/gitops.git"
ROOT = "root"

# One second between polls and between waves (Argo CD waits 2 s between waves): the clock is simulated, so
# only the number of requests, not the seconds, costs test time.
FAST = SyncSettings(wave_delay=1.0, poll_interval=1.0)


def settings(**changes: Any) -> SyncSettings:
    """FAST with `changes` (prune, dry_run, timeout, ...)."""
    return dataclasses.replace(FAST, **changes)


CREATE_NAMESPACE: dict[str, Any] = {"syncOptions": ["CreateNamespace=true"]}


@dataclass
class Child:
    """One Application of the root: its tree wave, destination namespace, `syncPolicy` (by default it creates
    its namespace, so a test need not) and the manifests of its folder."""

    name: str
    manifests: list[dict[str, Any]]
    wave: int = 0
    namespace: str = "apps"
    sync_policy: dict[str, Any] | None = field(default_factory=lambda: dict(CREATE_NAMESPACE))


def write_repo(repo: Path, children: list[Child]) -> Path:
    """(Re)write the repository under `repo`: every child folder is replaced, so a manifest left out is gone."""
    repo.mkdir(parents=True, exist_ok=True)
    (repo / "wavecd.yaml").write_text(
        yaml.safe_dump(
            {
                "root": "root.yaml",
                "repositories": [{"url": REPO_URL, "path": ".", "worktree": True}],
            }
        )
    )
    (repo / "root.yaml").write_text(yaml.safe_dump(application(ROOT, "apps", "argocd")))
    apps = repo / "apps"
    apps.mkdir(exist_ok=True)
    for old in apps.glob("*.yaml"):
        old.unlink()
    for child in children:
        folder = repo / "manifests" / child.name
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.yaml"):
            old.unlink()
        (folder / "all.yaml").write_text(yaml.safe_dump_all(child.manifests) if child.manifests else "")
        app = application(
            child.name, f"manifests/{child.name}", child.namespace, wave=child.wave, sync_policy=child.sync_policy
        )
        (apps / f"{child.name}.yaml").write_text(yaml.safe_dump(app))
    return repo


def application(
    name: str, path: str, namespace: str, *, wave: int | None = None, sync_policy: dict[str, Any] | None = None
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "argocd"}
    if wave is not None:
        meta["annotations"] = {"argocd.argoproj.io/sync-wave": str(wave)}
    spec: dict[str, Any] = {
        "project": "default",
        "source": {"repoURL": REPO_URL, "targetRevision": "main", "path": path},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
    }
    if sync_policy is not None:
        spec["syncPolicy"] = sync_policy
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": meta, "spec": spec}


# -- manifests (annotations are passed as a dict: their keys hold `/` and `.`) ------------------------------------
def config_map(
    name: str, namespace: str = "apps", *, wave: int | None = None, annotations: dict[str, str] | None = None
) -> dict[str, Any]:
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
        "data": {"key": name},
    }
    return _with_wave(obj, wave, annotations)


def namespace(name: str, *, wave: int | None = None) -> dict[str, Any]:
    return _with_wave({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}, wave, {})


def deployment(
    name: str, namespace: str = "apps", *, wave: int | None = None, annotations: dict[str, str] | None = None
) -> dict[str, Any]:
    """A one-replica Deployment; sim annotations (ready-after, outcome) go on it and reach its pods."""
    labels = {"app": name}
    obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "app", "image": "example/app:1"}]},
            },
        },
    }
    return _with_wave(obj, wave, annotations)


def job(
    name: str,
    namespace: str = "apps",
    *,
    hook: str | None = None,
    wave: int | None = None,
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    obj = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "backoffLimit": 0,
            "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "run", "image": "example/job:1"}]}},
        },
    }
    if hook is not None:
        annotations = {"argocd.argoproj.io/hook": hook, **(annotations or {})}
    return _with_wave(obj, wave, annotations)


def crd(group: str, kind: str, plural: str, *, wave: int | None = None) -> dict[str, Any]:
    obj = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"kind": kind, "plural": plural, "singular": kind.lower(), "listKind": f"{kind}List"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                }
            ],
        },
    }
    return _with_wave(obj, wave, {})


def custom(group: str, kind: str, name: str, namespace: str = "apps", *, wave: int | None = None) -> dict[str, Any]:
    obj = {
        "apiVersion": f"{group}/v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"size": 1},
    }
    return _with_wave(obj, wave, {})


def _with_wave(obj: dict[str, Any], wave: int | None, annotations: dict[str, str] | None) -> dict[str, Any]:
    notes = dict(annotations or {})
    if wave is not None:
        notes["argocd.argoproj.io/sync-wave"] = str(wave)
    if notes:
        obj["metadata"]["annotations"] = notes
    return obj


# -- running a sync ---------------------------------------------------------------------------------------------
@dataclass
class Run:
    """What a user sees of one sync: every event (as its JSON), and the result."""

    result: SyncResult
    events: list[dict[str, Any]] = field(default_factory=list)

    def of(self, name: str, **match: Any) -> list[dict[str, Any]]:
        """The events called `name` whose fields equal `match`."""
        return [e for e in self.events if e["event"] == name and all(e.get(k) == v for k, v in match.items())]

    def applied(self, app: str | None = None) -> list[tuple[str, str]]:
        """(kind, name) of each `applied` event, in order."""
        return [(e["kind"], e["resource"]) for e in self.of("applied") if app is None or e["app"] == app]


SNAPSHOT_KINDS = (
    ("v1", "Namespace"),
    ("v1", "ConfigMap"),
    ("apps/v1", "Deployment"),
    ("batch/v1", "Job"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("argoproj.io/v1alpha1", "Application"),
)


class Cluster:
    """A running sim on a manual clock, a client for the test's own reads, and `sync(repo)`."""

    def __init__(self, sim: SimCluster):
        self.sim = sim
        self.time = SimTime(sim)
        self.kube = KubeClient.for_server(sim.url)

    def clock_now(self) -> float:
        return self.time.now()

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        return self.kube.get(api_version, kind, name, namespace)

    def exists(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> bool:
        return self.get(api_version, kind, name, namespace) is not None

    def versions(self) -> dict[str, str]:
        """`kind namespace/name` → resourceVersion of every object of the kinds these tests deploy."""
        out = {}
        for api_version, kind in SNAPSHOT_KINDS:
            for obj in self.kube.list(api_version, kind):
                meta = obj["metadata"]
                out[f"{kind} {meta.get('namespace', '')}/{meta['name']}"] = meta["resourceVersion"]
        return out

    def sync(
        self,
        repo: Path,
        settings: SyncSettings = FAST,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Run:
        """Open the tree as `wavecd sync` would, plan it and sync it; `on_event` sees each event as it happens."""
        _, tree = open_tree(TreeRequest(root=repo, use_cache=False))
        plan = plan_tree(tree)
        events: list[dict[str, Any]] = []

        def emit(event: Event) -> None:
            data = event.to_json()
            events.append(data)
            if on_event is not None:
                on_event(data)

        with KubeClient.for_server(self.sim.url) as client:
            result = sync_tree(
                plan,
                client,
                lambda name, _facts: tree.node(name).manifests,
                settings=settings,
                clock=self.time,
                emit=emit,
                cancel=cancel,
            )
        return Run(result, events)

    def close(self) -> None:
        self.kube.close()


def start_cluster() -> tuple[SimCluster, Cluster]:
    sim = SimCluster(clock=ManualClock()).start()
    return sim, Cluster(sim)
