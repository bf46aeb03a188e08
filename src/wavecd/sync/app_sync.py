"""One app's sync: its plan's steps (phase, wave) applied in order, each gated on health, as gitops-engine
runs them — prunes first, BeforeHookCreation deletions, then applies; hooks wait for completion and are
deleted by their policies; a failure runs the SyncFail hooks; the app's retry policy may try again.

Unlike Argo CD, the last step is health-gated too: the tree's gate needs every app Healthy before the next
wave starts.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from wavecd.common import HealthStatus, HookDeletePolicy, SyncPhase, SyncStatus
from wavecd.kube import KubeError
from wavecd.kube.client import Propagation
from wavecd.plan import AppPlan, Step, Task
from wavecd.sync.apply import ApplyFailed, apply_task, delete_propagation, preflight, prune_task
from wavecd.sync.context import SyncContext
from wavecd.sync.events import HookDeleted, Retrying
from wavecd.sync.gate import GateFailure, Watched, wait_healthy
from wavecd.sync.live import app_health, identity, managed_resources
from wavecd.sync.retry import RetryPolicy
from wavecd.sync.settings import AppResult

ResourceKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class AppJob:
    """One app to sync. `excluded` are keys of tasks the tree applies itself (child Applications and
    ApplicationSets, recorded when their own wave starts)."""

    name: str
    wave: int | None
    plan: AppPlan
    instance: str
    namespace: str  # destination namespace
    prune: bool
    retry: RetryPolicy | None = None
    app_object: tuple[str, str] | None = None  # (namespace, name) of its Application, never judged by itself
    excluded: Collection[ResourceKey] = ()
    revision: str = ""  # what hooks with only a generateName are named after


@dataclass
class _Outcome:
    """What the steps of one attempt leave behind: whether prunes were skipped (OutOfSync), and the hooks
    that ran, deleted by their policy only when the whole sync has succeeded or failed (as gitops-engine)."""

    prune_skipped: bool = False
    hooks: list[tuple[Task, Watched]] = field(default_factory=list)
    hook_stamp: tuple[str, int] | None = None  # (revision, start in Unix seconds) for generated hook names
    # identity -> the object as the gate (or its apply) last saw it, for the final health
    known: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    # (phase, task key) -> the pre-flight dry run's answer, which tells the apply's result without a read
    previews: dict[tuple[str, ResourceKey], dict[str, Any]] = field(default_factory=dict)


def app_steps(job: AppJob) -> list[Step]:
    """The plan's steps without the tasks the tree applies itself (child Applications, ApplicationSets)."""
    steps = []
    for step in job.plan.waves():
        tasks = tuple(t for t in step.tasks if t.key not in job.excluded)
        if tasks:
            steps.append(Step(step.phase, step.wave, tasks))
    return steps


def _propagation(job: AppJob) -> Propagation:
    return delete_propagation(job.plan.options.prune_propagation_policy)


def _delete_hooks(ctx: SyncContext, job: AppJob, hooks: list[tuple[Task, Watched]], policy: str) -> None:
    """Delete the hooks whose delete policy names `policy`, and wait until they are gone."""
    gone = []
    for task, watched in hooks:
        if policy not in task.delete_policies:
            continue
        try:
            deleted = ctx.client.delete(
                watched.api_version,
                watched.kind,
                watched.name,
                watched.namespace or None,
                propagation=_propagation(job),
            )
        except KubeError:
            continue
        if deleted:
            gone.append(Watched(watched.api_version, watched.kind, watched.namespace, watched.name, gone=True))
            ctx.emit(
                HookDeleted(
                    app=job.name,
                    wave=job.wave,
                    resource_wave=task.wave,
                    kind=task.kind,
                    namespace=watched.namespace,
                    resource=watched.name,
                    policy=policy,
                )
            )
    if gone:
        wait_healthy(ctx, gone, app=job.name, wave=job.wave, resource_wave=None)


def _before_hook_creation(ctx: SyncContext, job: AppJob, step: Step, outcome: _Outcome) -> None:
    """A named hook from an earlier sync is deleted (and gone) before it is created again: its apply then
    creates it, whatever the pre-flight found."""
    gone = []
    for task in step.tasks:
        if not task.is_hook or not task.name or HookDeletePolicy.BEFORE_HOOK_CREATION not in task.delete_policies:
            continue
        if not ((task.target or {}).get("metadata") or {}).get("name"):
            continue
        api_version = str(task.obj.get("apiVersion"))
        try:
            namespace = task.namespace if ctx.client.is_namespaced(api_version, task.kind) else ""
            if ctx.client.delete(api_version, task.kind, task.name, namespace or None, propagation=_propagation(job)):
                outcome.previews.pop((task.phase, task.key), None)
                gone.append(Watched(api_version, task.kind, namespace, task.name, gone=True))
                ctx.emit(
                    HookDeleted(
                        app=job.name,
                        wave=job.wave,
                        resource_wave=task.wave,
                        kind=task.kind,
                        namespace=namespace,
                        resource=task.name,
                        policy=HookDeletePolicy.BEFORE_HOOK_CREATION,
                    )
                )
        except KubeError:
            continue
    if gone:
        wait_healthy(ctx, gone, app=job.name, wave=job.wave, resource_wave=step.wave)


def _run_step(ctx: SyncContext, job: AppJob, step: Step, outcome: _Outcome, *, final: bool) -> GateFailure | None:
    """Prunes, BeforeHookCreation, applies; then (unless it is the last step) Argo CD's pause so controllers
    can write status; then the health gate."""
    watched: list[Watched] = []
    resources: list[tuple[ResourceKey, Watched]] = []  # the step's resources (not hooks) and their items
    propagation = job.plan.options.prune_propagation_policy
    out_of_sync_only = job.plan.options.apply_out_of_sync_only
    try:
        for task in step.tasks:
            if task.is_prune:
                item, kept = prune_task(
                    ctx,
                    task,
                    app=job.name,
                    wave=job.wave,
                    allowed=job.prune,
                    instance=job.instance,
                    propagation=propagation,
                )
                outcome.prune_skipped |= kept
                if item is not None:
                    watched.append(item)
        if not ctx.dry_run:
            _before_hook_creation(ctx, job, step, outcome)
        for task in step.tasks:
            if task.is_prune:
                continue
            ctx.checkpoint()
            item = apply_task(
                ctx,
                task,
                app=job.name,
                wave=job.wave,
                instance=job.instance,
                default_namespace=job.namespace,
                out_of_sync_only=out_of_sync_only,
                preview=outcome.previews.get((task.phase, task.key)),
                hook_stamp=outcome.hook_stamp,
            )
            if item is not None:
                watched.append(item)
                if task.is_hook:
                    outcome.hooks.append((task, item))
                elif item.seen is not None and task.target is not None:
                    resources.append((identity(task.target, job.namespace), item))
    except ApplyFailed as err:
        return GateFailure(err.blocking, err.message)
    if ctx.dry_run:
        return None
    if not final:
        ctx.sleep(ctx.settings.wave_delay)
    last: dict[Watched, dict[str, Any]] = {}
    failure = wait_healthy(ctx, watched, app=job.name, wave=job.wave, resource_wave=step.wave, last=last)
    for key, item in resources:
        outcome.known[key] = last.get(item, item.seen or {})
    return failure


def _run_sync_fail(ctx: SyncContext, job: AppJob) -> str:
    """Apply the SyncFail hooks after a failure and wait for them; a note for the app's message."""
    if not job.plan.sync_fail or ctx.dry_run:
        return ""
    step = Step(SyncPhase.SYNC_FAIL, job.plan.sync_fail[0].wave, job.plan.sync_fail)
    outcome = _Outcome(hook_stamp=(job.revision, int(time.time())))
    failure = _run_step(ctx, job, step, outcome, final=True)
    _delete_hooks(ctx, job, outcome.hooks, HookDeletePolicy.HOOK_FAILED if failure else HookDeletePolicy.HOOK_SUCCEEDED)
    return "; one or more SyncFail hooks failed" if failure else ""


def _preflight(ctx: SyncContext, job: AppJob, steps: list[Step], outcome: _Outcome) -> GateFailure | None:
    """Dry-run every task before the first apply; the first refusal fails the app with nothing changed."""
    if ctx.dry_run:
        return None
    own_namespaces = frozenset(
        t.name for step in steps for t in step.tasks if t.kind == "Namespace" and t.group == "" and not t.is_prune
    )
    for step in steps:
        for task in step.tasks:
            ctx.checkpoint()
            try:
                preview = preflight(
                    ctx,
                    task,
                    instance=job.instance,
                    default_namespace=job.namespace,
                    own_namespaces=own_namespaces,
                    hook_stamp=outcome.hook_stamp,
                )
            except ApplyFailed as refused:
                return GateFailure(refused.blocking, refused.message)
            if preview is not None:
                outcome.previews[(task.phase, task.key)] = preview
    return None


def _failed(job: AppJob, failure: GateFailure, note: str = "") -> AppResult:
    health = failure.blocking.get("health") or HealthStatus.DEGRADED.value
    if health not in (HealthStatus.DEGRADED.value, HealthStatus.UNKNOWN.value):
        health = HealthStatus.DEGRADED.value
    return AppResult(job.name, job.wave, health, SyncStatus.FAILED, failure.message + note, failure.blocking)


def _attempt(ctx: SyncContext, job: AppJob) -> AppResult:
    outcome = _Outcome(hook_stamp=(job.revision, int(time.time())))
    steps = app_steps(job)
    refused = _preflight(ctx, job, steps, outcome)
    if refused is not None:
        return _failed(job, refused)
    for index, step in enumerate(steps):
        failure = _run_step(ctx, job, step, outcome, final=index == len(steps) - 1)
        if failure is not None:
            _delete_hooks(ctx, job, outcome.hooks, HookDeletePolicy.HOOK_FAILED)
            return _failed(job, failure, _run_sync_fail(ctx, job))
    _delete_hooks(ctx, job, outcome.hooks, HookDeletePolicy.HOOK_SUCCEEDED)
    targets = [
        t.target
        for t in job.plan.tasks
        if t.target is not None and not t.is_hook and not t.auto_namespace and t.key not in job.excluded
    ]
    resources = managed_resources(ctx.client, targets, job.namespace, known=outcome.known)
    health = app_health(resources, app=job.app_object).health
    sync = SyncStatus.OUT_OF_SYNC if outcome.prune_skipped else SyncStatus.SYNCED
    if ctx.dry_run:
        changes = ctx.would_change.get(job.name, 0)
        if changes:
            return AppResult(
                job.name,
                job.wave,
                health.status.value,
                SyncStatus.OUT_OF_SYNC,
                f"dry run: {changes} object{'s' if changes != 1 else ''} would be created or changed",
            )
        return AppResult(job.name, job.wave, health.status.value, sync, "dry run")
    return AppResult(job.name, job.wave, health.status.value, sync, health.message)


def sync_app(ctx: SyncContext, job: AppJob) -> AppResult:
    """Sync one app, retrying by its policy; SyncStopped (timeout, Ctrl-C) passes through."""
    retries = 0
    while True:
        result = _attempt(ctx, job)
        if result.sync != SyncStatus.FAILED or job.retry is None or not job.retry.allows(retries):
            return result
        retries += 1
        delay = job.retry.wait(retries)
        ctx.emit(Retrying(app=job.name, wave=job.wave, attempt=retries, delay=delay, message=result.message))
        ctx.sleep(delay)
