"""The synthetic app tree the sync and controller benchmarks share: a root app declaring N Applications over
5 tree waves, each a folder of 20 plain manifests (8 ConfigMaps, 4 Secrets, 3 Services, 2 Deployments, a
ServiceAccount, a Role, a RoleBinding) in one of 10 namespaces the apps create (`CreateNamespace=true`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

URL = "https://example.com/synthetic.git"
TREE_WAVES = 5
NAMESPACES = 10


def _app_manifests(app: str) -> dict[str, list[dict[str, Any]]]:
    """Twenty objects of one app, by file: what a small service's folder holds."""
    labels = {"app.kubernetes.io/name": app}
    configmaps = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"{app}-config-{i}"},
            "data": {"application.yaml": f"server:\n  port: 8080\nfeature: {i}\n", "LOG_LEVEL": "info"},
        }
        for i in range(8)
    ]
    secrets = [
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": f"{app}-secret-{i}"},
            "type": "Opaque",
            "stringData": {"password": f"not-a-secret-{i}"},
        }
        for i in range(4)
    ]
    services = [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": f"{app}-{port}", "labels": labels},
            "spec": {"selector": labels, "ports": [{"name": "http", "port": port, "targetPort": 8080}]},
        }
        for port in (80, 8080, 9090)
    ]
    deployments = [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": f"{app}-{role}"},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {**labels, "role": role}},
                "template": {
                    "metadata": {"labels": {**labels, "role": role}},
                    "spec": {
                        "serviceAccountName": app,
                        "containers": [{"name": role, "image": "nginx:1.27", "ports": [{"containerPort": 8080}]}],
                    },
                },
            },
        }
        for role in ("web", "worker")
    ]
    rbac = [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": app}},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": app},
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": app},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": app},
            "subjects": [{"kind": "ServiceAccount", "name": app}],
        },
    ]
    return {
        "configmaps.yaml": configmaps,
        "secrets.yaml": secrets,
        "services.yaml": services,
        "deployments.yaml": deployments,
        "rbac.yaml": rbac,
    }


def _application(name: str, path: str, namespace: str, wave: int | None, automated: bool) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "argocd"}
    if wave is not None:
        meta["annotations"] = {"argocd.argoproj.io/sync-wave": str(wave)}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": meta,
        "spec": {
            "project": "default",
            "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
            "source": {"repoURL": URL, "targetRevision": "main", "path": path},
            "syncPolicy": {"syncOptions": ["CreateNamespace=true"], **({"automated": {}} if automated else {})},
        },
    }


def synthetic_repo(folder: Path, apps: int, *, automated: bool = False) -> Path:
    """A repository whose wavecd.yaml serves it as URL from the folder itself; returns the folder (ROOT).
    `automated` gives every app (the root too) an automated sync policy, as a controller needs to sync it."""
    docs = []
    for index in range(apps):
        name = f"svc-{index:04d}"
        for file, objects in _app_manifests(name).items():
            path = folder / "services" / name / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml.safe_dump_all(objects, sort_keys=False))
        docs.append(_application(name, f"services/{name}", f"team-{index % NAMESPACES}", index % TREE_WAVES, automated))
    (folder / "apps").mkdir(parents=True)
    (folder / "apps" / "apps.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    (folder / "root.yaml").write_text(
        yaml.safe_dump(_application("root", "apps", "argocd", None, automated), sort_keys=False)
    )
    (folder / "wavecd.yaml").write_text(
        yaml.safe_dump(
            {"root": "root.yaml", "repositories": [{"url": URL, "path": ".", "worktree": True}]}, sort_keys=False
        )
    )
    return folder
