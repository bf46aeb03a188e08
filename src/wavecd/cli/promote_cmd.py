"""`wavecd promote ROOT --app APP --set KEY=VALUE | --image NAME=TAG [--commit [--branch B] [--push]]`.

Exit status: 0 the value was set (or already was), 2 refused or failed (one line on stderr saying why).
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

import click

from wavecd.cli.diff_cmd import output_options, show
from wavecd.cli.tree_cmd import root_options
from wavecd.core import WavecdError

if TYPE_CHECKING:
    from wavecd.apps.session import TreeRequest


def _split(option: str, text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise click.UsageError(f"{option} {text!r}: expected NAME=VALUE")
    return name, value


def _one_assignment(text: str) -> tuple[str, str]:
    """`--set`'s KEY=VALUE. Helm's `--set` reads an unescaped `,` as the start of another assignment, so such a
    value is refused rather than written whole; `\\,` is Helm's literal comma."""
    key, value = _split("--set", text)
    if re.search(r"(?<!\\),", value):
        raise click.UsageError(
            f"--set {text!r}: helm --set reads ',' as a second assignment, and promote changes one parameter "
            "per run (write a literal comma as '\\,')"
        )
    return key, value.replace("\\,", ",")


@click.command("promote", context_settings={"help_option_names": ["-h", "--help"]})
@root_options
@click.option("--app", "app_name", required=True, help="The Application whose parameter changes.")
@click.option("--set", "assignment", metavar="KEY=VALUE", help="The Helm parameter to change, as --set names it.")
@click.option("--image", metavar="NAME=TAG", help="Set the tag of the image NAME (repository, name or image).")
@click.option("--commit", is_flag=True, help="Commit the edited file on the current branch.")
@click.option("--branch", metavar="NAME", help="Commit on a new branch NAME (implies --commit).")
@click.option("--push", is_flag=True, help="Push the commit's branch (to --remote).")
@click.option("--remote", default="origin", show_default=True, help="Where --push pushes.")
@output_options
def promote(
    request: TreeRequest,
    app_name: str,
    assignment: str | None,
    image: str | None,
    commit: bool,
    branch: str | None,
    push: bool,
    remote: str,
    output: str,
    max_length: int,
) -> None:
    """Change one Helm parameter of an app where it is set — its values file, an Application's valuesObject
    or parameters — keeping every other byte of the file, and show the rendered diff of every app the edit
    affects. Refuses when the value is set in several places or nowhere, and never touches a file with
    uncommitted changes."""
    from wavecd.operations.promote import PromoteRequest
    from wavecd.operations.promote import promote as run

    if (assignment is None) == (image is None):
        raise click.UsageError("give one of --set KEY=VALUE or --image NAME=TAG")
    key, value = _one_assignment(assignment) if assignment is not None else (None, "")
    name = None
    if image is not None:
        name, value = _split("--image", image)
    try:
        result = run(
            request,
            PromoteRequest(app_name, value, key, name, commit, branch, push, remote),
        )
    except WavecdError as err:
        click.echo(f"Error: {err.render()}", err=True)
        sys.exit(2)
    if not result.changed:
        click.echo(f"{result.file}: {result.key} is already {result.value}; nothing changed", err=True)
        return
    edit = {"file": str(result.file), "key": result.key, "from": result.old_value, "value": result.value}
    show(result.diff, output, max_length, {"promoted": {**edit, "commit": result.commit, "branch": result.branch}})
    line = f"{result.file}: {result.key} {result.old_value} → {result.value}"
    if result.commit:
        line += f"; committed {result.commit[:7]} on {result.branch}" + (f", pushed to {remote}" if push else "")
    click.echo(line, err=True)
