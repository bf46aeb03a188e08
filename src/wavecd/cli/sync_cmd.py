"""`wavecd sync ROOT`: render the app tree, plan it, and sync it into a cluster wave by wave.

The command only wires things together: the session renders, `plan_tree` orders, `sync_tree` applies and
reports events, and `progress` shows them. Its own work is the cluster connection (a kubeconfig, checked
before the tree renders, or an in-process simulated cluster that shares the sync's clock so simulated time
runs fast), turning Ctrl-C into the engine's cancel flag, the exit status, and the promise that once an
event is printed the last one is a summary.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from wavecd.apps.session import TreeRequest, TreeSession, open_session
from wavecd.cli.progress import JsonLines, SyncProgress
from wavecd.cli.tree_cmd import root_options
from wavecd.core import Clock, Emit, Event, RealClock, UserInputError, WavecdError
from wavecd.core.durations import parse_go_duration
from wavecd.health import HealthStatus
from wavecd.kube import KubeClient
from wavecd.plan import plan_tree
from wavecd.sim.cluster import SimCluster
from wavecd.sync.events import AppFinished, AppStarted, Summary, TreeRendered
from wavecd.sync.settings import EXIT_FAILED, EXIT_INTERRUPTED, WAVE_DELAY_SECONDS, ClusterFacts, SyncSettings
from wavecd.sync.tree_sync import NOT_STARTED, sync_tree

# Simulated seconds per real second with `--sim`: the staging example (19 waves, Argo CD's 2 s between
# waves, 0.5–2 s per object in the sim) then syncs in a few seconds; `--sim-speed 1` is real time.
DEFAULT_SIM_SPEED = 50.0


@dataclass(frozen=True)
class Target:
    """Where to sync: a kubeconfig context, or (`sim`) a simulated cluster started for this run."""

    kubeconfig: str | None = None
    context: str | None = None
    sim: bool = False
    sim_speed: float = DEFAULT_SIM_SPEED


def parse_timeout(text: str) -> float:
    """Seconds in a positive Go duration (`90s`, `1m30s`, `1h`, `500ms`), as `kubectl --timeout` takes it."""
    try:
        seconds = parse_go_duration(text)
    except ValueError as err:
        raise UserInputError(f"--timeout {text!r}: {err}; expected a duration such as 90s, 1m30s or 1h") from None
    if seconds <= 0:
        raise UserInputError(f"--timeout {text!r}: must be positive (leave it out for no limit)")
    return seconds


def target_from_flags(kubeconfig: str | None, context: str | None, sim: bool, sim_speed: float | None) -> Target:
    if sim and (kubeconfig or context):
        raise UserInputError("--sim starts its own cluster; it cannot be combined with --kubeconfig or --context")
    if sim_speed is not None and not sim:
        raise UserInputError("--sim-speed needs --sim")
    if sim_speed is not None and not sim_speed > 0:
        raise UserInputError(f"--sim-speed {sim_speed}: must be positive")
    return Target(kubeconfig, context, sim, DEFAULT_SIM_SPEED if sim_speed is None else sim_speed)


@contextlib.contextmanager
def sim_client(clock: Clock) -> Iterator[KubeClient]:
    """A client of a simulated cluster started for this run; the cluster lives exactly as long as the client."""
    with SimCluster(clock=clock) as cluster, KubeClient.for_server(cluster.url) as client:
        yield client


@contextlib.contextmanager
def cancel_on_interrupt(cancel: threading.Event) -> Iterator[None]:
    """The first Ctrl-C asks the engine to stop at its next safe point (it still reports its summary). A
    second one ends the process at once: the engine's threads may be inside a request that takes long."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupted(signum: int, frame: object) -> None:
        if cancel.is_set():
            sys.stdout.flush()
            click.echo("aborted", err=True)
            os._exit(EXIT_INTERRUPTED)
        cancel.set()
        click.echo("interrupted: stopping at the next safe point (Ctrl-C again to abort)", err=True)

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def open_session_timed(request: TreeRequest, emit: Emit) -> TreeSession:
    """Render the tree, then report it: how many Applications, which nodes broke, how long it took."""
    started = time.monotonic()
    session = open_session(request)
    seconds = time.monotonic() - started
    nodes = session.tree.nodes
    for node in nodes:
        for warning in node.warnings:
            click.echo(f"warning: {node.name}: {warning}", err=True)
    emit(
        TreeRendered(
            apps=sum(1 for n in nodes if n.kind == "Application"),
            errors=[{"app": n.name, "message": n.error} for n in nodes if n.error],
            seconds=round(seconds, 3),
        )
    )
    return session


class SummaryGuard:
    """An `Emit` that passes the events on and keeps what a summary needs, so that a sync that fails outside
    the engine (the plan, the simulated cluster, a bug) still ends its events with one: `-o json` readers are
    promised that the last line is the summary. The engine's own summary is never doubled."""

    def __init__(self, emit: Emit, clock: Clock, apps: list[str], *, dry_run: bool):
        self._emit = emit
        self._clock = clock
        self._since = clock.now()
        self._apps = apps
        self._dry_run = dry_run
        self._health: dict[str, str] = {}
        self._started: set[str] = set()
        self._lock = threading.Lock()
        self.summarised = False

    def __call__(self, event: Event) -> None:
        with self._lock:
            if isinstance(event, AppStarted):
                self._started.add(event.app)
            elif isinstance(event, AppFinished):
                self._health[event.app] = event.health
            elif isinstance(event, Summary):
                self.summarised = True
        self._emit(event)

    def summarise(self, phase: str, message: str, exit_code: int) -> None:
        """Report the end the engine could not. The tree's health is Unknown: the sync stopped before it could
        judge it. Apps count as the engine counts them (`NotStarted` when not reached)."""
        with self._lock:
            if self.summarised:
                return
            apps = Counter(
                self._health.get(name) or (HealthStatus.PROGRESSING.value if name in self._started else NOT_STARTED)
                for name in self._apps
            )
        self(
            Summary(
                health=HealthStatus.UNKNOWN.value,
                phase=phase,
                message=message,
                seconds=round(self._clock.now() - self._since, 3),
                apps=dict(apps),
                dry_run=self._dry_run,
                exit_code=exit_code,
            )
        )


def internal_error(err: Exception) -> str:
    """A wavecd bug, worded as the engine words it."""
    return f"internal error: {type(err).__name__}: {err} (please report this wavecd bug)"


@contextlib.contextmanager
def summary_on_failure(guard: SummaryGuard) -> Iterator[None]:
    """Whatever ends the sync early, the events end with a summary whose exit code is the process's."""
    try:
        yield
    except WavecdError as err:
        guard.summarise("Failed", err.message, err.exit_code)
        raise
    except KeyboardInterrupt:
        guard.summarise("Interrupted", "interrupted", EXIT_INTERRUPTED)
        raise
    except Exception as err:
        guard.summarise("Failed", internal_error(err), EXIT_FAILED)
        raise


def run(request: TreeRequest, target: Target, settings: SyncSettings, emit: Emit, clock: Clock) -> int:
    """Check the kubeconfig, render, plan and sync; the exit status of the sync."""
    with contextlib.ExitStack() as stack:
        # The kubeconfig first: it is read in an instant, while the tree may take seconds to render, and bad
        # input must be reported before any event is printed.
        client = (
            None if target.sim else stack.enter_context(KubeClient.from_kubeconfig(target.kubeconfig, target.context))
        )
        session = open_session_timed(request, emit)
        guard = SummaryGuard(
            emit, clock, [n.name for n in session.tree.nodes if n.kind == "Application"], dry_run=settings.dry_run
        )

        def render(name: str, facts: ClusterFacts) -> list[dict[str, Any]]:
            return session.render_at(name, facts.kube_version, facts.api_versions)

        cancel = threading.Event()
        with summary_on_failure(guard):
            plan = plan_tree(session.tree)
            if client is None:
                client = stack.enter_context(sim_client(clock))
            with cancel_on_interrupt(cancel):
                result = sync_tree(plan, client, render, settings=settings, clock=clock, emit=guard, cancel=cancel)
        return result.exit_code


def wave_delay_from_env() -> float:
    """Argo CD's `ARGOCD_SYNC_WAVE_DELAY`: whole seconds between waves; unset or not an integer, 2."""
    text = os.environ.get("ARGOCD_SYNC_WAVE_DELAY", "")
    try:
        return float(max(0, int(text)))
    except ValueError:
        return WAVE_DELAY_SECONDS


@click.command("sync", context_settings={"help_option_names": ["-h", "--help"]})
@root_options
@click.option(
    "--kubeconfig", type=click.Path(dir_okay=False), help="kubeconfig file (default: KUBECONFIG, else ~/.kube/config)."
)
@click.option("--context", help="kubeconfig context (default: the current one).")
@click.option("--sim", is_flag=True, help="Sync into a simulated cluster started in-process for this run.")
@click.option(
    "--sim-speed",
    type=float,
    default=None,
    help=f"With --sim: simulated seconds per real second (default {DEFAULT_SIM_SPEED:g}; 1 is real time).",
)
@click.option("--dry-run", is_flag=True, help="Check every object with a server-side dry run; change nothing.")
@click.option("--prune", is_flag=True, help="Delete tracked objects that are no longer desired.")
@click.option(
    "--timeout",
    "timeout_text",
    metavar="DURATION",
    help="Stop after this long (90s, 1m30s, 1h); exit status 3. Default: no limit.",
)
@click.option(
    "-o",
    "--output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a live view on a terminal, one line per event otherwise; json: one event per line.",
)
def sync(
    root: Path,
    config: Path | None,
    repos: tuple[str, ...],
    worktree: bool,
    offline: bool,
    executor: str,
    no_cache: bool,
    kubeconfig: str | None,
    context: str | None,
    sim: bool,
    sim_speed: float | None,
    dry_run: bool,
    prune: bool,
    timeout_text: str | None,
    output: str,
) -> None:
    """Sync the app tree of ROOT into a cluster: the root app, then each tree wave in ascending order, every
    app gated on health. Exit status: 0 Healthy, 1 Degraded or failed, 2 bad input, 3 timed out,
    130 interrupted."""
    try:
        target = target_from_flags(kubeconfig, context, sim, sim_speed)
        timeout = parse_timeout(timeout_text) if timeout_text is not None else None
    except WavecdError as err:
        _exit_with_error(err)
    request = TreeRequest(
        root=root,
        config=config,
        repos=repos,
        worktree=worktree,
        offline=offline,
        executor=executor,
        use_cache=not no_cache,
    )
    settings = SyncSettings(dry_run=dry_run, prune=prune, timeout=timeout, wave_delay=wave_delay_from_env())
    clock = RealClock(target.sim_speed) if target.sim else RealClock()
    out = sys.stdout
    view: JsonLines | SyncProgress = (
        JsonLines(out) if output == "json" else SyncProgress(out, clock=clock, live=out.isatty())
    )
    try:
        with view if isinstance(view, SyncProgress) else contextlib.nullcontext():
            code = run(request, target, settings, view, clock)
    except WavecdError as err:
        _exit_with_error(err)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        code = EXIT_INTERRUPTED
    except Exception as err:  # a wavecd bug: one line that says so (the summary too, when events were printed)
        click.echo(f"Error: {internal_error(err)}", err=True)
        code = EXIT_FAILED
    sys.exit(code)


def _exit_with_error(err: WavecdError) -> NoReturn:
    click.echo(f"Error: {err.render()}", err=True)
    sys.exit(err.exit_code)
