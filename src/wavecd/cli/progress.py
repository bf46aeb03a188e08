"""How `wavecd sync` shows a sync's events to a person: a rich live view on a terminal, one line per event
otherwise, and a final report of every app by wave.

The view is built from the events alone (never the engine's result), so whatever emits the same events —
the server later — can be shown the same way. Events arrive from the engine's worker threads; one lock
serialises them with the live view's redraws.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TextIO

from wavecd.common import NOT_STARTED, STATUS_COLOURS, HealthStatus, ResultCode, SyncStatus, health_rank
from wavecd.core import Clock, Event
from wavecd.sync.events import (
    AppFinished,
    AppStarted,
    HookDeleted,
    NodeProvisioned,
    PlanReady,
    ResourceApplied,
    ResourcePruned,
    Resync,
    Retrying,
    Summary,
    TreeRendered,
    WaitingOn,
    WaveFinished,
    WaveStarted,
)

# The `state` column of the live view, by the event that last touched the app.
PENDING, SYNCING, WAITING, RETRYING, DONE = "pending", "syncing", "waiting", "retrying", "done"


class JsonLines:
    """`-o json`: exactly `event.to_json()`, one object per line, flushed so a pipe sees each as it happens."""

    def __init__(self, out: TextIO):
        self._out = out
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        line = json.dumps(event.to_json())
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def sync_wave_text(wave: int) -> str:
    """An object's sync-wave inside its app, shown only when set: most objects sit in wave 0."""
    return f" (sync-wave {wave})" if wave else ""


def _health_rank(item: tuple[str, int]) -> tuple[bool, int, str]:
    """Counts are listed most healthy first, in Argo CD's ranking; apps not reached come last."""
    return (item[0] == NOT_STARTED, health_rank(item[0]), item[0])


def seconds_text(seconds: float) -> str:
    """`0.4s`, `12.0s`, `3m05s`: short enough for a table cell, precise enough to compare waves."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s"


def object_text(obj: dict[str, Any]) -> str:
    """`Deployment staging-webs/auth-guard` from an event's blocker or blocking object."""
    name = obj.get("name") or obj.get("resource") or ""
    namespace = obj.get("namespace") or ""
    return f"{obj.get('kind') or '?'} {namespace + '/' if namespace else ''}{name}"


def condition_text(obj: dict[str, Any]) -> str:
    """An object with its health and the reason, as a gate reports it."""
    text = object_text(obj)
    if obj.get("health"):
        text += f" ({obj['health']}"
        text += f": {obj['message']})" if obj.get("message") else ")"
    elif obj.get("message"):
        text += f": {obj['message']}"
    return text


@dataclass
class AppView:
    """What the view knows of one app; apps of the plan that never start stay `pending`/`NotStarted`."""

    name: str
    wave: int | None
    state: str = PENDING
    applied: Counter[str] = field(default_factory=Counter)
    last: str = ""
    blockers: list[dict[str, str]] = field(default_factory=list)
    health: str = ""
    sync: str = ""
    message: str = ""
    blocking: dict[str, str] | None = None

    @property
    def applied_text(self) -> str:
        return ", ".join(f"{count} {result}" for result, count in sorted(self.applied.items())) or "-"


@dataclass
class SyncView:
    """The state the events describe: the plan, each app, the wave under way and the summary once it came."""

    root: str = ""
    dry_run: bool = False
    waves: list[int] = field(default_factory=list)
    apps: dict[str, AppView] = field(default_factory=dict)
    current_wave: int | None = None
    finished_waves: dict[int, str] = field(default_factory=dict)
    resyncing: list[str] = field(default_factory=list)  # apps synced again after the last wave
    summary: Summary | None = None

    def app(self, name: str, wave: int | None) -> AppView:
        if name not in self.apps:
            self.apps[name] = AppView(name, wave)
        return self.apps[name]

    def apply(self, event: Event) -> None:
        if isinstance(event, PlanReady):
            self.root, self.dry_run = event.root, event.dry_run
            if event.root:
                self.app(event.root, None)
            for wave in event.waves:
                self.waves.append(int(wave["wave"]))
                for name in wave.get("apps") or []:
                    self.app(name, int(wave["wave"]))
        elif isinstance(event, WaveStarted):
            self.current_wave = event.wave
            for name in event.apps:
                self.app(name, event.wave)
        elif isinstance(event, WaveFinished):
            self.finished_waves[event.wave] = event.health
        elif isinstance(event, Summary):
            self.summary = event
        else:
            self._apply_to_app(event)

    def _apply_to_app(self, event: Event) -> None:
        name = getattr(event, "app", None)
        if not name:
            return
        app = self.app(name, getattr(event, "wave", None))
        if isinstance(event, Resync):
            self.resyncing.append(name)
            app.state, app.health, app.sync, app.message, app.blocking = SYNCING, "", "", event.reason, None
            app.applied.clear()
        elif isinstance(event, AppStarted):
            app.state = SYNCING
        elif isinstance(event, ResourceApplied):
            app.state = SYNCING
            app.applied[event.result] += 1
            app.last = f"{event.result} {object_text(event.to_json())}"
        elif isinstance(event, ResourcePruned):
            result = event.result if event.result == ResultCode.PRUNED else f"prune {event.result}"
            app.applied[result] += 1
            app.last = f"{result} {object_text(event.to_json())}"
        elif isinstance(event, WaitingOn):
            app.state, app.blockers = WAITING, list(event.blockers)
        elif isinstance(event, Retrying):
            app.state, app.message = RETRYING, event.message
        elif isinstance(event, AppFinished):
            app.state, app.health, app.sync = DONE, event.health, event.sync
            app.message, app.blocking = event.message or "", event.blocking
            app.blockers = []

    def by_wave(self) -> list[AppView]:
        """Every app, root first, then by tree wave (the sync order)."""
        order = {name: i for i, name in enumerate(self.apps)}
        return sorted(
            self.apps.values(), key=lambda a: (a.wave is not None, a.wave if a.wave is not None else 0, order[a.name])
        )


def event_line(event: Event) -> str:
    """One event as one line of plain text (`wavecd sync … | cat`, CI logs)."""
    data = event.to_json()
    prefix = f"  {data['app']}: " if data.get("app") else ""
    if isinstance(event, TreeRendered):
        text = f"rendered {plural(event.apps, 'app')} in {seconds_text(event.seconds)}"
        return text + "".join(f"\n  error: {e.get('app', '?')}: {e.get('message', '')}" for e in event.errors)
    if isinstance(event, PlanReady):
        count = sum(len(w.get("apps") or []) for w in event.waves)
        text = f"plan: {event.root}, then {count} apps in {len(event.waves)} waves; server {event.server}"
        text += f" (Kubernetes {event.kube_version})" if event.kube_version else ""
        return text + (", dry run" if event.dry_run else "")
    if isinstance(event, WaveStarted):
        return f"wave {event.wave}: {', '.join(event.apps)}"
    if isinstance(event, AppStarted):
        return f"{prefix}syncing {plural(event.resources, 'resource')} in {plural(event.steps, 'step')}"
    if isinstance(event, ResourceApplied):
        hook = f" {event.phase} hook" if event.hook else ""
        text = f"{prefix}{event.result}{hook} {object_text(data)}{sync_wave_text(event.resource_wave)}"
        return text + (f": {event.message}" if event.message else "")
    if isinstance(event, ResourcePruned):
        return f"{prefix}prune {event.result} {object_text(data)}" + (f": {event.message}" if event.message else "")
    if isinstance(event, HookDeleted):
        return f"{prefix}hook deleted {object_text(data)} ({event.policy})"
    if isinstance(event, WaitingOn):
        gate = "health gate" if event.resource_wave is None else f"sync-wave {event.resource_wave}"
        blockers = "; ".join(condition_text(b) for b in event.blockers) or "nothing"
        return f"{prefix}{gate} waiting {seconds_text(event.elapsed)} on {blockers}"
    if isinstance(event, NodeProvisioned):
        return prefix + node_text(event)
    if isinstance(event, Retrying):
        return f"{prefix}retry {event.attempt} in {seconds_text(event.delay)}: {event.message}"
    if isinstance(event, AppFinished):
        text = f"{prefix}{event.sync}, {event.health} in {seconds_text(event.seconds)}"
        text += f": {event.message}" if event.message else ""
        return text + (f" [blocking: {condition_text(event.blocking)}]" if event.blocking else "")
    if isinstance(event, WaveFinished):
        return f"wave {event.wave}: {event.health} in {seconds_text(event.seconds)}"
    if isinstance(event, Resync):
        return f"{prefix}sync again after the last wave: {event.reason}"
    if isinstance(event, Summary):
        return summary_line(event)
    return json.dumps(data)


def node_text(event: NodeProvisioned) -> str:
    """`node ip-10-0-1-7 joined (NodeClaim default-abcde, c6i.2xlarge, spot, nodepool default)`, or the claim
    launching, with what Karpenter has said of it so far."""
    details = ", ".join(
        v
        for v in (event.instance_type, event.capacity_type, event.zone, event.nodepool and f"nodepool {event.nodepool}")
        if v
    )
    if event.state == "joined":
        return f"node {event.node} joined (NodeClaim {event.nodeclaim}{', ' + details if details else ''})"
    return f"NodeClaim {event.nodeclaim} {event.state}" + (f" ({details})" if details else "")


def summary_line(summary: Summary) -> str:
    counts = ", ".join(f"{n} {health}" for health, n in sorted(summary.apps.items(), key=_health_rank))
    text = f"{summary.phase}: tree {summary.health} in {seconds_text(summary.seconds)} ({counts})"
    text += " [dry run]" if summary.dry_run else ""
    if summary.stopped_at is not None:
        text += f"; stopped at wave {summary.stopped_at}"
    if summary.blocking:
        text += f"; blocking: {condition_text(summary.blocking)}"
    return text + (f"\n  {summary.message}" if summary.message else "")


def report_rows(view: SyncView) -> list[tuple[str, str, str, str, str]]:
    """(wave, app, health, sync, what blocked it) for the final report. Apps not reached are NotStarted; an app
    that started but reported no end (the rollout stopped first) shows `-`."""
    rows = []
    for app in view.by_wave():
        blocking = (
            condition_text(app.blocking) if app.blocking else app.message if app.sync == SyncStatus.FAILED else ""
        )
        health = app.health or (NOT_STARTED if app.state == PENDING else "-")
        rows.append(("root" if app.wave is None else str(app.wave), app.name, health, app.sync or "-", blocking))
    return rows


def plain_report(view: SyncView) -> str:
    headers = ("WAVE", "APP", "HEALTH", "SYNC", "BLOCKING")
    rows = report_rows(view)
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(4)]
    lines = (
        [
            "  ".join([*(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)), row[4]]).rstrip()
            for row in [headers, *rows]
        ]
        if rows
        else []
    )
    if view.summary is not None:
        lines.append(summary_line(view.summary))
    return "\n".join(lines)


class SyncProgress:
    """An `Emit` that shows a sync: `live=True` redraws the current wave on a terminal with rich, otherwise
    each event is printed as one line. Use as a context manager; the final report is printed on exit.

    `clock` is the sync's clock, so elapsed times match the events' (simulated time with `--sim`); they count
    from the plan, as rendering runs on no cluster's time.
    """

    def __init__(self, out: TextIO, *, clock: Clock, live: bool = False):
        self.view = SyncView()
        self._out = out
        self._clock = clock
        self._started: float | None = None
        self._lock = threading.RLock()
        self._live_mode = live
        self._live: Any = None
        self._console: Any = None

    def __enter__(self) -> SyncProgress:
        if self._live_mode:
            from rich.console import Console
            from rich.live import Live

            self._console = Console(file=self._out)
            self._live = Live(self, console=self._console, refresh_per_second=4, transient=True)
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()
        self.report()

    def __call__(self, event: Event) -> None:
        with self._lock:
            self.view.apply(event)
            if isinstance(event, PlanReady):
                self._started = self._clock.now()
            if self._live is not None:
                self._print_above_live(event)
            elif not isinstance(event, Summary):  # the report that follows ends with the summary
                self._out.write(event_line(event) + "\n")
                self._out.flush()

    def _print_above_live(self, event: Event) -> None:
        """The live area shows the wave under way; what scrolls above it is the record: the render, the plan,
        each finished wave with its apps, and every app that did not end Healthy."""
        if isinstance(event, WaveFinished):
            names = ", ".join(a.name for a in self.view.apps.values() if a.wave == event.wave)
            line, style = f"{event_line(event)}: {names}", STATUS_COLOURS.get(event.health, "")
        elif isinstance(event, (TreeRendered, PlanReady, Resync, NodeProvisioned)):
            line, style = event_line(event), ""
        elif isinstance(event, AppFinished) and event.health != HealthStatus.HEALTHY:
            line, style = event_line(event), "red"
        else:
            return
        self._console.print(line, style=style, markup=False, highlight=False, soft_wrap=True)

    def report(self) -> None:
        """The table of apps by wave (when a plan came) and the outcome (when the summary came)."""
        with self._lock:
            if self._console is None:
                text = plain_report(self.view)
                if text:
                    self._out.write("\n" + text + "\n")
                    self._out.flush()
                return
            if self.view.apps:
                self._console.print(self._report_table())
            if self.view.summary is not None:
                self._console.print(
                    summary_line(self.view.summary),
                    markup=False,
                    style=STATUS_COLOURS.get(self.view.summary.health, ""),
                )

    # -- rich ------------------------------------------------------------------------------------------------
    def __rich__(self) -> Any:
        """The live area: the wave under way, its apps and what each waits on, and the time so far."""
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        with self._lock:
            view = self.view
            elapsed = "" if self._started is None else seconds_text(self._clock.now() - self._started)
            if view.resyncing:
                title = Text(
                    f"after the last wave: syncing again what renders differently now  {elapsed}", style="bold"
                )
                current = [view.apps[name] for name in view.resyncing]
            elif view.current_wave is None or len(view.finished_waves) == len(view.waves):
                stage = "the root app" if view.root else "rendering the app tree"
                title = Text(f"{stage}…  {elapsed}", style="bold")
                current = [a for a in view.apps.values() if a.wave is None]
            else:
                done = len(view.finished_waves)
                title = Text(
                    f"wave {view.current_wave}  ({done} of {len(view.waves)} waves done)  {elapsed}", style="bold"
                )
                current = [a for a in view.apps.values() if a.wave == view.current_wave]
            if view.dry_run:
                title.append("  dry run", style="cyan")
            table = Table(box=None, pad_edge=False)
            for column in ("APP", "STATE", "APPLIED", "WAITING ON / LAST"):
                table.add_column(column, overflow="fold")
            for app in current:
                table.add_row(
                    Text(app.name), self._state_text(app), Text(app.applied_text), Text(self._detail_text(app))
                )
            return Group(title, table)

    @staticmethod
    def _state_text(app: AppView) -> Any:
        from rich.text import Text

        if app.state == DONE:
            return Text(f"{app.sync} {app.health}", style=STATUS_COLOURS.get(app.health, ""))
        return Text(app.state, style="yellow" if app.state in (WAITING, RETRYING) else "")

    @staticmethod
    def _detail_text(app: AppView) -> str:
        if app.state == WAITING and app.blockers:
            return "\n".join(condition_text(b) for b in app.blockers)
        if app.state in (RETRYING, DONE) and app.message:
            return app.message
        return app.last

    def _report_table(self) -> Any:
        from rich.table import Table
        from rich.text import Text

        table = Table(title="sync report", title_justify="left")
        for column in ("WAVE", "APP", "HEALTH", "SYNC", "BLOCKING"):
            table.add_column(column, overflow="fold")
        for wave, name, health, sync, blocking in report_rows(self.view):
            table.add_row(
                Text(wave), Text(name), Text(health, style=STATUS_COLOURS.get(health, "")), Text(sync), Text(blocking)
            )
        return table
