"""`wavecd lint ROOT`: the tree's order and Argo CD pitfalls, as rules with IDs (docs/lint.md).

Exit status: 0 no error-level finding, 1 at least one, 2 bad input (an unknown rule, a bad `lint:`
section of wavecd.yaml, an app that fails to render — its objects could not be judged).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, NoReturn

import click

from wavecd.cli.tree_cmd import root_options
from wavecd.core import WavecdError

if TYPE_CHECKING:
    from wavecd.apps.session import TreeRequest

OUTPUTS = ("text", "json", "sarif", "github")


def _fail(err: WavecdError) -> NoReturn:
    click.echo(f"Error: {err.render()}", err=True)
    sys.exit(2)


@click.command("lint", context_settings={"help_option_names": ["-h", "--help"]})
@root_options
@click.option("-o", "--output", type=click.Choice(OUTPUTS), default="text", show_default=True)
@click.option(
    "--kube-version",
    metavar="V",
    help="The destination's Kubernetes version the rules judge against (default: wavecd.yaml's render.kubeVersion).",
)
@click.option(
    "--rule",
    "rules",
    multiple=True,
    metavar="ID",
    help="Run only this rule (an ID such as WCD101 or a slug; repeatable).",
)
def lint(request: TreeRequest, output: str, kube_version: str | None, rules: tuple[str, ...]) -> None:
    """Check the tree before it rolls out: custom resources before their CRDs, namespaces created too late,
    and what Argo CD reads differently from wavecd (sync-waves on ApplicationSets, the Application health
    check, unknown sync options and annotations, shared resources, Helm hooks). Each finding names its rule,
    app, file and object; docs/lint.md says what each rule catches and how to fix or silence it.

    Exit status: 0 no error-level finding, 1 at least one, 2 bad input or an app that failed to render."""
    from wavecd import __version__
    from wavecd.apps.helm_source import kube_version_flag
    from wavecd.apps.session import open_session
    from wavecd.lint.locate import Locator, repository_top
    from wavecd.lint.output import github_commands, json_report, sarif_report, text_lines
    from wavecd.lint.runner import lint_tree
    from wavecd.plan import plan_tree

    try:
        session = open_session(request)
        config = session.root.config
        plan = plan_tree(session.tree)
        repositories = {mapping.url: mapping.path for mapping in config.repositories}
        locate = Locator(session.tree, session.root.file, repositories, repository_top(session.root.file))
        report = lint_tree(
            session.tree,
            plan,
            kube_version=kube_version_flag(kube_version or config.render.kube_version),
            locate=locate,
            settings=config.lint,
            only=rules,
        )
    except WavecdError as err:
        _fail(err)
    if output == "json":
        click.echo(json.dumps(json_report(report), indent=2))
    elif output == "sarif":
        click.echo(json.dumps(sarif_report(report, __version__), indent=2))
    else:
        lines = github_commands(report) if output == "github" else text_lines(report)
        click.echo("\n".join(lines))
    broken = [node for node in session.tree.nodes if node.error]
    if broken:
        for node in broken:
            where = f" at {node.error_location}" if node.error_location else ""
            first = (node.error or "").splitlines()[0]
            click.echo(f"Error: app {node.name} failed to render{where}: {first}", err=True)
        sys.exit(2)
    sys.exit(1 if report.failed else 0)
