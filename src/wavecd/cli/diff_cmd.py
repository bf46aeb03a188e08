"""`wavecd diff ROOT --from REV [--to REV]`: what Argo CD would apply differently, app by app.

Exit status: 0 no difference, 1 differences, 2 an error (bad input, or an app that failed to render on
either side — its objects could not be compared).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from wavecd.cli.cluster_flags import cluster_options
from wavecd.cli.tree_cmd import root_options
from wavecd.core import WavecdError

if TYPE_CHECKING:
    from wavecd.apps.session import TreeRequest
    from wavecd.diff.tree_diff import AppDiff, TreeDiff

_LINE_STYLES = {"+": "green", "-": "red", "@": "cyan"}


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def _app_line(app: AppDiff) -> Any:
    from rich.text import Text

    marks = {"added": ("+", "green"), "removed": ("-", "red"), "changed": ("~", "yellow")}
    mark, style = marks[app.change]
    line = Text()
    line.append(f"{mark} {app.label}", style=f"bold {style}")
    line.append(f"  {app.kind} {app.change}", style=style)
    if app.wave_changed:
        line.append(f"  tree wave {app.wave_before} → {app.wave_after}", style="bold magenta")
    elif (app.wave_after if app.wave_after is not None else app.wave_before) is not None:
        line.append(f"  wave {app.wave_after if app.wave_after is not None else app.wave_before}", style="cyan")
    if app.objects:
        counts = f"  +{app.count('added')} ~{app.count('changed')} -{app.count('removed')} objects"
        line.append(counts, style="dim")
        line.append(f"  resource waves {', '.join(str(w) for w in app.resource_waves)}", style="dim")
    return line


def print_text(diff: TreeDiff) -> None:
    """Per app a headline, its errors and warnings, then each object's diff, coloured on a terminal."""
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    console.print(Text(f"wavecd diff: {diff.before} → {diff.after}", style="bold"))
    for app in diff.apps:
        console.print()
        console.print(_app_line(app))
        for side, error in (("from", app.error_before), ("to", app.error_after)):
            if error:
                console.print(Text(f"  render error ({side}): {error.splitlines()[0]}", style="bold red"))
        for warning in app.warnings:
            console.print(Text(f"  warning: {warning}", style="yellow"))
        for obj in app.objects:
            console.print(Text(f"  {obj.change}: {obj.label}  (wave {obj.wave})", style="bold"))
            for line in obj.diff.splitlines():
                console.print(Text(f"    {line}", style=_LINE_STYLES.get(line[:1], "")))
    console.print()
    console.print(Text(f"{len(diff.apps)} app(s) differ, {diff.unchanged} unchanged", style="bold"))


def show(diff: TreeDiff, output: str, max_length: int, extra: dict[str, Any] | None = None) -> None:
    """The diff in the chosen format; `extra` keys head the JSON document (`promote`'s edit)."""
    if output == "json":
        click.echo(json.dumps({**(extra or {}), **diff.to_json()}, indent=2))
    elif output == "markdown":
        from wavecd.diff.markdown import markdown_report

        click.echo(markdown_report(diff, max_length), nl=False)
    else:
        print_text(diff)


def emit(diff: TreeDiff, output: str, max_length: int) -> None:
    """The diff in the chosen format, then the exit status it means."""
    show(diff, output, max_length)
    if diff.errors:
        names = ", ".join(app.label for app in diff.errors)
        click.echo(f"Error: {len(diff.errors)} app(s) failed to render, their objects not compared: {names}", err=True)
        sys.exit(2)
    sys.exit(1 if diff.differs else 0)


def output_options(command: Any) -> Any:
    """`-o` and `--max-length`, shared by the commands with a pull-request comment (`diff`, `promote`, `plan`)."""
    from wavecd.diff.comment import DEFAULT_LIMIT

    command = click.option(
        "--max-length",
        type=click.IntRange(min=1000),
        default=DEFAULT_LIMIT,
        show_default=True,
        help="Cut -o markdown to this many characters (GitHub's comment limit by default).",
    )(command)
    return click.option(
        "-o", "--output", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
    )(command)


@click.command("diff", context_settings={"help_option_names": ["-h", "--help"]})
@root_options
@click.option("--from", "from_revision", metavar="REV", help="The older revision of ROOT's git repository.")
@click.option("--to", "to_revision", metavar="REV", help="The newer revision (default: the working tree).")
@click.option("--live", is_flag=True, help="Compare the desired state with a cluster instead of two revisions.")
@cluster_options("With --live: ")
@output_options
def diff(
    request: TreeRequest,
    from_revision: str | None,
    to_revision: str | None,
    live: bool,
    kubeconfig: Path | None,
    context: str | None,
    output: str,
    max_length: int,
) -> None:
    """Show what Argo CD would apply differently, app by app: between two revisions of ROOT's git
    repository (--from, --to), or between the desired state and a cluster (--live).

    Apps added and removed (the root's list and ApplicationSets' generated apps included), a unified diff
    of each changed object (keys sorted, the app's ignoreDifferences honoured, Secret values masked as
    Argo CD masks them), and the waves that change. Exit status: 0 no difference, 1 differences, 2 error."""
    if live == (from_revision is not None):
        _fail("give either --from REV (with --to REV or the working tree) or --live")
    if to_revision is not None and live:
        _fail("--to compares two revisions; it does not go with --live")
    if not live and (kubeconfig or context):
        _fail("--kubeconfig and --context go with --live")
    try:
        if live:
            from wavecd.operations.live_diff import diff_live

            result = diff_live(request, str(kubeconfig) if kubeconfig else None, context)
        else:
            from wavecd.operations.revision_diff import diff_revisions

            assert from_revision is not None
            result = diff_revisions(request, from_revision, to_revision)
    except WavecdError as err:
        _fail(err.render())
    emit(result, output, max_length)
