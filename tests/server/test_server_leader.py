"""Leader election over a `coordination.k8s.io/v1` Lease, against the simulated cluster over real HTTP.

One attempt at a time on a manual clock for the rules (who may take the Lease, when, and what it then says),
real threads on short durations for what a user of two replicas observes: one leader, a takeover within the
Lease's duration when it dies, at once when it shuts down, and never two leaders, even when writers race."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from wavecd.core import ManualClock, UserInputError
from wavecd.kube import KubeClient, KubeConnectionError
from wavecd.server.leader import LeaderElector, lease_name, micro_time

LEASE = "wavecd-controller-shard-0"
MICRO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\Z")
# Short timings for the threaded tests: client-go's 15/10/2 s scaled down.
FAST = {"lease_duration": 2, "renew_deadline": 1.0, "retry_period": 0.2}


@pytest.fixture
def clients(kubeconfig):
    """One KubeClient per replica, as separate processes would have."""
    made: list[KubeClient] = []

    def make() -> KubeClient:
        made.append(KubeClient.from_kubeconfig(str(kubeconfig)))
        return made[-1]

    yield make
    for client in made:
        client.close()


def lease_spec(kube):
    return kube.get("coordination.k8s.io/v1", "Lease", LEASE, "argocd")["spec"]


def manual(client, identity, clock, **timing):
    return LeaderElector(client, LEASE, identity=identity, clock=clock, **timing)


class Cuttable:
    """A replica's connection that the test can cut, as a network partition would."""

    def __init__(self, client: KubeClient):
        self.client = client
        self.cut = threading.Event()

    def _reach(self):
        if self.cut.is_set():
            raise KubeConnectionError("cannot reach the Kubernetes API at the sim (cut by the test)")

    def get(self, *args, **kwargs):
        self._reach()
        return self.client.get(*args, **kwargs)

    def create(self, obj):
        self._reach()
        return self.client.create(obj)

    def replace(self, obj):
        self._reach()
        return self.client.replace(obj)

    def watch(self, *args, **kwargs):
        self._reach()
        return self.client.watch(*args, **kwargs)


class Recorder:
    """When each replica started and stopped leading (monotonic seconds), from its callbacks."""

    def __init__(self):
        self.events: list[tuple[str, str, float]] = []
        self.lock = threading.Lock()

    def callbacks(self, who):
        def started():
            with self.lock:
                self.events.append((who, "started", time.monotonic()))

        def stopped():
            with self.lock:
                self.events.append((who, "stopped", time.monotonic()))

        return {"on_started_leading": started, "on_stopped_leading": stopped}

    def first(self, who, what):
        with self.lock:
            return next((t for w, e, t in self.events if (w, e) == (who, what)), None)

    def of(self, who):
        with self.lock:
            return [e for w, e, _ in self.events if w == who]


def wait_for(condition, timeout, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


class NeverTwo:
    """Samples both replicas' `is_leader` until stopped; counts the samples where both said yes."""

    def __init__(self, *electors):
        self.electors = electors
        self.both = 0
        self.samples = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self):
        while not self.stop.is_set():
            self.samples += 1
            if sum(e.is_leader for e in self.electors) > 1:
                self.both += 1
            time.sleep(0.005)

    def finish(self):
        self.stop.set()
        self.thread.join()
        return self.both


# -- the rules, one attempt at a time ----------------------------------------------------------------------------


def test_the_lease_names_and_micro_time():
    assert lease_name(0) == "wavecd-controller-shard-0"
    assert lease_name(3) == "wavecd-controller-shard-3"
    moment = datetime(2006, 1, 2, 15, 4, 5, 123, tzinfo=UTC)
    assert micro_time(moment) == "2006-01-02T15:04:05.000123Z"
    assert micro_time(moment.astimezone(timezone(timedelta(hours=-7)))) == "2006-01-02T15:04:05.000123Z"


def test_the_first_candidate_creates_the_lease(clients, kube):
    clock = ManualClock()
    a = manual(clients(), "a", clock)
    assert a.try_acquire_or_renew()
    lease = kube.get("coordination.k8s.io/v1", "Lease", LEASE, "argocd")
    assert lease["metadata"]["namespace"] == "argocd"  # the controller's namespace by default
    spec = lease["spec"]
    assert spec["holderIdentity"] == "a"
    assert spec["leaseDurationSeconds"] == 15
    assert spec["leaseTransitions"] == 0
    assert MICRO_TIME.match(spec["acquireTime"]) and MICRO_TIME.match(spec["renewTime"])
    written = datetime.strptime(spec["renewTime"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - written) < timedelta(minutes=1)


def test_a_renewal_moves_renew_time_only(clients, kube):
    clock = ManualClock()
    a = manual(clients(), "a", clock)
    assert a.try_acquire_or_renew()
    before = lease_spec(kube)
    time.sleep(0.002)  # MicroTime has microseconds: make sure the wall clock moved
    clock.advance(2)
    assert a.try_acquire_or_renew()
    after = lease_spec(kube)
    assert after["holderIdentity"] == "a"
    assert after["acquireTime"] == before["acquireTime"]
    assert after["leaseTransitions"] == 0
    assert after["renewTime"] > before["renewTime"]


def test_a_held_lease_is_taken_only_after_it_has_stood_still_for_its_duration(clients, kube):
    clock = ManualClock()
    a, b = manual(clients(), "a", clock), manual(clients(), "b", clock)
    assert a.try_acquire_or_renew()
    assert not b.try_acquire_or_renew()  # b sees the Lease first now: it is valid for 15 s from here
    clock.advance(10)
    assert a.try_acquire_or_renew()  # a renews; b's 15 s start again when b sees the change
    clock.advance(5)
    assert not b.try_acquire_or_renew()
    clock.advance(14.9)
    assert not b.try_acquire_or_renew()
    assert lease_spec(kube)["holderIdentity"] == "a"
    clock.advance(0.2)  # a stopped renewing 15.1 s ago by b's watch
    assert b.try_acquire_or_renew()
    spec = lease_spec(kube)
    assert spec["holderIdentity"] == "b"
    assert spec["leaseTransitions"] == 1
    assert spec["acquireTime"] == spec["renewTime"]
    # a comes back: the Lease is b's now, and a may not take it while b renews.
    assert not a.try_acquire_or_renew()


def test_a_renewal_the_watch_delivers_restarts_the_count_when_it_lands(clients, kube):
    # The standby's count runs from when it saw the last change: through the watch, that is when the renewal
    # landed, not at its next poll (which would count from later and take over later).
    clock = ManualClock()
    a, b = manual(clients(), "a", clock), manual(clients(), "b", clock)
    assert a.try_acquire_or_renew()
    assert not b.try_acquire_or_renew()
    assert b.expires_in() == 15
    clock.advance(10)
    assert a.try_acquire_or_renew()
    b.observe(kube.get("coordination.k8s.io/v1", "Lease", LEASE, "argocd"))  # as the watch delivers it
    assert b.expires_in() == 15
    clock.advance(3)
    assert not b.try_acquire_or_renew()  # the poll reads what the watch saw: the count goes on from t=10
    assert b.expires_in() == 12
    clock.advance(12)  # t=25: a's renewal at t=10 has stood still for 15 s
    assert b.try_acquire_or_renew()
    assert lease_spec(kube)["holderIdentity"] == "b"


def test_a_stale_event_only_ever_delays_a_takeover(clients, kube):
    # The watch may deliver an older version after a read saw a newer one: any change restarts the count, so
    # the worst a late event does is postpone the takeover, and a stale "released" never lets b take a Lease
    # that a read shows held.
    clock = ManualClock()
    a, b = manual(clients(), "a", clock), manual(clients(), "b", clock)
    assert a.try_acquire_or_renew()
    held = kube.get("coordination.k8s.io/v1", "Lease", LEASE, "argocd")
    assert not b.try_acquire_or_renew()
    clock.advance(14)
    b.observe({**held, "spec": {**held["spec"], "holderIdentity": ""}})  # an old "released" arrives late
    assert b.expires_in() == 0  # it wakes b for a try ...
    assert not b.try_acquire_or_renew()  # ... whose read shows a's Lease, seen changed just now: 15 s again
    assert b.expires_in() == 15
    assert lease_spec(kube)["holderIdentity"] == "a"


def test_a_leader_that_cannot_renew_stops_leading_before_anyone_may_take_over(clients, kube):
    # a leads in its thread (renewing every 8 s of real time, so not during this test); the times that matter
    # are on the manual clock: a stops writing at its renew deadline, 5 s before b may take the Lease.
    clock = ManualClock()
    reach = Cuttable(clients())
    a = LeaderElector(reach, LEASE, identity="a", clock=clock, retry_period=8.0)
    b = manual(clients(), "b", clock)
    a.start()
    try:
        assert wait_for(lambda: a.is_leader, 5)
        assert not b.try_acquire_or_renew()  # b sees a's Lease at t=0
        reach.cut.set()
        clock.advance(9.9)
        assert a.is_leader  # within its renew deadline (10 s) it may still write
        clock.advance(0.1)
        assert not a.is_leader  # t=10: it stops writing ...
        clock.advance(4.9)
        assert not b.try_acquire_or_renew()  # ... while b may not take the Lease before t=15 by its count
        assert lease_spec(kube)["holderIdentity"] == "a"
        clock.advance(0.2)
        assert b.try_acquire_or_renew()
        assert not a.is_leader
    finally:
        a.stop(release=False)


def test_expiry_counts_from_when_the_candidate_saw_the_lease_not_from_renew_time(clients, kube):
    # A Lease whose renewTime is years old, found by a candidate that just started: it cannot tell a dead
    # holder from a holder whose clock is wrong, so it waits the Lease's duration, as client-go does.
    kube.create(
        {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": LEASE, "namespace": "argocd"},
            "spec": {
                "holderIdentity": "old",
                "leaseDurationSeconds": 30,
                "acquireTime": "2001-01-01T00:00:00.000000Z",
                "renewTime": "2001-01-01T00:00:00.000000Z",
                "leaseTransitions": 4,
            },
        }
    )
    clock = ManualClock()
    b = manual(clients(), "b", clock)
    assert not b.try_acquire_or_renew()
    clock.advance(29)
    assert not b.try_acquire_or_renew()  # the holder's own 30 s count, not b's 15
    clock.advance(1.5)
    assert b.try_acquire_or_renew()
    assert lease_spec(kube)["leaseTransitions"] == 5


def test_a_lease_without_a_duration_counts_as_expired(clients, kube):
    kube.create(
        {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": LEASE, "namespace": "argocd", "labels": {"team": "ops"}},
            "spec": {"holderIdentity": "someone", "leaseDurationSeconds": "soon", "leaseTransitions": "many"},
        }
    )
    b = manual(clients(), "b", ManualClock())
    assert b.try_acquire_or_renew()
    lease = kube.get("coordination.k8s.io/v1", "Lease", LEASE, "argocd")
    assert lease["spec"]["holderIdentity"] == "b"
    assert lease["spec"]["leaseTransitions"] == 1
    assert lease["metadata"]["labels"] == {"team": "ops"}  # what others put on the Lease stays


def test_a_candidate_that_cannot_reach_the_api_does_not_lead(clients):
    reach = Cuttable(clients())
    reach.cut.set()
    a = manual(reach, "a", ManualClock())
    assert not a.try_acquire_or_renew()
    reach.cut.clear()
    assert a.try_acquire_or_renew()


def test_a_missing_namespace_is_logged_once_and_the_lease_taken_once_it_exists(clients, kube):
    # On a cluster without the controller's namespace, the replica stands by and says why, once, rather than
    # crashing or retrying in silence; it leads as soon as someone creates the namespace.
    lines: list[str] = []
    a = LeaderElector(clients(), LEASE, "wavecd-system", identity="a", clock=ManualClock(), log=lines.append)
    assert not a.try_acquire_or_renew()
    assert not a.try_acquire_or_renew()
    assert lines == [
        f'leader election: lease wavecd-system/{LEASE}: namespaces "wavecd-system" not found; trying again'
    ]
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "wavecd-system"}})
    assert a.try_acquire_or_renew()
    assert kube.get("coordination.k8s.io/v1", "Lease", LEASE, "wavecd-system")["spec"]["holderIdentity"] == "a"
    assert len(lines) == 1


def test_racing_writers_never_both_win(clients, kube):
    # Candidates that read the same released Lease and write at once: the API takes one write and answers
    # the others 409 Conflict (a stale resourceVersion), so exactly one of them leads, every time.
    clock = ManualClock()
    candidates = [manual(clients(), name, clock) for name in ("a", "b", "c")]
    assert candidates[0].try_acquire_or_renew()
    for round_ in range(60):
        lease = kube.get("coordination.k8s.io/v1", "Lease", LEASE, "argocd")
        lease["spec"]["holderIdentity"] = ""  # released: anyone may take it now
        kube.replace(lease)
        start = threading.Barrier(len(candidates))
        won: dict[str, bool] = {}

        def race(elector, name, start, won):
            start.wait()
            won[name] = elector.try_acquire_or_renew()

        threads = [
            threading.Thread(target=race, args=(e, n, start, won)) for e, n in zip(candidates, "abc", strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        winners = [name for name, ok in won.items() if ok]
        assert len(winners) == 1, (round_, won)
        assert lease_spec(kube)["holderIdentity"] == winners[0]
        assert lease_spec(kube)["leaseTransitions"] == round_ + 1


@pytest.mark.parametrize(
    ("timing", "message"),
    [
        ({"lease_duration": 0}, "the lease duration must be a whole number of seconds, at least 1, got 0"),
        ({"lease_duration": 1.5}, "the lease duration must be a whole number of seconds, at least 1, got 1.5"),
        (
            {"lease_duration": 10, "renew_deadline": 10},
            "the renew deadline (10s) must be positive and shorter than the lease duration (10s)",
        ),
        (
            {"renew_deadline": 2.0, "retry_period": 2.0},
            "the retry period (2.0s) must be positive, and 1.2 times it shorter than the renew deadline (2.0s)",
        ),
        (
            {"retry_period": 0},
            "the retry period (0s) must be positive, and 1.2 times it shorter than the renew deadline (10.0s)",
        ),
    ],
)
def test_timings_that_could_elect_two_leaders_are_refused(kube, timing, message):
    with pytest.raises(UserInputError) as caught:
        LeaderElector(kube, LEASE, identity="a", **timing)
    assert caught.value.message == message


def test_an_identity_is_required(kube):
    with pytest.raises(UserInputError, match="needs an identity"):
        LeaderElector(kube, LEASE, identity="")


# -- two replicas, real threads ----------------------------------------------------------------------------------


def start_pair(clients, recorder, a_client=None):
    a = LeaderElector(a_client or clients(), LEASE, identity="a", **FAST, **recorder.callbacks("a"))
    b = LeaderElector(clients(), LEASE, identity="b", **FAST, **recorder.callbacks("b"))
    a.start()
    assert wait_for(lambda: a.is_leader, 5)  # a first, so the test knows who leads
    b.start()
    return a, b


def test_two_replicas_elect_exactly_one_leader(clients, kube):
    recorder = Recorder()
    a, b = start_pair(clients, recorder)
    watch = NeverTwo(a, b)
    time.sleep(1.5)  # several renewals, and several tries by b
    both = watch.finish()
    try:
        assert both == 0 and watch.samples > 50
        assert a.is_leader and not b.is_leader
        assert lease_spec(kube)["holderIdentity"] == "a"
        assert lease_spec(kube)["leaseDurationSeconds"] == 2
        assert recorder.of("a") == ["started"] and recorder.of("b") == []
    finally:
        a.stop()
        b.stop()
    assert recorder.of("a") == ["started", "stopped"]


def test_a_leader_that_shuts_down_hands_over_at_once(clients, kube):
    recorder = Recorder()
    a, b = start_pair(clients, recorder)
    try:
        stopped = time.monotonic()
        a.stop()  # releases the Lease
        assert not a.is_leader
        assert wait_for(lambda: b.is_leader, 3)
        took = recorder.first("b", "started") - stopped
        # b's next try (0.2 s, jittered up to 0.44 s) takes it; nowhere near the 2 s the Lease runs for.
        assert took < 1.5, took
        spec = lease_spec(kube)
        assert spec["holderIdentity"] == "b"
        assert spec["leaseTransitions"] == 1
    finally:
        b.stop()
    assert lease_spec(kube)["holderIdentity"] == ""  # b released it too


def test_a_standby_sees_each_renewal_through_its_watch_before_its_next_poll(clients):
    clock = ManualClock()
    a = manual(clients(), "a", clock)
    assert a.try_acquire_or_renew()
    b = LeaderElector(clients(), LEASE, identity="b", clock=clock)  # polls every 2-4.4 s of real time
    b.start()
    try:
        assert wait_for(lambda: b.expires_in() == 15, 2)
        clock.advance(10)
        assert b.expires_in() == 5
        assert a.try_acquire_or_renew()
        renewed = time.monotonic()
        assert wait_for(lambda: b.expires_in() == 15, 2)  # the count restarted when the renewal landed
        assert time.monotonic() - renewed < 1.0  # well before b's next read of the Lease
    finally:
        b.stop()


@pytest.mark.slow
def test_a_leader_that_dies_is_replaced_within_the_lease_duration(clients, kube):
    # A standby that only polled every 1-2.2 s would see the last renewal up to 2.2 s late and notice the
    # expiry up to 2.2 s late again: up to ~4.4 s past the 2 s duration. Watching the Lease and waking at
    # the expiry, it takes over 2 s after the last renewal, plus a few milliseconds of requests.
    recorder = Recorder()
    timing = {"lease_duration": 2, "renew_deadline": 1.5, "retry_period": 1.0}
    a = LeaderElector(clients(), LEASE, identity="a", **timing, **recorder.callbacks("a"))
    b = LeaderElector(clients(), LEASE, identity="b", **timing, **recorder.callbacks("b"))
    a.start()
    assert wait_for(lambda: a.is_leader, 5)
    b.start()
    try:
        time.sleep(2.5)  # a renews a few times, b watches it and polls
        assert not b.is_leader
        died = time.monotonic()
        a.stop(release=False)  # as SIGKILL would: the Lease keeps naming a until it expires
        assert lease_spec(kube)["holderIdentity"] == "a"
        assert wait_for(lambda: b.is_leader, 6)
        took = recorder.first("b", "started") - died
        # Not before the Lease has stood still for its 2 s (a renewed at most 1 s before dying), and within
        # those 2 s of a's death, give or take the requests' latency on a loaded machine.
        assert 1.0 <= took <= 2.0 + 0.3, took
        assert lease_spec(kube)["holderIdentity"] == "b"
    finally:
        b.stop()


@pytest.mark.slow
def test_a_cut_off_leader_steps_down_before_the_other_takes_over(clients, kube):
    recorder = Recorder()
    reach = Cuttable(clients())
    a, b = start_pair(clients, recorder, a_client=reach)
    watch = NeverTwo(a, b)
    try:
        time.sleep(0.3)
        cut = time.monotonic()
        reach.cut.set()  # a keeps running but can no longer renew
        assert wait_for(lambda: b.is_leader, 6)
        both = watch.finish()
        a_stopped, b_started = recorder.first("a", "stopped"), recorder.first("b", "started")
        assert a_stopped is not None and b_started is not None
        assert a_stopped < b_started
        assert a_stopped - cut <= 1.0 + 0.2 + 0.5  # the renew deadline, one more try, slack
        assert both == 0
        assert not a.is_leader
        reach.cut.clear()  # a comes back and sees b renewing: it stays a standby
        time.sleep(0.6)
        assert b.is_leader and not a.is_leader
        assert recorder.of("a") == ["started", "stopped"]
    finally:
        watch.finish()
        a.stop()
        b.stop()
