"""Argo CD's vocabulary in one place, as gitops-engine's `pkg/sync/common` and `pkg/health` keep it.

Health and sync statuses, operation phases, sync phases and hooks, result codes, annotation keys, Argo CD's
own kinds and namespace, and the default Kubernetes version: words that every stage compares and prints,
defined once so they cannot drift. The enums are `StrEnum`s, so a member compares equal to, formats and
serialises as exactly the string Argo CD uses. Foundation: imports nothing from wavecd but itself.
"""

from typing import TYPE_CHECKING

from wavecd.core.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from wavecd.common.annotations import (
        COMPARE_OPTIONS,
        DELETION_APPROVED,
        HELM_CRD_INSTALL,
        HELM_HOOK,
        HELM_HOOK_DELETE_POLICY,
        HELM_HOOK_WEIGHT,
        HELM_RESOURCE_POLICY,
        HOOK,
        HOOK_DELETE_POLICY,
        HOOK_FINALIZER,
        IGNORE_HEALTHCHECK,
        IGNORE_RESTART_POLICY,
        MANIFEST_GENERATE_PATHS,
        REFRESH,
        RESOURCES_FINALIZER,
        SKIP_RECONCILE,
        SYNC_OPTIONS,
        SYNC_WAVE,
        TRACKING_ID,
        sync_wave,
    )
    from wavecd.common.argocd import APPLICATION, APPLICATION_SET, ARGO_API_VERSION, ARGO_GROUP, ARGOCD_NAMESPACE
    from wavecd.common.colours import STATUS_COLOURS
    from wavecd.common.health import NOT_STARTED, HealthStatus, health_rank, is_worse, worst_of
    from wavecd.common.hooks import HELM_HOOK_TYPES, HookDeletePolicy, HookType, SyncPhase
    from wavecd.common.kubernetes import DEFAULT_KUBE_VERSION, api_group
    from wavecd.common.operation import OperationPhase
    from wavecd.common.results import ResultCode
    from wavecd.common.sync_status import SyncStatus
    from wavecd.common.timestamps import format_kube_time, kube_now, parse_kube_time

__all__ = [
    "APPLICATION",
    "APPLICATION_SET",
    "ARGOCD_NAMESPACE",
    "ARGO_API_VERSION",
    "ARGO_GROUP",
    "COMPARE_OPTIONS",
    "DEFAULT_KUBE_VERSION",
    "DELETION_APPROVED",
    "HELM_CRD_INSTALL",
    "HELM_HOOK",
    "HELM_HOOK_DELETE_POLICY",
    "HELM_HOOK_TYPES",
    "HELM_HOOK_WEIGHT",
    "HELM_RESOURCE_POLICY",
    "HOOK",
    "HOOK_DELETE_POLICY",
    "HOOK_FINALIZER",
    "IGNORE_HEALTHCHECK",
    "IGNORE_RESTART_POLICY",
    "MANIFEST_GENERATE_PATHS",
    "NOT_STARTED",
    "REFRESH",
    "RESOURCES_FINALIZER",
    "SKIP_RECONCILE",
    "STATUS_COLOURS",
    "SYNC_OPTIONS",
    "SYNC_WAVE",
    "TRACKING_ID",
    "HealthStatus",
    "HookDeletePolicy",
    "HookType",
    "OperationPhase",
    "ResultCode",
    "SyncPhase",
    "SyncStatus",
    "api_group",
    "format_kube_time",
    "health_rank",
    "is_worse",
    "kube_now",
    "parse_kube_time",
    "sync_wave",
    "worst_of",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    __all__,
    (
        "annotations",
        "argocd",
        "colours",
        "health",
        "hooks",
        "kubernetes",
        "operation",
        "results",
        "sync_status",
        "timestamps",
    ),
)
