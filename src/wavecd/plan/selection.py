"""A selective sync: only the named resources of an app, as Argo CD's `operation.sync.resources` asks.

gitops-engine filters the sync's tasks by these keys (Argo CD's `SyncOperationResource.HasIdentity`: group,
kind and name must match; an empty namespace matches any) and runs no hooks: Argo CD documents that a
selective sync skips them. The API's `POST …/sync` with `resources` and the controller's self-heal (which
re-applies only what drifted) both come here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass

from wavecd.plan.app_plan import AppPlan
from wavecd.plan.task import Task

__all__ = ["ResourceSelector", "select_resources"]


@dataclass(frozen=True)
class ResourceSelector:
    group: str
    kind: str
    name: str
    namespace: str = ""

    def matches(self, task: Task) -> bool:
        return (task.group, task.kind, task.name) == (self.group, self.kind, self.name) and (
            not self.namespace or task.namespace == self.namespace
        )


def select_resources(plan: AppPlan, selectors: Collection[ResourceSelector]) -> AppPlan:
    """`plan` with only the non-hook tasks some selector names (prunes included when named), and the
    destination namespace `CreateNamespace=true` adds, which the named resources may need."""
    tasks = tuple(t for t in plan.tasks if t.auto_namespace or (not t.is_hook and any(s.matches(t) for s in selectors)))
    return dataclasses.replace(plan, tasks=tasks, sync_fail=())
