"""The controller: the tree kept reconciled, apps auto-synced and self-healed, operations run.

These threads share one `TreeState` (the last walk) under one lock:
- the **worker** takes coalesced batches from the `RefreshQueue`: walks the tree again when a repository
  may have moved, reconciles the apps that changed or were asked for, writes their `status` when it
  changed, and records an auto-sync `operation` on each app that needs one;
- the **poller** re-resolves every tracked git revision each `--poll` (with jitter) and asks for a walk
  when one moved (a working-tree repository is walked every time: it has no commit to compare);
- the **operation loop** hands the operations recorded on Applications to the `OperationRunner`, which runs
  them in up to `--operation-processors` rollouts at once (a thread each), each in the tree's waves with its
  health gates; an app of a later wave than one still syncing waits for it.
Live state comes from the `ClusterCache` (watches): a change to an object an app tracks asks for that
app's reconcile, which is how drift (someone's `kubectl scale`) is seen without re-listing anything.
"""

from __future__ import annotations

import copy
import datetime
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from wavecd.apps.node import AppNode
from wavecd.apps.session import TreeRequest
from wavecd.common import (
    APPLICATION,
    APPLICATION_SET,
    ARGO_API_VERSION,
    REFRESH,
    SKIP_RECONCILE,
    SyncStatus,
    api_group,
    kube_now,
)
from wavecd.core import Clock, Event, WavecdError, internal_error
from wavecd.kube import ConflictError, KubeClient, KubeError
from wavecd.server import app_fields, app_views, autosync
from wavecd.server.appsets import reconcile_appset
from wavecd.server.cluster_cache import ClusterCache
from wavecd.server.crd_events import ServedKinds
from wavecd.server.deletion import finalize_application_deletion
from wavecd.server.errors import FailedPrecondition, NotFound
from wavecd.server.failure_backoff import FailureBackoff
from wavecd.server.operation_runner import OperationRunner, PendingOperation
from wavecd.server.operation_state import (
    ANOTHER_OPERATION,
    rollback_operation,
    sync_operation_from_request,
    terminate,
)
from wavecd.server.reconcile import Reconciled, application_status, failed_reconcile, reconcile_app
from wavecd.server.refresh_queue import Batch, RefreshQueue
from wavecd.server.remembering_client import RememberingClient
from wavecd.server.settings import ServeSettings
from wavecd.server.sharding import skips_reconcile
from wavecd.server.tree_state import (
    TreeState,
    changed_apps,
    content_fingerprint,
    revisions_moved,
    source_summaries,
    walk,
)
from wavecd.server.view import AppEntry, ApplicationEvent, AppRead, ManagedResource, ResourceNode, SyncRequest
from wavecd.server.view_cache import ViewCache
from wavecd.server.webhook import shown_apps
from wavecd.sync.compare import EXTRA, DryRunMemo
from wavecd.sync.events import AppFinished, Summary
from wavecd.sync.records import apply_record
from wavecd.sync.settings import ClusterFacts
from wavecd.sync.status import cluster_facts
from wavecd.sync.tracking import instance_name

__all__ = ["Controller"]

Log = Callable[[str], None]
# How often a refresh asked of another replica reads whether it is done (Argo CD's API server watches instead).
_REFRESH_POLL = 0.2
# How many times a termination reads the Application again after a conflicting write (Argo CD's count).
_TERMINATE_TRIES = 10
# The operation loop's key in the failure backoff (apps are keyed by their names).
_OPERATIONS = "operations"
_CRD, _CRD_GROUP = "CustomResourceDefinition", "apiextensions.k8s.io"


class Controller:
    """Construct, `start()`, and `stop()` at the end. Reads are served from the last walk and the cache."""

    def __init__(
        self,
        request: TreeRequest,
        client: KubeClient,
        settings: ServeSettings,
        *,
        clock: Clock,
        log: Log,
        owns: Callable[[str, str], bool] = lambda _name, _namespace: True,
        holds_lease: Callable[[], bool] = lambda: True,
    ):
        self.request = request
        self.client = client
        self.settings = settings
        self.clock = clock
        self.log = log
        self.owns = owns
        # Checked before each round of writes besides the elector's callbacks: a leader whose renewals stopped
        # (a hung request) must stop writing before its Lease can pass to another replica.
        self.holds_lease = holds_lease
        self.queue = RefreshQueue()
        self.cache = ClusterCache(client, on_change=self._on_cluster_change)
        self._lock = threading.RLock()
        self._state: TreeState | None = None
        self._reconciled: dict[str, Reconciled] = {}
        self._rounds = threading.Condition(self._lock)
        self._round = 0
        self._reconciled_in: dict[str, int] = {}
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []
        self._subscribers: list[Callable[[ApplicationEvent], None]] = []
        self._facts: ClusterFacts | None = None
        # Set by a CustomResourceDefinition's event: the next walk reads discovery again before it renders.
        self._kinds_moved = threading.Event()
        self._served_kinds = ServedKinds()  # which CRD events change what the cluster serves
        self._operations_due = threading.Event()
        self._operations_at: float | None = None  # monotonic time the operation loop must run again by
        # (namespace, name) of the operations written since the operation loop last looked: the watch may not
        # have brought them to the cache yet when the loop wakes for them
        self._written_operations: set[tuple[str, str]] = set()
        self._refresh_due: dict[str, float] = {}  # app -> monotonic time to reconcile it again
        self._had_operation: set[str] = set()  # apps whose Application carried an operation when last seen
        self._health_seen: dict[str, str] = {}  # app -> the health its Application showed when last seen
        self._revisions: dict[str, tuple[str, tuple[str, ...]]] = {}  # app -> (render fingerprint, revisions)
        self._leading = threading.Event()
        self._dry_runs = DryRunMemo()  # cleared by a hard refresh, which trusts nothing remembered
        self._backoff = FailureBackoff(settings.retry_delay, settings.retry_max_delay)
        self._views = ViewCache()  # the comparisons made on request for apps this replica does not reconcile
        self.runner = OperationRunner(
            RememberingClient(client, self._dry_runs),
            settings.sync,
            clock=clock,
            emit=self._on_sync_event,
            log=log,
            wake_after=self._operations_due_in,
            known_tracked=self.cache.known_tracked,
            finished=self._operation_finished,
            idle=self._operations_due.set,
            processors=settings.operation_processors,
        )

    # -- life ------------------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Walk the tree, start watching what it tracks, and start the loops. A tree that cannot be walked
        at all (ROOT unreadable) raises here, before anything runs."""
        started = time.perf_counter()
        state = walk(self.request, cluster=self._walk_facts())
        self._log_walk(state, len(state.nodes), time.perf_counter() - started)
        with self._lock:
            self._state = state
        self.cache.ensure_kinds(self._kinds(state))
        self.cache.wait_synced(timeout=60)
        loops = ((self._work, "wavecd-worker"), (self._poll, "wavecd-poller"), (self._operate, "wavecd-operations"))
        for target, name in loops:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _may_write(self) -> bool:
        """Leading, still holding the Lease, and not stopping: checked before each round of writes and at
        every event of a running sync, so a replica that lost its Lease stops before another takes over."""
        return self._leading.is_set() and self.holds_lease() and not self._stopped.is_set()

    def lead(self) -> None:
        """Start writing: reconcile every app, and run the operations a previous leader left recorded."""
        self._leading.set()
        self.queue.walk(everything=True)
        self._operations_due.set()

    def follow(self) -> None:
        """Another replica leads now: stop writing at once (a running sync is told to stop)."""
        self._leading.clear()
        self.runner.stop()

    def stop(self) -> None:
        """Stop the loops. A running sync is told to stop; its apps' operations stay recorded, so the next
        controller resumes them."""
        self._stopped.set()
        self.queue.close()
        self.runner.stop()
        self._operations_due.set()
        for thread in self._threads:
            thread.join(timeout=30)
        self.runner.join(timeout=30)  # each rollout records where it stopped
        self.cache.stop()

    @property
    def state(self) -> TreeState:
        with self._lock:
            if self._state is None:
                raise RuntimeError("the controller has not started")
            return self._state

    # -- the worker ------------------------------------------------------------------------------------------------
    def _work(self) -> None:
        while not self._stopped.is_set():
            due, next_at = self._due_refreshes()
            if due:
                self.queue.refresh(*due)
            # Asleep until work comes or the next self-heal deadline; set only by this thread's reconciles.
            batch = self.queue.take(timeout=None if next_at is None else max(0.0, next_at - time.monotonic()))
            if batch is None:
                return
            if not batch:
                continue
            try:
                if self._may_write():
                    self._run_batch(batch)
                elif batch.walk:
                    # Standing by, it still walks (reads only): it answers the API and matches webhooks with the
                    # tree as it is, and takes over with a warm render cache.
                    self._walk(batch)
            except KubeError as err:  # the cluster failed us: the batch's apps are tried again after a backoff
                self.log(f"reconcile failed: {err.message}")
                for name in batch.apps:
                    self._retry_later(name)
            except Exception as err:  # a bug must not end the loop: it is logged and the next batch runs
                self.log(f"reconcile failed: {internal_error(err)}")

    def _run_batch(self, batch: Batch) -> None:
        if batch.hard:
            self._dry_runs.clear()
        self._facts = None  # read again once per batch: the cluster may have been upgraded
        names = set(batch.apps) | self._walk(batch)
        state = self.state
        for appset in state.appsets():
            if appset.name in names and self._owns(appset):
                self._reconcile_appset(state, appset)
        self._finalize_deletions(state)
        for node in state.plan.order:
            if node.name in names and node.kind == APPLICATION and self._owns(node):
                self._reconcile(state, node)
        with self._rounds:
            self._round += 1
            for name in names:
                self._reconciled_in[name] = self._round
            self._rounds.notify_all()

    def _walk(self, batch: Batch) -> set[str]:
        """Walk the tree again if the batch asks for it (and, for a conditional walk, a tracked revision moved);
        the apps to reconcile for it: those that changed, or every app for `everything`."""
        if batch.walk and batch.if_moved and not batch.hard and self._state is not None:
            batch.walk = revisions_moved(self._state)
        if not batch.walk:
            return set()
        before = self._state
        started = time.perf_counter()
        self._facts = None
        if self._kinds_moved.is_set():
            # Cleared before the read, so that a CRD event during it asks for another; set again on failure,
            # so that the next walk tries again.
            self._kinds_moved.clear()
            try:
                self.client.refresh_discovery()
            except KubeError as err:  # the walk renders with what discovery said last; the reconciles report it
                self._kinds_moved.set()
                self.log(f"reading the cluster's kinds again failed: {err.message}")
        try:
            after = walk(self.request, hard=batch.hard, cluster=self._walk_facts())
        except WavecdError as err:
            self.log(f"walking the tree failed: {err.render()}")
            return set()
        changed = changed_apps(before, after)
        self._log_walk(after, len(changed), time.perf_counter() - started)
        with self._lock:
            self._state = after
            self._forget_gone(after)
        try:
            self.cache.ensure_kinds(self._kinds(after))
        except KubeError as err:  # the kinds are watched on the next walk; the changes are not lost
            self.log(f"watching the tree's kinds failed: {err.message}")
        return set(after.nodes) if batch.everything else changed

    def _forget_gone(self, state: TreeState) -> None:
        """Drop what the controller kept about apps no longer in the tree (called under the lock)."""
        for name in set(self._reconciled) - set(state.nodes):
            del self._reconciled[name]
        for name in set(self._reconciled_in) - set(state.nodes):
            del self._reconciled_in[name]
        self._had_operation &= set(state.nodes)
        self._backoff.forget({*state.nodes, _OPERATIONS})
        for gone in (set(self._health_seen) | set(self._revisions)) - set(state.nodes):
            self._health_seen.pop(gone, None)
            self._revisions.pop(gone, None)

    def _log_walk(self, state: TreeState, changed: int, seconds: float) -> None:
        """One line per walk: an operator sees what a push cost (renders; the rest came from the cache)."""
        tree = state.session.tree
        self.log(
            f"walk: {len(state.nodes)} apps, {tree.rendered} rendered, {tree.from_cache} from cache, "
            f"{changed} changed ({seconds:.2f} s)"
        )

    def _reconcile_appset(self, state: TreeState, node: AppNode) -> None:
        """Create, update and delete the set's Applications as its generators now say, under its policy. A
        set not in the cluster yet is recorded first when its parent is automated (the parent's sync would)."""
        live = self.cache.get(ARGO_API_VERSION, APPLICATION_SET, node.namespace, node.name)
        try:
            if live is None:
                if not self._parent_automated(state, node):
                    return
                apply_record(self.client, node.obj, self._tracked_by(state, node))
                live = self.client.get(ARGO_API_VERSION, APPLICATION_SET, node.name, node.namespace)
            if live is not None:
                reconcile_appset(self.client, live, list(node.manifests), generation_error=node.error)
        except KubeError as err:
            self.log(f"{node.name}: reconciling the ApplicationSet failed: {err.message}")

    def _finalize_deletions(self, state: TreeState) -> None:
        """One deletion pass for every Application of this tree (and shard) being deleted with a resources
        finalizer — deleted by a user, the API, its ApplicationSet or its parent's prune; the pass's own
        deletes bring the next round. Applications of other trees or other controllers are never touched."""
        for app in self.cache.list(ARGO_API_VERSION, APPLICATION):
            meta = app.get("metadata") or {}
            if not meta.get("deletionTimestamp") or not meta.get("finalizers") or not self._is_ours(state, app):
                continue
            instance = instance_name(str(meta.get("name")), str(meta.get("namespace") or ""))
            try:
                finalize_application_deletion(self.client, app, self.cache.by_tracking_instance(instance))
            except KubeError as err:
                self.log(f"{meta.get('name')}: deleting its resources failed: {err.message}")

    def _is_ours(self, state: TreeState, app: dict[str, Any]) -> bool:
        """An Application this replica answers for: in the tree, or declared by an app or ApplicationSet of the
        tree (its tracking annotation or its owner), in this shard, and not opted out of reconciling."""
        meta = app.get("metadata") or {}
        name, namespace = str(meta.get("name") or ""), str(meta.get("namespace") or "")
        declared_by = {
            *(str(ref.get("name") or "") for ref in meta.get("ownerReferences") or [] if isinstance(ref, dict)),
            *(self.cache.tracking_instance_of(app) or "").split("_")[-1:],
        }
        in_tree = name in state.nodes or any(owner in state.nodes for owner in declared_by if owner)
        return in_tree and self.owns(name, namespace) and not skips_reconcile(app)

    def _owns(self, node: AppNode) -> bool:
        """This replica's shard holds the app, and its Application does not opt out of reconciling."""
        return self.owns(node.name, node.namespace) and not self._skips_reconcile(node)

    def _skips_reconcile(self, node: AppNode) -> bool:
        """The app's Application (as the cluster has it, else as the tree declares it) opts out of reconciling."""
        value = self.cache.annotation(ARGO_API_VERSION, APPLICATION, node.namespace, node.name, SKIP_RECONCILE)
        return skips_reconcile({"metadata": {"annotations": {SKIP_RECONCILE: value}}} if value else node.obj)

    def _cluster_facts(self) -> ClusterFacts:
        # Read once: the worker forgets the facts at each round while an API thread may be comparing an app.
        facts = self._facts
        if facts is None:
            facts = self._facts = cluster_facts(self.client)
        return facts

    def _compare(self, state: TreeState, node: AppNode, revisions: Sequence[str]) -> Reconciled:
        """The app rendered from the walk and compared with the cluster (its live objects from the cache, the
        comparison a server-side dry run): what a reconcile decides, before anything is written."""
        try:
            return self._judge(state, node, revisions)
        except KubeError as err:
            return failed_reconcile(node.name, err.message, revisions)

    def _judge(self, state: TreeState, node: AppNode, revisions: Sequence[str]) -> Reconciled:
        """`_compare`, leaving the cluster's failures (KubeError) to the caller, which may try again later."""
        if node.error or node.app is None:
            return failed_reconcile(node.name, node.error or "not an Application", revisions)
        try:
            targets = state.session.render_at(node.name, *self._facts_args())
            namespace = node.destination.namespace if node.destination else ""
            tracked = self.cache.by_tracking_instance(instance_name(node.name, node.namespace))
            return reconcile_app(
                self.client,
                node.name,
                node.namespace,
                targets,
                namespace,
                tracked,
                revisions,
                read=self.cache.read,
                memo=self._dry_runs,
            )
        except KubeError:
            raise
        except WavecdError as err:
            return failed_reconcile(node.name, err.render(), revisions)

    def _reconcile(self, state: TreeState, node: AppNode) -> None:
        revisions = self._recorded_revisions(state, node)
        try:
            result = self._judge(state, node, revisions)
        except KubeError as err:
            # The cluster failed us, maybe only for now: no later change need come to reconcile it again.
            result = failed_reconcile(node.name, err.message, revisions)
            failed = True
        else:
            failed = False
        with self._lock:
            self._reconciled[node.name] = result
        try:
            failed = not self._record(state, node, result) or failed
        except KubeError as err:
            self.log(f"{node.name}: reading its Application failed: {err.message}")
            failed = True
        if failed:
            self._retry_later(node.name)
        else:
            self._backoff.succeeded(node.name)

    def _record(self, state: TreeState, node: AppNode, result: Reconciled) -> bool:
        """What the reconcile found, written where it goes: an auto-sync operation if one is due, the status,
        the refresh annotation removed. False when the status could not be written."""
        live = self._ensure_recorded(state, node)
        if live is None:
            return True
        if result.sync == SyncStatus.OUT_OF_SYNC:
            # Auto-sync decides on the Application as it is, not as the watch last delivered it: an operation
            # that just ended, or one another writer just recorded, must be seen.
            live = self.client.get(ARGO_API_VERSION, APPLICATION, node.name, node.namespace) or live
        condition = self._auto_sync(live, result)
        written = self._write_status(node, live, result, condition)
        if REFRESH in ((live.get("metadata") or {}).get("annotations") or {}):
            self._clear_refresh(node)
        return written

    def _recorded_revisions(self, state: TreeState, node: AppNode) -> tuple[str, ...]:
        """The revisions the app's status names: those of the walk that last changed what it renders. A commit
        that leaves the app's desired state as it was does not move them (its status keeps naming the commit
        it was last changed at), so a reconcile for another reason writes nothing new."""
        fingerprint = content_fingerprint(node)
        with self._lock:
            kept = self._revisions.get(node.name)
            if kept is not None and kept[0] == fingerprint:
                return kept[1]
            revisions = state.revisions_of(node)
            self._revisions[node.name] = (fingerprint, revisions)
            return revisions

    def _walk_facts(self) -> tuple[str, Sequence[str]] | None:
        """The cluster's facts for a walk, so that it renders a changed app as its reconcile and sync will
        (once); None, the config's offline guess, when the cluster does not answer (the reconciles report it)."""
        try:
            return self._facts_args()
        except KubeError:
            return None

    def _facts_args(self) -> tuple[str, Sequence[str]]:
        facts = self._cluster_facts()
        return facts.kube_version, facts.api_versions

    def _ensure_recorded(self, state: TreeState, node: AppNode) -> dict[str, Any] | None:
        """The app's live Application; created first when missing and its parent is automated (Argo CD's
        parent sync would create it), so that its own operation has an object to live in."""
        live = self.cache.get(ARGO_API_VERSION, APPLICATION, node.namespace, node.name)
        if live is not None:
            return live
        if not self._parent_automated(state, node):
            return None
        try:
            apply_record(self.client, node.obj, self._tracked_by(state, node))
            created: dict[str, Any] | None = self.client.get(ARGO_API_VERSION, APPLICATION, node.name, node.namespace)
            return created
        except KubeError as err:
            self.log(f"{node.name}: recording its Application failed: {err.message}")
            return None

    @staticmethod
    def _declaring_app(state: TreeState, node: AppNode) -> AppNode | None:
        """The Application whose manifests declare `node` (for a generated app: its set's declarer)."""
        parent = state.nodes.get(node.parent) if node.parent else None
        if parent is not None and node.source == "generated":
            return state.nodes.get(parent.parent) if parent.parent else None
        return parent

    def _parent_automated(self, state: TreeState, node: AppNode) -> bool:
        """Whether the app that declares `node` would have created it by now in Argo CD: it syncs automatically,
        or it has been synced (by hand) at least once. The root, declared by nobody, is always recorded."""
        owner = self._declaring_app(state, node)
        if owner is None or (owner.app is not None and app_fields.automated(owner.obj) is not None):
            return True
        live = self.cache.get(ARGO_API_VERSION, APPLICATION, owner.namespace, owner.name)
        return bool(((live or {}).get("status") or {}).get("history"))

    def _tracked_by(self, state: TreeState, node: AppNode) -> str | None:
        """The tracking instance a recorded Application or ApplicationSet carries: its declaring app's, except
        for generated apps, which their set owns through an ownerReference instead."""
        owner = self._declaring_app(state, node)
        return None if node.source == "generated" or owner is None else instance_name(owner.name, owner.namespace)

    def _auto_sync(self, live: dict[str, Any], result: Reconciled) -> dict[str, str] | None:
        """Argo CD's auto-sync decision for the app (`autosync.decide`); records the operation it asks for.
        Returns the condition to report instead, if any."""
        if result.error:
            return None
        comparison = autosync.Comparison(
            status=result.sync,
            revisions=result.revisions,
            resources=tuple(
                autosync.ResourceStatus(v.group, v.kind, v.name, v.namespace, v.status, v.reason == EXTRA)
                for v in result.verdicts.values()
            ),
        )
        decision = autosync.decide(live, comparison, now=datetime.datetime.now(datetime.UTC))
        if isinstance(decision, autosync.Condition):
            return {"type": decision.type, "message": decision.message}
        if isinstance(decision, autosync.Wait):
            self._refresh_at(result.app, decision.seconds)
        elif isinstance(decision, autosync.Sync):
            try:
                self._record_operation(live, decision.operation)
            except FailedPrecondition as err:  # someone wrote first (Argo CD ignores this too)
                self.log(f"{result.app}: auto-sync skipped: {err.message}")
            else:
                self.log(f"{result.app}: {decision.event}")
        return None

    def _record_operation(
        self, live: dict[str, Any], operation: dict[str, Any], *, retry: bool = True
    ) -> dict[str, Any]:
        """Write `operation` with an update on the version read, as Argo CD's `SetAppOperation` does: a
        concurrent writer makes it fail rather than be overwritten."""
        body = copy.deepcopy(live)
        body["operation"] = operation
        if isinstance(body.get("status"), dict):
            body["status"].pop("operationState", None)  # the new operation's state starts empty
        meta = body.get("metadata") or {}
        try:
            written = self.client.replace(body)
        except ConflictError:
            # Someone wrote first (a status patch, most often): read it again and write once more, as Argo
            # CD's SetAppOperation retries on a conflict; an operation recorded meanwhile wins.
            fresh = self.client.get(ARGO_API_VERSION, APPLICATION, str(meta.get("name")), str(meta.get("namespace")))
            if fresh is None or fresh.get("operation") or not retry:
                raise FailedPrecondition(ANOTHER_OPERATION) from None
            return self._record_operation(fresh, operation, retry=False)
        except KubeError as err:
            raise FailedPrecondition(
                f"{meta.get('name')}: the operation could not be recorded: {err.message}"
            ) from None
        with self._lock:
            self._written_operations.add((str(meta.get("namespace") or ""), str(meta.get("name") or "")))
        self._operations_due.set()
        return written

    def _clear_refresh(self, node: AppNode) -> None:
        """The refresh asked by annotation is done: remove it, as Argo CD's controller does."""
        try:
            body = {"metadata": {"annotations": {REFRESH: None}}}
            self.client.patch(ARGO_API_VERSION, APPLICATION, node.name, body, namespace=node.namespace)
        except KubeError as err:
            self.log(f"{node.name}: removing its refresh annotation failed: {err.message}")

    def _write_status(
        self, node: AppNode, live: dict[str, Any], result: Reconciled, condition: dict[str, str] | None
    ) -> bool:
        """Patch the Application's status when what the reconcile decided differs from what it says; False
        when the cluster refused the patch."""
        spec = node.obj.get("spec") or {}
        status = application_status(result, source_summaries(node), dict(spec.get("destination") or {}))
        current = live.get("status") or {}
        if condition is not None:
            status["conditions"].append(condition)
        status["conditions"] = _with_transition_times(status["conditions"], current.get("conditions") or [])
        if all(current.get(key) == _without_nulls(value) for key, value in status.items()):
            return True
        status["reconciledAt"] = kube_now()
        try:
            self.client.patch(ARGO_API_VERSION, APPLICATION, node.name, {"status": status}, namespace=node.namespace)
        except KubeError as err:
            self.log(f"{node.name}: writing its status failed: {err.message}")
            return False  # tried again after the backoff: the status it shows would stay stale
        return True

    # -- operations ---------------------------------------------------------------------------------------------
    def _operate(self) -> None:
        while not self._stopped.is_set():
            # Woken by what records or reveals an operation (the watch, the API, auto-sync, lead()) or at a
            # retry's deadline: an idle controller does not scan its Applications for operations.
            with self._lock:
                at = self._operations_at
            self._operations_due.wait(timeout=None if at is None else max(0.0, at - time.monotonic()))
            with self._lock:
                if self._operations_at is not None and self._operations_at <= time.monotonic():
                    self._operations_at = None
            self._operations_due.clear()
            if self._stopped.is_set():
                return
            if not self._may_write():
                continue
            try:
                state = self.state
                pending = self._pending_operations(state)
                if pending:
                    left = self.runner.run(state, pending, may_continue=self._may_write)
                    # Held behind a running app or a busy processor: looked at again when a rollout frees
                    # one, even if the watch has not brought them to the cache yet.
                    with self._lock:
                        self._written_operations |= {(op.namespace, op.name) for op in left}
                self._backoff.succeeded(_OPERATIONS)
            except KubeError as err:  # the cluster failed us: the operations stay recorded for the next pass
                self.log(f"running operations failed: {err.message}")
                self._operations_due_in(self._backoff.failed(_OPERATIONS))
            except Exception as err:  # a bug must not end the loop
                self.log(f"running operations failed: {internal_error(err)}")
                self._operations_due_in(self._backoff.failed(_OPERATIONS))

    def _operation_finished(self, name: str) -> None:
        """An app's operation ended (the runner recorded how) while the rest of its rollout may go on: compare
        it, and the apps it declares (its sync may have created or changed their Applications), at once, so
        its status says Synced as soon as it is, not when the last app of the rollout is done."""
        state = self.state
        declared = [
            node.name
            for node in state.session.tree.nodes
            if (owner := self._declaring_app(state, node)) is not None and owner.name == name
        ]
        self.queue.refresh(name, *declared)

    def _operations_due_in(self, seconds: float) -> None:
        """Run the operation loop again in `seconds` (a retry's backoff): one deadline, not a thread."""
        with self._lock:
            due = time.monotonic() + max(0.0, seconds)
            self._operations_at = min(self._operations_at or due, due)

    def _retry_later(self, name: str) -> None:
        """The cluster failed `name`'s reconcile or status write: reconcile it again after the backoff for
        one more failure in a row (a success in between starts it over)."""
        self._refresh_at(name, self._backoff.failed(name))

    def _refresh_at(self, name: str, seconds: float) -> None:
        """Reconcile `name` again in `seconds` (self-heal's backoff); the worker serves the deadline."""
        with self._lock:
            self._refresh_due[name] = time.monotonic() + max(0.0, seconds)

    def _due_refreshes(self) -> tuple[list[str], float | None]:
        """The apps whose self-heal deadline passed (forgotten now), and the next deadline still to come."""
        now = time.monotonic()
        with self._lock:
            due = [name for name, at in self._refresh_due.items() if at <= now]
            for name in due:
                del self._refresh_due[name]
            return due, min(self._refresh_due.values(), default=None)

    def _pending_operations(self, state: TreeState) -> list[PendingOperation]:
        out = []
        recorded = self.cache.names_having(ARGO_API_VERSION, APPLICATION, "operation")
        with self._lock:
            recorded |= self._written_operations
            self._written_operations = set()
        startable = self.runner.startable(state)
        later: set[tuple[str, str]] = set()
        for node in state.applications():
            if (node.namespace, node.name) not in recorded or not self._owns(node):
                continue
            if not startable(node.name):  # running, or held behind an earlier wave: looked at once it may start
                later.add((node.namespace, node.name))
                continue
            # The cache may lag behind the operation's own completion: read the Application itself.
            live = self.client.get(ARGO_API_VERSION, APPLICATION, node.name, node.namespace)
            if live is not None and live.get("operation"):
                out.append(PendingOperation(node.name, node.namespace, live))
        with self._lock:
            self._written_operations |= later
        return out

    def _on_sync_event(self, event: Event) -> None:
        """One log line per app a sync finishes and per sync: what an operator follows in the log."""
        if isinstance(event, AppFinished):
            wave = "" if event.wave is None else f" (wave {event.wave})"
            why = f": {event.message}" if event.message else ""
            self.log(f"{event.app}{wave}: {event.sync}, {event.health} in {event.seconds:g}s{why}")
        elif isinstance(event, Summary):
            apps = ", ".join(f"{count} {health}" for health, count in sorted(event.apps.items()))
            why = f": {event.message}" if event.message else ""
            self.log(f"sync {event.phase}: {event.health} ({apps}) in {event.seconds:g}s{why}")

    # -- actions for the API -------------------------------------------------------------------------------------
    def _live(self, name: str) -> dict[str, Any]:
        """The app's Application as the cluster has it, for an operation to be recorded on. One the tree holds
        but no reconcile has written yet (the root, right after start) is recorded first, as its reconcile
        would record it; one its parent has not created yet stays unknown, as in Argo CD."""
        node = self.node(name)
        live = self.client.get(ARGO_API_VERSION, APPLICATION, node.name, node.namespace)
        if live is None:
            live = self._ensure_recorded(self.state, node)
        if live is None:
            raise NotFound(f'applications.argoproj.io "{name}" not found')
        return live

    def sync(self, name: str, request: SyncRequest) -> AppEntry:
        live = self._live(name)
        written = self._record_operation(live, sync_operation_from_request(live, request))
        return self._entry(self.node(name), written)

    def rollback(self, name: str, history_id: int, *, dry_run: bool, prune: bool, username: str) -> AppEntry:
        live = self._live(name)
        operation = rollback_operation(live, history_id, dry_run=dry_run, prune=prune, username=username)
        written = self._record_operation(live, operation)
        return self._entry(self.node(name), written)

    def terminate(self, name: str) -> None:
        """Mark the running operation Terminating with an update on the version read; a conflict (the owner
        wrote the status meanwhile, as it does all through a sync) reads it again 100 ms later, up to Argo CD's
        10 tries (`server/application` `TerminateOperation`, and its message when they are spent)."""
        for _ in range(_TERMINATE_TRIES):
            updated = terminate(self._live(name))
            try:
                self.client.replace(updated)
                break
            except ConflictError:
                self._stopped.wait(0.1)
            except KubeError as err:
                raise FailedPrecondition(f"the operation could not be terminated: {err.message}") from None
        else:
            raise FailedPrecondition("Failed to terminate app. Too many conflicts")
        if name in self.runner.running:
            self.runner.terminate(name)

    def resource_tree(self, name: str) -> list[ResourceNode]:
        reconciled = self._reconciled_or_refresh(name)
        return app_views.resource_tree(reconciled, self.cache.owned_by)

    def managed_resources(self, name: str) -> list[ManagedResource]:
        return app_views.managed_resources(self._reconciled_or_refresh(name))

    def object_events(self, namespace: str, name: str, uid: str) -> list[dict[str, Any]]:
        """Asked of the cluster each time, as Argo CD's API server does: Events are not watched."""
        selector = {"involvedObject.name": name, "involvedObject.namespace": namespace, "involvedObject.uid": uid}
        try:
            return self.client.list("v1", "Event", namespace, field_selector=selector)
        except KubeError as err:
            raise FailedPrecondition(f"listing the events of {namespace}/{name} failed: {err.message}") from err

    def _reconciled_or_refresh(self, name: str) -> Reconciled:
        """The app's last reconcile; a miss asks for one and waits, as Argo CD's API does on a cache miss. An
        app this replica does not reconcile (another shard's, one that opts out, or any while it stands by) is
        compared now, as its owner compares it, and nothing is written: every replica answers for every app,
        as every Argo CD API server does."""
        state = self.state
        node = self.node(name)
        if not (self._may_write() and self._owns(node)):
            kept = self._views.get(name, state)
            if kept is not None:
                return kept
            token = self._views.token(name)
            compared = self._compare(state, node, state.revisions_of(node))
            self._views.put(name, state, compared, token)
            return compared
        found = self.reconciled(name)
        if found is None:
            self.refresh(name, hard=False, timeout=self.settings.refresh_timeout)
            found = self.reconciled(name)
        if found is None:
            raise NotFound(f"{name}: not reconciled yet")
        return found

    # -- change detection ----------------------------------------------------------------------------------------
    def _poll(self) -> None:
        if self.settings.poll <= 0:
            return
        while not self._stopped.wait(self.settings.poll * (1 + random.random() * self.settings.poll_jitter)):
            try:
                if revisions_moved(self.state):
                    self.queue.walk()
            except WavecdError as err:
                self.log(f"polling the repositories failed: {err.render()}")

    def _on_cluster_change(self, event_type: str, obj: dict[str, Any]) -> None:
        """A watched object changed: an Application is news for the stream; anything else asks for the
        reconcile of the app that tracks it (through its owners: a Pod's ReplicaSet's Deployment). So does an
        Application that appears or goes: its parent tracks it, and a child recorded by another shard's replica
        after the parent's last reconcile must not stay Missing in the parent's status. Its other changes are
        mostly its own status, which the parent does not compare: they would reconcile the parent for nothing.
        Any change drops the views this replica keeps of what the object belongs to."""
        if self._views:
            self._views.changed(obj, self._app_tracking(obj))
        if (
            obj.get("kind") == _CRD
            and api_group(str(obj.get("apiVersion") or "")) == _CRD_GROUP
            and self._served_kinds.moved(event_type, obj)
        ):
            # The cluster now serves a kind more (or one less): a chart that asks `.Capabilities.APIVersions`
            # renders otherwise — istiod-monitoring's PodMonitor once kube-prometheus-stack's CRDs are in —
            # and nothing else would compare that app again. Every app is reconciled, with discovery read
            # again: each renders at the cluster's API versions (only the charts that mention them render
            # anew) and one that now differs turns OutOfSync; Argo CD's periodic reconcile finds the same
            # within its 3 minutes. The queue makes one round of a CRD's burst of events; the API server's
            # own status writes that change no served version nor the Established condition are no such event.
            self._kinds_moved.set()
            self.queue.walk(everything=True)
        if obj.get("kind") == APPLICATION and str(obj.get("apiVersion", "")) == ARGO_API_VERSION:
            name = str((obj.get("metadata") or {}).get("name") or "")
            with self._lock:
                in_tree = self._state is not None and name in self._state.nodes
                ended = in_tree and name in self._had_operation and not obj.get("operation")
                if obj.get("operation"):
                    self._had_operation.add(name)
                else:
                    self._had_operation.discard(name)
                health = str(((obj.get("status") or {}).get("health") or {}).get("status") or "")
                health_changed = in_tree and self._health_seen.get(name, health) != health
                if in_tree:
                    self._health_seen[name] = health
            if health_changed and self._state is not None:
                # A parent's health follows its children's (the Application health rule): reconcile it.
                parent = self._declaring_app(self._state, self._state.nodes[name])
                if parent is not None:
                    self.queue.refresh(parent.name)
            if in_tree:
                self._publish(ApplicationEvent(event_type, copy.deepcopy(obj)))
            refresh = ((obj.get("metadata") or {}).get("annotations") or {}).get(REFRESH)
            if in_tree and (ended or refresh is not None):
                # An operation ended (what auto-sync skipped while it ran is decided again), or someone asked
                # for a refresh with Argo CD's annotation (`hard`: without the render cache).
                if refresh is not None:
                    self.queue.walk(hard=refresh == "hard")
                self.queue.refresh(name)
            phase = ((obj.get("status") or {}).get("operationState") or {}).get("phase")
            if phase == "Terminating" and name in self.runner.running:
                self.runner.terminate(name)
            elif obj.get("operation"):
                self._operations_due.set()
            if (obj.get("metadata") or {}).get("deletionTimestamp"):
                self.queue.refresh(name)  # the worker's next round runs a deletion pass
            if event_type not in ("ADDED", "DELETED"):
                return
        tracker = self._app_tracking(obj)
        if tracker is not None:
            with self._lock:
                known = self._state is not None and tracker in self._state.nodes
            if known:
                self.queue.refresh(tracker)

    def _app_tracking(self, obj: dict[str, Any]) -> str | None:
        """The app whose tracking instance `obj` (or an owner of it) carries."""
        instance = self.cache.tracking_instance_of(obj)
        if instance is None:
            return None
        return instance.split("_", 1)[1] if "_" in instance else instance

    def on_push_matched(self, names: Sequence[str]) -> None:
        """A webhook matched these apps: walk now if a tracked revision moved (the walk finds which apps
        changed, and this replica reconciles those it owns while it leads; a standby's walk only keeps its
        tree current); the rest of a burst of webhooks for the same push costs a `git` call each. Each matched
        app this replica does not reconcile (another shard's, or every app while it stands by) is marked with
        Argo CD's refresh annotation, as Argo CD's API server answers a webhook, so the replica that owns it
        refreshes it; an app already marked is not written again, so a burst still costs its owner one
        refresh."""
        self.queue.walk(if_moved=True)
        leading = self._may_write()
        recorded = self.cache.names_having(ARGO_API_VERSION, APPLICATION, "metadata")
        marked = []
        for name in names:
            node = self.state.nodes.get(name)
            if node is None or node.kind != APPLICATION or (node.namespace, node.name) not in recorded:
                continue
            theirs = not (leading and self.owns(node.name, node.namespace)) and not self._skips_reconcile(node)
            if theirs and self._mark_for_refresh(node):
                marked.append(node.name)
        if marked:
            self.log(f"webhook: marked {shown_apps(marked)} for refresh by the replica that owns each")

    def _refresh_asked(self, node: AppNode) -> str | None:
        """The refresh the app's Application asks for (`normal`, `hard`), as the cache last saw it."""
        return self.cache.annotation(ARGO_API_VERSION, APPLICATION, node.namespace, node.name, REFRESH)

    def _mark_for_refresh(self, node: AppNode, kind: str = "normal") -> bool:
        """Ask the app's owner for a refresh (`argocd.argoproj.io/refresh: normal` or `hard`) unless one at
        least as thorough is asked for already; whether this call wrote it."""
        if self._refresh_asked(node) in {kind, "hard"}:
            return False
        try:
            body = {"metadata": {"annotations": {REFRESH: kind}}}
            self.client.patch(ARGO_API_VERSION, APPLICATION, node.name, body, namespace=node.namespace)
        except KubeError as err:
            self.log(f"{node.name}: asking for its refresh failed: {err.message}")
            return False
        return True

    # -- reads for the API -----------------------------------------------------------------------------------------
    def _entry(self, node: AppNode, written: dict[str, Any] | None = None, read: AppRead | None = None) -> AppEntry:
        """The app as the API shows it: `written`, the object a write of ours just returned (the watch may
        not have brought it to the cache yet), else the cache's, else the walk's; a copy, or what `read`
        makes of it."""
        # The cache hands out a copy (or what `read` made) already; the others are copied (or read) here.
        live = None
        if written is None:
            key = (ARGO_API_VERSION, APPLICATION, node.namespace, node.name)
            live = self.cache.get(*key) if read is None else self.cache.get_with(*key, read)
        if live is None:
            obj = written if written is not None else node.obj
            live = copy.deepcopy(obj) if read is None else read(obj)
        generated_by = node.parent if node.source == "generated" else None
        return AppEntry(
            node.name,
            node.namespace,
            live,
            node.parent,
            self.state.plan.wave_of(node.name),
            generated_by,
        )

    def applications(self, read: AppRead | None = None) -> list[AppEntry]:
        state = self.state
        return sorted((self._entry(n, read=read) for n in state.applications()), key=lambda e: e.name)

    def node(self, name: str) -> AppNode:
        node = self.state.nodes.get(name)
        if node is None or node.kind != APPLICATION:
            raise NotFound(f'applications.argoproj.io "{name}" not found')
        return node

    def application(self, name: str) -> AppEntry:
        return self._entry(self.node(name))

    def refresh(self, name: str, *, hard: bool, timeout: float) -> AppEntry:
        """Argo CD's refresh: the tracked revisions resolved again (a walk, from the render cache unless
        `hard`), then the app compared with the cluster. An app this replica does not reconcile is marked
        with the refresh annotation instead, and the answer waits until its owner has removed it, as Argo CD's
        API server waits for its controller."""
        node = self.node(name)
        if not (self._may_write() and self._owns(node)):
            if self._skips_reconcile(node):
                return self._entry(node)  # no replica refreshes it: Argo CD's controller skips it too
            self._mark_for_refresh(node, "hard" if hard else "normal")
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not self._stopped.wait(_REFRESH_POLL):
                # Read from the API itself: the cache may still hold an older version without the mark.
                try:
                    live = self.client.get(ARGO_API_VERSION, APPLICATION, node.name, node.namespace)
                except KubeError:
                    continue  # asked again on the next turn, until the deadline
                if live is None or REFRESH not in ((live.get("metadata") or {}).get("annotations") or {}):
                    return self._entry(node, live)
            return self._entry(node)
        with self._rounds:
            asked = self._round
        self.queue.walk(hard=hard)
        self.queue.refresh(name)
        with self._rounds:
            self._rounds.wait_for(lambda: self._reconciled_in.get(name, 0) > asked, timeout=timeout)
        return self._entry(node)

    def reconciled(self, name: str) -> Reconciled | None:
        with self._lock:
            return self._reconciled.get(name)

    # -- the stream --------------------------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[ApplicationEvent], None]) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def _publish(self, event: ApplicationEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            callback(event)

    def watch(self, stop: threading.Event, *, replay: bool = True) -> Iterator[ApplicationEvent]:
        """ADDED for every app (if `replay`), then changes, until `stop`; yields nothing for a second at a
        time when idle."""
        inbox: queue.Queue[ApplicationEvent] = queue.Queue(maxsize=1_000)

        def receive(event: ApplicationEvent) -> None:
            try:
                inbox.put_nowait(event)  # bounded: a reader that stops reading loses events
            except queue.Full:  # a reader that stopped reading loses events, never the controller's time
                return

        unsubscribe = self.subscribe(receive)
        try:
            for entry in self.applications() if replay else ():
                yield ApplicationEvent("ADDED", entry.application)
            while not stop.is_set() and not self._stopped.is_set():
                try:
                    yield inbox.get(timeout=1.0)
                except queue.Empty:
                    continue
        finally:
            unsubscribe()

    # -- kinds --------------------------------------------------------------------------------------------------
    @staticmethod
    def _kinds(state: TreeState) -> set[tuple[str, str]]:
        """What to watch: Applications, and every kind the tree's apps render, plus what owns nothing but is
        owned (ReplicaSets and Pods, for the resource tree and for drift in a Deployment's pods), and the
        CustomResourceDefinitions, whoever installs them."""
        kinds = {
            (ARGO_API_VERSION, APPLICATION),
            (ARGO_API_VERSION, APPLICATION_SET),
            ("apps/v1", "ReplicaSet"),
            ("v1", "Pod"),
            (f"{_CRD_GROUP}/v1", _CRD),  # new kinds served: see `_on_cluster_change`
        }
        for node in state.session.tree.nodes:
            for obj in node.manifests:
                if obj.get("apiVersion") and obj.get("kind"):
                    kinds.add((str(obj["apiVersion"]), str(obj["kind"])))
        return kinds


def _with_transition_times(conditions: list[dict[str, str]], before: list[Any]) -> list[dict[str, Any]]:
    """Argo CD's `SetConditions`: a condition whose type and message did not change keeps its time."""
    old = {(c.get("type"), c.get("message")): c.get("lastTransitionTime") for c in before if isinstance(c, dict)}
    now = kube_now()
    return [{**c, "lastTransitionTime": old.get((c["type"], c["message"])) or now} for c in conditions]


def _without_nulls(value: Any) -> Any:
    """A merge patch's value as the object holds it once applied: null members are removed."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value
