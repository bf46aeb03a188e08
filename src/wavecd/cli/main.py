"""Entry point of the `wavecd` command.

Subcommands live in their own modules and are imported only when invoked, so `wavecd helm template`
does not pay for the libraries other commands need (rich, httpx, ...).
"""

from __future__ import annotations

import importlib

import click

# command name -> (module, attribute) holding its click command
_COMMANDS: dict[str, tuple[str, str]] = {
    "diff": ("wavecd.cli.diff_cmd", "diff"),
    "helm": ("wavecd.cli.helm_cmd", "helm"),
    "lint": ("wavecd.cli.lint_cmd", "lint"),
    "plan": ("wavecd.cli.plan_cmd", "plan"),
    "promote": ("wavecd.cli.promote_cmd", "promote"),
    "render": ("wavecd.cli.render_cmd", "render"),
    "sim": ("wavecd.cli.sim_cmd", "sim"),
    "serve": ("wavecd.cli.serve_cmd", "serve"),
    "status": ("wavecd.cli.status_cmd", "status"),
    "sync": ("wavecd.cli.sync_cmd", "sync"),
    "tree": ("wavecd.cli.tree_cmd", "tree"),
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target
        return getattr(importlib.import_module(module_name), attribute)


@click.group(cls=LazyGroup)
@click.version_option(package_name="wavecd")
def main() -> None:
    """GitOps continuous delivery for Kubernetes on Argo CD's App-of-Apps model."""
