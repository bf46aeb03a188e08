"""`wavecd sync ROOT`: render the app tree, plan it, and sync it into a cluster wave by wave.

The command only wires things together: `operations.sync_root` renders, plans and syncs (and keeps the
promise that once an event is out the last one is a summary), and `progress` shows the events. Its own work
is the flags, the cluster connection (a kubeconfig, checked before the tree renders, or an in-process
simulated cluster that shares the sync's clock so simulated time runs fast), turning Ctrl-C into the
engine's cancel flag, and the exit status.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NoReturn

import click

from wavecd.apps.session import TreeRequest
from wavecd.cli.progress import JsonLines, SyncProgress
from wavecd.cli.tree_cmd import root_options
from wavecd.core import Clock, Emit, RealClock, UserInputError, WavecdError, internal_error
from wavecd.core.durations import parse_go_duration
from wavecd.kube import KubeClient
from wavecd.operations import Connect, sync_root
from wavecd.sim.cluster import SimCluster
from wavecd.sim.process import sim_process
from wavecd.sync.settings import EXIT_FAILED, EXIT_INTERRUPTED, SyncSettings

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
    sim_process: bool = False  # the sim in a process of its own


def parse_timeout(text: str) -> float:
    """Seconds in a positive Go duration (`90s`, `1m30s`, `1h`, `500ms`), as `kubectl --timeout` takes it."""
    try:
        seconds = parse_go_duration(text)
    except ValueError as err:
        raise UserInputError(f"--timeout {text!r}: {err}; expected a duration such as 90s, 1m30s or 1h") from None
    if seconds <= 0:
        raise UserInputError(f"--timeout {text!r}: must be positive (leave it out for no limit)")
    return seconds


def target_from_flags(
    kubeconfig: str | None, context: str | None, sim: bool, sim_speed: float | None, sim_process: bool = False
) -> Target:
    if sim_process and not sim:
        raise UserInputError("--sim-process needs --sim")
    if sim and (kubeconfig or context):
        raise UserInputError("--sim starts its own cluster; it cannot be combined with --kubeconfig or --context")
    if sim_speed is not None and not sim:
        raise UserInputError("--sim-speed needs --sim")
    if sim_speed is not None and not sim_speed > 0:
        raise UserInputError(f"--sim-speed {sim_speed}: must be positive")
    return Target(kubeconfig, context, sim, DEFAULT_SIM_SPEED if sim_speed is None else sim_speed, sim_process)


@contextlib.contextmanager
def sim_client(clock: Clock) -> Iterator[KubeClient]:
    """A client of a simulated cluster started for this run; the cluster lives exactly as long as the client."""
    with SimCluster(clock=clock) as cluster, KubeClient.for_server(cluster.url) as client:
        yield client


@contextlib.contextmanager
def sim_process_client(speed: float) -> Iterator[KubeClient]:
    """`sim_client` with the cluster in a process of its own, its clock running at the same `speed`."""
    with sim_process(speed=speed) as kubeconfig, KubeClient.from_kubeconfig(str(kubeconfig)) as client:
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


def run(request: TreeRequest, target: Target, settings: SyncSettings, emit: Emit, clock: Clock) -> int:
    """Check the kubeconfig, then render, plan and sync; the exit status of the sync."""
    with contextlib.ExitStack() as stack:
        connect: Connect
        if target.sim and target.sim_process:
            connect = functools.partial(sim_process_client, target.sim_speed)
        elif target.sim:
            connect = functools.partial(sim_client, clock)
        else:
            # The kubeconfig first: it is read in an instant, while the tree may take seconds to render, and bad
            # input must be reported before any event is printed.
            connect = _already_open(stack.enter_context(KubeClient.from_kubeconfig(target.kubeconfig, target.context)))
        cancel = threading.Event()
        result = sync_root(
            request,
            connect,
            settings,
            emit=emit,
            clock=clock,
            warn=_print_warning,
            cancel=cancel,
            while_engine_runs=functools.partial(cancel_on_interrupt, cancel),
        )
        return result.exit_code


def _already_open(client: KubeClient) -> Connect:
    """A `Connect` for a client opened (and closed) by the caller."""
    return lambda: contextlib.nullcontext(client)


def _print_warning(app: str, message: str) -> None:
    click.echo(f"warning: {app}: {message}", err=True)


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
@click.option(
    "--sim-process",
    is_flag=True,
    help="With --sim: run the simulated cluster in a process of its own, so that it and the sync use two cores.",
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
    request: TreeRequest,
    kubeconfig: str | None,
    context: str | None,
    sim: bool,
    sim_speed: float | None,
    sim_process: bool,
    dry_run: bool,
    prune: bool,
    timeout_text: str | None,
    output: str,
) -> None:
    """Sync the app tree of ROOT into a cluster: the root app, then each tree wave in ascending order, every
    app gated on health. Exit status: 0 Healthy, 1 Degraded or failed, 2 bad input, 3 timed out,
    130 interrupted."""
    try:
        target = target_from_flags(kubeconfig, context, sim, sim_speed, sim_process)
        timeout = parse_timeout(timeout_text) if timeout_text is not None else None
    except WavecdError as err:
        _exit_with_error(err)
    settings = SyncSettings(dry_run=dry_run, prune=prune, timeout=timeout)
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
