"""Operations recorded on Applications, run through the sync engine in the tree's order, side by side.

An operation is durable because it lives in the Application, as with Argo CD: auto-sync and the API only
write `operation`; this runner is handed every owned app that carries one, marks it Running
(`status.operationState`), syncs those that are due together with `sync_tree(only=…)` — so apps of
different waves still go wave by wave with the health gates — and then writes each app's outcome, its
history entry, and removes `operation` in the same patch. A controller killed in between finds the
`operation` still there on restart and runs it again: a sync is a server-side apply of the same objects, so
running it twice creates nothing twice.

Each such rollout runs in its own thread, up to `processors` at once (Argo CD's `--operation-processors`), so
an app whose sync waits on its health holds no other app's operation or retry. Across rollouts the tree's
waves still hold: an app is not started while an app of an earlier wave is still syncing in another rollout.
"""

from __future__ import annotations

import copy
import datetime
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from wavecd.common import APPLICATION, ARGO_API_VERSION, OperationPhase, SyncStatus
from wavecd.core import Clock, Emit, Event, internal_error
from wavecd.kube import KubeClient, KubeError
from wavecd.plan import ResourceSelector
from wavecd.server.operation_state import (
    OPERATION_TERMINATED,
    REVISION_HISTORY_LIMIT,
    completed_state,
    history_after,
    resume_retry,
    retry_state,
    running_state,
    terminated,
)
from wavecd.server.settings import OPERATION_PROCESSORS
from wavecd.server.sync_results import resource_results
from wavecd.server.tree_state import TreeState, source_summaries
from wavecd.sync.events import AppFinished, ResourceApplied, ResourcePruned
from wavecd.sync.inventory import KnownTracked
from wavecd.sync.settings import ClusterFacts, SyncSettings
from wavecd.sync.tree_sync import sync_tree

__all__ = ["OperationRunner", "PendingOperation"]

# Seconds before the operations are looked at again after a rollout ended on a wavecd bug (not at once: the
# same bug would end the next rollout the same way, in a loop).
_AFTER_BUG = 5.0
# Left on an operation whose rollout was stopped for another reason (a restart, another app's termination).
_STOPPED = "the sync stopped before this app finished; its operation stays recorded and runs again"


@dataclass(frozen=True)
class PendingOperation:
    name: str
    namespace: str
    application: dict[str, Any]

    @property
    def sync(self) -> dict[str, Any]:
        return dict((self.application.get("operation") or {}).get("sync") or {})

    @property
    def settings_key(self) -> tuple[bool, bool]:
        """Operations that can run in one rollout: the same prune and dry-run."""
        return bool(self.sync.get("prune")), bool(self.sync.get("dryRun"))


@dataclass
class _Rollout:
    """One processor's work: its operations (which share prune and dry-run), the apps whose operations it
    has not finished yet (changed under the runner's lock), its own stop, and which of its apps were asked
    to terminate."""

    state: TreeState
    operations: list[PendingOperation]
    may_continue: Callable[[], bool]
    unfinished: set[str]
    cancel: threading.Event = field(default_factory=threading.Event)
    terminated: set[str] = field(default_factory=set)

    @property
    def prune(self) -> bool:
        return self.operations[0].settings_key[0]

    @property
    def dry_run(self) -> bool:
        return self.operations[0].settings_key[1]


class OperationRunner:
    def __init__(
        self,
        client: KubeClient,
        settings: SyncSettings,
        *,
        clock: Clock,
        emit: Emit,
        log: Callable[[str], None],
        wake_after: Callable[[float], None],
        known_tracked: Callable[[], KnownTracked | None] = lambda: None,
        finished: Callable[[str], None] = lambda _name: None,
        idle: Callable[[], None] = lambda: None,
        processors: int = OPERATION_PROCESSORS,
    ):
        self.client = client
        # Told each app whose operation just ended (recorded as such), while the rest of the rollout goes on:
        # the controller compares that app again at once rather than when the whole rollout is over.
        self.finished = finished
        # Told when a rollout ends: a processor is free, and the operations it held back may start.
        self.idle = idle
        # What the controller's cluster cache holds of the tracked objects, asked as each rollout starts: a
        # rollout then lists only the kinds it does not watch, not the whole tree's objects.
        self.known_tracked = known_tracked
        self.settings = replace(settings, retry_apps=False, record_operations=False, prune_from_policy=False)
        self.wake_after = wake_after
        self.clock = clock
        self.emit = emit
        self.log = log
        self.processors = max(1, processors)
        self._rollouts: list[_Rollout] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    @property
    def running(self) -> set[str]:
        """The apps whose operations a rollout holds and has not finished."""
        with self._lock:
            return {name for rollout in self._rollouts for name in rollout.unfinished}

    def run(
        self, state: TreeState, pending: list[PendingOperation], may_continue: Callable[[], bool]
    ) -> list[PendingOperation]:
        """Start the pending operations, each group that shares prune and dry-run settings as one rollout in
        a processor's thread, and return at once with those not started: an app some rollout holds already,
        an app of a later wave than one still syncing in another rollout (the tree's waves hold across
        rollouts), and every group once all processors are busy. `may_continue` is asked before each group
        and at every event of a rollout: once it says no (this replica lost its Lease, or the controller is
        stopping) nothing more is started and the rollouts stop."""
        left: list[PendingOperation] = []
        groups: dict[tuple[bool, bool], list[PendingOperation]] = {}
        with self._lock:
            startable = self._startable(state)
            for operation in pending:
                if startable(operation.name):
                    groups.setdefault(operation.settings_key, []).append(operation)
                else:
                    left.append(operation)
            started: list[_Rollout] = []
            for operations in groups.values():
                if len(self._rollouts) >= self.processors or not may_continue():
                    left.extend(operations)
                    continue
                # Held from before the first record is written, so that a termination asked meanwhile is heard.
                rollout = _Rollout(state, operations, may_continue, {operation.name for operation in operations})
                self._rollouts.append(rollout)
                started.append(rollout)
        for rollout in started:
            thread = threading.Thread(target=self._process, args=(rollout,), name="wavecd-operation", daemon=True)
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()
        return left

    def startable(self, state: TreeState) -> Callable[[str], bool]:
        """Whether an app's operation may start now, as `run` decides it (asked before reading the
        Application: what could not start is not read)."""
        with self._lock:
            return self._startable(state)

    def _startable(self, state: TreeState) -> Callable[[str], bool]:
        """(Under the lock.) Not an app a rollout holds, nor one of a later wave than an app still syncing."""
        holding = {name for rollout in self._rollouts for name in rollout.unfinished}
        earliest = min((w for name in holding if (w := state.plan.wave_of(name)) is not None), default=None)

        def startable(name: str) -> bool:
            wave = state.plan.wave_of(name)
            return name not in holding and (earliest is None or wave is None or wave <= earliest)

        return startable

    def join(self, timeout: float | None = None) -> None:
        """Wait until the rollouts running now have ended (each records where it stopped), `timeout` each."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)

    def stop(self) -> None:
        """Stop every running rollout at its next safe point; their operations stay recorded and run again."""
        with self._lock:
            for rollout in self._rollouts:
                rollout.cancel.set()

    def terminate(self, name: str) -> None:
        """Stop the running operation of `name`: its rollout stops at its next safe point; that app's
        operation ends Failed (`Operation terminated`), the others of its rollout stay recorded and run again.
        Other rollouts go on."""
        with self._lock:
            for rollout in self._rollouts:
                if name in rollout.unfinished:
                    rollout.terminated.add(name)
                    rollout.cancel.set()

    def _process(self, rollout: _Rollout) -> None:
        """One processor: the rollout, then the processor freed (the controller looks for operations again).
        The sync engine answers the cluster's failures itself (the apps' operations end Failed)."""
        try:
            synced = self._run_rollout(rollout)
        except Exception as err:  # a bug must not lose the processor: the operations stay recorded
            synced = False
            self.log(f"running operations failed: {internal_error(err)}")
            self.wake_after(_AFTER_BUG)
        with self._lock:
            self._rollouts.remove(rollout)
        if synced:  # else nothing was due (retries in their backoff): their wake-ups are scheduled
            self.idle()

    def _run_rollout(self, rollout: _Rollout) -> bool:
        """Whether it synced anything (False: none of its operations was due)."""
        state, operations, may_continue = rollout.state, rollout.operations, rollout.may_continue
        started: dict[str, dict[str, Any]] = {}
        now = datetime.datetime.now(datetime.UTC)
        for operation in operations:
            begun = self._begin(operation, now)
            if begun is not None:
                started[operation.name] = begun
            else:
                with self._lock:
                    rollout.unfinished.discard(operation.name)
        if not started:
            return False
        settings = replace(self.settings, prune=rollout.prune, dry_run=rollout.dry_run)

        by_name = {operation.name: operation for operation in operations if operation.name in started}

        pinned = {name: revisions for name, op in by_name.items() if (revisions := _pinned(op, state))}
        # Each app's applies and prunes as they ran, for its operation's `syncResult.resources`.
        done: dict[str, list[ResourceApplied | ResourcePruned]] = {}

        def render(name: str, facts: ClusterFacts) -> list[dict[str, Any]]:
            return state.session.render_at(name, facts.kube_version, facts.api_versions, pinned.get(name))

        def emit(event: Event) -> None:
            """Each app's operation completes as soon as the app does, not when the whole rollout ends."""
            if not may_continue():
                rollout.cancel.set()
            self.emit(event)
            if isinstance(event, ResourceApplied | ResourcePruned) and event.app in by_name:
                done.setdefault(event.app, []).append(event)
            if isinstance(event, AppFinished) and event.app in by_name:
                outcome = self._outcome(rollout, event.app, event.sync, event.message)
                if outcome is not None:
                    operation = by_name.pop(event.app)
                    resources = resource_results(done.pop(event.app, []), outcome[0], event.blocking)
                    self._finish(state, operation, started[operation.name], *outcome, resources)
                    self._release(rollout, operation.name)

        result = sync_tree(
            state.plan,
            self.client,
            render,
            settings=settings,
            clock=self.clock,
            emit=emit,
            cancel=rollout.cancel,
            only=set(started),
            resources={name: selected for name, op in by_name.items() if (selected := _selected(op))},
            known_tracked=self.known_tracked(),
        )
        for operation in list(by_name.values()):  # not finished: the rollout stopped before or during them
            outcome = self._outcome(rollout, operation.name, None, result.message)
            if outcome is None:
                self._patch(operation, {"status": {"operationState": {"message": _STOPPED}}})
            else:
                resources = resource_results(done.get(operation.name, []), outcome[0], None)
                self._finish(state, operation, started[operation.name], *outcome, resources)
            self._release(rollout, operation.name)
        return True

    def _release(self, rollout: _Rollout, name: str) -> None:
        """`name`'s operation is over in this rollout (ended, or left recorded): apps of later waves held
        behind it may start."""
        with self._lock:
            rollout.unfinished.discard(name)
        self.idle()

    def _outcome(self, rollout: _Rollout, name: str, sync: str | None, message: str | None) -> tuple[str, str] | None:
        """An app's operation phase and message from how its sync ended (`sync` None: it never finished);
        None when the operation stays recorded because the rollout was stopped for something else."""
        with self._lock:
            was_terminated = name in rollout.terminated
        if was_terminated:
            return OperationPhase.FAILED, OPERATION_TERMINATED
        if rollout.cancel.is_set() and sync != SyncStatus.SYNCED:
            return None
        if sync is None:
            return OperationPhase.FAILED, f"the rollout stopped before this app: {message}"
        if sync == SyncStatus.FAILED:
            return OperationPhase.FAILED, message or "one or more objects failed to apply"
        return OperationPhase.SUCCEEDED, "successfully synced (all tasks run)"

    def _begin(self, operation: PendingOperation, now: datetime.datetime) -> dict[str, Any] | None:
        """The operation's state as it starts (recorded), or None when it is not due yet: a retry still in its
        backoff, for which a wake-up is scheduled."""
        current = (operation.application.get("status") or {}).get("operationState") or {}
        running = current.get("phase") in (OperationPhase.RUNNING, OperationPhase.TERMINATING)
        if running and current.get("finishedAt"):  # a failed attempt waiting for its retry
            resumed, left = resume_retry(current, now)
            if resumed is None:
                self.wake_after(left)
                return None
        elif current.get("phase") == OperationPhase.TERMINATING:  # terminated while no controller ran it
            final = terminated(current, now)
            self._patch(operation, {"operation": None, "status": {"operationState": final}})
            return None
        elif running and current.get("startedAt"):
            return dict(current)  # interrupted by a restart: resumed as it was, keeping when it began
        else:
            resumed = running_state(operation.application["operation"], now)
        return resumed if self._patch(operation, {"status": {"operationState": resumed}}) else None

    def _finish(
        self,
        state: TreeState,
        operation: PendingOperation,
        begun: dict[str, Any],
        phase: str,
        message: str,
        resources: Sequence[dict[str, Any]],
    ) -> None:
        node = state.nodes.get(operation.name)
        revisions = _pinned(operation, state) or [
            r for r in (state.revisions_of(node) if node is not None else ()) if r
        ]
        sources = source_summaries(node) if node is not None else []
        now = datetime.datetime.now(datetime.UTC)
        if len(sources) > 1:
            final = completed_state(begun, phase, message, resources, now=now, revisions=revisions, sources=sources)
        else:
            revision = revisions[0] if revisions else ""
            source = sources[0] if sources else None
            final = completed_state(begun, phase, message, resources, now=now, revision=revision, source=source)
        if message != OPERATION_TERMINATED:  # a terminated operation is never retried
            retrying, wait = retry_state(final, now)
            if wait is not None:
                self._patch(operation, {"status": {"operationState": retrying}})
                self.log(f"{operation.name}: {retrying.get('message')}")
                self.wake_after(wait)
                return
            final = retrying
        live_status = operation.application.get("status") or {}
        limit = (operation.application.get("spec") or {}).get("revisionHistoryLimit")
        history = history_after(
            live_status.get("history") or [],
            final,
            now,
            limit if isinstance(limit, int) and not isinstance(limit, bool) else REVISION_HISTORY_LIMIT,
        )
        revision = ", ".join(revisions) or "HEAD"
        if self._patch(operation, {"operation": None, "status": {"operationState": final, "history": history}}):
            self.log(f"{operation.name}: sync operation to {revision or 'HEAD'} {phase.lower()}: {message}")
        self.finished(operation.name)

    def _patch(self, operation: PendingOperation, body: Mapping[str, Any]) -> bool:
        try:
            self.client.patch(
                ARGO_API_VERSION, APPLICATION, operation.name, copy.deepcopy(dict(body)), namespace=operation.namespace
            )
        except KubeError as err:
            self.log(f"{operation.name}: recording its operation failed: {err.message}")
            return False
        return True


def _pinned(operation: PendingOperation, state: TreeState) -> list[str] | None:
    """The revisions an operation asks for when they are not what the app's sources track now (a rollback,
    or a sync to a given revision): the app is rendered at those instead. None: the tree's own render."""
    node = state.nodes.get(operation.name)
    sync = operation.sync
    asked = [str(r) for r in sync.get("revisions") or []] or ([str(sync["revision"])] if sync.get("revision") else [])
    if node is None or node.app is None or not asked:
        return None
    tracked = [source.target_revision for source in node.app.sources]
    if asked in (list(state.revisions_of(node)), list(node.revisions), tracked):
        return None
    return asked


def _selected(operation: PendingOperation) -> list[ResourceSelector]:
    """The resources a selective operation names (the API's `resources`, a self-heal's drifted objects)."""
    out = []
    for item in operation.sync.get("resources") or []:
        if isinstance(item, dict) and item.get("kind") and item.get("name"):
            out.append(
                ResourceSelector(
                    str(item.get("group") or ""),
                    str(item["kind"]),
                    str(item["name"]),
                    str(item.get("namespace") or ""),
                )
            )
    return out
