"""`wavecd serve ROOT`: run the controller that keeps the tree synced, and its API; `wavecd serve token
create`: make an API token.

The command's own work is the flags, the cluster (a kubeconfig, or with `--sim` a simulated cluster in this
process, whose state may live in `--sim-state FILE` across restarts) and printing the controller's log
lines; `wavecd.server.serve` does the rest.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from wavecd.apps.root import load_root
from wavecd.apps.session import TreeRequest
from wavecd.cli.serve_token_cmd import token
from wavecd.cli.sync_cmd import DEFAULT_SIM_SPEED, target_from_flags
from wavecd.cli.tree_cmd import root_options
from wavecd.common import ARGOCD_NAMESPACE
from wavecd.core import RealClock, UserInputError, WavecdError, internal_error
from wavecd.core.durations import parse_go_duration
from wavecd.kube import KubeClient, user_agent
from wavecd.operations.root_sync import wave_delay_from_env
from wavecd.server.runner import Listen
from wavecd.server.runner import serve as run_server
from wavecd.server.settings import DEFAULT_POLL_SECONDS, GATE_FIRST_POLL, OPERATION_PROCESSORS, ServeSettings
from wavecd.server.tokens import TokenStore, default_tokens_path
from wavecd.sim.cluster import SimCluster
from wavecd.sync.settings import WAVE_DELAY_SECONDS, SyncSettings

_TOKEN_ARGS = "wavecd.serve.token"


def parse_listen(text: str) -> Listen:
    """`HOST:PORT` (`[::1]:8080` for IPv6), as Go's `net.SplitHostPort` reads an address."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise UserInputError(f"--listen {text!r}: expected HOST:PORT, such as 127.0.0.1:8080")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not host:
        raise UserInputError(f"--listen {text!r}: name the address to bind, such as 0.0.0.0:{port}")
    return Listen(host, int(port))


def parse_poll(text: str) -> float:
    try:
        seconds = parse_go_duration(text)
    except ValueError as err:
        raise UserInputError(
            f"--poll {text!r}: {err}; expected a duration such as 3m or 30s (0 turns polling off)"
        ) from None
    if seconds < 0:
        raise UserInputError(f"--poll {text!r}: must not be negative")
    return seconds


@contextlib.contextmanager
def _cluster(
    kubeconfig: str | None, context: str | None, sim: bool, sim_state: str | None, clock: RealClock, agent: str
) -> Iterator[KubeClient]:
    if sim:
        with (
            SimCluster(clock=clock, state_path=sim_state) as cluster,
            KubeClient.for_server(cluster.url, agent=agent) as client,
        ):
            click.echo(f"simulated cluster at {cluster.url}", err=True)
            yield client
        return
    with KubeClient.from_kubeconfig(kubeconfig, context, agent=agent) as client:
        yield client


def _log(line: str) -> None:
    click.echo(line, err=True)


class _ServeCommand(click.Command):
    """`wavecd serve ROOT …`, with `wavecd serve token …` dispatched to the token commands: ROOT is a
    positional argument, so a click group could not tell a subcommand from a ROOT named like one."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args[:1] == ["token"]:
            ctx.meta[_TOKEN_ARGS] = args[1:]
            return []
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        if _TOKEN_ARGS in ctx.meta:
            # No parent context: click would print the usage as `wavecd serve ROOT token …`.
            with token.make_context(f"{ctx.command_path} token", list(ctx.meta[_TOKEN_ARGS])) as sub:
                return token.invoke(sub)
        return super().invoke(ctx)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_usage(ctx, formatter)
        formatter.write_usage(ctx.command_path, "token create --role readonly|admin [--tokens FILE]")


@click.command(
    "serve",
    cls=_ServeCommand,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@root_options
@click.option(
    "--kubeconfig", type=click.Path(dir_okay=False), help="kubeconfig file (default: KUBECONFIG, else ~/.kube/config)."
)
@click.option("--context", help="kubeconfig context (default: the current one).")
@click.option("--sim", is_flag=True, help="Run a simulated cluster in this process and keep the tree synced in it.")
@click.option("--sim-state", type=click.Path(dir_okay=False), help="With --sim: keep the cluster's objects in FILE.")
@click.option(
    "--sim-speed",
    type=float,
    default=None,
    help=f"With --sim: simulated seconds per real second (default {DEFAULT_SIM_SPEED:g}).",
)
@click.option("--listen", "listen_text", default="127.0.0.1:8080", show_default=True, help="Where the API listens.")
@click.option(
    "--poll",
    "poll_text",
    default=f"{int(DEFAULT_POLL_SECONDS // 60)}m",
    show_default=True,
    help="How often each tracked git revision is resolved again (0 turns polling off).",
)
@click.option(
    "--shards", type=click.IntRange(min=1), default=1, show_default=True, help="Replicas the apps are split between."
)
@click.option(
    "--shard", type=click.IntRange(min=0), default=0, show_default=True, help="The shard this replica reconciles."
)
@click.option(
    "--operation-processors",
    type=click.IntRange(min=1),
    default=OPERATION_PROCESSORS,
    show_default=True,
    help="Syncs run at once (as Argo CD's flag): one app waiting on its health holds no other app's sync.",
)
@click.option(
    "--leader-elect",
    is_flag=True,
    help="Elect one writer among the replicas of a shard through a coordination.k8s.io Lease (in the namespace "
    "POD_NAMESPACE names, else argocd).",
)
@click.option(
    "--tokens",
    "tokens_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The API tokens file (default: $WAVECD_STATE_DIR/tokens.json, else ~/.local/state/wavecd/tokens.json).",
)
def serve(
    request: TreeRequest,
    kubeconfig: str | None,
    context: str | None,
    sim: bool,
    sim_state: str | None,
    sim_speed: float | None,
    listen_text: str,
    poll_text: str,
    shards: int,
    shard: int,
    operation_processors: int,
    leader_elect: bool,
    tokens_path: Path | None,
) -> None:
    """Keep the app tree of ROOT synced: watch its repositories (polling, and git webhooks on
    /api/webhook), reconcile every app against the cluster, auto-sync and self-heal as each app's
    syncPolicy says, and serve the API on --listen. Stops on SIGINT or SIGTERM.

    Make an API token with `wavecd serve token create --role readonly|admin`."""
    try:
        target = target_from_flags(kubeconfig, context, sim, sim_speed)
        if sim_state and not sim:
            raise UserInputError("--sim-state needs --sim")
        if shard >= shards:
            raise UserInputError(f"--shard {shard}: must be below --shards {shards}")
        listen = parse_listen(listen_text)
        settings = ServeSettings(
            poll=parse_poll(poll_text),
            shards=shards,
            shard=shard,
            operation_processors=operation_processors,
            # The Lease lives in the controller's own namespace when it runs in a Pod (deploy/chart sets it).
            namespace=os.environ.get("POD_NAMESPACE") or ARGOCD_NAMESPACE,
            sync=SyncSettings(
                wave_delay=wave_delay_from_env(WAVE_DELAY_SECONDS), first_poll=GATE_FIRST_POLL, watch_health=False
            ),
        )
        webhook = load_root(request.root, request.config).config.webhook.resolved()
        tokens = TokenStore(tokens_path or default_tokens_path())
    except WavecdError as err:
        _exit_with_error(err)
    clock = RealClock(target.sim_speed) if target.sim else RealClock()
    try:
        # Each replica's requests carry its identity (the one its Lease names), so the API server's audit log
        # tells the replicas apart: they share the field manager `wavecd`.
        agent = user_agent(f"serve/{settings.identity}")
        with _cluster(target.kubeconfig, target.context, target.sim, sim_state, clock, agent) as client:
            _log(f"wavecd serve: {request.root} on http://{listen.host}:{listen.port}")
            run_server(
                request,
                client,
                settings,
                listen=listen,
                tokens=tokens,
                webhook=webhook,
                clock=clock,
                log=_log,
                leader_election=leader_elect,
            )
    except WavecdError as err:
        _exit_with_error(err)
    except Exception as err:  # a wavecd bug: one line that says so
        click.echo(f"Error: {internal_error(err)}", err=True)
        sys.exit(1)


def _exit_with_error(err: WavecdError) -> NoReturn:
    click.echo(f"Error: {err.render()}", err=True)
    sys.exit(err.exit_code)
