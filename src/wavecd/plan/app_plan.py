"""One Application's sync, as gitops-engine's `getSyncTasks` + `Sort` would lay it out.

Pure: the desired manifests, optionally the live objects the app tracks (for prunes), and the app's
options in; an `AppPlan` out. Hooks are included unless `skip_hooks` (Argo CD skips them for
partial and self-heal syncs). Hooks without a name sort by their `generateName`: the real name gets a
revision-and-time suffix only when the sync starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from wavecd.common import SyncPhase, api_group, sync_wave
from wavecd.core import Location
from wavecd.plan.annotations import annotations_of, describe
from wavecd.plan.errors import PlanError
from wavecd.plan.hooks import NOT_A_HOOK, HookInfo, hook_info
from wavecd.plan.options import SyncOptions, resource_sync_options
from wavecd.plan.order import sort_tasks
from wavecd.plan.task import Task, TaskOptions

ResourceKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class PlanOptions:
    """What besides the manifests decides the order: the app's options and destination namespace."""

    sync_options: SyncOptions = field(default_factory=SyncOptions)
    namespace: str = ""  # spec.destination.namespace: given to every target without one
    skip_hooks: bool = False
    app: str | None = None  # for error locations


@dataclass(frozen=True)
class Step:
    """One (phase, wave): gitops-engine applies exactly one step per `Sync()` call."""

    phase: str
    wave: int
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class AppPlan:
    """The ordered tasks of one sync. `tasks` excludes SyncFail hooks, which run only when a sync fails."""

    tasks: tuple[Task, ...]
    sync_fail: tuple[Task, ...]
    options: SyncOptions
    skipped: tuple[dict[str, Any], ...] = ()  # `hook: Skip`: tracked, never applied
    ignored: tuple[dict[str, Any], ...] = ()  # hooks of no usable type: dropped entirely

    def waves(self) -> list[Step]:
        """The tasks grouped by consecutive (phase, wave), in order."""
        return [
            Step(phase, wave, tuple(group))
            for (phase, wave), group in groupby(self.tasks, key=lambda t: (t.phase, t.wave))
        ]

    @property
    def multi_step(self) -> bool:
        """gitops-engine's `multiStep`: more than one (phase, wave), so resources are health-gated."""
        every = self.tasks + self.sync_fail
        if not every:
            return False
        first, last = every[0], every[-1]
        return (first.phase, first.wave) != (last.phase, last.wave)

    @property
    def hooks(self) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks + self.sync_fail if t.is_hook)

    @property
    def prunes(self) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks if t.is_prune)


def _identity(obj: dict[str, Any], where: Location | None) -> tuple[str, str, str, str]:
    """(group, kind, namespace, name) of a manifest, refusing shapes no API server would take."""
    if not isinstance(obj, dict):
        raise PlanError(f"a manifest must be a mapping, not {type(obj).__name__}", location=where)
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(kind, str) or not kind or not isinstance(api_version, str):
        raise PlanError(f"{describe(obj)} needs a string apiVersion and kind", location=where)
    metadata = obj.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise PlanError(f"metadata of {describe(obj)} must be a mapping", location=where)
    metadata = metadata or {}
    name = metadata.get("name") or metadata.get("generateName") or ""
    namespace = metadata.get("namespace") or ""
    if not isinstance(name, str) or not isinstance(namespace, str):
        raise PlanError(f"metadata.name and metadata.namespace of {describe(obj)} must be strings", location=where)
    return api_group(api_version), kind, namespace, name


def plan_app(
    manifests: Sequence[dict[str, Any]], *, options: PlanOptions | None = None, live: Sequence[dict[str, Any]] = ()
) -> AppPlan:
    """Order one app's sync: targets and hooks from `manifests`, prunes for `live` objects with no target."""
    options = options or PlanOptions()
    where = Location(app=options.app) if options.app else None
    app = options.sync_options
    live_by_key: dict[ResourceKey, dict[str, Any]] = {}
    for obj in live:
        live_by_key.setdefault(_identity(obj, where), obj)
    crd_kinds = crd_kinds_of(manifests)
    tasks: list[Task] = []
    skipped: list[dict[str, Any]] = []
    ignored: list[dict[str, Any]] = []
    target_keys: set[ResourceKey] = set()
    resource_namespaces: set[str] = set()
    for obj in manifests:
        group, kind, namespace, name = key = _identity(obj, where)
        annotations = annotations_of(obj, where)
        info = hook_info(annotations)
        if info.ignored:
            ignored.append(obj)
            continue
        if not info.is_hook:
            target_keys.add(key)
            if kind == "Namespace" and group == "":
                resource_namespaces.add(name)
        if info.skip:
            skipped.append(obj)
            continue
        if info.is_hook and options.skip_hooks:
            continue
        own_wave = sync_wave(annotations)
        res = resource_sync_options(annotations)
        live_obj = live_by_key.get(key)
        live_res = resource_sync_options(annotations_of(live_obj, where)) if live_obj else SyncOptions()
        task_options = TaskOptions(
            validate=app.validate and res.validate,
            server_side_apply=not res.disable_server_side_apply and (app.server_side_apply or res.server_side_apply),
            replace=app.replace or res.replace or live_res.replace,
            force=res.force or live_res.force,
            skip_dry_run=(
                app.skip_dry_run_on_missing_resource
                or res.skip_dry_run_on_missing_resource
                or f"{group}/{kind}" in crd_kinds
            ),
        )
        for phase in info.phases:
            tasks.append(
                Task(
                    phase=phase,
                    wave=own_wave,
                    own_wave=own_wave,
                    group=group,
                    kind=kind,
                    name=name,
                    namespace=namespace or options.namespace,
                    hook=info,
                    target=obj,
                    live=live_obj,
                    options=task_options,
                )
            )
    if app.create_namespace and options.namespace and options.namespace not in resource_namespaces:
        tasks.append(_namespace_task(options.namespace))
    tasks.extend(_prune_tasks(live_by_key, target_keys, app, where))
    _order_prunes(tasks, app)
    ordered = sort_tasks(tasks)
    return AppPlan(
        tasks=tuple(t for t in ordered if t.phase != SyncPhase.SYNC_FAIL),
        sync_fail=tuple(t for t in ordered if t.phase == SyncPhase.SYNC_FAIL),
        options=app,
        skipped=tuple(skipped),
        ignored=tuple(ignored),
    )


def crd_kinds_of(manifests: Sequence[dict[str, Any]]) -> frozenset[str]:
    """`group/kind` of every CRD in the sync: their custom resources skip the dry run automatically."""
    out = set()
    for obj in manifests:
        if isinstance(obj, dict) and obj.get("kind") == "CustomResourceDefinition":
            found_spec = obj.get("spec")
            spec = found_spec if isinstance(found_spec, dict) else {}
            found_names = spec.get("names")
            names = found_names if isinstance(found_names, dict) else {}
            if isinstance(spec.get("group"), str) and isinstance(names.get("kind"), str):
                out.add(f"{spec['group']}/{names['kind']}")
    return frozenset(out)


def _namespace_task(namespace: str) -> Task:
    """CreateNamespace=true: a PreSync task for the destination namespace when no manifest declares it."""
    obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
    return Task(
        phase=SyncPhase.PRE_SYNC,
        wave=0,
        own_wave=0,
        group="",
        kind="Namespace",
        name=namespace,
        namespace="",
        hook=NOT_A_HOOK,
        target=obj,
        auto_namespace=True,
    )


def _prune_tasks(
    live_by_key: dict[ResourceKey, dict[str, Any]],
    target_keys: set[ResourceKey],
    app: SyncOptions,
    where: Location | None,
) -> list[Task]:
    """Tracked live objects with no target; live hooks are never pruned."""
    out = []
    for key, obj in live_by_key.items():
        if key in target_keys:
            continue
        annotations = annotations_of(obj, where)
        info: HookInfo = hook_info(annotations)
        if info.is_hook or info.ignored:
            continue
        res = resource_sync_options(annotations)
        prune_value = res.prune if res.prune is not None else app.prune
        wave = sync_wave(annotations)
        group, kind, namespace, name = key
        out.append(
            Task(
                phase=SyncPhase.SYNC,
                wave=wave,
                own_wave=wave,
                group=group,
                kind=kind,
                name=name,
                namespace=namespace,
                hook=info,
                target=None,
                live=obj,
                options=TaskOptions(
                    prune_disabled=prune_value == "false",
                    prune_confirm=prune_value == "confirm",
                    prune_last=app.prune_last or res.prune_last,
                ),
            )
        )
    return out


def _order_prunes(tasks: list[Task], app: SyncOptions) -> None:
    """Prune waves mirrored (highest first), then PruneLast prunes after the last Sync-phase wave."""
    prunes = [t for t in tasks if t.is_prune]
    waves = sorted({t.wave for t in prunes})
    mirror = dict(zip(waves, reversed(waves), strict=True))
    for task in prunes:
        task.wave = mirror[task.wave]
    last = max([0, *(t.wave for t in tasks if t.phase == SyncPhase.SYNC)]) + 1
    for task in prunes:
        if task.options.prune_last:
            task.wave = last
