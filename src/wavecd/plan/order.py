"""gitops-engine's `syncTasks.Sort`: phase, wave, kind order, name; then Namespaces and CRDs hoisted.

Go's `sort.Sort` is not stable, so tasks equal in all four keys (same name in two namespaces or
groups) have no defined order there; here they keep the order they came in, which is deterministic.
Names compare as Go strings do (bytes of UTF-8), which Python's code-point order matches.
"""

from __future__ import annotations

from collections.abc import Callable

from wavecd.common import SyncPhase
from wavecd.plan.kind_order import kind_rank
from wavecd.plan.task import Task

PHASE_ORDER: dict[str, int] = {
    SyncPhase.PRE_SYNC: -1,
    SyncPhase.SYNC: 0,
    SyncPhase.POST_SYNC: 1,
    SyncPhase.SYNC_FAIL: 2,
}
CRD_GROUP = "apiextensions.k8s.io"

DepKey = Callable[[Task], str | None]


def sort_key(task: Task) -> tuple[int, int, int, str]:
    return (PHASE_ORDER.get(task.phase, 0), task.wave, kind_rank(task.kind), task.name)


def sort_tasks(tasks: list[Task]) -> list[Task]:
    """The tasks in sync order (a new list; hoisted tasks get their new phase and wave in place)."""
    ordered = sorted(tasks, key=sort_key)
    _hoist(ordered, _namespace_defined, _namespace_used)
    _hoist(ordered, _crd_defined, _kind_used)
    return ordered


def _namespace_defined(task: Task) -> str | None:
    return task.name if task.kind == "Namespace" and task.group == "" else None


def _namespace_used(task: Task) -> str | None:
    return task.namespace or None


def _crd_defined(task: Task) -> str | None:
    if task.kind != "CustomResourceDefinition" or task.group != CRD_GROUP or task.target is None:
        return None
    spec = task.target.get("spec")
    if not isinstance(spec, dict):
        return None
    names = spec.get("names")
    group, kind = spec.get("group"), names.get("kind") if isinstance(names, dict) else None
    if not isinstance(group, str) or not isinstance(kind, str):
        return None
    return f"{group}/{kind}"


def _kind_used(task: Task) -> str | None:
    return f"{task.group}/{task.kind}"


def _hoist(tasks: list[Task], defines: DepKey, uses: DepKey) -> None:
    """`adjustDeps`: move each dependency before the first task that uses it, taking that task's phase and wave.

    Only tasks with a target take part; a dependency already before its first user stays where it is.
    """
    first_use: dict[str, int] = {}
    for i, task in enumerate(tasks):
        if task.target is None:
            continue
        key = defines(task)
        if key is not None:
            index = first_use.get(key)
            if index is None:
                continue
            user = tasks[index]
            task.wave, task.phase = user.wave, user.phase
            del tasks[i]
            tasks.insert(index, task)
            for other, at in first_use.items():
                if at >= index:
                    first_use[other] = at + 1
            continue
        key = uses(task)
        if key is not None and key not in first_use:
            first_use[key] = i
