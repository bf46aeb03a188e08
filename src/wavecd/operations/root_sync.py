"""Sync the app tree of ROOT into a cluster as one call: render it, plan it, connect, and run the engine.

This is the entry point `wavecd sync` calls and the coming server (`wavecd serve`) will call, so that both
report the same events and honour the same settings. Its own work, besides chaining the stages:
- the wave delay comes from `ARGOCD_SYNC_WAVE_DELAY`, as Argo CD's controller takes it;
- the render is timed and reported as the first event (`TreeRendered`);
- once that event is out, the last one is a `Summary`, whatever stops the sync (`summary_guard`).

Why here, in a package above `apps`, `plan` and `sync`: the engine (`sync`) must not import `apps`, which
renders the tree, yet the call has to do both; `server` will sit at this same layer and import the same
packages. What only a front end knows stays with the caller: which cluster (`connect`, so that only the CLI
ever starts the in-process simulated cluster), where warnings go (`warn`), and what stops a running sync
(`cancel`, and `while_engine_runs`, entered around the engine alone: the CLI turns Ctrl-C into `cancel`
only while the engine can heed it, and before that Ctrl-C stops the render at once).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from wavecd.apps.session import TreeRequest, TreeSession, open_session
from wavecd.common import APPLICATION
from wavecd.core import Clock, Emit, UserInputError
from wavecd.core.goatoi import go_atoi
from wavecd.kube import KubeClient
from wavecd.operations.summary_guard import SummaryGuard, summary_on_failure
from wavecd.plan import plan_tree
from wavecd.sync.events import TreeRendered
from wavecd.sync.settings import ClusterFacts, SyncResult, SyncSettings
from wavecd.sync.tree_sync import sync_tree

WAVE_DELAY_VARIABLE = "ARGOCD_SYNC_WAVE_DELAY"
# Opens the cluster the sync applies to, once the tree is rendered and planned; closed when the sync ends.
Connect = Callable[[], AbstractContextManager[KubeClient]]


def wave_delay_from_env(default: float) -> float:
    """Seconds between waves from `ARGOCD_SYNC_WAVE_DELAY` (whole seconds; a negative count waits none, as
    Go's sleep does); unset or empty, `default`. A value that is not a whole number is refused: Argo CD
    ignores it silently, which leaves a typo such as `2s` or `0.5` looking as if it had been taken."""
    text = os.environ.get(WAVE_DELAY_VARIABLE, "")
    if not text:
        return default
    seconds = go_atoi(text)
    if seconds is None:
        raise UserInputError(f"{WAVE_DELAY_VARIABLE}={text!r}: expected whole seconds, such as 0 or 5")
    return float(max(0, seconds))


def sync_root(
    request: TreeRequest,
    connect: Connect,
    settings: SyncSettings,
    *,
    emit: Emit,
    clock: Clock,
    warn: Callable[[str, str], None],
    cancel: threading.Event | None = None,
    while_engine_runs: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
) -> SyncResult:
    """Render, plan and sync; the engine's result. `settings.wave_delay` gives way to
    `ARGOCD_SYNC_WAVE_DELAY` when that is set. `warn(app, message)` receives the render's warnings.

    Bad input found before the render (the variable, ROOT) raises before any event; from the render on,
    whatever raises (a `WavecdError`, `KeyboardInterrupt`, a bug) does so after a closing `Summary`."""
    settings = dataclasses.replace(settings, wave_delay=wave_delay_from_env(settings.wave_delay))
    session = _open_session_timed(request, emit, warn)
    guard = SummaryGuard(
        emit, clock, [n.name for n in session.tree.nodes if n.kind == APPLICATION], dry_run=settings.dry_run
    )

    def render(name: str, facts: ClusterFacts) -> list[dict[str, Any]]:
        return session.render_at(name, facts.kube_version, facts.api_versions)

    with summary_on_failure(guard):
        plan = plan_tree(session.tree)
        with connect() as client, while_engine_runs():
            return sync_tree(plan, client, render, settings=settings, clock=clock, emit=guard, cancel=cancel)


def _open_session_timed(request: TreeRequest, emit: Emit, warn: Callable[[str, str], None]) -> TreeSession:
    """Render the tree, then report it: how many Applications, which nodes broke, how long it took."""
    started = time.monotonic()
    session = open_session(request)
    seconds = time.monotonic() - started
    nodes = session.tree.nodes
    root = session.tree.root
    if root.error:
        # Without its root nothing of the tree can be synced: refused like bad input, before any event.
        raise UserInputError(f"ROOT {root.kind} {root.name} cannot be synced: {root.error}")
    for node in nodes:
        for warning in node.warnings:
            warn(node.name, warning)
    emit(
        TreeRendered(
            apps=sum(1 for n in nodes if n.kind == APPLICATION),
            errors=[{"app": n.name, "message": n.error} for n in nodes if n.error],
            seconds=round(seconds, 3),
        )
    )
    return session
