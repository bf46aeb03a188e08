"""Sync phases, hook types and hook delete policies: the words of gitops-engine's `pkg/sync/common/types.go`.

Planning reads them from annotations, health uses them to leave hooks out of app health, and the engine
runs phases and deletes hooks by them; one definition keeps the three from drifting apart.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["HELM_HOOK_TYPES", "HookDeletePolicy", "HookType", "SyncPhase"]


class SyncPhase(StrEnum):
    """`SyncPhase`: the phases of a sync, in the order they run (SyncFail only after a failure).

    `PRE_DELETE` and `POST_DELETE` belong to deleting an Application, not to syncing it.
    """

    PRE_SYNC = "PreSync"
    SYNC = "Sync"
    POST_SYNC = "PostSync"
    SYNC_FAIL = "SyncFail"
    PRE_DELETE = "PreDelete"
    POST_DELETE = "PostDelete"


class HookType(StrEnum):
    """`HookType`: the values of `argocd.argoproj.io/hook`; `SKIP` marks an object never applied.

    The sync engine runs the first five; `PRE_DELETE` and `POST_DELETE` are run by Argo CD's controller when
    an Application is deleted, so a sync plan does not treat them as its own.
    """

    PRE_SYNC = "PreSync"
    SYNC = "Sync"
    POST_SYNC = "PostSync"
    SKIP = "Skip"
    SYNC_FAIL = "SyncFail"
    PRE_DELETE = "PreDelete"
    POST_DELETE = "PostDelete"


class HookDeletePolicy(StrEnum):
    """`HookDeletePolicy`: when a hook object is deleted (`argocd.argoproj.io/hook-delete-policy`)."""

    HOOK_SUCCEEDED = "HookSucceeded"
    HOOK_FAILED = "HookFailed"
    BEFORE_HOOK_CREATION = "BeforeHookCreation"


# gitops-engine's `hook/helm`: the `helm.sh/hook` values Argo CD runs, and the sync hook each becomes.
# Any other Helm hook (test, pre-delete, …) names no type Argo CD runs.
HELM_HOOK_TYPES: dict[str, HookType] = {
    "pre-install": HookType.PRE_SYNC,
    "pre-upgrade": HookType.PRE_SYNC,
    "post-install": HookType.POST_SYNC,
    "post-upgrade": HookType.POST_SYNC,
}
