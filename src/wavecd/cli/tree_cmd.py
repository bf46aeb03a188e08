"""`wavecd tree ROOT`: the app tree, as a rich tree or (`-o json`) a JSON list of nodes."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from wavecd.common import APPLICATION_SET
from wavecd.core import WavecdError

if TYPE_CHECKING:
    from wavecd.apps.session import TreeRequest

EXECUTORS = ("auto", "process", "thread", "serial")


def root_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """ROOT and the flags every command that reads an app tree accepts, handed to the command as one
    `request` (a `TreeRequest`), so each command names what it adds and nothing it only passes on."""

    @functools.wraps(command)
    def with_request(
        root: Path,
        config: Path | None,
        repos: tuple[str, ...],
        worktree: bool,
        offline: bool,
        executor: str,
        no_cache: bool,
        allow_exec: bool,
        **flags: Any,
    ) -> Any:
        from wavecd.apps.session import TreeRequest

        request = TreeRequest(
            root=root,
            config=config,
            repos=repos,
            worktree=worktree,
            offline=offline,
            executor=executor,
            use_cache=not no_cache,
            allow_exec=allow_exec,
        )
        return command(request=request, **flags)

    decorators = [
        click.argument("root", type=click.Path(path_type=Path)),
        click.option(
            "--config",
            type=click.Path(path_type=Path, dir_okay=False),
            help="wavecd.yaml to use instead of the one found beside ROOT or above it.",
        ),
        click.option(
            "--repo",
            "repos",
            multiple=True,
            metavar="URL=PATH",
            help="Serve the git repository URL from the local folder PATH (repeatable).",
        ),
        click.option("--worktree", is_flag=True, help="Read every mapped repository as it is on disk."),
        click.option("--offline", is_flag=True, help="Never reach a network; mirrors and mapped folders only."),
        click.option(
            "--executor",
            type=click.Choice(EXECUTORS),
            default="auto",
            show_default=True,
            help="How apps of one level render concurrently.",
        ),
        click.option("--no-cache", is_flag=True, help="Render every app, ignoring and not writing the cache."),
        click.option(
            "--allow-exec",
            is_flag=True,
            envvar="WAVECD_ALLOW_EXEC",
            help="Run what wavecd.yaml names: config management plugins, kustomize.path, kustomize build options "
            "that run programs or read outside the repository (also WAVECD_ALLOW_EXEC=1). Never for untrusted "
            "changes: wavecd.yaml comes from the repository.",
        ),
    ]
    wrapped: Callable[..., Any] = with_request
    for decorator in reversed(decorators):
        wrapped = decorator(wrapped)
    return wrapped


def open_tree_or_exit(request: TreeRequest) -> tuple[Any, Any]:
    from wavecd.apps.session import open_tree

    try:
        return open_tree(request)
    except WavecdError as err:
        click.echo(f"Error: {err.render()}", err=True)
        sys.exit(err.exit_code)


def _label(node: Any) -> Any:
    from rich.text import Text

    text = Text()
    text.append(node.name, style="bold red" if node.error else "bold")
    if node.wave is not None:
        text.append(f"  wave {node.wave}", style="cyan")
    if node.source:
        text.append(f"  {node.source}", style="magenta")
    if node.destination is not None:
        text.append(f"  → {node.destination.namespace or '-'}", style="green")
    noun = "application" if node.kind == APPLICATION_SET else "resource"
    count = len(node.manifests)
    text.append(f"  {count} {noun}{'' if count == 1 else 's'}", style="dim")
    if node.error:
        first = node.error.splitlines()[0]
        text.append(f"\n  error: {first}", style="red")
        if node.error_location:
            text.append(f"\n  at {node.error_location}", style="red")
    for warning in node.warnings:
        text.append(f"\n  warning: {warning}", style="yellow")
    return text


def print_rich_tree(tree: Any) -> None:
    """Children under their parent, lowest wave first (the order Argo CD syncs them), then as declared."""
    from rich.console import Console
    from rich.tree import Tree as RichTree

    children: dict[int, list[Any]] = {}
    parent_of: dict[tuple[str | None, int], Any] = {}
    for node in tree.nodes:
        parent = parent_of.get((node.parent, node.depth - 1))
        if parent is not None:
            children.setdefault(id(parent), []).append(node)
        parent_of.setdefault((node.name, node.depth), node)

    def add(branch: Any, node: Any) -> None:
        for child in sorted(children.get(id(node), []), key=lambda n: n.wave or 0):
            add(branch.add(_label(child)), child)

    top = RichTree(_label(tree.root))
    add(top, tree.root)
    Console().print(top)


@click.command("tree", context_settings={"help_option_names": ["-h", "--help"]})
@root_options
@click.option("-o", "--output", type=click.Choice(["tree", "json"]), default="tree", show_default=True)
def tree(request: TreeRequest, output: str) -> None:
    """Show the app tree of ROOT: every Application and ApplicationSet, with its wave, source,
    destination namespace, resource count and error."""
    _, walked = open_tree_or_exit(request)
    if output == "json":
        click.echo(json.dumps([node.to_json() for node in walked.nodes], indent=2))
    else:
        print_rich_tree(walked)
    broken = walked.broken
    if broken:
        click.echo(f"{len(broken)} of {len(walked.nodes)} apps failed: {', '.join(n.name for n in broken)}", err=True)
        sys.exit(1)
