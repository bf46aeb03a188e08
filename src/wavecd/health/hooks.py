"""Which objects are sync hooks, as gitops-engine's `hook` and `ignore` packages decide.

Health needs this twice: a Pod's restart-policy opt-in is not honoured for hooks, and app health skips hooks.
"""

from __future__ import annotations

from typing import Any

from wavecd.common import (
    HELM_CRD_INSTALL,
    HELM_HOOK,
    HELM_HOOK_TYPES,
    HOOK,
    HOOK_FINALIZER,
    IGNORE_HEALTHCHECK,
    HookType,
)

_ARGO_TYPES = frozenset(HookType)


def _annotations(obj: dict[str, Any] | None) -> dict[str, Any]:
    meta = (obj or {}).get("metadata") or {}
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    return annotations if isinstance(annotations, dict) else {}


def _csv(value: object) -> list[str]:
    return [part.strip() for part in str(value).split(",") if part.strip()]


def hook_types(obj: dict[str, Any]) -> list[str]:
    """Argo hook types from `argocd.argoproj.io/hook`, else those Helm hook types Argo maps."""
    annotations = _annotations(obj)
    types = [t for t in _csv(annotations.get(HOOK, "")) if t in _ARGO_TYPES]
    if not types:
        types = [t for t in _csv(annotations.get(HELM_HOOK, "")) if t in HELM_HOOK_TYPES]
    return types


def is_skip(obj: dict[str, Any]) -> bool:
    """`hook: Skip` and nothing else: the object is not applied at all."""
    types = hook_types(obj)
    return HookType.SKIP in types and len(types) == 1


def is_hook(obj: dict[str, Any]) -> bool:
    annotations = _annotations(obj)
    if HOOK in annotations:
        return not is_skip(obj)
    return HELM_HOOK in annotations and annotations[HELM_HOOK] != HELM_CRD_INSTALL


def is_ignored(obj: dict[str, Any]) -> bool:
    """A hook annotation naming no hook type Argo knows (e.g. Helm's `test`): Argo ignores the object."""
    return is_hook(obj) and not hook_types(obj)


def has_hook_finalizer(obj: dict[str, Any]) -> bool:
    finalizers = ((obj.get("metadata") or {}).get("finalizers")) or []
    return isinstance(finalizers, list) and HOOK_FINALIZER in finalizers


def ignores_healthcheck(obj: dict[str, Any]) -> bool:
    return _annotations(obj).get(IGNORE_HEALTHCHECK) == "true"
