"""`wavecd sim serve`: run the simulated Kubernetes cluster until interrupted; `wavecd sim controllers`: run its
controllers against another API server."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import click

from wavecd.cli.cluster_flags import cluster_options
from wavecd.core.errors import UserInputError, WavecdError

_delay_scale = click.option(
    "--delay-scale",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Multiply every simulated controller's delay (0: controllers act at once).",
)


def _until_interrupted(stop: Callable[[], None]) -> None:
    """Wait for SIGINT or SIGTERM, then `stop`: a long-running command ends cleanly either way."""
    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: done.set())
    try:
        done.wait()
    finally:
        stop()


@click.group()
def sim() -> None:
    """The simulated Kubernetes cluster (a local API server with simulated controllers)."""


@sim.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option(
    "--kubeconfig",
    "kubeconfig_path",
    type=click.Path(dir_okay=False),
    help="Write a kubeconfig for the cluster to this file.",
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False),
    help="Keep the cluster's objects in this SQLite file across restarts.",
)
@click.option(
    "--speed",
    type=float,
    default=1.0,
    show_default=True,
    help="How much faster than real time simulated controllers run.",
)
@click.option("--nodes", type=click.IntRange(1, 100), default=1, show_default=True, help="Simulated nodes.")
@_delay_scale
@click.option(
    "--request-log",
    "request_log",
    type=click.Path(dir_okay=False),
    help="Append one JSON line per HTTP request served to this file.",
)
@click.option(
    "--request-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds a client gets to send a whole request; a client that stops sending is disconnected.",
)
def serve(
    port: int,
    kubeconfig_path: str | None,
    state_path: str | None,
    speed: float,
    nodes: int,
    delay_scale: float,
    request_log: str | None,
    request_timeout: float,
) -> None:
    """Serve a Kubernetes-compatible API on 127.0.0.1 until interrupted."""
    from wavecd.core.clock import RealClock
    from wavecd.sim.cluster import SimCluster
    from wavecd.sim.timing import Rules

    if speed <= 0:
        raise click.BadParameter("must be positive", param_hint="--speed")
    try:
        cluster = SimCluster(
            RealClock(speed),
            state_path,
            port=port,
            nodes=nodes,
            rules=Rules(scale=delay_scale),
            request_log_path=request_log,
            request_timeout=request_timeout,
        )
        try:
            cluster.start()
        except OSError as err:
            cluster.stop()
            raise UserInputError(f"cannot listen on 127.0.0.1:{port}: {err.strerror or err}") from None
        if kubeconfig_path:
            try:
                cluster.write_kubeconfig(kubeconfig_path)
            except OSError as err:
                cluster.stop()
                raise UserInputError(f"cannot write kubeconfig {kubeconfig_path}: {err.strerror or err}") from None
    except WavecdError as err:
        click.echo(err.render(), err=True)
        sys.exit(err.exit_code)
    click.echo(
        f"wavecd sim: serving {cluster.url}" + (f" (kubeconfig {kubeconfig_path})" if kubeconfig_path else ""),
        err=True,
    )
    _until_interrupted(cluster.stop)


@sim.command()
@cluster_options()
@click.option("--nodes", type=click.IntRange(0, 100), default=1, show_default=True, help="Nodes to register.")
@_delay_scale
def controllers(kubeconfig: Path | None, context: str | None, nodes: int, delay_scale: float) -> None:
    """Run the simulated controllers against another API server until interrupted.

    For a kube-apiserver with no kubelets and no controller manager (as kwok drives one): it creates what
    `wavecd sim serve` starts with (NODES Ready nodes, the default StorageClasses, Argo CD's namespace and
    CRDs), then Deployments, ReplicaSets, Pods, Jobs, PVCs, Karpenter and custom resources' readiness behave
    as in `wavecd sim serve`. It writes to that server: never point it at a real cluster. The server must be
    named (--kubeconfig or --context): the current context is never taken by default.
    """
    from wavecd.kube import KubeClient
    from wavecd.sim.timing import Rules
    from wavecd.simdrive import ControllersOnServer

    def say(line: str) -> None:
        click.echo(f"wavecd sim controllers: {line}", err=True)

    try:
        if kubeconfig is None and context is None:
            # Not the current context by default: a mistaken run would put fake nodes into a real cluster.
            raise UserInputError(
                "wavecd sim controllers writes nodes, bindings and statuses to the server it drives: "
                "name it with --kubeconfig (and --context)"
            )
        client = KubeClient.from_kubeconfig(str(kubeconfig) if kubeconfig else None, context)
        driver = ControllersOnServer(client, nodes=nodes, log=say, rules=Rules(scale=delay_scale)).start()
    except WavecdError as err:
        click.echo(err.render(), err=True)
        sys.exit(err.exit_code)
    say(f"driving {client.server} with {nodes} node(s)")

    def stop() -> None:
        driver.stop()
        client.close()

    _until_interrupted(stop)
