"""`wavecd plan ROOT`: the rollout `wavecd sync` would carry out, step by step, before it happens."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from wavecd.cli.cluster_flags import cluster_options
from wavecd.cli.diff_cmd import output_options
from wavecd.cli.tree_cmd import root_options
from wavecd.core import WavecdError

if TYPE_CHECKING:
    from wavecd.apps.session import TreeRequest
    from wavecd.operations.rollout_plan import PlannedApp, RolloutPlan

_CHANGE_STYLES = {"create": "green", "change": "yellow", "delete": "red", "unknown": "bold red", "unchanged": "dim"}
_PIPE_WIDTH = 240
_ROLE_STYLES = {"hook": "magenta", "prune": "red", "namespace": "cyan"}


def _fail(err: WavecdError) -> NoReturn:
    click.echo(f"Error: {err.render()}", err=True)
    sys.exit(err.exit_code)


def _object_name(namespace: str, name: str) -> str:
    return f"{namespace}/{name}" if namespace else name


def _app_table(app: PlannedApp, with_changes: bool) -> Any:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 2, 0, 0))
    for column in ("PHASE", "WAVE", "KIND", "NAME", "ROLE", "GATE", *(["CHANGE"] if with_changes else [])):
        table.add_column(column, no_wrap=True)
    sections = [(step.phase, str(step.wave), step.objects) for step in app.steps]
    if app.sync_fail:
        sections.append(("SyncFail", "-", app.sync_fail))
    for phase, wave, objects in sections:
        for index, obj in enumerate(objects):
            change = [Text(str(obj.change), style=_CHANGE_STYLES.get(obj.change or "", ""))] if with_changes else []
            table.add_row(
                phase if index == 0 else "",
                wave if index == 0 else "",
                obj.kind,
                _object_name(obj.namespace, obj.name),
                Text(obj.role, style=_ROLE_STYLES.get(obj.role, "")),
                obj.gate,
                *change,
            )
    return table


def _print_app(console: Any, app: PlannedApp, with_changes: bool) -> None:
    from rich.text import Text

    head = Text("  ")
    head.append(app.name, style="bold")
    if app.namespace:
        head.append(f"  → namespace {app.namespace}", style="dim")
    console.print(head)
    if app.error:
        console.print(Text(f"    render error: {app.error.splitlines()[0]}", style="bold red"))
        return
    if app.steps or app.sync_fail:
        from rich.padding import Padding

        console.print(Padding(_app_table(app, with_changes), (0, 0, 0, 4), expand=False))
    else:
        console.print(Text("    nothing to apply", style="dim"))
    if app.children:
        console.print(Text(f"    declares (applied at their own tree waves): {', '.join(app.children)}", style="dim"))
    if app.skipped:
        console.print(Text(f"    never applied (hook Skip): {', '.join(app.skipped)}", style="dim"))


def print_text(plan: RolloutPlan) -> None:
    """The root, then each tree wave with its gate, then each app's steps as a table."""
    from rich.console import Console
    from rich.text import Text

    from wavecd.operations.rollout_plan import ROOT_GATE, TREE_GATE

    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = _PIPE_WIDTH  # a file or a pipe gets whole rows, not rows cut at 80 columns
    where = f"against {plan.cluster}" if plan.cluster else "offline (no cluster: no create/change verdicts, no prunes)"
    console.print(Text(f"wavecd plan: {plan.root.name}, {where}", style="bold"))
    with_changes = plan.cluster is not None
    console.print()
    console.print(Text(f"root (gate: {ROOT_GATE})", style="bold cyan"))
    _print_app(console, plan.root, with_changes)
    for wave, apps in plan.waves:
        console.print()
        console.print(Text(f"tree wave {wave}: {len(apps)} app(s) (gate: {TREE_GATE})", style="bold cyan"))
        for app in apps:
            _print_app(console, app, with_changes)


@click.command("plan", context_settings={"help_option_names": ["-h", "--help"]})
@root_options
@cluster_options("Compare with a cluster: ")
@click.option(
    "--prune",
    is_flag=True,
    help="With a cluster: plan a sync that deletes what is no longer rendered (automated.prune apps do anyway).",
)
@output_options
def plan(
    request: TreeRequest, kubeconfig: Path | None, context: str | None, prune: bool, output: str, max_length: int
) -> None:
    """Show the rollout `wavecd sync ROOT` would carry out, before it happens: the tree waves in order and,
    per app, its steps (phase and resource wave) with their objects in apply order — hooks, the namespace
    CreateNamespace=true adds, prune candidates — and what each object's step waits for (its kind's health
    check, a hook's completion). With a cluster (--kubeconfig or --context), each object says whether the
    sync would create, change or leave it unchanged (a server-side dry run, as `wavecd status` compares).
    `-o markdown` is a pull-request comment: the tree waves as a summary table, one collapsible section per
    app, cut to --max-length characters with a note saying what was cut.

    Exit status: 0 the plan is complete, 1 the cluster cannot be reached, 2 bad input (an app that fails to
    render is named and its steps left out)."""
    from wavecd.operations.rollout_plan import plan_rollout

    cluster = kubeconfig is not None or context is not None
    if prune and not cluster:
        click.echo(
            "Error: --prune needs a cluster (--kubeconfig or --context): offline there is nothing to prune", err=True
        )
        sys.exit(2)
    try:
        result = plan_rollout(request, str(kubeconfig) if kubeconfig else None, context, cluster=cluster, prune=prune)
    except WavecdError as err:
        _fail(err)
    if output == "json":
        click.echo(json.dumps(result.to_json(), indent=2))
    elif output == "markdown":
        from wavecd.operations.plan_markdown import markdown_plan

        click.echo(markdown_plan(result, max_length), nl=False)
    else:
        print_text(result)
    if result.errors:
        names = ", ".join(result.errors)
        click.echo(
            f"Error: {len(result.errors)} app(s) failed to render, their steps are not planned: {names}", err=True
        )
        sys.exit(2)
