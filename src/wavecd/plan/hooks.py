"""Which objects are hooks, of which types, deleted when: gitops-engine's `hook`, `hook/helm` and `ignore`.

Argo CD's `argocd.argoproj.io/hook` wins when it names at least one valid type; otherwise Helm's
`helm.sh/hook` values are mapped (pre-install/pre-upgrade → PreSync, post-install/post-upgrade →
PostSync). A hook whose types are all unknown is ignored: it vanishes from the sync altogether.
"""

from __future__ import annotations

from dataclasses import dataclass

from wavecd.common import (
    HELM_CRD_INSTALL,
    HELM_HOOK,
    HELM_HOOK_DELETE_POLICY,
    HELM_HOOK_TYPES,
    HOOK,
    HOOK_DELETE_POLICY,
    HookDeletePolicy,
    HookType,
    SyncPhase,
)
from wavecd.plan.annotations import csv_values

# The hook types a sync runs; PreDelete and PostDelete belong to deleting an Application.
HOOK_TYPES = frozenset({HookType.PRE_SYNC, HookType.SYNC, HookType.POST_SYNC, HookType.SYNC_FAIL, HookType.SKIP})
PHASES: tuple[str, ...] = (SyncPhase.PRE_SYNC, SyncPhase.SYNC, SyncPhase.POST_SYNC, SyncPhase.SYNC_FAIL)

DELETE_POLICIES = frozenset(HookDeletePolicy)
HELM_DELETE_POLICIES = {
    "hook-succeeded": HookDeletePolicy.HOOK_SUCCEEDED,
    "hook-failed": HookDeletePolicy.HOOK_FAILED,
    "before-hook-creation": HookDeletePolicy.BEFORE_HOOK_CREATION,
}


@dataclass(frozen=True, slots=True)
class HookInfo:
    """What the annotations say about one object as a hook.

    `types` keeps duplicates from Helm mapping (pre-install,pre-upgrade → PreSync twice) as gitops-engine
    does; `from_helm` says the types came from `helm.sh/hook`, not from Argo CD's annotation.
    """

    is_hook: bool
    types: tuple[str, ...]
    delete_policies: tuple[str, ...]
    from_helm: bool

    @property
    def skip(self) -> bool:
        """`hook.Skip`: Skip is the only type; such an object is tracked but never applied."""
        return self.types == (HookType.SKIP,)

    @property
    def ignored(self) -> bool:
        """`ignore.Ignore`: a hook with no usable type is dropped from the sync and its status."""
        return self.is_hook and not self.types

    @property
    def phases(self) -> tuple[str, ...]:
        """`syncPhases`: one per distinct phase type of a hook; Sync alone for a resource; none if skipped."""
        if self.skip:
            return ()
        if not self.is_hook:
            return (SyncPhase.SYNC,)
        return tuple(phase for phase in PHASES if phase in self.types)


NOT_A_HOOK = HookInfo(False, (), (HookDeletePolicy.BEFORE_HOOK_CREATION,), False)


def hook_info(annotations: dict[str, str]) -> HookInfo:
    """The hook facts of an object with these annotations."""
    has_argo = HOOK in annotations
    if not has_argo and HELM_HOOK not in annotations:
        return NOT_A_HOOK
    types = tuple(t for t in csv_values(annotations, HOOK) if t in HOOK_TYPES)
    from_helm = False
    if not types:
        types = tuple(HELM_HOOK_TYPES[t] for t in csv_values(annotations, HELM_HOOK) if t in HELM_HOOK_TYPES)
        from_helm = bool(types)
    skip = HookType.SKIP in types and len(types) == 1
    if has_argo:
        is_hook = not skip
    else:
        is_hook = annotations[HELM_HOOK] != HELM_CRD_INSTALL
    return HookInfo(is_hook, types, delete_policies(annotations), from_helm)


def delete_policies(annotations: dict[str, str]) -> tuple[str, ...]:
    """`hook.DeletePolicies`: Argo's valid policies, then Helm's mapped ones; BeforeHookCreation if none."""
    policies = [p for p in csv_values(annotations, HOOK_DELETE_POLICY) if p in DELETE_POLICIES]
    policies.extend(
        HELM_DELETE_POLICIES[p] for p in csv_values(annotations, HELM_HOOK_DELETE_POLICY) if p in HELM_DELETE_POLICIES
    )
    return tuple(policies) if policies else (HookDeletePolicy.BEFORE_HOOK_CREATION,)
