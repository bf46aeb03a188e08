"""Small builders for plan tests: manifests as Argo CD would see them."""

from __future__ import annotations

from typing import Any


def obj(
    kind: str,
    name: str = "",
    *,
    api: str = "v1",
    namespace: str | None = None,
    annotations: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": api, "kind": kind, "metadata": metadata, **extra}


def wave(value: str | int, **annotations: str) -> dict[str, str]:
    return {"argocd.argoproj.io/sync-wave": str(value), **annotations}


def crd(group: str, kind: str, plural: str) -> dict[str, Any]:
    return obj(
        "CustomResourceDefinition",
        f"{plural}.{group}",
        api="apiextensions.k8s.io/v1",
        spec={
            "group": group,
            "names": {"kind": kind, "plural": plural},
            "scope": "Namespaced",
            "versions": [{"name": "v1", "served": True, "storage": True}],
        },
    )


def order(plan) -> list[tuple[str, int, str, str]]:
    """(phase, wave, kind, name) of every task in order."""
    return [(t.phase, t.wave, t.kind, t.name) for t in plan.tasks]
