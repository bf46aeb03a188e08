"""The health gate: wait until every object of a step is healthy (or its hook has completed).

gitops-engine's rule (`pkg/sync/sync_context.go` `syncContext.Sync`): a resource passes when it has no
health check or is Healthy, fails when Degraded, and keeps the step waiting otherwise (Progressing,
Suspended, Missing, Unknown). A hook passes when Healthy (or it has no check), fails when Degraded or
Unknown. The gate polls on the sync's clock and reports its blockers each time they change, so a user sees
which object and which condition a wave waits on; for a workload whose pods no node takes, the scheduler's
reason too (`pending_pods`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wavecd.common import HealthStatus
from wavecd.health import assess
from wavecd.kube import NoKindMatchError
from wavecd.sync.context import SyncContext
from wavecd.sync.events import WaitingOn
from wavecd.sync.pending_pods import unschedulable_note
from wavecd.sync.tracking import api_group


@dataclass(frozen=True)
class Watched:
    """One object a gate waits on. `gone=True` waits for it to disappear (a prune, a deleted hook)."""

    api_version: str
    kind: str
    namespace: str
    name: str
    hook: bool = False
    gone: bool = False
    # The object as the apply answered: a kind no health rule judges passes on it, without another read.
    seen: dict[str, Any] | None = field(default=None, compare=False)

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


def _read(ctx: SyncContext, item: Watched) -> dict[str, Any] | None:
    try:
        return ctx.client.get(item.api_version, item.kind, item.name, item.namespace or None)
    except NoKindMatchError:
        return None


def _judge(ctx: SyncContext, item: Watched, first: bool) -> tuple[str, str, str]:
    """("done" | "wait" | "fail", health, message) for one object now."""
    if first and item.seen is not None and not item.gone and assess(item.seen, is_hook=item.hook) is None:
        return "done", "", ""  # no health to wait for: reading it again could not change the verdict
    live = _read(ctx, item)
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
    note = unschedulable_note(ctx.client, live) if health.status == HealthStatus.PROGRESSING else ""
    return "wait", health.status.value, f"{health.message}; {note}" if note else health.message


def wait_healthy(
    ctx: SyncContext, items: list[Watched], *, app: str, wave: int | None, resource_wave: int | None
) -> GateFailure | None:
    """Block until every item passes; the first failure ends the wait and is returned."""
    pending = list(items)
    last_report: list[dict[str, str]] | None = None
    started = ctx.clock.now()
    polls = 0
    while True:
        ctx.checkpoint()
        blockers: list[dict[str, str]] = []
        still: list[Watched] = []
        for item in pending:
            verdict, health, message = _judge(ctx, item, first=polls == 0)
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
        pending = still
        # Quick objects pass after the first wait (a quarter of the interval by default), doubled each time up
        # to the interval; slow ones are then read once per interval. The doubling stops once it is past the
        # interval: 2**polls of a wait over a thousand polls would overflow a float.
        ctx.sleep(min(ctx.settings.poll_interval, ctx.settings.first_poll * 2 ** min(polls, 32)))
        polls += 1
