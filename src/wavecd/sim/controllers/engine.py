"""The reconcile loop that drives the simulated controllers on a `Clock`.

Every committed write enqueues the object (and its owners) for reconciliation; a reconciler that waits for a
delay asks to be called again at a clock time. A background thread runs whatever is due; `settle()` runs it in
the caller's thread until nothing is due, which is what tests on a `ManualClock` use after `advance()`.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass

from wavecd.core.clock import Clock
from wavecd.sim.api import Api
from wavecd.sim.apierrors import ApiError
from wavecd.sim.registry import Kind
from wavecd.sim.timing import Rules, Timing

ObjKey = tuple[str, str, str, str]  # group, plural, namespace, name
CONTROLLER = "kube-controller-manager"
KUBELET = "kubelet"
MAX_STEPS = 10_000


@dataclass
class Context:
    """What a reconciler gets: the API, the current clock time, and scheduling helpers."""

    engine: Engine
    now: float

    @property
    def api(self) -> Api:
        return self.engine.api

    @property
    def rules(self) -> Rules:
        return self.engine.rules

    def kind(self, api_version: str, kind: str) -> Kind | None:
        return self.api.registry.for_api_version(api_version, kind)

    def core(self, plural: str) -> Kind:
        kind = self.api.registry.by_plural("", "v1", plural)
        assert kind is not None
        return kind

    def since(self, obj: dict) -> float:
        """Clock time at which the controller first saw the object's current generation."""
        meta = obj.get("metadata") or {}
        return self.engine.first_seen((meta.get("uid", ""), meta.get("generation", 0)), self.now)

    def timing(self, kind: Kind, obj: dict) -> Timing:
        return self.rules.timing(kind.group, kind.kind, obj)

    def recheck(self, kind: Kind, obj: dict, at: float) -> None:
        meta = obj.get("metadata") or {}
        self.engine.schedule(at, (kind.group, kind.plural, meta.get("namespace", ""), meta.get("name", "")))


Reconciler = Callable[[Context, Kind, dict], None]


class Engine:
    def __init__(self, api: Api, clock: Clock, rules: Rules):
        self.api = api
        self.clock = clock
        self.rules = rules
        self.reconcilers: dict[tuple[str, str], Reconciler] = {}
        self.fallback: list[Callable[[Context, Kind, dict], bool]] = []  # tried for kinds without a reconciler
        self.on_delete: list[Callable[[Context, Kind, dict], None]] = []
        # (group, kind) written -> (group, plural) of objects in the same namespace that depend on it
        # without an ownerReference (a PodDisruptionBudget counts pods by selector)
        self.related: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._run_lock = threading.RLock()
        self._queue_lock = threading.Lock()
        self._dirty: dict[ObjKey, None] = {}
        self._deleted: list[tuple[Kind, dict]] = []
        self._timers: list[tuple[float, int, ObjKey]] = []
        self._seq = itertools.count()
        self._seen: dict[str, tuple[int, float]] = {}  # uid -> (generation, clock time first seen)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self.errors: list[Exception] = []  # unexpected failures of the background loop
        # A reconcile whose write was refused runs again at once (0), or this many seconds later when the
        # controllers drive another API server (`wavecd.simdrive`).
        self.retry_after = 0.0
        api.listeners.append(self._on_write)

    # -- queueing (called under the store lock: must stay cheap and take no other lock than the queue's) ------
    def _on_write(self, kind: Kind, event: str, obj: dict) -> None:
        meta = obj.get("metadata") or {}
        with self._queue_lock:
            if event == "DELETED":
                self._seen.pop(meta.get("uid", ""), None)
            else:
                self._note((meta.get("uid", ""), meta.get("generation", 0)), self.clock.now())
            if event == "DELETED":
                self._deleted.append((kind, obj))
            else:
                self._dirty[(kind.group, kind.plural, meta.get("namespace", ""), meta.get("name", ""))] = None
            namespace = meta.get("namespace", "")
            for group, plural in self.related.get((kind.group, kind.kind), ()):
                for name in self.api.store.names(group, plural, namespace):
                    self._dirty[(group, plural, namespace, name)] = None
            for ref in meta.get("ownerReferences") or []:
                owner = self.api.registry.for_api_version(ref.get("apiVersion", ""), ref.get("kind", ""))
                if owner is not None:
                    ns = meta.get("namespace", "") if owner.namespaced else ""
                    self._dirty[(owner.group, owner.plural, ns, ref.get("name", ""))] = None
        self._wake.set()

    def enqueue(self, key: ObjKey) -> None:
        with self._queue_lock:
            self._dirty[key] = None
        self._wake.set()

    def schedule(self, at: float, key: ObjKey) -> None:
        with self._queue_lock:
            heapq.heappush(self._timers, (at, next(self._seq), key))

    def _note(self, identity: tuple[str, int], now: float) -> float:
        uid, generation = identity
        seen = self._seen.get(uid)
        if seen is None or seen[0] != generation:
            seen = self._seen[uid] = (generation, now)
        return seen[1]

    def first_seen(self, identity: tuple[str, int], now: float) -> float:
        with self._queue_lock:
            return self._note(identity, now)

    def enqueue_all(self) -> None:
        """Reconcile every stored object (after a restart, or when a new reconciler matters)."""
        for key in self.api.store.all_keys():
            self.enqueue(key)

    # -- running ---------------------------------------------------------------------------------------------------
    def _take(self, now: float) -> tuple[list[tuple[Kind, dict]], list[ObjKey]]:
        with self._queue_lock:
            while self._timers and self._timers[0][0] <= now:
                _, _, key = heapq.heappop(self._timers)
                self._dirty[key] = None
            deleted, self._deleted = self._deleted, []
            keys = list(self._dirty)
            self._dirty.clear()
            return deleted, keys

    def settle(self) -> int:
        """Run everything due at the clock's current time until nothing is; returns how many steps ran."""
        steps = 0
        with self._run_lock:
            while steps < MAX_STEPS:
                now = self.clock.now()
                deleted, keys = self._take(now)
                if not deleted and not keys:
                    return steps
                ctx = Context(self, now)
                for kind, obj in deleted:
                    for handler in self.on_delete:
                        handler(ctx, kind, obj)
                    steps += 1
                for key in keys:
                    self._reconcile(ctx, key)
                    steps += 1
        return steps

    def _reconcile(self, ctx: Context, key: ObjKey) -> None:
        group, plural, namespace, name = key
        kind = self.api.registry.by_resource(group, plural)
        if kind is None:
            return
        obj = self.api.find(kind, namespace or None, name)
        if obj is None:
            return
        try:
            reconciler = self.reconcilers.get((kind.group, kind.kind))
            if reconciler is not None:
                reconciler(ctx, kind, obj)
                return
            for candidate in self.fallback:
                if candidate(ctx, kind, obj):
                    return
        except ApiError:
            if self.retry_after <= 0:
                self.enqueue(key)  # raced with another writer: try again with fresh state
                return
            # Another API server may refuse a write for good (a validation the sim does not make): retrying
            # at once would spin, so try later.
            self.schedule(ctx.now + self.retry_after, key)

    def next_due(self) -> float | None:
        with self._queue_lock:
            return self._timers[0][0] if self._timers else None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="wavecd-sim-controllers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.settle()
            except Exception as err:  # keep the cluster alive; tests calling settle() see the error directly
                self.errors.append(err)
            self._wake.wait(timeout=0.02)
            self._wake.clear()
