"""Small GitOps repositories written by the tests: an Argo CD Application, files laid out under a folder, and
a root over a few child apps with their plain manifests.

A test describes its tree as a few `Child` apps (name, tree wave, plain manifests); `write_repo` lays it out as
a real repository (`wavecd.yaml`, a root Application over a folder of Applications, one folder of manifests per
child) so wavecd sees exactly what `wavecd sync ROOT` or `wavecd status ROOT` would give it.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_URL = "https://git.example.com/gitops.git"


def git(repo: Path, *args: str) -> str:
    """`git ARGS` in `repo` as a CI job would run it (a committer named, output kept); its stdout."""
    done = subprocess.run(
        ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


ROOT = "root"
CREATE_NAMESPACE: dict[str, Any] = {"syncOptions": ["CreateNamespace=true"]}


def application(
    name: str,
    path: str = "",
    wave: int | None = None,
    namespace: str = "team",
    chart: str = "",
    helm: dict[str, Any] | None = None,
    directory: dict[str, Any] | None = None,
    repo: str = "https://example.com/apps.git",
    **spec: Any,
) -> dict[str, Any]:
    """An Argo CD Application over `path` (or `chart`) of `repo`, deployed to `namespace`; `spec` adds fields
    such as `syncPolicy`."""
    source: dict[str, Any] = {"repoURL": repo, "targetRevision": "main"}
    source.update({"chart": chart} if chart else {"path": path})
    if helm is not None:
        source["helm"] = helm
    if directory is not None:
        source["directory"] = directory
    metadata: dict[str, Any] = {"name": name, "namespace": "argocd"}
    if wave is not None:
        metadata["annotations"] = {"argocd.argoproj.io/sync-wave": str(wave)}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": metadata,
        "spec": {
            "project": "default",
            "source": source,
            "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
            **spec,
        },
    }


def write_files(base: Path, files: dict[str, object]) -> Path:
    """Create `files` (path -> text, or an object written as YAML documents if a list/dict) under `base`."""
    for name, content in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, list):
            content = yaml.safe_dump_all(content, sort_keys=False)
        elif isinstance(content, dict):
            content = yaml.safe_dump(content, sort_keys=False)
        path.write_text(str(content))
    return base


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
    (repo / "root.yaml").write_text(yaml.safe_dump(application(ROOT, "apps", namespace="argocd", repo=REPO_URL)))
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
        policy = {} if child.sync_policy is None else {"syncPolicy": child.sync_policy}
        app = application(child.name, f"manifests/{child.name}", child.wave, child.namespace, repo=REPO_URL, **policy)
        (apps / f"{child.name}.yaml").write_text(yaml.safe_dump(app))
    return repo


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


def kyverno_policy_crd() -> dict[str, Any]:
    """Kyverno's cluster-scoped ClusterPolicy CRD (with a status subresource), as its chart installs it."""
    obj = crd("kyverno.io", "ClusterPolicy", "clusterpolicies")
    obj["spec"]["scope"] = "Cluster"
    obj["spec"]["versions"][0]["subresources"] = {"status": {}}
    return obj


def disallow_latest_tag(message: str, action: str = "Enforce") -> dict[str, Any]:
    """The Kyverno library's `disallow-latest-tag` in short: Pods (and, by autogen, their controllers) may not
    use an image tagged `latest`."""
    return {
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": "disallow-latest-tag"},
        "spec": {
            "validationFailureAction": action,
            "rules": [
                {
                    "name": "validate-image-tag",
                    "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                    "validate": {"message": message, "pattern": {"spec": {"containers": [{"image": "!*:latest"}]}}},
                }
            ],
        },
    }


def latest_tag_rollout() -> list[Child]:
    """The seed's Kyverno layout refusing one service: Kyverno's CRD at wave -8, an Enforce `disallow-latest-tag`
    at wave -7, a compliant Deployment at wave 10, the wave-11 `api` whose image uses the `latest` tag, and a
    wave-12 app after it. `wavecd sync --sim` stops at wave 11; `wavecd lint` says so offline."""
    bad = deployment("api", "shop")
    bad["spec"]["template"]["spec"]["containers"][0]["image"] = "example/app:latest"
    return [
        Child("kyverno-crds", [kyverno_policy_crd()], wave=-8),
        Child("kyverno-policies", [disallow_latest_tag("latest is not allowed")], wave=-7),
        Child("catalog", [deployment("catalog", "shop")], wave=10, namespace="shop"),
        Child("api", [bad], wave=11, namespace="shop"),
        Child("after", [deployment("worker", "shop")], wave=12, namespace="shop"),
    ]
