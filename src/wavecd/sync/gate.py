"""The health gate: wait until every object of a step is healthy (or its hook has completed).

gitops-engine's rule (`pkg/sync/sync_context.go` `syncContext.Sync`): a resource passes when it has no
health check or is Healthy, fails when Degraded, and keeps the step waiting otherwise (Progressing,
Suspended, Missing, Unknown). A hook passes when Healthy (or it has no check), fails when Degraded or
Unknown. The gate polls on the sync's clock and reports its blockers each time they change, so a user sees
which object and which condition a wave waits on; for a workload whose pods no node takes, the scheduler's
reason too (`pending_pods`), and the nodes Karpenter launches and that join meanwhile (`provisioning`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wavecd.common import HealthStatus, api_group
from wavecd.health import assess
from wavecd.kube import NoKindMatchError
from wavecd.sync.context import SyncContext
from wavecd.sync.events import WaitingOn
from wavecd.sync.pending_pods import unschedulable_note
from wavecd.sync.watches import Observed


@dataclass(frozen=True)
class Watched:
    """One object a gate waits on. `gone=True` waits for it to disappear (a prune, a deleted hook)."""

    api_version: str
    kind: str
    namespace: str
    name: str
    hook: bool = False
    gone: bool = False
    # The object as the apply answered (and when, on time.monotonic()): if it is Healthy, or no health rule
    # judges its kind, the gate passes it without another read.
    seen: dict[str, Any] | None = field(default=None, compare=False)
    since: float = field(default=0.0, compare=False)

    @property
    def group(self) -> str:
        return api_group(self.api_version)

    def describe(self) -> dict[str, str]:
        return {"group": self.group, "kind": self.kind, "namespace": self.namespace, "name": self.name}


@dataclass(frozen=True)
class GateFailure:
    """Why a gate failed: the object and its condition."""

    blocking: dict[str, str]
    message: str


# Polls a gate waits for a kind's watch to catch up with an apply before it reads the object with a GET.
WATCH_GRACE_POLLS = 3
# An object its watch shows unchanged is read with a GET every this many polls.
WATCH_CONFIRM_POLLS = 5
# Polls a workload waits before its pods are listed for the scheduler's reason: most are Ready by then, and
# each list is a request.
NOTE_AFTER_POLLS = WATCH_GRACE_POLLS
# A progressing object's note on why its pods wait.
Explain = Callable[[dict[str, Any]], str]


def _cached(ctx: SyncContext, item: Watched) -> tuple[bool, dict[str, Any] | None]:
    """(whether the kind's watch has caught up with the apply, the object as it has it)."""
    if ctx.watches is None or item.gone or item.seen is None:
        return False, None
    version = str((item.seen.get("metadata") or {}).get("resourceVersion") or "")
    return ctx.watches.read(Observed(item.api_version, item.kind, item.namespace, item.name, version, item.since))


def _version(obj: dict[str, Any] | None) -> str | None:
    return None if obj is None else str((obj.get("metadata") or {}).get("resourceVersion") or "")


def _read(ctx: SyncContext, item: Watched) -> dict[str, Any] | None:
    try:
        return ctx.client.get(item.api_version, item.kind, item.name, item.namespace or None)
    except NoKindMatchError:
        return None


def _passes_as_applied(item: Watched) -> bool:
    """Whether the apply's answer settles the gate: no health rule judges the object, or it is Healthy
    already (an object its controllers still have to act on answers Progressing: a new generation is not
    observed yet)."""
    if item.seen is None or item.gone:
        return False
    health = assess(item.seen, is_hook=item.hook)
    return health is None or health.status == HealthStatus.HEALTHY


def _judge(
    ctx: SyncContext, item: Watched, polls: int, last: dict[Watched, dict[str, Any]], notes: dict[Watched, str]
) -> tuple[str, str, str]:
    """("done" | "wait" | "fail", health, message) for one object now; `last` gets the object read, `notes`
    the scheduler's note on its pods."""
    explain = _explainer(ctx, item, polls, notes)
    if polls == 0 and _passes_as_applied(item):
        return "done", "", ""  # reading it again could not change the verdict
    caught_up, cached = _cached(ctx, item)
    if caught_up and cached is not None:
        # The watch settles what it shows done, and what it shows still waiting; a failure is read from the
        # server, and so is, every few polls, an object whose watch shows no news (a watch may lag or stall).
        verdict = _verdict(ctx, item, cached, explain)
        news = _version(cached) != _version(last.get(item))
        if verdict[0] == "done" or (verdict[0] == "wait" and (news or polls % WATCH_CONFIRM_POLLS)):
            last[item] = cached
            return verdict
    elif ctx.watches is not None and item.seen is not None and not item.gone and polls < WATCH_GRACE_POLLS:
        verdict = _verdict(ctx, item, item.seen, None)
        if verdict[0] == "wait":
            return verdict  # as the apply answered, until the watch has caught up
    live = _read(ctx, item)
    if live is not None:
        last[item] = live
    return _verdict(ctx, item, live, explain)


def _explainer(ctx: SyncContext, item: Watched, polls: int, notes: dict[Watched, str]) -> Explain | None:
    """How a progressing workload's message says why its pods wait: none in its first polls, then a pod list
    at the first and at every `WATCH_CONFIRM_POLLS`-th poll, the note kept in between (so the message does not
    flicker, and a long wait costs a list every few seconds rather than every second)."""
    if polls < NOTE_AFTER_POLLS:
        return None

    def explain(live: dict[str, Any]) -> str:
        if item not in notes or (polls - NOTE_AFTER_POLLS) % WATCH_CONFIRM_POLLS == 0:
            notes[item] = unschedulable_note(ctx.client, live)
        return notes[item]

    return explain


def _verdict(
    ctx: SyncContext, item: Watched, live: dict[str, Any] | None, explain: Explain | None
) -> tuple[str, str, str]:
    """gitops-engine's rule for the object as read (None: it does not exist); `explain` adds to a progressing
    object's message why its pods wait."""
    if item.gone:
        return ("done", "", "") if live is None else ("wait", HealthStatus.PROGRESSING.value, "waiting for deletion")
    if live is None:
        # It was applied before the gate started: gone now means someone deleted it (gitops-engine fails the
        # task rather than wait for it forever).
        return (
            "fail",
            HealthStatus.MISSING.value,
            (f"Resource {item.group}/{item.kind}/{item.name} is missing, it might have been deleted"),
        )
    health = assess(live, is_hook=item.hook)
    if health is None:
        return "done", "", ""
    if health.status == HealthStatus.HEALTHY:
        return "done", health.status.value, health.message
    if health.status == HealthStatus.DEGRADED or (item.hook and health.status == HealthStatus.UNKNOWN):
        return "fail", health.status.value, health.message
    note = explain(live) if explain is not None and health.status == HealthStatus.PROGRESSING else ""
    return "wait", health.status.value, f"{health.message}; {note}" if note else health.message


def _follow_nodes(ctx: SyncContext, blockers: list[dict[str, str]], app: str, wave: int | None) -> None:
    """Report the nodes Karpenter launches while pods wait for one (`provisioning`)."""
    if not ctx.dry_run and ctx.node_claims.wanted(blockers):
        ctx.node_claims.look(ctx.client, ctx.emit, app=app, wave=wave)


def wait_healthy(
    ctx: SyncContext,
    items: list[Watched],
    *,
    app: str,
    wave: int | None,
    resource_wave: int | None,
    last: dict[Watched, dict[str, Any]] | None = None,
) -> GateFailure | None:
    """Block until every item passes; the first failure ends the wait and is returned. `last` gets each
    object as the gate last read it."""
    last = {} if last is None else last
    notes: dict[Watched, str] = {}
    if ctx.watches is not None:
        for api_version, kind_name in {
            (i.api_version, i.kind) for i in items if not i.gone and not _passes_as_applied(i)
        }:
            ctx.watches.watch(api_version, kind_name)
    pending = list(items)
    last_report: list[dict[str, str]] | None = None
    started = ctx.clock.now()
    polls = 0
    while True:
        ctx.checkpoint()
        blockers: list[dict[str, str]] = []
        still: list[Watched] = []
        for item in pending:
            verdict, health, message = _judge(ctx, item, polls, last, notes)
            if verdict == "fail":
                ctx.waiting.pop(app, None)
                blocking = {**item.describe(), "health": health, "message": message}
                if health == HealthStatus.MISSING.value:
                    return GateFailure(blocking, message)
                kind = "hook" if item.hook else "resource"
                what = f"{item.kind} {item.namespace + '/' if item.namespace else ''}{item.name}"
                return GateFailure(blocking, f"{kind} {what} is {health}" + (f": {message}" if message else ""))
            if verdict == "wait":
                still.append(item)
                blockers.append({**item.describe(), "health": health, "message": message})
        if not still:
            ctx.waiting.pop(app, None)
            _follow_nodes(ctx, [], app, wave)  # a node that let the last pod run may have joined since
            return None
        ctx.waiting[app] = blockers
        if blockers != last_report:
            ctx.emit(
                WaitingOn(
                    app=app,
                    wave=wave,
                    resource_wave=resource_wave,
                    blockers=blockers,
                    elapsed=round(ctx.clock.now() - started, 3),
                )
            )
            last_report = blockers
        _follow_nodes(ctx, blockers, app, wave)
        pending = still
        # Quick objects pass after the first wait (a quarter of the interval by default), doubled each time up
        # to the interval; slow ones are then read once per interval. The doubling stops once it is past the
        # interval: 2**polls of a wait over a thousand polls would overflow a float.
        ctx.sleep(min(ctx.settings.poll_interval, ctx.settings.first_poll * 2 ** min(polls, 32)))
        polls += 1
