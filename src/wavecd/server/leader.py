"""One leader among the replicas of a shard, elected through a `coordination.k8s.io/v1` Lease.

Argo CD's application controller has no leader election (a StatefulSet gives each shard one pod); wavecd adds
it so a standby replica of a shard can take over within the Lease's duration when the leader dies. The rules
are client-go's `leaderelection`, so a wavecd Lease reads like any other controller's in `kubectl get lease`:

- a candidate takes the Lease when it is absent, already its own, released (no holder), or expired;
- expiry is judged on this replica's own monotonic clock, from when it last saw the Lease *change*, never by
  comparing the holder's `renewTime` with the local wall clock: replicas' clocks drift apart, and a replica
  whose clock runs ahead would otherwise take a Lease that is still being renewed (client-go's reason too);
- a standby *sees* each change promptly, through a watch on the one Lease, besides its periodic reads (which
  stay, so a watch that stalls costs a later takeover, never an early one), and it tries again exactly when
  the Lease expires by that count rather than at its next poll. client-go's standby only reads the Lease
  every `retry_period` (jittered up to 2.2 times): its view lags the real renewal by up to one poll, and it
  notices expiry only at the poll after, so its takeover came up to two polls (~9 s) past the Lease's
  duration. Here the takeover comes the Lease's duration after the dead leader's last renewal, plus one
  watch delivery and the takeover's own read and write: within the duration of the leader's death, give or
  take those few milliseconds. It is as safe as client-go's rule, whose poll lag was never a margin: the
  count still starts on this replica's clock after the renewal landed, hence after the holder began the
  renewal it counts its own `renew_deadline` from; and a late or repeated event only restarts the count,
  which delays a takeover and never hastens one;
- every write carries the `resourceVersion` it read, so of two candidates racing for one Lease the API
  accepts one and answers the other 409 Conflict: there are never two leaders by the API's account;
- the leader renews every `retry_period`; when it has not renewed for `renew_deadline` (shorter than
  `lease_duration`, so it steps down before anyone may take over) or sees another holder, it stops leading;
- on shutdown the leader releases the Lease (empties `holderIdentity`), so a standby takes over at once
  (its watch wakes it) rather than after the Lease expires.

Leases are named per shard, `wavecd-controller-shard-<i>`, in the controller's namespace.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Protocol

from wavecd.common import ARGOCD_NAMESPACE
from wavecd.core import Clock, RealClock, UserInputError, internal_error
from wavecd.kube import AlreadyExistsError, ConflictError, KubeError

__all__ = [
    "LEASE_API_VERSION",
    "LeaderElector",
    "LeaseClient",
    "LeaseRecord",
    "LeaseWatch",
    "lease_name",
    "micro_time",
]

LEASE_API_VERSION = "coordination.k8s.io/v1"
_LEASE_KIND = "Lease"
# client-go's `JitterFactor`: a candidate waits retry_period times a random factor in [1, 2.2) between tries,
# so standbys started together do not hit the API in step.
_JITTER = 1.2


def lease_name(shard: int) -> str:
    """The Lease the replicas of `shard` compete for."""
    return f"wavecd-controller-shard-{shard}"


def micro_time(moment: datetime) -> str:
    """Kubernetes' `MicroTime` as the API writes it (Go layout `2006-01-02T15:04:05.000000Z07:00`, in UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LeaseWatch(Protocol):
    """A watch stream (`wavecd.kube.Watch`): `(type, object)` events until `stop()`."""

    def __iter__(self) -> Iterator[tuple[str, dict[str, Any]]]: ...

    def stop(self) -> None: ...


class LeaseClient(Protocol):
    """What the elector needs of a cluster: `wavecd.kube.KubeClient` is one."""

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None: ...

    def create(self, obj: Mapping[str, Any]) -> dict[str, Any]: ...

    def replace(self, obj: Mapping[str, Any]) -> dict[str, Any]: ...

    def watch(
        self, api_version: str, kind: str, namespace: str | None = None, *, field_selector: Mapping[str, str]
    ) -> LeaseWatch: ...


@dataclass(frozen=True)
class LeaseRecord:
    """A Lease's `spec`, the part the election reads and writes (client-go's `LeaderElectionRecord`)."""

    holder: str = ""
    lease_duration: int = 0
    acquire_time: str = ""
    renew_time: str = ""
    transitions: int = 0

    @classmethod
    def from_spec(cls, spec: object) -> LeaseRecord:
        """Read leniently: a Lease another program wrote may lack fields or hold odd ones; what cannot be read
        counts as absent, which makes that Lease expired, not a crash."""
        fields = spec if isinstance(spec, Mapping) else {}
        return cls(
            holder=_text(fields.get("holderIdentity")),
            lease_duration=_count(fields.get("leaseDurationSeconds")),
            acquire_time=_text(fields.get("acquireTime")),
            renew_time=_text(fields.get("renewTime")),
            transitions=_count(fields.get("leaseTransitions")),
        )

    def to_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "holderIdentity": self.holder,
            "leaseDurationSeconds": self.lease_duration,
            "leaseTransitions": self.transitions,
        }
        if self.acquire_time:
            spec["acquireTime"] = self.acquire_time
        if self.renew_time:
            spec["renewTime"] = self.renew_time
        return spec


class _Outcome(Enum):
    LEADING = "leading"  # created, taken over or renewed: this replica holds the Lease
    HELD = "held"  # another replica holds a Lease that has not expired
    FAILED = "failed"  # the API refused or could not be reached (a lost race is a 409 Conflict)


class LeaderElector:
    """Competes for one Lease in background threads (`start`, `stop`); `is_leader` says whether this replica
    may act now. The callbacks run on the elector's thread and must return quickly: a slow one delays the
    renewals. Leadership can be lost and won again; the callbacks then alternate. Give it a client whose
    request timeout is at most `renew_deadline`: `is_leader` turns False on time regardless, but a request
    hanging longer delays the callback and `stop`. `log` hears when this replica acquires the Lease, and why
    it cannot (a missing namespace, a refused request): it keeps trying, and says so once, not on each try."""

    def __init__(
        self,
        client: LeaseClient,
        name: str,
        namespace: str = ARGOCD_NAMESPACE,
        *,
        identity: str,
        lease_duration: int = 15,
        renew_deadline: float = 10.0,
        retry_period: float = 2.0,
        clock: Clock | None = None,
        on_started_leading: Callable[[], None] | None = None,
        on_stopped_leading: Callable[[], None] | None = None,
        log: Callable[[str], None] | None = None,
    ):
        _check_timing(identity, lease_duration, renew_deadline, retry_period)
        self._client = client
        self._name = name
        self._namespace = namespace
        self._identity = identity
        self._lease_duration = lease_duration
        self._renew_deadline = renew_deadline
        self._retry_period = retry_period
        self._clock: Clock = clock or RealClock()
        self._on_started = on_started_leading
        self._on_stopped = on_stopped_leading
        self._log = log or (lambda _line: None)
        self._failure = ""  # the last failure logged, so a replica retrying every few seconds says it once
        self._random = random.Random()
        # What this replica last saw of the Lease and when (its clock), from its own tries and from the watch.
        self._seen_lock = threading.Lock()
        self._observed: LeaseRecord | None = None
        self._observed_at = 0.0
        self._leading = False
        self._renewed_at = 0.0
        self._stopping = threading.Event()
        self._wake = threading.Event()  # a standby's wait ends early: stopping, or the Lease was let go
        self._release_on_stop = True
        self._thread: threading.Thread | None = None
        self._watcher: threading.Thread | None = None
        self._watch: LeaseWatch | None = None

    @property
    def is_leader(self) -> bool:
        """True while this replica leads and its last renewal is younger than `renew_deadline`: it turns False
        by itself when renewals stall (a request hanging on a cut network), before any other replica may take
        the Lease, even if the elector's thread has not noticed yet."""
        return self._leading and self._clock.now() - self._renewed_at < self._renew_deadline

    def start(self) -> None:
        """Begin competing, in a daemon thread, and watching the Lease, in another."""
        if self._thread is not None:
            raise RuntimeError("a LeaderElector is started once")
        self._thread = threading.Thread(target=self._run, name=f"wavecd-leader-{self._name}", daemon=True)
        self._watcher = threading.Thread(target=self._follow, name=f"wavecd-lease-watch-{self._name}", daemon=True)
        self._watcher.start()
        self._thread.start()

    def stop(self, *, release: bool = True) -> None:
        """Stop competing and wait for the threads. A leader stops leading (`on_stopped_leading`) and then, with
        `release`, hands the Lease over at once; `release=False` leaves it to expire, as a crash would."""
        self._release_on_stop = release
        self._stopping.set()
        self._wake.set()
        watch = self._watch
        if watch is not None:
            watch.stop()
        if self._thread is not None:
            self._thread.join()
        if self._watcher is not None:
            # Bounded: a watch still connecting to an unreachable API cannot be interrupted, and holds nothing.
            self._watcher.join(timeout=self._renew_deadline)

    def try_acquire_or_renew(self) -> bool:
        """One attempt at taking or renewing the Lease; True when this replica holds it afterwards."""
        return self._attempt() is _Outcome.LEADING

    def observe(self, lease: Mapping[str, Any] | None) -> None:
        """Note the Lease as a read or the watch delivered it (None: there is none). Only a *change* restarts
        the count of its duration, from now on this replica's clock: the holder's own stamps are never read
        as times. A Lease that was let go (deleted, or released with no holder) wakes a waiting standby."""
        current = LeaseRecord.from_spec(lease.get("spec")) if lease is not None else None
        self._see(current)
        if current is None or not current.holder:
            self._wake.set()

    def _see(self, record: LeaseRecord | None) -> float:
        """Record `record` as seen now unless it is what was last seen; when its count started."""
        with self._seen_lock:
            if record != self._observed:
                self._observed, self._observed_at = record, self._clock.now()
            return self._observed_at

    def expires_in(self) -> float:
        """Seconds until the Lease another replica holds expires by this replica's count; 0 when it may be
        taken now (absent, released, already expired, or this replica's own)."""
        with self._seen_lock:
            seen, at = self._observed, self._observed_at
        if seen is None or not seen.holder or seen.holder == self._identity:
            return 0.0
        return max(0.0, at + seen.lease_duration - self._clock.now())

    # -- the election ------------------------------------------------------------------------------------------------
    def _attempt(self) -> _Outcome:
        now = self._clock.now()
        stamp = micro_time(datetime.now(UTC))
        try:
            lease = self._client.get(LEASE_API_VERSION, _LEASE_KIND, self._name, self._namespace)
            if lease is None:
                record = LeaseRecord(self._identity, self._lease_duration, stamp, stamp, 0)
                self._client.create(self._lease(record, None))
                return self._took(record, now)
            current = LeaseRecord.from_spec(lease.get("spec"))
            # Seen after the read returned, as client-go times it (the change may have landed just before), and
            # judged on this very record: the watch may deliver another, older one meanwhile.
            seen_at = self._see(current)
            mine = current.holder == self._identity
            if current.holder and not mine and self._clock.now() < seen_at + current.lease_duration:
                return _Outcome.HELD
            if mine:
                record = replace(current, lease_duration=self._lease_duration, renew_time=stamp)
            else:
                record = LeaseRecord(self._identity, self._lease_duration, stamp, stamp, current.transitions + 1)
            self._client.replace(self._lease(record, lease))
        except (AlreadyExistsError, ConflictError):
            return _Outcome.FAILED  # another candidate wrote first: a lost race, nothing to report
        except KubeError as err:
            self._report_failure(err.message)
            return _Outcome.FAILED
        self._failure = ""
        return self._took(record, now)

    def _report_failure(self, message: str) -> None:
        if message != self._failure:
            self._failure = message
            self._log(f"leader election: lease {self._namespace}/{self._name}: {message}; trying again")

    def _took(self, record: LeaseRecord, attempted_at: float) -> _Outcome:
        # Timed from before the request: the others' expiry runs from when they see the write, which is later.
        with self._seen_lock:
            self._observed, self._observed_at = record, attempted_at
        self._renewed_at = attempted_at
        return _Outcome.LEADING

    def _lease(self, record: LeaseRecord, current: Mapping[str, Any] | None) -> dict[str, Any]:
        """The Lease to write: with the `resourceVersion` that was read, so a write racing another is refused."""
        metadata: dict[str, Any] = {"name": self._name, "namespace": self._namespace}
        if current is not None:
            old = current.get("metadata") or {}
            metadata["resourceVersion"] = old.get("resourceVersion")
            for key in ("labels", "annotations"):
                if old.get(key):
                    metadata[key] = old[key]
        return {"apiVersion": LEASE_API_VERSION, "kind": _LEASE_KIND, "metadata": metadata, "spec": record.to_spec()}

    def _release(self) -> None:
        """Give the Lease up if this replica still holds it: no holder, so a standby takes it at once (its watch
        wakes it; client-go writes a one-second duration too, which we keep for tools that read it)."""
        try:
            lease = self._client.get(LEASE_API_VERSION, _LEASE_KIND, self._name, self._namespace)
            current = LeaseRecord.from_spec(lease.get("spec")) if lease is not None else None
            if current is None or current.holder != self._identity:
                return
            stamp = micro_time(datetime.now(UTC))
            released = LeaseRecord("", 1, stamp, stamp, current.transitions)
            self._client.replace(self._lease(released, lease))
        except KubeError:
            return  # it expires on its own; nothing more a stopping replica can do

    # -- the thread --------------------------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                self._wake.clear()  # a release the watch sees from here on ends the wait below
                outcome = self._attempt()
                if outcome is _Outcome.LEADING:
                    self._lead()
                pause = self._retry_period * (1 + self._random.random() * _JITTER)
                if outcome is _Outcome.HELD:
                    # Try again the moment the holder's Lease expires by this replica's count, not a poll later.
                    pause = min(pause, self.expires_in())
                self._wake.wait(pause)
        finally:
            was_leading = self._leading
            self._step_down()
            if was_leading and self._release_on_stop:
                self._release()

    def _follow(self) -> None:
        """Watch the one Lease, so each renewal is seen when it lands rather than at the next poll; a watch
        that fails is opened again after `retry_period` (the polls go on meanwhile)."""
        reported = False
        while not self._stopping.is_set():
            try:
                watch = self._client.watch(
                    LEASE_API_VERSION, _LEASE_KIND, self._namespace, field_selector={"metadata.name": self._name}
                )
                self._watch = watch
                if self._stopping.is_set():  # `stop` came before the watch was there to stop
                    return
                for event_type, obj in watch:
                    self.observe(None if event_type == "DELETED" else obj)
            except KubeError:
                pass  # said by the tries, which meet the same cluster; the polls cover the gap
            except Exception as err:  # a bug must not end the watching unsaid; the polls still run, so say it once
                if not reported:
                    reported = True
                    self._log(f"leader election: watching lease {self._namespace}/{self._name}: {internal_error(err)}")
            finally:
                self._watch = None
            self._stopping.wait(self._retry_period)

    def _lead(self) -> None:
        """Renew until the Lease is lost or the elector stops."""
        self._leading = True
        self._log(f"leader election: {self._identity} acquired lease {self._namespace}/{self._name}")
        if self._on_started is not None:
            self._on_started()
        while not self._wait(self._retry_period):
            outcome = self._attempt()
            if outcome is _Outcome.HELD or (
                outcome is _Outcome.FAILED and self._clock.now() - self._renewed_at >= self._renew_deadline
            ):
                self._step_down()
                return

    def _step_down(self) -> None:
        if self._leading:
            self._leading = False
            if self._on_stopped is not None:
                self._on_stopped()

    def _wait(self, seconds: float) -> bool:
        """Wait `seconds` of real time; True when the elector is stopping."""
        return self._stopping.wait(seconds)


def _check_timing(identity: str, lease_duration: int, renew_deadline: float, retry_period: float) -> None:
    """client-go's rules: a leader must give up (renew_deadline) before others may take over (lease_duration),
    and must get more than one jittered try within its deadline."""
    if not identity:
        raise UserInputError("leader election needs an identity for this replica")
    if isinstance(lease_duration, bool) or not isinstance(lease_duration, int) or lease_duration < 1:
        raise UserInputError(f"the lease duration must be a whole number of seconds, at least 1, got {lease_duration}")
    if not 0 < renew_deadline < lease_duration:
        raise UserInputError(
            f"the renew deadline ({renew_deadline}s) must be positive and shorter than the lease duration "
            f"({lease_duration}s)"
        )
    if not 0 < retry_period * _JITTER < renew_deadline:
        raise UserInputError(
            f"the retry period ({retry_period}s) must be positive, and {_JITTER} times it shorter than the renew "
            f"deadline ({renew_deadline}s)"
        )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
