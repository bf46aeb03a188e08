"""The tree's rollout, a wavecd extension of Argo CD's app-of-apps (docs/sync.md, docs/plan.md).

wavecd syncs every Application itself, whatever its `syncPolicy`, in the plan's global order: the root
first, then tree wave by tree wave. The apps of one wave sync in parallel, each rendered when the wave
starts with the cluster's version and discovery (as Argo CD renders at sync time). No app of wave N+1
starts until every app of wave ≤ N is Healthy; a failed or Degraded app stops the rollout after its wave,
and nothing of a later wave is applied. Between waves the sync waits Argo CD's 2 s on its clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import Any

from wavecd.common import (
    APPLICATION,
    APPLICATION_SET,
    ARGO_GROUP,
    ARGOCD_NAMESPACE,
    NOT_STARTED,
    HealthStatus,
    OperationPhase,
    SyncStatus,
    worst_of,
)
from wavecd.core import Clock, Emit, WavecdError, internal_error
from wavecd.kube import KubeClient, KubeError
from wavecd.plan import ResourceSelector, Task, node_plan, select_resources
from wavecd.plan.app_plan import crd_kinds_of
from wavecd.sync.app_sync import AppJob, app_steps, sync_app
from wavecd.sync.app_tree import AppNodeView, TreePlanView, is_appset_root
from wavecd.sync.context import SyncContext, SyncStopped
from wavecd.sync.events import AppFinished, AppStarted, PlanReady, Resync, Summary, WaveFinished, WaveStarted
from wavecd.sync.inventory import KnownTracked, Tracked, inventory
from wavecd.sync.live import app_health, identity, managed_resources
from wavecd.sync.records import record, write_app_status, write_appset_status
from wavecd.sync.retry import NO_RETRY, retry_policy
from wavecd.sync.settings import (
    EXIT_FAILED,
    EXIT_HEALTHY,
    EXIT_INTERRUPTED,
    EXIT_TIMED_OUT,
    AppResult,
    ClusterFacts,
    Renderer,
    SyncResult,
    SyncSettings,
)
from wavecd.sync.tracking import instance_name
from wavecd.sync.watches import KindWatches


class _Tree:
    """What the rollout needs to know about the tree beyond the plan: the ApplicationSets the apps declare,
    and the CRDs and namespaces the whole tree creates (a dry run cannot create them)."""

    def __init__(self, plan: TreePlanView):
        self.plan = plan
        self.apps: dict[str, AppNodeView] = {node.name: node for node in plan.order}
        self.appsets: dict[str, tuple[dict[str, Any], str]] = {}  # name -> (manifest, declaring app)
        namespaces: set[str] = set()
        for node in plan.order:
            for obj in node.manifests:
                kind = obj.get("kind")
                meta = obj.get("metadata") or {}
                if kind == APPLICATION_SET and str(obj.get("apiVersion", "")).startswith(f"{ARGO_GROUP}/"):
                    self.appsets.setdefault(str(meta.get("name")), (obj, node.name))
                elif kind == "Namespace" and obj.get("apiVersion") == "v1":
                    namespaces.add(str(meta.get("name")))
            if (
                node.app is not None
                and node.destination is not None
                and node.destination.namespace
                and "CreateNamespace=true" in node.app.sync_policy.sync_options
            ):
                namespaces.add(node.destination.namespace)
        if is_appset_root(plan.root):  # a root ApplicationSet is declared by nobody: ROOT itself
            self.appsets[plan.root.name] = (plan.root.obj, "")
        self.crd_kinds = crd_kinds_of([obj for node in plan.order for obj in node.manifests])
        self.namespaces = frozenset(namespaces)

    def is_tree_object(self, task: Task) -> bool:
        """An Application or ApplicationSet the rollout records itself at its own wave, never as a step of the
        app that declares it."""
        return task.group == ARGO_GROUP and (
            (task.kind == APPLICATION and task.name in self.apps)
            or (task.kind == APPLICATION_SET and task.name in self.appsets)
        )


def tree_objects(plan: TreePlanView) -> Callable[[Task], bool]:
    """Whether a task is one the rollout applies at its own wave rather than as a step of its parent: the
    question `wavecd plan` must answer as the sync does."""
    return _Tree(plan).is_tree_object


class _Rollout:
    def __init__(
        self,
        plan: TreePlanView,
        render: Renderer,
        ctx: SyncContext,
        only: Collection[str] | None = None,
        resources: Mapping[str, Collection[ResourceSelector]] | None = None,
        known_tracked: KnownTracked | None = None,
    ):
        self.plan = plan
        self.resources = resources or {}
        # The apps this rollout syncs, in plan order: all of them, or the controller's selection.
        self.selected = [node for node in plan.order if only is None or node.name in only]
        self.tree = _Tree(plan)
        self.render = render
        self.ctx = ctx
        self.results: dict[str, AppResult] = {}
        self.recorded: set[str] = set()
        # app -> its Application as this rollout last wrote it, so its status is written without a read
        self.records: dict[str, dict[str, Any]] = {}
        self._record_lock = threading.Lock()
        self.inventory: Tracked | None = None
        self.known_tracked = known_tracked
        # name -> (the API versions it was rendered with, what that render gave)
        self.rendered: dict[str, tuple[tuple[str, ...], list[dict[str, Any]]]] = {}
        self.started: set[str] = set()
        self.current_wave: int | None = None
        self.version: str | None = None  # the server's, read once per rollout

    # -- facts and records ------------------------------------------------------------------------------------
    def facts(self, *, fresh: bool = False) -> ClusterFacts:
        """The cluster's version and API versions to render with. Discovery is read at the first call, then
        again only when a CRD or APIService was applied or deleted since (`fresh`: always), as Argo CD's
        cluster cache changes only when its watch on CRDs and APIServices says so; an unknown kind reads it
        again by itself."""
        client, ctx = self.ctx.client, self.ctx
        if fresh or ctx.discovery_stale:
            ctx.discovery_stale = False  # before the read: a change noted during it is read next time
            client.refresh_discovery()
        if self.version is None:
            self.version = client.server_version().git_version
        return ClusterFacts(self.version, tuple(client.api_versions()))

    def _record_appset(self, name: str) -> None:
        """Apply an ApplicationSet as the app that declares it does (a root one untracked), once."""
        with self._record_lock:
            if name in self.tree.appsets and name not in self.recorded:
                manifest, declared_by = self.tree.appsets[name]
                record(self.ctx, manifest, self.instance(declared_by) if declared_by else None)
                meta = manifest.get("metadata") or {}
                write_appset_status(self.ctx, name, str(meta.get("namespace") or ARGOCD_NAMESPACE))
                self.recorded.add(name)

    def _record(self, node: AppNodeView) -> None:
        """Apply an app's Application as its parent declares it; a generated app's ApplicationSet first."""
        if node.source == "generated" and node.parent is not None:
            self._record_appset(node.parent)
        tracked_by = None if node.source == "generated" or node.parent is None else self.instance(node.parent)
        self._remember(node.name, record(self.ctx, node.obj, tracked_by))

    def _remember(self, name: str, obj: dict[str, Any] | None) -> None:
        with self._record_lock:
            if obj is None:
                self.records.pop(name, None)
            else:
                self.records[name] = obj

    def write_status(self, node: AppNodeView, result: AppResult, phase: str | None = None) -> None:
        """Record how the app's sync ended on its Application."""
        written = write_app_status(
            self.ctx,
            node.name,
            node.namespace or ARGOCD_NAMESPACE,
            result,
            _revision(node),
            phase=phase,
            known=self.records.get(node.name),
        )
        self._remember(node.name, written)

    def instance(self, name: str) -> str:
        """The app's name in tracking annotations: `<namespace>_<name>` outside the control-plane namespace."""
        node = self.tree.apps.get(name)
        return instance_name(name, node.namespace if node is not None else "")

    # -- one app ------------------------------------------------------------------------------------------------
    def _job(self, node: AppNodeView, wave: int | None, manifests: list[dict[str, Any]]) -> AppJob:
        app = node.app
        assert app is not None  # sync_one reports a node that is not an Application before it makes a job
        automated = app.sync_policy.automated or {}
        settings = self.ctx.settings
        prune = settings.prune or (settings.prune_from_policy and automated.get("prune") is True)
        instance = self.instance(node.name)
        live = self.inventory(instance) if self.inventory is not None else []
        app_plan = node_plan(node, manifests, live)
        if self.resources.get(node.name):
            app_plan = select_resources(app_plan, self.resources[node.name])
        excluded = {t.key for t in app_plan.tasks if self.tree.is_tree_object(t)}
        return AppJob(
            name=node.name,
            wave=wave,
            plan=app_plan,
            instance=instance,
            namespace=node.destination.namespace if node.destination else "",
            prune=prune,
            # A dry run changes nothing on the cluster, so trying it again cannot succeed where it failed.
            retry=retry_policy(app.sync_policy.retry, automated=app.sync_policy.automated is not None)
            if settings.retry_apps and not settings.dry_run
            else NO_RETRY,
            app_object=(node.namespace or ARGOCD_NAMESPACE, node.name),
            excluded=excluded,
            revision=_revision(node),
        )

    def sync_one(self, node: AppNodeView, wave: int | None, facts: ClusterFacts) -> AppResult:
        ctx = self.ctx
        started = ctx.clock.now()
        self.started.add(node.name)
        if node is self.plan.root and not node.error and is_appset_root(node):
            # The root ApplicationSet has nothing of its own to apply: recorded, it stands for the apps it generates.
            self._record_appset(node.name)
            return AppResult(node.name, None, HealthStatus.HEALTHY.value, SyncStatus.SYNCED, "")
        try:
            if node.error or node.app is None:
                raise WavecdError(node.error or "not an Application")
            self._record(node)
            manifests = self.render(node.name, facts)
            self.rendered[node.name] = (facts.api_versions, manifests)
            job = self._job(node, wave, manifests)
        except KubeError as err:
            result = AppResult(node.name, wave, HealthStatus.UNKNOWN.value, SyncStatus.FAILED, err.message)
        except WavecdError as err:
            result = AppResult(node.name, wave, HealthStatus.UNKNOWN.value, SyncStatus.FAILED, err.render())
        else:
            ctx.emit(AppStarted(app=node.name, wave=wave, resources=len(manifests), steps=len(app_steps(job))))
            result = sync_app(ctx, job)
        if wave is not None:
            self.finish(node, result, started)
        return result

    def finish(self, node: AppNodeView, result: AppResult, started: float) -> None:
        if node.app is not None:
            self.write_status(node, result)
        self.results[node.name] = result
        self.ctx.emit(
            AppFinished(
                app=node.name,
                wave=result.wave,
                health=result.health,
                sync=result.sync,
                message=result.message or None,
                blocking=result.blocking,
                seconds=round(self.ctx.clock.now() - started, 3),
            )
        )

    # -- the waves ------------------------------------------------------------------------------------------------
    def run_wave(self, wave: int, apps: Sequence[AppNodeView], pool: ThreadPoolExecutor) -> list[AppResult]:
        ctx = self.ctx
        started = ctx.clock.now()
        self.current_wave = wave
        ctx.emit(WaveStarted(wave=wave, apps=[a.name for a in apps]))
        facts = self.facts()
        futures = [pool.submit(self.sync_one, app, wave, facts) for app in apps]
        results = _gather(futures, ctx)
        ctx.emit(WaveFinished(wave=wave, health=_health_of(results), seconds=round(ctx.clock.now() - started, 3)))
        return results

    def changed_since_rendered(self) -> list[tuple[AppNodeView, int | None, str]]:
        """Apps that render differently with the cluster's API versions now than when their wave started.

        A chart that checks `.Capabilities.APIVersions` for a kind a later wave installs (the example's
        istiod-monitoring and its monitors) leaves its app OutOfSync after the first pass; Argo CD's next
        refresh and automated sync would catch up, so wavecd does it before it reports.
        """
        facts = self.facts(fresh=True)  # what operators, not this sync, made the API serve counts too
        out = []
        for node in self.plan.order:
            before = self.rendered.get(node.name)
            if before is None or before[0] == facts.api_versions:
                continue
            try:
                now = self.render(node.name, facts)
            except WavecdError:
                continue
            if now != before[1]:
                added = sorted(set(facts.api_versions) - set(before[0]))
                reason = "the cluster now serves " + ", ".join(added[:3]) + (" …" if len(added) > 3 else "")
                out.append((node, self.plan.wave_of(node.name), reason))
        return out

    def ensure_inventory(self) -> None:
        """List the tracked objects once, before the first app syncs (those of the kinds `known_tracked`
        holds are read from it as each app syncs): with --prune they are deleted, without it they leave their
        app OutOfSync. Prune candidates are what apps tracked before they sync (objects created since are
        targets), so one listing serves the whole rollout."""
        if self.inventory is None:
            self.inventory = self.ctx.inventory = inventory(self.ctx.client, self.known_tracked)


def _revision(node: AppNodeView) -> str:
    revisions = [r for r in node.revisions if r]
    return revisions[0] if revisions else ""


def _gather(futures: list[Future[AppResult]], ctx: SyncContext) -> list[AppResult]:
    """Wait for every app of a wave; Ctrl-C in the waiting thread tells the apps to stop."""
    pending = set(futures)
    try:
        while pending:
            _, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
    except KeyboardInterrupt:
        ctx.cancel.set()
        wait(futures)
    return [f.result() for f in futures]


def _failed(result: AppResult) -> bool:
    return result.sync == SyncStatus.FAILED or result.health != HealthStatus.HEALTHY.value


def sync_tree(
    plan: TreePlanView,
    client: KubeClient,
    render: Renderer,
    *,
    settings: SyncSettings,
    clock: Clock,
    emit: Emit,
    cancel: threading.Event | None = None,
    only: Collection[str] | None = None,
    resources: Mapping[str, Collection[ResourceSelector]] | None = None,
    known_tracked: KnownTracked | None = None,
) -> SyncResult:
    """Roll the tree out; every event goes to `emit`, the last one a `Summary`.

    `only` names the apps to sync (the controller's auto-sync of what changed): they go in the tree's order,
    wave by wave with the same health gates, and the root only if it is named; None syncs every app.
    `resources` narrows an app's sync to the named resources (a selective sync: no hooks run).
    `known_tracked` holds the tracked objects of some kinds already (the controller's cluster cache): only
    the other kinds are listed for prune candidates."""
    ctx = SyncContext(client, clock, settings, emit, cancel or threading.Event())
    if settings.watch_health and not settings.dry_run:
        ctx.watches = KindWatches(client)
    try:
        return _sync(plan, ctx, render, only, resources, known_tracked)
    finally:
        if ctx.watches is not None:
            ctx.watches.stop()


def _sync(
    plan: TreePlanView,
    ctx: SyncContext,
    render: Renderer,
    only: Collection[str] | None,
    resources: Mapping[str, Collection[ResourceSelector]] | None,
    known_tracked: KnownTracked | None,
) -> SyncResult:
    client, clock, settings = ctx.client, ctx.clock, ctx.settings
    rollout = _Rollout(plan, render, ctx, only, resources, known_tracked)
    chosen = {node.name for node in rollout.selected}
    waves = [(w.wave, [a for a in w.apps if a.name in chosen]) for w in plan.waves]
    waves = [(wave, apps) for wave, apps in waves if apps]
    ctx.planned_crd_kinds = rollout.tree.crd_kinds
    ctx.planned_namespaces = rollout.tree.namespaces
    try:
        version = rollout.facts().kube_version  # discovery read once, before the inventory lists by it
    except KubeError as err:
        # The cluster could not be asked: nothing is known about any app's health.
        return _summarise(
            ctx, rollout, OperationPhase.FAILED, err.message, stopped_at=None, blocking=None, unreachable=True
        )
    ctx.emit(
        PlanReady(
            root=plan.root.name,
            waves=[{"wave": wave, "apps": [a.name for a in apps]} for wave, apps in waves],
            server=client.server,
            kube_version=version,
            dry_run=settings.dry_run,
        )
    )
    stop_phase, message, stopped_at, blocking = OperationPhase.SUCCEEDED, "", None, None
    root: AppResult | None = None
    root_started = clock.now()
    with ThreadPoolExecutor(max(1, settings.parallel_apps), thread_name_prefix="wavecd-sync") as pool:
        try:
            rollout.ensure_inventory()
            if plan.root.name in chosen:
                root = _gather([pool.submit(rollout.sync_one, plan.root, None, rollout.facts())], ctx)[0]
                if _failed(root) and not settings.dry_run:
                    raise _Stop(root, None)
            for index, (wave, apps) in enumerate(waves):
                ctx.checkpoint()
                results = rollout.run_wave(wave, apps, pool)
                bad = [r for r in results if _failed(r) and not (settings.dry_run and r.sync != SyncStatus.FAILED)]
                if bad:
                    raise _Stop(bad[0], wave)
                if index < len(waves) - 1 and not settings.dry_run:
                    ctx.sleep(settings.wave_delay)
            if not settings.dry_run:
                _catch_up(rollout, pool)
        except _Stop as stop:
            stop_phase, message, stopped_at, blocking = (
                OperationPhase.FAILED,
                _stop_message(stop),
                stop.wave,
                stop.result.blocking,
            )
            rollout.results.setdefault(stop.result.app, stop.result)
        except SyncStopped as stopped:
            stop_phase, stopped_at = stopped.reason, rollout.current_wave
            blocking = next((dict(b[0], app=app) for app, b in ctx.waiting.items() if b), None)
            message = "timed out" if stopped.reason == OperationPhase.TIMED_OUT else "interrupted"
            if blocking is not None:
                message += " waiting on " + _describe_blocker(blocking)
        except KubeError as err:
            stop_phase, message = OperationPhase.FAILED, err.message
        except Exception as err:  # a wavecd bug must still end with a summary, not a traceback
            stop_phase = OperationPhase.FAILED
            message = internal_error(err)
    if root is not None and stop_phase in (OperationPhase.SUCCEEDED, OperationPhase.FAILED):
        _finish_root(rollout, root, root_started, rolled_out=stop_phase == OperationPhase.SUCCEEDED)
    elif stop_phase in (OperationPhase.TIMED_OUT, OperationPhase.INTERRUPTED):
        _mark_terminated(rollout, message)
    return _summarise(ctx, rollout, stop_phase, message, stopped_at=stopped_at, blocking=blocking)


def _mark_terminated(rollout: _Rollout, message: str) -> None:
    """Apps caught mid-sync (the root included) record the stop, as Argo CD's Terminated operation does, so
    the cluster does not keep claiming the previous sync's Healthy/Synced."""
    for name in sorted(rollout.started - set(rollout.results)):
        node = rollout.tree.apps.get(name)
        if node is None or node.app is None:
            continue
        result = AppResult(
            name, rollout.plan.wave_of(name), HealthStatus.PROGRESSING.value, SyncStatus.OUT_OF_SYNC, message
        )
        try:
            rollout.write_status(node, result, phase=OperationPhase.TERMINATED)
        except KubeError:
            continue


def _describe_blocker(blocker: dict[str, str]) -> str:
    """`Deployment ns/name (Progressing: message)`."""
    where = f"{blocker['namespace']}/" if blocker.get("namespace") else ""
    detail = f": {blocker['message']}" if blocker.get("message") else ""
    return f"{blocker['kind']} {where}{blocker['name']} ({blocker['health']}{detail})"


def _finish_root(rollout: _Rollout, root: AppResult, started: float, *, rolled_out: bool) -> None:
    """The root's final report: its health once the children reported theirs; OutOfSync when the rollout
    stopped before every child was applied."""
    node = rollout.plan.root
    if _failed(root) and rollout.results.get(node.name) is root:
        rollout.results.pop(node.name)
        rollout.finish(node, root, started)
        return
    try:
        result = _root_result(rollout, root)
    except KubeError as err:
        result = AppResult(node.name, None, HealthStatus.UNKNOWN.value, root.sync, err.message)
    if not rolled_out:
        result = AppResult(
            node.name, None, result.health, SyncStatus.OUT_OF_SYNC, "the rollout stopped before every app synced"
        )
    rollout.finish(node, result, started)


def _catch_up(rollout: _Rollout, pool: ThreadPoolExecutor) -> None:
    """Sync once more, in tree order, every app whose render changed since its wave: what it renders now
    depends on kinds that later waves installed."""
    ctx = rollout.ctx
    for node, wave, reason in rollout.changed_since_rendered():
        ctx.emit(Resync(app=node.name, wave=wave, reason=reason))
        facts = rollout.facts()
        result = _gather([pool.submit(rollout.sync_one, node, wave, facts)], ctx)[0]
        if _failed(result):
            raise _Stop(result, wave)


class _Stop(Exception):
    def __init__(self, result: AppResult, wave: int | None):
        super().__init__(result.message)
        self.result = result
        self.wave = wave


def _stop_message(stop: _Stop) -> str:
    where = f"wave {stop.wave}" if stop.wave is not None else "the root app"
    return f"{stop.result.app} ({where}): {stop.result.message}"


def _health_of(results: Collection[AppResult]) -> str:
    """The one rule behind every health the report shows for more than one app (a wave, the root, the tree):
    the worst of the apps' own rows, by Argo CD's ranking; Healthy when there are none."""
    return worst_of(r.health for r in results)


def _root_result(rollout: _Rollout, root: AppResult) -> AppResult:
    """The root's health once its children report theirs: the worst of its own resources (the Applications it
    declares among them) and of every app row the rollout reached, so that an app whose Application was never
    recorded (it did not render) counts too and the root's row agrees with the tree's health."""
    ctx = rollout.ctx
    node = rollout.plan.root
    reached = [r for name, r in rollout.results.items() if name != node.name]
    if ctx.dry_run:
        own, message = root.health, root.message
    else:
        targets = [obj for obj in node.manifests if isinstance(obj, dict)]
        namespace = node.destination.namespace if node.destination else ""
        # The Applications this rollout wrote are read as it wrote them (wavecd is their only writer).
        known = {identity(obj): obj for obj in rollout.records.values()}
        health = app_health(
            managed_resources(ctx.client, targets, namespace, known=known),
            app=(node.namespace or ARGOCD_NAMESPACE, node.name),
        ).health
        own, message = health.status.value, health.message
    worst = worst_of([own, *(r.health for r in reached)])
    if worst != own:
        message = next(f"{r.app}: {r.message}" if r.message else r.app for r in reached if r.health == worst)
    return AppResult(node.name, None, worst, root.sync, message)


def _summarise(
    ctx: SyncContext,
    rollout: _Rollout,
    phase: str,
    message: str,
    *,
    stopped_at: int | None,
    blocking: dict[str, str] | None,
    unreachable: bool = False,
) -> SyncResult:
    counts: dict[str, int] = {}
    for node in rollout.selected:
        result = rollout.results.get(node.name)
        if result is not None:
            key = result.health
        else:  # stopped mid-sync: the app was on its way
            key = HealthStatus.PROGRESSING.value if node.name in rollout.started else NOT_STARTED
        counts[key] = counts.get(key, 0) + 1
    reached = list(rollout.results.values())
    if phase == OperationPhase.SUCCEEDED:
        health = _health_of(reached)
        # A dry run creates nothing, so apps are rarely Healthy: it passes when the server accepted everything.
        exit_code = EXIT_HEALTHY if health == HealthStatus.HEALTHY.value or ctx.dry_run else EXIT_FAILED
        if not message:
            message = "dry run: the server accepted every object" if ctx.dry_run else "every app is Healthy"
    elif phase == OperationPhase.TIMED_OUT:
        # apps caught mid-sync are counted Progressing, and so is the tree
        health, exit_code = worst_of([_health_of(reached), HealthStatus.PROGRESSING.value]), EXIT_TIMED_OUT
    elif phase == OperationPhase.INTERRUPTED:
        health, exit_code = worst_of([_health_of(reached), HealthStatus.PROGRESSING.value]), EXIT_INTERRUPTED
    else:
        # Nothing reached (the cluster did not answer, or the root failed to start): nothing is known.
        unknown = unreachable or not reached
        health, exit_code = HealthStatus.UNKNOWN.value if unknown else _health_of(reached), EXIT_FAILED
    ctx.emit(
        Summary(
            health=health,
            phase=phase,
            message=message,
            seconds=ctx.elapsed(),
            apps=counts,
            stopped_at=stopped_at,
            blocking=blocking,
            dry_run=ctx.dry_run,
            exit_code=exit_code,
        )
    )
    return SyncResult(
        health=health,
        phase=phase,
        exit_code=exit_code,
        message=message,
        apps=dict(rollout.results),
        stopped_at=stopped_at,
        blocking=blocking,
    )
