"""The annotation keys and finalizer Argo CD reads and writes on the objects it syncs.

They are the contract with a repository's manifests and with Argo CD itself: a key spelled differently in
one place would silently stop meaning anything there. Helm's `helm.sh/hook*` keys are here too because
Argo CD reads them as its own hooks and waves (gitops-engine's `hook/helm`).
"""

from __future__ import annotations

from typing import Any

from wavecd.core.goatoi import go_atoi

__all__ = [
    "COMPARE_OPTIONS",
    "DELETION_APPROVED",
    "HELM_CRD_INSTALL",
    "HELM_HOOK",
    "HELM_HOOK_DELETE_POLICY",
    "HELM_HOOK_WEIGHT",
    "HELM_RESOURCE_POLICY",
    "HOOK",
    "HOOK_DELETE_POLICY",
    "HOOK_FINALIZER",
    "IGNORE_HEALTHCHECK",
    "IGNORE_RESTART_POLICY",
    "MANIFEST_GENERATE_PATHS",
    "REFRESH",
    "RESOURCES_FINALIZER",
    "SKIP_RECONCILE",
    "SYNC_OPTIONS",
    "SYNC_WAVE",
    "TRACKING_ID",
    "sync_wave",
]

SYNC_WAVE = "argocd.argoproj.io/sync-wave"
HOOK = "argocd.argoproj.io/hook"
HOOK_DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
COMPARE_OPTIONS = "argocd.argoproj.io/compare-options"
TRACKING_ID = "argocd.argoproj.io/tracking-id"
IGNORE_HEALTHCHECK = "argocd.argoproj.io/ignore-healthcheck"
IGNORE_RESTART_POLICY = "argocd.argoproj.io/ignore-restart-policy"
# On an Application: the `;`-separated paths whose change a push webhook must touch to refresh it.
MANIFEST_GENERATE_PATHS = "argocd.argoproj.io/manifest-generate-paths"
# On an Application: "true" (any spelling Go's ParseBool accepts as true) and no controller reconciles it.
SKIP_RECONCILE = "argocd.argoproj.io/skip-reconcile"
# On an Application: reconcile it now (`hard`: render without the cache); the controller removes it after.
REFRESH = "argocd.argoproj.io/refresh"

# Finalizers, not annotations. The sync engine puts the hook finalizer on every hook and removes it when the
# hook is done; the resources finalizer on an Application makes its deletion take the app's resources along
# (a `/background` or `/foreground` suffix chooses the propagation, hence a prefix).
HOOK_FINALIZER = "argocd.argoproj.io/hook-finalizer"
RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io"
# An Application's approval of the deletions that `Delete=confirm` holds back: an RFC 3339 time no earlier
# than its deletionTimestamp.
DELETION_APPROVED = "argocd.argoproj.io/deletion-approved"

HELM_HOOK = "helm.sh/hook"
HELM_HOOK_WEIGHT = "helm.sh/hook-weight"
HELM_HOOK_DELETE_POLICY = "helm.sh/hook-delete-policy"
# `keep` leaves the object behind when its app is deleted, as Helm leaves it on uninstall.
HELM_RESOURCE_POLICY = "helm.sh/resource-policy"
# The one `helm.sh/hook` value that is not a hook at all: the object is an ordinary resource.
HELM_CRD_INSTALL = "crd-install"


def sync_wave(annotations: dict[str, Any]) -> int:
    """gitops-engine's `syncwaves.Wave`: the sync-wave if Atoi accepts it, else the Helm hook weight, else 0.

    The hook weight counts even on objects that are not hooks: `Wave` never asks. One reading for the
    waves of objects inside an app (`plan`) and of Applications in the tree (`apps`).
    """
    value = go_atoi(annotations.get(SYNC_WAVE))
    if value is None:
        value = go_atoi(annotations.get(HELM_HOOK_WEIGHT))
    return 0 if value is None else value
