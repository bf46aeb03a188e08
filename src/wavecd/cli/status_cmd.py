"""`wavecd status ROOT`: each Application of the tree as the cluster has it now — health and sync status."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from wavecd.cli.cluster_flags import cluster_options
from wavecd.cli.tree_cmd import root_options
from wavecd.common import STATUS_COLOURS, HealthStatus, SyncStatus, worst_of
from wavecd.core import WavecdError
from wavecd.kube import KubeClient
from wavecd.plan import TreePlan, plan_tree
from wavecd.sync.compare import ResourceComparison
from wavecd.sync.settings import ClusterFacts
from wavecd.sync.status import AppStatus, tree_status

if TYPE_CHECKING:
    from wavecd.apps.session import TreeRequest

HEALTHY = HealthStatus.HEALTHY.value
RESOURCES_SHOWN = 2


def worst_health(statuses: list[AppStatus]) -> str:
    """The tree's health: its least healthy app (Argo CD's ranking)."""
    return worst_of(s.health for s in statuses)


def message(status: AppStatus) -> str:
    """One line: why it is not Synced (the first resources), else why it is not Healthy."""
    if status.error:
        return status.error.splitlines()[0]
    if status.out_of_sync:
        shown = ", ".join(_short(r) for r in status.out_of_sync[:RESOURCES_SHOWN])
        more = len(status.out_of_sync) - RESOURCES_SHOWN
        return shown + (f" (+{more} more)" if more > 0 else "")
    return status.health_message


def _short(resource: ResourceComparison) -> str:
    name = f"{resource.namespace}/{resource.name}" if resource.namespace else resource.name
    return f"{resource.kind} {name} {resource.reason}"


def _document(plan: TreePlan, statuses: list[AppStatus]) -> dict[str, Any]:
    apps = [
        {"app": s.app, "wave": plan.wave_of(s.app), **{k: v for k, v in s.to_json().items() if k != "app"}}
        for s in statuses
    ]
    return {
        "apps": apps,
        "health": worst_health(statuses),
        "sync": SyncStatus.SYNCED if all(s.sync == SyncStatus.SYNCED for s in statuses) else SyncStatus.OUT_OF_SYNC,
    }


def _print_table(plan: TreePlan, statuses: list[AppStatus]) -> None:
    """One line per app; the message is cut to the terminal's width (`-o json` has it whole)."""
    from rich.console import Console
    from rich.table import Table

    rows = []
    for s in statuses:
        number = plan.wave_of(s.app)
        rows.append((s.app, "-" if number is None else str(number), s.health, s.sync))
    table = Table(box=None, pad_edge=False, expand=True)
    for i, column in enumerate(("NAME", "WAVE", "HEALTH", "SYNC")):
        table.add_column(column, no_wrap=True, min_width=max([len(column), *(len(row[i]) for row in rows)]))
    table.add_column("MESSAGE", no_wrap=True, overflow="ellipsis", ratio=1)
    for (name, wave, health, sync), s in zip(rows, statuses, strict=True):
        table.add_row(
            name,
            wave,
            f"[{STATUS_COLOURS.get(health, '')}]{health}",
            f"[{STATUS_COLOURS.get(sync, '')}]{sync}",
            message(s),
        )
    Console().print(table)


def _fail(err: WavecdError) -> NoReturn:
    """A bad kubeconfig exits 2 (bad input); an unreachable or refusing cluster exits 1."""
    click.echo(f"Error: {err.render()}", err=True)
    sys.exit(err.exit_code)


@click.command("status", context_settings={"help_option_names": ["-h", "--help"]})
@root_options
@cluster_options()
@click.option("-o", "--output", type=click.Choice(["table", "json"]), default="table", show_default=True)
def status(
    request: TreeRequest,
    kubeconfig: Path | None,
    context: str | None,
    output: str,
) -> None:
    """Show each Application of ROOT's tree as the cluster has it: health, and Synced when every desired
    object exists, carries the app's tracking annotation and a server-side dry-run apply changes nothing,
    and no object the app tracks is left that it no longer renders (one a sync with --prune would delete).

    Exit status: 0 when every app is Healthy and Synced, 1 otherwise (or when the cluster cannot be
    reached), 2 for bad input."""
    from wavecd.apps.session import open_session

    # The kubeconfig first: it is read in an instant, the tree may take seconds to render.
    try:
        client = KubeClient.from_kubeconfig(str(kubeconfig) if kubeconfig else None, context)
    except WavecdError as err:
        _fail(err)
    with client:
        try:
            session = open_session(request)
            plan = plan_tree(session.tree)

            def render(name: str, facts: ClusterFacts) -> list[dict[str, Any]]:
                return session.render_at(name, facts.kube_version, facts.api_versions)

            statuses = tree_status(plan, client, render)
        except WavecdError as err:
            _fail(err)
    if output == "json":
        click.echo(json.dumps(_document(plan, statuses), indent=2))
    else:
        _print_table(plan, statuses)
    sys.exit(0 if all(s.health == HEALTHY and s.sync == SyncStatus.SYNCED for s in statuses) else 1)
